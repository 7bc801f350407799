"""The lease database: who holds which address, kept durable in a JournalStore.

Address choice follows RFC 2131 §4.3.1: the client's reservation, then its
current or previous address, then the address it asks for if that is free,
then the next free one.  Free addresses are handed out lowest first from the
never-used part of each pool, then least recently released first, so that a
returning client finds its old address free as long as possible.

Only bindings reach the disk (bound, released, expired, revoked and declined
records; offers are held in memory for ``offer_hold`` seconds): the engine
journals a binding before the ACK that announces it is sent.  Bounded memory:
active leases are capped by ``max_leases``, remembered (ended) leases by
``remembered_leases``, oldest forgotten first.
"""

from __future__ import annotations

import heapq
import ipaddress
import socket
from collections import OrderedDict
from typing import Any

from ctrlapp.services.dhcp.config import PoolConfig, Reservation, ServerConfig
from ctrlapp.store import JournalStore

OFFERED = "offered"
BOUND = "bound"
DECLINED = "declined"
RELEASED = "released"
EXPIRED = "expired"
REVOKED = "revoked"
#: States in which the address is held (until ``expires_at``).
ACTIVE = frozenset({OFFERED, BOUND, DECLINED})
STATES = (OFFERED, BOUND, DECLINED, RELEASED, EXPIRED, REVOKED)


def _ip_text(addr: int) -> str:
    return socket.inet_ntoa(addr.to_bytes(4, "big"))


class Lease:
    """One address and the client it is (or was last) given to."""

    __slots__ = (
        "ip",
        "mac",
        "client_id",
        "state",
        "expires_at",
        "pool",
        "dpid",
        "port",
        "vlan",
        "started_at",
        "hostname",
        "relay",
    )

    def __init__(
        self,
        ip: str,
        mac: str,
        client_id: str | None,
        pool: str,
        state: str = OFFERED,
        expires_at: float = 0.0,
        dpid: int | None = None,
        port: int | None = None,
        vlan: int | None = None,
        started_at: float = 0.0,
        hostname: str | None = None,
        relay: str | None = None,
    ) -> None:
        self.ip = ip
        self.mac = mac
        self.client_id = client_id
        self.pool = pool
        self.state = state
        self.expires_at = expires_at
        self.dpid = dpid
        self.port = port
        self.vlan = vlan
        self.started_at = started_at
        self.hostname = hostname
        self.relay = relay

    @property
    def client_key(self) -> str:
        """The client's identity: its client identifier (option 61) if it sent one, else chaddr."""
        return f"id:{self.client_id}" if self.client_id else f"hw:{self.mac}"

    def active(self, now: float) -> bool:
        return self.state in ACTIVE and self.expires_at > now

    def record(self) -> tuple:
        return (
            self.mac,
            self.client_id,
            self.state,
            self.expires_at,
            self.pool,
            self.dpid,
            self.port,
            self.vlan,
            self.started_at,
            self.hostname,
            self.relay,
        )

    @classmethod
    def from_record(cls, ip: str, rec: Any) -> Lease:
        mac, cid, state, expires, pool, dpid, port, vlan, started, hostname, relay = rec
        return cls(ip, mac, cid, pool, state, expires, dpid, port, vlan, started, hostname, relay)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ip": self.ip,
            "mac": self.mac,
            "client_id": self.client_id,
            "state": self.state,
            "pool": self.pool,
            "expires_at": self.expires_at,
            "started_at": self.started_at,
            "dpid": self.dpid,
            "port": self.port,
            "vlan": self.vlan,
            "hostname": self.hostname,
            "relay": self.relay,
        }


class _PoolState:
    """Free-address bookkeeping of one pool (membership is re-checked on use)."""

    __slots__ = ("config", "unused", "reusable")

    def __init__(self, config: PoolConfig) -> None:
        self.config = config
        self.unused = list(config.addresses())
        self.unused.reverse()
        self.reusable: OrderedDict[str, None] = OrderedDict()


