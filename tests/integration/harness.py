"""Building blocks of the Mininet suite: the controller process, the network, captures, polling.

Everything here cleans up after itself: :class:`Network` always stops Mininet,
:class:`ControllerProcess` always ends the controller, :class:`Capture` always
ends tshark, whether the test passed or not.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

OFP_PORT = 6653
REPO = Path(__file__).resolve().parents[2]


def wait_until(
    cond: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05, what: str = "condition"
) -> Any:
    """Poll ``cond`` until it returns something truthy; return it, or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = cond()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ControllerProcess:
    """A real ``ctrlapp-manager`` subprocess with its own config, state directory and log file."""

    def __init__(self, workdir: Path, apps: list[str], config: str = "") -> None:
        self.workdir = workdir
        self.apps = apps
        self.config_path = workdir / "ctrlapp.toml"
        self.config_path.write_text(config)
        self.state_dir = workdir / "state"
        self.log_path = workdir / "controller.log"
        self.rest_port = free_port()
        self.rpc_port = free_port()
        self.proc: subprocess.Popen | None = None

    def start(self) -> ControllerProcess:
        cmd = [
            sys.executable,
            "-m",
            "ctrlapp",
            *self.apps,
            "--config",
            str(self.config_path),
            "--ofp-tcp-listen-port",
            str(OFP_PORT),
            "--rest-port",
            str(self.rest_port),
            "--rpc-port",
            str(self.rpc_port),
            "--state-dir",
            str(self.state_dir),
            "--log-level",
            "debug",
        ]
        log = open(self.log_path, "ab")  # noqa: SIM115 - closed with the process
        log.write(f"\n===== start: {' '.join(cmd)}\n".encode())
        log.flush()
        self.proc = subprocess.Popen(cmd, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        log.close()
        wait_until(self._healthy, timeout=20, what="controller REST /v1/health")
        return self

    def _healthy(self) -> bool:
        if self.proc is not None and self.proc.poll() is not None:
            raise AssertionError(f"controller exited with {self.proc.returncode}; see its log")
        try:
            return self.get("/v1/health")["status"] == "ok"
        except OSError:
            return False

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15) -> int | None:
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(5)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def restart(self) -> ControllerProcess:
        self.stop()
        return self.start()

    def request(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.rest_port}{path}",
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=10) as resp:
                raw = resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            raw, status = exc.read(), exc.code
        ctype_json = raw[:1] in (b"{", b"[")
        return status, (json.loads(raw) if ctype_json else raw.decode())

    def get(self, path: str) -> Any:
        status, body = self.request("GET", path)
        if status != 200:
            raise AssertionError(f"GET {path} -> {status}: {body}")
        return body

    def log_tail(self, lines: int = 300) -> str:
        if not self.log_path.exists():
            return "(no controller log)"
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def _quiet_remote(base: type) -> type:
    """Mininet's RemoteController without its start-up probe.

    The probe (``echo A | telnet -e A host port`` in the controller's shell) is
    one more TCP session in the controller's log, and it once left that shell
    without a prompt, so Mininet waited on it until the test timed out.  The
    tests wait for the controller themselves (REST health, switch sessions).
    """

    class QuietRemoteController(base):
        def checkListening(self) -> None:
            return None

    return QuietRemoteController


class Network:
    """A Mininet network of userspace-datapath OVS switches with a remote controller.

    Use as a context manager; ``net.stop()`` always runs.
    """

    def __init__(self, topo: Any, protocols: str = "OpenFlow13") -> None:
        from mininet.link import TCULink
        from mininet.net import Mininet
        from mininet.node import OVSSwitch, RemoteController

        self.net = Mininet(
            topo=topo,
            switch=partial(OVSSwitch, datapath="user", protocols=protocols, failMode="secure"),
            link=TCULink,
            controller=partial(_quiet_remote(RemoteController), ip="127.0.0.1", port=OFP_PORT),
            autoSetMacs=True,
            waitConnected=False,
            build=False,
        )

    def __enter__(self) -> Any:
        self.net.build()
        self.net.start()
        return self.net

    def __exit__(self, *exc: object) -> None:
        self.net.stop()


class Capture:
    """tshark writing a pcap on one host interface (inside the host's namespace)."""

    def __init__(self, host: Any, intf: str, path: Path, capture_filter: str = "") -> None:
        self.path = path
        cmd = ["tshark", "-q", "-i", intf, "-w", str(path)]
        if capture_filter:
            cmd += ["-f", capture_filter]
        self.proc = host.popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(
            lambda: path.exists() and path.stat().st_size > 0,
            timeout=10,
            what=f"tshark to start on {intf}",
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def frames(self, display_filter: str, *fields: str) -> list[list[str]]:
        """The fields of each frame matching ``display_filter`` written so far."""
        cmd = ["tshark", "-r", str(self.path), "-o", "sctp.checksum:CRC-32C", "-Y", display_filter]
        cmd += ["-T", "fields", *[a for f in fields or ("frame.number",) for a in ("-e", f)]]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout
        return [line.split("\t") for line in out.splitlines() if line]

    def wait_for(self, display_filter: str, count: int = 1, timeout: float = 10.0) -> None:
        """Wait until the file holds ``count`` matching frames.

        dumpcap hands packets to the file in batches and drops what is still
        batched when stopped, so wait for the last packet of interest before
        :meth:`stop`.
        """
        wait_until(
            lambda: len(self.frames(display_filter)) >= count,
            timeout=timeout,
            what=f"{count} frame(s) matching {display_filter!r} in {self.path.name}",
        )

    def summary(self, display_filter: str = "") -> str:
        cmd = ["tshark", "-r", str(self.path), "-o", "sctp.checksum:CRC-32C"]
        if display_filter:
            cmd += ["-Y", display_filter]
        out = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return out.stdout + out.stderr


def ofctl_flows(switch: str) -> str:
    return subprocess.run(
        ["ovs-ofctl", "-O", "OpenFlow13", "dump-flows", switch],
        capture_output=True,
        text=True,
        timeout=20,
    ).stdout


def run_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return env


def single_switch_topo(hosts: int) -> Any:
    """One switch s1 with hosts h1..hN (Mininet imported here, so collection works without it)."""
    from mininet.topo import SingleSwitchTopo

    return SingleSwitchTopo(hosts)


def linear_topo(switches: int) -> Any:
    """Switches s1..sK in a line, host hI on switch sI."""
    from mininet.topo import LinearTopo

    return LinearTopo(switches, 1)


def fast_reconnect(max_backoff_ms: int = 1000) -> None:
    """Make every OVS controller connection retry at least once a second.

    OVS backs off up to 8 s between connection attempts; a test that restarts the
    controller would otherwise wait that long for a switch to come back.
    """
    out = subprocess.run(
        ["ovs-vsctl", "--bare", "--columns=_uuid", "list", "Controller"],
        capture_output=True,
        text=True,
        timeout=20,
    ).stdout
    for uuid in out.split():
        subprocess.run(
            ["ovs-vsctl", "set", "Controller", uuid, f"max_backoff={max_backoff_ms}"],
            check=True,
            timeout=20,
        )


def connected_dpids(ctl: ControllerProcess) -> set[int]:
    """Switches the controller has a session with, as integers."""
    return {int(s["dpid"], 16) for s in ctl.get("/v1/switches")}


def unaddress(*hosts: Any) -> None:
    """Take away the addresses Mininet gave the hosts (DHCP is to give them)."""
    for h in hosts:
        h.cmd(f"ip -4 addr flush dev {h.defaultIntf()}")
