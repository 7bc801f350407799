"""OpenFlow 1.3 actions and instructions (OpenFlow 1.3.5 sections 7.2.4, 7.2.5).

Expected bytes follow the spec's structure layouts, written out by hand.
"""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.exception import OFPMalformedMessage
from ctrlapp.ofproto import ofproto_v1_3 as ofp
from ctrlapp.ofproto import ofproto_v1_3_parser as p

ACTIONS = [
    (p.OFPActionOutput(3, 128), struct.pack("!HHIH6x", 0, 16, 3, 128)),
    (p.OFPActionOutput(ofp.OFPP_CONTROLLER), bytes.fromhex("00000010fffffffdffe5000000000000")),
    (p.OFPActionCopyTtlOut(), struct.pack("!HH4x", 11, 8)),
    (p.OFPActionCopyTtlIn(), struct.pack("!HH4x", 12, 8)),
    (p.OFPActionSetMplsTtl(64), struct.pack("!HHB3x", 15, 8, 64)),
    (p.OFPActionDecMplsTtl(), struct.pack("!HH4x", 16, 8)),
    (p.OFPActionPushVlan(0x8100), struct.pack("!HHH2x", 17, 8, 0x8100)),
    (p.OFPActionPopVlan(), struct.pack("!HH4x", 18, 8)),
    (p.OFPActionPushMpls(0x8847), struct.pack("!HHH2x", 19, 8, 0x8847)),
    (p.OFPActionPopMpls(0x0800), struct.pack("!HHH2x", 20, 8, 0x0800)),
    (p.OFPActionSetQueue(7), struct.pack("!HHI", 21, 8, 7)),
    (p.OFPActionGroup(99), struct.pack("!HHI", 22, 8, 99)),
    (p.OFPActionSetNwTtl(1), struct.pack("!HHB3x", 23, 8, 1)),
    (p.OFPActionDecNwTtl(), struct.pack("!HH4x", 24, 8)),
    (p.OFPActionPushPbb(0x88E7), struct.pack("!HHH2x", 26, 8, 0x88E7)),
    (p.OFPActionPopPbb(), struct.pack("!HH4x", 27, 8)),
    # set_field eth_dst: 4 + OXM (4 + 6) = 14, padded to 16
    (
        p.OFPActionSetField(eth_dst="00:11:22:33:44:55"),
        struct.pack("!HHI", 25, 16, 0x80000606) + bytes.fromhex("001122334455") + b"\0\0",
    ),
    # set_field vlan_vid: 4 + 6 = 10, padded to 16
    (
        p.OFPActionSetField(vlan_vid=0x1000 | 5),
        struct.pack("!HHIH", 25, 16, 0x80000C02, 0x1005) + bytes(6),
    ),
    # set_field ipv6_dst: 4 + 20 = 24, no padding
    (
        p.OFPActionSetField(ipv6_dst="::1"),
        struct.pack("!HHI", 25, 24, 0x80003610) + bytes(15) + b"\x01",
    ),
    # Nicira experimenter action kept raw
    (
        p.OFPActionExperimenter(0x2320, bytes.fromhex("0013001e003c0000")),
        struct.pack("!HHI", 0xFFFF, 16, 0x2320) + bytes.fromhex("0013001e003c0000"),
    ),
    (p.OFPActionUnknown(0x1234, bytes(4)), struct.pack("!HH4x", 0x1234, 8)),
]


@pytest.mark.parametrize("action,wire", ACTIONS, ids=[type(a).__name__ for a, _ in ACTIONS])
def test_action_both_directions(action, wire):
    assert action.to_bytes() == wire
    assert action.len == len(wire)
    buf = bytearray(b"xx")
    assert action.serialize(buf, 2) == len(wire) and bytes(buf[2:]) == wire
    back = p.OFPAction.parser(wire + b"trailing", 0)
    assert type(back) is type(action) and back == action
    assert back.to_bytes() == wire


def test_set_field_attributes_and_json():
    a = p.OFPActionSetField(ipv4_src="10.0.0.1")
    assert (a.key, a.value) == ("ipv4_src", "10.0.0.1")
    doc = a.to_jsondict()
    assert doc == {
        "OFPActionSetField": {"field": {"OXMTlv": {"field": "ipv4_src", "value": "10.0.0.1"}}}
    }
    assert p.OFPActionSetField.from_jsondict(doc["OFPActionSetField"]) == a


def test_set_field_with_experimenter_oxm_from_corpus_layout():
    # ONF experimenter OXM (class 0xffff, field 0, length 7) inside a set-field action
    wire = bytes.fromhex("00190010ffff00074f4e46000a000100")
    a = p.OFPAction.parser(wire, 0)
    assert a.key == "oxm_ffff00" and a.value == bytes.fromhex("4f4e46000a0001")
    assert a.to_bytes() == wire


