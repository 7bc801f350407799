"""DHCPv6 messages and options (RFC 8415 §8, §9, §21), DNS options (RFC 3646).

The wire representation is Ryu's: :class:`dhcp6` holds the message header
(``msg_type`` + ``transaction_id``, or for Relay-forward/Relay-reply the
``hop_count``, ``link_address`` and ``peer_address`` of RFC 8415 §9) and an
:class:`options` object whose ``option_list`` holds :class:`option`
``(code, data, length)`` objects with ``data`` as raw bytes.  The one
exception is the Relay Message option (§21.10): its ``data`` is the relayed
message decoded as a :class:`dhcp6` (raw bytes if it does not decode).

On top of that, :attr:`option.value`, :meth:`option.from_value` and
:meth:`options.get` convert the options a server or snooper needs, per
:data:`OPTION_CODECS`: DUIDs (§11: :class:`duid_llt`, :class:`duid_en`,
:class:`duid_ll`, :class:`duid_uuid`), IA_NA with IA Address
(:class:`ia_na`, :class:`ia_address`, §21.4, §21.6), IA_PD with IA Prefix
(:class:`ia_pd`, :class:`ia_prefix`, §21.21, §21.22), Option Request (a
list of codes), Elapsed Time (1/100 s), Status Code (``(code, message)``),
Rapid Commit (``True``), DNS servers (a list of addresses) and the domain
search list (a list of names, DNS wire format without compression,
RFC 3646 §3-4 and RFC 8415 §10).
"""

from __future__ import annotations

import random
import struct
import uuid as _uuid
from collections.abc import Callable
from typing import Any

from ctrlapp.lib import addrconv
from ctrlapp.lib.packet import packet_base, udp
from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError, PacketTruncatedError
from ctrlapp.lib.stringify import StringifyMixin

DHCPV6_SOLICIT = 1
DHCPV6_ADVERTISE = 2
DHCPV6_REQUEST = 3
DHCPV6_CONFIRM = 4
DHCPV6_RENEW = 5
DHCPV6_REBIND = 6
DHCPV6_REPLY = 7
DHCPV6_RELEASE = 8
DHCPV6_DECLINE = 9
DHCPV6_RECONFIGURE = 10
DHCPV6_INFORMATION_REQUEST = 11
DHCPV6_RELAY_FORW = 12
DHCPV6_RELAY_REPL = 13

DHCPV6_OPTION_CLIENTID = 1
DHCPV6_OPTION_SERVERID = 2
DHCPV6_OPTION_IA_NA = 3
DHCPV6_OPTION_IA_TA = 4
DHCPV6_OPTION_IAADDR = 5
DHCPV6_OPTION_ORO = 6
DHCPV6_OPTION_PREFERENCE = 7
DHCPV6_OPTION_ELAPSED_TIME = 8
DHCPV6_OPTION_RELAY_MSG = 9
DHCPV6_OPTION_AUTH = 11
DHCPV6_OPTION_UNICAST = 12
DHCPV6_OPTION_STATUS_CODE = 13
DHCPV6_OPTION_RAPID_COMMIT = 14
DHCPV6_OPTION_USER_CLASS = 15
DHCPV6_OPTION_VENDOR_CLASS = 16
DHCPV6_OPTION_VENDOR_OPTS = 17
DHCPV6_OPTION_INTERFACE_ID = 18
DHCPV6_OPTION_RECONF_MSG = 19
DHCPV6_OPTION_RECONF_ACCEPT = 20
DHCPV6_OPTION_DNS_SERVERS = 23
DHCPV6_OPTION_DOMAIN_LIST = 24
DHCPV6_OPTION_IA_PD = 25
DHCPV6_OPTION_IAPREFIX = 26

# Status codes (RFC 8415 §21.13)
DHCPV6_STATUS_SUCCESS = 0
DHCPV6_STATUS_UNSPEC_FAIL = 1
DHCPV6_STATUS_NO_ADDRS_AVAIL = 2
DHCPV6_STATUS_NO_BINDING = 3
DHCPV6_STATUS_NOT_ON_LINK = 4
DHCPV6_STATUS_USE_MULTICAST = 5
DHCPV6_STATUS_NO_PREFIX_AVAIL = 6

