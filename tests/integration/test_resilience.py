"""Resilience: the controller connection flaps under traffic, and malformed frames rain in.

All five apps run together on one switch with four hosts: h1 (busybox udhcpc)
and h2 (ISC dhclient) lease addresses, h3 is in multicast group 239.1.1.1 and
runs the usrsctp client, h4 sends to the group and runs the usrsctp echo server;
an ARP binding for a virtual address is configured.

The flap test cuts the switch's controller connection twice.  The first time
(``ovs-vsctl set-controller`` to a port nobody listens on, and back) the switch
keeps its tables: forwarding goes on without the controller (fail mode secure),
and after reconnecting every app's state is intact and working.  The second
time (``ovs-vsctl del-controller``, and ``set-controller`` back) OVS flushes the
bridge's flows, as it does when a bridge's last controller goes, and the test
deletes its groups (as after a switch restart): the apps must install their
rules again on reconnect, and
again leases, ARP answers, multicast, the SCTP association's counts and ping
all work.  The controller logs each leave.

The burst test sends thousands of malformed frames from h4 (a raw AF_PACKET
socket; every kind aimed at an app's rules) while h1 and h2 lease addresses and
ping each other: nothing of that may fail, the switch must stay connected and
the controller must log no traceback.
"""

import re
import signal
import subprocess

import pytest

from tests.integration.harness import (
    Network,
    connected_dpids,
    ofctl_flows,
    single_switch_topo,
    unaddress,
    wait_until,
)
from tests.integration.hosts import (
    HOSTPROGS,
    Dhclient,
    EchoSession,
    Receiver,
    Udhcpc,
    arping,
    new_data_chunks,
    ping,
    send_multicast,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]

APPS = [
    "apps/l2_switch.py",
    "apps/dhcp_server.py",
    "apps/arp_responder.py",
    "apps/igmp_snooping.py",
    "apps/sctp_monitor.py",
]
VIRTUAL_IP, VIRTUAL_MAC = "10.0.0.200", "02:00:00:00:02:00"
CONFIG = f"""
[apps.arp_responder]
static = [{{ ip = "{VIRTUAL_IP}", mac = "{VIRTUAL_MAC}" }}]

[[apps.dhcp_server.pools]]
name = "mininet"
subnet = "10.0.0.0/24"
server_ip = "10.0.0.254"
ranges = [["10.0.0.50", "10.0.0.59"]]
lease_time = 600
"""
CONTROLLER = "tcp:127.0.0.1:6653"
DEAD_CONTROLLER = "tcp:127.0.0.1:9"  # the discard port: nothing listens there
_VOLATILE = re.compile(r"(duration|n_packets|n_bytes|idle_age|hard_age)=[^ ,]*,? ?")


def app_rules(switch: str) -> set[str]:
    """The apps' standing rules: everything but learned (idle-timeout) and per-group flows."""
    rules = set()
    for line in ofctl_flows(switch).splitlines():
        line = _VOLATILE.sub("", line.strip())
        if line.startswith("cookie=") and "idle_timeout" not in line and "group:" not in line:
            rules.add(line)
    return rules


def log_counts(ctl) -> tuple[int, int]:
    """Lines logging s1's session ending, and connections accepted (the manager logs a
    switch's arrival only at debug level, as its TCP connection)."""
    text = ctl.log_path.read_text()
    left = sum(
        1 for ln in text.splitlines() if "dpid=0000000000000001" in ln and "disconnected" in ln
    )
    return left, text.count("connection from 127.0.0.1")


def vsctl(*args: str) -> None:
    subprocess.run(["ovs-vsctl", *args], check=True, capture_output=True, timeout=20)


