"""The DHCP server engine: every RFC 2131 message flow, table 3 field by field, §4.1 routing."""

import socket

import pytest

from ctrlapp.exception import ConfigError
from ctrlapp.lib.packet import dhcp
from ctrlapp.services.dhcp.config import ServerConfig
from ctrlapp.services.dhcp.server import DhcpServer
from ctrlapp.store import JournalStore

from .helpers import MAC1, MAC2, SERVER, client_msg, opts_of, origin

D, OFR, R, DEC, A, N, REL, INF = (
    dhcp.DHCP_DISCOVER,
    dhcp.DHCP_OFFER,
    dhcp.DHCP_REQUEST,
    dhcp.DHCP_DECLINE,
    dhcp.DHCP_ACK,
    dhcp.DHCP_NAK,
    dhcp.DHCP_RELEASE,
    dhcp.DHCP_INFORM,
)
T0 = 1_700_000_000.0
LAB = {
    "pools": [
        {
            "name": "lab",
            "subnet": "10.0.0.0/24",
            "server_ip": SERVER,
            "ranges": [["10.0.0.100", "10.0.0.103"]],
            "exclude": ["10.0.0.101"],
            "lease_time": 3600,
            "router": ["10.0.0.1"],
            "dns": ["10.0.0.53", "10.0.0.54"],
            "domain_name": "lab.example",
            "mtu": 1400,
            "ntp": ["10.0.0.123"],
            "classless_routes": [["192.168.0.0/16", "10.0.0.2"]],
        }
    ]
}


def server(settings=LAB, store=None):
    return DhcpServer(ServerConfig(settings), store)


def dora(srv, mac=MAC1, now=T0, **kw):
    off = srv.handle(client_msg(D, mac=mac, **kw), origin(mac=mac), now).reply
    ip = off.msg.yiaddr
    ack = srv.handle(
        client_msg(R, mac=mac, requested=ip, server_id=SERVER, **kw), origin(mac=mac), now
    )
    return ip, ack


def test_discover_offer_table3_field_by_field():
    srv = server()
    out = srv.handle(client_msg(D, xid=0xCAFE, flags=0x8000), origin(), T0)
    r = out.reply
    m = dhcp.dhcp.parser(r.msg.serialize())[0]
    assert (m.op, m.htype, m.hlen, m.hops, m.xid, m.secs, m.flags) == (
        2,
        1,
        6,
        0,
        0xCAFE,
        0,
        0x8000,
    )
    assert (m.ciaddr, m.yiaddr, m.siaddr, m.giaddr, m.chaddr) == (
        "0.0.0.0",
        "10.0.0.100",
        "0.0.0.0",
        "0.0.0.0",
        MAC1,
    )
    assert (m.sname, m.boot_file) == ("", "")
    o = opts_of(r)
    assert o[53] == bytes([OFR])
    assert o[54] == socket.inet_aton(SERVER)
    assert int.from_bytes(o[51], "big") == 3600
    assert int.from_bytes(o[58], "big") == 1800 and int.from_bytes(o[59], "big") == 3150
    assert o[1] == socket.inet_aton("255.255.255.0")
    assert o[3] == socket.inet_aton("10.0.0.1")
    assert o[6] == socket.inet_aton("10.0.0.53") + socket.inet_aton("10.0.0.54")
    assert o[15] == b"lab.example"
    assert o[26] == (1400).to_bytes(2, "big")
    assert o[28] == socket.inet_aton("10.0.0.255")
    assert o[42] == socket.inet_aton("10.0.0.123")
    assert o[121] == bytes([16, 192, 168, 10, 0, 0, 2])
    assert 61 not in o and 50 not in o and 55 not in o
    # Broadcast bit set -> broadcast (§4.1).
    assert (r.eth_dst, r.ip_dst, r.udp_dst) == ("ff:ff:ff:ff:ff:ff", "255.255.255.255", 68)
    assert not out.durable and out.changes == []


