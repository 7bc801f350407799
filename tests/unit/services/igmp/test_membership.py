"""Router-side group record of one port: the state tables of RFC 3376 §6.4.1/§6.4.2, the timer
rules of §6.2.2/§6.5, query lowering of §6.6.3 and host compatibility of §7.3.2.

Each table test starts from a state with known timers and checks every source's new deadline
against the table's action column; GMI is 260 s (robustness 2, query interval 125 s, query
response interval 10 s) and "now" is 10.
"""

import pytest

from ctrlapp.services.igmp.membership import EXCLUDE, INCLUDE, PortMembership, QueryRequest

GMI = 260.0
NOW = 10.0
OHPI = 260.0
NEW = NOW + GMI
# Record types, RFC 3376 §4.2.12.
IS_IN, IS_EX, TO_IN, TO_EX, ALLOW, BLOCK = range(1, 7)


def include(**timers):
    m = PortMembership()
    m.sources = dict(timers)
    return m


def exclude(group_expiry, **timers):
    m = PortMembership()
    m.mode = EXCLUDE
    m.group_expiry = group_expiry
    m.sources = dict(timers)
    return m


def names(*s):
    return frozenset(s)


# -- §6.4.1/§6.4.2, router state INCLUDE (A), A = {a, b}, report B = {b, c} ----------------------


@pytest.mark.parametrize(
    "rtype,mode,sources,group_expiry,query",
    [
        # IS_IN(B): INCLUDE (A+B), (B)=GMI
        (IS_IN, INCLUDE, {"a": 100, "b": NEW, "c": NEW}, 0.0, None),
        # ALLOW(B): INCLUDE (A+B), (B)=GMI
        (ALLOW, INCLUDE, {"a": 100, "b": NEW, "c": NEW}, 0.0, None),
        # IS_EX(B): EXCLUDE (A*B, B-A), (B-A)=0, Delete (A-B), Group Timer=GMI
        (IS_EX, EXCLUDE, {"b": 100, "c": 0.0}, NEW, None),
        # BLOCK(B): INCLUDE (A), Send Q(G,A*B)
        (BLOCK, INCLUDE, {"a": 100, "b": 100}, 0.0, QueryRequest(names("b"))),
        # TO_EX(B): EXCLUDE (A*B, B-A), (B-A)=0, Delete (A-B), Send Q(G,A*B), Group Timer=GMI
        (TO_EX, EXCLUDE, {"b": 100, "c": 0.0}, NEW, QueryRequest(names("b"))),
        # TO_IN(B): INCLUDE (A+B), (B)=GMI, Send Q(G,A-B)
        (TO_IN, INCLUDE, {"a": 100, "b": NEW, "c": NEW}, 0.0, QueryRequest(names("a"))),
    ],
)
def test_include_state_table(rtype, mode, sources, group_expiry, query):
    m = include(a=100.0, b=100.0)
    assert m.apply(rtype, ["b", "c"], NOW, GMI) == query
    assert (m.mode, m.sources, m.group_expiry) == (mode, sources, group_expiry)


# -- EXCLUDE (X, Y), X = {x1, x2} (timers 100), Y = {y1, y2}, Group Timer 200, A = {x1, y1, n} -----


@pytest.mark.parametrize(
    "rtype,sources,group_expiry,query",
    [
        # IS_IN(A): EXCLUDE (X+A, Y-A), (A)=GMI
        (IS_IN, {"x1": NEW, "x2": 100, "y1": NEW, "y2": 0.0, "n": NEW}, 200.0, None),
        # ALLOW(A): EXCLUDE (X+A, Y-A), (A)=GMI
        (ALLOW, {"x1": NEW, "x2": 100, "y1": NEW, "y2": 0.0, "n": NEW}, 200.0, None),
        # IS_EX(A): EXCLUDE (A-Y, Y*A), (A-X-Y)=GMI, Delete (X-A), Delete (Y-A), Group Timer=GMI
        (IS_EX, {"x1": 100, "y1": 0.0, "n": NEW}, NEW, None),
        # BLOCK(A): EXCLUDE (X+(A-Y), Y), (A-X-Y)=Group Timer, Send Q(G,A-Y)
        (
            BLOCK,
            {"x1": 100, "x2": 100, "y1": 0.0, "y2": 0.0, "n": 200.0},
            200.0,
            QueryRequest(names("x1", "n")),
        ),
        # TO_EX(A): EXCLUDE (A-Y, Y*A), (A-X-Y)=Group Timer, Delete (X-A), Delete (Y-A),
        #           Send Q(G,A-Y), Group Timer=GMI
        (TO_EX, {"x1": 100, "y1": 0.0, "n": 200.0}, NEW, QueryRequest(names("x1", "n"))),
        # TO_IN(A): EXCLUDE (X+A, Y-A), (A)=GMI, Send Q(G,X-A), Send Q(G)
        (
            TO_IN,
            {"x1": NEW, "x2": 100, "y1": NEW, "y2": 0.0, "n": NEW},
            200.0,
            QueryRequest(names("x2"), True),
        ),
    ],
)
def test_exclude_state_table(rtype, sources, group_expiry, query):
    m = exclude(200.0, x1=100.0, x2=100.0, y1=0.0, y2=0.0)
    assert m.apply(rtype, ["x1", "y1", "n"], NOW, GMI) == query
    assert (m.mode, m.sources, m.group_expiry) == (EXCLUDE, sources, group_expiry)
    assert m.wants_traffic()


