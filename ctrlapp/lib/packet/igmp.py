"""IGMP messages: v1 (RFC 1112 appendix I), v2 (RFC 2236 §2) and v3 (RFC 3376 §4).

:class:`igmp` is the 8-byte message of IGMPv1/v2 (queries, reports, the v2
Leave Group); :class:`igmpv3_query` the v3 Membership Query (RFC 3376 §4.1);
:class:`igmpv3_report` the v3 Membership Report (§4.2) with its
:class:`igmpv3_report_group` records.  ``igmp.parser`` is registered for IP
protocol 2 and picks the class by type and length as RFC 3376 §7.1 says: a
Query of 8 bytes is v1/v2, one of 12 bytes or more is v3, and any other length
is rejected with :class:`~ctrlapp.lib.packet.errors.PacketFieldError`.
Other message types (DVMRP, mtrace ...) are decoded as the 8-byte
:class:`igmp` header with the rest kept as payload.

The checksum (RFC 1071) covers the whole IGMP message; 0 means compute when
encoding.  The Max Resp Code and QQIC of a v3 query are kept as the codes on
the wire; :func:`decode_code` / :func:`encode_code` convert them to and from
times (the floating-point form of RFC 3376 §4.1.1 and §4.1.7).
"""

from __future__ import annotations

import functools
import socket
import struct

from ctrlapp.lib import addrconv
from ctrlapp.lib.packet import in_proto, ipv4, packet_base
from ctrlapp.lib.packet.checksum import checksum
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError
from ctrlapp.lib.stringify import StringifyMixin

IGMP_TYPE_QUERY = 0x11
IGMP_TYPE_REPORT_V1 = 0x12
IGMP_TYPE_REPORT_V2 = 0x16
IGMP_TYPE_LEAVE = 0x17
IGMP_TYPE_REPORT_V3 = 0x22

QUERY_RESPONSE_INTERVAL = 10.0
LAST_MEMBER_QUERY_INTERVAL = 1.0

MULTICAST_IP_ALL_HOST = "224.0.0.1"
MULTICAST_MAC_ALL_HOST = "01:00:5e:00:00:01"
MULTICAST_IP_ALL_ROUTERS = "224.0.0.2"
MULTICAST_IP_IGMPV3_ROUTERS = "224.0.0.22"

# Group record types (RFC 3376 §4.2.12)
MODE_IS_INCLUDE = 1
MODE_IS_EXCLUDE = 2
CHANGE_TO_INCLUDE_MODE = 3
CHANGE_TO_EXCLUDE_MODE = 4
ALLOW_NEW_SOURCES = 5
BLOCK_OLD_SOURCES = 6

_HDR = struct.Struct("!BBH4s")  # type, max resp / reserved, checksum, group
_V3Q_TAIL = struct.Struct("!BBH")  # resv|S|QRV, QQIC, number of sources
_V3R_HDR = struct.Struct("!BxH2xH")
_REC_HDR = struct.Struct("!BBH4s")
_CODE_MAX = (0x0F | 0x10) << (7 + 3)  # 31744, the largest time a code can hold

# Group and source addresses repeat from message to message; caching their
# text form halves the cost of decoding a report.
_ntoa = functools.lru_cache(maxsize=4096)(socket.inet_ntoa)
_SRC_STRUCTS = [struct.Struct("!" + "4s" * n) for n in range(17)]
_aton = addrconv.ipv4.text_to_bin
_CSUM = struct.Struct("!H")


def decode_code(code: int) -> int:
    """Time held by a Max Resp Code or QQIC (RFC 3376 §4.1.1, §4.1.7).

    Codes below 128 are the time itself; from 128 on the code is
    ``1 | exp(3) | mant(4)`` and the time ``(mant | 0x10) << (exp + 3)``.
    The unit is the field's: 1/10 s for Max Resp Code, seconds for QQIC.
    """
    if code < 128:
        return code
    return ((code & 0x0F) | 0x10) << (((code >> 4) & 0x07) + 3)


