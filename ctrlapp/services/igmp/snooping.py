"""IGMP snooping switch and querier (RFC 4541 §2.1, RFC 2236, RFC 3376 §6-§8), without I/O.

A :class:`Snooper` holds, per switch and VLAN, the group memberships of each
port (:class:`~ctrlapp.services.igmp.membership.PortMembership`), the router
ports, and the querier state.  The caller feeds it decoded IGMP messages
(:meth:`Snooper.receive`), multicast-router traffic such as PIM hellos
(:meth:`Snooper.router_seen`), port and switch events, and a periodic
:meth:`Snooper.tick`; each call takes the time as an argument and returns
*effects* for the caller to carry out:

* :class:`Forwarding` — the ports a group's traffic must reach on one switch and
  VLAN changed (members plus router ports, RFC 4541 §2.1.2), for the group as a
  whole or for one source whose IGMPv3 filters give it other ports; or the
  entry is removed (the group is no longer registered);
* :class:`Transmit` — send a frame: the IGMP message just received, relayed
  (reports and leaves to router ports only, queries to every port, RFC 4541
  §2.1.1), or a query this switch originates as querier;
* :class:`QuerierChange` — this switch became or stopped being the querier.

A port on which a query (from any address, 0.0.0.0 included: that is another
snooping switch's querier), PIM, DVMRP, a PIMv1 message or a Multicast Router
Advertisement (RFC 4286) arrives is a router port for the Other Querier Present
Interval.  IGMP types nobody here knows are flooded and otherwise ignored
(RFC 4541 §2.1.1).

Querier (RFC 3376 §6.6.2, RFC 2236 §3): each VLAN starts with this switch as
querier, sending Startup Query Count general queries Startup Query Interval
apart, then one per Query Interval.  A query heard from a lower address (any
address when this switch queries from 0.0.0.0, which never wins, as RFC 4541
§2.1.1 suggests) makes it stop for the Other Querier Present Interval.  After
a leave it sends Last Member Query Count group-specific or group-and-source-
specific queries Last Member Query Interval apart (§6.6.3) and lowers the
port's timers to the Last Member Query Time; a port with fast leave drops the
member at once instead.  All intervals derive from the robustness variable,
query interval and query response interval as §8 defines.

Limits keep memory bounded whatever hosts send: groups per port, groups per
switch, VLANs per switch and sources per group record (a record that would
exceed it is widened to "every source", which over-forwards but never loses
traffic).  Groups in 224.0.0.0/24 are never snooped (RFC 4541 §2.1.2 item 2).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from ctrlapp.lib.packet import ethernet, ipv4, packet, vlan
from ctrlapp.lib.packet.igmp import (
    IGMP_TYPE_LEAVE,
    IGMP_TYPE_QUERY,
    IGMP_TYPE_REPORT_V1,
    IGMP_TYPE_REPORT_V2,
    IGMP_TYPE_REPORT_V3,
    MULTICAST_IP_ALL_HOST,
    MULTICAST_MAC_ALL_HOST,
    encode_code,
    igmp,
    igmpv3_query,
)
from ctrlapp.services.igmp.membership import EXCLUDE, PortMembership, QueryRequest

#: IPv4 Router Alert option (RFC 2113), carried by every IGMP message (RFC 2236 §2, RFC 3376 §4).
ROUTER_ALERT = b"\x94\x04\x00\x00"
ANY = "0.0.0.0"
#: IGMP types only multicast routers send: DVMRP, PIMv1, Multicast Router Advertisement.
ROUTER_TYPES = frozenset({0x13, 0x14, 0x30})

#: Reasons a message was not used, as counted in :attr:`Snooper.counters`.
NOT_MULTICAST = "group is not a multicast address"
LINK_LOCAL = "group is link-local (224.0.0.0/24, never snooped)"
GROUP_LIMIT = "group limit reached (max_groups_per_port or max_groups_per_switch)"
VLAN_LIMIT = "VLAN limit reached (max_vlans_per_switch)"
SOURCE_LIMIT = "source list longer than max_sources_per_group (widened to all sources)"
SOURCE_ENTRY_LIMIT = "sources with their own ports above max_source_entries (forwarded per group)"
UNKNOWN_TYPE = "IGMP message type not used for snooping (flooded)"


class Forwarding(NamedTuple):
    """The ports that must receive ``group`` from ``source`` on (``dpid``, ``vlan``).

    ``source`` ``None`` stands for every source without an entry of its own; its
    ports may be empty (the group is registered, but nobody wants those
    sources: drop them).  ``removed``: the entry is gone (for ``source`` None,
    the group is unregistered).
    """

    dpid: int
    vlan: int
    group: str
    ports: tuple[int, ...]
    source: str | None = None
    removed: bool = False


class Transmit(NamedTuple):
    """Send ``data`` (``None``: the frame being handled) out of ``ports`` (``None``: all ports).

    ``in_port`` is the port the frame came in on, never sent back out of.
    """

    dpid: int
    vlan: int
    data: bytes | None
    ports: tuple[int, ...] | None
    in_port: int | None


class QuerierChange(NamedTuple):
    """This switch started (``active``) or stopped querying on (``dpid``, ``vlan``)."""

    dpid: int
    vlan: int
    active: bool
    other: str | None


@dataclass(frozen=True)
class SnoopingConfig:
    """Protocol variables (RFC 3376 §8) and limits; times in seconds."""

    robustness: int = 2
    query_interval: float = 125.0
    query_response_interval: float = 10.0
    last_member_query_interval: float = 1.0
    last_member_query_count: int = 0  # 0: the robustness variable (§8.7)
    startup_query_interval: float = 0.0  # 0: a quarter of the query interval (§8.6)
    startup_query_count: int = 0  # 0: the robustness variable (§8.7)
    querier: bool = True
    querier_address: str = ANY
    querier_mac: str = "02:00:00:00:49:47"
    querier_version: int = 3
    fast_leave_ports: frozenset[int] = field(default_factory=frozenset)
    max_groups_per_port: int = 256
    max_groups_per_switch: int = 1024
    max_sources_per_group: int = 64
    max_vlans_per_switch: int = 64
    max_source_entries: int = 16

    @property
    def group_membership_interval(self) -> float:
        """§8.4: Robustness Variable × Query Interval + Query Response Interval."""
        return self.robustness * self.query_interval + self.query_response_interval

    @property
    def other_querier_present_interval(self) -> float:
        """§8.5: Robustness Variable × Query Interval + Query Response Interval / 2."""
        return self.robustness * self.query_interval + self.query_response_interval / 2

    @property
    def older_host_present_interval(self) -> float:
        """§8.13: Robustness Variable × Query Interval + Query Response Interval."""
        return self.robustness * self.query_interval + self.query_response_interval

    @property
    def lmq_count(self) -> int:
        return self.last_member_query_count or self.robustness

    @property
    def last_member_query_time(self) -> float:
        """§8.9: Last Member Query Interval × Last Member Query Count."""
        return self.last_member_query_interval * self.lmq_count

    @property
    def startup_interval(self) -> float:
        return self.startup_query_interval or self.query_interval / 4

    @property
    def startup_count(self) -> int:
        return self.startup_query_count or self.robustness


def is_multicast(group: str) -> bool:
    return 224 <= int(group.partition(".")[0]) <= 239


def group_mac(group: str) -> str:
    """The Ethernet address of an IPv4 group: 01:00:5e and the group's low 23 bits (RFC 1112 §6.4)."""
    b = socket.inet_aton(group)
    return f"01:00:5e:{b[1] & 0x7F:02x}:{b[2]:02x}:{b[3]:02x}"


