"""DHCP for IPv4: the BOOTP message (RFC 2131 §2) and its options (RFC 2132).

The wire representation is Ryu's: :class:`dhcp` holds the fixed header and an
:class:`options` object whose ``option_list`` is a list of :class:`option`
``(tag, value, length)`` objects with ``value`` as raw bytes.  On top of that
:meth:`options.get` / :meth:`options.set` convert the values of the options a
server or a snooper needs to and from Python values (addresses as text,
times as ints, RFC 3046 relay agent sub-options, RFC 3442 classless routes);
see :data:`OPTION_CODECS`.

What the RFCs leave open, and how this module settles it so that decoding
then encoding reproduces the input byte for byte:

* Option overload (option 52, RFC 2131 §4.1): the options carried in the
  ``file`` and ``sname`` fields are decoded into ``options.file_options`` and
  ``options.sname_options`` (``None`` when the field holds a name), and
  ``boot_file`` / ``sname`` are then ``''``.  :meth:`options.get` looks in
  the options field, then ``file``, then ``sname``, the order of RFC 2131
  §4.1, and concatenates every instance of an option (RFC 3396 §7).
* A value longer than 255 bytes is written as several consecutive options
  with the same tag (RFC 3396 §5); decoding keeps the pieces as separate
  :class:`option` objects.
* PAD options between other options are kept as ``option(DHCP_PAD_OPT, b'')``.
  The END option is not in the list; it is written after the last option, and
  the field is then padded with zeros up to ``options.options_len`` (the
  decoded length of the options field, cookie and padding included).
* An options area that does not end in END plus zero padding (an option
  running past the end, no END at all, bytes other than zero after END) keeps
  what follows the last whole option as one ``bytes`` element at the end of the
  list, written back verbatim with no END added.
* ``sname`` and ``boot_file`` are the field with its trailing NULs removed,
  decoded as UTF-8 with ``surrogateescape``: bytes that are not UTF-8 (a
  Latin-1 host name, say) appear as the code points U+DC80..U+DCFF and encode
  back to the same bytes; decoding never fails on them.
* The options are decoded into :class:`option` objects on the first access to
  ``option_list`` (or to :meth:`options.get` and friends); until then
  encoding writes the decoded bytes back unchanged.
* ``chaddr`` is MAC text when ``hlen`` is 6 and the rest of the 16-byte field
  is zero, otherwise the raw bytes (``hlen`` bytes, or all 16 when the padding
  is not zero).
"""

from __future__ import annotations

import functools
import random
import socket
import struct
from collections.abc import Callable
from typing import Any

from ctrlapp.lib import addrconv
from ctrlapp.lib.packet import packet_base, udp
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError
from ctrlapp.lib.stringify import StringifyMixin

DHCP_BOOT_REQUEST = 1
DHCP_BOOT_REPLY = 2

# DHCP message types (option 53, RFC 2132 §9.6)
DHCP_DISCOVER = 1
DHCP_OFFER = 2
DHCP_REQUEST = 3
DHCP_DECLINE = 4
DHCP_ACK = 5
DHCP_NAK = 6
DHCP_RELEASE = 7
DHCP_INFORM = 8

DHCP_PAD_OPT = 0
DHCP_SUBNET_MASK_OPT = 1
DHCP_GATEWAY_ADDR_OPT = 3
DHCP_ROUTER_OPT = DHCP_GATEWAY_ADDR_OPT
DHCP_DNS_SERVER_ADDR_OPT = 6
DHCP_HOST_NAME_OPT = 12
DHCP_DOMAIN_NAME_OPT = 15
DHCP_INTERFACE_MTU_OPT = 26
DHCP_BROADCAST_ADDR_OPT = 28
DHCP_NTP_SERVERS_OPT = 42
DHCP_REQUESTED_IP_ADDR_OPT = 50
DHCP_IP_ADDR_LEASE_TIME_OPT = 51
DHCP_OPTION_OVERLOAD_OPT = 52
DHCP_MESSAGE_TYPE_OPT = 53
DHCP_SERVER_IDENTIFIER_OPT = 54
DHCP_PARAMETER_REQUEST_LIST_OPT = 55
DHCP_MESSAGE_OPT = 56
DHCP_MAX_MESSAGE_SIZE_OPT = 57
DHCP_RENEWAL_TIME_OPT = 58
DHCP_REBINDING_TIME_OPT = 59
DHCP_VENDOR_CLASS_ID_OPT = 60
DHCP_CLIENT_IDENTIFIER_OPT = 61
DHCP_RELAY_AGENT_INFO_OPT = 82
DHCP_CLASSLESS_ROUTE_OPT = 121
DHCP_END_OPT = 255

