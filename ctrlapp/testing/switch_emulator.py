"""An emulated OpenFlow switch for app tests and benchmarks.

:class:`EmulatedSwitch` is the switch's logic without I/O: feed it decoded
messages from the controller, it returns the replies and keeps state (flow
table, group table, ports, role, PACKET_OUTs received).
:class:`SwitchEmulator` connects it to a controller over TCP (green threads
from :mod:`ctrlapp.lib.hub`), answers the handshake (HELLO, FEATURES, port
description, ECHO, BARRIER, ROLE, GET_CONFIG) and lets a test inject
PACKET_INs and PORT_STATUS, wait for PACKET_OUTs, or misbehave::

    sw = SwitchEmulator(controller.tcp_address, dpid=1, version=4)
    sw.start()
    sw.wait_ready()
    sw.packet_in(frame, in_port=1)
    out = sw.wait_packet_outs(1)[0]

Flow-table semantics are those a test needs (OpenFlow 1.3.5 section 6.4):
ADD replaces an entry with the same table, priority and match; MODIFY and
DELETE (non-strict) act on every entry whose match contains all the fields of
the request's match, the _STRICT forms on the entry with the same priority and
match; DELETE with an empty match and ``OFPTT_ALL`` clears everything.
Cookies, out_port/out_group filters, timeouts and counters are not emulated.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from typing import Any

from ctrlapp.controller import handshake as hs
from ctrlapp.exception import OFPMalformedMessage
from ctrlapp.lib import hub
from ctrlapp.ofproto import ofproto_parser
from ctrlapp.ofproto.framer import OFPFramer
from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER, OFP_VERSION_1_0
from ctrlapp.ofproto.ofproto_protocol import ProtocolDesc

LOG = logging.getLogger(__name__)

OFPTT_ALL = 0xFF
_ADD, _MODIFY, _MODIFY_STRICT, _DELETE, _DELETE_STRICT = range(5)


def _match_fields(match: Any) -> dict[str, Any] | None:
    items = getattr(match, "items", None)
    if callable(items):
        return dict(items())
    return None


def _match_key(match: Any) -> Any:
    fields = _match_fields(match)
    if fields is not None:
        return tuple(sorted((k, repr(v)) for k, v in fields.items()))
    return str(match)


class FlowEntry:
    """One installed flow: the FlowMod that created or last modified it."""

    __slots__ = ("table_id", "priority", "match", "cookie", "msg")

    def __init__(self, msg: Any) -> None:
        self.table_id = getattr(msg, "table_id", 0)
        self.priority = msg.priority
        self.match = msg.match
        self.cookie = msg.cookie
        self.msg = msg

    @property
    def instructions(self) -> list:
        return getattr(self.msg, "instructions", [])

    @property
    def actions(self) -> list:
        return getattr(self.msg, "actions", [])

    def __repr__(self) -> str:
        return f"FlowEntry(table={self.table_id}, priority={self.priority}, match={self.match})"


class FlowTable:
    """The flows a switch was told to install, with add/modify/delete semantics."""

    def __init__(self) -> None:
        self.entries: list[FlowEntry] = []

    def __len__(self) -> int:
        return len(self.entries)

    def table(self, table_id: int) -> list[FlowEntry]:
        """The entries of one table, highest priority first."""
        return sorted(
            (e for e in self.entries if e.table_id == table_id), key=lambda e: -e.priority
        )

    @staticmethod
    def _covers(request: Any, entry_match: Any) -> bool:
        want = _match_fields(request)
        have = _match_fields(entry_match)
        if want is None or have is None:
            return _match_key(request) == _match_key(entry_match) or not str(request)
        return all(k in have and repr(have[k]) == repr(v) for k, v in want.items())

    def _selected(self, msg: Any, strict: bool) -> list[FlowEntry]:
        table_id = getattr(msg, "table_id", 0)
        key = _match_key(msg.match)
        chosen = []
        for e in self.entries:
            if table_id != OFPTT_ALL and e.table_id != table_id:
                continue
            if strict:
                if e.priority == msg.priority and _match_key(e.match) == key:
                    chosen.append(e)
            elif self._covers(msg.match, e.match):
                chosen.append(e)
        return chosen

    def apply(self, msg: Any) -> None:
        """Apply one FlowMod."""
        command = msg.command
        if command == _ADD:
            new = FlowEntry(msg)
            key = _match_key(new.match)
            self.entries = [
                e
                for e in self.entries
                if not (
                    e.table_id == new.table_id
                    and e.priority == new.priority
                    and _match_key(e.match) == key
                )
            ]
            self.entries.append(new)
        elif command in (_MODIFY, _MODIFY_STRICT):
            for e in self._selected(msg, command == _MODIFY_STRICT):
                e.msg = msg
        elif command in (_DELETE, _DELETE_STRICT):
            doomed = {id(e) for e in self._selected(msg, command == _DELETE_STRICT)}
            self.entries = [e for e in self.entries if id(e) not in doomed]


class EmulatedSwitch:
    """The switch side of OpenFlow as state plus replies (no I/O)."""

    def __init__(
        self,
        dpid: int,
        version: int = 4,
        ports: Iterable[int] = (1, 2, 3, 4),
        n_tables: int = 254,
    ) -> None:
        self.dpid = dpid
        self.version = version
        self.proto = ProtocolDesc(version)
        self.ofproto = self.proto.ofproto
        self.parser = self.proto.ofproto_parser
        self.n_tables = n_tables if version != OFP_VERSION_1_0 else 1
        self.ports: dict[int, Any] = {n: self.make_port(n) for n in ports}
        self.flows = FlowTable()
        self.groups: dict[int, Any] = {}
        self.packet_outs: list[Any] = []
        self.received: list[Any] = []
        self.role = 0
        self.generation_id = 0
        self.config_flags = 0
        self.miss_send_len = 128
        self.answer_echo = True
        self.xid = 0x10000

    def next_xid(self) -> int:
        self.xid = self.xid % 0xFFFFFFFF + 1
        return self.xid

    def make_port(self, port_no: int, name: str | None = None) -> Any:
        hw_addr = f"02:00:00:{self.dpid & 0xFF:02x}:{port_no >> 8 & 0xFF:02x}:{port_no & 0xFF:02x}"
        label = (name or f"s{self.dpid}-eth{port_no}").encode()
        if self.version == OFP_VERSION_1_0:
            return self.parser.OFPPhyPort(port_no=port_no, hw_addr=hw_addr, name=label)
        return self.parser.OFPPort(
            port_no=port_no,
            hw_addr=hw_addr,
            name=label,
            config=0,
            state=0,
            curr=0,
            advertised=0,
            supported=0,
            peer=0,
            curr_speed=10_000_000,
            max_speed=10_000_000,
        )

    def hello(self) -> bytes:
        return hs.hello_bytes({self.version}, self.next_xid())

    def _reply(self, msg: Any, request: Any) -> Any:
        msg.set_xid(request.xid)
        return msg

    def handle(self, msg: Any) -> list[Any]:
        """Apply a message from the controller; return the messages to answer with."""
        self.received.append(msg)
        name = type(msg).__name__
        p = self.parser
        if name == "OFPEchoRequest":
            return [self._reply(p.OFPEchoReply(None, msg.data), msg)] if self.answer_echo else []
        if name == "OFPFeaturesRequest":
            return [self._reply(self.features(), msg)]
        if name == "OFPBarrierRequest":
            return [self._reply(p.OFPBarrierReply(None), msg)]
        if name == "OFPGetConfigRequest":
            return [
                self._reply(p.OFPGetConfigReply(None, self.config_flags, self.miss_send_len), msg)
            ]
        if name == "OFPSetConfig":
            self.config_flags, self.miss_send_len = msg.flags, msg.miss_send_len
            return []
        if name == "OFPRoleRequest":
            if msg.role != 0:
                self.role, self.generation_id = msg.role, msg.generation_id
            return [self._reply(p.OFPRoleReply(None, self.role, self.generation_id), msg)]
        if name == "OFPPortDescStatsRequest":
            return [
                self._reply(
                    p.OFPPortDescStatsReply(None, body=list(self.ports.values()), flags=0), msg
                )
            ]
        if name == "OFPFlowMod":
            self.flows.apply(msg)
            return []
        if name == "OFPGroupMod":
            if msg.command == 2:
                self.groups.pop(msg.group_id, None)
            else:
                self.groups[msg.group_id] = msg
            return []
        if name == "OFPPacketOut":
            self.packet_outs.append(msg)
            return []
        return []

    def features(self) -> Any:
        p = self.parser
        if self.version == OFP_VERSION_1_0:
            return p.OFPSwitchFeatures(
                None, self.dpid, 0, self.n_tables, 0xC7, 0xFFF, dict(self.ports)
            )
        return p.OFPSwitchFeatures(
            None,
            datapath_id=self.dpid,
            n_buffers=0,
            n_tables=self.n_tables,
            auxiliary_id=0,
            capabilities=0x4F,
        )

    def packet_in_msg(
        self,
        data: bytes,
        in_port: int,
        reason: int = 0,
        buffer_id: int = OFP_NO_BUFFER,
        table_id: int = 0,
        cookie: int = 0,
    ) -> Any:
        p = self.parser
        if self.version == OFP_VERSION_1_0:
            msg = p.OFPPacketIn(None, buffer_id, len(data), in_port, reason, data)
        else:
            msg = p.OFPPacketIn(
                None,
                buffer_id,
                len(data),
                reason,
                table_id,
                cookie,
                p.OFPMatch(in_port=in_port),
                data,
            )
        msg.set_xid(0)
        return msg

    def port_status_msg(self, reason: int, port_no: int) -> Any:
        if reason == self.ofproto.OFPPR_DELETE:
            port = self.ports.pop(port_no)
        else:
            port = self.ports.setdefault(port_no, self.make_port(port_no))
        return self.parser.OFPPortStatus(None, reason, port)


class SwitchEmulator:
    """An :class:`EmulatedSwitch` connected to a controller over TCP.

    Misbehaviour switches for bad-peer tests: ``send_hello=False`` never says
    HELLO; ``answer_echo`` (on the core) ignores keepalives; :meth:`stop_reading`
    stops consuming the controller's bytes; :meth:`send_raw` writes anything.
    """

    def __init__(
        self,
        address: tuple[str, int],
        dpid: int = 1,
        version: int = 4,
        ports: Iterable[int] = (1, 2, 3, 4),
        send_hello: bool = True,
        ssl_context: Any = None,
    ) -> None:
        self.address = address
        self.switch = EmulatedSwitch(dpid, version, ports)
        self.send_hello = send_hello
        self.ssl_context = ssl_context
        self.sock: Any = None
        self.threads: list[hub.GreenThread] = []
        self.connected = hub.Event()
        self.ready = hub.Event()
        self.closed = hub.Event()
        self.changed = hub.Event()
        self.reading = True

    @property
    def dpid(self) -> int:
        return self.switch.dpid

    def start(self) -> SwitchEmulator:
        self.sock = hub.connect(self.address, timeout=5)
        if self.ssl_context is not None:
            self.sock = self.ssl_context.wrap_socket(self.sock)
        self.connected.set()
        if self.send_hello:
            self.sock.sendall(self.switch.hello())
        self.threads.append(hub.spawn(self._recv_loop))
        return self

    def _recv_loop(self) -> None:
        framer = OFPFramer()
        sw = self.switch
        try:
            while True:
                while not self.reading:
                    hub.sleep(0.01)
                data = self.sock.recv(65536)
                if not data:
                    break
                out = bytearray()
                for frame in framer.parse(data):
                    if frame.msg_type == hs.OFPT_HELLO:
                        continue
                    try:
                        msg = ofproto_parser.msg(None, *frame)
                    except OFPMalformedMessage as exc:
                        LOG.warning(
                            "emulated switch %x: bad message from controller: %s", sw.dpid, exc
                        )
                        continue
                    for reply in sw.handle(msg):
                        reply.serialize()
                        out += reply.buf
                    name = type(msg).__name__
                    if name == "OFPPortDescStatsRequest" or (
                        name == "OFPFeaturesRequest" and sw.version == OFP_VERSION_1_0
                    ):
                        self.ready.set()
                if out:
                    self.sock.sendall(bytes(out))
                self.changed.set()
        except OSError:
            pass
        finally:
            self.closed.set()
            self.changed.set()

    # -- driving the switch -----------------------------------------------------------------

    def send_msg(self, msg: Any) -> None:
        msg.serialize()
        self.sock.sendall(bytes(msg.buf))

    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def packet_in(self, data: bytes, in_port: int = 1, **kwargs: Any) -> None:
        self.send_msg(self.switch.packet_in_msg(data, in_port, **kwargs))

    def port_status(self, reason: int, port_no: int) -> None:
        self.send_msg(self.switch.port_status_msg(reason, port_no))

    def stop_reading(self) -> None:
        self.reading = False

    def wait(self, condition: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until ``condition()`` holds (re-checked whenever a message arrives)."""
        deadline = time.monotonic() + timeout
        while not condition():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.changed.clear()
            self.changed.wait(min(left, 0.05))
        return True

    def wait_ready(self, timeout: float = 5.0) -> bool:
        return self.ready.wait(timeout)

    def wait_packet_outs(self, n: int, timeout: float = 5.0) -> list[Any]:
        self.wait(lambda: len(self.switch.packet_outs) >= n, timeout)
        return self.switch.packet_outs

    def wait_closed(self, timeout: float = 5.0) -> bool:
        return self.closed.wait(timeout)

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        for t in self.threads:
            hub.kill(t)
        self.closed.set()
