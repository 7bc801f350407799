"""Multipart messages against os-ken, an independent implementation of the same wire format.

os-ken encodes only requests and decodes only replies, so: requests os-ken
builds decode here to the same values and re-encode to os-ken's bytes; replies
built here decode in os-ken to the same values.
"""

from __future__ import annotations

import pytest
from os_ken.ofproto import ofproto_parser as osken_parser
from os_ken.ofproto import ofproto_v1_3_parser as kp
from os_ken.ofproto.ofproto_protocol import ProtocolDesc

from ctrlapp.ofproto import ofproto_parser
from ctrlapp.ofproto import ofproto_v1_3 as ofp
from ctrlapp.ofproto import ofproto_v1_3_parser as p

OSKEN_DP = ProtocolDesc(version=4)
HEADER_ATTRIBUTES = {"datapath", "version", "msg_type", "msg_len", "xid", "buf"}


def assert_same(mine, theirs, path="msg"):
    """Compare a value decoded here with os-ken's, attribute by os-ken attribute."""
    if isinstance(theirs, list):
        assert isinstance(mine, list) and len(mine) == len(theirs), path
        for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
            assert_same(a, b, f"{path}[{i}]")
    elif isinstance(theirs, kp.OFPMatch):
        assert dict(mine.items()) == dict(theirs.items()), path
    elif hasattr(theirs, "_fields"):  # os-ken's namedtuple-based bodies
        for name in theirs._fields:
            assert_same(getattr(mine, name), getattr(theirs, name), f"{path}.{name}")
    elif hasattr(theirs, "to_jsondict"):
        for name, value in vars(theirs).items():
            if not name.startswith("_") and name not in HEADER_ATTRIBUTES:
                assert_same(getattr(mine, name), value, f"{path}.{name}")
    elif isinstance(theirs, bytes) and isinstance(mine, str):
        assert mine.encode() == theirs, path
    else:
        assert mine == theirs, path


MATCH = {"in_port": 3, "eth_type": 0x0800, "ipv4_dst": ("10.0.0.0", "255.0.0.0")}

OSKEN_REQUESTS = [
    lambda: kp.OFPDescStatsRequest(OSKEN_DP, 0),
    lambda: kp.OFPFlowStatsRequest(OSKEN_DP, 0, 1, 2, 3, 4, 5, kp.OFPMatch(**MATCH)),
    lambda: kp.OFPAggregateStatsRequest(OSKEN_DP, 1, 255, 7, 8, 9, 10, kp.OFPMatch(in_port=1)),
    lambda: kp.OFPTableStatsRequest(OSKEN_DP, 0),
    lambda: kp.OFPPortStatsRequest(OSKEN_DP, 0, 7),
    lambda: kp.OFPQueueStatsRequest(OSKEN_DP, 0, 7, 3),
    lambda: kp.OFPGroupStatsRequest(OSKEN_DP, 0, 12),
    lambda: kp.OFPGroupDescStatsRequest(OSKEN_DP, 0),
    lambda: kp.OFPGroupFeaturesStatsRequest(OSKEN_DP, 0),
    lambda: kp.OFPMeterStatsRequest(OSKEN_DP, 0, 5),
    lambda: kp.OFPMeterConfigStatsRequest(OSKEN_DP, 0, 6),
    lambda: kp.OFPMeterFeaturesStatsRequest(OSKEN_DP, 0),
    lambda: kp.OFPPortDescStatsRequest(OSKEN_DP, 0),
    lambda: kp.OFPTableFeaturesStatsRequest(OSKEN_DP, 0, []),
    lambda: kp.OFPTableFeaturesStatsRequest(
        OSKEN_DP,
        1,
        [
            kp.OFPTableFeaturesStats(
                2,
                b"two",
                0xFF,
                0xF0,
                0,
                100,
                [
                    kp.OFPTableFeaturePropInstructions(
                        ofp.OFPTFPT_INSTRUCTIONS,
                        instruction_ids=[kp.OFPInstructionId(1), kp.OFPInstructionId(4)],
                    ),
                    kp.OFPTableFeaturePropNextTables(
                        ofp.OFPTFPT_NEXT_TABLES_MISS, table_ids=[3, 4, 5]
                    ),
                    kp.OFPTableFeaturePropActions(
                        ofp.OFPTFPT_APPLY_ACTIONS, action_ids=[kp.OFPActionId(0)]
                    ),
                    kp.OFPTableFeaturePropOxm(
                        ofp.OFPTFPT_MATCH, oxm_ids=[kp.OFPOxmId("eth_dst", hasmask=True)]
                    ),
                    kp.OFPTableFeaturePropExperimenter(
                        ofp.OFPTFPT_EXPERIMENTER, experimenter=0x2320, exp_type=1, data=[7, 8]
                    ),
                ],
            )
        ],
    ),
    lambda: kp.OFPExperimenterStatsRequest(OSKEN_DP, 0, 0x2320, 9, b"payload"),
]


