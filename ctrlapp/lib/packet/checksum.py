"""The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers.

``checksum(data)`` returns the 16-bit one's complement of the one's complement
sum of ``data`` (odd length padded with a zero byte).  Over a header whose
checksum field holds the right value the function returns 0, which is how
decoded checksums are verified.  Pseudo-headers: RFC 768 / RFC 793 for IPv4,
RFC 8200 §8.1 for IPv6.

The encoders sum in pieces rather than concatenating: big-endian integers of
even-length pieces add up to a number congruent (mod 0xFFFF) to the one's
complement sum of their concatenation, because 2**16 is 1 mod 0xFFFF.
``pseudo_sum`` gives the pseudo-header's share, with the address part cached
per (source, destination) pair; ``fold`` turns a sum into the checksum.
"""

from __future__ import annotations

import functools
import struct

from ctrlapp.lib import addrconv

_PSEUDO4 = struct.Struct("!4s4sxBH")
_PSEUDO6 = struct.Struct("!16s16sI3xB")


def checksum(data: bytes | bytearray | memoryview) -> int:
    """Internet checksum of ``data``."""
    if len(data) % 2:
        data = bytes(data) + b"\x00"
    total = int.from_bytes(data, "big")
    # Fold the big integer 16 bits at a time; end-around carry gives the
    # one's complement sum.
    mod = 0xFFFF
    total = total % mod if total else 0
    if total == 0 and any(data):
        total = mod
    return (~total) & 0xFFFF


def fold(total: int) -> int:
    """Checksum from ``total``, a sum of big-endian 16-bit-aligned integers of the covered bytes."""
    rest = total % 0xFFFF
    # A non-zero sum that is a multiple of 0xFFFF is one's complement -0 (0xFFFF), not +0.
    if not rest and total:
        return 0
    return (~rest) & 0xFFFF


@functools.lru_cache(maxsize=4096)
def ipv4_pair(src: str, dst: str) -> tuple[bytes, bytes, int]:
    """Binary forms of two IPv4 addresses and the sum of their 16-bit words (cached)."""
    both = addrconv.ipv4.text_to_bin(src) + addrconv.ipv4.text_to_bin(dst)
    return both[:4], both[4:], int.from_bytes(both, "big")


@functools.lru_cache(maxsize=4096)
def _ipv6_pair_sum(src: str, dst: str) -> int:
    return int.from_bytes(addrconv.ipv6.text_to_bin(src) + addrconv.ipv6.text_to_bin(dst), "big")


def pseudo_sum(prev, length: int, proto: int) -> int:
    """The pseudo-header's share of a checksum sum (see :func:`pseudo_header`).

    The length and protocol fields sit in whole 16-bit words (the IPv6 32-bit
    length as two), so they add as plain numbers.
    """
    if getattr(prev, "version", None) == 6:
        final = getattr(prev, "final_destination", None)
        dst = final() if callable(final) else prev.dst
        return _ipv6_pair_sum(prev.src, dst) + length + proto
    return ipv4_pair(prev.src, prev.dst)[2] + length + proto


def pseudo_header(prev, length: int, proto: int) -> bytes:
    """Pseudo-header of the IP layer ``prev`` (an ipv4 or ipv6 object) for ``length`` bytes."""
    if getattr(prev, "version", None) == 6:
        # RFC 8200 §8.1: with a routing header, the final destination is the last segment.
        final = getattr(prev, "final_destination", None)
        dst = final() if callable(final) else prev.dst
        return _PSEUDO6.pack(
            addrconv.ipv6.text_to_bin(prev.src),
            addrconv.ipv6.text_to_bin(dst),
            length,
            proto,
        )
    return _PSEUDO4.pack(
        addrconv.ipv4.text_to_bin(prev.src),
        addrconv.ipv4.text_to_bin(prev.dst),
        proto,
        length,
    )
