"""ARP responder app: answers ARP requests from a table of bindings (proxy ARP) and defends
static and leased addresses against spoofed claims.

Runs with no configuration at all (no static entries, learning and proxy ARP
on, DHCP leases followed).  Settings: ``[apps.arp_responder]`` (etc/ctrlapp.toml
documents every key): ``static`` entries (per switch and/or VLAN, or global,
such as a virtual gateway address), ``learn``, ``proxy_arp``,
``use_dhcp_leases``, ``learned_ttl``, ``max_learned``.

What it does on each switch (OpenFlow 1.3; 1.0 degrades to one table):

* one intercept flow in table 0 per address it answers
  (``arp_op=1, arp_tpa=<ip>``, plus the VLAN for VLAN-scoped bindings): those
  requests come to the controller only, and the reply
  (:class:`~ctrlapp.services.arp.responder.ArpResponder`, RFC 826 / RFC 5227)
  is a PACKET_OUT back out of the requesting port;
* one tap flow for all other ARP (when learning): a copy comes to the
  controller to learn from, the original continues to the forwarding table, so
  requests it cannot answer reach the L2 switch untouched and nothing loops;
* an intercepted request it does not answer after all (the owner asking for
  its own address, an announcement by the owner) is flooded on; a spoofed
  claim of a static or leased address is dropped, logged and counted;
* bindings from the DHCP server's :class:`~ctrlapp.services.dhcp.events.EventLease`
  (granted/renewed add, released/expired/revoked/declined remove) when
  ``use_dhcp_leases``; learned and leased bindings age out; flows follow.

On OpenFlow 1.0 the L2 switch also sees the requests this app answers (every
app sees every PACKET_IN there) and floods them on; the requester then gets
this app's reply and possibly the owner's identical one.

REST: ``GET /v1/arp/entries`` (filters ip, mac, dpid, source), ``POST
/v1/arp/entries`` (a static entry; kept in ``<state dir>/arp_responder/static.json``
across restarts), ``DELETE /v1/arp/entries/{ip}``.
"""

from __future__ import annotations

import json
import os
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
from ctrlapp.ofproto import ofproto_v1_0, ofproto_v1_3
from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER
from ctrlapp.rest import params
from ctrlapp.rest.errors import bad_request, conflict, not_found
from ctrlapp.rest.metrics import Metric
from ctrlapp.rest.wsgi import ControllerBase, WSGIApplication, request_json, route
from ctrlapp.services.arp.bindings import LEARNED, SOURCES, STATIC
from ctrlapp.services.arp.responder import (
    NOT_ARP,
    ArpResponder,
    FlowChange,
    ResponderConfig,
    static_binding,
)
from ctrlapp.services.dhcp.events import EventLease

#: Cookies of this app's flows ("ARP1": intercept, "ARP2": tap).
COOKIE_INTERCEPT = 0x41525031
COOKIE_TAP = 0x41525032
#: Priority offsets inside the pipeline's bands; VLAN-scoped intercepts one higher.
INTERCEPT_OFFSET = 200
TAP_OFFSET = 200
#: A reason is logged at most once per this many seconds.
LOG_EVERY = 60.0
_MAX_LOG_KEYS = 1024
#: Static entries that may be added over REST.
MAX_REST_STATIC = 65536
ETH_ARP = 0x0806


