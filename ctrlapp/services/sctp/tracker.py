"""Sans-IO SCTP association tracker: what a monitor in the middle of the path can learn.

:meth:`AssociationTracker.observe` takes one captured frame, the time it was
seen and the switch it came from; it returns the association events the frame
caused (up, down, restart, path change).  Nothing here reads a clock, sleeps
or touches a socket; :meth:`AssociationTracker.expire` is called with the
time by whoever owns the clock.

What it implements, as seen from the middle (RFC 9260):

* association set-up (section 5.1: INIT, INIT ACK, COOKIE ECHO, COOKIE ACK),
  INIT collisions (5.2.1), restarts (5.2.2 and 5.2.4: an INIT between peers
  of a running association that completes with new tags), shutdown (9.2:
  SHUTDOWN, SHUTDOWN ACK, SHUTDOWN COMPLETE) and abort (9.1), the T bit of
  ABORT and SHUTDOWN COMPLETE (8.5.1);
* verification tags (8.5): a packet is matched to its association by its
  ports and tag; a tag that fits no association between the same endpoints is
  counted as an off-path injection, a non-zero tag on INIT as an anomaly;
* DATA/I-DATA (6, RFC 8260) per direction and stream, payload protocol
  identifiers, highest TSN, TSNs seen again (retransmissions), SACK
  cumulative TSN ack, gap-ack blocks and duplicate TSNs (3.3.4);
* multi-homing: the addresses announced in INIT / INIT ACK (3.3.2.1) and the
  paths actually used; HEARTBEAT / HEARTBEAT ACK (8.3) per path with the round
  trip time and path liveness (a path is ``inactive`` after
  ``path_max_retrans`` heartbeats in a row went unanswered);
* ABORT and ERROR chunks with their causes (3.3.7, 3.3.10).

The states are the observer's view of the protocol: ``INIT_SENT``,
``INIT_ACK_SEEN``, ``COOKIE_ECHOED``, ``ESTABLISHED``, ``SHUTDOWN_SENT``,
``SHUTDOWN_RECEIVED`` (a SHUTDOWN acknowledged less than the receiver has
sent, so the receiver is still flushing DATA, 9.2), ``SHUTDOWN_ACK_SENT``,
``CLOSED``, ``ABORTED``.  An endpoint's SHUTDOWN-PENDING state sends nothing
distinctive on the wire, so the observer cannot tell it from ESTABLISHED.
State changes are the table :data:`TRANSITIONS` (state, chunk type, sender)
-> new state; everything else is bookkeeping.

Copies: a packet seen by several switches on its way arrives once per switch.
A copy of the same bytes from a *different* switch within ``dedup_window``
seconds is dropped; the same bytes again from the *same* switch are a real
retransmission.  Replay uses one pseudo-switch, so every frame counts.

Memory is bounded: ``max_associations`` tracked associations, of which at
most ``max_half_open`` not yet established (an INIT flood evicts its own
oldest entries, never an established association), ``half_open_timeout``,
``idle_timeout`` and ``closed_retention`` seconds before eviction.  Per
association the numbers live in one ``array('I')`` of 32-bit words (tags,
TSNs and windows are 32-bit on the wire; counters wrap like SNMP Counter32,
except packets and DATA bytes, which carry into a second word); per-stream,
per-PPID, per-path and cause detail is created only when such traffic is
seen, and capped (:data:`MAX_STREAMS`, :data:`MAX_PATHS`, :data:`MAX_CAUSES`).
"""

from __future__ import annotations

import ipaddress
import sys
from array import array
from typing import Any

from ctrlapp.services.sctp import wire
from ctrlapp.services.sctp.wire import KIND_NAMES, KIND_OF_TYPE, N_KINDS

# -- states -----------------------------------------------------------------------------------

STATES: tuple[str, ...] = (
    "INIT_SENT",
    "INIT_ACK_SEEN",
    "COOKIE_ECHOED",
    "ESTABLISHED",
    "SHUTDOWN_SENT",
    "SHUTDOWN_RECEIVED",
    "SHUTDOWN_ACK_SENT",
    "CLOSED",
    "ABORTED",
)
(
    INIT_SENT,
    INIT_ACK_SEEN,
    COOKIE_ECHOED,
    ESTABLISHED,
    SHUTDOWN_SENT,
    SHUTDOWN_RECEIVED,
    SHUTDOWN_ACK_SENT,
    CLOSED,
    ABORTED,
) = range(len(STATES))
_OVER = (CLOSED, ABORTED)

# Chunk types the state machine reacts to (RFC 9260 3.2).
DATA, INIT, INIT_ACK, SACK, HEARTBEAT, HEARTBEAT_ACK, ABORT = 0, 1, 2, 3, 4, 5, 6
SHUTDOWN, SHUTDOWN_ACK, ERROR, COOKIE_ECHO, COOKIE_ACK, SHUTDOWN_COMPLETE = 7, 8, 9, 10, 11, 14
IDATA = 64

A, Z = 0, 1  # the initiator (sent the first INIT seen) and the responder
_ANY = (A, Z)


def _table() -> dict[tuple[int, int, int], int]:
    rows: list[tuple[tuple[int, ...], int, tuple[int, ...], int]] = [
        # (from states, chunk type, senders, to state)
        ((INIT_SENT,), INIT_ACK, (Z,), INIT_ACK_SEEN),
        # Either side after an INIT collision (RFC 9260 5.2.1), where both are initiators.
        ((INIT_SENT, INIT_ACK_SEEN), COOKIE_ECHO, _ANY, COOKIE_ECHOED),
        ((INIT_ACK_SEEN, COOKIE_ECHOED), COOKIE_ACK, _ANY, ESTABLISHED),
        # COOKIE ACK missed by the observer: traffic from the responder proves the set-up.
        ((COOKIE_ECHOED,), DATA, (Z,), ESTABLISHED),
        ((COOKIE_ECHOED,), IDATA, (Z,), ESTABLISHED),
        ((COOKIE_ECHOED,), SACK, (Z,), ESTABLISHED),
        ((COOKIE_ECHOED,), HEARTBEAT, (Z,), ESTABLISHED),
        ((ESTABLISHED,), SHUTDOWN, _ANY, SHUTDOWN_SENT),
        ((ESTABLISHED, SHUTDOWN_SENT, SHUTDOWN_RECEIVED), SHUTDOWN_ACK, _ANY, SHUTDOWN_ACK_SENT),
        ((SHUTDOWN_SENT, SHUTDOWN_RECEIVED, SHUTDOWN_ACK_SENT), SHUTDOWN_COMPLETE, _ANY, CLOSED),
    ]
    table = {}
    for froms, ctype, senders, to in rows:
        for s in froms:
            for who in senders:
                table[(s, ctype, who)] = to
    for s in range(len(STATES)):
        if s not in _OVER:
            for who in _ANY:
                table[(s, ABORT, who)] = ABORTED
    return table


