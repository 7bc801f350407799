"""A minimal reader of classic pcap files (the libpcap format), for tests that replay captures.

Handles both byte orders and the microsecond and nanosecond magic numbers;
returns the link type and every frame's captured bytes.
"""

from __future__ import annotations

import struct
from pathlib import Path

PCAP_DIR = Path("/work/shared/testdata/pcap")
LINKTYPE_ETHERNET = 1

_MAGICS = {0xA1B2C3D4, 0xA1B23C4D}


def read_pcap(path: str | Path) -> tuple[int, list[bytes]]:
    """``(link type, [frame bytes, ...])`` of the pcap file at ``path``."""
    data = Path(path).read_bytes()
    if len(data) < 24:
        raise ValueError(f"{path}: too short for a pcap header")
    for order in "<>":
        (magic,) = struct.unpack_from(order + "I", data)
        if magic in _MAGICS:
            break
    else:
        raise ValueError(f"{path}: not a pcap file")
    linktype = struct.unpack_from(order + "I", data, 20)[0]
    record = struct.Struct(order + "IIII")
    frames = []
    off = 24
    while off + record.size <= len(data):
        _, _, caplen, _ = record.unpack_from(data, off)
        off += record.size
        if off + caplen > len(data):
            raise ValueError(f"{path}: truncated record at offset {off}")
        frames.append(data[off : off + caplen])
        off += caplen
    return linktype, frames
