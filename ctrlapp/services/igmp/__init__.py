"""IGMP snooping and querier engine for the IGMP snooping app.

:mod:`~ctrlapp.services.igmp.membership` keeps the per-port group state of
RFC 3376 §6 (filter mode, source timers, older-version hosts of §7.3.2);
:mod:`~ctrlapp.services.igmp.snooping` turns decoded IGMP messages and a clock
into forwarding sets, relayed messages and queries (RFC 4541, RFC 2236).
"""