#: (state, chunk type, sender A/Z) -> next state.
TRANSITIONS: dict[tuple[int, int, int], int] = _table()

# -- per-association numbers: one array('I') of 32-bit words, indices below ------------------

(
    TAG,  # the tag this side announced (= the vtag of packets sent to it)
    PORT,
    INIT_TSN,
    A_RWND,
    OS,
    MIS,
    PACKETS,
    PACKETS_HI,
    DATA_BYTES,
    DATA_BYTES_HI,
    HIGHEST_TSN,
    CUM_ACK,  # the cumulative TSN ack this side sent (of the peer's DATA)
    GAP_BLOCKS,
    DUP_TSNS,
    RETRANS,
    FLAGS,
) = range(16)
KINDS = 16
SIDE = KINDS + N_KINDS
_F_TAG, _F_TSN, _F_ACK = 1, 2, 4
_F_A_FIRST = 8  # in side A's FLAGS: A's address and port come first in the endpoint key
ANOMALIES: tuple[str, ...] = (
    "bad_crc",
    "wrong_vtag",
    "init_nonzero_vtag",
    "after_shutdown_complete",
    "malformed_chunk",
)
_AN = 2 * SIDE
BAD_CRC, WRONG_VTAG, INIT_TAG, AFTER_CLOSE, MALFORMED = range(_AN, _AN + 5)
RESTARTS = _AN + 5
COLLISIONS = _AN + 6
TRUNCATED = _AN + 7
STATE_TIMES = _AN + 8  # per state: ms after first_seen of the last entry, plus one (0: never)
N_COUNTERS = STATE_TIMES + len(STATES)
# 32-bit words: tags, TSNs and windows are 32-bit on the wire; counters wrap at 2**32 like
# SNMP Counter32, except packets and DATA bytes, which have a second word (Counter64).
_ZEROS = array("I", bytes(4 * N_COUNTERS))

_TSN_HALF = 1 << 31
_MASK32 = 0xFFFFFFFF
_NO_EVENTS: tuple = ()


def _u64(c: array, i: int) -> int:
    """A 64-bit counter kept as two words (low at ``i``, high at ``i + 1``)."""
    return c[i] | c[i + 1] << 32


def _after(a: int, b: int) -> bool:
    """Serial number arithmetic of RFC 1982 on 32-bit TSNs: is ``a`` later than ``b``?"""
    return a != b and ((a - b) & _MASK32) < _TSN_HALF


def _addr_text(raw: bytes) -> str:
    if len(raw) == 4:
        return ".".join(str(b) for b in raw)
    return str(ipaddress.IPv6Address(raw))


class AssociationEvent:
    """Something other apps want to hear about.

    ``kind`` is ``up`` (established), ``down`` (closed or aborted; ``reason``
    says which), ``restart`` or ``path_change`` (``reason``: ``new path``,
    ``path active``, ``path inactive``); ``summary`` is the association's
    short description (:meth:`Association.summary`).
    """

    __slots__ = ("kind", "assoc_id", "reason", "summary")

    def __init__(self, kind: str, assoc_id: int, reason: str, summary: dict[str, Any]) -> None:
        self.kind = kind
        self.assoc_id = assoc_id
        self.reason = reason
        self.summary = summary

    def __repr__(self) -> str:
        return f"AssociationEvent({self.kind!r}, {self.assoc_id}, {self.reason!r})"


class Path:
    """One pair of addresses (initiator's, responder's) an association uses (RFC 9260 8.3).

    Heartbeat bookkeeping is per sending side, since both ends probe the paths.
    """

    __slots__ = (
        "a_addr",
        "z_addr",
        "packets",
        "hb_sent",
        "hb_acked",
        "pending_a",
        "pending_z",
        "sent_at_a",
        "sent_at_z",
        "unanswered",
        "rtt",
        "rtt_min",
        "rtt_max",
        "active",
    )

    def __init__(self, a_addr: bytes, z_addr: bytes) -> None:
        self.a_addr = a_addr
        self.z_addr = z_addr
        self.packets = 0
        self.hb_sent = 0
        self.hb_acked = 0
        # Per prober side: hash of the info of its unanswered HEARTBEAT, and when it went.
        self.pending_a = self.pending_z = 0
        self.sent_at_a = self.sent_at_z = 0.0
        self.unanswered = 0
        self.rtt: float | None = None
        self.rtt_min: float | None = None
        self.rtt_max: float | None = None
        self.active: bool | None = None  # None: no heartbeat answered or missed yet


#: Key of a stream in Detail.keys (PPIDs are ``side << 32 | ppid``, below this).
_STREAM_KEY = 1 << 40


