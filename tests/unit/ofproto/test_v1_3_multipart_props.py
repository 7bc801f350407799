"""Property tests for OpenFlow 1.3 multipart messages.

* every request and reply class, built from generated field values, encodes,
  decodes to an equal object and encodes again to the same bytes;
* random bodies behind a multipart header, and corpus messages with bytes
  overwritten or cut, either decode (and then survive a re-encode) or raise
  OFPMalformedMessage with the xid; nothing else escapes.
"""

from __future__ import annotations

import struct

from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.exception import OFPMalformedMessage
from ctrlapp.lib import addrconv
from ctrlapp.ofproto import ofproto_parser
from ctrlapp.ofproto import ofproto_v1_3 as ofp
from ctrlapp.ofproto import ofproto_v1_3_parser as p
from tests.support.shared_data import TESTDATA

CORPUS = TESTDATA / "openflow/of13"

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
u64 = st.integers(0, 2**64 - 1)
flags = st.sampled_from([0, 1])

# Text that survives the NUL-padded fixed fields: no NUL at the end, at most
# 8 characters so that the UTF-8 form fits the 32-byte fields.
text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=8,
)
mac = st.binary(min_size=6, max_size=6).map(addrconv.mac.bin_to_text)
ipv4 = st.binary(min_size=4, max_size=4).map(addrconv.ipv4.bin_to_text)

matches = st.fixed_dictionaries(
    {},
    optional={
        "in_port": u32,
        "metadata": u64,
        "eth_dst": mac,
        "eth_type": u16,
        "ip_proto": u8,
        "ipv4_dst": ipv4,
        "tcp_src": u16,
    },
).map(lambda fields: p.OFPMatch(**fields))

actions = st.lists(st.builds(p.OFPActionOutput, u32, u16), max_size=2)
instructions = st.lists(
    st.one_of(
        st.builds(p.OFPInstructionGotoTable, u8),
        st.builds(p.OFPInstructionWriteMetadata, u64, u64),
        st.builds(p.OFPInstructionMeter, u32),
        st.builds(
            p.OFPInstructionActions,
            st.sampled_from([ofp.OFPIT_WRITE_ACTIONS, ofp.OFPIT_APPLY_ACTIONS]),
            actions,
        ),
    ),
    max_size=3,
)
buckets = st.lists(st.builds(p.OFPBucket, u16, u32, u32, actions), max_size=2)
bands = st.lists(
    st.one_of(
        st.builds(p.OFPMeterBandDrop, u32, u32),
        st.builds(p.OFPMeterBandDscpRemark, u32, u32, u8),
    ),
    max_size=2,
)
ports = st.builds(
    p.OFPPort,
    u32,
    mac,
    st.binary(max_size=16).map(lambda b: b.rstrip(b"\0")),
    *[u32] * 8,
)

oxm_names = st.sampled_from(
    sorted(n[len("OFPXMT_OFB_") :].lower() for n in vars(ofp) if n.startswith("OFPXMT_OFB_"))
)
oxm_ids = st.one_of(
    st.builds(p.OFPOxmId, oxm_names, st.booleans(), st.none() | u8),
    st.builds(p.OFPOxmId, st.integers(0, 0x7FFF << 7 | 0x7F), st.booleans(), u8),
    st.builds(
        p.OFPExperimenterOxmId,
        st.integers(0, 0x7F).map(lambda f: 0xFFFF << 7 | f),
        u32,
        st.booleans(),
        u8,
    ),
)
type_len_ids = st.tuples(u16, st.binary(max_size=8))
properties = st.one_of(
    st.builds(
        p.OFPTableFeaturePropInstructions,
        st.sampled_from([ofp.OFPTFPT_INSTRUCTIONS, ofp.OFPTFPT_INSTRUCTIONS_MISS]),
        instruction_ids=st.lists(
            type_len_ids.map(lambda t: p.OFPInstructionId(t[0], data=t[1])), max_size=4
        ),
    ),
    st.builds(
        p.OFPTableFeaturePropNextTables,
        st.sampled_from([ofp.OFPTFPT_NEXT_TABLES, ofp.OFPTFPT_NEXT_TABLES_MISS]),
        table_ids=st.lists(u8, max_size=20),
    ),
    st.builds(
        p.OFPTableFeaturePropActions,
        st.sampled_from(
            [
                ofp.OFPTFPT_WRITE_ACTIONS,
                ofp.OFPTFPT_WRITE_ACTIONS_MISS,
                ofp.OFPTFPT_APPLY_ACTIONS,
                ofp.OFPTFPT_APPLY_ACTIONS_MISS,
            ]
        ),
        action_ids=st.lists(type_len_ids.map(lambda t: p.OFPActionId(t[0], data=t[1])), max_size=4),
    ),
    st.builds(
        p.OFPTableFeaturePropOxm,
        st.sampled_from(
            [
                ofp.OFPTFPT_MATCH,
                ofp.OFPTFPT_WILDCARDS,
                ofp.OFPTFPT_WRITE_SETFIELD,
                ofp.OFPTFPT_WRITE_SETFIELD_MISS,
                ofp.OFPTFPT_APPLY_SETFIELD,
                ofp.OFPTFPT_APPLY_SETFIELD_MISS,
            ]
        ),
        oxm_ids=st.lists(oxm_ids, max_size=4),
    ),
    st.builds(
        p.OFPTableFeaturePropExperimenter,
        st.sampled_from([ofp.OFPTFPT_EXPERIMENTER, ofp.OFPTFPT_EXPERIMENTER_MISS]),
        experimenter=u32,
        exp_type=u32,
        data=st.lists(u32, max_size=3),
    ),
    st.builds(
        p.OFPTableFeaturePropUnknown,
        st.integers(16, 0xFFFD),
        data=st.binary(max_size=12),
    ),
)
table_features = st.builds(
    p.OFPTableFeaturesStats,
    u8,
    text,
    u64,
    u64,
    u32,
    u32,
    st.lists(properties, max_size=4),
)
flow_stats = st.builds(
    p.OFPFlowStats, u8, u32, u32, u16, u16, u16, u16, u64, u64, u64, matches, instructions
)