# Relay agent information sub-options (RFC 3046 §2.0)
RELAY_AGENT_CIRCUIT_ID = 1
RELAY_AGENT_REMOTE_ID = 2

# Option overload values (RFC 2132 §9.3)
OVERLOAD_FILE = 1
OVERLOAD_SNAME = 2
OVERLOAD_BOTH = 3

MAGIC_COOKIE = "99.130.83.99"

_HDR = struct.Struct("!BBBBIHH4s4s4s4s16s64s128s")
_HDR_LEN = _HDR.size  # 236
_SNAME_OFF = 44
_FILE_OFF = 108
_SNAME_LEN = 64
_FILE_LEN = 128
_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
_ZERO_CHADDR_PAD = bytes(10)
_ZERO_SNAME = bytes(_SNAME_LEN)
_ZERO_FILE = bytes(_FILE_LEN)
_OVERLOAD = bytes((52, 1))
_TAG_LEN = struct.Struct("BB").pack
# The header's four addresses are nearly always a handful of values (0.0.0.0,
# the server, the relay); caching their text form is cheaper than converting.
_ntoa = functools.lru_cache(maxsize=4096)(socket.inet_ntoa)
_aton = addrconv.ipv4.text_to_bin


def _text(field: bytes) -> str:
    return field.rstrip(b"\x00").decode("utf-8", "surrogateescape")


def _text_bin(text: str, size: int, name: str) -> bytes:
    raw = text.encode("utf-8", "surrogateescape")
    if len(raw) > size:
        raise ValueError(f"{name} is {len(raw)} bytes, the field holds {size}")
    return raw


class option(StringifyMixin):
    """One DHCP option (RFC 2132 §2).

    ========= ==========================================================
    Attribute Description
    ========= ==========================================================
    tag       option code (PAD is kept when it sits between options)
    value     option value, raw bytes; see :meth:`from_value`
    length    length of ``value`` (set by the decoder; encoding always uses
              the length of ``value``)
    ========= ==========================================================
    """

    __slots__ = ("tag", "value", "length")

    def __init__(self, tag: int, value: bytes, length: int = 0):
        self.tag = tag
        self.value = value
        self.length = length

    @classmethod
    def from_value(cls, tag: int, value: Any) -> option:
        """Build the option ``tag`` from a Python value, encoded as :data:`OPTION_CODECS` says."""
        codec = OPTION_CODECS.get(tag)
        raw = codec[1](value) if codec else bytes(value)
        return cls(tag, raw, len(raw))

    @property
    def decoded(self) -> Any:
        """The value of this one option as a Python value (see :data:`OPTION_CODECS`)."""
        return _decode_value(self.tag, bytes(self.value))

    def serialize(self) -> bytes:
        tag = self.tag
        if tag == DHCP_PAD_OPT or tag == DHCP_END_OPT:
            return bytes((tag,))
        value = bytes(self.value)
        n = len(value)
        if n <= 255:
            return bytes((tag, n)) + value
        # RFC 3396 §5: a long value is split into consecutive options.
        return b"".join(
            bytes((tag, len(value[i : i + 255]))) + value[i : i + 255] for i in range(0, n, 255)
        )