def encode_code(value: int) -> int:
    """The code for ``value`` (1/10 s or seconds), inverse of :func:`decode_code`.

    A time that has no exact code gets the code of the largest time below it,
    so a host never waits longer than the querier asked; times above 31744 get
    the largest code, 0xFF.
    """
    if value < 0:
        raise ValueError(f"negative time {value}")
    if value < 128:
        return int(value)
    if value >= _CODE_MAX:
        return 0xFF
    value = int(value)
    exp = value.bit_length() - 5 - 3  # value has its top bit at position exp + 3 + 4
    mant = (value >> (exp + 3)) & 0x0F
    return 0x80 | (exp << 4) | mant


def _message_length(buf, prev) -> int:
    """How much of ``buf`` is the IGMP message: the IP payload when the IP header says so."""
    if isinstance(prev, ipv4.ipv4) and prev.total_length:
        n = prev.total_length - prev.header_length * 4
        if 0 < n <= len(buf):
            return n
    return len(buf)


class igmp(packet_base.PacketBase):
    """IGMPv1/v2 message (RFC 1112, RFC 2236): query, report, leave.

    ========= ==================================================
    Attribute Description
    ========= ==================================================
    msgtype   message type (0x11 query, 0x12/0x16 report, 0x17 leave)
    maxresp   max response time in 1/10 s (queries; 0 in v1)
    csum      checksum (0 means compute when encoding)
    address   group address
    ========= ==================================================
    """

    __slots__ = ("msgtype", "maxresp", "csum", "address")
    _MIN_LEN = _HDR.size
    _TYPE = {"ascii": ["address"]}

    def __init__(
        self,
        msgtype: int = IGMP_TYPE_QUERY,
        maxresp: int = 0,
        csum: int = 0,
        address: str = "0.0.0.0",
    ):
        self.msgtype = msgtype
        self.maxresp = maxresp
        self.csum = csum
        self.address = address

    @classmethod
    def parser(cls, buf):
        n = len(buf)
        if n < 8:
            raise PacketTruncatedError(f"need 8 bytes, have {n}", "igmp")
        if type(buf) is not bytes:
            buf = bytes(buf)
        msgtype = buf[0]
        if msgtype == IGMP_TYPE_REPORT_V3:
            return igmpv3_report._decode(buf)
        if msgtype == IGMP_TYPE_QUERY and n != 8:
            if n < 12:
                # RFC 3376 §7.1: a query of 9 to 11 bytes is neither v2 nor v3.
                raise PacketFieldError(f"a query of {n} bytes is neither v1/v2 nor v3", "igmp")
            return igmpv3_query._decode(buf)
        self = igmp.__new__(igmp)
        self.msgtype, self.maxresp, self.csum, group = _HDR.unpack_from(buf)
        self.address = _ntoa(group)
        return self, None, buf[8:]

    def serialize(self, payload, prev):
        hdr = _HDR.pack(self.msgtype, self.maxresp, self.csum, _aton(self.address))
        return _with_checksum(hdr, self.csum, payload)

    def checksum_ok(self, buf, prev) -> bool:
        return checksum(bytes(buf[: _message_length(buf, prev)])) == 0


def _with_checksum(msg: bytes | bytearray, csum: int, payload) -> bytearray:
    out = msg if type(msg) is bytearray else bytearray(msg)
    if not csum:
        _CSUM.pack_into(out, 2, checksum(msg + bytes(payload)) if payload else checksum(msg))
    return out


def _addresses(buf, off: int, count: int) -> list[str]:
    if count <= 16:
        return list(map(_ntoa, _SRC_STRUCTS[count].unpack_from(buf, off)))
    return [_ntoa(bytes(buf[i : i + 4])) for i in range(off, off + 4 * count, 4)]


def _addresses_bin(srcs) -> bytes:
    return b"".join(map(_aton, srcs))