class Detail:
    """What only some associations need: created on first use, each part too.

    Streams and PPIDs share two arrays, searched in C (``in``/``index``):
    ``keys`` holds ``_STREAM_KEY | side << 16 | stream`` or ``side << 32 | ppid``,
    ``vals`` the DATA chunks and bytes of each key, two words per key.
    """

    __slots__ = ("keys", "vals", "paths", "causes", "announced", "pending_tags")

    def __init__(self) -> None:
        self.keys = array("Q")
        self.vals = array("Q")
        self.paths: list[Path] | None = None
        self.causes: list[tuple[float, int, str, int]] | None = None  # (time, side, chunk, code)
        self.announced: tuple[list[bytes], list[bytes]] | None = None
        self.pending_tags: tuple[int, int] | None = None  # restart in progress

    def count(self, key: int, nbytes: int) -> None:
        keys = self.keys
        if key in keys:
            i = 2 * keys.index(key)
            vals = self.vals
            vals[i] += 1
            vals[i + 1] += nbytes
        elif len(keys) < 2 * MAX_STREAMS:
            keys.append(key)
            self.vals.extend((1, nbytes))

    def items(self) -> list[tuple[int, int, int]]:
        vals = self.vals
        return [(k, vals[2 * i], vals[2 * i + 1]) for i, k in enumerate(self.keys)]

    def announced_by(self, side: int) -> list[bytes]:
        return self.announced[side] if self.announced is not None else []

    def path_keys(self) -> list[tuple[bytes, bytes]]:
        return [(p.a_addr, p.z_addr) for p in self.paths or ()]


#: Causes kept per association (the counts go on; the oldest detail is dropped).
MAX_CAUSES = 32
#: Paths kept per association (addresses beyond it are counted in the association only).
MAX_PATHS = 16
#: Entries for streams and for PPIDs kept per association (each entry is one direction's
#: stream or PPID; the two kinds share 2 * MAX_STREAMS entries); traffic on others is counted
#: in the totals only.
MAX_STREAMS = 256


class Association:
    """One SCTP association: both endpoints, tags, state and counters (see module docstring)."""

    __slots__ = (
        "id",
        "state",
        "first_seen",
        "last_seen",
        "c",
        "dpid",
        "detail",
        "ekey",
    )

    def __init__(self, assoc_id: int, now: float, dpid: int) -> None:
        self.id = assoc_id
        self.state = INIT_SENT
        self.first_seen = now
        self.last_seen = now
        self.c = array("I", _ZEROS)
        self.dpid = dpid
        self.detail: Detail | None = None
        self.ekey = b""

    @property
    def addr(self) -> tuple[bytes, bytes]:
        """The first path's addresses: (side A's, side Z's), read from the endpoint key."""
        k = self.ekey
        half = len(k) // 2
        first, second = k[: half - 2], k[half:-2]
        return (first, second) if self.c[FLAGS] & _F_A_FIRST else (second, first)

    # -- helpers used by the tracker ---------------------------------------------------------

    def more(self) -> Detail:
        d = self.detail
        if d is None:
            d = self.detail = Detail()
        return d

    def enter(self, state: int, now: float) -> None:
        self.state = state
        self.c[STATE_TIMES + state] = min(int((now - self.first_seen) * 1000) + 1, _MASK32)

    def set_tag(self, side: int, tag: int) -> None:
        c = self.c
        c[side * SIDE + TAG] = tag
        c[side * SIDE + FLAGS] |= _F_TAG

    def has_tag(self, side: int) -> bool:
        return bool(self.c[side * SIDE + FLAGS] & _F_TAG)

    # -- reports -----------------------------------------------------------------------------

    def port(self, side: int) -> int:
        return self.c[side * SIDE + PORT]

    def data_bytes(self) -> int:
        c = self.c
        return _u64(c, DATA_BYTES) + _u64(c, SIDE + DATA_BYTES)

    def summary(self) -> dict[str, Any]:
        c = self.c
        return {
            "id": str(self.id),
            "state": STATES[self.state],
            "initiator": {"address": _addr_text(self.addr[A]), "port": c[PORT]},
            "responder": {"address": _addr_text(self.addr[Z]), "port": c[SIDE + PORT]},
            "packets": _u64(c, PACKETS) + _u64(c, SIDE + PACKETS),
            "data_bytes": _u64(c, DATA_BYTES) + _u64(c, SIDE + DATA_BYTES),
            "dpid": self.dpid,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }

    def addresses(self, side: int) -> list[str]:
        seen = [self.addr[side]]
        d = self.detail
        if d is not None:
            seen += d.announced_by(side)
            seen += [key[side] for key in d.path_keys()]
        return sorted({_addr_text(a) for a in seen})

    def ppid_of(self, side: int) -> dict[str, int]:
        out: dict[str, int] = {}
        if self.detail is not None:
            for key, n, _ in self.detail.items():
                if key < _STREAM_KEY and key >> 32 == side:
                    name = wire.ppid_name(key & _MASK32)
                    out[name] = out.get(name, 0) + n
        return out

    def document(self) -> dict[str, Any]:
        """Everything known about the association, as JSON-ready values."""
        c = self.c
        d = self.detail
        doc = self.summary()
        doc["transitions"] = {
            STATES[s]: self.first_seen + (c[STATE_TIMES + s] - 1) / 1000.0
            for s in range(len(STATES))
            if c[STATE_TIMES + s]
        }
        for side, name in ((A, "initiator"), (Z, "responder")):
            b = side * SIDE
            end = doc[name]
            end["addresses"] = self.addresses(side)
            end["verification_tag"] = c[b + TAG] if c[b + FLAGS] & _F_TAG else None
            end["initial_tsn"] = c[b + INIT_TSN] if c[b + FLAGS] & _F_TAG else None
            end["a_rwnd"] = c[b + A_RWND]
            end["outbound_streams"] = c[b + OS]
            end["inbound_streams"] = c[b + MIS]
            end["sent"] = {
                "packets": _u64(c, b + PACKETS),
                "data_bytes": _u64(c, b + DATA_BYTES),
                "chunks": {
                    KIND_NAMES[k]: c[b + KINDS + k] for k in range(N_KINDS) if c[b + KINDS + k]
                },
                "highest_tsn": c[b + HIGHEST_TSN] if c[b + FLAGS] & _F_TSN else None,
                "cumulative_tsn_ack": c[b + CUM_ACK] if c[b + FLAGS] & _F_ACK else None,
                "gap_ack_blocks": c[b + GAP_BLOCKS],
                "duplicate_tsns_reported": c[b + DUP_TSNS],
                "retransmitted_tsns": c[b + RETRANS],
                "ppids": self.ppid_of(side),
            }
        # The negotiated stream counts (RFC 9260 5.1.1): what each side may send on.
        doc["streams_negotiated"] = {
            "initiator_to_responder": min(c[OS], c[SIDE + MIS]) if c[SIDE + MIS] else c[OS],
            "responder_to_initiator": min(c[SIDE + OS], c[MIS]) if c[MIS] else c[SIDE + OS],
        }
        streams = []
        paths = []
        causes = []
        if d is not None:
            for key, n, nbytes in sorted(d.items()):
                if key < _STREAM_KEY:
                    continue
                key &= 0xFFFFFFFF
                streams.append(
                    {
                        "direction": "initiator_to_responder"
                        if key >> 16 == A
                        else "responder_to_initiator",
                        "stream": key & 0xFFFF,
                        "data_chunks": n,
                        "data_bytes": nbytes,
                    }
                )
            for p in d.paths or ():
                paths.append(
                    {
                        "initiator_address": _addr_text(p.a_addr),
                        "responder_address": _addr_text(p.z_addr),
                        "packets": p.packets,
                        "heartbeats": p.hb_sent,
                        "heartbeat_acks": p.hb_acked,
                        "unanswered": p.unanswered,
                        "rtt": p.rtt,
                        "rtt_min": p.rtt_min,
                        "rtt_max": p.rtt_max,
                        "status": "unconfirmed"
                        if p.active is None
                        else ("active" if p.active else "inactive"),
                    }
                )
            for ts, side, chunk, code in d.causes or ():
                causes.append(
                    {
                        "time": ts,
                        "from": "initiator" if side == A else "responder",
                        "chunk": chunk,
                        "code": code,
                        "cause": wire.cause_name(code),
                    }
                )
        doc["streams"] = streams
        doc["paths"] = paths
        doc["causes"] = causes
        doc["anomalies"] = {name: c[_AN + i] for i, name in enumerate(ANOMALIES)}
        doc["restarts"] = c[RESTARTS]
        doc["init_collisions"] = c[COLLISIONS]
        doc["truncated_packets"] = c[TRUNCATED]
        return doc

    def footprint(self) -> int:
        """Bytes this association's objects occupy (the tracker's indexes not included)."""
        n = sys.getsizeof(self) + sys.getsizeof(self.c) + sys.getsizeof(self.ekey)
        n += 2 * sys.getsizeof(self.first_seen)
        d = self.detail
        if d is not None:
            n += sys.getsizeof(d) + sys.getsizeof(d.keys) + sys.getsizeof(d.vals)
            if d.paths:
                n += sys.getsizeof(d.paths) + len(d.paths) * (sys.getsizeof(d.paths[0]) + 100)
            if d.causes:
                n += sys.getsizeof(d.causes) + len(d.causes) * 120
            if d.announced:
                n += 3 * 64 + sum(40 * len(x) for x in d.announced)
        return n

    def matches(
        self,
        state: str | None = None,
        port: int | None = None,
        address: bytes | None = None,
        ppid: int | None = None,
        dpid: int | None = None,
    ) -> bool:
        if state is not None and STATES[self.state] != state:
            return False
        if port is not None and port not in (self.c[PORT], self.c[SIDE + PORT]):
            return False
        if dpid is not None and self.dpid != dpid:
            return False
        if address is not None:
            known = set(self.addr)
            d = self.detail
            if d is not None:
                known.update(d.announced_by(A), d.announced_by(Z))
                for key in d.path_keys():
                    known.update(key)
            if address not in known:
                return False
        if ppid is not None:
            d = self.detail
            if d is None or not any(k < _STREAM_KEY and k & _MASK32 == ppid for k in d.keys):
                return False
        return True