# DUID types (RFC 8415 §11.1)
DUID_LLT = 1
DUID_EN = 2
DUID_LL = 3
DUID_UUID = 4

_RELAY_TYPES = (DHCPV6_RELAY_FORW, DHCPV6_RELAY_REPL)
_OPT_HDR = struct.Struct("!HH")
_RELAY_HDR = struct.Struct("!BB16s16s")
_U16 = struct.Struct("!H")
_DUID_LLT = struct.Struct("!HHI")
_DUID_EN = struct.Struct("!HI")
_DUID_LL = struct.Struct("!HH")
_IA = struct.Struct("!III")
_IAADDR = struct.Struct("!16sII")
_IAPREFIX = struct.Struct("!IIB16s")
_HW_ETHERNET = 1


def _field_error(what: str) -> PacketFieldError:
    return PacketFieldError(what, "dhcp6")


class option(StringifyMixin):
    """One DHCPv6 option (RFC 8415 §21.1).

    ========= ==============================================================
    Attribute Description
    ========= ==============================================================
    code      option code
    data      option data: bytes (for the Relay Message option, the relayed
              :class:`dhcp6`)
    length    length of ``data`` (set by the decoder; encoding always uses
              the length of ``data``)
    ========= ==============================================================
    """

    __slots__ = ("code", "data", "length")

    def __init__(self, code: int, data: Any, length: int = 0):
        self.code = code
        self.data = data
        self.length = length

    @classmethod
    def from_value(cls, code: int, value: Any) -> option:
        """Build option ``code`` from a Python value, encoded as :data:`OPTION_CODECS` says."""
        if code == DHCPV6_OPTION_RELAY_MSG:
            return cls(code, value)
        codec = OPTION_CODECS.get(code)
        raw = codec[1](value) if codec else bytes(value)
        return cls(code, raw, len(raw))

    @property
    def value(self) -> Any:
        """``data`` as a Python value (see :data:`OPTION_CODECS`).

        Raises :class:`~ctrlapp.lib.packet.errors.PacketFieldError` when the
        data does not have the form the option's RFC gives it.
        """
        data = self.data
        if not isinstance(data, (bytes, bytearray, memoryview)):
            return data
        codec = OPTION_CODECS.get(self.code)
        if codec is None:
            return bytes(data)
        try:
            return codec[0](bytes(data))
        except (ValueError, struct.error, PacketParseError) as exc:
            raise _field_error(f"option {self.code}: {exc}") from None

    def serialize(self) -> bytes:
        data = self.data
        if isinstance(data, dhcp6):
            data = data.serialize(b"", None)
        else:
            data = bytes(data)
        return _OPT_HDR.pack(self.code, len(data)) + data


class options(StringifyMixin):
    """The options of a DHCPv6 message (or of an IA_NA, IA_PD, IA Address, IA Prefix).

    ============ ===================================================
    Attribute    Description
    ============ ===================================================
    option_list  list of :class:`option`
    options_len  length of the encoded options (set when encoding)
    ============ ===================================================
    """

    __slots__ = ("option_list", "options_len")

    def __init__(self, option_list: list[option] | None = None, options_len: int = 0):
        self.option_list = option_list if option_list is not None else []
        self.options_len = options_len

    @classmethod
    def parser(cls, buf: bytes) -> options:
        """Decode a sequence of options filling ``buf``."""
        buf = bytes(buf)
        out = []
        i = 0
        n = len(buf)
        new = option.__new__
        while i < n:
            if i + 4 > n:
                raise PacketTruncatedError(f"option header at {i} runs past the end", "dhcp6")
            code, length = _OPT_HDR.unpack_from(buf, i)
            j = i + 4 + length
            if j > n:
                raise PacketTruncatedError(
                    f"option {code} of {length} bytes runs past the end", "dhcp6"
                )
            o = new(option)
            o.code = code
            o.length = length
            data = buf[i + 4 : j]
            if code == DHCPV6_OPTION_RELAY_MSG:
                try:
                    data = dhcp6.parser(data)[0]
                except PacketParseError:
                    pass
            o.data = data
            out.append(o)
            i = j
        self = cls.__new__(cls)
        self.option_list = out
        self.options_len = n
        return self

    def serialize(self) -> bytes:
        raw = b"".join([o.serialize() for o in self.option_list])
        self.options_len = len(raw)
        return raw

    def get(self, code: int, default: Any = None) -> Any:
        """The value (see :attr:`option.value`) of the first option ``code``, or ``default``."""
        for o in self.option_list:
            if o.code == code:
                return o.value
        return default

    def get_all(self, code: int) -> list:
        """The values of every option ``code`` (IA_NA and IA_PD may repeat)."""
        return [o.value for o in self.option_list if o.code == code]

    def add(self, code: int, value: Any) -> None:
        """Append option ``code`` built from ``value``."""
        self.option_list.append(option.from_value(code, value))

    def __contains__(self, code: int) -> bool:
        return any(o.code == code for o in self.option_list)