class igmpv3_query(igmp):
    """IGMPv3 Membership Query (RFC 3376 §4.1).

    ========= =============================================================
    Attribute Description
    ========= =============================================================
    msgtype   0x11
    maxresp   Max Resp Code (see :attr:`max_resp_time`)
    csum      checksum (0 means compute when encoding)
    address   group address ('0.0.0.0' in a general query)
    s_flg     Suppress Router-Side Processing flag
    qrv       Querier's Robustness Variable (0-7)
    qqic      Querier's Query Interval Code (see :attr:`qqi`)
    num       number of sources (0 means compute when encoding)
    srcs      list of source addresses
    ========= =============================================================
    """

    __slots__ = ("s_flg", "qrv", "qqic", "num", "srcs")
    _MIN_LEN = 12
    _TYPE = {"ascii": ["address", "srcs"]}

    def __init__(
        self,
        msgtype: int = IGMP_TYPE_QUERY,
        maxresp: int = 100,
        csum: int = 0,
        address: str = "0.0.0.0",
        s_flg: int = 0,
        qrv: int = 2,
        qqic: int = 0,
        num: int = 0,
        srcs: list[str] | None = None,
    ):
        super().__init__(msgtype, maxresp, csum, address)
        self.s_flg = s_flg
        self.qrv = qrv
        self.qqic = qqic
        self.num = num
        self.srcs = srcs if srcs is not None else []

    @classmethod
    def _decode(cls, buf):
        if len(buf) < 12:
            raise PacketTruncatedError(f"a v3 query needs 12 bytes, have {len(buf)}", "igmp")
        self = cls.__new__(cls)
        self.msgtype, self.maxresp, self.csum, group = _HDR.unpack_from(buf)
        self.address = _ntoa(group)
        flags, self.qqic, num = _V3Q_TAIL.unpack_from(buf, 8)
        self.s_flg = (flags >> 3) & 1
        self.qrv = flags & 0x07
        self.num = num
        end = 12 + 4 * num
        if end > len(buf):
            raise PacketTruncatedError(f"{num} sources need {end} bytes, have {len(buf)}", "igmp")
        self.srcs = _addresses(buf, 12, num)
        return self, None, buf[end:]

    @classmethod
    def parser(cls, buf):
        return cls._decode(bytes(buf))

    def serialize(self, payload, prev):
        srcs = self.srcs or []
        msg = (
            _HDR.pack(self.msgtype, self.maxresp, self.csum, _aton(self.address))
            + _V3Q_TAIL.pack(
                (self.s_flg & 1) << 3 | (self.qrv & 0x07), self.qqic, self.num or len(srcs)
            )
            + _addresses_bin(srcs)
        )
        return _with_checksum(msg, self.csum, payload)

    @property
    def max_resp_time(self) -> int:
        """Max Resp Time in 1/10 s, from the Max Resp Code (RFC 3376 §4.1.1)."""
        return decode_code(self.maxresp)

    @property
    def qqi(self) -> int:
        """Querier's Query Interval in seconds, from QQIC (RFC 3376 §4.1.7)."""
        return decode_code(self.qqic)

    def __len__(self) -> int:
        return 12 + 4 * len(self.srcs or ())


