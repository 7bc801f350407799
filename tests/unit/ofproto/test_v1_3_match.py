"""OFPMatch and the OXM codec (OpenFlow 1.3.5 section 7.2.3).

Expected bytes are written out by hand from the spec's layouts: ``ofp_match``
is type (1 = OFPMT_OXM), length (header + TLVs, no padding), TLVs, zero
padding to 8; an OXM header is class (16 bits), field (7), has-mask (1),
payload length (8).
"""

from __future__ import annotations

import ipaddress
import random
import socket
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.exception import OFPMalformedMessage, OFPTruncatedMessage
from ctrlapp.ofproto import ofproto_v1_3 as ofp
from ctrlapp.ofproto import ofproto_v1_3_parser as parser
from ctrlapp.ofproto.ofproto_v1_3_parser import OFPMatch


def _oxm(field: int, payload: bytes, mask: bytes = b"", oxm_class: int = 0x8000) -> bytes:
    header = (oxm_class << 16) | (field << 9) | ((1 if mask else 0) << 8) | len(payload + mask)
    return struct.pack("!I", header) + payload + mask


def _match(*tlvs: bytes) -> bytes:
    body = b"".join(tlvs)
    raw = struct.pack("!HH", 1, 4 + len(body)) + body
    return raw + bytes(-len(raw) % 8)


def _encode(match: OFPMatch) -> bytes:
    buf = bytearray()
    n = match.serialize(buf, 0)
    assert n == len(buf) and n % 8 == 0
    return bytes(buf)


# (keyword, value, field number, payload bytes) for all 40 basic fields
BASIC = [
    ("in_port", 7, 0, struct.pack("!I", 7)),
    ("in_phy_port", 0xFFFFFFFE, 1, struct.pack("!I", 0xFFFFFFFE)),
    ("metadata", 0x0102030405060708, 2, bytes(range(1, 9))),
    ("eth_dst", "00:11:22:33:44:55", 3, bytes.fromhex("001122334455")),
    ("eth_src", "aa:bb:cc:dd:ee:ff", 4, bytes.fromhex("aabbccddeeff")),
    ("eth_type", 0x86DD, 5, b"\x86\xdd"),
    ("vlan_vid", 0x1000 | 100, 6, struct.pack("!H", 0x1064)),
    ("vlan_pcp", 5, 7, b"\x05"),
    ("ip_dscp", 46, 8, b"\x2e"),
    ("ip_ecn", 3, 9, b"\x03"),
    ("ip_proto", 17, 10, b"\x11"),
    ("ipv4_src", "192.168.1.2", 11, bytes([192, 168, 1, 2])),
    ("ipv4_dst", "10.0.0.255", 12, bytes([10, 0, 0, 255])),
    ("tcp_src", 443, 13, b"\x01\xbb"),
    ("tcp_dst", 65535, 14, b"\xff\xff"),
    ("udp_src", 53, 15, b"\x00\x35"),
    ("udp_dst", 67, 16, b"\x00\x43"),
    ("sctp_src", 2905, 17, b"\x0b\x59"),
    ("sctp_dst", 36412, 18, b"\x8e\x3c"),
    ("icmpv4_type", 8, 19, b"\x08"),
    ("icmpv4_code", 0, 20, b"\x00"),
    ("arp_op", 2, 21, b"\x00\x02"),
    ("arp_spa", "10.1.2.3", 22, bytes([10, 1, 2, 3])),
    ("arp_tpa", "10.3.2.1", 23, bytes([10, 3, 2, 1])),
    ("arp_sha", "02:00:00:00:00:01", 24, bytes.fromhex("020000000001")),
    ("arp_tha", "02:00:00:00:00:02", 25, bytes.fromhex("020000000002")),
    ("ipv6_src", "2001:db8::1", 26, bytes.fromhex("20010db8000000000000000000000001")),
    ("ipv6_dst", "fe80::1:2", 27, bytes.fromhex("fe800000000000000000000000010002")),
    ("ipv6_flabel", 0xABCDE, 28, struct.pack("!I", 0xABCDE)),
    ("icmpv6_type", 135, 29, b"\x87"),
    ("icmpv6_code", 0, 30, b"\x00"),
    ("ipv6_nd_target", "2001:db8::ff", 31, bytes.fromhex("20010db80000000000000000000000ff")),
    ("ipv6_nd_sll", "00:00:5e:00:53:01", 32, bytes.fromhex("00005e005301")),
    ("ipv6_nd_tll", "00:00:5e:00:53:02", 33, bytes.fromhex("00005e005302")),
    ("mpls_label", 0xFFFFF, 34, struct.pack("!I", 0xFFFFF)),
    ("mpls_tc", 7, 35, b"\x07"),
    ("mpls_bos", 1, 36, b"\x01"),
    ("pbb_isid", 0xABCDEF, 37, b"\xab\xcd\xef"),
    ("tunnel_id", 0xDEADBEEFCAFE, 38, struct.pack("!Q", 0xDEADBEEFCAFE)),
    ("ipv6_exthdr", ofp.OFPIEH_HOP | ofp.OFPIEH_FRAG, 39, struct.pack("!H", 0x50)),
]


