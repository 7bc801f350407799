"""A real Open vSwitch connects to a real ctrlapp-manager: handshake, port table, PACKET_IN/OUT.

The example hub floods every packet through the controller, so a ping between
hosts proves the whole path: OVS -> OpenFlow 1.3 -> decode -> app -> PACKET_OUT.
"""

import pytest

from tests.integration.harness import Network, ofctl_flows, single_switch_topo, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


def test_switch_connects_and_hosts_ping_through_the_controller(controller_factory, capture):
    ctl = controller_factory(["apps/example_hub.py"])
    with Network(single_switch_topo(3)) as net:
        switches = wait_until(lambda: ctl.get("/v1/switches"), what="the switch to connect")
        assert switches[0]["dpid"] == "0000000000000001" and switches[0]["version"] == 4
        ports = wait_until(
            lambda: [p for p in ctl.get("/v1/switches/1/ports") if p["port_no"] < 0xFFFFFF00],
            what="port table",
        )
        assert sorted(p["name"] for p in ports) == ["s1-eth1", "s1-eth2", "s1-eth3"]
        assert "actions=CONTROLLER" in ofctl_flows("s1")
        h1, h2 = net.get("h1", "h2")
        cap = capture(h2, "h2-eth0", "h2", "icmp or arp")
        assert "0% packet loss" in h1.cmd(f"ping -c 2 -W 2 {h2.IP()}")
        cap.wait_for(f"icmp.type == 8 and ip.src == {h1.IP()}", count=2)
        flows = ctl.get("/v1/switches/0000000000000001/flows")
        assert any(f.get("OFPFlowStats", {}).get("priority") == 0 for f in flows), flows
        metrics = ctl.get("/metrics")
        assert 'ctrlapp_packet_in_total{dpid="0000000000000001"}' in metrics
