"""Switch connections: the OpenFlow listener, one :class:`Datapath` per switch, the registry.

:class:`OpenFlowController` listens on TCP (6653 by default) and optionally TLS,
and runs a :class:`Datapath` for every connection.  A Datapath owns two green
threads: the receive loop (socket -> :class:`~ctrlapp.ofproto.framer.OFPFramer`
-> decode -> events queued for the apps) and the send loop (a bounded queue of
encoded messages -> socket, coalesced into one write per wake-up).  One
controller-wide thread drives :class:`~ctrlapp.controller.handshake.Liveness`
for every connection (echo keepalive, dead-peer and handshake timeouts), so an
idle switch costs two parked green threads and its buffers.

Isolation of bad peers:

* bytes that cannot be framed (a length below 8 or above 65535), an unknown
  version, no HELLO, a failed version negotiation: that connection is closed
  with a log line naming the peer and the reason;
* a message that frames but does not decode is logged and skipped;
* a peer that floods: each Datapath may have at most ``inflight_max`` events
  waiting in app queues; beyond that its receive loop stops reading (TCP then
  slows the switch down) until the apps catch up, so others keep their share;
* a peer that stops reading: its send queue is bounded (messages and bytes;
  overflow is dropped and counted) and a write that makes no progress for
  ``dead_timeout`` seconds closes the connection;
* a peer that stalls mid-message or goes quiet: the liveness check closes it.

A second connection announcing a datapath id already connected replaces the
first one (which is closed and reported DEAD).
"""

from __future__ import annotations

import importlib
import logging
import socket
import time
import types
from collections import deque
from dataclasses import dataclass
from typing import Any

from ctrlapp.controller import handshake as hs
from ctrlapp.controller import ofp_event
from ctrlapp.controller.handler import (
    CONFIG_DISPATCHER,
    HANDSHAKE_DISPATCHER,
    MAIN_DISPATCHER,
)
from ctrlapp.exception import CtrlappError, OFPFramingError, OFPMalformedMessage, RequestTimeout
from ctrlapp.lib import hub
from ctrlapp.ofproto import ofproto_parser
from ctrlapp.ofproto.framer import OFPFramer
from ctrlapp.ofproto.ofproto_common import OFP_TCP_PORT, OFP_VERSION_1_0, OFP_VERSION_1_3

LOG = logging.getLogger(__name__)

_MODULES = {
    OFP_VERSION_1_0: ("ctrlapp.ofproto.ofproto_v1_0", "ctrlapp.ofproto.ofproto_v1_0_parser"),
    OFP_VERSION_1_3: ("ctrlapp.ofproto.ofproto_v1_3", "ctrlapp.ofproto.ofproto_v1_3_parser"),
}

# Reply message types per version: an arriving message of one of these types whose
# xid matches a pending send_request() completes it.
_REPLY_TYPES = {
    OFP_VERSION_1_0: frozenset({1, 3, 6, 8, 17, 19, 21}),
    OFP_VERSION_1_3: frozenset({1, 3, 6, 8, 19, 21, 23, 25, 27}),
}
_MULTIPART_REPLY = {OFP_VERSION_1_0: 17, OFP_VERSION_1_3: 19}
_PACKET_IN = 10
_PACKET_OUT = 13
_FLOW_MOD = 14
_PORT_STATUS = 12
_ROLE_REPLY_V1_3 = 25
_REPLY_MORE = 1
_ORDERLY_CLOSE = frozenset({"connection closed by peer", "controller shutting down"})
# Version bytes of every OpenFlow release (1.0 .. 1.5); anything else cannot start a HELLO.
_WIRE_VERSIONS = frozenset(range(1, 7))
_RUNTIME_TYPES = frozenset({hs.OFPT_ECHO_REQUEST, hs.OFPT_ECHO_REPLY, hs.OFPT_FEATURES_REPLY})

# Event classes a message type may turn into without decoding it (None: decode to know).
_GENERIC_CLASSES = frozenset(
    {"OFPMultipartReply", "OFPStatsReply", "OFPMultipartRequest", "OFPStatsRequest"}
)


def supported_versions() -> set[int]:
    """OpenFlow versions whose parser modules are importable."""
    found = set()
    for version, (_consts, parser) in _MODULES.items():
        try:
            importlib.import_module(parser)
        except ModuleNotFoundError:
            continue
        found.add(version)
    return found


