"""Hypothesis properties of the engine: no input raises, no address is ever ACKed to two clients."""

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
    _feed(DhcpServer(ServerConfig(SMALL)), raw)


@given(
    st.sampled_from(SEEDS),
    st.lists(st.tuples(st.integers(0, 400), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, 400),
)
def test_mutated_client_messages_never_raise(seed, flips, cut):
    raw = bytearray(seed)
    for pos, val in flips:
        if pos < len(raw):
            raw[pos] = val
    out = _feed(DhcpServer(ServerConfig(SMALL)), bytes(raw[: max(cut, 236)]))
    if out is not None and out.reply is not None:
        out.reply.msg.serialize()


MACS = [f"00:00:00:00:00:0{i}" for i in range(1, 7)]
step = st.tuples(
    st.sampled_from(["discover", "select", "reboot", "renew", "release", "decline", "wait"]),
    st.integers(0, 5),
    st.sampled_from(["10.0.0.100", "10.0.0.101", "10.0.0.102", "10.0.0.103", "10.0.0.50"]),
    st.integers(0, 40),
)


@given(st.lists(step, max_size=40))
def test_no_address_is_acked_to_two_clients(steps):
    srv = DhcpServer(ServerConfig(SMALL))
    now = T0
    bound = {}  # ip -> (mac, expires): what clients were told by ACKs
    for kind, who, ip, dt in steps:
        mac = MACS[who]
        o = origin(mac=mac)
        if kind == "wait":
            now += dt
            srv.tick(now)
            continue
        if kind == "discover":
            msg = client_msg(1, mac=mac, requested=ip)
        elif kind == "select":
            msg = client_msg(3, mac=mac, requested=ip, server_id=SERVER)
        elif kind == "reboot":
            msg = client_msg(3, mac=mac, requested=ip)
        elif kind == "renew":
            msg = client_msg(3, mac=mac, ciaddr=ip)
        elif kind == "release":
            msg = client_msg(7, mac=mac, ciaddr=ip, server_id=SERVER)
        else:
            msg = client_msg(4, mac=mac, requested=ip, server_id=SERVER)
        out = srv.handle(msg, o, now)
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
        elif mtype == dhcp.DHCP_OFFER:
            holder = bound.get(r.msg.yiaddr)
            assert holder is None or holder[0] == mac or holder[1] <= now