def test_parameter_request_list_limits_options_and_client_id_is_echoed():
    srv = server()
    cid = b"\x01" + bytes.fromhex("000000000001")
    r = srv.handle(client_msg(D, prl=[1, 6, 51], client_id=cid), origin(), T0).reply
    o = opts_of(r)
    # Requested 6; 1 and 3 always; 15, 26, 28, 42, 121 not asked for.
    assert {1, 3, 6, 51, 53, 54, 58, 59, 61} == set(o)
    assert o[61] == cid  # RFC 6842
    # Without broadcast bit, no giaddr, no ciaddr: unicast to chaddr / yiaddr.
    assert (r.eth_dst, r.ip_dst, r.udp_dst) == (MAC1, "10.0.0.100", 68)


def test_full_dora_ack_fields_and_lease_event():
    srv = server()
    ip, out = dora(srv, hostname="h1")
    assert ip == "10.0.0.100"
    m = out.reply.msg
    o = opts_of(out.reply)
    assert o[53] == bytes([A]) and o[54] == socket.inet_aton(SERVER)
    assert (m.ciaddr, m.yiaddr, m.siaddr, m.giaddr) == ("0.0.0.0", ip, "0.0.0.0", "0.0.0.0")
    assert out.durable
    [change] = out.changes
    assert change.action == "granted" and change.lease.ip == ip and change.lease.mac == MAC1
    assert change.lease.expires_at == T0 + 3600 and change.lease.hostname == "h1"
    assert (change.lease.dpid, change.lease.port) == (1, 1)
    # A second client gets the next address, skipping the excluded .101.
    ip2, out2 = dora(srv, mac=MAC2)
    assert ip2 == "10.0.0.102" and out2.changes[0].action == "granted"


def test_requested_address_honoured_when_free_and_rediscover_keeps_lease():
    srv = server()
    off = srv.handle(client_msg(D, requested="10.0.0.103"), origin(), T0).reply
    assert off.msg.yiaddr == "10.0.0.103"
    # Excluded, outside the range, or the server itself: the next free one instead.
    for bad in ("10.0.0.101", "10.0.0.50", SERVER, "192.0.2.1"):
        off = srv.handle(client_msg(D, mac=MAC2, requested=bad), origin(mac=MAC2), T0).reply
        assert off.msg.yiaddr == "10.0.0.100"
    ip, _ = dora(srv)
    assert ip == "10.0.0.103"
    again = srv.handle(client_msg(D, requested="10.0.0.102"), origin(), T0 + 5).reply
    assert again.msg.yiaddr == "10.0.0.103"  # its current lease first


def test_offer_is_held_then_freed():
    srv = server({**LAB, "offer_hold": 10})
    a = srv.handle(client_msg(D), origin(), T0).reply.msg.yiaddr
    b = srv.handle(client_msg(D, mac=MAC2), origin(mac=MAC2), T0 + 1).reply.msg.yiaddr
    assert a != b
    # After the hold, a REQUEST for the old offer is refused ...
    late = srv.handle(client_msg(R, requested=a, server_id=SERVER), origin(), T0 + 11)
    assert opts_of(late.reply)[53] == bytes([N])
    # ... and the address goes to someone else once the never-used ones are gone.
    m3, m4 = "00:00:00:00:00:03", "00:00:00:00:00:04"
    assert srv.handle(client_msg(D, mac=m3), origin(mac=m3), T0 + 12).reply.msg.yiaddr == (
        "10.0.0.103"
    )
    assert srv.handle(client_msg(D, mac=m4), origin(mac=m4), T0 + 12).reply.msg.yiaddr == a


def test_selecting_another_server_drops_our_offer():
    srv = server()
    a = srv.handle(client_msg(D), origin(), T0).reply.msg.yiaddr
    out = srv.handle(client_msg(R, requested=a, server_id="10.0.0.9"), origin(), T0)
    assert out.reply is None and out.dropped is None
    assert srv.db.holder(a, T0) is None


