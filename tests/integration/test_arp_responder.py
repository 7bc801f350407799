"""ARP responder against iputils arping through OVS.

Proves that a static binding from the config file is answered by the controller
(a virtual address no host owns gets the configured MAC), that an address
nobody owns gets no reply at all (the controller does not make answers up),
that a binding added over REST is answered at once and one deleted over REST
stops being answered, and that a real host's address still resolves to that
host's MAC with the responder in the path.
"""

import pytest

from tests.integration.harness import Network, single_switch_topo, wait_until
from tests.integration.hosts import arping

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

VIRTUAL_IP, VIRTUAL_MAC = "10.0.0.200", "02:00:00:00:02:00"
REST_IP, REST_MAC = "10.0.0.201", "02:00:00:00:02:01"
UNKNOWN_IP = "10.0.0.77"
CONFIG = f"""
[apps.arp_responder]
static = [{{ ip = "{VIRTUAL_IP}", mac = "{VIRTUAL_MAC}" }}]
"""
APPS = ["apps/l2_switch.py", "apps/arp_responder.py"]


def replies_for(cap, ip: str) -> list[list[str]]:
    return cap.frames(f"arp.opcode == 2 and arp.src.proto_ipv4 == {ip}", "arp.src.hw_mac")


def test_static_binding_is_answered_and_unknown_address_is_not(controller_factory, capture):
    ctl = controller_factory(APPS, CONFIG)
    with Network(single_switch_topo(2)) as net:
        h1, h2 = net.get("h1", "h2")
        wait_until(lambda: ctl.get("/v1/switches"), what="s1 to connect")
        cap = capture(h1, "h1-eth0", "h1-arp", "arp")
        cap2 = capture(h2, "h2-eth0", "h2-arp", "arp")
        entries = ctl.get(f"/v1/arp/entries?ip={VIRTUAL_IP}")
        assert [(e["mac"], e["source"]) for e in entries] == [(VIRTUAL_MAC, "static")]

        assert arping(h1, VIRTUAL_IP) == (2, {VIRTUAL_MAC})
        cap.wait_for(f"arp.opcode == 2 and arp.src.proto_ipv4 == {VIRTUAL_IP}", count=2)

        assert arping(h1, UNKNOWN_IP, count=1) == (0, set())
        # The request went out (and was flooded); nothing answered it.
        cap.wait_for(f"arp.opcode == 1 and arp.dst.proto_ipv4 == {UNKNOWN_IP}")
        assert replies_for(cap, UNKNOWN_IP) == []
        # h2 got the request: the controller passed it on to the L2 switch, which flooded it.
        cap2.wait_for(f"arp.opcode == 1 and arp.dst.proto_ipv4 == {UNKNOWN_IP}")
        assert ctl.get(f"/v1/arp/entries?ip={UNKNOWN_IP}") == []

        # A real host's address resolves to that host, whoever answers.
        assert arping(h1, h2.IP()) == (2, {h2.MAC()})

        status, body = ctl.request("POST", "/v1/arp/entries", {"ip": REST_IP, "mac": REST_MAC})
        assert status in (200, 201), body
        assert arping(h1, REST_IP) == (2, {REST_MAC})
        status, body = ctl.request("DELETE", f"/v1/arp/entries/{REST_IP}")
        assert status in (200, 204), body
        assert arping(h1, REST_IP, count=1) == (0, set())
        # Every reply for the virtual address on the wire named the configured MAC, and the
        # virtual address's requests never reached h2 (they were answered in the switch's path).
        assert {tuple(r) for r in replies_for(cap, VIRTUAL_IP)} == {(VIRTUAL_MAC,)}
        assert cap2.frames(f"arp.dst.proto_ipv4 == {VIRTUAL_IP}") == []
