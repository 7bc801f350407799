"""The flow-table convention: what each helper installs, on OpenFlow 1.3 and 1.0."""

import pytest

from ctrlapp.controller import pipeline
from ctrlapp.ofproto import ofproto_parser
from ctrlapp.ofproto.ofproto_protocol import ProtocolDesc
from ctrlapp.testing.switch_emulator import FlowTable


class RecordingDatapath(ProtocolDesc):
    """Sends go through the wire format into an emulated flow table."""

    def __init__(self, version):
        super().__init__(version)
        self.table = FlowTable()

    def send_msg(self, msg):
        msg.serialize()
        self.table.apply(ofproto_parser.decode(bytes(msg.buf)))


def kinds(entry):
    """('out', port) / ('goto', table) steps of an entry, in order."""
    steps = []
    for inst in entry.instructions:
        if hasattr(inst, "actions"):
            steps += [("out", a.port) for a in inst.actions]
        else:
            steps.append(("goto", inst.table_id))
    return steps or [("out", a.port) for a in entry.actions]


def test_bands_are_ordered_and_checked():
    assert pipeline.BLOCK.low > pipeline.INTERCEPT.high
    assert pipeline.INTERCEPT.low > pipeline.TAP.high > pipeline.TAP.low > pipeline.FORWARD.high
    assert pipeline.FORWARD.low > pipeline.MISS_PRIORITY
    assert pipeline.TAP.at(5) == 20005
    with pytest.raises(ValueError):
        pipeline.FORWARD.at(19000)


def test_of13_layout():
    dp = RecordingDatapath(4)
    ofp = dp.ofproto
    pipeline.setup(dp)
    pipeline.setup(dp)  # idempotent
    pipeline.intercept(dp, {"eth_type": 0x0806, "arp_tpa": "10.0.0.254"})
    pipeline.tap(dp, {"eth_type": 0x0800, "ip_proto": 132}, offset=1)
    pipeline.forward(dp, {"eth_dst": "00:00:00:00:00:02"}, [dp.ofproto_parser.OFPActionOutput(2)])
    pipeline.block(dp, {"eth_src": "00:00:00:00:00:66"})
    t0, t1 = dp.table.table(0), dp.table.table(1)
    assert [(e.priority, kinds(e)) for e in t0] == [
        (40000, []),
        (30000, [("out", ofp.OFPP_CONTROLLER)]),
        (20001, [("out", ofp.OFPP_CONTROLLER), ("goto", 1)]),
        (0, [("goto", 1)]),
    ]
    assert [(e.priority, kinds(e)) for e in t1] == [
        (1000, [("out", 2)]),
        (0, [("out", ofp.OFPP_CONTROLLER)]),
    ]
    # Only the forwarding table's miss goes to the controller, sending whole packets.
    miss = t1[-1].instructions[0].actions[0]
    assert miss.max_len == ofp.OFPCML_NO_BUFFER
    pipeline.remove(dp, {"eth_type": 0x0806, "arp_tpa": "10.0.0.254"}, pipeline.INTERCEPT)
    pipeline.remove(dp, {"eth_dst": "00:00:00:00:00:02"}, pipeline.FORWARD)
    assert [e.priority for e in dp.table.table(0)] == [40000, 20001, 0]
    assert [e.priority for e in dp.table.table(1)] == [0]


def test_of10_degrades_to_one_table():
    dp = RecordingDatapath(1)
    ofp = dp.ofproto
    assert pipeline.setup(dp) == []
    pipeline.intercept(dp, {"dl_type": 0x0806})
    pipeline.tap(dp, {"dl_type": 0x0800, "nw_proto": 132})
    pipeline.forward(dp, {"dl_dst": "00:00:00:00:00:02"}, [dp.ofproto_parser.OFPActionOutput(2)])
    entries = dp.table.table(0)
    assert [(e.priority, kinds(e)) for e in entries] == [
        (30000, [("out", ofp.OFPP_CONTROLLER)]),
        (20000, [("out", ofp.OFPP_CONTROLLER)]),  # a tap cannot continue: to controller
        (1000, [("out", 2)]),
    ]
    assert dp.table.table(1) == []
