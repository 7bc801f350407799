"""ICMPv6 (RFC 4443), Neighbor Discovery (RFC 4861) and MLD (RFC 2710, RFC 3810).

``icmpv6.data`` is a message object for the types below and raw bytes for any
other type:

* Echo Request/Reply (RFC 4443 section 4): :class:`echo`;
* Router Solicitation / Advertisement, Neighbor Solicitation / Advertisement
  (RFC 4861 section 4.1-4.4): :class:`nd_router_solicit`,
  :class:`nd_router_advert`, :class:`nd_neighbor`, with options (section 4.6)
  :class:`nd_option_sla`, :class:`nd_option_tla`, :class:`nd_option_pi`,
  :class:`nd_option_mtu`; an option of another type stays raw bytes;
* MLDv1 Query/Report/Done (RFC 2710 section 3): :class:`mld`; an MLDv2 Query
  (RFC 3810 section 5.1, a query of 28 octets or more) is
  :class:`mldv2_query`; MLDv2 Report (section 5.2): :class:`mldv2_report`
  holding :class:`mldv2_report_group` records.

As in Ryu, Neighbor and Router Solicitation messages hold one ``option``: a
link-layer address option whose ``data`` keeps any bytes after its first 8
(further options included), or raw bytes when the first option is of another
type.  Options in a Router Advertisement that do not decode cleanly stay raw
bytes in ``options``.  A body that the message class cannot give back byte for byte (a
reserved field that is not zero, a length field that disagrees with the data)
stays raw bytes, so decoding then encoding always reproduces the message.

The checksum covers the IPv6 pseudo-header (RFC 8200 section 8.1, RFC 4443
section 2.3) built from the ``ipv6`` header before this one, its destination
being :meth:`ipv6.ipv6.final_destination` (a routed packet's last hop); ``csum`` 0 is
computed when encoding.
"""

from __future__ import annotations

import socket
import struct
from typing import ClassVar

from ctrlapp.lib import addrconv
from ctrlapp.lib.packet import in_proto, ipv6, packet_base
from ctrlapp.lib.packet.checksum import checksum, pseudo_header
from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError, PacketTruncatedError
from ctrlapp.lib.stringify import StringifyMixin

ICMPV6_DST_UNREACH = 1
ICMPV6_PACKET_TOO_BIG = 2
ICMPV6_TIME_EXCEEDED = 3
ICMPV6_PARAM_PROB = 4
ICMPV6_ECHO_REQUEST = 128
ICMPV6_ECHO_REPLY = 129
MLD_LISTENER_QUERY = 130
MLD_LISTENER_REPOR = 131
MLD_LISTENER_DONE = 132
MLDV2_LISTENER_REPORT = 143
ICMPV6_MEMBERSHIP_QUERY = 130
ICMPV6_MEMBERSHIP_REPORT = 131
ICMPV6_MEMBERSHIP_REDUCTION = 132
ND_ROUTER_SOLICIT = 133
ND_ROUTER_ADVERT = 134
ND_NEIGHBOR_SOLICIT = 135
ND_NEIGHBOR_ADVERT = 136
ND_REDIREC = 137
ICMPV6_ROUTER_RENUMBERING = 138
ICMPV6_NI_QUERY = 139
ICMPV6_NI_REPLY = 140

ND_OPTION_SLA = 1
ND_OPTION_TLA = 2
ND_OPTION_PI = 3
ND_OPTION_RH = 4
ND_OPTION_MTU = 5

# MLDv2 multicast address record types (RFC 3810 section 5.2.12).
MODE_IS_INCLUDE = 1
MODE_IS_EXCLUDE = 2
CHANGE_TO_INCLUDE_MODE = 3
CHANGE_TO_EXCLUDE_MODE = 4
ALLOW_NEW_SOURCES = 5
BLOCK_OLD_SOURCES = 6

