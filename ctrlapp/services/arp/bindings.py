"""The IPv4 -> MAC bindings an ARP responder answers from.

A binding has a *source* (``static`` from configuration or REST, ``dhcp`` from a
DHCP server's lease, ``learned`` from ARP traffic) and a *scope*: the switch
(``dpid``, None for every switch) and VLAN (``vlan``: None for any VLAN, 0 for
untagged frames, 1-4094 for that VLAN) where it applies.  One scope holds at
most one binding per address.  When several scopes apply to a request, a
higher source wins (static over dhcp over learned), then the narrower scope.

Each binding keeps the fixed part of its ARP reply (RFC 826 packet format,
opcode 2, sender = the binding) prebuilt, so answering costs one join.
"""

from __future__ import annotations

import socket

STATIC = "static"
DHCP = "dhcp"
LEARNED = "learned"
SOURCES = (STATIC, DHCP, LEARNED)
_RANK = {STATIC: 0, DHCP: 1, LEARNED: 2}

#: hardware type Ethernet, protocol IPv4, lengths 6 and 4 (RFC 826 ar$hrd ... ar$pln).
ARP_IPV4_ETHERNET = b"\x00\x01\x08\x00\x06\x04"
_REPLY_OP = b"\x00\x02"

Scope = tuple  # (dpid | None, vlan | None)


class Binding:
    """One address binding and where it was last seen."""

    __slots__ = (
        "ip",
        "ip_bin",
        "mac",
        "mac_bin",
        "source",
        "dpid",
        "vlan",
        "expires_at",
        "seen_dpid",
        "seen_port",
        "reply_body",
    )

    def __init__(
        self,
        ip: str,
        mac: str,
        source: str,
        dpid: int | None = None,
        vlan: int | None = None,
        expires_at: float | None = None,
        seen_dpid: int | None = None,
        seen_port: int | None = None,
    ) -> None:
        self.ip = ip
        self.ip_bin = socket.inet_aton(ip)
        self.source = source
        self.dpid = dpid
        self.vlan = vlan
        self.expires_at = expires_at
        self.seen_dpid = seen_dpid
        self.seen_port = seen_port
        self.set_mac(mac)

    def set_mac(self, mac: str) -> None:
        self.mac = mac
        self.mac_bin = bytes.fromhex(mac.replace(":", ""))
        # ar$hrd ar$pro ar$hln ar$pln ar$op ar$sha ar$spa: all but the target fields.
        self.reply_body = ARP_IPV4_ETHERNET + _REPLY_OP + self.mac_bin + self.ip_bin

    @property
    def scope(self) -> Scope:
        return (self.dpid, self.vlan)

    def as_dict(self, now: float) -> dict:
        return {
            "ip": self.ip,
            "mac": self.mac,
            "source": self.source,
            "dpid": None if self.dpid is None else f"{self.dpid:016x}",
            "vlan": self.vlan,
            "expires_in": None if self.expires_at is None else round(self.expires_at - now, 3),
            "seen_dpid": None if self.seen_dpid is None else f"{self.seen_dpid:016x}",
            "seen_port": self.seen_port,
        }

    def __repr__(self) -> str:
        return (
            f"Binding({self.ip} -> {self.mac}, {self.source}, dpid={self.dpid}, vlan={self.vlan})"
        )


class BindingTable:
    """Bindings by address and scope."""

    def __init__(self) -> None:
        self._by_ip: dict[bytes, dict[Scope, Binding]] = {}

    def __iter__(self):
        for scopes in self._by_ip.values():
            yield from scopes.values()

    def __len__(self) -> int:
        return sum(len(s) for s in self._by_ip.values())

    def get(self, ip_bin: bytes, scope: Scope) -> Binding | None:
        scopes = self._by_ip.get(ip_bin)
        return scopes.get(scope) if scopes else None

    def of_ip(self, ip_bin: bytes) -> list[Binding]:
        return list(self._by_ip.get(ip_bin, {}).values())

    def put(self, b: Binding) -> Binding | None:
        """Store ``b`` in its scope; return the binding it replaced."""
        scopes = self._by_ip.setdefault(b.ip_bin, {})
        old = scopes.get(b.scope)
        scopes[b.scope] = b
        return old

    def remove(self, b: Binding) -> bool:
        scopes = self._by_ip.get(b.ip_bin)
        if not scopes or scopes.get(b.scope) is not b:
            return False
        del scopes[b.scope]
        if not scopes:
            del self._by_ip[b.ip_bin]
        return True

    def lookup(self, ip_bin: bytes, dpid: int, vlan: int) -> Binding | None:
        """The binding that applies to ``ip`` on switch ``dpid``, VLAN ``vlan`` (0: untagged)."""
        scopes = self._by_ip.get(ip_bin)
        if not scopes:
            return None
        if len(scopes) == 1:
            ((scope, b),) = scopes.items()
            sd, sv = scope
            if (sd is None or sd == dpid) and (sv is None or sv == vlan):
                return b
            return None
        best = None
        # Narrowest scope first, so that on equal rank the narrower one stays.
        for scope in ((dpid, vlan), (dpid, None), (None, vlan), (None, None)):
            b = scopes.get(scope)
            if b is not None and (best is None or _RANK[b.source] < _RANK[best.source]):
                best = b
        return best
