"""Packet codec benchmark: ctrlapp against dpkt and os-ken on the same frames, in one process.

Run: ``python bench/packet_codec.py [--rounds N] [--min-time S] [--only TEXT]``

Cases come from every ``bench/codec_cases_*.py`` module (each defines
``CASES: list[CodecCase]``).  For each case and each library the decode and
the encode callables are timed the same way: the loop count is grown until one
round takes at least ``--min-time`` seconds, then the three libraries take
turns for ``--rounds`` rounds and each one's best round is kept, with the
garbage collector off during a round as :mod:`timeit` does.  Rounds are short
(3 ms) and many (200) on purpose: on a shared machine a short round often runs
without being preempted, and the best of many such rounds is close to the
unloaded speed, where long rounds all absorb other processes' time slices.  Rates are packets per
second on one core; the last two columns are ctrlapp's rate divided by
dpkt's and by os-ken's.  Targets: both ratios at least 1 against dpkt and 5
against os-ken; a missed target is marked with ``!``.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
import time
import traceback
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.codec_case import CodecCase  # noqa: E402

TARGET_DPKT = 1.0
TARGET_OSKEN = 5.0


def discover() -> list[CodecCase]:
    """Every case of every ``bench/codec_cases_*.py``; a module that fails to import is reported."""
    cases: list[CodecCase] = []
    for path in sorted((ROOT / "bench").glob("codec_cases_*.py")):
        name = f"bench.{path.stem}"
        try:
            module = importlib.import_module(name)
        except Exception:
            print(f"skipping {name}: import failed", file=sys.stderr)
            traceback.print_exc()
            continue
        cases.extend(getattr(module, "CASES", []))
    return cases


def _one_round(fn: Callable[[], object], n: int) -> float:
    loop = range(n)
    gc_was_on = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in loop:
            fn()
        return time.perf_counter() - start
    finally:
        if gc_was_on:
            gc.enable()


def _loop_count(fn: Callable[[], object], min_time: float) -> int:
    """A number of calls of ``fn`` that takes at least ``min_time`` seconds."""
    n = 1
    while True:
        elapsed = _one_round(fn, n)
        if elapsed >= min_time:
            return n
        n = n * 2 if elapsed < min_time / 8 else int(n * min_time / max(elapsed, 1e-9)) + 1


def rates(
    fns: dict[str, Callable[[], object] | None], rounds: int, min_time: float
) -> dict[str, float | None]:
    """Best-of-``rounds`` calls per second of each callable (``None`` where there is none).

    The libraries take turns within each round, so a burst of load on the
    machine hits all of them rather than one.
    """
    present = {lib: fn for lib, fn in fns.items() if fn is not None}
    counts = {lib: _loop_count(fn, min_time) for lib, fn in present.items()}
    best = {lib: float("inf") for lib in present}
    for _ in range(rounds):
        for lib, fn in present.items():
            best[lib] = min(best[lib], _one_round(fn, counts[lib]) / counts[lib])
    return {lib: (1.0 / best[lib] if lib in best else None) for lib in fns}


def _fmt_rate(r: float | None) -> str:
    return "n/a" if r is None else f"{r:,.0f}"


def _fmt_ratio(ours: float, theirs: float | None, target: float) -> str:
    if theirs is None:
        return "n/a"
    ratio = ours / theirs
    return f"{ratio:.2f}{'' if ratio >= target else ' !'}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=200, help="timing rounds per measurement")
    ap.add_argument("--min-time", type=float, default=0.003, help="seconds per round at least")
    ap.add_argument("--only", default="", help="run only cases whose name contains this")
    args = ap.parse_args(argv)

    warnings.simplefilter("ignore")
    cases = [c for c in discover() if args.only in c.name]
    header = (
        f"{'case':<40} {'op':<6} {'ctrlapp pkt/s':>14} {'dpkt pkt/s':>12} "
        f"{'os-ken pkt/s':>13} {'/dpkt':>7} {'/os-ken':>8}"
    )
    print(f"Python {sys.version.split()[0]}, best of {args.rounds} rounds of >= {args.min_time}s")
    print(header)
    print("-" * len(header))
    missed = 0
    for case in cases:
        for op in ("decode", "encode"):
            measured = rates(
                {lib: getattr(case, f"{lib}_{op}") for lib in ("ctrlapp", "dpkt", "osken")},
                args.rounds,
                args.min_time,
            )
            ours, dp, ok = measured["ctrlapp"], measured["dpkt"], measured["osken"]
            assert ours is not None
            if (dp is not None and ours < TARGET_DPKT * dp) or (
                ok is not None and ours < TARGET_OSKEN * ok
            ):
                missed += 1
            print(
                f"{case.name:<40} {op:<6} {_fmt_rate(ours):>14} {_fmt_rate(dp):>12} "
                f"{_fmt_rate(ok):>13} {_fmt_ratio(ours, dp, TARGET_DPKT):>7} "
                f"{_fmt_ratio(ours, ok, TARGET_OSKEN):>8}",
                flush=True,
            )
    print(
        f"targets: ctrlapp >= {TARGET_DPKT:g}x dpkt and >= {TARGET_OSKEN:g}x os-ken; "
        f"{missed} measurement(s) below target (marked !)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
