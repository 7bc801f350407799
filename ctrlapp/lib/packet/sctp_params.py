"""SCTP parameters and error causes: the type-length-value items inside chunks.

Parameters (``param_*``) travel in INIT, INIT ACK, HEARTBEAT, ASCONF,
ASCONF-ACK and RE-CONFIG chunks; error causes (``cause_*``) in ABORT and
ERROR chunks and in the Error Cause Indication parameter.  Both share the
layout of RFC 9260 section 3.2.1: a 16-bit type (or cause code), a 16-bit
length that counts the 4-byte header and the value but not the padding, the
value, and zero padding to a multiple of 4 bytes.

Implemented: RFC 9260 sections 3.3.2.1 (IPv4/IPv6 Address, Cookie
Preservative, Host Name Address, Supported Address Types), 3.3.3.1 (State
Cookie, Unrecognized Parameter), 3.3.5 (Heartbeat Info), 3.3.10 (error causes
1-13); RFC 4960 Appendix A (ECN Capable); RFC 3758 section 3.1 (Forward-TSN
Supported); RFC 4820 section 4 (Padding); RFC 4895 section 3 (Random, Chunk
List, Requested HMAC Algorithm) and 4.1 (Unsupported HMAC Identifier); RFC
5061 section 4.2 (Add/Delete IP Address, Set Primary Address, Error Cause
Indication, Success Indication, Supported Extensions, Adaptation Layer
Indication) and its five error causes; RFC 6525 section 4 (the six
re-configuration request and response parameters).

Decoding rules (the chunk decoder in :mod:`.sctp_chunks` relies on them):

* a parameter or cause whose length is below 4, runs past the end of the
  chunk, or does not fit the fixed layout of its type raises
  :class:`~.errors.PacketParseError`;
* a parameter type this module does not know becomes :class:`param_unknown`,
  a cause code :class:`cause_unknown`; both keep their bytes and re-encode
  unchanged.  ``param_unknown.skip``/``report`` give the action the two
  upper bits of the type ask of a receiver (RFC 9260 section 3.2.1).

A ``length`` of 0 means "compute when encoding"; encoding never changes the
object.
"""

from __future__ import annotations

import socket
import struct
from typing import Any, ClassVar

from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError, PacketTruncatedError
from ctrlapp.lib.stringify import StringifyMixin

# Parameter types: RFC 9260 3.3.2.1 / 3.3.3.1 / 3.3.5, RFC 3758, 4820, 4895, 5061, 6525.
PTYPE_HEARTBEAT = 1
PTYPE_IPV4 = 5
PTYPE_IPV6 = 6
PTYPE_STATE_COOKIE = 7
PTYPE_UNRECOGNIZED_PARAM = 8
PTYPE_COOKIE_PRESERVE = 9
PTYPE_HOST_ADDR = 11
PTYPE_SUPPORTED_ADDR = 12
PTYPE_OUT_SSN_RESET_REQ = 13
PTYPE_IN_SSN_RESET_REQ = 14
PTYPE_SSN_TSN_RESET_REQ = 15
PTYPE_RECONFIG_RESP = 16
PTYPE_ADD_OUT_STREAMS_REQ = 17
PTYPE_ADD_IN_STREAMS_REQ = 18
PTYPE_ECN = 0x8000
PTYPE_RANDOM = 0x8002
PTYPE_CHUNK_LIST = 0x8003
PTYPE_HMAC_ALGO = 0x8004
PTYPE_PADDING = 0x8005
PTYPE_SUPPORTED_EXT = 0x8008
PTYPE_FORWARD_TSN_SUPPORTED = 0xC000
PTYPE_ADD_IP = 0xC001
PTYPE_DEL_IP = 0xC002
PTYPE_ERROR_CAUSE_IND = 0xC003
PTYPE_SET_PRIMARY = 0xC004
PTYPE_SUCCESS_IND = 0xC005
PTYPE_ADAPTATION_LAYER = 0xC006

# Error cause codes: RFC 9260 3.3.10, RFC 5061, RFC 4895 4.1.
CCODE_INVALID_STREAM_ID = 1
CCODE_MISSING_PARAM = 2
CCODE_STALE_COOKIE = 3
CCODE_OUT_OF_RESOURCE = 4
CCODE_UNRESOLVABLE_ADDR = 5
CCODE_UNRECOGNIZED_CHUNK = 6
CCODE_INVALID_PARAM = 7
CCODE_UNRECOGNIZED_PARAM = 8
CCODE_NO_USERDATA = 9
CCODE_COOKIE_WHILE_SHUTDOWN = 10
CCODE_RESTART_WITH_NEW_ADDR = 11
CCODE_USER_INITIATED_ABORT = 12
CCODE_PROTOCOL_VIOLATION = 13
CCODE_DELETE_LAST_ADDR = 0x00A0
CCODE_RESOURCE_SHORTAGE = 0x00A1
CCODE_DELETE_SOURCE_ADDR = 0x00A2
CCODE_ILLEGAL_ASCONF_ACK = 0x00A3
CCODE_NO_AUTHORIZATION = 0x00A4
CCODE_UNSUPPORTED_HMAC = 0x0105

