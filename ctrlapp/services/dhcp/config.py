"""DHCP server settings: the ``[apps.dhcp_server]`` table turned into checked objects.

Everything has a default, so an empty table gives a working lab server (one
pool, 10.0.0.0/24, server 10.0.0.254, addresses .100-.199).  A bad value
raises :class:`ctrlapp.exception.ConfigError` naming the key, e.g.
``pools[0].ranges[1]: 10.1.0.5 is not in subnet 10.0.0.0/24``.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from ctrlapp.exception import ConfigError
from ctrlapp.lib import addrconv

#: The pool used when the settings name none.
DEFAULT_POOL: dict[str, Any] = {
    "name": "default",
    "subnet": "10.0.0.0/24",
    "server_ip": "10.0.0.254",
    "ranges": [["10.0.0.100", "10.0.0.199"]],
    "lease_time": 3600,
}

#: A pool larger than this is almost certainly a typo (a /8 instead of a /24).
MAX_POOL_ADDRESSES = 1 << 20


def _ip(value: Any, key: str) -> int:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected an IPv4 address in quotes, got {value!r}")
    try:
        return int(ipaddress.IPv4Address(value))
    except ValueError:
        raise ConfigError(f"{key}: {value!r} is not an IPv4 address") from None


def _ips(value: Any, key: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError(f"{key}: expected a list of IPv4 addresses, got {value!r}")
    return [str(ipaddress.IPv4Address(_ip(v, f"{key}[{i}]"))) for i, v in enumerate(value)]


def _int(value: Any, key: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise ConfigError(f"{key}: expected a whole number from {lo} to {hi}, got {value!r}")
    return value


def _number(value: Any, key: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise ConfigError(f"{key}: expected a number from {lo} to {hi}, got {value!r}")
    return float(value)


def _table(value: Any, key: str, known: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table, got {value!r}")
    unknown = sorted(set(value) - known)
    if unknown:
        raise ConfigError(
            f"{key}: unknown setting {unknown[0]!r} (known: {', '.join(sorted(known))})"
        )
    return value


def normalise_mac(value: Any, key: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected a MAC address in quotes, got {value!r}")
    try:
        return addrconv.mac.text_to_bin(value).hex(":")
    except ValueError:
        raise ConfigError(f"{key}: {value!r} is not a MAC address") from None


def normalise_client_id(value: Any, key: str) -> str:
    """Client identifier (option 61) as lower-case hex, type byte included."""
    if not isinstance(value, str):
        raise ConfigError(f"{key}: expected hex text such as '01:02:00:00:00:00:01'")
    try:
        raw = bytes.fromhex(value.replace(":", "").replace("-", ""))
    except ValueError:
        raise ConfigError(f"{key}: {value!r} is not hex bytes") from None
    if len(raw) < 2:
        raise ConfigError(f"{key}: a client identifier is at least two bytes")
    return raw.hex()


def parse_port_ref(value: Any, key: str) -> tuple[int, int]:
    """``"dpid:port"`` (dpid decimal or 0x-hex) -> (dpid, port)."""
    if isinstance(value, str) and value.count(":") == 1:
        dpid_text, port_text = value.split(":")
        try:
            return int(dpid_text, 0), int(port_text, 0)
        except ValueError:
            pass
    raise ConfigError(f"{key}: expected 'dpid:port' such as '1:3' or '0x1:3', got {value!r}")


class Reservation:
    """A fixed address for one client: ``kind`` is 'mac' or 'client_id'."""

    __slots__ = ("kind", "ident", "ip", "pool")

    def __init__(self, kind: str, ident: str, ip: str, pool: str) -> None:
        self.kind = kind
        self.ident = ident
        self.ip = ip
        self.pool = pool

    @property
    def client_key(self) -> str:
        return f"{'hw' if self.kind == 'mac' else 'id'}:{self.ident}"

    def as_dict(self) -> dict[str, str]:
        return {self.kind: self.ident, "ip": self.ip, "pool": self.pool}


class PoolConfig:
    """One subnet the server hands addresses out of, with its options."""

    __slots__ = (
        "name",
        "network",
        "server_ip",
        "ranges",
        "exclude",
        "reservations",
        "lease_time",
        "renewal_time",
        "rebinding_time",
        "router",
        "dns",
        "domain_name",
        "mtu",
        "ntp",
        "classless_routes",
        "broadcast",
        "dpids",
        "ports",
        "vlans",
    )

    _KEYS = {
        "name",
        "subnet",
        "server_ip",
        "ranges",
        "exclude",
        "reservations",
        "lease_time",
        "renewal_time",
        "rebinding_time",
        "router",
        "dns",
        "domain_name",
        "mtu",
        "ntp",
        "classless_routes",
        "broadcast",
        "dpids",
        "ports",
        "vlans",
    }

    def __init__(self, raw: dict[str, Any], key: str) -> None:
        raw = _table(raw, key, self._KEYS)
        try:
            self.network = ipaddress.IPv4Network(raw.get("subnet", "10.0.0.0/24"), strict=True)
        except (ValueError, TypeError) as exc:
            raise ConfigError(f"{key}.subnet: {exc}") from None
        name = raw.get("name", str(self.network))
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{key}.name: expected a non-empty name in quotes, got {name!r}")
        self.name = name
        net = self.network

        def inside(addr: int, k: str) -> int:
            if ipaddress.IPv4Address(addr) not in net:
                raise ConfigError(f"{k}: {ipaddress.IPv4Address(addr)} is not in subnet {net}")
            return addr

        default_server = str(net.broadcast_address - 1)
        self.server_ip = str(
            ipaddress.IPv4Address(
                inside(
                    _ip(raw.get("server_ip", default_server), f"{key}.server_ip"),
                    f"{key}.server_ip",
                )
            )
        )
        ranges = raw.get("ranges", [[str(net.network_address + 1), str(net.broadcast_address - 2)]])
        if not isinstance(ranges, list):
            raise ConfigError(f"{key}.ranges: expected a list of [first, last] pairs")
        self.ranges: list[tuple[int, int]] = []
        total = 0
        for i, pair in enumerate(ranges):
            k = f"{key}.ranges[{i}]"
            if not isinstance(pair, list) or len(pair) != 2:
                raise ConfigError(f"{k}: expected [first, last], got {pair!r}")
            lo, hi = inside(_ip(pair[0], k), k), inside(_ip(pair[1], k), k)
            if lo > hi:
                raise ConfigError(f"{k}: first address is after the last")
            total += hi - lo + 1
            self.ranges.append((lo, hi))
        if total > MAX_POOL_ADDRESSES:
            raise ConfigError(f"{key}.ranges: {total} addresses, at most {MAX_POOL_ADDRESSES}")
        self.exclude = {
            _ip(a, f"{key}.exclude") for a in _ips(raw.get("exclude", []), f"{key}.exclude")
        }
        self.exclude |= {
            int(net.network_address),
            int(net.broadcast_address),
            _ip(self.server_ip, ""),
        }
        self.reservations: list[Reservation] = []
        res = raw.get("reservations", [])
        if not isinstance(res, list):
            raise ConfigError(f"{key}.reservations: expected a list of tables")
        for i, item in enumerate(res):
            k = f"{key}.reservations[{i}]"
            item = _table(item, k, {"mac", "client_id", "ip"})
            if ("mac" in item) == ("client_id" in item):
                raise ConfigError(f"{k}: give exactly one of mac or client_id")
            ip = str(ipaddress.IPv4Address(inside(_ip(item.get("ip"), f"{k}.ip"), f"{k}.ip")))
            if "mac" in item:
                r = Reservation("mac", normalise_mac(item["mac"], f"{k}.mac"), ip, self.name)
            else:
                r = Reservation(
                    "client_id",
                    normalise_client_id(item["client_id"], f"{k}.client_id"),
                    ip,
                    self.name,
                )
            self.reservations.append(r)
        self.lease_time = _int(raw.get("lease_time", 3600), f"{key}.lease_time", 60, 0xFFFFFFFE)
        self.renewal_time = _int(
            raw.get("renewal_time", self.lease_time // 2), f"{key}.renewal_time", 1, self.lease_time
        )
        self.rebinding_time = _int(
            raw.get("rebinding_time", self.lease_time * 7 // 8),
            f"{key}.rebinding_time",
            self.renewal_time,
            self.lease_time,
        )
        self.router = _ips(raw.get("router", []), f"{key}.router")
        self.dns = _ips(raw.get("dns", []), f"{key}.dns")
        self.ntp = _ips(raw.get("ntp", []), f"{key}.ntp")
        domain = raw.get("domain_name", "")
        if not isinstance(domain, str) or len(domain) > 255:
            raise ConfigError(f"{key}.domain_name: expected text of at most 255 characters")
        self.domain_name = domain
        self.mtu = _int(raw["mtu"], f"{key}.mtu", 68, 65535) if "mtu" in raw else None
        routes = raw.get("classless_routes", [])
        if not isinstance(routes, list):
            raise ConfigError(f"{key}.classless_routes: expected a list of [prefix, router]")
        self.classless_routes: list[tuple[str, str]] = []
        for i, item in enumerate(routes):
            k = f"{key}.classless_routes[{i}]"
            if not isinstance(item, list) or len(item) != 2:
                raise ConfigError(
                    f"{k}: expected [prefix, router] such as ['0.0.0.0/0', '10.0.0.1']"
                )
            try:
                prefix = ipaddress.IPv4Network(item[0], strict=True)
            except (ValueError, TypeError) as exc:
                raise ConfigError(f"{k}: {exc}") from None
            self.classless_routes.append((str(prefix), str(ipaddress.IPv4Address(_ip(item[1], k)))))
        self.broadcast = str(
            ipaddress.IPv4Address(
                _ip(raw.get("broadcast", str(net.broadcast_address)), f"{key}.broadcast")
            )
        )
        dpids = raw.get("dpids", [])
        if not isinstance(dpids, list):
            raise ConfigError(f"{key}.dpids: expected a list of datapath ids")
        self.dpids = {_int(d, f"{key}.dpids[{i}]", 0, (1 << 64) - 1) for i, d in enumerate(dpids)}
        ports = raw.get("ports", [])
        if not isinstance(ports, list):
            raise ConfigError(f"{key}.ports: expected a list of 'dpid:port'")
        self.ports = {parse_port_ref(p, f"{key}.ports[{i}]") for i, p in enumerate(ports)}
        vlans = raw.get("vlans", [])
        if not isinstance(vlans, list):
            raise ConfigError(f"{key}.vlans: expected a list of VLAN ids")
        self.vlans = {_int(v, f"{key}.vlans[{i}]", 0, 4095) for i, v in enumerate(vlans)}

    @property
    def netmask(self) -> str:
        return str(self.network.netmask)

    def size(self) -> int:
        """How many addresses the ranges offer (exclusions and the server not counted)."""
        return sum(1 for _ in self.addresses())

    def addresses(self):
        """Every address the pool may hand out, as ints, in order."""
        excluded = self.exclude
        for lo, hi in self.ranges:
            for a in range(lo, hi + 1):
                if a not in excluded:
                    yield a

    def in_ranges(self, addr: int) -> bool:
        return addr not in self.exclude and any(lo <= addr <= hi for lo, hi in self.ranges)

    def selects(self, dpid: int | None, port: int | None, vlan: int | None) -> bool:
        """Whether a client on (dpid, port, vlan) belongs here (no criteria: everyone)."""
        if self.dpids and dpid not in self.dpids:
            return False
        if self.ports and (dpid, port) not in self.ports:
            return False
        return not self.vlans or (vlan or 0) in self.vlans


class ServerConfig:
    """The whole ``[apps.dhcp_server]`` table."""

    _KEYS = {
        "pools",
        "offer_hold",
        "decline_quarantine",
        "trusted_ports",
        "max_leases",
        "remembered_leases",
        "rate_limit",
        "server_mac",
        "answer_arp",
    }
    _RATE_KEYS = {
        "mac_burst",
        "mac_per_second",
        "port_burst",
        "port_per_second",
        "max_leases_per_port",
    }

    def __init__(self, settings: dict[str, Any] | None = None) -> None:
        raw = _table(dict(settings or {}), "[apps.dhcp_server]", self._KEYS)
        pools = raw.get("pools", [DEFAULT_POOL])
        if not isinstance(pools, list) or not pools:
            raise ConfigError(
                "pools: expected a non-empty list of [[apps.dhcp_server.pools]] tables"
            )
        self.pools = [PoolConfig(p, f"pools[{i}]") for i, p in enumerate(pools)]
        names = [p.name for p in self.pools]
        for i, name in enumerate(names):
            if names.index(name) != i:
                raise ConfigError(f"pools[{i}].name: {name!r} is used by another pool")
        for i, p in enumerate(self.pools):
            for q in self.pools[:i]:
                if p.network.overlaps(q.network) and not (p.dpids or p.ports or p.vlans):
                    raise ConfigError(
                        f"pools[{i}].subnet: {p.network} overlaps pool {q.name!r}; "
                        "give one of them dpids, ports or vlans to tell them apart"
                    )
        self.offer_hold = _number(raw.get("offer_hold", 30), "offer_hold", 1, 3600)
        self.decline_quarantine = _number(
            raw.get("decline_quarantine", 600), "decline_quarantine", 0, 86400 * 7
        )
        self.trusted_ports = {
            parse_port_ref(p, f"trusted_ports[{i}]")
            for i, p in enumerate(raw.get("trusted_ports", []) or [])
        }
        self.max_leases = _int(raw.get("max_leases", 200_000), "max_leases", 1, 10_000_000)
        self.remembered_leases = _int(
            raw.get("remembered_leases", 10_000), "remembered_leases", 0, 10_000_000
        )
        rate = _table(raw.get("rate_limit", {}), "rate_limit", self._RATE_KEYS)
        self.mac_burst = _number(rate.get("mac_burst", 20), "rate_limit.mac_burst", 1, 1e6)
        self.mac_per_second = _number(
            rate.get("mac_per_second", 1.0), "rate_limit.mac_per_second", 0.001, 1e6
        )
        self.port_burst = _number(rate.get("port_burst", 200), "rate_limit.port_burst", 1, 1e6)
        self.port_per_second = _number(
            rate.get("port_per_second", 20.0), "rate_limit.port_per_second", 0.001, 1e6
        )
        self.max_leases_per_port = _int(
            rate.get("max_leases_per_port", 256), "rate_limit.max_leases_per_port", 1, 10_000_000
        )
        self.server_mac = normalise_mac(raw.get("server_mac", "02:00:0a:00:00:fe"), "server_mac")
        answer_arp = raw.get("answer_arp", True)
        if not isinstance(answer_arp, bool):
            raise ConfigError(f"answer_arp: expected true or false, got {answer_arp!r}")
        self.answer_arp = answer_arp

    def pool(self, name: str) -> PoolConfig | None:
        for p in self.pools:
            if p.name == name:
                return p
        return None
