"""`ctrlapp-manager apps/dhcp_server.py` with no configuration file at all."""

import json
import os
import re
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from ctrlapp.testing.dhcp_client import DhcpClient
from ctrlapp.testing.switch_emulator import SwitchEmulator

ROOT = Path(__file__).resolve().parents[2]
MANAGER = Path(sys.executable).parent / "ctrlapp-manager"
COOKIE = 0x44484350


def run_manager(tmp_path, *args, apps=("apps/dhcp_server.py",)):
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path)}
    cmd = [str(MANAGER)] if MANAGER.exists() else [sys.executable, "-m", "ctrlapp"]
    return subprocess.Popen(
        [*cmd, *apps, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


@pytest.mark.parametrize(
    "apps",
    [
        ("apps/dhcp_server.py",),
        ("apps/l2_switch.py", "apps/arp_responder.py", "apps/dhcp_server.py"),
    ],
    ids=["alone", "with-l2-switch-and-arp-responder"],
)
def test_runs_with_defaults_and_keeps_state_in_xdg_state_home(tmp_path, apps):
    proc = run_manager(
        tmp_path,
        "--ofp-listen-host",
        "127.0.0.1",
        "--ofp-tcp-listen-port",
        "0",
        "--rest-port",
        "0",
        "--rpc-port",
        "0",
        apps=apps,
    )
    try:
        banner = proc.stdout.readline()
        of_port = int(re.search(r"OpenFlow TCP 127\.0\.0\.1:(\d+)", banner).group(1))
        rest_port = int(re.search(r"REST 127\.0\.0\.1:(\d+)", banner).group(1))
        assert "dhcp_server" in banner
        sw = SwitchEmulator(("127.0.0.1", of_port), dpid=7)
        sw.start()
        assert sw.wait_ready(10)
        assert sw.wait(lambda: any(e.cookie == COOKIE for e in sw.switch.flows.entries))
        c = DhcpClient("00:00:00:00:00:07", hostname="h7")
        frame = c.discover()
        while frame is not None:
            n = len(sw.switch.packet_outs)
            sw.packet_in(frame, in_port=3, cookie=COOKIE, table_id=0)
            assert sw.wait(lambda n=n: len(sw.switch.packet_outs) > n, 10)
            frame = c.receive(sw.switch.packet_outs[n].data)
        assert (c.state, c.ip, c.server_id) == ("BOUND", "10.0.0.100", "10.0.0.254")
        url = f"http://127.0.0.1:{rest_port}/v1/dhcp/leases"
        with urllib.request.urlopen(url, timeout=10) as resp:
            leases = json.loads(resp.read())
        assert [(x["ip"], x["mac"], x["hostname"], x["dpid"], x["port"]) for x in leases] == [
            ("10.0.0.100", c.mac, "h7", 7, 3)
        ]
        sw.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    state = tmp_path / "xdg" / "ctrlapp" / "dhcp_server"
    assert b"10.0.0.100" in (state / "leases.journal").read_bytes()


def test_bad_setting_is_one_line_naming_the_key_and_exit_2(tmp_path):
    cfg = tmp_path / "bad.toml"
    cfg.write_text(
        '[apps.dhcp_server]\n[[apps.dhcp_server.pools]]\nsubnet = "10.0.0.0/24"\n'
        'ranges = [["10.0.0.10", "10.0.1.10"]]\n'
    )
    proc = run_manager(
        tmp_path, "--config", str(cfg), "--ofp-tcp-listen-port", "0", "--no-rest", "--no-rpc"
    )
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 2
    lines = [line for line in err.splitlines() if line.startswith("ctrlapp-manager: error")]
    assert len(lines) == 1 and "pools[0].ranges[0]" in lines[0] and "10.0.1.10" in lines[0], err
