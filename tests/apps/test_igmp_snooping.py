"""apps/igmp_snooping.py against the switch emulator (real OpenFlow 1.3 over TCP, in-process)."""

import functools

import pytest

from ctrlapp.base import app_manager
from ctrlapp.exception import AppLoadError
from ctrlapp.lib.packet import ethernet, ipv4, packet, vlan
from ctrlapp.lib.packet import igmp as ig
from ctrlapp.testing.app_harness import AppHarness

APP = "apps/igmp_snooping.py"
L2 = "apps/l2_switch.py"
COOKIE = 0x49474D50
L2_COOKIE = 0x4C325357
G1, G2, G3 = "239.1.1.1", "239.2.2.2", "239.3.3.3"
FLOOD = 0xFFFFFFFB


def igmp_frame(msg, src_ip="10.0.0.1", dst_ip="224.0.0.22", vid=None, src_mac="00:00:00:00:00:01"):
    p = packet.Packet()
    if vid is None:
        p.add_protocol(ethernet.ethernet("01:00:5e:00:00:16", src_mac, 0x0800))
    else:
        p.add_protocol(ethernet.ethernet("01:00:5e:00:00:16", src_mac, 0x8100))
        p.add_protocol(vlan.vlan(vid=vid, ethertype=0x0800))
    p.add_protocol(
        ipv4.ipv4(
            header_length=6,
            tos=0xC0,
            ttl=1,
            proto=2,
            src=src_ip,
            dst=dst_ip,
            option=b"\x94\x04\0\0",
        )
    )
    p.add_protocol(msg)
    p.serialize()
    return bytes(p.data)


def v3_report(*records):
    return ig.igmpv3_report(
        records=[ig.igmpv3_report_group(t, address=g, srcs=list(s)) for t, g, s in records]
    )


def join(group, vid=None, src_ip="10.0.0.1"):
    return igmp_frame(v3_report((ig.CHANGE_TO_EXCLUDE_MODE, group, ())), src_ip=src_ip, vid=vid)


def v2(msgtype, group, src_ip="10.0.0.1"):
    dst = "224.0.0.2" if msgtype == ig.IGMP_TYPE_LEAVE else group
    return igmp_frame(ig.igmp(msgtype, 0, 0, group), src_ip=src_ip, dst_ip=dst)


def query(src_ip, group="0.0.0.0", v3=True):
    msg = ig.igmpv3_query(maxresp=100, address=group) if v3 else ig.igmp(0x11, 100, 0, group)
    return igmp_frame(msg, src_ip=src_ip, dst_ip="224.0.0.1")


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Net(AppHarness):
    def __init__(self, tmp_path, settings=None, rest=False, apps=(APP,)):
        base = {"tick": 10}
        base.update(settings or {})
        self.clock = Clock()
        super().__init__(
            apps, settings={"igmp_snooping": base}, state_dir=tmp_path / "state", rest=rest
        )

    def prepare(self):
        self.app.clock = self.clock

    @property
    def app(self):
        return self.manager.applications["igmp_snooping"]

    def switch(self, dpid=1, version=4):
        sw = self.connect(dpid, version)
        if version == 4:
            # setup (2 misses) + intercept, tap, link-local, unregistered; startup query
            assert sw.wait(lambda: len(app_flows(sw)) == 4 and sw.switch.packet_outs)
        return sw

    def send(self, sw, data, port, table_id=0, cookie=COOKIE, want=1):
        """Inject a PACKET_IN from the IGMP intercept; wait for ``want`` new messages."""
        before = len(sw.switch.received)
        kw = {} if sw.switch.version == 1 else {"table_id": table_id, "cookie": cookie}
        sw.packet_in(data, in_port=port, **kw)
        sw.wait(lambda: len(sw.switch.received) >= before + want, 3.0)
        return sw.switch.received[before:]

    def settle(self, sw):
        """Wait until the controller has processed what it was sent (echo round trip)."""
        n = len(sw.switch.received)
        sw.packet_in(b"\x00" * 10, in_port=1, table_id=0, cookie=COOKIE)
        sw.wait(lambda: len(sw.switch.received) > n, 0.3)

    def advance(self, sw, seconds):
        before = len(sw.switch.received)
        self.clock.now += seconds
        self.app.run_timers()
        sw.wait(lambda: len(sw.switch.received) > before, 0.5)
        return sw.switch.received[before:]


