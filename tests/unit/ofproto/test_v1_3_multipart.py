"""OpenFlow 1.3 multipart requests and replies (OpenFlow 1.3.5 section 7.3.5).

Corpus files decode to the expected classes and values (read off their hex
dumps) and re-encode byte for byte; hand-built messages encode to the layout
the spec prescribes, written out here field by field; malformed bodies raise
OFPMalformedMessage carrying the xid.
"""

from __future__ import annotations

import struct

import pytest

from ctrlapp.exception import OFPEncodeError, OFPMalformedMessage, OFPTruncatedMessage
from ctrlapp.ofproto import ofproto_parser
from ctrlapp.ofproto import ofproto_v1_3 as ofp
from ctrlapp.ofproto import ofproto_v1_3_parser as p
from tests.support.shared_data import TESTDATA

CORPUS = TESTDATA / "openflow/of13"

# Every multipart file in the corpus and the class it must decode to.
MULTIPART_FILES = {
    "4-0-ofp_desc_reply.packet": "OFPDescStatsReply",
    "4-11-ofp_flow_stats_request.packet": "OFPFlowStatsRequest",
    "4-12-ofp_flow_stats_reply.packet": "OFPFlowStatsReply",
    "4-24-ofp_desc_request.packet": "OFPDescStatsRequest",
    "4-25-ofp_aggregate_stats_request.packet": "OFPAggregateStatsRequest",
    "4-26-ofp_aggregate_stats_reply.packet": "OFPAggregateStatsReply",
    "4-27-ofp_table_stats_request.packet": "OFPTableStatsRequest",
    "4-28-ofp_table_stats_reply.packet": "OFPTableStatsReply",
    "4-29-ofp_port_stats_request.packet": "OFPPortStatsRequest",
    "4-30-ofp_port_stats_reply.packet": "OFPPortStatsReply",
    "4-31-ofp_group_features_request.packet": "OFPGroupFeaturesStatsRequest",
    "4-32-ofp_group_features_reply.packet": "OFPGroupFeaturesStatsReply",
    "4-33-ofp_group_desc_request.packet": "OFPGroupDescStatsRequest",
    "4-34-ofp_group_desc_reply.packet": "OFPGroupDescStatsReply",
    "4-37-ofp_queue_stats_request.packet": "OFPQueueStatsRequest",
    "4-38-ofp_queue_stats_reply.packet": "OFPQueueStatsReply",
    "4-47-ofp_meter_config_request.packet": "OFPMeterConfigStatsRequest",
    "4-48-ofp_meter_config_reply.packet": "OFPMeterConfigStatsReply",
    "4-49-ofp_meter_stats_request.packet": "OFPMeterStatsRequest",
    "4-50-ofp_meter_stats_reply.packet": "OFPMeterStatsReply",
    "4-51-ofp_meter_features_request.packet": "OFPMeterFeaturesStatsRequest",
    "4-52-ofp_meter_features_reply.packet": "OFPMeterFeaturesStatsReply",
    "4-53-ofp_port_desc_request.packet": "OFPPortDescStatsRequest",
    "4-54-ofp_port_desc_reply.packet": "OFPPortDescStatsReply",
    "4-55-ofp_table_features_request.packet": "OFPTableFeaturesStatsRequest",
    "4-56-ofp_table_features_reply.packet": "OFPTableFeaturesStatsReply",
    "4-57-ofp_group_stats_request.packet": "OFPGroupStatsRequest",
    "4-58-ofp_group_stats_reply.packet": "OFPGroupStatsReply",
    "4-61-ofp_experimenter_request.packet": "OFPExperimenterStatsRequest",
    "4-62-ofp_experimenter_reply.packet": "OFPExperimenterStatsReply",
    "4-63-onf_flow_monitor_request.packet": "OFPExperimenterStatsRequest",
}


def decode(data: bytes):
    return ofproto_parser.decode(data)


def encode(msg) -> bytes:
    msg.serialize()
    return bytes(msg.buf)


def load(name: str):
    return decode((CORPUS / name).read_bytes())


def mp_message(msg_type: int, mp_type: int, body: bytes, xid: int = 0x0A0B0C0D, flags=0):
    """A multipart message laid out by hand: ofp_header, type, flags, pad[4], body."""
    return struct.pack("!BBHIHH4x", 4, msg_type, 16 + len(body), xid, mp_type, flags) + body


