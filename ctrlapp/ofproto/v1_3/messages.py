"""OpenFlow 1.3 messages other than multipart (OpenFlow 1.3.5 sections 7.3, 7.4 and 7.5).

HELLO, ERROR, ECHO, EXPERIMENTER, FEATURES, GET/SET_CONFIG, PACKET_IN,
FLOW_REMOVED, PORT_STATUS, PACKET_OUT, FLOW_MOD, GROUP_MOD, PORT_MOD,
TABLE_MOD, BARRIER, QUEUE_GET_CONFIG, ROLE, GET/SET_ASYNC and METER_MOD, with
Ryu's class names and constructor arguments (``datapath`` first; it may be
``None``).  Every class decodes and encodes.  Messages with a fixed body are
table-driven (``_BODY`` struct and ``_BODY_FIELDS``); PACKET_IN, PACKET_OUT
and FLOW_MOD, decoded or encoded once per packet by a controller, have
hand-written code and ``__slots__``.

Errors: a body shorter than its fixed part, a fixed-size message with extra
bytes, a match/action/instruction/bucket/band running past the message raise
:class:`~ctrlapp.exception.OFPMalformedMessage` (or ``OFPTruncatedMessage``)
carrying the xid and message type.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar

from ctrlapp.exception import OFPEncodeError, OFPMalformedMessage, OFPTruncatedMessage
from ctrlapp.lib import addrconv
from ctrlapp.ofproto import ofproto_v1_3 as ofproto
from ctrlapp.ofproto.ofproto_common import OFP_HEADER_SIZE, OFP_HEADER_STRUCT, OFP_NO_BUFFER
from ctrlapp.ofproto.ofproto_parser import MsgBase, register_msg_type
from ctrlapp.ofproto.v1_3.actions import OFPAction, OFPActionOutput, OFPInstruction, parse_list
from ctrlapp.ofproto.v1_3.match import OFPMatch
from ctrlapp.ofproto.v1_3.structs import (
    OFPBucket,
    OFPHelloElemHeader,
    OFPMeterBandHeader,
    OFPPacketQueue,
    OFPPort,
)

_VERSION = ofproto.OFP_VERSION
_ENCODE_FAILURES = (struct.error, TypeError, ValueError, OverflowError, AttributeError)
# The match decoder without its error guard: the message parser's guard (which
# adds the xid) already covers it, and this is the per-packet path.
_parse_match = OFPMatch.parser.__func__.__wrapped__


def _msg(msg_type: int):
    return register_msg_type(_VERSION, msg_type)


def _finish(msg_: MsgBase, version, msg_type, msg_len, xid, buf) -> MsgBase:
    msg_.version = version
    msg_.msg_type = msg_type
    msg_.msg_len = msg_len
    msg_.xid = xid
    msg_.buf = buf
    return msg_


def _match_end(buf, offset: int, match: OFPMatch) -> int:
    end = offset + (match.length + 7) // 8 * 8
    if end > len(buf):
        raise OFPTruncatedMessage(f"match padding runs past the message ({end} > {len(buf)})")
    return end


# ---------------------------------------------------------------------------------
# messages without a body, and messages with a fixed body
# ---------------------------------------------------------------------------------
class _EmptyMsg(MsgBase):
    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        if msg_len != OFP_HEADER_SIZE:
            raise OFPMalformedMessage(
                f"{cls.__name__} has a {msg_len - 8}-byte body, expected none"
            )
        return _finish(cls(datapath), version, msg_type, msg_len, xid, buf)


class _FixedMsg(MsgBase):
    """A message whose body is one struct; the constructor takes its fields in order."""

    _BODY: ClassVar[struct.Struct]
    _BODY_FIELDS: ClassVar[tuple[str, ...]]

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        size = OFP_HEADER_SIZE + cls._BODY.size
        if msg_len != size:
            raise OFPMalformedMessage(f"{cls.__name__} of length {msg_len}, expected {size}")
        msg_ = cls(datapath, *cls._BODY.unpack_from(buf, OFP_HEADER_SIZE))
        return _finish(msg_, version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        self.buf += self._BODY.pack(*(getattr(self, f) for f in self._BODY_FIELDS))


class _DataMsg(MsgBase):
    """A message whose body is opaque bytes (``data``)."""

    def __init__(self, datapath: Any = None, data: bytes = b"") -> None:
        super().__init__(datapath)
        self.data = b"" if data is None else data

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        msg_ = cls(datapath, bytes(buf[OFP_HEADER_SIZE:msg_len]))
        return _finish(msg_, version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        self.buf += self.data


# ---------------------------------------------------------------------------------
# symmetric messages (7.5)
# ---------------------------------------------------------------------------------
@_msg(ofproto.OFPT_HELLO)
class OFPHello(MsgBase):
    """HELLO with its elements (``OFPHelloElemVersionBitmap`` ...)."""

    def __init__(self, datapath: Any = None, elements: list | None = None) -> None:
        super().__init__(datapath)
        self.elements = [] if elements is None else elements

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        elements = []
        offset = OFP_HEADER_SIZE
        while offset < msg_len:
            elem = OFPHelloElemHeader.parser(buf, offset)
            elements.append(elem)
            # Some peers leave out the last element's padding; a HELLO is too
            # important to the handshake to refuse over that.
            offset += (elem.length + 7) // 8 * 8
        return _finish(cls(datapath, elements), version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        for elem in self.elements:
            self.buf += elem.to_bytes()


@_msg(ofproto.OFPT_ECHO_REQUEST)
class OFPEchoRequest(_DataMsg):
    """ECHO_REQUEST; ``data`` is echoed back by the peer."""


@_msg(ofproto.OFPT_ECHO_REPLY)
class OFPEchoReply(_DataMsg):
    """ECHO_REPLY carrying the request's ``data``."""


