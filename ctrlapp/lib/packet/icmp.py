"""ICMP for IPv4 (RFC 792), with the RFC 1191 Next-Hop MTU and RFC 4884 length fields.

``icmp.data`` is a message object for Echo/Echo Reply (:class:`echo`),
Destination Unreachable (:class:`dest_unreach`) and Time Exceeded
(:class:`TimeExceeded`), raw bytes for every other type, and raw bytes too
when a known type's body is shorter than its fixed part or has non-zero
unused bits.  ``csum`` 0 is
computed when encoding (RFC 792: the 16-bit one's complement of the one's
complement sum of the whole ICMP message); ``data`` None encodes the 4
zero bytes of an empty Echo.
"""

from __future__ import annotations

import struct
from typing import ClassVar

from ctrlapp.lib.packet import in_proto, ipv4, packet_base
from ctrlapp.lib.packet.checksum import checksum, fold
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError
from ctrlapp.lib.stringify import StringifyMixin

ICMP_ECHO_REPLY = 0
ICMP_DEST_UNREACH = 3
ICMP_SRC_QUENCH = 4
ICMP_REDIRECT = 5
ICMP_ECHO_REQUEST = 8
ICMP_ROUTER_ADVERT = 9
ICMP_ROUTER_SOLICIT = 10
ICMP_TIME_EXCEEDED = 11
ICMP_PARAMETER_PROBLEM = 12
ICMP_TIMESTAMP_REQUEST = 13
ICMP_TIMESTAMP_REPLY = 14
ICMP_INFO_REQUEST = 15
ICMP_INFO_REPLY = 16
ICMP_ADDRESS_MASK_REQUEST = 17
ICMP_ADDRESS_MASK_REPLY = 18

ICMP_ECHO_REPLY_CODE = 0
ICMP_NET_UNREACH_CODE = 0
ICMP_HOST_UNREACH_CODE = 1
ICMP_PROTO_UNREACH_CODE = 2
ICMP_PORT_UNREACH_CODE = 3
ICMP_FRAG_NEEDED_CODE = 4
ICMP_TTL_EXPIRED_CODE = 0
ICMP_FRAG_REASSEMBLY_CODE = 1

_HDR = struct.Struct("!BBH")
_ECHO = struct.Struct("!HH")
_UNREACH = struct.Struct("!xBH")
_EXCEEDED = struct.Struct("!xBxx")
_EMPTY_ECHO = bytes(4)


class _ICMPv4Payload(StringifyMixin):
    """Body of a known ICMP type: a 4-byte fixed part, then ``data``.

    ``parser(buf, offset)`` raises :class:`PacketFieldError` when unused bits
    are set, as the object could not encode them again.
    """

    __slots__ = ()

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        raw = cls.__dict__.get("parser")
        if isinstance(raw, classmethod):
            cls.parser = classmethod(packet_base._guard_parser(cls, raw.__func__))

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> _ICMPv4Payload:
        raise NotImplementedError

    def serialize(self) -> bytes:
        raise NotImplementedError

    def __len__(self) -> int:
        return 4 + len(self.data or b"")  # type: ignore[attr-defined]