_HDR = struct.Struct("!BBH")
_ECHO = struct.Struct("!HH")
_NEIGHBOR = struct.Struct("!I16s")
_RS = struct.Struct("!I")
_RA = struct.Struct("!BBHII")
_OPT_LA = struct.Struct("!BB6s")
_OPT_PI = struct.Struct("!BBBBIII16s")
_OPT_MTU = struct.Struct("!BBHI")
_MLD = struct.Struct("!H2x16s")
_MLDV2_QUERY = struct.Struct("!H2x16sBBH")
_MLDV2_REPORT = struct.Struct("!2xH")
_MLDV2_GROUP = struct.Struct("!BBH16s")

_inet_ntop = socket.inet_ntop
_AF_INET6 = socket.AF_INET6


def _addr_text(buf, off: int) -> str:
    return _inet_ntop(_AF_INET6, bytes(buf[off : off + 16]))


def _addr_bin(text: str) -> bytes:
    return addrconv.ipv6.text_to_bin(text)


class _ICMPv6Payload(StringifyMixin):
    """Body of a known ICMPv6 type; ``parser(buf, offset)`` decodes it from ``buf[offset:]``.

    ``parser`` raises :class:`PacketParseError` for a body it cannot decode, and
    :class:`PacketFieldError` for one whose encoding would differ (bits no
    attribute holds); ``icmpv6`` then keeps the body raw.
    """

    __slots__ = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        raw = cls.__dict__.get("parser")
        if isinstance(raw, classmethod):
            cls.parser = classmethod(packet_base._guard_parser(cls, raw.__func__))

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> _ICMPv6Payload:
        raise NotImplementedError

    def serialize(self) -> bytes:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.serialize())


class icmpv6(packet_base.PacketBase):
    """ICMPv6 header.

    ========= ==============================================================
    Attribute Description
    ========= ==============================================================
    type_     Type
    code      Code
    csum      Checksum (0: compute when encoding)
    data      A message object (:class:`echo`, :class:`nd_neighbor`, ...)
              or raw bytes
    ========= ==============================================================
    """

    __slots__ = ("type_", "code", "csum", "data")
    _PACK_STR = "!BBH"
    _MIN_LEN = _HDR.size
    _ICMPV6_TYPES: ClassVar[dict[int, type]] = {}

    def __init__(self, type_: int = 0, code: int = 0, csum: int = 0, data=None):
        self.type_ = type_
        self.code = code
        self.csum = csum
        self.data = data

    @staticmethod
    def register_icmpv6_type(*args: int):
        """Decorator: decode the bodies of the given ICMPv6 types with the decorated class."""

        def _register(cls_: type) -> type:
            for type_ in args:
                icmpv6._ICMPV6_TYPES[type_] = cls_
            return cls_

        return _register

    @classmethod
    def parser(cls, buf: bytes) -> tuple[icmpv6, type | None, bytes]:
        if len(buf) < 4:
            raise PacketTruncatedError(f"need 4 bytes, have {len(buf)}", "icmpv6")
        type_, code, csum = _HDR.unpack_from(buf)
        data = bytes(buf[4:])
        body_cls = cls._ICMPV6_TYPES.get(type_)
        if body_cls is not None and data:
            if type_ == MLD_LISTENER_QUERY and len(data) >= _MLDV2_QUERY.size:
                body_cls = mldv2_query
            try:
                data = body_cls.parser(buf, 4)
            except PacketParseError:
                pass  # not decodable, or not re-encodable to the same bytes: stays raw
        return cls(type_, code, csum, data), None, b""

    def _body(self) -> bytes:
        data = self.data
        if data is None:
            return b""
        if isinstance(data, _ICMPv6Payload):
            return data.serialize()
        return bytes(data)

    def serialize(
        self, payload: bytearray, prev: packet_base.PacketBase | None
    ) -> bytes | bytearray:
        msg = bytearray(_HDR.pack(self.type_, self.code, self.csum))
        msg += self._body()
        if not self.csum:
            if isinstance(prev, ipv6.ipv6):
                ph = pseudo_header(prev, len(msg) + len(payload), in_proto.IPPROTO_ICMPV6)
            else:
                ph = b""  # no IPv6 header to take the pseudo-header from
            struct.pack_into("!H", msg, 2, checksum(ph + msg + bytes(payload)))
        return msg

    def checksum_ok(self, buf: bytes, prev: packet_base.PacketBase | None) -> bool | None:
        if not isinstance(prev, ipv6.ipv6):
            return None
        length = len(self)
        if prev.payload_length - sum(len(h) for h in prev.ext_hdrs) > length:
            return None  # the datagram was cut short: the sum covers bytes we do not have
        return (
            checksum(pseudo_header(prev, length, in_proto.IPPROTO_ICMPV6) + bytes(buf[:length]))
            == 0
        )

    def __len__(self) -> int:
        return 4 + len(self._body())


