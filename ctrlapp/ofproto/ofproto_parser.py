"""Version-independent part of the OpenFlow wire format: message base class and dispatch.

This module is the contract every per-version parser module
(``ofproto_v1_3_parser``, ``ofproto_v1_0_parser``, their submodules) follows:

* Every message class derives from :class:`MsgBase` and is registered for its
  ``(version, msg_type)`` with :func:`register_msg_type`.  Every message class
  decodes (``parser`` classmethod) *and* encodes (``serialize``), whichever
  side of the connection normally sends it, so the same classes serve a
  controller, a switch emulator and offline tools.
* ``MsgBase.parser(datapath, version, msg_type, msg_len, xid, buf)`` gets the
  whole message, header included (``buf[:8]`` is the header); ``buf`` is
  already cut to ``msg_len``.  ``datapath`` may be ``None``.
* ``serialize()`` fills ``self.buf`` (a ``bytearray``; ``bytes`` on the
  per-packet PACKET_OUT and FLOW_MOD paths) and the header fields
  ``version``, ``msg_type``, ``msg_len`` and ``xid`` (0 when unset).  The
  version comes from the class, so a message can be encoded without a
  datapath; subclasses write the body in ``_serialize_body`` (``self.buf``
  then holds the 8 header bytes to append to) or replace ``serialize``
  wholesale on hot paths.
* Structures inside messages (matches, actions, instructions, ports...) derive
  from :class:`StructBase`; their ``parser`` classmethods may raise anything
  on bad input: the guard installed by ``__init_subclass__`` turns
  ``struct.error``, ``IndexError``, ``ValueError``... into
  :class:`~ctrlapp.exception.OFPMalformedMessage`, and the message-level guard
  adds the xid and message type.
* Decoding a real message and encoding it again gives the same bytes: classes
  keep what they need for that (field order of a decoded ``OFPMatch``, padding
  that the spec leaves free is written as zeros, unknown experimenter parts as
  raw bytes).
* Text form and equality come from
  :class:`~ctrlapp.lib.stringify.StringifyMixin` and cover the body
  attributes only; ``datapath``, ``version``, ``msg_type``, ``msg_len``,
  ``xid`` and ``buf`` are printed as a prefix (as Ryu does) but do not take
  part in ``==`` or ``to_jsondict``.

Errors: every decoding failure is an
:class:`~ctrlapp.exception.OFPMalformedMessage` (or subclass: truncated,
unknown version, unknown type) carrying the xid; an object that cannot be
encoded raises :class:`~ctrlapp.exception.OFPEncodeError`.
"""

from __future__ import annotations

import functools
import importlib
import struct
from typing import Any, ClassVar

from ctrlapp.exception import (
    OFPEncodeError,
    OFPFramingError,
    OFPMalformedMessage,
    OFPTruncatedMessage,
    OFPUnknownMessageType,
    OFPUnknownVersion,
)
from ctrlapp.lib.stringify import StringifyMixin
from ctrlapp.ofproto.ofproto_common import (
    OFP_HEADER_SIZE,
    OFP_HEADER_STRUCT,
    OFP_VERSION_1_0,
    OFP_VERSION_1_3,
)

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

# Parser modules, imported on first use so that ``msg()`` works for a version
# even when the caller has not imported its module.
_PARSER_MODULES = {
    OFP_VERSION_1_0: "ctrlapp.ofproto.ofproto_v1_0_parser",
    OFP_VERSION_1_3: "ctrlapp.ofproto.ofproto_v1_3_parser",
}

_MSG_PARSERS: dict[int, dict[int, Any]] = {}

_BASE_ATTRIBUTES = frozenset(("datapath", "version", "msg_type", "msg_len", "xid", "buf"))


def _reason(exc: BaseException) -> str:
    if isinstance(exc, struct.error):
        return f"truncated or malformed structure ({exc})"
    return f"{type(exc).__name__}: {exc}"


