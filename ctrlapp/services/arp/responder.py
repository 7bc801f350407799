"""Proxy-ARP responder and ARP spoofing defence, without I/O.

:class:`ArpResponder` takes raw Ethernet frames carrying ARP (as an OpenFlow
PACKET_IN delivers them) and an injected clock, and returns an
:class:`Outcome`: the reply frame to send back out of the input port, whether
the frame should continue to normal forwarding, the binding changes and the
intercept flows to add or remove.  It implements:

* RFC 826 "Packet Reception": a request for an address the responder holds a
  binding for is answered with a reply whose sender is the binding and whose
  target is the requester; the sender's mapping is merged into the table
  (learning, when enabled).
* RFC 5227 section 2.1.1 probes (sender IP 0.0.0.0): never learned; a probe
  for an address bound to another MAC is answered, so the prober sees the
  conflict; a probe by the binding's own MAC is left to normal forwarding.
* RFC 5227 section 2.3 announcements and gratuitous ARP (RFC 5944 section
  4.6: sender IP = target IP, request or reply) update learned bindings.
* Spoofing defence: a claim (any ARP whose sender IP is set) of a static or
  leased address by another MAC is not learned, not forwarded when it was
  intercepted, and reported as a conflict.
* Learned bindings age out ``learned_ttl`` seconds after they were last seen,
  DHCP bindings when their lease ends; learned bindings are bounded
  (``max_learned``, the one seen longest ago goes first).

Bindings are described in :mod:`ctrlapp.services.arp.bindings`.  An
*answer key* ``(dpid, vlan, ip)`` — one per binding the responder answers for
— is what the app turns into one table-0 intercept flow each.
"""

from __future__ import annotations

import ipaddress
from collections import OrderedDict
from typing import Any, NamedTuple

from ctrlapp.exception import ConfigError
from ctrlapp.services.arp.bindings import (
    ARP_IPV4_ETHERNET,
    DHCP,
    LEARNED,
    STATIC,
    Binding,
    BindingTable,
)

ETH_ARP = b"\x08\x06"
ETH_VLAN = b"\x81\x00"
_ZERO_IP = b"\x00\x00\x00\x00"
# Replies are padded to the 60-byte Ethernet minimum (without FCS).
_PAD = bytes(60)

DEFAULT_LEARNED_TTL = 300.0
DEFAULT_MAX_LEARNED = 4096
_ACTIONS_UP = ("granted", "renewed")

#: Reasons a frame is ignored.
NOT_ARP = "not an ARP frame"
SHORT = "frame cut short"
NOT_IPV4 = "ARP for another hardware or protocol type (only IPv4 over Ethernet is handled)"
BAD_OPCODE = "ARP opcode is neither request (1) nor reply (2)"
GROUP_SENDER = "ARP sender MAC address is a broadcast or multicast address"


class FlowChange(NamedTuple):
    """An intercept flow to add (``add``) or remove for an answer key."""

    add: bool
    dpid: int | None
    vlan: int | None
    ip: str


class Outcome:
    """What to do after one ARP frame (or lease event)."""

    __slots__ = ("reply", "forward", "ignored", "conflict", "learned", "flows")

    def __init__(self) -> None:
        self.reply: bytes | None = None
        self.forward = False
        self.ignored: str | None = None
        self.conflict: str | None = None
        self.learned: Binding | None = None
        self.flows: list[FlowChange] = []


def _text_ip(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key} must be an IPv4 address string, got {value!r}")
    try:
        addr = ipaddress.IPv4Address(value)
    except ValueError:
        raise ConfigError(f"{key} {value!r} is not an IPv4 address") from None
    if addr.is_unspecified or addr.is_multicast or int(addr) == 0xFFFFFFFF:
        raise ConfigError(f"{key} {value} cannot be bound to a host")
    return str(addr)


def _text_mac(value: Any, key: str) -> str:
    text = value if isinstance(value, str) else ""
    parts = text.replace("-", ":").split(":")
    try:
        raw = bytes(int(p, 16) for p in parts) if all(len(p) == 2 for p in parts) else b""
    except ValueError:
        raw = b""
    if len(raw) != 6:
        raise ConfigError(f"{key} {value!r} is not a MAC address (like 02:00:00:00:00:01)")
    if raw[0] & 1 or raw == bytes(6):
        raise ConfigError(f"{key} {value} is a group or all-zero address, not a host's")
    return raw.hex(":")


