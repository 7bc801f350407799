"""Reading capture files for offline replay: classic pcap and pcapng.

Formats: libpcap (both byte orders, microsecond and nanosecond magic) and
pcapng (draft-ietf-opsawg-pcapng: Section Header, Interface Description,
Enhanced and Simple Packet Blocks; other blocks are skipped; per-interface
``if_tsresol``).  Link types: Ethernet (1) frames are returned as they are;
Linux cooked captures SLL (113) and SLL2 (276) are turned into Ethernet
frames (zero MAC addresses where the capture has none) so that one frame
decoder serves all three.  Frames of other link types are skipped and
counted.

:func:`read_frames` yields ``(timestamp in seconds, Ethernet frame)``;
anything wrong with the file raises :class:`CaptureError` naming the file and
offset.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from pathlib import Path

LINKTYPE_ETHERNET = 1
LINKTYPE_LINUX_SLL = 113
LINKTYPE_LINUX_SLL2 = 276

# magic -> timestamp fraction units per second
_PCAP_MAGIC = {0xA1B2C3D4: 1_000_000, 0xA1B23C4D: 1_000_000_000}
_PCAPNG_SHB = 0x0A0D0D0A
_BYTE_ORDER_MAGIC = 0x1A2B3C4D
_NO_MAC = b"\0" * 6


class CaptureError(Exception):
    """The file is not a capture this module reads, or is damaged."""


class Capture:
    """A capture file's frames; ``skipped`` counts frames of link types not replayed and
    ``linktypes`` holds the link types met while iterating."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.skipped = 0
        self.linktypes: set[int] = set()

    def __iter__(self) -> Iterator[tuple[float, bytes]]:
        try:
            data = self.path.read_bytes()
        except OSError as exc:
            raise CaptureError(f"{self.path}: {exc.strerror}") from None
        if len(data) < 24:
            raise CaptureError(f"{self.path}: too short for a capture file")
        if struct.unpack_from("<I", data)[0] == _PCAPNG_SHB:
            records = self._pcapng(data)
        else:
            records = self._pcap(data)
        for ts, linktype, frame in records:
            self.linktypes.add(linktype)
            eth = to_ethernet(linktype, frame)
            if eth is None:
                self.skipped += 1
                continue
            yield ts, eth

    def _pcap(self, data: bytes) -> Iterator[tuple[float, int, bytes]]:
        for order in "<>":
            (magic,) = struct.unpack_from(order + "I", data)
            if magic in _PCAP_MAGIC:
                break
        else:
            raise CaptureError(f"{self.path}: neither a pcap nor a pcapng file")
        per_second = _PCAP_MAGIC[magic]
        (linktype,) = struct.unpack_from(order + "I", data, 20)
        linktype &= 0xFFFF  # the upper bits carry FCS information, not the type
        record = struct.Struct(order + "IIII")
        off = 24
        while off + record.size <= len(data):
            sec, frac, caplen, _ = record.unpack_from(data, off)
            off += record.size
            if off + caplen > len(data):
                raise CaptureError(f"{self.path}: record at offset {off} runs past the end")
            yield sec + frac / per_second, linktype, data[off : off + caplen]
            off += caplen

    def _pcapng(self, data: bytes) -> Iterator[tuple[float, int, bytes]]:
        off = 0
        order = "<"
        interfaces: list[tuple[int, int]] = []  # (link type, timestamp units per second)
        n = len(data)
        while off + 12 <= n:
            (btype,) = struct.unpack_from(order + "I", data, off)
            if btype == _PCAPNG_SHB:
                magic = data[off + 8 : off + 12]
                order = "<" if struct.unpack("<I", magic)[0] == _BYTE_ORDER_MAGIC else ">"
                if struct.unpack(order + "I", magic)[0] != _BYTE_ORDER_MAGIC:
                    raise CaptureError(f"{self.path}: bad section header at offset {off}")
                interfaces = []
            (blen,) = struct.unpack_from(order + "I", data, off + 4)
            if blen < 12 or blen % 4 or off + blen > n:
                raise CaptureError(f"{self.path}: block at offset {off} has bad length {blen}")
            body = data[off + 8 : off + blen - 4]
            if btype == 1:  # Interface Description Block
                linktype = struct.unpack_from(order + "H", body)[0]
                interfaces.append((linktype, self._tsresol(order, body[8:])))
            elif btype == 6:  # Enhanced Packet Block
                ifid, hi, lo, caplen, _ = struct.unpack_from(order + "IIIII", body)
                if ifid >= len(interfaces) or 20 + caplen > len(body):
                    raise CaptureError(f"{self.path}: bad enhanced packet block at offset {off}")
                linktype, per_second = interfaces[ifid]
                yield ((hi << 32) | lo) / per_second, linktype, body[20 : 20 + caplen]
            elif btype == 3:  # Simple Packet Block: no timestamp, interface 0
                if not interfaces:
                    raise CaptureError(f"{self.path}: packet before any interface at {off}")
                (wirelen,) = struct.unpack_from(order + "I", body)
                yield 0.0, interfaces[0][0], body[4 : 4 + min(wirelen, len(body) - 4)]
            off += blen

    @staticmethod
    def _tsresol(order: str, options: bytes) -> int:
        """Timestamp units per second of an interface (option if_tsresol; default 10^6)."""
        off = 0
        while off + 4 <= len(options):
            code, length = struct.unpack_from(order + "HH", options, off)
            if code == 0:
                break
            if code == 9 and length >= 1:
                v = options[off + 4]
                return 2 ** (v & 0x7F) if v & 0x80 else 10**v
            off += 4 + ((length + 3) & ~3)
        return 1_000_000


def to_ethernet(linktype: int, frame: bytes) -> bytes | None:
    """The frame as Ethernet, or None for a link type (or cooked header) this cannot convert."""
    if linktype == LINKTYPE_ETHERNET:
        return frame
    if linktype == LINKTYPE_LINUX_SLL:
        # packet type, ARPHRD type, address length, 8 address bytes, protocol
        if len(frame) < 16:
            return None
        alen = min(frame[4] << 8 | frame[5], 6)
        src = frame[6 : 6 + alen].ljust(6, b"\0")
        return _NO_MAC + src + frame[14:16] + frame[16:]
    if linktype == LINKTYPE_LINUX_SLL2:
        # protocol, reserved, interface index, ARPHRD type, packet type, address length,
        # 8 address bytes
        if len(frame) < 20:
            return None
        alen = min(frame[11], 6)
        src = frame[12 : 12 + alen].ljust(6, b"\0")
        return _NO_MAC + src + frame[0:2] + frame[20:]
    return None


def read_frames(path: str | Path) -> list[tuple[float, bytes]]:
    """Every frame of the capture at ``path`` as ``(timestamp, Ethernet frame)``."""
    return list(Capture(path))
