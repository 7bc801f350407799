"""SCTP chunks: the units bundled after the SCTP common header.

Every chunk starts with an 8-bit type, 8 bits of flags and a 16-bit length
that counts the 4-byte chunk header and the value but not the zero padding
that brings the chunk to a multiple of 4 bytes; the last chunk of a packet is
padded too (RFC 9260 section 3.2).

Implemented: RFC 9260 section 3.3 (DATA, INIT, INIT ACK, SACK, HEARTBEAT,
HEARTBEAT ACK, ABORT, SHUTDOWN, SHUTDOWN ACK, ERROR, COOKIE ECHO, COOKIE ACK,
SHUTDOWN COMPLETE); RFC 4960 Appendix A (ECNE, CWR; RFC 9260 only reserves
their types); RFC 7053 (the I bit of DATA);
RFC 3758 section 3.2 (FORWARD TSN); RFC 4820 section 3 (PAD); RFC 4895
section 5.1 (AUTH); RFC 5061 section 3.1 (ASCONF, ASCONF-ACK); RFC 6525
section 3.1 (RE-CONFIG); RFC 8260 sections 2.1 and 2.3.1 (I-DATA, I-FORWARD-TSN).

Decoding rules:

* a chunk whose length is below 4 or below the fixed part of its type, or
  differs from the only length its type allows, raises
  :class:`~.errors.PacketFieldError`; one whose length runs past the end of
  the packet raises :class:`~.errors.PacketTruncatedError` (so decoding
  always advances and always ends);
* a DATA or I-DATA chunk without user data (length 16, resp. 20) decodes with
  ``payload_data == b""``: RFC 9260 6.2 has the receiver abort with a
  "No User Data" cause, and a monitor needs to see the chunk to say so;
* a chunk type this module does not know becomes :class:`chunk_unknown`,
  keeping type, flags and bytes; ``skip``/``report`` give the action the two
  upper bits of the type ask of a receiver (RFC 9260 3.2);
* flag bits a type leaves reserved are ignored on decode and sent as 0,
  except for chunk classes with a plain ``flags`` attribute, which keep all 8.

A ``length`` (or count) of 0 means "compute when encoding"; encoding never
changes the object.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar

from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError, PacketTruncatedError
from ctrlapp.lib.packet.sctp_params import (
    DECODE_FAILURES,
    PAD,
    decode_causes,
    decode_params,
    pack_tlvs,
)
from ctrlapp.lib.stringify import StringifyMixin

TYPE_DATA = 0
TYPE_INIT = 1
TYPE_INIT_ACK = 2
TYPE_SACK = 3
TYPE_HEARTBEAT = 4
TYPE_HEARTBEAT_ACK = 5
TYPE_ABORT = 6
TYPE_SHUTDOWN = 7
TYPE_SHUTDOWN_ACK = 8
TYPE_ERROR = 9
TYPE_COOKIE_ECHO = 10
TYPE_COOKIE_ACK = 11
TYPE_ECN_ECHO = 12
TYPE_CWR = 13
TYPE_SHUTDOWN_COMPLETE = 14
TYPE_AUTH = 15
TYPE_IDATA = 64
TYPE_ASCONF_ACK = 128
TYPE_RECONFIG = 130
TYPE_PAD = 132
TYPE_FORWARD_TSN = 192
TYPE_ASCONF = 193
TYPE_IFORWARD_TSN = 194

_CHDR = struct.Struct("!BBH")
_DATA = struct.Struct("!BBHIHHI")
_IDATA = struct.Struct("!BBHIH2xII")
_INIT = struct.Struct("!BBHIIHHI")
_SACK = struct.Struct("!BBHIIHH")
_CHDR_U32 = struct.Struct("!BBHI")
_AUTH = struct.Struct("!BBHHH")
_U32 = struct.Struct("!I")
# (U, B, E, I) bits of a DATA / I-DATA flags byte, looked up rather than shifted out.
_DATA_FLAGS = [((f >> 2) & 1, (f >> 1) & 1, f & 1, (f >> 3) & 1) for f in range(256)]


def _bad_length(cls: type, length: int, available: int) -> PacketParseError:
    name = cls.__name__
    if length > available:
        return PacketTruncatedError(f"length {length} runs past the {available} bytes left", name)
    return PacketFieldError(f"length {length} does not fit the chunk layout", name)


class chunk(StringifyMixin):
    """Base class of the chunks (RFC 9260 3.2)."""

    __slots__ = ("length",)
    _CTYPE: ClassVar[int] = -1
    _MIN_LEN: ClassVar[int] = 4
    # True when _MIN_LEN is the only length the type allows.
    _FIXED: ClassVar[bool] = False

    @classmethod
    def chunk_type(cls) -> int:
        return cls._CTYPE

    @classmethod
    def _decode(cls, buf: bytes, off: int, n: int) -> Any:
        """Decode the chunk at ``buf[off:]``; ``n`` is where the packet ends."""
        _, flags, length = _CHDR.unpack_from(buf, off)
        end = off + length
        if length < cls._MIN_LEN or end > n or (cls._FIXED and length != cls._MIN_LEN):
            raise _bad_length(cls, length, n - off)
        self = cls.__new__(cls)
        self.length = length
        self._read(flags, buf, off, end)
        return self

    def _read(self, flags: int, buf: bytes, off: int, end: int) -> None:
        self.flags = flags

    def _flags(self) -> int:
        return self.flags

    def _code(self) -> int:
        return self._CTYPE

    def _value(self) -> bytes:
        return b""

    def serialize(self) -> bytes:
        """Encode, padded to a multiple of 4 bytes."""
        value = self._value()
        data = _CHDR.pack(self._code(), self._flags(), self.length or 4 + len(value)) + value
        return data + PAD[len(data) & 3]

    @classmethod
    def parser(cls, buf: bytes) -> Any:
        """Decode the chunk at the start of ``buf``; raises only PacketParseError."""
        buf = bytes(buf)
        try:
            if not buf:
                raise PacketTruncatedError("empty buffer", cls.__name__)
            klass = CHUNK_TABLE[buf[0]] if cls is chunk else cls
            return klass._decode(buf, 0, len(buf))
        except PacketParseError:
            raise
        except DECODE_FAILURES as exc:
            raise PacketParseError(f"{type(exc).__name__}: {exc}", cls.__name__) from exc

    def __len__(self) -> int:
        length = self.length or len(self.serialize())
        return (length + 3) & ~3


class _flags_only(chunk):
    __slots__ = ("flags",)
    _FIXED = True

    def __init__(self, flags: int = 0, length: int = 0):
        self.flags = flags
        self.length = length


class _flags_tsn(chunk):
    """Flags and one 32-bit TSN, kept under the attribute name ``_TSN_NAME``."""

    __slots__ = ("flags",)
    _MIN_LEN = 8
    _FIXED = True
    _TSN_NAME: ClassVar[str]

    def _read(self, flags, buf, off, end):
        self.flags = flags
        setattr(self, self._TSN_NAME, _U32.unpack_from(buf, off + 4)[0])

    def _value(self):
        return _U32.pack(getattr(self, self._TSN_NAME))


class _tflag_only(chunk):
    __slots__ = ("tflag",)
    _FIXED = True

    def __init__(self, tflag: int = 0, length: int = 0):
        self.tflag = tflag
        self.length = length

    def _read(self, flags, buf, off, end):
        self.tflag = flags & 1

    def _flags(self):
        return self.tflag & 1


class _bytes_chunk(chunk):
    """Flags and an opaque value kept under the attribute name ``_VALUE_NAME``."""

    __slots__ = ("flags",)
    _VALUE_NAME: ClassVar[str]

    def _read(self, flags, buf, off, end):
        self.flags = flags
        setattr(self, self._VALUE_NAME, buf[off + 4 : end])

    def _value(self):
        return bytes(getattr(self, self._VALUE_NAME))


class _params_chunk(chunk):
    __slots__ = ("flags", "params")

    def __init__(self, flags: int = 0, length: int = 0, params: list | None = None):
        self.flags = flags
        self.length = length
        self.params = [] if params is None else params

    def _read(self, flags, buf, off, end):
        self.flags = flags
        self.params = decode_params(buf, off + 4, end)

    def _value(self):
        return pack_tlvs(self.params)


class chunk_data(chunk):
    """Payload Data (DATA, RFC 9260 3.3.1).

    ``unordered``, ``begin``, ``end`` are the U, B, E bits; ``immediate`` is the
    I bit of RFC 7053.  ``payload_id`` is the Payload Protocol Identifier.
    """

    __slots__ = (
        "unordered",
        "begin",
        "end",
        "immediate",
        "tsn",
        "sid",
        "seq",
        "payload_id",
        "payload_data",
    )
    _CTYPE = TYPE_DATA
    _MIN_LEN = 16

    def __init__(
        self,
        unordered: int = 0,
        begin: int = 0,
        end: int = 0,
        length: int = 0,
        tsn: int = 0,
        sid: int = 0,
        seq: int = 0,
        payload_id: int = 0,
        payload_data: bytes | None = None,
        immediate: int = 0,
    ):
        self.unordered = unordered
        self.begin = begin
        self.end = end
        self.length = length
        self.tsn = tsn
        self.sid = sid
        self.seq = seq
        self.payload_id = payload_id
        self.payload_data = b"" if payload_data is None else payload_data
        self.immediate = immediate

    @classmethod
    def _decode(cls, buf, off, n):
        _, flags, length, tsn, sid, seq, ppid = _DATA.unpack_from(buf, off)
        end = off + length
        if length < 16 or end > n:
            raise _bad_length(cls, length, n - off)
        self = cls.__new__(cls)
        self.unordered, self.begin, self.end, self.immediate = _DATA_FLAGS[flags]
        self.length = length
        self.tsn = tsn
        self.sid = sid
        self.seq = seq
        self.payload_id = ppid
        self.payload_data = buf[off + 16 : end]
        return self

    def serialize(self) -> bytes:
        data = self.payload_data
        flags = (self.immediate << 3) | (self.unordered << 2) | (self.begin << 1) | self.end
        return (
            _DATA.pack(
                TYPE_DATA,
                flags,
                self.length or 16 + len(data),
                self.tsn,
                self.sid,
                self.seq,
                self.payload_id,
            )
            + data
            + PAD[len(data) & 3]
        )


class chunk_idata(chunk):
    """I-DATA (RFC 8260 2.1).

    ``mid`` is the Message Identifier.  The word after it is the Payload
    Protocol Identifier on the first fragment (``begin`` set: ``payload_id``)
    and the Fragment Sequence Number on the others (``fsn``); the attribute
    that is not on the wire is 0.
    """

    __slots__ = (
        "unordered",
        "begin",
        "end",
        "immediate",
        "tsn",
        "sid",
        "mid",
        "payload_id",
        "fsn",
        "payload_data",
    )
    _CTYPE = TYPE_IDATA
    _MIN_LEN = 20

    def __init__(
        self,
        unordered: int = 0,
        begin: int = 0,
        end: int = 0,
        length: int = 0,
        tsn: int = 0,
        sid: int = 0,
        mid: int = 0,
        payload_id: int = 0,
        fsn: int = 0,
        payload_data: bytes | None = None,
        immediate: int = 0,
    ):
        self.unordered = unordered
        self.begin = begin
        self.end = end
        self.length = length
        self.tsn = tsn
        self.sid = sid
        self.mid = mid
        self.payload_id = payload_id
        self.fsn = fsn
        self.payload_data = b"" if payload_data is None else payload_data
        self.immediate = immediate

    @classmethod
    def _decode(cls, buf, off, n):
        _, flags, length, tsn, sid, mid, word = _IDATA.unpack_from(buf, off)
        end = off + length
        if length < 20 or end > n:
            raise _bad_length(cls, length, n - off)
        self = cls.__new__(cls)
        self.unordered, begin, self.end, self.immediate = _DATA_FLAGS[flags]
        self.begin = begin
        self.length = length
        self.tsn = tsn
        self.sid = sid
        self.mid = mid
        self.payload_id = word if begin else 0
        self.fsn = 0 if begin else word
        self.payload_data = buf[off + 20 : end]
        return self

    def serialize(self) -> bytes:
        data = self.payload_data
        flags = (self.immediate << 3) | (self.unordered << 2) | (self.begin << 1) | self.end
        return (
            _IDATA.pack(
                TYPE_IDATA,
                flags,
                self.length or 20 + len(data),
                self.tsn,
                self.sid,
                self.mid,
                self.payload_id if self.begin else self.fsn,
            )
            + data
            + PAD[len(data) & 3]
        )


class _init_base(chunk):
    __slots__ = ("flags", "init_tag", "a_rwnd", "os", "mis", "i_tsn", "params")
    _MIN_LEN = 20

    def __init__(
        self,
        flags: int = 0,
        length: int = 0,
        init_tag: int = 0,
        a_rwnd: int = 0,
        os: int = 0,
        mis: int = 0,
        i_tsn: int = 0,
        params: list | None = None,
    ):
        self.flags = flags
        self.length = length
        self.init_tag = init_tag
        self.a_rwnd = a_rwnd
        self.os = os
        self.mis = mis
        self.i_tsn = i_tsn
        self.params = [] if params is None else params

    @classmethod
    def _decode(cls, buf, off, n):
        _, flags, length, tag, a_rwnd, os, mis, i_tsn = _INIT.unpack_from(buf, off)
        end = off + length
        if length < 20 or end > n:
            raise _bad_length(cls, length, n - off)
        self = cls.__new__(cls)
        self.flags = flags
        self.length = length
        self.init_tag = tag
        self.a_rwnd = a_rwnd
        self.os = os
        self.mis = mis
        self.i_tsn = i_tsn
        self.params = decode_params(buf, off + 20, end)
        return self

    def serialize(self) -> bytes:
        params = pack_tlvs(self.params)
        return (
            _INIT.pack(
                self._CTYPE,
                self.flags,
                self.length or 20 + len(params),
                self.init_tag,
                self.a_rwnd,
                self.os,
                self.mis,
                self.i_tsn,
            )
            + params
            + PAD[len(params) & 3]
        )


class chunk_init(_init_base):
    """Initiation (INIT, RFC 9260 3.3.2): ``os``/``mis`` are the outbound/inbound stream counts."""

    __slots__ = ()
    _CTYPE = TYPE_INIT


class chunk_init_ack(_init_base):
    """Initiation Acknowledgement (INIT ACK, RFC 9260 3.3.3); ``params`` holds the State Cookie."""

    __slots__ = ()
    _CTYPE = TYPE_INIT_ACK


class chunk_sack(chunk):
    """Selective Acknowledgement (SACK, RFC 9260 3.3.4).

    ``gapacks`` is a list of ``[start, end]`` offsets from ``tsn_ack``;
    ``duptsns`` a list of TSNs.  The counts (0: compute) must agree with the
    length on decode.
    """

    __slots__ = ("flags", "tsn_ack", "a_rwnd", "gapack_num", "duptsn_num", "gapacks", "duptsns")
    _CTYPE = TYPE_SACK
    _MIN_LEN = 16

    def __init__(
        self,
        flags: int = 0,
        length: int = 0,
        tsn_ack: int = 0,
        a_rwnd: int = 0,
        gapack_num: int = 0,
        duptsn_num: int = 0,
        gapacks: list | None = None,
        duptsns: list | None = None,
    ):
        self.flags = flags
        self.length = length
        self.tsn_ack = tsn_ack
        self.a_rwnd = a_rwnd
        self.gapack_num = gapack_num
        self.duptsn_num = duptsn_num
        self.gapacks = [] if gapacks is None else gapacks
        self.duptsns = [] if duptsns is None else duptsns

    @classmethod
    def _decode(cls, buf, off, n):
        _, flags, length, tsn_ack, a_rwnd, ngap, ndup = _SACK.unpack_from(buf, off)
        if length != 16 + 4 * (ngap + ndup) or off + length > n:
            raise _bad_length(cls, length, n - off)
        self = cls.__new__(cls)
        self.flags = flags
        self.length = length
        self.tsn_ack = tsn_ack
        self.a_rwnd = a_rwnd
        self.gapack_num = ngap
        self.duptsn_num = ndup
        if ngap or ndup:
            values = struct.unpack_from(f"!{2 * ngap}H{ndup}I", buf, off + 16)
            pairs = iter(values[: 2 * ngap])
            self.gapacks = [[s, e] for s, e in zip(pairs, pairs, strict=True)]
            self.duptsns = list(values[2 * ngap :])
        else:
            self.gapacks = []
            self.duptsns = []
        return self

    def serialize(self) -> bytes:
        gapacks = self.gapacks
        duptsns = self.duptsns
        ngap = len(gapacks)
        ndup = len(duptsns)
        hdr = _SACK.pack(
            TYPE_SACK,
            self.flags,
            self.length or 16 + 4 * (ngap + ndup),
            self.tsn_ack,
            self.a_rwnd,
            self.gapack_num or ngap,
            self.duptsn_num or ndup,
        )
        if not (ngap or ndup):
            return hdr
        flat = [v for block in gapacks for v in block]
        return hdr + struct.pack(f"!{2 * ngap}H{ndup}I", *flat, *duptsns)


class _heartbeat_base(chunk):
    __slots__ = ("flags", "info")

    def __init__(self, flags: int = 0, length: int = 0, info: Any = None):
        self.flags = flags
        self.length = length
        self.info = info

    def _read(self, flags, buf, off, end):
        self.flags = flags
        params = decode_params(buf, off + 4, end)
        if len(params) > 1:
            raise PacketFieldError("more than one parameter", type(self).__name__)
        self.info = params[0] if params else None

    def _value(self):
        return self.info._pack() if self.info is not None else b""


class chunk_heartbeat(_heartbeat_base):
    """Heartbeat Request (HEARTBEAT, RFC 9260 3.3.5): ``info`` is a param_heartbeat."""

    __slots__ = ()
    _CTYPE = TYPE_HEARTBEAT


class chunk_heartbeat_ack(_heartbeat_base):
    """Heartbeat Acknowledgement (HEARTBEAT ACK, RFC 9260 3.3.6): ``info`` is a param_heartbeat."""

    __slots__ = ()
    _CTYPE = TYPE_HEARTBEAT_ACK


class _causes_chunk(chunk):
    __slots__ = ()

    def _value(self):
        return pack_tlvs(self.causes)


class chunk_abort(_causes_chunk):
    """Abort Association (ABORT, RFC 9260 3.3.7).

    ``tflag`` 1 means the verification tag is the one of the sender (reflected).
    """

    __slots__ = ("tflag", "causes")
    _CTYPE = TYPE_ABORT

    def __init__(self, tflag: int = 0, length: int = 0, causes: list | None = None):
        self.tflag = tflag
        self.length = length
        self.causes = [] if causes is None else causes

    def _read(self, flags, buf, off, end):
        self.tflag = flags & 1
        self.causes = decode_causes(buf, off + 4, end)

    def _flags(self):
        return self.tflag & 1


class chunk_error(_causes_chunk):
    """Operation Error (ERROR, RFC 9260 3.3.10): ``causes`` is a list of cause_* objects."""

    __slots__ = ("flags", "causes")
    _CTYPE = TYPE_ERROR

    def __init__(self, flags: int = 0, length: int = 0, causes: list | None = None):
        self.flags = flags
        self.length = length
        self.causes = [] if causes is None else causes

    def _read(self, flags, buf, off, end):
        self.flags = flags
        self.causes = decode_causes(buf, off + 4, end)


class chunk_shutdown(_flags_tsn):
    """Shutdown Association (SHUTDOWN, RFC 9260 3.3.8)."""

    __slots__ = ("tsn_ack",)
    _CTYPE = TYPE_SHUTDOWN
    _TSN_NAME = "tsn_ack"

    def __init__(self, flags: int = 0, length: int = 0, tsn_ack: int = 0):
        self.flags = flags
        self.length = length
        self.tsn_ack = tsn_ack


class chunk_shutdown_ack(_flags_only):
    """Shutdown Acknowledgement (SHUTDOWN ACK, RFC 9260 3.3.9)."""

    __slots__ = ()
    _CTYPE = TYPE_SHUTDOWN_ACK


class chunk_cookie_echo(_bytes_chunk):
    """State Cookie (COOKIE ECHO, RFC 9260 3.3.11): ``cookie`` is the cookie from the INIT ACK."""

    __slots__ = ("cookie",)
    _CTYPE = TYPE_COOKIE_ECHO
    _VALUE_NAME = "cookie"

    def __init__(self, flags: int = 0, length: int = 0, cookie: bytes | None = None):
        self.flags = flags
        self.length = length
        self.cookie = b"" if cookie is None else cookie


class chunk_cookie_ack(_flags_only):
    """Cookie Acknowledgement (COOKIE ACK, RFC 9260 3.3.12)."""

    __slots__ = ()
    _CTYPE = TYPE_COOKIE_ACK


class chunk_ecn_echo(_flags_tsn):
    """Explicit Congestion Notification Echo (ECNE, RFC 4960 Appendix A)."""

    __slots__ = ("low_tsn",)
    _CTYPE = TYPE_ECN_ECHO
    _TSN_NAME = "low_tsn"

    def __init__(self, flags: int = 0, length: int = 0, low_tsn: int = 0):
        self.flags = flags
        self.length = length
        self.low_tsn = low_tsn


class chunk_cwr(_flags_tsn):
    """Congestion Window Reduced (CWR, RFC 4960 Appendix A)."""

    __slots__ = ("low_tsn",)
    _CTYPE = TYPE_CWR
    _TSN_NAME = "low_tsn"

    def __init__(self, flags: int = 0, length: int = 0, low_tsn: int = 0):
        self.flags = flags
        self.length = length
        self.low_tsn = low_tsn


class chunk_shutdown_complete(_tflag_only):
    """Shutdown Complete (SHUTDOWN COMPLETE, RFC 9260 3.3.13); ``tflag`` as in ABORT."""

    __slots__ = ()
    _CTYPE = TYPE_SHUTDOWN_COMPLETE


class chunk_auth(chunk):
    """Authentication (AUTH, RFC 4895 5.1): ``hmac`` is the HMAC value as bytes."""

    __slots__ = ("flags", "shared_key_id", "hmac_id", "hmac")
    _CTYPE = TYPE_AUTH
    _MIN_LEN = 8

    def __init__(
        self,
        flags: int = 0,
        length: int = 0,
        shared_key_id: int = 0,
        hmac_id: int = 0,
        hmac: bytes | None = None,
    ):
        self.flags = flags
        self.length = length
        self.shared_key_id = shared_key_id
        self.hmac_id = hmac_id
        self.hmac = b"" if hmac is None else hmac

    def _read(self, flags, buf, off, end):
        self.flags = flags
        _, _, _, self.shared_key_id, self.hmac_id = _AUTH.unpack_from(buf, off)
        self.hmac = buf[off + 8 : end]

    def serialize(self) -> bytes:
        hmac = bytes(self.hmac)
        return (
            _AUTH.pack(
                TYPE_AUTH,
                self.flags,
                self.length or 8 + len(hmac),
                self.shared_key_id,
                self.hmac_id,
            )
            + hmac
            + PAD[len(hmac) & 3]
        )


class _serial_params_chunk(chunk):
    __slots__ = ("flags", "serial", "params")
    _MIN_LEN = 8

    def __init__(
        self, flags: int = 0, length: int = 0, serial: int = 0, params: list | None = None
    ):
        self.flags = flags
        self.length = length
        self.serial = serial
        self.params = [] if params is None else params

    def _read(self, flags, buf, off, end):
        self.flags = flags
        (self.serial,) = _U32.unpack_from(buf, off + 4)
        self.params = decode_params(buf, off + 8, end)

    def _value(self):
        return _U32.pack(self.serial) + pack_tlvs(self.params)


class chunk_asconf(_serial_params_chunk):
    """Address Configuration Change (ASCONF, RFC 5061 3.1.1).

    ``serial`` is the Sequence Number; ``params[0]`` is the Address Parameter
    (param_ipv4/param_ipv6), the rest are the ASCONF request parameters.
    """

    __slots__ = ()
    _CTYPE = TYPE_ASCONF


class chunk_asconf_ack(_serial_params_chunk):
    """Address Configuration Acknowledgement (ASCONF-ACK, RFC 5061 3.1.2)."""

    __slots__ = ()
    _CTYPE = TYPE_ASCONF_ACK


class chunk_reconfig(_params_chunk):
    """Re-configuration (RE-CONFIG, RFC 6525 3.1): ``params`` holds one or two request/response parameters."""

    __slots__ = ()
    _CTYPE = TYPE_RECONFIG


class chunk_pad(_bytes_chunk):
    """Padding (PAD, RFC 4820 3): ``padding`` is the padding data, ignored by the receiver."""

    __slots__ = ("padding",)
    _CTYPE = TYPE_PAD
    _VALUE_NAME = "padding"

    def __init__(self, flags: int = 0, length: int = 0, padding: bytes | None = None):
        self.flags = flags
        self.length = length
        self.padding = b"" if padding is None else padding


class chunk_forward_tsn(chunk):
    """Forward Cumulative TSN (FORWARD TSN, RFC 3758 3.2).

    ``streams`` is a list of ``[stream id, stream sequence number]``.
    """

    __slots__ = ("flags", "new_tsn", "streams")
    _CTYPE = TYPE_FORWARD_TSN
    _MIN_LEN = 8
    _ENTRY = "HH"

    def __init__(
        self, flags: int = 0, length: int = 0, new_tsn: int = 0, streams: list | None = None
    ):
        self.flags = flags
        self.length = length
        self.new_tsn = new_tsn
        self.streams = [] if streams is None else streams

    def _read(self, flags, buf, off, end):
        if (end - off) & 3:
            raise PacketFieldError("stream entries are not whole", type(self).__name__)
        self.flags = flags
        (self.new_tsn,) = _U32.unpack_from(buf, off + 4)
        count = (end - off - 8) >> 2
        values = struct.unpack_from("!" + self._ENTRY * count, buf, off + 8)
        self.streams = [list(values[i : i + 2]) for i in range(0, 2 * count, 2)]

    def _value(self):
        flat = [v for entry in self.streams for v in entry]
        return _U32.pack(self.new_tsn) + struct.pack("!" + self._ENTRY * len(self.streams), *flat)


class chunk_iforward_tsn(chunk):
    """I-FORWARD-TSN (RFC 8260 2.3.1).

    ``streams`` is a list of ``[stream id, unordered (0/1), message identifier]``.
    """

    __slots__ = ("flags", "new_tsn", "streams")
    _CTYPE = TYPE_IFORWARD_TSN
    _MIN_LEN = 8

    def __init__(
        self, flags: int = 0, length: int = 0, new_tsn: int = 0, streams: list | None = None
    ):
        self.flags = flags
        self.length = length
        self.new_tsn = new_tsn
        self.streams = [] if streams is None else streams

    def _read(self, flags, buf, off, end):
        if (end - off - 8) % 8:
            raise PacketFieldError("stream entries are not whole", type(self).__name__)
        self.flags = flags
        (self.new_tsn,) = _U32.unpack_from(buf, off + 4)
        count = (end - off - 8) >> 3
        values = struct.unpack_from("!" + "HHI" * count, buf, off + 8)
        # The middle word is 15 reserved bits and the U bit; only U is kept.
        self.streams = [
            [values[i], values[i + 1] & 1, values[i + 2]] for i in range(0, 3 * count, 3)
        ]

    def _value(self):
        flat = [v for sid, u, mid in self.streams for v in (sid, u & 1, mid)]
        return _U32.pack(self.new_tsn) + struct.pack("!" + "HHI" * len(self.streams), *flat)


class chunk_unknown(chunk):
    """A chunk type this library does not know, kept as bytes.

    ``skip`` (bit 0x80 of the type) says a receiver skips it and goes on with
    the next chunk instead of discarding the packet; ``report`` (bit 0x40)
    that it reports the chunk in an "Unrecognized Chunk Type" cause
    (RFC 9260 3.2).
    """

    __slots__ = ("type_", "flags", "value")

    def __init__(self, type_: int = 0, flags: int = 0, length: int = 0, value: bytes | None = None):
        self.type_ = type_
        self.flags = flags
        self.length = length
        self.value = b"" if value is None else value

    def _read(self, flags, buf, off, end):
        self.type_ = buf[off]
        self.flags = flags
        self.value = buf[off + 4 : end]

    def _code(self):
        return self.type_

    def _value(self):
        return bytes(self.value)

    @property
    def skip(self) -> bool:
        return bool(self.type_ & 0x80)

    @property
    def report(self) -> bool:
        return bool(self.type_ & 0x40)


CHUNK_CLASSES = (
    chunk_data,
    chunk_init,
    chunk_init_ack,
    chunk_sack,
    chunk_heartbeat,
    chunk_heartbeat_ack,
    chunk_abort,
    chunk_shutdown,
    chunk_shutdown_ack,
    chunk_error,
    chunk_cookie_echo,
    chunk_cookie_ack,
    chunk_ecn_echo,
    chunk_cwr,
    chunk_shutdown_complete,
    chunk_auth,
    chunk_idata,
    chunk_asconf_ack,
    chunk_reconfig,
    chunk_pad,
    chunk_forward_tsn,
    chunk_asconf,
    chunk_iforward_tsn,
)
# Indexed by the type byte: a list lookup is the cheapest dispatch per chunk.
CHUNK_TABLE: list[type] = [chunk_unknown] * 256
for _cls in CHUNK_CLASSES:
    CHUNK_TABLE[_cls._CTYPE] = _cls
del _cls
# The bound decoders, so that a chunk costs no attribute lookup to dispatch.
CHUNK_DECODERS = [cls._decode for cls in CHUNK_TABLE]

__all__ = [n for n in dir() if n.startswith(("chunk", "TYPE_"))] + [
    "CHUNK_CLASSES",
    "CHUNK_TABLE",
    "CHUNK_DECODERS",
]
