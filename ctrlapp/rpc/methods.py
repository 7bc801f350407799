"""Marking app methods as msgpack-RPC methods.

``@rpc_method()`` on a method of a running app makes it callable as
``<app name>.<method name>`` (or the name given); parameters are the RPC
``params`` array, the return value is the result, and a raised
:class:`RpcError` becomes the response's error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

_ATTR = "_ctrlapp_rpc_name"


class RpcError(Exception):
    """An error answer to an RPC call: ``code`` and a sentence for a person."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail

    def as_error(self) -> dict[str, str]:
        return {"error": self.code, "detail": self.detail}


def rpc_method(name: str | None = None) -> Callable[[Callable], Callable]:
    """Expose the decorated app method over msgpack-RPC."""

    def decorate(func: Callable) -> Callable:
        setattr(func, _ATTR, name or func.__name__)
        return func

    return decorate


def exported_methods(app: Any) -> Iterator[tuple[str, Callable]]:
    """``(full name, bound method)`` for each RPC method of ``app``."""
    for attr in dir(type(app)):
        func = getattr(type(app), attr, None)
        name = getattr(func, _ATTR, None)
        if name is not None:
            yield f"{app.name}.{name}", getattr(app, attr)
