"""The SCTP association tracker fed with conversations built by the packet library.

Each test scripts an exchange of RFC 9260 (section numbers in the test names'
docstrings) and checks what an observer in the middle must conclude.
"""

import random
import struct

from crc32c import crc32c
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import sctp
from ctrlapp.services.sctp.tracker import AssociationTracker, TrackerConfig
from tests.support.sctp_conversation import Conversation


def feed(tracker, frames, t0=0.0, step=0.01, dpid=1):
    events = []
    for i, f in enumerate(frames):
        events += tracker.observe(f, t0 + i * step, dpid)
    return events


def only(tracker):
    [a] = tracker.associations()
    return a.document()


def test_lifecycle_setup_data_shutdown():
    """5.1 set-up, 6 DATA/SACK, 9.2 shutdown: states in order with their times."""
    c = Conversation()
    t = AssociationTracker()
    frames = c.handshake()
    frames += [c.data("A", b"x" * 100, sid=1, ppid=18), c.sack("Z")]
    frames += [c.data("Z", b"y" * 40, sid=0, ppid=60), c.sack("A")]
    frames += c.shutdown()
    events = feed(t, frames, t0=100.0, step=1.0)
    assert [(e.kind, e.reason) for e in events] == [("up", "established"), ("down", "shut down")]
    d = only(t)
    assert d["state"] == "CLOSED"
    assert d["transitions"] == {
        "INIT_SENT": 100.0,
        "INIT_ACK_SEEN": 101.0,
        "COOKIE_ECHOED": 102.0,
        "ESTABLISHED": 103.0,
        "SHUTDOWN_SENT": 108.0,
        "SHUTDOWN_ACK_SENT": 109.0,
        "CLOSED": 110.0,
    }
    ini, resp = d["initiator"], d["responder"]
    assert (ini["address"], ini["port"], resp["address"], resp["port"]) == (
        "10.0.0.1",
        5000,
        "10.0.0.2",
        36412,
    )
    assert ini["verification_tag"] == 0x1A1A1A1A and resp["verification_tag"] == 0x2B2B2B2B
    assert ini["initial_tsn"] == 1000 and resp["initial_tsn"] == 5000
    assert (ini["outbound_streams"], ini["inbound_streams"]) == (10, 10)
    assert (resp["outbound_streams"], resp["inbound_streams"]) == (5, 8)
    # RFC 9260 5.1.1: each direction gets the smaller of what the sender offers and the
    # receiver accepts.
    assert d["streams_negotiated"] == {"initiator_to_responder": 8, "responder_to_initiator": 5}
    assert ini["sent"]["chunks"] == {
        "INIT": 1,
        "COOKIE_ECHO": 1,
        "DATA": 1,
        "SACK": 1,
        "SHUTDOWN": 1,
        "SHUTDOWN_COMPLETE": 1,
    }
    assert resp["sent"]["chunks"] == {
        "INIT_ACK": 1,
        "COOKIE_ACK": 1,
        "SACK": 1,
        "DATA": 1,
        "SHUTDOWN_ACK": 1,
    }
    assert ini["sent"]["data_bytes"] == 100 and resp["sent"]["data_bytes"] == 40
    assert ini["sent"]["ppids"] == {"S1AP": 1} and resp["sent"]["ppids"] == {"NGAP": 1}
    assert ini["sent"]["highest_tsn"] == 1000 and resp["sent"]["highest_tsn"] == 5000
    assert resp["sent"]["cumulative_tsn_ack"] == 1000
    assert d["streams"] == [
        {
            "direction": "initiator_to_responder",
            "stream": 1,
            "data_chunks": 1,
            "data_bytes": 100,
        },
        {"direction": "responder_to_initiator", "stream": 0, "data_chunks": 1, "data_bytes": 40},
    ]
    assert d["packets"] == len(frames)
    assert sum(d["anomalies"].values()) == 0