@pytest.fixture
def net(harnesses):
    return functools.partial(harnesses, Net)


def app_flows(sw, table=None):
    return [
        e
        for e in sw.switch.flows.entries
        if e.cookie == COOKIE and (table is None or e.table_id == table)
    ]


def group_flows(sw):
    """Each group's flow for the sources without flows of their own, by group address."""
    return {
        dict(e.match.items())["ipv4_dst"]: e
        for e in app_flows(sw, 1)
        if isinstance(dict(e.match.items())["ipv4_dst"], str)
        and "ipv4_src" not in dict(e.match.items())
    }


def buckets(sw, group):
    """Output ports of the emulator's group that ``group``'s flow points to."""
    flow = group_flows(sw)[group]
    [inst] = flow.instructions
    [action] = inst.actions
    gmod = sw.switch.groups[action.group_id]
    assert gmod.type == 0  # OFPGT_ALL
    return sorted(b.actions[0].port for b in gmod.buckets)


def packet_outs(msgs):
    return [m for m in msgs if type(m).__name__ == "OFPPacketOut"]


def decoded_igmp(out):
    p = packet.Packet(out.data)
    assert p.checksum_errors() == []
    return p.get_protocol(ipv4.ipv4), p.get_protocol(ig.igmp)


@pytest.mark.timeout(30)
def test_switch_setup_and_startup_query(net):
    n = net()
    sw = n.switch()
    flows = {(e.table_id, e.priority): dict(e.match.items()) for e in app_flows(sw)}
    assert flows[(0, 30200)] == {"eth_type": 0x0800, "ip_proto": 2}
    assert flows[(0, 20200)] == {"eth_type": 0x0800, "ip_proto": 103}
    assert flows[(1, 2500)]["ipv4_dst"] == ("224.0.0.0", "255.255.255.0")
    assert flows[(1, 1500)]["ipv4_dst"] == ("224.0.0.0", "240.0.0.0")
    for prio in (2500, 1500):
        [entry] = [e for e in app_flows(sw, 1) if e.priority == prio]
        assert [a.port for a in entry.instructions[0].actions] == [FLOOD]
    [out] = sw.switch.packet_outs
    assert [a.port for a in out.actions] == [FLOOD]
    ip, q = decoded_igmp(out)
    assert (ip.ttl, ip.dst, ip.option, ip.tos) == (1, "224.0.0.1", b"\x94\x04\x00\x00", 0xC0)
    assert isinstance(q, ig.igmpv3_query) and q.address == "0.0.0.0"
    assert (q.max_resp_time, q.qrv, q.qqi) == (100, 2, 125)
    # Startup Query Interval is a quarter of the Query Interval: the next one 31.25 s on.
    assert packet_outs(n.advance(sw, 31.0)) == []
    [again] = packet_outs(n.advance(sw, 0.5))
    assert decoded_igmp(again)[1].address == "0.0.0.0"


@pytest.mark.timeout(30)
def test_joins_build_an_all_group_and_router_ports_join_it(net):
    n = net(rest=False)
    sw = n.switch()
    msgs = n.send(sw, join(G1), port=2, want=3)
    assert buckets(sw, G1) == [2]
    flow = group_flows(sw)[G1]
    assert flow.table_id == 1 and flow.priority == 2000
    assert dict(flow.match.items()) == {"eth_type": 0x0800, "ipv4_dst": G1, "vlan_vid": 0}
    # No router port yet: the report goes nowhere.
    assert packet_outs(msgs) == []
    msgs = n.send(sw, join(G1, src_ip="10.0.0.3"), port=3)
    assert [type(m).__name__ for m in msgs] == ["OFPGroupMod"] and msgs[0].command == 1
    assert buckets(sw, G1) == [2, 3]
    # A query from a router: relayed to every port but its own; the port joins each group.
    msgs = n.send(sw, query("10.0.0.254"), port=4, want=2)
    [out] = packet_outs(msgs)
    assert [a.port for a in out.actions] == [FLOOD] and out.in_port == 4
    assert buckets(sw, G1) == [2, 3, 4]
    # Reports now go to the router port only.
    [out] = packet_outs(n.send(sw, join(G2), port=2, want=4))
    assert [a.port for a in out.actions] == [4]
    assert buckets(sw, G2) == [2, 4]


