"""ARP responder engine: RFC 826 answers, RFC 5227 probes/announcements, gratuitous ARP,
spoofing conflicts, DHCP leases, aging with an injected clock, bounds, malformed frames."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctrlapp.exception import ConfigError
from ctrlapp.lib.packet import arp, ethernet, packet, vlan
from ctrlapp.services.arp.bindings import DHCP, LEARNED, STATIC, Binding
from ctrlapp.services.arp.responder import (
    BAD_OPCODE,
    GROUP_SENDER,
    NOT_ARP,
    NOT_IPV4,
    SHORT,
    ArpResponder,
    FlowChange,
    ResponderConfig,
)

H1, H1_IP = "00:00:00:00:00:01", "10.0.0.1"
H2, H2_IP = "00:00:00:00:00:02", "10.0.0.2"
GW, GW_IP = "02:00:00:00:00:fe", "10.0.0.254"
EVIL = "66:66:66:66:66:66"
ZERO_MAC = "00:00:00:00:00:00"


def arp_frame(op, sha, spa, tpa, tha=ZERO_MAC, eth_dst="ff:ff:ff:ff:ff:ff", vid=None):
    """An ARP frame built with the packet library (independent of the engine's byte code)."""
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet(eth_dst, sha, 0x8100 if vid is not None else 0x0806))
    if vid is not None:
        p.add_protocol(vlan.vlan(0, 0, vid, 0x0806))
    p.add_protocol(arp.arp(opcode=op, src_mac=sha, src_ip=spa, dst_mac=tha, dst_ip=tpa))
    p.serialize()
    return bytes(p.data)


def request(sha, spa, tpa, **kw):
    return arp_frame(arp.ARP_REQUEST, sha, spa, tpa, **kw)


def expected_reply(owner_mac, owner_ip, requester_mac, requester_ip, vid=None):
    return arp_frame(
        arp.ARP_REPLY,
        owner_mac,
        owner_ip,
        requester_ip,
        tha=requester_mac,
        eth_dst=requester_mac,
        vid=vid,
    )


def engine(**settings):
    return ArpResponder(ResponderConfig(settings))


def gateway(**extra):
    return engine(static=[{"ip": GW_IP, "mac": GW, **extra}])


# -- RFC 826 answers ------------------------------------------------------------------------


def test_static_request_answered_byte_exact():
    e = gateway()
    out = e.handle(1, 3, request(H1, H1_IP, GW_IP), 0.0)
    assert out.reply == expected_reply(GW, GW_IP, H1, H1_IP)
    assert len(out.reply) == 60 and not out.forward
    # Independently decoded: opcode 2, sender = binding, target = requester.
    a = packet.Packet(out.reply).get_protocol(arp.arp)
    assert (a.opcode, a.src_mac, a.src_ip, a.dst_mac, a.dst_ip) == (2, GW, GW_IP, H1, H1_IP)


def test_tagged_request_gets_tagged_reply():
    e = gateway(vlan=10)
    out = e.handle(1, 3, request(H1, H1_IP, GW_IP, vid=10), 0.0)
    assert out.reply == expected_reply(GW, GW_IP, H1, H1_IP, vid=10)
    # Not in VLAN 20 nor untagged.
    assert e.handle(1, 3, request(H1, H1_IP, GW_IP, vid=20), 0.0).reply is None
    assert e.handle(1, 3, request(H1, H1_IP, GW_IP), 0.0).forward


def test_unanswerable_request_goes_on_to_forwarding():
    e = gateway()
    out = e.handle(1, 1, request(H1, H1_IP, "10.0.0.77"), 0.0)
    assert out.reply is None and out.forward


def test_replies_are_not_answered_and_go_on():
    e = gateway()
    out = e.handle(1, 1, arp_frame(arp.ARP_REPLY, H1, H1_IP, GW_IP, tha=GW, eth_dst=GW), 0.0)
    assert out.reply is None and out.forward


