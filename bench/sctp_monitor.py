"""SCTP association monitor benchmark: ingest rate against the number of associations, and memory.

Run: ``python bench/sctp_monitor.py [--sizes 10,10000,1000000] [--traffic N] [--rounds R]``

For each size the tracker (:mod:`ctrlapp.services.sctp.tracker`) first sees
every association set up (INIT, INIT ACK, COOKIE ECHO, COOKIE ACK), then the
timed part: ``--traffic`` frames (default 100,000) of DATA (on two streams,
S1AP) and SACK, each for an association drawn at random, so a large table is
visited all over as in a busy network.  A frame is handed over as the
PACKET_IN's bytes: finding the SCTP header, the CRC32C check and the chunk
walk are all included.  The frames are built beforehand from a template
(ports, tags and TSNs patched, CRC recomputed) so that building them is not
timed.  All sizes are set up first; then ``--rounds`` rounds (default 5) each
time every size once, on fresh traffic.  The rate shown is a size's best
round; the ratio to the smallest size is the median over rounds of the ratio
within a round, which stays steady on a busy machine.

Memory: with tracemalloc, the bytes allocated while 100,000 associations are
set up (and, second figure, also carry DATA on two streams, a SACK, a
heartbeat and its ack), divided by 100,000: the tracker's indexes included.  Targets: the ingest rate with the
largest size at least 80% of the rate with 10 associations; under 1 KiB per
association.  A row missing its target is marked with ``!``.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import struct
import sys
import time
import tracemalloc
from pathlib import Path

from crc32c import crc32c

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ctrlapp.lib.packet import sctp  # noqa: E402
from ctrlapp.services.sctp.tracker import AssociationTracker, TrackerConfig  # noqa: E402
from tests.support.sctp_conversation import Conversation  # noqa: E402

SCTP_OFF = 34  # Ethernet + option-less IPv4
# S1AP, Diameter, M3UA, NGAP, X2AP, H.248, IUA, SGsAP, SBc-AP, M2AP ... and a few more,
# so that 60,000 client ports per server port give over a million associations.
SERVER_PORTS = (36412, 3868, 2905, 38412, 36422, 2944, 9900, 29118, 29168, 36443, 5000, 6000)
SERVER_PORTS += tuple(range(7000, 7010))
CRC = struct.Struct("<I")
U16 = struct.Struct("!H")
U32 = struct.Struct("!I")


def _templates() -> dict[str, bytes]:
    c = Conversation()
    init, init_ack, echo, ack = c.handshake()
    return {
        "init": init,
        "init_ack": init_ack,
        "echo": echo,
        "ack": ack,
        "data": c.frame(
            "A", [sctp.chunk_data(begin=1, end=1, tsn=1, payload_id=18, payload_data=b"m" * 80)]
        ),
        "sack": c.frame("Z", [sctp.chunk_sack(tsn_ack=1, a_rwnd=65536)]),
        "hb": c.heartbeat("A", b"heartbeat-info-16"),
        "hb_ack": c.heartbeat("Z", b"heartbeat-info-16", ack=True),
    }


T = _templates()


def _patch(tpl: bytes, sport: int, dport: int, vtag: int, fields: dict[int, int]) -> bytes:
    f = bytearray(tpl)
    U16.pack_into(f, SCTP_OFF, sport)
    U16.pack_into(f, SCTP_OFF + 2, dport)
    U32.pack_into(f, SCTP_OFF + 4, vtag)
    for off, value in fields.items():
        if off < 0:
            U16.pack_into(f, -off, value)
        else:
            U32.pack_into(f, off, value)
    f[SCTP_OFF + 8 : SCTP_OFF + 12] = b"\0\0\0\0"
    end = 14 + (f[16] << 8 | f[17])  # the IP total length: Ethernet padding is not SCTP's
    CRC.pack_into(f, SCTP_OFF + 8, crc32c(bytes(f[SCTP_OFF:end])))
    return bytes(f)


class Assoc:
    __slots__ = ("pa", "pz", "ta", "tz", "tsn")

    def __init__(self, i: int) -> None:
        self.pa = 1024 + i % 60000
        self.pz = SERVER_PORTS[i // 60000]
        self.ta = 0x10000000 + 2 * i
        self.tz = 0x10000001 + 2 * i
        self.tsn = 1000


def setup_frames(a: Assoc) -> list[bytes]:
    # Field offsets: INIT/INIT ACK initiate tag at 50, initial TSN at 62.
    return [
        _patch(T["init"], a.pa, a.pz, 0, {50: a.ta, 62: 1000}),
        _patch(T["init_ack"], a.pz, a.pa, a.ta, {50: a.tz, 62: 5000}),
        _patch(T["echo"], a.pa, a.pz, a.tz, {}),
        _patch(T["ack"], a.pz, a.pa, a.ta, {}),
    ]


def data_frame(a: Assoc, sid: int) -> bytes:
    a.tsn += 1
    return _patch(T["data"], a.pa, a.pz, a.tz, {50: a.tsn, -54: sid})


def sack_frame(a: Assoc) -> bytes:
    return _patch(T["sack"], a.pz, a.pa, a.ta, {50: a.tsn})


def populate(n: int, t0: float = 0.0) -> tuple[AssociationTracker, list[Assoc], float]:
    tracker = AssociationTracker(TrackerConfig(max_associations=n + 10, max_half_open=n + 10))
    assocs = [Assoc(i) for i in range(n)]
    now = t0
    observe = tracker.observe
    for a in assocs:
        for f in setup_frames(a):
            now += 1e-6
            observe(f, now, 1)
    return tracker, assocs, now


def traffic(assocs: list[Assoc], count: int, seed: int = 7) -> list[bytes]:
    rnd = random.Random(seed)
    frames = []
    for _ in range(count // 2):
        a = assocs[rnd.randrange(len(assocs))]
        frames.append(data_frame(a, rnd.randrange(2)))
        frames.append(sack_frame(a))
    return frames


def timed(tracker: AssociationTracker, frames: list[bytes], now: float) -> tuple[float, float]:
    """(frames per second, the clock after) for one pass of ``frames``."""
    observe = tracker.observe
    gc.collect()
    start = time.perf_counter()
    for f in frames:
        now += 1e-5
        observe(f, now, 1)
    return len(frames) / (time.perf_counter() - start), now


def memory_per_association(n: int, traffic: bool) -> tuple[float, float]:
    """(tracemalloc bytes per association, the tracker's own estimate per association).

    ``traffic``: after the set-up each association carries DATA on two streams, a SACK,
    a heartbeat and its ack (which creates its per-stream and per-path detail).
    """
    assocs = [Assoc(i) for i in range(n)]
    frames = []
    for a in assocs:
        frames += setup_frames(a)
        if traffic:
            frames += [data_frame(a, 0), data_frame(a, 1), sack_frame(a)]
            frames += [
                _patch(T["hb"], a.pa, a.pz, a.tz, {}),
                _patch(T["hb_ack"], a.pz, a.pa, a.ta, {}),
            ]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracker = AssociationTracker(TrackerConfig(max_associations=n + 10, max_half_open=n + 10))
    now = 0.0
    for f in frames:
        now += 1e-6
        tracker.observe(f, now, 1)
    tracker.expire(now + 1.0)  # empties the window of recent packets kept to spot copies
    gc.collect()
    used = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(tracker.open) == n
    estimate = sum(a.footprint() for a in tracker.open.values()) / n
    return used / n, estimate


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--sizes", default="10,10000,1000000")
    p.add_argument("--traffic", type=int, default=100_000)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--memory-associations", type=int, default=100_000)
    args = p.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"python {sys.version.split()[0]}; {args.traffic} frames per round, {args.rounds} rounds")
    trackers = {}
    for n in sizes:
        start = time.perf_counter()
        trackers[n] = populate(n)
        print(f"set up {n:,} associations in {time.perf_counter() - start:.1f} s", flush=True)
    # Rounds alternate between the sizes, so a busy moment of the machine hits all of them.
    best = dict.fromkeys(sizes, 0.0)
    ratios: dict[int, list[float]] = {n: [] for n in sizes}
    for r in range(args.rounds):
        rates = {}
        for n in sizes:
            tracker, assocs, now = trackers[n]
            rates[n], now = timed(tracker, traffic(assocs, args.traffic, seed=r), now)
            trackers[n] = (tracker, assocs, now)
            best[n] = max(best[n], rates[n])
        for n in sizes:
            ratios[n].append(rates[n] / rates[sizes[0]])
    for n in sizes:
        assert len(trackers[n][0].open) == n, "every association must still be tracked"
    print(f"{'associations':>13} {'frames/s':>10} {'us/frame':>9} {'vs smallest':>11}")
    for n in sizes:
        ratio = statistics.median(ratios[n])
        mark = "" if ratio >= 0.8 else " !"
        print(f"{n:>13,} {best[n]:>10,.0f} {1e6 / best[n]:>9.2f} {ratio:>10.0%}{mark}")
    print("(rates: best round; ratio: median over rounds of the ratio within a round)")
    del trackers
    gc.collect()
    for traffic_too in (False, True):
        per, estimate = memory_per_association(args.memory_associations, traffic_too)
        mark = "" if per < 1024 else " !"
        what = "with DATA on 2 streams and a heartbeat" if traffic_too else "set up, no traffic"
        print(
            f"memory: {per:,.0f} bytes per association{mark} (tracemalloc, "
            f"{args.memory_associations:,} associations {what}; "
            f"the association's own objects {estimate:,.0f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