@pytest.mark.timeout(30)
def test_v2_leave_sends_group_specific_queries_then_expires(net):
    n = net()
    sw = n.switch()
    n.send(sw, v2(ig.IGMP_TYPE_REPORT_V2, G1), port=2, want=3)
    assert buckets(sw, G1) == [2]
    [q1] = packet_outs(n.send(sw, v2(ig.IGMP_TYPE_LEAVE, G1), port=2))
    ip, q = decoded_igmp(q1)
    assert ip.dst == G1 and q.address == G1 and q.max_resp_time == 10
    assert packet_outs(q1 and [q1])[0].data[:6] == bytes.fromhex("01005e010101")
    # Last Member Query Count (2) queries, Last Member Query Interval (1 s) apart.
    [q2] = packet_outs(n.advance(sw, 1.0))
    assert decoded_igmp(q2)[1].address == G1
    assert G1 in group_flows(sw)
    n.advance(sw, 1.1)
    assert sw.wait(lambda: G1 not in group_flows(sw))
    assert sw.switch.groups == {}
    assert n.app.groups(None, None, None) == []


@pytest.mark.timeout(30)
def test_report_after_group_query_keeps_the_member(net):
    n = net()
    sw = n.switch()
    n.send(sw, join(G1), port=2, want=3)
    n.send(sw, igmp_frame(v3_report((ig.CHANGE_TO_INCLUDE_MODE, G1, ()))), port=2)
    n.send(sw, igmp_frame(v3_report((ig.MODE_IS_EXCLUDE, G1, ()))), port=2, want=0)
    n.settle(sw)
    n.advance(sw, 2.5)
    n.settle(sw)
    assert buckets(sw, G1) == [2]


@pytest.mark.timeout(30)
def test_source_filters_get_their_own_flows(net):
    n = net()
    sw = n.switch()
    src = "10.5.5.5"
    n.send(sw, igmp_frame(v3_report((ig.MODE_IS_INCLUDE, G1, [src]))), port=2, want=6)
    flows = [e for e in app_flows(sw, 1) if dict(e.match.items()).get("ipv4_dst") == G1]
    by_prio = {e.priority: dict(e.match.items()) for e in flows}
    assert by_prio[2001] == {"eth_type": 0x0800, "ipv4_dst": G1, "vlan_vid": 0, "ipv4_src": src}
    assert by_prio[2000] == {"eth_type": 0x0800, "ipv4_dst": G1, "vlan_vid": 0}
    groups = {e.priority: sw.switch.groups[e.instructions[0].actions[0].group_id] for e in flows}
    assert [b.actions[0].port for b in groups[2001].buckets] == [2]
    assert groups[2000].buckets == []  # other sources: nobody asked for them
    # An EXCLUDE({}) member on port 3 wants every source: both entries change.
    n.send(sw, join(G1, src_ip="10.0.0.3"), port=3, want=2)
    n.settle(sw)
    assert [b.actions[0].port for b in groups[2001].buckets] == [2]  # the old GROUP_MODs
    assert buckets(sw, G1) == [3]
    source_gid = groups[2001].group_id
    assert [b.actions[0].port for b in sw.switch.groups[source_gid].buckets] == [2, 3]
    # Port 2 now wants every source too (IS_EX({})): the source's flow and group go.
    n.send(sw, igmp_frame(v3_report((ig.MODE_IS_EXCLUDE, G1, []))), port=2, want=3)
    n.settle(sw)
    flows = [e for e in app_flows(sw, 1) if dict(e.match.items()).get("ipv4_dst") == G1]
    assert [e.priority for e in flows] == [2000]
    assert buckets(sw, G1) == [2, 3]
    assert source_gid not in sw.switch.groups and len(sw.switch.groups) == 1