def test_scope_per_switch_and_precedence():
    e = engine(
        static=[
            {"ip": GW_IP, "mac": GW},
            {"ip": GW_IP, "mac": "02:00:00:00:00:02", "dpid": 2},
            {"ip": GW_IP, "mac": "02:00:00:00:00:03", "dpid": "0000000000000003", "vlan": 5},
        ]
    )
    src = packet.Packet

    def answer(dpid, vid=None):
        out = e.handle(dpid, 1, request(H1, H1_IP, GW_IP, vid=vid), 0.0)
        return src(out.reply).get_protocol(arp.arp).src_mac

    assert answer(1) == GW
    assert answer(2) == "02:00:00:00:00:02"
    assert answer(3, vid=5) == "02:00:00:00:00:03"
    assert answer(3, vid=6) == GW
    keys = e.answer_keys(3)
    assert FlowChange(True, 3, 5, GW_IP) in keys and FlowChange(True, None, None, GW_IP) in keys
    assert all(k.dpid != 2 for k in keys)


def test_host_asking_for_its_own_address_is_not_answered():
    e = gateway()
    out = e.handle(1, 1, request(GW, "10.0.0.9", GW_IP), 0.0)
    assert out.reply is None and out.forward


# -- learning, gratuitous ARP, RFC 5227 ------------------------------------------------------


def test_learns_from_requests_and_answers_proxy():
    e = engine()
    out = e.handle(1, 2, request(H2, H2_IP, H1_IP), 10.0)
    assert out.forward and out.reply is None
    assert out.flows == [FlowChange(True, None, 0, H2_IP)]
    b = out.learned
    assert (b.ip, b.mac, b.source, b.seen_dpid, b.seen_port) == (H2_IP, H2, LEARNED, 1, 2)
    out = e.handle(1, 1, request(H1, H1_IP, H2_IP), 11.0)
    assert out.reply == expected_reply(H2, H2_IP, H1, H1_IP)


def test_no_proxy_learns_but_does_not_answer():
    e = engine(proxy_arp=False)
    assert e.handle(1, 2, request(H2, H2_IP, H1_IP), 0.0).flows == []
    out = e.handle(1, 1, request(H1, H1_IP, H2_IP), 0.0)
    assert out.reply is None and out.forward
    assert [b.ip for b in e.bindings()] == [H2_IP, H1_IP]


def test_learning_off():
    e = engine(learn=False)
    e.handle(1, 2, request(H2, H2_IP, H1_IP), 0.0)
    assert e.bindings() == []


def test_rfc5227_probe_is_not_learned():
    e = engine()
    out = e.handle(1, 1, request(H1, "0.0.0.0", H1_IP), 0.0)
    assert out.learned is None and out.forward and e.bindings() == []


def test_rfc5227_probe_for_a_taken_address_is_answered():
    e = gateway()
    out = e.handle(1, 1, request(H1, "0.0.0.0", GW_IP), 0.0)
    # RFC 5227 2.1.1: the reply tells the prober the address is in use.
    assert out.reply == expected_reply(GW, GW_IP, H1, "0.0.0.0")


def test_probe_by_the_owner_itself_is_left_alone():
    e = engine()
    e.lease("granted", H1_IP, H1, None, 1, 1, 1000.0, 0.0)
    out = e.handle(1, 1, request(H1, "0.0.0.0", H1_IP), 1.0)
    assert out.reply is None and out.forward and out.conflict is None


def test_announcement_and_gratuitous_arp_update_learned_entries():
    e = engine()
    e.handle(1, 1, request(H1, H1_IP, H2_IP), 0.0)
    # RFC 5227 announcement (request, sender IP = target IP) from a new MAC (e.g. failover).
    new = "00:00:00:00:00:11"
    out = e.handle(1, 4, request(new, H1_IP, H1_IP), 5.0)
    assert out.reply is None and out.forward and out.conflict is None
    assert out.flows == []  # same address, same flow; only the answer changed
    [b] = e.bindings()
    assert (b.mac, b.seen_port, b.expires_at) == (new, 4, 305.0)
    # Gratuitous reply form too.
    gr = arp_frame(arp.ARP_REPLY, H1, H1_IP, H1_IP, tha="ff:ff:ff:ff:ff:ff")
    e.handle(1, 1, gr, 6.0)
    assert e.bindings()[0].mac == H1
    assert e.counters["learned bindings changed MAC"] == 2
    out = e.handle(1, 2, request(H2, H2_IP, H1_IP), 7.0)
    assert packet.Packet(out.reply).get_protocol(arp.arp).src_mac == H1


