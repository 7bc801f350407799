"""Snooping engine: RFC 4541 relaying and router ports, RFC 2236 leave / last-member handling,
RFC 3376 querier (startup, election, group and group-and-source-specific queries), mixed
versions on one port, limits, and robustness against anything a host can send.
"""

from hypothesis import given, settings
from hypothesis import strategies as st

from ctrlapp.lib.packet import ethernet, ipv4, packet, vlan
from ctrlapp.lib.packet import igmp as ig
from ctrlapp.services.igmp.snooping import (
    GROUP_LIMIT,
    LINK_LOCAL,
    NOT_MULTICAST,
    SOURCE_ENTRY_LIMIT,
    SOURCE_LIMIT,
    VLAN_LIMIT,
    Forwarding,
    QuerierChange,
    Snooper,
    SnoopingConfig,
    Transmit,
    group_mac,
)

G1, G2, G3 = "239.1.1.1", "239.2.2.2", "239.3.3.3"
IP = ipv4.ipv4(src="10.0.0.1", dst="224.0.0.22", proto=2, ttl=1)
IS_IN, IS_EX, TO_IN, TO_EX, ALLOW, BLOCK = range(1, 7)


def report(*records):
    return ig.igmpv3_report(
        records=[ig.igmpv3_report_group(t, address=g, srcs=list(s)) for t, g, s in records]
    )


def v2(msgtype, group):
    return ig.igmp(msgtype, 0, 0, group)


def from_ip(src):
    return ipv4.ipv4(src=src, dst="224.0.0.1", proto=2, ttl=1)


def started(t=0.0, **cfg):
    s = Snooper(SnoopingConfig(**cfg))
    s.add_switch(1, t)
    return s


def of(kind, effects):
    return [e for e in effects if type(e) is kind]


def queries(effects):
    """(destination group, sources, version) of each query the engine originated."""
    out = []
    for e in of(Transmit, effects):
        if e.data is None:
            continue
        p = packet.Packet(e.data)
        assert p.checksum_errors() == []
        ip = p.get_protocol(ipv4.ipv4)
        assert ip.ttl == 1 and ip.option == b"\x94\x04\x00\x00"
        q = p.get_protocol(ig.igmp)
        version = 3 if isinstance(q, ig.igmpv3_query) else 2
        out.append((q.address, tuple(getattr(q, "srcs", ())), version))
    return out


def ports(s, group, vid=0, dpid=1):
    """The ports a group's traffic goes to (from sources without entries of their own)."""
    entry = s.switches[dpid].vlans[vid].groups.get(group)
    return entry.installed[None] if entry else ()


# -- querier: start-up, periodic, election ---------------------------------------------------------


def test_startup_queries_then_query_interval():
    s = Snooper()
    [q] = s.add_switch(1, 0.0)
    assert q.ports is None and queries([q]) == [("0.0.0.0", (), 3)]
    frame = packet.Packet(q.data)
    assert frame.get_protocol(ipv4.ipv4).dst == "224.0.0.1"
    assert s.tick(31.2) == []
    assert queries(s.tick(31.25)) == [("0.0.0.0", (), 3)]
    # Startup Query Count is 2: from now on every Query Interval (125 s).
    assert s.tick(31.25 + 124.9) == []
    assert len(queries(s.tick(31.25 + 125))) == 1


def test_lower_querier_wins_zero_address_never_does():
    s = started(querier_address="10.0.0.5")
    out = s.receive(1, 0, 3, from_ip("0.0.0.0"), ig.igmpv3_query(), 1.0)
    # Another snooping switch's querier: no election, but the port leads to it.
    assert of(QuerierChange, out) == [] and s.querier_views(1.0)[0]["self"] is True
    assert [r["port"] for r in s.router_views(1.0)] == [3]
    out = s.receive(1, 0, 3, from_ip("10.0.0.9"), ig.igmpv3_query(), 1.0)
    assert of(QuerierChange, out) == []
    out = s.receive(1, 0, 4, from_ip("10.0.0.1"), ig.igmpv3_query(), 2.0)
    assert of(QuerierChange, out) == [QuerierChange(1, 0, False, "10.0.0.1")]
    [view] = s.querier_views(2.0)
    assert (view["querier"], view["self"], view["version"], view["port"]) == (
        "10.0.0.1",
        False,
        3,
        4,
    )
    assert queries(s.tick(200.0)) == []
    # Other Querier Present Interval 255 s after the last query heard.
    assert of(QuerierChange, s.tick(256.9)) == []
    out = s.tick(257.0)
    assert of(QuerierChange, out) == [QuerierChange(1, 0, True, None)]
    assert queries(out) == [("0.0.0.0", (), 3)]


