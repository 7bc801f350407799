"""IGMP snooping benchmark: membership reports ingested per second, by the engine and by the app.

Run: ``python bench/igmp.py`` (``--duration`` seconds per runtime measurement, default 3).

* **Engine**: pre-encoded Ethernet frames decoded with the packet library
  (``Packet(frame)``) and handed to :class:`~ctrlapp.services.igmp.snooping.Snooper`
  (one switch, a router port, ``--groups`` groups spread over 8 ports), in a
  loop in this process.  Three mixes: v3 reports with one IS_EX record (the
  periodic answer of a Linux host), v3 reports with four records, v2 reports;
  and a churn mix (each report a join or a leave, so every message changes a
  forwarding set and every leave triggers a group-specific query).  Each
  figure is the best of three runs, printed beside the rate of decoding the
  same frames alone (the floor the engine adds to).
* **App**: ``ctrlapp-manager apps/l2_switch.py apps/igmp_snooping.py`` with no
  configuration file (a real process) serves emulated switches on loopback.
  Each switch first sends a query from a router on port 8, so every report is
  relayed to that port with a PACKET_OUT; the load generator (a separate
  process with pre-encoded PACKET_INs) keeps ``--window`` reports in flight per
  switch and counts the relays.  CPU seconds of the controller per report are
  printed too (the steadier figure on a shared machine).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import selectors
import struct
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.loadgen import (  # noqa: E402
    HEADER,
    connect_switches,
    cpu_seconds,
    free_port,
    start_ctrlapp,
    stop_process,
    wait_listening,
)
from ctrlapp.lib.packet import ethernet, ipv4, packet  # noqa: E402
from ctrlapp.lib.packet import igmp as ig  # noqa: E402
from ctrlapp.ofproto import ofproto_v1_3_parser as parser13  # noqa: E402
from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER  # noqa: E402
from ctrlapp.services.igmp.snooping import Snooper  # noqa: E402

COOKIE = 0x49474D50
ROUTER_PORT = 8
OFPP_CONTROLLER = 0xFFFFFFFD


def frame(msg: ig.igmp, src_ip: str, dst_ip: str = "224.0.0.22") -> bytes:
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet("01:00:5e:00:00:16", "02:00:00:00:00:01", 0x0800))
    p.add_protocol(
        ipv4.ipv4(header_length=6, tos=0xC0, ttl=1, proto=2, src=src_ip, dst=dst_ip,
                  option=b"\x94\x04\x00\x00")
    )  # fmt: skip
    p.add_protocol(msg)
    p.serialize()
    return bytes(p.data)


def group(i: int) -> str:
    return f"239.{i >> 16 & 0xFF}.{i >> 8 & 0xFF}.{i & 0xFF or 1}"


def reports(kind: str, groups: int) -> list[tuple[int, bytes]]:
    """(in_port, frame) for each group: the reports one round of hosts sends."""
    out = []
    for i in range(groups):
        port = 1 + i % 7
        src = f"10.0.{i >> 8 & 0xFF}.{i & 0xFF or 1}"
        if kind == "v3x1":
            msg = ig.igmpv3_report(
                records=[ig.igmpv3_report_group(ig.MODE_IS_EXCLUDE, address=group(i))]
            )
        elif kind == "v3x4":
            msg = ig.igmpv3_report(
                records=[
                    ig.igmpv3_report_group(ig.MODE_IS_EXCLUDE, address=group((i + k) % groups))
                    for k in range(4)
                ]
            )
        else:
            msg = ig.igmp(ig.IGMP_TYPE_REPORT_V2, 0, 0, group(i))
        out.append((port, frame(msg, src, "224.0.0.22" if kind != "v2" else group(i))))
    return out


def churn(groups: int) -> list[tuple[int, bytes]]:
    out = []
    for i in range(groups):
        port = 1 + i % 7
        src = f"10.0.{i >> 8 & 0xFF}.{i & 0xFF or 1}"
        for rtype in (ig.CHANGE_TO_EXCLUDE_MODE, ig.CHANGE_TO_INCLUDE_MODE):
            rec = ig.igmpv3_report_group(rtype, address=group(i))
            out.append((port, frame(ig.igmpv3_report(records=[rec]), src)))
    return out


def decode_rate(msgs: list[tuple[int, bytes]], rounds: int) -> float:
    """The floor of :func:`engine_rate`: decoding the same frames and nothing else."""
    get = packet.Packet.get_protocol
    start = time.perf_counter()
    for _ in range(rounds):
        for _port, data in msgs:
            p = packet.Packet(data)
            get(p, ipv4.ipv4), get(p, ig.igmp)
    return rounds * len(msgs) / (time.perf_counter() - start)


def engine_rate(msgs: list[tuple[int, bytes]], rounds: int) -> float:
    """Reports per second through decode + Snooper.receive (+ a tick per round)."""
    s = Snooper()
    s.add_switch(1, 0.0)
    s.router_seen(1, 0, ROUTER_PORT, 0.0)
    get = packet.Packet.get_protocol
    t = 0.0
    for port, data in msgs:  # warm up: the groups exist before timing
        p = packet.Packet(data)
        s.receive(1, 0, port, get(p, ipv4.ipv4), get(p, ig.igmp), t)
    start = time.perf_counter()
    for _ in range(rounds):
        t += 1.0
        for port, data in msgs:
            p = packet.Packet(data)
            s.receive(1, 0, port, get(p, ipv4.ipv4), get(p, ig.igmp), t)
        s.tick(t)
    return rounds * len(msgs) / (time.perf_counter() - start)


# -- the app through the runtime -----------------------------------------------------------------


def packet_in(data: bytes, in_port: int) -> bytes:
    msg = parser13.OFPPacketIn(
        None, OFP_NO_BUFFER, len(data), 1, 0, COOKIE, parser13.OFPMatch(in_port=in_port), data
    )
    msg.set_xid(0)
    msg.serialize()
    return bytes(msg.buf)


def load_generator(port, dpids, groups, window, start_q, result_q) -> None:
    """Closed loop per switch: a relayed report (PACKET_OUT to the router port) frees a slot."""
    msgs = [packet_in(data, p) for p, data in reports("v3x1", groups)]
    query = packet_in(frame(ig.igmpv3_query(), "10.0.0.254", "224.0.0.1"), ROUTER_PORT)
    socks = connect_switches(port, dpids)
    for s in socks:
        s.sendall(query)
    t_start, t_end = start_q.get()
    sel = selectors.DefaultSelector()
    bufs, nexts = {}, {}
    for s in socks:
        bufs[s.fileno()] = (s, bytearray())
        nexts[s.fileno()] = window
        sel.register(s, selectors.EVENT_READ)
        s.sendall(b"".join(msgs[:window]))
    done = 0
    n = len(msgs)
    monotonic = time.monotonic
    while monotonic() < t_end:
        for key, _ in sel.select(0.2):
            s, buf = bufs[key.fd]
            data = s.recv(262144)
            if not data:
                raise ConnectionError("controller closed the connection")
            buf += data
            off, end = 0, len(buf)
            out = bytearray()
            while end - off >= 8:
                _v, msg_type, length, xid = HEADER.unpack_from(buf, off)
                if end - off < length:
                    break
                if msg_type == 13:  # PACKET_OUT: a relayed report, or a query we ignore
                    in_port = struct.unpack_from("!I", buf, off + 12)[0]
                    if in_port != OFPP_CONTROLLER and in_port != ROUTER_PORT:
                        if t_start <= monotonic():
                            done += 1
                        i = nexts[key.fd]
                        nexts[key.fd] = i + 1
                        out += msgs[i % n]
                elif msg_type == 2:  # ECHO_REQUEST
                    out += HEADER.pack(4, 3, length, xid) + bytes(buf[off + 8 : off + length])
                off += length
            del buf[:off]
            if out:
                s.sendall(out)
    result_q.put(done)
    for s in socks:
        s.close()


def app_rate(switches: int, groups: int, window: int, duration: float) -> tuple[float, float]:
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_ctrlapp(["apps/l2_switch.py", "apps/igmp_snooping.py"], port, tmp)
        try:
            wait_listening(port)
            n_gen = 2 if switches > 1 else 1
            dpids = list(range(1, switches + 1))
            start_qs = [mp.Queue() for _ in range(n_gen)]
            result_q = mp.Queue()
            gens = [
                mp.Process(
                    target=load_generator,
                    args=(port, dpids[i::n_gen], groups, window, start_qs[i], result_q),
                    daemon=True,
                )
                for i in range(n_gen)
            ]
            for g in gens:
                g.start()
            time.sleep(1.5 + 0.02 * switches)
            t_start = time.monotonic() + 1.0
            for q in start_qs:
                q.put((t_start, t_start + duration))
            time.sleep(max(0.0, t_start - time.monotonic()))
            cpu0 = cpu_seconds(proc.pid)
            time.sleep(max(0.0, t_start + duration - time.monotonic()))
            cpu1 = cpu_seconds(proc.pid)
            total = sum(result_q.get(timeout=duration + 60) for _ in gens)
            for g in gens:
                g.join(10)
        finally:
            stop_process(proc)
    return total / duration, (cpu1 - cpu0) / total if total else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=3.0)
    ap.add_argument("--groups", type=int, default=500)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--window", type=int, default=64)
    ap.add_argument("--switches", type=int, default=4)
    ap.add_argument("--no-app", action="store_true", help="engine figures only")
    args = ap.parse_args(argv)
    print(f"engine (decode + Snooper.receive), {args.groups} groups, 1 switch:")
    for kind, label in (
        ("v3x1", "v3 report, 1 IS_EX record"),
        ("v3x4", "v3 report, 4 IS_EX records"),
        ("v2", "v2 report"),
    ):
        msgs = reports(kind, args.groups)
        floor = max(decode_rate(msgs, args.rounds) for _ in range(3))
        rate = max(engine_rate(msgs, args.rounds) for _ in range(3))
        print(f"  {label:32s} {rate:12,.0f} reports/s  (decode alone {floor:,.0f}/s, "
              f"engine share {1 - rate / floor:.0%})")  # fmt: skip
    msgs = churn(args.groups)
    floor = max(decode_rate(msgs, args.rounds // 2 or 1) for _ in range(3))
    rate = max(engine_rate(msgs, args.rounds // 2 or 1) for _ in range(3))
    print(f"  {'join/leave churn (TO_EX, TO_IN)':32s} {rate:12,.0f} reports/s  "
          f"(decode alone {floor:,.0f}/s, engine share {1 - rate / floor:.0%})")  # fmt: skip
    if args.no_app:
        return 0
    rate, cpu = app_rate(args.switches, args.groups, args.window, args.duration)
    print(
        f"app (ctrlapp-manager l2_switch + igmp_snooping, {args.switches} emulated switches, "
        f"window {args.window}):"
    )
    print(f"  {'v3 report, 1 IS_EX record':32s} {rate:12,.0f} reports/s  "
          f"{cpu * 1e6:6.1f} us CPU/report")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
