"""OpenFlow 1.3 structures carried by messages (OpenFlow 1.3.5 sections 7.2.1, 7.2.2, 7.3, 7.5.1).

``OFPPort`` (7.2.1), ``OFPPacketQueue`` and its properties (7.2.2, 7.3.6),
``OFPBucket`` (7.3.4.3), meter bands (7.3.4.5) and HELLO elements (7.5.1).
Each has a ``parser(buf, offset)`` classmethod (the caller advances by the
object's ``len``/``length``) and ``serialize(buf, offset) -> int``.
Experimenter and unknown bands, queue properties and hello elements are kept
as raw bytes so that they encode back unchanged.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar

from ctrlapp.exception import OFPEncodeError, OFPMalformedMessage, OFPTruncatedMessage
from ctrlapp.lib import addrconv
from ctrlapp.ofproto import ofproto_v1_3 as ofproto
from ctrlapp.ofproto.ofproto_parser import StructBase
from ctrlapp.ofproto.v1_3.actions import OFPAction, parse_list

_TYPE_LEN = struct.Struct("!HH")
_PORT = struct.Struct(ofproto.OFP_PORT_PACK_STR)
_BUCKET = struct.Struct(ofproto.OFP_BUCKET_PACK_STR)
_BAND = struct.Struct(ofproto.OFP_METER_BAND_HEADER_PACK_STR)
_BAND_DROP = struct.Struct(ofproto.OFP_METER_BAND_DROP_PACK_STR)
_BAND_DSCP = struct.Struct(ofproto.OFP_METER_BAND_DSCP_REMARK_PACK_STR)
_BAND_EXPERIMENTER = struct.Struct(ofproto.OFP_METER_BAND_EXPERIMENTER_PACK_STR)
_QUEUE = struct.Struct(ofproto.OFP_PACKET_QUEUE_PACK_STR)
_QUEUE_PROP = struct.Struct(ofproto.OFP_QUEUE_PROP_HEADER_PACK_STR)
_QUEUE_PROP_RATE = struct.Struct("!HH4xH6x")
_QUEUE_PROP_EXPERIMENTER = struct.Struct("!HH4xI4x")
_I = struct.Struct("!I")


def _bounded(buf, offset: int, length: int, minimum: int, what: str) -> int:
    if length < minimum:
        raise OFPMalformedMessage(f"{what} length {length} is below its fixed size {minimum}")
    end = offset + length
    if end > len(buf):
        raise OFPTruncatedMessage(f"{what} of length {length} runs past its container")
    return end


# ---------------------------------------------------------------------------------
# port
# ---------------------------------------------------------------------------------
class OFPPort(StructBase):
    """``ofp_port``: a port's number, address, name, configuration, state and speeds.

    ``hw_addr`` is MAC text; ``name`` is ``bytes`` without the trailing NULs
    (as in Ryu).
    """

    __slots__ = (
        "port_no",
        "hw_addr",
        "name",
        "config",
        "state",
        "curr",
        "advertised",
        "supported",
        "peer",
        "curr_speed",
        "max_speed",
    )
    _fields = __slots__
    _TYPE = {"ascii": ["hw_addr"]}

    def __init__(
        self,
        port_no: int = 0,
        hw_addr: str = "00:00:00:00:00:00",
        name: bytes = b"",
        config: int = 0,
        state: int = 0,
        curr: int = 0,
        advertised: int = 0,
        supported: int = 0,
        peer: int = 0,
        curr_speed: int = 0,
        max_speed: int = 0,
    ) -> None:
        self.port_no = port_no
        self.hw_addr = hw_addr
        self.name = name
        self.config = config
        self.state = state
        self.curr = curr
        self.advertised = advertised
        self.supported = supported
        self.peer = peer
        self.curr_speed = curr_speed
        self.max_speed = max_speed

    @classmethod
    def parser(cls, buf: bytes | bytearray, offset: int) -> OFPPort:
        values = list(_PORT.unpack_from(buf, offset))
        values[1] = addrconv.mac.bin_to_text(values[1])
        values[2] = values[2].rstrip(b"\0")
        return cls(*values)

    def to_bytes(self) -> bytes:
        name = self.name.encode() if isinstance(self.name, str) else bytes(self.name)
        if len(name) > ofproto.OFP_MAX_PORT_NAME_LEN:
            raise OFPEncodeError(f"port name {name!r} is longer than 16 bytes")
        data = _PORT.pack(
            self.port_no,
            addrconv.mac.text_to_bin(self.hw_addr),
            name,
            self.config,
            self.state,
            self.curr,
            self.advertised,
            self.supported,
            self.peer,
            self.curr_speed,
            self.max_speed,
        )
        return data

    def _replace(self, **kwargs: Any) -> OFPPort:
        """A copy with some fields changed (the namedtuple method Ryu apps use)."""
        values = {k: getattr(self, k) for k in self.__slots__}
        values.update(kwargs)
        return OFPPort(**values)


# ---------------------------------------------------------------------------------
# group bucket
# ---------------------------------------------------------------------------------
class OFPBucket(StructBase):
    """``ofp_bucket``: weight, watch port/group and an action list."""

    __slots__ = ("len", "weight", "watch_port", "watch_group", "actions")

    def __init__(
        self,
        weight: int = 0,
        watch_port: int = ofproto.OFPP_ANY,
        watch_group: int = ofproto.OFPG_ANY,
        actions: list[OFPAction] | None = None,
        len_: int | None = None,
    ) -> None:
        self.weight = weight
        self.watch_port = watch_port
        self.watch_group = watch_group
        self.actions = [] if actions is None else actions
        self.len = len_

    @classmethod
    def parser(cls, buf: bytes | bytearray, offset: int) -> OFPBucket:
        length, weight, watch_port, watch_group = _BUCKET.unpack_from(buf, offset)
        end = _bounded(buf, offset, length, _BUCKET.size, "bucket")
        actions = parse_list(OFPAction.parser, buf, offset + _BUCKET.size, end)
        return cls(weight, watch_port, watch_group, actions, length)

    def to_bytes(self) -> bytes:
        body = b"".join([action.to_bytes() for action in self.actions])
        self.len = _BUCKET.size + len(body)
        return _BUCKET.pack(self.len, self.weight, self.watch_port, self.watch_group) + body


# ---------------------------------------------------------------------------------
# meter bands
# ---------------------------------------------------------------------------------
class OFPMeterBandHeader(StructBase):
    """Base of meter bands; ``OFPMeterBandHeader.parser`` picks the class from the band type."""

    __slots__ = ("type", "len", "rate", "burst_size")
    _TYPES: ClassVar[dict[int, type[OFPMeterBandHeader]]] = {}

    @classmethod
    def parser(cls, buf: bytes | bytearray, offset: int) -> OFPMeterBandHeader:
        type_, length = _TYPE_LEN.unpack_from(buf, offset)
        _bounded(buf, offset, length, 16, "meter band")
        sub = OFPMeterBandHeader._TYPES.get(type_, OFPMeterBandUnknown)
        return sub._parse(buf, offset, type_, length)


def _band(band_type: int):
    def register(cls):
        OFPMeterBandHeader._TYPES[band_type] = cls
        return cls

    return register


def _exact(cls: type, length: int, size: int) -> None:
    if length != size:
        raise OFPMalformedMessage(f"{cls.__name__} of length {length}, expected {size}")


@_band(ofproto.OFPMBT_DROP)
class OFPMeterBandDrop(OFPMeterBandHeader):
    """Drop packets over ``rate``."""

    __slots__ = ()

    def __init__(
        self, rate: int = 0, burst_size: int = 0, type_: Any = None, len_: Any = None
    ) -> None:
        self.type = ofproto.OFPMBT_DROP
        self.len = _BAND_DROP.size
        self.rate = rate
        self.burst_size = burst_size

    @classmethod
    def _parse(cls, buf, offset, type_, length):
        _exact(cls, length, _BAND_DROP.size)
        return cls(*_BAND_DROP.unpack_from(buf, offset)[2:])

    def to_bytes(self) -> bytes:
        data = _BAND_DROP.pack(self.type, 16, self.rate, self.burst_size)
        return data


@_band(ofproto.OFPMBT_DSCP_REMARK)
class OFPMeterBandDscpRemark(OFPMeterBandHeader):
    """Raise the drop precedence of the DSCP field by ``prec_level`` over ``rate``."""

    __slots__ = ("prec_level",)

    def __init__(
        self,
        rate: int = 0,
        burst_size: int = 0,
        prec_level: int = 0,
        type_: Any = None,
        len_: Any = None,
    ) -> None:
        self.type = ofproto.OFPMBT_DSCP_REMARK
        self.len = _BAND_DSCP.size
        self.rate = rate
        self.burst_size = burst_size
        self.prec_level = prec_level

    @classmethod
    def _parse(cls, buf, offset, type_, length):
        _exact(cls, length, _BAND_DSCP.size)
        return cls(*_BAND_DSCP.unpack_from(buf, offset)[2:])

    def to_bytes(self) -> bytes:
        data = _BAND_DSCP.pack(self.type, 16, self.rate, self.burst_size, self.prec_level)
        return data


@_band(ofproto.OFPMBT_EXPERIMENTER)
class OFPMeterBandExperimenter(OFPMeterBandHeader):
    """Experimenter band: ``experimenter`` id, then experimenter-defined ``data`` kept raw."""

    __slots__ = ("experimenter", "data")

    def __init__(
        self,
        rate: int = 0,
        burst_size: int = 0,
        experimenter: int = 0,
        data: bytes = b"",
        type_: Any = None,
        len_: Any = None,
    ) -> None:
        self.type = ofproto.OFPMBT_EXPERIMENTER
        self.rate = rate
        self.burst_size = burst_size
        self.experimenter = experimenter
        self.data = bytes(data)
        self.len = _BAND_EXPERIMENTER.size + len(self.data)

    @classmethod
    def _parse(cls, buf, offset, type_, length):
        _, _, rate, burst, experimenter = _BAND_EXPERIMENTER.unpack_from(buf, offset)
        data = bytes(buf[offset + _BAND_EXPERIMENTER.size : offset + length])
        return cls(rate, burst, experimenter, data)

    def to_bytes(self) -> bytes:
        self.len = _BAND_EXPERIMENTER.size + len(self.data)
        head = _BAND_EXPERIMENTER.pack(
            self.type, self.len, self.rate, self.burst_size, self.experimenter
        )
        return head + self.data


class OFPMeterBandUnknown(OFPMeterBandHeader):
    """A band type OpenFlow 1.3 does not define; the bytes after the common header kept raw."""

    __slots__ = ("data",)

    def __init__(
        self, type_: int, rate: int = 0, burst_size: int = 0, data: bytes = b"", len_: Any = None
    ) -> None:
        self.type = type_
        self.rate = rate
        self.burst_size = burst_size
        self.data = bytes(data)
        self.len = _BAND.size + len(self.data)

    @classmethod
    def _parse(cls, buf, offset, type_, length):
        _, _, rate, burst = _BAND.unpack_from(buf, offset)
        return cls(type_, rate, burst, bytes(buf[offset + _BAND.size : offset + length]))

    def to_bytes(self) -> bytes:
        self.len = _BAND.size + len(self.data)
        head = _BAND.pack(self.type, self.len, self.rate, self.burst_size)
        return head + self.data


# ---------------------------------------------------------------------------------
# queues
# ---------------------------------------------------------------------------------
class OFPQueueProp(StructBase):
    """Base of queue properties; ``OFPQueueProp.parser`` picks the class from the property."""

    __slots__ = ("property", "len")
    _TYPES: ClassVar[dict[int, type[OFPQueueProp]]] = {}

    @classmethod
    def parser(cls, buf: bytes | bytearray, offset: int) -> OFPQueueProp:
        prop, length = _TYPE_LEN.unpack_from(buf, offset)
        _bounded(buf, offset, length, _QUEUE_PROP.size, "queue property")
        sub = OFPQueueProp._TYPES.get(prop, OFPQueuePropUnknown)
        return sub._parse(buf, offset, prop, length)


class _QueuePropRate(OFPQueueProp):
    __slots__ = ("rate",)
    cls_prop_type: ClassVar[int]

    def __init__(self, rate: int, property_: Any = None, len_: Any = None) -> None:
        self.property = self.cls_prop_type
        self.len = _QUEUE_PROP_RATE.size
        self.rate = rate

    @classmethod
    def _parse(cls, buf, offset, prop, length):
        _exact(cls, length, _QUEUE_PROP_RATE.size)
        return cls(_QUEUE_PROP_RATE.unpack_from(buf, offset)[2])

    def to_bytes(self) -> bytes:
        return _QUEUE_PROP_RATE.pack(self.property, 16, self.rate)


class OFPQueuePropMinRate(_QueuePropRate):
    """Guaranteed minimum rate in 1/10 of a percent (OFPQ_MIN_RATE_UNCFG: not configured)."""

    __slots__ = ()
    cls_prop_type = ofproto.OFPQT_MIN_RATE


class OFPQueuePropMaxRate(_QueuePropRate):
    """Maximum rate in 1/10 of a percent (OFPQ_MAX_RATE_UNCFG: not configured)."""

    __slots__ = ()
    cls_prop_type = ofproto.OFPQT_MAX_RATE


OFPQueueProp._TYPES[ofproto.OFPQT_MIN_RATE] = OFPQueuePropMinRate
OFPQueueProp._TYPES[ofproto.OFPQT_MAX_RATE] = OFPQueuePropMaxRate


class OFPQueuePropExperimenter(OFPQueueProp):
    """Experimenter queue property: ``experimenter`` id and raw ``data``."""

    __slots__ = ("experimenter", "data")

    def __init__(
        self, experimenter: int, data: bytes = b"", property_: Any = None, len_: Any = None
    ) -> None:
        self.property = ofproto.OFPQT_EXPERIMENTER
        self.experimenter = experimenter
        self.data = bytes(data)
        self.len = _QUEUE_PROP_EXPERIMENTER.size + len(self.data)

    @classmethod
    def _parse(cls, buf, offset, prop, length):
        if length < _QUEUE_PROP_EXPERIMENTER.size:
            raise OFPMalformedMessage(f"experimenter queue property of length {length}")
        experimenter = _QUEUE_PROP_EXPERIMENTER.unpack_from(buf, offset)[2]
        start = offset + _QUEUE_PROP_EXPERIMENTER.size
        return cls(experimenter, bytes(buf[start : offset + length]))

    def to_bytes(self) -> bytes:
        self.len = _QUEUE_PROP_EXPERIMENTER.size + len(self.data)
        head = _QUEUE_PROP_EXPERIMENTER.pack(self.property, self.len, self.experimenter)
        return head + self.data


OFPQueueProp._TYPES[ofproto.OFPQT_EXPERIMENTER] = OFPQueuePropExperimenter


class OFPQueuePropUnknown(OFPQueueProp):
    """A queue property OpenFlow 1.3 does not define; the bytes after its header kept raw."""

    __slots__ = ("data",)

    def __init__(self, property_: int, data: bytes = b"", len_: Any = None) -> None:
        self.property = property_
        self.data = bytes(data)
        self.len = _QUEUE_PROP.size + len(self.data)

    @classmethod
    def _parse(cls, buf, offset, prop, length):
        return cls(prop, bytes(buf[offset + _QUEUE_PROP.size : offset + length]))

    def to_bytes(self) -> bytes:
        self.len = _QUEUE_PROP.size + len(self.data)
        return _QUEUE_PROP.pack(self.property, self.len) + self.data


class OFPPacketQueue(StructBase):
    """``ofp_packet_queue``: a queue of a port with its properties."""

    __slots__ = ("queue_id", "port", "len", "properties")

    def __init__(
        self,
        queue_id: int,
        port: int,
        properties: list[OFPQueueProp] | None = None,
        len_: int | None = None,
    ) -> None:
        self.queue_id = queue_id
        self.port = port
        self.properties = [] if properties is None else properties
        self.len = len_

    @classmethod
    def parser(cls, buf: bytes | bytearray, offset: int) -> OFPPacketQueue:
        queue_id, port, length = _QUEUE.unpack_from(buf, offset)
        end = _bounded(buf, offset, length, _QUEUE.size, "packet queue")
        properties = parse_list(OFPQueueProp.parser, buf, offset + _QUEUE.size, end)
        return cls(queue_id, port, properties, length)

    def to_bytes(self) -> bytes:
        body = b"".join([prop.to_bytes() for prop in self.properties])
        self.len = _QUEUE.size + len(body)
        return _QUEUE.pack(self.queue_id, self.port, self.len) + body


# ---------------------------------------------------------------------------------
# hello elements
# ---------------------------------------------------------------------------------
class OFPHelloElemHeader(StructBase):
    """Base of HELLO elements; ``parser`` picks the class from the element type.

    ``length`` excludes the padding to 8 bytes that follows each element.
    """

    __slots__ = ("type", "length")

    @classmethod
    def parser(cls, buf: bytes | bytearray, offset: int) -> OFPHelloElemHeader:
        type_, length = _TYPE_LEN.unpack_from(buf, offset)
        _bounded(buf, offset, length, 4, "hello element")
        if type_ == ofproto.OFPHET_VERSIONBITMAP:
            return OFPHelloElemVersionBitmap._parse(buf, offset, length)
        return OFPHelloElemUnknown(type_, bytes(buf[offset + 4 : offset + length]))


class OFPHelloElemVersionBitmap(OFPHelloElemHeader):
    """Version bitmap: the OpenFlow wire versions the sender supports (bit n = version n)."""

    __slots__ = ("versions", "_words")

    def __init__(self, versions: list[int], type_: Any = None, length: int | None = None) -> None:
        self.type = ofproto.OFPHET_VERSIONBITMAP
        self.versions = sorted(set(versions))
        words = max(self.versions, default=0) // 32 + 1
        # A decoded element may carry more (zero) bitmap words than its versions need.
        if length is not None:
            words = max(words, (length - 4) // 4)
        self._words = words
        self.length = 4 + 4 * words

    @classmethod
    def _parse(cls, buf, offset, length):
        if (length - 4) % 4:
            raise OFPMalformedMessage(f"version bitmap element of length {length}")
        versions = []
        for i in range((length - 4) // 4):
            (word,) = _I.unpack_from(buf, offset + 4 + 4 * i)
            versions.extend(32 * i + bit for bit in range(32) if word >> bit & 1)
        return cls(versions, length=length)

    def to_bytes(self) -> bytes:
        words = [0] * max(self._words, max(self.versions, default=0) // 32 + 1)
        for v in self.versions:
            words[v // 32] |= 1 << (v % 32)
        self.length = 4 + 4 * len(words)
        out = _TYPE_LEN.pack(self.type, self.length) + struct.pack(f"!{len(words)}I", *words)
        return out + bytes(-len(out) % 8)


class OFPHelloElemUnknown(OFPHelloElemHeader):
    """A HELLO element type OpenFlow 1.3 does not define, kept raw."""

    __slots__ = ("data",)

    def __init__(self, type_: int, data: bytes = b"", length: Any = None) -> None:
        self.type = type_
        self.data = bytes(data)
        self.length = 4 + len(self.data)

    def to_bytes(self) -> bytes:
        self.length = 4 + len(self.data)
        out = _TYPE_LEN.pack(self.type, self.length) + self.data
        return out + bytes(-len(out) % 8)