class ArpResponderApp(app_manager.CtrlApp):
    _NAME = "arp_responder"
    _CONTEXTS = {"wsgi": WSGIApplication}
    OFP_VERSIONS = [ofproto_v1_0.OFP_VERSION, ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cfg = ResponderConfig(self.settings)
        self.engine = ArpResponder(self.cfg)
        self.datapaths: dict[int, Any] = {}
        self.stats: dict[str, int] = {}
        self._last_logged: dict[str, float] = {}
        self._static_file = self.state_dir / "static.json" if self.state_dir else None
        # Entries added over REST, kept across restarts: (ip, dpid, vlan) -> entry.
        self.rest_static: dict[tuple, dict[str, Any]] = {}
        self._load_rest_static()
        self.logger.info(
            "ARP responder: %d static binding(s); learning %s, proxy ARP %s, DHCP leases %s",
            sum(1 for b in self.engine.bindings() if b.source == STATIC),
            "on" if self.cfg.learn else "off",
            "on" if self.cfg.proxy_arp else "off",
            "followed" if self.cfg.use_dhcp_leases else "ignored",
        )
        if "wsgi" in kwargs:
            kwargs["wsgi"].register(ArpRestController, {"app": self})

    def _load_rest_static(self) -> None:
        if self._static_file is None or not self._static_file.exists():
            return
        try:
            entries = json.loads(self._static_file.read_text())
            if not isinstance(entries, list):
                raise ValueError("not a list")
            for i, entry in enumerate(entries):
                b = static_binding(entry, f"{self._static_file}[{i}]")
                self.engine.add_static(b)
                self.rest_static[(b.ip, b.dpid, b.vlan)] = entry
        except (OSError, ValueError, ConfigError) as exc:
            raise ConfigError(
                f"arp_responder: {self._static_file} (entries added over REST) is unreadable: "
                f"{exc}; fix or remove the file"
            ) from None

    def _save_rest_static(self) -> None:
        if self._static_file is None:
            return
        tmp = self._static_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(list(self.rest_static.values()), indent=1))
        os.replace(tmp, self._static_file)

    def start(self) -> hub.GreenThread:
        thread = super().start()
        self.threads.append(hub.spawn(self._ager))
        return thread

    def _ager(self) -> None:
        while self.is_active:
            hub.sleep(1.0)
            self._apply(self.engine.tick(time.time()))

    def _count(self, what: str) -> None:
        self.stats[what] = self.stats.get(what, 0) + 1

    def _log_limited(self, key: str, text: str, *args: Any) -> None:
        """Log ``text`` at most once per LOG_EVERY seconds for ``key``."""
        now = time.monotonic()
        if now - self._last_logged.get(key, -LOG_EVERY) < LOG_EVERY:
            return
        if len(self._last_logged) >= _MAX_LOG_KEYS:
            self._last_logged.clear()
        self._last_logged[key] = now
        self.logger.warning(text, *args)

    # -- switches -----------------------------------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def switch_features(self, ev: Any) -> None:
        dp = ev.msg.datapath
        self.datapaths[dp.id] = dp
        ofp = dp.ofproto
        v10 = ofp.OFP_VERSION == ofproto_v1_0.OFP_VERSION
        if not v10:
            # A switch that reconnects may still hold intercepts for bindings that went
            # while it was away: clear this app's (by cookie) before installing the current.
            dp.send_msg(
                dp.ofproto_parser.OFPFlowMod(
                    datapath=dp,
                    cookie=COOKIE_INTERCEPT,
                    cookie_mask=0xFFFFFFFFFFFFFFFF,
                    table_id=pipeline.INTERCEPT_TABLE,
                    command=ofp.OFPFC_DELETE,
                    out_port=ofp.OFPP_ANY,
                    out_group=ofp.OFPG_ANY,
                    match=dp.ofproto_parser.OFPMatch(eth_type=ETH_ARP, arp_op=1),
                )
            )
        pipeline.setup(dp)
        if self.cfg.learn:
            match = {"dl_type": ETH_ARP} if v10 else {"eth_type": ETH_ARP}
            pipeline.tap(dp, match, offset=TAP_OFFSET, cookie=COOKIE_TAP)
        for change in self.engine.answer_keys(dp.id):
            self._install(dp, change)

    @set_ev_cls(ofp_event.EventOFPStateChange, DEAD_DISPATCHER)
    def switch_left(self, ev: Any) -> None:
        dp = ev.datapath
        if dp is not None and dp.id is not None:
            self.datapaths.pop(dp.id, None)

    @staticmethod
    def _intercept_match(dp: Any, change: FlowChange) -> dict[str, Any]:
        if dp.ofproto.OFP_VERSION == ofproto_v1_0.OFP_VERSION:
            match = {"dl_type": ETH_ARP, "nw_proto": 1, "nw_dst": change.ip}
            if change.vlan is not None:
                match["dl_vlan"] = change.vlan or ofproto_v1_0.OFP_VLAN_NONE
            return match
        match = {"eth_type": ETH_ARP, "arp_op": 1, "arp_tpa": change.ip}
        if change.vlan is not None:
            match["vlan_vid"] = (
                change.vlan | ofproto_v1_3.OFPVID_PRESENT
                if change.vlan
                else ofproto_v1_3.OFPVID_NONE
            )
        return match

    def _install(self, dp: Any, change: FlowChange) -> None:
        offset = INTERCEPT_OFFSET + (change.vlan is not None)
        match = self._intercept_match(dp, change)
        if change.add:
            pipeline.intercept(dp, match, offset=offset, cookie=COOKIE_INTERCEPT)
        else:
            pipeline.remove(dp, match, pipeline.INTERCEPT, offset=offset)

    def _apply(self, changes: list[FlowChange]) -> None:
        for change in changes:
            if change.dpid is None:
                for dp in list(self.datapaths.values()):
                    self._install(dp, change)
            else:
                dp = self.datapaths.get(change.dpid)
                if dp is not None:
                    self._install(dp, change)

    # -- packets ------------------------------------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev: Any) -> None:
        msg = ev.msg
        dp = msg.datapath
        ofp = dp.ofproto
        v10 = ofp.OFP_VERSION == ofproto_v1_0.OFP_VERSION
        if v10:
            in_port = msg.in_port
            intercepted = False
        else:
            cookie = msg.cookie
            if cookie == COOKIE_INTERCEPT:
                intercepted = True
            elif cookie == COOKIE_TAP:
                intercepted = False
            else:
                return
            in_port = msg.match.get("in_port")
            if in_port is None:
                self._count("PACKET_IN without an input port")
                return
        data = msg.data
        out = self.engine.handle(dp.id, in_port, data, time.time())
        parser = dp.ofproto_parser
        if out.reply is not None:
            dp.send_msg(
                parser.OFPPacketOut(
                    datapath=dp,
                    buffer_id=OFP_NO_BUFFER,
                    in_port=in_port,
                    actions=[parser.OFPActionOutput(ofp.OFPP_IN_PORT)],
                    data=out.reply,
                )
            )
        elif out.ignored is not None:
            # On 1.0 every PACKET_IN comes here: non-ARP frames are not this app's business.
            if out.ignored != NOT_ARP or not v10:
                self._count(out.ignored)
                self._log_limited(
                    out.ignored,
                    "ARP frame from switch %016x port %s ignored: %s (%d so far; "
                    "this reason is logged once a minute)",
                    dp.id,
                    in_port,
                    out.ignored,
                    self.stats[out.ignored],
                )
        elif out.conflict is not None:
            self._count("conflicting claims refused")
            self._log_limited(
                out.conflict,
                "possible ARP spoofing on switch %016x port %s: %s; not learned%s",
                dp.id,
                in_port,
                out.conflict,
                ", dropped" if intercepted else "",
            )
        elif out.forward and intercepted:
            dp.send_msg(
                parser.OFPPacketOut(
                    datapath=dp,
                    buffer_id=msg.buffer_id,
                    in_port=in_port,
                    actions=[parser.OFPActionOutput(ofp.OFPP_FLOOD)],
                    data=data if msg.buffer_id == OFP_NO_BUFFER else None,
                )
            )
        if out.flows:
            self._apply(out.flows)

    @set_ev_cls(EventLease)
    def lease_changed(self, ev: EventLease) -> None:
        out = self.engine.lease(
            ev.action, ev.ip, ev.mac, ev.vlan, ev.dpid, ev.port, ev.expires_at, time.time()
        )
        if out.conflict is not None:
            self._count("conflicting leases refused")
            self._log_limited(out.conflict, "DHCP lease not used for ARP: %s", out.conflict)
        self._apply(out.flows)

    # -- operations used by REST --------------------------------------------------------------

    def entries(
        self,
        ip: str | None = None,
        mac: str | None = None,
        dpid: int | None = None,
        source: str | None = None,
    ) -> list[dict[str, Any]]:
        now = time.time()
        out = [
            b.as_dict(now)
            for b in self.engine.bindings()
            if (ip is None or b.ip == ip)
            and (mac is None or b.mac == mac)
            and (dpid is None or b.dpid is None or b.dpid == dpid)
            and (source is None or b.source == source)
        ]
        out.sort(key=lambda d: (tuple(int(x) for x in d["ip"].split(".")), d["source"]))
        return out

    def add_static(self, entry: dict[str, Any]) -> dict[str, Any]:
        b = static_binding(entry, "body")
        if (b.ip, b.dpid, b.vlan) not in self.rest_static and len(
            self.rest_static
        ) >= MAX_REST_STATIC:
            raise conflict(
                f"{MAX_REST_STATIC} static entries were added over REST already; delete some first"
            )
        for other in self.engine.table.of_ip(b.ip_bin):
            if other.source == STATIC and other.scope == b.scope and other.mac != b.mac:
                raise conflict(
                    f"{b.ip} is already statically bound to {other.mac} for this switch and "
                    f"VLAN; DELETE /v1/arp/entries/{b.ip} first"
                )
        self._apply(self.engine.add_static(b))
        self.rest_static[(b.ip, b.dpid, b.vlan)] = {
            k: v
            for k, v in {"ip": b.ip, "mac": b.mac, "dpid": b.dpid, "vlan": b.vlan}.items()
            if v is not None
        }
        self._save_rest_static()
        self.logger.info("static ARP entry added over REST: %s -> %s", b.ip, b.mac)
        return b.as_dict(time.time())

    def delete(self, ip: str) -> int:
        gone, flows = self.engine.remove(ip, (STATIC, LEARNED))
        self._apply(flows)
        if any(key[0] == ip for key in self.rest_static):
            self.rest_static = {k: v for k, v in self.rest_static.items() if k[0] != ip}
            self._save_rest_static()
        return len(gone)

    def metrics(self) -> list[Metric]:
        by_source = dict.fromkeys(SOURCES, 0)
        for b in self.engine.bindings():
            by_source[b.source] += 1
        out = [
            Metric("arp_bindings", "gauge", "ARP bindings by source", n, {"source": s})
            for s, n in by_source.items()
        ]
        for what, n in sorted({**self.engine.counters, **self.stats}.items()):
            out.append(
                Metric(
                    "arp_events_total",
                    "counter",
                    "ARP replies sent, bindings learned/aged/evicted, conflicts, ignored frames",
                    n,
                    {"event": what},
                )
            )
        return out


