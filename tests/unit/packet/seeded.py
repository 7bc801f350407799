"""Seed-driven example generation for the VLAN/MPLS/IP/ICMP property tests.

Hypothesis draws a single integer per example and the frame's structure comes
from ``random.Random(seed)``.  One draw costs about a third of what drawing
every field (or every mutation, as ``tests.support.packet_contract.mutated``
does) costs, which keeps each property under its time budget at the CI
profile's 3000 examples.  A failing example is reported as its seed, which is
enough to rebuild it.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from hypothesis import strategies as st

SEEDS = st.integers(0, 2**32 - 1)


def edge(rng: random.Random, hi: int, lo: int = 0) -> int:
    """``lo``, ``hi`` or anything in between: where encoders and decoders slip."""
    return rng.choice((lo, hi, rng.randint(lo, hi)))


def mutate(rng: random.Random, data: bytes) -> bytes:
    """``data`` with up to 4 bytes replaced, then kept, truncated or extended."""
    out = bytearray(data)
    for _ in range(rng.randint(0, 4)):
        if out:
            out[rng.randrange(len(out))] = rng.choice((0, 0xFF, rng.getrandbits(8)))
    how = rng.randrange(3)
    if how == 1:
        del out[rng.randint(0, len(out)) :]
    elif how == 2:
        out += rng.randbytes(rng.randint(1, 32))
    return bytes(out)


def frames_from(make: Callable[[random.Random], bytes]) -> st.SearchStrategy[bytes]:
    """Valid frames: ``make`` builds one from a seeded generator."""
    return SEEDS.map(lambda seed: make(random.Random(seed)))


def mutated_frames_from(make: Callable[[random.Random], bytes]) -> st.SearchStrategy[bytes]:
    """Valid frames from ``make`` with bytes flipped, truncated or extended."""

    def one(seed: int) -> bytes:
        rng = random.Random(seed)
        return mutate(rng, make(rng))

    return SEEDS.map(one)
