"""OpenFlow 1.0 messages and structures, decoded and encoded in both directions.

Implements every message of the OpenFlow Switch Specification 1.0.0,
section 5 (symmetric, controller-to-switch and asynchronous messages), with
the class and attribute names of Ryu/os-ken's ``ofproto_v1_0_parser``:
``OFPMatch`` (``ofp_match`` with wildcards, 5.2.3), the actions of 5.2.4,
``OFPPhyPort`` (5.2.1), the statistics requests and replies of 5.3.5 and the
queue configuration of 5.3.6 / 5.2.2.

Every class can be built by hand and encoded (``serialize()``), and every one
is decoded by :func:`ctrlapp.ofproto.ofproto_parser.msg`, so a controller, a
switch emulator and offline tools share the code.  Vendor messages, vendor
actions, vendor statistics, unknown action types, unknown statistics types and
unknown queue properties are kept as raw bytes and re-encoded unchanged.
Fixed-size messages must have exactly their specified length; anything else,
and every structure running past its container, raises
:class:`~ctrlapp.exception.OFPMalformedMessage` with the message's xid.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar

from ctrlapp.exception import OFPEncodeError, OFPMalformedMessage, OFPTruncatedMessage
from ctrlapp.lib import addrconv
from ctrlapp.ofproto import ofproto_v1_0 as ofproto
from ctrlapp.ofproto.ofproto_common import OFP_HEADER_SIZE
from ctrlapp.ofproto.ofproto_parser import MsgBase, StructBase, register_msg_type

_VERSION = ofproto.OFP_VERSION

_MATCH = struct.Struct("!IH6s6sHBxHBB2xIIHH")
_PHY_PORT = struct.Struct("!H6s16sIIIIII")
_TYPE_LEN = struct.Struct("!HH")
_ACTION_HEADER = _TYPE_LEN
_U16_PAD2 = struct.Struct("!H2x")
_U8_PAD3 = struct.Struct("!B3x")
_DL_ADDR = struct.Struct("!6s6x")
_U32 = struct.Struct("!I")
_ENQUEUE = struct.Struct("!H6xI")
_SWITCH_FEATURES = struct.Struct("!QIB3xII")
_SWITCH_CONFIG = struct.Struct("!HH")
_ERROR = struct.Struct("!HH")
_PACKET_IN = struct.Struct("!IHHBx")
_PACKET_OUT = struct.Struct("!IHH")
_FLOW_MOD_TAIL = struct.Struct("!QHHHHIHH")
_FLOW_REMOVED_TAIL = struct.Struct("!QHBxIIH2xQQ")
_PORT_STATUS = struct.Struct("!B7x")
_PORT_MOD = struct.Struct("!H6sIII4x")
_STATS_HEADER = struct.Struct("!HH")
_FLOW_STATS_REQ_TAIL = struct.Struct("!BxH")
_PORT_STATS_REQ = struct.Struct("!H6x")
_QUEUE_STATS_REQ = struct.Struct("!H2xI")
_DESC_STATS = struct.Struct("!256s256s256s32s256s")
_FLOW_STATS_HEAD = struct.Struct("!HBx")
_FLOW_STATS_TAIL = struct.Struct("!IIHHH6xQQQ")
_AGGREGATE_STATS = struct.Struct("!QQI4x")
_TABLE_STATS = struct.Struct("!B3x32sIIIQQ")
_PORT_STATS = struct.Struct("!H6xQQQQQQQQQQQQ")
_QUEUE_STATS = struct.Struct("!H2xIQQQ")
_QUEUE_GET_CONFIG_REQ = struct.Struct("!H2x")
_QUEUE_GET_CONFIG_REPLY = struct.Struct("!H6x")
_PACKET_QUEUE = struct.Struct("!IH2x")
_QUEUE_PROP_HEADER = struct.Struct("!HH4x")
_QUEUE_PROP_MIN_RATE = struct.Struct("!H6x")

_ZERO_MAC = b"\x00" * 6


def _mac_bin(addr: str | bytes) -> bytes:
    """Accept a MAC as text or as its 6 bytes (Ryu 1.0 apps pass bytes)."""
    if isinstance(addr, str):
        return addrconv.mac.text_to_bin(addr)
    if len(addr) != 6:
        raise OFPEncodeError(f"a MAC address is 6 bytes, got {len(addr)}")
    return bytes(addr)


def _ipv4_int(addr: str | int) -> int:
    if isinstance(addr, str):
        return _U32.unpack(addrconv.ipv4.text_to_bin(addr))[0]
    return addr


def _check_fixed_len(msg_len: int, expected: int, what: str) -> None:
    if msg_len != expected:
        raise OFPMalformedMessage(f"{what} must be {expected} bytes long, not {msg_len}")


def _need(buf: bytes, offset: int, size: int, what: str) -> None:
    if len(buf) < offset + size:
        raise OFPTruncatedMessage(
            f"{what} needs {size} bytes at offset {offset}, only {len(buf) - offset} left"
        )


# -- 5.2.3 flow match ------------------------------------------------------------


class OFPMatch(StructBase):
    """``ofp_match``: twelve header fields and the wildcard bits saying which are ignored.

    With ``wildcards=None`` (Ryu's form) the wildcards are derived from the
    fields given: a field left ``None`` is wildcarded, ``nw_src_mask`` and
    ``nw_dst_mask`` are prefix lengths.  ``dl_src``/``dl_dst`` are kept as 6
    bytes (text MACs are accepted), ``nw_src``/``nw_dst`` as integers (text
    IPv4 addresses are accepted).
    """

    __slots__ = (
        "wildcards",
        "in_port",
        "dl_src",
        "dl_dst",
        "dl_vlan",
        "dl_vlan_pcp",
        "dl_type",
        "nw_tos",
        "nw_proto",
        "nw_src",
        "nw_dst",
        "tp_src",
        "tp_dst",
    )
    _fields = __slots__

    # field -> wildcard bit cleared when the field is given (nw_src/nw_dst are prefixes)
    _WILDCARD_BITS: ClassVar[dict[str, int]] = {
        "in_port": ofproto.OFPFW_IN_PORT,
        "dl_src": ofproto.OFPFW_DL_SRC,
        "dl_dst": ofproto.OFPFW_DL_DST,
        "dl_vlan": ofproto.OFPFW_DL_VLAN,
        "dl_vlan_pcp": ofproto.OFPFW_DL_VLAN_PCP,
        "dl_type": ofproto.OFPFW_DL_TYPE,
        "nw_tos": ofproto.OFPFW_NW_TOS,
        "nw_proto": ofproto.OFPFW_NW_PROTO,
        "tp_src": ofproto.OFPFW_TP_SRC,
        "tp_dst": ofproto.OFPFW_TP_DST,
    }

    def __init__(
        self,
        wildcards: int | None = None,
        in_port: int | None = None,
        dl_src: str | bytes | None = None,
        dl_dst: str | bytes | None = None,
        dl_vlan: int | None = None,
        dl_vlan_pcp: int | None = None,
        dl_type: int | None = None,
        nw_tos: int | None = None,
        nw_proto: int | None = None,
        nw_src: str | int | None = None,
        nw_dst: str | int | None = None,
        tp_src: int | None = None,
        tp_dst: int | None = None,
        nw_src_mask: int = 32,
        nw_dst_mask: int = 32,
    ) -> None:
        wc = ofproto.OFPFW_ALL
        given = {
            "in_port": in_port,
            "dl_vlan": dl_vlan,
            "dl_vlan_pcp": dl_vlan_pcp,
            "dl_type": dl_type,
            "nw_tos": nw_tos,
            "nw_proto": nw_proto,
            "tp_src": tp_src,
            "tp_dst": tp_dst,
        }
        for name, value in given.items():
            if value is None:
                value = 0
            else:
                wc &= ~self._WILDCARD_BITS[name]
            setattr(self, name, value)
        for name, value in (("dl_src", dl_src), ("dl_dst", dl_dst)):
            if value is None:
                value = _ZERO_MAC
            else:
                wc &= ~self._WILDCARD_BITS[name]
                value = _mac_bin(value)
            setattr(self, name, value)
        for name, value, prefix, shift in (
            ("nw_src", nw_src, nw_src_mask, ofproto.OFPFW_NW_SRC_SHIFT),
            ("nw_dst", nw_dst, nw_dst_mask, ofproto.OFPFW_NW_DST_SHIFT),
        ):
            if value is None:
                value = 0
            else:
                # The wildcard carries how many low-order address bits are ignored.
                wc = (wc & ~(0x3F << shift)) | ((32 - prefix) << shift)
                value = _ipv4_int(value)
            setattr(self, name, value)
        self.wildcards = wc if wildcards is None else wildcards

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> OFPMatch:
        _need(buf, offset, _MATCH.size, "ofp_match")
        match = cls.__new__(cls)
        (
            match.wildcards,
            match.in_port,
            match.dl_src,
            match.dl_dst,
            match.dl_vlan,
            match.dl_vlan_pcp,
            match.dl_type,
            match.nw_tos,
            match.nw_proto,
            match.nw_src,
            match.nw_dst,
            match.tp_src,
            match.tp_dst,
        ) = _MATCH.unpack_from(buf, offset)
        return match

    def serialize(self, buf: bytearray, offset: int) -> None:
        buf[offset : offset + _MATCH.size] = _MATCH.pack(
            self.wildcards,
            self.in_port,
            _mac_bin(self.dl_src),
            _mac_bin(self.dl_dst),
            self.dl_vlan,
            self.dl_vlan_pcp,
            self.dl_type,
            self.nw_tos,
            self.nw_proto,
            _ipv4_int(self.nw_src),
            _ipv4_int(self.nw_dst),
            self.tp_src,
            self.tp_dst,
        )

    def _is_wildcarded(self, name: str) -> bool:
        if name == "nw_src":
            return (self.wildcards & ofproto.OFPFW_NW_SRC_MASK) >> ofproto.OFPFW_NW_SRC_SHIFT >= 32
        if name == "nw_dst":
            return (self.wildcards & ofproto.OFPFW_NW_DST_MASK) >> ofproto.OFPFW_NW_DST_SHIFT >= 32
        return bool(self.wildcards & self._WILDCARD_BITS[name])

    def __getitem__(self, name: str) -> Any:
        """The value of a field that is matched on; ``KeyError`` when it is wildcarded."""
        if name not in self._WILDCARD_BITS and name not in ("nw_src", "nw_dst"):
            raise KeyError(name)
        if self._is_wildcarded(name):
            raise KeyError(name)
        return getattr(self, name)

    def __contains__(self, name: object) -> bool:
        try:
            self[name]  # type: ignore[index]
        except KeyError:
            return False
        return True

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default


# -- 5.2.1 physical port -----------------------------------------------------------


class OFPPhyPort(StructBase):
    """``ofp_phy_port``; ``hw_addr`` is text, ``name`` bytes without the NUL padding."""

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
    )
    _fields = __slots__
    _TYPE: ClassVar[dict[str, list[str]]] = {"ascii": ["hw_addr"]}

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

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> OFPPhyPort:
        _need(buf, offset, _PHY_PORT.size, "ofp_phy_port")
        fields = list(_PHY_PORT.unpack_from(buf, offset))
        fields[1] = addrconv.mac.bin_to_text(fields[1])
        # Stripping only trailing NULs keeps re-encoding byte-exact.
        fields[2] = fields[2].rstrip(b"\0")
        return cls(*fields)

    def serialize(self, buf: bytearray, offset: int) -> None:
        buf[offset : offset + _PHY_PORT.size] = _PHY_PORT.pack(
            self.port_no,
            _mac_bin(self.hw_addr),
            self.name,
            self.config,
            self.state,
            self.curr,
            self.advertised,
            self.supported,
            self.peer,
        )


def _ports_from(buf: bytes, offset: int, end: int) -> list[OFPPhyPort]:
    if (end - offset) % _PHY_PORT.size:
        raise OFPMalformedMessage(f"port list of {end - offset} bytes is not a multiple of 48")
    return [OFPPhyPort.parser(buf, o) for o in range(offset, end, _PHY_PORT.size)]


# -- 5.2.4 actions ------------------------------------------------------------------


class OFPAction(StructBase):
    """Base of the 1.0 actions: ``type`` and ``len`` head every one of them.

    Subclasses declare ``cls_action_type``, ``cls_action_len`` and their
    body layout ``_BODY`` (the bytes after type and len).
    """

    __slots__ = ()
    cls_action_type: ClassVar[int]
    cls_action_len: ClassVar[int] = 8
    _BODY: ClassVar[struct.Struct]
    _ACTION_TYPES: ClassVar[dict[int, type[OFPAction]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        action_type = cls.__dict__.get("cls_action_type")
        if action_type is not None:
            OFPAction._ACTION_TYPES[action_type] = cls

    @property
    def type(self) -> int:
        return self.cls_action_type

    @property
    def len(self) -> int:
        return self.cls_action_len

    def _body_values(self) -> tuple:
        return tuple(getattr(self, f) for f in self._fields)

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> OFPAction:
        """Decode the action at ``offset`` (whatever its type)."""
        action_type, length = _ACTION_HEADER.unpack_from(buf, offset)
        klass = OFPAction._ACTION_TYPES.get(action_type)
        if klass is None:
            return OFPActionUnknown(action_type, bytes(buf[offset + 4 : offset + length]))
        return klass._parse_body(buf, offset, length)

    @classmethod
    def _parse_body(cls, buf: bytes, offset: int, length: int) -> OFPAction:
        if length != cls.cls_action_len:
            raise OFPMalformedMessage(
                f"{cls.__name__} must be {cls.cls_action_len} bytes long, not {length}"
            )
        action = cls.__new__(cls)
        for name, value in zip(cls._fields, cls._BODY.unpack_from(buf, offset + 4), strict=True):
            setattr(action, name, value)
        return action

    def serialize(self, buf: bytearray, offset: int) -> None:
        data = self.to_bytes()
        buf[offset : offset + len(data)] = data

    def to_bytes(self) -> bytes:
        return _ACTION_HEADER.pack(self.type, self.len) + self._BODY.pack(*self._body_values())


class OFPActionOutput(OFPAction):
    __slots__ = ("port", "max_len")
    _fields = __slots__
    cls_action_type = ofproto.OFPAT_OUTPUT
    _BODY = struct.Struct("!HH")

    def __init__(self, port: int, max_len: int = 0xFFE5) -> None:
        self.port = port
        self.max_len = max_len


class OFPActionVlanVid(OFPAction):
    __slots__ = ("vlan_vid",)
    _fields = __slots__
    cls_action_type = ofproto.OFPAT_SET_VLAN_VID
    _BODY = _U16_PAD2

    def __init__(self, vlan_vid: int) -> None:
        self.vlan_vid = vlan_vid


class OFPActionVlanPcp(OFPAction):
    __slots__ = ("vlan_pcp",)
    _fields = __slots__
    cls_action_type = ofproto.OFPAT_SET_VLAN_PCP
    _BODY = _U8_PAD3

    def __init__(self, vlan_pcp: int) -> None:
        self.vlan_pcp = vlan_pcp


class OFPActionStripVlan(OFPAction):
    __slots__ = ()
    _fields = ()
    cls_action_type = ofproto.OFPAT_STRIP_VLAN
    _BODY = struct.Struct("!4x")


class _DlAddrAction(OFPAction):
    """Set an Ethernet address; ``dl_addr`` is 6 bytes (text is accepted)."""

    __slots__ = ("dl_addr",)
    _fields = __slots__
    cls_action_len = 16
    _BODY = _DL_ADDR

    def __init__(self, dl_addr: str | bytes) -> None:
        self.dl_addr = _mac_bin(dl_addr)

    def _body_values(self) -> tuple:
        return (_mac_bin(self.dl_addr),)


class OFPActionSetDlSrc(_DlAddrAction):
    __slots__ = ()
    cls_action_type = ofproto.OFPAT_SET_DL_SRC


class OFPActionSetDlDst(_DlAddrAction):
    __slots__ = ()
    cls_action_type = ofproto.OFPAT_SET_DL_DST


class _NwAddrAction(OFPAction):
    """Set an IPv4 address; ``nw_addr`` is an integer (text is accepted)."""

    __slots__ = ("nw_addr",)
    _fields = __slots__
    _BODY = _U32

    def __init__(self, nw_addr: int | str) -> None:
        self.nw_addr = _ipv4_int(nw_addr)

    def _body_values(self) -> tuple:
        return (_ipv4_int(self.nw_addr),)


class OFPActionSetNwSrc(_NwAddrAction):
    __slots__ = ()
    cls_action_type = ofproto.OFPAT_SET_NW_SRC


class OFPActionSetNwDst(_NwAddrAction):
    __slots__ = ()
    cls_action_type = ofproto.OFPAT_SET_NW_DST


class OFPActionSetNwTos(OFPAction):
    __slots__ = ("tos",)
    _fields = __slots__
    cls_action_type = ofproto.OFPAT_SET_NW_TOS
    _BODY = _U8_PAD3

    def __init__(self, tos: int) -> None:
        self.tos = tos


class _TpPortAction(OFPAction):
    __slots__ = ("tp",)
    _fields = __slots__
    _BODY = _U16_PAD2

    def __init__(self, tp: int) -> None:
        self.tp = tp


class OFPActionSetTpSrc(_TpPortAction):
    __slots__ = ()
    cls_action_type = ofproto.OFPAT_SET_TP_SRC


class OFPActionSetTpDst(_TpPortAction):
    __slots__ = ()
    cls_action_type = ofproto.OFPAT_SET_TP_DST


class OFPActionEnqueue(OFPAction):
    __slots__ = ("port", "queue_id")
    _fields = __slots__
    cls_action_type = ofproto.OFPAT_ENQUEUE
    cls_action_len = 16
    _BODY = _ENQUEUE

    def __init__(self, port: int, queue_id: int) -> None:
        self.port = port
        self.queue_id = queue_id


class OFPActionVendor(OFPAction):
    """``ofp_action_vendor_header`` and the vendor's bytes, kept raw (Nicira actions...)."""

    __slots__ = ("vendor", "data")
    _fields = __slots__
    cls_action_type = ofproto.OFPAT_VENDOR

    def __init__(self, vendor: int, data: bytes = b"") -> None:
        self.vendor = vendor
        self.data = data

    @property
    def len(self) -> int:
        return 8 + len(self.data)

    @classmethod
    def _parse_body(cls, buf: bytes, offset: int, length: int) -> OFPActionVendor:
        (vendor,) = _U32.unpack_from(buf, offset + 4)
        return cls(vendor, bytes(buf[offset + 8 : offset + length]))

    def to_bytes(self) -> bytes:
        if len(self.data) % 8:
            raise OFPEncodeError("vendor action data must be a multiple of 8 bytes")
        return _ACTION_HEADER.pack(self.type, self.len) + _U32.pack(self.vendor) + self.data


class OFPActionUnknown(OFPAction):
    """An action type this library does not know; the bytes after type and len, raw."""

    __slots__ = ("type_", "data")
    _fields = __slots__

    def __init__(self, type_: int, data: bytes = b"") -> None:
        self.type_ = type_
        self.data = data

    @property
    def type(self) -> int:
        return self.type_

    @property
    def len(self) -> int:
        return 4 + len(self.data)

    def to_bytes(self) -> bytes:
        return _ACTION_HEADER.pack(self.type_, self.len) + self.data


def _actions_from(buf: bytes, offset: int, end: int) -> list[OFPAction]:
    actions = []
    while offset < end:
        if end - offset < 8:
            raise OFPMalformedMessage(f"{end - offset} bytes left where an action needs 8")
        _, length = _ACTION_HEADER.unpack_from(buf, offset)
        if length < 8 or length % 8 or offset + length > end:
            raise OFPMalformedMessage(
                f"action length {length} at offset {offset} is invalid or runs past {end}"
            )
        actions.append(OFPAction.parser(buf, offset))
        offset += length
    return actions


def _actions_bytes(actions: list[OFPAction] | None) -> bytes:
    return b"".join(a.to_bytes() for a in actions or ())


# -- 5.3.6 / 5.2.2 queues ---------------------------------------------------------


class OFPQueuePropHeader(StructBase):
    """Base of queue properties (``ofp_queue_prop_header``)."""

    __slots__ = ()
    cls_prop_type: ClassVar[int]

    @property
    def property(self) -> int:
        return self.cls_prop_type

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> OFPQueuePropHeader:
        prop_type, length = _TYPE_LEN.unpack_from(buf, offset)
        if prop_type == ofproto.OFPQT_MIN_RATE and length == ofproto.OFP_QUEUE_PROP_MIN_RATE_SIZE:
            (rate,) = _QUEUE_PROP_MIN_RATE.unpack_from(buf, offset + 8)
            return OFPQueuePropMinRate(rate)
        if prop_type == ofproto.OFPQT_NONE and length == ofproto.OFP_QUEUE_PROP_HEADER_SIZE:
            return OFPQueuePropNone()
        return OFPQueuePropUnknown(prop_type, bytes(buf[offset + 8 : offset + length]))

    def to_bytes(self) -> bytes:
        body = self._body()
        return _QUEUE_PROP_HEADER.pack(self.property, 8 + len(body)) + body

    def _body(self) -> bytes:
        return b""


class OFPQueuePropNone(OFPQueuePropHeader):
    __slots__ = ()
    _fields = ()
    cls_prop_type = ofproto.OFPQT_NONE


class OFPQueuePropMinRate(OFPQueuePropHeader):
    """Minimum rate in tenths of a percent (1000 = the whole link)."""

    __slots__ = ("rate",)
    _fields = __slots__
    cls_prop_type = ofproto.OFPQT_MIN_RATE

    def __init__(self, rate: int) -> None:
        self.rate = rate

    def _body(self) -> bytes:
        return _QUEUE_PROP_MIN_RATE.pack(self.rate)


class OFPQueuePropUnknown(OFPQueuePropHeader):
    """A queue property this library does not know, its bytes after the 8-byte header raw."""

    __slots__ = ("property_", "data")
    _fields = __slots__

    def __init__(self, property_: int, data: bytes = b"") -> None:
        self.property_ = property_
        self.data = data

    @property
    def property(self) -> int:
        return self.property_

    def _body(self) -> bytes:
        return self.data


class OFPPacketQueue(StructBase):
    """``ofp_packet_queue``: a queue id and its properties."""

    __slots__ = ("queue_id", "properties")
    _fields = __slots__

    def __init__(self, queue_id: int, properties: list[OFPQueuePropHeader] | None = None) -> None:
        self.queue_id = queue_id
        self.properties = properties or []

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> tuple[OFPPacketQueue, int]:
        """Decode the queue at ``offset``; return it and its length."""
        queue_id, length = _PACKET_QUEUE.unpack_from(buf, offset)
        end = offset + length
        if length < _PACKET_QUEUE.size or end > len(buf):
            raise OFPMalformedMessage(f"queue length {length} is invalid or runs past the message")
        props = []
        pos = offset + _PACKET_QUEUE.size
        while pos < end:
            _, plen = _TYPE_LEN.unpack_from(buf, pos)
            if plen < 8 or pos + plen > end:
                raise OFPMalformedMessage(f"queue property length {plen} is invalid")
            props.append(OFPQueuePropHeader.parser(buf, pos))
            pos += plen
        return cls(queue_id, props), length

    def to_bytes(self) -> bytes:
        props = b"".join(p.to_bytes() for p in self.properties)
        return _PACKET_QUEUE.pack(self.queue_id, _PACKET_QUEUE.size + len(props)) + props


# -- messages ---------------------------------------------------------------------


class _DataMsg(MsgBase):
    """A message whose whole body is ``data`` bytes (hello, echo)."""

    def __init__(self, datapath: Any = None, data: bytes = b"") -> None:
        super().__init__(datapath)
        self.data = data

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        msg_ = cls(datapath, bytes(buf[OFP_HEADER_SIZE:msg_len]))
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.buf += self.data or b""


@register_msg_type(_VERSION, ofproto.OFPT_HELLO)
class OFPHello(_DataMsg):
    """HELLO; 1.0 defines no body, any bytes a peer adds are kept in ``data``."""


@register_msg_type(_VERSION, ofproto.OFPT_ECHO_REQUEST)
class OFPEchoRequest(_DataMsg):
    pass


@register_msg_type(_VERSION, ofproto.OFPT_ECHO_REPLY)
class OFPEchoReply(_DataMsg):
    pass


class _HeaderOnlyMsg(MsgBase):
    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        _check_fixed_len(msg_len, OFP_HEADER_SIZE, cls.__name__)
        return super().parser(datapath, version, msg_type, msg_len, xid, buf)


@register_msg_type(_VERSION, ofproto.OFPT_FEATURES_REQUEST)
class OFPFeaturesRequest(_HeaderOnlyMsg):
    pass


@register_msg_type(_VERSION, ofproto.OFPT_GET_CONFIG_REQUEST)
class OFPGetConfigRequest(_HeaderOnlyMsg):
    pass


@register_msg_type(_VERSION, ofproto.OFPT_BARRIER_REQUEST)
class OFPBarrierRequest(_HeaderOnlyMsg):
    pass


@register_msg_type(_VERSION, ofproto.OFPT_BARRIER_REPLY)
class OFPBarrierReply(_HeaderOnlyMsg):
    pass


@register_msg_type(_VERSION, ofproto.OFPT_ERROR)
class OFPErrorMsg(MsgBase):
    """ERROR: ``type``/``code`` (``OFPET_*``/``OFP*C_*``) and the offending bytes in ``data``."""

    def __init__(
        self, datapath: Any = None, type_: int | None = None, code: int | None = None, data=b""
    ) -> None:
        super().__init__(datapath)
        self.type = type_
        self.code = code
        self.data = data

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        type_, code = _ERROR.unpack_from(buf, OFP_HEADER_SIZE)
        msg_ = cls(datapath, type_, code, bytes(buf[OFP_HEADER_SIZE + 4 : msg_len]))
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.buf += _ERROR.pack(self.type, self.code) + (self.data or b"")


@register_msg_type(_VERSION, ofproto.OFPT_VENDOR)
class OFPVendor(MsgBase):
    """VENDOR: a vendor id and the vendor's message bytes, kept raw."""

    def __init__(self, datapath: Any = None, vendor: int = 0, data: bytes = b"") -> None:
        super().__init__(datapath)
        self.vendor = vendor
        self.data = data

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        (vendor,) = _U32.unpack_from(buf, OFP_HEADER_SIZE)
        msg_ = cls(datapath, vendor, bytes(buf[OFP_HEADER_SIZE + 4 : msg_len]))
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.buf += _U32.pack(self.vendor) + (self.data or b"")


@register_msg_type(_VERSION, ofproto.OFPT_FEATURES_REPLY)
class OFPSwitchFeatures(MsgBase):
    """FEATURES_REPLY; ``ports`` maps port number to :class:`OFPPhyPort`, in wire order."""

    def __init__(
        self,
        datapath: Any = None,
        datapath_id: int = 0,
        n_buffers: int = 0,
        n_tables: int = 0,
        capabilities: int = 0,
        actions: int = 0,
        ports: dict[int, OFPPhyPort] | None = None,
    ) -> None:
        super().__init__(datapath)
        self.datapath_id = datapath_id
        self.n_buffers = n_buffers
        self.n_tables = n_tables
        self.capabilities = capabilities
        self.actions = actions
        self.ports = ports if ports is not None else {}

    @classmethod
    def from_jsondict(cls, dict_: dict[str, Any], **additional_args: Any) -> OFPSwitchFeatures:
        msg_ = super().from_jsondict(dict_, **additional_args)
        # JSON object keys are text; the port numbers are integers again here.
        msg_.ports = {int(no): port for no, port in msg_.ports.items()}
        return msg_

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        fields = _SWITCH_FEATURES.unpack_from(buf, OFP_HEADER_SIZE)
        ports = _ports_from(buf, ofproto.OFP_SWITCH_FEATURES_SIZE, msg_len)
        by_number = {p.port_no: p for p in ports}
        if len(by_number) != len(ports):
            raise OFPMalformedMessage("the same port number is listed twice")
        msg_ = cls(datapath, *fields, ports=by_number)
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.buf += _SWITCH_FEATURES.pack(
            self.datapath_id, self.n_buffers, self.n_tables, self.capabilities, self.actions
        )
        for port in self.ports.values():
            port.serialize(self.buf, len(self.buf))


class _SwitchConfigMsg(MsgBase):
    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        miss_send_len: int = ofproto.OFP_DEFAULT_MISS_SEND_LEN,
    ) -> None:
        super().__init__(datapath)
        self.flags = flags
        self.miss_send_len = miss_send_len

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        _check_fixed_len(msg_len, ofproto.OFP_SWITCH_CONFIG_SIZE, cls.__name__)
        msg_ = cls(datapath, *_SWITCH_CONFIG.unpack_from(buf, OFP_HEADER_SIZE))
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.buf += _SWITCH_CONFIG.pack(self.flags, self.miss_send_len)


