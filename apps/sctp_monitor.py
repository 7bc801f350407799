"""SCTP association monitor: watches S1AP, NGAP, Diameter, M3UA ... associations passing through.

Runs with no configuration at all; settings are the ``[apps.sctp_monitor]``
section of the configuration file (etc/ctrlapp.toml documents every key).

On each switch (OpenFlow 1.3) it taps SCTP over IPv4 and IPv6: table 0 copies
the packet to the controller (``copy_length`` bytes of it; 0, the default,
means the whole packet) and sends it on to the forwarding table, so traffic
is never held up by the monitor.  On OpenFlow 1.0 (one table) the copy is
the PACKET_IN the forwarding app forwards from, so it is always whole.

The analysis is :mod:`ctrlapp.services.sctp.tracker` (sans-IO): states, tags,
streams, PPIDs, TSNs, SACK gaps, heartbeats per path, ABORT/ERROR causes,
restarts, collisions and anomalies (bad CRC32C, wrong verification tag, INIT
with a tag, chunks after SHUTDOWN COMPLETE, malformed chunks).  A packet that
reaches the controller from several switches on its path counts once.
Associations stay known after their switch leaves (they belong to the
hosts, not the switch); they are evicted by the tracker's time limits.

REST (``/v1/sctp/...``, in ``/v1/openapi.json``): associations (filtered,
paginated), one association in full, a summary, deletion.  News: an
:class:`~ctrlapp.services.sctp.events.EventAssociation` to other apps and
``sctp.association.<up|down|restart|path_change>`` over msgpack-RPC.

Replay: ``ctrlapp-manager --replay capture.pcap --replay-report
apps/sctp_monitor.py`` prints every association's full document.
"""

from __future__ import annotations

import heapq
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
from ctrlapp.ofproto import ofproto_v1_0, ofproto_v1_3
from ctrlapp.rest import params
from ctrlapp.rest.errors import bad_request, not_found
from ctrlapp.rest.metrics import Metric
from ctrlapp.rest.wsgi import ControllerBase, WSGIApplication, route
from ctrlapp.rpc.methods import rpc_method
from ctrlapp.services.sctp import wire
from ctrlapp.services.sctp.events import EventAssociation
from ctrlapp.services.sctp.tracker import STATES, AssociationTracker, TrackerConfig

#: Cookie of this app's tap flows ("SCTP" in ASCII).
COOKIE = 0x53435450
#: A reason for an unprocessed packet is logged at most once per this many seconds.
LOG_EVERY = 60.0
#: Tap flow priorities (offsets in the TAP band).
TAP_OFFSET = 132

# key -> (type, default, check, what the check requires)
SETTINGS: dict[str, tuple[type, Any, Any, str]] = {
    "copy_length": (int, 0, lambda v: v == 0 or 64 <= v <= 65509, "0 (whole packet) or 64..65509"),
    "max_associations": (int, 100_000, lambda v: v >= 1, "at least 1"),
    "max_half_open": (int, 10_000, lambda v: v >= 1, "at least 1"),
    "half_open_timeout": (float, 30.0, lambda v: v > 0, "more than 0 seconds"),
    "idle_timeout": (float, 3600.0, lambda v: v > 0, "more than 0 seconds"),
    "closed_retention": (float, 300.0, lambda v: v >= 0, "0 seconds or more"),
    "dedup_window": (float, 0.5, lambda v: v >= 0, "0 seconds or more"),
    "dedup_max": (int, 65536, lambda v: v >= 1, "at least 1"),
    "path_max_retrans": (int, 5, lambda v: v >= 1, "at least 1"),
    "check_crc": (bool, True, lambda v: True, "true or false"),
    "ipv6": (bool, True, lambda v: True, "true or false"),
    "page_size": (int, 100, lambda v: 1 <= v <= 10_000, "1..10000"),
}


