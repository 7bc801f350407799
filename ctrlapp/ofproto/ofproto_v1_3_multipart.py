"""OpenFlow 1.3 multipart messages: MULTIPART_REQUEST / MULTIPART_REPLY and every body.

Implements OpenFlow 1.3.5 section 7.3.5 (``ofp_multipart_request``,
``ofp_multipart_reply`` and the bodies of every ``OFPMP_*`` type: desc, flow,
aggregate, table, port stats, queue, group, group desc, group features,
meter, meter config, meter features, table features with all property types
of 7.3.5.5.2, port desc and experimenter) with the class names of Ryu/os-ken.

Both directions work for every class: a request or reply decodes with
:meth:`OFPMultipartRequest.parser` / :meth:`OFPMultipartReply.parser` (which
pick the subclass from the multipart type) and encodes with ``serialize()``.

* A request class carries its body fields as attributes (``port_no``,
  ``match``...); a reply carries ``body``: a list of body structures, or a
  single structure for the types whose reply holds exactly one (desc,
  aggregate, group features, experimenter), as in Ryu; a meter features
  reply has a list of one, also as in Ryu.
* ``flags`` is ``OFPMPF_REQ_MORE`` / ``OFPMPF_REPLY_MORE`` (bit 0); a body
  split over several messages is not reassembled here, each message decodes
  on its own.
* A multipart type this module does not know decodes as a bare
  :class:`OFPMultipartRequest` / :class:`OFPMultipartReply` whose ``body`` is
  the raw bytes, and encodes back unchanged; experimenter multipart data is
  kept raw as well (``data``).
* Length fields (``length``/``len_``) of decoded structures are kept; left as
  ``None`` they are computed when encoding.  Text fields (descriptions, table
  names) are ``str`` decoded as UTF-8 with ``surrogateescape`` after the
  trailing NULs are removed, so any byte string survives a round trip.

Body structures (``OFPFlowStats``, ``OFPTableFeaturesStats``, properties,
ids...) decode with ``parser(buf, offset) -> (structure, offset after it)``,
since entries carry their length in different places or not at all, and
encode with ``serialize() -> bytes``; the structures they contain (match,
instructions, buckets, meter bands, ports) are those of :mod:`ctrlapp.ofproto.v1_3`.

Errors: a body shorter than its fixed part, an entry whose length field is
below its fixed size or runs past the message, a table-feature property whose
length is below 4 or whose padding runs past its entry raise
:class:`~ctrlapp.exception.OFPMalformedMessage` (``OFPTruncatedMessage`` when
bytes are missing) with the xid.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar

from ctrlapp.exception import OFPEncodeError, OFPMalformedMessage, OFPTruncatedMessage
from ctrlapp.ofproto import ofproto_v1_3 as ofproto
from ctrlapp.ofproto.ofproto_parser import MsgBase, StructBase, register_msg_type
from ctrlapp.ofproto.v1_3.actions import OFPInstruction, parse_list
from ctrlapp.ofproto.v1_3.match import OFPMatch
from ctrlapp.ofproto.v1_3.structs import OFPBucket, OFPMeterBandHeader, OFPPort

__all__ = [
    "OFPAggregateStats",
    "OFPAggregateStatsReply",
    "OFPAggregateStatsRequest",
    "OFPActionId",
    "OFPBucketCounter",
    "OFPDescStats",
    "OFPDescStatsReply",
    "OFPDescStatsRequest",
    "OFPExperimenterMultipart",
    "OFPExperimenterOxmId",
    "OFPExperimenterStatsReply",
    "OFPExperimenterStatsRequest",
    "OFPExperimenterStatsRequestBase",
    "OFPFlowStats",
    "OFPFlowStatsReply",
    "OFPFlowStatsRequest",
    "OFPFlowStatsRequestBase",
    "OFPGroupDescStats",
    "OFPGroupDescStatsReply",
    "OFPGroupDescStatsRequest",
    "OFPGroupFeaturesStats",
    "OFPGroupFeaturesStatsReply",
    "OFPGroupFeaturesStatsRequest",
    "OFPGroupStats",
    "OFPGroupStatsReply",
    "OFPGroupStatsRequest",
    "OFPInstructionId",
    "OFPMeterBandStats",
    "OFPMeterConfigStats",
    "OFPMeterConfigStatsReply",
    "OFPMeterConfigStatsRequest",
    "OFPMeterFeaturesStats",
    "OFPMeterFeaturesStatsReply",
    "OFPMeterFeaturesStatsRequest",
    "OFPMeterStats",
    "OFPMeterStatsReply",
    "OFPMeterStatsRequest",
    "OFPMultipartReply",
    "OFPMultipartRequest",
    "OFPOxmId",
    "OFPPortDescStatsReply",
    "OFPPortDescStatsRequest",
    "OFPPortStats",
    "OFPPortStatsReply",
    "OFPPortStatsRequest",
    "OFPQueueStats",
    "OFPQueueStatsReply",
    "OFPQueueStatsRequest",
    "OFPTableFeatureProp",
    "OFPTableFeaturePropActions",
    "OFPTableFeaturePropExperimenter",
    "OFPTableFeaturePropInstructions",
    "OFPTableFeaturePropNextTables",
    "OFPTableFeaturePropOxm",
    "OFPTableFeaturePropUnknown",
    "OFPTableFeaturesStats",
    "OFPTableFeaturesStatsReply",
    "OFPTableFeaturesStatsRequest",
    "OFPTableStats",
    "OFPTableStatsReply",
    "OFPTableStatsRequest",
]

# type, flags, 4 bytes of padding: the part every multipart message has after ofp_header.
_MP_HEADER = struct.Struct("!HH4x")
_MP_HEADER_END = 8 + _MP_HEADER.size

_TYPE_LEN = struct.Struct("!HH")
_UINT32 = struct.Struct("!I")
_COUNTER_PAIR = struct.Struct("!QQ")
_EXPERIMENTER_HEAD = struct.Struct("!II")

_OXM_CLASS_EXPERIMENTER = ofproto.OFPXMC_EXPERIMENTER


def _text_in(raw: bytes) -> str:
    return raw.rstrip(b"\0").decode("utf-8", "surrogateescape")


def _text_out(value: str | bytes, size: int, name: str) -> bytes:
    raw = value.encode("utf-8", "surrogateescape") if isinstance(value, str) else bytes(value)
    if len(raw) > size:
        raise OFPEncodeError(f"{name} is {len(raw)} bytes, the field holds {size}")
    return raw


def _pad8(length: int) -> int:
    return (length + 7) & ~7


def _entry_bounds(buf: bytes, offset: int, length: int, fixed: int, what: str) -> int:
    """Check a length-prefixed entry and return its end offset."""
    if length < fixed:
        raise OFPMalformedMessage(f"{what} length {length} is below its fixed size {fixed}")
    end = offset + length
    if end > len(buf):
        raise OFPTruncatedMessage(
            f"{what} length {length} runs past the message ({len(buf) - offset} bytes left)"
        )
    return end


# ---------------------------------------------------------------------------
# Fixed-size body structures (table-driven)
# ---------------------------------------------------------------------------
class _FixedStruct(StructBase):
    """A structure whose wire form is one ``struct.Struct`` of its fields in order.

    Subclasses declare ``_STRUCT`` and ``_FIELDS``; ``_to_wire``/``_from_wire``
    convert values that are not plain integers (text, arrays).
    """

    __slots__ = ()
    _STRUCT: ClassVar[struct.Struct]
    _FIELDS: ClassVar[tuple[str, ...]]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = self._FIELDS
        if len(args) > len(names):
            raise TypeError(f"{type(self).__name__} takes {len(names)} fields")
        values = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key not in names or key in values:
                raise TypeError(f"{type(self).__name__}: unexpected or repeated field {key!r}")
            values[key] = value
        for name in names:
            setattr(self, name, values.get(name, 0))

    @classmethod
    def _from_wire(cls, values: tuple) -> tuple:
        return values

    def _to_wire(self) -> tuple:
        return tuple(getattr(self, name) for name in self._FIELDS)

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[Any, int]:
        """Decode one structure at ``offset``; return it and the offset after it."""
        size = cls._STRUCT.size
        if offset + size > len(buf):
            raise OFPTruncatedMessage(
                f"{cls.__name__} needs {size} bytes, {len(buf) - offset} left"
            )
        return cls(*cls._from_wire(cls._STRUCT.unpack_from(buf, offset))), offset + size

    def serialize(self) -> bytes:
        return self._STRUCT.pack(*self._to_wire())


class OFPDescStats(_FixedStruct):
    """``ofp_desc``: switch description strings (reply to OFPMP_DESC)."""

    __slots__ = ("mfr_desc", "hw_desc", "sw_desc", "serial_num", "dp_desc")
    _TYPE: ClassVar[dict[str, list[str]]] = {"ascii": list(__slots__)}
    _FIELDS = __slots__
    _SIZES = (
        ofproto.DESC_STR_LEN,
        ofproto.DESC_STR_LEN,
        ofproto.DESC_STR_LEN,
        ofproto.SERIAL_NUM_LEN,
        ofproto.DESC_STR_LEN,
    )
    _STRUCT = struct.Struct("!" + "".join(f"{n}s" for n in _SIZES))

    def __init__(
        self,
        mfr_desc: str = "",
        hw_desc: str = "",
        sw_desc: str = "",
        serial_num: str = "",
        dp_desc: str = "",
    ) -> None:
        super().__init__(mfr_desc, hw_desc, sw_desc, serial_num, dp_desc)

    @classmethod
    def _from_wire(cls, values: tuple) -> tuple:
        return tuple(_text_in(v) for v in values)

    def _to_wire(self) -> tuple:
        return tuple(
            _text_out(getattr(self, name), size, name)
            for name, size in zip(self._FIELDS, self._SIZES, strict=True)
        )


class OFPAggregateStats(_FixedStruct):
    """``ofp_aggregate_stats_reply``: totals over the flows a request matched."""

    __slots__ = ("packet_count", "byte_count", "flow_count")
    _FIELDS = __slots__
    _STRUCT = struct.Struct("!QQI4x")


class OFPTableStats(_FixedStruct):
    """``ofp_table_stats``: per-table counters (reply to OFPMP_TABLE)."""

    __slots__ = ("table_id", "active_count", "lookup_count", "matched_count")
    _FIELDS = __slots__
    _STRUCT = struct.Struct("!B3xIQQ")


class OFPPortStats(_FixedStruct):
    """``ofp_port_stats``: per-port counters (reply to OFPMP_PORT_STATS)."""

    __slots__ = (
        "port_no",
        "rx_packets",
        "tx_packets",
        "rx_bytes",
        "tx_bytes",
        "rx_dropped",
        "tx_dropped",
        "rx_errors",
        "tx_errors",
        "rx_frame_err",
        "rx_over_err",
        "rx_crc_err",
        "collisions",
        "duration_sec",
        "duration_nsec",
    )
    _FIELDS = __slots__
    _STRUCT = struct.Struct("!I4x12QII")


class OFPQueueStats(_FixedStruct):
    """``ofp_queue_stats``: per-queue counters (reply to OFPMP_QUEUE)."""

    __slots__ = (
        "port_no",
        "queue_id",
        "tx_bytes",
        "tx_packets",
        "tx_errors",
        "duration_sec",
        "duration_nsec",
    )
    _FIELDS = __slots__
    _STRUCT = struct.Struct("!IIQQQII")


class OFPGroupFeaturesStats(_FixedStruct):
    """``ofp_group_features``: group types, capabilities, and per-type limits."""

    __slots__ = ("types", "capabilities", "max_groups", "actions")
    _FIELDS = __slots__
    _STRUCT = struct.Struct("!II4I4I")

    def __init__(
        self,
        types: int = 0,
        capabilities: int = 0,
        max_groups: list[int] | None = None,
        actions: list[int] | None = None,
    ) -> None:
        super().__init__(
            types,
            capabilities,
            [0, 0, 0, 0] if max_groups is None else list(max_groups),
            [0, 0, 0, 0] if actions is None else list(actions),
        )

    @classmethod
    def _from_wire(cls, values: tuple) -> tuple:
        return values[0], values[1], list(values[2:6]), list(values[6:10])

    def _to_wire(self) -> tuple:
        if len(self.max_groups) != 4 or len(self.actions) != 4:
            raise OFPEncodeError("max_groups and actions each hold one value per group type (4)")
        return (self.types, self.capabilities, *self.max_groups, *self.actions)


class OFPMeterFeaturesStats(_FixedStruct):
    """``ofp_meter_features``: meter limits and supported band types."""

    __slots__ = ("max_meter", "band_types", "capabilities", "max_bands", "max_color")
    _FIELDS = __slots__
    _STRUCT = struct.Struct("!IIIBB2x")


class OFPBucketCounter(_FixedStruct):
    """``ofp_bucket_counter``: counters of one group bucket."""

    __slots__ = ("packet_count", "byte_count")
    _FIELDS = __slots__
    _STRUCT = _COUNTER_PAIR


class OFPMeterBandStats(_FixedStruct):
    """``ofp_meter_band_stats``: counters of one meter band."""

    __slots__ = ("packet_band_count", "byte_band_count")
    _FIELDS = __slots__
    _STRUCT = _COUNTER_PAIR


def _parse_fixed_list(cls: type[_FixedStruct], buf: bytes, offset: int, end: int) -> list:
    items = []
    size = cls._STRUCT.size
    if (end - offset) % size:
        raise OFPMalformedMessage(
            f"{end - offset} bytes do not hold a whole number of {size}-byte {cls.__name__}"
        )
    while offset < end:
        item, offset = cls.parser(buf, offset)
        items.append(item)
    return items


def _parse_all(parse, buf: bytes, offset: int) -> list:
    """Decode structures with ``parse(buf, offset) -> (obj, next)`` up to the end of ``buf``."""
    items = []
    end = len(buf)
    while offset < end:
        item, offset = parse(buf, offset)
        items.append(item)
    return items


# ---------------------------------------------------------------------------
# Variable-length body structures
# ---------------------------------------------------------------------------
_FLOW_STATS = struct.Struct("!HBxIIHHHH4xQQQ")


def _parse_match(buf: bytes, offset: int, end: int) -> tuple[OFPMatch, int]:
    match = OFPMatch.parser(buf, offset)
    after = offset + _pad8(match.length)
    if after > end:
        raise OFPMalformedMessage(f"match of length {match.length} runs past its container")
    return match, after


def _serialize_match(match: OFPMatch) -> bytes:
    buf = bytearray()
    match.serialize(buf, 0)
    return bytes(buf)


def _serialize_all(items: list) -> bytes:
    out = bytearray()
    for item in items:
        item.serialize(out, len(out))
    return bytes(out)


class OFPFlowStats(StructBase):
    """``ofp_flow_stats``: one flow entry with its counters (reply to OFPMP_FLOW)."""

    def __init__(
        self,
        table_id: int = 0,
        duration_sec: int = 0,
        duration_nsec: int = 0,
        priority: int = 0,
        idle_timeout: int = 0,
        hard_timeout: int = 0,
        flags: int = 0,
        cookie: int = 0,
        packet_count: int = 0,
        byte_count: int = 0,
        match: OFPMatch | None = None,
        instructions: list | None = None,
        length: int | None = None,
    ) -> None:
        self.table_id = table_id
        self.duration_sec = duration_sec
        self.duration_nsec = duration_nsec
        self.priority = priority
        self.idle_timeout = idle_timeout
        self.hard_timeout = hard_timeout
        self.flags = flags
        self.cookie = cookie
        self.packet_count = packet_count
        self.byte_count = byte_count
        self.match = OFPMatch() if match is None else match
        self.instructions = [] if instructions is None else instructions
        self.length = length

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[OFPFlowStats, int]:
        (length, *fields) = _FLOW_STATS.unpack_from(buf, offset)
        end = _entry_bounds(buf, offset, length, _FLOW_STATS.size, "flow stats")
        entry = buf[offset:end]
        match, pos = _parse_match(entry, _FLOW_STATS.size, length)
        instructions = parse_list(OFPInstruction.parser, entry, pos, length)
        return cls(*fields, match=match, instructions=instructions, length=length), end

    def serialize(self) -> bytes:
        tail = _serialize_match(self.match) + _serialize_all(self.instructions)
        self.length = _FLOW_STATS.size + len(tail)
        head = _FLOW_STATS.pack(
            self.length,
            self.table_id,
            self.duration_sec,
            self.duration_nsec,
            self.priority,
            self.idle_timeout,
            self.hard_timeout,
            self.flags,
            self.cookie,
            self.packet_count,
            self.byte_count,
        )
        return head + tail


_GROUP_STATS = struct.Struct("!H2xII4xQQII")


class OFPGroupStats(StructBase):
    """``ofp_group_stats``: counters of one group and of each of its buckets."""

    def __init__(
        self,
        length: int | None = None,
        group_id: int = 0,
        ref_count: int = 0,
        packet_count: int = 0,
        byte_count: int = 0,
        duration_sec: int = 0,
        duration_nsec: int = 0,
        bucket_stats: list[OFPBucketCounter] | None = None,
    ) -> None:
        self.length = length
        self.group_id = group_id
        self.ref_count = ref_count
        self.packet_count = packet_count
        self.byte_count = byte_count
        self.duration_sec = duration_sec
        self.duration_nsec = duration_nsec
        self.bucket_stats = [] if bucket_stats is None else bucket_stats

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[OFPGroupStats, int]:
        fields = _GROUP_STATS.unpack_from(buf, offset)
        end = _entry_bounds(buf, offset, fields[0], _GROUP_STATS.size, "group stats")
        counters = _parse_fixed_list(OFPBucketCounter, buf, offset + _GROUP_STATS.size, end)
        return cls(*fields, bucket_stats=counters), end

    def serialize(self) -> bytes:
        tail = b"".join(c.serialize() for c in self.bucket_stats)
        self.length = _GROUP_STATS.size + len(tail)
        return (
            _GROUP_STATS.pack(
                self.length,
                self.group_id,
                self.ref_count,
                self.packet_count,
                self.byte_count,
                self.duration_sec,
                self.duration_nsec,
            )
            + tail
        )


_GROUP_DESC = struct.Struct("!HBxI")


class OFPGroupDescStats(StructBase):
    """``ofp_group_desc``: one group's type, id and buckets (reply to OFPMP_GROUP_DESC)."""

    def __init__(
        self,
        type_: int = 0,
        group_id: int = 0,
        buckets: list[OFPBucket] | None = None,
        length: int | None = None,
    ) -> None:
        self.type = type_
        self.group_id = group_id
        self.buckets = [] if buckets is None else buckets
        self.length = length

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[OFPGroupDescStats, int]:
        length, type_, group_id = _GROUP_DESC.unpack_from(buf, offset)
        end = _entry_bounds(buf, offset, length, _GROUP_DESC.size, "group desc")
        buckets = parse_list(OFPBucket.parser, buf[offset:end], _GROUP_DESC.size, length)
        return cls(type_, group_id, buckets, length), end

    def serialize(self) -> bytes:
        tail = _serialize_all(self.buckets)
        self.length = _GROUP_DESC.size + len(tail)
        return _GROUP_DESC.pack(self.length, self.type, self.group_id) + tail