def test_every_basic_field_is_covered():
    assert sorted(f for _, _, f, _ in BASIC) == list(range(40))
    assert sorted(parser.OXM_FIELD_NAMES) == sorted(n for n, _, _, _ in BASIC)


@pytest.mark.parametrize("name,value,field,payload", BASIC, ids=[b[0] for b in BASIC])
def test_basic_field_encodes_and_decodes(name, value, field, payload):
    wire = _match(_oxm(field, payload))
    assert _encode(OFPMatch(**{name: value})) == wire
    decoded = OFPMatch.parser(wire, 0)
    assert decoded[name] == value and decoded.length == 4 + 4 + len(payload)
    assert _encode(decoded) == wire


MASKABLE = [
    ("metadata", (0x1200, 0xFF00), 2, struct.pack("!QQ", 0x1200, 0xFF00)),
    ("eth_dst", ("01:00:00:00:00:00", "01:00:00:00:00:00"), 3, bytes.fromhex("010000000000") * 2),
    ("vlan_vid", (0x1000, 0x1000), 6, b"\x10\x00\x10\x00"),
    ("ipv4_dst", ("10.0.0.0", "255.0.0.0"), 12, bytes([10, 0, 0, 0, 255, 0, 0, 0])),
    ("arp_spa", ("10.0.0.0", "255.255.0.0"), 22, bytes([10, 0, 0, 0, 255, 255, 0, 0])),
    (
        "ipv6_src",
        ("2001:db8::", "ffff:ffff::"),
        26,
        bytes.fromhex("20010db8" + "00" * 12 + "ffffffff" + "00" * 12),
    ),
    ("pbb_isid", (0x10, 0xF0), 37, bytes.fromhex("0000100000f0")),
    ("tunnel_id", (5, 0xF), 38, struct.pack("!QQ", 5, 15)),
    ("ipv6_exthdr", (1, 1), 39, b"\x00\x01\x00\x01"),
]


@pytest.mark.parametrize("name,value,field,payload", MASKABLE, ids=[m[0] for m in MASKABLE])
def test_masked_field(name, value, field, payload):
    half = len(payload) // 2
    wire = _match(_oxm(field, payload[:half], payload[half:]))
    assert _encode(OFPMatch(**{name: value})) == wire
    decoded = OFPMatch.parser(wire, 0)
    assert decoded[name] == value


def test_keyword_mask_clears_value_bits_but_decoding_keeps_them():
    m = OFPMatch(ipv4_src=("10.1.2.3", "255.255.0.0"), metadata=(0xFFFF, 0xF0))
    assert m["ipv4_src"] == ("10.1.0.0", "255.255.0.0") and m["metadata"] == (0xF0, 0xF0)
    wire = _match(_oxm(11, bytes([10, 1, 2, 3]), bytes([255, 255, 0, 0])))
    decoded = OFPMatch.parser(wire, 0)
    assert decoded["ipv4_src"] == ("10.1.2.3", "255.255.0.0")
    assert _encode(decoded) == wire


