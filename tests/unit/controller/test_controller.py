"""The controller with emulated switches over loopback TCP, OpenFlow 1.0 and 1.3."""

import pytest

from ctrlapp.controller.handler import MAIN_DISPATCHER

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
