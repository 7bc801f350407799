"""apps/arp_responder.py (with apps/l2_switch.py and apps/dhcp_server.py where the test says so)
against the switch emulator: real OpenFlow over TCP, in-process."""

import functools
import ipaddress
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctrlapp.base import app_manager
from ctrlapp.controller import ofp_event
from ctrlapp.exception import AppLoadError
from ctrlapp.lib import hub
from ctrlapp.lib.packet import arp, packet
from ctrlapp.testing.app_harness import AppHarness, OfflineDatapath
from ctrlapp.testing.dhcp_client import DhcpClient

ARP_APP = "apps/arp_responder.py"
L2_APP = "apps/l2_switch.py"
DHCP_APP = "apps/dhcp_server.py"
INTERCEPT, TAP = 0x41525031, 0x41525032
GW, GW_IP = "02:00:00:00:00:fe", "10.0.0.254"
GW2_IP = "10.0.0.253"
H1, H1_IP = "00:00:00:00:00:01", "10.0.0.1"
H2, H2_IP = "00:00:00:00:00:02", "10.0.0.2"
EVIL = "66:66:66:66:66:66"


def mac_bytes(mac):
    return bytes.fromhex(mac.replace(":", ""))


def ip_bytes(ip):
    return ipaddress.IPv4Address(ip).packed


def arp_frame(op, sha, spa, tpa, tha="00:00:00:00:00:00", dst="ff:ff:ff:ff:ff:ff", vid=None):
    """RFC 826 frame written out field by field (not with the code under test)."""
    tag = b"" if vid is None else b"\x81\x00" + vid.to_bytes(2, "big")
    body = (
        b"\x00\x01\x08\x00\x06\x04"
        + op.to_bytes(2, "big")
        + mac_bytes(sha)
        + ip_bytes(spa)
        + mac_bytes(tha)
        + ip_bytes(tpa)
    )
    frame = mac_bytes(dst) + mac_bytes(sha) + tag + b"\x08\x06" + body
    return frame + bytes(60 - len(frame))


STATIC = [
    {"ip": GW_IP, "mac": GW},
    {"ip": GW2_IP, "mac": "02:00:00:00:00:fd", "dpid": 2},
    {"ip": "10.0.5.1", "mac": "02:00:00:00:05:01", "vlan": 5},
]


def vlan_of(frame):
    return (
        (int.from_bytes(frame[14:16], "big") & 0xFFF) | 0x1000 if frame[12:14] == b"\x81\x00" else 0
    )


def matches(fields, frame):
    """Whether a table-0 flow of the kinds these apps install matches ``frame``."""
    off = 16 if frame[12:14] == b"\x81\x00" else 12
    eth_type = int.from_bytes(frame[off : off + 2], "big")
    for k, v in fields.items():
        if k == "eth_type" and v != eth_type:
            return False
        if k == "vlan_vid" and v != vlan_of(frame):
            return False
        if k == "arp_op" and (eth_type != 0x0806 or v != frame[off + 9]):
            return False
        if k == "arp_tpa" and (eth_type != 0x0806 or ip_bytes(v) != frame[off + 26 : off + 30]):
            return False
        if k not in ("eth_type", "vlan_vid", "arp_op", "arp_tpa"):
            return False
    return True


class Net(AppHarness):
    def __init__(self, tmp_path, apps=(ARP_APP,), settings=None, rest=False):
        super().__init__(apps, settings=settings, state_dir=tmp_path / "state", rest=rest)

    @property
    def app(self):
        return self.manager.applications["arp_responder"]

    def switch(self, dpid=1, version=4):
        sw = self.connect(dpid, version)
        if self.app.cfg.learn:
            assert sw.wait(lambda: any(e.cookie == TAP for e in sw.switch.flows.entries))
        return sw

    def deliver(self, sw, frame, port=1, timeout=1.0, expect=True):
        """Run ``frame`` through the installed table 0 as a 1.3 switch would; return PACKET_OUTs.

        The highest-priority matching table-0 entry decides: an entry with an output to
        the controller gives a PACKET_IN with its cookie; one that goes to table 1 gives
        table 1's miss PACKET_IN too.
        """
        before = len(sw.switch.packet_outs)
        if sw.switch.version == 1:
            sw.packet_in(frame, in_port=port)
        else:
            entry = next(
                e for e in sw.switch.flows.table(0) if matches(dict(e.match.items()), frame)
            )
            kinds = {type(i).__name__ for i in entry.instructions}
            if "OFPInstructionActions" in kinds:
                sw.packet_in(frame, in_port=port, table_id=0, cookie=entry.cookie)
            if "OFPInstructionGotoTable" in kinds:
                sw.packet_in(frame, in_port=port, table_id=1, cookie=0)
        if expect:
            sw.wait(lambda: len(sw.switch.packet_outs) > before, timeout)
        else:
            wait_events(self.manager, timeout)
        return sw.switch.packet_outs[before:]


