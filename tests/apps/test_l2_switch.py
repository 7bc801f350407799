"""apps/l2_switch.py against the switch emulator (real OpenFlow over TCP, in-process)."""

import functools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctrlapp.base import app_manager
from ctrlapp.controller import ofp_event
from ctrlapp.exception import AppLoadError
from ctrlapp.testing.app_harness import AppHarness, OfflineDatapath

APP = "apps/l2_switch.py"
COOKIE = 0x4C325357
A, B, C = "00:00:00:00:00:0a", "00:00:00:00:00:0b", "00:00:00:00:00:0c"


def frame(dst, src, vlan=None, ethertype=0x0800, payload=bytes(46)):
    hdr = bytes.fromhex(dst.replace(":", "")) + bytes.fromhex(src.replace(":", ""))
    if vlan is not None:
        hdr += b"\x81\x00" + vlan.to_bytes(2, "big")
    return hdr + ethertype.to_bytes(2, "big") + payload


class Net(AppHarness):
    def __init__(self, tmp_path, settings=None, rest=False):
        super().__init__(
            [APP],
            settings={"l2_switch": settings or {}},
            state_dir=tmp_path / "state",
            rest=rest,
        )

    @property
    def app(self):
        return self.manager.applications["l2_switch"]

    def switch(self, dpid=1, version=4):
        sw = self.connect(dpid, version)
        if version == 4:
            assert sw.wait(lambda: len(sw.switch.flows.table(1)) == 1)
        return sw

    def send(self, sw, data, port, table_id=1, timeout=3.0):
        """Inject a PACKET_IN from the forwarding table's miss; return new PACKET_OUTs."""
        before = len(sw.switch.packet_outs)
        kw = {} if sw.switch.version == 1 else {"table_id": table_id}
        sw.packet_in(data, in_port=port, **kw)
        sw.wait(lambda: len(sw.switch.packet_outs) > before, timeout)
        return sw.switch.packet_outs[before:]


@pytest.fixture
def net(harnesses):
    return functools.partial(harnesses, Net)


def out_ports(msg):
    return [a.port for a in msg.actions]


def l2_flows(sw):
    return [e for e in sw.switch.flows.entries if e.cookie == COOKIE]


def fields(entry):
    return dict(entry.match.items())


@pytest.mark.timeout(30)
def test_floods_unknown_then_installs_flow_for_known(net):
    n = net()
    sw = n.switch()
    ofp = sw.switch.ofproto
    f1 = frame(B, A)
    [out] = n.send(sw, f1, port=1)
    assert out_ports(out) == [ofp.OFPP_FLOOD] and out.data == f1 and out.in_port == 1
    assert l2_flows(sw) == []
    f2 = frame(A, B)
    [out] = n.send(sw, f2, port=2)
    assert out_ports(out) == [1] and out.data == f2
    [flow] = l2_flows(sw)
    assert flow.table_id == 1 and 1000 <= flow.priority <= 19999
    assert fields(flow) == {"in_port": 2, "eth_src": B, "eth_dst": A, "vlan_vid": 0}
    assert flow.msg.idle_timeout == 60
    # At connection the app cleared its flows of an earlier session (by cookie) first.
    first = next(m for m in sw.switch.received if type(m).__name__ == "OFPFlowMod")
    assert (first.command, first.cookie, first.cookie_mask, first.table_id) == (
        ofp.OFPFC_DELETE,
        COOKIE,
        2**64 - 1,
        1,
    )
    [inst] = flow.instructions
    assert [a.port for a in inst.actions] == [1]
    # Broadcast floods even from a known host.
    [out] = n.send(sw, frame("ff:ff:ff:ff:ff:ff", A), port=1)
    assert out_ports(out) == [ofp.OFPP_FLOOD]


@pytest.mark.timeout(30)
def test_only_forwarding_table_packet_ins_are_handled(net):
    n = net()
    sw = n.switch()
    assert n.send(sw, frame(B, A), port=1, table_id=0, timeout=0.3) == []
    assert n.app.engine.tables.get(1) is None or len(n.app.engine.tables[1]) == 0


@pytest.mark.timeout(30)
def test_vlans_are_learned_apart_and_matched(net):
    n = net(settings={"idle_timeout": 5})
    sw = n.switch()
    n.send(sw, frame(B, A, vlan=10), port=1)
    [out] = n.send(sw, frame(A, B, vlan=20), port=2)
    assert out_ports(out) == [sw.switch.ofproto.OFPP_FLOOD]
    [out] = n.send(sw, frame(A, B, vlan=10), port=2)
    assert out_ports(out) == [1]
    [flow] = l2_flows(sw)
    assert fields(flow)["vlan_vid"] == 0x1000 | 10 and flow.msg.idle_timeout == 5