def test_snooper_querying_from_zero_address_yields_to_any_router():
    s = started()
    out = s.receive(1, 0, 4, from_ip("192.168.1.1"), ig.igmp(0x11, 100, 0, "0.0.0.0"), 1.0)
    assert of(QuerierChange, out) == [QuerierChange(1, 0, False, "192.168.1.1")]
    assert s.querier_views(1.0)[0]["version"] == 2


def test_querier_disabled_never_queries():
    s = Snooper(SnoopingConfig(querier=False))
    assert s.add_switch(1, 0.0) == []
    assert s.tick(1000.0) == []
    assert s.querier_views(0.0) == []


def test_v2_querier_sends_v2_queries():
    s = Snooper(SnoopingConfig(querier_version=2))
    [q] = s.add_switch(1, 0.0)
    msg = packet.Packet(q.data).get_protocol(ig.igmp)
    assert type(msg) is ig.igmp and msg.maxresp == 100 and len(msg.serialize(b"", None)) == 8


# -- RFC 4541 relaying and router ports -------------------------------------------------------------


def test_two_snooping_switches_share_groups_over_their_link():
    # Both query from 0.0.0.0; each hears the other's query on the link port (8).
    a, b = started(), started()
    a.receive(1, 0, 8, from_ip("0.0.0.0"), ig.igmpv3_query(), 1.0)
    b.receive(1, 0, 8, from_ip("0.0.0.0"), ig.igmpv3_query(), 1.0)
    out = a.receive(1, 0, 2, IP, report((TO_EX, G1, ())), 2.0)
    assert out[0] == Transmit(1, 0, None, (8,), 2)  # the report crosses to b
    b.receive(1, 0, 8, IP, report((TO_EX, G1, ())), 2.0)
    b.receive(1, 0, 3, IP, report((TO_EX, G1, ())), 2.0)
    assert ports(a, G1) == (2, 8) and ports(b, G1) == (3, 8)


def test_queries_flood_reports_go_to_router_ports_only():
    s = started()
    out = s.receive(1, 0, 4, from_ip("10.0.0.254"), ig.igmpv3_query(), 1.0)
    assert out[0] == Transmit(1, 0, None, None, 4)
    out = s.receive(1, 0, 2, IP, report((TO_EX, G1, ())), 2.0)
    assert out[0] == Transmit(1, 0, None, (4,), 2)
    assert of(Forwarding, out) == [Forwarding(1, 0, G1, (2, 4))]
    # A report from the router port itself is not sent back there.
    assert s.receive(1, 0, 4, IP, report((TO_EX, G2, ())), 3.0)[0].ports == ()


def test_router_port_joins_every_group_and_ages_out():
    s = started()
    s.receive(1, 0, 2, IP, report((TO_EX, G1, ()), (TO_EX, G2, ())), 0.0)
    out = s.router_seen(1, 0, 5, 10.0)
    assert sorted(of(Forwarding, out)) == [
        Forwarding(1, 0, G1, (2, 5)),
        Forwarding(1, 0, G2, (2, 5)),
    ]
    assert s.router_seen(1, 0, 5, 20.0) == []  # refresh only
    # Members' own timers (GMI 260 s) would run out first; keep them alive.
    s.receive(1, 0, 2, IP, report((IS_EX, G1, ()), (IS_EX, G2, ())), 250.0)
    # Router port timer: the Other Querier Present Interval (255 s) after the last sighting.
    assert of(Forwarding, s.tick(274.0)) == []
    assert sorted(of(Forwarding, s.tick(275.0))) == [
        Forwarding(1, 0, G1, (2,)),
        Forwarding(1, 0, G2, (2,)),
    ]


