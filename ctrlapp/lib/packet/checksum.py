"""The Internet checksum (RFC 1071) and the IPv4/IPv6 pseudo-headers.

``checksum(data)`` returns the 16-bit one's complement of the one's complement
sum of ``data`` (odd length padded with a zero byte).  Over a header whose
checksum field holds the right value the function returns 0, which is how
decoded checksums are verified.  Pseudo-headers: RFC 768 / RFC 793 for IPv4,
RFC 8200 §8.1 for IPv6.
"""

from __future__ import annotations

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