def read_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The app's settings with defaults filled in; ConfigError naming a bad or unknown key."""
    unknown = set(settings) - set(SETTINGS)
    if unknown:
        raise ConfigError(
            f"[apps.sctp_monitor] unknown setting {sorted(unknown)[0]!r}; "
            f"known: {', '.join(SETTINGS)}"
        )
    out = {}
    for key, (kind, default, ok, needs) in SETTINGS.items():
        value = settings.get(key, default)
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if type(value) is not kind or not ok(value):
            raise ConfigError(f"[apps.sctp_monitor] {key} = {value!r}: must be {needs}")
        out[key] = value
    return out


class SctpMonitor(app_manager.CtrlApp):
    _NAME = "sctp_monitor"
    _CONTEXTS = {"wsgi": WSGIApplication}
    _EVENTS = [EventAssociation]
    OFP_VERSIONS = [ofproto_v1_0.OFP_VERSION, ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cfg = read_settings(self.settings)
        self.tracker = AssociationTracker(
            TrackerConfig(
                max_associations=self.cfg["max_associations"],
                max_half_open=self.cfg["max_half_open"],
                half_open_timeout=self.cfg["half_open_timeout"],
                idle_timeout=self.cfg["idle_timeout"],
                closed_retention=self.cfg["closed_retention"],
                dedup_window=self.cfg["dedup_window"],
                dedup_max=self.cfg["dedup_max"],
                path_max_retrans=self.cfg["path_max_retrans"],
                check_crc=self.cfg["check_crc"],
            )
        )
        self.datapaths: dict[int, Any] = {}
        self.errors: dict[str, int] = {}
        self._last_logged: dict[str, float] = {}
        self._clock_replay: float | None = None  # capture time of the last replayed frame
        self._last_expire = 0.0
        kwargs["wsgi"].register(SctpRestController, {"app": self})

    def start(self) -> hub.GreenThread:
        thread = super().start()
        self.threads.append(hub.spawn(self._ticker))
        return thread

    def _ticker(self) -> None:
        while self.is_active:
            hub.sleep(1.0)
            if self._clock_replay is None:
                self._expire(time.time())

    def _expire(self, now: float) -> None:
        self._last_expire = now
        self.tracker.expire(now)

    # -- switches ---------------------------------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def switch_features(self, ev: Any) -> None:
        dp = ev.msg.datapath
        self.datapaths[dp.id] = dp
        pipeline.setup(dp)
        ofp, parser = dp.ofproto, dp.ofproto_parser
        v10 = ofp.OFP_VERSION == ofproto_v1_0.OFP_VERSION
        if v10:
            # The forwarding app forwards 1.0 packets from this very PACKET_IN: keep it whole.
            max_len = 0xFFFF
            matches = [{"dl_type": 0x0800, "nw_proto": 132}]
        else:
            max_len = self.cfg["copy_length"] or ofp.OFPCML_NO_BUFFER
            matches = [{"eth_type": 0x0800, "ip_proto": 132}]
            if self.cfg["ipv6"]:
                matches.append({"eth_type": 0x86DD, "ip_proto": 132})
        copy = [parser.OFPActionOutput(ofp.OFPP_CONTROLLER, max_len)]
        goto = None if v10 else pipeline.FORWARD_TABLE
        for match in matches:
            dp.send_msg(
                pipeline.flow_mod(
                    dp,
                    pipeline.INTERCEPT_TABLE,
                    pipeline.TAP.at(TAP_OFFSET),
                    match,
                    copy,
                    goto,
                    cookie=COOKIE,
                )
            )
        self.logger.info(
            "switch %016x: SCTP tapped (%s), copies of %s",
            dp.id,
            "IPv4" if len(matches) == 1 else "IPv4 and IPv6",
            "whole packets" if max_len in (0xFFFF, ofp.OFPCML_NO_BUFFER) else f"{max_len} bytes",
        )

    @set_ev_cls(ofp_event.EventOFPStateChange, DEAD_DISPATCHER)
    def switch_left(self, ev: Any) -> None:
        dp = ev.datapath
        if dp is not None and dp.id is not None:
            self.datapaths.pop(dp.id, None)

    # -- packets ----------------------------------------------------------------------------

    def _note(self, reason: str, dpid: Any) -> None:
        self.errors[reason] = self.errors.get(reason, 0) + 1
        now = time.monotonic()
        if now - self._last_logged.get(reason, -LOG_EVERY) >= LOG_EVERY:
            self._last_logged[reason] = now
            self.logger.warning(
                "SCTP packet from switch %s not analysed: %s (%d so far; logged once a minute)",
                f"{dpid:016x}" if isinstance(dpid, int) else dpid,
                reason,
                self.errors[reason],
            )

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev: Any) -> None:
        msg = ev.msg
        dp = msg.datapath
        replayed = getattr(dp, "is_replay", False)
        if (
            not replayed
            and dp.ofproto.OFP_VERSION != ofproto_v1_0.OFP_VERSION
            and msg.cookie != COOKIE
        ):
            return
        if replayed and ev.timestamp is not None:
            now = self._clock_replay = ev.timestamp
        else:
            now = time.time()
        try:
            events = self.tracker.observe(msg.data, now, dp.id or 0)
        except Exception as exc:  # a tracker bug must not cost the other packets
            self._note(f"internal error {type(exc).__name__}: {exc}", dp.id)
            return
        for e in events:
            self._announce(e)
        if now - self._last_expire >= 1.0:
            self._expire(now)

    def _announce(self, e: Any) -> None:
        self.send_event_to_observers(EventAssociation(e.kind, str(e.assoc_id), e.reason, e.summary))
        self.publish(
            f"sctp.association.{e.kind}",
            {"id": str(e.assoc_id), "reason": e.reason, "association": e.summary},
        )
        s = e.summary
        self.logger.info(
            "association %s %s: %s:%d <-> %s:%d (%s)",
            e.assoc_id,
            e.kind,
            s["initiator"]["address"],
            s["initiator"]["port"],
            s["responder"]["address"],
            s["responder"]["port"],
            e.reason,
        )

    # -- queries (REST, RPC, replay report) -------------------------------------------------

    def find(
        self,
        state: str | None = None,
        port: int | None = None,
        address: str | None = None,
        ppid: int | None = None,
        dpid: int | None = None,
    ) -> list[Any]:
        raw = ipaddress.ip_address(address).packed if address else None
        found = [a for a in self.tracker.associations() if a.matches(state, port, raw, ppid, dpid)]
        found.sort(key=lambda a: a.id)
        return found

    def summary(self, top: int = 10) -> dict[str, Any]:
        t = self.tracker
        everything = t.associations()
        biggest = heapq.nsmallest(top, everything, key=lambda a: (-(a.data_bytes()), a.id))
        sample = everything[:1000]
        return {
            "associations": len(everything),
            "half_open": len(t.half_open),
            "by_state": t.by_state(),
            "anomalies": dict(t.anomalies),
            "counters": dict(t.counters),
            "not_analysed": dict(self.errors),
            "top_by_traffic": [a.summary() for a in biggest],
            "bytes_per_association": (
                round(sum(a.footprint() for a in sample) / len(sample)) if sample else 0
            ),
            "limits": {
                "max_associations": t.config.max_associations,
                "max_half_open": t.config.max_half_open,
            },
        }

    def replay_report(self) -> list[dict[str, Any]]:
        return [a.document() for a in self.find()]

    @rpc_method("associations")
    def rpc_associations(self, state: str | None = None) -> list[dict[str, Any]]:
        return [a.summary() for a in self.find(state=state)]

    def metrics(self) -> list[Metric]:
        out = []
        for state, n in self.tracker.by_state().items():
            out.append(
                Metric(
                    "sctp_associations", "gauge", "Tracked SCTP associations", n, {"state": state}
                )
            )
        for kind, n in self.tracker.anomalies.items():
            out.append(
                Metric(
                    "sctp_anomalies_total",
                    "counter",
                    "SCTP anomalies (bad CRC, wrong tag, INIT with tag, after close, malformed)",
                    n,
                    {"kind": kind},
                )
            )
        for what, n in self.tracker.counters.items():
            out.append(
                Metric(
                    "sctp_monitor_events_total",
                    "counter",
                    "SCTP packets analysed, copies dropped, evictions",
                    n,
                    {"event": what},
                )
            )
        return out


