"""OpenFlow 1.3 codec benchmark: ctrlapp against os-ken on the per-packet messages, in one process.

Run: ``python bench/ofp_codec.py [--rounds N] [--min-time S]``

The controller's hot path is decoding PACKET_IN and building PACKET_OUT and
FLOW_MOD messages, so those are measured:

* ``packet_in decode``: one OFPPacketIn (OXM match with ``in_port``, a
  60-byte ARP request as data) from its header fields and bytes, as the
  framer hands them over; ``+in_port`` also reads ``msg.match['in_port']``
  as nearly every app does;
* ``packet_out encode``: build an OFPPacketOut (no buffer, one output action,
  the 60-byte frame) and serialize it, as an app answering a packet-in does;
* ``flow_mod encode``: build an OFPFlowMod with a five-field match (in_port,
  eth_type, ip_proto, ipv4_src, ipv4_dst) and two instructions (apply-actions
  with an output, goto-table) and serialize it;
* ``serialize only`` rows time ``serialize()`` of a PACKET_OUT or FLOW_MOD
  built once, separating the encoder from object construction.

Both libraries get the same input and must produce the same bytes (checked
before timing).  Loops are grown to ``--min-time`` seconds as in
``bench/packet_codec.py``; then, for ``--rounds`` rounds, the two libraries
run back to back (alternating which goes first) and the round's ratio is
recorded.  The rates shown are each library's best round; the ratio is the
median of the per-round ratios, which stays steady on a busy machine where
the best rounds of the two libraries may fall in different quiet moments.
The target is 5, and a row below it is marked with ``!``.

The last line counts the corpus files (``../shared/testdata/openflow``,
of13 and of10, ``*.packet``) each library decodes and re-encodes to the
same bytes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.packet_codec import _loop_count, _one_round  # noqa: E402
from ctrlapp.ofproto import ofproto_parser  # noqa: E402
from ctrlapp.ofproto import ofproto_v1_3 as ofp  # noqa: E402
from ctrlapp.ofproto import ofproto_v1_3_parser as parser  # noqa: E402
from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER  # noqa: E402

TARGET_OSKEN = 5.0

# who-has 10.0.0.2 tell 10.0.0.1, padded to the 60-byte Ethernet minimum
ARP_FRAME = bytes.fromhex(
    "ffffffffffff020000000001080600010800060400010200000000010a0000010000000000000a000002"
) + bytes(18)
assert len(ARP_FRAME) == 60

XID = 0x1234


def _packet_in_bytes() -> bytes:
    msg = parser.OFPPacketIn(
        None,
        buffer_id=OFP_NO_BUFFER,
        total_len=len(ARP_FRAME),
        reason=ofp.OFPR_NO_MATCH,
        table_id=0,
        cookie=0,
        match=parser.OFPMatch(in_port=3),
        data=ARP_FRAME,
    )
    msg.set_xid(XID)
    msg.serialize()
    return bytes(msg.buf)


def cases() -> list[tuple[str, Callable[[], object], Callable[[], object]]]:
    """``(name, ctrlapp callable, os-ken callable)`` for each measurement, checked to agree."""
    from os_ken.ofproto import ofproto_parser as osken_ofproto_parser
    from os_ken.ofproto import ofproto_protocol as osken_protocol
    from os_ken.ofproto import ofproto_v1_3 as osken_ofp
    from os_ken.ofproto import ofproto_v1_3_parser as osken_parser

    osken_dp = osken_protocol.ProtocolDesc(version=osken_ofp.OFP_VERSION)
    packet_in = _packet_in_bytes()
    head = ofproto_parser.header(packet_in)

    def ours_decode():
        return ofproto_parser.msg(None, *head, packet_in)

    def theirs_decode():
        return osken_ofproto_parser.msg(osken_dp, *head, packet_in)

    def ours_decode_port():
        return ofproto_parser.msg(None, *head, packet_in).match["in_port"]

    def theirs_decode_port():
        return osken_ofproto_parser.msg(osken_dp, *head, packet_in).match["in_port"]

    def ours_packet_out():
        out = parser.OFPPacketOut(
            None,
            buffer_id=OFP_NO_BUFFER,
            in_port=ofp.OFPP_CONTROLLER,
            actions=[parser.OFPActionOutput(3)],
            data=ARP_FRAME,
        )
        out.set_xid(XID)
        out.serialize()
        return out.buf

    def theirs_packet_out():
        out = osken_parser.OFPPacketOut(
            osken_dp,
            buffer_id=osken_ofp.OFP_NO_BUFFER,
            in_port=osken_ofp.OFPP_CONTROLLER,
            actions=[osken_parser.OFPActionOutput(3)],
            data=ARP_FRAME,
        )
        out.set_xid(XID)
        out.serialize()
        return out.buf

    def ours_flow_mod_build():
        match = parser.OFPMatch(
            in_port=1, eth_type=0x0800, ip_proto=6, ipv4_src="10.0.0.1", ipv4_dst="10.0.0.2"
        )
        instructions = [
            parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, [parser.OFPActionOutput(2)]),
            parser.OFPInstructionGotoTable(1),
        ]
        return parser.OFPFlowMod(
            None, priority=100, idle_timeout=30, match=match, instructions=instructions
        )

    def theirs_flow_mod_build():
        match = osken_parser.OFPMatch(
            in_port=1, eth_type=0x0800, ip_proto=6, ipv4_src="10.0.0.1", ipv4_dst="10.0.0.2"
        )
        instructions = [
            osken_parser.OFPInstructionActions(
                osken_ofp.OFPIT_APPLY_ACTIONS, [osken_parser.OFPActionOutput(2)]
            ),
            osken_parser.OFPInstructionGotoTable(1),
        ]
        return osken_parser.OFPFlowMod(
            osken_dp, priority=100, idle_timeout=30, match=match, instructions=instructions
        )

    def ours_flow_mod():
        mod = ours_flow_mod_build()
        mod.set_xid(XID)
        mod.serialize()
        return mod.buf

    def theirs_flow_mod():
        mod = theirs_flow_mod_build()
        mod.set_xid(XID)
        mod.serialize()
        return mod.buf

    ours_out = parser.OFPPacketOut(
        None,
        buffer_id=OFP_NO_BUFFER,
        in_port=ofp.OFPP_CONTROLLER,
        actions=[parser.OFPActionOutput(3)],
        data=ARP_FRAME,
    )
    theirs_out = osken_parser.OFPPacketOut(
        osken_dp,
        buffer_id=osken_ofp.OFP_NO_BUFFER,
        in_port=osken_ofp.OFPP_CONTROLLER,
        actions=[osken_parser.OFPActionOutput(3)],
        data=ARP_FRAME,
    )
    ours_out.set_xid(XID)
    theirs_out.set_xid(XID)

    def ours_packet_out_serialize():
        ours_out.serialize()
        return ours_out.buf

    def theirs_packet_out_serialize():
        theirs_out.serialize()
        return theirs_out.buf

    ours_built, theirs_built = ours_flow_mod_build(), theirs_flow_mod_build()
    ours_built.set_xid(XID)
    theirs_built.set_xid(XID)

    def ours_flow_mod_serialize():
        ours_built.serialize()
        return ours_built.buf

    def theirs_flow_mod_serialize():
        theirs_built.serialize()
        return theirs_built.buf

    # Same input, same result: otherwise the comparison means nothing.
    assert ours_decode().data == theirs_decode().data == ARP_FRAME
    assert ours_decode_port() == theirs_decode_port() == 3
    assert bytes(ours_packet_out()) == bytes(theirs_packet_out())
    assert bytes(ours_packet_out_serialize()) == bytes(theirs_packet_out_serialize())
    assert bytes(ours_flow_mod()) == bytes(theirs_flow_mod())
    assert bytes(ours_flow_mod_serialize()) == bytes(theirs_flow_mod_serialize())

    return [
        ("packet_in decode", ours_decode, theirs_decode),
        ("packet_in decode +in_port", ours_decode_port, theirs_decode_port),
        ("packet_out build+encode", ours_packet_out, theirs_packet_out),
        ("packet_out serialize only", ours_packet_out_serialize, theirs_packet_out_serialize),
        ("flow_mod build+encode", ours_flow_mod, theirs_flow_mod),
        ("flow_mod serialize only", ours_flow_mod_serialize, theirs_flow_mod_serialize),
    ]


CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "testdata" / "openflow"
if not CORPUS.is_dir():
    CORPUS = Path("/work/shared/testdata/openflow")


def corpus_round_trips() -> tuple[int, int, int]:
    """``(ctrlapp, os-ken, files)``: corpus messages each library re-encodes byte-exact."""
    import logging

    from os_ken.ofproto import ofproto_parser as osken_ofproto_parser
    from os_ken.ofproto import ofproto_protocol as osken_protocol

    files = sorted((CORPUS / "of13").glob("*.packet")) + sorted((CORPUS / "of10").glob("*.packet"))
    counts = {"ctrlapp": 0, "osken": 0}
    logging.disable(logging.CRITICAL)
    for path in files:
        data = path.read_bytes()
        head = ofproto_parser.header(data)
        decoders = {
            "ctrlapp": (ofproto_parser.msg, None),
            "osken": (osken_ofproto_parser.msg, osken_protocol.ProtocolDesc(head[0])),
        }
        for lib, (decode, datapath) in decoders.items():
            try:
                msg = decode(datapath, *head, data)
                msg.serialize()
            except Exception:  # os-ken raises all sorts of things; a failure is a miss
                continue
            counts[lib] += bytes(msg.buf) == data
    logging.disable(logging.NOTSET)
    return counts["ctrlapp"], counts["osken"], len(files)


def measure(
    ours: Callable[[], object], theirs: Callable[[], object], rounds: int, min_time: float
) -> tuple[float, float, float]:
    """``(ctrlapp rate, os-ken rate, median ratio)`` over ``rounds`` back-to-back rounds."""
    n_ours, n_theirs = _loop_count(ours, min_time), _loop_count(theirs, min_time)
    best_ours = best_theirs = float("inf")
    ratios = []
    for i in range(rounds):
        if i % 2:
            t_theirs = _one_round(theirs, n_theirs) / n_theirs
            t_ours = _one_round(ours, n_ours) / n_ours
        else:
            t_ours = _one_round(ours, n_ours) / n_ours
            t_theirs = _one_round(theirs, n_theirs) / n_theirs
        best_ours, best_theirs = min(best_ours, t_ours), min(best_theirs, t_theirs)
        ratios.append(t_theirs / t_ours)
    return 1 / best_ours, 1 / best_theirs, statistics.median(ratios)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5, help="timing rounds per measurement")
    ap.add_argument("--min-time", type=float, default=0.2, help="seconds per round at least")
    args = ap.parse_args(argv)

    warnings.simplefilter("ignore")
    header = f"{'case':<28} {'ctrlapp msg/s':>14} {'os-ken msg/s':>13} {'ratio':>8}"
    print(
        f"Python {sys.version.split()[0]}, {args.rounds} rounds of >= {args.min_time}s: "
        "rates from the best round, ratio the median of the per-round ratios"
    )
    print(header)
    print("-" * len(header))
    missed = 0
    for name, ours, theirs in cases():
        ours_rate, theirs_rate, ratio = measure(ours, theirs, args.rounds, args.min_time)
        missed += ratio < TARGET_OSKEN
        mark = "" if ratio >= TARGET_OSKEN else " !"
        print(
            f"{name:<28} {ours_rate:>14,.0f} {theirs_rate:>13,.0f} {ratio:>7.2f}x{mark}",
            flush=True,
        )
    print(f"target: ctrlapp >= {TARGET_OSKEN:g}x os-ken; {missed} case(s) below target (marked !)")
    ours, theirs, total = corpus_round_trips()
    print(
        f"corpus decoded and re-encoded byte-exact: ctrlapp {ours}/{total}, os-ken {theirs}/{total}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
