"""Dispatcher states and the ``set_ev_cls`` decorator (Ryu's ``ryu.controller.handler``).

A switch connection moves through the states HANDSHAKE -> CONFIG -> MAIN -> DEAD
(see :mod:`ctrlapp.controller.handshake`).  ``@set_ev_cls(EventX, MAIN_DISPATCHER)``
marks an app method as the handler of ``EventX`` delivered while the datapath is
in one of the given states; without states the handler gets the event in any
state.  The app manager collects the marks when it instantiates the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

HANDSHAKE_DISPATCHER = "handshake"
CONFIG_DISPATCHER = "config"
MAIN_DISPATCHER = "main"
DEAD_DISPATCHER = "dead"

ALL_DISPATCHERS = (HANDSHAKE_DISPATCHER, CONFIG_DISPATCHER, MAIN_DISPATCHER, DEAD_DISPATCHER)


class _Caller:
    """What one ``set_ev_cls`` mark says: the states, and where the event class comes from."""

    __slots__ = ("dispatchers", "ev_source")

    def __init__(self, dispatchers: frozenset[str] | None, ev_source: str) -> None:
        self.dispatchers = dispatchers
        self.ev_source = ev_source


def _states(dispatchers: Any) -> frozenset[str] | None:
    if dispatchers is None:
        return None
    if isinstance(dispatchers, str):
        dispatchers = [dispatchers]
    states = frozenset(dispatchers)
    unknown = states - set(ALL_DISPATCHERS)
    if unknown:
        raise ValueError(f"unknown dispatcher state(s): {', '.join(sorted(unknown))}")
    return states


def set_ev_cls(ev_cls: type | Iterable[type], dispatchers: Any = None) -> Callable:
    """Mark a method as the handler of ``ev_cls`` (a class or a list) in ``dispatchers``."""
    classes = list(ev_cls) if isinstance(ev_cls, list | tuple) else [ev_cls]
    states = _states(dispatchers)

    def mark(handler: Callable) -> Callable:
        callers = handler.__dict__.setdefault("callers", {})
        for cls in classes:
            callers[cls] = _Caller(states, cls.__module__)
        return handler

    return mark


def set_ev_handler(ev_cls: type | Iterable[type], dispatchers: Any = None) -> Callable:
    """Same as :func:`set_ev_cls` (Ryu keeps both names)."""
    return set_ev_cls(ev_cls, dispatchers)


def has_caller(method: Any) -> bool:
    return hasattr(method, "callers")


def iter_handlers(obj: Any) -> Iterable[tuple[type, Callable, frozenset[str] | None]]:
    """Yield ``(event class, bound method, states)`` for every marked method of ``obj``."""
    for name in dir(type(obj)):
        attr = getattr(type(obj), name, None)
        if not callable(attr) or not has_caller(attr):
            continue
        bound = getattr(obj, name)
        for ev_cls, caller in attr.callers.items():
            yield ev_cls, bound, caller.dispatchers