def flow_request(cls):
    return st.builds(cls, st.none(), flags, u8, u32, u32, u64, u64, matches)


requests = st.one_of(
    st.builds(p.OFPDescStatsRequest, st.none(), flags),
    st.builds(p.OFPTableStatsRequest, st.none(), flags),
    st.builds(p.OFPGroupDescStatsRequest, st.none(), flags),
    st.builds(p.OFPGroupFeaturesStatsRequest, st.none(), flags),
    st.builds(p.OFPMeterFeaturesStatsRequest, st.none(), flags),
    st.builds(p.OFPPortDescStatsRequest, st.none(), flags),
    st.builds(p.OFPPortStatsRequest, st.none(), flags, u32),
    st.builds(p.OFPQueueStatsRequest, st.none(), flags, u32, u32),
    st.builds(p.OFPGroupStatsRequest, st.none(), flags, u32),
    st.builds(p.OFPMeterStatsRequest, st.none(), flags, u32),
    st.builds(p.OFPMeterConfigStatsRequest, st.none(), flags, u32),
    flow_request(p.OFPFlowStatsRequest),
    flow_request(p.OFPAggregateStatsRequest),
    st.builds(
        p.OFPTableFeaturesStatsRequest, st.none(), flags, st.lists(table_features, max_size=2)
    ),
    st.builds(p.OFPExperimenterStatsRequest, st.none(), flags, u32, u32, st.binary(max_size=16)),
    st.builds(
        p.OFPMultipartRequest, st.none(), flags, st.integers(14, 0xFFFE), st.binary(max_size=16)
    ),
)


def reply(cls, body):
    return st.builds(cls, st.none(), body, flags)


