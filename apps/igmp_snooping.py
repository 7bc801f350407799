"""IGMP snooping app: multicast goes only where hosts asked for it (RFC 4541, RFC 2236, RFC 3376).

Runs with no configuration at all; settings (``[apps.igmp_snooping]``, every
one documented in etc/ctrlapp.toml) tune the protocol variables of RFC 3376 §8,
the querier, fast leave, unregistered multicast and the memory limits.

What it does on each OpenFlow 1.3 switch (on 1.0, which has no groups, a
group's flow outputs to each port itself, and the app picks IGMP and PIM out
of the PACKET_INs every app sees):

* intercepts IGMP in table 0 (``pipeline.intercept`` on IP protocol 2) and taps
  PIM (protocol 103) to learn router ports;
* hands every IGMP message to the sans-IO :class:`~ctrlapp.services.igmp.snooping.Snooper`,
  which learns memberships per switch, VLAN and port (v1/v2 reports, v2 leaves,
  the six v3 record types, mixed versions), and relays the message itself:
  reports and leaves to router ports, queries to every port (RFC 4541 §2.1.1);
* keeps one group of type ALL per (switch, VLAN, group) with a bucket per member
  and router port, and a forwarding-table flow ``IPv4, ipv4_dst=group, VLAN ->
  group`` above the L2 switch's flows; a membership change is a GROUP_MOD
  MODIFY, expiry deletes both.  IGMPv3 source filters that give a source other
  ports than the rest (INCLUDE lists, EXCLUDE lists) get a group and a flow
  matching ``ipv4_src`` too, one priority higher;
* floods 224.0.0.0/24 always and other (unregistered) multicast or drops it,
  as ``unregistered`` says, with two more forwarding-table flows;
* acts as querier while no other querier with a lower address is heard, from a
  one-second tick that drives the engine's timers.

REST: ``GET /v1/igmp/groups``, ``/v1/igmp/routers``, ``/v1/igmp/queriers``.
"""

from __future__ import annotations

import ipaddress
import time
from typing import Any

from ctrlapp.base import app_manager
from ctrlapp.controller import ofp_event, pipeline
from ctrlapp.controller.handler import (
    CONFIG_DISPATCHER,
    DEAD_DISPATCHER,
    MAIN_DISPATCHER,
    set_ev_cls,
)
from ctrlapp.exception import ConfigError
from ctrlapp.lib import hub
from ctrlapp.lib.packet import igmp, ipv4, packet, vlan
from ctrlapp.ofproto import ofproto_v1_0, ofproto_v1_3
from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER
from ctrlapp.rest import params
from ctrlapp.rest.metrics import Metric
from ctrlapp.rest.wsgi import ControllerBase, WSGIApplication, route
from ctrlapp.services.igmp.snooping import (
    Forwarding,
    QuerierChange,
    Snooper,
    SnoopingConfig,
    Transmit,
)

#: Cookie of this app's flows ("IGMP" in ASCII).
COOKIE = 0x49474D50
#: OpenFlow group ids of this app: GROUP_BASE + n, n < MAX_GROUP_IDS (one per group and per
#: source with ports of its own).
GROUP_BASE = 0x49470000
MAX_GROUP_IDS = 0x10000
#: Offsets in the forwarding band: unregistered < groups < link-local (the L2 switch uses 0).
UNREGISTERED_OFFSET = 500
GROUP_OFFSET = 1000
SOURCE_OFFSET = 1001
LINK_LOCAL_OFFSET = 1500
INTERCEPT_OFFSET = 200
TAP_OFFSET = 200
IPPROTO_IGMP = 2
IPPROTO_PIM = 103
#: A reason for ignoring a packet is logged at most once per this many seconds.
LOG_EVERY = 60.0

# setting -> (default, kind, low, high)
_NUMBERS: dict[str, tuple[Any, type, float, float]] = {
    "robustness": (2, int, 1, 7),
    "query_interval": (125.0, float, 1, 31744),
    "query_response_interval": (10.0, float, 0.1, 3174.4),
    "last_member_query_interval": (1.0, float, 0.1, 25.5),
    "last_member_query_count": (0, int, 0, 7),
    "startup_query_interval": (0.0, float, 0, 31744),
    "startup_query_count": (0, int, 0, 7),
    "querier_version": (3, int, 2, 3),
    "max_groups_per_port": (256, int, 1, 100_000),
    "max_groups_per_switch": (1024, int, 1, MAX_GROUP_IDS),
    "max_sources_per_group": (64, int, 0, 10_000),
    "max_vlans_per_switch": (64, int, 1, 4095),
    "max_source_entries": (16, int, 0, 1024),
    "tick": (1.0, float, 0.05, 10),
}
_OTHER = {"querier", "querier_address", "querier_mac", "fast_leave_ports", "unregistered"}