_METER_STATS = struct.Struct("!IH6xIQQII")


class OFPMeterStats(StructBase):
    """``ofp_meter_stats``: counters of one meter and of each of its bands."""

    def __init__(
        self,
        meter_id: int = 0,
        flow_count: int = 0,
        packet_in_count: int = 0,
        byte_in_count: int = 0,
        duration_sec: int = 0,
        duration_nsec: int = 0,
        band_stats: list[OFPMeterBandStats] | None = None,
        len_: int | None = None,
    ) -> None:
        self.meter_id = meter_id
        self.flow_count = flow_count
        self.packet_in_count = packet_in_count
        self.byte_in_count = byte_in_count
        self.duration_sec = duration_sec
        self.duration_nsec = duration_nsec
        self.band_stats = [] if band_stats is None else band_stats
        self.len = len_

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[OFPMeterStats, int]:
        meter_id, length, *fields = _METER_STATS.unpack_from(buf, offset)
        end = _entry_bounds(buf, offset, length, _METER_STATS.size, "meter stats")
        bands = _parse_fixed_list(OFPMeterBandStats, buf, offset + _METER_STATS.size, end)
        return cls(meter_id, *fields, band_stats=bands, len_=length), end

    def serialize(self) -> bytes:
        tail = b"".join(b.serialize() for b in self.band_stats)
        self.len = _METER_STATS.size + len(tail)
        return (
            _METER_STATS.pack(
                self.meter_id,
                self.len,
                self.flow_count,
                self.packet_in_count,
                self.byte_in_count,
                self.duration_sec,
                self.duration_nsec,
            )
            + tail
        )


