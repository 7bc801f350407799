"""Bad peers lose their own connection (or get throttled) with a log line; others keep working."""

import logging
import struct

import pytest

from ctrlapp.controller.handshake import hello_bytes
from ctrlapp.lib import hub
from tests.unit.controller.test_controller import ARP_REQUEST

pytestmark = pytest.mark.timeout(30)

VERSION = 4


def good_switch_works(r, dpid=0x600D):
    """A well-behaved switch connects and gets its PACKET_IN answered."""
    sw = r.switch(dpid=dpid, version=VERSION)
    assert sw.wait_ready(5)
    assert r.wait(
        lambda: dpid in r.controller.datapaths and r.controller.datapaths[dpid].state == "main"
    )
    before = len(sw.switch.packet_outs)
    sw.packet_in(ARP_REQUEST, in_port=2)
    assert len(sw.wait_packet_outs(before + 1, timeout=5)) == before + 1
    return sw


def raw_peer(r):
    return hub.connect(r.address, timeout=5)


def read_until_closed(sock, timeout=5.0):
    got = b""
    with hub.Timeout(timeout):
        while True:
            try:
                chunk = sock.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            got += chunk
    return got


def test_garbage_bytes_close_that_connection_only(running, caplog):
    r = running()
    good_switch_works(r)
    bad = raw_peer(r)
    bad.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    got = read_until_closed(bad)
    assert got.startswith(hello_bytes({1, 4})[:4])  # our HELLO went out, then the close
    assert r.wait(lambda: "garbage instead of HELLO" in caplog.text)
    good_switch_works(r, dpid=0x600E)
    assert len(r.controller.connections) == 2


def test_length_below_header_size(running, caplog):
    r = running()
    sw = good_switch_works(r)
    sw.send_raw(struct.pack("!BBHI", VERSION, 10, 4, 0))
    assert sw.wait_closed()
    assert r.wait(lambda: "bad framing" in caplog.text and "outside 8..65535" in caplog.text)
    assert 0x600D not in r.controller.datapaths
    good_switch_works(r, dpid=0x600F)


def test_length_that_lies_then_stall_is_dropped_by_liveness(running, caplog):
    r = running(echo_interval=0.1, dead_timeout=0.5)
    sw = good_switch_works(r)
    sw.switch.answer_echo = False
    # Claims 1000 bytes, delivers 20, then trickles nothing more: a stall mid-message.
    sw.send_raw(struct.pack("!BBHI", VERSION, 10, 1000, 0) + bytes(12))
    assert sw.wait_closed(5)
    assert "no message for" in caplog.text
    good_switch_works(r, dpid=0x6010)


def test_no_hello(running, caplog):
    r = running()
    bad = raw_peer(r)
    bad.sendall(struct.pack("!BBHI", VERSION, 6, 32, 1) + bytes(24))  # FEATURES_REPLY first
    read_until_closed(bad)
    assert r.wait(lambda: "message type 6 before HELLO" in caplog.text)
    good_switch_works(r)


def test_silent_peer_times_out_in_handshake(running, caplog):
    r = running(handshake_timeout=0.3)
    bad = raw_peer(r)
    bad.sendall(hello_bytes({VERSION})[:5])  # half a HELLO, then nothing
    read_until_closed(bad)
    assert "handshake not finished" in caplog.text
    good_switch_works(r)


def test_unsupported_version_gets_hello_failed(running, caplog):
    r = running()
    bad = raw_peer(r)
    bad.sendall(struct.pack("!BBHI", 2, 0, 8, 77))  # OpenFlow 1.1 HELLO without bitmap
    got = read_until_closed(bad)
    hello_len = struct.unpack_from("!H", got, 2)[0]
    error = got[hello_len:]
    version, msg_type, length, xid = struct.unpack_from("!BBHI", error)
    assert (version, msg_type, xid) == (2, 1, 77)
    assert struct.unpack_from("!HH", error, 8) == (0, 0)  # HELLO_FAILED, INCOMPATIBLE
    assert "no common OpenFlow version" in caplog.text
    good_switch_works(r)