@icmpv6.register_icmpv6_type(ICMPV6_ECHO_REQUEST, ICMPV6_ECHO_REPLY)
class echo(_ICMPv6Payload):
    """Echo Request/Reply body (RFC 4443 section 4.1, 4.2): ``id``, ``seq``, ``data``."""

    __slots__ = ("id", "seq", "data")

    def __init__(self, id_: int = 0, seq: int = 0, data: bytes | None = None):
        self.id = id_
        self.seq = seq
        self.data = data

    @classmethod
    def parser(cls, buf, offset):
        id_, seq = _ECHO.unpack_from(buf, offset)
        return cls(id_, seq, bytes(buf[offset + 4 :]) or None)

    def serialize(self) -> bytes:
        return _ECHO.pack(self.id, self.seq) + bytes(self.data or b"")


# -- Neighbor Discovery options (RFC 4861 section 4.6) ----------------------


class nd_option(StringifyMixin):
    """A Neighbor Discovery option; ``length`` is in 8-octet units, 0 to compute."""

    __slots__ = ("length",)
    _TYPE_CODE: ClassVar[int] = -1
    _MIN_LEN: ClassVar[int] = 8

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        raw = cls.__dict__.get("parser")
        if isinstance(raw, classmethod):
            cls.parser = classmethod(packet_base._guard_parser(cls, raw.__func__))

    @classmethod
    def option_type(cls) -> int:
        return cls._TYPE_CODE

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> nd_option:
        raise NotImplementedError

    def serialize(self) -> bytes:
        raise NotImplementedError

    def __len__(self) -> int:
        return len(self.serialize())