def wait_events(manager, timeout):
    """Let the apps' green threads run for ``timeout`` seconds."""
    hub.sleep(timeout)


def wait_until(cond, timeout=3.0):
    with hub.Timeout(timeout, False):
        while not cond():
            hub.sleep(0.01)
    return cond()


@pytest.fixture
def net(harnesses):
    return functools.partial(harnesses, Net)


def fields(entry):
    return dict(entry.match.items())


def mine(sw, cookie):
    return [e for e in sw.switch.flows.entries if e.cookie == cookie]


@pytest.mark.timeout(30)
def test_flows_installed_on_of13(net):
    n = net(settings={"arp_responder": {"static": STATIC}})
    sw1, sw2 = n.switch(1), n.switch(2)
    [tap] = mine(sw1, TAP)
    assert (tap.table_id, tap.priority, fields(tap)) == (0, 20200, {"eth_type": 0x0806})
    kinds = [type(i).__name__ for i in tap.instructions]
    assert kinds == ["OFPInstructionActions", "OFPInstructionGotoTable"]
    assert tap.instructions[1].table_id == 1
    got = sorted((e.priority, tuple(sorted(fields(e).items()))) for e in mine(sw1, INTERCEPT))
    assert got == [
        (30200, (("arp_op", 1), ("arp_tpa", GW_IP), ("eth_type", 0x0806))),
        (
            30201,
            (("arp_op", 1), ("arp_tpa", "10.0.5.1"), ("eth_type", 0x0806), ("vlan_vid", 0x1005)),
        ),
    ]
    # The switch-2 entry is on switch 2 only.
    assert sorted(fields(e)["arp_tpa"] for e in mine(sw2, INTERCEPT)) == [
        "10.0.0.253",
        "10.0.0.254",
        "10.0.5.1",
    ]
    for e in mine(sw1, INTERCEPT):
        [inst] = e.instructions
        assert [a.port for a in inst.actions] == [sw1.switch.ofproto.OFPP_CONTROLLER]
    # Before installing, the app cleared its old intercepts (a reconnecting switch's).
    mods = [m for m in sw1.switch.received if type(m).__name__ == "OFPFlowMod"]
    first = next(m for m in mods if m.cookie in (INTERCEPT, TAP))
    assert (first.command, first.cookie, first.cookie_mask, first.table_id) == (
        sw1.switch.ofproto.OFPFC_DELETE,
        INTERCEPT,
        2**64 - 1,
        0,
    )
    assert dict(first.match.items()) == {"eth_type": 0x0806, "arp_op": 1}


@pytest.mark.timeout(30)
def test_answered_request_gets_a_byte_exact_reply(net):
    n = net(apps=(ARP_APP, L2_APP), settings={"arp_responder": {"static": STATIC}})
    sw = n.switch()
    req = arp_frame(1, H1, H1_IP, GW_IP)
    [out] = n.deliver(sw, req, port=3)
    assert out.in_port == 3 and [a.port for a in out.actions] == [sw.switch.ofproto.OFPP_IN_PORT]
    assert out.data == bytes.fromhex(
        "000000000001"
        "0200000000fe"
        "0806"  # Ethernet: to the requester, from the binding
        "0001"
        "0800"
        "06"
        "04"
        "0002"  # IPv4 over Ethernet, reply
        "0200000000fe"
        "0a0000fe"  # sender: the binding
        "000000000001"
        "0a000001"  # target: the requester
    ) + bytes(18)
    # Tagged, in the VLAN-scoped binding's VLAN.
    [out] = n.deliver(sw, arp_frame(1, H1, H1_IP, "10.0.5.1", vid=5), port=2)
    a = packet.Packet(out.data).get_protocol(arp.arp)
    assert out.data[12:16] == b"\x81\x00\x00\x05" and len(out.data) == 60
    assert (a.opcode, a.src_mac, a.src_ip, a.dst_mac) == (2, "02:00:00:00:05:01", "10.0.5.1", H1)
    assert n.app.engine.counters["replies"] == 2


