"""Hypothesis strategies building every OpenFlow 1.0 message class with random field values.

Shared by the round-trip property in ``tests/unit/ofproto/test_v1_0.py`` and the
decoder fuzzing in ``tests/fuzz/test_ofp_fuzz.py``.  Values cover each field's
whole range; padding the specification fixes at zero stays zero, so that every
generated message re-encodes to the same bytes.
"""

from hypothesis import strategies as st

from ctrlapp.ofproto import ofproto_v1_0_parser as p

u8 = st.integers(0, 0xFF)
u16 = st.integers(0, 0xFFFF)
u32 = st.integers(0, 0xFFFFFFFF)
u64 = st.integers(0, 2**64 - 1)
mac_bin = st.binary(min_size=6, max_size=6)
mac_text = mac_bin.map(lambda b: b.hex(":"))
blob = st.binary(max_size=40)


def _zero_pads(raw: bytes) -> bytes:
    # ofp_match has pad bytes at 21 and 26..27; the spec wants them zero.
    return raw[:21] + b"\0" + raw[22:26] + b"\0\0" + raw[28:]


def _match():
    # One 40-byte draw is much cheaper for hypothesis than thirteen field draws.
    return st.binary(min_size=40, max_size=40).map(
        lambda raw: p.OFPMatch.parser(_zero_pads(raw), 0)
    )


ACTIONS = st.one_of(
    st.builds(p.OFPActionOutput, u16, u16),
    st.builds(p.OFPActionVlanVid, u16),
    st.builds(p.OFPActionVlanPcp, u8),
    st.builds(p.OFPActionStripVlan),
    st.builds(p.OFPActionSetDlSrc, mac_bin),
    st.builds(p.OFPActionSetDlDst, mac_bin),
    st.builds(p.OFPActionSetNwSrc, u32),
    st.builds(p.OFPActionSetNwDst, u32),
    st.builds(p.OFPActionSetNwTos, u8),
    st.builds(p.OFPActionSetTpSrc, u16),
    st.builds(p.OFPActionSetTpDst, u16),
    st.builds(p.OFPActionEnqueue, u16, u32),
    st.builds(p.OFPActionVendor, u32, st.integers(0, 3).map(lambda n: b"\x5a" * (8 * n))),
    st.builds(
        p.OFPActionUnknown,
        st.integers(12, 0xFFFE),
        st.integers(0, 3).map(lambda n: b"\xa5" * (4 + 8 * n)),
    ),
)
actions = st.lists(ACTIONS, max_size=4)
phy_port = st.builds(
    p.OFPPhyPort,
    u16,
    mac_text,
    st.binary(max_size=16).map(lambda b: b.rstrip(b"\0")),
    u32,
    u32,
    u32,
    u32,
    u32,
    u32,
)
text = st.binary(max_size=32).map(lambda b: b.rstrip(b"\0"))
flow_stats = st.builds(
    p.OFPFlowStats, u8, _match(), u32, u32, u16, u16, u16, u64, u64, u64, actions
)
queue_props = st.lists(
    st.one_of(
        st.builds(p.OFPQueuePropNone),
        st.builds(p.OFPQueuePropMinRate, u16),
        st.builds(p.OFPQueuePropUnknown, st.integers(2, 0xFFFF), st.binary(max_size=16)),
    ),
    max_size=3,
)

MESSAGES = st.one_of(
    st.builds(p.OFPHello, st.none(), blob),
    st.builds(p.OFPEchoRequest, st.none(), blob),
    st.builds(p.OFPEchoReply, st.none(), blob),
    st.builds(p.OFPErrorMsg, st.none(), u16, u16, blob),
    st.builds(p.OFPVendor, st.none(), u32, blob),
    st.builds(p.OFPFeaturesRequest),
    st.builds(p.OFPGetConfigRequest),
    st.builds(p.OFPBarrierRequest),
    st.builds(p.OFPBarrierReply),
    st.builds(
        p.OFPSwitchFeatures,
        st.none(),
        u64,
        u32,
        u8,
        u32,
        u32,
        st.lists(phy_port, max_size=3, unique_by=lambda port: port.port_no).map(
            lambda ports: {port.port_no: port for port in ports}
        ),
    ),
    st.builds(p.OFPGetConfigReply, st.none(), u16, u16),
    st.builds(p.OFPSetConfig, st.none(), u16, u16),
    st.builds(p.OFPPacketIn, st.none(), u32, u16, u16, u8, blob),
    st.builds(p.OFPFlowRemoved, st.none(), _match(), u64, u16, u8, u32, u32, u16, u64, u64),
    st.builds(p.OFPPortStatus, st.none(), u8, phy_port),
    st.builds(p.OFPPacketOut, st.none(), u32, u16, actions, blob),
    st.builds(p.OFPFlowMod, st.none(), _match(), u64, u16, u16, u16, u16, u32, u16, u16, actions),
    st.builds(p.OFPPortMod, st.none(), u16, mac_text, u32, u32, u32),
    st.builds(p.OFPQueueGetConfigRequest, st.none(), u16),
    st.builds(
        p.OFPQueueGetConfigReply,
        st.none(),
        u16,
        st.lists(st.builds(p.OFPPacketQueue, u32, queue_props), max_size=3),
    ),
    st.builds(p.OFPDescStatsRequest, st.none(), u16),
    st.builds(p.OFPTableStatsRequest, st.none(), u16),
    st.builds(p.OFPFlowStatsRequest, st.none(), u16, _match(), u8, u16),
    st.builds(p.OFPAggregateStatsRequest, st.none(), u16, _match(), u8, u16),
    st.builds(p.OFPPortStatsRequest, st.none(), u16, u16),
    st.builds(p.OFPQueueStatsRequest, st.none(), u16, u16, u32),
    st.builds(p.OFPVendorStatsRequest, st.none(), u16, u32, blob),
    st.builds(
        p.OFPDescStatsReply,
        st.none(),
        u16,
        st.builds(p.OFPDescStats, text, text, text, text, text),
    ),
    st.builds(p.OFPFlowStatsReply, st.none(), u16, st.lists(flow_stats, max_size=3)),
    st.builds(
        p.OFPAggregateStatsReply,
        st.none(),
        u16,
        st.lists(st.builds(p.OFPAggregateStats, u64, u64, u32), min_size=1, max_size=2),
    ),
    st.builds(
        p.OFPTableStatsReply,
        st.none(),
        u16,
        st.lists(st.builds(p.OFPTableStats, u8, text, u32, u32, u32, u64, u64), max_size=3),
    ),
    st.builds(
        p.OFPPortStatsReply,
        st.none(),
        u16,
        st.lists(st.builds(p.OFPPortStats, u16, *[u64] * 12), max_size=3),
    ),
    st.builds(
        p.OFPQueueStatsReply,
        st.none(),
        u16,
        st.lists(st.builds(p.OFPQueueStats, u16, u32, u64, u64, u64), max_size=3),
    ),
    st.builds(p.OFPVendorStatsReply, st.none(), u16, u32, blob),
)