def _number(settings: dict[str, Any], key: str) -> Any:
    default, kind, lo, hi = _NUMBERS[key]
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise ConfigError(f"igmp_snooping: {key} must be a number, got {value!r}")
    if not lo <= value <= hi:
        raise ConfigError(f"igmp_snooping: {key} must be between {lo} and {hi}, got {value!r}")
    return kind(value)


def load_config(settings: dict[str, Any]) -> tuple[SnoopingConfig, str, float]:
    """The engine configuration, the unregistered-multicast policy and the tick from settings."""
    unknown = sorted(set(settings) - set(_NUMBERS) - _OTHER)
    if unknown:
        names = ", ".join(sorted(set(_NUMBERS) | _OTHER))
        raise ConfigError(f"igmp_snooping: unknown setting {unknown[0]!r}; settings are {names}")
    nums = {k: _number(settings, k) for k in _NUMBERS}
    if nums["query_response_interval"] >= nums["query_interval"]:
        raise ConfigError(
            "igmp_snooping: query_response_interval must be less than query_interval "
            f"(RFC 3376 §8.3), got {nums['query_response_interval']} >= {nums['query_interval']}"
        )
    querier = settings.get("querier", True)
    if not isinstance(querier, bool):
        raise ConfigError(f"igmp_snooping: querier must be true or false, got {querier!r}")
    address = settings.get("querier_address", "0.0.0.0")
    try:
        address = str(ipaddress.IPv4Address(address))
    except ValueError:
        raise ConfigError(
            f"igmp_snooping: querier_address must be an IPv4 address, got {address!r}"
        ) from None
    mac = settings.get("querier_mac", SnoopingConfig.querier_mac)
    try:
        raw = bytes.fromhex(mac.replace(":", "")) if isinstance(mac, str) else b""
    except ValueError:
        raw = b""
    if len(raw) != 6 or raw[0] & 1:
        raise ConfigError(
            f"igmp_snooping: querier_mac must be a unicast MAC address like "
            f"02:00:00:00:49:47, got {mac!r}"
        )
    ports = settings.get("fast_leave_ports", [])
    if not isinstance(ports, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 0xFFFFFF00 for p in ports
    ):
        raise ConfigError(
            f"igmp_snooping: fast_leave_ports must be a list of port numbers, got {ports!r}"
        )
    unregistered = settings.get("unregistered", "flood")
    if unregistered not in ("flood", "drop"):
        raise ConfigError(
            f'igmp_snooping: unregistered must be "flood" or "drop", got {unregistered!r}'
        )
    tick = nums.pop("tick")
    config = SnoopingConfig(
        querier=querier,
        querier_address=address,
        querier_mac=raw.hex(":"),
        fast_leave_ports=frozenset(ports),
        **nums,
    )
    return config, unregistered, tick