# Reconfiguration Response results (RFC 6525 section 4.4).
RECONFIG_RESULT_SUCCESS_NOTHING = 0
RECONFIG_RESULT_SUCCESS_PERFORMED = 1
RECONFIG_RESULT_DENIED = 2
RECONFIG_RESULT_ERROR_WRONG_SSN = 3
RECONFIG_RESULT_ERROR_IN_PROGRESS = 4
RECONFIG_RESULT_ERROR_BAD_SEQ = 5
RECONFIG_RESULT_IN_PROGRESS = 6

_TLV = struct.Struct("!HH")
_IPV4_TLV = struct.Struct("!HH4s")
_IPV6_TLV = struct.Struct("!HH16s")
_U16 = struct.Struct("!H")
_U16_PAD = struct.Struct("!H2x")
_U32 = struct.Struct("!I")
_U32_U16_PAD = struct.Struct("!IH2x")
_OUT_RESET = struct.Struct("!III")
_RESP = struct.Struct("!II")
_RESP_TSNS = struct.Struct("!IIII")

# Zero bytes that bring a length up to the next multiple of 4, indexed by length % 4.
PAD = (b"", b"\x00\x00\x00", b"\x00\x00", b"\x00")

DECODE_FAILURES = (
    struct.error,
    IndexError,
    ValueError,
    TypeError,
    KeyError,
    UnicodeDecodeError,
    OverflowError,
)


def _bad(cls: type, what: str) -> PacketFieldError:
    return PacketFieldError(what, cls.__name__)


class _tlv(StringifyMixin):
    """Header handling shared by parameters and error causes."""

    __slots__ = ("length",)
    _CODE: ClassVar[int] = -1
    # Decoders check the value length against these; -1 means any length.
    _FIXED: ClassVar[int] = -1
    _MIN: ClassVar[int] = 4
    _TABLE: ClassVar[dict[int, type]]
    _UNKNOWN: ClassVar[type]

    @classmethod
    def _decode(cls, buf: bytes, off: int, length: int) -> Any:
        """Decode the item of ``length`` bytes (header included) at ``buf[off:]``."""
        if length < cls._MIN or (cls._FIXED >= 0 and length != cls._FIXED):
            raise _bad(cls, f"length {length} does not fit the layout")
        self = cls.__new__(cls)
        self.length = length
        self._read(buf, off + 4, off + length)
        return self

    def _read(self, buf: bytes, start: int, end: int) -> None:
        """Fill the value fields from ``buf[start:end]``."""

    def _value(self) -> bytes:
        return b""

    def _pack(self) -> bytes:
        """Header and value, without the trailing padding."""
        value = self._value()
        return _TLV.pack(self._CODE, self.length or 4 + len(value)) + value

    def serialize(self) -> bytes:
        """Encode, padded to a multiple of 4 bytes."""
        data = self._pack()
        return data + PAD[len(data) & 3]

    @classmethod
    def parser(cls, buf: bytes) -> Any:
        """Decode the item at the start of ``buf``; raises only PacketParseError."""
        buf = bytes(buf)
        try:
            if len(buf) < 4:
                raise PacketTruncatedError(f"need 4 bytes, have {len(buf)}", cls.__name__)
            code, length = _TLV.unpack_from(buf)
            if length < 4:
                raise PacketFieldError(f"length {length}", cls.__name__)
            if length > len(buf):
                raise PacketTruncatedError(f"length {length} runs past the end", cls.__name__)
            return cls._TABLE.get(code, cls._UNKNOWN)._decode(buf, 0, length)
        except PacketParseError:
            raise
        except DECODE_FAILURES as exc:
            raise PacketParseError(f"{type(exc).__name__}: {exc}", cls.__name__) from exc

    def __len__(self) -> int:
        length = self.length or len(self._pack())
        return (length + 3) & ~3


