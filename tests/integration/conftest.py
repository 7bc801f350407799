"""Fixtures of the Mininet suite: prerequisites, Open vSwitch daemons, cleanup, failure reports.

The suite needs root, Open vSwitch, Mininet (importable from this Python: the
test venv is made with ``--system-site-packages`` on Debian's python3) and the
host tools the scenarios run.  Without them the tests skip and say what is
missing; under CI (``CI`` set) a missing prerequisite fails the run instead.
Open vSwitch runs with the userspace datapath (no kernel module here), started
here and stopped at the end of the session if this session started it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.integration.harness import Capture, ControllerProcess, wait_until

REQUIRED_COMMANDS = (
    "ovsdb-server",
    "ovs-vswitchd",
    "ovs-vsctl",
    "ovs-ofctl",
    "ovsdb-tool",
    "tshark",
    "dhclient",
    "busybox",
    "arping",
    "ping",
    "ip",
    "python3",
    "stdbuf",
)
USRSCTP_DIR = Path("/usr/lib/usrsctp")
OVS_RUN = Path("/var/run/openvswitch")
OVS_DB = Path("/etc/openvswitch/conf.db")
OVS_SCHEMA = Path("/usr/share/openvswitch/vswitch.ovsschema")


def missing_prerequisites() -> list[str]:
    missing = []
    if os.geteuid() != 0:
        missing.append("must run as root (network namespaces and Open vSwitch)")
    missing += [f"command {c!r} not found" for c in REQUIRED_COMMANDS if shutil.which(c) is None]
    if not (USRSCTP_DIR / "echo_server").exists():
        missing.append("usrsctp examples missing (Debian package libusrsctp-examples)")
    try:
        import mininet.net  # noqa: F401
    except ImportError:
        missing.append(
            "Python module 'mininet' not importable (Debian package mininet; "
            "use a venv made with --system-site-packages from /usr/bin/python3)"
        )
    return missing


def _ovs_running() -> bool:
    r = subprocess.run(["ovs-vsctl", "--timeout=2", "show"], capture_output=True)
    return r.returncode == 0


def _start_ovs() -> None:
    OVS_RUN.mkdir(parents=True, exist_ok=True)
    OVS_DB.parent.mkdir(parents=True, exist_ok=True)
    if not OVS_DB.exists():
        subprocess.run(["ovsdb-tool", "create", str(OVS_DB), str(OVS_SCHEMA)], check=True)
    subprocess.run(
        [
            "ovsdb-server",
            str(OVS_DB),
            f"--remote=punix:{OVS_RUN}/db.sock",
            "--remote=db:Open_vSwitch,Open_vSwitch,manager_options",
            "--pidfile",
            "--detach",
        ],
        check=True,
    )
    subprocess.run(["ovs-vsctl", "--no-wait", "init"], check=True)
    subprocess.run(["ovs-vswitchd", f"unix:{OVS_RUN}/db.sock", "--pidfile", "--detach"], check=True)
    wait_until(_ovs_running, timeout=10, what="Open vSwitch to answer")


def _stop_ovs() -> None:
    subprocess.run(["ovs-appctl", "-t", "ovs-vswitchd", "exit", "--cleanup"], capture_output=True)
    subprocess.run(["ovs-appctl", "-t", "ovsdb-server", "exit"], capture_output=True)


_TEST_LINK = re.compile(r"^(?:[hs]\d+-eth\d+)(?:@.*)?$")


def remove_leftovers() -> list[str]:
    """Remove what a crashed run of this suite may leave: s<N> bridges, h/s links, host shells."""
    removed = []
    if shutil.which("ovs-vsctl") and _ovs_running():
        out = subprocess.run(["ovs-vsctl", "list-br"], capture_output=True, text=True).stdout
        for br in out.split():
            if re.fullmatch(r"s\d+", br):
                subprocess.run(["ovs-vsctl", "--if-exists", "del-br", br])
                removed.append(f"bridge {br}")
    out = subprocess.run(["ip", "-o", "link", "show"], capture_output=True, text=True).stdout
    for line in out.splitlines():
        name = line.split(":")[1].strip() if ":" in line else ""
        if _TEST_LINK.match(name):
            subprocess.run(["ip", "link", "del", name.split("@")[0]], capture_output=True)
            removed.append(f"link {name}")
    shells = subprocess.run(
        ["pgrep", "-f", r"mininet:[hs][0-9]+"], capture_output=True, text=True
    ).stdout.split()
    for pid in shells:
        subprocess.run(["kill", "-9", pid], capture_output=True)
        removed.append(f"host shell {pid}")
    return removed


@pytest.fixture(scope="session")
def mininet_env():
    missing = missing_prerequisites()
    if missing:
        reason = "Mininet suite prerequisites missing: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason + " (CI must run this suite, not skip it)", pytrace=False)
        pytest.skip(reason)
    started = False
    if not _ovs_running():
        _start_ovs()
        started = True
    remove_leftovers()
    yield
    left = remove_leftovers()
    if started:
        _stop_ovs()
    assert not left, f"the suite left these behind (now removed): {left}"


@pytest.fixture
def controller_factory(mininet_env, tmp_path, request):
    """Start ``ctrlapp-manager`` with the given apps and TOML config; its log joins any failure."""
    started: list[ControllerProcess] = []

    def start(apps: list[str], config: str = "") -> ControllerProcess:
        proc = ControllerProcess(tmp_path, apps, config).start()
        started.append(proc)
        request.node.ctrlapp_controllers = started
        return proc

    yield start
    for proc in started:
        proc.stop()


@pytest.fixture
def capture(request, tmp_path):
    """Start tshark on a host interface: ``capture(host, intf, name, capture_filter="")``.

    A failing test shows each capture's decoded packets in its report.
    """
    captures: list[tuple[str, Capture]] = []

    def start(host, intf: str, name: str, capture_filter: str = "") -> Capture:
        cap = Capture(host, intf, tmp_path / f"{name}.pcap", capture_filter)
        captures.append((name, cap))
        request.node.ctrlapp_captures = captures
        return cap

    yield start
    for _, cap in captures:
        cap.stop()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and call.when == "call":
        for proc in getattr(item, "ctrlapp_controllers", []):
            report.sections.append(("controller log (last 300 lines)", proc.log_tail()))
        for name, cap in getattr(item, "ctrlapp_captures", []):
            cap.stop()
            report.sections.append((f"capture {name} ({cap.path})", cap.summary()[-20000:]))
    return report