@pytest.mark.timeout(30)
def test_unanswerable_request_reaches_the_l2_switch_untouched(net):
    n = net(apps=(ARP_APP, L2_APP), settings={"arp_responder": {"static": STATIC}})
    sw = n.switch()
    req = arp_frame(1, H1, H1_IP, "10.0.0.77")
    outs = n.deliver(sw, req, port=1)
    wait_events(n.manager, 0.2)
    outs = sw.switch.packet_outs
    # One PACKET_OUT: the L2 switch's flood of the original; none from the responder.
    assert [(o.data, [a.port for a in o.actions]) for o in outs] == [
        (req, [sw.switch.ofproto.OFPP_FLOOD])
    ]
    # A request for the gateway from a VLAN it is not bound in goes on as well.
    n.deliver(sw, arp_frame(1, H1, H1_IP, "10.0.5.1", vid=6), port=1)
    wait_events(n.manager, 0.2)
    assert len(sw.switch.packet_outs) == 2
    assert [a.port for a in sw.switch.packet_outs[1].actions] == [sw.switch.ofproto.OFPP_FLOOD]


@pytest.mark.timeout(30)
def test_learning_proxy_answers_and_aging_removes_the_flow(net):
    n = net(apps=(ARP_APP, L2_APP), settings={"arp_responder": {"learned_ttl": 1}})
    sw = n.switch()
    n.deliver(sw, arp_frame(1, H2, H2_IP, H1_IP), port=2)  # tapped: learned, flooded by L2
    assert sw.wait(lambda: [fields(e).get("arp_tpa") for e in mine(sw, INTERCEPT)] == [H2_IP])
    [flow] = mine(sw, INTERCEPT)
    assert fields(flow)["vlan_vid"] == 0  # learned on untagged frames: answered there only
    [out] = n.deliver(sw, arp_frame(1, H1, H1_IP, H2_IP), port=1)
    assert out.data == arp_frame(2, H2, H2_IP, H1_IP, tha=H1, dst=H1)
    entries = n.app.entries(source="learned")
    assert [(e["ip"], e["mac"], e["seen_port"]) for e in entries] == [
        (H1_IP, H1, 1),
        (H2_IP, H2, 2),
    ]
    # H1 was learned from its request too; both age out after a second.
    assert sw.wait(lambda: mine(sw, INTERCEPT) == [], timeout=4.0)
    assert n.app.entries() == []


@pytest.mark.timeout(30)
def test_spoofed_claims_are_refused_counted_and_not_forwarded(net):
    n = net(apps=(ARP_APP, L2_APP), settings={"arp_responder": {"static": STATIC}})
    sw = n.switch()
    # Gratuitous request claiming the gateway: it hits the gateway's intercept flow.
    assert n.deliver(sw, arp_frame(1, EVIL, GW_IP, GW_IP), port=4, expect=False, timeout=0.3) == []
    # Forged reply: tapped (the copy is refused here; the switch forwards the original).
    forged = arp_frame(2, EVIL, GW_IP, H1_IP, tha=H1, dst=H1)
    outs = n.deliver(sw, forged, port=4, expect=False, timeout=0.3)
    assert all(o.data == forged for o in outs)  # only the L2 switch's copy, if any
    assert n.app.stats["conflicting claims refused"] == 2
    assert [(e["ip"], e["mac"]) for e in n.app.entries(ip=GW_IP)] == [(GW_IP, GW)]
    # And the gateway is still answered with its real MAC.
    [out] = n.deliver(sw, arp_frame(1, H1, H1_IP, GW_IP), port=1)
    assert packet.Packet(out.data).get_protocol(arp.arp).src_mac == GW