_METER_CONFIG = struct.Struct("!HHI")


class OFPMeterConfigStats(StructBase):
    """``ofp_meter_config``: one meter's flags, id and bands (reply to OFPMP_METER_CONFIG)."""

    def __init__(
        self,
        flags: int = 0,
        meter_id: int = 0,
        bands: list | None = None,
        length: int | None = None,
    ) -> None:
        self.flags = flags
        self.meter_id = meter_id
        self.bands = [] if bands is None else bands
        self.length = length

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[OFPMeterConfigStats, int]:
        length, flags, meter_id = _METER_CONFIG.unpack_from(buf, offset)
        end = _entry_bounds(buf, offset, length, _METER_CONFIG.size, "meter config")
        bands = parse_list(OFPMeterBandHeader.parser, buf[offset:end], _METER_CONFIG.size, length)
        return cls(flags, meter_id, bands, length), end

    def serialize(self) -> bytes:
        tail = _serialize_all(self.bands)
        self.length = _METER_CONFIG.size + len(tail)
        return _METER_CONFIG.pack(self.length, self.flags, self.meter_id) + tail


# ---------------------------------------------------------------------------
# Table features (section 7.3.5.5)
# ---------------------------------------------------------------------------
class _TypeLenId(StructBase):
    """An instruction or action id: type and length, then experimenter bytes if any.

    Standard ids are 4 bytes; an experimenter id (type 0xffff) carries its
    experimenter number (and whatever the experimenter defines) in ``data``.
    """

    __slots__ = ("type", "len", "data")

    def __init__(self, type_: int, len_: int | None = None, data: bytes = b"") -> None:
        self.type = type_
        self.len = len_
        self.data = bytes(data)

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[_TypeLenId, int]:
        type_, len_ = _TYPE_LEN.unpack_from(buf, offset)
        end = _entry_bounds(buf, offset, len_, _TYPE_LEN.size, cls.__name__)
        return cls(type_, len_, buf[offset + _TYPE_LEN.size : end]), end

    def serialize(self) -> bytes:
        self.len = _TYPE_LEN.size + len(self.data)
        return _TYPE_LEN.pack(self.type, self.len) + self.data