def test_keyword_form_sorts_by_field_number_and_mapping_api():
    m = OFPMatch(ipv4_dst=("10.0.0.0", "255.0.0.0"), eth_type=0x0800, in_port=1)
    assert list(m) == ["in_port", "eth_type", "ipv4_dst"]
    wire = _match(
        _oxm(0, b"\x00\x00\x00\x01"),
        _oxm(5, b"\x08\x00"),
        _oxm(12, bytes([10, 0, 0, 0]), bytes([255, 0, 0, 0])),
    )
    assert _encode(m) == wire
    assert m["in_port"] == 1 and "eth_type" in m and "tcp_dst" not in m
    assert m.get("tcp_dst", 99) == 99 and m.get("eth_type") == 0x800
    assert m.items() == [
        ("in_port", 1),
        ("eth_type", 0x800),
        ("ipv4_dst", ("10.0.0.0", "255.0.0.0")),
    ]
    with pytest.raises(KeyError):
        m["tcp_dst"]
    with pytest.raises(KeyError):
        OFPMatch(no_such_field=1)


def test_decoded_match_keeps_wire_order():
    wire = _match(_oxm(12, bytes([1, 2, 3, 4])), _oxm(5, b"\x08\x00"))
    m = OFPMatch.parser(wire, 0)
    assert list(m) == ["ipv4_dst", "eth_type"]
    assert _encode(m) == wire
    # after the values are read (lazy decoding) the order is still the wire's
    assert m["ipv4_dst"] == "1.2.3.4"
    assert _encode(m) == wire
    assert m == OFPMatch(_ordered_fields=[("ipv4_dst", "1.2.3.4"), ("eth_type", 0x800)])


def test_empty_match():
    assert _encode(OFPMatch()) == bytes.fromhex("0001000400000000")
    assert len(OFPMatch.parser(bytes.fromhex("0001000400000000"), 0)) == 0


def test_experimenter_and_nicira_oxms_kept_raw():
    exp = _oxm(3, bytes.fromhex("4f4e4600") + b"\x0a\x00\x01", oxm_class=0xFFFF)
    nxm_masked = _oxm(5, bytes.fromhex("0000abcd0000ffff")[:4], bytes.fromhex("0000ffff"), 0x0001)
    wire = _match(_oxm(0, b"\x00\x00\x00\x02"), exp, nxm_masked)
    m = OFPMatch.parser(wire, 0)
    assert m["oxm_ffff06"] == bytes.fromhex("4f4e46000a0001")
    assert m["oxm_00010b"] == bytes.fromhex("0000abcd0000ffff")
    assert _encode(m) == wire
    again = OFPMatch(in_port=2, oxm_ffff06=bytes.fromhex("4f4e46000a0001"))
    assert _encode(again) == _match(_oxm(0, b"\x00\x00\x00\x02"), exp)


def test_json_round_trip():
    m = OFPMatch(
        in_port=3, eth_dst=("00:00:00:00:00:01", "ff:ff:ff:ff:ff:ff"), oxm_000100=b"\x01\x02"
    )
    doc = m.to_jsondict()
    tlv = doc["OFPMatch"]["oxm_fields"][0]["OXMTlv"]
    assert tlv == {"field": "in_port", "mask": None, "value": 3}
    assert OFPMatch.from_jsondict(doc["OFPMatch"]) == m
    assert "in_port" in str(m)


