"""UDP (RFC 768) header, checksum over the IPv4 (RFC 768) and IPv6 (RFC 8200 §8.1) pseudo-headers,
and the port table that picks the next layer.

The IPv4 datagram was captured on Linux loopback (checksum left to offload);
its checksum was filled in and confirmed by tshark's UDP checksum validation,
as was the IPv6 one.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ethernet, geneve, ipv4, ipv6, packet, udp, vxlan
from ctrlapp.lib.packet.errors import PacketTruncatedError
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    mutated,
    parse_or_documented_error,
)

# 127.0.0.1:35553 -> 127.0.0.1:45679, "hello udp checksum", checksum 0xf142.
UDP_V4 = bytes.fromhex(
    "000000000000000000000000"
    "0800"
    "4500002e34d14000401107ec7f0000017f000001"
    "8ae1b26f001af142" + b"hello udp checksum".hex()
)
# 2001:db8::1:1000 -> 2001:db8::2:53, payload "query", checksum 0x505a (tshark: correct).
UDP_V6_SEGMENT = bytes.fromhex("03e80035000d505a") + b"query"


def _v6():
    return ipv6.ipv6(nxt=17, payload_length=13, src="2001:db8::1", dst="2001:db8::2")


def test_capture_fields_and_checksum():
    pkt = packet.Packet(UDP_V4)
    u = pkt.get_protocol(udp.udp)
    assert (u.src_port, u.dst_port, u.total_length, u.csum) == (35553, 45679, 26, 0xF142)
    assert pkt.protocols[-1] == b"hello udp checksum"
    assert pkt.checksum_errors() == []
    assert_reencodes(UDP_V4)


def test_build_computes_length_and_checksum():
    frame = build(
        ethernet.ethernet("00:00:00:00:00:00", "00:00:00:00:00:00"),
        ipv4.ipv4(
            identification=0x34D1, flags=2, ttl=64, proto=17, src="127.0.0.1", dst="127.0.0.1"
        ),
        udp.udp(35553, 45679),
        b"hello udp checksum",
    )
    assert frame == UDP_V4


def test_ipv6_checksum():
    hdr = udp.udp(1000, 53).serialize(b"query", _v6())
    assert hdr + b"query" == UDP_V6_SEGMENT
    u, _, rest = udp.udp.parser(UDP_V6_SEGMENT)
    assert rest == b"query" and u.checksum_ok(UDP_V6_SEGMENT, _v6()) is True
    assert u.checksum_ok(UDP_V6_SEGMENT[:-1] + b"Y", _v6()) is False


def test_zero_checksum_rules():
    # Over IPv4, 0 means "no checksum": nothing to verify (RFC 768).
    ip4 = ipv4.ipv4(proto=17, src="192.0.2.1", dst="192.0.2.2")
    u = udp.udp(1, 2, 9, 0)
    assert u.checksum_ok(bytes.fromhex("0001000200090000") + b"x", ip4) is None
    assert u.checksum_ok(b"", None) is None
    # A computed checksum of 0 is sent as 0xffff: a payload word equal to the
    # checksum of the datagram without it brings the one's complement sum to 0xffff.
    word = udp.udp(1, 2).serialize(b"\x00\x00", ip4)[6:8]
    assert udp.udp(1, 2).serialize(word, ip4)[6:8] == b"\xff\xff"
    assert udp.udp(1, 2, 10, 0xFFFF).checksum_ok(bytes.fromhex("00010002000affff") + word, ip4)
    # Length and checksum given explicitly are sent as they are.
    assert udp.udp(1, 2, 100, 0xABCD).serialize(b"", ip4) == bytes.fromhex("000100020064abcd")


def test_port_table():
    assert udp.udp.get_packet_type(12345, udp.UDP_PORT_VXLAN) is vxlan.vxlan
    assert udp.udp.get_packet_type(udp.UDP_PORT_GENEVE, 12345) is geneve.geneve
    assert udp.udp.get_packet_type(udp.UDP_PORT_GENEVE) is geneve.geneve
    assert udp.udp.get_packet_type(1, 2) is None
    _, next_cls, _ = udp.udp.parser(bytes.fromhex("12b5c0000010000000000000"))
    assert next_cls is vxlan.vxlan


def test_truncated_and_padding():
    with pytest.raises(PacketTruncatedError):
        udp.udp.parser(b"\x00\x01\x00\x02\x00")
    # A length field shorter than the bytes: the rest is kept, not dropped.
    u, _, rest = udp.udp.parser(bytes.fromhex("0001000200090000") + b"xyz")
    assert u.total_length == 9 and rest == b"xyz"
    assert u.checksum_ok(bytes.fromhex("0001000200400000"), _v6()) is False


def test_str_and_json():
    u = udp.udp(67, 68, 300, 0x1234)
    assert str(u) == "udp(csum=4660,dst_port=68,src_port=67,total_length=300)"
    assert_json_roundtrip(u)


ports = st.integers(0, 0xFFFF).filter(lambda p: p not in udp.udp._TYPES)
frames = st.builds(
    lambda sport, dport, payload: build(
        ethernet.ethernet(),
        ipv4.ipv4(proto=17, src="198.51.100.1", dst="203.0.113.9"),
        udp.udp(sport, dport),
        payload,
    ),
    ports,
    ports,
    st.binary(max_size=64),
)


@given(frames)
def test_roundtrip_generated(data):
    pkt = decode_never_raises(data)
    u = pkt.get_protocol(udp.udp)
    assert u.checksum_ok(data[34 : 34 + u.total_length], pkt.get_protocol(ipv4.ipv4)) is True
    if len(data) > 60:
        assert_reencodes(data)


@given(st.binary(max_size=40))
def test_random_bytes(data):
    result = parse_or_documented_error(udp.udp, data)
    if result is not None:
        u, _, rest = result
        assert u.serialize(rest, None) + rest == data


CORPUS = [
    UDP_V4,
    build(ethernet.ethernet(), _v6(), udp.udp(1000, 53), b"query"),
    build(ethernet.ethernet(), ipv4.ipv4(proto=17), udp.udp(68, 67), bytes(range(40))),
]


@given(mutated(st.sampled_from(CORPUS)))
def test_mutated_frames(data):
    decode_never_raises(data)
    parse_or_documented_error(udp.udp, data[34:])