@pytest.mark.timeout(30)
def test_moved_host_flows_are_deleted(net):
    n = net()
    sw = n.switch()
    n.send(sw, frame(B, A), port=1)
    n.send(sw, frame(A, B), port=2)  # flow B->A out port 1
    n.send(sw, frame(B, A), port=1)  # flow A->B out port 2
    assert len(l2_flows(sw)) == 2
    # A moves to port 3.
    [out] = n.send(sw, frame(B, A), port=3)
    assert out_ports(out) == [2]
    assert sw.wait(
        lambda: (
            [fields(e) for e in l2_flows(sw)]
            == [{"in_port": 3, "eth_src": A, "eth_dst": B, "vlan_vid": 0}]
        )
    )
    [out] = n.send(sw, frame(A, B), port=2)
    assert out_ports(out) == [3]
    assert n.app.stats["hosts moved"] == 1


@pytest.mark.timeout(30)
def test_port_down_forgets_hosts_and_flows(net):
    n = net()
    sw = n.switch()
    ofp, parser = sw.switch.ofproto, sw.switch.parser
    n.send(sw, frame(B, A), port=1)
    n.send(sw, frame(A, B), port=2)
    n.send(sw, frame(B, A), port=1)
    n.send(sw, frame(A, C), port=3)
    assert len(l2_flows(sw)) == 3
    port = sw.switch.ports[1]
    port.state = ofp.OFPPS_LINK_DOWN
    sw.send_msg(parser.OFPPortStatus(None, ofp.OFPPR_MODIFY, port))
    # Flows to A (out port 1) and from port 1 are gone; C->B... none; B's flow... none left.
    assert sw.wait(lambda: l2_flows(sw) == [])
    [out] = n.send(sw, frame(A, B), port=2)
    assert out_ports(out) == [ofp.OFPP_FLOOD]
    # Deleting a port works the same way.
    n.send(sw, frame(C, B), port=2)
    assert sw.wait(lambda: len(l2_flows(sw)) == 1)
    sw.port_status(ofp.OFPPR_DELETE, 3)
    assert sw.wait(lambda: l2_flows(sw) == [])


@pytest.mark.timeout(30)
def test_of10_single_table(net):
    n = net()
    sw = n.switch(version=1)
    ofp = sw.switch.ofproto
    [out] = n.send(sw, frame(B, A), port=1)
    assert out_ports(out) == [ofp.OFPP_FLOOD]
    [out] = n.send(sw, frame(A, B, vlan=7), port=2)
    assert out_ports(out) == [ofp.OFPP_FLOOD]  # A was seen untagged only
    [out] = n.send(sw, frame(A, B), port=2)
    assert out_ports(out) == [1]
    [flow] = l2_flows(sw)
    assert flow.table_id == 0 and flow.match.in_port == 2 and flow.match.dl_vlan == 0xFFFF
    assert [a.port for a in flow.actions] == [1]
    # A moves: a DELETE of the flows towards it (the emulator cannot apply 1.0 wildcard
    # deletes, so the message itself is checked).
    n.send(sw, frame(B, A), port=3)

    def deletes():
        return [
            m.match
            for m in sw.switch.received
            if type(m).__name__ == "OFPFlowMod" and m.command == ofp.OFPFC_DELETE
        ]

    assert sw.wait(lambda: len(deletes()) == 2)
    to_a, from_a = deletes()
    a_bin = bytes.fromhex(A.replace(":", ""))
    assert (to_a.dl_dst, to_a.dl_vlan) == (a_bin, 0xFFFF)
    assert (from_a.dl_src, from_a.dl_vlan) == (a_bin, 0xFFFF)
    # Wildcards: only dl_dst (resp. dl_src) and dl_vlan are matched.
    w = ofp.OFPFW_ALL & ~(ofp.OFPFW_DL_DST | ofp.OFPFW_DL_VLAN)
    assert to_a.wildcards & ofp.OFPFW_ALL == w


