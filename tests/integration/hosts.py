"""Real host software driven inside Mininet hosts: DHCP clients, usrsctp, multicast, arping.

Hosts share the root filesystem, so every helper keeps its files (leases, pid
files, output) per host in the test's directory.  Helpers that leave a process
running have ``stop()``; tests call it in ``finally``.
"""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from typing import Any

from tests.integration.harness import wait_until

USRSCTP = "/usr/lib/usrsctp"
ECHO_PORT = 7
# The usrsctp examples report association changes with printf: line-buffer it to read it live.
LINE_BUFFERED = ["stdbuf", "-oL", "-eL"]
HOSTPROGS = Path(__file__).parent / "hostprogs"
GROUP, MCAST_PORT = "239.1.1.1", 5001


def new_data_chunks(end: dict) -> int:
    """DATA chunks one side of an SCTP association document sent, retransmissions left out.

    Checked two ways: the chunk count less the retransmitted TSNs, and the TSN
    span (serial arithmetic, RFC 9260 1.6); None when they disagree.
    """
    sent = end["sent"]
    by_count = sent["chunks"].get("DATA", 0) - sent["retransmitted_tsns"]
    if sent["highest_tsn"] is None:
        return by_count if by_count == 0 else None
    by_span = (sent["highest_tsn"] - end["initial_tsn"]) % 2**32 + 1
    return by_count if by_count == by_span else None


def ping(src: Any, dst_ip: str, count: int = 2) -> bool:
    return "0% packet loss" in src.cmd(f"ping -c {count} -W 2 {dst_ip}")


class Dhclient:
    """ISC dhclient in one host with its own lease and pid files (hosts share the filesystem).

    ``-sf /bin/true`` keeps it from touching /etc/resolv.conf, so it does not
    configure the interface either: :meth:`obtain` does that with the leased address.
    """

    def __init__(self, host: Any, workdir: Path) -> None:
        self.host = host
        self.intf = str(host.defaultIntf())
        self.lease_file = workdir / f"{host.name}.dhclient.leases"
        self.pid_file = workdir / f"{host.name}.dhclient.pid"

    def obtain(self, prefix: int = 24) -> str:
        """Run dhclient until it has a lease (INIT, or INIT-REBOOT with a lease file)."""
        self.stop()
        out = self.host.cmd(
            f"timeout 40 dhclient -4 -v -1 -sf /bin/true -lf {self.lease_file} "
            f"-pf {self.pid_file} {self.intf} 2>&1; echo rc=$?"
        )
        assert "rc=0" in out and "bound to" in out, f"dhclient in {self.host.name} failed:\n{out}"
        ip = self.leased_ip()
        self.host.cmd(f"ip -4 addr flush dev {self.intf}")
        self.host.cmd(f"ip addr add {ip}/{prefix} dev {self.intf}")
        return ip

    def leased_ip(self) -> str:
        text = self.lease_file.read_text()
        return text.rsplit("fixed-address", 1)[1].split(";", 1)[0].strip()

    def stop(self) -> None:
        """End the dhclient daemon (it stays after a lease) without releasing the lease."""
        if self.pid_file.exists():
            pid = self.pid_file.read_text().strip()
            if pid.isdigit():
                subprocess.run(["kill", pid], capture_output=True)
            self.pid_file.unlink()


class Udhcpc:
    """busybox udhcpc kept running in one host, so SIGUSR1 makes it renew (unicast to the server)."""

    def __init__(self, host: Any, workdir: Path) -> None:
        self.host = host
        self.intf = str(host.defaultIntf())
        self.log = workdir / f"{host.name}.udhcpc.log"
        self.proc: subprocess.Popen | None = None

    def obtain(self, prefix: int = 24) -> str:
        self.log.write_bytes(b"")
        out = open(self.log, "ab")  # noqa: SIM115 - closed right after the start
        self.proc = self.host.popen(
            ["busybox", "udhcpc", "-f", "-i", self.intf, "-t", "5", "-T", "2", "-s", "/bin/true"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        out.close()
        ip = wait_until(
            lambda: self._lease(1), timeout=30, what=f"udhcpc lease in {self.host.name}"
        )
        self.host.cmd(f"ip -4 addr flush dev {self.intf}")
        self.host.cmd(f"ip addr add {ip}/{prefix} dev {self.intf}")
        return ip

    def renew(self) -> str:
        """SIGUSR1: udhcpc sends a unicast DHCPREQUEST to its server (RENEWING)."""
        assert self.proc is not None and self.proc.poll() is None, self.log.read_text()
        seen = self.log.read_text().count("obtained")
        self.proc.send_signal(signal.SIGUSR1)
        return wait_until(
            lambda: self._lease(seen + 1), timeout=30, what=f"udhcpc renew in {self.host.name}"
        )

    def _lease(self, count: int) -> str | None:
        # "udhcpc: lease of 10.0.0.50 obtained from 10.0.0.254, lease time 600"
        lines = [ln for ln in self.log.read_text().splitlines() if " obtained" in ln]
        if len(lines) < count:
            return None
        return lines[count - 1].split("lease of ", 1)[1].split()[0]

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


def arping(host, ip: str, count: int = 2) -> tuple[int, set[str]]:
    """Replies received and the MACs they named ("Unicast reply from IP [MAC] ...")."""
    out = host.cmd(f"arping -c {count} -w {count + 1} -I {host.defaultIntf()} {ip}")
    macs = {
        line.split("[", 1)[1].split("]", 1)[0].lower()
        for line in out.splitlines()
        if line.startswith("Unicast reply from")
    }
    received = [ln for ln in out.splitlines() if ln.startswith("Received ")]
    assert received, f"arping printed no summary:\n{out}"
    return int(received[0].split()[1]), macs


class EchoSession:
    """usrsctp ``echo_server`` in one host, ``client`` in another, lines fed on stdin."""

    def __init__(self, server, client, tmp_path) -> None:
        self.server_out = tmp_path / "echo_server.out"
        self.client_out = tmp_path / "client.out"
        with open(self.server_out, "wb") as out:
            self.server = server.popen(
                [*LINE_BUFFERED, f"{USRSCTP}/echo_server", "0"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        # The server's raw socket (protocol 132 = 0x84) must exist before the INIT arrives.
        wait_until(
            lambda: ":0084 " in server.cmd("cat /proc/net/raw"), what="echo_server's raw socket"
        )
        with open(self.client_out, "wb") as out:
            self.client = client.popen(
                [*LINE_BUFFERED, f"{USRSCTP}/client", server.IP(), str(ECHO_PORT), "0", "0"],
                stdin=subprocess.PIPE,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        wait_until(lambda: "SCTP_COMM_UP" in self.client_out.read_text(), what="SCTP_COMM_UP")

    def send(self, line: bytes) -> None:
        self.client.stdin.write(line)
        self.client.stdin.flush()

    def echoed(self, lines: list[bytes]) -> bool:
        text = self.client_out.read_bytes()
        return all(line in text for line in lines)

    def stop(self) -> None:
        for proc in (self.client, self.server):
            if proc.poll() is None:
                proc.kill()
                proc.wait(5)


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
                    str(MCAST_PORT),
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


def send_multicast(host: Any, tag: str, count: int) -> None:
    out = host.cmd(
        f"python3 {HOSTPROGS / 'mcast_sender.py'} {GROUP} {MCAST_PORT} {host.IP()} {count} {tag}"
    )
    assert f"sent {count}" in out, out