def test_shutdown_received_while_peer_still_has_data():
    """9.2: a SHUTDOWN acking less than the peer sent leaves the peer flushing."""
    c = Conversation()
    t = AssociationTracker()
    feed(t, c.handshake() + [c.data("Z", b"late")])
    # A acknowledges nothing of Z's DATA in its SHUTDOWN (cumulative ack = initial TSN - 1).
    feed(t, [c.frame("A", [sctp.chunk_shutdown(tsn_ack=4999)])], t0=1.0)
    assert only(t)["state"] == "SHUTDOWN_RECEIVED"
    feed(t, [c.sack("A"), c.frame("Z", [sctp.chunk_shutdown_ack()])], t0=2.0)
    assert only(t)["state"] == "SHUTDOWN_ACK_SENT"


def test_abort_from_each_side_with_causes():
    """9.1 ABORT; 8.5.1 T bit (the sender's own tag); 3.3.10 causes named."""
    for sender, tbit in (("A", False), ("Z", True)):
        c = Conversation()
        t = AssociationTracker()
        feed(t, c.handshake())
        events = feed(
            t,
            [c.abort(sender, [sctp.cause_user_initiated_abort(b"bye")], tbit=tbit)],
            t0=5.0,
        )
        assert [(e.kind, e.reason) for e in events] == [("down", "aborted")]
        d = only(t)
        assert d["state"] == "ABORTED"
        who = "initiator" if sender == "A" else "responder"
        assert d[who]["sent"]["chunks"]["ABORT"] == 1
        assert d["causes"] == [
            {
                "time": 5.0,
                "from": who,
                "chunk": "ABORT",
                "code": 12,
                "cause": "User-Initiated Abort",
            }
        ]


def test_error_chunk_causes():
    c = Conversation()
    t = AssociationTracker()
    feed(t, c.handshake())
    feed(t, [c.frame("Z", [sctp.chunk_error(causes=[sctp.cause_invalid_stream_id(value=7)])])])
    d = only(t)
    assert d["state"] == "ESTABLISHED"
    assert [(x["chunk"], x["code"], x["cause"]) for x in d["causes"]] == [
        ("ERROR", 1, "Invalid Stream Identifier")
    ]


def test_multihoming_addresses_paths_and_heartbeats():
    """3.3.2.1 address parameters; 8.3 heartbeats per path, RTT, liveness."""
    c = Conversation()
    t = AssociationTracker(TrackerConfig(path_max_retrans=3))
    feed(t, c.handshake(("10.0.0.1", "10.1.0.1"), ("10.0.0.2", "10.1.0.2")))
    alt = {"src": "10.1.0.1", "dst": "10.1.0.2"}
    events = feed(t, [c.heartbeat("A", b"probe-1", **alt)], t0=10.0)
    assert [e.kind for e in events] == ["path_change"]
    assert "new path 10.1.0.1 -> 10.1.0.2" in events[0].reason
    feed(t, [c.heartbeat("Z", b"probe-1", ack=True, src="10.1.0.2", dst="10.1.0.1")], t0=10.25)
    d = only(t)
    assert d["initiator"]["addresses"] == ["10.0.0.1", "10.1.0.1"]
    assert d["responder"]["addresses"] == ["10.0.0.2", "10.1.0.2"]
    # Every packet of a multi-homed association counts on its path: the first path carried
    # INIT ACK, COOKIE ECHO and COOKIE ACK (the INIT announced the addresses).
    first, path = d["paths"]
    assert (first["initiator_address"], first["responder_address"]) == ("10.0.0.1", "10.0.0.2")
    assert first["packets"] == 3 and first["status"] == "unconfirmed"
    assert (path["initiator_address"], path["responder_address"], path["status"]) == (
        "10.1.0.1",
        "10.1.0.2",
        "active",
    )
    assert abs(path["rtt"] - 0.25) < 1e-9
    # Three heartbeats unanswered in a row (the third finds two pending): inactive.
    events = feed(t, [c.heartbeat("A", b"p%d" % i, **alt) for i in range(4)], t0=20.0, step=1)
    assert [e.reason for e in events] == ["path inactive: 10.1.0.1 -> 10.1.0.2"]
    events = feed(t, [c.heartbeat("Z", b"p3", ack=True, src="10.1.0.2", dst="10.1.0.1")], 30.0)
    assert [e.reason for e in events] == ["path active: 10.1.0.1 -> 10.1.0.2"]
    # DATA moved to the second path is counted on it.
    feed(t, [c.frame("A", [sctp.chunk_data(tsn=1000, payload_data=b"z")], **alt)], 31.0)
    assert only(t)["paths"][1]["packets"] == 8  # 2 + 4 heartbeats, 1 ack, 1 DATA


