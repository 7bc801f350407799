"""The DHCPv4 server engine (RFC 2131 §4.3, options of RFC 2132), sans-IO.

:meth:`DhcpServer.handle` takes a decoded client message, where it came from
(:class:`Origin`) and the time, and returns an :class:`Outcome`: the reply to
send and where to (§4.1), the lease changes to announce, and whether the
store must be synced before the reply leaves (``durable``: an ACK is only sent
once its binding is journaled).  No sockets, no clock, no sleeping.

Message handling, RFC 2131 §4.3:

* DISCOVER (§4.3.1): choose an address (see :mod:`.leases`), hold it for
  ``offer_hold`` seconds, OFFER.  Exhausted pool: no OFFER.
* REQUEST (§4.3.2): SELECTING (server identifier present: ours -> ACK/NAK,
  another server's -> drop our offer silently), INIT-REBOOT (requested
  address, no ciaddr: NAK when wrong for the network or the client, silent
  when the client is unknown), RENEWING / REBINDING (ciaddr: ACK when the
  binding is this client's, NAK when it is someone else's, silent otherwise).
* DECLINE (§4.3.3): the address is quarantined for ``decline_quarantine``.
* RELEASE (§4.3.4): the binding ends, the address is remembered for the client.
* INFORM (§4.3.5): ACK with configuration only, no lease, unicast to ciaddr.

Reply fields follow table 3 of §4.3.1; the client identifier is echoed as
RFC 6842 (which updates table 3) requires.  Destinations follow §4.1: to the
relay (UDP 67) when giaddr is set, to ciaddr when set, broadcast when the
client set the broadcast bit or for a NAK, else unicast to chaddr/yiaddr.

Starvation defence: token buckets per client MAC and per switch port
(direct clients only: a relay speaks for many) and a cap on the leases one
port may hold.  Snooping: :meth:`DhcpServer.trusted` says whether a server
message seen on a port may pass.
"""

from __future__ import annotations

import gc
import ipaddress
import socket
import struct
from typing import Any

from ctrlapp.lib import addrconv
from ctrlapp.lib.packet import dhcp
from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError
from ctrlapp.services.dhcp.config import PoolConfig, ServerConfig
from ctrlapp.services.dhcp.leases import (
    BOUND,
    DECLINED,
    EXPIRED,
    OFFERED,
    RELEASED,
    REVOKED,
    Lease,
    LeaseDatabase,
)
from ctrlapp.store import JournalStore

ZERO = "0.0.0.0"
BROADCAST_IP = "255.255.255.255"
BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"
FLAG_BROADCAST = 0x8000
CLIENT_PORT = 68
SERVER_PORT = 67
#: Idle rate-limit buckets are pruned once the table holds this many.
MAX_BUCKETS = 100_000
#: Encoded reply option sets kept (one per pool, message type, lease time and
#: parameter request list seen); the cache starts over when it is full.
MAX_OPTION_SETS = 4096

# A reply is packed directly: the BOOTP header up to the client's 6-byte
# hardware address, then the zero rest of chaddr, sname and file and the
# magic cookie (RFC 2131 §2, §3), then the options.
_REPLY_HEAD = struct.Struct("!BBBBIHH4s4s4s4s6s")
_REPLY_FILL = bytes(10 + 64 + 128) + bytes((99, 130, 83, 99))
_NO_ADDR = bytes(4)
_TIMES = struct.Struct("!BBIBBIBBI")

_MSG_NAMES = {
    dhcp.DHCP_DISCOVER: "DISCOVER",
    dhcp.DHCP_OFFER: "OFFER",
    dhcp.DHCP_REQUEST: "REQUEST",
    dhcp.DHCP_DECLINE: "DECLINE",
    dhcp.DHCP_ACK: "ACK",
    dhcp.DHCP_NAK: "NAK",
    dhcp.DHCP_RELEASE: "RELEASE",
    dhcp.DHCP_INFORM: "INFORM",
}


def message_name(mtype: int | None) -> str:
    return _MSG_NAMES.get(mtype, f"type {mtype}") if mtype is not None else "BOOTP"