@pytest.mark.timeout(30)
def test_fast_leave_port_drops_member_at_once(net):
    n = net(settings={"fast_leave_ports": [2]})
    sw = n.switch()
    n.send(sw, v2(ig.IGMP_TYPE_REPORT_V2, G1), port=2, want=3)
    msgs = n.send(sw, v2(ig.IGMP_TYPE_LEAVE, G1), port=2, want=2)
    assert packet_outs(msgs) == []
    assert sw.wait(lambda: sw.switch.groups == {} and G1 not in group_flows(sw))


@pytest.mark.timeout(30)
def test_vlan_groups_match_the_vlan(net):
    n = net()
    sw = n.switch()
    msgs = n.send(sw, join(G1, vid=10), port=2, want=4)
    # A new VLAN starts its own querier: a tagged general query.
    [q] = packet_outs(msgs)
    assert packet.Packet(q.data).get_protocol(vlan.vlan).vid == 10
    flow = group_flows(sw)[G1]
    assert dict(flow.match.items())["vlan_vid"] == 0x1000 | 10
    n.send(sw, join(G1), port=3, want=3)
    assert len([e for e in app_flows(sw, 1) if dict(e.match.items())["ipv4_dst"] == G1]) == 2


@pytest.mark.timeout(30)
def test_lower_querier_wins_and_we_resume_after_it_goes(net):
    n = net(settings={"querier_address": "10.0.0.100"})
    sw = n.switch()
    n.send(sw, query("10.0.0.200"), port=4)
    n.settle(sw)
    assert n.app.queriers()[0]["self"] is True
    n.send(sw, query("10.0.0.50", v3=False), port=3)
    n.settle(sw)
    [q] = n.app.queriers()
    assert (q["querier"], q["self"], q["port"], q["version"]) == ("10.0.0.50", False, 3, 2)
    # Other Querier Present Interval: 2 * 125 + 10 / 2 = 255 s.
    assert packet_outs(n.advance(sw, 254.0)) == []
    [gq] = packet_outs(n.advance(sw, 1.5))
    ip, msg = decoded_igmp(gq)
    assert ip.src == "10.0.0.100" and msg.address == "0.0.0.0"
    assert n.app.queriers()[0]["self"] is True


@pytest.mark.timeout(30)
def test_unregistered_drop_and_pim_router_port(net):
    n = net(settings={"unregistered": "drop"})
    sw = n.switch()
    [unreg] = [e for e in app_flows(sw, 1) if e.priority == 1500]
    assert unreg.instructions == []
    pim = bytearray(
        igmp_frame(ig.igmp(0x11, 0, 0, "0.0.0.0"), src_ip="10.0.0.9", dst_ip="224.0.0.13")
    )
    pim[23] = 103  # IP protocol PIM; the tap's copy arrives from table 0
    n.send(sw, bytes(pim), port=4, want=0)
    n.settle(sw)
    assert [(r["port"], r["vlan"]) for r in n.app.routers()] == [(4, 0)]
    n.send(sw, join(G1), port=2, want=4)
    assert buckets(sw, G1) == [2, 4]


@pytest.mark.timeout(30)
def test_malformed_packets_are_counted_not_raised(net):
    n = net()
    sw = n.switch()
    good = join(G1)
    bad_csum = bytearray(good)
    bad_csum[14 + 24 + 2] ^= 0xFF  # the IGMP checksum
    # An MLDv2 report (IPv6, hop-by-hop header), as Linux hosts send besides IGMP.
    mld = (
        bytes.fromhex("33330000001600000000000186dd6000000000240001fe80")
        + bytes(14)
        + bytes.fromhex("0001ff0200000000000000000000000000163a000502000001008f00000000000001")
        + bytes(20)
    )
    cases = (b"\x01\x02", good[:40], bytes(bad_csum), good[:14] + b"\x45" + bytes(5), mld)
    for data in cases:
        n.send(sw, data, port=2, want=0)
    n.settle(sw)
    assert n.app.groups(None, None, None) == []
    # The settle() probe is a fourth non-IPv4 frame.
    assert n.app.stats["not an IPv4 frame"] == 4
    assert n.app.stats["malformed or cut IGMP message"] == 1
    assert n.app.stats["bad IPv4 or IGMP checksum"] == 1
    n.send(sw, good, port=2, want=3)
    assert buckets(sw, G1) == [2]


