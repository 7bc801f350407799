"""A minimal writer of classic pcap files (libpcap format, microsecond timestamps), for tests
that hand generated frames to an independent decoder such as tshark."""

from __future__ import annotations

import struct
from collections.abc import Iterable
from pathlib import Path

_FILE_HDR = struct.Struct("<IHHiIII")
_REC_HDR = struct.Struct("<IIII")


def write_pcap(path: str | Path, frames: Iterable[bytes], linktype: int = 1) -> None:
    """Write ``frames`` to ``path``, one second apart, with link type ``linktype`` (1: Ethernet)."""
    out = [_FILE_HDR.pack(0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)]
    for i, frame in enumerate(frames):
        out.append(_REC_HDR.pack(i, 0, len(frame), len(frame)))
        out.append(bytes(frame))
    Path(path).write_bytes(b"".join(out))
