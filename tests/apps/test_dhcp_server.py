"""apps/dhcp_server.py against the switch emulator (real OpenFlow over TCP, in-process)."""

import functools
from pathlib import Path

import pytest

from ctrlapp.base import app_manager
from ctrlapp.controller.handler import set_ev_cls
from ctrlapp.exception import AppLoadError
from ctrlapp.lib import hub
from ctrlapp.lib.packet import arp, checksum, dhcp, ethernet, ipv4, packet, udp, vlan
from ctrlapp.services.dhcp.events import EventLease
from ctrlapp.testing.app_harness import AppHarness
from ctrlapp.testing.dhcp_client import DhcpClient

APP = "apps/dhcp_server.py"
DATA = Path(__file__).parent.parent / "data" / "dhclient"
COOKIE = 0x44484350


class LeaseWatcher(app_manager.CtrlApp):
    """Another app observing the DHCP server's EventLease."""

    _NAME = "lease_watcher"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.seen = []

    @set_ev_cls(EventLease)
    def on_lease(self, ev):
        self.seen.append(ev)


class Net(AppHarness):
    def __init__(self, tmp_path, settings=None, rest=False, watcher=True):
        super().__init__(
            [APP],
            settings={"dhcp_server": settings or {}},
            state_dir=tmp_path / "state",
            extra_apps={"lease_watcher": LeaseWatcher} if watcher else None,
            rest=rest,
        )

    @property
    def app(self):
        return self.manager.applications["dhcp_server"]

    def switch(self, dpid=1, version=4):
        sw = self.connect(dpid, version)
        # The intercept flows arrive right after the handshake.
        assert sw.wait(lambda: any(e.cookie == COOKIE for e in sw.switch.flows.entries))
        return sw

    def send(self, sw, frame, port=1, timeout=3.0):
        """Inject a PACKET_IN as the intercept flow would; return new PACKET_OUT frames."""
        before = len(sw.switch.packet_outs)
        kw = {} if sw.switch.version == 1 else {"cookie": COOKIE, "table_id": 0}
        sw.packet_in(frame, in_port=port, **kw)
        sw.wait(lambda: len(sw.switch.packet_outs) > before, timeout)
        return sw.switch.packet_outs[before:]


@pytest.fixture
def net(harnesses):
    return functools.partial(harnesses, Net)


def dora(n, sw, client, port=1):
    [offer] = n.send(sw, client.discover(), port)
    request = client.receive(offer.data)
    assert request is not None, "no OFFER"
    [ack] = n.send(sw, request, port)
    client.receive(ack.data)
    assert client.state == "BOUND"
    return offer, ack


def test_flows_installed_on_of13(net):
    n = net()
    sw = n.switch()
    mine = [e for e in sw.switch.flows.table(0) if e.cookie == COOKIE]
    matches = sorted(tuple(sorted(dict(e.match.items()).items())) for e in mine)
    assert (("eth_type", 0x0800), ("ip_proto", 17), ("udp_dst", 67)) in matches
    assert (("eth_type", 0x0800), ("ip_proto", 17), ("udp_dst", 68), ("udp_src", 67)) in matches
    assert (("arp_tpa", "10.0.0.254"), ("eth_type", 0x0806)) in matches
    assert all(30000 <= e.priority <= 39999 for e in mine)
    # The pipeline's misses are there too (table 0 -> table 1 -> controller).
    assert [e.priority for e in sw.switch.flows.table(1)] == [0]