@register_msg_type(_VERSION, ofproto.OFPT_GET_CONFIG_REPLY)
class OFPGetConfigReply(_SwitchConfigMsg):
    pass


@register_msg_type(_VERSION, ofproto.OFPT_SET_CONFIG)
class OFPSetConfig(_SwitchConfigMsg):
    pass


@register_msg_type(_VERSION, ofproto.OFPT_PACKET_IN)
class OFPPacketIn(MsgBase):
    """PACKET_IN: the packet (or its first ``miss_send_len`` bytes) and why it came."""

    __slots__ = ("buffer_id", "total_len", "in_port", "reason", "data")

    def __init__(
        self,
        datapath: Any = None,
        buffer_id: int = ofproto.OFP_NO_BUFFER,
        total_len: int = 0,
        in_port: int = 0,
        reason: int = ofproto.OFPR_NO_MATCH,
        data: bytes = b"",
    ) -> None:
        super().__init__(datapath)
        self.buffer_id = buffer_id
        self.total_len = total_len
        self.in_port = in_port
        self.reason = reason
        self.data = data

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        msg_ = cls(datapath, *_PACKET_IN.unpack_from(buf, OFP_HEADER_SIZE))
        msg_.data = bytes(buf[ofproto.OFP_PACKET_IN_SIZE : msg_len])
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.buf += _PACKET_IN.pack(self.buffer_id, self.total_len, self.in_port, self.reason)
        self.buf += self.data or b""


