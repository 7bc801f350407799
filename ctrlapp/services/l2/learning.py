"""MAC learning for a transparent bridge (IEEE 802.1Q clause 8.7/8.8, reduced to what an
OpenFlow learning switch needs), without I/O.

A :class:`MacTable` holds the filtering database of one switch: which port each
(VLAN, MAC) was last seen on, when, bounded in size and aged.  A
:class:`LearningSwitch` keeps one table per switch and turns each frame seen by
the controller into a :class:`Decision`: flood, output to one port (and install
a flow), or drop; plus what the move of a host made stale.  The clock is passed
in by the caller (seconds, any epoch).

VLAN ``0`` stands for untagged frames; each VLAN is its own learning domain.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import NamedTuple

#: Decision kinds.
FLOOD = "flood"
OUTPUT = "output"
DROP = "drop"

#: Reasons for DROP.
GROUP_SOURCE = "source MAC address is a group address"
SAME_PORT = "destination is on the input port"

#: Defaults of the app's settings.
DEFAULT_MAX_MACS = 4096
DEFAULT_MAC_AGE = 300.0


def is_group_mac(mac: bytes) -> bool:
    """True for broadcast and multicast addresses (I/G bit set)."""
    return bool(mac[0] & 1)


class Decision(NamedTuple):
    """What to do with one frame.

    ``kind`` is :data:`FLOOD`, :data:`OUTPUT` or :data:`DROP`; ``port`` the output
    port for OUTPUT; ``moved_from`` the port the source used to be on when the
    source host moved (flows towards it there are stale); ``reason`` says why a
    frame is dropped.
    """

    kind: str
    port: int | None = None
    moved_from: int | None = None
    reason: str = ""


class MacTable:
    """The (VLAN, MAC) -> port table of one switch, least recently seen evicted first."""

    __slots__ = ("max_entries", "max_age", "_entries", "evicted")

    def __init__(self, max_entries: int = DEFAULT_MAX_MACS, max_age: float = DEFAULT_MAC_AGE):
        self.max_entries = max_entries
        self.max_age = max_age
        # (vlan, mac) -> (port, last seen); order = least recently seen first.
        self._entries: OrderedDict[tuple[int, bytes], tuple[int, float]] = OrderedDict()
        self.evicted = 0

    def __len__(self) -> int:
        return len(self._entries)

    def learn(self, vlan: int, mac: bytes, port: int, now: float) -> int | None:
        """Record ``mac`` on ``port``; return the previous port if the host moved."""
        key = (vlan, mac)
        old = self._entries.pop(key, None)
        self._entries[key] = (port, now)
        if old is None:
            if len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)
                self.evicted += 1
            return None
        return old[0] if old[0] != port else None

    def lookup(self, vlan: int, mac: bytes, now: float) -> int | None:
        """The port of ``mac``, or None when unknown or not seen for ``max_age`` seconds."""
        hit = self._entries.get((vlan, mac))
        if hit is None:
            return None
        if now - hit[1] >= self.max_age:
            del self._entries[(vlan, mac)]
            return None
        return hit[0]

    def forget_port(self, port: int) -> list[tuple[int, bytes]]:
        """Drop every address learned on ``port``; return them."""
        gone = [key for key, (p, _) in self._entries.items() if p == port]
        for key in gone:
            del self._entries[key]
        return gone

    def expire(self, now: float) -> list[tuple[int, bytes, int]]:
        """Drop entries not seen for ``max_age`` seconds; return (vlan, mac, port) of each."""
        gone = []
        for key, (port, seen) in self._entries.items():
            if now - seen < self.max_age:
                # Ordered by last seen: everything after is younger.
                break
            gone.append((key[0], key[1], port))
        for vlan, mac, _ in gone:
            del self._entries[(vlan, mac)]
        return gone

    def items(self) -> list[tuple[int, bytes, int, float]]:
        """(vlan, mac, port, last seen) of every entry."""
        return [(v, m, p, t) for (v, m), (p, t) in self._entries.items()]


class LearningSwitch:
    """Learning and forwarding decisions for any number of switches (keyed by dpid)."""

    def __init__(self, max_macs: int = DEFAULT_MAX_MACS, mac_age: float = DEFAULT_MAC_AGE):
        self.max_macs = max_macs
        self.mac_age = mac_age
        self.tables: dict[int, MacTable] = {}

    def table(self, dpid: int) -> MacTable:
        t = self.tables.get(dpid)
        if t is None:
            t = self.tables[dpid] = MacTable(self.max_macs, self.mac_age)
        return t

    def handle(
        self, dpid: int, in_port: int, vlan: int, src: bytes, dst: bytes, now: float
    ) -> Decision:
        """Learn the source of a frame and decide where the frame goes."""
        if is_group_mac(src):
            # No station sends from a group address; learning it would blackhole the group.
            return Decision(DROP, reason=GROUP_SOURCE)
        t = self.table(dpid)
        moved_from = t.learn(vlan, src, in_port, now)
        if is_group_mac(dst):
            return Decision(FLOOD, moved_from=moved_from)
        port = t.lookup(vlan, dst, now)
        if port is None:
            return Decision(FLOOD, moved_from=moved_from)
        if port == in_port:
            # The destination is on the segment the frame came from: it has it already.
            return Decision(DROP, moved_from=moved_from, reason=SAME_PORT)
        return Decision(OUTPUT, port, moved_from)

    def port_down(self, dpid: int, port: int) -> list[tuple[int, bytes]]:
        """A port went down or away: forget its hosts; return (vlan, mac) of each."""
        t = self.tables.get(dpid)
        return t.forget_port(port) if t is not None else []

    def forget_switch(self, dpid: int) -> None:
        self.tables.pop(dpid, None)