def request(mp_type: int, body: bytes, **kw) -> bytes:
    return mp_message(ofp.OFPT_MULTIPART_REQUEST, mp_type, body, **kw)


def reply(mp_type: int, body: bytes, **kw) -> bytes:
    return mp_message(ofp.OFPT_MULTIPART_REPLY, mp_type, body, **kw)


# -- corpus ------------------------------------------------------------------------
def test_every_multipart_corpus_file_is_listed():
    found = set()
    for path in CORPUS.glob("*.packet"):
        data = path.read_bytes()
        if len(data) >= 8 and data[1] in (ofp.OFPT_MULTIPART_REQUEST, ofp.OFPT_MULTIPART_REPLY):
            found.add(path.name)
    assert found == set(MULTIPART_FILES)


@pytest.mark.parametrize(("name", "cls_name"), sorted(MULTIPART_FILES.items()))
def test_corpus_round_trip(name, cls_name):
    data = (CORPUS / name).read_bytes()
    msg = decode(data)
    assert type(msg).__name__ == cls_name
    assert type(msg) is getattr(p, cls_name)
    assert (msg.version, msg.msg_type, msg.msg_len) == (4, data[1], len(data))
    assert encode(msg) == data
    # A fresh object decoded from the re-encoded bytes compares equal.
    assert decode(encode(msg)) == msg


@pytest.mark.parametrize(("name", "cls_name"), sorted(MULTIPART_FILES.items()))
def test_corpus_json_round_trip(name, cls_name):
    data = (CORPUS / name).read_bytes()
    msg = decode(data)
    jsondict = msg.to_jsondict()
    assert list(jsondict) == [cls_name]
    rebuilt = getattr(p, cls_name).from_jsondict(jsondict[cls_name])
    rebuilt.set_xid(msg.xid)
    assert encode(rebuilt) == data


def test_desc_reply_values():
    msg = load("4-0-ofp_desc_reply.packet")
    assert msg.type == ofp.OFPMP_DESC
    assert msg.flags == 0
    assert msg.body == p.OFPDescStats("mfr", "hw", "sw", "serial", "dp")


def test_flow_stats_request_values():
    msg = load("4-11-ofp_flow_stats_request.packet")
    assert (msg.table_id, msg.out_port, msg.out_group) == (0, ofp.OFPP_ANY, ofp.OFPG_ANY)
    assert (msg.cookie, msg.cookie_mask) == (0, 0)
    assert list(msg.match.items()) == []


def test_aggregate_request_and_reply_values():
    msg = load("4-25-ofp_aggregate_stats_request.packet")
    assert msg.type == ofp.OFPMP_AGGREGATE
    assert msg.table_id == ofp.OFPTT_ALL
    msg = load("4-26-ofp_aggregate_stats_reply.packet")
    assert msg.body == p.OFPAggregateStats(packet_count=7, byte_count=574, flow_count=6)


def test_flow_stats_reply_values():
    msg = load("4-12-ofp_flow_stats_reply.packet")
    assert [s.length for s in msg.body] == [0x38, 0x58, 0x50, 0x138]
    first = msg.body[0]
    assert (first.table_id, first.duration_sec, first.duration_nsec) == (0, 358, 115277000)
    assert (first.priority, first.idle_timeout, first.hard_timeout) == (65535, 0, 0)
    assert len(first.instructions) == 0
    second = msg.body[1]
    assert second.match["eth_type"] == 0x0806
    assert second.priority == 0xFFFE
    assert [i.type for i in second.instructions] == [ofp.OFPIT_APPLY_ACTIONS]
    output = second.instructions[0].actions[0]
    assert (output.port, output.max_len) == (ofp.OFPP_NORMAL, 0)
    assert [i.type for i in msg.body[3].instructions] == [
        ofp.OFPIT_WRITE_ACTIONS,
        ofp.OFPIT_APPLY_ACTIONS,
        ofp.OFPIT_WRITE_ACTIONS,
    ]
    assert [i.len for i in msg.body[3].instructions] == [192, 40, 24]