def _parse_area(buf: bytes, start: int, end: int) -> list:
    """Decode the options in ``buf[start:end]`` (see the module docstring for the tail rules)."""
    out: list = []
    i = start
    new = option.__new__
    while i < end:
        tag = buf[i]
        if tag == DHCP_END_OPT:
            tail = buf[i + 1 : end]
            if tail.count(0) != len(tail):
                out.append(buf[i:end])
            return out
        if tag == DHCP_PAD_OPT:
            o = new(option)
            o.tag = 0
            o.value = b""
            o.length = 0
            out.append(o)
            i += 1
            continue
        if i + 1 >= end:
            break
        n = buf[i + 1]
        j = i + 2 + n
        if j > end:
            break
        o = new(option)
        o.tag = tag
        o.value = buf[i + 2 : j]
        o.length = n
        out.append(o)
        i = j
    out.append(buf[i:end])
    return out


def _serialize_area(option_list: list) -> bytearray:
    out = bytearray()
    for o in option_list:
        if type(o) is option:
            value = o.value
            n = len(value)
            tag = o.tag
            if n <= 255 and 0 < tag < 255:
                out += _TAG_LEN(tag, n)
                out += value
            else:
                out += o.serialize()
        elif isinstance(o, option):
            out += o.serialize()
        else:
            out += o
    if not option_list or isinstance(option_list[-1], option):
        out.append(DHCP_END_OPT)
    return out


def _area_bytes(option_list: list, size: int, name: str) -> bytes:
    raw = _serialize_area(option_list)
    if len(raw) > size:
        raise ValueError(f"{name} options take {len(raw)} bytes, the field holds {size}")
    return raw


class options(StringifyMixin):
    """The options field of a DHCP message: magic cookie, options, END (RFC 2131 §3).

    ============= ===========================================================
    Attribute     Description
    ============= ===========================================================
    option_list   list of :class:`option` (END and trailing PAD are added
                  when encoding; a trailing ``bytes`` element is raw data
                  written verbatim, see the module docstring)
    options_len   length of the options field, cookie and padding included;
                  encoding pads with zeros up to it and then sets it
    magic_cookie  '99.130.83.99'
    file_options  options carried in the ``file`` field (overload), or None
    sname_options options carried in the ``sname`` field (overload), or None
    ============= ===========================================================

    An encoder that fills ``file_options`` or ``sname_options`` also sets
    option 52 (``set(DHCP_OPTION_OVERLOAD_OPT, OVERLOAD_BOTH)``, say): it is
    what tells the receiver to look there.
    """

    __slots__ = (
        "_option_list",
        "_area",
        "options_len",
        "magic_cookie",
        "file_options",
        "sname_options",
    )
    _TYPE = {"ascii": ["magic_cookie"]}
    _fields = ("file_options", "magic_cookie", "option_list", "options_len", "sname_options")

    def __init__(
        self,
        option_list: list | None = None,
        options_len: int = 0,
        magic_cookie: str = MAGIC_COOKIE,
        file_options: list | None = None,
        sname_options: list | None = None,
    ):
        self._option_list = option_list if option_list is not None else []
        self._area = b""
        self.options_len = options_len
        self.magic_cookie = magic_cookie
        self.file_options = file_options
        self.sname_options = sname_options

    @property
    def option_list(self) -> list:
        # Decoding creates the option objects on first use: a switch that only
        # relays or counts DHCP messages never pays for them.
        if self._option_list is None:
            self._option_list = _parse_area(self._area, 0, len(self._area))
        return self._option_list

    @option_list.setter
    def option_list(self, value: list) -> None:
        self._option_list = value

    @classmethod
    def parser(cls, buf: bytes) -> options:
        """Decode an options field (starting with the magic cookie)."""
        buf = bytes(buf)
        if len(buf) < 4:
            raise PacketTruncatedError("options field shorter than the magic cookie", "dhcp")
        self = cls.__new__(cls)
        self.magic_cookie = _ntoa(buf[:4])
        self._option_list = None
        self._area = buf[4:]
        self.options_len = len(buf)
        self.file_options = None
        self.sname_options = None
        return self

    def serialize(self) -> bytes:
        cookie = addrconv.ipv4.text_to_bin(self.magic_cookie)
        if self._option_list is None:
            raw = cookie + self._area
        else:
            raw = cookie + _serialize_area(self._option_list)
        if len(raw) < self.options_len:
            raw += bytes(self.options_len - len(raw))
        self.options_len = len(raw)
        return raw

    # -- typed access ------------------------------------------------------
    def _areas(self):
        yield self.option_list
        if self.file_options is not None:
            yield self.file_options
        if self.sname_options is not None:
            yield self.sname_options

    def get_raw(self, tag: int) -> bytes | None:
        """The value of option ``tag``, all instances concatenated (RFC 3396), or ``None``."""
        found = None
        for area in self._areas():
            for o in area:
                if isinstance(o, option) and o.tag == tag:
                    found = bytes(o.value) if found is None else found + bytes(o.value)
        return found

    def get(self, tag: int, default: Any = None) -> Any:
        """The value of option ``tag`` as a Python value, or ``default`` when absent.

        Raises :class:`~ctrlapp.lib.packet.errors.PacketFieldError` when the
        value does not have the form the option's RFC gives it.
        """
        raw = self.get_raw(tag)
        if raw is None:
            return default
        return _decode_value(tag, raw)

    def set(self, tag: int, value: Any) -> None:
        """Put option ``tag`` with ``value`` (a Python value) in place of any existing instances."""
        new = option.from_value(tag, value)
        for i, o in enumerate(self.option_list):
            if isinstance(o, option) and o.tag == tag:
                self.remove(tag)
                self.option_list.insert(i, new)
                return
        self.remove(tag)
        lst = self.option_list
        if lst and not isinstance(lst[-1], option):
            lst.insert(len(lst) - 1, new)
        else:
            lst.append(new)

    def remove(self, tag: int) -> None:
        """Remove every instance of option ``tag``."""
        for area in self._areas():
            area[:] = [o for o in area if not (isinstance(o, option) and o.tag == tag)]

    def __contains__(self, tag: int) -> bool:
        return self.get_raw(tag) is not None


