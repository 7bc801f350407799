"""Base class of every protocol header class in the packet library.

Contract (the same as Ryu's):

* ``parser(buf) -> (header, next_cls, rest)`` decodes the header at offset 0 of
  ``buf``; ``next_cls`` is the class for ``rest`` or ``None`` when the rest is raw
  payload.  It raises only :class:`~.errors.PacketParseError`.
* ``serialize(payload, prev) -> bytes`` encodes the header; ``payload`` is what
  follows it and ``prev`` the header before it (``None`` for the outermost).
  Length and checksum fields left at 0 are computed.
* ``register_packet_type(cls_, type_)`` / ``get_packet_type(type_)`` keep a
  per-protocol table from a type field value (an EtherType, an IP protocol
  number, a UDP port) to the class that decodes what follows.

Subclasses with a checksum implement ``checksum_ok(buf, prev)``; see
:meth:`ctrlapp.lib.packet.packet.Packet.checksum_errors`.
"""

from __future__ import annotations

import functools
import struct
from typing import Any, ClassVar

from ctrlapp.lib.packet.errors import PacketParseError, PacketTruncatedError
from ctrlapp.lib.stringify import StringifyMixin

_DECODE_FAILURES = (
    struct.error,
    IndexError,
    ValueError,
    UnicodeDecodeError,
    KeyError,
    TypeError,
    AssertionError,
    OverflowError,
)


def _guard_parser(cls: type, func):
    """Wrap a parser so that only PacketParseError can leave it."""

    @functools.wraps(func)
    def parser(klass, buf, *args, **kwargs):
        try:
            return func(klass, buf, *args, **kwargs)
        except PacketParseError:
            raise
        except struct.error as exc:
            raise PacketTruncatedError(
                f"truncated or malformed header ({exc})", klass.__name__
            ) from exc
        except _DECODE_FAILURES as exc:
            raise PacketParseError(f"{type(exc).__name__}: {exc}", klass.__name__) from exc

    return parser


class PacketBase(StringifyMixin):
    """A protocol header (ethernet, ipv4, ...)."""

    __slots__ = ()
    _TYPES: ClassVar[dict[Any, type]] = {}
    _MIN_LEN: ClassVar[int] = 0

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "_TYPES" not in cls.__dict__:
            cls._TYPES = {}
        raw = cls.__dict__.get("parser")
        if isinstance(raw, classmethod) and not getattr(raw.__func__, "_guarded", False):
            guarded = _guard_parser(cls, raw.__func__)
            guarded._guarded = True  # type: ignore[attr-defined]
            cls.parser = classmethod(guarded)  # type: ignore[method-assign]

    @classmethod
    def get_packet_type(cls, type_: Any) -> type | None:
        """Return the class registered for ``type_``, or ``None``."""
        return cls._TYPES.get(type_)

    @classmethod
    def register_packet_type(cls, cls_: type, type_: Any) -> None:
        """Register ``cls_`` as the class that decodes what follows when the type field is ``type_``."""
        cls._TYPES[type_] = cls_

    @classmethod
    def parser(cls, buf: bytes):
        raise NotImplementedError

    def serialize(self, payload: bytes | bytearray, prev: PacketBase | None) -> bytes | bytearray:
        raise NotImplementedError

    def checksum_ok(self, buf: bytes, prev: PacketBase | None) -> bool | None:
        """Whether the stored checksum matches ``buf`` (this header and what follows it).

        ``None`` means the protocol has no checksum.
        """
        return None

    @property
    def protocol_name(self) -> str:
        return type(self).__name__

    def __len__(self) -> int:
        return self._MIN_LEN