def test_table_stats_reply_values():
    msg = load("4-28-ofp_table_stats_reply.packet")
    assert msg.body == [p.OFPTableStats(0, 4, 4, 4), p.OFPTableStats(1, 4, 4, 4)]


def test_port_stats_request_and_reply_values():
    assert load("4-29-ofp_port_stats_request.packet").port_no == ofp.OFPP_ANY
    msg = load("4-30-ofp_port_stats_reply.packet")
    assert [s.port_no for s in msg.body] == [7, 6]
    first, second = msg.body
    assert (first.rx_packets, first.tx_packets, first.rx_bytes, first.tx_bytes) == (0, 4, 0, 336)
    assert (second.rx_packets, second.tx_packets) == (4, 4)
    assert (second.rx_bytes, second.tx_bytes) == (336, 336)
    assert first.collisions == 0 and second.duration_nsec == 0


def test_group_features_reply_values():
    msg = load("4-32-ofp_group_features_reply.packet")
    body = msg.body
    assert (body.types, body.capabilities) == (0xF, 5)
    assert body.max_groups == [0x1000000] * 4
    assert body.actions == [0x03FF9801] * 4


def test_group_desc_reply_values():
    msg = load("4-34-ofp_group_desc_reply.packet")
    (desc,) = msg.body
    assert (desc.length, desc.type, desc.group_id) == (0x28, ofp.OFPGT_ALL, 1)
    (bucket,) = desc.buckets
    assert (bucket.weight, bucket.watch_port, bucket.watch_group) == (1, 1, 1)
    (output,) = bucket.actions
    assert (output.port, output.max_len) == (2, 0xFFFF)


def test_queue_stats_request_and_reply_values():
    msg = load("4-37-ofp_queue_stats_request.packet")
    assert (msg.port_no, msg.queue_id) == (ofp.OFPP_ANY, ofp.OFPQ_ALL)
    msg = load("4-38-ofp_queue_stats_reply.packet")
    assert [(q.port_no, q.queue_id) for q in msg.body] == [(7, 1), (6, 1), (7, 2)]
    assert all(q.tx_bytes == q.tx_packets == q.tx_errors == 0 for q in msg.body)


def test_meter_messages_values():
    assert load("4-47-ofp_meter_config_request.packet").meter_id == ofp.OFPM_ALL
    assert load("4-49-ofp_meter_stats_request.packet").meter_id == ofp.OFPM_ALL
    (config,) = load("4-48-ofp_meter_config_reply.packet").body
    assert (config.length, config.flags, config.meter_id) == (24, 0xE, 100)
    (band,) = config.bands
    assert type(band) is p.OFPMeterBandDrop
    assert (band.rate, band.burst_size) == (1000, 10)
    (stats,) = load("4-50-ofp_meter_stats_reply.packet").body
    assert (stats.meter_id, stats.len, stats.flow_count) == (100, 56, 0)
    assert (stats.duration_sec, stats.duration_nsec) == (0, 480000)
    assert stats.band_stats == [p.OFPMeterBandStats(0, 0)]
    features = load("4-52-ofp_meter_features_reply.packet").body
    assert features == [p.OFPMeterFeaturesStats(0x1000000, 0x80000006, 0xF, 0xFF, 0)]


def test_port_desc_reply_values():
    msg = load("4-54-ofp_port_desc_reply.packet")
    assert [port.port_no for port in msg.body] == [7, 6]
    port = msg.body[0]
    assert port.hw_addr == "f2:0b:a4:d0:3f:70"
    assert port.name in ("Port7", b"Port7")
    assert (port.state, port.curr, port.advertised) == (4, 0x2808, 0x2800)
    assert (port.curr_speed, port.max_speed) == (5000, 5000)


def test_group_stats_values():
    assert load("4-57-ofp_group_stats_request.packet").group_id == ofp.OFPG_ALL
    (stats,) = load("4-58-ofp_group_stats_reply.packet").body
    assert (stats.length, stats.group_id, stats.ref_count) == (56, 1, 2)
    assert (stats.packet_count, stats.byte_count) == (123, 12345)
    assert (stats.duration_sec, stats.duration_nsec) == (9, 609036000)
    assert stats.bucket_stats == [p.OFPBucketCounter(234, 2345)]