class OFPInstructionId(_TypeLenId):
    """One instruction type a table supports (``ofp_instruction`` header)."""

    __slots__ = ()


class OFPActionId(_TypeLenId):
    """One action type a table supports (``ofp_action_header`` without padding)."""

    __slots__ = ()


# OXM ids name the basic-class fields as Ryu does ("eth_dst"); ``oxm_class << 7 | field``
# is the key, so fields of other classes stay integers.
_OXM_BASIC = ofproto.OFPXMC_OPENFLOW_BASIC << 7
_OXM_NAME_BY_NUM = {
    _OXM_BASIC | value: name[len("OFPXMT_OFB_") :].lower()
    for name, value in vars(ofproto).items()
    if name.startswith("OFPXMT_OFB_")
}
_OXM_NUM_BY_NAME = {name: num for num, name in _OXM_NAME_BY_NUM.items()}


class OFPOxmId(StructBase):
    """One match field a table supports: an OXM header without a value.

    ``type`` is the field's name (``"eth_dst"``) for an OpenFlow-basic field,
    else the integer ``oxm_class << 7 | oxm_field``.  ``length`` is the
    payload length from the header; ``None`` computes it from the field size
    (0 for fields of other classes).
    """

    __slots__ = ("type", "hasmask", "length")
    _TYPE: ClassVar[dict[str, list[str]]] = {"ascii": ["type"]}

    def __init__(self, type_: str | int, hasmask: bool = False, length: int | None = None) -> None:
        self.type = type_
        self.hasmask = hasmask
        self.length = length

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[OFPOxmId, int]:
        (header,) = _UINT32.unpack_from(buf, offset)
        size = 8 if header >> 16 == _OXM_CLASS_EXPERIMENTER else 4
        (oxm_id,) = _parse_oxm_ids(buf[offset : offset + size])
        return oxm_id, offset + size

    def _header(self) -> int:
        if isinstance(self.type, str):
            num = _OXM_NUM_BY_NAME.get(self.type)
            if num is None:
                raise OFPEncodeError(f"unknown OXM field name {self.type!r}")
        else:
            num = self.type
        if self.length is None:
            size = 0
            if num >> 7 == ofproto.OFPXMC_OPENFLOW_BASIC:
                size = ofproto.OXM_OF_FIELD_SIZES.get(num & 0x7F, 0)
            self.length = size * 2 if self.hasmask else size
        return num << 9 | int(bool(self.hasmask)) << 8 | self.length

    def serialize(self) -> bytes:
        header = self._header()
        if header >> 16 == _OXM_CLASS_EXPERIMENTER:
            raise OFPEncodeError("an experimenter OXM id needs OFPExperimenterOxmId(exp_id=...)")
        return _UINT32.pack(header)


class OFPExperimenterOxmId(OFPOxmId):
    """An experimenter match field a table supports: OXM header and experimenter id."""

    __slots__ = ("exp_id",)

    def __init__(
        self,
        type_: str | int,
        exp_id: int,
        hasmask: bool = False,
        length: int | None = None,
    ) -> None:
        super().__init__(type_, hasmask, length)
        self.exp_id = exp_id

    def serialize(self) -> bytes:
        return _EXPERIMENTER_HEAD.pack(self._header(), self.exp_id)


def _parse_oxm_ids(body: bytes) -> list[OFPOxmId]:
    """Decode a whole list of OXM ids (one loop: a switch lists a quarter million of them)."""
    ids = []
    unpack = _UINT32.unpack_from
    names = _OXM_NAME_BY_NUM
    pos, end = 0, len(body)
    while pos < end:
        (header,) = unpack(body, pos)
        num = header >> 9
        if num >> 7 == _OXM_CLASS_EXPERIMENTER:
            (exp_id,) = unpack(body, pos + 4)
            ids.append(OFPExperimenterOxmId(num, exp_id, bool(header & 0x100), header & 0xFF))
            pos += 8
        else:
            ids.append(OFPOxmId(names.get(num, num), bool(header & 0x100), header & 0xFF))
            pos += 4
    return ids


class OFPTableFeatureProp(StructBase):
    """Base of ``ofp_table_feature_prop_*``: type and length, padded to 8 bytes on the wire.

    ``parser`` picks the subclass from the property type; a type it does not
    know decodes as :class:`OFPTableFeaturePropUnknown`.
    """

    _BY_TYPE: ClassVar[dict[int, type[OFPTableFeatureProp]]] = {}

    def __init__(self, type_: int, length: int | None = None) -> None:
        self.type = type_
        self.length = length

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[OFPTableFeatureProp, int]:
        """Decode the property at ``offset`` (``buf`` ends where its entry ends)."""
        type_, length = _TYPE_LEN.unpack_from(buf, offset)
        end = _entry_bounds(buf, offset, length, _TYPE_LEN.size, "table feature property")
        padded = offset + _pad8(length)
        if padded > len(buf):
            raise OFPMalformedMessage(
                f"table feature property of length {length} leaves no room for its padding"
            )
        subcls = cls._BY_TYPE.get(type_, OFPTableFeaturePropUnknown)
        prop = subcls._parse_body(type_, length, buf[offset + _TYPE_LEN.size : end])
        return prop, padded

    @classmethod
    def _parse_body(cls, type_: int, length: int, body: bytes) -> OFPTableFeatureProp:
        raise NotImplementedError

    def _serialize_body(self) -> bytes:
        raise NotImplementedError

    def serialize(self) -> bytes:
        body = self._serialize_body()
        self.length = _TYPE_LEN.size + len(body)
        return (
            _TYPE_LEN.pack(self.type, self.length) + body + bytes(_pad8(self.length) - self.length)
        )


