"""DHCP server app: hands out IPv4 addresses from configured pools, with durable leases.

Runs with no configuration at all: one pool 10.0.0.0/24, server 10.0.0.254,
addresses 10.0.0.100-10.0.0.199, one-hour leases, state (the lease journal) in
``<state dir>/dhcp_server``.  Settings: ``[apps.dhcp_server]`` in the
configuration file (etc/ctrlapp.toml documents every key).

What it does on each switch (OpenFlow 1.3; 1.0 degrades to one table):

* intercepts client-to-server DHCP (UDP destination 67) in table 0 and
  answers it with the RFC 2131 engine of :mod:`ctrlapp.services.dhcp`;
* intercepts server-to-client DHCP (UDP 67 -> 68) too, for snooping: such
  messages from ports listed in ``trusted_ports`` are flooded on, from any
  other port they are dropped and counted (rogue DHCP servers);
* answers ARP requests for the pools' server addresses (``answer_arp``), so
  renewing clients can reach the server by unicast.

Durability: a binding is journaled and fsynced before its ACK leaves.  ACKs
produced while an fsync runs wait for the next one (group commit), so a
burst of clients costs one fsync, not one each.

REST (``/v1/dhcp/...``, listed in ``/v1/openapi.json``): leases, pools,
reservations, revocation.  Notifications: ``dhcp.lease.<action>`` over
msgpack-RPC and :class:`~ctrlapp.services.dhcp.events.EventLease` to other apps.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import struct
import time
from typing import Any

from ctrlapp.base import app_manager
from ctrlapp.controller import ofp_event, pipeline
from ctrlapp.controller.controller import WRITE_BATCH
from ctrlapp.controller.handler import (
    CONFIG_DISPATCHER,
    DEAD_DISPATCHER,
    MAIN_DISPATCHER,
    set_ev_cls,
)
from ctrlapp.exception import ConfigError
from ctrlapp.lib import addrconv, hub
from ctrlapp.lib.packet import arp, checksum, dhcp, ethernet, packet, vlan
from ctrlapp.lib.packet.errors import PacketParseError
from ctrlapp.ofproto import ofproto_v1_0, ofproto_v1_3
from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER
from ctrlapp.rest import params
from ctrlapp.rest.errors import bad_request, conflict, not_found
from ctrlapp.rest.metrics import Metric
from ctrlapp.rest.wsgi import ControllerBase, WSGIApplication, request_json, route
from ctrlapp.rpc.methods import rpc_method
from ctrlapp.services.dhcp.config import (
    Reservation,
    ServerConfig,
    normalise_client_id,
    normalise_mac,
)
from ctrlapp.services.dhcp.events import EventLease
from ctrlapp.services.dhcp.leases import ACTIVE, STATES
from ctrlapp.services.dhcp.server import DhcpServer, Origin, mac_bin, message_name
from ctrlapp.store import JournalStore, StoreError

#: Cookie of this app's flows ("DHCP" in ASCII), so it can tell its PACKET_INs apart.
COOKIE = 0x44484350
#: A reason for dropping a message is logged at most once per this many seconds.
LOG_EVERY = 60.0
ETH_IP = 0x0800
ETH_ARP = 0x0806
_IPV4 = struct.Struct("!BBHHHBBH4s4s")
_UDP = struct.Struct("!HHHH")
_PSEUDO = struct.Struct("!xBH")
_VLAN = struct.Struct("!HHH")
_IP_HEAD = struct.Struct("!BBHHHBB")
_PORTS = struct.Struct("!HH")


def _frame_head(data: bytes) -> tuple | None:
    """(vlan, ip src, ip dst, udp src port, udp dst port, payload start, payload end) of an
    Ethernet [802.1Q] IPv4 UDP frame, or None for anything else; ValueError when an
    IPv4/UDP frame is cut short.

    Read in place: every DHCP message crosses this, and the packet library would
    build five objects to learn the same."""
    n = len(data)
    off = 14
    vid = None
    if n < off + 4:
        return None
    ethertype = data[12:14]
    if ethertype == b"\x81\x00":
        vid = int.from_bytes(data[14:16], "big") & 0xFFF
        ethertype = data[16:18]
        off = 18
    if ethertype != b"\x08\x00":
        return None
    if n < off + 28:
        raise ValueError(f"{n}-byte frame is too short for IPv4 and UDP headers")
    ver_ihl, _tos, total, _ident, frag, _ttl, proto = _IP_HEAD.unpack_from(data, off)
    ihl = (ver_ihl & 0x0F) * 4
    # Only whole, unfragmented IPv4/UDP datagrams (a DHCP message is never fragmented).
    if ver_ihl >> 4 != 4 or ihl < 20 or proto != 17 or frag & 0x3FFF:
        return None
    end = off + total
    udp_at = off + ihl
    if end > n or udp_at + 8 > end:
        raise ValueError(f"IPv4 total length {total} runs past the {n}-byte frame")
    sport, dport = _PORTS.unpack_from(data, udp_at)
    src = socket.inet_ntoa(data[off + 12 : off + 16])
    dst = socket.inet_ntoa(data[off + 16 : off + 20])
    return vid, src, dst, sport, dport, udp_at + 8, end


class DhcpServerApp(app_manager.CtrlApp):
    _NAME = "dhcp_server"
    _CONTEXTS = {"wsgi": WSGIApplication}
    _EVENTS = [EventLease]
    OFP_VERSIONS = [ofproto_v1_0.OFP_VERSION, ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.cfg = ServerConfig(self.settings)
        self.store: JournalStore | None = None
        t0 = time.monotonic()
        if self.state_dir is not None:
            try:
                # fsync in an OS thread: while a batch of ACKs waits for the
                # disk, the next batch is being decoded and journaled.
                self.store = JournalStore(
                    self.state_dir, "leases", fsync=lambda fd: hub.run_in_os_thread(os.fsync, fd)
                )
            except StoreError as exc:
                raise ConfigError(f"dhcp_server: lease database unusable: {exc}") from None
        else:
            self.logger.warning("no state directory: leases are kept in memory only")
        self.engine = DhcpServer(self.cfg, self.store)
        self.logger.info(
            "DHCP server: %d pool(s) (%s); %d lease records loaded in %.3f s",
            len(self.cfg.pools),
            ", ".join(f"{p.name} {p.network} via {p.server_ip}" for p in self.cfg.pools),
            len(self.engine.db.leases),
            time.monotonic() - t0,
        )
        self.server_ips = {p.server_ip for p in self.cfg.pools}
        self._server_mac_bin = addrconv.mac.text_to_bin(self.cfg.server_mac)
        self.datapaths: dict[int, Any] = {}
        self.stats: dict[str, int] = {}
        # Messages by DHCP message type (None: no type option), for metrics.
        self.received: dict[int | None, int] = {}
        self.sent: dict[int, int] = {}
        self._last_logged: dict[str, float] = {}
        # Group commit: replies and lease events waiting for the next fsync.
        self._pending: list[tuple[Any, int, bytes, list]] = []
        self._flush_wanted = hub.Event()
        self._sync_lock = hub.Semaphore(1)
        kwargs["wsgi"].register(DhcpRestController, {"app": self})

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> hub.GreenThread:
        thread = super().start()
        self.threads.append(hub.spawn(self._flusher))
        self.threads.append(hub.spawn(self._ticker))
        return thread

    def close(self) -> None:
        self._flush()
        if self.store is not None:
            with self._sync_lock:
                self.store.close()

    def _ticker(self) -> None:
        while self.is_active:
            hub.sleep(1.0)
            now = time.time()
            try:
                changes = self.engine.tick(now)
                if int(now) % 60 == 0:
                    self.engine.mac_limit.prune(now)
                    self.engine.port_limit.prune(now)
            except Exception:
                self.logger.exception("lease expiry sweep failed; retrying in a second")
                continue
            if changes or (self.store is not None and self.store.dirty):
                self._pending.append((None, 0, b"", changes))
                self._flush_wanted.set()

    def _flusher(self) -> None:
        while self.is_active:
            self._flush_wanted.wait()
            self._flush_wanted.clear()
            self._flush()

    def sync_leases(self) -> None:
        """Make the journaled changes durable (one sync at a time; see JournalStore)."""
        if self.store is not None:
            with self._sync_lock:
                self.store.sync()

    def _flush(self) -> None:
        if not self._pending:
            return
        batch, self._pending = self._pending, []
        try:
            self.sync_leases()
        except OSError as exc:
            # Nothing is acknowledged that is not on disk: the clients will
            # retransmit, and the changes stay queued for the next attempt.
            self.logger.error(
                "lease journal in %s cannot be written (%s): %d replies withheld",
                self.state_dir,
                exc,
                sum(1 for item in batch if item[0] is not None),
            )
            return
        # The ACKs of a batch leave with one write per switch, as an event
        # handler's sends do: this green thread holds the write batch until its
        # replies are queued (nothing in between yields to another thread).
        held_by = WRITE_BATCH.owner
        WRITE_BATCH.owner = hub.getcurrent()
        try:
            for dp, port, frame, changes in batch:
                if dp is not None:
                    try:
                        self._send(dp, port, frame)
                    except Exception:
                        self.logger.exception("reply to switch %s could not be sent", dp.id)
                self._announce(changes)
        finally:
            WRITE_BATCH.flush()
            WRITE_BATCH.owner = held_by

    # -- switches -----------------------------------------------------------------------------

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def switch_features(self, ev: Any) -> None:
        dp = ev.msg.datapath
        self.datapaths[dp.id] = dp
        pipeline.setup(dp)
        v10 = dp.ofproto.OFP_VERSION == ofproto_v1_0.OFP_VERSION
        if v10:
            to_server = {"dl_type": ETH_IP, "nw_proto": 17, "tp_dst": 67}
            to_client = {"dl_type": ETH_IP, "nw_proto": 17, "tp_src": 67, "tp_dst": 68}
        else:
            to_server = {"eth_type": ETH_IP, "ip_proto": 17, "udp_dst": 67}
            to_client = {"eth_type": ETH_IP, "ip_proto": 17, "udp_src": 67, "udp_dst": 68}
        pipeline.intercept(dp, to_server, offset=100, cookie=COOKIE)
        pipeline.intercept(dp, to_client, offset=101, cookie=COOKIE)
        if self.cfg.answer_arp:
            for ip in sorted(self.server_ips):
                match = (
                    {"dl_type": ETH_ARP, "nw_dst": ip}
                    if v10
                    else {"eth_type": ETH_ARP, "arp_tpa": ip}
                )
                pipeline.intercept(dp, match, offset=102, cookie=COOKIE)

    @set_ev_cls(ofp_event.EventOFPStateChange, DEAD_DISPATCHER)
    def switch_left(self, ev: Any) -> None:
        dp = ev.datapath
        if dp is not None and dp.id is not None:
            self.datapaths.pop(dp.id, None)
            self.engine.forget_switch(dp.id)

    # -- packets ------------------------------------------------------------------------------

    def _note(self, reason: str, dpid: Any = None, port: Any = None, detail: str = "") -> None:
        """Count a refused message; log each reason at most once per LOG_EVERY seconds.

        ``reason`` is one of a fixed set (it keys the counters, the log limit and a
        metric label); what varies from message to message goes in ``detail``, so
        crafted input cannot grow those tables or flood the log.
        """
        self.stats[reason] = self.stats.get(reason, 0) + 1
        now = time.monotonic()
        if now - self._last_logged.get(reason, -LOG_EVERY) >= LOG_EVERY:
            self._last_logged[reason] = now
            self.logger.warning(
                "DHCP message from switch %s port %s ignored: %s%s (%d so far; "
                "this reason is logged once a minute)",
                f"{dpid:016x}" if isinstance(dpid, int) else dpid,
                port,
                reason,
                f" ({detail})" if detail else "",
                self.stats[reason],
            )

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev: Any) -> None:
        msg = ev.msg
        dp = msg.datapath
        v10 = dp.ofproto.OFP_VERSION == ofproto_v1_0.OFP_VERSION
        if v10:
            in_port = msg.in_port
        else:
            if msg.cookie != COOKIE:
                return
            in_port = msg.match["in_port"]
        data = msg.data
        try:
            head = _frame_head(data)
        except ValueError as exc:
            if not v10:
                self._note("frame cut short", dp.id, in_port, str(exc))
            return
        if head is None:
            # Not Ethernet/IPv4/UDP with a whole header: ARP for the server
            # address, or something that does not concern this app.
            self._other_frame(dp, in_port, data, v10)
            return
        vid, ip_src, ip_dst, sport, dport, start, end = head
        if not (dport == 67 or (sport == 67 and dport == 68)):
            return
        try:
            d = dhcp.dhcp.parser(data[start:end])[0]
        except PacketParseError as exc:
            self._note("DHCP message does not decode", dp.id, in_port, str(exc))
            return
        if d.op == dhcp.DHCP_BOOT_REPLY:
            self._snoop(dp, in_port, data, d.message_type)
            return
        eth_src = data[6:12].hex(":")
        origin = Origin(dp.id, in_port, eth_src, vid, ip_src, ip_dst)
        out = self.engine.handle(d, origin, time.time())
        if out.dropped:
            self._note(out.dropped, dp.id, in_port)
        frame = b""
        received = self.received
        received[out.request_type] = received.get(out.request_type, 0) + 1
        if out.reply is not None:
            frame = self._frame(out.reply)
            self.sent[out.reply.mtype] = self.sent.get(out.reply.mtype, 0) + 1
        if out.durable:
            self._pending.append((dp if frame else None, in_port, frame, out.changes))
            self._flush_wanted.set()
        else:
            if frame:
                self._send(dp, in_port, frame)
            self._announce(out.changes)

    def _other_frame(self, dp: Any, in_port: int, data: bytes, v10: bool) -> None:
        try:
            pkt = packet.Packet(data)
        except PacketParseError as exc:
            if not v10:
                self._note("frame does not decode", dp.id, in_port, str(exc))
            return
        eth = pkt.get_protocol(ethernet.ethernet)
        a = pkt.get_protocol(arp.arp)
        if eth is not None and a is not None:
            vl = pkt.get_protocol(vlan.vlan)
            self._answer_arp(dp, in_port, eth, vl.vid if vl is not None else None, a)

    def _snoop(self, dp: Any, in_port: int, data: bytes, mtype: int | None) -> None:
        if self.engine.trusted(dp.id, in_port):
            self.stats["server messages passed from trusted ports"] = (
                self.stats.get("server messages passed from trusted ports", 0) + 1
            )
            self._send(dp, in_port, data, flood=True)
        else:
            self._note(
                f"{message_name(mtype)} from an untrusted port (rogue DHCP server?) dropped",
                dp.id,
                in_port,
            )

    def _answer_arp(self, dp: Any, in_port: int, eth: Any, vid: int | None, a: Any) -> None:
        if a.opcode != arp.ARP_REQUEST or a.dst_ip not in self.server_ips:
            return
        mac = self.cfg.server_mac
        p = packet.Packet()
        p.add_protocol(ethernet.ethernet(a.src_mac, mac, 0x8100 if vid is not None else ETH_ARP))
        if vid is not None:
            p.add_protocol(vlan.vlan(0, 0, vid, ETH_ARP))
        p.add_protocol(
            arp.arp(
                opcode=arp.ARP_REPLY,
                src_mac=mac,
                src_ip=a.dst_ip,
                dst_mac=a.src_mac,
                dst_ip=a.src_ip,
            )
        )
        p.serialize()
        self._send(dp, in_port, bytes(p.data))

    def _frame(self, reply: Any) -> bytes:
        """Ethernet (+ 802.1Q) / IPv4 / UDP / DHCP bytes of a reply, headers packed directly
        (this runs for every OFFER and ACK)."""
        body = reply.body
        src = socket.inet_aton(reply.server_ip)
        dst = socket.inet_aton(reply.ip_dst)
        udp_len = 8 + len(body)
        pseudo = src + dst + _PSEUDO.pack(17, udp_len)
        csum = checksum.checksum(pseudo + _UDP.pack(67, reply.udp_dst, udp_len, 0) + body)
        ip_head = _IPV4.pack(0x45, 0, 20 + udp_len, 0, 0, 64, 17, 0, src, dst)
        ip_head = ip_head[:10] + checksum.checksum(ip_head).to_bytes(2, "big") + ip_head[12:]
        eth = mac_bin(reply.eth_dst) + self._server_mac_bin
        if reply.vlan is not None:
            eth += _VLAN.pack(0x8100, reply.vlan & 0xFFF, ETH_IP)
        else:
            eth += b"\x08\x00"
        return b"".join((eth, ip_head, _UDP.pack(67, reply.udp_dst, udp_len, csum or 0xFFFF), body))

    def _send(self, dp: Any, port: int, frame: bytes, flood: bool = False) -> None:
        """PACKET_OUT of ``frame`` back out of ``port`` (or flooded, for snooped messages)."""
        ofp, parser = dp.ofproto, dp.ofproto_parser
        out_port = ofp.OFPP_FLOOD if flood else ofp.OFPP_IN_PORT
        dp.send_msg(
            parser.OFPPacketOut(
                datapath=dp,
                buffer_id=OFP_NO_BUFFER,
                in_port=port,
                actions=[parser.OFPActionOutput(out_port)],
                data=frame,
            )
        )

    def _announce(self, changes: list) -> None:
        for c in changes:
            lease = c.lease
            self.send_event_to_observers(
                EventLease(
                    c.action,
                    lease.ip,
                    lease.mac,
                    lease.client_id,
                    lease.dpid,
                    lease.port,
                    lease.vlan,
                    lease.expires_at,
                )
            )
            self.publish(f"dhcp.lease.{c.action}", c.as_dict())
            self.logger.info(
                "lease %s: %s %s (switch %s port %s)",
                c.action,
                lease.ip,
                lease.mac,
                f"{lease.dpid:016x}" if isinstance(lease.dpid, int) else "-",
                lease.port,
            )

    # -- operations used by REST and RPC ------------------------------------------------------

    def leases(
        self,
        mac: str | None = None,
        ip: str | None = None,
        state: str | None = None,
        pool: str | None = None,
    ) -> list[dict[str, Any]]:
        now = time.time()
        out = []
        for lease in self.engine.db.leases.values():
            if mac and lease.mac != mac or ip and lease.ip != ip or pool and lease.pool != pool:
                continue
            d = lease.as_dict()
            if lease.state in ACTIVE and not lease.active(now):
                # Over but not yet swept by the ticker: show what it is.
                d["state"] = "expired"
            if state and d["state"] != state:
                continue
            out.append(d)
        out.sort(key=lambda d: ipaddress.IPv4Address(d["ip"]))
        return out

    def pools(self) -> list[dict[str, Any]]:
        now = time.time()
        return [self.engine.db.pool_usage(p.name, now) for p in self.cfg.pools]

    def revoke(self, ip: str) -> bool:
        """End the active lease on ``ip`` now (durably); False if there is none."""
        now = time.time()
        if self.engine.db.holder(ip, now) is None:
            return False
        change = self.engine.revoke(ip, now)
        self.sync_leases()
        if change is not None:
            self._announce([change])
        return True

    @rpc_method("leases")
    def rpc_leases(self, mac: str | None = None) -> list[dict[str, Any]]:
        return self.leases(mac=mac)

    def metrics(self) -> list[Metric]:
        out = []
        for p in self.pools():
            labels = {"pool": p["name"]}
            out.append(
                Metric("dhcp_pool_addresses", "gauge", "Addresses in the pool", p["size"], labels)
            )
            out.append(
                Metric(
                    "dhcp_pool_used",
                    "gauge",
                    "Addresses held (offered, bound, quarantined)",
                    p["used"],
                    labels,
                )
            )
            out.append(
                Metric("dhcp_pool_free", "gauge", "Addresses free to offer", p["free"], labels)
            )
        for what, n in sorted(self.engine.counters.items()):
            out.append(
                Metric(
                    "dhcp_events_total",
                    "counter",
                    "Notable server events (exhausted pool, NAK, declined, port lease limit)",
                    n,
                    {"event": what},
                )
            )
        counts = [(f"received {message_name(t)}", n) for t, n in self.received.items()]
        counts += [(f"sent {message_name(t)}", n) for t, n in self.sent.items()]
        for what, n in sorted(counts + list(self.stats.items())):
            out.append(
                Metric(
                    "dhcp_messages_total",
                    "counter",
                    "DHCP messages received, sent and refused, by kind or reason",
                    n,
                    {"kind": what},
                )
            )
        return out


class DhcpRestController(ControllerBase):
    def __init__(self, req: Any, link: Any, data: Any, **config: Any) -> None:
        super().__init__(req, link, data, **config)
        self.app: DhcpServerApp = data["app"]

    @route(
        "dhcp",
        "/v1/dhcp/leases",
        methods=["GET"],
        summary="List leases (bound, offered, quarantined and remembered ones)",
        query={
            "mac": "only leases of this client MAC address",
            "ip": "only the lease of this IPv4 address",
            "state": "only leases in this state: " + ", ".join(STATES),
            "pool": "only leases of the pool with this name",
        },
    )
    def list_leases(self, req: Any, **_kw: Any) -> Any:
        q = req.GET
        mac = params.parse_mac(q["mac"], "mac") if q.get("mac") else None
        ip = params.parse_ipv4(q["ip"], "ip") if q.get("ip") else None
        state = q.get("state") or None
        if state is not None and state not in STATES:
            raise bad_request(f"state {state!r} is not one of {', '.join(STATES)}")
        pool = q.get("pool") or None
        if pool is not None and self.app.cfg.pool(pool) is None:
            raise not_found(f"no pool named {pool!r}; GET /v1/dhcp/pools lists them")
        return self.app.leases(mac, ip, state, pool)

    @route(
        "dhcp",
        "/v1/dhcp/pools",
        methods=["GET"],
        summary="Pools with size, used, free and utilisation",
    )
    def list_pools(self, req: Any, **_kw: Any) -> Any:
        return self.app.pools()

    @route("dhcp", "/v1/dhcp/reservations", methods=["GET"], summary="List address reservations")
    def list_reservations(self, req: Any, **_kw: Any) -> Any:
        return [r.as_dict() for r in self.app.engine.db.reservations.values()]

    @route(
        "dhcp",
        "/v1/dhcp/reservations",
        methods=["POST"],
        summary="Reserve an address for one client (by MAC or client identifier)",
        body={
            "type": "object",
            "required": ["ip"],
            "properties": {
                "mac": {"type": "string", "description": "client MAC, e.g. 00:00:00:00:00:01"},
                "client_id": {"type": "string", "description": "option 61 as hex, type byte first"},
                "ip": {"type": "string", "description": "IPv4 address inside a pool's subnet"},
            },
        },
    )
    def add_reservation(self, req: Any, **_kw: Any) -> Any:
        body = request_json(req)
        if not isinstance(body, dict):
            raise bad_request(
                'body must be a JSON object like {"mac": "00:00:00:00:00:01", "ip": "10.0.0.50"}'
            )
        unknown = set(body) - {"mac", "client_id", "ip"}
        if unknown:
            raise bad_request(
                f"unknown field {sorted(unknown)[0]!r}; fields are mac, client_id, ip"
            )
        if ("mac" in body) == ("client_id" in body):
            raise bad_request("give exactly one of mac or client_id")
        ip = params.parse_ipv4(body.get("ip"), "ip")
        try:
            if "mac" in body:
                r = Reservation("mac", normalise_mac(body["mac"], "mac"), ip, "")
            else:
                r = Reservation(
                    "client_id", normalise_client_id(body["client_id"], "client_id"), ip, ""
                )
        except ConfigError as exc:
            raise bad_request(str(exc)) from None
        pool = next((p for p in self.app.cfg.pools if ipaddress.IPv4Address(ip) in p.network), None)
        if pool is None:
            raise bad_request(f"{ip} is in no pool's subnet; GET /v1/dhcp/pools lists them")
        if int(ipaddress.IPv4Address(ip)) in pool.exclude:
            raise bad_request(
                f"{ip} is excluded from pool {pool.name} (network, broadcast, server or exclude)"
            )
        r.pool = pool.name
        db = self.app.engine.db
        if r.client_key in db.reservations:
            raise conflict(
                f"{r.kind} {r.ident} already has a reservation ({db.reservations[r.client_key].ip}); delete it first"
            )
        if ip in db.reserved_ips:
            raise conflict(f"{ip} is already reserved for another client")
        holder = db.holder(ip, time.time())
        if holder is not None and holder.client_key != r.client_key:
            raise conflict(
                f"{ip} is leased to {holder.mac} until {holder.expires_at:.0f}; revoke the lease first"
            )
        db.add_reservation(r)
        self.app.sync_leases()
        return 201, r.as_dict()

    @route(
        "dhcp",
        "/v1/dhcp/reservations",
        methods=["DELETE"],
        summary="Delete a reservation",
        query={
            "mac": "the client MAC of the reservation",
            "client_id": "or its client identifier (hex)",
        },
    )
    def delete_reservation(self, req: Any, **_kw: Any) -> Any:
        q = req.GET
        try:
            if q.get("mac"):
                key = f"hw:{normalise_mac(q['mac'], 'mac')}"
            elif q.get("client_id"):
                key = f"id:{normalise_client_id(q['client_id'], 'client_id')}"
            else:
                raise bad_request("give the reservation's mac or client_id as a query parameter")
        except ConfigError as exc:
            raise bad_request(str(exc)) from None
        if self.app.engine.db.remove_reservation(key) is None:
            raise not_found(f"no reservation for {key.split(':', 1)[1]}")
        self.app.sync_leases()
        return None

    @route(
        "dhcp",
        "/v1/dhcp/leases/{ip}",
        methods=["DELETE"],
        summary="Revoke the lease on an address (the client must ask again)",
    )
    def revoke_lease(self, req: Any, ip: str, **_kw: Any) -> Any:
        ip = params.parse_ipv4(ip, "ip")
        if not self.app.revoke(ip):
            raise not_found(f"no active lease on {ip}")
        return None