class IgmpSnooping(app_manager.CtrlApp):
    _NAME = "igmp_snooping"
    _CONTEXTS = {"wsgi": WSGIApplication}
    OFP_VERSIONS = [ofproto_v1_0.OFP_VERSION, ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        config, self.unregistered, self.tick_interval = load_config(self.settings)
        self.engine = Snooper(config)
        self.clock = time.monotonic
        self.datapaths: dict[int, Any] = {}
        # dpid -> {(vlan, group, source or None): OpenFlow group id}, and the ids given back
        self.group_ids: dict[int, dict[tuple[int, str, str | None], int]] = {}
        self.free_ids: dict[int, list[int]] = {}
        self.stats: dict[str, int] = {}
        self._last_logged: dict[str, float] = {}
        if "wsgi" in kwargs:
            kwargs["wsgi"].register(IgmpRestController, {"app": self})

    def start(self) -> hub.GreenThread:
        thread = super().start()
        self.threads.append(hub.spawn(self._ticker))
        return thread

    def _ticker(self) -> None:
        while self.is_active:
            hub.sleep(self.tick_interval)
            self.run_timers()

    def run_timers(self) -> None:
        """Advance the engine's timers to now and carry out what they decided."""
        self._execute(self.engine.tick(self.clock()), None)

    def _count(self, what: str) -> None:
        self.stats[what] = self.stats.get(what, 0) + 1

    def _note(self, reason: str, dpid: int, port: Any, detail: str = "") -> None:
        """Count an ignored packet; log each reason at most once per LOG_EVERY seconds."""
        self._count(reason)
        now = time.monotonic()
        if now - self._last_logged.get(reason, -LOG_EVERY) >= LOG_EVERY:
            self._last_logged[reason] = now
            self.logger.warning(
                "IGMP packet from switch %016x port %s ignored: %s%s (%d so far; "
                "this reason is logged once a minute)",
                dpid,
                port,
                reason,
                f" ({detail})" if detail else "",
                self.stats[reason],
            )

    # -- switches -----------------------------------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def switch_features(self, ev: Any) -> None:
        dp = ev.msg.datapath
        self.datapaths[dp.id] = dp
        self.group_ids[dp.id] = {}
        self.free_ids[dp.id] = []
        parser = dp.ofproto_parser
        flood = [parser.OFPActionOutput(dp.ofproto.OFPP_FLOOD)]
        pipeline.setup(dp)
        v10 = dp.ofproto.OFP_VERSION == ofproto_v1_0.OFP_VERSION
        if v10:
            igmp_m = {"dl_type": 0x0800, "nw_proto": IPPROTO_IGMP}
            pim_m = {"dl_type": 0x0800, "nw_proto": IPPROTO_PIM}
            link_local = {"dl_type": 0x0800, "nw_dst": "224.0.0.0", "nw_dst_mask": 24}
            multicast = {"dl_type": 0x0800, "nw_dst": "224.0.0.0", "nw_dst_mask": 4}
        else:
            igmp_m = {"eth_type": 0x0800, "ip_proto": IPPROTO_IGMP}
            pim_m = {"eth_type": 0x0800, "ip_proto": IPPROTO_PIM}
            link_local = {"eth_type": 0x0800, "ipv4_dst": ("224.0.0.0", "255.255.255.0")}
            multicast = {"eth_type": 0x0800, "ipv4_dst": ("224.0.0.0", "240.0.0.0")}
        pipeline.intercept(dp, igmp_m, INTERCEPT_OFFSET, cookie=COOKIE)
        pipeline.tap(dp, pim_m, TAP_OFFSET, cookie=COOKIE)
        pipeline.forward(dp, link_local, flood, LINK_LOCAL_OFFSET, cookie=COOKIE)
        pipeline.forward(
            dp,
            multicast,
            flood if self.unregistered == "flood" else [],
            UNREGISTERED_OFFSET,
            cookie=COOKIE,
        )
        self._execute(self.engine.add_switch(dp.id, self.clock()), None)

    @set_ev_cls(ofp_event.EventOFPStateChange, DEAD_DISPATCHER)
    def switch_left(self, ev: Any) -> None:
        dp = ev.datapath
        if dp is not None and dp.id is not None and self.datapaths.pop(dp.id, None) is not None:
            self.engine.remove_switch(dp.id)
            self.group_ids.pop(dp.id, None)
            self.free_ids.pop(dp.id, None)

    @set_ev_cls(ofp_event.EventOFPPortStatus, MAIN_DISPATCHER)
    def port_status(self, ev: Any) -> None:
        msg = ev.msg
        dp = msg.datapath
        if dp.id not in self.datapaths:
            return
        ofp = dp.ofproto
        port = msg.desc
        if (
            msg.reason == ofp.OFPPR_DELETE
            or port.state & ofp.OFPPS_LINK_DOWN
            or port.config & ofp.OFPPC_PORT_DOWN
        ):
            self._execute(self.engine.port_down(dp.id, port.port_no, self.clock()), None)

    # -- packets ------------------------------------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev: Any) -> None:
        msg = ev.msg
        dp = msg.datapath
        if dp.id not in self.datapaths:
            return
        if dp.ofproto.OFP_VERSION == ofproto_v1_0.OFP_VERSION:
            # One table and no cookies in PACKET_INs: every app sees every packet, and
            # only IGMP and PIM are this app's.
            in_port = msg.in_port
            pkt = packet.Packet(msg.data)
            ip = pkt.get_protocol(ipv4.ipv4)
            if ip is None or ip.proto not in (IPPROTO_IGMP, IPPROTO_PIM):
                return
        else:
            if msg.cookie != COOKIE or msg.table_id != pipeline.INTERCEPT_TABLE:
                return
            in_port = msg.match["in_port"]
            pkt = packet.Packet(msg.data)
            ip = pkt.get_protocol(ipv4.ipv4)
            if ip is None:
                self._note("not an IPv4 frame", dp.id, in_port)
                return
        tag = pkt.get_protocol(vlan.vlan)
        vid = tag.vid if tag is not None else 0
        now = self.clock()
        if ip.proto == IPPROTO_PIM:
            self._count("PIM packets")
            self._execute(self.engine.router_seen(dp.id, vid, in_port, now), msg)
            return
        message = pkt.get_protocol(igmp.igmp)
        if message is None:
            self._note("malformed or cut IGMP message", dp.id, in_port, str(pkt.parse_error or ""))
            return
        if pkt.checksum_errors():
            # RFC 2236 §2.3 and RFC 3376 §4.1.2: a message with a bad checksum is dropped.
            self._note("bad IPv4 or IGMP checksum", dp.id, in_port)
            return
        self._execute(self.engine.receive(dp.id, vid, in_port, ip, message, now), msg)

    # -- effects -------------------------------------------------------------------------------

    def _execute(self, effects: list[Any], packet_in: Any) -> None:
        for eff in effects:
            dp = self.datapaths.get(eff.dpid)
            if dp is None:
                continue
            if type(eff) is Transmit:
                self._transmit(dp, eff, packet_in)
            elif type(eff) is Forwarding:
                self._forwarding(dp, eff)
            elif type(eff) is QuerierChange:
                if eff.active:
                    self.logger.info(
                        "switch %016x VLAN %d: no other querier heard; this switch is querier",
                        eff.dpid,
                        eff.vlan,
                    )
                else:
                    self.logger.info(
                        "switch %016x VLAN %d: querier %s has the lower address; "
                        "this switch stops querying",
                        eff.dpid,
                        eff.vlan,
                        eff.other,
                    )

    def _transmit(self, dp: Any, eff: Transmit, packet_in: Any) -> None:
        ofp, parser = dp.ofproto, dp.ofproto_parser
        if eff.ports is None:
            actions = [parser.OFPActionOutput(ofp.OFPP_FLOOD)]
        elif eff.ports:
            actions = [parser.OFPActionOutput(p) for p in eff.ports]
        else:
            return
        if eff.data is None:
            data = packet_in.data
            self._count("relayed")
        else:
            data = eff.data
            self._count("queries sent")
        in_port = ofp.OFPP_CONTROLLER if eff.in_port is None else eff.in_port
        dp.send_msg(
            parser.OFPPacketOut(
                datapath=dp, buffer_id=OFP_NO_BUFFER, in_port=in_port, actions=actions, data=data
            )
        )

    def _forwarding(self, dp: Any, eff: Forwarding) -> None:
        ofp, parser = dp.ofproto, dp.ofproto_parser
        if ofp.OFP_VERSION == ofproto_v1_0.OFP_VERSION:
            self._forwarding_v10(dp, eff)
            return
        ids = self.group_ids[eff.dpid]
        key = (eff.vlan, eff.group, eff.source)
        vid = eff.vlan | ofp.OFPVID_PRESENT if eff.vlan else ofp.OFPVID_NONE
        match = {"eth_type": 0x0800, "ipv4_dst": eff.group, "vlan_vid": vid}
        offset = GROUP_OFFSET
        if eff.source is not None:
            match["ipv4_src"] = eff.source
            offset = SOURCE_OFFSET
        gid = ids.get(key)
        if eff.removed:
            if gid is None:
                return
            del ids[key]
            self.free_ids[eff.dpid].append(gid)
            pipeline.remove(dp, match, pipeline.FORWARD, offset)
            dp.send_msg(parser.OFPGroupMod(dp, ofp.OFPGC_DELETE, ofp.OFPGT_ALL, gid))
            return
        # No ports is a group without buckets: the traffic is dropped.
        buckets = [parser.OFPBucket(actions=[parser.OFPActionOutput(p)]) for p in eff.ports]
        if gid is not None:
            dp.send_msg(parser.OFPGroupMod(dp, ofp.OFPGC_MODIFY, ofp.OFPGT_ALL, gid, buckets))
            return
        free = self.free_ids[eff.dpid]
        gid = free.pop() if free else GROUP_BASE + len(ids)
        ids[key] = gid
        # A group left over from an earlier connection would make ADD fail; deleting
        # a group that does not exist is not an error (OpenFlow 1.3.5 §6.5).
        dp.send_msg(parser.OFPGroupMod(dp, ofp.OFPGC_DELETE, ofp.OFPGT_ALL, gid))
        dp.send_msg(parser.OFPGroupMod(dp, ofp.OFPGC_ADD, ofp.OFPGT_ALL, gid, buckets))
        pipeline.forward(dp, match, [parser.OFPActionGroup(gid)], offset, cookie=COOKIE)

    def _forwarding_v10(self, dp: Any, eff: Forwarding) -> None:
        """OpenFlow 1.0 has no groups: one flow with an output action per port."""
        parser = dp.ofproto_parser
        match = {
            "dl_type": 0x0800,
            "nw_dst": eff.group,
            "dl_vlan": eff.vlan or ofproto_v1_0.OFP_VLAN_NONE,
        }
        offset = GROUP_OFFSET
        if eff.source is not None:
            match["nw_src"] = eff.source
            offset = SOURCE_OFFSET
        if eff.removed:
            pipeline.remove(dp, match, pipeline.FORWARD, offset)
            return
        actions = [parser.OFPActionOutput(p) for p in eff.ports]
        pipeline.forward(dp, match, actions, offset, cookie=COOKIE)

    # -- REST and metrics ---------------------------------------------------------------------

    def groups(self, dpid: int | None, group: str | None, port: int | None) -> list[dict]:
        views = self.engine.group_views(self.clock(), dpid, group, port)
        for v in views:
            v["dpid"] = params.dpid_text(v["dpid"])
            gid = self.group_ids.get(int(v["dpid"], 16), {}).get((v["vlan"], v["group"], None))
            v["openflow_group_id"] = gid
        return views

    def routers(self) -> list[dict]:
        views = self.engine.router_views(self.clock())
        for v in views:
            v["dpid"] = params.dpid_text(v["dpid"])
        return views

    def queriers(self) -> list[dict]:
        views = self.engine.querier_views(self.clock())
        for v in views:
            v["dpid"] = params.dpid_text(v["dpid"])
        return views

    def metrics(self) -> list[Metric]:
        out = [
            Metric(
                "igmp_groups",
                "gauge",
                "Registered multicast groups per switch (all VLANs)",
                sw.group_count,
                {"dpid": params.dpid_text(d)},
            )
            for d, sw in sorted(self.engine.switches.items())
        ]
        counts = {**self.engine.counters, **self.stats}
        for what, n in sorted(counts.items()):
            out.append(
                Metric(
                    "igmp_messages_total",
                    "counter",
                    "IGMP messages and actions of the snooping app, by kind or reason",
                    n,
                    {"kind": what},
                )
            )
        return out


class IgmpRestController(ControllerBase):
    def __init__(self, req: Any, link: Any, data: Any, **config: Any) -> None:
        super().__init__(req, link, data, **config)
        self.app: IgmpSnooping = data["app"]

    @route(
        "igmp",
        "/v1/igmp/groups",
        methods=["GET"],
        summary="Registered multicast groups: ports, and per member port the IGMP version, "
        "filter mode, sources and seconds left on each timer",
        query={
            "dpid": "only this switch (16 hex digits or decimal)",
            "group": "only this group address (dotted quad)",
            "port": "only groups with a member on this port number",
        },
    )
    def list_groups(self, req: Any, **_kw: Any) -> Any:
        raw = req.GET.get("dpid")
        dpid = params.parse_dpid(raw) if raw else None
        group = req.GET.get("group")
        if group:
            group = params.parse_ipv4(group, "group")
        port = params.query_int(req, "port", -1, 0, 0xFFFFFFFF)
        return self.app.groups(dpid, group or None, None if port < 0 else port)

    @route(
        "igmp",
        "/v1/igmp/routers",
        methods=["GET"],
        summary="Multicast router ports (where queries or PIM arrive) and seconds until they age out",
    )
    def list_routers(self, req: Any, **_kw: Any) -> Any:
        return self.app.routers()

    @route(
        "igmp",
        "/v1/igmp/queriers",
        methods=["GET"],
        summary="The querier of each switch and VLAN: this switch or another router, its address "
        "and version",
    )
    def list_queriers(self, req: Any, **_kw: Any) -> Any:
        return self.app.queriers()
