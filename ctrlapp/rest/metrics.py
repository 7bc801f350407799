"""Prometheus text exposition (format 0.0.4) of the controller's figures.

Built-in families: connected switches, PACKET_IN/PACKET_OUT/FLOW_MOD per switch,
send-queue depth per switch, events, handler time, errors and queue depth per
app.  An app adds its own by defining ``metrics()`` returning
:class:`Metric` samples (for example a DHCP pool's free addresses).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Metric:
    """One sample: family ``name`` (``ctrlapp_`` prefix added), ``kind`` counter or gauge."""

    name: str
    kind: str
    help: str
    value: float
    labels: dict[str, str] = field(default_factory=dict)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def render(samples: Iterable[Metric]) -> str:
    """Group samples by family and render them as Prometheus text."""
    families: dict[str, list[Metric]] = {}
    for s in samples:
        families.setdefault(s.name, []).append(s)
    lines: list[str] = []
    for name, group in families.items():
        full = f"ctrlapp_{name}"
        lines.append(f"# HELP {full} {group[0].help}")
        lines.append(f"# TYPE {full} {group[0].kind}")
        for s in group:
            if s.labels:
                inner = ",".join(f'{k}="{_escape(str(v))}"' for k, v in sorted(s.labels.items()))
                lines.append(f"{full}{{{inner}}} {_number(s.value)}")
            else:
                lines.append(f"{full} {_number(s.value)}")
    return "\n".join(lines) + "\n"


def _number(value: float) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def runtime_samples(manager: Any) -> list[Metric]:
    """The built-in samples of the switches and apps of ``manager``."""
    out: list[Metric] = []
    controller = getattr(manager, "controller", None)
    datapaths = dict(getattr(controller, "datapaths", {}) or {})
    out.append(
        Metric(
            "switches_connected", "gauge", "Switches connected past the handshake.", len(datapaths)
        )
    )
    for dpid, dp in sorted(datapaths.items()):
        labels = {"dpid": f"{dpid:016x}"}
        c = dp.counters
        out.append(
            Metric(
                "packet_in_total", "counter", "PACKET_IN messages received.", c.packet_in, labels
            )
        )
        out.append(
            Metric("packet_out_total", "counter", "PACKET_OUT messages sent.", c.packet_out, labels)
        )
        out.append(
            Metric("flow_mod_total", "counter", "FLOW_MOD messages sent.", c.flow_mod, labels)
        )
        out.append(
            Metric(
                "send_dropped_total",
                "counter",
                "Messages dropped because the switch's send queue was full.",
                c.send_dropped,
                labels,
            )
        )
        out.append(
            Metric(
                "send_queue_depth",
                "gauge",
                "Messages waiting to be sent to the switch.",
                dp.send_queue_depth,
                labels,
            )
        )
    for name, app in sorted(getattr(manager, "applications", {}).items()):
        labels = {"app": name}
        c = app.counters
        out.append(
            Metric(
                "app_events_total",
                "counter",
                "Events handled by the app.",
                c.events_handled,
                labels,
            )
        )
        out.append(
            Metric(
                "app_handler_seconds_total",
                "counter",
                "Time spent in the app's event handlers.",
                c.handler_time,
                labels,
            )
        )
        out.append(
            Metric(
                "app_handler_errors_total",
                "counter",
                "Event handlers of the app that raised.",
                c.handler_errors,
                labels,
            )
        )
        out.append(
            Metric(
                "app_queue_depth",
                "gauge",
                "Events waiting in the app's queue.",
                app.queue_depth,
                labels,
            )
        )
        extra = getattr(app, "metrics", None)
        if callable(extra):
            out.extend(extra())
    return out
