"""Multipath TCP options (TCP option kind 30), RFC 8684 section 3.

Every MPTCP option starts with kind, length and a 4-bit subtype.  Decoded here:
MP_CAPABLE (§3.1; lengths 4, 12, 20, 22, 24, which covers RFC 6824 version 0
too), MP_JOIN in its SYN, SYN/ACK and third-ACK forms (§3.2), DSS (§3.3),
ADD_ADDR for IPv4 and IPv6 with or without port and truncated HMAC (§3.4.1),
REMOVE_ADDR (§3.4.2), MP_PRIO (§3.3.8), MP_FAIL (§3.7), MP_FASTCLOSE (§3.5)
and MP_TCPRST (§3.6).  An MPTCP option of another subtype, of a length its
subtype does not allow, or with reserved bits set becomes
:class:`~ctrlapp.lib.packet.tcp.TCPOptionUnknown` (kind 30) and keeps its bytes.
"""

from __future__ import annotations

import struct
from typing import Any, ClassVar

from ctrlapp.lib import addrconv
from ctrlapp.lib.packet import tcp

MPTCP_SUBTYPE_MP_CAPABLE = 0x0
MPTCP_SUBTYPE_MP_JOIN = 0x1
MPTCP_SUBTYPE_DSS = 0x2
MPTCP_SUBTYPE_ADD_ADDR = 0x3
MPTCP_SUBTYPE_REMOVE_ADDR = 0x4
MPTCP_SUBTYPE_MP_PRIO = 0x5
MPTCP_SUBTYPE_MP_FAIL = 0x6
MPTCP_SUBTYPE_MP_FASTCLOSE = 0x7
MPTCP_SUBTYPE_MP_TCPRST = 0x8

# DSS flags (RFC 8684 §3.3): DATA_FIN, DSN is 8 octets, mapping present,
# Data ACK is 8 octets, Data ACK present.
MPTCP_DSS_FLAG_F = 0x10
MPTCP_DSS_FLAG_m = 0x08
MPTCP_DSS_FLAG_M = 0x04
MPTCP_DSS_FLAG_a = 0x02
MPTCP_DSS_FLAG_A = 0x01

_KIND = tcp.TCP_OPTION_KIND_MULTIPATH
_Q = struct.Struct("!Q")
_I = struct.Struct("!I")
_H = struct.Struct("!H")


class _MultipathOption(tcp.TCPOption):
    __slots__ = ()
    kind = _KIND
    subtype: ClassVar[int] = -1

    def _head(self, length: int, low_bits: int) -> bytes:
        return bytes((_KIND, length, self.subtype << 4 | low_bits))


class TCPOptionMultipathCapable(_MultipathOption):
    """MP_CAPABLE (RFC 8684 §3.1).

    ``flags`` is the A-H byte (A: checksum required, H: HMAC-SHA256).  Which
    of the keys, the data-level length and the checksum are present depends on
    the handshake step; ``None`` means absent.
    """

    __slots__ = (
        "version",
        "flags",
        "sender_key",
        "receiver_key",
        "data_level_length",
        "checksum",
    )
    subtype = MPTCP_SUBTYPE_MP_CAPABLE
    _ARGS = ("version", "flags", "sender_key", "receiver_key", "data_level_length", "checksum")
    _DEFAULTS = (1, 0, None, None, None, None)

    @classmethod
    def _decode(cls, buf, off, length):
        if length not in (4, 12, 20, 22, 24):
            return None
        keys = [_Q.unpack_from(buf, p)[0] for p in range(off + 4, off + min(length, 20), 8)]
        keys += [None] * (2 - len(keys))
        dll = _H.unpack_from(buf, off + 20)[0] if length >= 22 else None
        csum = _H.unpack_from(buf, off + 22)[0] if length == 24 else None
        return cls(buf[off + 2] & 0x0F, buf[off + 3], keys[0], keys[1], dll, csum)

    def serialize(self) -> bytes:
        body = b""
        if self.sender_key is not None:
            body += _Q.pack(self.sender_key)
            if self.receiver_key is not None:
                body += _Q.pack(self.receiver_key)
                if self.data_level_length is not None:
                    body += _H.pack(self.data_level_length)
                    if self.checksum is not None:
                        body += _H.pack(self.checksum)
        return self._head(4 + len(body), self.version) + bytes((self.flags,)) + body