class dhcp(packet_base.PacketBase):
    """DHCP message (RFC 2131 §2), the payload of UDP ports 67 and 68.

    ========= ===============================================================
    Attribute Description
    ========= ===============================================================
    op        1 = BOOTREQUEST, 2 = BOOTREPLY
    htype     hardware address type (1 = Ethernet)
    hlen      hardware address length (0 means compute when encoding, except
              for a raw 16-byte ``chaddr``)
    hops      relay hop count
    xid       transaction ID (``None`` in the constructor picks a random one)
    secs      seconds since the client began
    flags     flags (0x8000 = broadcast)
    ciaddr    client IP address
    yiaddr    'your' (client) IP address
    siaddr    next server IP address
    giaddr    relay agent IP address
    chaddr    client hardware address ('08:00:27:01:02:03' or raw bytes)
    sname     server host name (see the module docstring for non-UTF-8 bytes)
    boot_file boot file name
    options   :class:`options`, or ``None`` for a BOOTP message without any
    ========= ===============================================================
    """

    __slots__ = (
        "op",
        "htype",
        "hlen",
        "hops",
        "xid",
        "secs",
        "flags",
        "ciaddr",
        "yiaddr",
        "siaddr",
        "giaddr",
        "chaddr",
        "sname",
        "boot_file",
        "options",
    )
    _MIN_LEN = _HDR_LEN
    _HARDWARE_TYPE_ETHERNET = 1
    _TYPE = {"ascii": ["ciaddr", "yiaddr", "siaddr", "giaddr", "chaddr", "sname", "boot_file"]}

    def __init__(
        self,
        op: int,
        chaddr: str | bytes,
        options: options | None = None,
        htype: int = _HARDWARE_TYPE_ETHERNET,
        hlen: int = 0,
        hops: int = 0,
        xid: int | None = None,
        secs: int = 0,
        flags: int = 0,
        ciaddr: str = "0.0.0.0",
        yiaddr: str = "0.0.0.0",
        siaddr: str = "0.0.0.0",
        giaddr: str = "0.0.0.0",
        sname: str = "",
        boot_file: str = "",
    ):
        self.op = op
        self.htype = htype
        self.hlen = hlen
        self.hops = hops
        self.xid = random.getrandbits(32) if xid is None else xid
        self.secs = secs
        self.flags = flags
        self.ciaddr = ciaddr
        self.yiaddr = yiaddr
        self.siaddr = siaddr
        self.giaddr = giaddr
        self.chaddr = chaddr
        self.sname = sname
        self.boot_file = boot_file
        self.options = options

    @classmethod
    def parser(cls, buf):
        if len(buf) < _HDR_LEN:
            raise PacketTruncatedError(f"need {_HDR_LEN} bytes, have {len(buf)}", "dhcp")
        buf = bytes(buf)
        self = cls.__new__(cls)
        (
            self.op,
            self.htype,
            hlen,
            self.hops,
            self.xid,
            self.secs,
            self.flags,
            ciaddr,
            yiaddr,
            siaddr,
            giaddr,
            chaddr,
            sname,
            boot_file,
        ) = _HDR.unpack_from(buf)
        self.hlen = hlen
        ntoa = _ntoa
        self.ciaddr = ntoa(ciaddr)
        self.yiaddr = ntoa(yiaddr)
        self.siaddr = ntoa(siaddr)
        self.giaddr = ntoa(giaddr)
        if hlen == 6 and chaddr[6:] == _ZERO_CHADDR_PAD:
            self.chaddr = chaddr[:6].hex(":")
        elif hlen <= 16 and not any(chaddr[hlen:]):
            self.chaddr = chaddr[:hlen]
        else:
            self.chaddr = chaddr
        rest = b""
        if len(buf) >= _HDR_LEN + 4:
            # options.parser inlined; the option objects are made on first use.
            opts = options.__new__(options)
            opts.magic_cookie = _ntoa(buf[_HDR_LEN : _HDR_LEN + 4])
            opts._option_list = None
            opts._area = buf[_HDR_LEN + 4 :]
            opts.options_len = len(buf) - _HDR_LEN
            opts.file_options = None
            opts.sname_options = None
            self.options = opts
            # Looking for the tag-and-length bytes of option 52 is much cheaper
            # than decoding the options, and rules out overload almost always.
            overload = opts.get_raw(DHCP_OPTION_OVERLOAD_OPT) if _OVERLOAD in opts._area else None
            if overload is not None and len(overload) == 1 and 1 <= overload[0] <= 3:
                if overload[0] & OVERLOAD_FILE:
                    opts.file_options = _parse_area(buf, _FILE_OFF, _FILE_OFF + _FILE_LEN)
                    boot_file = b""
                if overload[0] & OVERLOAD_SNAME:
                    opts.sname_options = _parse_area(buf, _SNAME_OFF, _SNAME_OFF + _SNAME_LEN)
                    sname = b""
        else:
            self.options = None
            rest = buf[_HDR_LEN:]
        self.sname = _text(sname) if sname and sname != _ZERO_SNAME else ""
        self.boot_file = _text(boot_file) if boot_file and boot_file != _ZERO_FILE else ""
        return self, None, rest

    def serialize(self, payload=None, prev=None):
        chaddr = self.chaddr
        hlen = self.hlen
        if isinstance(chaddr, str):
            chaddr = addrconv.mac.text_to_bin(chaddr)
            hlen = hlen or 6
        else:
            chaddr = bytes(chaddr)
            # A full 16-byte field comes from a decoded message whose hlen is
            # kept as it was, 0 included.
            if not hlen and len(chaddr) < 16:
                hlen = len(chaddr)
        opts = self.options
        if opts is not None and opts.sname_options is not None:
            sname = _area_bytes(opts.sname_options, _SNAME_LEN, "sname")
        else:
            sname = _text_bin(self.sname, _SNAME_LEN, "sname") if self.sname else b""
        if opts is not None and opts.file_options is not None:
            boot_file = _area_bytes(opts.file_options, _FILE_LEN, "file")
        else:
            boot_file = _text_bin(self.boot_file, _FILE_LEN, "boot_file") if self.boot_file else b""
        aton = _aton
        hdr = _HDR.pack(
            self.op,
            self.htype,
            hlen,
            self.hops,
            self.xid,
            self.secs,
            self.flags,
            aton(self.ciaddr),
            aton(self.yiaddr),
            aton(self.siaddr),
            aton(self.giaddr),
            chaddr,
            sname,
            boot_file,
        )
        if opts is None:
            return hdr
        return hdr + opts.serialize()

    @property
    def message_type(self) -> int | None:
        """The DHCP message type (option 53), or ``None`` for plain BOOTP."""
        if self.options is None:
            return None
        raw = self.options.get_raw(DHCP_MESSAGE_TYPE_OPT)
        return raw[0] if raw else None

    def __len__(self) -> int:
        return _HDR_LEN + (len(self.options.serialize()) if self.options is not None else 0)