def decode_tlvs(buf: bytes, off: int, end: int, decoders: dict, unknown: type) -> list:
    """Decode the parameters or causes in ``buf[off:end]``.

    ``decoders`` maps a type or cause code to its class's bound ``_decode``;
    other codes go to ``unknown``.  The last item's padding may lie beyond
    ``end``: RFC 9260 3.2 leaves it out of the chunk length.
    """
    items = []
    append = items.append
    unpack = _TLV.unpack_from
    get = decoders.get
    fallback = unknown._decode
    while off < end:
        if end - off < 4:
            raise PacketFieldError(f"{end - off} bytes after the last item", unknown.__name__)
        code, length = unpack(buf, off)
        if length < 4 or off + length > end:
            if length < 4:
                raise PacketFieldError(f"item {code:#06x} has length {length}", unknown.__name__)
            raise PacketTruncatedError(
                f"item {code:#06x} of length {length} runs past the end", unknown.__name__
            )
        append(get(code, fallback)(buf, off, length))
        off += (length + 3) & ~3
    return items


def pack_tlvs(items: list | tuple) -> bytes:
    """Encode a list of parameters or causes; the last one is left unpadded.

    The enclosing chunk pads itself, so the bytes come out the same while its
    length leaves out the last item's padding (RFC 9260 3.2).
    """
    parts = []
    append = parts.append
    for item in items:
        data = item._pack()
        append(data)
        append(PAD[len(data) & 3])
    if parts:
        parts.pop()
    return b"".join(parts)


# -- value layouts shared by several types -----------------------------------


class _bytes_value(_tlv):
    __slots__ = ("value",)

    def __init__(self, value: bytes | None = None, length: int = 0):
        self.value = b"" if value is None else value
        self.length = length

    def _read(self, buf, start, end):
        self.value = buf[start:end]

    def _value(self):
        return bytes(self.value)


class _u32_value(_tlv):
    __slots__ = ("value",)
    _FIXED = 8

    def __init__(self, value: int = 0, length: int = 0):
        self.value = value
        self.length = length

    def _read(self, buf, start, end):
        (self.value,) = _U32.unpack_from(buf, start)

    def _value(self):
        return _U32.pack(self.value)


class _u16_list(_tlv):
    __slots__ = ("value",)

    def __init__(self, value: list[int] | None = None, length: int = 0):
        self.value = [] if value is None else value
        self.length = length

    def _read(self, buf, start, end):
        self.value = _stream_list(type(self), buf, start, end)

    def _value(self):
        return _pack_u16s(self.value)


class _u8_list(_tlv):
    __slots__ = ("value",)

    def __init__(self, value: list[int] | None = None, length: int = 0):
        self.value = [] if value is None else value
        self.length = length

    def _read(self, buf, start, end):
        self.value = list(buf[start:end])

    def _value(self):
        return bytes(self.value)


class _empty_value(_tlv):
    """No value; ``value`` is kept (always None) for the Ryu constructor signature."""

    __slots__ = ("value",)
    _FIXED = 4

    def __init__(self, value: None = None, length: int = 0):
        self.value = None
        self.length = length

    @classmethod
    def _decode(cls, buf, off, length):
        if length != 4:
            raise _bad(cls, f"length {length} is not 4")
        self = cls.__new__(cls)
        self.length = 4
        self.value = None
        return self

    def _pack(self):
        return _TLV.pack(self._CODE, self.length or 4)


class _no_value(_tlv):
    __slots__ = ()
    _FIXED = 4

    def __init__(self, length: int = 0):
        self.length = length


# -- parameters --------------------------------------------------------------


class param(_tlv):
    """Base class of the parameters (RFC 9260 3.2.1)."""

    __slots__ = ()

    @classmethod
    def param_type(cls) -> int:
        return cls._CODE


class param_heartbeat(param, _bytes_value):
    """Heartbeat Info (RFC 9260 3.3.5): ``value`` is the sender's opaque information."""

    __slots__ = ()
    _CODE = PTYPE_HEARTBEAT


class param_ipv4(param):
    """IPv4 Address (RFC 9260 3.3.2.1): ``value`` is the address as text."""

    __slots__ = ("value",)
    _CODE = PTYPE_IPV4
    _FIXED = 8
    _TYPE = {"ascii": ["value"]}

    def __init__(self, value: str = "127.0.0.1", length: int = 0):
        self.value = value
        self.length = length

    @classmethod
    def _decode(cls, buf, off, length):
        # The address parameters fill every INIT: one call, no generic _read.
        if length != 8:
            raise _bad(cls, f"length {length} is not 8")
        self = cls.__new__(cls)
        self.length = 8
        self.value = socket.inet_ntoa(buf[off + 4 : off + 8])
        return self

    def _pack(self):
        return _IPV4_TLV.pack(PTYPE_IPV4, self.length or 8, socket.inet_aton(self.value))


