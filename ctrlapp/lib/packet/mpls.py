"""MPLS label stack entry (RFC 3032 section 2.1).

Entries without the Bottom of Stack bit are followed by another entry.  RFC
3032 gives no type field for what follows the bottom entry (the label binds
it); like most decoders this one looks at the first nibble: 4 is IPv4, 6 is
IPv6, anything else stays raw bytes (a pseudowire, say).
"""

from __future__ import annotations

import struct

from ctrlapp.lib.packet import ether_types, ethernet, ipv4, ipv6, packet_base
from ctrlapp.lib.packet.errors import PacketTruncatedError

_ENTRY = struct.Struct("!I")


def label_from_bin(buf: bytes) -> tuple[int, int]:
    """The label and the Bottom of Stack bit from the first 3 bytes of an entry."""
    value = int.from_bytes(bytes(buf[:3]), "big")
    return value >> 4, value & 1


def label_to_bin(mpls_label: int, is_bos: bool = True) -> bytes:
    """The first 3 bytes of an entry: 20-bit label, Traffic Class 0, Bottom of Stack bit."""
    return ((mpls_label << 4) | int(bool(is_bos))).to_bytes(3, "big")


class mpls(packet_base.PacketBase):
    """MPLS label stack entry.

    ========= ===================================================
    Attribute Description
    ========= ===================================================
    label     Label Value (20 bits)
    exp       Experimental Use, now Traffic Class (RFC 5462)
    bsb       Bottom of Stack
    ttl       Time To Live
    ========= ===================================================
    """

    __slots__ = ("label", "exp", "bsb", "ttl")
    _PACK_STR = "!I"
    _MIN_LEN = _ENTRY.size

    def __init__(self, label: int = 0, exp: int = 0, bsb: int = 1, ttl: int = 255):
        self.label = label
        self.exp = exp
        self.bsb = bsb
        self.ttl = ttl

    @classmethod
    def parser(cls, buf: bytes) -> tuple[mpls, type | None, bytes]:
        if len(buf) < 4:
            raise PacketTruncatedError(f"need 4 bytes, have {len(buf)}", "mpls")
        (entry,) = _ENTRY.unpack_from(buf)
        self = cls.__new__(cls)
        self.label = entry >> 12
        self.exp = (entry >> 9) & 7
        self.bsb = (entry >> 8) & 1
        self.ttl = entry & 0xFF
        rest = buf[4:]
        if not self.bsb:
            return self, mpls, rest
        return self, _INNER.get(rest[0] >> 4) if rest else None, rest

    def serialize(
        self, payload: bytearray, prev: packet_base.PacketBase | None
    ) -> bytes | bytearray:
        return _ENTRY.pack(
            ((self.label & 0xFFFFF) << 12)
            | ((self.exp & 7) << 9)
            | ((self.bsb & 1) << 8)
            | (self.ttl & 0xFF)
        )


_INNER = {4: ipv4.ipv4, 6: ipv6.ipv6}

ethernet.ethernet.register_packet_type(mpls, ether_types.ETH_TYPE_MPLS)
ethernet.ethernet.register_packet_type(mpls, ether_types.ETH_TYPE_MPLS_MULTICAST)
