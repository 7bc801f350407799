"""The controller with emulated switches over loopback TCP, OpenFlow 1.0 and 1.3."""

import subprocess

import pytest

from ctrlapp.controller.handler import MAIN_DISPATCHER
from ctrlapp.lib import hub

pytestmark = pytest.mark.timeout(30)

# ARP who-has 10.0.0.2 tell 10.0.0.1 (the frame from the packet-library tests).
ARP_REQUEST = bytes.fromhex(
    "ffffffffffff00112233445508060001080006040001"
    "0011223344550a000001000000000000"
    "0a000002" + "00" * 18
)


@pytest.mark.parametrize("version", [1, 4])
def test_handshake_and_packet_out(running, version):
    r = running()
    sw = r.switch(dpid=0xA1, version=version)
    assert sw.wait_ready()
    assert r.wait(lambda: 0xA1 in r.controller.datapaths)
    dp = r.controller.datapaths[0xA1]
    assert r.wait(lambda: dp.state == MAIN_DISPATCHER)
    assert dp.version == version and dp.ofproto.OFP_VERSION == version
    assert sorted(dp.ports) == [1, 2, 3, 4]
    sw.packet_in(ARP_REQUEST, in_port=3)
    (out,) = sw.wait_packet_outs(1)
    assert out.data == ARP_REQUEST and out.in_port == 3
    assert out.actions[0].port == dp.ofproto.OFPP_FLOOD
    assert dp.counters.packet_in == 1 and dp.counters.packet_out == 1
    info = dp.info()
    assert info["id"] == 0xA1 and info["ports"] == [1, 2, 3, 4] and info["version"] == version


RECORDER = "tests/unit/controller/recorder_app.py"


def main_dp(r, sw):
    assert sw.wait_ready()
    assert r.wait(
        lambda: (
            sw.dpid in r.controller.datapaths
            and r.controller.datapaths[sw.dpid].state == MAIN_DISPATCHER
        )
    )
    return r.controller.datapaths[sw.dpid]


def test_state_changes_port_status_and_handler_errors(running, caplog):
    r = running(apps=[RECORDER])
    app = r.app("Recorder")
    sw = r.switch(dpid=7, version=4)
    dp = main_dp(r, sw)
    assert r.wait(lambda: ("main", 7) in app.states)
    assert app.features == [7]
    ofp = dp.ofproto
    sw.port_status(ofp.OFPPR_ADD, 9)
    assert r.wait(lambda: 9 in dp.ports)
    sw.port_status(ofp.OFPPR_DELETE, 1)
    assert r.wait(lambda: 1 not in dp.ports)
    assert r.wait(lambda: app.port_changes == [(ofp.OFPPR_ADD, 9), (ofp.OFPPR_DELETE, 1)])
    sw.packet_in(b"boom", in_port=2)  # the recorder raises on this payload
    sw.packet_in(ARP_REQUEST, in_port=2)
    assert r.wait(lambda: len(app.packet_ins) == 1)
    assert "handler packet_in failed on EventOFPPacketIn (datapath 0000000000000007)" in caplog.text
    sw.close()
    assert r.wait(lambda: ("dead", 7) in app.states)
    assert 7 not in r.controller.datapaths


def test_send_request_barrier_multipart_role_and_timeout(running):
    r = running(apps=[RECORDER])
    sw = r.switch(dpid=8, version=4)
    dp = main_dp(r, sw)
    parser, ofp = dp.ofproto_parser, dp.ofproto
    box = {}

    def requests():
        box["barrier"] = dp.send_barrier(timeout=5)
        box["ports"] = dp.send_request(parser.OFPPortDescStatsRequest(dp, 0), timeout=5)
        box["role"] = dp.request_role(ofp.OFPCR_ROLE_MASTER, generation_id=5, timeout=5)
        sw.switch.answer_echo = False
        try:
            dp.send_request(parser.OFPEchoRequest(dp, b"x"), timeout=0.2)
        except Exception as exc:  # noqa: BLE001 - checked below
            box["timeout"] = exc

    hub.spawn(requests).wait()
    assert type(box["barrier"]).__name__ == "OFPBarrierReply"
    (part,) = box["ports"]
    assert sorted(p.port_no for p in part.body) == [1, 2, 3, 4]
    assert box["role"].role == ofp.OFPCR_ROLE_MASTER and dp.role == ofp.OFPCR_ROLE_MASTER
    assert dp.generation_id == 5 and sw.switch.generation_id == 5
    assert type(box["timeout"]).__name__ == "RequestTimeout"


def test_echo_keepalive(running):
    r = running(echo_interval=0.05, dead_timeout=0.6)
    live = r.switch(dpid=1, version=4)
    mute = r.switch(dpid=2, version=4)
    main_dp(r, live)
    main_dp(r, mute)
    mute.switch.answer_echo = False
    assert mute.wait_closed(5)
    echoes = [m for m in live.switch.received if type(m).__name__ == "OFPEchoRequest"]
    assert echoes and 1 in r.controller.datapaths and r.controller.datapaths[1].is_active


@pytest.mark.timeout(60)
def test_tls_listener(running, tmp_path):
    key, cert = tmp_path / "ctl.key", tmp_path / "ctl.crt"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-subj",
            "/CN=ctrlapp-test",
            "-days",
            "1",
        ],
        check=True,
        capture_output=True,
    )
    r = running(tcp_port=None, ssl_port=0, ssl_certfile=str(cert), ssl_keyfile=str(key))
    assert r.controller.tcp_address is None
    from ctrlapp.testing.switch_emulator import SwitchEmulator

    sw = SwitchEmulator(
        r.controller.ssl_address,
        dpid=0x5EC,
        version=4,
        ssl_context=hub.client_ssl_context(ca_certs=str(cert)),
    )
    r.switches.append(sw)
    sw.start()
    main_dp(r, sw)
    sw.packet_in(ARP_REQUEST, in_port=1)
    assert len(sw.wait_packet_outs(1)) == 1
    # A plain-TCP client on the TLS port fails the TLS handshake and is dropped.
    plain = hub.connect(r.controller.ssl_address, timeout=5)
    plain.sendall(hub_hello())
    with hub.Timeout(10):
        assert plain.recv(100) == b""


def hub_hello():
    from ctrlapp.controller.handshake import hello_bytes

    return hello_bytes({4})