class igmpv3_report_group(StringifyMixin):
    """A group record of an IGMPv3 report (RFC 3376 §4.2.4).

    ========= =============================================================
    Attribute Description
    ========= =============================================================
    type\\_    record type (MODE_IS_INCLUDE ... BLOCK_OLD_SOURCES)
    aux_len   auxiliary data length in 32-bit words (0 means compute)
    num       number of sources (0 means compute)
    address   multicast address
    srcs      list of source addresses
    aux       auxiliary data (bytes, a multiple of 4 long) or None
    ========= =============================================================
    """

    __slots__ = ("type_", "aux_len", "num", "address", "srcs", "aux")
    _TYPE = {"ascii": ["address", "srcs"]}

    def __init__(
        self,
        type_: int = 0,
        aux_len: int = 0,
        num: int = 0,
        address: str = "0.0.0.0",
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
    def parser(cls, buf, offset: int = 0) -> tuple[igmpv3_report_group, int]:
        """Decode the record at ``offset``; return it and the offset after it."""
        if offset + 8 > len(buf):
            raise PacketTruncatedError("group record header runs past the end", "igmp")
        self = cls.__new__(cls)
        self.type_, aux_len, num, group = _REC_HDR.unpack_from(buf, offset)
        self.aux_len = aux_len
        self.num = num
        self.address = _ntoa(group)
        start = offset + 8
        aux_off = start + 4 * num
        end = aux_off + 4 * aux_len
        if end > len(buf):
            raise PacketTruncatedError(
                f"group record with {num} sources and {aux_len} aux words runs past the end",
                "igmp",
            )
        self.srcs = _addresses(buf, start, num)
        self.aux = bytes(buf[aux_off:end]) if aux_len else None
        return self, end

    def serialize(self) -> bytes:
        srcs = self.srcs or ()
        aux = self.aux
        hdr = _REC_HDR.pack(
            self.type_,
            self.aux_len or (len(aux) + 3) // 4 if aux else self.aux_len,
            self.num or len(srcs),
            _aton(self.address),
        )
        if srcs:
            hdr += b"".join(map(_aton, srcs))
        if aux:
            hdr += bytes(aux) + bytes(-len(aux) % 4)
        return hdr

    def __len__(self) -> int:
        aux = len(self.aux or b"")
        return 8 + 4 * len(self.srcs or ()) + aux + (-aux % 4)


class igmpv3_report(igmp):
    """IGMPv3 Membership Report (RFC 3376 §4.2).

    ========== ===========================================================
    Attribute  Description
    ========== ===========================================================
    msgtype    0x22
    csum       checksum (0 means compute when encoding)
    record_num number of group records (0 means compute)
    records    list of :class:`igmpv3_report_group`
    ========== ===========================================================
    """

    __slots__ = ("record_num", "records")
    _MIN_LEN = 8

    def __init__(
        self,
        msgtype: int = IGMP_TYPE_REPORT_V3,
        csum: int = 0,
        record_num: int = 0,
        records: list[igmpv3_report_group] | None = None,
    ):
        super().__init__(msgtype, 0, csum, "0.0.0.0")
        self.record_num = record_num
        self.records = records if records is not None else []

    def stringify_attrs(self):
        # maxresp and address are reserved in a v3 report; hide the inherited slots.
        return [
            ("csum", self.csum),
            ("msgtype", self.msgtype),
            ("record_num", self.record_num),
            ("records", self.records),
        ]

    @classmethod
    def _decode(cls, buf):
        if len(buf) < 8:
            raise PacketTruncatedError(f"a v3 report needs 8 bytes, have {len(buf)}", "igmp")
        self = cls.__new__(cls)
        self.msgtype, self.csum, record_num = _V3R_HDR.unpack_from(buf)
        self.maxresp = 0
        self.address = "0.0.0.0"
        self.record_num = record_num
        records = []
        off = 8
        n = len(buf)
        group_cls = igmpv3_report_group
        unpack = _REC_HDR.unpack_from
        # The record loop is igmpv3_report_group.parser inlined: reports with
        # many records are what a snooping switch decodes most.
        for _ in range(record_num):
            if off + 8 > n:
                raise PacketTruncatedError("group record header runs past the end", "igmp")
            type_, aux_len, num, group = unpack(buf, off)
            start = off + 8
            aux_off = start + 4 * num
            off = aux_off + 4 * aux_len
            if off > n:
                raise PacketTruncatedError(
                    f"group record with {num} sources and {aux_len} aux words runs past the end",
                    "igmp",
                )
            records.append(
                group_cls(
                    type_,
                    aux_len,
                    num,
                    _ntoa(group),
                    _addresses(buf, start, num) if num else [],
                    buf[aux_off:off] if aux_len else None,
                )
            )
        self.records = records
        return self, None, buf[off:]

    @classmethod
    def parser(cls, buf):
        return cls._decode(bytes(buf))

    def serialize(self, payload, prev):
        records = self.records or ()
        msg = bytearray(_V3R_HDR.pack(self.msgtype, self.csum, self.record_num or len(records)))
        pack = _REC_HDR.pack
        for r in records:
            # igmpv3_report_group.serialize inlined for the common record
            # without auxiliary data.
            if r.aux:
                msg += r.serialize()
                continue
            srcs = r.srcs or ()
            msg += pack(r.type_, r.aux_len, r.num or len(srcs), _aton(r.address))
            if srcs:
                msg += b"".join(map(_aton, srcs))
        return _with_checksum(msg, self.csum, payload)

    def __len__(self) -> int:
        return 8 + sum(len(r) for r in self.records or ())


ipv4.ipv4.register_packet_type(igmp, in_proto.IPPROTO_IGMP)
