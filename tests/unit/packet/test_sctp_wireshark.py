"""Differential test of the SCTP codec against Wireshark's dissector (tshark).

A set of Ethernet/IPv4/SCTP frames covering every chunk, parameter and cause
class is encoded by ctrlapp, written to a pcap file and decoded by
``tshark -o sctp.checksum:CRC-32C -T json``; per packet and per chunk the
fields Wireshark shows must equal what ctrlapp decodes from the same bytes.
Without tshark the test fails under ``CI`` and is skipped elsewhere.
"""

import json
import os
import shutil
import subprocess

import pytest

from ctrlapp.lib.packet import ipv4, packet, sctp, sctp_params
from tests.support.pcap_writer import write_pcap
from tests.unit.packet.test_sctp import sample_chunks, sctp_frame

TSHARK = shutil.which("tshark")

# Bytes-valued items whose value is itself parameters, which Wireshark dissects.
_TLV_VALUES = (
    sctp.param_unrecognized_param,
    sctp.cause_unrecognized_param,
    sctp.cause_delete_last_addr,
    sctp.cause_resource_shortage,
    sctp.cause_delete_source_addr,
    sctp.cause_no_authorization,
)


def corpus() -> list[bytes]:
    """~130 frames: every chunk alone for four value sets, a few bundles, one bad checksum."""
    frames = []
    port = 40000
    for k in range(4):
        for c in sample_chunks(k):
            port += 1
            frames.append(sctp_frame(sctp.sctp(port, port + 1000, 0x01000000 * k + port, 0, [c])))
    data = [sctp.chunk_data(0, 1, 1, 0, 100 + i, i, i, 3, b"m" * (i + 5)) for i in range(3)]
    sack = sctp.chunk_sack(tsn_ack=99, a_rwnd=5000, gapacks=[[2, 2]], duptsns=[98])
    frames.append(sctp_frame(sctp.sctp(41000, 42000, 9, 0, data)))
    frames.append(sctp_frame(sctp.sctp(41001, 42001, 9, 0, [sack] + data)))
    frames.append(sctp_frame(sctp.sctp(41002, 42002, 9, 0, sample_chunks(2))))
    bad = bytearray(sctp_frame(sctp.sctp(41003, 42003, 9, 0, [sctp.chunk_cookie_ack()])))
    bad[42] ^= 0xFF  # corrupt the checksum
    frames.append(bytes(bad))
    return frames


def _pairs(node) -> list:
    return node if isinstance(node, list) else []


def _flat(node) -> list[tuple[str, str]]:
    out = []
    for k, v in _pairs(node):
        if isinstance(v, list):
            out.extend(_flat(v))
        else:
            out.append((k, v))
    return out


def _chunk_trees(sctp_layer) -> list:
    return [v for _, v in sctp_layer if isinstance(v, list) and "sctp.chunk_type" in dict(v)]


def _tlv_walk(items, out):
    """(kind, type, length) of parameters and causes, depth first, as Wireshark lists them."""
    for item in items:
        if item is None:
            continue
        kind = "parameter" if isinstance(item, sctp.param) else "cause"
        data = item.serialize()
        out.append((kind, int.from_bytes(data[:2], "big"), int.from_bytes(data[2:4], "big")))
        children = []
        for name in ("address", "causes", "value"):
            v = getattr(item, name, None)
            if isinstance(v, (sctp.param, sctp.cause)):
                children.append(v)
            elif isinstance(v, list) and v and isinstance(v[0], (sctp.param, sctp.cause)):
                children.extend(v)
        if isinstance(item, _TLV_VALUES):
            children.extend(sctp_params.decode_params(item.value, 0, len(item.value)))
        _tlv_walk(children, out)
    return out


def _hex(b: bytes) -> str:
    return b.hex(":")