_VERSION_NAMES = {0x01: "1.0", 0x04: "1.3"}


class SwitchError(CtrlappError):
    """The switch answered a request with OFPT_ERROR; ``msg`` is the error message."""

    def __init__(self, msg: Any) -> None:
        self.msg = msg
        super().__init__(
            f"switch error type={getattr(msg, 'type', '?')} code={getattr(msg, 'code', '?')}"
        )


@dataclass
class ControllerConfig:
    """Listener and per-connection limits (see ``etc/ctrlapp.toml`` for each one)."""

    listen_host: str = "0.0.0.0"
    tcp_port: int | None = OFP_TCP_PORT
    ssl_port: int | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_ca_certs: str | None = None
    echo_interval: float = 5.0
    dead_timeout: float = 15.0
    handshake_timeout: float = 10.0
    send_queue_max: int = 4096
    send_queue_bytes_max: int = 8 * 1024 * 1024
    inflight_max: int = 512
    recv_size: int = 65536


class DatapathCounters:
    """Per-switch traffic figures (REST/metrics read them)."""

    __slots__ = (
        "packet_in",
        "packet_out",
        "flow_mod",
        "msgs_in",
        "msgs_out",
        "bytes_in",
        "bytes_out",
        "send_dropped",
        "decode_errors",
        "throttled",
    )

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, 0)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


class _Pending:
    __slots__ = ("done", "replies", "error")

    def __init__(self) -> None:
        self.done = hub.Event()
        self.replies: list[Any] = []
        self.error: BaseException | None = None


class WriteBatch:
    """Coalesces what one app writes while it works through a burst of events.

    An app's event loop calls :meth:`begin` before a handler and :meth:`end`
    when its queue is empty (before it would block).  Meanwhile sends from that
    green thread to a switch with nothing queued are held and written with one
    system call per switch at :meth:`end`, instead of one per message.  Other
    green threads write as usual.  A handler that blocks part-way (on
    ``send_request``, which flushes first, or a sleep) leaves its held bytes to
    the next flush by any app loop or the liveness thread (at most a second).
    """

    __slots__ = ("owner", "dirty")

    def __init__(self) -> None:
        self.owner: Any = None
        self.dirty: list[Datapath] = []

    def begin(self) -> None:
        self.owner = hub.getcurrent()

    def flush(self) -> None:
        dirty = self.dirty
        if dirty:
            self.dirty = []
            for dp in dirty:
                dp.flush_batch()

    def end(self) -> None:
        self.flush()
        self.owner = None


WRITE_BATCH = WriteBatch()