def test_restart_with_new_tags():
    """5.2.4: an INIT between the peers of a running association that completes with new tags."""
    c = Conversation()
    t = AssociationTracker()
    feed(t, c.handshake() + [c.data("A", b"before")])
    old_z = c.tag["Z"]
    c.tag = {"A": 0x3C3C3C3C, "Z": 0x4D4D4D4D}
    events = feed(t, c.handshake(), t0=5.0)
    assert [e.kind for e in events] == ["restart"]
    d = only(t)
    assert d["restarts"] == 1 and d["state"] == "ESTABLISHED"
    assert d["initiator"]["verification_tag"] == 0x3C3C3C3C
    assert d["responder"]["verification_tag"] == 0x4D4D4D4D
    # The old tag now belongs to nobody: an off-path packet.
    feed(t, [c.frame("A", [sctp.chunk_data(tsn=9, payload_data=b"x")], vtag=old_z)], t0=9.0)
    assert only(t)["anomalies"]["wrong_vtag"] == 1
    assert t.anomalies["wrong_vtag"] == 1


def test_init_collision():
    """5.2.1: both ends send INIT; one association results, with both tags."""
    c = Conversation()
    t = AssociationTracker()
    frames = [
        c.init("A"),
        c.frame(
            "Z",
            [sctp.chunk_init(init_tag=c.tag["Z"], a_rwnd=1000, os=5, mis=5, i_tsn=5000)],
            vtag=0,
        ),
        c.init("Z", ack=True),
        c.init("A", ack=True),
        c.frame("A", [sctp.chunk_cookie_echo(cookie=b"a" * 8)]),
        c.frame("Z", [sctp.chunk_cookie_echo(cookie=b"z" * 8)]),
        c.frame("Z", [sctp.chunk_cookie_ack()]),
        c.frame("A", [sctp.chunk_cookie_ack()]),
    ]
    events = feed(t, frames)
    assert [e.kind for e in events] == ["up"]
    d = only(t)
    assert d["init_collisions"] == 1
    assert d["state"] == "ESTABLISHED"
    assert d["initiator"]["sent"]["chunks"]["INIT"] == 1
    assert d["responder"]["sent"]["chunks"]["INIT"] == 1


def test_retransmissions_gaps_and_duplicates():
    """6.3 retransmission of a lost DATA; 3.3.4 gap-ack blocks and duplicate TSNs."""
    c = Conversation()
    t = AssociationTracker()
    feed(t, c.handshake())
    d1, d2, d3 = (c.data("A", b"%d" % i) for i in range(3))
    # d1 is lost past the observer?  No: the observer sees it, the peer reports a gap.
    frames = [
        d1,
        d3,
        c.frame("Z", [sctp.chunk_sack(tsn_ack=1000, a_rwnd=9, gapacks=[[2, 2]])]),
        d2,
        c.frame("Z", [sctp.chunk_sack(tsn_ack=1002, a_rwnd=9, duptsns=[1002])]),
        c.data("A", b"1", tsn=1001),
    ]
    feed(t, frames, t0=1.0)
    a = only(t)
    assert a["initiator"]["sent"]["retransmitted_tsns"] == 2  # d2 after d3, then TSN 1001 again
    assert a["responder"]["sent"]["gap_ack_blocks"] == 1
    assert a["responder"]["sent"]["duplicate_tsns_reported"] == 1
    assert a["responder"]["sent"]["cumulative_tsn_ack"] == 1002
    assert a["initiator"]["sent"]["highest_tsn"] == 1002


def test_missed_handshake_and_missed_init():
    """Joining mid-stream, and an INIT ACK whose INIT the observer missed."""
    c = Conversation()
    t = AssociationTracker()
    feed(t, [c.data("A", b"mid"), c.sack("Z")])
    d = only(t)
    assert d["state"] == "ESTABLISHED"
    assert d["initiator"]["verification_tag"] == c.tag["A"]
    assert d["responder"]["verification_tag"] == c.tag["Z"]
    t2 = AssociationTracker()
    feed(t2, c.handshake()[1:])
    d = only(t2)
    assert d["state"] == "ESTABLISHED"
    assert d["initiator"]["address"] == "10.0.0.1"


