"""Send one SCTP ABORT chunk (RFC 9260 3.3.7) with a User-Initiated Abort cause over raw IP.

Run inside a Mininet host with the system python3:
``sctp_abort.py DST SRC_PORT DST_PORT VTAG``.  The checksum is CRC32C
(RFC 9260 appendix B), computed here bit by bit.
"""

import socket
import struct
import sys

dst, sport, dport, vtag = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
TABLE = []
for n in range(256):
    c = n
    for _ in range(8):
        c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
    TABLE.append(c)


def crc32c(data: bytes) -> int:
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


reason = b"integration test"
cause = struct.pack("!HH", 12, 4 + len(reason)) + reason
chunk = struct.pack("!BBH", 6, 0, 4 + len(cause)) + cause
pkt = struct.pack("!HHII", sport, dport, vtag, 0) + chunk
# The CRC32C goes on the wire least significant byte first (RFC 9260 appendix B).
pkt = pkt[:8] + struct.pack("<I", crc32c(pkt)) + pkt[12:]
sock = socket.socket(socket.AF_INET, socket.SOCK_RAW, 132)
sock.sendto(pkt, (dst, 0))
