"""Reading SCTP out of captured frames, including copies cut short by the switch.

The packet library decodes an SCTP packet completely or not at all; a copy
that OpenFlow truncated to ``max_len`` bytes (RFC 9260 does not know about
that) would then be raw bytes.  The monitor wants what is still there, so it
walks frames itself:

* :func:`locate_sctp` finds the SCTP bytes of an Ethernet frame (any number of
  802.1Q/802.1ad tags, IPv4 without fragments past the first, IPv6 with the
  usual extension headers) and the length the IP header announces, so a
  truncated copy is recognised as such;
* :func:`crc_ok` checks the CRC32C of RFC 9260 section 6.8 (only whole packets
  can be checked), :func:`iter_causes` and :func:`iter_addresses` read the
  error causes of ABORT/ERROR and the address parameters of INIT/INIT ACK as
  far as the bytes go.  The chunk walk itself (RFC 9260 section 3.2) is in
  the tracker's per-packet loop: it reads a chunk's fixed fields only when
  they lie inside the captured bytes and inside the chunk's own length.

Also here: the names the monitor reports for chunk types (RFC 9260 3.2 and the
IANA "Chunk Types" registry), error causes (RFC 9260 3.3.10 and the IANA
registry) and payload protocol identifiers (IANA "SCTP Payload Protocol
Identifiers").
"""

from __future__ import annotations

import struct

from crc32c import crc32c

_U16 = struct.Struct("!H")
_IPV6_EXT = frozenset((0, 43, 60))  # hop-by-hop, routing, destination options
IPPROTO_SCTP = 132
_CRC = struct.Struct("<I")

CHUNK_NAMES: dict[int, str] = {
    0: "DATA",
    1: "INIT",
    2: "INIT_ACK",
    3: "SACK",
    4: "HEARTBEAT",
    5: "HEARTBEAT_ACK",
    6: "ABORT",
    7: "SHUTDOWN",
    8: "SHUTDOWN_ACK",
    9: "ERROR",
    10: "COOKIE_ECHO",
    11: "COOKIE_ACK",
    12: "ECNE",
    13: "CWR",
    14: "SHUTDOWN_COMPLETE",
    15: "AUTH",
    64: "I_DATA",
    128: "ASCONF_ACK",
    130: "RE_CONFIG",
    132: "PAD",
    192: "FORWARD_TSN",
    193: "ASCONF",
    194: "I_FORWARD_TSN",
}
#: Index of each chunk type in the per-direction counters; every other type shares "OTHER".
KIND_NAMES: tuple[str, ...] = (*CHUNK_NAMES.values(), "OTHER")
KIND_OF_TYPE: list[int] = [len(CHUNK_NAMES)] * 256
for _i, _t in enumerate(CHUNK_NAMES):
    KIND_OF_TYPE[_t] = _i
N_KINDS = len(KIND_NAMES)

CAUSE_NAMES: dict[int, str] = {
    1: "Invalid Stream Identifier",
    2: "Missing Mandatory Parameter",
    3: "Stale Cookie Error",
    4: "Out of Resource",
    5: "Unresolvable Address",
    6: "Unrecognized Chunk Type",
    7: "Invalid Mandatory Parameter",
    8: "Unrecognized Parameters",
    9: "No User Data",
    10: "Cookie Received While Shutting Down",
    11: "Restart of an Association with New Addresses",
    12: "User-Initiated Abort",
    13: "Protocol Violation",
    160: "Request to Delete Last Remaining IP Address",
    161: "Operation Refused Due to Resource Shortage",
    162: "Request to Delete Source IP Address",
    163: "Association Aborted Due to Illegal ASCONF-ACK",
    164: "Request Refused - No Authorization",
    261: "Unsupported HMAC Identifier",
}

PPID_NAMES: dict[int, str] = {
    0: "unspecified",
    1: "IUA",
    2: "M2UA",
    3: "M3UA",
    4: "SUA",
    5: "M2PA",
    6: "V5UA",
    7: "H.248",
    8: "BICC/Q.2150.3",
    9: "TALI",
    10: "DUA",
    11: "ASAP",
    12: "ENRP",
    13: "H.323",
    14: "Q.IPC/Q.2150.3",
    15: "SIMCO",
    16: "DDP Segment",
    17: "DDP Stream",
    18: "S1AP",
    19: "RUA",
    20: "HNBAP",
    21: "ForCES-HP",
    22: "ForCES-MP",
    23: "ForCES-LP",
    24: "SBc-AP",
    25: "NBAP",
    27: "X2AP",
    28: "IRCP",
    29: "LCS-AP",
    30: "MPICH2",
    31: "SABP",
    32: "FGP",
    33: "PPP",
    34: "CALCAPP",
    35: "SSP",
    36: "NPMP-CONTROL",
    37: "NPMP-DATA",
    38: "ECHO",
    39: "DISCARD",
    40: "DAYTIME",
    41: "CHARGEN",
    42: "3GPP RNA",
    43: "3GPP M2AP",
    44: "3GPP M3AP",
    45: "SSH over SCTP",
    46: "Diameter",
    47: "Diameter DTLS",
    48: "R14P",
    50: "WebRTC DCEP",
    51: "WebRTC String",
    53: "WebRTC Binary",
    56: "WebRTC String Empty",
    57: "WebRTC Binary Empty",
    58: "3GPP XwAP",
    59: "3GPP Xw-Control Plane",
    60: "NGAP",
    61: "XnAP",
    62: "F1AP",
    63: "HTTP/SCTP",
    64: "E1AP",
    65: "ELCS-AP",
    66: "NRPPa",
    67: "W1AP",
}