def _ekey(src: bytes, sport: int, dst: bytes, dport: int) -> bytes:
    """Endpoint key: the same for both directions of one address/port pair."""
    a = src + sport.to_bytes(2, "big")
    b = dst + dport.to_bytes(2, "big")
    return a + b if a <= b else b + a


class TrackerConfig:
    """Limits of an :class:`AssociationTracker` (defaults documented in etc/ctrlapp.toml)."""

    __slots__ = (
        "max_associations",
        "max_half_open",
        "half_open_timeout",
        "idle_timeout",
        "closed_retention",
        "dedup_window",
        "dedup_max",
        "path_max_retrans",
        "check_crc",
    )

    def __init__(
        self,
        max_associations: int = 100_000,
        max_half_open: int = 10_000,
        half_open_timeout: float = 30.0,
        idle_timeout: float = 3600.0,
        closed_retention: float = 300.0,
        dedup_window: float = 0.5,
        dedup_max: int = 65536,
        path_max_retrans: int = 5,
        check_crc: bool = True,
    ) -> None:
        self.max_associations = max_associations
        self.max_half_open = max_half_open
        self.half_open_timeout = half_open_timeout
        self.idle_timeout = idle_timeout
        self.closed_retention = closed_retention
        self.dedup_window = dedup_window
        self.dedup_max = dedup_max
        self.path_max_retrans = path_max_retrans
        self.check_crc = check_crc


