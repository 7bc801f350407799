"""IGMP snooping on three switches in a line with the hosts' own IGMP (v3, and v2 forced).

h1 (on s1) sends UDP to 239.1.1.1, h2 (on s2) joins it with IP_ADD_MEMBERSHIP,
h3 (on s3) does not.  Proves that the host's join registers the group on s2 with
h2's port and the IGMP version the host spoke; that the group's datagrams all
reach h2 and none reaches h3's wire (s2 sends them to members only); that h2's
leave removes the group (after the app's group-specific queries go unanswered)
and h2 gets no datagram afterwards; and that ``GET /v1/igmp/groups`` shows each
step.  Unregistered multicast is flooded (the app's default), so s1, which has
no member, passes h1's datagrams on to s2.
"""

import subprocess
from pathlib import Path

import pytest

from tests.integration.harness import Network, linear_topo, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]

GROUP, PORT = "239.1.1.1", 5001
HOSTPROGS = Path(__file__).parent / "hostprogs"
APPS = ["apps/l2_switch.py", "apps/igmp_snooping.py"]
# IGMP message types: v2 report, v2 leave, v3 report (RFC 2236 2.1, RFC 3376 4.2).
V2_REPORT, V2_LEAVE, V3_REPORT = 0x16, 0x17, 0x22
CAPTURE_FILTER = f"igmp or icmp or udp port {PORT}"


class Receiver:
    """hostprogs/mcast_receiver.py in one host: joined at start, ``leave()`` drops it."""

    def __init__(self, host, workdir: Path) -> None:
        self.out = workdir / f"{host.name}.mcast.out"
        with open(self.out, "wb") as out:
            self.proc = host.popen(
                [
                    "python3",
                    "-u",
                    str(HOSTPROGS / "mcast_receiver.py"),
                    GROUP,
                    str(PORT),
                    host.IP(),
                ],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(lambda: "joined" in self.out.read_text(), what=f"{host.name} to join")

    def received(self, tag: str) -> int:
        return sum(
            1
            for line in self.out.read_text().splitlines()
            if line.startswith("got ") and tag in line
        )

    def leave(self) -> None:
        self.proc.stdin.write(b"leave\n")
        self.proc.stdin.flush()
        wait_until(lambda: "left" in self.out.read_text(), what="the receiver to leave")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def send(host, tag: str, count: int) -> None:
    out = host.cmd(
        f"python3 {HOSTPROGS / 'mcast_sender.py'} {GROUP} {PORT} {host.IP()} {count} {tag}"
    )
    assert f"sent {count}" in out, out


def switch_port(switch, host) -> int:
    link = host.defaultIntf().link
    intf = link.intf1 if link.intf1.node is switch else link.intf2
    return switch.ports[intf]


def groups(ctl) -> list[dict]:
    return ctl.get(f"/v1/igmp/groups?group={GROUP}")


def group_datagrams(cap, tag: str) -> list[list[str]]:
    return cap.frames(f'udp.dstport == {PORT} and frame contains "{tag}-"')


@pytest.mark.parametrize("version", [3, 2], ids=["igmpv3", "igmpv2"])
def test_group_traffic_goes_to_members_only(controller_factory, capture, tmp_path, version):
    ctl = controller_factory(APPS)
    with Network(linear_topo(3)) as net:
        h1, h2, h3 = net.get("h1", "h2", "h3")
        s2 = net.get("s2")
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
            joined = wait_until(lambda: groups(ctl), what="the group to be registered")
            assert [(g["dpid"], g["vlan"], g["ports"]) for g in joined] == [
                ("0000000000000002", 0, [switch_port(s2, h2)])
            ], joined
            member = joined[0]["members"][0]
            assert (member["port"], member["version"]) == (switch_port(s2, h2), version)
            if version == 3:
                assert (member["filter_mode"], member["sources"]) == ("exclude", {})

            send(h1, "joined", 20)
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

            send(h1, "left", 20)
            assert "0% packet loss" in h1.cmd(f"ping -c 1 -W 2 {h2.IP()}")
            cap2.wait_for(f"icmp.type == 8 and ip.src == {h1.IP()}", count=2)
            assert receiver.received("left-") == 0
            assert receiver.received("joined-") == 20
        finally:
            receiver.stop()