@pytest.mark.timeout(30)
def test_group_limit_per_port(net):
    n = net(settings={"max_groups_per_port": 2})
    sw = n.switch()
    report = igmp_frame(
        v3_report(*[(ig.CHANGE_TO_EXCLUDE_MODE, g, ()) for g in (G1, G2, G3)]), src_ip="10.0.0.1"
    )
    n.send(sw, report, port=2, want=6)
    n.settle(sw)
    assert sorted(group_flows(sw)) == [G1, G2]
    assert any("limit" in k for k in n.app.engine.counters)


@pytest.mark.timeout(30)
def test_runs_beside_the_l2_switch(net):
    n = net(apps=(L2, APP))
    sw = n.switch()
    n.send(sw, join(G1), port=2, want=3)
    n.settle(sw)
    assert buckets(sw, G1) == [2]
    # Only our start-up query went out: the L2 switch left the table-0 report to us.
    [query] = packet_outs(sw.switch.received)
    assert query.in_port == sw.switch.ofproto.OFPP_CONTROLLER
    # Our multicast flows sit above the L2 switch's, which still forwards unicast.
    frame = bytes.fromhex("00000000000b00000000000a0800") + bytes(46)
    [out] = packet_outs(n.send(sw, frame, port=1, table_id=1, cookie=0))
    assert [a.port for a in out.actions] == [FLOOD] and out.data == frame
    frame = bytes.fromhex("00000000000a00000000000b0800") + bytes(46)
    n.send(sw, frame, port=3, table_id=1, cookie=0, want=2)
    [l2_flow] = [e for e in sw.switch.flows.table(1) if e.cookie == L2_COOKIE]
    assert l2_flow.priority < group_flows(sw)[G1].priority
    assert l2_flow.priority < min(e.priority for e in app_flows(sw, 1))


@pytest.mark.timeout(30)
def test_openflow_10_switch_gets_one_flow_per_group(net):
    n = net(apps=(L2, APP))
    sw = n.switch(version=1)
    assert sw.wait(lambda: len(app_flows(sw, 0)) == 4)
    matches = {e.priority: e.match for e in app_flows(sw, 0)}
    assert (matches[30200].dl_type, matches[30200].nw_proto) == (0x0800, 2)
    assert matches[1500].nw_dst == int.from_bytes(bytes([224, 0, 0, 0]), "big")
    n.send(sw, query("10.0.0.254"), port=4, want=2)
    n.send(sw, join(G1), port=2, want=2)
    n.settle(sw)
    [flow] = [e for e in app_flows(sw, 0) if e.priority == 2000]
    assert flow.match.nw_dst == int.from_bytes(bytes([239, 1, 1, 1]), "big")
    assert sorted(a.port for a in flow.actions) == [2, 4]
    # Unicast is still the L2 switch's.
    frame = bytes.fromhex("00000000000b00000000000a0800") + bytes(46)
    [out] = packet_outs(n.send(sw, frame, port=1))
    assert out.data == frame


@pytest.mark.parametrize(
    "settings,key",
    [
        ({"robustness": 0}, "robustness"),
        ({"query_interval": "125"}, "query_interval"),
        ({"query_response_interval": 200}, "query_response_interval"),
        ({"querier": "yes"}, "querier"),
        ({"querier_address": "10.0.0"}, "querier_address"),
        ({"querier_mac": "01:00:5e:00:00:01"}, "querier_mac"),
        ({"querier_version": 1}, "querier_version"),
        ({"fast_leave_ports": [0]}, "fast_leave_ports"),
        ({"unregistered": "forward"}, "unregistered"),
        ({"max_groups_per_switch": 0}, "max_groups_per_switch"),
        ({"querier_adress": "10.0.0.1"}, "querier_adress"),
    ],
)
def test_bad_settings_name_the_key(tmp_path, settings, key):
    m = app_manager.AppManager(app_settings={"igmp_snooping": settings}, state_dir=tmp_path)
    m.load_apps([APP])
    with pytest.raises(AppLoadError, match=key):
        m.instantiate_apps()
    m.close()