def test_nak_fields_and_broadcast():
    srv = server()
    out = srv.handle(client_msg(R, requested="10.0.0.102", server_id=SERVER, xid=7), origin(), T0)
    r = out.reply
    m = r.msg
    assert (m.op, m.xid, m.ciaddr, m.yiaddr, m.siaddr, m.giaddr) == (
        2,
        7,
        "0.0.0.0",
        "0.0.0.0",
        "0.0.0.0",
        "0.0.0.0",
    )
    o = opts_of(r)
    assert set(o) == {53, 54, 56} and o[53] == bytes([N])
    assert (r.eth_dst, r.ip_dst) == ("ff:ff:ff:ff:ff:ff", "255.255.255.255")
    assert not out.changes


def test_init_reboot():
    srv = server()
    ip, _ = dora(srv)
    ok = srv.handle(client_msg(R, requested=ip), origin(), T0 + 100)
    assert opts_of(ok.reply)[53] == bytes([A]) and ok.changes[0].action == "renewed"
    assert ok.changes[0].lease.expires_at == T0 + 100 + 3600
    wrong_net = srv.handle(client_msg(R, requested="192.168.1.5"), origin(), T0 + 100)
    assert opts_of(wrong_net.reply)[53] == bytes([N])
    wrong_addr = srv.handle(client_msg(R, requested="10.0.0.102"), origin(), T0 + 100)
    assert opts_of(wrong_addr.reply)[53] == bytes([N])
    # Unknown client: silent (§4.3.2) ...
    unknown = srv.handle(client_msg(R, mac=MAC2, requested="10.0.0.103"), origin(mac=MAC2), T0)
    assert unknown.reply is None
    # ... unless it asks for an address someone else holds.
    taken = srv.handle(client_msg(R, mac=MAC2, requested=ip), origin(mac=MAC2), T0)
    assert opts_of(taken.reply)[53] == bytes([N])


def test_renewing_unicast_and_rebinding():
    srv = server()
    ip, _ = dora(srv)
    renew = srv.handle(client_msg(R, ciaddr=ip), origin(ip_src=ip, ip_dst=SERVER), T0 + 1800)
    r = renew.reply
    assert opts_of(r)[53] == bytes([A])
    assert (r.msg.ciaddr, r.msg.yiaddr) == (ip, ip)
    assert (r.eth_dst, r.ip_dst, r.udp_dst) == (MAC1, ip, 68)  # unicast to ciaddr
    assert renew.durable and renew.changes[0].action == "renewed"
    assert renew.changes[0].lease.started_at == T0
    rebind = srv.handle(client_msg(R, ciaddr=ip, flags=0x8000), origin(), T0 + 3200)
    assert opts_of(rebind.reply)[53] == bytes([A])
    assert rebind.reply.ip_dst == ip  # ciaddr wins over the broadcast bit (§4.1)
    # Someone else's address: NAK.  An address we know nothing about: silence.
    other = srv.handle(client_msg(R, mac=MAC2, ciaddr=ip), origin(mac=MAC2), T0 + 3200)
    assert opts_of(other.reply)[53] == bytes([N])
    stray = srv.handle(client_msg(R, mac=MAC2, ciaddr="10.0.0.77"), origin(mac=MAC2), T0)
    assert stray.reply is None


def test_lease_expires_and_late_renewal_of_a_still_free_address():
    srv = server()
    ip, _ = dora(srv)
    assert srv.tick(T0 + 3599) == []
    [c] = srv.tick(T0 + 3600)
    assert c.action == "expired" and c.lease.ip == ip
    assert srv.db.holder(ip, T0 + 3600) is None
    late = srv.handle(client_msg(R, ciaddr=ip), origin(), T0 + 4000)
    assert opts_of(late.reply)[53] == bytes([A]) and late.changes[0].action == "granted"