def test_experimenter_values():
    msg = load("4-61-ofp_experimenter_request.packet")
    assert (msg.experimenter, msg.exp_type, msg.data) == (0xDEADBEAF, 0xCAFE8888, b"hogehoge")
    msg = load("4-62-ofp_experimenter_reply.packet")
    assert msg.body == p.OFPExperimenterMultipart(0xDEADBEAF, 0xCAFE7777, b"testdata99999999")
    msg = load("4-63-onf_flow_monitor_request.packet")
    assert (msg.experimenter, msg.exp_type) == (0x4F4E4600, 1870)
    assert msg.data[:4] == bytes.fromhex("05f5e100") and len(msg.data) == 408 - 24


@pytest.mark.parametrize(
    "name", ["4-55-ofp_table_features_request.packet", "4-56-ofp_table_features_reply.packet"]
)
def test_table_features_values(name):
    msg = load(name)
    assert msg.flags == 1  # OFPMPF_REQ_MORE / OFPMPF_REPLY_MORE
    assert [t.table_id for t in msg.body] == list(range(10))
    assert [t.length for t in msg.body] == [1168, 1112] + [1104] * 8
    table = msg.body[0]
    assert (table.metadata_match, table.metadata_write) == (2**64 - 1, 2**64 - 1)
    assert (table.config, table.max_entries) == (0, 0x1000000)
    assert [prop.type for prop in table.properties] == [0, 2, 4, 6, 8, 10, 12, 14] + [
        ofp.OFPTFPT_EXPERIMENTER
    ] * 3
    inst, nexts, write, apply_, match, wildcards, wsf, asf, *exps = table.properties
    assert [(i.type, i.len) for i in inst.instruction_ids] == [(t, 4) for t in range(1, 7)]
    assert nexts.length == 258 and nexts.table_ids == list(range(1, 255))
    assert [a.type for a in write.action_ids] == [
        0,
        22,
        21,
        15,
        16,
        23,
        24,
        11,
        12,
        17,
        18,
        19,
        20,
        26,
        27,
        25,
    ]
    assert apply_.action_ids == write.action_ids
    names = [oxm.type for oxm in match.oxm_ids]
    assert names[:4] == ["in_port", "metadata", "eth_dst", "eth_src"]
    assert names[-1] == "pbb_isid" and len(names) == 37
    assert all(oxm.length == 0 and not oxm.hasmask for oxm in match.oxm_ids)
    assert wildcards.oxm_ids == wsf.oxm_ids == asf.oxm_ids == match.oxm_ids
    assert [(e.experimenter, e.exp_type, e.data, e.length) for e in exps] == [
        (0x65, 0, [], 12),
        (0x65, 1, [1], 16),
        (0x65, 2, [1, 2], 20),
    ]
    assert msg.body[1].properties[1].table_ids == list(range(2, 255))


def test_table_name_utf8():
    msg = load("4-56-ofp_table_features_reply.packet")
    assert msg.body[0].name == "私のテーブル"
    assert msg.body[1].name == "Flow Table 0x01"
    assert load("4-55-ofp_table_features_request.packet").body[0].name == "Flow Table 0x00"


# -- hand-built messages against the spec layout -----------------------------------
def test_empty_body_requests_layout():
    cases = [
        (p.OFPDescStatsRequest, ofp.OFPMP_DESC),
        (p.OFPTableStatsRequest, ofp.OFPMP_TABLE),
        (p.OFPGroupDescStatsRequest, ofp.OFPMP_GROUP_DESC),
        (p.OFPGroupFeaturesStatsRequest, ofp.OFPMP_GROUP_FEATURES),
        (p.OFPMeterFeaturesStatsRequest, ofp.OFPMP_METER_FEATURES),
        (p.OFPPortDescStatsRequest, ofp.OFPMP_PORT_DESC),
        (p.OFPTableFeaturesStatsRequest, ofp.OFPMP_TABLE_FEATURES),
    ]
    for cls, mp_type in cases:
        msg = cls(None, flags=ofp.OFPMPF_REQ_MORE)
        msg.set_xid(0x01020304)
        assert encode(msg) == request(mp_type, b"", xid=0x01020304, flags=1), cls


