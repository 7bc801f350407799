"""Router-side IGMPv3 group state of one port, RFC 3376 §6 and §7.3.2, without I/O.

A snooping switch keeps, for each port and group, the state a multicast router
keeps for each interface and group: a filter mode (INCLUDE or EXCLUDE), a group
timer and a timer per source (§6.2.1, §6.3).  :meth:`PortMembership.apply`
implements the two state tables of §6.4.1 (current-state records) and §6.4.2
(filter-mode and source-list change records); :meth:`PortMembership.expire`
the timer rules of §6.2.2 and §6.5.  Older hosts on the port put the group in
IGMPv1 or IGMPv2 compatibility mode (§7.3.2): their reports are taken as
``IS_EX({})`` and, while an older host is present, v3 BLOCK records and the
source lists of TO_EX records are ignored, and in v1 mode so are v2 leaves.

Timers are absolute deadlines in the caller's clock (seconds).  In EXCLUDE
mode a source whose deadline is ``0`` is in the "excluded" list (Y of §6.4);
one with a running timer is in the "requested" list (X).  In INCLUDE mode
every source has a running timer.

The queries the tables ask for (``Q(G)`` and ``Q(G,S)``) are returned to the
caller as :class:`QueryRequest`; the caller lowers the timers (§6.6.3) with
:meth:`PortMembership.lower_group_timer` / :meth:`lower_source_timers` once it
knows a query will be sent, and sends it.
"""

from __future__ import annotations

from typing import NamedTuple

from ctrlapp.lib.packet.igmp import (
    ALLOW_NEW_SOURCES,
    BLOCK_OLD_SOURCES,
    CHANGE_TO_EXCLUDE_MODE,
    CHANGE_TO_INCLUDE_MODE,
    MODE_IS_EXCLUDE,
    MODE_IS_INCLUDE,
)

INCLUDE = "include"
EXCLUDE = "exclude"

#: Names of the record types for logs and REST (RFC 3376 §4.2.12 abbreviations).
RECORD_NAMES = {
    MODE_IS_INCLUDE: "IS_IN",
    MODE_IS_EXCLUDE: "IS_EX",
    CHANGE_TO_INCLUDE_MODE: "TO_IN",
    CHANGE_TO_EXCLUDE_MODE: "TO_EX",
    ALLOW_NEW_SOURCES: "ALLOW",
    BLOCK_OLD_SOURCES: "BLOCK",
}


class QueryRequest(NamedTuple):
    """The queries one of the §6.4 actions asks for: ``Q(G,sources)`` and/or ``Q(G)``."""

    sources: frozenset[str]
    group: bool = False


