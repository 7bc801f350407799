"""IEEE 802.1Q VLAN tag (C-tag, TPID 0x8100) and IEEE 802.1ad service tag (S-tag, TPID 0x88a8).

The tag follows the MAC addresses; its own ``ethertype`` says what comes
after it and is looked up in the Ethernet table, so any tag can follow any
other (802.1ad QinQ, or stacked 802.1Q tags) and every protocol registered
with Ethernet decodes inside a VLAN.  A value of 0x05FF or below is an 802.3
length: the payload stays raw, as after an untagged length frame.
"""

from __future__ import annotations

import struct

from ctrlapp.lib.packet import ether_types, ethernet, packet_base
from ctrlapp.lib.packet.errors import PacketTruncatedError

_TAG = struct.Struct("!HH")
_MAX_802_3_LENGTH = 0x05FF
_ETH_TYPES = ethernet.ethernet._TYPES


class _vlan(packet_base.PacketBase):
    """Tag Control Information (PCP, CFI/DEI, VID) and the next EtherType."""

    __slots__ = ("pcp", "cfi", "vid", "ethertype")
    _PACK_STR = "!HH"
    _MIN_LEN = _TAG.size

    def __init__(self, pcp: int, cfi: int, vid: int, ethertype: int):
        self.pcp = pcp
        self.cfi = cfi
        self.vid = vid
        self.ethertype = ethertype

    @classmethod
    def parser(cls, buf: bytes) -> tuple[_vlan, type | None, bytes]:
        if len(buf) < 4:
            raise PacketTruncatedError(f"need 4 bytes, have {len(buf)}", cls.__name__)
        tci, ethertype = _TAG.unpack_from(buf)
        self = cls.__new__(cls)
        self.pcp = tci >> 13
        self.cfi = (tci >> 12) & 1
        self.vid = tci & 0xFFF
        self.ethertype = ethertype
        next_cls = _ETH_TYPES.get(ethertype) if ethertype > _MAX_802_3_LENGTH else None
        return self, next_cls, buf[4:]

    def serialize(
        self, payload: bytearray, prev: packet_base.PacketBase | None
    ) -> bytes | bytearray:
        tci = ((self.pcp & 7) << 13) | ((self.cfi & 1) << 12) | (self.vid & 0xFFF)
        return _TAG.pack(tci, self.ethertype)

    @classmethod
    def get_packet_type(cls, type_: int) -> type | None:
        return ethernet.ethernet.get_packet_type(type_)


class vlan(_vlan):
    """IEEE 802.1Q customer VLAN tag.

    ========= ===================================== =======
    Attribute Description                           Example
    ========= ===================================== =======
    pcp       Priority Code Point
    cfi       Canonical Format Indicator (now DEI)
    vid       VLAN Identifier
    ethertype EtherType of what follows             0x0800
    ========= ===================================== =======
    """

    __slots__ = ()

    def __init__(
        self, pcp: int = 0, cfi: int = 0, vid: int = 0, ethertype: int = ether_types.ETH_TYPE_IP
    ):
        super().__init__(pcp, cfi, vid, ethertype)


class svlan(_vlan):
    """IEEE 802.1ad service VLAN tag; attributes as :class:`vlan`, ``cfi`` being the DEI bit."""

    __slots__ = ()

    def __init__(
        self, pcp: int = 0, cfi: int = 0, vid: int = 0, ethertype: int = ether_types.ETH_TYPE_8021Q
    ):
        super().__init__(pcp, cfi, vid, ethertype)


ethernet.ethernet.register_packet_type(vlan, ether_types.ETH_TYPE_8021Q)
ethernet.ethernet.register_packet_type(svlan, ether_types.ETH_TYPE_8021AD)
