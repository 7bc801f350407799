"""The same apps on an OpenFlow 1.0 switch (one table: every app sees every PACKET_IN).

Proves on a real OVS speaking only OpenFlow 1.0: the L2 switch, DHCP server and
ARP responder share the single table without stepping on each other; busybox
udhcpc leases an address from the configured pool and renews it by unicast; a
static ARP binding is answered with the configured MAC; hosts ping each other.
"""

import pytest

from tests.integration.harness import (
    Network,
    connected_dpids,
    single_switch_topo,
    unaddress,
    wait_until,
)
from tests.integration.hosts import Udhcpc, arping, ping

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

VIRTUAL_IP, VIRTUAL_MAC = "10.0.0.200", "02:00:00:00:02:00"
CONFIG = f"""
[apps.arp_responder]
static = [{{ ip = "{VIRTUAL_IP}", mac = "{VIRTUAL_MAC}" }}]

[[apps.dhcp_server.pools]]
name = "mininet"
subnet = "10.0.0.0/24"
server_ip = "10.0.0.254"
ranges = [["10.0.0.60", "10.0.0.69"]]
"""
APPS = ["apps/l2_switch.py", "apps/dhcp_server.py", "apps/arp_responder.py"]


def test_dhcp_arp_and_forwarding_on_openflow10(controller_factory, capture, tmp_path):
    ctl = controller_factory(APPS, CONFIG)
    with Network(single_switch_topo(2), protocols="OpenFlow10") as net:
        h1, h2 = net.get("h1", "h2")
        unaddress(h1)
        wait_until(lambda: connected_dpids(ctl) == {1}, what="s1 to connect")
        assert ctl.get("/v1/switches")[0]["version"] == 1
        capture(h1, "h1-eth0", "h1-of10", "udp port 67 or udp port 68 or arp or icmp")
        udhcpc = Udhcpc(h1, tmp_path)
        try:
            ip1 = udhcpc.obtain()
            assert ip1.startswith("10.0.0.6"), ip1
            leases = ctl.get("/v1/dhcp/leases")
            assert [(d["mac"], d["ip"], d["state"]) for d in leases] == [(h1.MAC(), ip1, "bound")]
            assert ping(h1, h2.IP()) and ping(h2, ip1)
            assert arping(h2, VIRTUAL_IP) == (2, {VIRTUAL_MAC})
            assert udhcpc.renew() == ip1
        finally:
            udhcpc.stop()