def test_link_local_and_non_multicast_are_relayed_not_snooped():
    s = started()
    out = s.receive(1, 0, 2, IP, report((TO_EX, "224.0.0.251", ()), (TO_EX, "10.1.1.1", ())), 0.0)
    assert of(Forwarding, out) == [] and s.group_views(0.0) == []
    assert s.counters[LINK_LOCAL] == 1 and s.counters[NOT_MULTICAST] == 1
    assert out[0].data is None


def test_unknown_igmp_types_mark_a_router_port():
    s = started()
    out = s.receive(1, 0, 6, from_ip("10.0.0.7"), ig.igmp(0x13, 0, 0, "0.0.0.0"), 0.0)  # DVMRP
    assert out[0] == Transmit(1, 0, None, None, 6)
    assert [r["port"] for r in s.router_views(0.0)] == [6]
    # A type nobody knows is flooded, but does not make a router port.
    out = s.receive(1, 0, 7, IP, ig.igmp(0x42, 0, 0, "0.0.0.0"), 0.0)
    assert out == [Transmit(1, 0, None, None, 7)]
    assert [r["port"] for r in s.router_views(0.0)] == [6]


# -- RFC 2236 leave, last member queries (RFC 3376 §6.6.3) ----------------------------------------


def test_v2_leave_last_member_queries_then_removal():
    s = started()
    s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_REPORT_V2, G1), 0.0)
    s.receive(1, 0, 3, IP, v2(ig.IGMP_TYPE_REPORT_V2, G1), 0.0)
    out = s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_LEAVE, G1), 10.0)
    assert queries(out) == [(G1, (), 3)]
    [tx] = [e for e in of(Transmit, out) if e.data]
    assert packet.Packet(tx.data)[0].dst == group_mac(G1) == "01:00:5e:01:01:01"
    assert queries(s.tick(10.9)) == []
    assert queries(s.tick(11.0)) == [(G1, (), 3)]
    # Last Member Query Count (2) reached: no third query; LMQT (2 s) after the leave port 2
    # is gone, port 3 stays.
    out = s.tick(12.0)
    assert queries(out) == [] and of(Forwarding, out) == [Forwarding(1, 0, G1, (3,))]


def test_report_during_last_member_queries_keeps_the_port():
    s = started()
    s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_REPORT_V2, G1), 0.0)
    s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_LEAVE, G1), 10.0)
    s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_REPORT_V2, G1), 10.5)
    assert of(Forwarding, s.tick(20.0)) == [] and ports(s, G1) == (2,)


def test_last_member_of_group_removes_it():
    s = started()
    s.receive(1, 0, 2, IP, report((TO_EX, G1, ())), 0.0)
    s.receive(1, 0, 2, IP, report((TO_IN, G1, ())), 5.0)
    assert of(Forwarding, s.tick(7.0)) == [Forwarding(1, 0, G1, (), removed=True)]
    assert s.switches[1].group_count == 0 and s.switches[1].port_groups == {}


def test_block_sends_group_and_source_specific_query():
    s = started()
    s.receive(1, 0, 2, IP, report((IS_IN, G1, ("10.9.9.1", "10.9.9.2"))), 0.0)
    out = s.receive(1, 0, 2, IP, report((BLOCK, G1, ("10.9.9.2", "10.9.9.3"))), 1.0)
    assert queries(out) == [(G1, ("10.9.9.2",), 3)]
    [view] = s.group_views(1.0)
    assert view["members"][0]["sources"] == {"10.9.9.1": 259.0, "10.9.9.2": 2.0}
    s.tick(3.0)
    [view] = s.group_views(3.0)
    assert view["members"][0]["sources"] == {"10.9.9.1": 257.0}


def test_v2_querier_lowers_no_source_timers():
    s = started(querier_version=2)
    s.receive(1, 0, 2, IP, report((IS_IN, G1, ("10.9.9.1",))), 0.0)
    out = s.receive(1, 0, 2, IP, report((BLOCK, G1, ("10.9.9.1",))), 1.0)
    # A v2 querier cannot ask about sources; the source keeps its timer.
    assert queries(out) == []
    assert s.group_views(1.0)[0]["members"][0]["sources"] == {"10.9.9.1": 259.0}


