"""Geneve header and tunnel options (RFC 8926 sections 3.4 and 3.5), over UDP port 6081.

Header: version (2 bits), options length in 4-byte words (6 bits), the O (OAM)
and C (critical options present) flags, the Protocol Type (an EtherType; 0x6558
is an Ethernet frame), a 24-bit VNI.  Each option is a class/type/length TLV
whose length counts 4-byte words of data.  Options whose class and type no
subclass of :class:`Option` claims are kept as :class:`OptionDataUnknown`.

``opt_len`` and an option's ``length`` are in bytes, as in Ryu; both are
recomputed from the options when encoding.
"""

from __future__ import annotations

import struct
from typing import ClassVar

from ctrlapp.lib.packet import ether_types, ethernet, packet_base, udp
from ctrlapp.lib.packet.errors import PacketTruncatedError
from ctrlapp.lib.stringify import StringifyMixin

_HDR = struct.Struct("!BBHI")
_OPT_HDR = struct.Struct("!HBB")

GENEVE_OAM_PACKET_FLAG = 0x80
GENEVE_CRITICAL_OPTIONS_PRESENT = 0x40
GENEVE_OPTION_CRITICAL_TYPE = 0x80


def _inner_class(protocol: int):
    if protocol == ether_types.ETH_TYPE_TEB:
        return ethernet.ethernet
    return ethernet.ethernet.get_packet_type(protocol)


class Option(StringifyMixin):
    """A tunnel option.

    Subclasses that decode a particular option set ``_OPTION_CLASS`` and
    ``_OPTION_TYPE`` and implement ``parse_value(buf)`` and ``serialize_value()``.
    """

    __slots__ = ("option_class", "type", "length")
    _OPTION_CLASS: ClassVar[int | None] = None
    _OPTION_TYPE: ClassVar[int | None] = None
    _KNOWN: ClassVar[dict[tuple[int, int], type[Option]]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if cls._OPTION_CLASS is not None and cls._OPTION_TYPE is not None:
            Option._KNOWN[(cls._OPTION_CLASS, cls._OPTION_TYPE)] = cls

    def __init__(self, option_class: int | None = None, type_: int | None = None, length: int = 0):
        self.option_class = self._OPTION_CLASS if option_class is None else option_class
        self.type = self._OPTION_TYPE if type_ is None else type_
        self.length = length

    @classmethod
    def parse_value(cls, buf: bytes) -> dict:
        """Constructor arguments decoded from the option's data."""
        return {}

    def serialize_value(self) -> bytes:
        return b""

    @classmethod
    def parser(cls, buf, offset: int = 0) -> tuple[Option, int]:
        """Decode the option at ``offset``; return it and the offset after it."""
        if len(buf) - offset < 4:
            raise PacketTruncatedError("option header truncated", "geneve")
        option_class, type_, length = _OPT_HDR.unpack_from(buf, offset)
        # The three top bits of the length byte are reserved (RFC 8926 §3.5).
        length = (length & 0x1F) * 4
        start = offset + 4
        end = start + length
        if end > len(buf):
            raise PacketTruncatedError(
                f"option data needs {length} bytes, have {len(buf) - start}", "geneve"
            )
        data = bytes(buf[start:end])
        subcls = Option._KNOWN.get((option_class, type_))
        if subcls is None:
            opt = OptionDataUnknown(data, option_class, type_, length)
        else:
            opt = subcls(
                option_class=option_class, type_=type_, length=length, **subcls.parse_value(data)
            )
        return opt, end

    def serialize(self) -> bytes:
        data = self.serialize_value()
        if len(data) % 4:
            data += bytes(4 - len(data) % 4)
        if len(data) > 124:
            raise ValueError(f"option data of {len(data)} bytes; the 5-bit length allows 124")
        return _OPT_HDR.pack(self.option_class, self.type, len(data) // 4) + data


class OptionDataUnknown(Option):
    """An option this library has no class for; ``buf`` is its data."""

    __slots__ = ("buf",)

    def __init__(
        self,
        buf: bytes,
        option_class: int | None = None,
        type_: int | None = None,
        length: int = 0,
    ) -> None:
        super().__init__(option_class, type_, length)
        self.buf = buf

    def serialize_value(self) -> bytes:
        return bytes(self.buf)


class geneve(packet_base.PacketBase):
    """Geneve header.

    ========= ===============================================================
    Attribute Description
    ========= ===============================================================
    version   Version (0)
    opt_len   Length of the options in bytes (computed when encoding)
    flags     O (0x80, OAM packet) and C (0x40, critical options) flags
    protocol  Protocol Type of the payload (an EtherType)
    vni       Virtual Network Identifier
    options   List of :class:`Option` instances
    ========= ===============================================================
    """

    __slots__ = ("version", "opt_len", "flags", "protocol", "vni", "options")
    _HEADER_FMT = "!BBHI"
    _MIN_LEN = _HDR.size

    def __init__(
        self,
        version: int = 0,
        opt_len: int = 0,
        flags: int = 0,
        protocol: int = ether_types.ETH_TYPE_TEB,
        vni: int | None = None,
        options: list[Option] | None = None,
    ) -> None:
        self.version = version
        self.opt_len = opt_len
        self.flags = flags
        self.protocol = protocol
        self.vni = vni
        self.options = options if options is not None else []

    @classmethod
    def parser(cls, buf):
        if len(buf) < 8:
            raise PacketTruncatedError(f"need 8 bytes, have {len(buf)}", "geneve")
        ver_opt_len, flags, protocol, vni = _HDR.unpack_from(buf)
        opt_len = (ver_opt_len & 0x3F) * 4
        end = 8 + opt_len
        if end > len(buf):
            raise PacketTruncatedError(f"options need {opt_len} bytes", "geneve")
        options = []
        off = 8
        opts_buf = buf[:end]
        while off < end:
            opt, off = Option.parser(opts_buf, off)
            options.append(opt)
        self = cls.__new__(cls)
        self.version = ver_opt_len >> 6
        self.opt_len = opt_len
        self.flags = flags
        self.protocol = protocol
        self.vni = vni >> 8
        self.options = options
        return self, _inner_class(protocol), buf[end:]

    def serialize(self, payload, prev):
        opts = b"".join(o.serialize() for o in self.options)
        if len(opts) > 252:
            raise ValueError(f"{len(opts)} bytes of options; the 6-bit Opt Len allows 252")
        return (
            _HDR.pack(
                (self.version << 6) | (len(opts) // 4),
                self.flags,
                self.protocol,
                (self.vni or 0) << 8,
            )
            + opts
        )

    def __len__(self) -> int:
        return 8 + sum(4 + len(o.serialize_value()) for o in self.options)


udp.udp.register_packet_type(geneve, udp.UDP_PORT_GENEVE)