def test_fixed_body_requests_layout():
    xid = 0x11223344
    cases = [
        (p.OFPPortStatsRequest(None, 0, port_no=7), ofp.OFPMP_PORT_STATS, "00000007 00000000"),
        (p.OFPQueueStatsRequest(None, 0, 3, 9), ofp.OFPMP_QUEUE, "00000003 00000009"),
        (p.OFPGroupStatsRequest(None, 0, 5), ofp.OFPMP_GROUP, "00000005 00000000"),
        (p.OFPMeterStatsRequest(None, 0, 6), ofp.OFPMP_METER, "00000006 00000000"),
        (p.OFPMeterConfigStatsRequest(None, 0, 8), ofp.OFPMP_METER_CONFIG, "00000008 00000000"),
    ]
    for msg, mp_type, body in cases:
        msg.set_xid(xid)
        wire = request(mp_type, bytes.fromhex(body), xid=xid)
        assert encode(msg) == wire
        assert decode(wire) == msg


def test_flow_stats_request_layout():
    match = p.OFPMatch(in_port=6)
    msg = p.OFPFlowStatsRequest(None, 0, 1, 2, 3, 4, 5, match)
    body = bytes.fromhex(
        "01 000000 00000002 00000003 00000000"  # table_id, pad, out_port, out_group, pad
        "0000000000000004 0000000000000005"  # cookie, cookie_mask
        "0001 000c 80000004 00000006 00000000"  # OXM match, in_port=6, padded to 16
    )
    assert encode(msg) == request(ofp.OFPMP_FLOW, body, xid=0)
    decoded = decode(encode(msg))
    assert type(decoded) is p.OFPFlowStatsRequest
    assert decoded.match["in_port"] == 6
    aggregate = p.OFPAggregateStatsRequest(None, 0, 1, 2, 3, 4, 5, match)
    assert encode(aggregate) == request(ofp.OFPMP_AGGREGATE, body, xid=0)


def test_meter_stats_reply_layout():
    stats = p.OFPMeterStats(9, 2, 3, 4, 5, 6, [p.OFPMeterBandStats(7, 8)])
    msg = p.OFPMeterStatsReply(None, [stats], flags=ofp.OFPMPF_REPLY_MORE)
    body = bytes.fromhex(
        "00000009 0038 000000000000"  # meter_id, len 56, pad
        "00000002 0000000000000003 0000000000000004 00000005 00000006"
        "0000000000000007 0000000000000008"  # one band: packet and byte count
    )
    assert encode(msg) == reply(ofp.OFPMP_METER, body, xid=0, flags=1)
    assert stats.len == 56


def test_group_and_desc_replies_layout():
    group = p.OFPGroupStats(None, 1, 2, 3, 4, 5, 6, [p.OFPBucketCounter(7, 8)])
    body = bytes.fromhex(
        "0038 0000 00000001 00000002 00000000"
        "0000000000000003 0000000000000004 00000005 00000006"
        "0000000000000007 0000000000000008"
    )
    assert encode(p.OFPGroupStatsReply(None, [group])) == reply(ofp.OFPMP_GROUP, body, xid=0)
    features = p.OFPGroupFeaturesStats(1, 2, [3, 4, 5, 6], [7, 8, 9, 10])
    wire = reply(ofp.OFPMP_GROUP_FEATURES, struct.pack("!10I", *range(1, 11)), xid=0)
    assert encode(p.OFPGroupFeaturesStatsReply(None, features)) == wire
    desc = p.OFPDescStats("a", "b", "c", "d", "e")
    wire = reply(
        ofp.OFPMP_DESC,
        b"".join(
            c.encode().ljust(n, b"\0")
            for c, n in zip("abcde", [256, 256, 256, 32, 256], strict=True)
        ),
        xid=0,
    )
    assert encode(p.OFPDescStatsReply(None, desc)) == wire