def _with_crc(frame: bytes, sctp_off: int) -> bytes:
    body = bytearray(frame)
    body[sctp_off + 8 : sctp_off + 12] = b"\0\0\0\0"
    crc = crc32c(bytes(body[sctp_off:]))
    body[sctp_off + 8 : sctp_off + 12] = struct.pack("<I", crc)
    return bytes(body)


def test_anomalies():
    c = Conversation()
    t = AssociationTracker()
    feed(t, c.handshake())
    bad_crc = c.frame("A", [sctp.chunk_data(tsn=1000, payload_data=b"x")], csum=0x12345678)
    init_tagged = c.frame(
        "A", [sctp.chunk_init(init_tag=7, a_rwnd=1, os=1, mis=1, i_tsn=1)], vtag=99, src="10.9.9.9"
    )
    # A chunk with length 2 (below the 4-byte header), correct CRC.
    good = c.frame("A", [sctp.chunk_data(tsn=1000, payload_data=b"abcd")])
    raw = bytearray(good)
    raw[34 + 12 + 2 : 34 + 12 + 4] = b"\x00\x02"
    malformed = _with_crc(bytes(raw), 34)
    feed(t, [bad_crc, init_tagged, malformed], t0=1.0)
    feed(t, c.shutdown() + [c.frame("Z", [sctp.chunk_shutdown_ack()])], t0=2.0)
    assert t.anomalies == {
        "bad_crc": 1,
        "wrong_vtag": 0,
        "init_nonzero_vtag": 1,
        "after_shutdown_complete": 1,
        "malformed_chunk": 1,
    }
    first = t.get(1).document()
    assert first["anomalies"]["malformed_chunk"] == 1
    assert first["anomalies"]["after_shutdown_complete"] == 1
    assert first["anomalies"]["bad_crc"] == 1
    assert first["state"] == "CLOSED"


def test_copies_from_several_switches_count_once():
    c = Conversation()
    t = AssociationTracker()
    for i, f in enumerate(c.handshake() + [c.data("A", b"x" * 10)]):
        for dpid in (1, 2, 3):
            t.observe(f, i + dpid * 0.001, dpid)
    d = only(t)
    assert d["packets"] == 5 and d["initiator"]["sent"]["chunks"]["DATA"] == 1
    assert t.counters["copies_dropped"] == 10
    # The same bytes again from the same switch: a real retransmission.
    again = c.data("A", b"again", tsn=1000)
    t.observe(again, 10.0, 1)
    t.observe(again, 10.001, 2)
    t.observe(again, 11.0, 1)
    t.observe(again, 11.001, 2)
    assert only(t)["initiator"]["sent"]["chunks"]["DATA"] == 3


def test_truncated_copies_still_counted():
    """A PACKET_IN cut at 64 bytes: chunk headers and fixed fields that fit are read."""
    c = Conversation()
    t = AssociationTracker()
    feed(t, [f[:64] for f in c.handshake()])
    big = c.frame(
        "A",
        [
            sctp.chunk_data(tsn=1000, sid=3, payload_id=46, payload_data=b"d" * 10),
            sctp.chunk_data(tsn=1001, sid=3, payload_id=46, payload_data=b"d" * 500),
        ],
    )
    feed(t, [big[:100]], t0=1.0)
    d = only(t)
    assert d["state"] == "ESTABLISHED"
    assert d["truncated_packets"] == 4  # the COOKIE ACK frame is shorter than 64 bytes
    assert d["initiator"]["sent"]["chunks"]["DATA"] == 2
    assert d["initiator"]["sent"]["data_bytes"] == 510  # from the chunk lengths
    assert d["initiator"]["sent"]["ppids"] == {"Diameter": 2}
    assert d["initiator"]["sent"]["highest_tsn"] == 1001


def test_ipv6_and_vlan():
    c = Conversation(addr_a="2001:db8::1", addr_z="2001:db8::2")
    t = AssociationTracker()
    frames = c.handshake()
    tagged = [f[:12] + b"\x81\x00\x00\x64" + f[12:] for f in frames]
    feed(t, tagged)
    d = only(t)
    assert d["state"] == "ESTABLISHED" and d["initiator"]["address"] == "2001:db8::1"


