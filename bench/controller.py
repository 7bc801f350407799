"""Controller benchmark: PACKET_IN -> app -> PACKET_OUT through ctrlapp, os-ken and a raw floor.

Run: ``python bench/controller.py`` (``--duration`` seconds per measurement, default 3).

Emulated OpenFlow 1.3 switches (1, 16, 64) on loopback send PACKET_INs carrying
a 60-byte ARP request; a small app answers each with a PACKET_OUT.  The same
app is run by ``ctrlapp-manager`` and by os-ken (the source differs only in
its import lines), each in its own process.  The *floor* is a process that
reads PACKET_INs and writes one fixed PACKET_OUT per PACKET_IN without parsing
anything: what the kernel and Python I/O alone cost.

The switches live in separate load-generator processes (raw sockets,
pre-encoded messages, a closed loop of 64 outstanding PACKET_INs shared among
the switches), so the generator is not what is measured.  For each controller
the benchmark reports replies/s, round-trip latency (median and p99) under
that load and unloaded (one switch, one packet in flight), controller CPU per
reply (from /proc, all threads) and its ratio to the floor's, and resident
memory per idle connected switch (RSS growth with 200 idle switches).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import selectors
import statistics
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import (  # noqa: E402
    HEADER,
    connect_switches,
    cpu_seconds,
    free_port,
    rss_kib,
    serve_floor,
    start_ctrlapp,
    start_osken,
    stop_process,
    wait_listening,
)
from ctrlapp.ofproto import ofproto_v1_3_parser as parser13  # noqa: E402
from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER  # noqa: E402

ARP_REQUEST = bytes.fromhex(
    "ffffffffffff00112233445508060001080006040001"
    "0011223344550a000001000000000000"
    "0a000002" + "00" * 18
)
TOTAL_WINDOW = 64

APP_BODY = """
class BenchReflector({base}):
    OFP_VERSIONS = [ofproto_v1_3.OFP_VERSION]

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in_handler(self, ev):
        msg = ev.msg
        dp = msg.datapath
        parser = dp.ofproto_parser
        in_port = msg.match["in_port"]
        actions = [parser.OFPActionOutput(in_port)]
        dp.send_msg(parser.OFPPacketOut(datapath=dp, buffer_id=msg.buffer_id, in_port=in_port,
                                        actions=actions, data=msg.data))