def test_table_features_layout():
    props = [
        p.OFPTableFeaturePropInstructions(instruction_ids=[p.OFPInstructionId(1)]),
        p.OFPTableFeaturePropNextTables(ofp.OFPTFPT_NEXT_TABLES_MISS, table_ids=[1, 2, 3]),
        p.OFPTableFeaturePropActions(
            ofp.OFPTFPT_WRITE_ACTIONS,
            action_ids=[p.OFPActionId(0), p.OFPActionId(0xFFFF, data=b"\x00\x00\x23\x20")],
        ),
        p.OFPTableFeaturePropOxm(
            ofp.OFPTFPT_MATCH,
            oxm_ids=[
                p.OFPOxmId("eth_dst", hasmask=True),
                p.OFPOxmId("in_port"),
                p.OFPExperimenterOxmId(0xFFFF << 7 | 1, exp_id=0x4F4E4600, length=4),
            ],
        ),
        p.OFPTableFeaturePropExperimenter(
            ofp.OFPTFPT_EXPERIMENTER_MISS, experimenter=0x2320, exp_type=7, data=[9]
        ),
        p.OFPTableFeaturePropUnknown(0x1234, data=b"\x01"),
    ]
    table = p.OFPTableFeaturesStats(3, "t3", 0xFF, 0xF0, 0, 1000, props)
    props_wire = bytes.fromhex(
        "0000 0008 0001 0004"  # instructions: one 4-byte id
        "0003 0007 010203 00"  # next tables (miss): 3 ids, 1 byte of padding
        "0004 0010 0000 0004 ffff 0008 00002320"  # two action ids, no padding needed
        "0008 0014 8000070c 80000004 ffff0204 4f4e4600 00000000"  # OXM ids, padded
        "ffff 0010 00002320 00000007 00000009"  # experimenter (miss)
        "1234 0005 01 000000"  # unknown type kept raw
    )
    head = struct.pack("!HB5x32sQQII", 64 + len(props_wire), 3, b"t3", 0xFF, 0xF0, 0, 1000)
    wire = reply(ofp.OFPMP_TABLE_FEATURES, head + props_wire, xid=0)
    assert encode(p.OFPTableFeaturesStatsReply(None, [table])) == wire
    decoded = decode(wire)
    assert decoded.body == [table]
    assert [prop.length for prop in table.properties] == [8, 7, 16, 20, 16, 5]
    assert type(decoded.body[0].properties[3].oxm_ids[2]) is p.OFPExperimenterOxmId


def test_unknown_multipart_type_kept_raw():
    for build in (request, reply):
        wire = build(0x7777, b"\x01\x02\x03", xid=5, flags=1)
        msg = decode(wire)
        assert type(msg) in (p.OFPMultipartRequest, p.OFPMultipartReply)
        assert (msg.type, msg.flags, msg.body) == (0x7777, 1, b"\x01\x02\x03")
        assert encode(msg) == wire
    raw = p.OFPMultipartRequest(None, 0, type_=0x7777, body=b"xy")
    assert encode(raw) == request(0x7777, b"xy", xid=0)


def test_experimenter_layout_both_directions():
    req = p.OFPExperimenterStatsRequest(None, 0, 0x2320, 3, b"abc")
    assert encode(req) == request(
        ofp.OFPMP_EXPERIMENTER, bytes.fromhex("00002320 00000003") + b"abc", xid=0
    )
    rep = p.OFPExperimenterStatsReply(None, p.OFPExperimenterMultipart(0x2320, 4, b"z"))
    wire = reply(ofp.OFPMP_EXPERIMENTER, bytes.fromhex("00002320 00000004") + b"z", xid=0)
    assert encode(rep) == wire
    assert decode(wire) == rep