def test_packet_in_flood_is_throttled_and_others_keep_working(running, caplog):
    r = running(inflight_max=32)
    flooder = good_switch_works(r, dpid=0xF1)
    good = good_switch_works(r, dpid=0x600D)
    msg = flooder.switch.packet_in_msg(ARP_REQUEST, in_port=1)
    msg.serialize()
    burst = bytes(msg.buf) * 2000

    def flood():
        for _ in range(10):
            flooder.send_raw(burst)

    t = hub.spawn(flood)
    hub.sleep(0)
    good.packet_in(ARP_REQUEST, in_port=2)
    assert len(good.wait_packet_outs(2, timeout=5)) == 2
    t.wait()
    dp = r.controller.datapaths[0xF1]
    assert r.wait(lambda: dp.counters.packet_in == 20001, timeout=20)
    assert dp.counters.throttled > 0
    assert "pausing reads (throttling)" in caplog.text


def test_switch_that_stops_reading_is_bounded_then_dropped(running, caplog):
    caplog.set_level(logging.INFO)
    r = running(send_queue_max=64, send_queue_bytes_max=256 * 1024, dead_timeout=1.0)
    stuck = good_switch_works(r, dpid=0x57)
    stuck.stop_reading()
    dp = r.controller.datapaths[0x57]
    parser = dp.ofproto_parser
    big = bytes(60000)
    accepted = 0
    for _ in range(400):
        out = parser.OFPPacketOut(
            dp, actions=[parser.OFPActionOutput(1)], data=big, in_port=dp.ofproto.OFPP_CONTROLLER
        )
        accepted += dp.send_msg(out)
        hub.sleep(0)
    assert dp.counters.send_dropped > 0 and accepted < 400
    assert dp.send_queue_depth <= 64
    good_switch_works(r, dpid=0x600D)
    assert r.wait(lambda: not dp.is_active, timeout=10)
    assert "write stalled" in caplog.text or "no message for" in caplog.text


def test_second_connection_with_same_dpid_replaces_first(running, caplog):
    caplog.set_level(logging.INFO)
    r = running()
    first = good_switch_works(r, dpid=0xD0)
    old_dp = r.controller.datapaths[0xD0]
    second = good_switch_works(r, dpid=0xD0)
    assert first.wait_closed()
    assert r.controller.datapaths[0xD0] is not old_dp and not old_dp.is_active
    assert "replaced by a new connection" in caplog.text
    second.packet_in(ARP_REQUEST, in_port=1)
    assert second.wait_packet_outs(2)


def test_undecodable_packet_in_is_counted_and_skipped(running, caplog):
    r = running()
    sw = good_switch_works(r, dpid=0xBAD)
    dp = r.controller.datapaths[0xBAD]
    msg = sw.switch.packet_in_msg(ARP_REQUEST, in_port=1)
    msg.serialize()
    good = bytes(msg.buf)
    # match length 200 runs past the message: the layer's error, not IndexError/struct.error
    bad = bytearray(good)
    bad[26:28] = struct.pack("!H", 200)
    sw.send_raw(bytes(bad))
    assert r.wait(lambda: dp.counters.decode_errors == 1)
    assert "undecodable message skipped" in caplog.text
    assert "runs past" in caplog.text
    before = len(sw.switch.packet_outs)
    sw.send_raw(good)  # the connection is still served
    assert len(sw.wait_packet_outs(before + 1, timeout=5)) == before + 1


def test_arrival_and_departure_are_logged_at_info(running, caplog):
    caplog.set_level(logging.INFO, logger="ctrlapp.controller.controller")
    r = running()
    sw = good_switch_works(r, dpid=0xABC)
    assert r.wait(
        lambda: "dpid=0000000000000abc" in caplog.text and "connected (OpenFlow 1.3" in caplog.text
    )
    sw.close()
    assert r.wait(lambda: "disconnected" in caplog.text)