INSTRUCTIONS = [
    (p.OFPInstructionGotoTable(5), struct.pack("!HHB3x", 1, 8, 5)),
    (
        p.OFPInstructionWriteMetadata(0xAB, 0xFF),
        struct.pack("!HH4xQQ", 2, 24, 0xAB, 0xFF),
    ),
    (
        p.OFPInstructionActions(ofp.OFPIT_WRITE_ACTIONS, [p.OFPActionGroup(1)]),
        struct.pack("!HH4x", 3, 16) + struct.pack("!HHI", 22, 8, 1),
    ),
    (
        p.OFPInstructionActions(
            ofp.OFPIT_APPLY_ACTIONS, [p.OFPActionPopVlan(), p.OFPActionOutput(1, 0)]
        ),
        struct.pack("!HH4x", 4, 32)
        + struct.pack("!HH4x", 18, 8)
        + struct.pack("!HHIH6x", 0, 16, 1, 0),
    ),
    (p.OFPInstructionActions(ofp.OFPIT_CLEAR_ACTIONS), struct.pack("!HH4x", 5, 8)),
    (p.OFPInstructionMeter(42), struct.pack("!HHI", 6, 8, 42)),
    (
        p.OFPInstructionExperimenter(0x00D0F0, b"\x01\x02\x03\x04"),
        struct.pack("!HHI", 0xFFFF, 12, 0x00D0F0) + b"\x01\x02\x03\x04",
    ),
]


@pytest.mark.parametrize("inst,wire", INSTRUCTIONS, ids=[type(i).__name__ for i, _ in INSTRUCTIONS])
def test_instruction_both_directions(inst, wire):
    assert inst.to_bytes() == wire
    if len(wire) % 8 == 0:
        back = p.OFPInstruction.parser(wire, 0)
        assert type(back) is type(inst) and back.to_bytes() == wire
        assert back.len == len(wire)


def test_experimenter_instruction_padded_round_trip():
    wire = struct.pack("!HHI", 0xFFFF, 16, 0x00D0F0) + bytes(range(8))
    inst = p.OFPInstruction.parser(wire, 0)
    assert (inst.experimenter, inst.data) == (0x00D0F0, bytes(range(8)))
    assert inst.to_bytes() == wire


@pytest.mark.parametrize(
    "wire",
    [
        struct.pack("!HH", 0, 16),  # output action cut after its header
        struct.pack("!HH4x", 0, 8),  # output action with length 8 (< 16)
        struct.pack("!HH4x", 11, 0),  # length 0 would loop forever
        struct.pack("!HH4x", 11, 12),  # not a multiple of 8
        struct.pack("!HH4x", 11, 16),  # runs past the buffer
        struct.pack("!HHIH6x", 0, 16, 1, 0)[:12],
        # set-field whose OXM claims more than the action holds
        struct.pack("!HHI", 25, 8, 0x80000004),
        # set-field whose OXM has an impossible length for in_port
        struct.pack("!HHIH2x", 25, 16, 0x80000002, 1) + bytes(4),
    ],
)
def test_bad_actions(wire):
    with pytest.raises(OFPMalformedMessage):
        p.OFPAction.parser(wire, 0)


@pytest.mark.parametrize(
    "wire",
    [
        struct.pack("!HHB3x", 1, 16, 1),  # goto table with a wrong length
        struct.pack("!HH4xQ", 2, 24, 1),  # write metadata cut short
        struct.pack("!HH4x", 4, 32) + struct.pack("!HHIH6x", 0, 16, 1, 0),  # runs past
        # apply-actions whose inner action runs past the instruction
        struct.pack("!HH4x", 4, 16) + struct.pack("!HHIH6x", 0, 16, 1, 0),
        struct.pack("!HH4x", 6, 4),
    ],
)
def test_bad_instructions(wire):
    with pytest.raises(OFPMalformedMessage):
        p.OFPInstruction.parser(wire, 0)


_simple_actions = st.one_of(
    st.builds(p.OFPActionOutput, st.integers(0, 2**32 - 1), st.integers(0, 0xFFFF)),
    st.builds(p.OFPActionSetMplsTtl, st.integers(0, 255)),
    st.builds(p.OFPActionSetNwTtl, st.integers(0, 255)),
    st.builds(p.OFPActionPushVlan, st.integers(0, 0xFFFF)),
    st.builds(p.OFPActionGroup, st.integers(0, 2**32 - 1)),
    st.builds(p.OFPActionSetQueue, st.integers(0, 2**32 - 1)),
    st.sampled_from([p.OFPActionPopVlan(), p.OFPActionDecNwTtl(), p.OFPActionCopyTtlIn()]),
    st.builds(lambda v: p.OFPActionSetField(tcp_dst=v), st.integers(0, 0xFFFF)),
    st.builds(
        p.OFPActionExperimenter,
        st.integers(0, 2**32 - 1),
        st.binary(max_size=32).map(lambda b: b + bytes(-len(b) % 8)),
    ),
)


@given(st.lists(_simple_actions, max_size=4), st.sampled_from([3, 4]))
def test_action_lists_round_trip(actions, inst_type):
    inst = p.OFPInstructionActions(inst_type, actions)
    wire = inst.to_bytes()
    back = p.OFPInstruction.parser(wire, 0)
    assert back.actions == actions
    assert back.to_bytes() == wire


@given(st.binary(max_size=48))
def test_random_action_bytes(data):
    for parse in (p.OFPAction.parser, p.OFPInstruction.parser):
        try:
            obj = parse(data, 0)
        except OFPMalformedMessage:
            continue
        assert obj.to_bytes() == data[: obj.len]