def _shape(m: PortMembership) -> Any:
    """What of a record decides forwarding: its mode and its requested and excluded sources."""
    if not m.sources:
        return m.mode
    return m.mode, frozenset(s for s, t in m.sources.items() if t), frozenset(m.excluded())


class GroupEntry:
    """One group on one switch and VLAN: each member port's record, the ports installed.

    ``installed`` maps a source to the ports its traffic goes to; ``None`` is
    every other source.
    """

    __slots__ = ("members", "installed")

    def __init__(self) -> None:
        self.members: dict[int, PortMembership] = {}
        self.installed: dict[str | None, tuple[int, ...]] = {}


class VlanState:
    """Groups, router ports and querier state of one VLAN of one switch."""

    __slots__ = (
        "groups",
        "routers",
        "querying",
        "other_querier",
        "other_port",
        "other_version",
        "other_expiry",
        "next_query",
        "queries_sent",
        "pending",
        "gmi",
        "ohpi",
        "oqpi",
        "lmqt",
    )

    def __init__(self, config: SnoopingConfig, now: float) -> None:
        self.groups: dict[str, GroupEntry] = {}
        self.routers: dict[int, float] = {}
        self.querying = config.querier
        self.other_querier: str | None = None
        self.other_port: int | None = None
        self.other_version = 0
        self.other_expiry = 0.0
        self.next_query = now
        self.queries_sent = 0
        # (group, sources) -> [queries still to send, when the next one is due]
        self.pending: dict[tuple[str, frozenset[str]], list] = {}
        self.use_timers(config, config.robustness, config.query_interval)

    def use_timers(self, config: SnoopingConfig, robustness: int, query_interval: float) -> None:
        """Derive the intervals of RFC 3376 §8 from a robustness variable and query interval."""
        base = robustness * query_interval
        qri = config.query_response_interval
        self.gmi = base + qri  # §8.4 Group Membership Interval
        self.ohpi = base + qri  # §8.13 Older Host Present Interval
        self.oqpi = base + qri / 2  # §8.5 Other Querier Present Interval
        # §8.9 Last Member Query Time; the count defaults to the robustness variable (§8.7)
        self.lmqt = config.last_member_query_interval * (
            config.last_member_query_count or robustness
        )