replies = st.one_of(
    reply(p.OFPDescStatsReply, st.builds(p.OFPDescStats, text, text, text, text, text)),
    reply(p.OFPFlowStatsReply, st.lists(flow_stats, max_size=2)),
    reply(p.OFPAggregateStatsReply, st.builds(p.OFPAggregateStats, u64, u64, u32)),
    reply(
        p.OFPTableStatsReply, st.lists(st.builds(p.OFPTableStats, u8, u32, u64, u64), max_size=3)
    ),
    reply(
        p.OFPPortStatsReply,
        st.lists(st.builds(p.OFPPortStats, u32, *[u64] * 12, u32, u32), max_size=2),
    ),
    reply(
        p.OFPQueueStatsReply,
        st.lists(st.builds(p.OFPQueueStats, u32, u32, u64, u64, u64, u32, u32), max_size=2),
    ),
    reply(
        p.OFPGroupStatsReply,
        st.lists(
            st.builds(
                p.OFPGroupStats,
                st.none(),
                u32,
                u32,
                u64,
                u64,
                u32,
                u32,
                st.lists(st.builds(p.OFPBucketCounter, u64, u64), max_size=3),
            ),
            max_size=2,
        ),
    ),
    reply(
        p.OFPGroupDescStatsReply,
        st.lists(st.builds(p.OFPGroupDescStats, u8, u32, buckets), max_size=2),
    ),
    reply(
        p.OFPGroupFeaturesStatsReply,
        st.builds(
            p.OFPGroupFeaturesStats,
            u32,
            u32,
            st.lists(u32, min_size=4, max_size=4),
            st.lists(u32, min_size=4, max_size=4),
        ),
    ),
    reply(
        p.OFPMeterStatsReply,
        st.lists(
            st.builds(
                p.OFPMeterStats,
                u32,
                u32,
                u64,
                u64,
                u32,
                u32,
                st.lists(st.builds(p.OFPMeterBandStats, u64, u64), max_size=3),
            ),
            max_size=2,
        ),
    ),
    reply(
        p.OFPMeterConfigStatsReply,
        st.lists(st.builds(p.OFPMeterConfigStats, u16, u32, bands), max_size=2),
    ),
    reply(
        p.OFPMeterFeaturesStatsReply,
        st.lists(st.builds(p.OFPMeterFeaturesStats, u32, u32, u32, u8, u8), max_size=2),
    ),
    reply(p.OFPTableFeaturesStatsReply, st.lists(table_features, max_size=2)),
    reply(p.OFPPortDescStatsReply, st.lists(ports, max_size=2)),
    reply(
        p.OFPExperimenterStatsReply,
        st.builds(p.OFPExperimenterMultipart, u32, u32, st.binary(max_size=16)),
    ),
    st.builds(
        p.OFPMultipartReply, st.none(), st.binary(max_size=16), flags, st.integers(14, 0xFFFE)
    ),
)


def check_identity(msg, xid):
    msg.set_xid(xid)
    msg.serialize()
    wire = bytes(msg.buf)
    assert len(wire) == msg.msg_len
    again = ofproto_parser.decode(wire)
    assert type(again) is type(msg)
    assert again == msg
    assert (again.xid, again.flags, again.type) == (xid, msg.flags, msg.type)
    again.serialize()
    assert bytes(again.buf) == wire


@given(msg=requests, xid=u32)
def test_requests_encode_decode_encode(msg, xid):
    check_identity(msg, xid)


@given(msg=replies, xid=u32)
def test_replies_encode_decode_encode(msg, xid):
    check_identity(msg, xid)


def decodes_stably_or_fails_cleanly(wire: bytes, xid: int) -> None:
    try:
        msg = ofproto_parser.decode(wire)
    except OFPMalformedMessage as exc:
        assert exc.xid == xid
        return
    msg.serialize()
    first = bytes(msg.buf)
    again = ofproto_parser.decode(first)
    assert again == msg
    again.serialize()
    assert bytes(again.buf) == first


MP_TYPES = list(range(14)) + [ofp.OFPMP_EXPERIMENTER, 0x1234]


@given(
    msg_type=st.sampled_from([ofp.OFPT_MULTIPART_REQUEST, ofp.OFPT_MULTIPART_REPLY]),
    mp_type=st.sampled_from(MP_TYPES),
    mp_flags=u16,
    body=st.binary(max_size=200),
    xid=u32,
)
def test_random_bodies(msg_type, mp_type, mp_flags, body, xid):
    wire = struct.pack("!BBHIHH4x", 4, msg_type, 16 + len(body), xid, mp_type, mp_flags) + body
    decodes_stably_or_fails_cleanly(wire, xid)


def _multipart_corpus() -> list[bytes]:
    found = []
    for path in sorted(CORPUS.glob("*.packet")):
        data = path.read_bytes()
        # Big table-features files make each example slow; small ones cover the same code.
        if len(data) <= 2048 and data[1] in (ofp.OFPT_MULTIPART_REQUEST, ofp.OFPT_MULTIPART_REPLY):
            found.append(data)
    return found


CORPUS_MESSAGES = _multipart_corpus()


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(CORPUS_MESSAGES)))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(8, len(data) - 1))
        data[pos] = draw(u8)
    cut = draw(st.integers(12, len(data)))
    del data[cut:]
    struct.pack_into("!H", data, 2, len(data))
    return bytes(data)


@given(wire=mutated())
def test_mutated_corpus_messages(wire):
    decodes_stably_or_fails_cleanly(wire, struct.unpack_from("!I", wire, 4)[0])


def test_every_truncation_of_corpus_messages():
    """Cutting a message anywhere (length field adjusted) never lets a stray exception out."""
    for data in CORPUS_MESSAGES:
        for cut in range(8, len(data)):
            short = bytearray(data[:cut])
            struct.pack_into("!H", short, 2, cut)
            decodes_stably_or_fails_cleanly(bytes(short), struct.unpack_from("!I", data, 4)[0])
