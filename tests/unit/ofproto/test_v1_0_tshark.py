"""Differential test of the OpenFlow 1.0 codec against Wireshark's dissector (tshark).

The 1.0 corpus messages and 170 messages built from seeded random values
(flow mods with every match field and action type, packet-in, packet-out,
features replies with ports, set-config) are encoded by ctrlapp, wrapped in
TCP to port 6653 and written to one pcap; ``tshark -T json`` dissects it.  For
each message, the fields Wireshark's ``openflow_v1`` dissector shows must
equal the values the ctrlapp object holds, in order for repeated fields such
as ports.  Wireshark shows only the first action of a FLOW_MOD or PACKET_OUT
and does not dissect 1.0 statistics or queue bodies; those are covered by the
round-trip tests.  tshark is a test requirement (``scripts/test-all``
installs it).
"""

from __future__ import annotations

import json
import random
import shutil
import struct
import subprocess
from pathlib import Path

from ctrlapp.ofproto import ofproto_parser
from ctrlapp.ofproto import ofproto_v1_0_parser as p
from tests.support.pcap_writer import write_pcap
from tests.support.shared_data import TESTDATA

TSHARK = shutil.which("tshark")
OF10 = TESTDATA / "openflow/of10"
PAYLOAD_LAYERS = {"eth", "ip", "ipv6", "arp", "icmp", "tcp", "udp", "data"}


def _tcp_frame(payload: bytes, sport: int) -> bytes:
    eth = bytes.fromhex("0200000000020200000000010800")
    tcp = struct.pack("!HHIIBBHHH", sport, 6653, 1, 1, 0x50, 0x18, 65535, 0, 0)
    ip = struct.pack(
        "!BBHHHBBH4s4s",
        0x45,
        0,
        20 + len(tcp) + len(payload),
        0,
        0,
        64,
        6,
        0,
        b"\x0a\x00\x00\x01",
        b"\x0a\x00\x00\x02",
    )
    return eth + ip + tcp + payload


def _random_match(rng: random.Random) -> p.OFPMatch:
    return p.OFPMatch(
        wildcards=rng.getrandbits(22),
        in_port=rng.getrandbits(16),
        dl_src=rng.randbytes(6),
        dl_dst=rng.randbytes(6),
        dl_vlan=rng.getrandbits(16),
        dl_vlan_pcp=rng.getrandbits(8),
        dl_type=rng.getrandbits(16),
        nw_tos=rng.getrandbits(8),
        nw_proto=rng.getrandbits(8),
        nw_src=rng.getrandbits(32),
        nw_dst=rng.getrandbits(32),
        tp_src=rng.getrandbits(16),
        tp_dst=rng.getrandbits(16),
    )


def _random_actions(rng: random.Random) -> list[p.OFPAction]:
    makers = [
        lambda: p.OFPActionOutput(rng.getrandbits(16), rng.getrandbits(16)),
        lambda: p.OFPActionVlanVid(rng.getrandbits(12)),
        lambda: p.OFPActionVlanPcp(rng.getrandbits(3)),
        lambda: p.OFPActionStripVlan(),
        lambda: p.OFPActionSetDlSrc(rng.randbytes(6)),
        lambda: p.OFPActionSetDlDst(rng.randbytes(6)),
        lambda: p.OFPActionSetNwSrc(rng.getrandbits(32)),
        lambda: p.OFPActionSetNwDst(rng.getrandbits(32)),
        lambda: p.OFPActionSetNwTos(rng.getrandbits(6) << 2),
        lambda: p.OFPActionSetTpSrc(rng.getrandbits(16)),
        lambda: p.OFPActionSetTpDst(rng.getrandbits(16)),
        lambda: p.OFPActionEnqueue(rng.getrandbits(16), rng.getrandbits(32)),
    ]
    return [rng.choice(makers)() for _ in range(rng.randint(0, 4))]