# -- option value codecs --------------------------------------------------------


def _field_error(tag: int, what: str) -> PacketFieldError:
    return PacketFieldError(f"option {tag}: {what}", "dhcp")


def _ip_dec(raw: bytes) -> str:
    if len(raw) != 4:
        raise ValueError(f"an address is 4 bytes, got {len(raw)}")
    return socket.inet_ntoa(raw)


def _ip_enc(value: str) -> bytes:
    return addrconv.ipv4.text_to_bin(value)


def _ips_dec(raw: bytes) -> list[str]:
    if not raw or len(raw) % 4:
        raise ValueError(f"an address list is a non-empty multiple of 4 bytes, got {len(raw)}")
    return [socket.inet_ntoa(raw[i : i + 4]) for i in range(0, len(raw), 4)]


def _ips_enc(value: list[str]) -> bytes:
    return b"".join(addrconv.ipv4.text_to_bin(a) for a in value)


def _uint_codec(size: int) -> tuple[Callable, Callable]:
    def dec(raw: bytes) -> int:
        if len(raw) != size:
            raise ValueError(f"expected {size} bytes, got {len(raw)}")
        return int.from_bytes(raw, "big")

    def enc(value: int) -> bytes:
        return int(value).to_bytes(size, "big")

    return dec, enc