@register_msg_type(_VERSION, ofproto.OFPT_FLOW_REMOVED)
class OFPFlowRemoved(MsgBase):
    def __init__(
        self,
        datapath: Any = None,
        match: OFPMatch | None = None,
        cookie: int = 0,
        priority: int = 0,
        reason: int = 0,
        duration_sec: int = 0,
        duration_nsec: int = 0,
        idle_timeout: int = 0,
        packet_count: int = 0,
        byte_count: int = 0,
    ) -> None:
        super().__init__(datapath)
        self.match = match if match is not None else OFPMatch()
        self.cookie = cookie
        self.priority = priority
        self.reason = reason
        self.duration_sec = duration_sec
        self.duration_nsec = duration_nsec
        self.idle_timeout = idle_timeout
        self.packet_count = packet_count
        self.byte_count = byte_count

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        _check_fixed_len(msg_len, ofproto.OFP_FLOW_REMOVED_SIZE, cls.__name__)
        match = OFPMatch.parser(buf, OFP_HEADER_SIZE)
        fields = _FLOW_REMOVED_TAIL.unpack_from(buf, OFP_HEADER_SIZE + _MATCH.size)
        msg_ = cls(datapath, match, *fields)
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.match.serialize(self.buf, OFP_HEADER_SIZE)
        self.buf += _FLOW_REMOVED_TAIL.pack(
            self.cookie,
            self.priority,
            self.reason,
            self.duration_sec,
            self.duration_nsec,
            self.idle_timeout,
            self.packet_count,
            self.byte_count,
        )