class Origin:
    """Where a client message came from."""

    __slots__ = ("dpid", "port", "vlan", "eth_src", "ip_src", "ip_dst")

    def __init__(
        self,
        dpid: int | None,
        port: int | None,
        eth_src: str,
        vlan: int | None = None,
        ip_src: str = ZERO,
        ip_dst: str = BROADCAST_IP,
    ) -> None:
        self.dpid = dpid
        self.port = port
        self.vlan = vlan
        self.eth_src = eth_src
        self.ip_src = ip_src
        self.ip_dst = ip_dst


class Reply:
    """A message to send: the encoded DHCP message and its Ethernet/IP/UDP destination.

    ``body`` is the BOOTP/DHCP message as it goes on the wire; ``msg`` decodes
    it (for tests and other consumers: the send path never needs the objects).
    """

    __slots__ = ("body", "mtype", "eth_dst", "ip_dst", "udp_dst", "server_ip", "vlan")

    def __init__(
        self,
        body: bytes,
        mtype: int,
        eth_dst: str,
        ip_dst: str,
        udp_dst: int,
        server_ip: str,
        vlan: int | None,
    ) -> None:
        self.body = body
        self.mtype = mtype
        self.eth_dst = eth_dst
        self.ip_dst = ip_dst
        self.udp_dst = udp_dst
        self.server_ip = server_ip
        self.vlan = vlan

    @property
    def msg(self) -> dhcp.dhcp:
        return dhcp.dhcp.parser(self.body)[0]


class LeaseChange:
    """A lease event to announce: ``action`` as in EventLease, ``lease`` as it now is."""

    __slots__ = ("action", "lease")

    def __init__(self, action: str, lease: Lease) -> None:
        self.action = action
        self.lease = lease

    def as_dict(self) -> dict[str, Any]:
        return {"action": self.action, **self.lease.as_dict()}


class Outcome:
    """What to do about one message.

    ``reply``: the message to send or None; ``changes``: lease events;
    ``durable``: sync the store before sending; ``dropped``: why nothing was
    sent when the message was refused (None for a normal silent case such as
    RELEASE); ``malformed``: the drop is the client's fault (bad message).
    """

    __slots__ = ("reply", "changes", "durable", "dropped", "malformed", "request_type")

    def __init__(self) -> None:
        self.request_type: int | None = None
        self.reply: Reply | None = None
        self.changes: list[LeaseChange] = []
        self.durable = False
        self.dropped: str | None = None
        self.malformed = False


def _option_map(options: dhcp.options) -> dict[int, bytes]:
    """tag -> value of every option, in the order RFC 2131 §4.1 gives the areas
    (options, then file, then sname when overloaded); repeated tags are
    concatenated (RFC 3396)."""
    # A decoded message without overload still holds its options area as bytes
    # (the option objects are made on first use): reading the tags and values
    # straight from it costs a fraction of creating the objects.
    if (
        options._option_list is None
        and options.file_options is None
        and options.sname_options is None
    ):
        return _scan_area(options._area)
    found: dict[int, bytes] = {}
    areas = [options.option_list]
    if options.file_options is not None:
        areas.append(options.file_options)
    if options.sname_options is not None:
        areas.append(options.sname_options)
    for area in areas:
        for o in area:
            if type(o) is dhcp.option:
                tag = o.tag
                if tag in found:
                    found[tag] += bytes(o.value)
                else:
                    found[tag] = bytes(o.value)
    return found


def _scan_area(area: bytes) -> dict[int, bytes]:
    """The options of one area as _option_map gives them: pads skipped, END or a
    truncated option ends the area."""
    found: dict[int, bytes] = {}
    i, end = 0, len(area)
    while i < end:
        tag = area[i]
        if tag == 0:
            i += 1
            continue
        if tag == 255 or i + 1 >= end:
            break
        j = i + 2 + area[i + 1]
        if j > end:
            break
        if tag in found:
            found[tag] += area[i + 2 : j]
        else:
            found[tag] = area[i + 2 : j]
        i = j
    return found


def mac_bin(mac: str) -> bytes:
    """The 6 bytes of a MAC address written as text (the decoder's ``aa:bb:cc:dd:ee:ff``
    without the general parser's validation cost; other spellings go through it)."""
    if len(mac) == 17 and mac[2] == ":":
        try:
            raw = bytes.fromhex(mac.replace(":", ""))
        except ValueError:
            raw = b""
        if len(raw) == 6:
            return raw
    return addrconv.mac.text_to_bin(mac)