class param_ipv6(param):
    """IPv6 Address (RFC 9260 3.3.2.1): ``value`` is the address as text."""

    __slots__ = ("value",)
    _CODE = PTYPE_IPV6
    _FIXED = 20
    _TYPE = {"ascii": ["value"]}

    def __init__(self, value: str = "::1", length: int = 0):
        self.value = value
        self.length = length

    @classmethod
    def _decode(cls, buf, off, length):
        if length != 20:
            raise _bad(cls, f"length {length} is not 20")
        self = cls.__new__(cls)
        self.length = 20
        self.value = socket.inet_ntop(socket.AF_INET6, buf[off + 4 : off + 20])
        return self

    def _pack(self):
        return _IPV6_TLV.pack(
            PTYPE_IPV6, self.length or 20, socket.inet_pton(socket.AF_INET6, self.value)
        )


class param_state_cookie(param, _bytes_value):
    """State Cookie (RFC 9260 3.3.3.1): ``value`` is the opaque cookie."""

    __slots__ = ()
    _CODE = PTYPE_STATE_COOKIE


class param_unrecognized_param(param, _bytes_value):
    """Unrecognized Parameter (RFC 9260 3.3.3.1): ``value`` is the parameter echoed back."""

    __slots__ = ()
    _CODE = PTYPE_UNRECOGNIZED_PARAM


class param_cookie_preserve(param, _u32_value):
    """Cookie Preservative (RFC 9260 3.3.2.1): ``value`` is the life-span increment in ms."""

    __slots__ = ()
    _CODE = PTYPE_COOKIE_PRESERVE


class param_host_addr(param, _bytes_value):
    """Host Name Address (RFC 9260 3.3.2.1): ``value`` is the NUL-terminated name as bytes."""

    __slots__ = ()
    _CODE = PTYPE_HOST_ADDR


class param_supported_addr(param, _u16_list):
    """Supported Address Types (RFC 9260 3.3.2.1): ``value`` lists parameter types."""

    __slots__ = ()
    _CODE = PTYPE_SUPPORTED_ADDR


class param_ecn(param, _empty_value):
    """ECN Capable (RFC 4960 Appendix A); ``value`` is always None."""

    __slots__ = ()
    _CODE = PTYPE_ECN


class param_forward_tsn_supported(param, _empty_value):
    """Forward-TSN-Supported (RFC 3758 3.1); ``value`` is always None."""

    __slots__ = ()
    _CODE = PTYPE_FORWARD_TSN_SUPPORTED


class param_random(param, _bytes_value):
    """Random (RFC 4895 3.1): ``value`` is the random number, normally 32 bytes."""

    __slots__ = ()
    _CODE = PTYPE_RANDOM


class param_chunk_list(param, _u8_list):
    """Chunk List (RFC 4895 3.2): ``value`` lists the chunk types that must be authenticated."""

    __slots__ = ()
    _CODE = PTYPE_CHUNK_LIST


class param_hmac_algo(param, _u16_list):
    """Requested HMAC Algorithm (RFC 4895 3.3): ``value`` lists HMAC identifiers."""

    __slots__ = ()
    _CODE = PTYPE_HMAC_ALGO


class param_padding(param, _bytes_value):
    """Padding (RFC 4820 4): ``value`` is the padding data (its content is ignored)."""

    __slots__ = ()
    _CODE = PTYPE_PADDING


class param_supported_ext(param, _u8_list):
    """Supported Extensions (RFC 5061 4.2.7): ``value`` lists chunk types."""

    __slots__ = ()
    _CODE = PTYPE_SUPPORTED_EXT


class param_adaptation_layer(param, _u32_value):
    """Adaptation Layer Indication (RFC 5061 4.2.6): ``value`` is the adaptation code point."""

    __slots__ = ()
    _CODE = PTYPE_ADAPTATION_LAYER


class _asconf_addr(param):
    """ASCONF request carrying an address: correlation id, then an IPv4/IPv6 Address parameter."""

    __slots__ = ("corr_id", "address")
    _MIN = 8

    def __init__(self, corr_id: int = 0, address: param | None = None, length: int = 0):
        self.corr_id = corr_id
        self.address = address
        self.length = length

    def _read(self, buf, start, end):
        (self.corr_id,) = _U32.unpack_from(buf, start)
        inner = decode_tlvs(buf, start + 4, end, PARAM_DECODERS, param_unknown)
        if len(inner) > 1:
            raise _bad(type(self), "more than one address")
        self.address = inner[0] if inner else None

    def _value(self):
        return _U32.pack(self.corr_id) + (self.address._pack() if self.address else b"")


class param_add_ip(_asconf_addr):
    """Add IP Address (RFC 5061 4.2.1)."""

    __slots__ = ()
    _CODE = PTYPE_ADD_IP


class param_del_ip(_asconf_addr):
    """Delete IP Address (RFC 5061 4.2.2)."""

    __slots__ = ()
    _CODE = PTYPE_DEL_IP


class param_set_primary(_asconf_addr):
    """Set Primary Address (RFC 5061 4.2.4)."""

    __slots__ = ()
    _CODE = PTYPE_SET_PRIMARY