@register_msg_type(_VERSION, ofproto.OFPT_PORT_STATUS)
class OFPPortStatus(MsgBase):
    def __init__(
        self, datapath: Any = None, reason: int = 0, desc: OFPPhyPort | None = None
    ) -> None:
        super().__init__(datapath)
        self.reason = reason
        self.desc = desc if desc is not None else OFPPhyPort()

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        _check_fixed_len(msg_len, ofproto.OFP_PORT_STATUS_SIZE, cls.__name__)
        (reason,) = _PORT_STATUS.unpack_from(buf, OFP_HEADER_SIZE)
        msg_ = cls(datapath, reason, OFPPhyPort.parser(buf, OFP_HEADER_SIZE + 8))
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.buf += _PORT_STATUS.pack(self.reason)
        self.desc.serialize(self.buf, len(self.buf))


@register_msg_type(_VERSION, ofproto.OFPT_PACKET_OUT)
class OFPPacketOut(MsgBase):
    """PACKET_OUT; ``data`` may be bytes or a packet-library ``Packet`` (serialized here)."""

    __slots__ = ("buffer_id", "in_port", "actions", "data")

    def __init__(
        self,
        datapath: Any = None,
        buffer_id: int = ofproto.OFP_NO_BUFFER,
        in_port: int = ofproto.OFPP_NONE,
        actions: list[OFPAction] | None = None,
        data: Any = b"",
    ) -> None:
        super().__init__(datapath)
        self.buffer_id = buffer_id
        self.in_port = in_port
        self.actions = actions if actions is not None else []
        self.data = data

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        buffer_id, in_port, actions_len = _PACKET_OUT.unpack_from(buf, OFP_HEADER_SIZE)
        end = ofproto.OFP_PACKET_OUT_SIZE + actions_len
        if end > msg_len:
            raise OFPMalformedMessage(f"actions_len {actions_len} runs past the message")
        actions = _actions_from(buf, ofproto.OFP_PACKET_OUT_SIZE, end)
        msg_ = cls(datapath, buffer_id, in_port, actions, bytes(buf[end:msg_len]))
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        actions = _actions_bytes(self.actions)
        self.buf += _PACKET_OUT.pack(self.buffer_id, self.in_port, len(actions)) + actions
        data = self.data
        if data is not None and not isinstance(data, (bytes, bytearray, memoryview)):
            data.serialize()
            data = data.data
        self.buf += data or b""


