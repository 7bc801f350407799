"""SCTP packets (RFC 9260, formerly RFC 4960): the common header and its bundled chunks.

``sctp(src_port, dst_port, vtag, csum, chunks)`` is the common header of RFC
9260 section 3.1; ``chunks`` is the list of chunk objects of
:mod:`.sctp_chunks`, whose parameters and error causes live in
:mod:`.sctp_params`.  Every class of both modules is importable from here,
as in Ryu: ``sctp.chunk_init(...)``, ``sctp.param_ipv4(...)``,
``sctp.cause_no_userdata(...)``.

Checksum: the CRC32C of RFC 9260 section 6.8 and Appendix A, over the whole
packet with the checksum field zeroed.  The CRC is stored least significant
byte first (it is the byte order of the reflected CRC register, not network
order).  ``csum`` holds the field's four bytes read as a big-endian number,
which is what Wireshark and Ryu show; ``csum=0`` computes it on encode, and
``checksum_ok(buf, prev)`` verifies a decoded packet.

A packet decodes completely or not at all: the rules for malformed chunks,
parameters and causes are in the two modules' docstrings, and every failure
is a :class:`~.errors.PacketParseError`.
"""

from __future__ import annotations

import struct

from crc32c import crc32c

from ctrlapp.lib.packet import in_proto, ipv4, ipv6, packet_base
from ctrlapp.lib.packet.errors import PacketTruncatedError
from ctrlapp.lib.packet.sctp_chunks import *  # noqa: F403
from ctrlapp.lib.packet.sctp_chunks import CHUNK_DECODERS, chunk_data
from ctrlapp.lib.packet.sctp_params import *  # noqa: F403
from ctrlapp.lib.packet.sctp_params import PAD

_HDR = struct.Struct("!HHII")
_DATA = struct.Struct("!BBHIHHI")
_CRC = struct.Struct("<I")
_ZERO_CSUM = b"\x00\x00\x00\x00"


class sctp(packet_base.PacketBase):
    """SCTP common header and chunks.

    ========= ================================================
    Attribute Description
    ========= ================================================
    src_port  Source Port
    dst_port  Destination Port
    vtag      Verification Tag
    csum      Checksum (0 means compute when encoding)
    chunks    list of chunk objects (chunk_data, chunk_init ...)
    ========= ================================================
    """

    __slots__ = ("src_port", "dst_port", "vtag", "csum", "chunks")
    _MIN_LEN = _HDR.size

    def __init__(
        self,
        src_port: int = 1,
        dst_port: int = 1,
        vtag: int = 0,
        csum: int = 0,
        chunks: list | None = None,
    ):
        self.src_port = src_port
        self.dst_port = dst_port
        self.vtag = vtag
        self.csum = csum
        self.chunks = [] if chunks is None else chunks

    @classmethod
    def parser(cls, buf: bytes) -> tuple[sctp, None, bytes]:
        if type(buf) is not bytes:
            buf = bytes(buf)
        n = len(buf)
        if n < 12:
            raise PacketTruncatedError(f"need 12 bytes, have {n}", "sctp")
        self = cls.__new__(cls)
        self.src_port, self.dst_port, self.vtag, self.csum = _HDR.unpack_from(buf)
        # The chunk loop is here rather than in a helper: one call less per packet.
        self.chunks = chunks = []
        append = chunks.append
        decoders = CHUNK_DECODERS
        off = 12
        while off < n:
            c = decoders[buf[off]](buf, off, n)
            append(c)
            off += (c.length + 3) & ~3
        return self, None, b""

    def serialize(self, payload: bytes | bytearray, prev: packet_base.PacketBase | None) -> bytes:
        parts = [_HDR.pack(self.src_port, self.dst_port, self.vtag, self.csum)]
        append = parts.append
        for c in self.chunks:
            if type(c) is chunk_data:
                # DATA, the chunk of almost every packet, is packed here:
                # a call fewer, and its parts are copied once, by the join.
                data = c.payload_data
                append(
                    _DATA.pack(
                        0,
                        (c.immediate << 3) | (c.unordered << 2) | (c.begin << 1) | c.end,
                        c.length or 16 + len(data),
                        c.tsn,
                        c.sid,
                        c.seq,
                        c.payload_id,
                    )
                )
                append(data)
                append(PAD[len(data) & 3])
            else:
                append(c.serialize())
        if self.csum:
            return b"".join(parts)
        del parts[0]
        body = b"".join(parts)
        hdr = _HDR.pack(self.src_port, self.dst_port, self.vtag, 0)
        crc = crc32c(body, crc32c(hdr))
        if payload:
            crc = crc32c(bytes(payload), crc)
        return hdr[:8] + _CRC.pack(crc) + body

    def checksum_ok(self, buf: bytes, prev: packet_base.PacketBase | None) -> bool:
        """Whether the CRC32C in ``buf`` (this packet and what follows) is right.

        Under IPv4 the packet ends where the IP total length says, so Ethernet
        padding of a short frame is left out.
        """
        end = len(buf)
        if isinstance(prev, ipv4.ipv4):
            end = min(end, prev.total_length - prev.header_length * 4)
        if end < 12:
            return False
        crc = crc32c(bytes(buf[12:end]), crc32c(_ZERO_CSUM, crc32c(bytes(buf[:8]))))
        return _CRC.pack(crc) == bytes(buf[8:12])

    def __len__(self) -> int:
        return 12 + sum(len(c) for c in self.chunks)


ipv4.ipv4.register_packet_type(sctp, in_proto.IPPROTO_SCTP)
ipv6.ipv6.register_packet_type(sctp, in_proto.IPPROTO_SCTP)