def test_leave_when_another_querier_runs_lowers_timers_without_queries():
    s = started()
    s.receive(1, 0, 4, from_ip("10.0.0.254"), ig.igmp(0x11, 100, 0, "0.0.0.0"), 0.0)
    s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_REPORT_V2, G1), 0.0)
    out = s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_LEAVE, G1), 1.0)
    assert queries(out) == []
    assert out[0] == Transmit(1, 0, None, (4,), 2)
    # The other querier sends the group-specific queries; nobody answers within LMQT.
    assert of(Forwarding, s.tick(2.9)) == []
    assert of(Forwarding, s.tick(3.0)) == [Forwarding(1, 0, G1, (), removed=True)]


def test_fast_leave_port():
    s = started(fast_leave_ports=frozenset({2}))
    s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_REPORT_V2, G1), 0.0)
    out = s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_LEAVE, G1), 1.0)
    assert queries(out) == [] and of(Forwarding, out) == [Forwarding(1, 0, G1, (), removed=True)]
    s.receive(1, 0, 2, IP, report((IS_IN, G2, ("10.9.9.1", "10.9.9.2"))), 2.0)
    s.receive(1, 0, 2, IP, report((BLOCK, G2, ("10.9.9.1",))), 3.0)
    assert s.group_views(3.0)[0]["members"][0]["sources"] == {"10.9.9.2": 259.0}


# -- mixed versions on one port (RFC 3376 §7.3.2) ---------------------------------------------------


def test_v2_and_v3_hosts_on_one_port():
    s = started()
    s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_REPORT_V2, G1), 0.0)
    # The v3 host leaves with TO_IN({}): Q(G) goes out, a v2 query format is not needed (v3
    # queries are understood by v2 hosts), and the v2 host answers with a report.
    out = s.receive(1, 0, 2, IP, report((TO_IN, G1, ())), 1.0)
    assert queries(out) == [(G1, (), 3)]
    s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_REPORT_V2, G1), 1.5)
    s.tick(5.0)
    assert ports(s, G1) == (2,)
    [member] = s.group_views(5.0)[0]["members"]
    assert member["version"] == 2 and member["filter_mode"] == "exclude"
    # A v3 BLOCK is ignored while the v2 host is present.
    assert queries(s.receive(1, 0, 2, IP, report((BLOCK, G1, ("10.9.9.9",))), 6.0)) == []


def test_v1_report_then_leave_ignored():
    s = started()
    s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_REPORT_V1, G1), 0.0)
    out = s.receive(1, 0, 2, IP, v2(ig.IGMP_TYPE_LEAVE, G1), 1.0)
    assert queries(out) == [] and of(Forwarding, out) == []
    s.tick(10.0)
    assert ports(s, G1) == (2,) and s.group_views(10.0)[0]["members"][0]["version"] == 1


# -- VLANs, ports, switches, limits ---------------------------------------------------------------


def test_vlans_are_separate_and_start_their_own_querier():
    s = started()
    out = s.receive(1, 0, 2, IP, report((TO_EX, G1, ())), 0.0)
    out = s.receive(1, 7, 3, IP, report((TO_EX, G1, ())), 0.0)
    [q] = [e for e in out if type(e) is Transmit and e.data]
    assert packet.Packet(q.data).get_protocol(vlan.vlan).vid == 7
    assert of(Forwarding, out) == [Forwarding(1, 7, G1, (3,))]
    assert ports(s, G1, 0) == (2,)


def test_port_down_and_switch_removal():
    s = started()
    s.router_seen(1, 0, 4, 0.0)
    s.receive(1, 0, 2, IP, report((TO_EX, G1, ())), 0.0)
    s.receive(1, 0, 3, IP, report((TO_EX, G1, ())), 0.0)
    assert of(Forwarding, s.port_down(1, 4, 1.0)) == [Forwarding(1, 0, G1, (2, 3))]
    assert of(Forwarding, s.port_down(1, 2, 1.0)) == [Forwarding(1, 0, G1, (3,))]
    assert s.port_down(9, 2, 1.0) == []
    s.remove_switch(1)
    assert s.group_views(1.0) == [] and s.tick(1000.0) == []