def _guard_msg_parser(func):
    """Wrap a message parser so that only OFPMalformedMessage (with xid and type) leaves it."""

    @functools.wraps(func)
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        try:
            return func(cls, datapath, version, msg_type, msg_len, xid, buf)
        except OFPMalformedMessage as exc:
            if exc.xid is None or exc.msg_type is None:
                raise type(exc)(exc.reason, xid, msg_type) from exc
            raise
        except struct.error as exc:
            raise OFPTruncatedMessage(_reason(exc), xid, msg_type) from exc
        except _DECODE_FAILURES as exc:
            raise OFPMalformedMessage(_reason(exc), xid, msg_type) from exc

    parser._guarded = True  # type: ignore[attr-defined]
    return parser


def _guard_struct_parser(func):
    """Wrap a structure parser so that only OFPMalformedMessage leaves it."""

    @functools.wraps(func)
    def parser(cls, *args, **kwargs):
        try:
            return func(cls, *args, **kwargs)
        except OFPMalformedMessage:
            raise
        except struct.error as exc:
            raise OFPTruncatedMessage(f"{cls.__name__}: {_reason(exc)}") from exc
        except _DECODE_FAILURES as exc:
            raise OFPMalformedMessage(f"{cls.__name__}: {_reason(exc)}") from exc

    parser._guarded = True  # type: ignore[attr-defined]
    return parser


def _install_guard(cls: type, guard) -> None:
    raw = cls.__dict__.get("parser")
    if isinstance(raw, classmethod) and not getattr(raw.__func__, "_guarded", False):
        cls.parser = classmethod(guard(raw.__func__))  # type: ignore[attr-defined]


class StructBase(StringifyMixin):
    """Base of structures carried inside messages (match, action, instruction, port...).

    A subclass gives ``to_bytes()`` (its encoding); ``serialize(buf, offset)``,
    Ryu's form, writes that at ``offset`` of a bytearray (appending when
    ``offset == len(buf)``) and returns the number of bytes written.
    """

    __slots__ = ()

    def to_bytes(self) -> bytes:
        raise NotImplementedError

    def serialize(self, buf: bytearray, offset: int) -> int:
        data = self.to_bytes()
        buf[offset : offset + len(data)] = data
        return len(data)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _install_guard(cls, _guard_struct_parser)


