"""Base classes of the events that flow between the runtime and apps (Ryu's names).

An event is any :class:`EventBase` instance.  :class:`EventRequestBase` and
:class:`EventReplyBase` carry app-to-app request/reply exchanges: see
:meth:`ctrlapp.base.app_manager.CtrlApp.send_request` and
:meth:`~ctrlapp.base.app_manager.CtrlApp.reply_to_request`.
"""

from __future__ import annotations

from typing import Any


class EventBase:
    """Every event derives from this; it carries no data of its own."""

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if not k.startswith("_"))
        return f"{type(self).__name__}({fields})"


class EventRequestBase(EventBase):
    """A request sent to the app named ``dst``; the reply comes back through ``reply_q``."""

    def __init__(self) -> None:
        self.dst: str | None = None
        self.src: str | None = None
        self.sync = False
        self.reply_q: Any = None


class EventReplyBase(EventBase):
    """A reply to an :class:`EventRequestBase`; ``dst`` is the requesting app."""

    def __init__(self, dst: str | None) -> None:
        self.dst = dst