@pytest.mark.timeout(30)
def test_malformed_frames_are_counted_never_raised(net):
    n = net()
    sw = n.switch()
    for junk in (
        b"",
        b"\x00" * 5,
        bytes(13),
        frame(B, A, vlan=5)[:16],
        bytes.fromhex("0000000000000000000000018100") + b"\x00",
    ):
        n.send(sw, junk, port=1, timeout=0.2)
    # A PACKET_IN whose match lacks the input port.
    sw.send_msg(
        sw.switch.parser.OFPPacketIn(
            None, 0xFFFFFFFF, 60, 0, 1, 0, sw.switch.parser.OFPMatch(), frame(B, A)
        )
    )
    # A multicast source is never learned.
    n.send(sw, frame(B, "01:00:5e:00:00:01"), port=1, timeout=0.2)
    assert n.app.counters.handler_errors == 0
    assert n.app.stats["frame shorter than an Ethernet header"] == 3
    assert n.app.stats["VLAN tag cut short"] == 2
    assert n.app.stats["source MAC address is a group address"] == 1
    assert n.app.stats["PACKET_IN without an input port"] == 1
    [out] = n.send(sw, frame(B, A), port=1)
    assert out.data == frame(B, A)


@pytest.mark.timeout(30)
def test_mac_table_is_bounded(net):
    n = net(settings={"max_macs_per_switch": 2})
    sw = n.switch()
    for i in range(5):
        n.send(sw, frame("ff:ff:ff:ff:ff:ff", f"00:00:00:00:01:{i:02x}"), port=1 + i % 4)
    assert len(n.app.engine.tables[1]) == 2


@pytest.mark.parametrize(
    "settings, key",
    [
        ({"idle_timeout": -1}, "idle_timeout"),
        ({"idle_timeout": "60"}, "idle_timeout"),
        ({"max_macs_per_switch": 0}, "max_macs_per_switch"),
        ({"mac_age": True}, "mac_age"),
        ({"mac_agee": 3}, "mac_agee"),
    ],
)
def test_bad_settings_name_the_key(tmp_path, settings, key):
    m = app_manager.AppManager(app_settings={"l2_switch": settings}, state_dir=tmp_path)
    m.load_apps([APP])
    with pytest.raises(AppLoadError, match=key):
        m.instantiate_apps()
    m.close()


@pytest.mark.timeout(30)
def test_rest_lists_learned_macs(net):
    n = net(rest=True)
    sw = n.switch(dpid=0x1F)
    n.send(sw, frame(B, A, vlan=3), port=2)
    status, macs = n.http("GET", "/v1/l2/macs")
    assert status == 200
    assert [(m["dpid"], m["vlan"], m["mac"], m["port"]) for m in macs] == [
        ("000000000000001f", 3, A, 2)
    ]
    assert n.http("GET", "/v1/l2/macs?dpid=2")[1] == []
    metrics = n.text("/metrics")
    assert 'ctrlapp_l2_macs{dpid="000000000000001f"} 1' in metrics
    assert 'ctrlapp_l2_frames_total{kind="flooded"} 1' in metrics
    status, doc = n.http("GET", "/v1/openapi.json")
    assert doc["paths"]["/v1/l2/macs"]["get"]["summary"]
    status, err = n.http("GET", "/v1/l2/macs?dpid=zz")
    assert status == 400 and "zz" in err["detail"]


@pytest.fixture(scope="module")
def l2_app(tmp_path_factory):
    m = app_manager.AppManager(state_dir=tmp_path_factory.mktemp("fuzz"))
    m.load_apps([APP])
    m.instantiate_apps()
    yield m.applications["l2_switch"]
    m.close()


@settings(max_examples=min(settings().max_examples, 1000))
@given(st.binary(max_size=40), st.integers(1, 4), st.sampled_from([1, 4]))
def test_handler_never_raises_and_forwards_the_frame_unchanged(l2_app, data, port, version):
    dp = OfflineDatapath(version)
    p = dp.ofproto_parser
    if version == 1:
        msg = p.OFPPacketIn(dp, 0xFFFFFFFF, len(data), port, 0, data)
    else:
        msg = p.OFPPacketIn(dp, 0xFFFFFFFF, len(data), 0, 1, 0, p.OFPMatch(in_port=port), data)
    l2_app.packet_in(ofp_event.EventOFPPacketIn(msg))
    outs = [m for m in dp.sent if type(m).__name__ == "OFPPacketOut"]
    too_short = len(data) < 14 or (data[12:14] == b"\x81\x00" and len(data) < 18)
    if too_short or data[6] & 1:
        assert outs == []
    for out in outs:
        assert out.data == data and out.in_port == port