def test_release_remembers_the_address_for_the_client():
    srv = server()
    ip, _ = dora(srv)
    out = srv.handle(client_msg(REL, ciaddr=ip, server_id=SERVER), origin(), T0 + 10)
    assert out.reply is None and out.durable and out.changes[0].action == "released"
    # Another client takes the next never-used address, not the released one ...
    assert srv.handle(client_msg(D, mac=MAC2), origin(mac=MAC2), T0 + 11).reply.msg.yiaddr != ip
    # ... and the first client gets its previous address back.
    assert srv.handle(client_msg(D), origin(), T0 + 12).reply.msg.yiaddr == ip
    # A RELEASE from a client that does not hold the address changes nothing.
    ip2, _ = dora(srv, mac=MAC2, now=T0 + 13)
    bogus = srv.handle(client_msg(REL, ciaddr=ip2, server_id=SERVER), origin(), T0 + 14)
    assert bogus.changes == [] and srv.db.holder(ip2, T0 + 14).mac == MAC2


def test_decline_quarantines_the_address():
    srv = server({**LAB, "decline_quarantine": 300})
    ip, _ = dora(srv)
    out = srv.handle(client_msg(DEC, requested=ip, server_id=SERVER), origin(), T0 + 1)
    assert out.reply is None and out.changes[0].action == "declined" and out.durable
    nxt = srv.handle(client_msg(D), origin(), T0 + 2).reply.msg.yiaddr
    assert nxt != ip
    assert srv.db.holder(ip, T0 + 2).state == "declined"
    srv.tick(T0 + 302)
    assert srv.db.holder(ip, T0 + 302) is None


def test_inform_acks_configuration_only():
    srv = server()
    out = srv.handle(client_msg(INF, ciaddr="10.0.0.7"), origin(ip_src="10.0.0.7"), T0)
    r = out.reply
    o = opts_of(r)
    assert o[53] == bytes([A]) and 51 not in o and 58 not in o and o[3]
    assert (r.msg.ciaddr, r.msg.yiaddr) == ("10.0.0.7", "0.0.0.0")
    assert (r.eth_dst, r.ip_dst) == (MAC1, "10.0.0.7")
    assert out.changes == [] and not out.durable


def test_relayed_discover_is_answered_to_the_relay_and_pool_chosen_by_giaddr():
    settings = {
        "pools": [
            LAB["pools"][0],
            {"name": "far", "subnet": "10.9.0.0/24", "ranges": [["10.9.0.10", "10.9.0.20"]]},
        ]
    }
    srv = server(settings)
    relay_mac = "02:00:00:00:99:01"
    msg = client_msg(D, giaddr="10.9.0.1")
    r = srv.handle(msg, origin(mac=relay_mac, ip_src="10.9.0.1"), T0).reply
    assert r.msg.yiaddr == "10.9.0.10" and r.msg.giaddr == "10.9.0.1"
    assert (r.eth_dst, r.ip_dst, r.udp_dst) == (relay_mac, "10.9.0.1", 67)
    assert r.server_ip == "10.9.0.254"
    nak = srv.handle(
        client_msg(R, giaddr="10.9.0.1", requested="10.9.0.15", server_id="10.9.0.254"),
        origin(mac=relay_mac),
        T0,
    ).reply
    assert opts_of(nak)[53] == bytes([N]) and nak.msg.flags & 0x8000 and nak.ip_dst == "10.9.0.1"
    # A relay on no configured subnet: no answer.
    out = srv.handle(client_msg(D, giaddr="172.16.0.1"), origin(mac=relay_mac), T0)
    assert out.reply is None and "no pool" in out.dropped


def test_pool_chosen_by_switch_port_and_vlan():
    settings = {
        "pools": [
            {"name": "v10", "subnet": "10.10.0.0/24", "vlans": [10]},
            {"name": "p3", "subnet": "10.3.0.0/24", "ports": ["1:3"]},
            {"name": "rest", "subnet": "10.0.0.0/24"},
        ]
    }
    srv = server(settings)
    assert srv.handle(client_msg(D), origin(vlan=10), T0).reply.msg.yiaddr.startswith("10.10.")
    assert srv.handle(client_msg(D, mac=MAC2), origin(port=3, mac=MAC2), T0).reply.vlan is None
    m3 = "00:00:00:00:00:03"
    assert (
        srv.handle(client_msg(D, mac=m3), origin(port=3, mac=m3), T0).reply.server_ip
        == "10.3.0.254"
    )
    m4 = "00:00:00:00:00:04"
    assert (
        srv.handle(client_msg(D, mac=m4), origin(port=4, mac=m4), T0).reply.server_ip
        == "10.0.0.254"
    )