@register_msg_type(_VERSION, ofproto.OFPT_FLOW_MOD)
class OFPFlowMod(MsgBase):
    __slots__ = (
        "match",
        "cookie",
        "command",
        "idle_timeout",
        "hard_timeout",
        "priority",
        "buffer_id",
        "out_port",
        "flags",
        "actions",
    )

    def __init__(
        self,
        datapath: Any = None,
        match: OFPMatch | None = None,
        cookie: int = 0,
        command: int = ofproto.OFPFC_ADD,
        idle_timeout: int = 0,
        hard_timeout: int = 0,
        priority: int = ofproto.OFP_DEFAULT_PRIORITY,
        buffer_id: int = ofproto.OFP_NO_BUFFER,
        out_port: int = ofproto.OFPP_NONE,
        flags: int = 0,
        actions: list[OFPAction] | None = None,
    ) -> None:
        super().__init__(datapath)
        self.match = match if match is not None else OFPMatch()
        self.cookie = cookie
        self.command = command
        self.idle_timeout = idle_timeout
        self.hard_timeout = hard_timeout
        self.priority = priority
        self.buffer_id = buffer_id
        self.out_port = out_port
        self.flags = flags
        self.actions = actions if actions is not None else []

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        match = OFPMatch.parser(buf, OFP_HEADER_SIZE)
        fields = _FLOW_MOD_TAIL.unpack_from(buf, OFP_HEADER_SIZE + _MATCH.size)
        actions = _actions_from(buf, ofproto.OFP_FLOW_MOD_SIZE, msg_len)
        msg_ = cls(datapath, match, *fields, actions=actions)
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.match.serialize(self.buf, OFP_HEADER_SIZE)
        self.buf += _FLOW_MOD_TAIL.pack(
            self.cookie,
            self.command,
            self.idle_timeout,
            self.hard_timeout,
            self.priority,
            self.buffer_id,
            self.out_port,
            self.flags,
        )
        self.buf += _actions_bytes(self.actions)