def _no_options() -> options:
    return options()


class dhcp6(packet_base.PacketBase):
    """DHCPv6 message (RFC 8415 §8) or relay message (§9), UDP ports 546 and 547.

    ============== ========================================================
    Attribute      Description
    ============== ========================================================
    msg_type       message type
    transaction_id transaction ID, 24 bits (client/server messages; None in
                   the constructor picks a random one)
    hop_count      relay hop count (relay messages)
    link_address   link address (relay messages)
    peer_address   peer address (relay messages)
    options        :class:`options`
    ============== ========================================================
    """

    __slots__ = (
        "msg_type",
        "options",
        "transaction_id",
        "hop_count",
        "link_address",
        "peer_address",
    )
    _MIN_LEN = 4
    _TYPE = {"ascii": ["link_address", "peer_address"]}

    def __init__(
        self,
        msg_type: int,
        options: options | None,
        transaction_id: int | None = None,
        hop_count: int = 0,
        link_address: str = "::",
        peer_address: str = "::",
    ):
        self.msg_type = msg_type
        self.options = options
        self.transaction_id = random.getrandbits(24) if transaction_id is None else transaction_id
        self.hop_count = hop_count
        self.link_address = link_address
        self.peer_address = peer_address

    @classmethod
    def parser(cls, buf):
        n = len(buf)
        if n < 4:
            raise PacketTruncatedError(f"need 4 bytes, have {n}", "dhcp6")
        self = cls.__new__(cls)
        msg_type = buf[0]
        self.msg_type = msg_type
        if msg_type in _RELAY_TYPES:
            if n < 34:
                raise PacketTruncatedError(f"a relay message needs 34 bytes, have {n}", "dhcp6")
            _, self.hop_count, link, peer = _RELAY_HDR.unpack_from(buf)
            self.transaction_id = 0
            self.link_address = addrconv.ipv6.bin_to_text(link)
            self.peer_address = addrconv.ipv6.bin_to_text(peer)
            start = 34
        else:
            self.transaction_id = int.from_bytes(buf[1:4], "big")
            self.hop_count = 0
            self.link_address = "::"
            self.peer_address = "::"
            start = 4
        self.options = options.parser(buf[start:])
        return self, None, b""

    def serialize(self, payload=None, prev=None):
        opts = self.options.serialize() if self.options is not None else b""
        if self.msg_type in _RELAY_TYPES:
            return (
                _RELAY_HDR.pack(
                    self.msg_type,
                    self.hop_count,
                    addrconv.ipv6.text_to_bin(self.link_address),
                    addrconv.ipv6.text_to_bin(self.peer_address),
                )
                + opts
            )
        return bytes((self.msg_type,)) + self.transaction_id.to_bytes(3, "big") + opts

    @property
    def relayed_message(self) -> dhcp6 | None:
        """The message inside the Relay Message option of a relay message, or ``None``."""
        if self.options is None:
            return None
        for o in self.options.option_list:
            if o.code == DHCPV6_OPTION_RELAY_MSG and isinstance(o.data, dhcp6):
                return o.data
        return None

    def __len__(self) -> int:
        return len(self.serialize())


