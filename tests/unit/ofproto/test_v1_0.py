"""OpenFlow 1.0 (spec 1.0.0 section 5): message fields, Ryu-style construction, bad input."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.exception import OFPMalformedMessage, OFPTruncatedMessage, OFPUnknownMessageType
from ctrlapp.lib.packet import arp, ethernet, packet
from ctrlapp.ofproto import ofproto_parser, ofproto_protocol
from ctrlapp.ofproto import ofproto_v1_0 as ofp
from ctrlapp.ofproto import ofproto_v1_0_parser as p
from tests.support.ofp_v1_0_strategies import MESSAGES, u32
from tests.support.shared_data import TESTDATA

OF10 = TESTDATA / "openflow/of10"
DP = ofproto_protocol.ProtocolDesc(ofp.OFP_VERSION)


def corpus(name: str) -> bytes:
    return (OF10 / name).read_bytes()


def encode(msg) -> bytes:
    msg.serialize()
    return bytes(msg.buf)


# -- decoding real messages ---------------------------------------------------------


def test_packet_in_fields():
    msg = ofproto_parser.decode(corpus("1-4-ofp_packet_in.packet"))
    assert isinstance(msg, p.OFPPacketIn)
    assert (msg.buffer_id, msg.total_len, msg.in_port, msg.reason) == (2, 42, 99, ofp.OFPR_ACTION)
    pkt = packet.Packet(msg.data)
    a = pkt.get_protocol(arp.arp)
    assert pkt.get_protocol(ethernet.ethernet).dst == "ff:ff:ff:ff:ff:ff"
    assert (a.src_ip, a.dst_ip) == ("10.0.0.1", "10.0.0.3")


def test_switch_features_fields():
    msg = ofproto_parser.decode(corpus("1-6-ofp_switch_features.packet"))
    assert isinstance(msg, p.OFPSwitchFeatures)
    assert msg.datapath_id == 0xFF12345678
    assert (msg.n_buffers, msg.n_tables, msg.capabilities, msg.actions) == (0, 255, 0xA9, 0x843)
    assert list(msg.ports) == [7, 6]
    port7 = msg.ports[7]
    assert (port7.hw_addr, port7.name, port7.state) == ("f2:0b:a4:d0:3f:70", b"Port7", 0x10)
    assert (port7.curr, port7.advertised, port7.supported, port7.peer) == (648, 640, 648, 648)


def test_flow_mod_with_nicira_action_kept_raw():
    msg = ofproto_parser.decode(corpus("ovs-ofctl-of10-action_push_mpls.packet"))
    (action,) = msg.actions
    assert isinstance(action, p.OFPActionVendor)
    assert action.vendor == ofp.NX_VENDOR_ID and action.len == 16
    assert action.data == bytes.fromhex("0017884700000000")
    assert msg.match.dl_type == 0x0800 and msg.match["dl_type"] == 0x0800
    assert msg.priority == 100 and msg.buffer_id == ofp.OFP_NO_BUFFER


# -- building messages the Ryu way gives the captured bytes ----------------------------


def test_build_flow_mod_equal_to_capture():
    match = p.OFPMatch(dl_dst=b"\xf2\x0b\xa4\x7d\xf8\xea")
    assert match.wildcards == ofp.OFPFW_ALL & ~ofp.OFPFW_DL_DST
    mod = DP.ofproto_parser.OFPFlowMod(
        DP,
        match=match,
        cookie=0,
        command=ofp.OFPFC_ADD,
        priority=123,
        buffer_id=0xFFFF,
        out_port=ofp.OFPP_ALL,
        actions=[p.OFPActionOutput(6, max_len=0xFFFF)],
    )
    assert encode(mod) == corpus("1-2-ofp_flow_mod.packet")


def test_build_packet_out_equal_to_capture():
    data = corpus("1-1-ofp_packet_out.packet")[24:]
    out = p.OFPPacketOut(
        DP,
        buffer_id=ofp.OFP_NO_BUFFER,
        in_port=ofp.OFPP_CONTROLLER,
        actions=[p.OFPActionOutput(ofp.OFPP_ALL, max_len=0xFFFF)],
        data=data,
    )
    assert encode(out) == corpus("1-1-ofp_packet_out.packet")


def test_packet_out_serializes_a_packet_object():
    pkt = packet.Packet()
    pkt.add_protocol(ethernet.ethernet(dst="ff:ff:ff:ff:ff:ff", src="02:00:00:00:00:01"))
    pkt.add_protocol(
        arp.arp_ip(
            arp.ARP_REQUEST, "02:00:00:00:00:01", "10.0.0.1", "00:00:00:00:00:00", "10.0.0.2"
        )
    )
    out = p.OFPPacketOut(DP, actions=[p.OFPActionOutput(ofp.OFPP_FLOOD)], data=pkt)
    decoded = ofproto_parser.decode(encode(out))
    assert decoded.data == bytes(pkt.data) and decoded.in_port == ofp.OFPP_NONE


def test_match_wildcards_from_fields():
    match = p.OFPMatch(in_port=1, dl_dst="00:11:22:33:44:55", nw_src="10.0.0.0", nw_src_mask=8)
    # All 22 wildcard bits set, in_port and dl_dst cleared, 24 ignored low bits of nw_src.
    assert match.wildcards == 0x3FD8F6
    assert match.nw_src == 0x0A000000 and match.dl_dst == bytes.fromhex("001122334455")
    assert match["in_port"] == 1 and match["nw_src"] == 0x0A000000
    assert "nw_dst" not in match and match.get("tp_src", "none") == "none"
    with pytest.raises(KeyError):
        match["dl_src"]
    assert p.OFPMatch().wildcards == ofp.OFPFW_ALL
    assert p.OFPMatch(wildcards=0, in_port=3).wildcards == 0


def test_header_only_and_config_layouts():
    req = p.OFPFeaturesRequest(DP)
    req.set_xid(0x01020304)
    assert encode(req) == bytes.fromhex("0105000801020304")
    cfg = p.OFPSetConfig(DP, flags=ofp.OFPC_FRAG_DROP, miss_send_len=0xFFFF)
    assert encode(cfg) == bytes.fromhex("0109000c000000000001ffff")
    assert encode(p.OFPBarrierRequest(DP)) == bytes.fromhex("0112000800000000")


def test_error_and_echo_and_vendor_layouts():
    err = p.OFPErrorMsg(DP, ofp.OFPET_BAD_REQUEST, ofp.OFPBRC_BAD_TYPE, b"\x01\x63\x00\x08")
    assert encode(err) == bytes.fromhex("01010010000000000001000101630008")
    back = ofproto_parser.decode(encode(err))
    assert (back.type, back.code, back.data) == (1, 1, b"\x01\x63\x00\x08")
    assert encode(p.OFPEchoRequest(DP, data=b"hi")) == bytes.fromhex("0102000a000000006869")
    vendor = p.OFPVendor(DP, vendor=ofp.NX_VENDOR_ID, data=b"\x00\x00\x00\x0b")
    assert encode(vendor) == bytes.fromhex("0104001000000000000023200000000b")


def test_stats_request_layouts():
    req = p.OFPPortStatsRequest(DP, 0, ofp.OFPP_NONE)
    assert encode(req) == bytes.fromhex("011000140000000000040000ffff000000000000")
    req = p.OFPQueueStatsRequest(DP, 0, 1, 2)
    assert encode(req) == bytes.fromhex("0110001400000000000500000001000000000002")
    req = p.OFPFlowStatsRequest(DP, 0, p.OFPMatch(), 0xFF, ofp.OFPP_NONE)
    raw = encode(req)
    assert len(raw) == 56 and raw[8:12] == bytes.fromhex("00010000")
    assert raw[12:16] == bytes.fromhex("003fffff") and raw[52:56] == bytes.fromhex("ff00ffff")
    assert encode(p.OFPDescStatsRequest(DP)) == bytes.fromhex("0110000c0000000000000000")


def test_stats_replies_round_trip():
    desc = p.OFPDescStatsReply(DP, 0, p.OFPDescStats(b"Nicira", b"hw", b"sw", b"123", b"dp"))
    raw = encode(desc)
    assert len(raw) == 12 + 1056 and raw[12:18] == b"Nicira" and raw[18] == 0
    assert ofproto_parser.decode(raw).body.mfr_desc == b"Nicira"
    flow = p.OFPFlowStats(
        table_id=1,
        match=p.OFPMatch(in_port=2),
        duration_sec=3,
        priority=5,
        cookie=9,
        packet_count=10,
        byte_count=11,
        actions=[p.OFPActionOutput(1), p.OFPActionSetDlDst("00:00:00:00:00:01")],
    )
    reply = p.OFPFlowStatsReply(DP, ofp.OFPSF_REPLY_MORE, [flow, flow])
    raw = encode(reply)
    assert len(raw) == 12 + 2 * (88 + 24) and raw[12:14] == (112).to_bytes(2, "big")
    back = ofproto_parser.decode(raw)
    assert back.flags == ofp.OFPSF_REPLY_MORE and back.body == [flow, flow]
    agg = p.OFPAggregateStatsReply(DP, 0, [p.OFPAggregateStats(1, 2, 3)])
    assert encode(agg)[12:] == bytes.fromhex("000000000000000100000000000000020000000300000000")


def test_unknown_stats_type_kept_raw():
    raw = bytes.fromhex("011100100000000700090001deadbeef")
    msg = ofproto_parser.decode(raw)
    assert type(msg) is p.OFPStatsReply
    assert (msg.type, msg.flags, msg.body) == (9, 1, bytes.fromhex("deadbeef"))
    assert encode(msg) == raw
    assert p.OFPStatsReply.from_jsondict(msg.to_jsondict()["OFPStatsReply"]) == msg


def test_unknown_action_kept_raw():
    raw = bytes.fromhex("010d002000000000fffffffffffd00100064001001020304050607080000000000000000")[
        :32
    ]
    msg = ofproto_parser.decode(raw)
    (action,) = msg.actions
    assert isinstance(action, p.OFPActionUnknown) and action.type == 100
    assert encode(msg) == raw


def test_queue_get_config_reply():
    queues = [
        p.OFPPacketQueue(1, [p.OFPQueuePropMinRate(500)]),
        p.OFPPacketQueue(2, [p.OFPQueuePropNone(), p.OFPQueuePropUnknown(7, b"\x00" * 8)]),
    ]
    reply = p.OFPQueueGetConfigReply(DP, port=3, queues=queues)
    raw = encode(reply)
    assert raw[8:16] == bytes.fromhex("0003000000000000")
    assert raw[16:24] == bytes.fromhex("0000000100180000")
    assert raw[24:40] == bytes.fromhex("000100100000000001f4000000000000")
    assert ofproto_parser.decode(raw).queues == queues


def test_port_status_and_port_mod():
    desc = p.OFPPhyPort(1, "00:00:00:00:00:02", b"eth1", 0, ofp.OFPPS_LINK_DOWN, 0, 0, 0, 0)
    raw = encode(p.OFPPortStatus(DP, ofp.OFPPR_MODIFY, desc))
    assert len(raw) == 64 and raw[8] == ofp.OFPPR_MODIFY
    assert ofproto_parser.decode(raw).desc == desc
    mod = p.OFPPortMod(DP, 1, "00:00:00:00:00:02", ofp.OFPPC_PORT_DOWN, ofp.OFPPC_PORT_DOWN, 0)
    raw = encode(mod)
    assert raw == bytes.fromhex("010f002000000000000100000000000200000001000000010000000000000000")


def test_json_round_trip():
    mod = p.OFPFlowMod(DP, match=p.OFPMatch(in_port=1), actions=[p.OFPActionOutput(2)])
    again = p.OFPFlowMod.from_jsondict(mod.to_jsondict()["OFPFlowMod"], datapath=DP)
    assert again == mod
    err = p.OFPErrorMsg(DP, 1, 2, b"x")
    assert p.OFPErrorMsg.from_jsondict(err.to_jsondict()["OFPErrorMsg"]) == err


# -- bad input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("010500090000000500", "must be 8 bytes"),
        ("0109000b00000005000000", "must be 12 bytes"),
        ("010d001800000005fffffffffffd00100000000800010000", "runs past"),
        ("010d001800000005fffffffffffd00080000000000010000", "action length 0"),
        ("010d001800000005fffffffffffd00080000000c00010000", "action length 12"),
        ("010d001800000005fffffffffffd00080001001000010000", "runs past"),
        ("010e002800000005" + "00" * 32, "ofp_match needs 40 bytes"),
        ("0106002800000005" + "00" * 32, "multiple of 48"),
        ("0111000c0000000500000000", "carries 0 records"),
        ("0111001400000005000400000000000000000000", "not a multiple of 104"),
    ],
)
def test_malformed_messages(raw, reason):
    data = bytes.fromhex(raw)
    with pytest.raises(OFPMalformedMessage) as info:
        ofproto_parser.decode(data)
    assert info.value.xid == 5 and reason in info.value.reason


def test_truncated_and_unknown_type():
    data = corpus("1-2-ofp_flow_mod.packet")
    with pytest.raises(OFPTruncatedMessage):
        ofproto_parser.decode(data[:40])
    with pytest.raises(OFPMalformedMessage):
        ofproto_parser.msg(None, 1, 14, 30, 0, data[:30])
    with pytest.raises(OFPUnknownMessageType):
        ofproto_parser.decode(bytes.fromhex("0116000800000000"))


# -- encode -> decode -> encode for generated messages of every class --------------------


def assert_identity(msg, xid):
    msg.set_xid(xid)
    first = encode(msg)
    assert len(first) == msg.msg_len
    decoded = ofproto_parser.decode(first)
    assert type(decoded) is type(msg)
    assert decoded == msg
    assert decoded.xid == xid
    assert encode(decoded) == first
    ((name, body),) = json.loads(json.dumps(decoded.to_jsondict())).items()
    assert name == type(msg).__name__
    assert type(msg).from_jsondict(body) == msg


@given(MESSAGES, u32)
def test_encode_decode_encode_identity(msg, xid):
    assert_identity(msg, xid)


@given(u32, u32, st.integers(0, 32), st.integers(0, 32))
def test_match_prefix_wildcards(nw_src, nw_dst, src_prefix, dst_prefix):
    built = p.OFPMatch(nw_src=nw_src, nw_dst=nw_dst, nw_src_mask=src_prefix, nw_dst_mask=dst_prefix)
    assert (built.wildcards >> ofp.OFPFW_NW_SRC_SHIFT) & 0x3F == 32 - src_prefix
    assert (built.wildcards >> ofp.OFPFW_NW_DST_SHIFT) & 0x3F == 32 - dst_prefix
    assert built.wildcards & 0xFF == 0xFF
    assert ("nw_src" in built) == (src_prefix > 0)