def test_group_limits():
    s = started(max_groups_per_port=2, max_groups_per_switch=3)
    groups = [f"239.0.0.{i}" for i in range(1, 6)]
    s.receive(1, 0, 2, IP, report(*[(TO_EX, g, ()) for g in groups]), 0.0)
    assert [v["group"] for v in s.group_views(0.0)] == groups[:2]
    s.receive(1, 0, 3, IP, report(*[(TO_EX, g, ()) for g in groups[2:]]), 0.0)
    assert len(s.group_views(0.0)) == 3
    # Joining an existing group on another port is still allowed at the switch limit.
    s.receive(1, 0, 4, IP, report((TO_EX, groups[0], ())), 0.0)
    assert ports(s, groups[0]) == (2, 4)
    # Port 2: three over its limit; port 3: two over the switch's.
    assert s.counters[GROUP_LIMIT] == 5


def test_source_limit_widens_to_all_sources():
    s = started(max_sources_per_group=3)
    srcs = [f"10.9.9.{i}" for i in range(5)]
    s.receive(1, 0, 2, IP, report((IS_IN, G1, srcs)), 0.0)
    [member] = s.group_views(0.0)[0]["members"]
    assert (member["filter_mode"], member["sources"], member["group_timer"]) == (
        "exclude",
        {},
        260.0,
    )
    assert s.counters[SOURCE_LIMIT] == 1


def test_vlan_limit():
    s = started(max_vlans_per_switch=2)
    s.receive(1, 5, 2, IP, report((TO_EX, G1, ())), 0.0)
    assert s.receive(1, 6, 2, IP, report((TO_EX, G1, ())), 0.0) == []
    assert s.counters[VLAN_LIMIT] == 1


def test_query_frame_round_trip():
    s = Snooper(SnoopingConfig(querier_address="10.0.0.1"))
    for frame in (s.query_frame(0), s.query_frame(12, G1, ["10.1.1.1", "10.1.1.2"])):
        p = packet.Packet(frame)
        again = packet.Packet()
        for proto in p.protocols:
            if isinstance(proto, bytes):
                again.add_protocol(proto)
            else:
                again.add_protocol(proto)
        again.serialize()
        assert bytes(again.data) == frame


# -- properties -----------------------------------------------------------------------------------

GROUPS = ["239.1.1.1", "239.1.1.2", "239.1.1.3", "224.0.0.5", "10.0.0.1", "232.1.1.1"]
SOURCES = ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
op = st.tuples(
    st.integers(1, 4),  # port
    st.integers(0, 9),  # 0-5 v3 record types 1-6, 6 v1 report, 7 v2 report, 8 leave, 9 query
    st.sampled_from(GROUPS),
    st.lists(st.sampled_from(SOURCES), max_size=4),
    st.floats(0, 40),  # time step
    st.sampled_from(["0.0.0.0", "10.0.0.250", "10.0.0.9"]),
)