def test_both_directions_for_every_type():
    """Each request and reply class encodes, and its bytes decode to an equal object."""
    messages = [
        p.OFPTableStatsReply(None, [p.OFPTableStats(1, 2, 3, 4)]),
        p.OFPPortStatsReply(None, [p.OFPPortStats(*range(1, 16))]),
        p.OFPQueueStatsReply(None, [p.OFPQueueStats(*range(1, 8))]),
        p.OFPAggregateStatsReply(None, p.OFPAggregateStats(1, 2, 3)),
        p.OFPMeterFeaturesStatsReply(None, [p.OFPMeterFeaturesStats(1, 2, 3, 4, 5)]),
        p.OFPMeterConfigStatsReply(
            None, [p.OFPMeterConfigStats(ofp.OFPMF_KBPS, 3, [p.OFPMeterBandDrop(10, 20)])]
        ),
        p.OFPGroupDescStatsReply(
            None,
            [
                p.OFPGroupDescStats(
                    ofp.OFPGT_SELECT,
                    4,
                    [p.OFPBucket(1, ofp.OFPP_ANY, ofp.OFPG_ANY, [p.OFPActionOutput(3, 0)])],
                )
            ],
        ),
        p.OFPFlowStatsReply(
            None,
            [
                p.OFPFlowStats(
                    1,
                    2,
                    3,
                    4,
                    5,
                    6,
                    7,
                    8,
                    9,
                    10,
                    p.OFPMatch(in_port=1, eth_type=0x0800),
                    [p.OFPInstructionGotoTable(2)],
                )
            ],
        ),
        p.OFPTableFeaturesStatsRequest(None, 0, [p.OFPTableFeaturesStats(1, "x")]),
        p.OFPPortDescStatsReply(
            None,
            [p.OFPPort(1, "00:11:22:33:44:55", b"eth1", 0, 0, 0, 0, 0, 0, 1000, 10000)],
        ),
    ]
    for msg in messages:
        msg.set_xid(42)
        wire = encode(msg)
        again = decode(wire)
        assert type(again) is type(msg)
        assert again == msg, type(msg).__name__
        assert again.xid == 42
        assert encode(again) == wire


# -- bad input ---------------------------------------------------------------------
XID = 0x0A0B0C0D


def expect_malformed(wire: bytes, exc=OFPMalformedMessage):
    with pytest.raises(exc) as info:
        decode(wire)
    assert info.value.xid == XID
    assert info.value.reason
    return info.value


def test_multipart_header_truncated():
    wire = struct.pack("!BBHIHH", 4, ofp.OFPT_MULTIPART_REPLY, 12, XID, ofp.OFPMP_DESC, 0)
    expect_malformed(wire, OFPTruncatedMessage)


def test_fixed_request_body_of_wrong_size():
    expect_malformed(request(ofp.OFPMP_PORT_STATS, b"\x00\x00\x00\x07"))
    expect_malformed(request(ofp.OFPMP_DESC, b"\x00" * 8))


def test_single_struct_reply_with_wrong_size():
    expect_malformed(reply(ofp.OFPMP_DESC, b""), OFPTruncatedMessage)
    expect_malformed(reply(ofp.OFPMP_AGGREGATE, bytes(24 + 8)))
    expect_malformed(reply(ofp.OFPMP_EXPERIMENTER, bytes(7)), OFPTruncatedMessage)


def test_list_reply_with_partial_entry():
    expect_malformed(reply(ofp.OFPMP_TABLE, bytes(24 + 10)), OFPTruncatedMessage)
    expect_malformed(reply(ofp.OFPMP_PORT_STATS, bytes(111)), OFPTruncatedMessage)


def test_entry_length_past_message():
    flow = bytearray(load("4-12-ofp_flow_stats_reply.packet").buf[16:])
    struct.pack_into("!H", flow, 0, len(flow) + 8)
    err = expect_malformed(reply(ofp.OFPMP_FLOW, bytes(flow)), OFPTruncatedMessage)
    assert "runs past" in err.reason


def test_entry_length_below_fixed_part():
    for mp_type, fmt in [
        (ofp.OFPMP_FLOW, "!H"),
        (ofp.OFPMP_GROUP, "!H"),
        (ofp.OFPMP_GROUP_DESC, "!H"),
        (ofp.OFPMP_METER_CONFIG, "!H"),
        (ofp.OFPMP_TABLE_FEATURES, "!H"),
    ]:
        body = bytearray(64)
        struct.pack_into(fmt, body, 0, 4)
        err = expect_malformed(reply(mp_type, bytes(body)))
        assert "below its fixed size" in err.reason
    body = bytearray(40)
    struct.pack_into("!IH", body, 0, 1, 39)  # meter stats: len sits after meter_id
    expect_malformed(reply(ofp.OFPMP_METER, bytes(body)))


def test_counters_not_whole():
    body = bytearray(40 + 8)
    struct.pack_into("!H", body, 0, 48)  # group stats: a half bucket counter
    err = expect_malformed(reply(ofp.OFPMP_GROUP, bytes(body)))
    assert "whole number" in err.reason