def test_controller_connection_flaps_and_every_app_recovers(controller_factory, capture, tmp_path):
    ctl = controller_factory(APPS, CONFIG)
    with Network(single_switch_topo(4)) as net:
        h1, h2, h3, h4 = net.get("h1", "h2", "h3", "h4")
        unaddress(h1, h2)
        wait_until(lambda: connected_dpids(ctl) == {1}, what="s1 to connect")
        capture(h1, "h1-eth0", "h1", "udp port 67 or udp port 68 or arp or icmp")
        capture(h3, "h3-eth0", "h3", "igmp or sctp or udp port 5001 or arp")
        udhcpc, dhclient = Udhcpc(h1, tmp_path), Dhclient(h2, tmp_path)
        receiver = sctp = None
        try:
            ip1, ip2 = udhcpc.obtain(), dhclient.obtain()
            assert ping(h1, ip2)
            receiver = Receiver(h3, tmp_path)
            wait_until(lambda: ctl.get("/v1/igmp/groups"), what="h3's group")
            sctp = EchoSession(h4, h3, tmp_path)
            sent_lines: list[bytes] = []

            def exchange(tag: str) -> None:
                lines = [f"{tag} {i}\n".encode() for i in range(3)]
                for line in lines:
                    sctp.send(line)
                wait_until(lambda: sctp.echoed(lines), what=f"SCTP echoes ({tag})")
                sent_lines.extend(lines)

            def multicast_reaches_h3(tag: str) -> None:
                send_multicast(h4, tag, 5)
                wait_until(lambda: receiver.received(f"{tag}-") == 5, what=f"multicast {tag}")

            def everything_works(tag: str) -> None:
                assert ping(h1, ip2) and ping(h2, ip1)
                assert arping(h3, VIRTUAL_IP) == (2, {VIRTUAL_MAC})
                groups = wait_until(
                    lambda: ctl.get("/v1/igmp/groups"),
                    timeout=20,
                    what="h3 to report its group again (answering the app's queries)",
                )
                assert [(g["group"], g["ports"]) for g in groups] == [("239.1.1.1", [3])]
                multicast_reaches_h3(tag)
                exchange(tag)
                # Leases are intact and renew to the same addresses.
                bound = {(d["mac"], d["ip"]) for d in ctl.get("/v1/dhcp/leases?state=bound")}
                assert bound == {(h1.MAC(), ip1), (h2.MAC(), ip2)}
                assert udhcpc.renew() == ip1
                assert dhclient.obtain() == ip2
                # The association is the same one, and every DATA chunk was counted.
                [assoc] = ctl.get("/v1/sctp/associations")["associations"]
                doc = ctl.get(f"/v1/sctp/associations/{assoc['id']}")
                assert doc["state"] == "ESTABLISHED"
                for side in ("initiator", "responder"):
                    assert new_data_chunks(doc[side]) == len(sent_lines), doc[side]

            everything_works("before")
            rules = app_rules("s1")
            assert len(rules) >= 10, rules  # misses, DHCP, ARP, IGMP, PIM, SCTP, multicast

            # Cut 1: the switch is pointed at a port nobody listens on.  It still has a
            # controller, so it keeps its tables and forwards on its own meanwhile.
            left_before, came_before = log_counts(ctl)
            vsctl("set-controller", "s1", DEAD_CONTROLLER)
            wait_until(lambda: connected_dpids(ctl) == set(), what="the controller to see s1 go")
            assert ping(h1, ip2, count=5)
            multicast_reaches_h3("cut")
            vsctl("set-controller", "s1", CONTROLLER)
            wait_until(lambda: connected_dpids(ctl) == {1}, timeout=20, what="s1 to come back")
            assert log_counts(ctl) == (left_before + 1, came_before + 1)
            everything_works("flap1")
            assert app_rules("s1") == rules

            # Cut 2: without any controller OVS flushes the bridge's flows (groups are
            # deleted here too, as a restarted switch would have none): the apps must
            # rebuild everything on reconnect.
            vsctl("del-controller", "s1")
            wait_until(lambda: connected_dpids(ctl) == set(), what="the controller to see s1 go")
            subprocess.run(["ovs-ofctl", "-O", "OpenFlow13", "del-groups", "s1"], check=True)
            assert "cookie=" not in ofctl_flows("s1")
            vsctl("set-controller", "s1", CONTROLLER)
            wait_until(lambda: connected_dpids(ctl) == {1}, timeout=20, what="s1 to come back")
            wait_until(lambda: app_rules("s1") == rules, what="the apps' rules to be back")
            everything_works("flap2")
            assert log_counts(ctl) == (left_before + 2, came_before + 2)
            assert "Traceback" not in ctl.log_path.read_text()
        finally:
            for helper in (udhcpc, dhclient, receiver, sctp):
                if helper is not None:
                    helper.stop()


def test_malformed_burst_does_not_disturb_dhcp_and_ping(controller_factory, capture, tmp_path):
    ctl = controller_factory(APPS, CONFIG)
    with Network(single_switch_topo(4)) as net:
        h1, h2, h4 = net.get("h1", "h2", "h4")
        unaddress(h1, h2)
        wait_until(lambda: connected_dpids(ctl) == {1}, what="s1 to connect")
        capture(h1, "h1-eth0", "h1", "udp port 67 or udp port 68 or arp or icmp")
        udhcpc, dhclient = Udhcpc(h1, tmp_path), Dhclient(h2, tmp_path)
        burst_out = tmp_path / "burst.out"
        with open(burst_out, "wb") as out:
            burst = h4.popen(
                ["python3", str(HOSTPROGS / "malformed_burst.py"), "h4-eth0", "60", "2000"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            # The burst is under way before the clients start.
            wait_until(lambda: _packet_ins(ctl) > 500, what="the burst to reach the controller")
            ip1, ip2 = udhcpc.obtain(), dhclient.obtain()
            assert ping(h1, ip2, count=5) and ping(h2, ip1, count=5)
            assert udhcpc.renew() == ip1
            assert burst.poll() is None, burst_out.read_text()
        finally:
            if burst.poll() is None:
                burst.send_signal(signal.SIGTERM)
                burst.wait(10)
            udhcpc.stop()
            dhclient.stop()
        sent = int(burst_out.read_text().split("sent", 1)[1].split()[0])
        assert sent > 1000, burst_out.read_text()
        assert connected_dpids(ctl) == {1}
        log = ctl.log_path.read_text()
        assert "Traceback" not in log, ctl.log_tail()
        left = [
            ln for ln in log.splitlines() if "dpid=0000000000000001" in ln and "disconnected" in ln
        ]
        assert left == [], left
        # Malformed input is counted and logged once per reason, not once per frame.
        ignored = [line for line in log.splitlines() if " ignored" in line]
        assert 0 < len(ignored) <= 30, "\n".join(ignored[:100])
        leases = ctl.get("/v1/dhcp/leases?state=bound")
        assert {(d["mac"], d["ip"]) for d in leases} == {(h1.MAC(), ip1), (h2.MAC(), ip2)}


def _packet_ins(ctl) -> int:
    for line in ctl.get("/metrics").splitlines():
        if line.startswith('ctrlapp_packet_in_total{dpid="0000000000000001"}'):
            return int(float(line.split()[-1]))
    return 0