@pytest.mark.timeout(30)
def test_owner_announcement_is_flooded_on(net):
    n = net(settings={"arp_responder": {"static": STATIC}})
    sw = n.switch()
    ann = arp_frame(1, GW, GW_IP, GW_IP)
    [out] = n.deliver(sw, ann, port=2)
    assert out.data == ann and [a.port for a in out.actions] == [sw.switch.ofproto.OFPP_FLOOD]


@pytest.mark.timeout(60)
def test_three_apps_make_a_network_dhcp_leases_become_proxy_arp(net):
    n = net(apps=(ARP_APP, L2_APP, DHCP_APP))
    sw = n.switch()
    client = DhcpClient("00:00:00:00:77:01")

    def dhcp_send(frame, port):
        before = len(sw.switch.packet_outs)
        sw.packet_in(frame, in_port=port, table_id=0, cookie=0x44484350)
        sw.wait(lambda: len(sw.switch.packet_outs) > before, 3.0)
        return sw.switch.packet_outs[before:]

    [offer] = dhcp_send(client.discover(), 3)
    [ack] = dhcp_send(client.receive(offer.data), 3)
    client.receive(ack.data)
    assert client.state == "BOUND"
    assert wait_until(lambda: n.app.entries(source="dhcp") != [])
    [entry] = n.app.entries(source="dhcp")
    assert (entry["ip"], entry["mac"], entry["seen_port"]) == (client.ip, client.mac, 3)
    assert sw.wait(lambda: any(fields(e).get("arp_tpa") == client.ip for e in mine(sw, INTERCEPT)))
    [out] = n.deliver(sw, arp_frame(1, H1, H1_IP, client.ip), port=1)
    assert out.data == arp_frame(2, client.mac, client.ip, H1_IP, tha=H1, dst=H1)
    # Someone else claiming the leased address is refused.
    n.deliver(sw, arp_frame(1, EVIL, client.ip, client.ip), port=4, expect=False, timeout=0.3)
    assert n.app.stats["conflicting claims refused"] == 1
    # The client's own ARP for the DHCP server goes to the DHCP server (its intercept).
    [out] = n.deliver(sw, arp_frame(1, client.mac, client.ip, "10.0.0.254"), port=3)
    assert packet.Packet(out.data).get_protocol(arp.arp).src_ip == "10.0.0.254"
    # Release: the binding and its flow go.
    dhcp_send(client.release(), 3)
    assert wait_until(lambda: n.app.entries(source="dhcp") == [])
    assert sw.wait(
        lambda: not any(fields(e).get("arp_tpa") == client.ip for e in mine(sw, INTERCEPT))
    )


@pytest.mark.timeout(30)
def test_of10_switch(net):
    n = net(settings={"arp_responder": {"static": STATIC}})
    sw = n.switch(version=1)
    flows = sw.switch.flows.table(0)
    assert sorted(e.priority for e in flows) == [20200, 30200, 30201]
    [out] = n.deliver(sw, arp_frame(1, H1, H1_IP, GW_IP), port=2)
    assert out.data == arp_frame(2, GW, GW_IP, H1_IP, tha=H1, dst=H1)
    # Non-ARP PACKET_INs (every app sees them on 1.0) are none of its business.
    n.deliver(sw, bytes(12) + b"\x08\x00" + bytes(46), port=2, expect=False, timeout=0.2)
    assert n.app.stats == {}