def _table_feature_prop(*types: int):
    def register(cls):
        for type_ in types:
            OFPTableFeatureProp._BY_TYPE[type_] = cls
        return cls

    return register


class _IdListProp(OFPTableFeatureProp):
    """A property that is a list of ids, decoded by ``_parse_ids(body)``, kept in ``_ATTR``."""

    _parse_ids: ClassVar[Any]
    _ATTR: ClassVar[str]

    @classmethod
    def _parse_body(cls, type_: int, length: int, body: bytes) -> OFPTableFeatureProp:
        return cls(type_, length, cls._parse_ids(body))

    def _serialize_body(self) -> bytes:
        return b"".join(item.serialize() for item in getattr(self, self._ATTR))


@_table_feature_prop(ofproto.OFPTFPT_INSTRUCTIONS, ofproto.OFPTFPT_INSTRUCTIONS_MISS)
class OFPTableFeaturePropInstructions(_IdListProp):
    """Instructions a table supports (for a hit, or for the table-miss entry)."""

    _parse_ids = staticmethod(lambda body: _parse_all(OFPInstructionId.parser, body, 0))
    _ATTR = "instruction_ids"

    def __init__(
        self,
        type_: int = ofproto.OFPTFPT_INSTRUCTIONS,
        length: int | None = None,
        instruction_ids: list[OFPInstructionId] | None = None,
    ) -> None:
        super().__init__(type_, length)
        self.instruction_ids = [] if instruction_ids is None else instruction_ids


@_table_feature_prop(ofproto.OFPTFPT_NEXT_TABLES, ofproto.OFPTFPT_NEXT_TABLES_MISS)
class OFPTableFeaturePropNextTables(OFPTableFeatureProp):
    """Tables a Goto-Table instruction of this table may name."""

    def __init__(
        self,
        type_: int = ofproto.OFPTFPT_NEXT_TABLES,
        length: int | None = None,
        table_ids: list[int] | None = None,
    ) -> None:
        super().__init__(type_, length)
        self.table_ids = [] if table_ids is None else table_ids

    @classmethod
    def _parse_body(cls, type_: int, length: int, body: bytes) -> OFPTableFeatureProp:
        return cls(type_, length, list(body))

    def _serialize_body(self) -> bytes:
        return bytes(self.table_ids)


@_table_feature_prop(
    ofproto.OFPTFPT_WRITE_ACTIONS,
    ofproto.OFPTFPT_WRITE_ACTIONS_MISS,
    ofproto.OFPTFPT_APPLY_ACTIONS,
    ofproto.OFPTFPT_APPLY_ACTIONS_MISS,
)
class OFPTableFeaturePropActions(_IdListProp):
    """Actions a table supports in Write-Actions or Apply-Actions (hit or miss)."""

    _parse_ids = staticmethod(lambda body: _parse_all(OFPActionId.parser, body, 0))
    _ATTR = "action_ids"

    def __init__(
        self,
        type_: int = ofproto.OFPTFPT_APPLY_ACTIONS,
        length: int | None = None,
        action_ids: list[OFPActionId] | None = None,
    ) -> None:
        super().__init__(type_, length)
        self.action_ids = [] if action_ids is None else action_ids


@_table_feature_prop(
    ofproto.OFPTFPT_MATCH,
    ofproto.OFPTFPT_WILDCARDS,
    ofproto.OFPTFPT_WRITE_SETFIELD,
    ofproto.OFPTFPT_WRITE_SETFIELD_MISS,
    ofproto.OFPTFPT_APPLY_SETFIELD,
    ofproto.OFPTFPT_APPLY_SETFIELD_MISS,
)
class OFPTableFeaturePropOxm(_IdListProp):
    """Match fields a table matches on, wildcards, or may set (Set-Field, hit or miss)."""

    _parse_ids = staticmethod(_parse_oxm_ids)
    _ATTR = "oxm_ids"

    def __init__(
        self,
        type_: int = ofproto.OFPTFPT_MATCH,
        length: int | None = None,
        oxm_ids: list[OFPOxmId] | None = None,
    ) -> None:
        super().__init__(type_, length)
        self.oxm_ids = [] if oxm_ids is None else oxm_ids


@_table_feature_prop(ofproto.OFPTFPT_EXPERIMENTER, ofproto.OFPTFPT_EXPERIMENTER_MISS)
class OFPTableFeaturePropExperimenter(OFPTableFeatureProp):
    """An experimenter property: experimenter id, its type, and 32-bit data words."""

    def __init__(
        self,
        type_: int = ofproto.OFPTFPT_EXPERIMENTER,
        length: int | None = None,
        experimenter: int = 0,
        exp_type: int = 0,
        data: list[int] | None = None,
    ) -> None:
        super().__init__(type_, length)
        self.experimenter = experimenter
        self.exp_type = exp_type
        self.data = [] if data is None else data

    @classmethod
    def _parse_body(cls, type_: int, length: int, body: bytes) -> OFPTableFeatureProp:
        experimenter, exp_type = _EXPERIMENTER_HEAD.unpack_from(body, 0)
        rest = body[_EXPERIMENTER_HEAD.size :]
        if len(rest) % 4:
            raise OFPMalformedMessage(
                f"experimenter table feature data is {len(rest)} bytes, not 32-bit words"
            )
        data = list(struct.unpack(f"!{len(rest) // 4}I", rest))
        return cls(type_, length, experimenter, exp_type, data)

    def _serialize_body(self) -> bytes:
        return _EXPERIMENTER_HEAD.pack(self.experimenter, self.exp_type) + struct.pack(
            f"!{len(self.data)}I", *self.data
        )


class OFPTableFeaturePropUnknown(OFPTableFeatureProp):
    """A property of a type this module does not know; its body is kept as bytes."""

    def __init__(self, type_: int, length: int | None = None, data: bytes = b"") -> None:
        super().__init__(type_, length)
        self.data = bytes(data)

    @classmethod
    def _parse_body(cls, type_: int, length: int, body: bytes) -> OFPTableFeatureProp:
        return cls(type_, length, body)

    def _serialize_body(self) -> bytes:
        return self.data


_TABLE_FEATURES = struct.Struct(f"!HB5x{ofproto.OFP_MAX_TABLE_NAME_LEN}sQQII")