# -- DUIDs (RFC 8415 §11) ---------------------------------------------------------


def _lladdr_text(hw_type: int, raw: bytes) -> str | bytes:
    return raw.hex(":") if hw_type == _HW_ETHERNET and len(raw) == 6 else raw


def _lladdr_bin(addr: str | bytes) -> bytes:
    return addrconv.mac.text_to_bin(addr) if isinstance(addr, str) else bytes(addr)


class duid_llt(StringifyMixin):
    """DUID-LLT (§11.2): hardware type, time (seconds since 2000-01-01 UTC), link-layer address."""

    __slots__ = ("hw_type", "time", "link_layer_address")
    _TYPE = {"ascii": ["link_layer_address"]}

    def __init__(self, hw_type: int = _HW_ETHERNET, time: int = 0, link_layer_address=b""):
        self.hw_type = hw_type
        self.time = time
        self.link_layer_address = link_layer_address

    def to_bytes(self) -> bytes:
        return _DUID_LLT.pack(DUID_LLT, self.hw_type, self.time) + _lladdr_bin(
            self.link_layer_address
        )


class duid_en(StringifyMixin):
    """DUID-EN (§11.3): IANA enterprise number and an identifier."""

    __slots__ = ("enterprise_number", "identifier")

    def __init__(self, enterprise_number: int = 0, identifier: bytes = b""):
        self.enterprise_number = enterprise_number
        self.identifier = identifier

    def to_bytes(self) -> bytes:
        return _DUID_EN.pack(DUID_EN, self.enterprise_number) + bytes(self.identifier)


class duid_ll(StringifyMixin):
    """DUID-LL (§11.4): hardware type and link-layer address."""

    __slots__ = ("hw_type", "link_layer_address")
    _TYPE = {"ascii": ["link_layer_address"]}

    def __init__(self, hw_type: int = _HW_ETHERNET, link_layer_address=b""):
        self.hw_type = hw_type
        self.link_layer_address = link_layer_address

    def to_bytes(self) -> bytes:
        return _DUID_LL.pack(DUID_LL, self.hw_type) + _lladdr_bin(self.link_layer_address)


class duid_uuid(StringifyMixin):
    """DUID-UUID (§11.5, RFC 6355): a 128-bit UUID, as text."""

    __slots__ = ("uuid",)
    _TYPE = {"ascii": ["uuid"]}

    def __init__(self, uuid: str = "00000000-0000-0000-0000-000000000000"):
        self.uuid = uuid

    def to_bytes(self) -> bytes:
        return _U16.pack(DUID_UUID) + _uuid.UUID(self.uuid).bytes


def parse_duid(raw: bytes) -> duid_llt | duid_en | duid_ll | duid_uuid | bytes:
    """Decode a DUID; a DUID of another type is returned as its raw bytes."""
    if len(raw) < 2:
        raise ValueError("a DUID has at least a 2-byte type")
    kind = _U16.unpack_from(raw)[0]
    if kind == DUID_LLT:
        _, hw, t = _DUID_LLT.unpack_from(raw)
        return duid_llt(hw, t, _lladdr_text(hw, raw[8:]))
    if kind == DUID_EN:
        _, ent = _DUID_EN.unpack_from(raw)
        return duid_en(ent, raw[6:])
    if kind == DUID_LL:
        _, hw = _DUID_LL.unpack_from(raw)
        return duid_ll(hw, _lladdr_text(hw, raw[4:]))
    if kind == DUID_UUID:
        if len(raw) != 18:
            raise ValueError(f"a DUID-UUID is 18 bytes, got {len(raw)}")
        return duid_uuid(str(_uuid.UUID(bytes=raw[2:])))
    return raw


def _duid_enc(value) -> bytes:
    return bytes(value) if isinstance(value, (bytes, bytearray)) else value.to_bytes()


