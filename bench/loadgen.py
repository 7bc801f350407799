"""What the controller benchmarks share: the raw emulated switch and the process under test.

The load generators speak OpenFlow 1.3 on plain sockets with pre-encoded messages so
that their own cost stays out of the figures; ``switch_handshake`` answers a
controller's handshake the cheapest way. The controller under test runs as a child
process: ``start_ctrlapp``/``start_osken`` launch it, ``wait_listening`` waits for its
OpenFlow port, ``stop_process`` ends it, and ``cpu_seconds``/``rss_kib`` read its
cost from /proc.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import selectors
import socket
import struct
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

from ctrlapp.controller.handshake import hello_bytes

ROOT = Path(__file__).resolve().parent.parent
HEADER = struct.Struct("!BBHI")
CLK_TCK = os.sysconf("SC_CLK_TCK")
_FEATURES = struct.Struct("!QIBB2xII")
_PORT_DESC = struct.Struct("!HH4x")

# os-ken 4 has no manager script: start its AppManager the way its old one did.
# argv: OpenFlow port, app file. Prints "ready" once the apps are instantiated.
OSKEN_BOOT = textwrap.dedent(
    """
    import sys
    from os_ken.lib import hub
    hub.patch(thread=False)
    from os_ken import cfg
    from os_ken.base.app_manager import AppManager
    import os_ken.controller.controller
    cfg.CONF(args=["--ofp-tcp-listen-port", sys.argv[1], "--ofp-listen-host", "127.0.0.1"],
             project="os_ken")
    mgr = AppManager.get_instance()
    mgr.load_apps([sys.argv[2]])
    threads = mgr.instantiate_apps(**mgr.create_contexts())
    print("ready", flush=True)
    hub.joinall(threads)
    """
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process, all threads (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def switch_handshake(sock: socket.socket, dpid: int) -> None:
    """Answer the controller until it has asked for the port description (the last step)."""
    sock.settimeout(20)
    sock.sendall(hello_bytes({4}))
    buf = bytearray()
    while True:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("controller closed during the handshake")
        buf += data
        while len(buf) >= 8:
            _v, msg_type, length, xid = HEADER.unpack_from(buf)
            if len(buf) < length:
                break
            del buf[:length]
            if msg_type == 5:  # FEATURES_REQUEST
                sock.sendall(HEADER.pack(4, 6, 32, xid) + _FEATURES.pack(dpid, 0, 254, 0, 0x4F, 0))
            elif msg_type == 2:  # ECHO_REQUEST
                sock.sendall(HEADER.pack(4, 3, 8, xid))
            elif msg_type == 20:  # BARRIER_REQUEST
                sock.sendall(HEADER.pack(4, 21, 8, xid))
            elif msg_type == 18:  # MULTIPART_REQUEST: the port description
                sock.sendall(HEADER.pack(4, 19, 16, xid) + _PORT_DESC.pack(13, 0))
                sock.settimeout(None)
                return


def connect_switches(port: int, dpids: list[int], handshake: bool = True) -> list[socket.socket]:
    """One TCP_NODELAY connection per dpid to the controller on ``port``, handshake done."""
    socks = []
    for dpid in dpids:
        s = socket.create_connection(("127.0.0.1", port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if handshake:
            switch_handshake(s, dpid)
        socks.append(s)
    return socks


def serve_floor(port: int, ready, new_connection: Callable[[], Callable[[bytes], bytes]]) -> None:
    """A floor "controller": accept switches on ``port`` forever; sets ``ready`` once listening.

    ``new_connection()`` is called per accepted switch and returns that connection's
    ``answer(data) -> reply``, called with whatever the switch sends.
    """
    lsock = socket.socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", port))
    lsock.listen(512)
    sel = selectors.DefaultSelector()
    sel.register(lsock, selectors.EVENT_READ)
    ready.set()
    while True:
        for key, _ in sel.select():
            if key.fileobj is lsock:
                conn, _ = lsock.accept()
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(conn, selectors.EVENT_READ, new_connection())
                continue
            conn = key.fileobj
            try:
                data = conn.recv(262144)
            except OSError:  # a generator that finished resets its connections
                data = b""
            if not data:
                sel.unregister(conn)
                conn.close()
                continue
            out = key.data(data)
            if out:
                conn.sendall(out)


def start_ctrlapp(
    apps: list[str], port: int, state_dir: Path | str, config: Path | None = None
) -> subprocess.Popen:
    """``python -m ctrlapp`` with ``apps`` on ``port`` (no REST, no RPC); returns once it logs."""
    cmd = [sys.executable, "-m", "ctrlapp", *apps]
    if config is not None:
        cmd += ["--config", str(config)]
    cmd += [
        "--ofp-listen-host", "127.0.0.1", "--ofp-tcp-listen-port", str(port),
        "--no-rest", "--no-rpc", "--state-dir", str(state_dir), "--log-level", "warning",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    proc.stdout.readline()
    return proc


def start_osken(app_source: str, port: int, workdir: Path) -> subprocess.Popen:
    """An os-ken process running ``app_source`` on ``port``; returns once its apps are up."""
    app = workdir / "osken_app.py"
    app.write_text(app_source)
    boot = workdir / "osken_boot.py"
    boot.write_text(OSKEN_BOOT)
    proc = subprocess.Popen(
        [sys.executable, str(boot), str(port), str(app)],
        cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    proc.stdout.readline()
    return proc


def wait_listening(port: int, timeout: float = 20.0) -> None:
    """Return once something accepts TCP connections on ``port``; raise after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def stop_process(proc: subprocess.Popen | mp.Process) -> None:
    """Terminate a controller (a child process or a multiprocessing worker), killing a stuck one."""
    if isinstance(proc, subprocess.Popen):
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
    else:
        proc.terminate()
        proc.join(5)