@pytest.mark.parametrize(
    "wire,error",
    [
        # match header cut short
        (b"\x00\x01\x00", OFPTruncatedMessage),
        # type OFPMT_STANDARD is not 1.3
        (bytes.fromhex("0000000400000000"), OFPMalformedMessage),
        # length below the header
        (bytes.fromhex("0001000200000000"), OFPMalformedMessage),
        # length past the buffer
        (bytes.fromhex("0001001000000000"), OFPTruncatedMessage),
        # in_port with a 2-byte payload: impossible length
        (_match(struct.pack("!IH", 0x80000002, 1)), OFPMalformedMessage),
        # masked eth_type with a 3-byte payload
        (_match(struct.pack("!I", 0x80000B03) + b"\x08\x00\xff"), OFPMalformedMessage),
        # OXM payload longer than the match
        (struct.pack("!HHI", 1, 8, 0x80000004) + b"\x00" * 8, OFPMalformedMessage),
        # a lone OXM header fragment at the end
        (struct.pack("!HH", 1, 6) + b"\x80\x00", OFPMalformedMessage),
        # experimenter OXM too short for its experimenter id
        (_match(struct.pack("!I", 0xFFFF0002) + b"\x00\x01"), OFPMalformedMessage),
    ],
)
def test_bad_matches(wire, error):
    with pytest.raises(error):
        OFPMatch.parser(wire, 0)


# -- properties -----------------------------------------------------------------------
_SIZES = {name: len(payload) for name, _, _, payload in BASIC}
_IPV4_FIELDS = ("ipv4_src", "ipv4_dst", "arp_spa", "arp_tpa")


def _random_value(rnd: random.Random, name: str):
    raw = rnd.randbytes(_SIZES[name])
    if name in _IPV4_FIELDS:
        return socket.inet_ntoa(raw)
    if len(raw) == 16:
        return str(ipaddress.IPv6Address(raw))
    if len(raw) == 6:
        return raw.hex(":")
    return int.from_bytes(raw, "big")


# Hypothesis picks the fields (and shrinks over them); a seeded Random makes
# the values, which keeps the generation cheap enough for thousands of examples.
@given(
    st.lists(st.sampled_from(sorted(_SIZES)), max_size=5, unique=True),
    st.integers(0, 2**32),
    st.booleans(),
)
def test_encode_decode_encode_is_identity(names, seed, with_experimenter):
    rnd = random.Random(seed)
    fields = {}
    for name in names:
        value = _random_value(rnd, name)
        fields[name] = (value, _random_value(rnd, name)) if rnd.random() < 0.4 else value
    if with_experimenter:
        fields["oxm_ffff08"] = rnd.randbytes(rnd.randrange(4, 21))
    m = OFPMatch(**fields)
    wire = _encode(m)
    back = OFPMatch.parser(wire, 0)
    assert back == m
    assert _encode(back) == wire


@given(st.binary(max_size=64))
def test_random_bytes_raise_only_the_documented_error(data):
    wire = struct.pack("!HH", 1, 4 + len(data)) + data
    try:
        m = OFPMatch.parser(wire, 0)
    except OFPMalformedMessage:
        return
    m.items()
    assert _encode(m)[: len(wire)] == wire


def test_lookups_on_a_match_still_in_wire_form():
    wire = _match(
        _oxm(0, b"\x00\x00\x00\x05"),
        _oxm(3, bytes.fromhex("001122334455")),
        _oxm(12, bytes([10, 0, 0, 0]), bytes([255, 0, 0, 0])),
        _oxm(0, b"\x00\x00\x00\x01", oxm_class=0x0001),
    )

    def fresh():
        return OFPMatch.parser(wire, 0)

    assert fresh()["in_port"] == 5
    assert fresh()["eth_dst"] == "00:11:22:33:44:55"
    assert fresh()["ipv4_dst"] == ("10.0.0.0", "255.0.0.0")
    assert fresh()["oxm_000100"] == b"\x00\x00\x00\x01"
    assert fresh().get("tcp_dst") is None and "tcp_dst" not in fresh()
    assert "ipv4_dst" in fresh() and fresh().get("in_port") == 5
    with pytest.raises(KeyError):
        fresh()["udp_src"]
    m = fresh()
    assert m["in_port"] == 5 and _encode(m) == wire
