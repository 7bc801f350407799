"""L2 learning switch app: the forwarding base the other apps sit in front of.

Runs with no configuration at all.  Settings (``[apps.l2_switch]``, documented
in etc/ctrlapp.toml): ``idle_timeout`` of installed flows (default 60 s),
``max_macs_per_switch`` (default 4096; the least recently seen address is
forgotten first) and ``mac_age`` (default 300 s without a frame from a host
before it is forgotten).

What it does (OpenFlow 1.3; 1.0 degrades to one table):

* learns the source MAC of each frame per switch and VLAN (untagged frames form
  VLAN 0) with :class:`~ctrlapp.services.l2.learning.LearningSwitch`;
* floods broadcast, multicast and unknown destinations with a PACKET_OUT;
* installs a flow ``in_port, eth_src, eth_dst, VLAN -> output`` for a known
  destination in the forwarding table (:func:`pipeline.forward`, idle timeout)
  and sends the packet on;
* a host seen on a new port (moved) gets its flows deleted; a port that goes
  down or away loses its hosts and the flows to and from it;
* on 1.3 it handles only PACKET_INs from the forwarding table's miss: packets
  another app intercepted in table 0 are that app's alone.  On 1.0 every app
  sees every PACKET_IN, so this app also forwards packets that other apps
  answer (harmless: the answering app's reply still goes out).

REST: ``GET /v1/l2/macs`` lists the learned addresses.
"""

from __future__ import annotations

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
from ctrlapp.rest.metrics import Metric
from ctrlapp.rest.wsgi import ControllerBase, WSGIApplication, route
from ctrlapp.services.l2.learning import (
    DEFAULT_MAC_AGE,
    DEFAULT_MAX_MACS,
    DROP,
    FLOOD,
    GROUP_SOURCE,
    LearningSwitch,
)

#: Cookie of this app's flows ("L2SW" in ASCII).
COOKIE = 0x4C325357
_ALL_COOKIE_BITS = 0xFFFFFFFFFFFFFFFF
#: A reason for ignoring a frame is logged at most once per this many seconds.
LOG_EVERY = 60.0
ETH_VLAN = 0x8100


def _setting(
    settings: dict[str, Any], key: str, default: float, lo: float, hi: float, kind: type
) -> Any:
    value = settings.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float) if kind is float else int):
        raise ConfigError(f"l2_switch: {key} must be a number, got {value!r}")
    if not lo <= value <= hi:
        raise ConfigError(f"l2_switch: {key} must be between {lo} and {hi}, got {value!r}")
    return kind(value)


