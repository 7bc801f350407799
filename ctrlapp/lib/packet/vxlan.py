"""VXLAN header (RFC 7348 section 5), carried over UDP port 4789.

The 8-byte header holds the flags byte (only the I flag, "VNI valid", is
defined), a 24-bit VXLAN Network Identifier and reserved bits; the payload is
an Ethernet frame.  Reserved bits are ignored on receipt and sent as zero, as
section 5 requires; a header without the I flag carries no valid VNI and is not
decoded.
"""

from __future__ import annotations

import struct

from ctrlapp.lib.packet import ethernet, packet_base, udp
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError

_HDR = struct.Struct("!II")
_FLAG_I = 0x08000000


def vni_from_bin(buf: bytes) -> int:
    """The VNI held in the 3 bytes ``buf``."""
    return int.from_bytes(buf[:3], "big")


def vni_to_bin(vni: int) -> bytes:
    """The 3-byte wire form of ``vni``."""
    return vni.to_bytes(3, "big")


class vxlan(packet_base.PacketBase):
    """VXLAN header.

    ========= ===============================
    Attribute Description
    ========= ===============================
    vni       VXLAN Network Identifier
    ========= ===============================
    """

    __slots__ = ("vni",)
    _PACK_STR = "!II"
    _MIN_LEN = _HDR.size

    def __init__(self, vni: int) -> None:
        self.vni = vni

    @classmethod
    def parser(cls, buf):
        if len(buf) < 8:
            raise PacketTruncatedError(f"need 8 bytes, have {len(buf)}", "vxlan")
        flags, vni = _HDR.unpack_from(buf)
        if not flags & _FLAG_I:
            raise PacketFieldError("I flag clear: no valid VNI", "vxlan")
        self = cls.__new__(cls)
        self.vni = vni >> 8
        return self, ethernet.ethernet, buf[8:]

    def serialize(self, payload, prev):
        return _HDR.pack(_FLAG_I, self.vni << 8)


udp.udp.register_packet_type(vxlan, udp.UDP_PORT_VXLAN)