def test_half_open_flood_is_bounded_and_established_survive():
    c = Conversation()
    t = AssociationTracker(TrackerConfig(max_half_open=50, max_associations=60))
    feed(t, c.handshake())
    flood = [
        Conversation(addr_a=f"10.{i >> 8}.{i & 255}.9", tag_a=i + 1).init("A") for i in range(500)
    ]
    feed(t, flood, t0=1.0, step=0.001)
    assert len(t.half_open) == 50 and len(t.open) == 1
    assert t.counters["evicted_half_open"] == 450
    # Half-open ones go after half_open_timeout; the established one stays.
    t.expire(1.0 + 30.0 + 1)
    assert len(t.half_open) == 0 and len(t.open) == 1


def test_idle_and_closed_expiry():
    t = AssociationTracker(TrackerConfig(idle_timeout=100.0, closed_retention=10.0))
    busy, idle, done = (Conversation(port_a=p) for p in (1, 2, 3))
    feed(t, busy.handshake() + idle.handshake() + done.handshake())
    feed(t, done.shutdown(), t0=1.0)
    t.expire(5.0)
    assert len(t) == 3
    t.expire(12.0)
    assert len(t) == 2  # closed one gone after closed_retention
    feed(t, [busy.data("A", b"x")], t0=90.0)
    t.expire(150.0)
    assert [a.c[1] for a in t.associations()] == [1]  # port of the busy one
    t.expire(191.0)
    assert len(t) == 0 and t.counters["expired"] == 3


def test_remove_and_capacity():
    t = AssociationTracker(TrackerConfig(max_associations=3))
    convs = [Conversation(port_a=p) for p in range(10, 15)]
    for i, c in enumerate(convs):
        feed(t, c.handshake(), t0=i)
    assert len(t) == 3 and t.counters["evicted_at_capacity"] == 2
    first = t.associations()[0]
    assert t.remove(first.id) and t.get(first.id) is None and not t.remove(first.id)


_FRAMES = Conversation().handshake() + Conversation().shutdown()


# One seed per example: hypothesis' own draws cost more than the tracker under the CI profile.
@given(st.integers(0, 2**64 - 1))
def test_random_bytes_never_raise(seed):
    rnd = random.Random(seed)
    data = rnd.randbytes(rnd.randrange(200))
    t = AssociationTracker()
    frame = _FRAMES[0][:34] + data  # a valid Ethernet/IPv4 header announcing SCTP
    assert isinstance(t.observe(frame, 0.0), list | tuple)
    assert isinstance(t.observe(data, 0.0), list | tuple)


@given(st.integers(0, 2**64 - 1))
def test_mutated_frames_never_raise(seed):
    rnd = random.Random(seed)
    t = AssociationTracker()
    for f in _FRAMES[:2]:
        t.observe(f, 0.0)
    raw = bytearray(rnd.choice(_FRAMES))
    for _ in range(rnd.randrange(1, 7)):
        raw[rnd.randrange(len(raw))] = rnd.randrange(256)
    if rnd.random() < 0.3:
        raw = raw[: rnd.randrange(len(raw))]
    mutated = _with_crc(bytes(raw), 34) if rnd.random() < 0.7 and len(raw) >= 46 else bytes(raw)
    assert isinstance(t.observe(mutated, 1.0), list | tuple)
    for a in t.associations():
        a.document()


def test_counters_wrap_like_snmp_and_totals_carry():
    """Packets and DATA bytes are 64-bit (two words); other counters wrap at 2**32."""
    from ctrlapp.services.sctp import tracker as tr

    c = Conversation()
    t = AssociationTracker()
    feed(t, c.handshake())
    [a] = t.associations()
    a.c[tr.PACKETS] = 0xFFFFFFFF
    a.c[tr.DATA_BYTES] = 0xFFFFFFF0
    a.c[tr.KINDS] = 0xFFFFFFFF  # DATA chunks sent by the initiator
    feed(t, [c.data("A", b"x" * 100)], t0=1.0)
    d = a.document()
    assert d["initiator"]["sent"]["packets"] == 1 << 32
    assert d["initiator"]["sent"]["data_bytes"] == 0xFFFFFFF0 + 100
    assert d["initiator"]["sent"]["chunks"].get("DATA", 0) == 0
