"""IPv4 header (RFC 791 section 3.1).

Options are kept as raw bytes in ``option``.  The class that decodes the
payload comes from this module's own table, filled by the upper-layer modules
(``ipv4.register_packet_type(udp, IPPROTO_UDP)`` and so on).  A fragment other
than the first-and-only one (MF set or a non-zero offset) keeps its payload as
raw bytes: an upper-layer header cannot be decoded from a piece of a datagram.

Only the ``total_length`` bytes of the datagram are passed to the upper layer;
a sender pads short frames (IEEE 802.3 minimum size), and TCP, which has no
length field, would otherwise take that padding as data.  Bytes after the
datagram are therefore not in ``Packet.protocols``; the decoded header keeps
them privately and encoding that same header object puts them back after the
payload, so a decoded frame still re-encodes to the exact bytes it came from.

``header_length``, ``total_length`` and ``csum`` left at 0 are computed when
encoding; the object itself is not changed, so one header can be encoded with
different payloads.  ``checksum_ok`` verifies the header checksum (RFC 791,
"Header Checksum"; RFC 1071).
"""

from __future__ import annotations

import socket
import struct

from ctrlapp.lib.packet import ether_types, ethernet, in_proto, packet_base
from ctrlapp.lib.packet.checksum import checksum, fold, ipv4_pair
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError

IPV4_ADDRESS_LEN = 4
IPV4_PSEUDO_HEADER_PACK_STR = "!4s4sxBH"

_HDR = struct.Struct("!BBHHHBBH4s4s")
_ntoa = socket.inet_ntoa
_MIN_LEN = _HDR.size

# Flags (RFC 791 section 3.1), as the 3-bit ``flags`` value.
IP_DF = 0x2
IP_MF = 0x1
# MF bit and fragment offset in the 16-bit flags/offset word: any of them set
# means this is a fragment.
_FRAGMENT_MASK = 0x3FFF