def _drop(out: Outcome, reason: str, malformed: bool = False) -> Outcome:
    out.dropped = reason
    out.malformed = malformed
    return out


class _Bucket:
    __slots__ = ("tokens", "stamp")

    def __init__(self, tokens: float, stamp: float) -> None:
        self.tokens = tokens
        self.stamp = stamp


class RateLimiter:
    """Token buckets by key: ``burst`` messages at once, refilled at ``rate`` per second."""

    def __init__(self, burst: float, rate: float, max_keys: int = MAX_BUCKETS) -> None:
        self.burst = burst
        self.rate = rate
        self.max_keys = max_keys
        self.buckets: dict[Any, _Bucket] = {}

    def allow(self, key: Any, now: float) -> bool:
        b = self.buckets.get(key)
        if b is None:
            if len(self.buckets) >= self.max_keys:
                self.prune(now)
                if len(self.buckets) >= self.max_keys:
                    return False
            b = self.buckets[key] = _Bucket(self.burst, now)
        else:
            # Only a clock that moved forward refills: one stepped backwards
            # must not drain the bucket.
            elapsed = now - b.stamp
            if elapsed > 0.0:
                tokens = b.tokens + elapsed * self.rate
                b.tokens = tokens if tokens < self.burst else self.burst
            b.stamp = now
        if b.tokens < 1.0:
            return False
        b.tokens -= 1.0
        return True

    def prune(self, now: float) -> None:
        """Forget buckets that have refilled completely (they behave like new ones)."""
        full = self.burst / self.rate
        self.buckets = {k: b for k, b in self.buckets.items() if now - b.stamp < full}


def _param_options(pool: PoolConfig) -> dict[int, bytes]:
    """The configuration options of ``pool``, encoded once (tag, length, value)."""
    values: dict[int, Any] = {dhcp.DHCP_SUBNET_MASK_OPT: pool.netmask}
    if pool.router:
        values[dhcp.DHCP_ROUTER_OPT] = pool.router
    if pool.dns:
        values[dhcp.DHCP_DNS_SERVER_ADDR_OPT] = pool.dns
    if pool.domain_name:
        values[dhcp.DHCP_DOMAIN_NAME_OPT] = pool.domain_name
    if pool.mtu is not None:
        values[dhcp.DHCP_INTERFACE_MTU_OPT] = pool.mtu
    values[dhcp.DHCP_BROADCAST_ADDR_OPT] = pool.broadcast
    if pool.ntp:
        values[dhcp.DHCP_NTP_SERVERS_OPT] = pool.ntp
    if pool.classless_routes:
        values[dhcp.DHCP_CLASSLESS_ROUTE_OPT] = pool.classless_routes
    return {tag: dhcp.option.from_value(tag, v).serialize() for tag, v in values.items()}


def _time_options(pool: PoolConfig, secs: int) -> bytes:
    """Lease time, T1 and T2 for a lease of ``secs`` (T1/T2 scaled as the pool's)."""
    t1 = pool.renewal_time * secs // pool.lease_time
    t2 = pool.rebinding_time * secs // pool.lease_time
    return _TIMES.pack(
        dhcp.DHCP_IP_ADDR_LEASE_TIME_OPT,
        4,
        secs,
        dhcp.DHCP_RENEWAL_TIME_OPT,
        4,
        t1,
        dhcp.DHCP_REBINDING_TIME_OPT,
        4,
        t2,
    )


#: Sent whether or not the client asked (what a client cannot work without).
_ALWAYS = (dhcp.DHCP_SUBNET_MASK_OPT, dhcp.DHCP_ROUTER_OPT)