class param_error_cause_ind(param):
    """Error Cause Indication (RFC 5061 4.2.3): correlation id and a list of causes."""

    __slots__ = ("corr_id", "causes")
    _CODE = PTYPE_ERROR_CAUSE_IND
    _MIN = 8

    def __init__(self, corr_id: int = 0, causes: list | None = None, length: int = 0):
        self.corr_id = corr_id
        self.causes = [] if causes is None else causes
        self.length = length

    def _read(self, buf, start, end):
        (self.corr_id,) = _U32.unpack_from(buf, start)
        self.causes = decode_tlvs(buf, start + 4, end, CAUSE_DECODERS, cause_unknown)

    def _value(self):
        return _U32.pack(self.corr_id) + pack_tlvs(self.causes)


class param_success_ind(param):
    """Success Indication (RFC 5061 4.2.5)."""

    __slots__ = ("corr_id",)
    _CODE = PTYPE_SUCCESS_IND
    _FIXED = 8

    def __init__(self, corr_id: int = 0, length: int = 0):
        self.corr_id = corr_id
        self.length = length

    def _read(self, buf, start, end):
        (self.corr_id,) = _U32.unpack_from(buf, start)

    def _value(self):
        return _U32.pack(self.corr_id)


class param_out_ssn_reset_req(param):
    """Outgoing SSN Reset Request (RFC 6525 4.1); ``streams`` empty means all streams."""

    __slots__ = ("req_seq", "resp_seq", "last_tsn", "streams")
    _CODE = PTYPE_OUT_SSN_RESET_REQ
    _MIN = 16

    def __init__(
        self,
        req_seq: int = 0,
        resp_seq: int = 0,
        last_tsn: int = 0,
        streams: list[int] | None = None,
        length: int = 0,
    ):
        self.req_seq = req_seq
        self.resp_seq = resp_seq
        self.last_tsn = last_tsn
        self.streams = [] if streams is None else streams
        self.length = length

    def _read(self, buf, start, end):
        self.req_seq, self.resp_seq, self.last_tsn = _OUT_RESET.unpack_from(buf, start)
        self.streams = _stream_list(type(self), buf, start + 12, end)

    def _value(self):
        return _OUT_RESET.pack(self.req_seq, self.resp_seq, self.last_tsn) + _pack_u16s(
            self.streams
        )


class param_in_ssn_reset_req(param):
    """Incoming SSN Reset Request (RFC 6525 4.2); ``streams`` empty means all streams."""

    __slots__ = ("req_seq", "streams")
    _CODE = PTYPE_IN_SSN_RESET_REQ
    _MIN = 8

    def __init__(self, req_seq: int = 0, streams: list[int] | None = None, length: int = 0):
        self.req_seq = req_seq
        self.streams = [] if streams is None else streams
        self.length = length

    def _read(self, buf, start, end):
        (self.req_seq,) = _U32.unpack_from(buf, start)
        self.streams = _stream_list(type(self), buf, start + 4, end)

    def _value(self):
        return _U32.pack(self.req_seq) + _pack_u16s(self.streams)


class param_ssn_tsn_reset_req(param):
    """SSN/TSN Reset Request (RFC 6525 4.3)."""

    __slots__ = ("req_seq",)
    _CODE = PTYPE_SSN_TSN_RESET_REQ
    _FIXED = 8

    def __init__(self, req_seq: int = 0, length: int = 0):
        self.req_seq = req_seq
        self.length = length

    def _read(self, buf, start, end):
        (self.req_seq,) = _U32.unpack_from(buf, start)

    def _value(self):
        return _U32.pack(self.req_seq)


class param_reconfig_resp(param):
    """Re-configuration Response (RFC 6525 4.4).

    The two next-TSN fields are optional and come together: both ``None`` or both set.
    """

    __slots__ = ("resp_seq", "result", "sender_next_tsn", "receiver_next_tsn")
    _CODE = PTYPE_RECONFIG_RESP
    _MIN = 12

    def __init__(
        self,
        resp_seq: int = 0,
        result: int = 0,
        sender_next_tsn: int | None = None,
        receiver_next_tsn: int | None = None,
        length: int = 0,
    ):
        self.resp_seq = resp_seq
        self.result = result
        self.sender_next_tsn = sender_next_tsn
        self.receiver_next_tsn = receiver_next_tsn
        self.length = length

    def _read(self, buf, start, end):
        if end - start == 8:
            self.resp_seq, self.result = _RESP.unpack_from(buf, start)
            self.sender_next_tsn = self.receiver_next_tsn = None
        elif end - start == 16:
            (self.resp_seq, self.result, self.sender_next_tsn, self.receiver_next_tsn) = (
                _RESP_TSNS.unpack_from(buf, start)
            )
        else:
            raise _bad(type(self), f"length {end - start + 4} is neither 12 nor 20")

    def _value(self):
        if self.sender_next_tsn is None:
            return _RESP.pack(self.resp_seq, self.result)
        return _RESP_TSNS.pack(
            self.resp_seq, self.result, self.sender_next_tsn, self.receiver_next_tsn or 0
        )


