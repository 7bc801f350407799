"""Ethernet II header (IEEE 802.3 clause 3.2.6 / DIX).

Frames whose type field is below 0x0600 are IEEE 802.3 length frames; the
payload after such a header is kept as raw bytes.
"""

from __future__ import annotations

import functools
import struct

from ctrlapp.lib import addrconv
from ctrlapp.lib.packet import ether_types, packet_base
from ctrlapp.lib.packet.errors import PacketTruncatedError

_HDR = struct.Struct("!6s6sH")
_MAX_802_3_LENGTH = 0x05FF
_ADDRS = struct.Struct("!12sH")


@functools.lru_cache(maxsize=4096)
def _addr_pair(dst: str, src: str) -> bytes:
    # Frames between the same two stations repeat: one cache lookup per header.
    return addrconv.mac.text_to_bin(dst) + addrconv.mac.text_to_bin(src)


class ethernet(packet_base.PacketBase):
    """Ethernet header.

    ============== ==================== =====================
    Attribute      Description          Example
    ============== ==================== =====================
    dst            destination address  'ff:ff:ff:ff:ff:ff'
    src            source address       '08:60:6e:7f:74:e7'
    ethertype      ether type           0x0800
    ============== ==================== =====================
    """

    __slots__ = ("dst", "src", "ethertype")
    _PACK_STR = "!6s6sH"
    _MIN_LEN = _HDR.size
    _MIN_PAYLOAD_LEN = 46
    _TYPE = {"ascii": ["src", "dst"]}

    def __init__(
        self,
        dst: str = "ff:ff:ff:ff:ff:ff",
        src: str = "00:00:00:00:00:00",
        ethertype: int = ether_types.ETH_TYPE_IP,
    ):
        self.dst = dst
        self.src = src
        self.ethertype = ethertype

    @classmethod
    def parser(cls, buf):
        if len(buf) < 14:
            raise PacketTruncatedError(f"need 14 bytes, have {len(buf)}", "ethernet")
        dst, src, ethertype = _HDR.unpack_from(buf)
        self = cls.__new__(cls)
        self.dst = dst.hex(":")
        self.src = src.hex(":")
        self.ethertype = ethertype
        return self, cls._TYPES.get(ethertype), buf[14:]

    def serialize(self, payload, prev):
        # A frame shorter than the Ethernet minimum is padded by the sender
        # (IEEE 802.3 clause 3.2.7) when this header is outermost.
        hdr = _ADDRS.pack(_addr_pair(self.dst, self.src), self.ethertype)
        if prev is None and len(payload) < self._MIN_PAYLOAD_LEN:
            payload += bytes(self._MIN_PAYLOAD_LEN - len(payload))
        return hdr

    @classmethod
    def get_packet_type(cls, type_):
        if type_ <= _MAX_802_3_LENGTH:
            return None
        return cls._TYPES.get(type_)
