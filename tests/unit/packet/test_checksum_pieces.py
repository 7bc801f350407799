"""Checksums summed in pieces (``fold``, ``pseudo_sum``) against a word-by-word RFC 1071 sum.

The encoders of IPv4, TCP, UDP and ICMP no longer checksum a concatenation of
pseudo-header, header and payload; they add up the pieces' integers and fold
once.  These tests hold that shortcut to an independent reference: the
16-bit one's complement sum with end-around carry of RFC 1071 section 4.1.
"""

from __future__ import annotations

import ipaddress
import struct

from hypothesis import given, settings
from hypothesis import strategies as st

from ctrlapp.lib.packet import icmp, in_proto, ipv4, ipv6, tcp, udp
from ctrlapp.lib.packet.checksum import fold, pseudo_header, pseudo_sum
from tests.support.packet_contract import build


def _rfc1071(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def _pieces_sum(pieces: list[bytes]) -> int:
    # Every piece but the last has even length, as in the encoders.
    return sum(int.from_bytes(p, "big") << (8 * (len(p) % 2)) for p in pieces)


# Pure arithmetic checked against a reference: 1000 examples cover it, and
# keep each test a few seconds on a loaded 2-core machine in the CI profile.
FEW = settings(max_examples=min(settings().max_examples, 1000))

even = st.binary(max_size=64).map(lambda b: b[: len(b) - len(b) % 2])


@FEW
@given(st.lists(even, max_size=4), st.binary(max_size=41))
def test_fold_of_piece_sums_is_the_checksum_of_the_concatenation(head, last):
    pieces = [*head, last]
    assert fold(_pieces_sum(pieces)) == _rfc1071(b"".join(pieces))


def test_fold_edge_values():
    assert fold(0) == 0xFFFF  # all-zero data: one's complement +0
    assert fold(0xFFFF) == 0  # sum is -0: checksum 0
    assert fold(0xFFFF * 7) == 0
    assert fold(0x1_0000) == 0xFFFE  # end-around carry


addr4 = st.tuples(*[st.integers(0, 255)] * 4).map(lambda t: ".".join(map(str, t)))
addr6 = st.binary(min_size=16, max_size=16).map(lambda b: str(ipaddress.IPv6Address(b)))


@FEW
@given(addr4, addr4, st.integers(0, 0xFFFF), st.integers(0, 255))
def test_pseudo_sum_matches_the_ipv4_pseudo_header(src, dst, length, proto):
    ip = ipv4.ipv4(src=src, dst=dst)
    ph = pseudo_header(ip, length, proto)
    assert fold(pseudo_sum(ip, length, proto)) == _rfc1071(ph)


@FEW
@given(addr6, addr6, st.integers(0, 0xFFFFFFFF), st.integers(0, 255))
def test_pseudo_sum_matches_the_ipv6_pseudo_header(src, dst, length, proto):
    ip = ipv6.ipv6(src=src, dst=dst)
    ph = pseudo_header(ip, length, proto)
    assert fold(pseudo_sum(ip, length, proto)) == _rfc1071(ph)


@FEW
@given(addr4, addr4, st.binary(max_size=33), st.integers(0, 0xFFFFFFFF), st.integers(0, 0xFF))
def test_tcp_udp_icmp_ipv4_checksums_verify_word_by_word(src, dst, payload, seq, ttl):
    for l4, proto in (
        (tcp.tcp(1234, 80, seq, seq ^ 0xFFFFFFFF, bits=tcp.TCP_SYN), in_proto.IPPROTO_TCP),
        (udp.udp(5353, 53), in_proto.IPPROTO_UDP),
        (icmp.icmp(8, 0, 0, icmp.echo(7, 9, payload or None)), in_proto.IPPROTO_ICMP),
    ):
        ip = ipv4.ipv4(ttl=ttl, proto=proto, src=src, dst=dst, option=b"\x94\x04\x00\x00")
        frame = build(ip, l4, b"" if proto == in_proto.IPPROTO_ICMP else payload)
        assert _rfc1071(frame[:24]) == 0  # IPv4 header with its option
        seg = frame[24:]
        if proto == in_proto.IPPROTO_ICMP:
            assert _rfc1071(seg) == 0
        else:
            ph = struct.pack("!4s4sxBH", frame[12:16], frame[16:20], proto, len(seg))
            assert _rfc1071(ph + seg) == 0