# -- spoofing defence ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "frame",
    [
        request(EVIL, GW_IP, GW_IP),  # gratuitous request / announcement
        arp_frame(arp.ARP_REPLY, EVIL, GW_IP, H1_IP, tha=H1, eth_dst=H1),  # forged reply
        request(EVIL, GW_IP, H1_IP),  # request claiming the address
    ],
)
def test_claims_of_a_static_address_are_conflicts(frame):
    e = gateway()
    out = e.handle(1, 5, frame, 0.0)
    assert out.conflict is not None and "statically bound" in out.conflict
    assert EVIL in out.conflict and GW_IP in out.conflict
    assert out.reply is None and not out.forward and out.learned is None
    [b] = e.bindings()
    assert b.mac == GW
    assert e.counters["conflicts"] == 1


def test_claims_of_a_leased_address_are_conflicts_and_the_owner_refreshes():
    e = engine()
    e.lease("granted", H1_IP, H1, None, 1, 2, 1000.0, 0.0)
    out = e.handle(1, 5, request(EVIL, H1_IP, H1_IP), 1.0)
    assert "leased to 00:00:00:00:00:01" in out.conflict
    out = e.handle(1, 3, request(H1, H1_IP, H2_IP), 2.0)
    assert out.conflict is None
    [b] = e.bindings()
    assert (b.source, b.mac, b.seen_port) == (DHCP, H1, 3)


def test_group_sender_ignored():
    out = engine().handle(1, 1, request("01:00:5e:00:00:01", H1_IP, H2_IP), 0.0)
    assert out.ignored == GROUP_SENDER and not out.forward


# -- DHCP leases -----------------------------------------------------------------------------


def test_lease_life_cycle_and_flows():
    e = engine()
    e.handle(1, 1, request(EVIL, H1_IP, H2_IP), 0.0)  # learned before the lease
    out = e.lease("granted", H1_IP, H1, None, 1, 2, 100.0, 1.0)
    # The learned binding in the same scope is replaced; its flow key stays.
    assert out.flows == []
    [b] = e.bindings()
    assert (b.source, b.mac, b.vlan, b.expires_at) == (DHCP, H1, 0, 100.0)
    out = e.lease("renewed", H1_IP, H1, None, 1, 2, 200.0, 50.0)
    assert e.bindings()[0].expires_at == 200.0
    assert e.lease("released", H1_IP, "00:00:00:00:00:99", None, 1, 2, 60.0, 60.0).flows == []
    out = e.lease("released", H1_IP, H1, None, 1, 2, 60.0, 60.0)
    assert out.flows == [FlowChange(False, None, 0, H1_IP)] and e.bindings() == []


def test_lease_in_a_vlan_and_expiry_by_tick():
    e = engine()
    out = e.lease("granted", H1_IP, H1, 7, 1, 2, 100.0, 0.0)
    assert out.flows == [FlowChange(True, None, 7, H1_IP)]
    assert e.tick(99.9) == []
    assert e.tick(100.0) == [FlowChange(False, None, 7, H1_IP)]


def test_lease_of_a_static_address_to_another_mac_is_a_conflict():
    e = gateway()
    out = e.lease("granted", GW_IP, H1, None, 1, 2, 100.0, 0.0)
    assert "statically bound" in out.conflict and len(e.bindings()) == 1


def test_leases_ignored_when_disabled():
    e = engine(use_dhcp_leases=False)
    assert e.lease("granted", H1_IP, H1, None, 1, 2, 100.0, 0.0).flows == []
    assert e.bindings() == []


# -- aging and bounds ------------------------------------------------------------------------


def test_learned_entries_age_out_unless_refreshed():
    e = engine(learned_ttl=60)
    e.handle(1, 1, request(H1, H1_IP, GW_IP), 0.0)
    e.handle(1, 2, request(H2, H2_IP, GW_IP), 10.0)
    e.handle(1, 1, request(H1, H1_IP, GW_IP), 30.0)  # refresh
    assert e.tick(69.9) == []
    assert e.tick(70.0) == [FlowChange(False, None, 0, H2_IP)]
    assert e.tick(89.9) == []
    assert e.tick(90.0) == [FlowChange(False, None, 0, H1_IP)]
    assert e.counters["learned bindings aged out"] == 2


