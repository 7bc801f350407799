"""MAC learning engine: learning per switch and VLAN, flooding, moves, port down, bounds, aging."""

from collections import OrderedDict

from hypothesis import given, settings
from hypothesis import strategies as st

from ctrlapp.services.l2.learning import (
    DROP,
    FLOOD,
    GROUP_SOURCE,
    OUTPUT,
    SAME_PORT,
    LearningSwitch,
    MacTable,
    is_group_mac,
)

A = bytes.fromhex("00000000000a")
B = bytes.fromhex("00000000000b")
C = bytes.fromhex("00000000000c")
BCAST = b"\xff" * 6
MCAST = bytes.fromhex("01005e000001")


def test_group_bit():
    assert is_group_mac(BCAST) and is_group_mac(MCAST) and is_group_mac(b"\x33\x33\0\0\0\1")
    assert not is_group_mac(A) and not is_group_mac(bytes.fromhex("020000000001"))


def test_unknown_then_known_destination():
    sw = LearningSwitch()
    assert sw.handle(1, 1, 0, A, B, 0.0).kind == FLOOD
    # B answers: A is known on port 1.
    d = sw.handle(1, 2, 0, B, A, 1.0)
    assert (d.kind, d.port, d.moved_from) == (OUTPUT, 1, None)
    d = sw.handle(1, 1, 0, A, B, 2.0)
    assert (d.kind, d.port) == (OUTPUT, 2)


def test_broadcast_and_multicast_flood_even_when_known():
    sw = LearningSwitch()
    sw.handle(1, 1, 0, A, BCAST, 0.0)
    assert sw.handle(1, 2, 0, B, BCAST, 0.0).kind == FLOOD
    assert sw.handle(1, 2, 0, B, MCAST, 0.0).kind == FLOOD


def test_group_source_dropped_and_not_learned():
    sw = LearningSwitch()
    d = sw.handle(1, 1, 0, MCAST, A, 0.0)
    assert (d.kind, d.reason) == (DROP, GROUP_SOURCE)
    assert len(sw.table(1)) == 0
    assert sw.handle(1, 2, 0, B, MCAST, 0.0).kind == FLOOD


def test_vlans_and_switches_are_separate_domains():
    sw = LearningSwitch()
    sw.handle(1, 1, 10, A, BCAST, 0.0)
    assert sw.handle(1, 2, 20, B, A, 0.0).kind == FLOOD
    assert sw.handle(2, 2, 10, B, A, 0.0).kind == FLOOD
    assert sw.handle(1, 2, 10, B, A, 0.0).port == 1


def test_destination_on_input_port_is_dropped():
    sw = LearningSwitch()
    sw.handle(1, 3, 0, A, BCAST, 0.0)
    d = sw.handle(1, 3, 0, B, A, 0.0)
    assert (d.kind, d.reason) == (DROP, SAME_PORT)


def test_moved_host_is_reported_once():
    sw = LearningSwitch()
    sw.handle(1, 1, 0, A, BCAST, 0.0)
    d = sw.handle(1, 4, 0, A, BCAST, 1.0)
    assert d.moved_from == 1
    assert sw.handle(1, 4, 0, A, BCAST, 2.0).moved_from is None
    assert sw.handle(1, 2, 0, B, A, 3.0).port == 4


def test_port_down_forgets_its_hosts_only():
    sw = LearningSwitch()
    sw.handle(1, 1, 0, A, BCAST, 0.0)
    sw.handle(1, 1, 5, C, BCAST, 0.0)
    sw.handle(1, 2, 0, B, BCAST, 0.0)
    assert sorted(sw.port_down(1, 1)) == [(0, A), (5, C)]
    assert sw.handle(1, 2, 0, B, A, 1.0).kind == FLOOD
    assert sw.handle(1, 1, 0, A, B, 1.0).port == 2
    assert sw.port_down(9, 1) == []


def test_aging_with_injected_clock():
    t = MacTable(max_entries=10, max_age=300.0)
    t.learn(0, A, 1, 0.0)
    t.learn(0, B, 2, 100.0)
    assert t.lookup(0, A, 299.9) == 1
    assert t.lookup(0, A, 300.0) is None
    assert [(v, m, p) for v, m, p in t.expire(399.0)] == []
    assert [(v, m, p) for v, m, p in t.expire(400.0)] == [(0, B, 2)]
    assert len(t) == 0


def test_refresh_keeps_a_busy_host():
    t = MacTable(max_entries=10, max_age=10.0)
    for now in range(0, 100, 5):
        t.learn(0, A, 1, float(now))
    assert t.lookup(0, A, 104.0) == 1


def test_bounded_least_recently_seen_evicted():
    t = MacTable(max_entries=3, max_age=1e9)
    macs = [bytes([0, 0, 0, 0, 0, i]) for i in range(5)]
    for i, m in enumerate(macs[:3]):
        t.learn(0, m, i + 1, float(i))
    t.learn(0, macs[0], 1, 10.0)  # seen again: now the freshest
    t.learn(0, macs[3], 4, 11.0)
    assert len(t) == 3 and t.evicted == 1
    assert t.lookup(0, macs[1], 12.0) is None
    assert t.lookup(0, macs[0], 12.0) == 1 and t.lookup(0, macs[3], 12.0) == 4


def test_forget_switch():
    sw = LearningSwitch()
    sw.handle(7, 1, 0, A, BCAST, 0.0)
    sw.forget_switch(7)
    assert 7 not in sw.tables


FRAMES = [
    (port, vlan, src, dst)
    for port in (1, 2, 3)
    for vlan in (0, 10)
    for src in (A, B, C, MCAST)
    for dst in (A, B, C, BCAST)
]


@settings(max_examples=min(settings().max_examples, 1000))
@given(st.lists(st.sampled_from(FRAMES), max_size=30), st.integers(1, 3))
def test_decisions_agree_with_an_lru_model(seq, cap):
    """Against a plain LRU model: output only to where the destination was last seen."""
    sw = LearningSwitch(max_macs=cap, mac_age=1e9)
    model: OrderedDict = OrderedDict()
    for now, (port, vlan, src, dst) in enumerate(seq):
        d = sw.handle(1, port, vlan, src, dst, float(now))
        if is_group_mac(src):
            assert d.kind == DROP
            continue
        old = model.pop((vlan, src), None)
        model[(vlan, src)] = port
        if len(model) > cap:
            model.popitem(last=False)
        assert d.moved_from == (old if old != port else None)
        known = None if is_group_mac(dst) else model.get((vlan, dst))
        if known is None:
            assert d.kind == FLOOD
        elif known == port:
            assert (d.kind, d.reason) == (DROP, SAME_PORT)
        else:
            assert (d.kind, d.port) == (OUTPUT, known)
        assert len(sw.table(1)) == len(model)