class AssociationTracker:
    """All associations seen; feed it with :meth:`observe` (see the module docstring)."""

    def __init__(self, config: TrackerConfig | None = None) -> None:
        self.config = config or TrackerConfig()
        self.by_tag: dict[int, Association] = {}  # dst port << 48 | src port << 32 | vtag
        self.by_endpoints: dict[bytes, Association] = {}
        # Each in eviction order (see expire()), so expiry only looks at the front.
        self.half_open: dict[int, Association] = {}
        self.open: dict[int, Association] = {}
        self.closed: dict[int, Association] = {}
        self.anomalies: dict[str, int] = dict.fromkeys(ANOMALIES, 0)
        self.counters: dict[str, int] = {
            "packets": 0,
            "copies_dropped": 0,
            "not_sctp": 0,
            "truncated": 0,
            "evicted_half_open": 0,
            "evicted_at_capacity": 0,
            "expired": 0,
        }
        self._next_id = 1
        self._recent: dict[int, tuple[float, int, frozenset | None]] = {}
        self._events: list[AssociationEvent] = []

    # -- lookups -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.half_open) + len(self.open) + len(self.closed)

    def get(self, assoc_id: int) -> Association | None:
        return self.open.get(assoc_id) or self.half_open.get(assoc_id) or self.closed.get(assoc_id)

    def associations(self) -> list[Association]:
        return [*self.open.values(), *self.half_open.values(), *self.closed.values()]

    def remove(self, assoc_id: int) -> bool:
        a = self.get(assoc_id)
        if a is None:
            return False
        self._forget(a)
        return True

    # -- ingest ------------------------------------------------------------------------------

    def observe(self, frame: bytes, now: float, dpid: int = 0) -> list[AssociationEvent] | tuple:
        """Account one Ethernet frame seen at ``now`` on switch ``dpid``; return its events."""
        located = wire.locate_sctp(frame)
        if located is None:
            self.counters["not_sctp"] += 1
            return _NO_EVENTS
        src, dst, off, wire_len = located
        end = off + wire_len
        if end > len(frame):
            end = len(frame)
            truncated = True
        else:
            truncated = False
        if end - off < 12:
            self.counters["truncated"] += 1
            return _NO_EVENTS
        if self._is_copy(src, dst, frame, off, end, now, dpid):
            return _NO_EVENTS
        return self.observe_sctp(src, dst, frame, off, end, truncated, now, dpid)

    def _is_copy(
        self, src: bytes, dst: bytes, frame: bytes, off: int, end: int, now: float, dpid: int
    ) -> bool:
        recent = self._recent
        fp = hash((src, dst, frame[off:end]))
        seen = recent.get(fp)
        if seen is not None and now - seen[0] <= self.config.dedup_window:
            first_dpid, others = seen[1], seen[2]
            if dpid != first_dpid and (others is None or dpid not in others):
                recent[fp] = (seen[0], first_dpid, (others or frozenset()) | {dpid})
                self.counters["copies_dropped"] += 1
                return True
            # The same switch again: the endpoint sent these bytes once more.
        recent.pop(fp, None)
        recent[fp] = (now, dpid, None)
        if len(recent) > self.config.dedup_max:
            del recent[next(iter(recent))]
        return False

    def observe_sctp(
        self,
        src: bytes,
        dst: bytes,
        buf: bytes,
        off: int,
        end: int,
        truncated: bool,
        now: float,
        dpid: int = 0,
    ) -> list[AssociationEvent] | tuple:
        """Account the SCTP packet at ``buf[off:end]`` between IP addresses ``src`` and ``dst``.

        ``truncated``: the packet was longer on the wire than ``end - off``
        (its checksum cannot be checked and its last chunk is cut).
        """
        self.counters["packets"] += 1
        sport = buf[off] << 8 | buf[off + 1]
        dport = buf[off + 2] << 8 | buf[off + 3]
        vtag = buf[off + 4] << 24 | buf[off + 5] << 16 | buf[off + 6] << 8 | buf[off + 7]
        first = buf[off + 12] if off + 12 < end else -1
        if not truncated and self.config.check_crc and not wire.crc_ok(buf, off, end):
            self.anomalies["bad_crc"] += 1
            a = self.by_tag.get(dport << 48 | sport << 32 | vtag)
            if a is not None:
                a.c[BAD_CRC] = (a.c[BAD_CRC] + 1) & _MASK32
            return _NO_EVENTS
        if truncated:
            self.counters["truncated"] += 1
        if first in (ABORT, SHUTDOWN_COMPLETE) and off + 13 < end and buf[off + 13] & 1:
            # T bit (RFC 9260 8.5.1): the sender put its own tag in the common header.
            a = self.by_tag.get(sport << 48 | dport << 32 | vtag)
        elif vtag == 0 or first == INIT:
            a = None
        else:
            a = self.by_tag.get(dport << 48 | sport << 32 | vtag)
        if a is None:
            a = self._unmatched(src, dst, sport, dport, vtag, first, buf, off, now, dpid)
            if a is None:
                return _NO_EVENTS
        events = self._events
        self._account(a, src, dst, sport, vtag, buf, off, end, truncated, now)
        if events:
            self._events = []
            return events
        return _NO_EVENTS

    def _unmatched(
        self,
        src: bytes,
        dst: bytes,
        sport: int,
        dport: int,
        vtag: int,
        first: int,
        buf: bytes,
        off: int,
        now: float,
        dpid: int,
    ) -> Association | None:
        """The association a packet whose tag is not (yet) known belongs to, made if need be."""
        ekey = _ekey(src, sport, dst, dport)
        known = self.by_endpoints.get(ekey)
        if known is not None and known.state in _OVER and first in (INIT, INIT_ACK):
            known = None  # a new association between the same endpoints
        if first == INIT:
            if vtag:
                self.anomalies["init_nonzero_vtag"] += 1
                if known is not None:
                    known.c[INIT_TAG] = (known.c[INIT_TAG] + 1) & _MASK32
            if known is not None:
                return known  # restart, collision or a repeated INIT: decided in _init()
            a = self._new(ekey, now, dpid, src, dst, sport, dport)
            return a
        if first == INIT_ACK and known is None:
            # The INIT was not seen: the receiver of this INIT ACK is the initiator.
            a = self._new(ekey, now, dpid, dst, src, dport, sport)
            a.set_tag(A, vtag)
            self._index(a, A)
            return a
        if known is not None:
            side = A if (src, sport) == (known.addr[A], known.port(A)) else Z
            d = known.detail
            if d is not None and d.pending_tags is not None and vtag in d.pending_tags:
                return known
            peer = Z if side == A else A
            if not known.has_tag(peer) and first not in (ABORT, SHUTDOWN_COMPLETE):
                known.set_tag(peer, vtag)
                self._index(known, peer)
                self._promote(known)
                return known
            self.anomalies["wrong_vtag"] += 1
            known.c[WRONG_VTAG] = (known.c[WRONG_VTAG] + 1) & _MASK32
            return None
        if first in (ABORT, SHUTDOWN_COMPLETE, -1) or vtag == 0:
            return None
        # Joined in the middle: the sender is called the initiator; its tag comes with the
        # first packet the other way.
        a = self._new(ekey, now, dpid, src, dst, sport, dport)
        a.set_tag(Z, vtag)
        self._index(a, Z)
        a.enter(ESTABLISHED, now)
        return a

    def _new(
        self,
        ekey: bytes,
        now: float,
        dpid: int,
        src: bytes,
        dst: bytes,
        sport: int,
        dport: int,
    ) -> Association:
        cfg = self.config
        while len(self.half_open) >= cfg.max_half_open:
            self._forget(next(iter(self.half_open.values())))
            self.counters["evicted_half_open"] += 1
        if len(self) >= cfg.max_associations:
            pool = self.closed or self.half_open or self.open
            self._forget(next(iter(pool.values())))
            self.counters["evicted_at_capacity"] += 1
        a = Association(self._next_id, now, dpid)
        self._next_id += 1
        a.c[PORT] = sport
        a.c[SIDE + PORT] = dport
        a.ekey = ekey
        if ekey.startswith(src + sport.to_bytes(2, "big")):
            a.c[FLAGS] |= _F_A_FIRST
        a.enter(INIT_SENT, now)
        self.by_endpoints[ekey] = a
        self.half_open[a.id] = a
        return a

    def _index(self, a: Association, side: int) -> None:
        c = a.c
        b = side * SIDE
        peer = SIDE - b
        self.by_tag[c[b + PORT] << 48 | c[peer + PORT] << 32 | c[b + TAG]] = a

    def _unindex(self, a: Association, side: int) -> None:
        c = a.c
        b = side * SIDE
        peer = SIDE - b
        key = c[b + PORT] << 48 | c[peer + PORT] << 32 | c[b + TAG]
        if self.by_tag.get(key) is a:
            del self.by_tag[key]

    def _promote(self, a: Association) -> None:
        if self.half_open.pop(a.id, None) is not None:
            self.open[a.id] = a

    def _forget(self, a: Association) -> None:
        for side in _ANY:
            if a.has_tag(side):
                self._unindex(a, side)
        d = a.detail
        if d is not None and d.pending_tags is not None:
            for side, tag in zip(_ANY, d.pending_tags, strict=True):
                c = a.c
                b = side * SIDE
                key = c[b + PORT] << 48 | c[SIDE - b + PORT] << 32 | tag
                if self.by_tag.get(key) is a:
                    del self.by_tag[key]
        if self.by_endpoints.get(a.ekey) is a:
            del self.by_endpoints[a.ekey]
        self.half_open.pop(a.id, None)
        self.open.pop(a.id, None)
        self.closed.pop(a.id, None)

    def _transition(self, a: Association, ctype: int, side: int, now: float) -> None:
        new = TRANSITIONS.get((a.state, ctype, side))
        if new is None:
            return
        old = a.state
        a.enter(new, now)
        if new == ESTABLISHED:
            self._promote(a)
            self._events.append(AssociationEvent("up", a.id, "established", a.summary()))
        elif new in _OVER:
            reason = "aborted" if new == ABORTED else "shut down"
            if old == ESTABLISHED or old >= SHUTDOWN_SENT:
                self._events.append(AssociationEvent("down", a.id, reason, a.summary()))
            self.half_open.pop(a.id, None)
            self.open.pop(a.id, None)
            self.closed[a.id] = a

    # -- per-packet accounting ---------------------------------------------------------------

    def _account(
        self,
        a: Association,
        src: bytes,
        dst: bytes,
        sport: int,
        vtag: int,
        buf: bytes,
        off: int,
        end: int,
        truncated: bool,
        now: float,
    ) -> None:
        c = a.c
        first = buf[off + 12] if off + 12 < end else -1
        tbit = first in (ABORT, SHUTDOWN_COMPLETE) and off + 13 < end and buf[off + 13] & 1
        side = self._sender(a, src, sport, vtag, tbit)
        if a.state == CLOSED:
            c[AFTER_CLOSE] = (c[AFTER_CLOSE] + 1) & _MASK32
            self.anomalies["after_shutdown_complete"] += 1
            return
        a.last_seen = now
        # Keep the open table in last-activity order, so expiry only looks at its front.
        opened = self.open
        if opened.pop(a.id, None) is not None:
            opened[a.id] = a
        b = side * SIDE
        if c[b + PACKETS] == _MASK32:
            c[b + PACKETS] = 0
            c[b + PACKETS_HI] = (c[b + PACKETS_HI] + 1) & _MASK32
        else:
            c[b + PACKETS] += 1
        if truncated:
            c[TRUNCATED] = (c[TRUNCATED] + 1) & _MASK32
        d = a.detail
        if d is not None and d.announced is not None:
            # Only an endpoint that announced addresses may use others (RFC 9260 5.1.2).
            self._path(a, side, src, dst).packets += 1
        p = off + 12
        while p + 4 <= end:
            ctype = buf[p]
            flags = buf[p + 1]
            length = buf[p + 2] << 8 | buf[p + 3]
            k = b + KINDS + KIND_OF_TYPE[ctype]
            c[k] = (c[k] + 1) & _MASK32
            if length < 4:
                c[MALFORMED] = (c[MALFORMED] + 1) & _MASK32
                self.anomalies["malformed_chunk"] += 1
                break
            cend = p + length
            whole = cend <= end
            if not whole and not truncated:
                c[MALFORMED] = (c[MALFORMED] + 1) & _MASK32
                self.anomalies["malformed_chunk"] += 1
                break
            if ctype == DATA or ctype == IDATA:
                self._data(a, b, side, ctype, flags, buf, p, length, end)
            elif ctype == SACK:
                if p + 16 <= end and length >= 16:
                    c[b + CUM_ACK] = int.from_bytes(buf[p + 4 : p + 8], "big")
                    c[b + FLAGS] |= _F_ACK
                    c[b + GAP_BLOCKS] = (
                        c[b + GAP_BLOCKS] + (buf[p + 12] << 8 | buf[p + 13])
                    ) & _MASK32
                    c[b + DUP_TSNS] = (c[b + DUP_TSNS] + (buf[p + 14] << 8 | buf[p + 15])) & _MASK32
            elif ctype == INIT or ctype == INIT_ACK:
                if p + 20 <= end and length >= 20:
                    self._init(a, side, ctype, buf, p, min(cend, end), now)
            elif ctype == HEARTBEAT or ctype == HEARTBEAT_ACK:
                self._heartbeat(a, side, ctype, src, dst, buf, p, min(cend, end), now)
            elif ctype == ABORT or ctype == ERROR:
                d = a.more()
                if d.causes is None:
                    d.causes = []
                name = wire.chunk_name(ctype)
                for code in wire.iter_causes(buf, p + 4, min(cend, end)):
                    d.causes.append((now, side, name, code))
                del d.causes[:-MAX_CAUSES]
            elif ctype == SHUTDOWN:
                if p + 8 <= end and length >= 8:
                    c[b + CUM_ACK] = int.from_bytes(buf[p + 4 : p + 8], "big")
                    c[b + FLAGS] |= _F_ACK
            elif ctype == COOKIE_ECHO or ctype == COOKIE_ACK:
                self._cookie(a, side, ctype, now)
            if a.state != CLOSED or ctype == SHUTDOWN_COMPLETE:
                self._transition(a, ctype, side, now)
            if ctype == SHUTDOWN and a.state == SHUTDOWN_SENT:
                peer = SIDE - b
                if c[peer + FLAGS] & _F_TSN and _after(c[peer + HIGHEST_TSN], c[b + CUM_ACK]):
                    a.enter(SHUTDOWN_RECEIVED, now)
            p += (length + 3) & ~3

    @staticmethod
    def _sender(a: Association, src: bytes, sport: int, vtag: int, tbit: bool) -> int:
        """Which side sent a packet: by its tag where that decides, by address and port else."""
        c = a.c
        tag_a = c[TAG] if c[FLAGS] & _F_TAG else None
        tag_z = c[SIDE + TAG] if c[SIDE + FLAGS] & _F_TAG else None
        if tag_a != tag_z:
            if vtag == tag_a:
                return A if tbit else Z
            if vtag == tag_z:
                return Z if tbit else A
        d = a.detail
        if d is not None and d.pending_tags is not None and vtag:
            if vtag == d.pending_tags[A]:
                return Z
            if vtag == d.pending_tags[Z]:
                return A
        port_a, port_z = c[PORT], c[SIDE + PORT]
        if sport != port_z:
            return A
        if sport != port_a:
            return Z
        # Same port on both sides: the address decides.
        if src == a.addr[A] or (d is not None and src in d.announced_by(A)):
            return A
        return Z

    def _data(
        self,
        a: Association,
        b: int,
        side: int,
        ctype: int,
        flags: int,
        buf: bytes,
        p: int,
        length: int,
        end: int,
    ) -> None:
        c = a.c
        hdr = 16 if ctype == DATA else 20
        if length < hdr:
            c[MALFORMED] = (c[MALFORMED] + 1) & _MASK32
            self.anomalies["malformed_chunk"] += 1
            return
        v = c[b + DATA_BYTES] + length - hdr
        if v > _MASK32:
            c[b + DATA_BYTES_HI] = (c[b + DATA_BYTES_HI] + 1) & _MASK32
            v &= _MASK32
        c[b + DATA_BYTES] = v
        if p + 8 > end:
            return
        tsn = buf[p + 4] << 24 | buf[p + 5] << 16 | buf[p + 6] << 8 | buf[p + 7]
        if c[b + FLAGS] & _F_TSN:
            if _after(tsn, c[b + HIGHEST_TSN]):
                c[b + HIGHEST_TSN] = tsn
            else:
                c[b + RETRANS] = (c[b + RETRANS] + 1) & _MASK32
        else:
            c[b + HIGHEST_TSN] = tsn
            c[b + FLAGS] |= _F_TSN
        if p + hdr > end:
            return
        sid = buf[p + 8] << 8 | buf[p + 9]
        if ctype == DATA:
            ppid = int.from_bytes(buf[p + 12 : p + 16], "big")
        elif flags & 2:  # I-DATA: the PPID is there only on the first fragment (B bit)
            ppid = int.from_bytes(buf[p + 16 : p + 20], "big")
        else:
            ppid = -1
        d = a.detail
        if d is None:
            d = a.more()
        d.count(_STREAM_KEY | side << 16 | sid, length - hdr)
        if ppid >= 0:
            d.count(side << 32 | ppid, length - hdr)

    def _init(
        self, a: Association, side: int, ctype: int, buf: bytes, p: int, cend: int, now: float
    ) -> None:
        tag, rwnd, os_, mis, tsn = (
            int.from_bytes(buf[p + 4 : p + 8], "big"),
            int.from_bytes(buf[p + 8 : p + 12], "big"),
            buf[p + 12] << 8 | buf[p + 13],
            buf[p + 14] << 8 | buf[p + 15],
            int.from_bytes(buf[p + 16 : p + 20], "big"),
        )
        c = a.c
        b = side * SIDE
        if ctype == INIT:
            if side == Z and a.state in (INIT_SENT, INIT_ACK_SEEN) and a.has_tag(A):
                # Both ends sent INIT (RFC 9260 5.2.1): one association, two initiators.
                c[COLLISIONS] = (c[COLLISIONS] + 1) & _MASK32
            elif a.state not in (INIT_SENT, INIT_ACK_SEEN, COOKIE_ECHOED):
                # An INIT inside a running association: a restart if it completes.
                d = a.more()
                d.pending_tags = (tag, 0) if side == A else (0, tag)
                self._pending_index(a)
                return
            elif a.has_tag(side) and c[b + TAG] != tag:
                self._unindex(a, side)
        else:
            d = a.detail
            if d is not None and d.pending_tags is not None:
                pa, pz = d.pending_tags
                d.pending_tags = (tag, pz) if side == A else (pa, tag)
                self._pending_index(a)
                return
            if a.has_tag(side) and c[b + TAG] != tag:
                self._unindex(a, side)
        self._set_init(a, side, tag, rwnd, os_, mis, tsn, buf, p, cend)

    def _set_init(
        self,
        a: Association,
        side: int,
        tag: int,
        rwnd: int,
        os_: int,
        mis: int,
        tsn: int,
        buf: bytes,
        p: int,
        cend: int,
    ) -> None:
        c = a.c
        b = side * SIDE
        a.set_tag(side, tag)
        self._index(a, side)
        c[b + A_RWND] = rwnd
        c[b + OS] = os_
        c[b + MIS] = mis
        c[b + INIT_TSN] = tsn
        addrs = wire.iter_addresses(buf, p + 20, cend)
        if addrs:
            d = a.more()
            if d.announced is None:
                d.announced = ([], [])
            announced = d.announced[side]
            for addr in addrs:
                if addr not in announced and len(announced) < MAX_PATHS:
                    announced.append(addr)

    def _pending_index(self, a: Association) -> None:
        pending = a.detail.pending_tags  # type: ignore[union-attr]
        c = a.c
        for side, tag in zip(_ANY, pending, strict=True):
            if tag:
                b = side * SIDE
                self.by_tag[c[b + PORT] << 48 | c[SIDE - b + PORT] << 32 | tag] = a

    def _cookie(self, a: Association, side: int, ctype: int, now: float) -> None:
        d = a.detail
        if d is None or d.pending_tags is None or ctype != COOKIE_ACK or 0 in d.pending_tags:
            return
        # The restart completed (RFC 9260 5.2.4): the new tags replace the old ones.
        new = d.pending_tags
        d.pending_tags = None
        for s in _ANY:
            self._unindex(a, s)
        for s, tag in zip(_ANY, new, strict=True):
            a.set_tag(s, tag)
            self._index(a, s)
        a.c[RESTARTS] = (a.c[RESTARTS] + 1) & _MASK32
        a.enter(ESTABLISHED, now)
        self._events.append(AssociationEvent("restart", a.id, "restarted", a.summary()))

    def _path(self, a: Association, side: int, src: bytes, dst: bytes) -> Path:
        key = (src, dst) if side == A else (dst, src)
        d = a.more()
        if d.paths is None:
            d.paths = []
        for path in d.paths:
            if path.a_addr == key[0] and path.z_addr == key[1]:
                return path
        path = Path(*key)
        if len(d.paths) < MAX_PATHS:  # beyond it the path is counted nowhere
            d.paths.append(path)
        if key != a.addr:
            self._events.append(
                AssociationEvent(
                    "path_change",
                    a.id,
                    f"new path {_addr_text(key[0])} -> {_addr_text(key[1])}",
                    a.summary(),
                )
            )
        return path

    def _heartbeat(
        self,
        a: Association,
        side: int,
        ctype: int,
        src: bytes,
        dst: bytes,
        buf: bytes,
        p: int,
        cend: int,
        now: float,
    ) -> None:
        # The info is opaque to everyone but its sender; its hash pairs a HEARTBEAT ACK
        # with the HEARTBEAT it echoes.
        info = hash(buf[p + 4 : cend])
        path = self._path(a, side, src, dst)
        if ctype == HEARTBEAT:
            path.hb_sent += 1
            if path.pending_a if side == A else path.pending_z:
                path.unanswered += 1
                if path.unanswered >= self.config.path_max_retrans and path.active is not False:
                    path.active = False
                    self._path_event(a, path, "path inactive")
            if side == A:
                path.pending_a, path.sent_at_a = info, now
            else:
                path.pending_z, path.sent_at_z = info, now
            return
        path.hb_acked += 1
        # The prober is the other side.
        if side == Z and path.pending_a == info:
            rtt = now - path.sent_at_a
            path.pending_a = 0
        elif side == A and path.pending_z == info:
            rtt = now - path.sent_at_z
            path.pending_z = 0
        else:
            rtt = None
        if rtt is not None:
            path.rtt = rtt
            path.rtt_min = rtt if path.rtt_min is None else min(path.rtt_min, rtt)
            path.rtt_max = rtt if path.rtt_max is None else max(path.rtt_max, rtt)
        path.unanswered = 0
        if path.active is not True:
            was = path.active
            path.active = True
            if was is False:
                self._path_event(a, path, "path active")

    def _path_event(self, a: Association, path: Path, reason: str) -> None:
        self._events.append(
            AssociationEvent(
                "path_change",
                a.id,
                f"{reason}: {_addr_text(path.a_addr)} -> {_addr_text(path.z_addr)}",
                a.summary(),
            )
        )

    # -- time --------------------------------------------------------------------------------

    def expire(self, now: float) -> int:
        """Evict half-open, idle and closed associations past their time; return how many."""
        cfg = self.config
        n = 0
        for table, keep in (
            (self.half_open, cfg.half_open_timeout),
            (self.open, cfg.idle_timeout),
            (self.closed, cfg.closed_retention),
        ):
            # Each table is in eviction order: half-open ones by creation (the timeout runs
            # from the INIT), open ones by last activity, closed ones by closing time.
            since = "first_seen" if table is self.half_open else "last_seen"
            while table:
                a = next(iter(table.values()))
                if now - getattr(a, since) < keep:
                    break
                self._forget(a)
                n += 1
        self.counters["expired"] += n
        cutoff = now - cfg.dedup_window
        recent = self._recent
        while recent:
            fp, (t, _d, _o) = next(iter(recent.items()))
            if t >= cutoff:
                break
            del recent[fp]
        return n

    # -- reports -----------------------------------------------------------------------------

    def by_state(self) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        for a in self.associations():
            out[STATES[a.state]] += 1
        return out