class PortMembership:
    """The group record of one (port, group): filter mode, timers, compatibility."""

    __slots__ = ("mode", "group_expiry", "sources", "v1_host_expiry", "v2_host_expiry")

    def __init__(self) -> None:
        self.mode = INCLUDE
        self.group_expiry = 0.0
        self.sources: dict[str, float] = {}
        self.v1_host_expiry = 0.0
        self.v2_host_expiry = 0.0

    def compat_version(self, now: float) -> int:
        """Group Compatibility Mode (§7.3.2): 1, 2 or 3."""
        if self.v1_host_expiry > now:
            return 1
        if self.v2_host_expiry > now:
            return 2
        return 3

    def wants_traffic(self) -> bool:
        """Whether this port should receive the group (any source) at all."""
        return self.mode == EXCLUDE or bool(self.sources)

    def excluded(self) -> list[str]:
        return sorted(s for s, t in self.sources.items() if not t) if self.mode == EXCLUDE else []

    def requested(self) -> list[str]:
        return sorted(s for s, t in self.sources.items() if t)

    def is_empty(self) -> bool:
        """An INCLUDE record with no sources is no record at all (§6.2.1)."""
        return self.mode == INCLUDE and not self.sources

    # -- reports ----------------------------------------------------------------------------------

    def older_report(self, version: int, now: float, gmi: float, ohpi: float) -> None:
        """A v1 or v2 Membership Report: IS_EX({}) and the older-host timer (§7.3.2)."""
        if version == 1:
            self.v1_host_expiry = now + ohpi
        else:
            self.v2_host_expiry = now + ohpi
        self.apply(MODE_IS_EXCLUDE, (), now, gmi)

    def leave(self, now: float, gmi: float) -> QueryRequest | None:
        """A v2 Leave Group: TO_IN({}), ignored while a v1 host is present (§7.3.2)."""
        if self.compat_version(now) == 1:
            return None
        return self.apply(CHANGE_TO_INCLUDE_MODE, (), now, gmi)

    def apply(self, rtype: int, srcs, now: float, gmi: float) -> QueryRequest | None:
        """Apply one group record (§6.4.1, §6.4.2); return the query it asks for, if any.

        For TO_IN in EXCLUDE mode the table asks for both Q(G,X-A) and Q(G).
        """
        compat = self.compat_version(now)
        if compat < 3:
            if rtype == BLOCK_OLD_SOURCES:
                return None
            if rtype == CHANGE_TO_EXCLUDE_MODE:
                srcs = ()
        b = set(srcs)
        src = self.sources
        deadline = now + gmi
        if self.mode == INCLUDE:
            a = set(src)
            if rtype in (MODE_IS_INCLUDE, ALLOW_NEW_SOURCES, CHANGE_TO_INCLUDE_MODE):
                for s in b:
                    src[s] = deadline
                if rtype == CHANGE_TO_INCLUDE_MODE and a - b:
                    return QueryRequest(frozenset(a - b))
                return None
            if rtype == BLOCK_OLD_SOURCES:
                return QueryRequest(frozenset(a & b)) if a & b else None
            if rtype in (MODE_IS_EXCLUDE, CHANGE_TO_EXCLUDE_MODE):
                # EXCLUDE(A*B, B-A): A*B keep their timers, B-A are excluded (timer 0).
                self.sources = {s: src.get(s, 0.0) for s in b}
                self.mode = EXCLUDE
                self.group_expiry = deadline
                if rtype == CHANGE_TO_EXCLUDE_MODE and a & b:
                    return QueryRequest(frozenset(a & b))
            return None
        # EXCLUDE (X, Y)
        x = {s for s, t in src.items() if t}
        y = set(src) - x
        if rtype in (MODE_IS_INCLUDE, ALLOW_NEW_SOURCES, CHANGE_TO_INCLUDE_MODE):
            for s in b:
                src[s] = deadline
            if rtype == CHANGE_TO_INCLUDE_MODE:
                return QueryRequest(frozenset(x - b), True)
            return None
        if rtype == BLOCK_OLD_SOURCES:
            for s in b - x - y:
                src[s] = self.group_expiry
            return QueryRequest(frozenset(b - y)) if b - y else None
        if rtype in (MODE_IS_EXCLUDE, CHANGE_TO_EXCLUDE_MODE):
            fresh = deadline if rtype == MODE_IS_EXCLUDE else self.group_expiry
            self.sources = {s: (src[s] if s in src else fresh) for s in b}
            self.group_expiry = deadline
            if rtype == CHANGE_TO_EXCLUDE_MODE and b - y:
                return QueryRequest(frozenset(b - y))
        return None

    # -- queries and timers -----------------------------------------------------------------------

    def lower_group_timer(self, deadline: float) -> None:
        """Q(G) was sent: the group timer runs out at ``deadline`` at the latest (§6.6.3.1)."""
        if self.mode == EXCLUDE and self.group_expiry > deadline:
            self.group_expiry = deadline

    def lower_source_timers(self, sources, deadline: float) -> None:
        """Q(G,A) was sent: timers of A run out at ``deadline`` at the latest (§6.6.3.2)."""
        src = self.sources
        for s in sources:
            t = src.get(s)
            if t and t > deadline:
                src[s] = deadline

    def expire(self, now: float) -> bool:
        """Run the timers that ran out (§6.2.2, §6.5); True if forwarding may have changed."""
        src = self.sources
        changed = False
        if self.mode == EXCLUDE and self.group_expiry <= now:
            # Group timer expired: back to INCLUDE with the sources still wanted.
            self.mode = INCLUDE
            self.sources = src = {s: t for s, t in src.items() if t > now}
            changed = True
        if self.mode == INCLUDE:
            gone = [s for s, t in src.items() if t <= now]
            for s in gone:
                del src[s]
            changed = changed or bool(gone)
        else:
            for s, t in src.items():
                if t and t <= now:
                    # Source timer expired in EXCLUDE mode: the source joins the excluded list.
                    src[s] = 0.0
                    changed = True
        return changed
