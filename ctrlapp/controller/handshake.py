"""The OpenFlow connection life cycle as data: handshake states, version negotiation, liveness.

Sans-IO (no sockets, no clock reads): :class:`Handshake` is fed what arrived and
returns the bytes to send; :class:`Liveness` is given the time and says when to
send an ECHO_REQUEST or give up on the peer.  :class:`ctrlapp.controller.controller.Datapath`
does the I/O.

States (Ryu's dispatchers) and the transitions of :data:`TRANSITIONS`::

    HANDSHAKE --hello--> CONFIG --features_reply (1.0)--> MAIN
                         CONFIG --features_reply (1.3)--> CONFIG --port_desc_done--> MAIN
    any --close--> DEAD

HELLO negotiation follows OpenFlow 1.3.5 section 6.3.1 (and 1.0 section 5.5.1):
when both HELLOs carry a version bitmap the highest version set in both is
used; otherwise the lower of the two header versions, which must be one we
speak.  Failure answers OFPT_ERROR HELLO_FAILED/INCOMPATIBLE and closes.

The few messages built here (HELLO, ERROR, FEATURES_REQUEST, ECHO,
port-description request) are packed by hand because the first two must be
written before a version (and so a parser module) is chosen, and the echo
pair is on the keepalive path of every connection.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable

from ctrlapp.controller.handler import (
    CONFIG_DISPATCHER,
    DEAD_DISPATCHER,
    HANDSHAKE_DISPATCHER,
    MAIN_DISPATCHER,
)
from ctrlapp.ofproto.ofproto_common import OFP_HEADER_STRUCT, OFP_VERSION_1_0, OFP_VERSION_1_3

OFPT_HELLO = 0
OFPT_ERROR = 1
OFPT_ECHO_REQUEST = 2
OFPT_ECHO_REPLY = 3
OFPT_FEATURES_REQUEST = 5
OFPT_FEATURES_REPLY = 6
OFPT_PORT_STATUS = 12
OFPT_MULTIPART_REQUEST_V1_3 = 18
OFPT_MULTIPART_REPLY_V1_3 = 19
OFPT_STATS_REPLY_V1_0 = 17
OFPMP_PORT_DESC = 13
OFPHET_VERSIONBITMAP = 1
OFPET_HELLO_FAILED = 0
OFPHFC_INCOMPATIBLE = 0

_ELEMENT_HEADER = struct.Struct("!HH")
_ERROR_BODY = struct.Struct("!HH")
_MULTIPART_REQUEST = struct.Struct("!HH4x")
_DPID = struct.Struct("!Q")

TRANSITIONS: dict[tuple[str, str], str] = {
    (HANDSHAKE_DISPATCHER, "hello"): CONFIG_DISPATCHER,
    (CONFIG_DISPATCHER, "features_reply_final"): MAIN_DISPATCHER,
    (CONFIG_DISPATCHER, "features_reply"): CONFIG_DISPATCHER,
    (CONFIG_DISPATCHER, "port_desc_done"): MAIN_DISPATCHER,
    (HANDSHAKE_DISPATCHER, "close"): DEAD_DISPATCHER,
    (CONFIG_DISPATCHER, "close"): DEAD_DISPATCHER,
    (MAIN_DISPATCHER, "close"): DEAD_DISPATCHER,
    (DEAD_DISPATCHER, "close"): DEAD_DISPATCHER,
}

# Versions whose switches describe their ports in FEATURES_REPLY; later ones need a
# port-description multipart request before the datapath is ready.
_PORTS_IN_FEATURES = frozenset({OFP_VERSION_1_0})


class HandshakeError(Exception):
    """The peer broke the handshake; ``reply`` (maybe empty) is sent before closing."""

    def __init__(self, reason: str, reply: bytes = b"") -> None:
        super().__init__(reason)
        self.reason = reason
        self.reply = reply


def pack_header(version: int, msg_type: int, xid: int, body: bytes = b"") -> bytes:
    return OFP_HEADER_STRUCT.pack(version, msg_type, 8 + len(body), xid) + body


def hello_bytes(versions: Iterable[int], xid: int = 0) -> bytes:
    """A HELLO for ``versions``: header version = highest, plus a version bitmap element."""
    versions = sorted(set(versions))
    top = versions[-1]
    if top < OFP_VERSION_1_3:
        return pack_header(top, OFPT_HELLO, xid)
    words = [0] * (top // 32 + 1)
    for v in versions:
        words[v // 32] |= 1 << (v % 32)
    element = _ELEMENT_HEADER.pack(OFPHET_VERSIONBITMAP, 4 + 4 * len(words))
    element += struct.pack(f"!{len(words)}I", *words)
    element += b"\x00" * (-len(element) % 8)
    return pack_header(top, OFPT_HELLO, xid, element)


def hello_bitmap(buf: bytes) -> set[int] | None:
    """The versions in a HELLO's version-bitmap element, or None if it has none.

    Elements of other types are skipped; a malformed element list ends the scan
    (the header version then decides, as for a HELLO without elements).
    """
    offset = 8
    end = len(buf)
    while end - offset >= 4:
        el_type, el_len = _ELEMENT_HEADER.unpack_from(buf, offset)
        if el_len < 4 or offset + el_len > end:
            return None
        if el_type == OFPHET_VERSIONBITMAP:
            versions = set()
            for i in range((el_len - 4) // 4):
                (word,) = struct.unpack_from("!I", buf, offset + 4 + 4 * i)
                versions.update(32 * i + bit for bit in range(32) if word >> bit & 1)
            return versions
        offset += el_len + (-el_len % 8)
    return None


def negotiate(ours: set[int], peer_version: int, peer_bitmap: set[int] | None) -> int | None:
    """The version both sides speak (OpenFlow 1.3.5 section 6.3.1), or None."""
    if peer_bitmap is not None:
        common = ours & peer_bitmap
        return max(common) if common else None
    version = min(max(ours), peer_version)
    return version if version in ours else None


def error_bytes(version: int, err_type: int, code: int, xid: int, data: bytes) -> bytes:
    return pack_header(version, OFPT_ERROR, xid, _ERROR_BODY.pack(err_type, code) + data)


def echo_request_bytes(version: int, xid: int) -> bytes:
    return pack_header(version, OFPT_ECHO_REQUEST, xid)


def echo_reply_bytes(request: bytes) -> bytes:
    """The ECHO_REPLY to ``request``: same version, xid and payload, type changed."""
    return request[:1] + bytes((OFPT_ECHO_REPLY,)) + request[2:]


class Handshake:
    """Where one connection is in its life cycle, and what to send next.

    ``versions`` are the OpenFlow versions we accept.  After the HELLO exchange
    ``version`` is the negotiated one; after FEATURES_REPLY ``datapath_id`` is set.
    """

    __slots__ = ("versions", "state", "version", "datapath_id")

    def __init__(self, versions: Iterable[int]) -> None:
        self.versions = frozenset(versions)
        if not self.versions:
            raise ValueError("no OpenFlow version to offer")
        self.state = HANDSHAKE_DISPATCHER
        self.version: int | None = None
        self.datapath_id: int | None = None

    def _advance(self, event: str) -> str:
        new = TRANSITIONS.get((self.state, event))
        if new is None:
            raise HandshakeError(f"{event} not expected in state {self.state}")
        self.state = new
        return new

    def hello(self, xid: int = 0) -> bytes:
        """Our HELLO, sent as soon as the connection is up."""
        return hello_bytes(self.versions, xid)

    def receive(self, msg_type: int, version: int, xid: int, buf: bytes) -> list[bytes]:
        """Feed a message that arrived before the HELLO was accepted.

        Only HELLO moves the handshake on; ERROR and ECHO are tolerated, anything
        else means the peer skipped the HELLO.
        """
        if msg_type == OFPT_HELLO:
            return self.receive_hello(version, xid, buf)
        if msg_type == OFPT_ECHO_REQUEST:
            return [echo_reply_bytes(buf)]
        if msg_type == OFPT_ERROR:
            return []
        raise HandshakeError(f"message type {msg_type} before HELLO")

    def receive_hello(self, version: int, xid: int, buf: bytes) -> list[bytes]:
        """Negotiate the version; returns the FEATURES_REQUEST to send."""
        if self.state != HANDSHAKE_DISPATCHER:
            raise HandshakeError("second HELLO")
        chosen = negotiate(set(self.versions), version, hello_bitmap(buf))
        if chosen is None:
            offered = ", ".join(f"{v:#x}" for v in sorted(self.versions))
            reason = f"no common OpenFlow version (peer {version:#x}, ours {offered})"
            reply_version = min(version, max(self.versions))
            raise HandshakeError(
                reason,
                error_bytes(
                    reply_version, OFPET_HELLO_FAILED, OFPHFC_INCOMPATIBLE, xid, reason.encode()
                ),
            )
        self.version = chosen
        self._advance("hello")
        return [pack_header(chosen, OFPT_FEATURES_REQUEST, 0)]

    def receive_features(self, datapath_id: int, xid: int = 0) -> list[bytes]:
        """FEATURES_REPLY arrived; returns the port-description request if the version needs one."""
        self.datapath_id = datapath_id
        if self.version in _PORTS_IN_FEATURES:
            self._advance("features_reply_final")
            return []
        self._advance("features_reply")
        body = _MULTIPART_REQUEST.pack(OFPMP_PORT_DESC, 0)
        return [pack_header(self.version, OFPT_MULTIPART_REQUEST_V1_3, xid, body)]

    def receive_port_desc(self, more: bool) -> None:
        """A port-description reply part arrived; the last one makes the datapath ready."""
        if not more and self.state == CONFIG_DISPATCHER:
            self._advance("port_desc_done")

    def close(self) -> None:
        self._advance("close")


def features_datapath_id(buf: bytes) -> int:
    """The datapath id of a FEATURES_REPLY (the first body field in every version)."""
    return _DPID.unpack_from(buf, 8)[0]


class Liveness:
    """When to probe a quiet peer and when to give up on it (times in seconds, caller's clock).

    The peer gets ``handshake_timeout`` to reach MAIN; afterwards, silence for
    ``echo_interval`` triggers an ECHO_REQUEST (one per interval) and silence for
    ``dead_timeout`` means the peer is dead.
    """

    __slots__ = (
        "echo_interval",
        "dead_timeout",
        "handshake_timeout",
        "started",
        "last_rx",
        "last_echo",
    )

    def __init__(
        self,
        now: float,
        echo_interval: float = 5.0,
        dead_timeout: float = 15.0,
        handshake_timeout: float = 10.0,
    ) -> None:
        self.echo_interval = echo_interval
        self.dead_timeout = dead_timeout
        self.handshake_timeout = handshake_timeout
        self.started = now
        self.last_rx = now
        self.last_echo = now

    def received(self, now: float) -> None:
        self.last_rx = now

    def poll(self, now: float, state: str) -> str | None:
        """``"dead"`` (with the reason in :meth:`reason`), ``"echo"`` or None."""
        if state in (HANDSHAKE_DISPATCHER, CONFIG_DISPATCHER):
            if now - self.started > self.handshake_timeout:
                return "dead"
            return None
        if now - self.last_rx > self.dead_timeout:
            return "dead"
        if now - self.last_rx >= self.echo_interval and now - self.last_echo >= self.echo_interval:
            self.last_echo = now
            return "echo"
        return None

    def reason(self, now: float, state: str) -> str:
        if state in (HANDSHAKE_DISPATCHER, CONFIG_DISPATCHER):
            return f"handshake not finished after {now - self.started:.1f}s"
        return f"no message for {now - self.last_rx:.1f}s"


__all__ = [
    "Handshake",
    "HandshakeError",
    "Liveness",
    "TRANSITIONS",
    "echo_reply_bytes",
    "echo_request_bytes",
    "error_bytes",
    "features_datapath_id",
    "hello_bitmap",
    "hello_bytes",
    "negotiate",
    "OFP_VERSION_1_0",
    "OFP_VERSION_1_3",
]
