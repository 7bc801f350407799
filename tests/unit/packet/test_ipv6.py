"""IPv6 (RFC 8200 sections 3, 4) header and extension headers, RFC 6554, RFC 4302."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ether_types, ethernet, in_proto, ipv4, ipv6
from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError, PacketTruncatedError
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    parse_or_documented_error,
)
from tests.unit.packet.seeded import SEEDS, edge, frames_from, mutated_frames_from

SRC = bytes.fromhex("fe800000000000000211 22fffe334455".replace(" ", ""))
DST = bytes.fromhex("ff020000000000000000000000000016")

# RFC 8200 section 3 layout written out by hand: version 6, traffic class 0xab,
# flow label 0xcdef1, payload length 8, next header 0 (Hop-by-Hop), hop limit 1.
FIXED = bytes.fromhex("6abcdef100080001") + SRC + DST
# Hop-by-Hop header of an MLDv2 report: next header 58, Hdr Ext Len 0, Router
# Alert (RFC 2711: type 5, length 2, value 0 = MLD), PadN of 0 data bytes.
HBH_RA = bytes.fromhex("3a00050200000100")


def test_fixed_header_fields():
    h, next_cls, rest = ipv6.ipv6.parser(FIXED + HBH_RA)
    assert (h.version, h.traffic_class, h.flow_label, h.payload_length) == (6, 0xAB, 0xCDEF1, 8)
    assert (h.nxt, h.hop_limit, h.src, h.dst) == (0, 1, "fe80::211:22ff:fe33:4455", "ff02::16")
    assert rest == b""
    (hbh,) = h.ext_hdrs
    assert isinstance(hbh, ipv6.hop_opts) and (hbh.nxt, hbh.size) == (58, 0)
    assert [(o.type_, o.len_, o.data) for o in hbh.data] == [(5, 2, b"\x00\x00"), (1, 0, None)]
    assert next_cls is ipv6.ipv6.get_packet_type(58)
    assert len(h) == 48 and h.checksum_ok(FIXED + HBH_RA, None) is None
    again = ipv6.ipv6(
        traffic_class=0xAB,
        flow_label=0xCDEF1,
        nxt=0,
        hop_limit=1,
        src="fe80::211:22ff:fe33:4455",
        dst="ff02::16",
        ext_hdrs=[ipv6.hop_opts(58, 0, [ipv6.option(5, 2, b"\x00\x00"), ipv6.option(1, 0, None)])],
    )
    assert bytes(again.serialize(bytearray(), None)) == FIXED + HBH_RA


def test_options_padding_pad1_and_padn():
    # RFC 8200 section 4.2: a 6-byte body needs no padding, a 5-byte one a Pad1,
    # a 3-byte one a PadN carrying 1 zero byte.
    assert ipv6.hop_opts(6, 0, [ipv6.option(5, 2, b"\x00\x00")]).serialize() == bytes.fromhex(
        "0600050200000100"
    )
    assert ipv6.dst_opts(6, 0, [ipv6.option(7, 3, b"abc")]).serialize() == bytes.fromhex(
        "0600070361626300"
    )
    assert ipv6.dst_opts(6, 0, [ipv6.option(7, 1, b"a")]).serialize() == bytes.fromhex(
        "0600070161010100"
    )
    assert ipv6.hop_opts(6, 0, None).serialize() == bytes.fromhex("0600010400000000")
    # 10 bytes of options: Hdr Ext Len 1 (16 bytes).
    long = ipv6.dst_opts(17, 0, [ipv6.option(9, 8, b"12345678")]).serialize()
    assert len(long) == 16 and long[1] == 1
    parsed = ipv6.dst_opts.parser(long)
    assert parsed.size == 1 and parsed.data[0].data == b"12345678"
    assert [o.type_ for o in parsed.data] == [9, 1]


def test_chain_fragment_routing_auth_dst():
    # Written by hand from RFC 8200 section 4.5, RFC 4302 section 2 and RFC 6554 section 3.
    frag = bytes.fromhex("3300000012345678")  # -> AH, offset 0, M 0, id 0x12345678
    ah = bytes.fromhex("2b0400000000010000000007") + bytes.fromhex("aabbccdd" * 3)
    # RPL source route: -> 60, Hdr Ext Len 2, type 3, SegLeft 1, CmprI 8, CmprE 12, Pad 4.
    rt3 = bytes.fromhex("3c0203018c400000") + bytes.fromhex("00010002000300040000000500000000")
    dst = bytes.fromhex("3b00010400000000")  # -> No Next Header
    body = frag + ah + rt3 + dst
    data = bytes.fromhex("60000000") + len(body).to_bytes(2, "big") + b"\x2c\x40" + SRC + DST
    h, next_cls, rest = ipv6.ipv6.parser(data + body)
    f, a, r, d = h.ext_hdrs
    assert (type(f), f.nxt, f.offset, f.more, f.id_) == (ipv6.fragment, 51, 0, 0, 0x12345678)
    assert (type(a), a.nxt, a.size, a.spi, a.seq, a.data) == (
        ipv6.auth,
        43,
        4,
        0x100,
        7,
        bytes.fromhex("aabbccdd" * 3),
    )
    assert (type(r), r.seg, r.cmpi, r.cmpe, r.adrs) == (
        ipv6.routing_type3,
        1,
        8,
        12,
        ["::1:2:3:4", "::5"],
    )
    assert type(d) is ipv6.dst_opts and d.nxt == in_proto.IPPROTO_NONE
    assert next_cls is None and rest == b""
    assert bytes(h.serialize(bytearray(), None)) + b"" == data + body
    assert len(h) == len(data + body)
    rebuilt = ipv6.routing_type3(60, 0, 3, 1, 8, 12, ["::1:2:3:4", "::5"]).serialize()
    assert rebuilt == rt3


def test_segment_routing_header_kept_generic():
    # RFC 8754 section 2: SRH type 4 with Last Entry 0, one segment 2001:db8::1.
    srh = bytes.fromhex("3b02040000000000") + bytes.fromhex("20010db8000000000000000000000001")
    data = bytes.fromhex("60000000") + len(srh).to_bytes(2, "big") + b"\x2b\x40" + SRC + DST
    h, _, rest = ipv6.ipv6.parser(data + srh)
    (r,) = h.ext_hdrs
    assert (type(r), r.nxt, r.size, r.type_, r.seg) == (ipv6.routing_generic, 59, 2, 4, 0)
    assert r.data == srh[4:] and rest == b""
    assert bytes(h.serialize(bytearray(), None)) == data + srh


def test_non_first_fragment_payload_raw():
    class Marker(ipv6.ipv6):
        pass

    ipv6.ipv6.register_packet_type(Marker, 253)
    try:
        for offset, more, decoded in ((0, 0, True), (0, 1, False), (185, 0, False)):
            h = ipv6.ipv6(nxt=44, ext_hdrs=[ipv6.fragment(253, offset, more, 1)])
            data = bytes(h.serialize(bytearray(b"\x80\x00"), None)) + b"\x80\x00"
            _, next_cls, rest = ipv6.ipv6.parser(data)
            assert rest == b"\x80\x00"
            assert (next_cls is Marker) == decoded
    finally:
        del ipv6.ipv6._TYPES[253]


def test_unknown_next_header_raw_and_tunnels():
    frame = build(ethernet.ethernet(ethertype=ether_types.ETH_TYPE_IPV6), ipv6.ipv6(nxt=253), b"x")
    pkt = assert_reencodes(frame)
    assert [type(p) for p in pkt.protocols] == [ethernet.ethernet, ipv6.ipv6, bytes]
    # 6in4 and 4in6.
    frame = build(ethernet.ethernet(), ipv4.ipv4(proto=41), ipv6.ipv6(nxt=4), ipv4.ipv4(proto=253))
    pkt = assert_reencodes(frame)
    assert [type(p) for p in pkt.protocols] == [ethernet.ethernet, ipv4.ipv4, ipv6.ipv6, ipv4.ipv4]
    assert pkt.protocols[2].payload_length == 20


def test_padding_after_datagram_reencodes():
    # No Next Header and an empty payload: the frame is 54 bytes and gets padded.
    eth = ethernet.ethernet(ethertype=ether_types.ETH_TYPE_IPV6)
    frame = build(eth, ipv6.ipv6(nxt=59)) + b""
    assert len(frame) == 60
    frame = frame[:54] + b"\x55" * 6
    pkt = assert_reencodes(frame)
    assert pkt.protocols[1].payload_length == 0 and len(pkt.protocols) == 2


@pytest.mark.parametrize(
    "data, error",
    [
        (FIXED[:39], PacketTruncatedError),
        (b"\x40" + FIXED[1:] + HBH_RA, PacketFieldError),
        (FIXED + HBH_RA[:6], PacketParseError),  # payload length says 8, header cut
        (FIXED + bytes.fromhex("3a01") + HBH_RA[2:], PacketParseError),  # Hdr Ext Len 1
        (FIXED + bytes.fromhex("3a00 0505 000000 00".replace(" ", "")), PacketParseError),
    ],
)
def test_malformed(data, error):
    with pytest.raises(error):
        ipv6.ipv6.parser(data)


@pytest.mark.parametrize(
    "cls, data",
    [
        (ipv6.fragment, b"\x00" * 7),
        (ipv6.auth, bytes.fromhex("3b00000000000000000000000000")),  # Payload Len 0: 8 < 12 bytes
        (ipv6.auth, bytes.fromhex("3b05000000000000000000000000")),
        (ipv6.routing, bytes.fromhex("3b0003")),
        (
            ipv6.routing,
            bytes.fromhex("3b01030104000000") + bytes(8),
        ),  # 8 bytes for a 12-byte address
        (ipv6.hop_opts, b"\x3b"),
        (ipv6.option, b""),
    ],
)
def test_malformed_ext_headers(cls, data):
    with pytest.raises(PacketParseError):
        cls.parser(data)


def test_str_and_json():
    h = ipv6.ipv6(
        nxt=0,
        ext_hdrs=[
            ipv6.hop_opts(43, 0, [ipv6.option(5, 2, b"\x00\x00"), ipv6.option(0)]),
            ipv6.routing_type3(44, 0, 3, 1, 0, 0, ["2001:db8::1"]),
            ipv6.fragment(51, 3, 1, 77),
            ipv6.auth(60, 3, 1, 2, b"01234567"),
            ipv6.dst_opts(43, 0, None),
            ipv6.routing_generic(59, 0, 4, 0, b"\x00" * 4),
        ],
    )
    assert str(h).startswith("ipv6(dst='20::20',ext_hdrs=[hop_opts(data=[option(data=b'\\x00")
    assert_json_roundtrip(h)
    data = bytes(h.serialize(bytearray(), None))
    decoded, _, _ = ipv6.ipv6.parser(data)
    assert_json_roundtrip(decoded)
    assert bytes(decoded.serialize(bytearray(), None)) == data


def test_registered():
    assert ethernet.ethernet.get_packet_type(ether_types.ETH_TYPE_IPV6) is ipv6.ipv6
    assert ipv4.ipv4.get_packet_type(in_proto.IPPROTO_IPV6) is ipv6.ipv6


def random_addr(rng: random.Random) -> str:
    return ipv6.addrconv.ipv6.bin_to_text(rng.randbytes(16))


def random_options(rng: random.Random) -> list:
    return [
        ipv6.option(0)
        if rng.random() < 0.2
        else ipv6.option(edge(rng, 255, 1), -1, rng.randbytes(rng.randint(0, 12)))
        for _ in range(rng.randint(0, 4))
    ]


def random_ext_header(rng: random.Random, kind: str) -> ipv6.header:
    if kind == "hop":
        return ipv6.hop_opts(0, 0, random_options(rng))
    if kind == "dst":
        return ipv6.dst_opts(0, 0, random_options(rng))
    if kind == "frag":
        return ipv6.fragment(0, edge(rng, 0x1FFF), rng.randint(0, 1), edge(rng, 2**32 - 1))
    if kind == "ah":
        return ipv6.auth(0, 0, edge(rng, 2**32 - 1), 5, rng.randbytes(4 * rng.randint(0, 3)))
    if kind == "rt3":
        cmpi, cmpe = edge(rng, 15), edge(rng, 15)
        sizes = [16 - cmpi] * rng.randint(0, 2) + [16 - cmpe]
        adrs = [ipv6.addrconv.ipv6.bin_to_text(bytes(16 - k) + rng.randbytes(k)) for k in sizes]
        return ipv6.routing_type3(0, 0, 3, edge(rng, 255), cmpi, cmpe, adrs)
    type_ = rng.choice((0, 2, 4, 200))
    return ipv6.routing_generic(0, 0, type_, rng.randint(0, 255), rng.randbytes(rng.randint(0, 20)))


def random_header(rng: random.Random) -> ipv6.ipv6:
    kinds = ("hop", "dst", "frag", "ah", "rt3", "rtg")
    hdrs = [random_ext_header(rng, rng.choice(kinds)) for _ in range(rng.randint(0, 4))]
    # No Next Header or an unassigned number: the random body stays raw.
    types = [h.TYPE for h in hdrs] + [rng.choice((59, 253))]
    for h, nxt in zip(hdrs, types[1:], strict=True):
        h.nxt = nxt
    return ipv6.ipv6(
        traffic_class=edge(rng, 255),
        flow_label=edge(rng, 0xFFFFF),
        nxt=types[0],
        hop_limit=edge(rng, 255),
        src=random_addr(rng),
        dst=random_addr(rng),
        ext_hdrs=hdrs,
    )


def random_frame(rng: random.Random) -> bytes:
    eth = ethernet.ethernet(ethertype=ether_types.ETH_TYPE_IPV6)
    return build(eth, random_header(rng), rng.randbytes(rng.randint(0, 24)))


@given(SEEDS)
def test_roundtrip_generated(seed):
    rng = random.Random(seed)
    h, body = random_header(rng), rng.randbytes(rng.randint(0, 32))
    data = bytes(h.serialize(bytearray(body), None)) + body
    d, _, rest = ipv6.ipv6.parser(data)
    assert rest == body and d.payload_length == len(data) - 40
    assert [type(x) for x in d.ext_hdrs] == [type(x) for x in h.ext_hdrs]
    assert (d.traffic_class, d.flow_label, d.hop_limit, d.src, d.dst) == (
        h.traffic_class,
        h.flow_label,
        h.hop_limit,
        h.src,
        h.dst,
    )
    assert bytes(d.serialize(bytearray(body), None)) + body == data
    assert len(d) == len(data) - len(body)


@given(frames_from(random_frame))
def test_frames_reencode(data):
    assert_reencodes(data)


@given(st.binary(max_size=120))
def test_random_bytes(data):
    parse_or_documented_error(ipv6.ipv6, data)
    parse_or_documented_error(ipv6.ipv6, b"\x60" + data)
    for cls in (ipv6.hop_opts, ipv6.routing, ipv6.fragment, ipv6.auth):
        try:
            cls.parser(data)
        except PacketParseError:
            pass


@given(mutated_frames_from(random_frame))
def test_mutated_frames(data):
    decode_never_raises(data)
    parse_or_documented_error(ipv6.ipv6, data[14:])
