"""The connection life cycle as data: HELLO negotiation, states, liveness (no sockets)."""

import struct

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ctrlapp.controller import handshake as hs
from ctrlapp.controller.handler import (
    CONFIG_DISPATCHER,
    DEAD_DISPATCHER,
    HANDSHAKE_DISPATCHER,
    MAIN_DISPATCHER,
)

# A HELLO offering 1.0, 1.3 and 1.4: header version 5, bitmap 0x32 (bits 1, 4, 5).
OVS_HELLO = bytes.fromhex("05050010000000010001000800000032")
OF10_HELLO = bytes.fromhex("0100000800000007")


def test_hello_bytes_layout():
    # Header version 4, bitmap element type 1 length 8 with bits 1 and 4 set, no padding needed.
    assert hs.hello_bytes({1, 4}, xid=9) == bytes.fromhex("04000010000000090001000800000012")
    # A 1.0-only controller sends a bare 1.0 HELLO.
    assert hs.hello_bytes({1}) == bytes.fromhex("0100000800000000")


def test_bitmap_parse():
    assert hs.hello_bitmap(OVS_HELLO) == {1, 4, 5}
    assert hs.hello_bitmap(OF10_HELLO) is None
    # A lying element length ends the scan rather than reading past the message.
    assert hs.hello_bitmap(bytes.fromhex("0404001000000001000100ff00000012")) is None


@pytest.mark.parametrize(
    "ours, peer_version, peer_bitmap, expected",
    [
        ({1, 4}, 5, {1, 4, 5}, 4),  # both bitmaps: highest common
        ({1, 4}, 4, {1}, 1),
        ({4}, 1, None, None),  # peer 1.0 only, we 1.3 only
        ({1, 4}, 1, None, 1),  # no bitmap: min of the header versions
        ({1, 4}, 6, None, 4),
        ({1, 4}, 3, None, None),  # min is 3, which we do not speak
        ({1, 4}, 5, {2, 3}, None),
    ],
)
def test_negotiate(ours, peer_version, peer_bitmap, expected):
    assert hs.negotiate(ours, peer_version, peer_bitmap) == expected


def test_of13_handshake_sequence():
    h = hs.Handshake({1, 4})
    assert h.state == HANDSHAKE_DISPATCHER
    out = h.receive(0, 5, 1, OVS_HELLO)
    assert h.version == 4 and h.state == CONFIG_DISPATCHER
    assert out == [bytes.fromhex("0405000800000000")]  # FEATURES_REQUEST
    out = h.receive_features(0x1234, xid=7)
    assert h.datapath_id == 0x1234 and h.state == CONFIG_DISPATCHER
    # MULTIPART_REQUEST type 13 (port desc), flags 0, 4 pad bytes.
    assert out == [bytes.fromhex("0412001000000007000d000000000000")]
    h.receive_port_desc(more=True)
    assert h.state == CONFIG_DISPATCHER
    h.receive_port_desc(more=False)
    assert h.state == MAIN_DISPATCHER
    h.close()
    assert h.state == DEAD_DISPATCHER


def test_of10_handshake_goes_main_on_features():
    h = hs.Handshake({1, 4})
    h.receive(0, 1, 3, OF10_HELLO)
    assert h.version == 1
    assert h.receive_features(1) == [] and h.state == MAIN_DISPATCHER


def test_incompatible_version_answers_hello_failed():
    h = hs.Handshake({4})
    with pytest.raises(hs.HandshakeError) as err:
        h.receive(0, 1, 3, OF10_HELLO)
    reply = err.value.reply
    version, msg_type, length, xid = struct.unpack_from("!BBHI", reply)
    assert (version, msg_type, length, xid) == (1, 1, len(reply), 3)
    assert struct.unpack_from("!HH", reply, 8) == (0, 0)  # HELLO_FAILED / INCOMPATIBLE
    assert b"no common OpenFlow version" in reply[12:]


def test_message_before_hello_is_refused_but_echo_answered():
    h = hs.Handshake({4})
    assert h.receive(2, 4, 5, bytes.fromhex("0402000c00000005abcdef01")) == [
        bytes.fromhex("0403000c00000005abcdef01")
    ]
    with pytest.raises(hs.HandshakeError, match="before HELLO"):
        h.receive(10, 4, 0, bytes(32))


def test_second_hello_and_bad_transitions():
    h = hs.Handshake({4})
    h.receive(0, 4, 0, OVS_HELLO)
    with pytest.raises(hs.HandshakeError):
        h.receive_hello(4, 0, OVS_HELLO)
    with pytest.raises(hs.HandshakeError):
        hs.Handshake({4}).receive_features(1)
    assert set(hs.TRANSITIONS.values()) == {CONFIG_DISPATCHER, MAIN_DISPATCHER, DEAD_DISPATCHER}


def test_echo_reply_keeps_xid_and_payload():
    req = bytes.fromhex("0102000c12345678") + b"ping"
    assert hs.echo_reply_bytes(req) == bytes.fromhex("0103000c12345678") + b"ping"


def test_liveness():
    live = hs.Liveness(100.0, echo_interval=5, dead_timeout=15, handshake_timeout=10)
    assert live.poll(105.0, CONFIG_DISPATCHER) is None
    assert live.poll(110.5, HANDSHAKE_DISPATCHER) == "dead"
    assert "handshake" in live.reason(110.5, CONFIG_DISPATCHER)
    live.received(110.0)
    assert live.poll(114.0, MAIN_DISPATCHER) is None
    assert live.poll(115.0, MAIN_DISPATCHER) == "echo"
    assert live.poll(116.0, MAIN_DISPATCHER) is None  # one probe per interval
    assert live.poll(120.0, MAIN_DISPATCHER) == "echo"
    assert live.poll(125.5, MAIN_DISPATCHER) == "dead"
    assert "no message for 15.5s" in live.reason(125.5, MAIN_DISPATCHER)


# The decision reads only the header and the element headers, so a thousand cases
# cover it; the CI profile's 3000 would only add run time.
@settings(max_examples=min(1000, settings().max_examples))
@given(st.binary(max_size=64), st.integers(0, 255), st.integers(0, 255))
def test_hello_of_random_bytes_never_crashes(body, version, msg_type):
    buf = struct.pack("!BBHI", version, msg_type, 8 + len(body), 1) + body
    h = hs.Handshake({1, 4})
    try:
        out = h.receive(msg_type, version, 1, buf)
    except hs.HandshakeError:
        return
    for b in out:
        assert struct.unpack_from("!H", b, 2)[0] == len(b)
    assert h.state in (HANDSHAKE_DISPATCHER, CONFIG_DISPATCHER)