class Datapath:
    """One connected switch, with Ryu's attributes: ``id``, ``address``, ``ofproto``,
    ``ofproto_parser``, ``ports``, ``state``, ``send_msg()``.

    Also ``connected_at`` (epoch seconds), ``role`` (last role the switch
    confirmed), ``counters`` and ``send_queue_depth``.
    """

    def __init__(self, sock: socket.socket, address: tuple, controller: OpenFlowController) -> None:
        self.socket = sock
        self.address = address
        self.controller = controller
        self.config = controller.config
        self.manager = controller.manager
        self.id: int | None = None
        self.ofproto: Any = None
        self.ofproto_parser: Any = None
        self.ports: dict[int, Any] = {}
        self.role: int | None = None
        self.generation_id: int | None = None
        self.connected_at = time.time()
        self.counters = DatapathCounters()
        self.handshake = hs.Handshake(controller.versions)
        self.liveness = hs.Liveness(
            time.monotonic(),
            self.config.echo_interval,
            self.config.dead_timeout,
            self.config.handshake_timeout,
        )
        self.is_active = True
        self.xid = 0
        self.inflight = 0
        self._throttled = False
        self._resume = hub.Event()
        self._send_q: deque[bytes] = deque()
        self._send_q_bytes = 0
        self._send_wake = hub.Event()
        self._drained = hub.Event()
        self._writing = False
        self._direct_send = hub.nonblocking_send(sock)
        self._reader = hub.socket_reader(sock)
        self._batched: list[bytes | bytearray] = []
        self._send_thread: hub.GreenThread | None = None
        self._pending: dict[int, _Pending] = {}
        self._parsers: dict[int, Any] = {}
        self._decode_packet_in: Any = None
        self._ev_classes: dict[int, type | None] = {}
        self._dropped_logged = 0.0

    # -- identity ---------------------------------------------------------------------------

    @property
    def state(self) -> str:
        return self.handshake.state

    @property
    def version(self) -> int | None:
        return self.handshake.version

    @property
    def send_queue_depth(self) -> int:
        return len(self._send_q)

    def __repr__(self) -> str:
        dpid = f"{self.id:016x}" if self.id is not None else "?"
        return f"<Datapath {dpid} {self.address[0]}:{self.address[1]} {self.state}>"

    def _label(self) -> str:
        dpid = f"dpid={self.id:016x} " if self.id is not None else ""
        return f"switch {dpid}{self.address[0]}:{self.address[1]}"

    def info(self) -> dict[str, Any]:
        """A JSON-friendly summary for the REST/RPC layer."""
        return {
            "id": self.id,
            "address": f"{self.address[0]}:{self.address[1]}",
            "version": self.version,
            "state": self.state,
            "ports": sorted(self.ports),
            "connected_at": self.connected_at,
            "role": self.role,
            "send_queue_depth": self.send_queue_depth,
            **self.counters.as_dict(),
        }

    # -- sending ----------------------------------------------------------------------------

    def set_xid(self, msg: Any) -> int:
        """Give ``msg`` the next transaction id (never 0, wraps at 2**32)."""
        self.xid = self.xid % 0xFFFFFFFF + 1
        msg.set_xid(self.xid)
        return self.xid

    def send_msg(self, msg: Any) -> bool:
        """Encode ``msg`` and queue it; False if the connection is gone or its queue is full."""
        if msg.xid is None:
            xid = self.xid = self.xid % 0xFFFFFFFF + 1
            msg.set_xid(xid)
        msg.serialize()
        msg_type = msg.msg_type
        if msg_type == _PACKET_OUT:
            self.counters.packet_out += 1
        elif msg_type == _FLOW_MOD:
            self.counters.flow_mod += 1
        return self.send(msg.buf)

    def send(self, buf: bytes | bytearray) -> bool:
        """Queue already-encoded bytes for the switch (bounded; overflow is dropped and counted)."""
        if not self.is_active:
            return False
        batched = self._batched
        if batched:
            # Bytes already held for this switch go first: keep the order.
            batched.append(buf)
            if len(batched) >= self.config.send_queue_max:
                self.flush_batch()
            return True
        if (
            len(self._send_q) >= self.config.send_queue_max
            or self._send_q_bytes + len(buf) > self.config.send_queue_bytes_max
        ):
            self.counters.send_dropped += 1
            now = time.monotonic()
            if now - self._dropped_logged > 5.0:
                self._dropped_logged = now
                LOG.warning(
                    "%s: send queue full (%d messages), dropping; %d dropped so far",
                    self._label(),
                    len(self._send_q),
                    self.counters.send_dropped,
                )
            return False
        if not self._send_q and not self._writing and self._direct_send is not None:
            owner = WRITE_BATCH.owner
            if owner is not None and owner is hub.getcurrent():
                self._batched = [buf]
                WRITE_BATCH.dirty.append(self)
                return True
            return self._write_now(buf, 1)
        self._enqueue(buf)
        return True

    def _write_now(self, buf: bytes | bytearray, n_msgs: int) -> bool:
        """Hand ``buf`` to the kernel without waiting; queue what it does not take.

        Writing from the caller's green thread saves two green-thread switches per
        message compared with always going through the send loop.
        """
        try:
            sent = self._direct_send(buf)
        except OSError:  # BlockingIOError, or an error the send loop will report
            sent = 0
        self.counters.bytes_out += sent
        if sent == len(buf):
            self.counters.msgs_out += n_msgs
            return True
        self._enqueue(buf[sent:])
        return True

    def _enqueue(self, buf: bytes | bytearray) -> None:
        self._send_q.append(buf)
        self._send_q_bytes += len(buf)
        self._send_wake.set()

    def flush_batch(self) -> None:
        """Write what an app's event batch held back for this switch (one write for all)."""
        batched = self._batched
        if not batched:
            return
        self._batched = []
        if not self.is_active:
            return
        data = b"".join(batched) if len(batched) > 1 else batched[0]
        if self._send_q or self._writing:
            self._enqueue(data)
        else:
            self._write_now(data, len(batched))

    def send_request(self, msg: Any, timeout: float = 10.0) -> Any:
        """Send ``msg`` and return the switch's reply.

        Multipart replies are gathered: the result is the list of reply parts
        (one per message; their ``body`` lists concatenate to the whole answer).
        Other requests return the single reply message.  Raises
        :class:`~ctrlapp.exception.RequestTimeout` after ``timeout`` seconds and
        :class:`SwitchError` when the switch answers with OFPT_ERROR.
        """
        if not self.is_active:
            raise RequestTimeout(f"{self._label()} is not connected")
        xid = self.set_xid(msg)
        pending = self._pending[xid] = _Pending()
        self.send_msg(msg)
        WRITE_BATCH.flush()
        try:
            if not pending.done.wait(timeout):
                raise RequestTimeout(
                    f"{self._label()}: no reply to {type(msg).__name__} xid={xid} in {timeout}s"
                )
        finally:
            self._pending.pop(xid, None)
        if pending.error is not None:
            raise pending.error
        replies = pending.replies
        if replies and replies[0].msg_type == _MULTIPART_REPLY.get(self.version):
            return replies
        return replies[0]

    def send_barrier(self, timeout: float = 10.0) -> Any:
        """Send a BARRIER_REQUEST and wait for its reply."""
        return self.send_request(self.ofproto_parser.OFPBarrierRequest(self), timeout)

    def request_role(self, role: int, generation_id: int = 0, timeout: float = 10.0) -> Any:
        """Ask to become EQUAL/MASTER/SLAVE (OpenFlow 1.3 ROLE_REQUEST); returns the reply."""
        req = self.ofproto_parser.OFPRoleRequest(self, role, generation_id)
        reply = self.send_request(req, timeout)
        self.role = reply.role
        self.generation_id = reply.generation_id
        return reply

    def flush(self, timeout: float) -> bool:
        """Wait until everything queued has been written (at most ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while self.is_active and (self._send_q or self._writing):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self._drained.clear()
            self._drained.wait(left)
        return not self._send_q

    def _send_loop(self) -> None:
        q = self._send_q
        sock = self.socket
        while self.is_active:
            if not q:
                self._writing = False
                self._drained.set()
                self._send_wake.clear()
                self._send_wake.wait()
                continue
            self._writing = True
            n = len(q)
            data = b"".join([q.popleft() for _ in range(n)]) if n > 1 else q.popleft()
            self._send_q_bytes -= len(data)
            try:
                with hub.Timeout(self.config.dead_timeout):
                    sock.sendall(data)
            except hub.Timeout:
                self.close(f"write stalled for {self.config.dead_timeout}s (peer not reading)")
                return
            except OSError as exc:
                self.close(f"write failed: {exc}")
                return
            self.counters.bytes_out += len(data)
            self.counters.msgs_out += n

    # -- receiving --------------------------------------------------------------------------

    def serve(self) -> None:
        """Run the connection until it closes (the caller's green thread becomes the receive loop)."""
        self._send_thread = hub.spawn(self._send_loop)
        self.send(self.handshake.hello())
        try:
            self._recv_loop()
        except hs.HandshakeError as exc:
            if exc.reply:
                self.send(exc.reply)
            self.flush(1.0)
            self.close(f"handshake failed: {exc.reason}")
        except OFPFramingError as exc:
            self.close(f"bad framing: {exc}")
        except OFPMalformedMessage as exc:
            self.close(f"undecodable message: {exc}")
        except OSError as exc:
            self.close(f"read failed: {exc}")
        except Exception as exc:
            # A bug must cost this connection, not the process; say where it happened.
            LOG.exception("%s: internal error while handling its messages", self._label())
            self.close(f"internal error: {type(exc).__name__}: {exc}")
        finally:
            self.close("connection closed by peer")

    def _recv_loop(self) -> None:
        framer = OFPFramer()
        recv = self._reader.recv if self._reader is not None else self.socket.recv
        size = self.config.recv_size
        counters = self.counters
        liveness = self.liveness
        data = recv(size)
        if data and data[0] not in _WIRE_VERSIONS:
            # Not even an OpenFlow header: fail now rather than wait for the handshake timeout.
            raise hs.HandshakeError(f"garbage instead of HELLO (first byte {data[0]:#04x})")
        while self.is_active:
            if not data:
                return
            counters.bytes_in += len(data)
            frames = framer.parse(data)
            if frames:
                # Only whole messages count as signs of life: a peer trickling the bytes
                # of one endless message is as dead as a silent one.
                liveness.last_rx = time.monotonic()
                counters.msgs_in += len(frames)
                for frame in frames:
                    self._handle_frame(frame)
            if self.inflight >= self.config.inflight_max:
                self._throttle()
            data = recv(size)

    def _throttle(self) -> None:
        self.counters.throttled += 1
        if not self._throttled:
            self._throttled = True
            LOG.warning(
                "%s: %d events waiting in app queues; pausing reads (throttling)",
                self._label(),
                self.inflight,
            )
        self._resume.clear()
        while self.is_active and self.inflight >= self.config.inflight_max // 2:
            self._resume.wait(1.0)
            self._resume.clear()

    def event_queued(self) -> None:
        self.inflight += 1

    def event_done(self) -> None:
        self.inflight -= 1
        if self._throttled and self.inflight < self.config.inflight_max // 2:
            self._throttled = False
            self._resume.set()

    def _ev_class(self, version: int, msg_type: int) -> type | None:
        """The event class for a message type when it does not depend on the body."""
        try:
            return self._ev_classes[msg_type]
        except KeyError:
            pass
        parser = self._parsers.get(msg_type)
        cls = getattr(parser, "__self__", None)
        ev_cls = None
        if cls is not None and cls.__name__ not in _GENERIC_CLASSES:
            ev_cls = ofp_event.ofp_msg_to_ev_cls(cls)
        self._ev_classes[msg_type] = ev_cls
        return ev_cls

    def _handle_frame(self, frame: Any) -> None:
        version, msg_type, msg_len, xid, buf = frame
        state = self.handshake.state
        if (
            msg_type == _PACKET_IN
            and state == MAIN_DISPATCHER
            and version == self.handshake.version
        ):
            # The per-packet path: nothing for the runtime to do but count and dispatch.
            self.counters.packet_in += 1
            apps = self.manager.observers(ofp_event.EventOFPPacketIn)
            if apps:
                try:
                    msg = self._decode_packet_in(self, version, msg_type, msg_len, xid, buf)
                except Exception:
                    # The decoder without the error translation failed; the guarded one
                    # fails the same way and raises the wire format's error with its reason.
                    try:
                        msg = self._parsers[_PACKET_IN](self, version, msg_type, msg_len, xid, buf)
                    except OFPMalformedMessage as exc:
                        self.counters.decode_errors += 1
                        LOG.warning("%s: undecodable message skipped: %s", self._label(), exc)
                        return
                ev = ofp_event.EventOFPPacketIn(msg)
                self.inflight += len(apps)
                for app in apps:
                    app.enqueue(ev, state, self)
            return
        if state == HANDSHAKE_DISPATCHER:
            for out in self.handshake.receive(msg_type, version, xid, buf):
                self.send(out)
            if self.handshake.state == CONFIG_DISPATCHER:
                self._set_version(self.handshake.version)
            return
        if version != self.handshake.version:
            raise hs.HandshakeError(
                f"message version {version:#x} differs from negotiated {self.handshake.version:#x}"
            )
        if msg_type == hs.OFPT_ECHO_REQUEST:
            self.send(hs.echo_reply_bytes(buf))
        ev_cls = self._ev_class(version, msg_type)
        wanted = (
            ev_cls is None
            or msg_type in _RUNTIME_TYPES
            or msg_type == _PORT_STATUS
            or (xid in self._pending and msg_type in _REPLY_TYPES[version])
            or self.manager.observers(ev_cls)
        )
        if not wanted:
            return
        parser = self._parsers.get(msg_type)
        if parser is None:
            self.counters.decode_errors += 1
            LOG.info("%s: unknown message type %d ignored", self._label(), msg_type)
            return
        try:
            msg = parser(self, version, msg_type, msg_len, xid, buf)
        except OFPMalformedMessage as exc:
            self.counters.decode_errors += 1
            LOG.warning("%s: undecodable message skipped: %s", self._label(), exc)
            return
        if msg_type == _PACKET_IN:
            self.counters.packet_in += 1
        self._runtime(msg, msg_type, xid, state)
        ev = ofp_event.ofp_msg_to_ev(msg) if ev_cls is None else ev_cls(msg)
        self.manager.dispatch(ev, state, self)
        if self.handshake.state != state:
            self._state_changed()

    def _runtime(self, msg: Any, msg_type: int, xid: int, state: str) -> None:
        """What the runtime itself does with a message before apps see it."""
        version = self.handshake.version
        if msg_type == hs.OFPT_FEATURES_REPLY and state == CONFIG_DISPATCHER:
            self._features(msg)
        elif msg_type == _PORT_STATUS:
            self._port_status(msg)
        elif msg_type == _MULTIPART_REPLY[version] and state == CONFIG_DISPATCHER:
            if type(msg).__name__ == "OFPPortDescStatsReply":
                for port in msg.body:
                    self.ports[port.port_no] = port
                self.handshake.receive_port_desc(bool(msg.flags & _REPLY_MORE))
        pending = self._pending.get(xid)
        if pending is not None and msg_type in _REPLY_TYPES[version]:
            if msg_type == hs.OFPT_ERROR:
                pending.error = SwitchError(msg)
                pending.done.set()
                return
            pending.replies.append(msg)
            more = msg_type == _MULTIPART_REPLY[version] and msg.flags & _REPLY_MORE
            if not more:
                pending.done.set()

    def _features(self, msg: Any) -> None:
        self.id = msg.datapath_id
        if self.handshake.version == OFP_VERSION_1_0:
            self.ports = dict(getattr(msg, "ports", {}) or {})
        for out in self.handshake.receive_features(msg.datapath_id, self._next_xid()):
            self.send(out)
        self.controller.register(self)

    def _port_status(self, msg: Any) -> None:
        ofp = self.ofproto
        port = msg.desc
        if msg.reason == ofp.OFPPR_DELETE:
            self.ports.pop(port.port_no, None)
        else:
            self.ports[port.port_no] = port
        if self.handshake.state == MAIN_DISPATCHER:
            self.manager.dispatch(
                ofp_event.EventOFPPortStateChange(self, msg.reason, port.port_no), MAIN_DISPATCHER
            )

    def _next_xid(self) -> int:
        self.xid = self.xid % 0xFFFFFFFF + 1
        return self.xid

    def _set_version(self, version: int) -> None:
        consts, parser = _MODULES[version]
        self.ofproto = importlib.import_module(consts)
        self.ofproto_parser = importlib.import_module(parser)
        self._parsers = dict(ofproto_parser._MSG_PARSERS.get(version, {}))
        self._decode_packet_in = _without_guard(self._parsers[_PACKET_IN])
        self._ev_classes = {}
        self._state_changed()

    def _state_changed(self) -> None:
        state = self.handshake.state
        if state == MAIN_DISPATCHER:
            LOG.info(
                "%s connected (OpenFlow %s, %d ports)",
                self._label(),
                _VERSION_NAMES.get(self.version, hex(self.version or 0)),
                len(self.ports),
            )
        self.manager.dispatch(ofp_event.EventOFPStateChange(self), state)

    # -- keepalive and shutdown -------------------------------------------------------------

    def check_liveness(self, now: float) -> None:
        """Called periodically by the controller: probe or close a quiet peer."""
        verdict = self.liveness.poll(now, self.handshake.state)
        if verdict == "echo":
            self.send(hs.echo_request_bytes(self.handshake.version, self._next_xid()))
        elif verdict == "dead":
            self.close(self.liveness.reason(now, self.handshake.state))

    def close(self, reason: str = "closed") -> None:
        """Close the connection (idempotent): pending requests fail, apps see DEAD."""
        if not self.is_active:
            return
        self.is_active = False
        log = LOG.info if reason in _ORDERLY_CLOSE or reason.startswith("replaced") else LOG.warning
        log("%s disconnected: %s", self._label(), reason)
        self.handshake.close()
        if self._reader is not None:
            self._reader.close()
        try:
            self.socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.socket.close()
        self._send_wake.set()
        self._resume.set()
        self._drained.set()
        if self._send_thread is not None and self._send_thread is not hub.getcurrent():
            hub.kill(self._send_thread)
        for pending in self._pending.values():
            pending.error = RequestTimeout(f"{self._label()} disconnected: {reason}")
            pending.done.set()
        self.controller.unregister(self)
        self._state_changed()


def _without_guard(parser: Any) -> Any:
    """The message parser ``parser`` without the wrapper that translates its failures.

    The PACKET_IN path calls it first and goes through the wrapped parser only
    when decoding fails, which saves a call per message on the common path.
    """
    raw = getattr(parser.__func__, "__wrapped__", None)
    return parser if raw is None else types.MethodType(raw, parser.__self__)


def _ssl_context(config: ControllerConfig) -> Any:
    if not (config.ssl_certfile and config.ssl_keyfile):
        raise CtrlappError("TLS listener needs both a certificate and a private key")
    return hub.server_ssl_context(config.ssl_certfile, config.ssl_keyfile, config.ssl_ca_certs)


class OpenFlowController:
    """The OpenFlow listener(s) and the registry of connected switches.

    ``datapaths`` maps datapath id -> :class:`Datapath` for switches past
    FEATURES_REPLY; ``connections`` holds every open connection.
    """

    def __init__(self, manager: Any, config: ControllerConfig | None = None) -> None:
        self.manager = manager
        self.config = config or ControllerConfig()
        offered = manager.ofp_versions() if manager is not None else None
        available = supported_versions()
        self.versions = frozenset(available if offered is None else available & offered)
        if not self.versions:
            raise CtrlappError(
                "the loaded apps accept no OpenFlow version this controller speaks "
                f"(apps: {sorted(offered or [])}, available: {sorted(available)})"
            )
        self.datapaths: dict[int, Datapath] = {}
        self.connections: set[Datapath] = set()
        self.servers: list[hub.StreamServer] = []
        self.threads: list[hub.GreenThread] = []
        if manager is not None:
            manager.controller = self

    @property
    def tcp_address(self) -> tuple[str, int] | None:
        return self._addr(False)

    @property
    def ssl_address(self) -> tuple[str, int] | None:
        return self._addr(True)

    def _addr(self, tls: bool) -> tuple[str, int] | None:
        for server in self.servers:
            if (server.ssl_context is not None) == tls:
                return server.address
        return None

    def start(self) -> None:
        """Open the listeners and start the keepalive thread; returns at once."""
        cfg = self.config
        if cfg.tcp_port is not None:
            self.servers.append(hub.StreamServer((cfg.listen_host, cfg.tcp_port), self._connection))
        if cfg.ssl_port is not None:
            self.servers.append(
                hub.StreamServer(
                    (cfg.listen_host, cfg.ssl_port),
                    self._connection,
                    ssl_context=_ssl_context(cfg),
                    handshake_timeout=cfg.handshake_timeout,
                )
            )
        for server in self.servers:
            self.threads.append(hub.spawn(server.serve_forever))
        self.threads.append(hub.spawn(self._liveness_loop))

    def _connection(self, sock: socket.socket, address: tuple) -> None:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        dp = Datapath(sock, address, self)
        self.connections.add(dp)
        LOG.debug("connection from %s:%s", *address[:2])
        dp.serve()

    def _liveness_loop(self) -> None:
        cfg = self.config
        period = max(0.02, min(1.0, cfg.echo_interval / 4, cfg.handshake_timeout / 4))
        while True:
            hub.sleep(period)
            WRITE_BATCH.flush()
            now = time.monotonic()
            for dp in list(self.connections):
                dp.check_liveness(now)

    def register(self, dp: Datapath) -> None:
        """Record ``dp`` under its datapath id, replacing (closing) an older connection."""
        old = self.datapaths.get(dp.id)
        if old is not None and old is not dp:
            self.datapaths[dp.id] = dp
            old.close(f"replaced by a new connection from {dp.address[0]}:{dp.address[1]}")
        self.datapaths[dp.id] = dp

    def unregister(self, dp: Datapath) -> None:
        self.connections.discard(dp)
        if dp.id is not None and self.datapaths.get(dp.id) is dp:
            del self.datapaths[dp.id]

    def stop(self) -> None:
        """Stop listening and close every switch connection (apps see each one go DEAD)."""
        for server in self.servers:
            server.close()
        for t in self.threads:
            hub.kill(t)
        self.threads = []
        for dp in list(self.connections):
            dp.close("controller shutting down")

    def datapath_info(self) -> list[dict[str, Any]]:
        return [dp.info() for dp in self.datapaths.values()]