@pytest.mark.timeout(30)
def test_rest_groups_routers_queriers_and_openapi(net):
    n = net(rest=True, settings={"querier_address": "10.0.0.100"})
    sw = n.switch(dpid=0x1F)
    n.send(sw, query("10.0.0.254"), port=4, want=1)
    n.send(
        sw,
        igmp_frame(v3_report((ig.MODE_IS_INCLUDE, G1, ["10.1.1.1", "10.1.1.2"]))),
        port=2,
        want=4,
    )
    n.send(sw, v2(ig.IGMP_TYPE_REPORT_V2, G2), port=3, want=4)
    status, groups = n.http("GET", "/v1/igmp/groups")
    assert status == 200
    assert [(g["dpid"], g["vlan"], g["group"], g["ports"]) for g in groups] == [
        ("000000000000001f", 0, G1, [4]),
        ("000000000000001f", 0, G2, [3, 4]),
    ]
    [m1] = groups[0]["members"]
    assert (m1["port"], m1["version"], m1["filter_mode"]) == (2, 3, "include")
    assert m1["sources"] == {"10.1.1.1": 260.0, "10.1.1.2": 260.0}
    # Port 2 wants two sources only: they have ports of their own, other sources reach the
    # router port alone.
    assert groups[0]["source_ports"] == {"10.1.1.1": [2, 4], "10.1.1.2": [2, 4]}
    [m2] = groups[1]["members"]
    assert (m2["version"], m2["filter_mode"], m2["group_timer"]) == (2, "exclude", 260.0)
    _, only = n.http("GET", f"/v1/igmp/groups?group={G2}")
    assert [g["group"] for g in only] == [G2]
    _, by_port = n.http("GET", "/v1/igmp/groups?port=2&dpid=000000000000001f")
    assert [g["group"] for g in by_port] == [G1]
    status, err = n.http("GET", "/v1/igmp/groups?group=nope")
    assert status == 400 and "nope" in err["detail"]
    _, routers = n.http("GET", "/v1/igmp/routers")
    assert [(r["dpid"], r["port"], r["expires_in"]) for r in routers] == [
        ("000000000000001f", 4, 255.0)
    ]
    _, queriers = n.http("GET", "/v1/igmp/queriers")
    # The router's address is higher than ours: this switch stays querier (RFC 3376 §6.6.2).
    assert [(q["querier"], q["self"], q["port"]) for q in queriers] == [("10.0.0.100", True, None)]

    metrics = n.text("/metrics")
    assert 'ctrlapp_igmp_groups{dpid="000000000000001f"} 2' in metrics
    assert 'ctrlapp_igmp_messages_total{kind="v2 reports"} 1' in metrics
    _, doc = n.http("GET", "/v1/openapi.json")
    for path in ("/v1/igmp/groups", "/v1/igmp/routers", "/v1/igmp/queriers"):
        assert doc["paths"][path]["get"]["summary"]
    params = {p["name"] for p in doc["paths"]["/v1/igmp/groups"]["get"]["parameters"]}
    assert params >= {"dpid", "group", "port"}


def test_sample_configuration_section_is_valid(tmp_path):
    import tomllib

    with open("etc/ctrlapp.toml", "rb") as f:
        section = tomllib.load(f)["apps"]["igmp_snooping"]
    m = app_manager.AppManager(app_settings={"igmp_snooping": section}, state_dir=tmp_path)
    m.load_apps([APP])
    app = m.instantiate_apps()["igmp_snooping"]
    assert app.engine.config.group_membership_interval == 260.0
    assert app.unregistered == "flood" and app.tick_interval == 1.0
    m.close()
