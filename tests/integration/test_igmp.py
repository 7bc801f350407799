"""IGMP snooping on three switches in a line with the hosts' own IGMP (v3, and v2 forced).

h1 (on s1) sends UDP to 239.1.1.1, h2 (on s2) joins it with IP_ADD_MEMBERSHIP,
h3 (on s3) does not.  Proves that the host's join registers h2's port on s2 as a
member with the IGMP version the host spoke (and no other host's port anywhere);
that the group's datagrams all
reach h2 and none reaches h3's wire (s2 sends them to members only); that h2's
leave removes the group (after the app's group-specific queries go unanswered)
and h2 gets no datagram afterwards; and that ``GET /v1/igmp/groups`` shows each
step.  Unregistered multicast is flooded (the app's default), so s1, which has
no member, passes h1's datagrams on to s2.
"""

import pytest

from tests.integration.harness import Network, linear_topo, wait_until
from tests.integration.hosts import GROUP, MCAST_PORT, Receiver, send_multicast

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

APPS = ["apps/l2_switch.py", "apps/igmp_snooping.py"]
# IGMP message types: v2 report, v2 leave, v3 report (RFC 2236 2.1, RFC 3376 4.2).
V2_REPORT, V2_LEAVE, V3_REPORT = 0x16, 0x17, 0x22
CAPTURE_FILTER = f"igmp or icmp or udp port {MCAST_PORT}"


def switch_port(switch, host) -> int:
    link = host.defaultIntf().link
    intf = link.intf1 if link.intf1.node is switch else link.intf2
    return switch.ports[intf]


def groups(ctl) -> list[dict]:
    return ctl.get(f"/v1/igmp/groups?group={GROUP}")


def members_of(ctl) -> dict[tuple[str, int], dict]:
    """Member ports of the group on every switch: (dpid, port) -> member view."""
    return {(g["dpid"], m["port"]): m for g in groups(ctl) for m in g["members"]}


def group_datagrams(cap, tag: str) -> list[list[str]]:
    return cap.frames(f'udp.dstport == {MCAST_PORT} and frame contains "{tag}-"')


@pytest.mark.parametrize("version", [3, 2], ids=["igmpv3", "igmpv2"])
def test_group_traffic_goes_to_members_only(controller_factory, capture, tmp_path, version):
    ctl = controller_factory(APPS)
    with Network(linear_topo(3)) as net:
        h1, h2, h3 = net.get("h1", "h2", "h3")
        s1, s2, s3 = net.get("s1", "s2", "s3")
        wait_until(lambda: len(ctl.get("/v1/switches")) == 3, what="three switches to connect")
        if version == 2:
            for h in (h1, h2, h3):
                h.cmd(f"echo 2 > /proc/sys/net/ipv4/conf/{h.defaultIntf()}/force_igmp_version")
        cap2 = capture(h2, "h2-eth0", f"h2-igmpv{version}", CAPTURE_FILTER)
        cap3 = capture(h3, "h3-eth0", f"h3-igmpv{version}", CAPTURE_FILTER)
        # Unicast paths first, so the ping markers below are not held up by learning.
        assert "0% packet loss" in h1.cmd(f"ping -c 1 -W 2 {h3.IP()}")
        assert "0% packet loss" in h1.cmd(f"ping -c 1 -W 2 {h2.IP()}")
        assert groups(ctl) == []

        receiver = Receiver(h2, tmp_path)
        try:
            cap2.wait_for(f"igmp.type == {V3_REPORT if version == 3 else V2_REPORT}")
            s2_h2 = ("0000000000000002", switch_port(s2, h2))
            members = wait_until(
                lambda: s2_h2 in members_of(ctl) and members_of(ctl),
                what="h2's membership on s2",
            )
            assert members[s2_h2]["version"] == version
            if version == 3:
                assert (members[s2_h2]["filter_mode"], members[s2_h2]["sources"]) == ("exclude", {})
            # Only h2 joined: no other host port is a member or gets the group, anywhere.
            # (Ports between switches may be: the app shares groups over switch links.)
            other_hosts = {
                ("0000000000000001", switch_port(s1, h1)),
                ("0000000000000003", switch_port(s3, h3)),
            }
            assert not other_hosts & set(members), members
            for g in groups(ctl):
                assert all((g["dpid"], p) not in other_hosts for p in g["ports"]), g
            assert {g["vlan"] for g in groups(ctl)} == {0}

            send_multicast(h1, "joined", 20)
            wait_until(lambda: receiver.received("joined-") == 20, what="h2 to get all 20")
            # The ping to h3 takes the same links after the datagrams: once h3 has it,
            # any datagram that was going to reach h3 has.
            assert "0% packet loss" in h1.cmd(f"ping -c 1 -W 2 {h3.IP()}")
            cap3.wait_for(f"icmp.type == 8 and ip.src == {h1.IP()}", count=2)
            assert group_datagrams(cap3, "joined") == []
            assert len(group_datagrams(cap2, "joined")) == 20

            receiver.leave()
            # v3: a state-change report CHANGE_TO_INCLUDE_MODE {} (record type 3); v2: a leave.
            cap2.wait_for("igmp.record_type == 3" if version == 3 else f"igmp.type == {V2_LEAVE}")
            wait_until(lambda: groups(ctl) == [], timeout=20, what="the group to be removed")

            send_multicast(h1, "left", 20)
            assert "0% packet loss" in h1.cmd(f"ping -c 1 -W 2 {h2.IP()}")
            cap2.wait_for(f"icmp.type == 8 and ip.src == {h1.IP()}", count=2)
            assert receiver.received("left-") == 0
            assert receiver.received("joined-") == 20
        finally:
            receiver.stop()
