"""UDP header (RFC 768), with the IPv6 rules of RFC 8200 section 8.1.

The checksum covers the IPv4 (RFC 768) or IPv6 (RFC 8200 §8.1) pseudo-header,
the UDP header and the payload.  Over IPv4 a checksum field of 0 means the
sender computed none; a computed checksum of 0 is therefore sent as 0xFFFF
(RFC 768, RFC 8200 §8.1).

What follows the header is chosen by port through udp's own type table
(``udp.register_packet_type(cls, port)``); the destination port is looked up
first, then the source port.  The payload is not cut at the length field, so
Ethernet padding after a short datagram stays in the decoded packet and a
decoded frame re-encodes to the same bytes.
"""

from __future__ import annotations

import struct

from ctrlapp.lib.packet import in_proto, ipv4, ipv6, packet_base
from ctrlapp.lib.packet.checksum import checksum, fold, pseudo_header, pseudo_sum
from ctrlapp.lib.packet.errors import PacketTruncatedError

UDP_PORT_DHCP_SERVER = 67
UDP_PORT_DHCP_CLIENT = 68
UDP_PORT_DHCPV6_CLIENT = 546
UDP_PORT_DHCPV6_SERVER = 547
UDP_PORT_VXLAN = 4789
UDP_PORT_GENEVE = 6081

_HDR = struct.Struct("!HHHH")
_CSUM = struct.Struct("!H")


class udp(packet_base.PacketBase):
    """UDP header.

    ============== ==================================================
    Attribute      Description
    ============== ==================================================
    src_port       Source Port
    dst_port       Destination Port
    total_length   Length (0 means computed when encoding)
    csum           Checksum (0 means computed when encoding)
    ============== ==================================================
    """

    __slots__ = ("src_port", "dst_port", "total_length", "csum")
    _PACK_STR = "!HHHH"
    _MIN_LEN = _HDR.size

    def __init__(
        self, src_port: int = 1, dst_port: int = 1, total_length: int = 0, csum: int = 0
    ) -> None:
        self.src_port = src_port
        self.dst_port = dst_port
        self.total_length = total_length
        self.csum = csum

    @classmethod
    def get_packet_type(cls, src_port, dst_port=None):
        """Class for the payload: by ``dst_port``, then by ``src_port`` (Ryu's signature).

        Called with one argument it is the plain table lookup of PacketBase.
        """
        types = cls._TYPES
        if dst_port is None:
            return types.get(src_port)
        return types.get(dst_port) or types.get(src_port)

    @classmethod
    def parser(cls, buf):
        if len(buf) < 8:
            raise PacketTruncatedError(f"need 8 bytes, have {len(buf)}", "udp")
        self = cls.__new__(cls)
        src, dst, self.total_length, self.csum = _HDR.unpack_from(buf)
        self.src_port = src
        self.dst_port = dst
        types = cls._TYPES
        return self, types.get(dst) or types.get(src), buf[8:]

    def serialize(self, payload, prev):
        length = self.total_length or 8 + len(payload)
        csum = self.csum
        if csum or not isinstance(prev, _IP_CLASSES):
            return _HDR.pack(self.src_port, self.dst_port, length, csum)
        src_port = self.src_port
        dst_port = self.dst_port
        total = pseudo_sum(prev, length, in_proto.IPPROTO_UDP) + src_port + dst_port + length
        if payload:
            total += int.from_bytes(payload, "big") << (8 if len(payload) & 1 else 0)
        # 0 on the wire means "no checksum" (RFC 768); all ones is the same value.
        return _HDR.pack(src_port, dst_port, length, fold(total) or 0xFFFF)

    def checksum_ok(self, buf, prev) -> bool | None:
        """Whether the checksum matches ``buf`` (this header and its payload) under ``prev``.

        ``None`` when there is nothing to check: no IP header before, or
        checksum 0 over IPv4.
        """
        if not isinstance(prev, _IP_CLASSES):
            return None
        if self.csum == 0 and isinstance(prev, ipv4.ipv4):
            return None
        length = self.total_length
        if length < 8 or length > len(buf):
            return False
        return (
            checksum(pseudo_header(prev, length, in_proto.IPPROTO_UDP) + bytes(buf[:length])) == 0
        )


_IP_CLASSES = (ipv4.ipv4, ipv6.ipv6)

ipv4.ipv4.register_packet_type(udp, in_proto.IPPROTO_UDP)
ipv6.ipv6.register_packet_type(udp, in_proto.IPPROTO_UDP)
