"""The msgpack-RPC wire format, sans-IO.

Messages are msgpack arrays (msgpack-RPC specification):

* request ``[0, msgid, method, params]``
* response ``[1, msgid, error, result]`` (``error`` is ``None`` on success)
* notification ``[2, method, params]``

:class:`MessageReader` turns received bytes into validated messages and bounds
what it buffers; malformed input raises :class:`RpcProtocolError`.
"""

from __future__ import annotations

from typing import Any

import msgpack

REQUEST = 0
RESPONSE = 1
NOTIFICATION = 2

MAX_MESSAGE = 4 << 20


class RpcProtocolError(Exception):
    """Bytes that are not a valid msgpack-RPC message."""


def _default(obj: Any) -> Any:
    for attr in ("as_dict", "to_jsondict"):
        fn = getattr(obj, attr, None)
        if callable(fn):
            return fn()
    if isinstance(obj, (set, frozenset, tuple)):
        return list(obj)
    return str(obj)


def pack(message: list[Any]) -> bytes:
    return msgpack.packb(message, default=_default, use_bin_type=True)


def encode_request(msgid: int, method: str, params: list[Any]) -> bytes:
    return pack([REQUEST, msgid, method, list(params)])


def encode_response(msgid: int, error: Any, result: Any) -> bytes:
    return pack([RESPONSE, msgid, error, result])


def encode_notification(method: str, params: list[Any]) -> bytes:
    return pack([NOTIFICATION, method, list(params)])


class MessageReader:
    """Feed bytes in, get whole messages out (each a validated list)."""

    def __init__(self, max_message: int = MAX_MESSAGE) -> None:
        self._unpacker = msgpack.Unpacker(
            raw=False, max_buffer_size=max_message, strict_map_key=False
        )

    def feed(self, data: bytes) -> list[list[Any]]:
        try:
            self._unpacker.feed(data)
        except msgpack.BufferFull:
            raise RpcProtocolError("message larger than the receive limit") from None
        out = []
        try:
            for msg in self._unpacker:
                out.append(validate(msg))
        except (
            msgpack.ExtraData,
            msgpack.FormatError,
            msgpack.StackError,
            ValueError,
            TypeError,
        ) as exc:
            raise RpcProtocolError(f"undecodable msgpack: {exc}") from None
        return out


def validate(msg: Any) -> list[Any]:
    """Check the shape of a decoded message; return it as a list."""
    if not isinstance(msg, (list, tuple)) or not msg:
        raise RpcProtocolError("a message must be a non-empty array")
    kind = msg[0]
    if kind == REQUEST:
        if len(msg) != 4 or not isinstance(msg[1], int) or not isinstance(msg[2], str):
            raise RpcProtocolError("a request is [0, msgid:int, method:str, params:array]")
        if not isinstance(msg[3], (list, tuple)):
            raise RpcProtocolError("request params must be an array")
    elif kind == RESPONSE:
        if len(msg) != 4 or not isinstance(msg[1], int):
            raise RpcProtocolError("a response is [1, msgid:int, error, result]")
    elif kind == NOTIFICATION:
        if len(msg) != 3 or not isinstance(msg[1], str) or not isinstance(msg[2], (list, tuple)):
            raise RpcProtocolError("a notification is [2, method:str, params:array]")
    else:
        raise RpcProtocolError(f"unknown message kind {kind!r}")
    return list(msg)