class SwitchState:
    __slots__ = ("vlans", "group_count", "port_groups")

    def __init__(self) -> None:
        self.vlans: dict[int, VlanState] = {}
        self.group_count = 0
        self.port_groups: dict[int, int] = {}


class Snooper:
    """IGMP snooping and querier state of every switch; see the module docstring."""

    def __init__(self, config: SnoopingConfig | None = None) -> None:
        self.config = config or SnoopingConfig()
        self.switches: dict[int, SwitchState] = {}
        self.counters: dict[str, int] = {}
        self._ours = socket.inet_aton(self.config.querier_address)

    def _count(self, what: str) -> None:
        self.counters[what] = self.counters.get(what, 0) + 1

    # -- switches, VLANs, ports -------------------------------------------------------------------

    def add_switch(self, dpid: int, now: float) -> list[Any]:
        """A switch connected: its untagged VLAN starts (and queries when this switch is querier)."""
        self.switches[dpid] = SwitchState()
        effects: list[Any] = []
        self._vlan(dpid, 0, now, effects)
        return effects

    def remove_switch(self, dpid: int) -> None:
        self.switches.pop(dpid, None)

    def _vlan(self, dpid: int, vid: int, now: float, effects: list[Any]) -> VlanState | None:
        sw = self.switches.get(dpid)
        if sw is None:
            sw = self.switches[dpid] = SwitchState()
        vs = sw.vlans.get(vid)
        if vs is None:
            if len(sw.vlans) >= self.config.max_vlans_per_switch:
                self._count(VLAN_LIMIT)
                return None
            vs = sw.vlans[vid] = VlanState(self.config, now)
            if vs.querying:
                self._general_query(dpid, vid, vs, now, effects)
        return vs

    def port_down(self, dpid: int, port: int, now: float) -> list[Any]:
        """A port went down or away: it is no member and no router port any more."""
        sw = self.switches.get(dpid)
        effects: list[Any] = []
        if sw is None:
            return effects
        for vid, vs in sw.vlans.items():
            router = vs.routers.pop(port, None) is not None
            for group, entry in list(vs.groups.items()):
                if entry.members.pop(port, None) is not None:
                    self._forget_member(sw, port)
                    self._refresh(dpid, vid, group, vs, effects)
                elif router:
                    self._refresh(dpid, vid, group, vs, effects)
        return effects

    def _forget_member(self, sw: SwitchState, port: int) -> None:
        left = sw.port_groups.get(port, 1) - 1
        if left:
            sw.port_groups[port] = left
        else:
            sw.port_groups.pop(port, None)

    # -- messages -----------------------------------------------------------------------------------

    def receive(
        self, dpid: int, vid: int, in_port: int, ip: ipv4.ipv4, msg: igmp, now: float
    ) -> list[Any]:
        """Handle one IGMP message received on ``in_port``; the relay comes first in the effects."""
        effects: list[Any] = []
        vs = self._vlan(dpid, vid, now, effects)
        mtype = msg.msgtype
        if mtype == IGMP_TYPE_QUERY:
            self._count("queries")
            effects.insert(0, Transmit(dpid, vid, None, None, in_port))
            if vs is not None:
                self._query_heard(dpid, vid, vs, in_port, ip.src, msg, now, effects)
            return effects
        if mtype not in (IGMP_TYPE_REPORT_V1, IGMP_TYPE_REPORT_V2, IGMP_TYPE_LEAVE):
            if mtype != IGMP_TYPE_REPORT_V3:
                self._count(UNKNOWN_TYPE)
                effects.insert(0, Transmit(dpid, vid, None, None, in_port))
                if vs is not None and mtype in ROUTER_TYPES:
                    self._router(dpid, vid, vs, in_port, now, effects)
                return effects
        if vs is None:
            return effects
        effects.insert(0, Transmit(dpid, vid, None, self._router_ports(vs, in_port, now), in_port))
        if mtype == IGMP_TYPE_REPORT_V3:
            self._count("v3 reports")
            for rec in msg.records:
                self._record(dpid, vid, vs, in_port, rec.address, rec.type_, rec.srcs, now, effects)
        elif mtype == IGMP_TYPE_LEAVE:
            self._count("leaves")
            self._record(dpid, vid, vs, in_port, msg.address, IGMP_TYPE_LEAVE, (), now, effects)
        else:
            self._count("v1 reports" if mtype == IGMP_TYPE_REPORT_V1 else "v2 reports")
            self._record(dpid, vid, vs, in_port, msg.address, mtype, (), now, effects)
        return effects

    def router_seen(self, dpid: int, vid: int, port: int, now: float) -> list[Any]:
        """Multicast-router traffic (a PIM hello, say) arrived on ``port``."""
        effects: list[Any] = []
        vs = self._vlan(dpid, vid, now, effects)
        if vs is not None:
            self._router(dpid, vid, vs, port, now, effects)
        return effects

    def _router(self, dpid: int, vid: int, vs: VlanState, port: int, now: float, effects) -> None:
        known = port in vs.routers
        vs.routers[port] = now + vs.oqpi
        if not known:
            for group in list(vs.groups):
                self._refresh(dpid, vid, group, vs, effects)

    @staticmethod
    def _router_ports(vs: VlanState, in_port: int, now: float) -> tuple[int, ...]:
        return tuple(sorted(p for p, t in vs.routers.items() if t > now and p != in_port))

    def _query_heard(
        self,
        dpid: int,
        vid: int,
        vs: VlanState,
        port: int,
        src: str,
        msg: igmp,
        now: float,
        effects,
    ) -> None:
        # Every query marks a router port, a snooping switch's query from 0.0.0.0 too: the
        # querier is behind that port, reports must reach it and, between two snooping
        # switches with no router, each group's traffic must cross that link.  An address
        # of 0.0.0.0 never wins an election (RFC 4541 §2.1.1), nor does one above ours.
        cfg = self.config
        ours = self._ours
        elected = src != ANY and not (
            cfg.querier and ours != bytes(4) and socket.inet_aton(src) > ours
        )
        if elected:
            if vs.querying:
                vs.querying = False
                vs.pending.clear()
                effects.append(QuerierChange(dpid, vid, False, src))
            if isinstance(msg, igmpv3_query):
                version = 3
                # Non-queriers adopt the querier's robustness and interval (§4.1.6, §4.1.7).
                vs.use_timers(cfg, msg.qrv or cfg.robustness, msg.qqi or cfg.query_interval)
            else:
                version = 2 if msg.maxresp else 1
            vs.other_querier, vs.other_port, vs.other_version = src, port, version
            vs.other_expiry = now + vs.oqpi
        self._router(dpid, vid, vs, port, now, effects)

    def _record(
        self,
        dpid: int,
        vid: int,
        vs: VlanState,
        port: int,
        group: str,
        rtype: int,
        srcs,
        now: float,
        effects: list[Any],
    ) -> None:
        """Apply one v3 group record, or a v1/v2 report or leave (``rtype`` its IGMP type)."""
        if not is_multicast(group):
            self._count(NOT_MULTICAST)
            return
        if group.startswith("224.0.0."):
            self._count(LINK_LOCAL)
            return
        cfg = self.config
        sw = self.switches[dpid]
        entry = vs.groups.get(group)
        m = entry.members.get(port) if entry is not None else None
        new = m is None
        if new:
            m = PortMembership()
            shape = None
        else:
            shape = _shape(m)
        gmi = vs.gmi
        if rtype == IGMP_TYPE_REPORT_V1:
            m.older_report(1, now, gmi, vs.ohpi)
            query = None
        elif rtype == IGMP_TYPE_REPORT_V2:
            m.older_report(2, now, gmi, vs.ohpi)
            query = None
        elif rtype == IGMP_TYPE_LEAVE:
            query = m.leave(now, gmi)
        else:
            query = m.apply(rtype, srcs, now, gmi)
        if len(m.sources) > cfg.max_sources_per_group:
            self._count(SOURCE_LIMIT)
            m.sources.clear()
            m.mode = EXCLUDE
            m.group_expiry = max(m.group_expiry, now + gmi)
            query = None
        if new:
            if m.is_empty():
                return
            if entry is None and sw.group_count >= cfg.max_groups_per_switch:
                self._count(GROUP_LIMIT)
                return
            if sw.port_groups.get(port, 0) >= cfg.max_groups_per_port:
                self._count(GROUP_LIMIT)
                return
            if entry is None:
                entry = vs.groups[group] = GroupEntry()
                sw.group_count += 1
            entry.members[port] = m
            sw.port_groups[port] = sw.port_groups.get(port, 0) + 1
        if query is not None:
            self._last_member(dpid, vid, vs, group, port, m, query, now, effects)
        if m.is_empty():
            del entry.members[port]
            self._forget_member(sw, port)
        elif not new and _shape(m) == shape:
            return  # same mode and source lists: the group's ports did not change
        self._refresh(dpid, vid, group, vs, effects)

    def _last_member(
        self,
        dpid: int,
        vid: int,
        vs: VlanState,
        group: str,
        port: int,
        m: PortMembership,
        query: QueryRequest,
        now: float,
        effects: list[Any],
    ) -> None:
        """Lower the port's timers for the queries a record asked for and send them (§6.6.3)."""
        cfg = self.config
        if port in cfg.fast_leave_ports:
            # One host behind the port: what it left is gone now, no query needed.
            if query.group:
                m.lower_group_timer(now)
            m.lower_source_timers(query.sources, now)
            m.expire(now)
            return
        version = cfg.querier_version if vs.querying else vs.other_version
        deadline = now + vs.lmqt
        if query.group and version >= 2:
            m.lower_group_timer(deadline)
            if vs.querying:
                self._schedule(dpid, vid, vs, group, frozenset(), port, now, effects)
        if query.sources and version == 3:
            m.lower_source_timers(query.sources, deadline)
            if vs.querying:
                self._schedule(dpid, vid, vs, group, query.sources, port, now, effects)

    def _schedule(self, dpid, vid, vs: VlanState, group, sources, port, now, effects) -> None:
        key = (group, sources)
        left = self.config.lmq_count - 1
        if left > 0:
            vs.pending[key] = [left, now + self.config.last_member_query_interval, port]
        else:
            vs.pending.pop(key, None)
        effects.append(Transmit(dpid, vid, self.query_frame(vid, group, sources), None, None))

    def _suppress(self, vs: VlanState, group: str, port: int, now: float) -> int:
        """The S flag of a retransmitted Q(G) (§6.6.3.1): set once the port's group timer
        is back above the Last Member Query Time (a member answered)."""
        entry = vs.groups.get(group)
        m = entry.members.get(port) if entry is not None else None
        return int(m is not None and m.group_expiry > now + vs.lmqt)

    def _refresh(self, dpid: int, vid: int, group: str, vs: VlanState, effects) -> None:
        """Emit a Forwarding effect if the ports ``group`` must reach changed."""
        entry = vs.groups.get(group)
        if entry is None:
            return
        old = entry.installed
        if not entry.members:
            del vs.groups[group]
            self.switches[dpid].group_count -= 1
            for source in sorted(old, key=lambda k: k is None):
                effects.append(Forwarding(dpid, vid, group, (), source, True))
            return
        new = self._port_sets(entry.members, vs.routers)
        if new == old:
            return
        entry.installed = new
        for source in sorted(old.keys() - new.keys(), key=lambda k: k is None):
            effects.append(Forwarding(dpid, vid, group, (), source, True))
        for source, ports in new.items():
            if old.get(source) != ports:
                effects.append(Forwarding(dpid, vid, group, ports, source))

    def _port_sets(self, members: dict[int, PortMembership], routers) -> dict:
        """Ports per source (RFC 4541 §2.1.2 with IGMPv3 source filters); None: other sources.

        A port in EXCLUDE mode wants every source but its excluded ones; one in
        INCLUDE mode only its listed sources; router ports want everything.
        Only sources whose ports differ from the other sources' get an entry;
        past ``max_source_entries`` of them the group falls back to one entry
        for all sources with every interested port (more traffic, none lost).
        """
        default = {p for p, m in members.items() if m.mode == EXCLUDE}
        default.update(routers)
        out: dict[str | None, tuple[int, ...]] = {None: tuple(sorted(default))}
        mentioned = {s for m in members.values() for s in m.sources}
        if not mentioned:
            return out
        for source in sorted(mentioned):
            ports = {
                p
                for p, m in members.items()
                if (m.mode == EXCLUDE and m.sources.get(source) != 0.0)
                or (m.mode != EXCLUDE and source in m.sources)
            }
            ports.update(routers)
            if ports != default:
                out[source] = tuple(sorted(ports))
        if len(out) > self.config.max_source_entries + 1:
            self._count(SOURCE_ENTRY_LIMIT)
            every = {p for p, m in members.items() if m.wants_traffic()}
            every.update(routers)
            return {None: tuple(sorted(every))}
        return out

    # -- time ---------------------------------------------------------------------------------------

    def tick(self, now: float) -> list[Any]:
        """Run every timer due by ``now``: memberships, router ports, the querier, queries."""
        effects: list[Any] = []
        cfg = self.config
        for dpid, sw in self.switches.items():
            for vid, vs in sw.vlans.items():
                gone = [p for p, t in vs.routers.items() if t <= now]
                for p in gone:
                    del vs.routers[p]
                for group, entry in list(vs.groups.items()):
                    changed = bool(gone)
                    for port, m in list(entry.members.items()):
                        if m.expire(now):
                            changed = True
                            if m.is_empty():
                                del entry.members[port]
                                self._forget_member(sw, port)
                    if changed:
                        self._refresh(dpid, vid, group, vs, effects)
                if not vs.querying and cfg.querier and vs.other_expiry <= now:
                    vs.querying = True
                    vs.other_querier = vs.other_port = None
                    vs.use_timers(cfg, cfg.robustness, cfg.query_interval)
                    vs.next_query = now
                    effects.append(QuerierChange(dpid, vid, True, None))
                if vs.querying:
                    if vs.next_query <= now:
                        self._general_query(dpid, vid, vs, now, effects)
                    for key, due in list(vs.pending.items()):
                        if due[1] <= now:
                            group, sources = key
                            s_flg = 0 if sources else self._suppress(vs, group, due[2], now)
                            frame = self.query_frame(vid, group, sources, s_flg)
                            effects.append(Transmit(dpid, vid, frame, None, None))
                            due[0] -= 1
                            due[1] = now + cfg.last_member_query_interval
                            if due[0] <= 0:
                                del vs.pending[key]
        return effects

    def _general_query(self, dpid: int, vid: int, vs: VlanState, now: float, effects) -> None:
        cfg = self.config
        vs.queries_sent += 1
        startup = vs.queries_sent < cfg.startup_count
        vs.next_query = now + (cfg.startup_interval if startup else cfg.query_interval)
        effects.append(Transmit(dpid, vid, self.query_frame(vid), None, None))

    def query_frame(self, vid: int, group: str = ANY, sources=(), s_flg: int = 0) -> bytes:
        """A query from this switch: general, group-specific or group-and-source-specific.

        Sent with TTL 1, the Router Alert option and precedence 6 (RFC 2236 §2,
        RFC 3376 §4); to 224.0.0.1 when general, to the group otherwise.  The
        max response time is the Query Response Interval for a general query and
        the Last Member Query Interval for the others.
        """
        cfg = self.config
        general = group == ANY
        tenths = int(
            (cfg.query_response_interval if general else cfg.last_member_query_interval) * 10
        )
        if cfg.querier_version == 3:
            msg: igmp = igmpv3_query(
                maxresp=encode_code(tenths),
                address=group,
                qrv=cfg.robustness if cfg.robustness <= 7 else 0,
                qqic=encode_code(int(cfg.query_interval)),
                srcs=sorted(sources),
                s_flg=s_flg,
            )
        else:
            msg = igmp(
                IGMP_TYPE_QUERY, min(tenths, 255) if cfg.querier_version == 2 else 0, 0, group
            )
        dst_ip = MULTICAST_IP_ALL_HOST if general else group
        dst_mac = MULTICAST_MAC_ALL_HOST if general else group_mac(group)
        pkt = packet.Packet()
        if vid:
            pkt.add_protocol(ethernet.ethernet(dst_mac, cfg.querier_mac, 0x8100))
            pkt.add_protocol(vlan.vlan(vid=vid, ethertype=0x0800))
        else:
            pkt.add_protocol(ethernet.ethernet(dst_mac, cfg.querier_mac, 0x0800))
        pkt.add_protocol(
            ipv4.ipv4(
                header_length=6,
                tos=0xC0,
                ttl=1,
                proto=2,
                src=cfg.querier_address,
                dst=dst_ip,
                option=ROUTER_ALERT,
            )
        )
        pkt.add_protocol(msg)
        pkt.serialize()
        return bytes(pkt.data)

    # -- views ----------------------------------------------------------------------------------------

    def group_views(
        self, now: float, dpid: int | None = None, group: str | None = None, port: int | None = None
    ) -> list[dict[str, Any]]:
        """Registered groups with their members' version, filter mode, sources and timers."""
        out = []
        for d, sw in sorted(self.switches.items()):
            if dpid is not None and d != dpid:
                continue
            for vid, vs in sorted(sw.vlans.items()):
                for g, entry in sorted(vs.groups.items(), key=lambda kv: socket.inet_aton(kv[0])):
                    if group is not None and g != group:
                        continue
                    if port is not None and port not in entry.members:
                        continue
                    members = []
                    for p, m in sorted(entry.members.items()):
                        members.append(
                            {
                                "port": p,
                                "version": m.compat_version(now),
                                "filter_mode": m.mode,
                                "group_timer": round(max(m.group_expiry - now, 0.0), 3),
                                "sources": {
                                    s: round(max(t - now, 0.0), 3)
                                    for s, t in sorted(m.sources.items())
                                    if t
                                },
                                "excluded_sources": m.excluded(),
                            }
                        )
                    out.append(
                        {
                            "dpid": d,
                            "vlan": vid,
                            "group": g,
                            "ports": list(entry.installed.get(None, ())),
                            "source_ports": {
                                s: list(entry.installed[s])
                                for s in sorted(filter(None, entry.installed))
                            },
                            "members": members,
                        }
                    )
        return out

    def router_views(self, now: float) -> list[dict[str, Any]]:
        return [
            {"dpid": d, "vlan": vid, "port": p, "expires_in": round(t - now, 3)}
            for d, sw in sorted(self.switches.items())
            for vid, vs in sorted(sw.vlans.items())
            for p, t in sorted(vs.routers.items())
            if t > now
        ]

    def querier_views(self, now: float) -> list[dict[str, Any]]:
        out = []
        cfg = self.config
        for d, sw in sorted(self.switches.items()):
            for vid, vs in sorted(sw.vlans.items()):
                if vs.querying:
                    view = {
                        "querier": cfg.querier_address,
                        "self": True,
                        "version": cfg.querier_version,
                        "port": None,
                        "next_query_in": round(max(vs.next_query - now, 0.0), 3),
                    }
                elif vs.other_querier is not None:
                    view = {
                        "querier": vs.other_querier,
                        "self": False,
                        "version": vs.other_version,
                        "port": vs.other_port,
                        "expires_in": round(max(vs.other_expiry - now, 0.0), 3),
                    }
                else:
                    continue
                out.append({"dpid": d, "vlan": vid, **view})
        return out