def test_learned_entries_are_bounded():
    e = engine(max_learned=2)
    for i in range(1, 5):
        e.handle(1, 1, request(f"00:00:00:00:01:{i:02x}", f"10.0.1.{i}", GW_IP), float(i))
    assert sorted(b.ip for b in e.bindings()) == ["10.0.1.3", "10.0.1.4"]
    assert e.counters["learned bindings evicted"] == 2


def test_static_replaces_learned_and_remove():
    e = engine()
    e.handle(1, 1, request(H1, H1_IP, GW_IP), 0.0)
    flows = e.add_static(Binding(H1_IP, "02:00:00:00:00:aa", STATIC))
    assert flows == [FlowChange(False, None, 0, H1_IP), FlowChange(True, None, None, H1_IP)]
    # Now the old MAC's claim is a conflict.
    assert e.handle(1, 1, request(H1, H1_IP, GW_IP), 1.0).conflict is not None
    gone, flows = e.remove(H1_IP)
    assert [b.source for b in gone] == [STATIC]
    assert flows == [FlowChange(False, None, None, H1_IP)]
    assert e.remove(H1_IP) == ([], [])


# -- malformed input -------------------------------------------------------------------------


def test_malformed_frames_are_ignored_with_a_reason():
    e = gateway()
    good = request(H1, H1_IP, GW_IP)
    assert e.handle(1, 1, good[:20], 0.0).ignored == SHORT
    assert e.handle(1, 1, good[:13], 0.0).ignored == SHORT
    assert e.handle(1, 1, good[:12] + b"\x81\x00\x00", 0.0).ignored == SHORT
    assert e.handle(1, 1, good[:12] + b"\x08\x00" + good[14:], 0.0).ignored == NOT_ARP
    bad_op = bytearray(good)
    bad_op[21] = 3
    assert e.handle(1, 1, bytes(bad_op), 0.0).ignored == BAD_OPCODE
    ipv6ish = bytearray(good)
    ipv6ish[19] = 16
    assert e.handle(1, 1, bytes(ipv6ish), 0.0).ignored == NOT_IPV4


@given(st.binary(max_size=80))
def test_random_bytes_never_raise(data):
    e = gateway()
    out = e.handle(1, 1, data, 0.0)
    assert out.reply is None or len(out.reply) == 60


_BASE = {False: request(H1, H1_IP, GW_IP), True: request(H1, H1_IP, GW_IP, vid=1)}
_REPLY = {
    False: expected_reply(GW, GW_IP, H1, H1_IP),
    True: expected_reply(GW, GW_IP, H1, H1_IP, 1),
}


@pytest.mark.parametrize("tagged", [False, True])
def test_every_single_byte_mutation_never_raises_and_replies_stay_well_formed(tagged):
    """Exhaustive: each byte of the header part set to each value (46 x 256 frames)."""
    e = engine(static=[{"ip": GW_IP, "mac": GW, "vlan": 1 if tagged else 0}], learn=False)
    for pos, value in ((p, v) for p in range(46) for v in range(256)):
        frame = bytearray(_BASE[tagged])
        frame[pos] = value
        out = e.handle(1, 1, bytes(frame), 0.0)
        if out.reply is None:
            continue
        # Only the requester's fields (and the tag's priority bits) can differ from the
        # expected answer.
        want = _REPLY[tagged]
        off = 18 if tagged else 14
        assert out.reply[:6] == frame[off + 8 : off + 14]
        assert out.reply[6:12] == want[6:12] and out.reply[12:off] == frame[12:off]
        assert out.reply[off : off + 18] == want[off : off + 18]
        assert out.reply[off + 18 : off + 28] == frame[off + 8 : off + 18]
        assert out.reply[off + 28 :] == want[off + 28 :] and len(out.reply) == 60


_FRAMES = [
    (sha, spa, arp_frame(op, sha, spa, tpa))
    for sha in (H1, H2, EVIL, GW)
    for spa in ("0.0.0.0", H1_IP, H2_IP, GW_IP)
    for tpa in (H1_IP, H2_IP, GW_IP)
    for op in (1, 2)
]