def _dpid(value: Any, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = int(value, 16) if len(value) == 16 or value[:2].lower() == "0x" else int(value)
        except ValueError:
            raise ConfigError(f"{key} {value!r} is not a datapath id") from None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 1 << 64:
        raise ConfigError(f"{key} {value!r} is not a datapath id")
    return value


def _vlan(value: Any, key: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 4094:
        raise ConfigError(f"{key} must be 0 (untagged) or a VLAN id 1-4094, got {value!r}")
    return value


def static_binding(entry: Any, key: str) -> Binding:
    """A static binding from ``{"ip", "mac", "dpid"?, "vlan"?}``; ConfigError names ``key``."""
    if not isinstance(entry, dict):
        raise ConfigError(f'{key} must be a table like {{ ip = "10.0.0.1", mac = "..." }}')
    unknown = sorted(set(entry) - {"ip", "mac", "dpid", "vlan"})
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]} is not a field; fields are ip, mac, dpid, vlan")
    for field in ("ip", "mac"):
        if field not in entry:
            raise ConfigError(f"{key}.{field} is missing")
    return Binding(
        _text_ip(entry["ip"], f"{key}.ip"),
        _text_mac(entry["mac"], f"{key}.mac"),
        STATIC,
        _dpid(entry.get("dpid"), f"{key}.dpid"),
        _vlan(entry.get("vlan"), f"{key}.vlan"),
    )


class ResponderConfig:
    """Validated settings (``[apps.arp_responder]``); every key is optional."""

    KEYS = ("static", "learn", "proxy_arp", "use_dhcp_leases", "learned_ttl", "max_learned")

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        s = dict(settings or {})
        unknown = sorted(set(s) - set(self.KEYS))
        if unknown:
            raise ConfigError(
                f"arp_responder: unknown setting {unknown[0]!r}; settings are {', '.join(self.KEYS)}"
            )
        for key in ("learn", "proxy_arp", "use_dhcp_leases"):
            if not isinstance(s.get(key, True), bool):
                raise ConfigError(f"arp_responder: {key} must be true or false")
        self.learn: bool = s.get("learn", True)
        self.proxy_arp: bool = s.get("proxy_arp", True)
        self.use_dhcp_leases: bool = s.get("use_dhcp_leases", True)
        ttl = s.get("learned_ttl", DEFAULT_LEARNED_TTL)
        if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not 1 <= ttl <= 86400:
            raise ConfigError(f"arp_responder: learned_ttl must be 1-86400 seconds, got {ttl!r}")
        self.learned_ttl = float(ttl)
        cap = s.get("max_learned", DEFAULT_MAX_LEARNED)
        if isinstance(cap, bool) or not isinstance(cap, int) or not 0 <= cap <= 10_000_000:
            raise ConfigError(f"arp_responder: max_learned must be 0-10000000, got {cap!r}")
        self.max_learned = cap
        static = s.get("static", [])
        if not isinstance(static, list):
            raise ConfigError("arp_responder: static must be a list of tables")
        self.static = [
            static_binding(e, f"arp_responder: static[{i}]") for i, e in enumerate(static)
        ]
        seen: dict[tuple, str] = {}
        for i, b in enumerate(self.static):
            k = (b.ip, b.dpid, b.vlan)
            if k in seen and seen[k] != b.mac:
                raise ConfigError(
                    f"arp_responder: static[{i}] binds {b.ip} to {b.mac}, "
                    f"but an earlier entry binds it to {seen[k]} in the same scope"
                )
            seen[k] = b.mac