class TCPOptionMultipathJoinSYN(_MultipathOption):
    """MP_JOIN on the SYN of a new subflow (RFC 8684 §3.2, length 12)."""

    __slots__ = ("backup", "address_id", "receiver_token", "sender_nonce")
    subtype = MPTCP_SUBTYPE_MP_JOIN
    _ARGS = ("backup", "address_id", "receiver_token", "sender_nonce")
    _WIRE = struct.Struct("!BBBBII")

    @classmethod
    def _decode(cls, buf, off, length):
        _, _, sub, addr_id, token, nonce = cls._WIRE.unpack_from(buf, off)
        if sub & 0x0E:
            return None
        return cls(bool(sub & 1), addr_id, token, nonce)

    def serialize(self) -> bytes:
        return self._WIRE.pack(
            _KIND,
            12,
            self.subtype << 4 | int(bool(self.backup)),
            self.address_id,
            self.receiver_token,
            self.sender_nonce,
        )


class TCPOptionMultipathJoinSYNACK(_MultipathOption):
    """MP_JOIN on the SYN/ACK of a new subflow (RFC 8684 §3.2, length 16)."""

    __slots__ = ("backup", "address_id", "sender_truncated_hmac", "sender_nonce")
    subtype = MPTCP_SUBTYPE_MP_JOIN
    _ARGS = ("backup", "address_id", "sender_truncated_hmac", "sender_nonce")
    _WIRE = struct.Struct("!BBBBQI")

    @classmethod
    def _decode(cls, buf, off, length):
        _, _, sub, addr_id, hmac, nonce = cls._WIRE.unpack_from(buf, off)
        if sub & 0x0E:
            return None
        return cls(bool(sub & 1), addr_id, hmac, nonce)

    def serialize(self) -> bytes:
        return self._WIRE.pack(
            _KIND,
            16,
            self.subtype << 4 | int(bool(self.backup)),
            self.address_id,
            self.sender_truncated_hmac,
            self.sender_nonce,
        )


class TCPOptionMultipathJoinACK(_MultipathOption):
    """MP_JOIN on the third ACK of a new subflow (RFC 8684 §3.2, length 24): a 160-bit HMAC."""

    __slots__ = ("sender_hmac",)
    subtype = MPTCP_SUBTYPE_MP_JOIN
    _ARGS = ("sender_hmac",)

    @classmethod
    def _decode(cls, buf, off, length):
        if buf[off + 2] & 0x0F or buf[off + 3]:
            return None
        return cls(bytes(buf[off + 4 : off + 24]))

    def serialize(self) -> bytes:
        return self._head(24, 0) + b"\x00" + bytes(self.sender_hmac)


_JOIN_FORMS = {
    12: TCPOptionMultipathJoinSYN,
    16: TCPOptionMultipathJoinSYNACK,
    24: TCPOptionMultipathJoinACK,
}


