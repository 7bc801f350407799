"""The switch emulator's own behaviour: flow-table semantics, groups, replies (no sockets)."""

import pytest

from ctrlapp.ofproto import ofproto_parser
from ctrlapp.testing.switch_emulator import EmulatedSwitch


@pytest.fixture
def sw():
    return EmulatedSwitch(dpid=5, version=4)


def wire(msg):
    """Encode and decode: the emulator sees what a controller would really send."""
    msg.serialize()
    return ofproto_parser.decode(bytes(msg.buf))


def flow(sw, command, priority=10, table_id=0, out=1, **match):
    p, ofp = sw.parser, sw.ofproto
    inst = [p.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, [p.OFPActionOutput(out)])]
    return wire(
        p.OFPFlowMod(
            None, table_id=table_id, command=command, priority=priority,
            match=p.OFPMatch(**match), instructions=inst,
        )
    )  # fmt: skip


def outs(entries):
    return [e.instructions[0].actions[0].port for e in entries]


def test_add_replaces_same_match_and_priority(sw):
    ofp = sw.ofproto
    sw.handle(flow(sw, ofp.OFPFC_ADD, eth_type=0x0800, out=1))
    sw.handle(flow(sw, ofp.OFPFC_ADD, eth_type=0x0800, out=2))
    sw.handle(flow(sw, ofp.OFPFC_ADD, priority=20, eth_type=0x0800, out=3))
    sw.handle(flow(sw, ofp.OFPFC_ADD, table_id=1, eth_type=0x0800, out=4))
    assert outs(sw.flows.table(0)) == [3, 2] and outs(sw.flows.table(1)) == [4]


def test_modify_and_delete_strict_and_loose(sw):
    ofp = sw.ofproto
    sw.handle(flow(sw, ofp.OFPFC_ADD, eth_type=0x0800, ip_proto=6, out=1))
    sw.handle(flow(sw, ofp.OFPFC_ADD, eth_type=0x0800, ip_proto=17, out=1))
    sw.handle(flow(sw, ofp.OFPFC_ADD, eth_type=0x0806, out=1))
    sw.handle(flow(sw, ofp.OFPFC_MODIFY, eth_type=0x0800, out=7))  # both IPv4 entries
    assert sorted(outs(sw.flows.table(0))) == [1, 7, 7]
    sw.handle(flow(sw, ofp.OFPFC_MODIFY_STRICT, eth_type=0x0800, out=9))  # no such exact entry
    assert sorted(outs(sw.flows.table(0))) == [1, 7, 7]
    sw.handle(flow(sw, ofp.OFPFC_DELETE_STRICT, eth_type=0x0800, ip_proto=6))
    assert len(sw.flows) == 2
    sw.handle(flow(sw, ofp.OFPFC_DELETE, table_id=ofp.OFPTT_ALL))  # empty match: everything
    assert len(sw.flows) == 0


def test_groups_and_replies(sw):
    p, ofp = sw.parser, sw.ofproto
    bucket = p.OFPBucket(actions=[p.OFPActionOutput(2)])
    sw.handle(wire(p.OFPGroupMod(None, ofp.OFPGC_ADD, ofp.OFPGT_ALL, 7, [bucket])))
    assert list(sw.groups) == [7]
    sw.handle(wire(p.OFPGroupMod(None, ofp.OFPGC_DELETE, ofp.OFPGT_ALL, 7, [])))
    assert sw.groups == {}
    req = p.OFPEchoRequest(None, b"hi")
    req.set_xid(42)
    (reply,) = sw.handle(wire(req))
    assert type(reply).__name__ == "OFPEchoReply" and reply.xid == 42 and reply.data == b"hi"
    (feat,) = sw.handle(wire(p.OFPFeaturesRequest(None)))
    assert feat.datapath_id == 5
    (ports,) = sw.handle(wire(p.OFPPortDescStatsRequest(None, 0)))
    assert [port.port_no for port in wire(ports).body] == [1, 2, 3, 4]
    (role,) = sw.handle(wire(p.OFPRoleRequest(None, ofp.OFPCR_ROLE_SLAVE, 9)))
    assert (role.role, role.generation_id) == (ofp.OFPCR_ROLE_SLAVE, 9)
    (role,) = sw.handle(wire(p.OFPRoleRequest(None, ofp.OFPCR_ROLE_NOCHANGE, 0)))
    assert role.role == ofp.OFPCR_ROLE_SLAVE


def test_packet_in_and_port_status_encode(sw):
    msg = wire(sw.packet_in_msg(b"\x01" * 60, in_port=3))
    assert msg.match["in_port"] == 3 and msg.data == b"\x01" * 60
    status = wire(sw.port_status_msg(sw.ofproto.OFPPR_ADD, 9))
    assert status.desc.port_no == 9 and 9 in sw.ports
    v10 = EmulatedSwitch(dpid=6, version=1)
    assert wire(v10.packet_in_msg(b"\x02" * 60, in_port=2)).in_port == 2
    assert sorted(wire(v10.features()).ports) == [1, 2, 3, 4]
