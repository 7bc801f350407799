"""Constants Ryu apps read from ``datapath.ofproto`` on an OpenFlow 1.3 switch."""

from ctrlapp.ofproto import ofproto_v1_3


def test_ryu_app_constants_are_on_the_version_module():
    # simple_switch_13-style apps use ofproto.OFP_NO_BUFFER in PACKET_OUT and FLOW_MOD.
    assert ofproto_v1_3.OFP_NO_BUFFER == 0xFFFFFFFF
    assert ofproto_v1_3.OFP_TCP_PORT == 6653
    assert ofproto_v1_3.OFPCML_NO_BUFFER == 0xFFFF