def _random_port(rng: random.Random, port_no: int) -> p.OFPPhyPort:
    name = "".join(rng.choice("abcdefghij0123456789-") for _ in range(rng.randint(1, 15)))
    return p.OFPPhyPort(
        port_no,
        rng.randbytes(6).hex(":"),
        name.encode(),
        *(rng.getrandbits(12) for _ in range(6)),
    )


def generated(seed: int = 10) -> list[p.MsgBase]:
    rng = random.Random(seed)
    msgs: list = []
    for _ in range(80):
        msgs.append(
            p.OFPFlowMod(
                None,
                match=_random_match(rng),
                cookie=rng.getrandbits(64),
                command=rng.randint(0, 4),
                idle_timeout=rng.getrandbits(16),
                hard_timeout=rng.getrandbits(16),
                priority=rng.getrandbits(16),
                buffer_id=rng.getrandbits(32),
                out_port=rng.getrandbits(16),
                flags=rng.getrandbits(3),
                actions=_random_actions(rng),
            )
        )
    for _ in range(30):
        msgs.append(
            p.OFPPacketOut(
                None,
                buffer_id=rng.getrandbits(32),
                in_port=rng.getrandbits(16),
                actions=_random_actions(rng),
            )
        )
        msgs.append(
            p.OFPPacketIn(
                None,
                buffer_id=rng.getrandbits(32),
                total_len=rng.getrandbits(16),
                in_port=rng.getrandbits(16),
                reason=rng.randint(0, 1),
            )
        )
    for _ in range(20):
        ports = {n: _random_port(rng, n) for n in rng.sample(range(1, 0xFF00), rng.randint(0, 4))}
        msgs.append(
            p.OFPSwitchFeatures(
                None,
                datapath_id=rng.getrandbits(64),
                n_buffers=rng.getrandbits(32),
                n_tables=rng.getrandbits(8),
                capabilities=rng.getrandbits(8),
                actions=rng.getrandbits(12),
                ports=ports,
            )
        )
    for _ in range(10):
        msgs.append(p.OFPSetConfig(None, rng.randint(0, 3), rng.getrandbits(16)))
    for msg in msgs:
        msg.set_xid(rng.getrandbits(32))
    return msgs


