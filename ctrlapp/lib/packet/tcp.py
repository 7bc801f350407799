"""TCP header (RFC 9293 section 3.1) and TCP options.

Options (RFC 9293 §3.2 and the option registry): end of option list and
no-operation (RFC 9293), maximum segment size (RFC 9293 §3.7.1), window scale and
timestamps (RFC 7323 §2.2, §3.2), SACK-permitted and SACK (RFC 2018 §2, §3),
echo and echo reply (RFC 1072 §4), partial order connection permitted and
service profile (RFC 1693 §4), CC, CC.NEW and CC.ECHO (RFC 1644 §3.1),
alternate checksum request and data (RFC 1146 §1, §2), MD5 signature
(RFC 2385 §3.0), quick-start response (RFC 4782 §4.2), user timeout (RFC 5482
§2), TCP-AO (RFC 5925 §2.2) and fast open cookie (RFC 7413 §4.1.1).  Multipath
TCP options (kind 30) live in :mod:`ctrlapp.lib.packet.mptcp`, which plugs into
the option table here.

An option whose length does not fit its kind, or whose reserved bits are set,
is kept as :class:`TCPOptionUnknown` with its bytes; bytes that cannot even be
split into options (a length running past the header) stay raw ``bytes`` at the
end of ``option``.  Either way a decoded header re-encodes to the same bytes.

``offset`` 0 is computed (options zero-padded to a multiple of 4 bytes) and
``csum`` 0 is computed over the IPv4 or IPv6 pseudo-header.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any, ClassVar

from ctrlapp.lib.packet import in_proto, ipv4, ipv6, packet_base
from ctrlapp.lib.packet.checksum import checksum, fold, ipv4_pair, pseudo_header, pseudo_sum
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError
from ctrlapp.lib.stringify import StringifyMixin

TCP_FIN = 0x001
TCP_SYN = 0x002
TCP_RST = 0x004
TCP_PSH = 0x008
TCP_ACK = 0x010
TCP_URG = 0x020
TCP_ECE = 0x040
TCP_CWR = 0x080
TCP_NS = 0x100

TCP_OPTION_KIND_END_OF_OPTION_LIST = 0
TCP_OPTION_KIND_NO_OPERATION = 1
TCP_OPTION_KIND_MAXIMUM_SEGMENT_SIZE = 2
TCP_OPTION_KIND_WINDOW_SCALE = 3
TCP_OPTION_KIND_SACK_PERMITTED = 4
TCP_OPTION_KIND_SACK = 5
TCP_OPTION_KIND_ECHO = 6
TCP_OPTION_KIND_ECHO_REPLY = 7
TCP_OPTION_KIND_TIMESTAMPS = 8
TCP_OPTION_KIND_PARTIAL_ORDER_CONNECTION_PERMITTED = 9
TCP_OPTION_KIND_PARTIAL_ORDER_SERVICE_PROFILE = 10
TCP_OPTION_KIND_CC = 11
TCP_OPTION_KIND_CC_NEW = 12
TCP_OPTION_KIND_CC_ECHO = 13
TCP_OPTION_KIND_ALTERNATE_CHECKSUM_REQUEST = 14
TCP_OPTION_KIND_ALTERNATE_CHECKSUM_DATA = 15
TCP_OPTION_KIND_MD5_SIGNATURE = 19
TCP_OPTION_KIND_QUICK_START_RESPONSE = 27
TCP_OPTION_KIND_USER_TIMEOUT = 28
TCP_OPTION_KIND_AUTHENTICATION = 29
TCP_OPTION_KIND_MULTIPATH = 30
TCP_OPTION_KIND_FAST_OPEN_COOKIE = 34

_HDR = struct.Struct("!HHIIHHHH")
_KL = struct.Struct("!BB")
_MSS = struct.Struct("!BBH")
_TIMESTAMPS = struct.Struct("!BBII")
_CSUM = struct.Struct("!H")


class TCPOption(StringifyMixin):
    """A TCP option; ``kind`` and ``length`` are those of its wire form.

    Subclasses list their fields in ``_ARGS`` (with ``_DEFAULTS`` for the
    trailing ones) and either give ``_STRUCT``, the whole option as a fixed
    struct starting with kind and length, or override ``_decode`` and
    ``serialize``.  Constructors take the fields positionally or by name, as
    Ryu's do; ``kind`` and ``length`` arguments are accepted and ignored since
    both follow from the class and the fields.
    """

    __slots__ = ()
    kind: ClassVar[int] = -1
    _ARGS: ClassVar[tuple[str, ...]] = ()
    _DEFAULTS: ClassVar[tuple[Any, ...]] = ()
    _STRUCT: ClassVar[struct.Struct | None] = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.pop("kind", None)
        kwargs.pop("length", None)
        names = self._ARGS
        if len(args) > len(names) or not set(kwargs) <= set(names):
            raise TypeError(f"{type(self).__name__} takes {names}")
        values = dict(zip(names[len(names) - len(self._DEFAULTS) :], self._DEFAULTS, strict=True))
        values.update(zip(names, args, strict=False))
        values.update(kwargs)
        missing = [n for n in names if n not in values]
        if missing:
            raise TypeError(f"{type(self).__name__} missing {missing}")
        for name in names:
            setattr(self, name, values[name])

    def stringify_attrs(self) -> list[tuple[str, Any]]:
        return [("kind", self.kind), ("length", self.length)] + [
            (n, getattr(self, n)) for n in self._ARGS
        ]

    @property
    def length(self) -> int:
        return len(self.serialize())

    @classmethod
    def _decode(cls, buf, off: int, length: int) -> TCPOption | None:
        """The option of ``length`` bytes at ``buf[off:]``, or ``None`` if it is malformed."""
        st = cls._STRUCT
        if st is None or length != st.size:
            return None
        self = cls.__new__(cls)
        for name, value in zip(cls._ARGS, st.unpack_from(buf, off)[2:], strict=True):
            setattr(self, name, value)
        return self

    def serialize(self) -> bytes:
        st = self._STRUCT
        return st.pack(self.kind, st.size, *[getattr(self, n) for n in self._ARGS])

    @classmethod
    def parse(cls, buf) -> tuple[TCPOption, bytes]:
        """Decode the option at the start of ``buf`` (Ryu's interface); return it and the rest."""
        if not buf:
            raise PacketTruncatedError("no option in an empty buffer", "tcp")
        opt = _parse_options(buf, 0, len(buf))[0]
        if isinstance(opt, (bytes, bytearray)):
            raise PacketTruncatedError("option length runs past the buffer", "tcp")
        return opt, buf[len(opt.serialize()) :]


class _SingleByteOption(TCPOption):
    __slots__ = ()
    _WIRE: ClassVar[bytes] = b""

    def __init__(self, kind: int | None = None, length: int | None = None) -> None:
        pass

    def serialize(self) -> bytes:
        return self._WIRE


class TCPOptionEndOfOptionList(_SingleByteOption):
    """End of option list (kind 0); also what pads the options to a 4-byte boundary."""

    __slots__ = ()
    kind = TCP_OPTION_KIND_END_OF_OPTION_LIST
    _WIRE = b"\x00"


class TCPOptionNoOperation(_SingleByteOption):
    """No-operation (kind 1), used to align the following option."""

    __slots__ = ()
    kind = TCP_OPTION_KIND_NO_OPERATION
    _WIRE = b"\x01"


class TCPOptionMaximumSegmentSize(TCPOption):
    """Maximum segment size (kind 2, RFC 9293 §3.7.1)."""

    __slots__ = ("max_seg_size",)
    kind = TCP_OPTION_KIND_MAXIMUM_SEGMENT_SIZE
    _ARGS = ("max_seg_size",)
    _STRUCT = struct.Struct("!BBH")

    def __init__(self, max_seg_size: int, kind: int | None = None, length: int | None = None):
        self.max_seg_size = max_seg_size

    def serialize(self) -> bytes:
        return _MSS.pack(2, 4, self.max_seg_size)

    @classmethod
    def _decode(cls, buf, off, length):
        if length != 4:
            return None
        self = cls.__new__(cls)
        self.max_seg_size = buf[off + 2] << 8 | buf[off + 3]
        return self


class TCPOptionWindowScale(TCPOption):
    """Window scale (kind 3, RFC 7323 §2.2)."""

    __slots__ = ("shift_cnt",)
    kind = TCP_OPTION_KIND_WINDOW_SCALE
    _ARGS = ("shift_cnt",)
    _STRUCT = struct.Struct("!BBB")

    def __init__(self, shift_cnt: int, kind: int | None = None, length: int | None = None):
        self.shift_cnt = shift_cnt

    def serialize(self) -> bytes:
        return bytes((3, 3, self.shift_cnt))

    @classmethod
    def _decode(cls, buf, off, length):
        if length != 3:
            return None
        self = cls.__new__(cls)
        self.shift_cnt = buf[off + 2]
        return self


class TCPOptionSACKPermitted(TCPOption):
    """SACK-permitted (kind 4, RFC 2018 §2)."""

    __slots__ = ()
    kind = TCP_OPTION_KIND_SACK_PERMITTED
    _STRUCT = struct.Struct("!BB")

    def __init__(self, kind: int | None = None, length: int | None = None) -> None:
        pass

    def serialize(self) -> bytes:
        return b"\x04\x02"

    @classmethod
    def _decode(cls, buf, off, length):
        return cls.__new__(cls) if length == 2 else None


class TCPOptionSACK(TCPOption):
    """SACK (kind 5, RFC 2018 §3): ``blocks`` is a list of (left edge, right edge)."""

    __slots__ = ("blocks",)
    kind = TCP_OPTION_KIND_SACK
    _ARGS = ("blocks",)

    def __init__(
        self, blocks: list[tuple[int, int]], kind: int | None = None, length: int | None = None
    ) -> None:
        self.blocks = [tuple(b) for b in blocks]

    @classmethod
    def _decode(cls, buf, off, length):
        if length < 10 or (length - 2) % 8:
            return None
        self = cls.__new__(cls)
        self.blocks = [
            tuple(_SACK_BLOCK.unpack_from(buf, p)) for p in range(off + 2, off + length, 8)
        ]
        return self

    def serialize(self) -> bytes:
        return _KL.pack(self.kind, 2 + 8 * len(self.blocks)) + b"".join(
            _SACK_BLOCK.pack(left, right) for left, right in self.blocks
        )


_SACK_BLOCK = struct.Struct("!II")


class TCPOptionEcho(TCPOption):
    """Echo (kind 6, RFC 1072 §4.1; obsoleted by timestamps)."""

    __slots__ = ("info",)
    kind = TCP_OPTION_KIND_ECHO
    _ARGS = ("info",)
    _STRUCT = struct.Struct("!BBI")


class TCPOptionEchoReply(TCPOption):
    """Echo reply (kind 7, RFC 1072 §4.2)."""

    __slots__ = ("info",)
    kind = TCP_OPTION_KIND_ECHO_REPLY
    _ARGS = ("info",)
    _STRUCT = struct.Struct("!BBI")


class TCPOptionTimestamps(TCPOption):
    """Timestamps (kind 8, RFC 7323 §3.2)."""

    __slots__ = ("ts_val", "ts_ecr")
    kind = TCP_OPTION_KIND_TIMESTAMPS
    _ARGS = ("ts_val", "ts_ecr")
    _STRUCT = struct.Struct("!BBII")
    _VALUES = struct.Struct("!II")

    def __init__(
        self, ts_val: int, ts_ecr: int, kind: int | None = None, length: int | None = None
    ) -> None:
        self.ts_val = ts_val
        self.ts_ecr = ts_ecr

    def serialize(self) -> bytes:
        return _TIMESTAMPS.pack(8, 10, self.ts_val, self.ts_ecr)

    @classmethod
    def _decode(cls, buf, off, length):
        if length != 10:
            return None
        self = cls.__new__(cls)
        self.ts_val, self.ts_ecr = cls._VALUES.unpack_from(buf, off + 2)
        return self


class TCPOptionPartialOrderConnectionPermitted(TCPOption):
    """Partial order connection permitted (kind 9, RFC 1693 §4)."""

    __slots__ = ()
    kind = TCP_OPTION_KIND_PARTIAL_ORDER_CONNECTION_PERMITTED
    _STRUCT = struct.Struct("!BB")


class TCPOptionPartialOrderServiceProfile(TCPOption):
    """Partial order service profile (kind 10, RFC 1693 §4): start and end flags."""

    __slots__ = ("start_flag", "end_flag")
    kind = TCP_OPTION_KIND_PARTIAL_ORDER_SERVICE_PROFILE
    _ARGS = ("start_flag", "end_flag")

    @classmethod
    def _decode(cls, buf, off, length):
        b = buf[off + 2] if length == 3 else 0xFF
        if b & 0x3F:
            return None
        return cls(bool(b & 0x80), bool(b & 0x40))

    def serialize(self) -> bytes:
        return bytes(
            (self.kind, 3, (0x80 if self.start_flag else 0) | (0x40 if self.end_flag else 0))
        )


class TCPOptionConnectionCount(TCPOption):
    """CC (kind 11, RFC 1644 §3.1)."""

    __slots__ = ("cc",)
    kind = TCP_OPTION_KIND_CC
    _ARGS = ("cc",)
    _STRUCT = struct.Struct("!BBI")


class TCPOptionConnectionCountNew(TCPOption):
    """CC.NEW (kind 12, RFC 1644 §3.1)."""

    __slots__ = ("cc",)
    kind = TCP_OPTION_KIND_CC_NEW
    _ARGS = ("cc",)
    _STRUCT = struct.Struct("!BBI")


class TCPOptionConnectionCountEcho(TCPOption):
    """CC.ECHO (kind 13, RFC 1644 §3.1)."""

    __slots__ = ("cc",)
    kind = TCP_OPTION_KIND_CC_ECHO
    _ARGS = ("cc",)
    _STRUCT = struct.Struct("!BBI")


class TCPOptionAlternateChecksumRequest(TCPOption):
    """Alternate checksum request (kind 14, RFC 1146 §1): 0 TCP, 1 Fletcher 8-bit, 2 Fletcher 16-bit."""

    __slots__ = ("algorithm",)
    kind = TCP_OPTION_KIND_ALTERNATE_CHECKSUM_REQUEST
    _ARGS = ("algorithm",)
    _STRUCT = struct.Struct("!BBB")


class _BytesOption(TCPOption):
    """An option whose data is one byte string, of any length in ``_DATA_LENGTHS``."""

    __slots__ = ()
    _DATA_LENGTHS: ClassVar[range | tuple[int, ...]] = range(0, 254)

    @classmethod
    def _decode(cls, buf, off, length):
        if length - 2 not in cls._DATA_LENGTHS:
            return None
        self = cls.__new__(cls)
        setattr(self, cls._ARGS[0], bytes(buf[off + 2 : off + length]))
        return self

    def serialize(self) -> bytes:
        data = bytes(getattr(self, self._ARGS[0]))
        return _KL.pack(self.kind, 2 + len(data)) + data


class TCPOptionAlternateChecksumData(_BytesOption):
    """Alternate checksum data (kind 15, RFC 1146 §2)."""

    __slots__ = ("data",)
    kind = TCP_OPTION_KIND_ALTERNATE_CHECKSUM_DATA
    _ARGS = ("data",)


class TCPOptionMD5Signature(_BytesOption):
    """TCP MD5 signature (kind 19, RFC 2385 §3.0): a 16-byte digest."""

    __slots__ = ("digest",)
    kind = TCP_OPTION_KIND_MD5_SIGNATURE
    _ARGS = ("digest",)
    _DATA_LENGTHS = (16,)


class TCPOptionFastOpenCookie(_BytesOption):
    """TCP Fast Open cookie (kind 34, RFC 7413 §4.1.1); an empty cookie is a cookie request."""

    __slots__ = ("cookie",)
    kind = TCP_OPTION_KIND_FAST_OPEN_COOKIE
    _ARGS = ("cookie",)
    _DEFAULTS = (b"",)
    _DATA_LENGTHS = (0, *range(4, 17))


class TCPOptionQuickStartResponse(TCPOption):
    """Quick-Start response (kind 27, RFC 4782 §4.2).

    ``rate_request`` is the 4-bit rate, ``ttl_diff`` the TTL difference and
    ``qs_nonce`` the 30-bit nonce.
    """

    __slots__ = ("rate_request", "ttl_diff", "qs_nonce")
    kind = TCP_OPTION_KIND_QUICK_START_RESPONSE
    _ARGS = ("rate_request", "ttl_diff", "qs_nonce")
    _WIRE = struct.Struct("!BBBBI")

    @classmethod
    def _decode(cls, buf, off, length):
        if length != 8:
            return None
        _, _, rate, ttl_diff, nonce = cls._WIRE.unpack_from(buf, off)
        if rate & 0xF0 or nonce & 3:
            return None
        return cls(rate, ttl_diff, nonce >> 2)

    def serialize(self) -> bytes:
        return self._WIRE.pack(self.kind, 8, self.rate_request, self.ttl_diff, self.qs_nonce << 2)


class TCPOptionUserTimeout(TCPOption):
    """User timeout (kind 28, RFC 5482 §2): ``granularity`` 1 = minutes, 0 = seconds."""

    __slots__ = ("granularity", "user_timeout")
    kind = TCP_OPTION_KIND_USER_TIMEOUT
    _ARGS = ("granularity", "user_timeout")
    _WIRE = struct.Struct("!BBH")

    @classmethod
    def _decode(cls, buf, off, length):
        if length != 4:
            return None
        value = cls._WIRE.unpack_from(buf, off)[2]
        return cls(value >> 15, value & 0x7FFF)

    def serialize(self) -> bytes:
        return self._WIRE.pack(self.kind, 4, self.granularity << 15 | self.user_timeout)


class TCPOptionAuthentication(TCPOption):
    """TCP Authentication Option (kind 29, RFC 5925 §2.2)."""

    __slots__ = ("key_id", "r_next_key_id", "mac")
    kind = TCP_OPTION_KIND_AUTHENTICATION
    _ARGS = ("key_id", "r_next_key_id", "mac")

    @classmethod
    def _decode(cls, buf, off, length):
        if length < 4:
            return None
        return cls(buf[off + 2], buf[off + 3], bytes(buf[off + 4 : off + length]))

    def serialize(self) -> bytes:
        mac = bytes(self.mac)
        return bytes((self.kind, 4 + len(mac), self.key_id, self.r_next_key_id)) + mac


class TCPOptionUnknown(TCPOption):
    """An option of a kind without a class, or one whose contents do not fit its kind.

    ``value`` is the option's data after the kind and length bytes.
    """

    __slots__ = ("value", "_kind")
    _ARGS = ("value", "kind")

    def __init__(self, value: bytes, kind: int, length: int | None = None) -> None:
        self.value = value
        self._kind = kind

    @property  # type: ignore[override]
    def kind(self) -> int:
        return self._kind

    def stringify_attrs(self) -> list[tuple[str, Any]]:
        return [("kind", self._kind), ("length", 2 + len(self.value)), ("value", self.value)]

    def serialize(self) -> bytes:
        value = bytes(self.value)
        return _KL.pack(self._kind, 2 + len(value)) + value


# kind -> class; mptcp adds kind 30.
OPTION_CLASSES: dict[int, type[TCPOption]] = {
    cls.kind: cls
    for cls in (
        TCPOptionMaximumSegmentSize,
        TCPOptionWindowScale,
        TCPOptionSACKPermitted,
        TCPOptionSACK,
        TCPOptionEcho,
        TCPOptionEchoReply,
        TCPOptionTimestamps,
        TCPOptionPartialOrderConnectionPermitted,
        TCPOptionPartialOrderServiceProfile,
        TCPOptionConnectionCount,
        TCPOptionConnectionCountNew,
        TCPOptionConnectionCountEcho,
        TCPOptionAlternateChecksumRequest,
        TCPOptionAlternateChecksumData,
        TCPOptionMD5Signature,
        TCPOptionQuickStartResponse,
        TCPOptionUserTimeout,
        TCPOptionAuthentication,
        TCPOptionFastOpenCookie,
    )
}


def register_option(kind: int, decode: Callable[[Any, int, int], TCPOption | None]) -> None:
    """Use ``decode(buf, offset, length)`` (``None`` for malformed) for options of ``kind``."""
    _DECODERS[kind] = decode


_DECODERS: dict[int, Callable[[Any, int, int], TCPOption | None]] = {
    kind: cls._decode for kind, cls in OPTION_CLASSES.items()
}


def _parse_options(buf, off: int, end: int) -> list:
    options: list = []
    append = options.append
    decoders = _DECODERS
    nop = TCPOptionNoOperation
    eol = TCPOptionEndOfOptionList
    while off < end:
        kind = buf[off]
        if kind < 2:
            append(nop.__new__(nop) if kind else eol.__new__(eol))
            off += 1
            continue
        length = buf[off + 1] if off + 1 < end else 0
        if length < 2 or off + length > end:
            append(bytes(buf[off:end]))
            break
        decode = decoders.get(kind)
        opt = decode(buf, off, length) if decode is not None else None
        append(opt or TCPOptionUnknown(bytes(buf[off + 2 : off + length]), kind))
        off += length
    return options


def _serialize_options(option) -> bytes:
    # ``option`` may be raw bytes, or hold raw bytes among the option objects
    # (what a decode keeps of a broken tail).
    if isinstance(option, (bytes, bytearray)):
        return bytes(option)
    return b"".join([o if isinstance(o, (bytes, bytearray)) else o.serialize() for o in option])


class tcp(packet_base.PacketBase):
    """TCP header.

    ============== ====================================================
    Attribute      Description
    ============== ====================================================
    src_port       Source Port
    dst_port       Destination Port
    seq            Sequence Number
    ack            Acknowledgement Number
    offset         Data Offset in 4-byte words (0 means computed)
    bits           Control bits (the 12 bits after the data offset)
    window_size    Window
    csum           Checksum (0 means computed)
    urgent         Urgent Pointer
    option         List of ``TCPOption*`` instances (or raw bytes), or None
    ============== ====================================================
    """

    __slots__ = (
        "src_port",
        "dst_port",
        "seq",
        "ack",
        "offset",
        "bits",
        "window_size",
        "csum",
        "urgent",
        "option",
    )
    _PACK_STR = "!HHIIHHHH"
    _MIN_LEN = _HDR.size

    def __init__(
        self,
        src_port: int = 1,
        dst_port: int = 1,
        seq: int = 0,
        ack: int = 0,
        offset: int = 0,
        bits: int = 0,
        window_size: int = 0,
        csum: int = 0,
        urgent: int = 0,
        option: list | bytes | None = None,
    ) -> None:
        self.src_port = src_port
        self.dst_port = dst_port
        self.seq = seq
        self.ack = ack
        self.offset = offset
        self.bits = bits
        self.window_size = window_size
        self.csum = csum
        self.urgent = urgent
        self.option = option

    def has_flags(self, *flags: int) -> bool:
        """Whether every one of ``flags`` (``TCP_SYN``, ``TCP_ACK`` ...) is set."""
        mask = 0
        for f in flags:
            mask |= f
        return self.bits & mask == mask

    @classmethod
    def get_packet_type(cls, src_port, dst_port=None):
        """Class for the payload: by ``dst_port``, then by ``src_port``."""
        types = cls._TYPES
        if dst_port is None:
            return types.get(src_port)
        return types.get(dst_port) or types.get(src_port)

    @classmethod
    def parser(cls, buf):
        if len(buf) < 20:
            raise PacketTruncatedError(f"need 20 bytes, have {len(buf)}", "tcp")
        self = cls.__new__(cls)
        (src, dst, self.seq, self.ack, off_bits, self.window_size, self.csum, self.urgent) = (
            _HDR.unpack_from(buf)
        )
        self.src_port = src
        self.dst_port = dst
        offset = off_bits >> 12
        self.offset = offset
        self.bits = off_bits & 0xFFF
        hlen = offset * 4
        if hlen < 20:
            raise PacketFieldError(f"data offset {offset} below 5", "tcp")
        if hlen > len(buf):
            raise PacketTruncatedError(f"header needs {hlen} bytes, have {len(buf)}", "tcp")
        self.option = _parse_options(buf, 20, hlen) if hlen > 20 else None
        types = cls._TYPES
        return self, (types.get(dst) or types.get(src)) if types else None, buf[hlen:]

    def serialize(self, payload, prev):
        option = self.option
        if option:
            try:
                opts = b"".join([o.serialize() for o in option])
            except (AttributeError, TypeError):
                opts = _serialize_options(option)
            if len(opts) & 3:
                opts += bytes(-len(opts) & 3)
            if len(opts) > 40:
                raise ValueError(f"{len(opts)} bytes of options; a TCP header holds 40")
        else:
            opts = b""
        offset_bits = (self.offset or (20 + len(opts)) >> 2) << 12 | self.bits
        csum = self.csum
        if csum or not isinstance(prev, _IP_CLASSES):
            return (
                _HDR.pack(
                    self.src_port,
                    self.dst_port,
                    self.seq,
                    self.ack,
                    offset_bits,
                    self.window_size,
                    csum,
                    self.urgent,
                )
                + opts
            )
        # Summed in pieces (pseudo-header, fields, options, payload) so that
        # the header is packed once with its checksum.
        seq = self.seq
        ack = self.ack
        length = 20 + len(opts) + len(payload)
        if type(prev) is _IPV4:
            total = ipv4_pair(prev.src, prev.dst)[2] + length + in_proto.IPPROTO_TCP
        else:
            total = pseudo_sum(prev, length, in_proto.IPPROTO_TCP)
        total += (
            self.src_port
            + self.dst_port
            + (seq >> 16)
            + (seq & 0xFFFF)
            + (ack >> 16)
            + (ack & 0xFFFF)
            + offset_bits
            + self.window_size
            + self.urgent
        )
        if opts:
            total += int.from_bytes(opts, "big")
        if payload:
            total += int.from_bytes(payload, "big") << (8 if len(payload) & 1 else 0)
        return (
            _HDR.pack(
                self.src_port,
                self.dst_port,
                seq,
                ack,
                offset_bits,
                self.window_size,
                fold(total),
                self.urgent,
            )
            + opts
        )

    def checksum_ok(self, buf, prev) -> bool | None:
        """Whether the checksum matches the segment ``buf`` under the IP header ``prev``.

        The segment length comes from ``prev`` (IPv4 total length less its
        header, IPv6 payload length) so that Ethernet padding is left out.
        """
        if not isinstance(prev, (ipv4.ipv4, ipv6.ipv6)):
            return None
        if isinstance(prev, ipv4.ipv4):
            length = prev.total_length - prev.header_length * 4
        else:
            length = prev.payload_length - sum(len(h) for h in prev.ext_hdrs or ())
        if length <= 0 or length > len(buf):
            length = len(buf)
        seg = bytes(buf[:length])
        return checksum(pseudo_header(prev, length, in_proto.IPPROTO_TCP) + seg) == 0

    def __len__(self) -> int:
        opts = len(_serialize_options(self.option)) if self.option else 0
        return 20 + (opts + 3) // 4 * 4


_IP_CLASSES = (ipv4.ipv4, ipv6.ipv6)
_IPV4 = ipv4.ipv4

ipv4.ipv4.register_packet_type(tcp, in_proto.IPPROTO_TCP)
ipv6.ipv6.register_packet_type(tcp, in_proto.IPPROTO_TCP)