@register_msg_type(_VERSION, ofproto.OFPT_PORT_MOD)
class OFPPortMod(MsgBase):
    _TYPE: ClassVar[dict[str, list[str]]] = {"ascii": ["hw_addr"]}

    def __init__(
        self,
        datapath: Any = None,
        port_no: int = 0,
        hw_addr: str = "00:00:00:00:00:00",
        config: int = 0,
        mask: int = 0,
        advertise: int = 0,
    ) -> None:
        super().__init__(datapath)
        self.port_no = port_no
        self.hw_addr = hw_addr
        self.config = config
        self.mask = mask
        self.advertise = advertise

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        _check_fixed_len(msg_len, ofproto.OFP_PORT_MOD_SIZE, cls.__name__)
        port_no, hw_addr, config, mask, advertise = _PORT_MOD.unpack_from(buf, OFP_HEADER_SIZE)
        msg_ = cls(datapath, port_no, addrconv.mac.bin_to_text(hw_addr), config, mask, advertise)
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.buf += _PORT_MOD.pack(
            self.port_no, _mac_bin(self.hw_addr), self.config, self.mask, self.advertise
        )


@register_msg_type(_VERSION, ofproto.OFPT_QUEUE_GET_CONFIG_REQUEST)
class OFPQueueGetConfigRequest(MsgBase):
    def __init__(self, datapath: Any = None, port: int = 0) -> None:
        super().__init__(datapath)
        self.port = port

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        _check_fixed_len(msg_len, ofproto.OFP_QUEUE_GET_CONFIG_REQUEST_SIZE, cls.__name__)
        msg_ = cls(datapath, *_QUEUE_GET_CONFIG_REQ.unpack_from(buf, OFP_HEADER_SIZE))
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.buf += _QUEUE_GET_CONFIG_REQ.pack(self.port)


@register_msg_type(_VERSION, ofproto.OFPT_QUEUE_GET_CONFIG_REPLY)
class OFPQueueGetConfigReply(MsgBase):
    def __init__(
        self, datapath: Any = None, port: int = 0, queues: list[OFPPacketQueue] | None = None
    ) -> None:
        super().__init__(datapath)
        self.port = port
        self.queues = queues if queues is not None else []

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        (port,) = _QUEUE_GET_CONFIG_REPLY.unpack_from(buf, OFP_HEADER_SIZE)
        queues = []
        offset = ofproto.OFP_QUEUE_GET_CONFIG_REPLY_SIZE
        while offset < msg_len:
            queue, length = OFPPacketQueue.parser(buf, offset)
            queues.append(queue)
            offset += length
        msg_ = cls(datapath, port, queues)
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _serialize_body(self) -> None:
        self.buf += _QUEUE_GET_CONFIG_REPLY.pack(self.port)
        self.buf += b"".join(q.to_bytes() for q in self.queues)


# -- 5.3.5 statistics ---------------------------------------------------------------


class _StatsMsg(MsgBase):
    """Common part of STATS_REQUEST and STATS_REPLY: ``type`` (``OFPST_*``) and ``flags``.

    The class registered for the message type dispatches on the statistics
    type to the subclass that knows the body; a type nobody registered is
    decoded as the registered class itself, with the body kept in ``body`` as bytes.
    """

    cls_stats_type: ClassVar[int | None] = None
    _STATS_TYPES: ClassVar[dict[int, type]]

    def __init__(self, datapath: Any = None, flags: int = 0, type_: int | None = None) -> None:
        super().__init__(datapath)
        self.type = self.cls_stats_type if type_ is None else type_
        self.flags = flags

    @classmethod
    def register_stats_type(cls, stats_type: int):
        def register(klass):
            klass.cls_stats_type = stats_type
            cls._STATS_TYPES[stats_type] = klass
            return klass

        return register

    def stringify_attrs(self) -> list[tuple[str, Any]]:
        attrs = super().stringify_attrs()
        if self.cls_stats_type is not None:
            # The subclass already says the type; keep ``type`` out of from_jsondict's way.
            attrs = [(k, v) for k, v in attrs if k != "type"]
        return attrs

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        stats_type, flags = _STATS_HEADER.unpack_from(buf, OFP_HEADER_SIZE)
        klass = cls._STATS_TYPES.get(stats_type)
        if klass is None:
            msg_ = cls(
                datapath, flags, stats_type, bytes(buf[ofproto.OFP_STATS_MSG_SIZE : msg_len])
            )
        else:
            msg_ = klass.__new__(klass)
            MsgBase.__init__(msg_, datapath)
            msg_.type = stats_type
            msg_.flags = flags
            klass._parse_stats_body(msg_, buf, ofproto.OFP_STATS_MSG_SIZE, msg_len)
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    def _stats_body(self) -> bytes:
        """The encoded body; the generic classes carry it raw in ``body``."""
        return bytes(self.body or b"")

    def _serialize_body(self) -> None:
        self.buf += _STATS_HEADER.pack(self.type, self.flags) + self._stats_body()


@register_msg_type(_VERSION, ofproto.OFPT_STATS_REQUEST)
class OFPStatsRequest(_StatsMsg):
    """STATS_REQUEST; this class itself carries a statistics type it has no subclass for."""

    _STATS_TYPES: ClassVar[dict[int, type]] = {}

    def __init__(
        self, datapath: Any = None, flags: int = 0, type_: int | None = None, body: bytes = b""
    ) -> None:
        super().__init__(datapath, flags, type_)
        self.body = body


@register_msg_type(_VERSION, ofproto.OFPT_STATS_REPLY)
class OFPStatsReply(_StatsMsg):
    """STATS_REPLY; this class itself carries a statistics type it has no subclass for."""

    _STATS_TYPES: ClassVar[dict[int, type]] = {}

    def __init__(
        self, datapath: Any = None, flags: int = 0, type_: int | None = None, body: bytes = b""
    ) -> None:
        super().__init__(datapath, flags, type_)
        self.body = body


