"""OpenFlow 1.3 actions and instructions (OpenFlow 1.3.5 sections 7.2.4 and 7.2.5).

Every action of 7.2.5 (output, copy TTL out/in, set/decrement MPLS TTL,
push/pop VLAN, MPLS and PBB, set queue, group, set/decrement IP TTL, set
field, experimenter) and every instruction of 7.2.4 (goto table, write
metadata, write/apply/clear actions, meter, experimenter), with Ryu's class
names and constructor arguments.

``OFPAction.parser(buf, offset)`` / ``OFPInstruction.parser(buf, offset)``
decode the structure at ``offset`` by its type; the caller advances by the
object's ``len``.  ``serialize(buf, offset)`` writes it and returns its length.
An experimenter action or instruction (for instance a Nicira extension) and
an action or instruction of a type 1.3 does not define are kept as raw bytes
(``data``, after the experimenter id for experimenter ones) and encode back
unchanged.  A length below the structure's fixed size, not a multiple of 8 or
running past the container raises
:class:`~ctrlapp.exception.OFPMalformedMessage`.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar

from ctrlapp.exception import OFPEncodeError, OFPMalformedMessage, OFPTruncatedMessage
from ctrlapp.ofproto import ofproto_v1_3 as ofproto
from ctrlapp.ofproto.ofproto_parser import StructBase
from ctrlapp.ofproto.v1_3.match import oxm_length, oxm_parse, oxm_serialize

_TYPE_LEN = struct.Struct("!HH")
_TYPE_LEN_ID = struct.Struct("!HHI")


def _checked_len(buf: bytes | bytearray, offset: int, what: str, minimum: int) -> tuple[int, int]:
    """Read type and length at ``offset`` and check the length against ``buf``."""
    type_, length = _TYPE_LEN.unpack_from(buf, offset)
    if length < minimum or length % 8:
        raise OFPMalformedMessage(f"{what} type {type_} has length {length}")
    if offset + length > len(buf):
        raise OFPTruncatedMessage(f"{what} type {type_} of length {length} runs past its container")
    return type_, length


def parse_list(parse, buf: bytes | bytearray, offset: int, end: int) -> list:
    """Decode consecutive structures between ``offset`` and ``end`` with ``parse(buf, offset)``."""
    items = []
    view = buf if end == len(buf) else buf[:end]
    while offset < end:
        item = parse(view, offset)
        items.append(item)
        offset += item.len
    return items


# ---------------------------------------------------------------------------------
# actions
# ---------------------------------------------------------------------------------
class OFPAction(StructBase):
    """Base of every action; ``OFPAction.parser`` picks the class from the action type.

    A fixed-layout subclass declares ``_STRUCT`` (type, len, then its fields in
    ``_FIELDS`` order, padding included) and its constructor takes the fields
    in that order, so parsing and encoding are table-driven.
    """

    __slots__ = ("type", "len")
    cls_action_type: ClassVar[int] = -1
    _STRUCT: ClassVar[struct.Struct] = struct.Struct("!HH4x")
    _FIELDS: ClassVar[tuple[str, ...]] = ()
    _TYPES: ClassVar[dict[int, type[OFPAction]]] = {}

    def __init__(self) -> None:
        self.type = self.cls_action_type
        self.len = self._STRUCT.size

    @classmethod
    def register(cls, action_type: int):
        def register(sub):
            sub.cls_action_type = action_type
            OFPAction._TYPES[action_type] = sub
            return sub

        return register

    @classmethod
    def parser(cls, buf: bytes | bytearray, offset: int) -> OFPAction:
        type_, length = _checked_len(buf, offset, "action", 8)
        sub = OFPAction._TYPES.get(type_)
        if sub is None:
            return OFPActionUnknown._parse_raw(buf, offset, type_, length)
        return sub._parse(buf, offset, length)

    @classmethod
    def _parse(cls, buf: bytes | bytearray, offset: int, length: int) -> OFPAction:
        st = cls._STRUCT
        if length != st.size:
            raise OFPMalformedMessage(f"{cls.__name__} has length {length}, expected {st.size}")
        action = cls(*st.unpack_from(buf, offset)[2:])
        return action

    def to_bytes(self) -> bytes:
        values = [getattr(self, f) for f in self._FIELDS]
        return self._STRUCT.pack(self.type, self._STRUCT.size, *values)


_OUTPUT_PACK = struct.Struct(ofproto.OFP_ACTION_OUTPUT_PACK_STR).pack


@OFPAction.register(ofproto.OFPAT_OUTPUT)
class OFPActionOutput(OFPAction):
    """Output to a port; ``max_len`` bytes go to the controller when the port is CONTROLLER."""

    __slots__ = ("port", "max_len")
    _STRUCT = struct.Struct(ofproto.OFP_ACTION_OUTPUT_PACK_STR)
    _FIELDS = ("port", "max_len")

    def __init__(
        self, port: int, max_len: int = ofproto.OFPCML_MAX, type_: Any = None, len_: Any = None
    ) -> None:
        self.type = ofproto.OFPAT_OUTPUT
        self.len = 16
        self.port = port
        self.max_len = max_len

    def to_bytes(self) -> bytes:
        return _OUTPUT_PACK(0, 16, self.port, self.max_len)


class _ActionNoArgs(OFPAction):
    __slots__ = ()

    def __init__(self, type_: Any = None, len_: Any = None) -> None:
        OFPAction.__init__(self)


@OFPAction.register(ofproto.OFPAT_COPY_TTL_OUT)
class OFPActionCopyTtlOut(_ActionNoArgs):
    """Copy the TTL from the next-to-outermost header to the outermost."""

    __slots__ = ()


@OFPAction.register(ofproto.OFPAT_COPY_TTL_IN)
class OFPActionCopyTtlIn(_ActionNoArgs):
    """Copy the TTL from the outermost header to the next-to-outermost."""

    __slots__ = ()


@OFPAction.register(ofproto.OFPAT_DEC_MPLS_TTL)
class OFPActionDecMplsTtl(_ActionNoArgs):
    """Decrement the MPLS TTL."""

    __slots__ = ()


@OFPAction.register(ofproto.OFPAT_POP_VLAN)
class OFPActionPopVlan(_ActionNoArgs):
    """Pop the outermost VLAN tag."""

    __slots__ = ()


@OFPAction.register(ofproto.OFPAT_DEC_NW_TTL)
class OFPActionDecNwTtl(_ActionNoArgs):
    """Decrement the IPv4 TTL / IPv6 hop limit."""

    __slots__ = ()


@OFPAction.register(ofproto.OFPAT_POP_PBB)
class OFPActionPopPbb(_ActionNoArgs):
    """Pop the outermost PBB service tag."""

    __slots__ = ()


@OFPAction.register(ofproto.OFPAT_SET_MPLS_TTL)
class OFPActionSetMplsTtl(OFPAction):
    """Set the MPLS TTL."""

    __slots__ = ("mpls_ttl",)
    _STRUCT = struct.Struct(ofproto.OFP_ACTION_MPLS_TTL_PACK_STR)
    _FIELDS = ("mpls_ttl",)

    def __init__(self, mpls_ttl: int, type_: Any = None, len_: Any = None) -> None:
        OFPAction.__init__(self)
        self.mpls_ttl = mpls_ttl


@OFPAction.register(ofproto.OFPAT_SET_NW_TTL)
class OFPActionSetNwTtl(OFPAction):
    """Set the IPv4 TTL / IPv6 hop limit."""

    __slots__ = ("nw_ttl",)
    _STRUCT = struct.Struct(ofproto.OFP_ACTION_NW_TTL_PACK_STR)
    _FIELDS = ("nw_ttl",)

    def __init__(self, nw_ttl: int, type_: Any = None, len_: Any = None) -> None:
        OFPAction.__init__(self)
        self.nw_ttl = nw_ttl


class _ActionEthertype(OFPAction):
    __slots__ = ("ethertype",)
    _STRUCT = struct.Struct(ofproto.OFP_ACTION_PUSH_PACK_STR)
    _FIELDS = ("ethertype",)

    def __init__(self, ethertype: int, type_: Any = None, len_: Any = None) -> None:
        OFPAction.__init__(self)
        self.ethertype = ethertype


@OFPAction.register(ofproto.OFPAT_PUSH_VLAN)
class OFPActionPushVlan(_ActionEthertype):
    """Push a VLAN tag with the given TPID (0x8100 or 0x88a8)."""

    __slots__ = ()


@OFPAction.register(ofproto.OFPAT_PUSH_MPLS)
class OFPActionPushMpls(_ActionEthertype):
    """Push an MPLS label stack entry (ethertype 0x8847 or 0x8848)."""

    __slots__ = ()


@OFPAction.register(ofproto.OFPAT_POP_MPLS)
class OFPActionPopMpls(_ActionEthertype):
    """Pop the outer MPLS entry; ``ethertype`` is what the payload becomes."""

    __slots__ = ()


@OFPAction.register(ofproto.OFPAT_PUSH_PBB)
class OFPActionPushPbb(_ActionEthertype):
    """Push a PBB service tag (ethertype 0x88e7)."""

    __slots__ = ()


@OFPAction.register(ofproto.OFPAT_SET_QUEUE)
class OFPActionSetQueue(OFPAction):
    """Set the queue id used when the packet is output."""

    __slots__ = ("queue_id",)
    _STRUCT = struct.Struct(ofproto.OFP_ACTION_SET_QUEUE_PACK_STR)
    _FIELDS = ("queue_id",)

    def __init__(self, queue_id: int, type_: Any = None, len_: Any = None) -> None:
        OFPAction.__init__(self)
        self.queue_id = queue_id


@OFPAction.register(ofproto.OFPAT_GROUP)
class OFPActionGroup(OFPAction):
    """Process the packet through a group."""

    __slots__ = ("group_id",)
    _STRUCT = struct.Struct(ofproto.OFP_ACTION_GROUP_PACK_STR)
    _FIELDS = ("group_id",)

    def __init__(self, group_id: int = 0, type_: Any = None, len_: Any = None) -> None:
        OFPAction.__init__(self)
        self.group_id = group_id


@OFPAction.register(ofproto.OFPAT_SET_FIELD)
class OFPActionSetField(OFPAction):
    """Set one header field: ``OFPActionSetField(eth_dst='00:11:22:33:44:55')``.

    ``key`` is the OXM field name and ``value`` its value (``(value, mask)``
    if a decoded OXM carried a mask, which 1.3 does not allow but some
    switches send).
    """

    __slots__ = ("key", "value")

    def __init__(self, field: Any = None, **kwargs: Any) -> None:
        self.type = ofproto.OFPAT_SET_FIELD
        if field is not None:
            kwargs = {getattr(field, "key", None) or field[0]: field[1]}
        if len(kwargs) != 1:
            raise OFPEncodeError("OFPActionSetField takes exactly one field")
        ((self.key, self.value),) = kwargs.items()
        value, mask = self.value if type(self.value) is tuple else (self.value, None)
        self.len = (4 + oxm_length(self.key, value, mask) + 7) // 8 * 8

    @classmethod
    def _parse(cls, buf: bytes | bytearray, offset: int, length: int) -> OFPActionSetField:
        key, value, mask, end = oxm_parse(buf, offset + 4, offset + length)
        if (end - offset + 7) // 8 * 8 != length:
            raise OFPMalformedMessage(f"set-field action of length {length} holds {end - offset}")
        return cls(**{key: value if mask is None else (value, mask)})

    def to_bytes(self) -> bytes:
        out = bytearray(4)
        value, mask = self.value if type(self.value) is tuple else (self.value, None)
        oxm_serialize(out, self.key, value, mask)
        length = (len(out) + 7) // 8 * 8
        out += bytes(length - len(out))
        _TYPE_LEN.pack_into(out, 0, self.type, length)
        self.len = length
        return bytes(out)

    def to_jsondict(self) -> dict[str, Any]:
        value = self._encode_value(self.key, self.value)
        return {"OFPActionSetField": {"field": {"OXMTlv": {"field": self.key, "value": value}}}}

    @classmethod
    def from_jsondict(cls, dict_: dict[str, Any], **additional_args: Any) -> OFPActionSetField:
        tlv = dict_["field"]["OXMTlv"]
        value = tlv["value"]
        if tlv["field"].startswith("oxm_"):
            value = cls._decode_value("raw", value)
        return cls(**{tlv["field"]: value})


@OFPAction.register(ofproto.OFPAT_EXPERIMENTER)
class OFPActionExperimenter(OFPAction):
    """Experimenter action, kept raw: ``experimenter`` id and the bytes after it (``data``)."""

    __slots__ = ("experimenter", "data")

    def __init__(
        self, experimenter: int, data: bytes = b"", type_: Any = None, len_: Any = None
    ) -> None:
        self.type = ofproto.OFPAT_EXPERIMENTER
        self.experimenter = experimenter
        self.data = bytes(data)
        self.len = 8 + len(self.data)

    @classmethod
    def _parse(cls, buf: bytes | bytearray, offset: int, length: int) -> OFPActionExperimenter:
        (experimenter,) = struct.unpack_from("!I", buf, offset + 4)
        return cls(experimenter, bytes(buf[offset + 8 : offset + length]))

    def to_bytes(self) -> bytes:
        self.len = 8 + len(self.data)
        head = _TYPE_LEN_ID.pack(self.type, self.len, self.experimenter)
        return head + self.data


OFPActionExperimenterUnknown = OFPActionExperimenter


class OFPActionUnknown(OFPAction):
    """An action of a type OpenFlow 1.3 does not define, kept raw (``data`` after type and len)."""

    __slots__ = ("data",)

    def __init__(self, type_: int, data: bytes = b"", len_: Any = None) -> None:
        self.type = type_
        self.data = bytes(data)
        self.len = 4 + len(self.data)

    @classmethod
    def _parse_raw(cls, buf: bytes | bytearray, offset: int, type_: int, length: int):
        return cls(type_, bytes(buf[offset + 4 : offset + length]))

    def to_bytes(self) -> bytes:
        self.len = 4 + len(self.data)
        return _TYPE_LEN.pack(self.type, self.len) + self.data


# ---------------------------------------------------------------------------------
# instructions
# ---------------------------------------------------------------------------------
class OFPInstruction(StructBase):
    """Base of every instruction; ``OFPInstruction.parser`` picks the class from the type."""

    __slots__ = ("type", "len")
    _TYPES: ClassVar[dict[int, type[OFPInstruction]]] = {}

    @classmethod
    def register(cls, *types: int):
        def register(sub):
            for t in types:
                OFPInstruction._TYPES[t] = sub
            return sub

        return register

    @classmethod
    def parser(cls, buf: bytes | bytearray, offset: int) -> OFPInstruction:
        type_, length = _checked_len(buf, offset, "instruction", 8)
        sub = OFPInstruction._TYPES.get(type_, OFPInstructionUnknown)
        return sub._parse(buf, offset, type_, length)


_GOTO = struct.Struct(ofproto.OFP_INSTRUCTION_GOTO_TABLE_PACK_STR)
_WRITE_METADATA = struct.Struct(ofproto.OFP_INSTRUCTION_WRITE_METADATA_PACK_STR)
_INST_ACTIONS = struct.Struct(ofproto.OFP_INSTRUCTION_ACTIONS_PACK_STR)


def _expect(cls: type, length: int, size: int) -> None:
    if length != size:
        raise OFPMalformedMessage(f"{cls.__name__} has length {length}, expected {size}")


@OFPInstruction.register(ofproto.OFPIT_GOTO_TABLE)
class OFPInstructionGotoTable(OFPInstruction):
    """Continue processing in table ``table_id``."""

    __slots__ = ("table_id",)

    def __init__(self, table_id: int, type_: Any = None, len_: Any = None) -> None:
        self.type = ofproto.OFPIT_GOTO_TABLE
        self.len = 8
        self.table_id = table_id

    @classmethod
    def _parse(cls, buf, offset, type_, length):
        _expect(cls, length, 8)
        return cls(_GOTO.unpack_from(buf, offset)[2])

    def to_bytes(self) -> bytes:
        return _GOTO.pack(self.type, 8, self.table_id)


@OFPInstruction.register(ofproto.OFPIT_WRITE_METADATA)
class OFPInstructionWriteMetadata(OFPInstruction):
    """Write ``metadata`` under ``metadata_mask`` into the metadata register."""

    __slots__ = ("metadata", "metadata_mask")

    def __init__(
        self, metadata: int, metadata_mask: int, type_: Any = None, len_: Any = None
    ) -> None:
        self.type = ofproto.OFPIT_WRITE_METADATA
        self.len = 24
        self.metadata = metadata
        self.metadata_mask = metadata_mask

    @classmethod
    def _parse(cls, buf, offset, type_, length):
        _expect(cls, length, 24)
        return cls(*_WRITE_METADATA.unpack_from(buf, offset)[2:])

    def to_bytes(self) -> bytes:
        data = _WRITE_METADATA.pack(self.type, 24, self.metadata, self.metadata_mask)
        return data


@OFPInstruction.register(
    ofproto.OFPIT_WRITE_ACTIONS, ofproto.OFPIT_APPLY_ACTIONS, ofproto.OFPIT_CLEAR_ACTIONS
)
class OFPInstructionActions(OFPInstruction):
    """Write, apply or clear actions (``type_`` is OFPIT_WRITE/APPLY/CLEAR_ACTIONS)."""

    __slots__ = ("actions",)

    def __init__(
        self, type_: int, actions: list[OFPAction] | None = None, len_: int | None = None
    ) -> None:
        self.type = type_
        self.actions = [] if actions is None else actions
        self.len = len_

    @classmethod
    def _parse(cls, buf, offset, type_, length):
        actions = parse_list(OFPAction.parser, buf, offset + 8, offset + length)
        return cls(type_, actions, length)

    def to_bytes(self) -> bytes:
        body = b"".join([action.to_bytes() for action in self.actions])
        length = 8 + len(body)
        self.len = length
        return _INST_ACTIONS.pack(self.type, length) + body


@OFPInstruction.register(ofproto.OFPIT_METER)
class OFPInstructionMeter(OFPInstruction):
    """Send the packet through meter ``meter_id``."""

    __slots__ = ("meter_id",)

    def __init__(self, meter_id: int = 1, type_: Any = None, len_: Any = None) -> None:
        self.type = ofproto.OFPIT_METER
        self.len = 8
        self.meter_id = meter_id

    @classmethod
    def _parse(cls, buf, offset, type_, length):
        _expect(cls, length, 8)
        return cls(_TYPE_LEN_ID.unpack_from(buf, offset)[2])

    def to_bytes(self) -> bytes:
        return _TYPE_LEN_ID.pack(self.type, 8, self.meter_id)


@OFPInstruction.register(ofproto.OFPIT_EXPERIMENTER)
class OFPInstructionExperimenter(OFPInstruction):
    """Experimenter instruction, kept raw: ``experimenter`` id and the bytes after it."""

    __slots__ = ("experimenter", "data")

    def __init__(
        self, experimenter: int, data: bytes = b"", type_: Any = None, len_: Any = None
    ) -> None:
        self.type = ofproto.OFPIT_EXPERIMENTER
        self.experimenter = experimenter
        self.data = bytes(data)
        self.len = 8 + len(self.data)

    @classmethod
    def _parse(cls, buf, offset, type_, length):
        (experimenter,) = struct.unpack_from("!I", buf, offset + 4)
        return cls(experimenter, bytes(buf[offset + 8 : offset + length]))

    def to_bytes(self) -> bytes:
        self.len = 8 + len(self.data)
        head = _TYPE_LEN_ID.pack(self.type, self.len, self.experimenter)
        return head + self.data


class OFPInstructionUnknown(OFPInstruction):
    """An instruction of a type OpenFlow 1.3 does not define, kept raw."""

    __slots__ = ("data",)

    def __init__(self, type_: int, data: bytes = b"", len_: Any = None) -> None:
        self.type = type_
        self.data = bytes(data)
        self.len = 4 + len(self.data)

    @classmethod
    def _parse(cls, buf, offset, type_, length):
        return cls(type_, bytes(buf[offset + 4 : offset + length]))

    def to_bytes(self) -> bytes:
        self.len = 4 + len(self.data)
        return _TYPE_LEN.pack(self.type, self.len) + self.data