def test_client_identifier_identifies_the_client_not_chaddr():
    srv = server()
    cid = b"\xffclient-a"
    ip, _ = dora(srv, client_id=cid)
    # Same client id from another NIC: same lease.
    off = srv.handle(client_msg(D, mac=MAC2, client_id=cid), origin(mac=MAC2), T0 + 1).reply
    assert off.msg.yiaddr == ip
    # Same chaddr without the client id: a different client.
    off2 = srv.handle(client_msg(D), origin(), T0 + 1).reply
    assert off2.msg.yiaddr != ip


def test_reservations_by_mac_and_client_id():
    pool = dict(LAB["pools"][0])
    pool["reservations"] = [
        {"mac": MAC2, "ip": "10.0.0.50"},
        {"client_id": "ff:63:69:64", "ip": "10.0.0.100"},
    ]
    srv = server({"pools": [pool]})
    assert srv.handle(client_msg(D, mac=MAC2), origin(mac=MAC2), T0).reply.msg.yiaddr == "10.0.0.50"
    # .100 is reserved: an ordinary client never gets it, even by asking.
    off = srv.handle(client_msg(D, requested="10.0.0.100"), origin(), T0).reply
    assert off.msg.yiaddr == "10.0.0.102"
    m3 = "00:00:00:00:00:03"
    off = srv.handle(client_msg(D, mac=m3, client_id=b"\xffcid"), origin(mac=m3), T0).reply
    assert off.msg.yiaddr == "10.0.0.100"


def test_exhaustion_gives_no_offer_and_is_counted():
    srv = server()
    got = {dora(srv, mac=f"00:00:00:00:01:{i:02x}")[0] for i in range(3)}
    assert got == {"10.0.0.100", "10.0.0.102", "10.0.0.103"}
    out = srv.handle(client_msg(D, mac=MAC2), origin(mac=MAC2), T0)
    assert out.reply is None and "no free address" in out.dropped
    assert srv.counters["exhausted"] == 1


def test_rate_limits_stop_one_mac_and_one_port_but_not_a_normal_client():
    srv = server({**LAB, "rate_limit": {"mac_burst": 5, "mac_per_second": 0.5}})
    # A normal client: DORA plus a few retransmissions a minute.
    for k in range(30):
        out = srv.handle(client_msg(D, xid=k), origin(), T0 + 4 * k)
        assert out.reply is not None, k
    flood = [srv.handle(client_msg(D, xid=k), origin(), T0 + 200) for k in range(20)]
    assert sum(o.reply is not None for o in flood) == 5
    assert "one client MAC" in flood[-1].dropped
    srv = server({**LAB, "rate_limit": {"port_burst": 10, "port_per_second": 1}})
    macs = [f"00:00:00:00:02:{i:02x}" for i in range(30)]
    outs = [srv.handle(client_msg(D, mac=m), origin(mac=m), T0) for m in macs]
    assert sum(o.dropped == "rate limit for one switch port exceeded" for o in outs) == 20


def test_max_leases_per_port():
    pool = dict(LAB["pools"][0], ranges=[["10.0.0.10", "10.0.0.60"]])
    srv = server({"pools": [pool], "rate_limit": {"max_leases_per_port": 3}})
    for i in range(3):
        ip, ack = dora(srv, mac=f"00:00:00:00:03:{i:02x}")
        assert ack.changes
    out = srv.handle(client_msg(D, mac=MAC2), origin(mac=MAC2), T0)
    assert out.reply is None and "port already holds 3 leases" in out.dropped
    # Another port is unaffected; a client with a lease on the full port still renews.
    assert srv.handle(client_msg(D, mac=MAC2), origin(port=2, mac=MAC2), T0).reply
    again = srv.handle(client_msg(D, mac="00:00:00:00:03:00"), origin(mac="00:00:00:00:03:00"), T0)
    assert again.reply is not None