@pytest.mark.timeout(30)
def test_malformed_frames_never_raise(net):
    n = net(settings={"arp_responder": {"static": STATIC}})
    sw = n.switch()
    good = arp_frame(1, H1, H1_IP, GW_IP)
    junk = [b"", good[:5], good[:13], good[:20], good[:12] + b"\x81\x00", bytes(60)]
    bad_op = bytearray(good)
    bad_op[21] = 9
    junk.append(bytes(bad_op))
    for cookie in (INTERCEPT, TAP):
        for j in junk:
            sw.packet_in(j, in_port=1, table_id=0, cookie=cookie)
    wait_events(n.manager, 0.3)
    assert n.app.counters.handler_errors == 0
    assert sum(n.app.stats.values()) == 2 * len(junk)
    assert sw.switch.packet_outs == []
    [out] = n.deliver(sw, good, port=1)
    assert out.data == arp_frame(2, GW, GW_IP, H1_IP, tha=H1, dst=H1)


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"static": [{"ip": "10.0.0.256", "mac": GW}]}, r"static\[0\]\.ip"),
        ({"learned_ttl": -5}, "learned_ttl"),
        ({"proxy_arp": 1}, "proxy_arp"),
        ({"answer": True}, "answer"),
    ],
)
def test_bad_settings_name_the_key(tmp_path, settings, key):
    m = app_manager.AppManager(app_settings={"arp_responder": settings}, state_dir=tmp_path)
    m.load_apps([ARP_APP])
    with pytest.raises(AppLoadError, match=key):
        m.instantiate_apps()
    m.close()


@pytest.mark.timeout(60)
def test_rest_with_a_real_http_client(net, tmp_path):
    n = net(rest=True, settings={"arp_responder": {"static": STATIC}})
    sw = n.switch()
    n.deliver(sw, arp_frame(1, H2, H2_IP, GW_IP), port=2)
    status, entries = n.http("GET", "/v1/arp/entries")
    assert status == 200
    assert [(e["ip"], e["source"]) for e in entries] == [
        (H2_IP, "learned"),
        (GW2_IP, "static"),
        (GW_IP, "static"),
        ("10.0.5.1", "static"),
    ]
    assert [e["ip"] for e in n.http("GET", "/v1/arp/entries?source=learned")[1]] == [H2_IP]
    assert [e["ip"] for e in n.http("GET", f"/v1/arp/entries?mac={GW.upper()}")[1]] == [GW_IP]
    assert [e["ip"] for e in n.http("GET", "/v1/arp/entries?dpid=1&source=static")[1]] == [
        GW_IP,
        "10.0.5.1",
    ]
    assert n.http("GET", f"/v1/arp/entries?ip={GW2_IP}")[1][0]["dpid"] == "0000000000000002"
    for bad in ("ip=10.0.0.300", "mac=zz", "dpid=q", "source=magic"):
        status, err = n.http("GET", f"/v1/arp/entries?{bad}")
        assert status == 400 and err["detail"], bad
    # POST a static entry: installed as a flow right away, answered, persisted.
    status, e = n.http("POST", "/v1/arp/entries", {"ip": "10.0.0.9", "mac": "02:00:00:00:00:09"})
    assert status == 201 and (e["ip"], e["mac"], e["source"]) == (
        "10.0.0.9",
        "02:00:00:00:00:09",
        "static",
    )
    assert sw.wait(lambda: any(fields(x).get("arp_tpa") == "10.0.0.9" for x in mine(sw, INTERCEPT)))
    [out] = n.deliver(sw, arp_frame(1, H1, H1_IP, "10.0.0.9"), port=1)
    assert out.data[6:12] == mac_bytes("02:00:00:00:00:09")
    saved = json.loads((tmp_path / "state" / "arp_responder" / "static.json").read_text())
    assert saved == [{"ip": "10.0.0.9", "mac": "02:00:00:00:00:09"}]
    assert (
        n.http("POST", "/v1/arp/entries", {"ip": "10.0.0.9", "mac": "02:00:00:00:00:0a"})[0] == 409
    )
    # Static over learned: H2's address becomes static, the learned entry goes.
    assert (
        n.http("POST", "/v1/arp/entries", {"ip": H2_IP, "mac": "02:00:00:00:00:22", "vlan": 0})[0]
        == 201
    )
    assert [e["source"] for e in n.http("GET", f"/v1/arp/entries?ip={H2_IP}")[1]] == ["static"]
    for bad in (
        {"ip": "10.0.0.999", "mac": GW},
        {"ip": "10.0.0.10", "mac": "nope"},
        {"ip": "10.0.0.10"},
        {"ip": "10.0.0.10", "mac": GW, "vlan": 9999},
        {"ip": "10.0.0.10", "mac": GW, "extra": 1},
        ["10.0.0.10"],
    ):
        status, err = n.http("POST", "/v1/arp/entries", bad)
        assert status == 400 and err["detail"], bad
    # DELETE.
    assert n.http("DELETE", "/v1/arp/entries/10.0.0.9")[0] == 204
    assert sw.wait(
        lambda: not any(fields(x).get("arp_tpa") == "10.0.0.9" for x in mine(sw, INTERCEPT))
    )
    assert n.http("DELETE", "/v1/arp/entries/10.0.0.9")[0] == 404
    assert n.http("DELETE", "/v1/arp/entries/10.0.0.999")[0] == 400
    saved = json.loads((tmp_path / "state" / "arp_responder" / "static.json").read_text())
    assert saved == [{"ip": H2_IP, "mac": "02:00:00:00:00:22", "vlan": 0}]
    # OpenAPI and metrics.
    status, doc = n.http("GET", "/v1/openapi.json")
    assert {"get", "post"} <= set(doc["paths"]["/v1/arp/entries"])
    assert "delete" in doc["paths"]["/v1/arp/entries/{ip}"]
    metrics = n.text("/metrics")
    assert 'ctrlapp_arp_bindings{source="static"} 4' in metrics
    assert 'ctrlapp_arp_events_total{event="replies"} 2' in metrics