class ArpResponder:
    """The bindings table with the RFC 826 / RFC 5227 rules around it."""

    def __init__(self, config: ResponderConfig | None = None) -> None:
        self.cfg = config or ResponderConfig()
        self.table = BindingTable()
        # Learned bindings, seen longest ago first (the aging and eviction order).
        self._learned: OrderedDict[tuple, Binding] = OrderedDict()
        self._dhcp: dict[tuple, Binding] = {}
        self.counters: dict[str, int] = {}
        for b in self.cfg.static:
            self.table.put(b)

    # -- bookkeeping --------------------------------------------------------------------------

    def _count(self, what: str) -> None:
        self.counters[what] = self.counters.get(what, 0) + 1

    def answers(self, b: Binding | None) -> bool:
        """Whether ``b`` is answered (and so has an intercept flow)."""
        return b is not None and (b.source == STATIC or self.cfg.proxy_arp)

    def answer_keys(self, dpid: int) -> list[FlowChange]:
        """The intercept flows switch ``dpid`` should have (as additions)."""
        return sorted(
            (
                FlowChange(True, b.dpid, b.vlan, b.ip)
                for b in self.table
                if (b.dpid is None or b.dpid == dpid) and self.answers(b)
            ),
            key=lambda f: (f.ip, f.vlan is not None, f.vlan or 0),
        )

    def _place(self, b: Binding, flows: list[FlowChange]) -> None:
        old = self.table.put(b)
        if old is not None and old is not b:
            self._forget_index(old)
        if self.answers(b) and not self.answers(old):
            flows.append(FlowChange(True, b.dpid, b.vlan, b.ip))
        if b.source == LEARNED:
            self._learned[(b.ip_bin, b.scope)] = b
        elif b.source == DHCP:
            self._dhcp[(b.ip_bin, b.scope)] = b

    def _drop(self, b: Binding, flows: list[FlowChange]) -> None:
        if self.table.remove(b):
            self._forget_index(b)
            if self.answers(b):
                flows.append(FlowChange(False, b.dpid, b.vlan, b.ip))

    def _forget_index(self, b: Binding) -> None:
        index = self._learned if b.source == LEARNED else self._dhcp
        key = (b.ip_bin, b.scope)
        if index.get(key) is b:
            del index[key]

    # -- static bindings ----------------------------------------------------------------------

    def add_static(self, b: Binding) -> list[FlowChange]:
        """Add or replace a static binding; learned and leased ones for the address go."""
        flows: list[FlowChange] = []
        for other in self.table.of_ip(b.ip_bin):
            if other.source != STATIC and other.scope != b.scope:
                self._drop(other, flows)
        self._place(b, flows)
        return flows

    def remove(
        self, ip: str, sources: tuple[str, ...] = (STATIC, LEARNED)
    ) -> tuple[list[Binding], list[FlowChange]]:
        """Remove the bindings of ``ip`` that come from ``sources``."""
        gone = [b for b in self.table.of_ip(_ip_bin(ip)) if b.source in sources]
        flows: list[FlowChange] = []
        for b in gone:
            self._drop(b, flows)
        return gone, flows

    # -- DHCP leases --------------------------------------------------------------------------

    def lease(
        self,
        action: str,
        ip: str,
        mac: str,
        vlan: int | None,
        dpid: int | None,
        port: int | None,
        expires_at: float,
        now: float,
    ) -> Outcome:
        """Follow a DHCP server's lease event (``EventLease`` fields)."""
        out = Outcome()
        if not self.cfg.use_dhcp_leases:
            return out
        scope = (None, vlan or 0)
        ip_bin = _ip_bin(ip)
        current = self.table.get(ip_bin, scope)
        if action not in _ACTIONS_UP:
            if current is not None and current.source == DHCP and current.mac == mac:
                self._drop(current, out.flows)
            return out
        if expires_at <= now:
            return out
        statics = [b for b in self.table.of_ip(ip_bin) if b.source == STATIC]
        if any(b.mac != mac for b in statics):
            out.conflict = f"DHCP lease of {ip} to {mac}, but {ip} is statically bound to " + (
                ", ".join(sorted({b.mac for b in statics}))
            )
            self._count("conflicts")
            return out
        if statics:
            return out
        for other in self.table.of_ip(ip_bin):
            if other.source == LEARNED and other.scope != scope:
                self._drop(other, out.flows)
        b = Binding(ip, mac, DHCP, None, vlan or 0, expires_at, dpid, port)
        self._place(b, out.flows)
        out.learned = b
        return out

    # -- ARP frames ---------------------------------------------------------------------------

    def handle(self, dpid: int, port: int, frame: bytes, now: float) -> Outcome:
        """One ARP frame received on ``port`` of switch ``dpid``."""
        out = Outcome()
        if frame[12:14] == ETH_VLAN:
            if len(frame) < 18:
                out.ignored = SHORT
                return out
            tag = frame[12:16]
            vlan = (frame[14] << 8 | frame[15]) & 0x0FFF
            off = 16
        else:
            tag = b""
            vlan = 0
            off = 12
        if frame[off : off + 2] != ETH_ARP:
            out.ignored = NOT_ARP if len(frame) >= off + 2 else SHORT
            return out
        off += 2
        if len(frame) < off + 28:
            out.ignored = SHORT
            return out
        if frame[off : off + 6] != ARP_IPV4_ETHERNET:
            out.ignored = NOT_IPV4
            return out
        op = frame[off + 6] << 8 | frame[off + 7]
        if op != 1 and op != 2:
            out.ignored = BAD_OPCODE
            return out
        sha = frame[off + 8 : off + 14]
        spa = frame[off + 14 : off + 18]
        tpa = frame[off + 24 : off + 28]
        if sha[0] & 1:
            out.ignored = GROUP_SENDER
            return out
        if spa != _ZERO_IP:
            self._claim(out, dpid, port, vlan, sha, spa, now)
            if out.conflict is not None:
                return out
        if op == 1 and spa != tpa:
            b = self.table.lookup(tpa, dpid, vlan)
            if b is not None and (b.source == STATIC or self.cfg.proxy_arp) and b.mac_bin != sha:
                out.reply = b"".join(
                    (sha, b.mac_bin, tag, ETH_ARP, b.reply_body, sha, spa, _PAD[: 18 - len(tag)])
                )
                counters = self.counters
                counters["replies"] = counters.get("replies", 0) + 1
                return out
        out.forward = True
        return out

    def _claim(
        self, out: Outcome, dpid: int, port: int, vlan: int, sha: bytes, spa: bytes, now: float
    ) -> None:
        """``sha`` says it has ``spa``: defend static and leased addresses, learn the rest."""
        held = self.table.lookup(spa, dpid, vlan)
        if held is not None and held.source != LEARNED:
            if held.mac_bin != sha:
                out.conflict = (
                    f"{sha.hex(':')} claims {held.ip}, which is "
                    f"{'statically bound' if held.source == STATIC else 'leased'} to {held.mac}"
                )
                self._count("conflicts")
            else:
                held.seen_dpid, held.seen_port = dpid, port
            return
        if not self.cfg.learn or self.cfg.max_learned == 0:
            return
        scope = (None, vlan)
        b = self.table.get(spa, scope)
        if b is not None:
            if b.mac_bin != sha:
                b.set_mac(sha.hex(":"))
                self._count("learned bindings changed MAC")
            b.expires_at = now + self.cfg.learned_ttl
            b.seen_dpid, b.seen_port = dpid, port
            self._learned.move_to_end((spa, scope))
            out.learned = b
            return
        if len(self._learned) >= self.cfg.max_learned:
            self._drop(next(iter(self._learned.values())), out.flows)
            self._count("learned bindings evicted")
        b = Binding(
            _ip_text(spa), sha.hex(":"), LEARNED, None, vlan, now + self.cfg.learned_ttl, dpid, port
        )
        self._place(b, out.flows)
        self._count("bindings learned")
        out.learned = b

    # -- aging --------------------------------------------------------------------------------

    def tick(self, now: float) -> list[FlowChange]:
        """Remove learned and leased bindings whose time is up."""
        flows: list[FlowChange] = []
        while self._learned:
            b = next(iter(self._learned.values()))
            if b.expires_at > now:
                break
            self._drop(b, flows)
            self._count("learned bindings aged out")
        for b in [b for b in self._dhcp.values() if b.expires_at <= now]:
            self._drop(b, flows)
        return flows

    def bindings(self) -> list[Binding]:
        return list(self.table)


def _ip_bin(ip: str) -> bytes:
    return ipaddress.IPv4Address(ip).packed


def _ip_text(ip_bin: bytes) -> str:
    return f"{ip_bin[0]}.{ip_bin[1]}.{ip_bin[2]}.{ip_bin[3]}"