class TCPOptionMultipathDSS(_MultipathOption):
    """Data Sequence Signal (RFC 8684 §3.3).

    ``flags`` holds F, m, M, a and A (``MPTCP_DSS_FLAG_*``).  On encoding, A
    and M follow from whether ``data_ack`` and ``data_sequence_number`` are
    given; ``a`` and ``m`` choose 8-octet fields.  ``checksum`` is ``None`` when
    checksums are not in use.
    """

    __slots__ = (
        "flags",
        "data_ack",
        "data_sequence_number",
        "subflow_sequence_number",
        "data_level_length",
        "checksum",
    )
    subtype = MPTCP_SUBTYPE_DSS
    _ARGS = (
        "flags",
        "data_ack",
        "data_sequence_number",
        "subflow_sequence_number",
        "data_level_length",
        "checksum",
    )
    _DEFAULTS = (0, None, None, 0, 0, None)

    @classmethod
    def _decode(cls, buf, off, length):
        if buf[off + 2] & 0x0F or buf[off + 3] & 0xE0:
            return None
        flags = buf[off + 3]
        p = off + 4
        end = off + length
        data_ack = dsn = None
        ssn = dll = 0
        csum = None
        if flags & MPTCP_DSS_FLAG_A:
            width = 8 if flags & MPTCP_DSS_FLAG_a else 4
            if p + width > end:
                return None
            data_ack = int.from_bytes(buf[p : p + width], "big")
            p += width
        if flags & MPTCP_DSS_FLAG_M:
            width = 8 if flags & MPTCP_DSS_FLAG_m else 4
            if p + width + 6 > end:
                return None
            dsn = int.from_bytes(buf[p : p + width], "big")
            p += width
            ssn = _I.unpack_from(buf, p)[0]
            dll = _H.unpack_from(buf, p + 4)[0]
            p += 6
            if end - p == 2:
                csum = _H.unpack_from(buf, p)[0]
                p += 2
        if p != end:
            return None
        return cls(flags, data_ack, dsn, ssn, dll, csum)

    def serialize(self) -> bytes:
        flags = self.flags & ~(MPTCP_DSS_FLAG_A | MPTCP_DSS_FLAG_M)
        body = b""
        if self.data_ack is not None:
            flags |= MPTCP_DSS_FLAG_A
            body += self.data_ack.to_bytes(8 if flags & MPTCP_DSS_FLAG_a else 4, "big")
        if self.data_sequence_number is not None:
            flags |= MPTCP_DSS_FLAG_M
            body += self.data_sequence_number.to_bytes(8 if flags & MPTCP_DSS_FLAG_m else 4, "big")
            body += _I.pack(self.subflow_sequence_number) + _H.pack(self.data_level_length)
            if self.checksum is not None:
                body += _H.pack(self.checksum)
        return self._head(4 + len(body), 0) + bytes((flags,)) + body


class TCPOptionMultipathAddAddress(_MultipathOption):
    """ADD_ADDR (RFC 8684 §3.4.1).

    ``address`` is IPv4 or IPv6 text; ``port`` and ``truncated_hmac`` (64
    bits) are ``None`` when absent; ``echo`` is the E flag.
    """

    __slots__ = ("address_id", "address", "port", "truncated_hmac", "echo")
    subtype = MPTCP_SUBTYPE_ADD_ADDR
    _ARGS = ("address_id", "address", "port", "truncated_hmac", "echo")
    _DEFAULTS = (None, None, False)
    _TYPE = {"ascii": ["address"]}
    # length -> (address size, port present, HMAC present)
    _FORMS = {
        8: (4, False, False),
        10: (4, True, False),
        16: (4, False, True),
        18: (4, True, True),
        20: (16, False, False),
        22: (16, True, False),
        28: (16, False, True),
        30: (16, True, True),
    }

    @classmethod
    def _decode(cls, buf, off, length):
        form = cls._FORMS.get(length)
        if form is None or buf[off + 2] & 0x0E:
            return None
        size, has_port, has_hmac = form
        p = off + 4
        raw = bytes(buf[p : p + size])
        address = addrconv.ipv4.bin_to_text(raw) if size == 4 else addrconv.ipv6.bin_to_text(raw)
        p += size
        port = hmac = None
        if has_port:
            port = _H.unpack_from(buf, p)[0]
            p += 2
        if has_hmac:
            hmac = _Q.unpack_from(buf, p)[0]
        return cls(buf[off + 3], address, port, hmac, bool(buf[off + 2] & 1))

    def serialize(self) -> bytes:
        if ":" in self.address:
            body = addrconv.ipv6.text_to_bin(self.address)
        else:
            body = addrconv.ipv4.text_to_bin(self.address)
        if self.port is not None:
            body += _H.pack(self.port)
        if self.truncated_hmac is not None:
            body += _Q.pack(self.truncated_hmac)
        return self._head(4 + len(body), int(bool(self.echo))) + bytes((self.address_id,)) + body