@pytest.mark.parametrize("build", OSKEN_REQUESTS)
def test_requests_from_osken(build):
    theirs = build()
    theirs.set_xid(0x1234)
    theirs.serialize()
    wire = bytes(theirs.buf)
    mine = ofproto_parser.decode(wire)
    assert type(mine).__name__ == type(theirs).__name__
    assert (mine.type, mine.flags) == (theirs.type, theirs.flags)
    for name, value in vars(theirs).items():
        if name not in HEADER_ATTRIBUTES:
            assert_same(getattr(mine, name), value, name)
    mine.serialize()
    assert bytes(mine.buf) == wire


OUR_REPLIES = [
    lambda: p.OFPDescStatsReply(None, p.OFPDescStats("maker", "hw 1", "sw 2", "sn-3", "dp 4")),
    lambda: p.OFPFlowStatsReply(
        None,
        [
            p.OFPFlowStats(
                1,
                20,
                30,
                40,
                50,
                60,
                1,
                0xC0FFEE,
                70,
                80,
                p.OFPMatch(**MATCH),
                [
                    p.OFPInstructionActions(
                        ofp.OFPIT_APPLY_ACTIONS, [p.OFPActionOutput(2, 0xFFE5)]
                    ),
                    p.OFPInstructionGotoTable(3),
                ],
            ),
            p.OFPFlowStats(2, 1, 2, 3, 4, 5, 0, 6, 7, 8, p.OFPMatch(), []),
        ],
    ),
    lambda: p.OFPAggregateStatsReply(None, p.OFPAggregateStats(100, 2000, 3)),
    lambda: p.OFPTableStatsReply(None, [p.OFPTableStats(0, 1, 2, 3), p.OFPTableStats(1, 4, 5, 6)]),
    lambda: p.OFPPortStatsReply(None, [p.OFPPortStats(*range(7, 22))]),
    lambda: p.OFPQueueStatsReply(None, [p.OFPQueueStats(1, 2, 3, 4, 5, 6, 7)]),
    lambda: p.OFPGroupStatsReply(
        None, [p.OFPGroupStats(None, 1, 2, 3, 4, 5, 6, [p.OFPBucketCounter(7, 8)])]
    ),
    lambda: p.OFPGroupDescStatsReply(
        None,
        [
            p.OFPGroupDescStats(
                ofp.OFPGT_FF, 9, [p.OFPBucket(0, 3, ofp.OFPG_ANY, [p.OFPActionOutput(3, 0)])]
            )
        ],
    ),
    lambda: p.OFPGroupFeaturesStatsReply(
        None, p.OFPGroupFeaturesStats(15, 5, [1, 2, 3, 4], [5, 6, 7, 8])
    ),
    lambda: p.OFPMeterStatsReply(
        None, [p.OFPMeterStats(1, 2, 3, 4, 5, 6, [p.OFPMeterBandStats(7, 8)])]
    ),
    lambda: p.OFPMeterConfigStatsReply(
        None,
        [
            p.OFPMeterConfigStats(
                ofp.OFPMF_KBPS,
                4,
                [p.OFPMeterBandDrop(10, 20), p.OFPMeterBandDscpRemark(30, 40, 1)],
            )
        ],
    ),
    lambda: p.OFPMeterFeaturesStatsReply(None, [p.OFPMeterFeaturesStats(1, 6, 15, 2, 3)]),
    lambda: p.OFPTableFeaturesStatsReply(
        None,
        [
            p.OFPTableFeaturesStats(
                0,
                "table zero",
                2**64 - 1,
                0,
                3,
                1 << 20,
                [
                    p.OFPTableFeaturePropInstructions(
                        ofp.OFPTFPT_INSTRUCTIONS_MISS,
                        instruction_ids=[p.OFPInstructionId(1), p.OFPInstructionId(5)],
                    ),
                    p.OFPTableFeaturePropNextTables(table_ids=[1, 2]),
                    p.OFPTableFeaturePropActions(
                        ofp.OFPTFPT_WRITE_ACTIONS_MISS,
                        action_ids=[p.OFPActionId(0), p.OFPActionId(17)],
                    ),
                    p.OFPTableFeaturePropOxm(
                        ofp.OFPTFPT_APPLY_SETFIELD,
                        oxm_ids=[p.OFPOxmId("vlan_vid"), p.OFPOxmId("ipv6_src", hasmask=True)],
                    ),
                    p.OFPTableFeaturePropExperimenter(
                        ofp.OFPTFPT_EXPERIMENTER_MISS, experimenter=1, exp_type=2, data=[3]
                    ),
                ],
            )
        ],
    ),
    lambda: p.OFPPortDescStatsReply(
        None, [p.OFPPort(1, "0a:00:00:00:00:01", b"eth1", 0, 4, 0x2808, 0, 0, 0, 5000, 5000)]
    ),
    lambda: p.OFPExperimenterStatsReply(None, p.OFPExperimenterMultipart(0x2320, 3, b"abc")),
]


@pytest.mark.parametrize("build", OUR_REPLIES)
def test_replies_decode_in_osken(build):
    mine = build()
    mine.set_xid(0x4321)
    mine.flags = ofp.OFPMPF_REPLY_MORE
    mine.serialize()
    wire = bytes(mine.buf)
    theirs = osken_parser.msg(OSKEN_DP, *osken_parser.header(wire), wire)
    assert type(theirs).__name__ == type(mine).__name__
    assert (theirs.xid, theirs.type, theirs.flags) == (0x4321, mine.type, 1)
    assert_same(mine.body, theirs.body, "body")
