"""The packet library: decode and build network packets.

API as Ryu's ``ryu.lib.packet``: ``packet.Packet(data)`` decodes a frame,
``Packet()`` + ``add_protocol()`` + ``serialize()`` builds one, and each
protocol module (``ethernet``, ``arp``, ``ipv4``, ``tcp`` ...) holds its header
class.  Importing the package loads every protocol module so that the
type-field tables (EtherType -> class, IP protocol -> class, UDP port -> class)
are complete before the first frame is decoded.
"""

import importlib as _importlib
import pkgutil as _pkgutil

from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError, PacketTruncatedError

__all__ = ["PacketParseError", "PacketTruncatedError", "PacketFieldError"]

for _info in sorted(_pkgutil.iter_modules(__path__), key=lambda m: m.name):
    if not _info.name.startswith("_"):
        _importlib.import_module(f"{__name__}.{_info.name}")