class OFPTableFeaturesStats(StructBase):
    """``ofp_table_features``: one table's name, limits and feature properties."""

    _TYPE: ClassVar[dict[str, list[str]]] = {"ascii": ["name"]}

    def __init__(
        self,
        table_id: int = 0,
        name: str = "",
        metadata_match: int = 0,
        metadata_write: int = 0,
        config: int = 0,
        max_entries: int = 0,
        properties: list[OFPTableFeatureProp] | None = None,
        length: int | None = None,
    ) -> None:
        self.table_id = table_id
        self.name = name
        self.metadata_match = metadata_match
        self.metadata_write = metadata_write
        self.config = config
        self.max_entries = max_entries
        self.properties = [] if properties is None else properties
        self.length = length

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[OFPTableFeaturesStats, int]:
        length, table_id, name, *fields = _TABLE_FEATURES.unpack_from(buf, offset)
        end = _entry_bounds(buf, offset, length, _TABLE_FEATURES.size, "table features")
        props = _parse_all(OFPTableFeatureProp.parser, buf[offset:end], _TABLE_FEATURES.size)
        return cls(table_id, _text_in(name), *fields, properties=props, length=length), end

    def serialize(self) -> bytes:
        tail = b"".join(p.serialize() for p in self.properties)
        self.length = _TABLE_FEATURES.size + len(tail)
        name = _text_out(self.name, ofproto.OFP_MAX_TABLE_NAME_LEN, "name")
        head = _TABLE_FEATURES.pack(
            self.length,
            self.table_id,
            name,
            self.metadata_match,
            self.metadata_write,
            self.config,
            self.max_entries,
        )
        return head + tail


class OFPExperimenterMultipart(StructBase):
    """Body of an experimenter multipart reply: experimenter id, its type, raw data."""

    __slots__ = ("experimenter", "exp_type", "data")

    def __init__(self, experimenter: int = 0, exp_type: int = 0, data: bytes = b"") -> None:
        self.experimenter = experimenter
        self.exp_type = exp_type
        self.data = bytes(data)

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[OFPExperimenterMultipart, int]:
        experimenter, exp_type = _EXPERIMENTER_HEAD.unpack_from(buf, offset)
        return cls(experimenter, exp_type, buf[offset + _EXPERIMENTER_HEAD.size :]), len(buf)

    def serialize(self) -> bytes:
        return _EXPERIMENTER_HEAD.pack(self.experimenter, self.exp_type) + self.data


def _parse_port(buf: bytes, offset: int) -> tuple[OFPPort, int]:
    port = OFPPort.parser(buf, offset)
    return port, offset + ofproto.OFP_PORT_SIZE


def _serialize_port(port: OFPPort) -> bytes:
    out = bytearray()
    port.serialize(out, 0)
    return bytes(out)


# ---------------------------------------------------------------------------
# Messages
# ---------------------------------------------------------------------------
class _MultipartMsg(MsgBase):
    """What requests and replies share: the multipart header and the type dispatch.

    A subclass for one multipart type sets ``cls_stats_type`` (with
    :func:`_stats_type`) and provides ``_decode_body`` / ``_encode_body``.
    """

    cls_stats_type: ClassVar[int | None] = None
    _BY_TYPE: ClassVar[dict[int, type[_MultipartMsg]]]

    def _init_multipart(self, datapath: Any, flags: int) -> None:
        MsgBase.__init__(self, datapath)
        self.type = self.cls_stats_type
        self.flags = flags

    @classmethod
    def parser(
        cls,
        datapath: Any,
        version: int,
        msg_type: int,
        msg_len: int,
        xid: int,
        buf: bytes | bytearray,
    ) -> _MultipartMsg:
        """Decode a whole multipart message, choosing the class from its multipart type."""
        if len(buf) < _MP_HEADER_END:
            raise OFPTruncatedMessage(
                f"multipart message of {len(buf)} bytes, its fixed part needs {_MP_HEADER_END}"
            )
        buf = bytes(buf)
        mp_type, flags = _MP_HEADER.unpack_from(buf, 8)
        subcls = cls._BY_TYPE.get(mp_type)
        if subcls is None:
            msg_ = cls._raw(datapath, flags, mp_type, buf[_MP_HEADER_END:])
        else:
            msg_ = subcls._decode_body(datapath, flags, buf)
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    @classmethod
    def _raw(cls, datapath: Any, flags: int, mp_type: int, body: bytes) -> _MultipartMsg:
        raise NotImplementedError

    @classmethod
    def _decode_body(cls, datapath: Any, flags: int, buf: bytes) -> _MultipartMsg:
        raise NotImplementedError

    def _encode_body(self) -> bytes:
        raise NotImplementedError

    def _serialize_body(self) -> None:
        self.buf += _MP_HEADER.pack(self.type, self.flags)
        self.buf += self._encode_body()


def _stats_type(mp_type: int):
    """Class decorator: make the class the decoder of multipart type ``mp_type``."""

    def register(cls):
        cls.cls_stats_type = mp_type
        cls._BY_TYPE[mp_type] = cls
        return cls

    return register


@register_msg_type(ofproto.OFP_VERSION, ofproto.OFPT_MULTIPART_REQUEST)
class OFPMultipartRequest(_MultipartMsg):
    """MULTIPART_REQUEST.  Decoding returns the subclass of the multipart type.

    Built directly, or decoded with a multipart type no subclass handles, it
    carries ``type`` and the raw ``body`` bytes.
    """

    _BY_TYPE: ClassVar[dict[int, type[_MultipartMsg]]] = {}

    def __init__(
        self, datapath: Any = None, flags: int = 0, type_: int | None = None, body: bytes = b""
    ) -> None:
        self._init_multipart(datapath, flags)
        if type_ is not None:
            self.type = type_
        self.body = bytes(body)

    @classmethod
    def _raw(cls, datapath: Any, flags: int, mp_type: int, body: bytes) -> _MultipartMsg:
        return OFPMultipartRequest(datapath, flags, mp_type, body)

    def _encode_body(self) -> bytes:
        return self.body


@register_msg_type(ofproto.OFP_VERSION, ofproto.OFPT_MULTIPART_REPLY)
class OFPMultipartReply(_MultipartMsg):
    """MULTIPART_REPLY.  Decoding returns the subclass of the multipart type.

    ``body`` is a list of body structures, or one structure for desc,
    aggregate, group features and experimenter replies;
    for a multipart type no subclass handles it is the raw bytes.
    """

    _BY_TYPE: ClassVar[dict[int, type[_MultipartMsg]]] = {}
    # How one body item decodes (``(buf, offset) -> (item, next offset)``) and encodes.
    _parse_item: ClassVar[Any] = None
    _serialize_item: ClassVar[Any] = None
    _single: ClassVar[bool] = False

    def __init__(
        self,
        datapath: Any = None,
        body: Any = None,
        flags: int = 0,
        type_: int | None = None,
    ) -> None:
        self._init_multipart(datapath, flags)
        if type_ is not None and self.cls_stats_type is None:
            self.type = type_
        if body is None:
            body = b"" if self.cls_stats_type is None else self._default_body()
        self.body = body

    def _default_body(self) -> Any:
        return []

    @classmethod
    def _raw(cls, datapath: Any, flags: int, mp_type: int, body: bytes) -> _MultipartMsg:
        return OFPMultipartReply(datapath, body, flags, mp_type)

    @classmethod
    def _decode_body(cls, datapath: Any, flags: int, buf: bytes) -> _MultipartMsg:
        parse = cls._parse_item
        if cls._single:
            body, end = parse(buf, _MP_HEADER_END)
            if end != len(buf):
                raise OFPMalformedMessage(f"{len(buf) - end} bytes after the {cls.__name__} body")
        else:
            body = _parse_all(parse, buf, _MP_HEADER_END)
        return cls(datapath, body, flags)

    def _encode_body(self) -> bytes:
        if self.cls_stats_type is None:
            return bytes(self.body)
        encode = type(self)._serialize_item
        if self._single:
            return encode(self.body)
        return b"".join(encode(item) for item in self.body)


