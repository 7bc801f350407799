"""DHCP against real clients: ISC dhclient and busybox udhcpc lease from the configured pool.

Proves, on one OVS switch with three unaddressed hosts: the DHCP server app
answers both clients from the pool the config file gives (and nothing else);
the ARP responder turns the leases into bindings;
``GET /v1/dhcp/leases`` lists exactly the two bound leases; the L2 switch then
carries host-to-host traffic on those addresses; after a controller restart the
journaled leases are still listed, a dhclient INIT-REBOOT and a udhcpc RENEW
(unicast to the server address, which the app answers ARP for) both get the same
address back, and the hosts still reach each other.
"""

import ipaddress

import pytest

from tests.integration.harness import (
    Network,
    connected_dpids,
    fast_reconnect,
    single_switch_topo,
    unaddress,
    wait_until,
)
from tests.integration.hosts import Dhclient, Udhcpc, ping

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]

POOL_FIRST, POOL_LAST = "10.0.0.50", "10.0.0.59"
CONFIG = f"""
[apps.dhcp_server]

[[apps.dhcp_server.pools]]
name = "mininet"
subnet = "10.0.0.0/24"
server_ip = "10.0.0.254"
ranges = [["{POOL_FIRST}", "{POOL_LAST}"]]
lease_time = 600
"""
APPS = ["apps/l2_switch.py", "apps/dhcp_server.py", "apps/arp_responder.py"]
DHCP_FILTER = "udp port 67 or udp port 68 or arp or icmp"


def in_pool(ip: str) -> bool:
    a = ipaddress.IPv4Address(ip)
    return ipaddress.IPv4Address(POOL_FIRST) <= a <= ipaddress.IPv4Address(POOL_LAST)


def bound_leases(ctl) -> set[tuple[str, str]]:
    return {(d["mac"], d["ip"]) for d in ctl.get("/v1/dhcp/leases") if d["state"] == "bound"}


def dhcp_bindings(ctl) -> set[tuple[str, str]]:
    return {(e["mac"], e["ip"]) for e in ctl.get("/v1/arp/entries?source=dhcp")}


def test_dhclient_and_udhcpc_lease_ping_and_keep_leases_across_restart(
    controller_factory, capture, tmp_path
):
    ctl = controller_factory(APPS, CONFIG)
    with Network(single_switch_topo(3)) as net:
        h1, h2, h3 = net.get("h1", "h2", "h3")
        unaddress(h1, h2, h3)
        wait_until(lambda: connected_dpids(ctl) == {1}, what="s1 to connect")
        fast_reconnect()
        capture(h1, "h1-eth0", "h1-dhcp", DHCP_FILTER)
        capture(h2, "h2-eth0", "h2-dhcp", DHCP_FILTER)
        dhclient, udhcpc = Dhclient(h1, tmp_path), Udhcpc(h2, tmp_path)
        try:
            ip1 = dhclient.obtain()
            ip2 = udhcpc.obtain()
            assert ip1 != ip2 and in_pool(ip1) and in_pool(ip2), (ip1, ip2)

            leases = ctl.get("/v1/dhcp/leases")
            assert {(d["mac"], d["ip"], d["state"]) for d in leases} == {
                (h1.MAC(), ip1, "bound"),
                (h2.MAC(), ip2, "bound"),
            }, leases
            assert {d["port"] for d in leases} == {1, 2} and {d["dpid"] for d in leases} == {1}
            # The ARP responder follows the leases: both addresses are answered from them.
            assert dhcp_bindings(ctl) == {(h1.MAC(), ip1), (h2.MAC(), ip2)}
            assert ping(h1, ip2) and ping(h2, ip1)

            ctl.restart()
            wait_until(lambda: connected_dpids(ctl) == {1}, timeout=20, what="s1 to reconnect")
            assert bound_leases(ctl) == {(h1.MAC(), ip1), (h2.MAC(), ip2)}

            assert udhcpc.renew() == ip2
            assert dhclient.obtain() == ip1
            assert bound_leases(ctl) == {(h1.MAC(), ip1), (h2.MAC(), ip2)}
            assert dhcp_bindings(ctl) == {(h1.MAC(), ip1), (h2.MAC(), ip2)}
            assert ping(h1, ip2) and ping(h2, ip1)
            # h3 never asked: no lease names it.
            assert h3.MAC() not in {d["mac"] for d in ctl.get("/v1/dhcp/leases")}
        finally:
            dhclient.stop()
            udhcpc.stop()