def expected_fields(msg) -> dict[str, list[str]]:
    """What Wireshark should show for ``msg``, field name -> values in order."""
    out: dict[str, list[str]] = {}

    def put(key: str, value: object) -> None:
        out.setdefault(key, []).append(str(value))

    put("openflow_1_0.type", msg.msg_type)
    put("openflow.length", msg.msg_len)
    put("openflow.xid", msg.xid)
    if isinstance(msg, p.OFPFlowMod):
        m = msg.match
        put("openflow.wildcards", m.wildcards)
        put("openflow.in_port", m.in_port)
        put("openflow.eth_src", m.dl_src.hex(":"))
        put("openflow.eth_dst", m.dl_dst.hex(":"))
        put("openflow.dl_vlan", m.dl_vlan)
        put("openflow.dl_vlan_pcp", m.dl_vlan_pcp)
        put("openflow.ofp_match.dl_type", m.dl_type)
        put("openflow.ofp_match.tos", m.nw_tos)
        put("openflow.ofp_match.nw_proto", m.nw_proto)
        put("openflow.ofp_match.source_addr", ".".join(str(b) for b in m.nw_src.to_bytes(4, "big")))
        put("openflow.ofp_match.dest_addr", ".".join(str(b) for b in m.nw_dst.to_bytes(4, "big")))
        put("openflow.ofp_match.source_port", m.tp_src)
        put("openflow.ofp_match.dest_port", m.tp_dst)
        put("openflow.cookie", f"0x{msg.cookie:016x}")
        put("openflow.command", msg.command)
        put("openflow.idle_timeout", msg.idle_timeout)
        put("openflow.hard_timeout", msg.hard_timeout)
        put("openflow.priority", msg.priority)
        put("openflow.buffer_id", f"0x{msg.buffer_id:08x}")
        put("openflow.out_port", msg.out_port)
        put("openflow.flags", msg.flags)
    elif isinstance(msg, p.OFPPacketOut):
        put("openflow.buffer_id", f"0x{msg.buffer_id:08x}")
        put("openflow.in_port", msg.in_port)
        put("openflow.actions_len", sum(a.len for a in msg.actions))
    elif isinstance(msg, p.OFPPacketIn):
        put("openflow.buffer_id", f"0x{msg.buffer_id:08x}")
        put("openflow.total_len", msg.total_len)
        put("openflow.in_port", msg.in_port)
        put("openflow.reason", msg.reason)
    elif isinstance(msg, p.OFPSwitchFeatures):
        put("openflow.datapath_id", f"0x{msg.datapath_id:016x}")
        put("openflow.n_buffers", msg.n_buffers)
        put("openflow.n_tables", msg.n_tables)
        put("openflow.capabilities", f"0x{msg.capabilities:08x}")
        put("openflow.actions", f"0x{msg.actions:08x}")
        for port in msg.ports.values():
            put("openflow.port_no", port.port_no)
            put("openflow.hw_add", port.hw_addr)
            put("openflow.port_name", port.name.decode())
            put("openflow.port_config", f"0x{port.config:08x}")
            put("openflow.port_state", f"0x{port.state:08x}")
            put("openflow.port_curr", f"0x{port.curr:08x}")
            put("openflow.port_advertised", f"0x{port.advertised:08x}")
            put("openflow.port_supported", f"0x{port.supported:08x}")
            put("openflow.port_peer", f"0x{port.peer:08x}")
    elif isinstance(msg, p.OFPSetConfig):
        put("openflow.config_flags", f"0x{msg.flags:04x}")
        put("openflow.miss_send_len", f"0x{msg.miss_send_len:04x}")
    # Wireshark's 1.0 dissector shows only the first action of FLOW_MOD and PACKET_OUT.
    actions = msg.actions[:1] if isinstance(msg, (p.OFPFlowMod, p.OFPPacketOut)) else []
    for action in actions:
        put("openflow.action_typ", action.type)
        put("openflow.action_len", action.len)
        if isinstance(action, p.OFPActionOutput):
            put("openflow.output_port", action.port)
            put("openflow.max_len", action.max_len)
    return out


def _find_layer(node, name: str):
    if isinstance(node, list):
        for item in node:
            if isinstance(item, tuple):
                key, value = item
                if key == name:
                    return value
                item = value
            found = _find_layer(item, name)
            if found is not None:
                return found
    return None


def _flatten(node, out: dict[str, list[str]]) -> dict[str, list[str]]:
    for key, value in node:
        if isinstance(value, list):
            if key not in PAYLOAD_LAYERS:
                _flatten(value, out)
        else:
            out.setdefault(key, []).append(value)
    return out


def run_tshark(path: Path) -> list[dict[str, list[str]]]:
    out = subprocess.run(
        [TSHARK, "-n", "-r", str(path), "-T", "json"],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    ).stdout
    # Repeated fields (actions, ports) come as duplicate JSON keys: keep every pair.
    packets = json.loads(out, object_pairs_hook=list)
    return [_flatten(_find_layer(pkt, "openflow_v1") or [], {}) for pkt in packets]


def test_against_tshark(tmp_path):
    assert TSHARK is not None, "tshark is required (apt-get install tshark)"
    corpus = [ofproto_parser.decode(f.read_bytes()) for f in sorted(OF10.glob("*.packet"))]
    msgs = corpus + generated()
    wire = []
    for msg in msgs:
        msg.serialize()
        wire.append(bytes(msg.buf))
    path = tmp_path / "of10.pcap"
    write_pcap(path, [_tcp_frame(data, 20000 + i) for i, data in enumerate(wire)])
    dissected = run_tshark(path)
    assert len(dissected) == len(msgs)
    checked = 0
    for i, (msg, shown) in enumerate(zip(msgs, dissected, strict=True)):
        for key, values in expected_fields(msg).items():
            assert shown.get(key) == values, f"message {i} ({type(msg).__name__}) field {key}"
            checked += 1
    assert checked > 2000
