"""IPv6 header and extension headers (RFC 8200 sections 3, 4).

``ipv6.ext_hdrs`` holds the extension headers in wire order, decoded until the
first Next Header value that is not an extension header; the upper-layer
class then comes from this module's table (``ipv6.register_packet_type``),
and an unknown upper layer leaves the payload as raw bytes.  Extension headers:

* :class:`hop_opts` / :class:`dst_opts` (RFC 8200 section 4.3, 4.6) with a list
  of :class:`option` (Pad1, PadN, Router Alert of RFC 2711, anything else by
  type/length/value);
* :class:`routing` (section 4.4): type 3, the RPL source route of RFC 6554, is
  :class:`routing_type3`; types 0, 2, 4 (Segment Routing, RFC 8754) and
  unknown types are :class:`routing_generic`, whose type-specific data stays
  raw bytes;
* :class:`fragment` (section 4.5): a fragment other than a whole first one keeps
  its payload raw, as an upper-layer header cannot be decoded from a piece;
* :class:`auth` (RFC 4302 section 2).

Jumbograms (RFC 2675, Payload Length 0) are not supported: Payload Length
bounds the datagram, and bytes after it (Ethernet padding) are kept privately
by the decoded header and put back when that header is encoded again, as in
:mod:`ipv4`.  ``payload_length`` 0 and an options header ``size`` 0 are
computed when encoding.
"""

from __future__ import annotations

import socket
import struct
from typing import ClassVar

from ctrlapp.lib import addrconv
from ctrlapp.lib.packet import ether_types, ethernet, in_proto, ipv4, packet_base
from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError, PacketTruncatedError
from ctrlapp.lib.stringify import StringifyMixin

IPV6_ADDRESS_LEN = 16
IPV6_PSEUDO_HEADER_PACK_STR = "!16s16sI3xB"

_HDR = struct.Struct("!IHBB16s16s")
_MIN_LEN = _HDR.size
_NXT_LEN = struct.Struct("!BB")
_FRAG = struct.Struct("!BxHI")
_AUTH = struct.Struct("!BB2xII")
_RT3 = struct.Struct("!BBBBBB2x")

# Hop-by-Hop/Destination option types (RFC 8200 section 4.2, RFC 2711).
OPT_PAD1 = 0
OPT_PADN = 1
OPT_ROUTER_ALERT = 5

_inet_ntop = socket.inet_ntop
_AF_INET6 = socket.AF_INET6
_addr_bin = addrconv.ipv6.text_to_bin


class header(StringifyMixin):
    """An extension header; ``nxt`` is its Next Header field."""

    __slots__ = ("nxt",)
    TYPE: ClassVar[int] = -1

    def __init_subclass__(cls, **kwargs) -> None:
        # The same guarantee as PacketBase parsers: only PacketParseError leaves.
        super().__init_subclass__(**kwargs)
        raw = cls.__dict__.get("parser")
        if isinstance(raw, classmethod):
            cls.parser = classmethod(packet_base._guard_parser(cls, raw.__func__))

    def __init__(self, nxt: int):
        self.nxt = nxt

    @classmethod
    def parser(cls, buf: bytes) -> header:
        raise NotImplementedError

    def serialize(self) -> bytes:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.serialize())


class option(StringifyMixin):
    """A Hop-by-Hop or Destination option (RFC 8200 section 4.2).

    Pad1 is ``option(0)`` (no length, no data).  ``len_`` -1 means the length
    of ``data``.
    """

    __slots__ = ("type_", "len_", "data")

    def __init__(self, type_: int = 0, len_: int = -1, data: bytes | None = None):
        self.type_ = type_
        self.len_ = len_
        self.data = data

    @classmethod
    def parser(cls, buf: bytes, off: int = 0) -> option:
        if off >= len(buf):
            raise PacketTruncatedError("no option type byte", "ipv6.option")
        type_ = buf[off]
        if type_ == OPT_PAD1:
            return cls(OPT_PAD1, -1, None)
        if off + 2 > len(buf):
            raise PacketTruncatedError("option without its length byte", "ipv6.option")
        len_ = buf[off + 1]
        end = off + 2 + len_
        if end > len(buf):
            raise PacketTruncatedError(f"option of {len_} bytes overruns its header", "ipv6.option")
        return cls(type_, len_, bytes(buf[off + 2 : end]) or None)

    def serialize(self) -> bytes:
        if self.type_ == OPT_PAD1:
            return b"\x00"
        data = bytes(self.data or b"")
        len_ = len(data) if self.len_ < 0 else self.len_
        return bytes((self.type_, len_)) + data[:len_].ljust(len_, b"\x00")

    def __len__(self) -> int:
        return len(self.serialize())