@settings(max_examples=300)
@given(st.lists(op, max_size=30), st.booleans())
def test_random_message_sequences_keep_the_invariants(ops, fast):
    cfg = SnoopingConfig(
        max_groups_per_port=2,
        max_groups_per_switch=3,
        max_sources_per_group=3,
        fast_leave_ports=frozenset({1}) if fast else frozenset(),
    )
    s = Snooper(cfg)
    s.add_switch(1, 0.0)
    now = 0.0
    installed = {}
    for port, kind, group, srcs, step, qsrc in ops:
        now += step
        if kind < 6:
            msg = report((kind + 1, group, srcs))
        elif kind < 9:
            msg = v2(
                (ig.IGMP_TYPE_REPORT_V1, ig.IGMP_TYPE_REPORT_V2, ig.IGMP_TYPE_LEAVE)[kind - 6],
                group,
            )
        else:
            msg = ig.igmpv3_query(address="0.0.0.0")
        ip = from_ip(qsrc) if kind == 9 else IP
        effects = s.receive(1, 0, port, ip, msg, now) + s.tick(now)
        for e in of(Forwarding, effects):
            if e.removed:
                installed.pop((e.group, e.source))
            else:
                installed[(e.group, e.source)] = e.ports
        sw = s.switches[1]
        vs = sw.vlans[0]
        assert sw.group_count == len(vs.groups) <= 3
        for p in range(1, 5):
            n = sum(p in e.members for e in vs.groups.values())
            assert n == sw.port_groups.get(p, 0) <= 2
        told = {}
        for (g, source), p in installed.items():
            told.setdefault(g, {})[source] = p
        # What the caller was told is what the engine holds; removed groups were announced.
        assert told == {g: e.installed for g, e in vs.groups.items()}
        for g, entry in vs.groups.items():
            assert entry.members and all(not m.is_empty() for m in entry.members.values())
            assert all(len(m.sources) <= 3 for m in entry.members.values())
            assert not g.startswith("224.0.0.") and not g.startswith("10.")
            every = set().union(*entry.installed.values())
            wanting = {p for p, m in entry.members.items() if m.wants_traffic()}
            assert every == wanting | set(vs.routers)
            # Router ports get every source; EXCLUDE-mode ports every source not excluded.
            for source, ports_ in entry.installed.items():
                assert set(vs.routers) <= set(ports_)
                for p, m in entry.members.items():
                    if m.mode == "exclude" and (source is None or source not in m.excluded()):
                        assert p in ports_
                    if m.mode == "include" and p not in vs.routers:
                        assert (p in ports_) == (source in m.sources)


@settings(max_examples=300)
@given(st.binary(max_size=80))
def test_random_igmp_bytes_never_raise(payload):
    frame = bytes.fromhex("01005e000016000000000001080046c0") + bytes(
        [
            0,
            24 + len(payload) & 0xFF,
            0,
            0,
            0,
            0,
            1,
            2,
            0,
            0,
            10,
            0,
            0,
            1,
            224,
            0,
            0,
            22,
            0x94,
            4,
            0,
            0,
        ]
    )
    p = packet.Packet(frame + payload)
    msg = p.get_protocol(ig.igmp)
    s = started()
    if msg is not None:
        s.receive(1, 0, 2, p.get_protocol(ipv4.ipv4), msg, 1.0)
        s.tick(500.0)


def _valid_report() -> bytes:
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet("01:00:5e:00:00:16", "00:00:00:00:00:01", 0x0800))
    p.add_protocol(
        ipv4.ipv4(
            header_length=6,
            ttl=1,
            proto=2,
            src="10.0.0.1",
            dst="224.0.0.22",
            option=b"\x94\x04\0\0",
        )
    )
    p.add_protocol(report((TO_EX, G1, ()), (IS_IN, G2, ("10.0.0.1", "10.0.0.2"))))
    p.serialize()
    return bytes(p.data)


VALID = _valid_report()


@settings(max_examples=300)
@given(st.lists(st.tuples(st.integers(38, len(VALID) - 1), st.integers(0, 255)), max_size=6))
def test_mutated_reports_never_raise(mutations):
    data = bytearray(VALID)
    for i, b in mutations:
        data[i] = b
    p = packet.Packet(bytes(data))
    msg = p.get_protocol(ig.igmp)
    s = started()
    if msg is not None:
        s.receive(1, 0, 2, p.get_protocol(ipv4.ipv4), msg, 1.0)
        if not mutations:
            assert [v["group"] for v in s.group_views(1.0)] == [G1, G2]
        s.tick(500.0)
        assert s.group_views(500.0) == []