class _EmptyStatsRequest(OFPStatsRequest):
    def __init__(self, datapath: Any = None, flags: int = 0) -> None:
        _StatsMsg.__init__(self, datapath, flags)

    @classmethod
    def _parse_stats_body(cls, msg_, buf, offset, end):
        if end != offset:
            raise OFPMalformedMessage(f"{cls.__name__} has no body, got {end - offset} bytes")

    def _stats_body(self) -> bytes:
        return b""


@OFPStatsRequest.register_stats_type(ofproto.OFPST_DESC)
class OFPDescStatsRequest(_EmptyStatsRequest):
    pass


@OFPStatsRequest.register_stats_type(ofproto.OFPST_TABLE)
class OFPTableStatsRequest(_EmptyStatsRequest):
    pass


class _FlowStatsRequestBase(OFPStatsRequest):
    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        match: OFPMatch | None = None,
        table_id: int = 0xFF,
        out_port: int = ofproto.OFPP_NONE,
    ) -> None:
        _StatsMsg.__init__(self, datapath, flags)
        self.match = match if match is not None else OFPMatch()
        self.table_id = table_id
        self.out_port = out_port

    @classmethod
    def _parse_stats_body(cls, msg_, buf, offset, end):
        if end - offset != _MATCH.size + 4:
            raise OFPMalformedMessage(f"{cls.__name__} body must be 44 bytes, not {end - offset}")
        msg_.match = OFPMatch.parser(buf, offset)
        msg_.table_id, msg_.out_port = _FLOW_STATS_REQ_TAIL.unpack_from(buf, offset + _MATCH.size)

    def _stats_body(self) -> bytes:
        out = bytearray()
        self.match.serialize(out, 0)
        return bytes(out) + _FLOW_STATS_REQ_TAIL.pack(self.table_id, self.out_port)


@OFPStatsRequest.register_stats_type(ofproto.OFPST_FLOW)
class OFPFlowStatsRequest(_FlowStatsRequestBase):
    pass


@OFPStatsRequest.register_stats_type(ofproto.OFPST_AGGREGATE)
class OFPAggregateStatsRequest(_FlowStatsRequestBase):
    pass


@OFPStatsRequest.register_stats_type(ofproto.OFPST_PORT)
class OFPPortStatsRequest(OFPStatsRequest):
    def __init__(
        self, datapath: Any = None, flags: int = 0, port_no: int = ofproto.OFPP_NONE
    ) -> None:
        _StatsMsg.__init__(self, datapath, flags)
        self.port_no = port_no

    @classmethod
    def _parse_stats_body(cls, msg_, buf, offset, end):
        _check_fixed_len(end - offset, _PORT_STATS_REQ.size, f"{cls.__name__} body")
        (msg_.port_no,) = _PORT_STATS_REQ.unpack_from(buf, offset)

    def _stats_body(self) -> bytes:
        return _PORT_STATS_REQ.pack(self.port_no)


@OFPStatsRequest.register_stats_type(ofproto.OFPST_QUEUE)
class OFPQueueStatsRequest(OFPStatsRequest):
    def __init__(
        self,
        datapath: Any = None,
        flags: int = 0,
        port_no: int = ofproto.OFPP_ALL,
        queue_id: int = ofproto.OFPQ_ALL,
    ) -> None:
        _StatsMsg.__init__(self, datapath, flags)
        self.port_no = port_no
        self.queue_id = queue_id

    @classmethod
    def _parse_stats_body(cls, msg_, buf, offset, end):
        _check_fixed_len(end - offset, _QUEUE_STATS_REQ.size, f"{cls.__name__} body")
        msg_.port_no, msg_.queue_id = _QUEUE_STATS_REQ.unpack_from(buf, offset)

    def _stats_body(self) -> bytes:
        return _QUEUE_STATS_REQ.pack(self.port_no, self.queue_id)


class _VendorStatsMixin:
    @classmethod
    def _parse_stats_body(cls, msg_, buf, offset, end):
        if end - offset < 4:
            raise OFPTruncatedMessage("vendor statistics need a 4-byte vendor id")
        (msg_.vendor,) = _U32.unpack_from(buf, offset)
        msg_.specific_data = bytes(buf[offset + 4 : end])

    def _stats_body(self) -> bytes:
        return _U32.pack(self.vendor) + (self.specific_data or b"")


@OFPStatsRequest.register_stats_type(ofproto.OFPST_VENDOR)
class OFPVendorStatsRequest(_VendorStatsMixin, OFPStatsRequest):
    """Vendor statistics request; ``specific_data`` is the vendor's bytes, kept raw."""

    def __init__(
        self, datapath: Any = None, flags: int = 0, vendor: int = 0, specific_data: bytes = b""
    ) -> None:
        _StatsMsg.__init__(self, datapath, flags)
        self.vendor = vendor
        self.specific_data = specific_data


class _FixedStats(StructBase):
    """A statistics record of fixed size: ``_PACK`` and its ``_fields`` in wire order."""

    __slots__ = ()
    _PACK: ClassVar[struct.Struct]

    @classmethod
    def parser(cls, buf: bytes, offset: int):
        return cls(*cls._PACK.unpack_from(buf, offset))

    def to_bytes(self) -> bytes:
        return self._PACK.pack(*(getattr(self, f) for f in self._fields))


class OFPDescStats(_FixedStats):
    """Switch description; the strings are bytes without their NUL padding."""

    __slots__ = ("mfr_desc", "hw_desc", "sw_desc", "serial_num", "dp_desc")
    _fields = __slots__
    _PACK = _DESC_STATS

    def __init__(
        self,
        mfr_desc: bytes = b"",
        hw_desc: bytes = b"",
        sw_desc: bytes = b"",
        serial_num: bytes = b"",
        dp_desc: bytes = b"",
    ) -> None:
        self.mfr_desc = mfr_desc
        self.hw_desc = hw_desc
        self.sw_desc = sw_desc
        self.serial_num = serial_num
        self.dp_desc = dp_desc

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> OFPDescStats:
        return cls(*(s.rstrip(b"\0") for s in _DESC_STATS.unpack_from(buf, offset)))


class OFPAggregateStats(_FixedStats):
    __slots__ = ("packet_count", "byte_count", "flow_count")
    _fields = __slots__
    _PACK = _AGGREGATE_STATS

    def __init__(self, packet_count: int = 0, byte_count: int = 0, flow_count: int = 0) -> None:
        self.packet_count = packet_count
        self.byte_count = byte_count
        self.flow_count = flow_count


class OFPTableStats(_FixedStats):
    """Table statistics; ``name`` is bytes without its NUL padding."""

    __slots__ = (
        "table_id",
        "name",
        "wildcards",
        "max_entries",
        "active_count",
        "lookup_count",
        "matched_count",
    )
    _fields = __slots__
    _PACK = _TABLE_STATS

    def __init__(
        self,
        table_id: int = 0,
        name: bytes = b"",
        wildcards: int = 0,
        max_entries: int = 0,
        active_count: int = 0,
        lookup_count: int = 0,
        matched_count: int = 0,
    ) -> None:
        self.table_id = table_id
        self.name = name
        self.wildcards = wildcards
        self.max_entries = max_entries
        self.active_count = active_count
        self.lookup_count = lookup_count
        self.matched_count = matched_count

    @classmethod
    def parser(cls, buf: bytes, offset: int) -> OFPTableStats:
        fields = list(_TABLE_STATS.unpack_from(buf, offset))
        fields[1] = fields[1].rstrip(b"\0")
        return cls(*fields)


