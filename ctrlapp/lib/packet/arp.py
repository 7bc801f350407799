"""ARP (RFC 826) header.

Hardware and protocol address lengths come from the header, so ARP for other
hardware or protocol types is decoded too; addresses of the Ethernet/IPv4 sizes
are shown as text, others as raw bytes.
"""

from __future__ import annotations

import struct

from ctrlapp.lib import addrconv
from ctrlapp.lib.packet import ether_types, ethernet, packet_base
from ctrlapp.lib.packet.errors import PacketTruncatedError

ARP_HW_TYPE_ETHERNET = 1
ARP_REQUEST = 1
ARP_REPLY = 2
ARP_REV_REQUEST = 3
ARP_REV_REPLY = 4

_FIXED = struct.Struct("!HHBBH")
_ETH_IPV4 = struct.Struct("!HHBBH6s4s6s4s")


def _hw_text(b: bytes):
    return b.hex(":") if len(b) == 6 else bytes(b)


def _proto_text(b: bytes):
    return addrconv.ipv4.bin_to_text(b) if len(b) == 4 else bytes(b)


def _hw_bin(v, length: int) -> bytes:
    if isinstance(v, str):
        return addrconv.mac.text_to_bin(v)
    return bytes(v).ljust(length, b"\x00")[:length]


def _proto_bin(v, length: int) -> bytes:
    if isinstance(v, str):
        return addrconv.ipv4.text_to_bin(v)
    return bytes(v).ljust(length, b"\x00")[:length]


class arp(packet_base.PacketBase):
    """ARP header.

    ========= ============ ====================
    Attribute Description  Example
    ========= ============ ====================
    hwtype    ar$hrd
    proto     ar$pro
    hlen      ar$hln
    plen      ar$pln
    opcode    ar$op
    src_mac   ar$sha       '08:60:6e:7f:74:e7'
    src_ip    ar$spa       '192.0.2.1'
    dst_mac   ar$tha       '00:00:00:00:00:00'
    dst_ip    ar$tpa       '192.0.2.2'
    ========= ============ ====================
    """

    __slots__ = (
        "hwtype",
        "proto",
        "hlen",
        "plen",
        "opcode",
        "src_mac",
        "src_ip",
        "dst_mac",
        "dst_ip",
    )
    _MIN_LEN = 28
    _TYPE = {"ascii": ["src_mac", "src_ip", "dst_mac", "dst_ip"]}

    def __init__(
        self,
        hwtype=ARP_HW_TYPE_ETHERNET,
        proto=ether_types.ETH_TYPE_IP,
        hlen=6,
        plen=4,
        opcode=ARP_REQUEST,
        src_mac="ff:ff:ff:ff:ff:ff",
        src_ip="0.0.0.0",
        dst_mac="ff:ff:ff:ff:ff:ff",
        dst_ip="0.0.0.0",
    ):
        self.hwtype = hwtype
        self.proto = proto
        self.hlen = hlen
        self.plen = plen
        self.opcode = opcode
        self.src_mac = src_mac
        self.src_ip = src_ip
        self.dst_mac = dst_mac
        self.dst_ip = dst_ip

    @classmethod
    def parser(cls, buf):
        self = cls.__new__(cls)
        if len(buf) >= 28 and buf[4] == 6 and buf[5] == 4:
            (self.hwtype, self.proto, self.hlen, self.plen, self.opcode, sha, spa, tha, tpa) = (
                _ETH_IPV4.unpack_from(buf)
            )
            self.src_mac = sha.hex(":")
            self.src_ip = addrconv.ipv4.bin_to_text(spa)
            self.dst_mac = tha.hex(":")
            self.dst_ip = addrconv.ipv4.bin_to_text(tpa)
            return self, None, buf[28:]
        if len(buf) < 8:
            raise PacketTruncatedError(f"need 8 bytes, have {len(buf)}", "arp")
        self.hwtype, self.proto, self.hlen, self.plen, self.opcode = _FIXED.unpack_from(buf)
        hl, pl = self.hlen, self.plen
        end = 8 + 2 * (hl + pl)
        if len(buf) < end:
            raise PacketTruncatedError(f"addresses need {end} bytes, have {len(buf)}", "arp")
        off = 8
        self.src_mac = _hw_text(bytes(buf[off : off + hl]))
        off += hl
        self.src_ip = _proto_text(bytes(buf[off : off + pl]))
        off += pl
        self.dst_mac = _hw_text(bytes(buf[off : off + hl]))
        off += hl
        self.dst_ip = _proto_text(bytes(buf[off : off + pl]))
        return self, None, buf[end:]

    def serialize(self, payload, prev):
        if self.hlen == 6 and self.plen == 4:
            return _ETH_IPV4.pack(
                self.hwtype,
                self.proto,
                6,
                4,
                self.opcode,
                _hw_bin(self.src_mac, 6),
                _proto_bin(self.src_ip, 4),
                _hw_bin(self.dst_mac, 6),
                _proto_bin(self.dst_ip, 4),
            )
        hl, pl = self.hlen, self.plen
        return (
            _FIXED.pack(self.hwtype, self.proto, hl, pl, self.opcode)
            + _hw_bin(self.src_mac, hl)
            + _proto_bin(self.src_ip, pl)
            + _hw_bin(self.dst_mac, hl)
            + _proto_bin(self.dst_ip, pl)
        )


def arp_ip(opcode, src_mac, src_ip, dst_mac, dst_ip) -> arp:
    """IPv4-over-Ethernet ARP header: ``arp(1, 0x0800, 6, 4, opcode, ...)``."""
    return arp(
        ARP_HW_TYPE_ETHERNET,
        ether_types.ETH_TYPE_IP,
        6,
        4,
        opcode,
        src_mac,
        src_ip,
        dst_mac,
        dst_ip,
    )


ethernet.ethernet.register_packet_type(arp, ether_types.ETH_TYPE_ARP)