def _str_dec(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _str_enc(value: str) -> bytes:
    return value.encode("utf-8", "surrogateescape")


def _prl_dec(raw: bytes) -> list[int]:
    return list(raw)


def _client_id_dec(raw: bytes) -> tuple[int, bytes]:
    if len(raw) < 2:
        raise ValueError("a client identifier is a type byte and at least one byte")
    return raw[0], raw[1:]


def _client_id_enc(value: tuple[int, bytes | str]) -> bytes:
    type_, ident = value
    if isinstance(ident, str):
        ident = addrconv.mac.text_to_bin(ident)
    return bytes((type_,)) + bytes(ident)


def _suboptions_dec(raw: bytes) -> list[tuple[int, bytes]]:
    subs = []
    i = 0
    while i < len(raw):
        if i + 2 > len(raw) or i + 2 + raw[i + 1] > len(raw):
            raise ValueError("a sub-option runs past the end of the option")
        n = raw[i + 1]
        subs.append((raw[i], raw[i + 2 : i + 2 + n]))
        i += 2 + n
    return subs


def _suboptions_enc(value: list[tuple[int, bytes]]) -> bytes:
    return b"".join(bytes((code, len(data))) + bytes(data) for code, data in value)


def _routes_dec(raw: bytes) -> list[tuple[str, str]]:
    routes = []
    i = 0
    while i < len(raw):
        width = raw[i]
        if width > 32:
            raise ValueError(f"prefix length {width} is more than 32")
        n = (width + 7) // 8
        if i + 1 + n + 4 > len(raw):
            raise ValueError("a route runs past the end of the option")
        dest = raw[i + 1 : i + 1 + n] + bytes(4 - n)
        router = raw[i + 1 + n : i + 5 + n]
        routes.append((f"{socket.inet_ntoa(dest)}/{width}", socket.inet_ntoa(router)))
        i += 5 + n
    return routes


def _routes_enc(value: list[tuple[str, str]]) -> bytes:
    out = bytearray()
    for prefix, router in value:
        addr, _, width_text = prefix.partition("/")
        width = int(width_text) if width_text else 32
        if not 0 <= width <= 32:
            raise ValueError(f"prefix length {width} out of range")
        n = (width + 7) // 8
        out.append(width)
        out += addrconv.ipv4.text_to_bin(addr)[:n]
        out += addrconv.ipv4.text_to_bin(router)
    return bytes(out)


_U8 = _uint_codec(1)
_U16C = _uint_codec(2)
_U32C = _uint_codec(4)
_IP = (_ip_dec, _ip_enc)
_IPS = (_ips_dec, _ips_enc)
_STR = (_str_dec, _str_enc)

#: tag -> (decode(bytes) -> value, encode(value) -> bytes).  Values: IPv4
#: addresses as text, lists of them, ints, text (UTF-8, surrogateescape),
#: parameter request list as a list of tags, client identifier as
#: ``(type, bytes)``, relay agent information as ``[(sub-option, bytes)]``,
#: classless routes as ``[('10.0.0.0/8', '192.0.2.1')]``.  Other tags: bytes.
OPTION_CODECS: dict[int, tuple[Callable, Callable]] = {
    DHCP_SUBNET_MASK_OPT: _IP,
    DHCP_GATEWAY_ADDR_OPT: _IPS,
    DHCP_DNS_SERVER_ADDR_OPT: _IPS,
    DHCP_HOST_NAME_OPT: _STR,
    DHCP_DOMAIN_NAME_OPT: _STR,
    DHCP_INTERFACE_MTU_OPT: _U16C,
    DHCP_BROADCAST_ADDR_OPT: _IP,
    DHCP_NTP_SERVERS_OPT: _IPS,
    DHCP_REQUESTED_IP_ADDR_OPT: _IP,
    DHCP_IP_ADDR_LEASE_TIME_OPT: _U32C,
    DHCP_OPTION_OVERLOAD_OPT: _U8,
    DHCP_MESSAGE_TYPE_OPT: _U8,
    DHCP_SERVER_IDENTIFIER_OPT: _IP,
    DHCP_PARAMETER_REQUEST_LIST_OPT: (_prl_dec, bytes),
    DHCP_MESSAGE_OPT: _STR,
    DHCP_MAX_MESSAGE_SIZE_OPT: _U16C,
    DHCP_RENEWAL_TIME_OPT: _U32C,
    DHCP_REBINDING_TIME_OPT: _U32C,
    DHCP_VENDOR_CLASS_ID_OPT: _STR,
    DHCP_CLIENT_IDENTIFIER_OPT: (_client_id_dec, _client_id_enc),
    DHCP_RELAY_AGENT_INFO_OPT: (_suboptions_dec, _suboptions_enc),
    DHCP_CLASSLESS_ROUTE_OPT: (_routes_dec, _routes_enc),
}


def _decode_value(tag: int, raw: bytes) -> Any:
    codec = OPTION_CODECS.get(tag)
    if codec is None:
        return raw
    try:
        return codec[0](raw)
    except ValueError as exc:
        raise _field_error(tag, str(exc)) from None


udp.udp.register_packet_type(dhcp, udp.UDP_PORT_DHCP_SERVER)
udp.udp.register_packet_type(dhcp, udp.UDP_PORT_DHCP_CLIENT)
