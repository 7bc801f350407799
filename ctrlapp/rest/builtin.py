"""The REST endpoints every controller has: switches, ports, flows, apps, health, API document, metrics.

=====================================  =================================================
``GET /v1/health``                     liveness: status, uptime, switch and app counts
``GET /v1/apps``                       loaded apps with their event figures
``GET /v1/switches``                   connected switches
``GET /v1/switches/{dpid}``            one switch
``GET /v1/switches/{dpid}/ports``      its ports, as last reported by the switch
``GET /v1/switches/{dpid}/flows``      its flow table, asked live from the switch
``GET /v1/openapi.json``               the OpenAPI document of every route
``GET /metrics``                       Prometheus text
=====================================  =================================================
"""

from __future__ import annotations

import time
from typing import Any

from webob import Response

from ctrlapp.exception import RequestTimeout
from ctrlapp.rest.errors import RestError, gateway_timeout, not_found
from ctrlapp.rest.metrics import render, runtime_samples
from ctrlapp.rest.openapi import build_document
from ctrlapp.rest.params import DPID_PATTERN, dpid_text, parse_dpid
from ctrlapp.rest.wsgi import ControllerBase, route

_DPID = {"dpid": DPID_PATTERN}


def port_dict(port: Any) -> dict[str, Any]:
    """A JSON-friendly view of an OFPPort (1.3) or OFPPhyPort (1.0)."""
    name = getattr(port, "name", b"")
    if isinstance(name, (bytes, bytearray)):
        name = bytes(name).split(b"\x00", 1)[0].decode("ascii", "replace")
    out = {"port_no": port.port_no, "hw_addr": getattr(port, "hw_addr", None), "name": name}
    for attr in (
        "config",
        "state",
        "curr",
        "advertised",
        "supported",
        "peer",
        "curr_speed",
        "max_speed",
    ):
        if hasattr(port, attr):
            out[attr] = getattr(port, attr)
    return out


def _json_of(obj: Any) -> Any:
    fn = getattr(obj, "to_jsondict", None)
    return fn() if callable(fn) else str(obj)


class BuiltinController(ControllerBase):
    def __init__(self, req: Any, link: Any, data: dict[str, Any], **config: Any) -> None:
        super().__init__(req, link, data, **config)
        self.manager = data["manager"]
        self.wsgi = data["wsgi"]
        self.started = data["started"]

    def _datapaths(self) -> dict[int, Any]:
        controller = getattr(self.manager, "controller", None)
        return dict(getattr(controller, "datapaths", {}) or {})

    def _datapath(self, dpid: str) -> Any:
        value = parse_dpid(dpid)
        dp = self._datapaths().get(value)
        if dp is None:
            raise not_found(f"no switch with datapath id {dpid_text(value)} is connected")
        return dp

    @staticmethod
    def _switch(dp: Any) -> dict[str, Any]:
        info = dict(dp.info())
        info["dpid"] = dpid_text(dp.id)
        return info

    @route("controller", "/v1/health", methods=["GET"])
    def health(self, req: Any, **_: Any) -> dict[str, Any]:
        """Whether the controller is up, how long, and what it holds."""
        return {
            "status": "ok",
            "uptime": round(time.time() - self.started, 3),
            "switches": len(self._datapaths()),
            "apps": len(getattr(self.manager, "applications", {})),
        }

    @route("controller", "/v1/apps", methods=["GET"])
    def apps(self, req: Any, **_: Any) -> list[dict[str, Any]]:
        """The loaded apps with their event counters and queue depth."""
        out = []
        for name, app in sorted(getattr(self.manager, "applications", {}).items()):
            out.append(
                {
                    "name": name,
                    "module": type(app).__module__,
                    "ofp_versions": getattr(app, "OFP_VERSIONS", None),
                    "queue_depth": app.queue_depth,
                    **app.counters.as_dict(),
                }
            )
        return out

    @route("controller", "/v1/switches", methods=["GET"])
    def switches(self, req: Any, **_: Any) -> list[dict[str, Any]]:
        """Connected switches: id, address, OpenFlow version, state, counters."""
        return [self._switch(dp) for _, dp in sorted(self._datapaths().items())]

    @route("controller", "/v1/switches/{dpid}", methods=["GET"], requirements=_DPID)
    def switch(self, req: Any, dpid: str, **_: Any) -> dict[str, Any]:
        """One switch by datapath id (16 hex digits, 0x-hex or decimal)."""
        return self._switch(self._datapath(dpid))

    @route("controller", "/v1/switches/{dpid}/ports", methods=["GET"], requirements=_DPID)
    def ports(self, req: Any, dpid: str, **_: Any) -> list[dict[str, Any]]:
        """The switch's ports as it last described them (port-desc and PORT_STATUS)."""
        dp = self._datapath(dpid)
        return [port_dict(p) for _, p in sorted(dp.ports.items())]

    @route("controller", "/v1/switches/{dpid}/flows", methods=["GET"], requirements=_DPID)
    def flows(self, req: Any, dpid: str, **_: Any) -> list[Any]:
        """The switch's flow entries, asked from the switch now (flow-stats request)."""
        dp = self._datapath(dpid)
        parser, ofp = dp.ofproto_parser, dp.ofproto
        if ofp.OFP_VERSION == 0x01:
            request = parser.OFPFlowStatsRequest(dp, 0, parser.OFPMatch(), 0xFF, ofp.OFPP_NONE)
        else:
            request = parser.OFPFlowStatsRequest(dp)
        try:
            replies = dp.send_request(request, timeout=5.0)
        except RequestTimeout as exc:
            raise gateway_timeout(str(exc)) from None
        except Exception as exc:  # the switch answered with an OpenFlow error
            raise RestError(
                502, "switch_error", f"the switch refused the flow request: {exc}"
            ) from None
        if not isinstance(replies, list):
            replies = [replies]
        return [_json_of(stat) for rep in replies for stat in rep.body]

    @route("controller", "/v1/openapi.json", methods=["GET"])
    def openapi(self, req: Any, **_: Any) -> dict[str, Any]:
        """The OpenAPI 3.1 document of every route, apps' routes included."""
        return build_document(self.wsgi.router)

    @route("controller", "/metrics", methods=["GET"])
    def metrics(self, req: Any, **_: Any) -> Response:
        """Prometheus text: switches, packet-ins/outs, app handler time and queue depths."""
        return Response(
            body=render(runtime_samples(self.manager)).encode(),
            content_type="text/plain",
            charset="utf-8",
        )