class _add_streams_req(param):
    __slots__ = ("req_seq", "num_streams")
    _FIXED = 12

    def __init__(self, req_seq: int = 0, num_streams: int = 0, length: int = 0):
        self.req_seq = req_seq
        self.num_streams = num_streams
        self.length = length

    def _read(self, buf, start, end):
        self.req_seq, self.num_streams = _U32_U16_PAD.unpack_from(buf, start)

    def _value(self):
        return _U32_U16_PAD.pack(self.req_seq, self.num_streams)


class param_add_out_streams_req(_add_streams_req):
    """Add Outgoing Streams Request (RFC 6525 4.5)."""

    __slots__ = ()
    _CODE = PTYPE_ADD_OUT_STREAMS_REQ


class param_add_in_streams_req(_add_streams_req):
    """Add Incoming Streams Request (RFC 6525 4.6)."""

    __slots__ = ()
    _CODE = PTYPE_ADD_IN_STREAMS_REQ


class param_unknown(param):
    """A parameter type this library does not know, kept as bytes.

    ``skip`` (bit 0x8000 of the type) says a receiver skips it and goes on with
    the rest of the chunk instead of stopping; ``report`` (bit 0x4000) that it
    reports the parameter back as unrecognized (RFC 9260 3.2.1).
    """

    __slots__ = ("type_", "value")

    def __init__(self, type_: int = 0, value: bytes | None = None, length: int = 0):
        self.type_ = type_
        self.value = b"" if value is None else value
        self.length = length

    @classmethod
    def _decode(cls, buf, off, length):
        self = cls.__new__(cls)
        (self.type_,) = _U16.unpack_from(buf, off)
        self.value = buf[off + 4 : off + length]
        self.length = length
        return self

    def _pack(self):
        value = bytes(self.value)
        return _TLV.pack(self.type_, self.length or 4 + len(value)) + value

    @property
    def skip(self) -> bool:
        return bool(self.type_ & 0x8000)

    @property
    def report(self) -> bool:
        return bool(self.type_ & 0x4000)


def _stream_list(cls: type, buf: bytes, start: int, end: int) -> list[int]:
    if (end - start) & 1:
        raise _bad(cls, "odd number of bytes in a list of 16-bit values")
    return list(struct.unpack_from(f"!{(end - start) >> 1}H", buf, start))


def _pack_u16s(values: list[int]) -> bytes:
    return struct.pack(f"!{len(values)}H", *values)


# -- error causes ------------------------------------------------------------


class cause(_tlv):
    """Base class of the error causes (RFC 9260 3.3.10)."""

    __slots__ = ()

    @classmethod
    def cause_code(cls) -> int:
        return cls._CODE


class cause_invalid_stream_id(cause):
    """Invalid Stream Identifier (RFC 9260 3.3.10.1): ``value`` is the stream id."""

    __slots__ = ("value",)
    _CODE = CCODE_INVALID_STREAM_ID
    _FIXED = 8

    def __init__(self, value: int = 0, length: int = 0):
        self.value = value
        self.length = length

    def _read(self, buf, start, end):
        (self.value,) = _U16_PAD.unpack_from(buf, start)

    def _value(self):
        return _U16_PAD.pack(self.value)


class cause_missing_param(cause):
    """Missing Mandatory Parameter (RFC 9260 3.3.10.2).

    ``types`` lists the missing parameter types; ``num`` is their count (0: compute).
    """

    __slots__ = ("types", "num")
    _CODE = CCODE_MISSING_PARAM
    _MIN = 8

    def __init__(self, types: list[int] | None = None, num: int = 0, length: int = 0):
        self.types = [] if types is None else types
        self.num = num
        self.length = length

    def _read(self, buf, start, end):
        (self.num,) = _U32.unpack_from(buf, start)
        self.types = _stream_list(type(self), buf, start + 4, end)

    def _value(self):
        return _U32.pack(self.num or len(self.types)) + _pack_u16s(self.types)


class cause_stale_cookie(cause, _bytes_value):
    """Stale Cookie Error (RFC 9260 3.3.10.3): ``value`` is the measure of staleness (4 bytes, us)."""

    __slots__ = ()
    _CODE = CCODE_STALE_COOKIE


class cause_out_of_resource(cause, _no_value):
    """Out of Resource (RFC 9260 3.3.10.4)."""

    __slots__ = ()
    _CODE = CCODE_OUT_OF_RESOURCE