# -- Identity associations (RFC 8415 §21.4-21.6, §21.21-21.22) ------------------------


class ia_na(StringifyMixin):
    """IA_NA option (§21.4): IAID, T1, T2 and options (IA Address, Status Code ...)."""

    __slots__ = ("iaid", "t1", "t2", "options")
    _CODE = DHCPV6_OPTION_IA_NA

    def __init__(self, iaid: int = 0, t1: int = 0, t2: int = 0, options: options | None = None):
        self.iaid = iaid
        self.t1 = t1
        self.t2 = t2
        self.options = options if options is not None else _no_options()

    @classmethod
    def from_bytes(cls, raw: bytes):
        iaid, t1, t2 = _IA.unpack_from(raw)
        return cls(iaid, t1, t2, options.parser(raw[12:]))

    def to_bytes(self) -> bytes:
        return _IA.pack(self.iaid, self.t1, self.t2) + self.options.serialize()


class ia_pd(ia_na):
    """IA_PD option (§21.21): IAID, T1, T2 and options (IA Prefix, Status Code ...)."""

    __slots__ = ()
    _CODE = DHCPV6_OPTION_IA_PD


class ia_address(StringifyMixin):
    """IA Address option (§21.6): address, preferred and valid lifetimes, options."""

    __slots__ = ("address", "preferred_lifetime", "valid_lifetime", "options")
    _TYPE = {"ascii": ["address"]}

    def __init__(
        self,
        address: str = "::",
        preferred_lifetime: int = 0,
        valid_lifetime: int = 0,
        options: options | None = None,
    ):
        self.address = address
        self.preferred_lifetime = preferred_lifetime
        self.valid_lifetime = valid_lifetime
        self.options = options if options is not None else _no_options()

    @classmethod
    def from_bytes(cls, raw: bytes):
        addr, pref, valid = _IAADDR.unpack_from(raw)
        return cls(addrconv.ipv6.bin_to_text(addr), pref, valid, options.parser(raw[24:]))

    def to_bytes(self) -> bytes:
        return (
            _IAADDR.pack(
                addrconv.ipv6.text_to_bin(self.address),
                self.preferred_lifetime,
                self.valid_lifetime,
            )
            + self.options.serialize()
        )


class ia_prefix(StringifyMixin):
    """IA Prefix option (§21.22): lifetimes, prefix length, prefix, options."""

    __slots__ = ("preferred_lifetime", "valid_lifetime", "prefix_len", "prefix", "options")
    _TYPE = {"ascii": ["prefix"]}

    def __init__(
        self,
        preferred_lifetime: int = 0,
        valid_lifetime: int = 0,
        prefix_len: int = 0,
        prefix: str = "::",
        options: options | None = None,
    ):
        self.preferred_lifetime = preferred_lifetime
        self.valid_lifetime = valid_lifetime
        self.prefix_len = prefix_len
        self.prefix = prefix
        self.options = options if options is not None else _no_options()

    @classmethod
    def from_bytes(cls, raw: bytes):
        pref, valid, plen, prefix = _IAPREFIX.unpack_from(raw)
        return cls(pref, valid, plen, addrconv.ipv6.bin_to_text(prefix), options.parser(raw[25:]))

    def to_bytes(self) -> bytes:
        return (
            _IAPREFIX.pack(
                self.preferred_lifetime,
                self.valid_lifetime,
                self.prefix_len,
                addrconv.ipv6.text_to_bin(self.prefix),
            )
            + self.options.serialize()
        )


# -- other option values -------------------------------------------------------------


def _u16_list_dec(raw: bytes) -> list[int]:
    if len(raw) % 2:
        raise ValueError(f"a list of 16-bit codes has an even length, got {len(raw)}")
    return [int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw), 2)]


def _u16_list_enc(value: list[int]) -> bytes:
    return b"".join(_U16.pack(v) for v in value)


def _u16_dec(raw: bytes) -> int:
    if len(raw) != 2:
        raise ValueError(f"expected 2 bytes, got {len(raw)}")
    return _U16.unpack(raw)[0]