class L2Switch(app_manager.CtrlApp):
    _NAME = "l2_switch"
    _CONTEXTS = {"wsgi": WSGIApplication}
    OFP_VERSIONS = [ofproto_v1_0.OFP_VERSION, ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        known = {"idle_timeout", "max_macs_per_switch", "mac_age"}
        unknown = sorted(set(self.settings) - known)
        if unknown:
            raise ConfigError(
                f"l2_switch: unknown setting {unknown[0]!r}; settings are {', '.join(sorted(known))}"
            )
        s = self.settings
        self.idle_timeout = _setting(s, "idle_timeout", 60, 0, 65535, int)
        max_macs = _setting(s, "max_macs_per_switch", DEFAULT_MAX_MACS, 1, 10_000_000, int)
        mac_age = _setting(s, "mac_age", DEFAULT_MAC_AGE, 1, 86400 * 365, float)
        self.engine = LearningSwitch(max_macs, mac_age)
        self.datapaths: dict[int, Any] = {}
        self.stats: dict[str, int] = {}
        self._last_logged: dict[str, float] = {}
        if "wsgi" in kwargs:
            kwargs["wsgi"].register(L2RestController, {"app": self})

    def start(self) -> hub.GreenThread:
        thread = super().start()
        self.threads.append(hub.spawn(self._ager))
        return thread

    def _ager(self) -> None:
        # Lookups ignore stale entries already; this only gives their memory back.
        while self.is_active:
            hub.sleep(10.0)
            now = time.monotonic()
            for table in list(self.engine.tables.values()):
                table.expire(now)

    def _count(self, what: str) -> None:
        self.stats[what] = self.stats.get(what, 0) + 1

    def _note(self, reason: str, dpid: int, port: Any) -> None:
        """Count an ignored frame; log each reason at most once per LOG_EVERY seconds."""
        self._count(reason)
        now = time.monotonic()
        if now - self._last_logged.get(reason, -LOG_EVERY) >= LOG_EVERY:
            self._last_logged[reason] = now
            self.logger.warning(
                "frame from switch %016x port %s not forwarded: %s (%d so far; "
                "this reason is logged once a minute)",
                dpid,
                port,
                reason,
                self.stats[reason],
            )

    # -- switches -----------------------------------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def switch_features(self, ev: Any) -> None:
        dp = ev.msg.datapath
        self.datapaths[dp.id] = dp
        ofp = dp.ofproto
        if ofp.OFP_VERSION != ofproto_v1_0.OFP_VERSION:
            # A switch that reconnects may still hold this app's flows, learned by a table
            # this app no longer has: start clean (by cookie; the table miss is re-added below).
            dp.send_msg(
                dp.ofproto_parser.OFPFlowMod(
                    datapath=dp,
                    cookie=COOKIE,
                    cookie_mask=_ALL_COOKIE_BITS,
                    table_id=pipeline.FORWARD_TABLE,
                    command=ofp.OFPFC_DELETE,
                    out_port=ofp.OFPP_ANY,
                    out_group=ofp.OFPG_ANY,
                    match=dp.ofproto_parser.OFPMatch(),
                )
            )
        pipeline.setup(dp)

    @set_ev_cls(ofp_event.EventOFPStateChange, DEAD_DISPATCHER)
    def switch_left(self, ev: Any) -> None:
        dp = ev.datapath
        if dp is not None and dp.id is not None:
            self.datapaths.pop(dp.id, None)
            self.engine.forget_switch(dp.id)

    @set_ev_cls(ofp_event.EventOFPPortStatus, MAIN_DISPATCHER)
    def port_status(self, ev: Any) -> None:
        msg = ev.msg
        dp = msg.datapath
        ofp = dp.ofproto
        port = msg.desc
        down = (
            msg.reason == ofp.OFPPR_DELETE
            or port.state & ofp.OFPPS_LINK_DOWN
            or port.config & ofp.OFPPC_PORT_DOWN
        )
        if not down:
            return
        gone = self.engine.port_down(dp.id, port.port_no)
        for vlan, mac in gone:
            self._delete_flows(dp, vlan, {"eth_dst": mac.hex(":")})
        self._delete_flows(dp, None, {"in_port": port.port_no})
        self.logger.info(
            "switch %016x port %d is down: forgot %d host(s) and their flows",
            dp.id,
            port.port_no,
            len(gone),
        )

    # -- packets ------------------------------------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev: Any) -> None:
        msg = ev.msg
        dp = msg.datapath
        if dp.ofproto.OFP_VERSION == ofproto_v1_0.OFP_VERSION:
            in_port = msg.in_port
        else:
            if msg.table_id != pipeline.FORWARD_TABLE:
                return
            in_port = msg.match.get("in_port")
            if in_port is None:
                self._note("PACKET_IN without an input port", dp.id, "?")
                return
        data = msg.data
        if len(data) < 14:
            self._note("frame shorter than an Ethernet header", dp.id, in_port)
            return
        vlan = 0
        if data[12] == 0x81 and data[13] == 0x00:
            if len(data) < 18:
                self._note("VLAN tag cut short", dp.id, in_port)
                return
            vlan = (data[14] << 8 | data[15]) & 0x0FFF
        dst, src = data[0:6], data[6:12]
        decision = self.engine.handle(dp.id, in_port, vlan, src, dst, time.monotonic())
        if decision.moved_from is not None:
            self._count("hosts moved")
            self.logger.info(
                "host %s (VLAN %d) moved from port %d to port %d on switch %016x",
                src.hex(":"),
                vlan,
                decision.moved_from,
                in_port,
                dp.id,
            )
            text = src.hex(":")
            self._delete_flows(dp, vlan, {"eth_dst": text})
            self._delete_flows(dp, vlan, {"eth_src": text})
        if decision.kind == DROP:
            if decision.reason == GROUP_SOURCE:
                self._note(decision.reason, dp.id, in_port)
            else:
                self._count(decision.reason)
            return
        ofp, parser = dp.ofproto, dp.ofproto_parser
        if decision.kind == FLOOD:
            self._count("flooded")
            out_port = ofp.OFPP_FLOOD
        else:
            self._count("forwarded")
            out_port = decision.port
            match = {"in_port": in_port, "eth_src": src.hex(":"), "eth_dst": dst.hex(":")}
            pipeline.forward(
                dp,
                self._match(dp, vlan, match),
                [parser.OFPActionOutput(out_port)],
                cookie=COOKIE,
                idle_timeout=self.idle_timeout,
            )
        dp.send_msg(
            parser.OFPPacketOut(
                datapath=dp,
                buffer_id=msg.buffer_id,
                in_port=in_port,
                actions=[parser.OFPActionOutput(out_port)],
                data=data if msg.buffer_id == OFP_NO_BUFFER else None,
            )
        )

    # -- flows --------------------------------------------------------------------------------

    @staticmethod
    def _match(dp: Any, vlan: int | None, fields: dict[str, Any]) -> Any:
        """An OFPMatch of the switch's version from 1.3 field names, plus the VLAN if given."""
        parser = dp.ofproto_parser
        if dp.ofproto.OFP_VERSION == ofproto_v1_0.OFP_VERSION:
            names = {"in_port": "in_port", "eth_src": "dl_src", "eth_dst": "dl_dst"}
            kw = {names[k]: v for k, v in fields.items()}
            if vlan is not None:
                kw["dl_vlan"] = vlan if vlan else ofproto_v1_0.OFP_VLAN_NONE
            return parser.OFPMatch(**kw)
        kw = dict(fields)
        if vlan is not None:
            kw["vlan_vid"] = (
                vlan | ofproto_v1_3.OFPVID_PRESENT if vlan else ofproto_v1_3.OFPVID_NONE
            )
        return parser.OFPMatch(**kw)

    def _delete_flows(self, dp: Any, vlan: int | None, fields: dict[str, Any]) -> None:
        """Delete this app's forwarding flows whose match includes ``fields`` (and the VLAN)."""
        ofp, parser = dp.ofproto, dp.ofproto_parser
        match = self._match(dp, vlan, fields)
        if ofp.OFP_VERSION == ofproto_v1_0.OFP_VERSION:
            msg = parser.OFPFlowMod(
                datapath=dp, match=match, command=ofp.OFPFC_DELETE, out_port=ofp.OFPP_NONE
            )
        else:
            msg = parser.OFPFlowMod(
                datapath=dp,
                cookie=COOKIE,
                cookie_mask=_ALL_COOKIE_BITS,
                table_id=pipeline.FORWARD_TABLE,
                command=ofp.OFPFC_DELETE,
                out_port=ofp.OFPP_ANY,
                out_group=ofp.OFPG_ANY,
                match=match,
            )
        dp.send_msg(msg)

    # -- REST and metrics ---------------------------------------------------------------------

    def macs(self, dpid: int | None = None) -> list[dict[str, Any]]:
        now = time.monotonic()
        out = []
        for d, table in sorted(self.engine.tables.items()):
            if dpid is not None and d != dpid:
                continue
            for vlan, mac, port, seen in table.items():
                if now - seen < table.max_age:
                    out.append(
                        {
                            "dpid": params.dpid_text(d),
                            "vlan": vlan,
                            "mac": mac.hex(":"),
                            "port": port,
                            "age": round(now - seen, 3),
                        }
                    )
        out.sort(key=lambda e: (e["dpid"], e["vlan"], e["mac"]))
        return out

    def metrics(self) -> list[Metric]:
        out = [
            Metric(
                "l2_macs",
                "gauge",
                "Learned MAC addresses per switch",
                len(t),
                {"dpid": params.dpid_text(d)},
            )
            for d, t in sorted(self.engine.tables.items())
        ]
        for what, n in sorted(self.stats.items()):
            out.append(
                Metric(
                    "l2_frames_total",
                    "counter",
                    "Frames the L2 switch handled, by outcome or reason",
                    n,
                    {"kind": what},
                )
            )
        return out


class L2RestController(ControllerBase):
    def __init__(self, req: Any, link: Any, data: Any, **config: Any) -> None:
        super().__init__(req, link, data, **config)
        self.app: L2Switch = data["app"]

    @route(
        "l2",
        "/v1/l2/macs",
        methods=["GET"],
        summary="Learned MAC addresses (switch, VLAN, port, seconds since last seen)",
        query={"dpid": "only the addresses learned on this switch (16 hex digits or decimal)"},
    )
    def list_macs(self, req: Any, **_kw: Any) -> Any:
        raw = req.GET.get("dpid")
        return self.app.macs(params.parse_dpid(raw) if raw else None)