def _reply_items(parse, serialize=None, single: bool = False):
    """Class decorator for replies: how one body item decodes and encodes."""

    def setup(cls):
        cls._parse_item = staticmethod(parse)
        cls._serialize_item = staticmethod(serialize or (lambda item: item.serialize()))
        cls._single = single
        return cls

    return setup


# -- requests ----------------------------------------------------------------
class _FixedBodyRequest(OFPMultipartRequest):
    """A request whose body is one fixed structure: ``_BODY`` packing ``_BODY_FIELDS``."""

    _BODY: ClassVar[struct.Struct] = struct.Struct("!")
    _BODY_FIELDS: ClassVar[tuple[str, ...]] = ()

    def __init__(self, datapath: Any = None, flags: int = 0, type_: int | None = None) -> None:
        self._init_multipart(datapath, flags)

    @classmethod
    def _decode_body(cls, datapath: Any, flags: int, buf: bytes) -> _MultipartMsg:
        size = len(buf) - _MP_HEADER_END
        if size != cls._BODY.size:
            raise OFPMalformedMessage(
                f"{cls.__name__} body is {size} bytes, the spec says {cls._BODY.size}"
            )
        values = cls._BODY.unpack_from(buf, _MP_HEADER_END)
        return cls(datapath, flags, **dict(zip(cls._BODY_FIELDS, values, strict=True)))

    def _encode_body(self) -> bytes:
        return self._BODY.pack(*(getattr(self, name) for name in self._BODY_FIELDS))


@_stats_type(ofproto.OFPMP_DESC)
class OFPDescStatsRequest(_FixedBodyRequest):
    """Ask for the switch description (OFPMP_DESC); the body is empty."""


@_stats_type(ofproto.OFPMP_TABLE)
class OFPTableStatsRequest(_FixedBodyRequest):
    """Ask for per-table statistics (OFPMP_TABLE); the body is empty."""


@_stats_type(ofproto.OFPMP_GROUP_DESC)
class OFPGroupDescStatsRequest(_FixedBodyRequest):
    """Ask for the group table (OFPMP_GROUP_DESC); the body is empty."""


@_stats_type(ofproto.OFPMP_GROUP_FEATURES)
class OFPGroupFeaturesStatsRequest(_FixedBodyRequest):
    """Ask for group capabilities (OFPMP_GROUP_FEATURES); the body is empty."""


@_stats_type(ofproto.OFPMP_METER_FEATURES)
class OFPMeterFeaturesStatsRequest(_FixedBodyRequest):
    """Ask for meter capabilities (OFPMP_METER_FEATURES); the body is empty."""


@_stats_type(ofproto.OFPMP_PORT_DESC)
class OFPPortDescStatsRequest(_FixedBodyRequest):
    """Ask for the description of every port (OFPMP_PORT_DESC); the body is empty."""


@_stats_type(ofproto.OFPMP_PORT_STATS)
class OFPPortStatsRequest(_FixedBodyRequest):
    """Ask for the counters of one port or of all (``port_no=OFPP_ANY``)."""

    _BODY = struct.Struct("!I4x")
    _BODY_FIELDS = ("port_no",)

    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        port_no: int = ofproto.OFPP_ANY,
        type_: int | None = None,
    ) -> None:
        self._init_multipart(datapath, flags)
        self.port_no = port_no


@_stats_type(ofproto.OFPMP_QUEUE)
class OFPQueueStatsRequest(_FixedBodyRequest):
    """Ask for queue counters of a port (or all) and a queue (or all)."""

    _BODY = struct.Struct("!II")
    _BODY_FIELDS = ("port_no", "queue_id")

    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        port_no: int = ofproto.OFPP_ANY,
        queue_id: int = ofproto.OFPQ_ALL,
        type_: int | None = None,
    ) -> None:
        self._init_multipart(datapath, flags)
        self.port_no = port_no
        self.queue_id = queue_id


@_stats_type(ofproto.OFPMP_GROUP)
class OFPGroupStatsRequest(_FixedBodyRequest):
    """Ask for the counters of one group or of all (``group_id=OFPG_ALL``)."""

    _BODY = struct.Struct("!I4x")
    _BODY_FIELDS = ("group_id",)

    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        group_id: int = ofproto.OFPG_ALL,
        type_: int | None = None,
    ) -> None:
        self._init_multipart(datapath, flags)
        self.group_id = group_id


@_stats_type(ofproto.OFPMP_METER)
class OFPMeterStatsRequest(_FixedBodyRequest):
    """Ask for the counters of one meter or of all (``meter_id=OFPM_ALL``)."""

    _BODY = struct.Struct("!I4x")
    _BODY_FIELDS = ("meter_id",)

    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        meter_id: int = ofproto.OFPM_ALL,
        type_: int | None = None,
    ) -> None:
        self._init_multipart(datapath, flags)
        self.meter_id = meter_id


@_stats_type(ofproto.OFPMP_METER_CONFIG)
class OFPMeterConfigStatsRequest(OFPMeterStatsRequest):
    """Ask for the configuration of one meter or of all (``meter_id=OFPM_ALL``)."""


_FLOW_STATS_REQUEST = struct.Struct("!B3xII4xQQ")


class OFPFlowStatsRequestBase(OFPMultipartRequest):
    """Flow and aggregate requests: table, out port/group, cookie and match filters."""

    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        table_id: int = ofproto.OFPTT_ALL,
        out_port: int = ofproto.OFPP_ANY,
        out_group: int = ofproto.OFPG_ANY,
        cookie: int = 0,
        cookie_mask: int = 0,
        match: OFPMatch | None = None,
        type_: int | None = None,
    ) -> None:
        self._init_multipart(datapath, flags)
        self.table_id = table_id
        self.out_port = out_port
        self.out_group = out_group
        self.cookie = cookie
        self.cookie_mask = cookie_mask
        self.match = OFPMatch() if match is None else match

    @classmethod
    def _decode_body(cls, datapath: Any, flags: int, buf: bytes) -> _MultipartMsg:
        fields = _FLOW_STATS_REQUEST.unpack_from(buf, _MP_HEADER_END)
        match, end = _parse_match(buf, _MP_HEADER_END + _FLOW_STATS_REQUEST.size, len(buf))
        if end != len(buf):
            raise OFPMalformedMessage(f"{len(buf) - end} bytes after the match")
        return cls(datapath, flags, *fields, match=match)

    def _encode_body(self) -> bytes:
        head = _FLOW_STATS_REQUEST.pack(
            self.table_id, self.out_port, self.out_group, self.cookie, self.cookie_mask
        )
        return head + _serialize_match(self.match)


