"""kill -9 at random moments during a stream of DORA exchanges, then restart.

A real ``ctrlapp-manager`` process runs apps/dhcp_server.py; an emulated
switch in this process drives many concurrent clients through it.  The
manager is SIGKILLed at a random moment, restarted on the same state
directory, and the stream goes on.  Afterwards:

* every lease a client got an ACK for is in the lease database, bound to
  that client (the ACK is only sent once the binding is fsynced);
* no address was ever ACKed to two clients (leases last an hour, far longer
  than the test, and nobody releases).
"""

import os
import random
import re
import signal
import subprocess
import sys
from pathlib import Path

from ctrlapp.lib import hub
from ctrlapp.lib.packet import dhcp, packet
from ctrlapp.store import JournalStore
from ctrlapp.testing.dhcp_client import DhcpClient
from ctrlapp.testing.switch_emulator import SwitchEmulator

ROOT = Path(__file__).resolve().parents[2]
COOKIE = 0x44484350
CONFIG = """
[apps.dhcp_server]
[[apps.dhcp_server.pools]]
name = "crash"
subnet = "10.20.0.0/16"
server_ip = "10.20.255.254"
ranges = [["10.20.0.10", "10.20.250.250"]]
[apps.dhcp_server.rate_limit]
port_burst = 100000
port_per_second = 100000
max_leases_per_port = 1000000
"""


def start_manager(tmp_path, log):
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "ctrlapp",
            str(ROOT / "apps" / "dhcp_server.py"),
            "--config",
            str(tmp_path / "ctrlapp.toml"),
            "--ofp-listen-host",
            "127.0.0.1",
            "--ofp-tcp-listen-port",
            "0",
            "--no-rest",
            "--no-rpc",
            "--state-dir",
            str(tmp_path / "state"),
        ],
        stdout=subprocess.PIPE,
        stderr=log,
        text=True,
        cwd=ROOT,
    )
    banner = proc.stdout.readline()
    m = re.search(r"OpenFlow TCP 127\.0\.0\.1:(\d+)", banner)
    assert m, f"manager did not start: {banner!r}; log: {log.name}"
    return proc, int(m.group(1))


class Driver:
    """Concurrent DHCP clients over one emulated switch; records every ACK."""

    def __init__(self, port, acks, counter):
        self.sw = SwitchEmulator(("127.0.0.1", port), dpid=1)
        self.sw.start()
        assert self.sw.wait_ready(10)
        assert self.sw.wait(lambda: any(e.cookie == COOKIE for e in self.sw.switch.flows.entries))
        self.acks = acks
        self.counter = counter
        self.waiting = {}
        self.seen = 0
        self.threads = [hub.spawn(self.dispatch)]

    def dispatch(self):
        outs = self.sw.switch.packet_outs
        while True:
            while self.seen < len(outs):
                data = outs[self.seen].data
                self.seen += 1
                d = packet.Packet(data).get_protocol(dhcp.dhcp)
                entry = self.waiting.get(d.xid) if d is not None else None
                if entry is not None:
                    entry[1].append(data)
                    entry[2].set()
            if self.sw.closed.is_set():
                return
            self.sw.changed.clear()
            self.sw.changed.wait(0.05)

    def exchange(self, client, frame):
        box = (client, [], hub.Event())
        self.waiting[client.xid] = box
        try:
            self.sw.packet_in(frame, in_port=1 + client.xid % 4, cookie=COOKIE, table_id=0)
            if not box[2].wait(2.0):
                return None
            return box[1][0]
        finally:
            self.waiting.pop(client.xid, None)

    def worker(self):
        while not self.sw.closed.is_set():
            self.counter[0] += 1
            c = DhcpClient(
                f"02:00:{self.counter[0] >> 16 & 0xFF:02x}:00:"
                f"{self.counter[0] >> 8 & 0xFF:02x}:{self.counter[0] & 0xFF:02x}"
            )
            try:
                offer = self.exchange(c, c.discover())
                if offer is None:
                    continue
                request = c.receive(offer)
                ack = self.exchange(c, request) if request else None
            except OSError:
                return
            if ack is not None:
                c.receive(ack)
                if c.state == "BOUND":
                    self.acks.append((c.mac, c.ip))

    def run(self, n_workers):
        self.threads += [hub.spawn(self.worker) for _ in range(n_workers)]

    def close(self):
        self.sw.close()
        for t in self.threads:
            hub.kill(t)


def test_sigkill_during_dora_loses_no_lease_and_never_doubles_one(tmp_path):
    (tmp_path / "ctrlapp.toml").write_text(CONFIG)
    rng = random.Random(2131)
    acks = []
    counter = [0]
    log = open(tmp_path / "manager.log", "w")
    for round_ in range(5):
        proc, port = start_manager(tmp_path, log)
        driver = Driver(port, acks, counter)
        try:
            before = len(acks)
            driver.run(8)
            hub.sleep(rng.uniform(0.3, 1.5))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(10)
            hub.sleep(0.2)
            assert len(acks) > before, f"round {round_}: no ACK at all; see {log.name}"
        finally:
            driver.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    log.close()
    # No address ACKed to two clients, across all the restarts.
    holders = {}
    for mac, ip in acks:
        assert holders.setdefault(ip, mac) == mac, f"{ip} ACKed to {holders[ip]} and {mac}"
    # Every ACKed lease is durable.
    store = JournalStore(tmp_path / "state" / "dhcp_server", "leases")
    try:
        for mac, ip in acks:
            rec = store.get(("l", ip))
            assert rec is not None, f"ACKed lease {ip} for {mac} lost"
            assert rec[0] == mac and rec[2] == "bound", (ip, rec)
        assert len(acks) > 50
    finally:
        store.close()