def test_empty_include_is_no_record():
    m = PortMembership()
    assert m.is_empty() and not m.wants_traffic()
    assert m.apply(TO_IN, [], NOW, GMI) is None and m.is_empty()
    assert m.apply(BLOCK, ["a"], NOW, GMI) is None and m.is_empty()
    m.apply(ALLOW, ["a"], NOW, GMI)
    assert m.wants_traffic() and m.requested() == ["a"]


# -- timers: §6.2.2 / §6.5 -------------------------------------------------------------------------


def test_include_source_timer_expiry_deletes_the_source():
    m = include(a=20.0, b=30.0)
    assert m.expire(19.9) is False
    assert m.expire(20.0) is True and m.sources == {"b": 30.0}
    assert m.expire(30.0) is True and m.is_empty()


def test_exclude_source_timer_expiry_moves_it_to_the_excluded_list():
    m = exclude(100.0, a=20.0, y=0.0)
    assert m.expire(25.0) is True
    assert m.sources == {"a": 0.0, "y": 0.0} and m.excluded() == ["a", "y"]
    assert m.expire(26.0) is False


def test_group_timer_expiry_switches_to_include_with_running_sources():
    m = exclude(50.0, a=80.0, b=40.0, y=0.0)
    assert m.expire(50.0) is True
    # b expired at 40 (excluded), y excluded: only a is still requested.
    assert (m.mode, m.sources) == (INCLUDE, {"a": 80.0})
    m2 = exclude(50.0, y=0.0)
    assert m2.expire(60.0) is True and m2.is_empty()


def test_lowering_timers_for_queries():
    m = exclude(NEW, a=NEW, b=12.0, y=0.0)
    m.lower_group_timer(NOW + 2)
    m.lower_source_timers(["a", "b", "y", "unknown"], NOW + 2)
    # A timer already below LMQT and an excluded source keep theirs (§6.6.3).
    assert m.group_expiry == 12.0 and m.sources == {"a": 12.0, "b": 12.0, "y": 0.0}
    inc = include(a=NEW)
    inc.lower_group_timer(NOW)
    assert inc.group_expiry == 0.0 and inc.mode == INCLUDE


# -- §7.3.2 older hosts ------------------------------------------------------------------------------


def test_v2_report_puts_the_group_in_v2_mode():
    m = PortMembership()
    m.older_report(2, NOW, GMI, OHPI)
    assert (m.mode, m.sources, m.group_expiry, m.compat_version(NOW)) == (EXCLUDE, {}, NEW, 2)
    # BLOCK ignored; TO_EX's source list ignored.
    assert m.apply(BLOCK, ["s"], NOW, GMI) is None and m.sources == {}
    assert m.apply(TO_EX, ["s"], NOW + 1, GMI) is None and m.sources == {}
    assert m.group_expiry == NEW + 1
    # The v2 leave is TO_IN({}): Q(G).
    assert m.leave(NOW + 2, GMI) == QueryRequest(frozenset(), True)
    # Older Host Present timer runs out: back to v3, BLOCK is honoured again.
    assert m.compat_version(NOW + OHPI) == 3


def test_v1_host_makes_leaves_ignored():
    m = PortMembership()
    m.older_report(2, NOW, GMI, OHPI)
    m.older_report(1, NOW + 1, GMI, OHPI)
    assert m.compat_version(NOW + 1) == 1
    assert m.leave(NOW + 2, GMI) is None and m.mode == EXCLUDE
    # v1 timer runs out first: v2 mode (both timers run, v1 set later here but equal length).
    m.v1_host_expiry = NOW + 50
    assert m.compat_version(NOW + 60) == 2


def test_v3_report_in_v3_mode_keeps_sources():
    m = PortMembership()
    m.apply(TO_EX, ["s"], NOW, GMI)
    assert m.sources == {"s": 0.0} and m.excluded() == ["s"]