class OFPPortStats(_FixedStats):
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
    )
    _fields = __slots__
    _PACK = _PORT_STATS

    def __init__(self, port_no: int = 0, *counters: int, **named: int) -> None:
        self.port_no = port_no
        values = dict(zip(self._fields[1:], counters, strict=False))
        values.update(named)
        for name in self._fields[1:]:
            setattr(self, name, values.get(name, 0))


class OFPQueueStats(_FixedStats):
    __slots__ = ("port_no", "queue_id", "tx_bytes", "tx_packets", "tx_errors")
    _fields = __slots__
    _PACK = _QUEUE_STATS

    def __init__(
        self,
        port_no: int = 0,
        queue_id: int = 0,
        tx_bytes: int = 0,
        tx_packets: int = 0,
        tx_errors: int = 0,
    ) -> None:
        self.port_no = port_no
        self.queue_id = queue_id
        self.tx_bytes = tx_bytes
        self.tx_packets = tx_packets
        self.tx_errors = tx_errors


class OFPFlowStats(StructBase):
    """One flow entry of a flow statistics reply (``ofp_flow_stats``)."""

    __slots__ = (
        "table_id",
        "match",
        "duration_sec",
        "duration_nsec",
        "priority",
        "idle_timeout",
        "hard_timeout",
        "cookie",
        "packet_count",
        "byte_count",
        "actions",
    )
    _fields = __slots__

    def __init__(
        self,
        table_id: int = 0,
        match: OFPMatch | None = None,
        duration_sec: int = 0,
        duration_nsec: int = 0,
        priority: int = 0,
        idle_timeout: int = 0,
        hard_timeout: int = 0,
        cookie: int = 0,
        packet_count: int = 0,
        byte_count: int = 0,
        actions: list[OFPAction] | None = None,
    ) -> None:
        self.table_id = table_id
        self.match = match if match is not None else OFPMatch()
        self.duration_sec = duration_sec
        self.duration_nsec = duration_nsec
        self.priority = priority
        self.idle_timeout = idle_timeout
        self.hard_timeout = hard_timeout
        self.cookie = cookie
        self.packet_count = packet_count
        self.byte_count = byte_count
        self.actions = actions if actions is not None else []

    @property
    def length(self) -> int:
        return ofproto.OFP_FLOW_STATS_SIZE + len(_actions_bytes(self.actions))

    @classmethod
    def parser(cls, buf: bytes, offset: int, end: int) -> tuple[OFPFlowStats, int]:
        """Decode the entry at ``offset`` (ending by ``end``); return it and its length."""
        length, table_id = _FLOW_STATS_HEAD.unpack_from(buf, offset)
        if length < ofproto.OFP_FLOW_STATS_SIZE or offset + length > end:
            raise OFPMalformedMessage(f"flow stats length {length} is invalid")
        match = OFPMatch.parser(buf, offset + 4)
        tail = _FLOW_STATS_TAIL.unpack_from(buf, offset + 4 + _MATCH.size)
        actions = _actions_from(buf, offset + ofproto.OFP_FLOW_STATS_SIZE, offset + length)
        return cls(table_id, match, *tail, actions=actions), length

    def to_bytes(self) -> bytes:
        actions = _actions_bytes(self.actions)
        out = bytearray(
            _FLOW_STATS_HEAD.pack(ofproto.OFP_FLOW_STATS_SIZE + len(actions), self.table_id)
        )
        self.match.serialize(out, len(out))
        out += _FLOW_STATS_TAIL.pack(
            self.duration_sec,
            self.duration_nsec,
            self.priority,
            self.idle_timeout,
            self.hard_timeout,
            self.cookie,
            self.packet_count,
            self.byte_count,
        )
        return bytes(out) + actions


class _ListStatsReply(OFPStatsReply):
    """A reply whose body is a list of records (``_RECORD``), or one record (``_SINGLE``)."""

    _RECORD: ClassVar[type]
    _SINGLE: ClassVar[bool] = False

    def __init__(self, datapath: Any = None, flags: int = 0, body: Any = None) -> None:
        _StatsMsg.__init__(self, datapath, flags)
        self.body = body if body is not None else ([] if not self._SINGLE else self._RECORD())

    @classmethod
    def _parse_stats_body(cls, msg_, buf, offset, end):
        record = cls._RECORD
        if record is OFPFlowStats:
            body = []
            while offset < end:
                entry, length = OFPFlowStats.parser(buf, offset, end)
                body.append(entry)
                offset += length
        else:
            size = record._PACK.size
            if (end - offset) % size:
                raise OFPMalformedMessage(
                    f"{cls.__name__} body of {end - offset} bytes is not a multiple of {size}"
                )
            body = [record.parser(buf, o) for o in range(offset, end, size)]
        if cls._SINGLE:
            if len(body) != 1:
                raise OFPMalformedMessage(f"{cls.__name__} carries {len(body)} records, not 1")
            body = body[0]
        msg_.body = body

    def _stats_body(self) -> bytes:
        records = [self.body] if self._SINGLE else self.body
        return b"".join(r.to_bytes() for r in records)


@OFPStatsReply.register_stats_type(ofproto.OFPST_DESC)
class OFPDescStatsReply(_ListStatsReply):
    _RECORD = OFPDescStats
    _SINGLE = True


@OFPStatsReply.register_stats_type(ofproto.OFPST_FLOW)
class OFPFlowStatsReply(_ListStatsReply):
    _RECORD = OFPFlowStats


@OFPStatsReply.register_stats_type(ofproto.OFPST_AGGREGATE)
class OFPAggregateStatsReply(_ListStatsReply):
    _RECORD = OFPAggregateStats


@OFPStatsReply.register_stats_type(ofproto.OFPST_TABLE)
class OFPTableStatsReply(_ListStatsReply):
    _RECORD = OFPTableStats


@OFPStatsReply.register_stats_type(ofproto.OFPST_PORT)
class OFPPortStatsReply(_ListStatsReply):
    _RECORD = OFPPortStats


@OFPStatsReply.register_stats_type(ofproto.OFPST_QUEUE)
class OFPQueueStatsReply(_ListStatsReply):
    _RECORD = OFPQueueStats


@OFPStatsReply.register_stats_type(ofproto.OFPST_VENDOR)
class OFPVendorStatsReply(_VendorStatsMixin, OFPStatsReply):
    """Vendor statistics reply; ``specific_data`` is the vendor's bytes, kept raw."""

    def __init__(
        self, datapath: Any = None, flags: int = 0, vendor: int = 0, specific_data: bytes = b""
    ) -> None:
        _StatsMsg.__init__(self, datapath, flags)
        self.vendor = vendor
        self.specific_data = specific_data