def _status_dec(raw: bytes) -> tuple[int, str]:
    if len(raw) < 2:
        raise ValueError("a status code is at least 2 bytes")
    return _U16.unpack_from(raw)[0], raw[2:].decode("utf-8", "surrogateescape")


def _status_enc(value: tuple[int, str]) -> bytes:
    code, message = value
    return _U16.pack(code) + message.encode("utf-8", "surrogateescape")


def _empty_dec(raw: bytes) -> bool:
    if raw:
        raise ValueError(f"option carries no data, got {len(raw)} bytes")
    return True


def _addr6_list_dec(raw: bytes) -> list[str]:
    if len(raw) % 16:
        raise ValueError(f"an address list is a multiple of 16 bytes, got {len(raw)}")
    return [addrconv.ipv6.bin_to_text(raw[i : i + 16]) for i in range(0, len(raw), 16)]


def _addr6_list_enc(value: list[str]) -> bytes:
    return b"".join(addrconv.ipv6.text_to_bin(a) for a in value)


def decode_domain_names(raw: bytes) -> list[str]:
    """Names in uncompressed DNS wire format (RFC 1035 §3.1), without the final dot.

    The root name is '.'; a name whose labels run to the end of ``raw``
    without the terminating zero is an error.
    """
    names = []
    labels: list[str] = []
    i = 0
    while i < len(raw):
        n = raw[i]
        if n == 0:
            names.append(".".join(labels) if labels else ".")
            labels = []
            i += 1
            continue
        if n > 63:
            raise ValueError(f"label length {n} (compression is not allowed here)")
        if i + 1 + n > len(raw):
            raise ValueError("a label runs past the end")
        labels.append(raw[i + 1 : i + 1 + n].decode("utf-8", "surrogateescape"))
        i += 1 + n
    if labels:
        raise ValueError("the last name has no terminating zero label")
    return names


def encode_domain_names(names: list[str]) -> bytes:
    """Encode names as :func:`decode_domain_names` decodes them."""
    out = bytearray()
    for name in names:
        if name not in (".", ""):
            for label in name.rstrip(".").split("."):
                raw = label.encode("utf-8", "surrogateescape")
                if not 0 < len(raw) <= 63:
                    raise ValueError(f"label {label!r} in {name!r} must be 1 to 63 bytes")
                out.append(len(raw))
                out += raw
        out.append(0)
    return bytes(out)


#: code -> (decode(bytes) -> value, encode(value) -> bytes).  Other codes: bytes.
OPTION_CODECS: dict[int, tuple[Callable, Callable]] = {
    DHCPV6_OPTION_CLIENTID: (parse_duid, _duid_enc),
    DHCPV6_OPTION_SERVERID: (parse_duid, _duid_enc),
    DHCPV6_OPTION_IA_NA: (ia_na.from_bytes, ia_na.to_bytes),
    DHCPV6_OPTION_IAADDR: (ia_address.from_bytes, ia_address.to_bytes),
    DHCPV6_OPTION_ORO: (_u16_list_dec, _u16_list_enc),
    DHCPV6_OPTION_ELAPSED_TIME: (_u16_dec, _U16.pack),
    DHCPV6_OPTION_STATUS_CODE: (_status_dec, _status_enc),
    DHCPV6_OPTION_RAPID_COMMIT: (_empty_dec, lambda _value: b""),
    DHCPV6_OPTION_DNS_SERVERS: (_addr6_list_dec, _addr6_list_enc),
    DHCPV6_OPTION_DOMAIN_LIST: (decode_domain_names, encode_domain_names),
    DHCPV6_OPTION_IA_PD: (ia_pd.from_bytes, ia_pd.to_bytes),
    DHCPV6_OPTION_IAPREFIX: (ia_prefix.from_bytes, ia_prefix.to_bytes),
}


udp.udp.register_packet_type(dhcp6, udp.UDP_PORT_DHCPV6_CLIENT)
udp.udp.register_packet_type(dhcp6, udp.UDP_PORT_DHCPV6_SERVER)