def expected_fields(c) -> dict[str, list[str]]:
    """The Wireshark fields (recursive, in order) that chunk ``c`` must show."""
    f: dict[str, list] = {}
    if isinstance(c, (sctp.chunk_data, sctp.chunk_idata)):
        f["sctp.data_tsn_raw"] = [c.tsn]
        f["sctp.data_sid"] = [f"0x{c.sid:04x}"]
        f["sctp.data_u_bit"] = [c.unordered]
        f["sctp.data_b_bit"] = [c.begin]
        f["sctp.data_e_bit"] = [c.end]
        f["sctp.data_i_bit"] = [c.immediate]
        if isinstance(c, sctp.chunk_data):
            f["sctp.data_ssn"] = [c.seq]
            f["sctp.data_payload_proto_id"] = [c.payload_id]
        else:
            f["sctp.data_mid"] = [c.mid]
            f["sctp.data_payload_proto_id"] = [c.payload_id] if c.begin else []
            f["sctp.data_fsn"] = [] if c.begin else [c.fsn]
    elif isinstance(c, (sctp.chunk_init, sctp.chunk_init_ack)):
        pre = "sctp.init_" if isinstance(c, sctp.chunk_init) else "sctp.initack_"
        f[pre + "initiate_tag"] = [f"0x{c.init_tag:08x}"]
        f[pre + "credit"] = [c.a_rwnd]
        f[pre + "nr_out_streams"] = [c.os]
        f[pre + "nr_in_streams"] = [c.mis]
        f[pre + "initial_tsn"] = [c.i_tsn]
    elif isinstance(c, sctp.chunk_sack):
        f["sctp.sack_cumulative_tsn_ack_raw"] = [c.tsn_ack]
        f["sctp.sack_a_rwnd"] = [c.a_rwnd]
        f["sctp.sack_number_of_gap_blocks"] = [c.gapack_num]
        f["sctp.sack_number_of_duplicated_tsns"] = [c.duptsn_num]
        f["sctp.sack_gap_block_start"] = [s for s, _ in c.gapacks]
        f["sctp.sack_gap_block_end"] = [e for _, e in c.gapacks]
        f["sctp.sack_duplicate_tsn"] = c.duptsns
    elif isinstance(c, sctp.chunk_abort):
        f["sctp.abort_t_bit"] = [c.tflag]
    elif isinstance(c, sctp.chunk_shutdown_complete):
        f["sctp.shutdown_complete_t_bit"] = [c.tflag]
    elif isinstance(c, sctp.chunk_shutdown):
        f["sctp.shutdown_cumulative_tsn_ack"] = [c.tsn_ack]
    elif isinstance(c, sctp.chunk_cookie_echo):
        f["sctp.cookie"] = [_hex(c.cookie)]
    elif isinstance(c, sctp.chunk_ecn_echo):
        f["sctp.ecne_lowest_tsn"] = [c.low_tsn]
    elif isinstance(c, sctp.chunk_cwr):
        f["sctp.cwr_lowest_tsn"] = [c.low_tsn]
    elif isinstance(c, sctp.chunk_auth):
        f["sctp.shared_key_id"] = [c.shared_key_id]
        f["sctp.hmac_id"] = [c.hmac_id]
        f["sctp.hmac"] = [_hex(c.hmac)]
    elif isinstance(c, sctp.chunk_asconf):
        f["sctp.asconf_seq_nr_number"] = [f"0x{c.serial:08x}"]
    elif isinstance(c, sctp.chunk_asconf_ack):
        f["sctp.asconf_ack_seq_nr_number"] = [f"0x{c.serial:08x}"]
    elif isinstance(c, sctp.chunk_pad):
        f["sctp.padding_data"] = [_hex(c.padding)] if c.padding else []
    elif isinstance(c, sctp.chunk_forward_tsn):
        f["sctp.forward_tsn_tsn"] = [c.new_tsn]
        f["sctp.forward_tsn_sid"] = [s for s, _ in c.streams]
        f["sctp.forward_tsn_ssn"] = [n for _, n in c.streams]
    elif isinstance(c, sctp.chunk_iforward_tsn):
        f["sctp.i_forward_tsn_tsn"] = [c.new_tsn]
        f["sctp.i_forward_tsn_sid"] = [s for s, _, _ in c.streams]
        f["sctp.i_forward_tsn_u_bit"] = [u for _, u, _ in c.streams]
        f["sctp.forward_tsn_mid"] = [m for _, _, m in c.streams]
    elif isinstance(c, sctp.chunk_unknown):
        f["sctp.chunk_value"] = [_hex(c.value)] if c.value else []
    items = getattr(c, "params", None) or getattr(c, "causes", None) or []
    if isinstance(c, (sctp.chunk_heartbeat, sctp.chunk_heartbeat_ack)):
        items = [c.info]
        f["sctp.parameter_heartbeat_information"] = [_hex(c.info.value)]
    tlvs = _tlv_walk(items, [])
    f["sctp.parameter_type"] = [f"0x{t:04x}" for kind, t, _ in tlvs if kind == "parameter"]
    f["sctp.parameter_length"] = [n for kind, _, n in tlvs if kind == "parameter"]
    f["sctp.cause_code"] = [f"0x{t:04x}" for kind, t, _ in tlvs if kind == "cause"]
    f["sctp.cause_length"] = [n for kind, _, n in tlvs if kind == "cause"]
    params = []
    _collect(items, params)
    f["sctp.parameter_ipv4_address"] = [p.value for p in params if type(p) is sctp.param_ipv4]
    f["sctp.parameter_ipv6_address"] = [p.value for p in params if type(p) is sctp.param_ipv6]
    f["sctp.correlation_id"] = [f"0x{p.corr_id:08x}" for p in params if hasattr(p, "corr_id")]
    f["sctp.parameter_reconfig_request_sequence_number"] = [
        p.req_seq for p in params if hasattr(p, "req_seq")
    ]
    return {k: [str(x) for x in v] for k, v in f.items()}