@pytest.mark.timeout(30)
def test_rest_entries_survive_a_restart(tmp_path):
    n = Net(tmp_path)
    try:
        n.app.add_static({"ip": "10.0.0.9", "mac": "02:00:00:00:00:09", "dpid": 1})
    finally:
        n.stop()
    n = Net(tmp_path)
    try:
        [e] = n.app.entries()
        assert (e["ip"], e["mac"], e["dpid"]) == (
            "10.0.0.9",
            "02:00:00:00:00:09",
            "0000000000000001",
        )
        sw = n.switch()
        assert sw.wait(lambda: len(mine(sw, INTERCEPT)) == 1)
    finally:
        n.stop()
    (tmp_path / "state" / "arp_responder" / "static.json").write_text("{broken")
    m = app_manager.AppManager(state_dir=tmp_path / "state")
    m.load_apps([ARP_APP])
    with pytest.raises(AppLoadError, match="static.json"):
        m.instantiate_apps()
    m.close()


@settings(max_examples=min(settings().max_examples, 1000))
@given(
    st.one_of(
        st.binary(max_size=80),
        st.builds(
            lambda pos, val, vid: bytes(
                b if i != pos else val
                for i, b in enumerate(arp_frame(1, H1, H1_IP, GW_IP, vid=vid))
            ),
            st.integers(0, 63),
            st.integers(0, 255),
            st.one_of(st.none(), st.just(5)),
        ),
    ),
    st.sampled_from([(4, INTERCEPT), (4, TAP), (1, 0)]),
)
def test_handler_never_raises_on_any_frame(arp_app, data, how):
    version, cookie = how
    dp = OfflineDatapath(version)
    p = dp.ofproto_parser
    if version == 1:
        msg = p.OFPPacketIn(dp, 0xFFFFFFFF, len(data), 1, 0, data)
    else:
        msg = p.OFPPacketIn(dp, 0xFFFFFFFF, len(data), 0, 0, cookie, p.OFPMatch(in_port=1), data)
    arp_app.packet_in(ofp_event.EventOFPPacketIn(msg))
    for out in dp.sent:
        if type(out).__name__ == "OFPPacketOut":
            kind = [a.port for a in out.actions]
            if kind == [dp.ofproto.OFPP_IN_PORT]:
                a = packet.Packet(out.data).get_protocol(arp.arp)
                assert (a.opcode, a.src_mac) in ((2, GW), (2, "02:00:00:00:05:01"))
            else:
                assert kind == [dp.ofproto.OFPP_FLOOD] and out.data == data


@pytest.fixture(scope="module")
def arp_app(tmp_path_factory):
    m = app_manager.AppManager(
        app_settings={"arp_responder": {"static": STATIC}},
        state_dir=tmp_path_factory.mktemp("fuzz"),
    )
    m.load_apps([ARP_APP])
    m.instantiate_apps()
    yield m.applications["arp_responder"]
    m.close()
