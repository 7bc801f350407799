"""Errors of the OpenFlow layer and the runtime.

The wire-format decoders in :mod:`ctrlapp.ofproto` raise only
:class:`OFPMalformedMessage` (or a subclass) for bad input; nothing from
``struct``, indexing or text decoding escapes them.  The runtime raises the
other errors here.  Packet-library errors live in
:mod:`ctrlapp.lib.packet.errors`.
"""

from __future__ import annotations


class CtrlappError(Exception):
    """Base class of every error ctrlapp raises on purpose."""


class OFPMalformedMessage(CtrlappError):
    """An OpenFlow message that cannot be decoded.

    ``xid`` is the transaction id from the header when the header itself was
    readable (else ``None``); ``reason`` says in words what is wrong; ``msg_type``
    is the message type when known.
    """

    def __init__(self, reason: str, xid: int | None = None, msg_type: int | None = None):
        self.reason = reason
        self.xid = xid
        self.msg_type = msg_type
        where = []
        if msg_type is not None:
            where.append(f"type={msg_type}")
        if xid is not None:
            where.append(f"xid={xid:#x}")
        prefix = f"[{' '.join(where)}] " if where else ""
        super().__init__(f"{prefix}{reason}")


class OFPTruncatedMessage(OFPMalformedMessage):
    """The bytes end before the message (or a structure inside it) does."""


class OFPUnknownVersion(OFPMalformedMessage):
    """The header carries an OpenFlow version this library does not speak."""


class OFPUnknownMessageType(OFPMalformedMessage):
    """The header carries a message type unknown for its version."""


class OFPFramingError(OFPMalformedMessage):
    """The byte stream cannot be split into messages (length below 8, or over the limit)."""


class OFPEncodeError(CtrlappError):
    """A message object cannot be encoded (a field out of range, a wrong type)."""


class ConfigError(CtrlappError):
    """A configuration value is missing or invalid; the message names it."""


class AppLoadError(CtrlappError):
    """An application could not be found, imported or instantiated."""


class RequestTimeout(CtrlappError):
    """A request to a switch or another app got no reply in time."""