@pytest.mark.parametrize(
    "msg, reason",
    [
        (dhcp.dhcp(op=2, chaddr=MAC1, options=dhcp.options([])), "not a BOOTREQUEST"),
        (dhcp.dhcp(op=1, chaddr=MAC1, options=None), "BOOTP"),
        (dhcp.dhcp(op=1, chaddr=MAC1, options=dhcp.options([])), "no message type"),
        (dhcp.dhcp(op=1, chaddr=b"\x01\x02", htype=6, options=dhcp.options([])), "Ethernet"),
        (client_msg(D, client_id=b"\x01"), "shorter than 2"),
        (client_msg(dhcp.DHCP_OFFER), "not a client message"),
        (client_msg(R), "neither server identifier"),
    ],
)
def test_malformed_messages_are_dropped_with_a_reason(msg, reason):
    out = server().handle(msg, origin(), T0)
    assert out.reply is None and reason in out.dropped and out.malformed


def test_bad_option_value_is_a_drop_not_an_exception():
    msg = client_msg(D)
    msg.options.option_list.append(dhcp.option(dhcp.DHCP_REQUESTED_IP_ADDR_OPT, b"\x01\x02"))
    out = server().handle(msg, origin(), T0)
    assert out.reply is None and "bad option value" in out.dropped


def test_revoke():
    srv = server()
    ip, _ = dora(srv)
    c = srv.revoke(ip, T0 + 5)
    assert c.action == "revoked" and srv.db.holder(ip, T0 + 5) is None
    assert srv.revoke(ip, T0 + 6) is None


def test_bindings_survive_a_restart_offers_do_not(tmp_path):
    store = JournalStore(tmp_path)
    srv = server(store=store)
    ip, _ = dora(srv)
    ip2, _ = dora(srv, mac=MAC2)
    srv.handle(client_msg(REL, mac=MAC2, ciaddr=ip2), origin(mac=MAC2), T0 + 1)
    offered = srv.handle(client_msg(D, mac="00:00:00:00:00:09"), origin(), T0 + 1).reply.msg.yiaddr
    store.close()
    store = JournalStore(tmp_path)
    srv = server(store=store)
    assert srv.db.holder(ip, T0 + 2).mac == MAC1
    assert srv.db.holder(offered, T0 + 2) is None
    # The released client still gets its address back after the restart.
    assert srv.handle(client_msg(D, mac=MAC2), origin(mac=MAC2), T0 + 3).reply.msg.yiaddr == ip2
    # And the lease expires on time although the process restarted.
    assert [c.lease.ip for c in srv.tick(T0 + 3600)] == [ip]
    store.close()


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"pools": [{"subnet": "10.0.0.0/33"}]}, "pools[0].subnet"),
        ({"pools": [{"ranges": [["10.0.0.5", "10.1.0.5"]]}]}, "pools[0].ranges[0]"),
        ({"pools": [{"lease_time": 5}]}, "pools[0].lease_time"),
        ({"pools": [{"router": "x"}]}, "pools[0].router"),
        ({"pools": [{"bogus": 1}]}, "unknown setting 'bogus'"),
        ({"pools": [{"reservations": [{"ip": "10.0.0.9"}]}]}, "pools[0].reservations[0]"),
        ({"trusted_ports": ["nope"]}, "trusted_ports[0]"),
        ({"rate_limit": {"mac_burst": 0}}, "rate_limit.mac_burst"),
        ({"offer_hold": "long"}, "offer_hold"),
        ({"pools": [{"name": "a"}, {"name": "a", "subnet": "10.1.0.0/24"}]}, "pools[1].name"),
        ({"pools": [{"name": "a"}, {"name": "b"}]}, "overlaps"),
    ],
)
def test_bad_settings_name_the_key(settings, key):
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        ServerConfig(settings)


def test_default_configuration_is_the_documented_lab_pool():
    cfg = ServerConfig({})
    [p] = cfg.pools
    assert (str(p.network), p.server_ip, p.size(), p.lease_time) == (
        "10.0.0.0/24",
        SERVER,
        100,
        3600,
    )
    assert cfg.trusted_ports == set()