_EXPERIMENTER = struct.Struct(ofproto.OFP_EXPERIMENTER_HEADER_PACK_STR)


@_msg(ofproto.OFPT_EXPERIMENTER)
class OFPExperimenter(MsgBase):
    """EXPERIMENTER message: ``experimenter`` id, ``exp_type`` and raw ``data``."""

    def __init__(
        self, datapath: Any = None, experimenter: int = 0, exp_type: int = 0, data: bytes = b""
    ) -> None:
        super().__init__(datapath)
        self.experimenter = experimenter
        self.exp_type = exp_type
        self.data = b"" if data is None else data

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        experimenter, exp_type = _EXPERIMENTER.unpack_from(buf, OFP_HEADER_SIZE)
        msg_ = cls(datapath, experimenter, exp_type, bytes(buf[16:msg_len]))
        return _finish(msg_, version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        self.buf += _EXPERIMENTER.pack(self.experimenter, self.exp_type)
        self.buf += self.data


_ERROR = struct.Struct(ofproto.OFP_ERROR_MSG_PACK_STR)
_ERROR_EXPERIMENTER = struct.Struct(ofproto.OFP_ERROR_EXPERIMENTER_MSG_PACK_STR)


@_msg(ofproto.OFPT_ERROR)
class OFPErrorMsg(MsgBase):
    """ERROR: ``type``/``code`` (``OFPET_*``/codes) and ``data`` (usually the failed request).

    An experimenter error (type OFPET_EXPERIMENTER) decodes as
    :class:`OFPErrorExperimenterMsg`.
    """

    def __init__(
        self, datapath: Any = None, type_: int | None = None, code: int | None = None, data=b""
    ) -> None:
        super().__init__(datapath)
        self.type = type_
        self.code = code
        self.data = b"" if data is None else data

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        type_, code = _ERROR.unpack_from(buf, OFP_HEADER_SIZE)
        if type_ == ofproto.OFPET_EXPERIMENTER:
            _, exp_type, experimenter = _ERROR_EXPERIMENTER.unpack_from(buf, OFP_HEADER_SIZE)
            msg_ = OFPErrorExperimenterMsg(datapath, exp_type, experimenter, bytes(buf[16:msg_len]))
        else:
            msg_ = cls(datapath, type_, code, bytes(buf[12:msg_len]))
        return _finish(msg_, version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        self.buf += _ERROR.pack(self.type, self.code)
        self.buf += self.data

    def __str__(self) -> str:
        return (
            super().__str__()
            + f" [{ofproto.ofp_error_type_name(self.type)}"
            + f" {ofproto.ofp_error_code_name(self.type, self.code)}]"
        )


class OFPErrorExperimenterMsg(OFPErrorMsg):
    """ERROR of type OFPET_EXPERIMENTER: ``exp_type``, ``experimenter`` and raw ``data``."""

    def __init__(
        self,
        datapath: Any = None,
        exp_type: int | None = None,
        experimenter: int | None = None,
        data: bytes = b"",
        type_: Any = None,
        code: Any = None,
    ) -> None:
        MsgBase.__init__(self, datapath)
        self.type = ofproto.OFPET_EXPERIMENTER
        self.exp_type = exp_type
        self.experimenter = experimenter
        self.data = b"" if data is None else data

    def stringify_attrs(self) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in super().stringify_attrs() if k != "code"]

    def _serialize_body(self) -> None:
        self.buf += _ERROR_EXPERIMENTER.pack(self.type, self.exp_type, self.experimenter)
        self.buf += self.data

    def __str__(self) -> str:
        return MsgBase.__str__(self)


# ---------------------------------------------------------------------------------
# handshake and switch configuration (7.3.1, 7.3.2)
# ---------------------------------------------------------------------------------
@_msg(ofproto.OFPT_FEATURES_REQUEST)
class OFPFeaturesRequest(_EmptyMsg):
    """FEATURES_REQUEST (no body)."""


@_msg(ofproto.OFPT_FEATURES_REPLY)
class OFPSwitchFeatures(_FixedMsg):
    """FEATURES_REPLY: datapath id, buffers, tables, auxiliary id, capabilities."""

    _BODY = struct.Struct(ofproto.OFP_SWITCH_FEATURES_PACK_STR)
    _BODY_FIELDS = (
        "datapath_id",
        "n_buffers",
        "n_tables",
        "auxiliary_id",
        "capabilities",
        "reserved",
    )

    def __init__(
        self,
        datapath: Any = None,
        datapath_id: int | None = None,
        n_buffers: int | None = None,
        n_tables: int | None = None,
        auxiliary_id: int | None = None,
        capabilities: int | None = None,
        reserved: int = 0,
    ) -> None:
        super().__init__(datapath)
        self.datapath_id = datapath_id
        self.n_buffers = n_buffers
        self.n_tables = n_tables
        self.auxiliary_id = auxiliary_id
        self.capabilities = capabilities
        self.reserved = reserved


@_msg(ofproto.OFPT_GET_CONFIG_REQUEST)
class OFPGetConfigRequest(_EmptyMsg):
    """GET_CONFIG_REQUEST (no body)."""


class _SwitchConfig(_FixedMsg):
    _BODY = struct.Struct(ofproto.OFP_SWITCH_CONFIG_PACK_STR)
    _BODY_FIELDS = ("flags", "miss_send_len")

    def __init__(self, datapath: Any = None, flags: int = 0, miss_send_len: int = 0) -> None:
        super().__init__(datapath)
        self.flags = flags
        self.miss_send_len = miss_send_len


@_msg(ofproto.OFPT_GET_CONFIG_REPLY)
class OFPGetConfigReply(_SwitchConfig):
    """GET_CONFIG_REPLY: fragment handling ``flags`` and ``miss_send_len``."""


@_msg(ofproto.OFPT_SET_CONFIG)
class OFPSetConfig(_SwitchConfig):
    """SET_CONFIG: fragment handling ``flags`` and ``miss_send_len``."""


# ---------------------------------------------------------------------------------
# asynchronous messages (7.4)
# ---------------------------------------------------------------------------------
_PACKET_IN = struct.Struct(ofproto.OFP_PACKET_IN_PACK_STR)
_PACKET_IN_END = OFP_HEADER_SIZE + _PACKET_IN.size


@_msg(ofproto.OFPT_PACKET_IN)
class OFPPacketIn(MsgBase):
    """PACKET_IN: a packet the switch sends to the controller, with its match and data."""

    __slots__ = ("buffer_id", "total_len", "reason", "table_id", "cookie", "match", "data")

    def __init__(
        self,
        datapath: Any = None,
        buffer_id: int | None = None,
        total_len: int | None = None,
        reason: int | None = None,
        table_id: int | None = None,
        cookie: int | None = None,
        match: OFPMatch | None = None,
        data: bytes | None = None,
    ) -> None:
        super().__init__(datapath)
        self.buffer_id = buffer_id
        self.total_len = total_len
        self.reason = reason
        self.table_id = table_id
        self.cookie = cookie
        self.match = match
        self.data = b"" if data is None else data

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        msg_ = cls.__new__(cls)
        msg_.datapath = datapath
        msg_.version = version
        msg_.msg_type = msg_type
        msg_.msg_len = msg_len
        msg_.xid = xid
        msg_.buf = buf
        (msg_.buffer_id, msg_.total_len, msg_.reason, msg_.table_id, msg_.cookie) = (
            _PACKET_IN.unpack_from(buf, OFP_HEADER_SIZE)
        )
        match = _parse_match(OFPMatch, buf, _PACKET_IN_END)
        msg_.match = match
        # two pad bytes follow the padded match so that the Ethernet payload is aligned
        start = _match_end(buf, _PACKET_IN_END, match) + 2
        if start > msg_len:
            raise OFPTruncatedMessage("PACKET_IN ends inside the padding after its match")
        msg_.data = buf[start:msg_len] if type(buf) is bytes else bytes(buf[start:msg_len])
        return msg_

    def _serialize_body(self) -> None:
        buf = self.buf
        buf += _PACKET_IN.pack(
            self.buffer_id, self.total_len, self.reason, self.table_id, self.cookie
        )
        buf += self.match.to_bytes()
        buf += b"\x00\x00"
        if self.data:
            buf += self.data


_FLOW_REMOVED = struct.Struct(ofproto.OFP_FLOW_REMOVED_PACK_STR0)
_FLOW_REMOVED_FIELDS = (
    "cookie",
    "priority",
    "reason",
    "table_id",
    "duration_sec",
    "duration_nsec",
    "idle_timeout",
    "hard_timeout",
    "packet_count",
    "byte_count",
)


@_msg(ofproto.OFPT_FLOW_REMOVED)
class OFPFlowRemoved(MsgBase):
    """FLOW_REMOVED: a flow entry expired or was deleted, with its counters and match."""

    def __init__(
        self,
        datapath: Any = None,
        cookie: int | None = None,
        priority: int | None = None,
        reason: int | None = None,
        table_id: int | None = None,
        duration_sec: int | None = None,
        duration_nsec: int | None = None,
        idle_timeout: int | None = None,
        hard_timeout: int | None = None,
        packet_count: int | None = None,
        byte_count: int | None = None,
        match: OFPMatch | None = None,
    ) -> None:
        super().__init__(datapath)
        self.cookie = cookie
        self.priority = priority
        self.reason = reason
        self.table_id = table_id
        self.duration_sec = duration_sec
        self.duration_nsec = duration_nsec
        self.idle_timeout = idle_timeout
        self.hard_timeout = hard_timeout
        self.packet_count = packet_count
        self.byte_count = byte_count
        self.match = match

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        values = _FLOW_REMOVED.unpack_from(buf, OFP_HEADER_SIZE)
        offset = OFP_HEADER_SIZE + _FLOW_REMOVED.size
        match = OFPMatch.parser(buf, offset)
        if _match_end(buf, offset, match) != msg_len:
            raise OFPMalformedMessage("FLOW_REMOVED has bytes after its match")
        return _finish(cls(datapath, *values, match), version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        self.buf += _FLOW_REMOVED.pack(*(getattr(self, f) for f in _FLOW_REMOVED_FIELDS))
        self.buf += (self.match if self.match is not None else OFPMatch()).to_bytes()


_PORT_STATUS = struct.Struct("!B7x")


@_msg(ofproto.OFPT_PORT_STATUS)
class OFPPortStatus(MsgBase):
    """PORT_STATUS: a port was added, deleted or modified (``reason``), and its ``desc``."""

    def __init__(
        self, datapath: Any = None, reason: int | None = None, desc: OFPPort | None = None
    ) -> None:
        super().__init__(datapath)
        self.reason = reason
        self.desc = desc

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        if msg_len != ofproto.OFP_PORT_STATUS_SIZE:
            raise OFPMalformedMessage(f"PORT_STATUS of length {msg_len}, expected 80")
        (reason,) = _PORT_STATUS.unpack_from(buf, OFP_HEADER_SIZE)
        desc = OFPPort.parser(buf, OFP_HEADER_SIZE + _PORT_STATUS.size)
        return _finish(cls(datapath, reason, desc), version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        self.buf += _PORT_STATUS.pack(self.reason)
        self.buf += self.desc.to_bytes()


# ---------------------------------------------------------------------------------
# controller-to-switch modifications (7.3.4, 7.3.7)
# ---------------------------------------------------------------------------------
_PACKET_OUT = struct.Struct(ofproto.OFP_PACKET_OUT_PACK_STR)
_PACKET_OUT_PACK = struct.Struct("!BBHIIIH6x").pack
_PACKET_OUT_OUTPUT_PACK = struct.Struct("!BBHIIIH6x" + ofproto.OFP_ACTION_OUTPUT_PACK_STR[1:]).pack
_OFPT_PACKET_OUT = ofproto.OFPT_PACKET_OUT
_OFPAT_OUTPUT = ofproto.OFPAT_OUTPUT


@_msg(ofproto.OFPT_PACKET_OUT)
class OFPPacketOut(MsgBase):
    """PACKET_OUT: send ``data`` (or the buffered packet ``buffer_id``) through ``actions``."""

    __slots__ = ("buffer_id", "in_port", "actions_len", "actions", "data")

    def __init__(
        self,
        datapath: Any = None,
        buffer_id: int | None = None,
        in_port: int | None = None,
        actions: list[OFPAction] | None = None,
        data: bytes | None = None,
        actions_len: int | None = None,
    ) -> None:
        self.datapath = datapath
        self.version = _VERSION
        self.msg_type = _OFPT_PACKET_OUT
        self.msg_len = self.xid = self.buf = None
        self.buffer_id = OFP_NO_BUFFER if buffer_id is None else buffer_id
        self.in_port = in_port
        self.actions_len = actions_len
        self.actions = [] if actions is None else actions
        self.data = b"" if data is None else data

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        buffer_id, in_port, actions_len = _PACKET_OUT.unpack_from(buf, OFP_HEADER_SIZE)
        start = OFP_HEADER_SIZE + _PACKET_OUT.size
        end = start + actions_len
        if end > msg_len:
            raise OFPTruncatedMessage(f"actions_len {actions_len} runs past the message")
        actions = parse_list(OFPAction.parser, buf, start, end)
        data = bytes(buf[end:msg_len])
        msg_ = cls(datapath, buffer_id, in_port, actions, data, actions_len)
        return _finish(msg_, version, msg_type, msg_len, xid, buf)

    def serialize(self) -> None:
        # The per-packet path: one pack for header and fixed body, then actions and data;
        # ``buf`` is bytes here (the other messages build a bytearray).
        try:
            actions = self.actions
            data = self.data
            xid = self.xid
            if xid is None:
                xid = self.xid = 0
            if len(actions) == 1 and type(actions[0]) is OFPActionOutput:
                # the usual reply to a packet-in: header, body and action in one pack
                action = actions[0]
                length = 40 + len(data)
                self.buf = (
                    _PACKET_OUT_OUTPUT_PACK(
                        _VERSION,
                        _OFPT_PACKET_OUT,
                        length,
                        xid,
                        self.buffer_id,
                        self.in_port,
                        16,
                        _OFPAT_OUTPUT,
                        16,
                        action.port,
                        action.max_len,
                    )
                    + data
                )
                self.msg_len = length
                self.actions_len = 16
                return
            body = b"".join([action.to_bytes() for action in actions])
            n = len(body)
            length = 24 + n + len(data)
            head = _PACKET_OUT_PACK(
                _VERSION, _OFPT_PACKET_OUT, length, xid, self.buffer_id, self.in_port, n
            )
            self.msg_len = length
            self.actions_len = n
            self.buf = head + body + data
        except _ENCODE_FAILURES as exc:
            raise OFPEncodeError(f"OFPPacketOut: {type(exc).__name__}: {exc}") from exc


_FLOW_MOD = struct.Struct(ofproto.OFP_FLOW_MOD_PACK_STR0)
_FLOW_MOD_HEAD = struct.Struct(OFP_HEADER_STRUCT.format + ofproto.OFP_FLOW_MOD_PACK_STR0[1:])
_FLOW_MOD_MATCH = OFP_HEADER_SIZE + _FLOW_MOD.size


@_msg(ofproto.OFPT_FLOW_MOD)
class OFPFlowMod(MsgBase):
    """FLOW_MOD: add, modify or delete flow entries (``command``) of a table."""

    __slots__ = (
        "cookie",
        "cookie_mask",
        "table_id",
        "command",
        "idle_timeout",
        "hard_timeout",
        "priority",
        "buffer_id",
        "out_port",
        "out_group",
        "flags",
        "match",
        "instructions",
    )

    def __init__(
        self,
        datapath: Any = None,
        cookie: int = 0,
        cookie_mask: int = 0,
        table_id: int = 0,
        command: int = ofproto.OFPFC_ADD,
        idle_timeout: int = 0,
        hard_timeout: int = 0,
        priority: int = ofproto.OFP_DEFAULT_PRIORITY,
        buffer_id: int = OFP_NO_BUFFER,
        out_port: int = 0,
        out_group: int = 0,
        flags: int = 0,
        match: OFPMatch | None = None,
        instructions: list[OFPInstruction] | None = None,
    ) -> None:
        self.datapath = datapath
        self.version = _VERSION
        self.msg_type = ofproto.OFPT_FLOW_MOD
        self.msg_len = self.xid = self.buf = None
        self.cookie = cookie
        self.cookie_mask = cookie_mask
        self.table_id = table_id
        self.command = command
        self.idle_timeout = idle_timeout
        self.hard_timeout = hard_timeout
        self.priority = priority
        self.buffer_id = buffer_id
        self.out_port = out_port
        self.out_group = out_group
        self.flags = flags
        self.match = OFPMatch() if match is None else match
        self.instructions = [] if instructions is None else instructions

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        values = _FLOW_MOD.unpack_from(buf, OFP_HEADER_SIZE)
        match = _parse_match(OFPMatch, buf, _FLOW_MOD_MATCH)
        start = _match_end(buf, _FLOW_MOD_MATCH, match)
        instructions = parse_list(OFPInstruction.parser, buf, start, msg_len)
        msg_ = cls(datapath, *values, match, instructions)
        return _finish(msg_, version, msg_type, msg_len, xid, buf)

    def serialize(self) -> None:
        # The per-flow path: one pack for header and fixed body, then match and instructions.
        try:
            match = self.match.to_bytes()
            instructions = self.instructions
            body = b"".join([inst.to_bytes() for inst in instructions]) if instructions else b""
            length = _FLOW_MOD_MATCH + len(match) + len(body)
            xid = self.xid
            if xid is None:
                xid = self.xid = 0
            head = _FLOW_MOD_HEAD.pack(
                _VERSION,
                ofproto.OFPT_FLOW_MOD,
                length,
                xid,
                self.cookie,
                self.cookie_mask,
                self.table_id,
                self.command,
                self.idle_timeout,
                self.hard_timeout,
                self.priority,
                self.buffer_id,
                self.out_port,
                self.out_group,
                self.flags,
            )
            self.msg_len = length
            self.buf = head + match + body
        except _ENCODE_FAILURES as exc:
            raise OFPEncodeError(f"OFPFlowMod: {type(exc).__name__}: {exc}") from exc


_GROUP_MOD = struct.Struct(ofproto.OFP_GROUP_MOD_PACK_STR)


@_msg(ofproto.OFPT_GROUP_MOD)
class OFPGroupMod(MsgBase):
    """GROUP_MOD: add, modify or delete a group and its buckets."""

    def __init__(
        self,
        datapath: Any = None,
        command: int = ofproto.OFPGC_ADD,
        type_: int = ofproto.OFPGT_ALL,
        group_id: int = 0,
        buckets: list[OFPBucket] | None = None,
    ) -> None:
        super().__init__(datapath)
        self.command = command
        self.type = type_
        self.group_id = group_id
        self.buckets = [] if buckets is None else buckets

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        command, type_, group_id = _GROUP_MOD.unpack_from(buf, OFP_HEADER_SIZE)
        buckets = parse_list(OFPBucket.parser, buf, ofproto.OFP_GROUP_MOD_SIZE, msg_len)
        msg_ = cls(datapath, command, type_, group_id, buckets)
        return _finish(msg_, version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        self.buf += _GROUP_MOD.pack(self.command, self.type, self.group_id)
        for bucket in self.buckets:
            self.buf += bucket.to_bytes()


@_msg(ofproto.OFPT_PORT_MOD)
class OFPPortMod(_FixedMsg):
    """PORT_MOD: change a port's configuration bits under ``mask`` and its advertised features."""

    _BODY = struct.Struct(ofproto.OFP_PORT_MOD_PACK_STR)
    _BODY_FIELDS = ("port_no", "hw_addr", "config", "mask", "advertise")
    _TYPE = {"ascii": ["hw_addr"]}

    def __init__(
        self,
        datapath: Any = None,
        port_no: int = 0,
        hw_addr: str | bytes = "00:00:00:00:00:00",
        config: int = 0,
        mask: int = 0,
        advertise: int = 0,
    ) -> None:
        super().__init__(datapath)
        self.port_no = port_no
        if isinstance(hw_addr, (bytes, bytearray)):
            hw_addr = addrconv.mac.bin_to_text(bytes(hw_addr))
        self.hw_addr = hw_addr
        self.config = config
        self.mask = mask
        self.advertise = advertise

    def _serialize_body(self) -> None:
        self.buf += self._BODY.pack(
            self.port_no,
            addrconv.mac.text_to_bin(self.hw_addr),
            self.config,
            self.mask,
            self.advertise,
        )


@_msg(ofproto.OFPT_TABLE_MOD)
class OFPTableMod(_FixedMsg):
    """TABLE_MOD: set a table's ``config`` (only the deprecated bits exist in 1.3)."""

    _BODY = struct.Struct(ofproto.OFP_TABLE_MOD_PACK_STR)
    _BODY_FIELDS = ("table_id", "config")

    def __init__(self, datapath: Any = None, table_id: int = 0, config: int = 0) -> None:
        super().__init__(datapath)
        self.table_id = table_id
        self.config = config


_METER_MOD = struct.Struct(ofproto.OFP_METER_MOD_PACK_STR)


@_msg(ofproto.OFPT_METER_MOD)
class OFPMeterMod(MsgBase):
    """METER_MOD: add, modify or delete a meter and its bands."""

    def __init__(
        self,
        datapath: Any = None,
        command: int = ofproto.OFPMC_ADD,
        flags: int = ofproto.OFPMF_KBPS,
        meter_id: int = 1,
        bands: list[OFPMeterBandHeader] | None = None,
    ) -> None:
        super().__init__(datapath)
        self.command = command
        self.flags = flags
        self.meter_id = meter_id
        self.bands = [] if bands is None else bands

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        command, flags, meter_id = _METER_MOD.unpack_from(buf, OFP_HEADER_SIZE)
        bands = parse_list(OFPMeterBandHeader.parser, buf, ofproto.OFP_METER_MOD_SIZE, msg_len)
        msg_ = cls(datapath, command, flags, meter_id, bands)
        return _finish(msg_, version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        self.buf += _METER_MOD.pack(self.command, self.flags, self.meter_id)
        for band in self.bands:
            self.buf += band.to_bytes()


# ---------------------------------------------------------------------------------
# barrier, queue configuration, role, asynchronous configuration (7.3.6, 7.3.8-7.3.10)
# ---------------------------------------------------------------------------------
@_msg(ofproto.OFPT_BARRIER_REQUEST)
class OFPBarrierRequest(_EmptyMsg):
    """BARRIER_REQUEST (no body)."""


@_msg(ofproto.OFPT_BARRIER_REPLY)
class OFPBarrierReply(_EmptyMsg):
    """BARRIER_REPLY (no body)."""


_QUEUE_GET_CONFIG = struct.Struct(ofproto.OFP_QUEUE_GET_CONFIG_REQUEST_PACK_STR)


@_msg(ofproto.OFPT_QUEUE_GET_CONFIG_REQUEST)
class OFPQueueGetConfigRequest(_FixedMsg):
    """QUEUE_GET_CONFIG_REQUEST for ``port`` (OFPP_ANY for all ports)."""

    _BODY = _QUEUE_GET_CONFIG
    _BODY_FIELDS = ("port",)

    def __init__(self, datapath: Any = None, port: int = ofproto.OFPP_ANY) -> None:
        super().__init__(datapath)
        self.port = port


@_msg(ofproto.OFPT_QUEUE_GET_CONFIG_REPLY)
class OFPQueueGetConfigReply(MsgBase):
    """QUEUE_GET_CONFIG_REPLY: ``port`` and its ``queues`` (``OFPPacketQueue``)."""

    def __init__(
        self, datapath: Any = None, port: int | None = None, queues: list | None = None
    ) -> None:
        super().__init__(datapath)
        self.port = port
        self.queues = [] if queues is None else queues

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        (port,) = _QUEUE_GET_CONFIG.unpack_from(buf, OFP_HEADER_SIZE)
        start = ofproto.OFP_QUEUE_GET_CONFIG_REPLY_SIZE
        queues = parse_list(OFPPacketQueue.parser, buf, start, msg_len)
        return _finish(cls(datapath, port, queues), version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        self.buf += _QUEUE_GET_CONFIG.pack(self.port)
        for queue in self.queues:
            self.buf += queue.to_bytes()


class _Role(_FixedMsg):
    _BODY = struct.Struct(ofproto.OFP_ROLE_REQUEST_PACK_STR)
    _BODY_FIELDS = ("role", "generation_id")

    def __init__(
        self, datapath: Any = None, role: int | None = None, generation_id: int | None = None
    ) -> None:
        super().__init__(datapath)
        self.role = role
        self.generation_id = generation_id


@_msg(ofproto.OFPT_ROLE_REQUEST)
class OFPRoleRequest(_Role):
    """ROLE_REQUEST: ask for ``role`` (``OFPCR_ROLE_*``) with a ``generation_id``."""


@_msg(ofproto.OFPT_ROLE_REPLY)
class OFPRoleReply(_Role):
    """ROLE_REPLY: the controller's ``role`` and the switch's ``generation_id``."""


@_msg(ofproto.OFPT_GET_ASYNC_REQUEST)
class OFPGetAsyncRequest(_EmptyMsg):
    """GET_ASYNC_REQUEST (no body)."""


_ASYNC = struct.Struct(ofproto.OFP_ASYNC_CONFIG_PACK_STR)


class _AsyncConfig(MsgBase):
    """Each mask is a two-element list: [master/equal role, slave role]."""

    def __init__(
        self,
        datapath: Any = None,
        packet_in_mask: list[int] | None = None,
        port_status_mask: list[int] | None = None,
        flow_removed_mask: list[int] | None = None,
    ) -> None:
        super().__init__(datapath)
        self.packet_in_mask = [0, 0] if packet_in_mask is None else packet_in_mask
        self.port_status_mask = [0, 0] if port_status_mask is None else port_status_mask
        self.flow_removed_mask = [0, 0] if flow_removed_mask is None else flow_removed_mask

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        if msg_len != ofproto.OFP_ASYNC_CONFIG_SIZE:
            raise OFPMalformedMessage(f"{cls.__name__} of length {msg_len}, expected 32")
        v = _ASYNC.unpack_from(buf, OFP_HEADER_SIZE)
        msg_ = cls(datapath, [v[0], v[1]], [v[2], v[3]], [v[4], v[5]])
        return _finish(msg_, version, msg_type, msg_len, xid, buf)

    def _serialize_body(self) -> None:
        self.buf += _ASYNC.pack(
            *self.packet_in_mask, *self.port_status_mask, *self.flow_removed_mask
        )


@_msg(ofproto.OFPT_GET_ASYNC_REPLY)
class OFPGetAsyncReply(_AsyncConfig):
    """GET_ASYNC_REPLY: which asynchronous messages the switch sends, per role."""


@_msg(ofproto.OFPT_SET_ASYNC)
class OFPSetAsync(_AsyncConfig):
    """SET_ASYNC: choose which asynchronous messages the switch sends, per role."""