def _collect(items, out):
    """Every parameter object below ``items``, in the same depth-first order as _tlv_walk."""
    for item in items:
        if item is None:
            continue
        if isinstance(item, sctp.param):
            out.append(item)
        for name in ("address", "causes", "value"):
            v = getattr(item, name, None)
            if isinstance(v, (sctp.param, sctp.cause)):
                _collect([v], out)
            elif isinstance(v, list) and v and isinstance(v[0], (sctp.param, sctp.cause)):
                _collect(v, out)
        if isinstance(item, _TLV_VALUES):
            _collect(sctp_params.decode_params(item.value, 0, len(item.value)), out)


def run_tshark(path) -> list:
    result = subprocess.run(
        [TSHARK, "-n", "-o", "sctp.checksum:CRC-32C", "-r", str(path), "-T", "json"],
        capture_output=True,
        check=True,
        timeout=120,
    )
    # Duplicate keys are how tshark lists repeated fields: keep every pair.
    return json.loads(result.stdout, object_pairs_hook=list)


def test_against_tshark(tmp_path):
    if TSHARK is None:
        if os.environ.get("CI"):
            pytest.fail("tshark is required under CI (apt-get install tshark)")
        pytest.skip("tshark is not installed")
    frames = corpus()
    assert len(frames) >= 100
    path = tmp_path / "sctp.pcap"
    write_pcap(path, frames)
    dissected = run_tshark(path)
    assert len(dissected) == len(frames)
    checked_chunks = 0
    bad_checksums = 0
    for i, (frame, ws) in enumerate(zip(frames, dissected, strict=True)):
        layers = dict(dict(ws)["_source"])["layers"]
        sctp_layer = [pair for k, v in layers if k == "sctp" for pair in v]
        top = dict(sctp_layer)
        pkt = packet.Packet(frame)
        s = pkt.get_protocol(sctp.sctp)
        where = f"frame {i}: {s}"
        assert top["sctp.srcport"] == str(s.src_port), where
        assert top["sctp.dstport"] == str(s.dst_port), where
        assert top["sctp.verification_tag"] == f"0x{s.vtag:08x}", where
        assert top["sctp.checksum"] == f"0x{s.csum:08x}", where
        ours_ok = s.checksum_ok(frame[34:], pkt.get_protocol(ipv4.ipv4))
        assert top["sctp.checksum.status"] == ("1" if ours_ok else "0"), where
        bad_checksums += not ours_ok
        trees = _chunk_trees(sctp_layer)
        assert len(trees) == len(s.chunks), where
        for c, tree in zip(s.chunks, trees, strict=True):
            direct = dict(tree)
            assert direct["sctp.chunk_type"] == str(c.serialize()[0]), where
            assert int(direct["sctp.chunk_flags"], 16) == c.serialize()[1], where
            assert direct["sctp.chunk_length"] == str(c.length), where
            flat = _flat(tree)
            for key, want in expected_fields(c).items():
                got = [v for k, v in flat if k == key]
                assert got == want, f"{where}\n{type(c).__name__} {key}: {got} != {want}"
            checked_chunks += 1
    assert checked_chunks >= 130 and bad_checksums == 1