class DhcpServer:
    """RFC 2131 server behaviour over a :class:`LeaseDatabase`."""

    def __init__(self, config: ServerConfig, store: JournalStore | None = None) -> None:
        self.config = config
        # Reloading 100,000 leases creates several objects each; the cyclic
        # collector would rescan them all again and again, for no garbage.
        collecting = gc.isenabled()
        gc.disable()
        try:
            self.db = LeaseDatabase(config, store)
        finally:
            if collecting:
                gc.enable()
        self.params = {p.name: _param_options(p) for p in config.pools}
        self.server_ids = {socket.inet_aton(p.server_ip): p for p in config.pools}
        self.mac_limit = RateLimiter(config.mac_burst, config.mac_per_second)
        self.port_limit = RateLimiter(config.port_burst, config.port_per_second)
        self.counters: dict[str, int] = {}
        self._option_sets: dict[tuple, bytes] = {}

    # -- entry points ---------------------------------------------------------------------------

    def trusted(self, dpid: int | None, port: int | None) -> bool:
        """Whether DHCP server messages arriving on (dpid, port) may pass (snooping)."""
        return (dpid, port) in self.config.trusted_ports

    def forget_switch(self, dpid: int) -> None:
        """Drop the per-port rate-limit state of a switch that disconnected."""
        buckets = self.port_limit.buckets
        for key in [k for k in buckets if k[0] == dpid]:
            del buckets[key]

    def count(self, what: str) -> None:
        self.counters[what] = self.counters.get(what, 0) + 1

    def tick(self, now: float) -> list[LeaseChange]:
        """End the leases, offers and quarantines whose time is up."""
        changes = []
        for lease in self.db.due(now):
            was = lease.state
            self.db.end(lease, EXPIRED, now)
            if was == BOUND:
                changes.append(LeaseChange("expired", lease))
        return changes

    def handle(self, msg: dhcp.dhcp, origin: Origin, now: float) -> Outcome:
        """Answer one client message (see the module docstring)."""
        out = Outcome()
        out.changes.extend(self.tick(now))
        if msg.op != dhcp.DHCP_BOOT_REQUEST:
            return _drop(out, "not a BOOTREQUEST (op is not 1)", True)
        if msg.options is None:
            return _drop(out, "BOOTP message without DHCP options (BOOTP is not served)", True)
        mac = msg.chaddr
        if not isinstance(mac, str) or msg.htype != 1:
            return _drop(out, "client hardware address is not an Ethernet address", True)
        opts = _option_map(msg.options)
        mtype_raw = opts.get(dhcp.DHCP_MESSAGE_TYPE_OPT)
        mtype = mtype_raw[0] if mtype_raw else None
        out.request_type = mtype
        cid_raw = opts.get(dhcp.DHCP_CLIENT_IDENTIFIER_OPT)
        if mtype is None:
            return _drop(out, "no message type option (53)", True)
        if cid_raw is not None and len(cid_raw) < 2:
            return _drop(out, "client identifier (61) shorter than 2 bytes", True)
        relayed = msg.giaddr != ZERO
        if not self.mac_limit.allow(mac, now):
            return _drop(out, "rate limit for one client MAC exceeded")
        if not relayed and not self.port_limit.allow((origin.dpid, origin.port), now):
            return _drop(out, "rate limit for one switch port exceeded")
        cid = cid_raw.hex() if cid_raw is not None else None
        key = f"id:{cid}" if cid else f"hw:{mac}"
        pool = self._select_pool(msg, origin)
        if pool is None:
            return _drop(out, "no pool serves this switch, port, VLAN or relay")
        try:
            handler = self._HANDLERS.get(mtype)
            if handler is None:
                return _drop(out, f"{message_name(mtype)} is not a client message", True)
            handler(self, msg, opts, origin, now, pool, key, mac, cid, out)
        except PacketParseError as exc:
            return _drop(out, f"bad option value: {exc}", True)
        return out

    # -- message handlers -----------------------------------------------------------------------

    def _select_pool(self, msg: dhcp.dhcp, origin: Origin) -> PoolConfig | None:
        if msg.giaddr != ZERO:
            try:
                relay = ipaddress.IPv4Address(msg.giaddr)
            except ValueError:
                return None
            for p in self.config.pools:
                if relay in p.network:
                    return p
            return None
        for p in self.config.pools:
            if p.selects(origin.dpid, origin.port, origin.vlan):
                return p
        return None

    @staticmethod
    def _requested(opts: dict[int, bytes]) -> str | None:
        raw = opts.get(dhcp.DHCP_REQUESTED_IP_ADDR_OPT)
        if raw is None:
            return None
        if len(raw) != 4:
            raise PacketFieldError("option 50: an address is 4 bytes", "dhcp")
        return socket.inet_ntoa(raw)

    @staticmethod
    def _lease_secs(opts: dict[int, bytes], pool: PoolConfig) -> int:
        raw = opts.get(dhcp.DHCP_IP_ADDR_LEASE_TIME_OPT)
        if raw is not None and len(raw) == 4:
            asked = int.from_bytes(raw, "big")
            if 60 <= asked < pool.lease_time:
                return asked
        return pool.lease_time

    def _discover(self, msg, opts, origin, now, pool, key, mac, cid, out) -> None:
        db = self.db
        state = db.pools[pool.name]
        current = db.client_lease(pool.name, key)
        if (
            msg.giaddr == ZERO
            and (current is None or not current.active(now))
            and db.port_leases.get((origin.dpid, origin.port), 0) >= self.config.max_leases_per_port
        ):
            self.count("port_lease_limit")
            _drop(out, f"port already holds {self.config.max_leases_per_port} leases")
            return
        if db.active_count >= self.config.max_leases and (
            current is None or not current.active(now)
        ):
            _drop(out, f"lease table full ({self.config.max_leases} active leases)")
            return
        ip = db.choose(state, key, self._requested(opts), now)
        if ip is None:
            self.count("exhausted")
            _drop(out, f"pool {pool.name} has no free address")
            return
        secs = self._lease_secs(opts, pool)
        lease = db.leases.get(ip)
        if lease is None or lease.client_key != key or not lease.active(now):
            lease = self._new_lease(ip, mac, cid, pool, origin, msg, opts, now)
            lease.expires_at = now + self.config.offer_hold
            db.put(lease)
        elif lease.state == OFFERED:
            lease.expires_at = now + self.config.offer_hold
            db.reschedule(lease)
        out.reply = self._reply(msg, opts, origin, pool, dhcp.DHCP_OFFER, yiaddr=ip, secs=secs)

    def _new_lease(self, ip, mac, cid, pool, origin, msg, opts, now) -> Lease:
        relayed = msg.giaddr != ZERO
        raw = opts.get(dhcp.DHCP_HOST_NAME_OPT)
        hostname = raw[:64].decode("utf-8", "replace") if raw else None
        return Lease(
            ip,
            mac,
            cid,
            pool.name,
            OFFERED,
            now,
            origin.dpid,
            origin.port,
            origin.vlan,
            now,
            hostname,
            msg.giaddr if relayed else None,
        )

    def _bind(self, lease_ip, msg, opts, origin, now, pool, key, mac, cid, out, ciaddr) -> None:
        """Commit the binding of ``lease_ip`` to the client and ACK it (durably)."""
        db = self.db
        secs = self._lease_secs(opts, pool)
        lease = db.leases.get(lease_ip)
        renewed = lease is not None and lease.state == BOUND and lease.client_key == key
        if lease is None or lease.client_key != key or lease.state != BOUND:
            started = now
        else:
            started = lease.started_at
        new = self._new_lease(lease_ip, mac, cid, pool, origin, msg, opts, now)
        new.state = BOUND
        new.started_at = started
        new.expires_at = now + secs
        if renewed and msg.giaddr == ZERO and ciaddr != ZERO and origin.dpid is None:
            new.dpid, new.port, new.vlan = lease.dpid, lease.port, lease.vlan
        db.put(new)
        out.durable = True
        out.changes.append(LeaseChange("renewed" if renewed else "granted", new))
        out.reply = self._reply(
            msg, opts, origin, pool, dhcp.DHCP_ACK, yiaddr=lease_ip, ciaddr=ciaddr, secs=secs
        )

    def _nak(self, msg, opts, origin, pool, out, why: str) -> None:
        self.count("nak")
        out.reply = self._reply(msg, opts, origin, pool, dhcp.DHCP_NAK, message=why)

    def _request(self, msg, opts, origin, now, pool, key, mac, cid, out) -> None:
        db = self.db
        server_id = opts.get(dhcp.DHCP_SERVER_IDENTIFIER_OPT)
        requested = self._requested(opts)
        if server_id is not None:
            # SELECTING (§4.3.2): the client answers one server's OFFER.
            if len(server_id) != 4 or server_id != socket.inet_aton(pool.server_ip):
                lease = db.client_lease(pool.name, key)
                if lease is not None and lease.state == OFFERED:
                    db.end(lease, RELEASED, now)
                return
            if requested is None:
                _drop(out, "REQUEST in SELECTING state without requested address (50)", True)
                return
            lease = db.leases.get(requested)
            if (
                lease is not None
                and lease.client_key == key
                and lease.active(now)
                and lease.state in (OFFERED, BOUND)
            ):
                self._bind(requested, msg, opts, origin, now, pool, key, mac, cid, out, ZERO)
            else:
                self._nak(
                    msg, opts, origin, pool, out, "address not offered to you or offer expired"
                )
            return
        if requested is not None and msg.ciaddr == ZERO:
            # INIT-REBOOT: the client wants to keep an address it had.
            if not pool.network.overlaps(ipaddress.IPv4Network(f"{requested}/32")):
                self._nak(msg, opts, origin, pool, out, "address is not on this network")
                return
            lease = db.client_lease(pool.name, key)
            if lease is None:
                holder = db.holder(requested, now)
                if holder is not None and holder.client_key != key:
                    self._nak(msg, opts, origin, pool, out, "address is in use by another client")
                    return
                # §4.3.2: no record of this client -> remain silent.
                return
            if lease.ip != requested or not db.free_for(requested, key, now):
                self._nak(msg, opts, origin, pool, out, "not your address")
                return
            if not db.in_pool(pool, requested) and db.reserved_ips.get(requested) is None:
                self._nak(msg, opts, origin, pool, out, "address is no longer in the pool")
                return
            self._bind(requested, msg, opts, origin, now, pool, key, mac, cid, out, ZERO)
            return
        if msg.ciaddr != ZERO:
            # RENEWING (unicast to us) or REBINDING (broadcast).
            ip = msg.ciaddr
            lease = db.leases.get(ip)
            if (
                lease is not None
                and lease.client_key == key
                and lease.state
                in (
                    BOUND,
                    EXPIRED,
                    RELEASED,
                )
            ):
                if lease.state == BOUND or db.free_for(ip, key, now):
                    self._bind(ip, msg, opts, origin, now, pool, key, mac, cid, out, msg.ciaddr)
                    return
            holder = db.holder(ip, now)
            if holder is not None and holder.client_key != key:
                self._nak(msg, opts, origin, pool, out, "address is leased to another client")
                return
            return
        _drop(out, "REQUEST with neither server identifier, requested address nor ciaddr", True)

    def _decline(self, msg, opts, origin, now, pool, key, mac, cid, out) -> None:
        server_id = opts.get(dhcp.DHCP_SERVER_IDENTIFIER_OPT)
        requested = self._requested(opts)
        if server_id != socket.inet_aton(pool.server_ip) or requested is None:
            return
        lease = self.db.leases.get(requested)
        if lease is None or lease.client_key != key or lease.state not in (OFFERED, BOUND):
            return
        quarantine = Lease(
            requested,
            mac,
            cid,
            pool.name,
            DECLINED,
            now + self.config.decline_quarantine,
            lease.dpid,
            lease.port,
            lease.vlan,
            now,
            None,
            lease.relay,
        )
        self.db.put(quarantine)
        self.count("declined")
        out.durable = True
        out.changes.append(LeaseChange("declined", quarantine))

    def _release(self, msg, opts, origin, now, pool, key, mac, cid, out) -> None:
        lease = self.db.leases.get(msg.ciaddr)
        if lease is None or lease.client_key != key or lease.state != BOUND:
            return
        self.db.end(lease, RELEASED, now)
        out.durable = True
        out.changes.append(LeaseChange("released", lease))

    def _inform(self, msg, opts, origin, now, pool, key, mac, cid, out) -> None:
        if msg.ciaddr == ZERO:
            _drop(out, "INFORM without ciaddr", True)
            return
        out.reply = self._reply(msg, opts, origin, pool, dhcp.DHCP_ACK, ciaddr=msg.ciaddr)

    _HANDLERS = {
        dhcp.DHCP_DISCOVER: _discover,
        dhcp.DHCP_REQUEST: _request,
        dhcp.DHCP_DECLINE: _decline,
        dhcp.DHCP_RELEASE: _release,
        dhcp.DHCP_INFORM: _inform,
    }

    def revoke(self, ip: str, now: float) -> LeaseChange | None:
        """End the active lease on ``ip`` at once (an operator's decision); None if none."""
        lease = self.db.holder(ip, now)
        if lease is None:
            return None
        was = lease.state
        self.db.end(lease, REVOKED, now)
        return LeaseChange("revoked", lease) if was == BOUND else None

    # -- replies ------------------------------------------------------------------------------

    def _reply(
        self,
        req: dhcp.dhcp,
        ropts: dict[int, bytes],
        origin: Origin,
        pool: PoolConfig,
        mtype: int,
        yiaddr: str = ZERO,
        ciaddr: str = ZERO,
        secs: int | None = None,
        message: str | None = None,
    ) -> Reply:
        key = (pool.name, mtype, secs, ropts.get(dhcp.DHCP_PARAMETER_REQUEST_LIST_OPT), message)
        options = self._option_sets.get(key)
        if options is None:
            options = self._options(key, pool)
        cid = ropts.get(dhcp.DHCP_CLIENT_IDENTIFIER_OPT)
        if cid is not None:
            if len(cid) <= 255:
                options += bytes((dhcp.DHCP_CLIENT_IDENTIFIER_OPT, len(cid))) + cid
            else:
                options += dhcp.option(dhcp.DHCP_CLIENT_IDENTIFIER_OPT, cid).serialize()
        flags = req.flags
        giaddr = req.giaddr
        if giaddr != ZERO:
            if mtype == dhcp.DHCP_NAK:
                flags |= FLAG_BROADCAST
            eth_dst, ip_dst, udp_dst = origin.eth_src, giaddr, SERVER_PORT
        elif mtype == dhcp.DHCP_NAK:
            eth_dst, ip_dst, udp_dst = BROADCAST_MAC, BROADCAST_IP, CLIENT_PORT
        elif req.ciaddr != ZERO:
            eth_dst, ip_dst, udp_dst = origin.eth_src, req.ciaddr, CLIENT_PORT
        elif req.flags & FLAG_BROADCAST:
            eth_dst, ip_dst, udp_dst = BROADCAST_MAC, BROADCAST_IP, CLIENT_PORT
        else:
            eth_dst, ip_dst, udp_dst = req.chaddr, yiaddr, CLIENT_PORT
        aton = socket.inet_aton
        body = b"".join(
            (
                _REPLY_HEAD.pack(
                    dhcp.DHCP_BOOT_REPLY,
                    req.htype,
                    req.hlen or 6,
                    0,
                    req.xid,
                    0,
                    flags,
                    aton(ciaddr),
                    aton(yiaddr),
                    _NO_ADDR,
                    aton(giaddr),
                    mac_bin(req.chaddr),
                ),
                _REPLY_FILL,
                options,
                b"\xff",
            )
        )
        return Reply(body, mtype, eth_dst, ip_dst, udp_dst, pool.server_ip, origin.vlan)

    def _options(self, key: tuple, pool: PoolConfig) -> bytes:
        """Encode (and remember) the options every reply with ``key`` carries: message
        type, server identifier, lease times and the parameters the client asked for
        (everything but the echoed client identifier)."""
        _name, mtype, secs, prl, message = key
        parts = [
            bytes((dhcp.DHCP_MESSAGE_TYPE_OPT, 1, mtype, dhcp.DHCP_SERVER_IDENTIFIER_OPT, 4)),
            socket.inet_aton(pool.server_ip),
        ]
        if mtype == dhcp.DHCP_NAK:
            if message:
                parts.append(dhcp.option.from_value(dhcp.DHCP_MESSAGE_OPT, message).serialize())
        else:
            if secs is not None:
                parts.append(_time_options(pool, secs))
            params = self.params[pool.name]
            if prl is None:
                parts.extend(params.values())
            else:
                parts.extend(o for tag, o in params.items() if tag in prl or tag in _ALWAYS)
        options = b"".join(parts)
        if len(self._option_sets) >= MAX_OPTION_SETS:
            self._option_sets.clear()
        self._option_sets[key] = options
        return options