def _with_length(fixed: bytes, extra: bytes, length: int) -> bytes:
    """An option's bytes: fixed part and extra data, zero-padded to 8 octets or to ``length``."""
    body = fixed + extra
    size = max((len(body) + 7) // 8, length)
    body = body.ljust(size * 8, b"\x00")
    return body[:1] + bytes((length or size,)) + body[2:]


class nd_option_la(nd_option):
    """Source/Target Link-layer Address option (RFC 4861 section 4.6.1).

    ``hw_src`` is the (Ethernet) address; ``data`` any bytes after the first 8.
    """

    __slots__ = ("hw_src", "data")
    _TYPE = {"ascii": ["hw_src"]}

    def __init__(self, length: int, hw_src: str, data: bytes | None):
        self.length = length
        self.hw_src = hw_src
        self.data = data

    @classmethod
    def parser(cls, buf, offset):
        _, length, hw_src = _OPT_LA.unpack_from(buf, offset)
        size = len(buf) - offset
        if size % 8 or not length or length * 8 > size:
            raise PacketFieldError("option not in whole 8-octet units", cls.__name__)
        return cls(length, hw_src.hex(":"), bytes(buf[offset + 8 :]) or None)

    def serialize(self) -> bytes:
        fixed = _OPT_LA.pack(self._TYPE_CODE, 0, addrconv.mac.text_to_bin(self.hw_src))
        return _with_length(fixed, bytes(self.data or b""), self.length)


class nd_option_sla(nd_option_la):
    """Source Link-layer Address option."""

    __slots__ = ()
    _TYPE_CODE = ND_OPTION_SLA

    def __init__(
        self, length: int = 0, hw_src: str = "00:00:00:00:00:00", data: bytes | None = None
    ):
        super().__init__(length, hw_src, data)


class nd_option_tla(nd_option_la):
    """Target Link-layer Address option."""

    __slots__ = ()
    _TYPE_CODE = ND_OPTION_TLA

    def __init__(
        self, length: int = 0, hw_src: str = "00:00:00:00:00:00", data: bytes | None = None
    ):
        super().__init__(length, hw_src, data)


class nd_option_pi(nd_option):
    """Prefix Information option (RFC 4861 section 4.6.2).

    ``pl`` Prefix Length, ``res1`` the L/A/R flags (3 bits; R is RFC 6275's),
    ``val_l`` Valid Lifetime, ``pre_l`` Preferred Lifetime, ``res2`` Reserved2,
    ``prefix`` the prefix as text.
    """

    __slots__ = ("pl", "res1", "val_l", "pre_l", "res2", "prefix")
    _TYPE = {"ascii": ["prefix"]}
    _TYPE_CODE = ND_OPTION_PI
    _MIN_LEN = _OPT_PI.size

    def __init__(
        self,
        length: int = 0,
        pl: int = 0,
        res1: int = 0,
        val_l: int = 0,
        pre_l: int = 0,
        res2: int = 0,
        prefix: str = "::",
    ):
        self.length = length
        self.pl = pl
        self.res1 = res1
        self.val_l = val_l
        self.pre_l = pre_l
        self.res2 = res2
        self.prefix = prefix

    @classmethod
    def parser(cls, buf, offset):
        _, length, pl, res1, val_l, pre_l, res2, prefix = _OPT_PI.unpack_from(buf, offset)
        if length != 4 or res1 & 0x1F or len(buf) - offset != 32:
            raise PacketFieldError("not a plain 32-byte prefix option", "nd_option_pi")
        return cls(length, pl, res1 >> 5, val_l, pre_l, res2, _inet_ntop(_AF_INET6, prefix))

    def serialize(self) -> bytes:
        fixed = _OPT_PI.pack(
            ND_OPTION_PI,
            0,
            self.pl,
            (self.res1 & 7) << 5,
            self.val_l,
            self.pre_l,
            self.res2,
            _addr_bin(self.prefix),
        )
        return _with_length(fixed, b"", self.length)


class nd_option_mtu(nd_option):
    """MTU option (RFC 4861 section 4.6.4)."""

    __slots__ = ("res", "mtu")
    _TYPE_CODE = ND_OPTION_MTU

    def __init__(self, length: int = 0, res: int = 0, mtu: int = 1500):
        self.length = length
        self.res = res
        self.mtu = mtu

    @classmethod
    def parser(cls, buf, offset):
        _, length, res, mtu = _OPT_MTU.unpack_from(buf, offset)
        if length != 1 or len(buf) - offset != 8:
            raise PacketFieldError("not an 8-byte MTU option", "nd_option_mtu")
        return cls(length, res, mtu)

    def serialize(self) -> bytes:
        return _with_length(_OPT_MTU.pack(ND_OPTION_MTU, 0, self.res, self.mtu), b"", self.length)


_ND_OPTIONS: dict[int, type] = {
    c._TYPE_CODE: c for c in (nd_option_sla, nd_option_tla, nd_option_pi, nd_option_mtu)
}


def _parse_options(buf, off: int) -> list:
    """Every option from ``off`` to the end, each bounded by its Length (RFC 4861 section 4.6)."""
    options = []
    end = len(buf)
    while off < end:
        if off + 2 > end:
            raise PacketTruncatedError("option without its length byte", "icmpv6")
        type_, length = buf[off], buf[off + 1]
        if length == 0:
            raise PacketFieldError("option of length 0 (RFC 4861 section 4.6)", "icmpv6")
        stop = off + length * 8
        if stop > end:
            raise PacketTruncatedError(f"option of {length * 8} bytes overruns", "icmpv6")
        chunk = bytes(buf[off:stop])
        opt_cls = _ND_OPTIONS.get(type_)
        opt = chunk
        if opt_cls is not None and len(chunk) >= opt_cls._MIN_LEN:
            try:
                opt = opt_cls.parser(chunk, 0)
            except PacketParseError:
                pass  # bits the option object cannot hold: kept raw
        options.append(opt)
        off = stop
    return options


def _parse_first_option(buf, off: int):
    """Ryu's single ``option``: a link-layer address option or the raw options."""
    if off >= len(buf):
        return None
    if len(buf) - off >= 8 and buf[off] in (ND_OPTION_SLA, ND_OPTION_TLA):
        try:
            return _ND_OPTIONS[buf[off]].parser(buf, off)
        except PacketParseError:
            pass
    return bytes(buf[off:])


def _option_bytes(option) -> bytes:
    if option is None:
        return b""
    if isinstance(option, nd_option):
        return option.serialize()
    return bytes(option)


# -- Neighbor Discovery messages (RFC 4861 section 4) -------------------------


@icmpv6.register_icmpv6_type(ND_NEIGHBOR_SOLICIT, ND_NEIGHBOR_ADVERT)
class nd_neighbor(_ICMPv6Payload):
    """Neighbor Solicitation / Advertisement (RFC 4861 sections 4.3, 4.4).

    ``res`` holds the R, S, O flags (3 bits, R the highest), ``dst`` the
    Target Address, ``option`` one option object or raw option bytes.
    """

    __slots__ = ("res", "dst", "option")
    _TYPE = {"ascii": ["dst"]}

    def __init__(self, res: int = 0, dst: str = "::", option=None):
        self.res = res
        self.dst = dst
        self.option = option

    @classmethod
    def parser(cls, buf, offset):
        res, dst = _NEIGHBOR.unpack_from(buf, offset)
        if res & 0x1FFFFFFF:
            raise PacketFieldError("reserved bits set", "nd_neighbor")
        option = _parse_first_option(buf, offset + _NEIGHBOR.size)
        return cls(res >> 29, _inet_ntop(_AF_INET6, dst), option)

    def serialize(self) -> bytes:
        return _NEIGHBOR.pack((self.res & 7) << 29, _addr_bin(self.dst)) + _option_bytes(
            self.option
        )


@icmpv6.register_icmpv6_type(ND_ROUTER_SOLICIT)
class nd_router_solicit(_ICMPv6Payload):
    """Router Solicitation (RFC 4861 section 4.1): ``res`` Reserved, ``option``."""

    __slots__ = ("res", "option")

    def __init__(self, res: int = 0, option=None):
        self.res = res
        self.option = option

    @classmethod
    def parser(cls, buf, offset):
        (res,) = _RS.unpack_from(buf, offset)
        return cls(res, _parse_first_option(buf, offset + 4))

    def serialize(self) -> bytes:
        return _RS.pack(self.res) + _option_bytes(self.option)


@icmpv6.register_icmpv6_type(ND_ROUTER_ADVERT)
class nd_router_advert(_ICMPv6Payload):
    """Router Advertisement (RFC 4861 section 4.2).

    ``ch_l`` Cur Hop Limit, ``res`` the M and O flags (2 bits, M the
    highest), ``rou_l`` Router Lifetime, ``rea_t`` Reachable Time, ``ret_t``
    Retrans Timer, ``options`` a list of option objects and raw options.
    ``flags`` holds the six bits after M and O (H of RFC 3775, Prf of RFC
    4191, P of RFC 4389 ...), which Ryu's ``res`` leaves out.
    """

    __slots__ = ("ch_l", "res", "rou_l", "rea_t", "ret_t", "options", "flags")

    def __init__(
        self,
        ch_l: int = 0,
        res: int = 0,
        rou_l: int = 0,
        rea_t: int = 0,
        ret_t: int = 0,
        options: list | None = None,
        flags: int = 0,
    ):
        self.ch_l = ch_l
        self.res = res
        self.rou_l = rou_l
        self.rea_t = rea_t
        self.ret_t = ret_t
        self.options = options if options is not None else []
        self.flags = flags

    @classmethod
    def parser(cls, buf, offset):
        ch_l, res, rou_l, rea_t, ret_t = _RA.unpack_from(buf, offset)
        options = _parse_options(buf, offset + _RA.size)
        return cls(ch_l, res >> 6, rou_l, rea_t, ret_t, options, res & 0x3F)

    def serialize(self) -> bytes:
        res = ((self.res & 3) << 6) | (self.flags & 0x3F)
        return _RA.pack(self.ch_l, res, self.rou_l, self.rea_t, self.ret_t) + b"".join(
            _option_bytes(o) for o in self.options
        )


# -- MLD (RFC 2710, RFC 3810) ---------------------------------------------------


@icmpv6.register_icmpv6_type(MLD_LISTENER_QUERY, MLD_LISTENER_REPOR, MLD_LISTENER_DONE)
class mld(_ICMPv6Payload):
    """MLDv1 message (RFC 2710 section 3): Maximum Response Delay and Multicast Address."""

    __slots__ = ("maxresp", "address")
    _TYPE = {"ascii": ["address"]}

    def __init__(self, maxresp: int = 0, address: str = "::"):
        self.maxresp = maxresp
        self.address = address

    @classmethod
    def parser(cls, buf, offset):
        maxresp, address = _MLD.unpack_from(buf, offset)
        if len(buf) - offset != _MLD.size or buf[offset + 2] or buf[offset + 3]:
            raise PacketFieldError("not a plain 20-byte MLDv1 body", "mld")
        return cls(maxresp, _inet_ntop(_AF_INET6, address))

    def serialize(self) -> bytes:
        return _MLD.pack(self.maxresp, _addr_bin(self.address))


class mldv2_query(mld):
    """MLDv2 Query (RFC 3810 section 5.1).

    ``s_flg`` Suppress Router-Side Processing, ``qrv`` Querier's Robustness
    Variable, ``qqic`` Querier's Query Interval Code, ``num`` Number of
    Sources (0: count ``srcs``), ``srcs`` the source addresses.
    """

    __slots__ = ("s_flg", "qrv", "qqic", "num", "srcs")
    _TYPE = {"ascii": ["address", "srcs"]}

    def __init__(
        self,
        maxresp: int = 0,
        address: str = "::",
        s_flg: int = 0,
        qrv: int = 2,
        qqic: int = 0,
        num: int = 0,
        srcs: list[str] | None = None,
    ):
        super().__init__(maxresp, address)
        self.s_flg = s_flg
        self.qrv = qrv
        self.qqic = qqic
        self.num = num
        self.srcs = srcs if srcs is not None else []

    @classmethod
    def parser(cls, buf, offset):
        maxresp, address, s_qrv, qqic, num = _MLDV2_QUERY.unpack_from(buf, offset)
        off = offset + _MLDV2_QUERY.size
        if len(buf) < off + 16 * num:
            raise PacketTruncatedError(f"{num} sources do not fit", "mldv2_query")
        if len(buf) != off + 16 * num or buf[offset + 2] or buf[offset + 3] or s_qrv >> 4:
            raise PacketFieldError("reserved bits set or bytes after the sources", "mldv2_query")
        srcs = [_addr_text(buf, off + 16 * i) for i in range(num)]
        return cls(
            maxresp, _inet_ntop(_AF_INET6, address), (s_qrv >> 3) & 1, s_qrv & 7, qqic, num, srcs
        )

    def serialize(self) -> bytes:
        return _MLDV2_QUERY.pack(
            self.maxresp,
            _addr_bin(self.address),
            ((self.s_flg & 1) << 3) | (self.qrv & 7),
            self.qqic,
            self.num or len(self.srcs),
        ) + b"".join(_addr_bin(s) for s in self.srcs)


class mldv2_report_group(StringifyMixin):
    """Multicast Address Record of an MLDv2 Report (RFC 3810 section 5.2.4).

    ``type_`` Record Type, ``aux_len`` Aux Data Len in 32-bit words (0:
    compute from ``aux``), ``num`` Number of Sources (0: count ``srcs``),
    ``address`` Multicast Address, ``srcs`` sources, ``aux`` Auxiliary Data.
    """

    __slots__ = ("type_", "aux_len", "num", "address", "srcs", "aux")
    _TYPE = {"ascii": ["address", "srcs"]}

    def __init__(
        self,
        type_: int = 0,
        aux_len: int = 0,
        num: int = 0,
        address: str = "::",
        srcs: list[str] | None = None,
        aux: bytes | None = None,
    ):
        self.type_ = type_
        self.aux_len = aux_len
        self.num = num
        self.address = address
        self.srcs = srcs if srcs is not None else []
        self.aux = aux

    @classmethod
    def parser(cls, buf, offset: int = 0) -> mldv2_report_group:
        if len(buf) < offset + _MLDV2_GROUP.size:
            raise PacketTruncatedError("record under 20 bytes", "mldv2_report_group")
        type_, aux_len, num, address = _MLDV2_GROUP.unpack_from(buf, offset)
        off = offset + _MLDV2_GROUP.size
        end = off + 16 * num + 4 * aux_len
        if len(buf) < end:
            raise PacketTruncatedError(f"record of {end - offset} bytes overruns", "mldv2_report")
        srcs = [_addr_text(buf, off + 16 * i) for i in range(num)]
        aux = bytes(buf[off + 16 * num : end]) or None
        return cls(type_, aux_len, num, _inet_ntop(_AF_INET6, address), srcs, aux)

    def serialize(self) -> bytes:
        aux = bytes(self.aux or b"")
        aux_len = self.aux_len or (len(aux) + 3) // 4
        return (
            _MLDV2_GROUP.pack(
                self.type_, aux_len, self.num or len(self.srcs), _addr_bin(self.address)
            )
            + b"".join(_addr_bin(s) for s in self.srcs)
            + aux[: 4 * aux_len].ljust(4 * aux_len, b"\x00")
        )

    def __len__(self) -> int:
        return len(self.serialize())


@icmpv6.register_icmpv6_type(MLDV2_LISTENER_REPORT)
class mldv2_report(_ICMPv6Payload):
    """MLDv2 Report (RFC 3810 section 5.2): ``record_num`` (0: count), ``records``."""

    __slots__ = ("record_num", "records")

    def __init__(self, record_num: int = 0, records: list[mldv2_report_group] | None = None):
        self.record_num = record_num
        self.records = records if records is not None else []

    @classmethod
    def parser(cls, buf, offset):
        (record_num,) = _MLDV2_REPORT.unpack_from(buf, offset)
        off = offset + _MLDV2_REPORT.size
        records = []
        for _ in range(record_num):
            rec = mldv2_report_group.parser(buf, off)
            records.append(rec)
            off += 20 + 16 * rec.num + 4 * rec.aux_len
        if off != len(buf) or buf[offset] or buf[offset + 1]:
            raise PacketFieldError("reserved bits set or bytes after the records", "mldv2_report")
        return cls(record_num, records)

    def serialize(self) -> bytes:
        return _MLDV2_REPORT.pack(self.record_num or len(self.records)) + b"".join(
            r.serialize() for r in self.records
        )


ipv6.ipv6.register_packet_type(icmpv6, in_proto.IPPROTO_ICMPV6)
