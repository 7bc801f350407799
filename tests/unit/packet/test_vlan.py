"""IEEE 802.1Q C-tag and IEEE 802.1ad S-tag (QinQ) decode/encode."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import arp, ether_types, ethernet, ipv4, ipv6, packet, vlan
from ctrlapp.lib.packet.errors import PacketTruncatedError
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    parse_or_documented_error,
)
from tests.unit.packet.seeded import edge, frames_from, mutated_frames_from

# 802.1Q tag: TPID 0x8100, TCI = PCP 5 | DEI 0 | VID 100 = 0xa064, then ARP.
TAGGED_ARP = (
    bytes.fromhex("ffffffffffff0011223344558100a0640806")
    + bytes.fromhex("00010800060400010011223344550a0000010000000000000a000002")
    + bytes(14)
)


def test_decode_tagged_arp():
    pkt = assert_reencodes(TAGGED_ARP)
    eth, tag, a, pad = pkt.protocols
    assert eth.ethertype == ether_types.ETH_TYPE_8021Q
    assert (type(tag), tag.pcp, tag.cfi, tag.vid, tag.ethertype) == (vlan.vlan, 5, 0, 100, 0x0806)
    assert isinstance(a, arp.arp) and a.dst_ip == "10.0.0.2" and pad == bytes(14)


def test_tci_bits():
    assert vlan.vlan(7, 1, 4095, 0x86DD).serialize(b"", None) == bytes.fromhex("ffff86dd")
    assert vlan.vlan(0, 1, 0, 0x0800).serialize(b"", None) == bytes.fromhex("10000800")
    assert vlan.svlan(1, 0, 2, 0x8100).serialize(b"", None) == bytes.fromhex("20028100")
    tag, next_cls, rest = vlan.vlan.parser(bytes.fromhex("e00186dd") + b"rest")
    assert (tag.pcp, tag.cfi, tag.vid, next_cls, rest) == (7, 0, 1, ipv6.ipv6, b"rest")


def test_qinq_and_double_ctag():
    # IEEE 802.1ad: S-tag (0x88a8) VID 10 carrying C-tag (0x8100) VID 20 carrying IPv4.
    frame = build(
        ethernet.ethernet(ethertype=ether_types.ETH_TYPE_8021AD),
        vlan.svlan(vid=10),
        vlan.vlan(vid=20),
        ipv4.ipv4(proto=253),
        b"payload",
    )
    assert frame[12:22] == bytes.fromhex("88a8000a810000140800")
    pkt = assert_reencodes(frame)
    kinds = [type(p) for p in pkt.protocols]
    assert kinds == [ethernet.ethernet, vlan.svlan, vlan.vlan, ipv4.ipv4, bytes]
    # Pre-standard QinQ stacks two 0x8100 tags.
    frame = build(
        ethernet.ethernet(ethertype=0x8100), vlan.vlan(vid=1, ethertype=0x8100), vlan.vlan(vid=2)
    )
    pkt = decode_never_raises(frame)
    assert [p.vid for p in pkt.get_protocols(vlan.vlan)] == [1, 2]
    assert pkt.get_protocol(ipv4.ipv4) is None  # zero padding is not an IPv4 header
    assert pkt.parse_error is not None


def test_length_field_keeps_payload_raw():
    tag, next_cls, rest = vlan.vlan.parser(bytes.fromhex("0001002e") + b"llc")
    assert tag.ethertype == 46 and next_cls is None and rest == b"llc"
    assert vlan.vlan.get_packet_type(0x0800) is ipv4.ipv4
    assert vlan.svlan.get_packet_type(0x05DC) is None


def test_truncated():
    with pytest.raises(PacketTruncatedError):
        vlan.vlan.parser(b"\x00\x01\x08")
    pkt = packet.Packet(TAGGED_ARP[:16])
    assert pkt.protocols[-1] == TAGGED_ARP[14:16] and pkt.parse_error is not None


def test_str_and_json():
    assert str(vlan.vlan(1, 0, 2)) == "vlan(cfi=0,ethertype=2048,pcp=1,vid=2)"
    assert str(vlan.svlan()) == "svlan(cfi=0,ethertype=33024,pcp=0,vid=0)"
    assert_json_roundtrip(vlan.vlan(3, 1, 300, 0x86DD))
    assert_json_roundtrip(vlan.svlan(3, 1, 300))


TPID = {vlan.vlan: ether_types.ETH_TYPE_8021Q, vlan.svlan: ether_types.ETH_TYPE_8021AD}


def random_frame(rng: random.Random) -> bytes:
    """1 to 3 tags of either kind, then IPv4, ARP or an unregistered EtherType."""
    stack = [
        rng.choice((vlan.vlan, vlan.svlan))(edge(rng, 7), rng.randint(0, 1), edge(rng, 4095), 0)
        for _ in range(rng.randint(1, 3))
    ]
    for outer, inner in zip(stack, stack[1:], strict=False):
        outer.ethertype = TPID[type(inner)]
    inner = rng.choice((0x0800, 0x0806, 0x9999))
    stack[-1].ethertype = inner
    if inner == 0x0800:
        body = ipv4.ipv4(proto=253, src="192.0.2.1")
    elif inner == 0x0806:
        body = arp.arp_ip(1, "00:00:00:00:00:01", "192.0.2.1", "00:00:00:00:00:00", "192.0.2.2")
    else:
        body = rng.randbytes(rng.randint(0, 20))
    return build(ethernet.ethernet(ethertype=TPID[type(stack[0])]), *stack, body)


@given(frames_from(random_frame))
def test_frames_reencode(data):
    pkt = assert_reencodes(data)
    assert 1 <= len(pkt.get_protocols(vlan._vlan)) <= 3


@given(st.binary(max_size=40))
def test_random_bytes(data):
    parse_or_documented_error(vlan.vlan, data)
    parse_or_documented_error(vlan.svlan, data)
    decode_never_raises(bytes(12) + b"\x81\x00" + data)


@given(mutated_frames_from(random_frame))
def test_mutated_frames(data):
    decode_never_raises(data)
