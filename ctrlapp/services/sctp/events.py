"""App-to-app events of the SCTP association monitor (``apps/sctp_monitor.py``).

Other apps observe :class:`EventAssociation` with ``@set_ev_cls(EventAssociation)``;
the same news goes to msgpack-RPC subscribers as ``sctp.association.<kind>``.
"""

from __future__ import annotations

from typing import Any

from ctrlapp.controller.event import EventBase

#: Every value :attr:`EventAssociation.kind` can take.
KINDS = ("up", "down", "restart", "path_change")


class EventAssociation(EventBase):
    """An association came up, went down, restarted or changed paths.

    ``assoc_id`` is the monitor's id (``GET /v1/sctp/associations/{id}``);
    ``reason`` says more (``established``, ``shut down``, ``aborted``,
    ``restarted``, ``new path 10.0.1.1 -> 10.0.0.2``, ``path inactive: ...``);
    ``association`` is the short description: state, both endpoints
    (address, port), packets, DATA bytes, first switch, first/last seen.
    """

    def __init__(self, kind: str, assoc_id: str, reason: str, association: dict[str, Any]):
        super().__init__()
        if kind not in KINDS:
            raise ValueError(f"unknown association event {kind!r}")
        self.kind = kind
        self.assoc_id = assoc_id
        self.reason = reason
        self.association = association
