"""Hypothesis properties of the engine: no input raises, no address is ever ACKed to two clients."""

import functools
import socket

from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import dhcp
from ctrlapp.lib.packet.errors import PacketParseError
from ctrlapp.services.dhcp.config import ServerConfig
from ctrlapp.services.dhcp.server import DhcpServer

from .helpers import SERVER, client_msg, origin

T0 = 1_700_000_000.0
SMALL = {
    "pools": [{"ranges": [["10.0.0.100", "10.0.0.103"]], "lease_time": 60}],
    "offer_hold": 5,
    "decline_quarantine": 30,
}
# Parsed once: every example gets a fresh server over the same settings.
CFG = ServerConfig(SMALL)
SEEDS = [
    client_msg(t, **kw).serialize()
    for t, kw in [
        (1, {"flags": 0x8000, "prl": [1, 3, 6, 121]}),
        (3, {"requested": "10.0.0.100", "server_id": SERVER, "client_id": b"\x01abcdef"}),
        (3, {"ciaddr": "10.0.0.101"}),
        (3, {"requested": "10.0.0.102"}),
        (4, {"requested": "10.0.0.100", "server_id": SERVER}),
        (7, {"ciaddr": "10.0.0.100", "giaddr": "10.0.0.1"}),
        (8, {"ciaddr": "10.0.0.9", "hostname": "h"}),
    ]
]


def _feed(srv, raw, now=T0):
    try:
        msg = dhcp.dhcp.parser(raw)[0]
    except PacketParseError:
        return None
    return srv.handle(msg, origin(), now)


@given(st.binary(max_size=400))
def test_random_bytes_never_raise(raw):
    _feed(DhcpServer(CFG), raw)


@given(st.sampled_from(SEEDS), st.binary(min_size=3, max_size=24), st.integers(0, 400))
def test_mutated_client_messages_never_raise(seed, flips, cut):
    raw = bytearray(seed)
    # Each 3 bytes of ``flips``: a 16-bit position and the byte to put there.
    for i in range(0, len(flips) - 2, 3):
        pos = int.from_bytes(flips[i : i + 2], "big") % len(raw)
        raw[pos] = flips[i + 2]
    out = _feed(DhcpServer(CFG), bytes(raw[: max(cut, 236)]))
    if out is not None and out.reply is not None:
        out.reply.msg.serialize()


MACS = [f"00:00:00:00:00:0{i}" for i in range(1, 7)]
KINDS = ("discover", "select", "reboot", "renew", "release", "decline", "wait")
IPS = ("10.0.0.100", "10.0.0.101", "10.0.0.102", "10.0.0.103", "10.0.0.50")
# Each 3 bytes are one step: what, which client, which address (or how long to
# wait).  Drawing bytes keeps generation cheap next to the engine's work.
steps = st.binary(max_size=75).map(
    lambda raw: [
        (KINDS[raw[i] % 7], raw[i + 1] % 6, raw[i + 2], raw[i + 2] % 41)
        for i in range(0, len(raw) - 2, 3)
    ]
)


@functools.cache
def _message(kind, mac, ip):
    # The engine never changes a message, so each distinct one is built once.
    if kind == "discover":
        return client_msg(1, mac=mac, requested=ip)
    if kind == "select":
        return client_msg(3, mac=mac, requested=ip, server_id=SERVER)
    if kind == "reboot":
        return client_msg(3, mac=mac, requested=ip)
    if kind == "renew":
        return client_msg(3, mac=mac, ciaddr=ip)
    if kind == "release":
        return client_msg(7, mac=mac, ciaddr=ip, server_id=SERVER)
    return client_msg(4, mac=mac, requested=ip, server_id=SERVER)


@given(steps)
def test_no_address_is_acked_to_two_clients(steps):
    srv = DhcpServer(CFG)
    now = T0
    bound = {}  # ip -> (mac, expires): what clients were told by ACKs
    known = {}  # mac -> the address the server last offered or ACKed it
    for kind, who, pick, dt in steps:
        mac = MACS[who]
        # Mostly behave like a real client (use the address the server gave);
        # sometimes ask for any address at all.
        ip = known.get(mac, IPS[0]) if pick < 128 else IPS[pick % 5]
        o = origin(mac=mac)
        if kind == "wait":
            now += dt
            srv.tick(now)
            continue
        out = srv.handle(_message(kind, mac, ip), o, now)
        for c in out.changes:
            if c.action in ("released", "expired", "revoked", "declined"):
                if bound.get(c.lease.ip, ("",))[0] == c.lease.mac:
                    del bound[c.lease.ip]
        r = out.reply
        if r is None:
            continue
        mtype = r.msg.options.get_raw(53)[0]
        assert r.msg.options.get_raw(54) == socket.inet_aton(SERVER)
        if mtype == dhcp.DHCP_ACK and r.msg.yiaddr != "0.0.0.0":
            got = r.msg.yiaddr
            assert got in {"10.0.0.100", "10.0.0.101", "10.0.0.102", "10.0.0.103"}
            holder = bound.get(got)
            assert holder is None or holder[0] == mac or holder[1] <= now, (got, holder, mac)
            for other_ip, (m, _) in list(bound.items()):
                if m == mac and other_ip != got:
                    del bound[other_ip]
            lease_time = int.from_bytes(r.msg.options.get_raw(51), "big")
            bound[got] = (mac, now + lease_time)
            known[mac] = got
        elif mtype == dhcp.DHCP_OFFER:
            known[mac] = r.msg.yiaddr
            holder = bound.get(r.msg.yiaddr)
            assert holder is None or holder[0] == mac or holder[1] <= now