def test_real_dhclient_frames_get_offer_and_ack_in_packet_outs(net):
    n = net()
    sw = n.switch()
    discover = (DATA / "discover.bin").read_bytes()
    request = (DATA / "request.bin").read_bytes()
    assert len(discover) == len(request) == 342
    [out] = n.send(sw, discover, port=2)
    assert [a.port for a in out.actions] == [sw.switch.ofproto.OFPP_IN_PORT] and out.in_port == 2
    p = packet.Packet(out.data)
    eth, ip, u, d = (
        p.get_protocol(ethernet.ethernet),
        p.get_protocol(ipv4.ipv4),
        p.get_protocol(udp.udp),
        p.get_protocol(dhcp.dhcp),
    )
    # dhclient does not set the broadcast bit: unicast to chaddr / yiaddr (§4.1).
    assert (eth.dst, ip.src, ip.dst, u.src_port, u.dst_port) == (
        "00:16:3e:5e:6c:01",
        "10.0.0.254",
        "10.0.0.100",
        67,
        68,
    )
    assert d.message_type == dhcp.DHCP_OFFER and d.xid == 0x2FD0C21C and d.yiaddr == "10.0.0.100"
    # Header checksums verify (RFC 791 / RFC 768: the sum over the header, or
    # the pseudo header and the datagram, is zero).
    frame = out.data
    assert checksum.checksum(frame[14:34]) == 0
    pseudo = frame[26:34] + bytes([0, 17]) + frame[38:40]
    assert checksum.checksum(pseudo + frame[34:]) == 0
    # dhclient asked for 1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42.
    assert d.options.get(dhcp.DHCP_SUBNET_MASK_OPT) == "255.255.255.0"
    assert d.options.get(dhcp.DHCP_BROADCAST_ADDR_OPT) == "10.0.0.255"
    assert d.options.get(dhcp.DHCP_IP_ADDR_LEASE_TIME_OPT) == 3600
    [ack] = n.send(sw, request, port=2)
    d = packet.Packet(ack.data).get_protocol(dhcp.dhcp)
    assert d.message_type == dhcp.DHCP_ACK and d.yiaddr == "10.0.0.100"
    [lease] = n.app.leases(state="bound")
    assert (lease["mac"], lease["hostname"], lease["dpid"], lease["port"]) == (
        "00:16:3e:5e:6c:01",
        "vm",
        1,
        2,
    )
    # The binding was journaled before the ACK left.
    journal = (n.manager.state_dir / "dhcp_server" / "leases.journal").read_bytes()
    assert b"00:16:3e:5e:6c:01" in journal and b"10.0.0.100" in journal


def test_dora_for_many_clients_events_and_notifications(net):
    n = net()
    sw = n.switch()
    published = []
    unsubscribe = app_manager.NOTIFIER.subscribe(lambda src, topic, p: published.append((topic, p)))
    try:
        clients = [DhcpClient(f"00:00:00:00:10:{i:02x}", broadcast=i % 2 == 0) for i in range(5)]
        for i, c in enumerate(clients):
            offer, ack = dora(n, sw, c, port=1 + i % 3)
        assert sorted(c.ip for c in clients) == [f"10.0.0.{100 + i}" for i in range(5)]
        watcher = n.manager.applications["lease_watcher"]
        assert n.manager.applications and run_wait(lambda: len(watcher.seen) == 5)
        ev = watcher.seen[0]
        assert (ev.action, ev.ip, ev.mac, ev.dpid, ev.port, ev.vlan) == (
            "granted",
            "10.0.0.100",
            "00:00:00:00:10:00",
            1,
            1,
            None,
        )
        assert ev.expires_at > 0
        topics = [t for t, _ in published if t.startswith("dhcp.")]
        assert topics == ["dhcp.lease.granted"] * 5
        # Renewal (unicast), then release.
        c = clients[0]
        [ack] = n.send(sw, c.renew())
        c.receive(ack.data)
        assert c.state == "BOUND"
        n.send(sw, c.release(), timeout=0.3)
        assert run_wait(lambda: [e.action for e in watcher.seen][-2:] == ["renewed", "released"])
        assert [t for t, _ in published if t.startswith("dhcp.")][-2:] == [
            "dhcp.lease.renewed",
            "dhcp.lease.released",
        ]
    finally:
        unsubscribe()


def run_wait(cond, timeout=3.0):
    with hub.Timeout(timeout, False):
        while not cond():
            hub.sleep(0.005)
    return cond()


def test_of10_switch_is_served(net):
    n = net()
    sw = n.switch(version=1)
    c = DhcpClient("00:00:00:00:20:01")
    dora(n, sw, c)
    assert c.ip == "10.0.0.100"


def test_snooping_drops_rogue_server_messages_and_passes_trusted_ones(net):
    n = net(settings={"trusted_ports": ["1:4"]})
    sw = n.switch()
    rogue = DhcpClient("00:00:00:00:30:01")
    # An OFFER as a rogue server would send it, from port 3 (untrusted).
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet("ff:ff:ff:ff:ff:ff", "02:66:66:66:66:66", 0x0800))
    p.add_protocol(ipv4.ipv4(src="10.0.0.66", dst="255.255.255.255", proto=17))
    p.add_protocol(udp.udp(67, 68))
    opts = dhcp.options([dhcp.option(53, bytes([dhcp.DHCP_OFFER]))])
    p.add_protocol(dhcp.dhcp(op=2, chaddr=rogue.mac, yiaddr="10.0.0.5", options=opts))
    p.serialize()
    frame = bytes(p.data)
    assert n.send(sw, frame, port=3, timeout=0.3) == []
    assert n.app.stats["OFFER from an untrusted port (rogue DHCP server?) dropped"] == 1
    [out] = n.send(sw, frame, port=4)
    assert out.data == frame and [a.port for a in out.actions] == [sw.switch.ofproto.OFPP_FLOOD]