def test_non_querier_adopts_the_queriers_robustness_and_interval():
    s = started()
    q = ig.igmpv3_query(qrv=3, qqic=60)
    s.receive(1, 0, 4, from_ip("10.0.0.1"), q, 0.0)
    s.receive(1, 0, 2, IP, report((TO_EX, G1, ())), 0.0)
    # GMI = 3 * 60 + 10 = 190 s; Other Querier Present Interval = 3 * 60 + 5 = 185 s.
    assert s.group_views(0.0)[0]["members"][0]["group_timer"] == 190.0
    assert s.querier_views(0.0)[0]["expires_in"] == 185.0
    assert s.router_views(0.0)[0]["expires_in"] == 185.0
    # LMQT follows the adopted robustness too: 3 queries' worth after a leave.
    s.receive(1, 0, 2, IP, report((TO_IN, G1, ())), 1.0)
    assert s.group_views(1.0)[0]["members"][0]["group_timer"] == 3.0
    # The querier goes away: this switch queries with its own values again.
    s.tick(185.0)
    s.receive(1, 0, 3, IP, report((TO_EX, G2, ())), 186.0)
    assert s.group_views(186.0)[0]["members"][0]["group_timer"] == 260.0


def test_source_filters_give_sources_their_own_ports():
    s = started()
    out = s.receive(1, 0, 2, IP, report((IS_IN, G1, ("10.9.9.1",))), 0.0)
    # Only 10.9.9.1 wanted, by port 2: other sources of G1 go nowhere (no router port).
    assert of(Forwarding, out) == [
        Forwarding(1, 0, G1, ()),
        Forwarding(1, 0, G1, (2,), "10.9.9.1"),
    ]
    out = s.receive(1, 0, 3, IP, report((TO_EX, G1, ("10.9.9.2",))), 0.0)
    # Port 3 wants everything but 10.9.9.2.
    assert sorted(of(Forwarding, out)) == [
        Forwarding(1, 0, G1, (), "10.9.9.2"),
        Forwarding(1, 0, G1, (2, 3), "10.9.9.1"),
        Forwarding(1, 0, G1, (3,)),
    ]
    [view] = s.group_views(0.0)
    assert view["ports"] == [3]
    assert view["source_ports"] == {"10.9.9.1": [2, 3], "10.9.9.2": []}
    # Port 2 leaves its source (fast expiry through the source timer): its entry goes.
    out = s.receive(1, 0, 2, IP, report((BLOCK, G1, ("10.9.9.1",))), 1.0)
    out = s.tick(3.0)
    assert of(Forwarding, out) == [Forwarding(1, 0, G1, (), "10.9.9.1", True)]
    # A router port gets every source, excluded ones too.
    out = s.router_seen(1, 0, 8, 4.0)
    assert sorted(of(Forwarding, out)) == [
        Forwarding(1, 0, G1, (3, 8)),
        Forwarding(1, 0, G1, (8,), "10.9.9.2"),
    ]
    # The last member goes: every entry is removed, the sources' before the group's.
    out = s.port_down(1, 3, 5.0)
    assert of(Forwarding, out) == [
        Forwarding(1, 0, G1, (), "10.9.9.2", True),
        Forwarding(1, 0, G1, (), None, True),
    ]


def test_too_many_source_entries_fall_back_to_one_entry_per_group():
    s = started(max_source_entries=2)
    out = s.receive(1, 0, 2, IP, report((IS_IN, G1, ("10.9.9.1", "10.9.9.2", "10.9.9.3"))), 0.0)
    assert of(Forwarding, out) == [Forwarding(1, 0, G1, (2,))]
    assert s.counters[SOURCE_ENTRY_LIMIT] == 1


def test_retransmitted_group_query_suppresses_router_side_once_answered():
    s = started(last_member_query_count=3)
    s.receive(1, 0, 2, IP, report((TO_EX, G1, ())), 0.0)
    [first] = [e for e in s.receive(1, 0, 2, IP, report((TO_IN, G1, ())), 1.0) if e.data]
    assert packet.Packet(first.data).get_protocol(ig.igmp).s_flg == 0
    [second] = [e for e in s.tick(2.0) if e.data]
    assert packet.Packet(second.data).get_protocol(ig.igmp).s_flg == 0
    # A member answers: the group timer is back at GMI, above LMQT (§6.6.3.1).
    s.receive(1, 0, 2, IP, report((IS_EX, G1, ())), 2.5)
    [third] = [e for e in s.tick(3.0) if e.data]
    assert packet.Packet(third.data).get_protocol(ig.igmp).s_flg == 1
    assert s.tick(4.0) == []