@settings(max_examples=min(settings().max_examples, 1000))
@given(st.lists(st.sampled_from(_FRAMES), max_size=30), st.floats(0.5, 400.0))
def test_flow_changes_track_answerable_bindings(seq, step):
    """Replaying the flow changes always yields exactly the answer keys (nothing leaks)."""
    e = engine(static=[{"ip": GW_IP, "mac": GW}], learned_ttl=300, max_learned=2)
    installed = {(k.dpid, k.vlan, k.ip) for k in e.answer_keys(1)}
    for i, (sha, spa, frame) in enumerate(seq):
        now = i * step
        out = e.handle(1, 1, frame, now)
        for f in out.flows + e.tick(now):
            key = (f.dpid, f.vlan, f.ip)
            assert (key in installed) != f.add
            (installed.add if f.add else installed.discard)(key)
        assert installed == {(k.dpid, k.vlan, k.ip) for k in e.answer_keys(1)}
        assert all(b.mac == GW for b in e.bindings() if b.ip == GW_IP)
        assert sum(b.source == LEARNED for b in e.bindings()) <= 2
        if spa not in ("0.0.0.0", GW_IP) and out.ignored is None:
            # The latest claim of a non-static address is what the table holds.
            assert [b.mac for b in e.bindings() if b.ip == spa] == [sha]


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"static": [{"ip": "10.0.0.300", "mac": GW}]}, r"static\[0\]\.ip"),
        ({"static": [{"ip": GW_IP, "mac": "zz"}]}, r"static\[0\]\.mac"),
        ({"static": [{"ip": GW_IP, "mac": "01:00:00:00:00:01"}]}, r"static\[0\]\.mac"),
        ({"static": [{"ip": GW_IP}]}, r"static\[0\]\.mac is missing"),
        ({"static": [{"ip": GW_IP, "mac": GW, "vlan": 5000}]}, r"static\[0\]\.vlan"),
        ({"static": [{"ip": GW_IP, "mac": GW, "dpid": "xyz"}]}, r"static\[0\]\.dpid"),
        ({"static": [{"ip": GW_IP, "mac": GW, "port": 1}]}, r"static\[0\]\.port"),
        ({"static": [{"ip": GW_IP, "mac": GW}, {"ip": GW_IP, "mac": H1}]}, r"static\[1\]"),
        ({"static": {"ip": GW_IP}}, "static"),
        ({"learn": "yes"}, "learn"),
        ({"learned_ttl": 0}, "learned_ttl"),
        ({"max_learned": -1}, "max_learned"),
        ({"proxy": True}, "'proxy'"),
    ],
)
def test_bad_settings_name_the_key(settings, key):
    with pytest.raises(ConfigError, match=key):
        ResponderConfig(settings)


def test_defaults():
    c = ResponderConfig()
    assert (c.learn, c.proxy_arp, c.use_dhcp_leases, c.learned_ttl, c.max_learned, c.static) == (
        True,
        True,
        True,
        300.0,
        4096,
        [],
    )


@settings(max_examples=min(settings().max_examples, 500))
@given(
    st.binary(min_size=6, max_size=6).filter(lambda m: not m[0] & 1),
    st.binary(min_size=4, max_size=4),
    st.one_of(st.none(), st.integers(1, 4094)),
)
def test_reply_is_what_the_packet_library_builds(sha, spa, vid):
    """Any requester, tagged or not: the reply equals the packet library's encoding of it,
    and decoding then re-encoding it reproduces its bytes."""
    e = engine(static=[{"ip": GW_IP, "mac": GW, "vlan": vid or 0}])
    mac, ip = sha.hex(":"), ".".join(str(b) for b in spa)
    out = e.handle(1, 1, request(mac, ip, GW_IP, vid=vid), 0.0)
    if mac == GW or ip == GW_IP:
        assert out.reply is None
        return
    assert out.reply == expected_reply(GW, GW_IP, mac, ip, vid=vid)
    p = packet.Packet(out.reply)
    again = packet.Packet()
    for proto in p.protocols:
        again.add_protocol(proto)
    again.serialize()
    assert bytes(again.data) == out.reply