@_stats_type(ofproto.OFPMP_FLOW)
class OFPFlowStatsRequest(OFPFlowStatsRequestBase):
    """Ask for the flow entries matching the filters (OFPMP_FLOW)."""


@_stats_type(ofproto.OFPMP_AGGREGATE)
class OFPAggregateStatsRequest(OFPFlowStatsRequestBase):
    """Ask for totals over the flow entries matching the filters (OFPMP_AGGREGATE)."""


@_stats_type(ofproto.OFPMP_TABLE_FEATURES)
class OFPTableFeaturesStatsRequest(OFPMultipartRequest):
    """Ask for table features; a non-empty ``body`` asks the switch to set them."""

    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        body: list[OFPTableFeaturesStats] | None = None,
        type_: int | None = None,
    ) -> None:
        self._init_multipart(datapath, flags)
        self.body = [] if body is None else body

    @classmethod
    def _decode_body(cls, datapath: Any, flags: int, buf: bytes) -> _MultipartMsg:
        body = _parse_all(OFPTableFeaturesStats.parser, buf, _MP_HEADER_END)
        return cls(datapath, flags, body)

    def _encode_body(self) -> bytes:
        return b"".join(entry.serialize() for entry in self.body)


class OFPExperimenterStatsRequestBase(OFPMultipartRequest):
    """An experimenter multipart request: experimenter id and type, then its own body."""

    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        experimenter: int = 0,
        exp_type: int = 0,
        type_: int | None = None,
    ) -> None:
        self._init_multipart(datapath, flags)
        self.experimenter = experimenter
        self.exp_type = exp_type


@_stats_type(ofproto.OFPMP_EXPERIMENTER)
class OFPExperimenterStatsRequest(OFPExperimenterStatsRequestBase):
    """An experimenter multipart request whose data is kept as raw bytes."""

    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        experimenter: int = 0,
        exp_type: int = 0,
        data: bytes = b"",
        type_: int | None = None,
    ) -> None:
        super().__init__(datapath, flags, experimenter, exp_type)
        self.data = bytes(data)

    @classmethod
    def _decode_body(cls, datapath: Any, flags: int, buf: bytes) -> _MultipartMsg:
        body, _ = OFPExperimenterMultipart.parser(buf, _MP_HEADER_END)
        return cls(datapath, flags, body.experimenter, body.exp_type, body.data)

    def _encode_body(self) -> bytes:
        return _EXPERIMENTER_HEAD.pack(self.experimenter, self.exp_type) + self.data


# -- replies -------------------------------------------------------------------
@_stats_type(ofproto.OFPMP_DESC)
@_reply_items(OFPDescStats.parser, single=True)
class OFPDescStatsReply(OFPMultipartReply):
    """The switch description: ``body`` is one :class:`OFPDescStats`."""

    def _default_body(self) -> Any:
        return OFPDescStats()


@_stats_type(ofproto.OFPMP_FLOW)
@_reply_items(OFPFlowStats.parser)
class OFPFlowStatsReply(OFPMultipartReply):
    """Flow entries: ``body`` is a list of :class:`OFPFlowStats`."""


@_stats_type(ofproto.OFPMP_AGGREGATE)
@_reply_items(OFPAggregateStats.parser, single=True)
class OFPAggregateStatsReply(OFPMultipartReply):
    """Flow totals: ``body`` is one :class:`OFPAggregateStats`."""

    def _default_body(self) -> Any:
        return OFPAggregateStats()


@_stats_type(ofproto.OFPMP_TABLE)
@_reply_items(OFPTableStats.parser)
class OFPTableStatsReply(OFPMultipartReply):
    """Table counters: ``body`` is a list of :class:`OFPTableStats`."""


@_stats_type(ofproto.OFPMP_PORT_STATS)
@_reply_items(OFPPortStats.parser)
class OFPPortStatsReply(OFPMultipartReply):
    """Port counters: ``body`` is a list of :class:`OFPPortStats`."""


@_stats_type(ofproto.OFPMP_QUEUE)
@_reply_items(OFPQueueStats.parser)
class OFPQueueStatsReply(OFPMultipartReply):
    """Queue counters: ``body`` is a list of :class:`OFPQueueStats`."""


@_stats_type(ofproto.OFPMP_GROUP)
@_reply_items(OFPGroupStats.parser)
class OFPGroupStatsReply(OFPMultipartReply):
    """Group counters: ``body`` is a list of :class:`OFPGroupStats`."""


@_stats_type(ofproto.OFPMP_GROUP_DESC)
@_reply_items(OFPGroupDescStats.parser)
class OFPGroupDescStatsReply(OFPMultipartReply):
    """The group table: ``body`` is a list of :class:`OFPGroupDescStats`."""


@_stats_type(ofproto.OFPMP_GROUP_FEATURES)
@_reply_items(OFPGroupFeaturesStats.parser, single=True)
class OFPGroupFeaturesStatsReply(OFPMultipartReply):
    """Group capabilities: ``body`` is one :class:`OFPGroupFeaturesStats`."""

    def _default_body(self) -> Any:
        return OFPGroupFeaturesStats()


@_stats_type(ofproto.OFPMP_METER)
@_reply_items(OFPMeterStats.parser)
class OFPMeterStatsReply(OFPMultipartReply):
    """Meter counters: ``body`` is a list of :class:`OFPMeterStats`."""


@_stats_type(ofproto.OFPMP_METER_CONFIG)
@_reply_items(OFPMeterConfigStats.parser)
class OFPMeterConfigStatsReply(OFPMultipartReply):
    """Meter configuration: ``body`` is a list of :class:`OFPMeterConfigStats`."""


@_stats_type(ofproto.OFPMP_METER_FEATURES)
@_reply_items(OFPMeterFeaturesStats.parser)
class OFPMeterFeaturesStatsReply(OFPMultipartReply):
    """Meter capabilities: ``body`` is a list of :class:`OFPMeterFeaturesStats` (Ryu's form)."""


@_stats_type(ofproto.OFPMP_TABLE_FEATURES)
@_reply_items(OFPTableFeaturesStats.parser)
class OFPTableFeaturesStatsReply(OFPMultipartReply):
    """Table features: ``body`` is a list of :class:`OFPTableFeaturesStats`."""


@_stats_type(ofproto.OFPMP_PORT_DESC)
@_reply_items(_parse_port, _serialize_port)
class OFPPortDescStatsReply(OFPMultipartReply):
    """Port descriptions: ``body`` is a list of ``OFPPort``."""


@_stats_type(ofproto.OFPMP_EXPERIMENTER)
@_reply_items(OFPExperimenterMultipart.parser, single=True)
class OFPExperimenterStatsReply(OFPMultipartReply):
    """An experimenter reply: ``body`` is one :class:`OFPExperimenterMultipart`."""

    def _default_body(self) -> Any:
        return OFPExperimenterMultipart()