class cause_unresolvable_addr(cause):
    """Unresolvable Address (RFC 9260 3.3.10.5): ``value`` is a param_host_addr/ipv4/ipv6."""

    __slots__ = ("value",)
    _CODE = CCODE_UNRESOLVABLE_ADDR

    def __init__(self, value: param | None = None, length: int = 0):
        self.value = value
        self.length = length

    def _read(self, buf, start, end):
        inner = decode_tlvs(buf, start, end, PARAM_DECODERS, param_unknown)
        if len(inner) > 1:
            raise _bad(type(self), "more than one address")
        self.value = inner[0] if inner else None

    def _value(self):
        return self.value._pack() if self.value is not None else b""


class cause_unrecognized_chunk(cause, _bytes_value):
    """Unrecognized Chunk Type (RFC 9260 3.3.10.6): ``value`` is the chunk as received."""

    __slots__ = ()
    _CODE = CCODE_UNRECOGNIZED_CHUNK


class cause_invalid_param(cause, _no_value):
    """Invalid Mandatory Parameter (RFC 9260 3.3.10.7)."""

    __slots__ = ()
    _CODE = CCODE_INVALID_PARAM


class cause_unrecognized_param(cause, _bytes_value):
    """Unrecognized Parameters (RFC 9260 3.3.10.8): ``value`` holds the parameters as received."""

    __slots__ = ()
    _CODE = CCODE_UNRECOGNIZED_PARAM


class cause_no_userdata(cause, _bytes_value):
    """No User Data (RFC 9260 3.3.10.9): ``value`` is the TSN of the empty DATA chunk (4 bytes)."""

    __slots__ = ()
    _CODE = CCODE_NO_USERDATA


class cause_cookie_while_shutdown(cause, _no_value):
    """Cookie Received While Shutting Down (RFC 9260 3.3.10.10)."""

    __slots__ = ()
    _CODE = CCODE_COOKIE_WHILE_SHUTDOWN


class cause_restart_with_new_addr(cause):
    """Restart of an Association with New Addresses (RFC 9260 3.3.10.11).

    ``value`` is the list of new address parameters (a single one is accepted too).
    """

    __slots__ = ("value",)
    _CODE = CCODE_RESTART_WITH_NEW_ADDR

    def __init__(self, value: list | param | None = None, length: int = 0):
        if value is None:
            value = []
        elif not isinstance(value, list):
            value = [value]
        self.value = value
        self.length = length

    def _read(self, buf, start, end):
        self.value = decode_tlvs(buf, start, end, PARAM_DECODERS, param_unknown)

    def _value(self):
        return pack_tlvs(self.value)


class cause_user_initiated_abort(cause, _bytes_value):
    """User-Initiated Abort (RFC 9260 3.3.10.12): ``value`` is the upper layer's reason."""

    __slots__ = ()
    _CODE = CCODE_USER_INITIATED_ABORT


class cause_protocol_violation(cause, _bytes_value):
    """Protocol Violation (RFC 9260 3.3.10.13): ``value`` is additional information."""

    __slots__ = ()
    _CODE = CCODE_PROTOCOL_VIOLATION


class cause_delete_last_addr(cause, _bytes_value):
    """Request to Delete Last Remaining IP Address (RFC 5061): ``value`` is the request TLV."""

    __slots__ = ()
    _CODE = CCODE_DELETE_LAST_ADDR


class cause_resource_shortage(cause, _bytes_value):
    """Operation Refused Due to Resource Shortage (RFC 5061): ``value`` is the request TLV."""

    __slots__ = ()
    _CODE = CCODE_RESOURCE_SHORTAGE


class cause_delete_source_addr(cause, _bytes_value):
    """Request to Delete Source IP Address (RFC 5061): ``value`` is the request TLV."""

    __slots__ = ()
    _CODE = CCODE_DELETE_SOURCE_ADDR


class cause_illegal_asconf_ack(cause, _no_value):
    """Association Aborted Due to Illegal ASCONF-ACK (RFC 5061)."""

    __slots__ = ()
    _CODE = CCODE_ILLEGAL_ASCONF_ACK


class cause_no_authorization(cause, _bytes_value):
    """Request Refused - No Authorization (RFC 5061): ``value`` is the request TLV."""

    __slots__ = ()
    _CODE = CCODE_NO_AUTHORIZATION


class cause_unsupported_hmac(cause):
    """Unsupported HMAC Identifier (RFC 4895 4.1): ``value`` is the HMAC identifier."""

    __slots__ = ("value",)
    _CODE = CCODE_UNSUPPORTED_HMAC
    _FIXED = 6

    def __init__(self, value: int = 0, length: int = 0):
        self.value = value
        self.length = length

    def _read(self, buf, start, end):
        (self.value,) = _U16.unpack_from(buf, start)

    def _value(self):
        return _U16.pack(self.value)