def test_malformed_frames_are_counted_never_raised(net):
    n = net()
    sw = n.switch()
    good = DhcpClient("00:00:00:00:40:01").discover()
    cut = good[: 14 + 20 + 8 + 100]  # DHCP header cut short
    n.send(sw, cut, timeout=0.2)
    n.send(sw, good[:20], timeout=0.2)
    garbage = bytearray(good)
    garbage[14 + 20 + 8] = 2  # op BOOTREPLY on port 67: a server message from an untrusted port
    n.send(sw, bytes(garbage), timeout=0.2)
    assert n.app.counters.handler_errors == 0
    assert sum(n.app.stats.values()) >= 2
    # And the app still serves.
    c = DhcpClient("00:00:00:00:40:02")
    dora(n, sw, c)


def test_arp_for_the_server_address_is_answered(net):
    n = net()
    sw = n.switch()
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet("ff:ff:ff:ff:ff:ff", "00:00:00:00:50:01", 0x0806))
    p.add_protocol(
        arp.arp(
            opcode=arp.ARP_REQUEST,
            src_mac="00:00:00:00:50:01",
            src_ip="10.0.0.100",
            dst_mac="00:00:00:00:00:00",
            dst_ip="10.0.0.254",
        )
    )
    p.serialize()
    [out] = n.send(sw, bytes(p.data), port=2)
    a = packet.Packet(out.data).get_protocol(arp.arp)
    assert (a.opcode, a.src_ip, a.src_mac, a.dst_ip) == (
        arp.ARP_REPLY,
        "10.0.0.254",
        "02:00:0a:00:00:fe",
        "10.0.0.100",
    )


def test_leases_survive_an_app_restart(tmp_path):
    n = Net(tmp_path)
    try:
        sw = n.switch()
        c = DhcpClient("00:00:00:00:60:01")
        dora(n, sw, c)
    finally:
        n.stop()
    n = Net(tmp_path)
    try:
        [lease] = n.app.leases()
        assert (lease["ip"], lease["mac"], lease["state"]) == (c.ip, c.mac, "bound")
        sw = n.switch()
        other = DhcpClient("00:00:00:00:60:02")
        dora(n, sw, other)
        assert other.ip != c.ip
    finally:
        n.stop()


def test_bad_settings_stop_the_app_with_the_key_named(tmp_path):
    m = app_manager.AppManager(
        app_settings={"dhcp_server": {"pools": [{"subnet": "10.0.0.0/24", "lease_time": -1}]}},
        state_dir=tmp_path,
    )
    m.load_apps([APP])
    with pytest.raises(AppLoadError, match=r"pools\[0\]\.lease_time"):
        m.instantiate_apps()
    m.close()