class icmp(packet_base.PacketBase):
    """ICMP header.

    ========= ==========================================================
    Attribute Description
    ========= ==========================================================
    type      Type
    code      Code
    csum      Checksum (0: compute when encoding)
    data      :class:`echo`, :class:`dest_unreach`, :class:`TimeExceeded`
              or raw bytes (the rest of the message)
    ========= ==========================================================
    """

    __slots__ = ("type", "code", "csum", "data")
    _PACK_STR = "!BBH"
    _MIN_LEN = _HDR.size
    _ICMP_TYPES: ClassVar[dict[int, type]] = {}

    def __init__(self, type_: int = ICMP_ECHO_REQUEST, code: int = 0, csum: int = 0, data=None):
        self.type = type_
        self.code = code
        self.csum = csum
        self.data = data

    @staticmethod
    def register_icmp_type(*args: int):
        """Decorator: decode the bodies of the given ICMP types with the decorated class."""

        def _register(cls_: type) -> type:
            for type_ in args:
                icmp._ICMP_TYPES[type_] = cls_
            return cls_

        return _register

    @classmethod
    def parser(cls, buf: bytes) -> tuple[icmp, type | None, bytes]:
        if len(buf) < 4:
            raise PacketTruncatedError(f"need 4 bytes, have {len(buf)}", "icmp")
        type_, code, csum = _HDR.unpack_from(buf)
        body_cls = cls._ICMP_TYPES.get(type_)
        if body_cls is not None and len(buf) >= 8:
            try:
                data = body_cls.parser(buf, 4)
            except PacketFieldError:
                # Unused bits that are not zero have no attribute to live in; such a
                # body stays raw so that encoding gives back the same bytes.
                data = bytes(buf[4:])
        else:
            data = bytes(buf[4:])
        return cls(type_, code, csum, data), None, b""

    def _body(self) -> bytes:
        data = self.data
        if data is None:
            return _EMPTY_ECHO
        if isinstance(data, _ICMPv4Payload):
            return data.serialize()
        return bytes(data)

    def serialize(
        self, payload: bytearray, prev: packet_base.PacketBase | None
    ) -> bytes | bytearray:
        data = self.data
        # A typed body (echo, unreachable ...) is encoded here directly: one call fewer.
        body = data.serialize() if isinstance(data, _ICMPv4Payload) else self._body()
        csum = self.csum
        if not csum:
            # Bytes added after this header (a raw original datagram, say) are
            # part of the message, so the sum covers them too.  The header's
            # first word is summed from its fields, so it is packed once.
            covered = body + payload if payload else body
            total = int.from_bytes(covered, "big")
            if len(covered) & 1:
                total <<= 8
            csum = fold((self.type << 8 | self.code) + total)
        return _HDR.pack(self.type, self.code, csum) + body

    def checksum_ok(self, buf: bytes, prev: packet_base.PacketBase | None) -> bool | None:
        length = len(self)
        if isinstance(prev, ipv4.ipv4) and prev.total_length - 4 * prev.header_length > length:
            return None  # the datagram was cut short: the sum covers bytes we do not have
        return checksum(buf[:length]) == 0

    def __len__(self) -> int:
        return 4 + len(self._body())


@icmp.register_icmp_type(ICMP_ECHO_REPLY, ICMP_ECHO_REQUEST)
class echo(_ICMPv4Payload):
    """Echo / Echo Reply body: Identifier (``id``), Sequence Number (``seq``), ``data``."""

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


@icmp.register_icmp_type(ICMP_DEST_UNREACH)
class dest_unreach(_ICMPv4Payload):
    """Destination Unreachable body.

    ``data_len`` is the RFC 4884 Length (32-bit words of original datagram),
    ``mtu`` the RFC 1191 Next-Hop MTU (code 4), ``data`` the original IP
    header and leading octets of its payload.
    """

    __slots__ = ("data_len", "mtu", "data")

    def __init__(self, data_len: int = 0, mtu: int = 0, data: bytes | None = None):
        self.data_len = data_len
        self.mtu = mtu
        self.data = data

    @classmethod
    def parser(cls, buf, offset):
        data_len, mtu = _UNREACH.unpack_from(buf, offset)
        if buf[offset]:
            raise PacketFieldError("unused byte set", "dest_unreach")
        return cls(data_len, mtu, bytes(buf[offset + 4 :]) or None)

    def serialize(self) -> bytes:
        return _UNREACH.pack(self.data_len, self.mtu) + bytes(self.data or b"")


@icmp.register_icmp_type(ICMP_TIME_EXCEEDED)
class TimeExceeded(_ICMPv4Payload):
    """Time Exceeded body: RFC 4884 Length (``data_len``) and the original datagram's start."""

    __slots__ = ("data_len", "data")

    def __init__(self, data_len: int = 0, data: bytes | None = None):
        self.data_len = data_len
        self.data = data

    @classmethod
    def parser(cls, buf, offset):
        (data_len,) = _EXCEEDED.unpack_from(buf, offset)
        if buf[offset] or buf[offset + 2] or buf[offset + 3]:
            raise PacketFieldError("unused bytes set", "TimeExceeded")
        return cls(data_len, bytes(buf[offset + 4 :]) or None)

    def serialize(self) -> bytes:
        return _EXCEEDED.pack(self.data_len) + bytes(self.data or b"")


ipv4.ipv4.register_packet_type(icmp, in_proto.IPPROTO_ICMP)