class cause_unknown(cause):
    """An error cause code this library does not know, kept as bytes."""

    __slots__ = ("code", "value")

    def __init__(self, code: int = 0, value: bytes | None = None, length: int = 0):
        self.code = code
        self.value = b"" if value is None else value
        self.length = length

    @classmethod
    def _decode(cls, buf, off, length):
        self = cls.__new__(cls)
        (self.code,) = _U16.unpack_from(buf, off)
        self.value = buf[off + 4 : off + length]
        self.length = length
        return self

    def _pack(self):
        value = bytes(self.value)
        return _TLV.pack(self.code, self.length or 4 + len(value)) + value


PARAM_CLASSES = (
    param_heartbeat,
    param_ipv4,
    param_ipv6,
    param_state_cookie,
    param_unrecognized_param,
    param_cookie_preserve,
    param_host_addr,
    param_supported_addr,
    param_out_ssn_reset_req,
    param_in_ssn_reset_req,
    param_ssn_tsn_reset_req,
    param_reconfig_resp,
    param_add_out_streams_req,
    param_add_in_streams_req,
    param_ecn,
    param_random,
    param_chunk_list,
    param_hmac_algo,
    param_padding,
    param_supported_ext,
    param_forward_tsn_supported,
    param_add_ip,
    param_del_ip,
    param_error_cause_ind,
    param_set_primary,
    param_success_ind,
    param_adaptation_layer,
)
CAUSE_CLASSES = (
    cause_invalid_stream_id,
    cause_missing_param,
    cause_stale_cookie,
    cause_out_of_resource,
    cause_unresolvable_addr,
    cause_unrecognized_chunk,
    cause_invalid_param,
    cause_unrecognized_param,
    cause_no_userdata,
    cause_cookie_while_shutdown,
    cause_restart_with_new_addr,
    cause_user_initiated_abort,
    cause_protocol_violation,
    cause_delete_last_addr,
    cause_resource_shortage,
    cause_delete_source_addr,
    cause_illegal_asconf_ack,
    cause_no_authorization,
    cause_unsupported_hmac,
)
PARAM_TABLE: dict[int, type] = {c._CODE: c for c in PARAM_CLASSES}
CAUSE_TABLE: dict[int, type] = {c._CODE: c for c in CAUSE_CLASSES}
# Bound decoders: dispatching an item then costs no attribute lookup.
PARAM_DECODERS = {code: c._decode for code, c in PARAM_TABLE.items()}
CAUSE_DECODERS = {code: c._decode for code, c in CAUSE_TABLE.items()}
param._TABLE = param_unknown._TABLE = PARAM_TABLE
param._UNKNOWN = param_unknown
cause._TABLE = CAUSE_TABLE
cause._UNKNOWN = cause_unknown


def decode_params(buf: bytes, off: int, end: int) -> list:
    """Decode the parameters in ``buf[off:end]``.

    The loop of :func:`decode_tlvs` with the IPv4 Address parameter decoded in
    place: an INIT or INIT ACK carries one per address of a multi-homed
    endpoint, and the call saved per address is most of its decoding time.
    """
    items = []
    append = items.append
    unpack = _TLV.unpack_from
    get = PARAM_DECODERS.get
    fallback = param_unknown._decode
    new = object.__new__
    ntoa = socket.inet_ntoa
    while off < end:
        if end - off < 4:
            raise PacketFieldError(f"{end - off} bytes after the last item", "param_unknown")
        code, length = unpack(buf, off)
        if code == PTYPE_IPV4 and length == 8 and off + 8 <= end:
            item = new(param_ipv4)
            item.length = 8
            item.value = ntoa(buf[off + 4 : off + 8])
            append(item)
            off += 8
            continue
        if length < 4 or off + length > end:
            if length < 4:
                raise PacketFieldError(f"item {code:#06x} has length {length}", "param_unknown")
            raise PacketTruncatedError(
                f"item {code:#06x} of length {length} runs past the end", "param_unknown"
            )
        append(get(code, fallback)(buf, off, length))
        off += (length + 3) & ~3
    return items


def decode_causes(buf: bytes, off: int, end: int) -> list:
    """Decode the error causes in ``buf[off:end]``."""
    return decode_tlvs(buf, off, end, CAUSE_DECODERS, cause_unknown)


__all__ = [
    n for n in dir() if n.startswith(("param", "cause", "PTYPE_", "CCODE_", "RECONFIG_"))
] + [
    "PARAM_CLASSES",
    "CAUSE_CLASSES",
    "PARAM_TABLE",
    "CAUSE_TABLE",
    "PARAM_DECODERS",
    "decode_params",
    "decode_causes",
]