"""
CTRLAPP_APP = (
    "from ctrlapp.base import app_manager\n"
    "from ctrlapp.controller import ofp_event\n"
    "from ctrlapp.controller.handler import MAIN_DISPATCHER, set_ev_cls\n"
    "from ctrlapp.ofproto import ofproto_v1_3\n"
) + APP_BODY.format(base="app_manager.RyuApp")
OSKEN_APP = (
    "from os_ken.base import app_manager\n"
    "from os_ken.controller import ofp_event\n"
    "from os_ken.controller.handler import MAIN_DISPATCHER, set_ev_cls\n"
    "from os_ken.ofproto import ofproto_v1_3\n"
) + APP_BODY.format(base="app_manager.OSKenApp")


def _packet_in() -> bytes:
    msg = parser13.OFPPacketIn(
        None,
        buffer_id=OFP_NO_BUFFER,
        total_len=len(ARP_REQUEST),
        reason=0,
        table_id=0,
        cookie=0,
        match=parser13.OFPMatch(in_port=1),
        data=ARP_REQUEST,
    )
    msg.serialize()
    return bytes(msg.buf)


def _packet_out() -> bytes:
    msg = parser13.OFPPacketOut(
        None,
        buffer_id=OFP_NO_BUFFER,
        in_port=1,
        actions=[parser13.OFPActionOutput(1)],
        data=ARP_REQUEST,
    )
    msg.serialize()
    return bytes(msg.buf)


PACKET_IN = _packet_in()
PACKET_OUT = _packet_out()


# -- the emulated switches (load generator) ------------------------------------------------


def load_generator(port, dpids, window, handshake, ready_q, start_q, result_q) -> None:
    socks = connect_switches(port, dpids, handshake)
    ready_q.put(len(socks))
    t_start, t_end = start_q.get()
    if window == 0:  # idle switches for the memory measurement: hold the connections
        time.sleep(max(0.0, t_end - time.monotonic()))
        result_q.put((0, []))
        return
    sel = selectors.DefaultSelector()
    state = {}
    now = time.monotonic()
    for s in socks:
        sent = deque([now] * window)
        state[s.fileno()] = (s, bytearray(), sent)
        sel.register(s, selectors.EVENT_READ)
        s.sendall(PACKET_IN * window)
    latencies = []
    count = 0
    unpack = HEADER.unpack_from
    monotonic = time.monotonic
    while True:
        now = monotonic()
        if now >= t_end:
            break
        for key, _ in sel.select(0.2):
            s, buf, sent = state[key.fd]
            data = s.recv(262144)
            if not data:
                raise ConnectionError("controller closed the connection")
            buf += data
            off = 0
            end = len(buf)
            replies = 0
            extra = b""
            while end - off >= 8:
                _v, msg_type, length, xid = unpack(buf, off)
                if end - off < length:
                    break
                if msg_type == 13:
                    replies += 1
                elif msg_type == 2:
                    extra += HEADER.pack(4, 3, length, xid) + bytes(buf[off + 8 : off + length])
                off += length
            del buf[:off]
            if replies:
                now = monotonic()
                measuring = t_start <= now < t_end
                for _ in range(replies):
                    t = sent.popleft()
                    if measuring:
                        latencies.append(now - t)
                if measuring:
                    count += replies
                sent.extend([now] * replies)
                s.sendall(PACKET_IN * replies + extra)
            elif extra:
                s.sendall(extra)
    result_q.put((count, latencies))
    for s in socks:
        s.close()


# -- the controllers ------------------------------------------------------------------------


def floor_server(port: int, ready) -> None:
    """Read PACKET_INs, write one fixed PACKET_OUT per whole PACKET_IN; nothing else."""
    size = len(PACKET_IN)

    def new_connection():
        pending = 0

        def answer(data: bytes) -> bytes:
            nonlocal pending
            n, pending = divmod(pending + len(data), size)
            return PACKET_OUT * n

        return answer

    serve_floor(port, ready, new_connection)


class Controller:
    """One controller under test, run as a child process."""

    def __init__(self, name: str, workdir: Path) -> None:
        self.name = name
        self.port = free_port()
        self.handshake = name != "floor"
        if name == "ctrlapp":
            app = workdir / "bench_reflector.py"
            app.write_text(CTRLAPP_APP)
            self.proc = start_ctrlapp([str(app)], self.port, workdir / "state")
        elif name == "os-ken":
            self.proc = start_osken(OSKEN_APP, self.port, workdir)
        else:
            ready = mp.Event()
            self.proc = mp.Process(target=floor_server, args=(self.port, ready), daemon=True)
            self.proc.start()
            ready.wait(10)
        self.pid = self.proc.pid
        wait_listening(self.port)

    def stop(self) -> None:
        stop_process(self.proc)


def run_case(
    ctl: Controller, n_switches: int, window: int, duration: float, warmup: float, dpid0: int
):
    """Drive ``n_switches`` against ``ctl``; returns replies/s, latencies, CPU seconds per reply."""
    n_gen = 1 if n_switches == 1 else 2
    dpids = [dpid0 + i for i in range(n_switches)]
    ready_q, result_q = mp.Queue(), mp.Queue()
    start_qs = [mp.Queue() for _ in range(n_gen)]
    gens = [
        mp.Process(
            target=load_generator,
            args=(ctl.port, dpids[i::n_gen], window, ctl.handshake, ready_q, start_qs[i], result_q),
            daemon=True,
        )
        for i in range(n_gen)
    ]
    for g in gens:
        g.start()
    for _ in gens:
        ready_q.get(timeout=120)
    time.sleep(0.3)  # let the controller finish moving the switches to MAIN
    t_start = time.monotonic() + warmup
    t_end = t_start + duration
    for q in start_qs:
        q.put((t_start, t_end))
    time.sleep(max(0.0, t_start - time.monotonic()))
    cpu0, rss = cpu_seconds(ctl.pid), rss_kib(ctl.pid)
    time.sleep(max(0.0, t_end - time.monotonic()))
    cpu1 = cpu_seconds(ctl.pid)
    count, latencies = 0, []
    for _ in gens:
        c, lat = result_q.get(timeout=60)
        count += c
        latencies += lat
    for g in gens:
        g.join(10)
    return {
        "rate": count / duration,
        "latencies": latencies,
        "cpu_per_msg": (cpu1 - cpu0) / count if count else float("nan"),
        "rss_kib": rss,
    }


def idle_memory(ctl: Controller, n: int, dpid0: int) -> float:
    """KiB of controller RSS per idle connected switch."""
    before = rss_kib(ctl.pid)
    ready_q, result_q, start_q = mp.Queue(), mp.Queue(), mp.Queue()
    gen = mp.Process(
        target=load_generator,
        args=(
            ctl.port,
            [dpid0 + i for i in range(n)],
            0,
            ctl.handshake,
            ready_q,
            start_q,
            result_q,
        ),
        daemon=True,
    )
    gen.start()
    ready_q.get(timeout=120)
    time.sleep(1.0)
    after = rss_kib(ctl.pid)
    start_q.put((0.0, time.monotonic()))
    result_q.get(timeout=30)
    gen.join(10)
    return (after - before) / n


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--duration", type=float, default=3.0, help="seconds measured per case")
    ap.add_argument("--warmup", type=float, default=1.0, help="seconds before measuring")
    ap.add_argument("--switches", default="1,16,64", help="switch counts (comma separated)")
    ap.add_argument("--idle", type=int, default=200, help="idle switches for the memory figure")
    ap.add_argument("--only", default="floor,ctrlapp,os-ken", help="controllers to run")
    args = ap.parse_args(argv)
    counts = [int(x) for x in args.switches.split(",")]
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.only.split(","):
            ctl = Controller(name, Path(tmp))
            try:
                res = results[name] = {}
                dpid = 1
                lat1 = run_case(ctl, 1, 1, args.duration, args.warmup, dpid)
                dpid += 1
                res["unloaded_ms"] = statistics.median(lat1["latencies"]) * 1e3
                for n in counts:
                    r = run_case(
                        ctl, n, max(1, TOTAL_WINDOW // n), args.duration, args.warmup, dpid
                    )
                    dpid += n
                    res[n] = r
                    print(
                        f"{name:8} {n:3} switches: {r['rate']:9.0f} replies/s  "
                        f"median {pct(r['latencies'], 0.5) * 1e3:6.2f} ms  "
                        f"p99 {pct(r['latencies'], 0.99) * 1e3:6.2f} ms  "
                        f"CPU {r['cpu_per_msg'] * 1e6:6.1f} us/reply",
                        flush=True,
                    )
                if ctl.handshake and args.idle:
                    res["idle_kib"] = idle_memory(ctl, args.idle, dpid)
            finally:
                ctl.stop()
    report(results, counts)
    return 0


def report(results: dict[str, dict], counts: list[int]) -> None:
    print()
    print("| controller | switches | replies/s | median ms | p99 ms | CPU us/reply | CPU x floor |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    floor = results.get("floor", {})
    for name, res in results.items():
        for n in counts:
            r = res[n]
            base = floor.get(n, {}).get("cpu_per_msg")
            ratio = f"{r['cpu_per_msg'] / base:.1f}" if base else "-"
            print(
                f"| {name} | {n} | {r['rate']:.0f} | {pct(r['latencies'], 0.5) * 1e3:.2f} | "
                f"{pct(r['latencies'], 0.99) * 1e3:.2f} | {r['cpu_per_msg'] * 1e6:.1f} | {ratio} |"
            )
    print()
    for name, res in results.items():
        line = f"{name}: unloaded round trip {res['unloaded_ms']:.3f} ms"
        if "idle_kib" in res:
            line += f"; {res['idle_kib']:.1f} KiB per idle switch"
        if len(counts) > 1:
            line += f"; throughput {counts[-1]} vs {counts[0]} switches: {res[counts[-1]]['rate'] / res[counts[0]]['rate']:.2f}"
        print(line)
    if "ctrlapp" in results and "os-ken" in results:
        ours, theirs = results["ctrlapp"], results["os-ken"]
        for n in counts:
            print(
                f"{n} switches: ctrlapp/os-ken throughput {ours[n]['rate'] / theirs[n]['rate']:.1f}x, "
                f"median latency {pct(ours[n]['latencies'], 0.5) / pct(theirs[n]['latencies'], 0.5):.2f}x"
            )


if __name__ == "__main__":
    sys.exit(main())
