"""Multipart replies captured from a real Open vSwitch 3.1.0 (userspace datapath).

``data/ovs-3.1-multipart-replies.bin.gz`` is the byte stream the switch sent
to a controller that asked for every multipart type, in order: HELLO,
FEATURES_REPLY, desc, flow (5 flows), aggregate, table (254 tables), port
stats, queue, group (2 groups), group desc, group features, meter, meter
config, meter features, table features (20 messages, REPLY_MORE on all but
the last), port desc, then the errors for an experimenter and an unknown
multipart type.  The switch was set up with ovs-vsctl/ovs-ofctl:
ports bp1 (1) and bp2 (2); group 1 ``select`` with buckets of weight 10 and
20; group 2 ``all``; meter 1 ``kbps,burst`` with a drop band of rate 1000,
burst 100; flows in tables 0, 1 and 2 (one with cookie 0x1234).
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from ctrlapp.ofproto import ofproto_parser
from ctrlapp.ofproto import ofproto_v1_3 as ofp
from ctrlapp.ofproto import ofproto_v1_3_parser as p
from ctrlapp.ofproto.framer import OFPFramer

STREAM = gzip.decompress(
    (Path(__file__).parent / "data" / "ovs-3.1-multipart-replies.bin.gz").read_bytes()
)
FRAMES = OFPFramer().parse(STREAM)
MESSAGES = [ofproto_parser.decode(frame.buf) for frame in FRAMES]


def replies_of(cls):
    return [m for m in MESSAGES if type(m) is cls]


def test_stream_splits_into_the_expected_messages():
    assert len(FRAMES) == 37
    assert sum(len(frame.buf) for frame in FRAMES) == len(STREAM)
    names = [type(m).__name__ for m in MESSAGES]
    assert names[:14] == [
        "OFPHello",
        "OFPSwitchFeatures",
        "OFPDescStatsReply",
        "OFPFlowStatsReply",
        "OFPAggregateStatsReply",
        "OFPTableStatsReply",
        "OFPPortStatsReply",
        "OFPQueueStatsReply",
        "OFPGroupStatsReply",
        "OFPGroupDescStatsReply",
        "OFPGroupFeaturesStatsReply",
        "OFPMeterStatsReply",
        "OFPMeterConfigStatsReply",
        "OFPMeterFeaturesStatsReply",
    ]
    assert names[14:34] == ["OFPTableFeaturesStatsReply"] * 20
    assert names[34:] == ["OFPPortDescStatsReply", "OFPErrorMsg", "OFPErrorMsg"]


@pytest.mark.parametrize("index", range(37))
def test_every_message_re_encodes_byte_exact(index):
    msg = MESSAGES[index]
    msg.serialize()
    assert bytes(msg.buf) == FRAMES[index].buf


def test_desc_and_features():
    (desc,) = replies_of(p.OFPDescStatsReply)
    assert (desc.body.mfr_desc, desc.body.hw_desc, desc.body.sw_desc) == (
        "Nicira, Inc.",
        "Open vSwitch",
        "3.1.0",
    )
    (features,) = replies_of(p.OFPMeterFeaturesStatsReply)
    assert features.body == [p.OFPMeterFeaturesStats(262144, 2, 15, 8, 0)]
    (groups,) = replies_of(p.OFPGroupFeaturesStatsReply)
    assert groups.body.types == 0xF  # all, select, indirect, fast failover


def test_flows_groups_and_meters_as_configured():
    (flows,) = replies_of(p.OFPFlowStatsReply)
    assert [(s.table_id, s.priority, s.cookie) for s in flows.body] == [
        (0, 100, 0),
        (0, 10, 0),
        (0, 1, 0x1234),
        (1, 5, 0),
        (2, 8, 0),
    ]
    assert flows.body[0].match["in_port"] == 1
    assert flows.body[0].match["ipv4_dst"] == ("10.0.0.0", "255.0.0.0")
    (aggregate,) = replies_of(p.OFPAggregateStatsReply)
    assert aggregate.body.flow_count == 5
    (desc,) = replies_of(p.OFPGroupDescStatsReply)
    assert [(g.group_id, g.type, [b.weight for b in g.buckets]) for g in desc.body] == [
        (1, ofp.OFPGT_SELECT, [10, 20]),
        (2, ofp.OFPGT_ALL, [0, 0]),
    ]
    (config,) = replies_of(p.OFPMeterConfigStatsReply)
    (meter,) = config.body
    assert (meter.meter_id, meter.flags) == (1, ofp.OFPMF_KBPS | ofp.OFPMF_BURST)
    assert [(b.rate, b.burst_size) for b in meter.bands] == [(1000, 100)]
    (stats,) = replies_of(p.OFPMeterStatsReply)
    assert [(m.meter_id, m.flow_count, len(m.band_stats)) for m in stats.body] == [(1, 1, 1)]


def test_ports():
    (desc,) = replies_of(p.OFPPortDescStatsReply)
    assert [(port.port_no, port.name) for port in desc.body] == [
        (ofp.OFPP_LOCAL, b"bmp0"),
        (1, b"bp1"),
        (2, b"bp2"),
    ]
    (stats,) = replies_of(p.OFPPortStatsReply)
    assert sorted(s.port_no for s in stats.body) == [1, 2, ofp.OFPP_LOCAL]


def test_table_features_split_over_messages():
    parts = replies_of(p.OFPTableFeaturesStatsReply)
    assert [m.flags for m in parts] == [ofp.OFPMPF_REPLY_MORE] * 19 + [0]
    tables = [t for m in parts for t in m.body]
    assert [t.table_id for t in tables] == list(range(254))
    (table_stats,) = replies_of(p.OFPTableStatsReply)
    assert [t.table_id for t in table_stats.body] == list(range(254))
    first = tables[0]
    assert {prop.type for prop in first.properties} == {
        ofp.OFPTFPT_INSTRUCTIONS,
        ofp.OFPTFPT_INSTRUCTIONS_MISS,
        ofp.OFPTFPT_NEXT_TABLES,
        ofp.OFPTFPT_NEXT_TABLES_MISS,
        ofp.OFPTFPT_WRITE_ACTIONS,
        ofp.OFPTFPT_WRITE_ACTIONS_MISS,
        ofp.OFPTFPT_APPLY_ACTIONS,
        ofp.OFPTFPT_APPLY_ACTIONS_MISS,
        ofp.OFPTFPT_MATCH,
        ofp.OFPTFPT_WILDCARDS,
        ofp.OFPTFPT_WRITE_SETFIELD,
        ofp.OFPTFPT_WRITE_SETFIELD_MISS,
        ofp.OFPTFPT_APPLY_SETFIELD,
        ofp.OFPTFPT_APPLY_SETFIELD_MISS,
    }
    next_tables = next(x for x in first.properties if x.type == ofp.OFPTFPT_NEXT_TABLES)
    assert next_tables.table_ids == list(range(1, 254))
    match = next(x for x in first.properties if x.type == ofp.OFPTFPT_MATCH)
    names = {oxm.type for oxm in match.oxm_ids}
    assert {"in_port", "eth_dst", "ipv4_src", "ipv6_dst", "tcp_dst"} <= names
    # OVS also lists Nicira (class 0x0001) fields, which stay numeric.
    assert any(isinstance(oxm.type, int) and oxm.type >> 7 == 0x0001 for oxm in match.oxm_ids)