class MsgBase(StringifyMixin):
    """An OpenFlow message: header fields plus a body defined by the subclass.

    ``cls_msg_type`` and ``cls_version`` are set by :func:`register_msg_type`.
    """

    __slots__ = ("datapath", "version", "msg_type", "msg_len", "xid", "buf")
    cls_msg_type: ClassVar[int | None] = None
    cls_version: ClassVar[int | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _install_guard(cls, _guard_msg_parser)

    def __init__(self, datapath: Any = None) -> None:
        self.datapath = datapath
        self.version = self.cls_version
        self.msg_type = self.cls_msg_type
        self.msg_len = None
        self.xid = None
        self.buf = None

    # -- header -------------------------------------------------------------
    def set_headers(self, version: int, msg_type: int, msg_len: int, xid: int) -> None:
        self.version = version
        self.msg_type = msg_type
        self.msg_len = msg_len
        self.xid = xid

    def set_xid(self, xid: int) -> None:
        self.xid = xid

    def set_buf(self, buf: bytes | bytearray) -> None:
        self.buf = buf

    # -- text form ----------------------------------------------------------
    def stringify_attrs(self) -> list[tuple[str, Any]]:
        return [(k, v) for k, v in super().stringify_attrs() if k not in _BASE_ATTRIBUTES]

    def __str__(self) -> str:
        head = f"version={self.version},msg_type={self.msg_type},msg_len={self.msg_len},xid={self.xid},"
        return head + super().__str__()

    __repr__ = __str__

    # -- decode -------------------------------------------------------------
    @classmethod
    def parser(
        cls,
        datapath: Any,
        version: int,
        msg_type: int,
        msg_len: int,
        xid: int,
        buf: bytes | bytearray,
    ) -> MsgBase:
        """Decode a message with no body beyond the header (subclasses decode theirs)."""
        msg_ = cls(datapath)
        msg_.set_headers(version, msg_type, msg_len, xid)
        msg_.buf = buf
        return msg_

    # -- encode -------------------------------------------------------------
    def _serialize_pre(self) -> None:
        self.version = self.cls_version
        self.msg_type = self.cls_msg_type
        self.buf = bytearray(OFP_HEADER_SIZE)

    def _serialize_body(self) -> None:
        """Append the body to ``self.buf``; messages with no body keep this."""

    def _serialize_header(self) -> None:
        self.msg_len = len(self.buf)
        if self.xid is None:
            self.xid = 0
        OFP_HEADER_STRUCT.pack_into(
            self.buf, 0, self.version, self.msg_type, self.msg_len, self.xid
        )

    def serialize(self) -> None:
        """Encode the message into ``self.buf`` and set the header attributes."""
        try:
            self._serialize_pre()
            self._serialize_body()
            if len(self.buf) > 0xFFFF:
                raise OFPEncodeError(f"{type(self).__name__} is {len(self.buf)} bytes, over 65535")
            self._serialize_header()
        except (struct.error, TypeError, ValueError, OverflowError, AttributeError) as exc:
            raise OFPEncodeError(f"{type(self).__name__}: {type(exc).__name__}: {exc}") from exc


# -- registration --------------------------------------------------------------
def register_msg_parser(version: int):
    """Ryu's form: decorator registering ``cls.parser`` for ``(version, cls.cls_msg_type)``."""

    def register(cls):
        _MSG_PARSERS.setdefault(version, {})[cls.cls_msg_type] = cls.parser
        return cls

    return register


def register_msg_type(version: int, msg_type: int):
    """Class decorator: set ``cls_version``/``cls_msg_type`` and register the class's parser."""

    def register(cls):
        cls.cls_version = version
        cls.cls_msg_type = msg_type
        _MSG_PARSERS.setdefault(version, {})[msg_type] = cls.parser
        return cls

    return register


def _parsers_for(version: int) -> dict[int, Any] | None:
    parsers = _MSG_PARSERS.get(version)
    if parsers is None:
        module = _PARSER_MODULES.get(version)
        if module is None:
            return None
        try:
            importlib.import_module(module)
        except ModuleNotFoundError:
            return None
        parsers = _MSG_PARSERS.get(version)
    return parsers


# -- decoding entry points ------------------------------------------------------
def header(buf: bytes | bytearray) -> tuple[int, int, int, int]:
    """Return ``(version, msg_type, msg_len, xid)`` from the first 8 bytes of ``buf``."""
    if len(buf) < OFP_HEADER_SIZE:
        raise OFPTruncatedMessage(f"{len(buf)} bytes, the OpenFlow header needs 8")
    return OFP_HEADER_STRUCT.unpack_from(buf)


def msg(
    datapath: Any,
    version: int,
    msg_type: int,
    msg_len: int,
    xid: int,
    buf: bytes | bytearray,
) -> MsgBase:
    """Decode one message whose header fields were read with :func:`header`.

    ``buf`` holds the whole message, header included; bytes past ``msg_len``
    are ignored.  Raises :class:`~ctrlapp.exception.OFPMalformedMessage` or a
    subclass for anything that cannot be decoded.
    """
    if msg_len < OFP_HEADER_SIZE:
        raise OFPFramingError(f"length field {msg_len} is below the header size 8", xid, msg_type)
    if len(buf) < msg_len:
        raise OFPTruncatedMessage(
            f"length field says {msg_len} bytes, only {len(buf)} present", xid, msg_type
        )
    parsers = _MSG_PARSERS.get(version) or _parsers_for(version)
    if parsers is None:
        raise OFPUnknownVersion(f"unsupported OpenFlow version {version:#x}", xid, msg_type)
    parser = parsers.get(msg_type)
    if parser is None:
        raise OFPUnknownMessageType(
            f"unknown message type {msg_type} for version {version:#x}", xid, msg_type
        )
    if len(buf) > msg_len:
        buf = buf[:msg_len]
    return parser(datapath, version, msg_type, msg_len, xid, buf)


def decode(buf: bytes | bytearray, datapath: Any = None) -> MsgBase:
    """Decode the message at the start of ``buf`` (header and body)."""
    version, msg_type, msg_len, xid = header(buf)
    return msg(datapath, version, msg_type, msg_len, xid, buf)


def ofp_msg_from_jsondict(datapath: Any, jsondict: dict[str, Any]) -> MsgBase:
    """Build a message from ``{"OFPClassName": {...}}`` using ``datapath.ofproto_parser``."""
    ((name, body),) = jsondict.items()
    cls = getattr(datapath.ofproto_parser, name)
    return cls.from_jsondict(body, datapath=datapath)