def _ppid(text: str) -> int:
    """A PPID by number or by IANA name (case-insensitive)."""
    if text.isdigit():
        value = int(text)
        if value <= 0xFFFFFFFF:
            return value
    for number, name in wire.PPID_NAMES.items():
        if name.lower() == text.lower():
            return number
    raise bad_request(f"ppid {text!r} is neither a number nor a known name such as S1AP, NGAP")


class SctpRestController(ControllerBase):
    def __init__(self, req: Any, link: Any, data: Any, **config: Any) -> None:
        super().__init__(req, link, data, **config)
        self.app: SctpMonitor = data["app"]

    def _assoc(self, assoc_id: str) -> Any:
        a = self.app.tracker.get(int(assoc_id)) if assoc_id.isdigit() else None
        if a is None:
            raise not_found(
                f"no SCTP association {assoc_id!r} (it may have been evicted); "
                "GET /v1/sctp/associations lists the tracked ones"
            )
        return a

    @route(
        "sctp",
        "/v1/sctp/associations",
        methods=["GET"],
        summary="List tracked SCTP associations (newest last), filtered and paginated",
        query={
            "state": "only associations in this state: " + ", ".join(STATES),
            "port": "only associations with this SCTP port on either side",
            "address": "only associations with this IPv4/IPv6 address (announced or used)",
            "ppid": "only associations that carried this payload protocol (number or name)",
            "dpid": "only associations first seen on this switch (16 hex digits or decimal)",
            "offset": "skip this many associations (default 0)",
            "limit": "return at most this many (default: the page_size setting)",
        },
    )
    def list_associations(self, req: Any, **_kw: Any) -> Any:
        q = req.GET
        state = q.get("state") or None
        if state is not None:
            state = state.upper()
            if state not in STATES:
                raise bad_request(f"state {q['state']!r} is not one of {', '.join(STATES)}")
        port = params.query_int(req, "port", -1, 0, 65535)
        address = params.parse_ip(q["address"], "address") if q.get("address") else None
        ppid = _ppid(q["ppid"]) if q.get("ppid") else None
        dpid = params.parse_dpid(q["dpid"]) if q.get("dpid") else None
        offset = params.query_int(req, "offset", 0)
        limit = params.query_int(req, "limit", self.app.cfg["page_size"], 1, 10_000)
        found = self.app.find(state, None if port < 0 else port, address, ppid, dpid)
        return {
            "total": len(found),
            "offset": offset,
            "limit": limit,
            "associations": [a.summary() for a in found[offset : offset + limit]],
        }

    @route(
        "sctp",
        "/v1/sctp/associations/{assoc_id}",
        methods=["GET"],
        summary="One association in full: endpoints, tags, transitions, counters, paths, streams",
    )
    def get_association(self, req: Any, assoc_id: str, **_kw: Any) -> Any:
        return self._assoc(assoc_id).document()

    @route(
        "sctp",
        "/v1/sctp/associations/{assoc_id}",
        methods=["DELETE"],
        summary="Forget an association (a packet of it seen later starts a new record)",
    )
    def delete_association(self, req: Any, assoc_id: str, **_kw: Any) -> Any:
        self.app.tracker.remove(self._assoc(assoc_id).id)
        return None

    @route(
        "sctp",
        "/v1/sctp/summary",
        methods=["GET"],
        summary="Counts by state, anomalies, top associations by DATA bytes, memory use",
        query={"top": "how many associations to list by traffic (default 10)"},
    )
    def get_summary(self, req: Any, **_kw: Any) -> Any:
        return self.app.summary(params.query_int(req, "top", 10, 0, 1000))