def table_features_wire(props: bytes) -> bytes:
    head = struct.pack("!HB5x32sQQII", 64 + len(props), 0, b"t", 0, 0, 0, 0)
    return reply(ofp.OFPMP_TABLE_FEATURES, head + props)


def test_table_feature_property_errors():
    expect_malformed(table_features_wire(bytes.fromhex("0000 0002 0000 0000")))  # length < 4
    expect_malformed(
        table_features_wire(bytes.fromhex("0000 0010 0000 0000")), OFPTruncatedMessage
    )  # runs past the entry
    expect_malformed(table_features_wire(bytes.fromhex("0002 0005 01")))  # no room for padding
    expect_malformed(table_features_wire(bytes.fromhex("0000 0008 0001 0002")))  # id length 2
    expect_malformed(
        table_features_wire(bytes.fromhex("0000 0008 0001 0008")), OFPTruncatedMessage
    )  # id runs past its property
    expect_malformed(
        table_features_wire(bytes.fromhex("ffff 000e 00000001 00000002 0102 0000"))
    )  # experimenter data not whole 32-bit words
    expect_malformed(
        table_features_wire(bytes.fromhex("0008 0008 ffff0000 00000000")), OFPTruncatedMessage
    )  # experimenter OXM id without its experimenter id
    expect_malformed(
        table_features_wire(bytes.fromhex("0008 0006 8000 0000")), OFPTruncatedMessage
    )  # OXM id cut short


def test_flow_stats_request_trailing_bytes():
    wire = bytearray(load("4-11-ofp_flow_stats_request.packet").buf)
    wire += bytes(8)
    struct.pack_into("!HI", wire, 2, len(wire), XID)
    expect_malformed(bytes(wire))


def test_match_running_past_flow_stats_entry():
    wire = bytearray(load("4-12-ofp_flow_stats_reply.packet").buf)
    struct.pack_into("!I", wire, 4, XID)
    struct.pack_into("!H", wire, 16 + 48 + 2, 0x200)  # first entry's match length
    expect_malformed(bytes(wire))


# -- objects that cannot be encoded ------------------------------------------------
def test_encode_errors():
    bad = [
        p.OFPDescStatsReply(None, p.OFPDescStats(serial_num="x" * 33)),
        p.OFPTableFeaturesStatsReply(None, [p.OFPTableFeaturesStats(name="n" * 33)]),
        p.OFPGroupFeaturesStatsReply(None, p.OFPGroupFeaturesStats(1, 2, [1, 2, 3], [1, 2, 3, 4])),
        p.OFPTableFeaturesStatsRequest(
            None,
            0,
            [
                p.OFPTableFeaturesStats(
                    properties=[p.OFPTableFeaturePropOxm(oxm_ids=[p.OFPOxmId("no_such_field")])]
                )
            ],
        ),
        p.OFPTableFeaturesStatsRequest(
            None,
            0,
            [
                p.OFPTableFeaturesStats(
                    properties=[p.OFPTableFeaturePropOxm(oxm_ids=[p.OFPOxmId(0xFFFF << 7)])]
                )
            ],
        ),
        p.OFPTableFeaturesStatsRequest(
            None,
            0,
            [
                p.OFPTableFeaturesStats(
                    properties=[p.OFPTableFeaturePropNextTables(table_ids=[256])]
                )
            ],
        ),
        p.OFPPortStatsRequest(None, 0, port_no=-1),
        p.OFPTableStatsReply(None, [p.OFPTableStats(table_id=256)]),
    ]
    for msg in bad:
        with pytest.raises(OFPEncodeError):
            msg.serialize()


def test_oxm_id_lengths_from_field_sizes():
    assert p.OFPOxmId("ipv6_src").serialize() == struct.pack("!I", 0x80003410)
    assert p.OFPOxmId("ipv6_src", hasmask=True).serialize() == struct.pack("!I", 0x80003520)
    assert p.OFPOxmId("vlan_vid", length=0).serialize() == struct.pack("!I", 0x80000C00)
    # A field of another class has no known size: length 0 unless given.
    assert p.OFPOxmId(0x0001 << 7 | 3).serialize() == struct.pack("!I", 0x00010600)