class ipv4(packet_base.PacketBase):
    """IPv4 header.

    ============== ======================================== ==================
    Attribute      Description                              Example
    ============== ======================================== ==================
    version        Version
    header_length  IHL, in 32-bit words (0: compute)
    tos            Type of Service
    total_length   Total Length (0: compute)
    identification Identification
    flags          Flags (3 bits: reserved, DF, MF)
    offset         Fragment Offset, in 8-byte units
    ttl            Time to Live
    proto          Protocol
    csum           Header Checksum (0: compute)
    src            Source Address                           '10.0.0.1'
    dst            Destination Address                      '10.0.0.2'
    option         Options as raw bytes, or None
    ============== ======================================== ==================
    """

    __slots__ = (
        "version",
        "header_length",
        "tos",
        "total_length",
        "identification",
        "flags",
        "offset",
        "ttl",
        "proto",
        "csum",
        "src",
        "dst",
        "option",
        "_trailer",
    )
    _PACK_STR = "!BBHHHBBH4s4s"
    _MIN_LEN = _MIN_LEN
    _TYPE = {"ascii": ["src", "dst"]}

    def __init__(
        self,
        version: int = 4,
        header_length: int = 5,
        tos: int = 0,
        total_length: int = 0,
        identification: int = 0,
        flags: int = 0,
        offset: int = 0,
        ttl: int = 255,
        proto: int = 0,
        csum: int = 0,
        src: str = "10.0.0.1",
        dst: str = "10.0.0.2",
        option: bytes | None = None,
    ):
        self.version = version
        self.header_length = header_length
        self.tos = tos
        self.total_length = total_length
        self.identification = identification
        self.flags = flags
        self.offset = offset
        self.ttl = ttl
        self.proto = proto
        self.csum = csum
        self.src = src
        self.dst = dst
        self.option = option
        self._trailer = b""

    @classmethod
    def parser(cls, buf: bytes) -> tuple[ipv4, type | None, bytes]:
        n = len(buf)
        if n < _MIN_LEN:
            raise PacketTruncatedError(f"need {_MIN_LEN} bytes, have {n}", "ipv4")
        (vhl, tos, total_length, ident, frag, ttl, proto, csum, src, dst) = _HDR.unpack_from(buf)
        if vhl == 0x45:  # no options: by far the most common header
            hlen = _MIN_LEN
            option = None
        else:
            if vhl >> 4 != 4:
                raise PacketFieldError(f"version {vhl >> 4} is not 4", "ipv4")
            hlen = (vhl & 0xF) * 4
            if hlen < _MIN_LEN:
                raise PacketFieldError(f"IHL {vhl & 0xF} is below 5", "ipv4")
            if n < hlen:
                raise PacketTruncatedError(f"IHL says {hlen} bytes, have {n}", "ipv4")
            option = bytes(buf[_MIN_LEN:hlen]) if hlen > _MIN_LEN else None
        if total_length < hlen:
            raise PacketFieldError(f"total length {total_length} < header length {hlen}", "ipv4")
        self = cls.__new__(cls)
        self.version = 4
        self.header_length = hlen >> 2
        self.tos = tos
        self.total_length = total_length
        self.identification = ident
        self.flags = frag >> 13
        self.offset = frag & 0x1FFF
        self.ttl = ttl
        self.proto = proto
        self.csum = csum
        self.src = _ntoa(src)
        self.dst = _ntoa(dst)
        self.option = option
        # A datagram cut short (a packet-in truncated to miss_send_len) is
        # decoded as far as it goes.
        self._trailer = bytes(buf[total_length:]) if n > total_length else b""
        next_cls = None if frag & _FRAGMENT_MASK else cls._TYPES.get(proto)
        return self, next_cls, buf[hlen:total_length]

    def _option_bytes(self) -> bytes:
        option = bytes(self.option) if self.option else b""
        if len(option) % 4:
            # Padding with End of Option List (type 0) keeps the header a
            # whole number of 32-bit words (RFC 791, "Padding").
            option += bytes(4 - len(option) % 4)
        return option

    def serialize(
        self, payload: bytearray, prev: packet_base.PacketBase | None
    ) -> bytes | bytearray:
        src, dst, addr_sum = ipv4_pair(self.src, self.dst)
        option = self.option
        if option:
            if type(option) is not bytes or len(option) & 3:
                option = self._option_bytes()
            olen = len(option)
        else:
            option = b""
            olen = 0
        vhl = (self.version << 4) | ((self.header_length or 5 + (olen >> 2)) & 0xF)
        total_length = self.total_length or _MIN_LEN + olen + len(payload)
        frag = (self.flags << 13) | (self.offset & 0x1FFF)
        csum = self.csum
        if not csum:
            # The header's word sum is taken from the field values, so the
            # header is packed once, checksum included.
            csum = fold(
                (vhl << 8 | self.tos)
                + total_length
                + self.identification
                + frag
                + (self.ttl << 8 | self.proto)
                + addr_sum
                + (int.from_bytes(option, "big") if olen else 0)
            )
        hdr = _HDR.pack(
            vhl,
            self.tos,
            total_length,
            self.identification,
            frag,
            self.ttl,
            self.proto,
            csum,
            src,
            dst,
        )
        if olen:
            hdr += option
        if self._trailer and isinstance(payload, bytearray):
            payload += self._trailer
        return hdr

    def checksum_ok(self, buf: bytes, prev: packet_base.PacketBase | None) -> bool:
        return checksum(buf[: (buf[0] & 0xF) * 4]) == 0

    def __len__(self) -> int:
        return (
            self.header_length * 4 if self.header_length else _MIN_LEN + len(self._option_bytes())
        )


ethernet.ethernet.register_packet_type(ipv4, ether_types.ETH_TYPE_IP)
ipv4.register_packet_type(ipv4, in_proto.IPPROTO_IPIP)
