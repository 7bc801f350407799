"""App-to-app events published by the DHCP server (``apps/dhcp_server.py``).

Other apps (the ARP responder's proxy ARP, for instance) observe
:class:`EventLease` with ``@set_ev_cls(EventLease)`` to learn which address
belongs to which MAC and where that host is attached.
"""

from __future__ import annotations

from ctrlapp.controller.event import EventBase

#: Every value :attr:`EventLease.action` can take.
LEASE_ACTIONS = ("granted", "renewed", "released", "expired", "revoked", "declined")


class EventLease(EventBase):
    """A lease changed state.

    ``action`` is one of :data:`LEASE_ACTIONS`; ``ip`` and ``mac`` are text
    (``"10.0.0.100"``, ``"00:00:00:00:00:01"``); ``client_id`` is the client
    identifier (option 61) as a hex string, or ``None`` when the client sent
    none; ``dpid``/``port``/``vlan`` say where the client was last seen
    (``None`` when unknown, ``vlan`` is ``None`` when untagged);
    ``expires_at`` is the lease end in epoch seconds (for ``released``,
    ``expired`` and ``revoked`` the moment it ended; for ``declined`` the end
    of the address's quarantine).
    """

    def __init__(
        self,
        action: str,
        ip: str,
        mac: str,
        client_id: str | None = None,
        dpid: int | None = None,
        port: int | None = None,
        vlan: int | None = None,
        expires_at: float = 0.0,
    ) -> None:
        super().__init__()
        if action not in LEASE_ACTIONS:
            raise ValueError(f"unknown lease action {action!r}")
        self.action = action
        self.ip = ip
        self.mac = mac
        self.client_id = client_id
        self.dpid = dpid
        self.port = port
        self.vlan = vlan
        self.expires_at = expires_at
