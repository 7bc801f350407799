"""Errors raised by the packet library.

A protocol's ``parser()`` raises :class:`PacketParseError` (or one of its
subclasses) for bytes it cannot decode, and nothing else: ``struct.error``,
``IndexError``, ``UnicodeDecodeError`` and ``ValueError`` raised inside a parser
are turned into :class:`PacketParseError` by :class:`~.packet_base.PacketBase`.
:class:`~.packet.Packet` never raises while decoding: it stops at the first
layer that fails and keeps the rest of the frame as raw bytes.
"""

from __future__ import annotations

from ctrlapp.exception import CtrlappError


class PacketParseError(CtrlappError):
    """Bytes that cannot be decoded as the protocol they were given to.

    ``protocol`` names the protocol class, ``reason`` says what is wrong.
    """

    def __init__(self, reason: str, protocol: str | None = None):
        self.reason = reason
        self.protocol = protocol
        super().__init__(f"{protocol}: {reason}" if protocol else reason)


class PacketTruncatedError(PacketParseError):
    """The buffer ends before the header (or a length field inside it) says it should."""


class PacketFieldError(PacketParseError):
    """A field holds a value the protocol does not allow (a length below its minimum, say)."""
