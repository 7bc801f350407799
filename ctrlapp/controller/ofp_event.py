"""OpenFlow events: one ``EventOFP<Name>`` class per OpenFlow message class, plus state changes.

For every message class of every supported version (``OFPPacketIn`` ->
``EventOFPPacketIn``, ``OFPPortStatus`` -> ``EventOFPPortStatus`` ...) this module
defines an event class whose instances carry the decoded message as ``ev.msg``
(``ev.msg.datapath`` is the switch it came from).  A class name shared by two
versions gives one event class, so an app handles both versions with one
handler, as in Ryu.

:class:`EventOFPStateChange` says a datapath changed dispatcher state: entering
MAIN means "switch ready", DEAD means "switch gone".
:class:`EventOFPPortStateChange` follows the controller's port table.
"""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from ctrlapp.controller import event

PARSER_MODULES = (
    "ctrlapp.ofproto.ofproto_v1_0_parser",
    "ctrlapp.ofproto.ofproto_v1_3_parser",
)


class EventOFPMsgBase(event.EventBase):
    """An OpenFlow message received from a switch (``msg``)."""

    __slots__ = ("msg", "timestamp")

    def __init__(self, msg: Any) -> None:
        self.msg = msg
        self.timestamp: float | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}(msg={self.msg!r})"


class EventOFPStateChange(event.EventBase):
    """``datapath`` moved to dispatcher ``state`` (MAIN: connected and ready; DEAD: gone)."""

    def __init__(self, dp: Any) -> None:
        self.datapath = dp
        self.state = dp.state if dp is not None else None


class EventOFPPortStateChange(event.EventBase):
    """A port of ``datapath`` was added, deleted or modified (``reason`` as in PORT_STATUS)."""

    def __init__(self, dp: Any, reason: int, port_no: int) -> None:
        self.datapath = dp
        self.reason = reason
        self.port_no = port_no


_MSG_TO_EVENT: dict[type, type] = {}
_NAME_TO_EVENT: dict[str, type] = {}


def _event_class_for(msg_name: str) -> type:
    ev_name = "Event" + msg_name
    ev_cls = _NAME_TO_EVENT.get(ev_name)
    if ev_cls is None:
        ev_cls = type(
            ev_name,
            (EventOFPMsgBase,),
            {"__module__": __name__, "__slots__": (), "__doc__": f"A received {msg_name}."},
        )
        _NAME_TO_EVENT[ev_name] = ev_cls
        globals()[ev_name] = ev_cls
    return ev_cls


def register_parser_module(module: Any) -> None:
    """Create the event classes for every message class defined in ``module``."""
    from ctrlapp.ofproto.ofproto_parser import MsgBase

    for name, cls in vars(module).items():
        if (
            inspect.isclass(cls)
            and issubclass(cls, MsgBase)
            and cls is not MsgBase
            and name.startswith("OFP")
        ):
            _MSG_TO_EVENT[cls] = _event_class_for(name)


def ofp_msg_to_ev_cls(msg_cls: type) -> type:
    """The event class of a message class (created on first use for classes loaded late)."""
    ev_cls = _MSG_TO_EVENT.get(msg_cls)
    if ev_cls is None:
        ev_cls = _MSG_TO_EVENT[msg_cls] = _event_class_for(msg_cls.__name__)
    return ev_cls


def ofp_msg_to_ev(msg: Any) -> EventOFPMsgBase:
    return ofp_msg_to_ev_cls(type(msg))(msg)


def _load_parsers() -> None:
    for modname in PARSER_MODULES:
        try:
            module = importlib.import_module(modname)
        except ModuleNotFoundError as exc:
            if exc.name != modname:
                raise
            continue
        register_parser_module(module)


_load_parsers()


def __getattr__(name: str) -> type:
    # A parser module imported after this one (or landing later in a session) still gets
    # its event classes: look again before giving up.
    if name.startswith("EventOFP"):
        _load_parsers()
        if name in _NAME_TO_EVENT:
            return _NAME_TO_EVENT[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