class ArpRestController(ControllerBase):
    def __init__(self, req: Any, link: Any, data: Any, **config: Any) -> None:
        super().__init__(req, link, data, **config)
        self.app: ArpResponderApp = data["app"]

    @route(
        "arp",
        "/v1/arp/entries",
        methods=["GET"],
        summary="List ARP bindings (static, from DHCP leases, learned)",
        query={
            "ip": "only bindings of this IPv4 address",
            "mac": "only bindings to this MAC address",
            "dpid": "only bindings that apply on this switch (16 hex digits or decimal)",
            "source": "only bindings from this source: " + ", ".join(SOURCES),
        },
    )
    def list_entries(self, req: Any, **_kw: Any) -> Any:
        q = req.GET
        ip = params.parse_ipv4(q["ip"], "ip") if q.get("ip") else None
        mac = params.parse_mac(q["mac"], "mac") if q.get("mac") else None
        dpid = params.parse_dpid(q["dpid"]) if q.get("dpid") else None
        source = q.get("source") or None
        if source is not None and source not in SOURCES:
            raise bad_request(f"source {source!r} is not one of {', '.join(SOURCES)}")
        return self.app.entries(ip, mac, dpid, source)

    @route(
        "arp",
        "/v1/arp/entries",
        methods=["POST"],
        summary="Add a static ARP binding (answered on every switch unless narrowed)",
        body={
            "type": "object",
            "required": ["ip", "mac"],
            "properties": {
                "ip": {"type": "string", "description": "IPv4 address, e.g. 10.0.0.254"},
                "mac": {"type": "string", "description": "MAC address, e.g. 02:00:00:00:00:fe"},
                "dpid": {
                    "type": ["integer", "string"],
                    "description": "only on this switch (integer or 16 hex digits)",
                },
                "vlan": {
                    "type": "integer",
                    "description": "only in this VLAN (1-4094), or 0 for untagged frames",
                },
            },
        },
    )
    def add_entry(self, req: Any, **_kw: Any) -> Any:
        body = request_json(req)
        if not isinstance(body, dict):
            raise bad_request(
                'body must be a JSON object like {"ip": "10.0.0.254", "mac": "02:00:00:00:00:fe"}'
            )
        try:
            return 201, self.app.add_static(body)
        except ConfigError as exc:
            raise bad_request(str(exc)) from None

    @route(
        "arp",
        "/v1/arp/entries/{ip}",
        methods=["DELETE"],
        summary="Delete the static and learned bindings of an address (not DHCP leases)",
    )
    def delete_entry(self, req: Any, ip: str, **_kw: Any) -> Any:
        ip = params.parse_ipv4(ip, "ip")
        if not self.app.delete(ip):
            raise not_found(f"no static or learned binding for {ip}")
        return None
