"""GRE header (RFC 2784 section 2, key and sequence number of RFC 2890 section 2, NVGRE RFC 7637 section 3.2).

Layout: C (checksum present), K (key present) and S (sequence number present)
flags, version, Protocol Type (an EtherType), then the optional checksum (with
16 reserved bits), key and sequence number, in that order.  NVGRE (protocol
0x6558) splits the key into a 24-bit Virtual Subnet ID and an 8-bit FlowID:
``key == vsid << 8 | flow_id``.

A header with other flag bits set (RFC 1701 routing, recursion control) or a
version other than 0 is not decoded: RFC 2784 §2.3 tells receivers to discard
it.  When the checksum is present it is computed on encoding over the GRE
header and payload (RFC 2784 §2.5).
"""

from __future__ import annotations

import struct

from ctrlapp.lib.packet import ether_types, ethernet, in_proto, ipv4, ipv6, packet_base
from ctrlapp.lib.packet.checksum import checksum as inet_checksum
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError

GRE_CHECKSUM_FLG = 0x80
GRE_KEY_FLG = 0x20
GRE_SEQUENCE_NUM_FLG = 0x10
_KNOWN_FLAGS = GRE_CHECKSUM_FLG | GRE_KEY_FLG | GRE_SEQUENCE_NUM_FLG

_HDR = struct.Struct("!BBH")
_WORD = struct.Struct("!I")
_CSUM = struct.Struct("!HH")


def _inner_class(protocol: int):
    if protocol == ether_types.ETH_TYPE_TEB:
        return ethernet.ethernet
    return ethernet.ethernet.get_packet_type(protocol)


class gre(packet_base.PacketBase):
    """GRE header.

    ============== ======================================================
    Attribute      Description
    ============== ======================================================
    version        Version (0)
    protocol       Protocol Type of the payload (an EtherType)
    checksum       Checksum; ``None`` = absent, otherwise computed
    key            Key; ``None`` = absent
    vsid           NVGRE Virtual Subnet ID (upper 24 bits of the key)
    flow_id        NVGRE FlowID (lower 8 bits of the key)
    seq_number     Sequence number; ``None`` = absent
    ============== ======================================================
    """

    __slots__ = ("version", "protocol", "checksum", "_key", "seq_number")
    _fields = ("checksum", "flow_id", "key", "protocol", "seq_number", "version", "vsid")
    _MIN_LEN = _HDR.size

    def __init__(
        self,
        version: int = 0,
        protocol: int = ether_types.ETH_TYPE_IP,
        checksum: int | None = None,
        key: int | None = None,
        vsid: int | None = None,
        flow_id: int | None = None,
        seq_number: int | None = None,
    ) -> None:
        self.version = version
        self.protocol = protocol
        self.checksum = checksum
        self.seq_number = seq_number
        if key is None and vsid is not None and flow_id is not None:
            key = vsid << 8 | flow_id
        self._key = key

    @property
    def key(self) -> int | None:
        return self._key

    @key.setter
    def key(self, value: int | None) -> None:
        self._key = value

    @property
    def vsid(self) -> int | None:
        return None if self._key is None else self._key >> 8

    @vsid.setter
    def vsid(self, value: int) -> None:
        self._key = value << 8 | ((self._key or 0) & 0xFF)

    @property
    def flow_id(self) -> int | None:
        return None if self._key is None else self._key & 0xFF

    @flow_id.setter
    def flow_id(self, value: int) -> None:
        self._key = ((self._key or 0) & ~0xFF) | value

    @classmethod
    def parser(cls, buf):
        if len(buf) < 4:
            raise PacketTruncatedError(f"need 4 bytes, have {len(buf)}", "gre")
        flags, ver, protocol = _HDR.unpack_from(buf)
        if flags & ~_KNOWN_FLAGS or ver:
            raise PacketFieldError(
                f"unsupported flags 0x{flags:02x}{ver:02x} (RFC 2784 §2.3)", "gre"
            )
        need = (
            4
            + (4 if flags & GRE_CHECKSUM_FLG else 0)
            + (4 if flags & GRE_KEY_FLG else 0)
            + (4 if flags & GRE_SEQUENCE_NUM_FLG else 0)
        )
        if len(buf) < need:
            raise PacketTruncatedError(f"need {need} bytes, have {len(buf)}", "gre")
        self = cls.__new__(cls)
        self.version = ver
        self.protocol = protocol
        off = 4
        self.checksum = self._key = self.seq_number = None
        if flags & GRE_CHECKSUM_FLG:
            self.checksum, reserved1 = _CSUM.unpack_from(buf, off)
            if reserved1:
                raise PacketFieldError("Reserved1 is not zero (RFC 2784 §2.6)", "gre")
            off += 4
        if flags & GRE_KEY_FLG:
            (self._key,) = _WORD.unpack_from(buf, off)
            off += 4
        if flags & GRE_SEQUENCE_NUM_FLG:
            (self.seq_number,) = _WORD.unpack_from(buf, off)
            off += 4
        return self, _inner_class(protocol), buf[off:]

    def serialize(self, payload, prev):
        flags = 0
        tail = b""
        if self._key is not None:
            flags |= GRE_KEY_FLG
            tail += _WORD.pack(self._key)
        if self.seq_number is not None:
            flags |= GRE_SEQUENCE_NUM_FLG
            tail += _WORD.pack(self.seq_number)
        if self.checksum is None:
            return _HDR.pack(flags, self.version, self.protocol) + tail
        flags |= GRE_CHECKSUM_FLG
        hdr = bytearray(_HDR.pack(flags, self.version, self.protocol) + bytes(4) + tail)
        _CSUM.pack_into(hdr, 4, inet_checksum(bytes(hdr) + bytes(payload)), 0)
        return hdr

    def checksum_ok(self, buf, prev) -> bool | None:
        """Whether the checksum matches ``buf`` (this header and its payload); ``None`` if absent.

        Under IPv4 only the datagram's payload is summed, so bytes after it
        (Ethernet padding, a trailer) do not count.
        """
        if self.checksum is None:
            return None
        if isinstance(prev, ipv4.ipv4) and prev.total_length:
            buf = buf[: prev.total_length - prev.header_length * 4]
        return inet_checksum(buf) == 0

    def __len__(self) -> int:
        return (
            4
            + (4 if self.checksum is not None else 0)
            + (4 if self._key is not None else 0)
            + (4 if self.seq_number is not None else 0)
        )


ipv4.ipv4.register_packet_type(gre, in_proto.IPPROTO_GRE)
ipv6.ipv6.register_packet_type(gre, in_proto.IPPROTO_GRE)
