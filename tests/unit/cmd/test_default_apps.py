"""``ctrlapp-manager`` with no app named runs every shipped app, with no configuration file."""

import socket

import pytest

from ctrlapp.cmd import manager
from ctrlapp.rest.builtin import BuiltinController

pytestmark = pytest.mark.timeout(60)


def test_defaults_are_the_shipped_apps(tmp_path):
    args, sections = manager.resolve_options(["--state-dir", str(tmp_path)])
    names = [p.rsplit("/", 1)[-1] for p in args.apps]
    assert names == [
        "l2_switch.py",
        "arp_responder.py",
        "dhcp_server.py",
        "igmp_snooping.py",
        "sctp_monitor.py",
    ]
    assert sections == {}


def test_default_apps_start_together_and_serve_their_routes(tmp_path):
    with socket.socket() as s:  # a free port for OpenFlow; REST/RPC take ephemeral ones
        s.bind(("127.0.0.1", 0))
        ofp_port = s.getsockname()[1]
    args, sections = manager.resolve_options(
        ["--ofp-listen-host", "127.0.0.1", "--ofp-tcp-listen-port", str(ofp_port),
         "--rest-port", "0", "--rpc-port", "0", "--state-dir", str(tmp_path)]
    )  # fmt: skip
    rt = manager.Runtime(args, sections)
    rt.start()
    try:
        apps = sorted(rt.manager.applications)
        rest = dict(rt.services)["REST"]
        paths = {route.path for route in rest.wsgi.router.routes}
    finally:
        rt.stop()
    assert apps == ["arp_responder", "dhcp_server", "igmp_snooping", "l2_switch", "sctp_monitor"]
    for path in (
        "/v1/dhcp/leases",
        "/v1/arp/entries",
        "/v1/igmp/groups",
        "/v1/sctp/associations",
        "/v1/l2/macs",
        "/v1/switches",
    ):
        assert path in paths
    assert BuiltinController.__name__ in rest.wsgi.registory