def _padding(n: int) -> list[option]:
    """Options filling ``n`` bytes (RFC 8200 section 4.2: Pad1 for one, PadN otherwise)."""
    if n == 0:
        return []
    if n == 1:
        return [option(OPT_PAD1)]
    return [option(OPT_PADN, n - 2, bytes(n - 2))]


class opt_header(header):
    """Options header: Next Header, Hdr Ext Len (``size``, 8-octet units after the first 8), options.

    ``data`` None encodes a header holding only padding; options that do not
    fill a multiple of 8 bytes are followed by Pad1/PadN.
    """

    __slots__ = ("size", "data")
    _FIX_SIZE = 8

    def __init__(self, nxt: int = in_proto.IPPROTO_TCP, size: int = 0, data=None):
        super().__init__(nxt)
        self.size = size
        self.data = data

    @classmethod
    def parser(cls, buf):
        if len(buf) < 2:
            raise PacketTruncatedError("options header under 2 bytes", cls.__name__)
        nxt, size = _NXT_LEN.unpack_from(buf)
        end = (size + 1) * 8
        if len(buf) < end:
            raise PacketTruncatedError(f"header of {end} bytes, have {len(buf)}", cls.__name__)
        data = []
        off = 2
        while off < end:
            opt = option.parser(buf[:end], off)
            data.append(opt)
            off += 1 if opt.type_ == OPT_PAD1 else 2 + opt.len_
        return cls(nxt, size, data)

    def serialize(self) -> bytes:
        body = b"".join(o.serialize() for o in self.data or ())
        used = 2 + len(body)
        length = max((used + 7) // 8 * 8, (self.size + 1) * 8)
        body += b"".join(o.serialize() for o in _padding(length - used))
        return bytes((self.nxt, self.size or length // 8 - 1)) + body


class hop_opts(opt_header):
    """Hop-by-Hop Options header (RFC 8200 section 4.3)."""

    __slots__ = ()
    TYPE = in_proto.IPPROTO_HOPOPTS


class dst_opts(opt_header):
    """Destination Options header (RFC 8200 section 4.6)."""

    __slots__ = ()
    TYPE = in_proto.IPPROTO_DSTOPTS


class routing(header):
    """Routing header (RFC 8200 section 4.4); ``parser`` returns the class for its type."""

    __slots__ = ()
    TYPE = in_proto.IPPROTO_ROUTING
    ROUTING_TYPE_0 = 0
    ROUTING_TYPE_2 = 2
    ROUTING_TYPE_3 = 3
    ROUTING_TYPE_4 = 4

    @classmethod
    def parser(cls, buf):
        if len(buf) < 8:
            raise PacketTruncatedError(f"routing header needs 8 bytes, have {len(buf)}", "routing")
        end = (buf[1] + 1) * 8
        if len(buf) < end:
            raise PacketTruncatedError(f"routing header of {end} bytes, have {len(buf)}", "routing")
        if buf[2] == cls.ROUTING_TYPE_3:
            return routing_type3.parser(buf[:end])
        return routing_generic.parser(buf[:end])


class routing_generic(routing):
    """A routing header kept as its fixed fields plus raw type-specific ``data``.

    Used for type 0 (deprecated, RFC 5095), type 2 (Mobile IPv6, RFC 6275),
    type 4 (Segment Routing Header, RFC 8754) and unknown types.  ``data`` is
    everything after Segments Left; ``size`` 0 is computed from it.
    """

    __slots__ = ("size", "type_", "seg", "data")

    def __init__(
        self,
        nxt: int = in_proto.IPPROTO_TCP,
        size: int = 0,
        type_: int = 4,
        seg: int = 0,
        data: bytes | None = None,
    ):
        super().__init__(nxt)
        self.size = size
        self.type_ = type_
        self.seg = seg
        self.data = data

    @classmethod
    def parser(cls, buf):
        return cls(buf[0], buf[1], buf[2], buf[3], bytes(buf[4 : (buf[1] + 1) * 8]))

    def serialize(self) -> bytes:
        data = bytes(self.data or b"")
        length = max((4 + len(data) + 7) // 8 * 8, (self.size + 1) * 8)
        size = self.size or length // 8 - 1
        return bytes((self.nxt, size, self.type_, self.seg)) + data.ljust(length - 4, b"\x00")


class routing_type3(routing):
    """RPL Source Route Header (RFC 6554 section 3).

    ``adrs`` are text addresses; the ``cmpi`` (``cmpe`` for the last one)
    prefix octets elided on the wire come from the IPv6 Destination Address,
    which this header cannot see, so they are shown as zeros and dropped again
    when encoding.  ``size`` 0 is computed.
    """

    __slots__ = ("size", "type_", "seg", "cmpi", "cmpe", "adrs")
    _TYPE = {"ascii": ["adrs"]}

    def __init__(
        self,
        nxt: int = in_proto.IPPROTO_TCP,
        size: int = 0,
        type_: int = 3,
        seg: int = 0,
        cmpi: int = 0,
        cmpe: int = 0,
        adrs: list[str] | None = None,
    ):
        super().__init__(nxt)
        self.size = size
        self.type_ = type_
        self.seg = seg
        self.cmpi = cmpi
        self.cmpe = cmpe
        self.adrs = adrs if adrs is not None else []

    @classmethod
    def parser(cls, buf):
        nxt, size, type_, seg, cmpr, pad = _RT3.unpack_from(buf)
        cmpi, cmpe, pad = cmpr >> 4, cmpr & 0xF, pad >> 4
        end = (size + 1) * 8
        space = end - 8 - pad
        # n-1 addresses of 16-CmprI octets and one of 16-CmprE (RFC 6554 section 3).
        if space < 0 or (space and (space < 16 - cmpe or (space - (16 - cmpe)) % (16 - cmpi))):
            raise PacketFieldError("addresses do not fill the header", "routing_type3")
        adrs = []
        off = 8
        if space:
            n = (space - (16 - cmpe)) // (16 - cmpi) + 1
            for i in range(n):
                keep = 16 - (cmpe if i == n - 1 else cmpi)
                adrs.append(_inet_ntop(_AF_INET6, bytes(16 - keep) + bytes(buf[off : off + keep])))
                off += keep
        return cls(nxt, size, type_, seg, cmpi, cmpe, adrs)

    def serialize(self) -> bytes:
        n = len(self.adrs)
        body = b"".join(
            addrconv.ipv6.text_to_bin(a)[(self.cmpe if i == n - 1 else self.cmpi) :]
            for i, a in enumerate(self.adrs)
        )
        length = max((8 + len(body) + 7) // 8 * 8, (self.size + 1) * 8)
        size = self.size or length // 8 - 1
        pad = length - 8 - len(body)
        return _RT3.pack(
            self.nxt,
            size,
            self.type_,
            self.seg,
            (self.cmpi << 4) | (self.cmpe & 0xF),
            (pad & 0xF) << 4,
        ) + body.ljust(length - 8, b"\x00")


class fragment(header):
    """Fragment header (RFC 8200 section 4.5); ``offset`` in 8-octet units, ``more`` the M flag."""

    __slots__ = ("offset", "more", "id_")
    TYPE = in_proto.IPPROTO_FRAGMENT

    def __init__(
        self, nxt: int = in_proto.IPPROTO_TCP, offset: int = 0, more: int = 0, id_: int = 0
    ):
        super().__init__(nxt)
        self.offset = offset
        self.more = more
        self.id_ = id_

    @classmethod
    def parser(cls, buf):
        if len(buf) < 8:
            raise PacketTruncatedError(
                f"fragment header needs 8 bytes, have {len(buf)}", "fragment"
            )
        nxt, off_m, id_ = _FRAG.unpack_from(buf)
        return cls(nxt, off_m >> 3, off_m & 1, id_)

    def serialize(self) -> bytes:
        return _FRAG.pack(self.nxt, ((self.offset & 0x1FFF) << 3) | (self.more & 1), self.id_)

    def __len__(self) -> int:
        return 8


class auth(header):
    """Authentication Header (RFC 4302 section 2).

    ``size`` is the Payload Len field (4-octet units, minus 2); ``data`` the
    Integrity Check Value, zero-padded to the length ``size`` gives.  ``size``
    0 is computed from ``data``.
    """

    __slots__ = ("size", "spi", "seq", "data")
    TYPE = in_proto.IPPROTO_AH

    def __init__(
        self,
        nxt: int = in_proto.IPPROTO_TCP,
        size: int = 2,
        spi: int = 0,
        seq: int = 0,
        data: bytes | None = None,
    ):
        super().__init__(nxt)
        self.size = size
        self.spi = spi
        self.seq = seq
        self.data = data

    @staticmethod
    def _get_size(size: int) -> int:
        return (size + 2) * 4

    @classmethod
    def parser(cls, buf):
        if len(buf) < 12:
            raise PacketTruncatedError(f"AH needs 12 bytes, have {len(buf)}", "auth")
        nxt, size, spi, seq = _AUTH.unpack_from(buf)
        end = cls._get_size(size)
        if end < 12:
            raise PacketFieldError(f"Payload Len {size} is below the fixed part", "auth")
        if len(buf) < end:
            raise PacketTruncatedError(f"AH of {end} bytes, have {len(buf)}", "auth")
        return cls(nxt, size, spi, seq, bytes(buf[12:end]))

    def serialize(self) -> bytes:
        data = bytes(self.data or b"")
        size = self.size or (12 + len(data) + 3) // 4 - 2
        return _AUTH.pack(self.nxt, size, self.spi, self.seq) + data.ljust(
            self._get_size(size) - 12, b"\x00"
        )


class ipv6(packet_base.PacketBase):
    """IPv6 header.

    ============== ============================================ ============
    Attribute      Description                                  Example
    ============== ============================================ ============
    version        Version
    traffic_class  Traffic Class
    flow_label     Flow Label
    payload_length Payload Length, extension headers included
                   (0: compute)
    nxt            Next Header
    hop_limit      Hop Limit
    src            Source Address                               'ff02::1'
    dst            Destination Address                          '::'
    ext_hdrs       Extension headers (list of ``header``)
    ============== ============================================ ============
    """

    __slots__ = (
        "version",
        "traffic_class",
        "flow_label",
        "payload_length",
        "nxt",
        "hop_limit",
        "src",
        "dst",
        "ext_hdrs",
        "_trailer",
    )
    _PACK_STR = "!IHBB16s16s"
    _MIN_LEN = _MIN_LEN
    _TYPE = {"ascii": ["src", "dst"]}
    _IPV6_EXT_HEADER_TYPE: ClassVar[dict[int, type]] = {}

    def __init__(
        self,
        version: int = 6,
        traffic_class: int = 0,
        flow_label: int = 0,
        payload_length: int = 0,
        nxt: int = in_proto.IPPROTO_TCP,
        hop_limit: int = 255,
        src: str = "10::10",
        dst: str = "20::20",
        ext_hdrs: list[header] | None = None,
    ):
        self.version = version
        self.traffic_class = traffic_class
        self.flow_label = flow_label
        self.payload_length = payload_length
        self.nxt = nxt
        self.hop_limit = hop_limit
        self.src = src
        self.dst = dst
        self.ext_hdrs = ext_hdrs if ext_hdrs is not None else []
        self._trailer = b""

    @classmethod
    def register_header_type(cls, type_: int):
        """Decorator: decode Next Header ``type_`` with the decorated extension header class."""

        def _register(cls_: type) -> type:
            cls._IPV6_EXT_HEADER_TYPE[type_] = cls_
            return cls_

        return _register

    @classmethod
    def parser(cls, buf: bytes) -> tuple[ipv6, type | None, bytes]:
        if len(buf) < _MIN_LEN:
            raise PacketTruncatedError(f"need {_MIN_LEN} bytes, have {len(buf)}", "ipv6")
        v_tc_flow, payload_length, nxt, hop_limit, src, dst = _HDR.unpack_from(buf)
        if v_tc_flow >> 28 != 6:
            raise PacketFieldError(f"version {v_tc_flow >> 28} is not 6", "ipv6")
        end = _MIN_LEN + payload_length
        self = cls.__new__(cls)
        self.version = 6
        self.traffic_class = (v_tc_flow >> 20) & 0xFF
        self.flow_label = v_tc_flow & 0xFFFFF
        self.payload_length = payload_length
        self.nxt = nxt
        self.hop_limit = hop_limit
        self.src = _inet_ntop(_AF_INET6, src)
        self.dst = _inet_ntop(_AF_INET6, dst)
        self._trailer = bytes(buf[end:]) if len(buf) > end else b""
        ext_hdrs = []
        ext_types = cls._IPV6_EXT_HEADER_TYPE
        off = _MIN_LEN
        last = nxt
        whole = True
        # A datagram cut short (packet-in truncated to miss_send_len) is decoded
        # as far as it goes: the slices below simply end early.
        while last in ext_types:
            try:
                hdr = ext_types[last].parser(buf[off:end])
            except PacketParseError as exc:
                raise PacketParseError(exc.reason, "ipv6") from exc
            ext_hdrs.append(hdr)
            off += len(hdr)
            last = hdr.nxt
            if type(hdr) is fragment and (hdr.offset or hdr.more):
                whole = False
        self.ext_hdrs = ext_hdrs
        return self, cls._TYPES.get(last) if whole else None, buf[off:end]

    def serialize(
        self, payload: bytearray, prev: packet_base.PacketBase | None
    ) -> bytes | bytearray:
        ext = b"".join(h.serialize() for h in self.ext_hdrs)
        hdr = _HDR.pack(
            (self.version << 28)
            | ((self.traffic_class & 0xFF) << 20)
            | (self.flow_label & 0xFFFFF),
            self.payload_length or len(ext) + len(payload),
            self.nxt,
            self.hop_limit,
            addrconv.ipv6.text_to_bin(self.src),
            addrconv.ipv6.text_to_bin(self.dst),
        )
        if self._trailer and isinstance(payload, bytearray):
            payload += self._trailer
        return hdr + ext

    def __len__(self) -> int:
        return _MIN_LEN + sum(len(h) for h in self.ext_hdrs)

    def final_destination(self) -> str:
        """The Destination Address an upper-layer checksum covers (RFC 8200 section 8.1).

        With a Routing header that still has segments left, the originator
        names the final destination in that header: the last address (types 0
        and 3; RFC 6554 fills the elided prefix from this header's
        destination), the Home Address (type 2) or Segment List[0] (type 4,
        RFC 8754 section 4.3).  Otherwise it is ``dst``.
        """
        for h in self.ext_hdrs:
            if isinstance(h, routing_type3) and h.seg and h.adrs:
                keep = 16 - h.cmpe
                last = addrconv.ipv6.text_to_bin(h.adrs[-1])[16 - keep :]
                return _inet_ntop(_AF_INET6, _addr_bin(self.dst)[: h.cmpe] + last)
            if isinstance(h, routing_generic) and h.seg and h.data and len(h.data) >= 20:
                if h.type_ == routing.ROUTING_TYPE_0:
                    n = (len(h.data) - 4) // 16
                    return _inet_ntop(_AF_INET6, h.data[4 + 16 * (n - 1) : 4 + 16 * n])
                if h.type_ in (routing.ROUTING_TYPE_2, routing.ROUTING_TYPE_4):
                    return _inet_ntop(_AF_INET6, h.data[4:20])
        return self.dst


for _cls in (hop_opts, dst_opts, routing, fragment, auth):
    ipv6.register_header_type(_cls.TYPE)(_cls)

ethernet.ethernet.register_packet_type(ipv6, ether_types.ETH_TYPE_IPV6)
ipv6.register_packet_type(ipv6, in_proto.IPPROTO_IPV6)
ipv6.register_packet_type(ipv4.ipv4, in_proto.IPPROTO_IPIP)
ipv4.ipv4.register_packet_type(ipv6, in_proto.IPPROTO_IPV6)