class LeaseDatabase:
    """Leases, reservations and free addresses of every pool.

    ``store`` keeps bindings and REST-made reservations across restarts
    (``None``: memory only, for tests and benchmarks of the logic).
    """

    def __init__(self, config: ServerConfig, store: JournalStore | None = None) -> None:
        self.config = config
        self.store = store
        self.pools = {p.name: _PoolState(p) for p in config.pools}
        self.leases: dict[str, Lease] = {}
        self.by_client: dict[tuple[str, str], str] = {}
        self.reservations: dict[str, Reservation] = {}
        self.reserved_ips: dict[str, Reservation] = {}
        self.port_leases: dict[tuple[int, int], int] = {}
        self.remembered: OrderedDict[str, None] = OrderedDict()
        self._expiry: list[tuple[float, str]] = []
        self.active_count = 0
        for p in config.pools:
            for r in p.reservations:
                self._add_reservation(r)
        if store is not None:
            self._load(store)

    # -- loading ------------------------------------------------------------------------------

    def _load(self, store: JournalStore) -> None:
        # Bulk version of _index: one heapify instead of a push per lease keeps
        # a restart with 100,000 leases short.
        expiry = []
        leases, by_client = self.leases, self.by_client
        for key, rec in store.items():
            if key[0] == "l":
                lease = Lease.from_record(key[1], rec)
                leases[lease.ip] = lease
                by_client[(lease.pool, lease.client_key)] = lease.ip
                if lease.state in ACTIVE:
                    self.active_count += 1
                    self._count_port(lease, 1)
                    expiry.append((lease.expires_at, lease.ip))
                else:
                    self._remember(lease)
            elif key[0] == "r":
                ip, pool = rec
                kind, _, ident = key[1].partition(":")
                self._add_reservation(
                    Reservation("mac" if kind == "hw" else "client_id", ident, ip, pool)
                )
        heapq.heapify(expiry)
        self._expiry = expiry

    def _index(self, lease: Lease) -> None:
        self.leases[lease.ip] = lease
        self.by_client[(lease.pool, lease.client_key)] = lease.ip
        if lease.state in ACTIVE:
            self._activate(lease)
        else:
            self._remember(lease)

    # -- reservations ---------------------------------------------------------------------------

    def _add_reservation(self, r: Reservation) -> None:
        self.reservations[r.client_key] = r
        self.reserved_ips[r.ip] = r

    def add_reservation(self, r: Reservation) -> None:
        """Add a reservation made at run time (durable); the caller checked for conflicts."""
        self._add_reservation(r)
        if self.store is not None:
            self.store.put(("r", r.client_key), (r.ip, r.pool))

    def remove_reservation(self, client_key: str) -> Reservation | None:
        r = self.reservations.pop(client_key, None)
        if r is not None:
            self.reserved_ips.pop(r.ip, None)
            if self.store is not None:
                self.store.delete(("r", client_key))
        return r

    # -- state changes ------------------------------------------------------------------------

    def _count_port(self, lease: Lease, delta: int) -> None:
        if lease.relay is None and lease.dpid is not None and lease.port is not None:
            key = (lease.dpid, lease.port)
            n = self.port_leases.get(key, 0) + delta
            if n > 0:
                self.port_leases[key] = n
            else:
                self.port_leases.pop(key, None)

    def _activate(self, lease: Lease) -> None:
        self.remembered.pop(lease.ip, None)
        self.active_count += 1
        self._count_port(lease, 1)
        heapq.heappush(self._expiry, (lease.expires_at, lease.ip))

    def _deactivate(self, lease: Lease) -> None:
        self.active_count -= 1
        self._count_port(lease, -1)

    def _remember(self, lease: Lease) -> None:
        self.remembered[lease.ip] = None
        self.remembered.move_to_end(lease.ip)
        pool = self.pools.get(lease.pool)
        if pool is not None:
            pool.reusable[lease.ip] = None
        while len(self.remembered) > self.config.remembered_leases:
            ip, _ = self.remembered.popitem(last=False)
            old = self.leases.get(ip)
            if old is not None and old.state not in ACTIVE:
                self._forget(old)

    def _forget(self, lease: Lease) -> None:
        del self.leases[lease.ip]
        key = (lease.pool, lease.client_key)
        if self.by_client.get(key) == lease.ip:
            del self.by_client[key]
        if self.store is not None:
            self.store.delete(("l", lease.ip))

    def _persist(self, lease: Lease) -> None:
        if self.store is not None:
            self.store.put(("l", lease.ip), lease.record())

    def put(self, lease: Lease) -> None:
        """Make ``lease`` the record of its address (replacing any older one)."""
        old = self.leases.get(lease.ip)
        if old is not None:
            if old.state in ACTIVE:
                self._deactivate(old)
            if old.client_key != lease.client_key or old.pool != lease.pool:
                key = (old.pool, old.client_key)
                if self.by_client.get(key) == old.ip:
                    del self.by_client[key]
        self._index(lease)
        if lease.state != OFFERED:
            self._persist(lease)

    def end(self, lease: Lease, state: str, now: float) -> None:
        """End an active lease: released, expired or revoked (remembered for the client)."""
        if lease.state in ACTIVE:
            self._deactivate(lease)
        if lease.state == OFFERED or lease.state == DECLINED:
            # An offer never reached the disk and a quarantine has no client to
            # remember: the address simply becomes free.
            self.leases.pop(lease.ip, None)
            key = (lease.pool, lease.client_key)
            if self.by_client.get(key) == lease.ip:
                del self.by_client[key]
            if lease.state == DECLINED and self.store is not None:
                self.store.delete(("l", lease.ip))
            pool = self.pools.get(lease.pool)
            if pool is not None:
                pool.reusable[lease.ip] = None
            return
        lease.state = state
        lease.expires_at = now
        self._remember(lease)
        self._persist(lease)

    def due(self, now: float) -> list[Lease]:
        """Active leases whose time is up (the caller ends them)."""
        out = []
        heap = self._expiry
        while heap and heap[0][0] <= now:
            _, ip = heapq.heappop(heap)
            lease = self.leases.get(ip)
            if lease is not None and lease.state in ACTIVE and lease.expires_at <= now:
                out.append(lease)
        return out

    def reschedule(self, lease: Lease) -> None:
        """Note a changed ``expires_at`` of an active lease (and persist it if bound)."""
        heapq.heappush(self._expiry, (lease.expires_at, lease.ip))
        if lease.state != OFFERED:
            self._persist(lease)

    # -- address choice -----------------------------------------------------------------------

    def holder(self, ip: str, now: float) -> Lease | None:
        """The active lease on ``ip``, or None when the address is free."""
        lease = self.leases.get(ip)
        return lease if lease is not None and lease.active(now) else None

    def free_for(self, ip: str, client_key: str, now: float) -> bool:
        """Whether ``ip`` may go to ``client_key``: not held by another, not quarantined,
        not reserved for someone else."""
        r = self.reserved_ips.get(ip)
        if r is not None and r.client_key != client_key:
            return False
        lease = self.holder(ip, now)
        return lease is None or (lease.client_key == client_key and lease.state != DECLINED)

    def client_lease(self, pool: str, client_key: str) -> Lease | None:
        ip = self.by_client.get((pool, client_key))
        if ip is None:
            return None
        lease = self.leases.get(ip)
        return lease if lease is not None and lease.client_key == client_key else None

    def choose(
        self, pool: _PoolState, client_key: str, requested: str | None, now: float
    ) -> str | None:
        """The address to offer ``client_key`` from ``pool`` (None: exhausted)."""
        cfg = pool.config
        r = self.reservations.get(client_key)
        if r is not None and r.pool == cfg.name:
            return r.ip if self.free_for(r.ip, client_key, now) else None
        lease = self.client_lease(cfg.name, client_key)
        if (
            lease is not None
            and lease.state != DECLINED
            and self.free_for(lease.ip, client_key, now)
            and self.in_pool(cfg, lease.ip)
        ):
            return lease.ip
        if requested is not None and self.in_pool(cfg, requested):
            if self.free_for(requested, client_key, now):
                return requested
        while pool.unused:
            ip = _ip_text(pool.unused.pop())
            if self.free_for(ip, client_key, now) and ip not in self.reserved_ips:
                return ip
        while pool.reusable:
            ip, _ = pool.reusable.popitem(last=False)
            if self.free_for(ip, client_key, now) and ip not in self.reserved_ips:
                return ip
        return None

    @staticmethod
    def in_pool(cfg: PoolConfig, ip: str) -> bool:
        try:
            return cfg.in_ranges(int(ipaddress.IPv4Address(ip)))
        except ValueError:
            return False

    def put_back(self, pool: _PoolState, ip: str) -> None:
        """Return an address :meth:`choose` gave out but that was not used."""
        pool.reusable[ip] = None
        pool.reusable.move_to_end(ip, last=False)

    def pool_usage(self, name: str, now: float) -> dict[str, Any]:
        cfg = self.pools[name].config
        size = cfg.size()
        used = sum(1 for lease in self.leases.values() if lease.pool == name and lease.active(now))
        return {
            "name": name,
            "subnet": str(cfg.network),
            "server_ip": cfg.server_ip,
            "size": size,
            "used": used,
            "free": max(size - used, 0),
            "utilisation": round(used / size, 4) if size else 0.0,
        }