def chunk_name(ctype: int) -> str:
    """The registry name of a chunk type, or ``TYPE_<n>`` for an unassigned one."""
    return CHUNK_NAMES.get(ctype) or f"TYPE_{ctype}"


def ppid_name(ppid: int) -> str:
    """The IANA name of a payload protocol identifier, or its number as text."""
    return PPID_NAMES.get(ppid) or str(ppid)


def cause_name(code: int) -> str:
    return CAUSE_NAMES.get(code) or f"cause {code}"


def locate_sctp(frame: bytes) -> tuple[bytes, bytes, int, int] | None:
    """``(src address, dst address, offset of SCTP, SCTP length on the wire)`` or None.

    Addresses are the packed 4 or 16 bytes.  The length comes from the IP
    header, so it exceeds ``len(frame) - offset`` when the frame was cut
    short; None when the frame carries no SCTP (or only a non-first IPv4
    fragment, which has no SCTP header to read).
    """
    n = len(frame)
    off = 12
    if n < 14:
        return None
    etype = frame[12] << 8 | frame[13]
    while etype in (0x8100, 0x88A8) and off + 8 <= n:
        off += 4
        etype = frame[off] << 8 | frame[off + 1]
    off += 2
    if etype == 0x0800:
        if off + 20 > n:
            return None
        vihl = frame[off]
        if vihl >> 4 != 4 or frame[off + 9] != IPPROTO_SCTP:
            return None
        if (frame[off + 6] & 0x1F) | frame[off + 7]:
            return None  # a fragment other than the first: no SCTP header in it
        hlen = (vihl & 15) * 4
        total = frame[off + 2] << 8 | frame[off + 3]
        if hlen < 20 or total < hlen:
            return None
        return frame[off + 12 : off + 16], frame[off + 16 : off + 20], off + hlen, total - hlen
    if etype == 0x86DD:
        if off + 40 > n or frame[off] >> 4 != 6:
            return None
        nxt = frame[off + 6]
        remaining = frame[off + 4] << 8 | frame[off + 5]
        src, dst = frame[off + 8 : off + 24], frame[off + 24 : off + 40]
        p = off + 40
        while nxt != IPPROTO_SCTP:
            if nxt in _IPV6_EXT:
                if p + 2 > n:
                    return None
                ext = (frame[p + 1] + 1) * 8
            elif nxt == 44:  # fragment header: only a first fragment carries the SCTP header
                if p + 8 > n or (frame[p + 2] << 8 | frame[p + 3]) & 0xFFF8:
                    return None
                ext = 8
            else:
                return None
            nxt = frame[p]
            p += ext
            remaining -= ext
        if remaining < 0:
            return None
        return src, dst, p, remaining
    return None


def crc_ok(buf: bytes, start: int, end: int) -> bool:
    """The CRC32C of RFC 9260 6.8 over ``buf[start:end]`` with the checksum field as zero."""
    view = memoryview(buf)
    crc = crc32c(view[start + 12 : end], crc32c(b"\0\0\0\0", crc32c(view[start : start + 8])))
    return _CRC.pack(crc) == buf[start + 8 : start + 12]


def iter_causes(buf: bytes, off: int, end: int) -> list[int]:
    """Cause codes of the error causes in ``buf[off:end]`` (RFC 9260 3.3.10), as far as they go."""
    codes = []
    while off + 4 <= end:
        code = buf[off] << 8 | buf[off + 1]
        length = buf[off + 2] << 8 | buf[off + 3]
        codes.append(code)
        if length < 4:
            break
        off += (length + 3) & ~3
    return codes


def iter_addresses(buf: bytes, off: int, end: int) -> list[bytes]:
    """The IPv4 (type 5) and IPv6 (type 6) address parameters of an INIT or INIT ACK."""
    out = []
    while off + 4 <= end:
        ptype = buf[off] << 8 | buf[off + 1]
        length = buf[off + 2] << 8 | buf[off + 3]
        if length < 4:
            break
        if (ptype == 5 and length == 8) or (ptype == 6 and length == 20):
            if off + length <= end:
                out.append(bytes(buf[off + 4 : off + length]))
        off += (length + 3) & ~3
    return out
