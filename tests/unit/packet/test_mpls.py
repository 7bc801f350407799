"""MPLS label stack (RFC 3032 section 2.1) decode/encode."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ether_types, ethernet, ipv4, ipv6, mpls, vlan
from ctrlapp.lib.packet.errors import PacketTruncatedError
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    parse_or_documented_error,
)
from tests.unit.packet.seeded import edge, frames_from, mutated_frames_from


def test_entry_bits():
    # Label 16, TC 0, S 1, TTL 64: 16 << 12 | 1 << 8 | 64 = 0x00010140.
    assert mpls.mpls(16, 0, 1, 64).serialize(b"", None) == bytes.fromhex("00010140")
    # Label 0xfffff (20 bits), TC 7, S 0, TTL 255.
    assert mpls.mpls(0xFFFFF, 7, 0, 255).serialize(b"", None) == bytes.fromhex("fffffeff")
    m, next_cls, rest = mpls.mpls.parser(bytes.fromhex("0003a5ff") + b"x")
    assert (m.label, m.exp, m.bsb, m.ttl) == (0x3A, 2, 1, 255)
    assert next_cls is None and rest == b"x"  # first nibble 7: neither IPv4 nor IPv6


def test_label_helpers():
    # RFC 3032 section 2.1: label in the top 20 bits, S in the lowest of the 24.
    assert mpls.label_to_bin(16) == bytes.fromhex("000101")
    assert mpls.label_to_bin(16, is_bos=False) == bytes.fromhex("000100")
    assert mpls.label_to_bin(0xFFFFF) == bytes.fromhex("fffff1")
    assert mpls.label_from_bin(bytes.fromhex("000101")) == (16, 1)
    assert mpls.label_from_bin(bytes.fromhex("fffff0")) == (0xFFFFF, 0)


def test_stack_then_ipv4_and_ipv6():
    for inner, cls in ((ipv4.ipv4(proto=253), ipv4.ipv4), (ipv6.ipv6(nxt=59), ipv6.ipv6)):
        frame = build(
            ethernet.ethernet(ethertype=ether_types.ETH_TYPE_MPLS),
            mpls.mpls(100, 0, 0, 64),
            mpls.mpls(200, 5, 1, 63),
            inner,
            b"data",
        )
        assert frame[14:22] == bytes.fromhex("00064040000c8b3f")
        pkt = assert_reencodes(frame)
        kinds = [type(p) for p in pkt.protocols]
        assert kinds == [ethernet.ethernet, mpls.mpls, mpls.mpls, cls, bytes]
        assert [m.label for m in pkt.get_protocols(mpls.mpls)] == [100, 200]


def test_mpls_in_vlan_and_multicast_ethertype():
    frame = build(
        ethernet.ethernet(ethertype=0x8100),
        vlan.vlan(vid=5, ethertype=ether_types.ETH_TYPE_MPLS_MULTICAST),
        mpls.mpls(3),
        ipv4.ipv4(proto=253),
    )
    pkt = assert_reencodes(frame)
    assert pkt.get_protocol(mpls.mpls).label == 3 and pkt.get_protocol(ipv4.ipv4) is not None


def test_bottom_without_payload_and_truncated():
    m, next_cls, rest = mpls.mpls.parser(bytes.fromhex("00010140"))
    assert next_cls is None and rest == b""
    with pytest.raises(PacketTruncatedError):
        mpls.mpls.parser(b"\x00\x01\x01")


def test_str_and_json():
    assert str(mpls.mpls()) == "mpls(bsb=1,exp=0,label=0,ttl=255)"
    assert_json_roundtrip(mpls.mpls(1048575, 7, 0, 1))


def random_frame(rng: random.Random) -> bytes:
    """A stack of 1 to 4 entries, then IPv4, IPv6 or a pseudowire-like payload."""
    stack = [
        mpls.mpls(edge(rng, 0xFFFFF), edge(rng, 7), 0, edge(rng, 255))
        for _ in range(rng.randint(1, 4))
    ]
    stack[-1].bsb = 1
    inner = rng.choice((ipv4.ipv4(proto=253), ipv6.ipv6(nxt=59), b"\x00\x00pw"))
    tail = rng.randbytes(rng.randint(0, 16))
    return build(ethernet.ethernet(ethertype=0x8847), *stack, inner, tail)


@given(frames_from(random_frame))
def test_frames_reencode(data):
    pkt = assert_reencodes(data)
    entries = pkt.get_protocols(mpls.mpls)
    assert [e.bsb for e in entries] == [0] * (len(entries) - 1) + [1]


@given(st.binary(max_size=40))
def test_random_bytes(data):
    parse_or_documented_error(mpls.mpls, data)
    decode_never_raises(bytes(12) + b"\x88\x47" + data)


@given(mutated_frames_from(random_frame))
def test_mutated_frames(data):
    decode_never_raises(data)