def test_rest_endpoints_with_a_real_http_client(net):
    n = net(rest=True)
    sw = n.switch()
    c = DhcpClient("00:00:00:00:70:01")
    dora(n, sw, c)
    status, leases = n.http("GET", "/v1/dhcp/leases")
    assert status == 200 and [(x["ip"], x["mac"], x["state"]) for x in leases] == [
        ("10.0.0.100", c.mac, "bound")
    ]
    assert n.http("GET", "/v1/dhcp/leases?mac=00:00:00:00:70:02")[1] == []
    assert n.http("GET", "/v1/dhcp/leases?state=bound&pool=default&ip=10.0.0.100")[1] == leases
    status, err = n.http("GET", "/v1/dhcp/leases?mac=zz")
    assert status == 400 and "mac" in err["detail"]
    assert n.http("GET", "/v1/dhcp/leases?state=happy")[0] == 400
    assert n.http("GET", "/v1/dhcp/leases?pool=nope")[0] == 404
    status, pools = n.http("GET", "/v1/dhcp/pools")
    assert status == 200 and pools == [
        {
            "name": "default",
            "subnet": "10.0.0.0/24",
            "server_ip": "10.0.0.254",
            "size": 100,
            "used": 1,
            "free": 99,
            "utilisation": 0.01,
        }
    ]
    # Reservations.
    status, r = n.http(
        "POST", "/v1/dhcp/reservations", {"mac": "00:00:00:00:70:02", "ip": "10.0.0.50"}
    )
    assert status == 201 and r == {"mac": "00:00:00:00:70:02", "ip": "10.0.0.50", "pool": "default"}
    dup = n.http("POST", "/v1/dhcp/reservations", {"mac": "00:00:00:00:70:02", "ip": "10.0.0.51"})
    assert dup[0] == 409
    taken = n.http(
        "POST", "/v1/dhcp/reservations", {"mac": "00:00:00:00:70:03", "ip": "10.0.0.100"}
    )
    assert taken[0] == 409 and "leased to" in taken[1]["detail"]
    for bad in (
        {"ip": "10.0.0.9"},
        {"mac": "x", "ip": "10.0.0.9"},
        {"mac": "00:00:00:00:70:04", "ip": "192.0.2.1"},
        {"mac": "00:00:00:00:70:04", "ip": "10.0.0.254"},
        [1],
    ):
        assert n.http("POST", "/v1/dhcp/reservations", bad)[0] == 400, bad
    assert n.http("GET", "/v1/dhcp/reservations")[1] == [r]
    reserved = DhcpClient("00:00:00:00:70:02")
    dora(n, sw, reserved)
    assert reserved.ip == "10.0.0.50"
    assert n.http("DELETE", "/v1/dhcp/reservations?mac=00:00:00:00:70:02")[0] == 204
    assert n.http("DELETE", "/v1/dhcp/reservations?mac=00:00:00:00:70:02")[0] == 404
    assert n.http("DELETE", "/v1/dhcp/reservations")[0] == 400
    # Revocation.
    assert n.http("DELETE", "/v1/dhcp/leases/10.0.0.100")[0] == 204
    assert n.http("GET", "/v1/dhcp/leases?ip=10.0.0.100")[1][0]["state"] == "revoked"
    assert n.http("DELETE", "/v1/dhcp/leases/10.0.0.100")[0] == 404
    assert n.http("DELETE", "/v1/dhcp/leases/10.0.0.300")[0] == 400
    # Everything is in the OpenAPI document, with its summary.
    status, doc = n.http("GET", "/v1/openapi.json")
    paths = doc["paths"]
    assert {"get"} <= set(paths["/v1/dhcp/leases"]) and {"get"} <= set(paths["/v1/dhcp/pools"])
    assert {"get", "post", "delete"} <= set(paths["/v1/dhcp/reservations"])
    assert "delete" in paths["/v1/dhcp/leases/{ip}"]
    assert all(op.get("summary") for p in paths.values() for op in p.values())
    metrics = n.text("/metrics")
    assert 'ctrlapp_dhcp_pool_free{pool="default"} 99' in metrics
    assert 'ctrlapp_dhcp_messages_total{kind="sent ACK"} 2' in metrics


def tagged(frame, vid):
    """The frame with an 802.1Q tag for ``vid`` after the MAC addresses."""
    return frame[:12] + b"\x81\x00" + vid.to_bytes(2, "big") + frame[12:]


def test_vlan_tagged_client_gets_its_vlans_pool_and_a_tagged_reply(net):
    n = net(
        settings={
            "pools": [
                {"name": "v10", "subnet": "10.10.0.0/24", "vlans": [10]},
                {"name": "rest", "subnet": "10.0.0.0/24"},
            ]
        }
    )
    sw = n.switch()
    c = DhcpClient("00:00:00:00:80:01")
    [offer] = n.send(sw, tagged(c.discover(), 10))
    p = packet.Packet(offer.data)
    assert p.get_protocol(vlan.vlan).vid == 10
    assert p.get_protocol(ipv4.ipv4).src == "10.10.0.254"
    request = c.receive(offer.data)
    [ack] = n.send(sw, tagged(request, 10))
    c.receive(ack.data)
    assert (c.state, c.ip) == ("BOUND", "10.10.0.1")
    [lease] = n.app.leases(pool="v10")
    assert (lease["vlan"], lease["ip"]) == (10, "10.10.0.1")
    untagged = DhcpClient("00:00:00:00:80:02")
    dora(n, sw, untagged)
    assert untagged.ip.startswith("10.0.0.")