class TCPOptionMultipathRemoveAddress(_MultipathOption):
    """REMOVE_ADDR (RFC 8684 §3.4.2): one or more address IDs."""

    __slots__ = ("address_ids",)
    subtype = MPTCP_SUBTYPE_REMOVE_ADDR
    _ARGS = ("address_ids",)

    def __init__(self, address_ids: list[int], **kwargs: Any) -> None:
        super().__init__(list(address_ids), **kwargs)

    @classmethod
    def _decode(cls, buf, off, length):
        if length < 4 or buf[off + 2] & 0x0F:
            return None
        return cls(list(buf[off + 3 : off + length]))

    def serialize(self) -> bytes:
        return self._head(3 + len(self.address_ids), 0) + bytes(self.address_ids)


class TCPOptionMultipathPriority(_MultipathOption):
    """MP_PRIO (RFC 8684 §3.3.8); ``address_id`` is the optional field of RFC 6824."""

    __slots__ = ("backup", "address_id")
    subtype = MPTCP_SUBTYPE_MP_PRIO
    _ARGS = ("backup", "address_id")
    _DEFAULTS = (None,)

    @classmethod
    def _decode(cls, buf, off, length):
        if length not in (3, 4) or buf[off + 2] & 0x0E:
            return None
        return cls(bool(buf[off + 2] & 1), buf[off + 3] if length == 4 else None)

    def serialize(self) -> bytes:
        tail = b"" if self.address_id is None else bytes((self.address_id,))
        return self._head(3 + len(tail), int(bool(self.backup))) + tail


class _ReservedAnd64Bits(_MultipathOption):
    """Subtype, 12 reserved bits, one 64-bit value: the layout of MP_FAIL and MP_FASTCLOSE."""

    __slots__ = ()
    _WIRE = struct.Struct("!BBBBQ")

    @classmethod
    def _decode(cls, buf, off, length):
        if length != 12 or buf[off + 2] & 0x0F or buf[off + 3]:
            return None
        return cls(_Q.unpack_from(buf, off + 4)[0])

    def serialize(self) -> bytes:
        return self._WIRE.pack(_KIND, 12, self.subtype << 4, 0, getattr(self, self._ARGS[0]))


class TCPOptionMultipathFail(_ReservedAnd64Bits):
    """MP_FAIL (RFC 8684 §3.7): the data sequence number where the checksum failed."""

    __slots__ = ("data_sequence_number",)
    subtype = MPTCP_SUBTYPE_MP_FAIL
    _ARGS = ("data_sequence_number",)


class TCPOptionMultipathFastclose(_ReservedAnd64Bits):
    """MP_FASTCLOSE (RFC 8684 §3.5): the receiver's key."""

    __slots__ = ("receiver_key",)
    subtype = MPTCP_SUBTYPE_MP_FASTCLOSE
    _ARGS = ("receiver_key",)


class TCPOptionMultipathReset(_MultipathOption):
    """MP_TCPRST (RFC 8684 §3.6): ``flags`` U, V, W, T (low 4 bits) and a reason code."""

    __slots__ = ("flags", "reason")
    subtype = MPTCP_SUBTYPE_MP_TCPRST
    _ARGS = ("flags", "reason")

    @classmethod
    def _decode(cls, buf, off, length):
        if length != 4:
            return None
        return cls(buf[off + 2] & 0x0F, buf[off + 3])

    def serialize(self) -> bytes:
        return self._head(4, self.flags) + bytes((self.reason,))


_SUBTYPES = {
    cls.subtype: cls
    for cls in (
        TCPOptionMultipathCapable,
        TCPOptionMultipathDSS,
        TCPOptionMultipathAddAddress,
        TCPOptionMultipathRemoveAddress,
        TCPOptionMultipathPriority,
        TCPOptionMultipathFail,
        TCPOptionMultipathFastclose,
        TCPOptionMultipathReset,
    )
}


def _decode_multipath(buf, off: int, length: int) -> tcp.TCPOption | None:
    if length < 3:
        return None
    subtype = buf[off + 2] >> 4
    if subtype == MPTCP_SUBTYPE_MP_JOIN:
        cls = _JOIN_FORMS.get(length)
    else:
        cls = _SUBTYPES.get(subtype)
    return cls._decode(buf, off, length) if cls is not None else None


tcp.register_option(_KIND, _decode_multipath)
