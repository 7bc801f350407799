"""Prometheus text exposition format 0.0.4: HELP/TYPE lines, labels, escaping."""

from ctrlapp.rest.metrics import Metric, render


def test_render_groups_families_and_escapes_labels():
    text = render(
        [
            Metric("packet_in_total", "counter", "PACKET_INs.", 3, {"dpid": "0000000000000001"}),
            Metric("switches_connected", "gauge", "Switches.", 1),
            Metric("packet_in_total", "counter", "PACKET_INs.", 4, {"dpid": "0000000000000002"}),
            Metric("app_queue_depth", "gauge", "Queue.", 0.5, {"app": 'we"ird\\name'}),
        ]
    )
    lines = text.splitlines()
    assert lines[:4] == [
        "# HELP ctrlapp_packet_in_total PACKET_INs.",
        "# TYPE ctrlapp_packet_in_total counter",
        'ctrlapp_packet_in_total{dpid="0000000000000001"} 3',
        'ctrlapp_packet_in_total{dpid="0000000000000002"} 4',
    ]
    assert "ctrlapp_switches_connected 1" in lines
    assert 'ctrlapp_app_queue_depth{app="we\\"ird\\\\name"} 0.5' in lines
    assert text.endswith("\n")
