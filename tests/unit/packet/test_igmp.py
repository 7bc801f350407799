"""IGMP v1/v2 (RFC 1112, RFC 2236) and v3 (RFC 3376) decode/encode."""

import random
import struct

import dpkt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ethernet, igmp, in_proto, ipv4, packet
from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError, PacketTruncatedError
from tests.support.dhcp_igmp_corpus import SEED, igmp_frame, igmp_messages
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    mutated,
    parse_or_documented_error,
)

ROUTER_ALERT = b"\x94\x04\x00\x00"  # RFC 2113: IGMP is sent with the Router Alert option


def ones_complement_sum(data: bytes) -> int:
    """RFC 1071 checksum written out the textbook way, independent of the library's."""
    if len(data) % 2:
        data += b"\x00"
    s = 0
    for (word,) in struct.iter_unpack("!H", data):
        s += word
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def with_csum(msg: bytes) -> bytes:
    c = ones_complement_sum(msg[:2] + b"\x00\x00" + msg[4:])
    return msg[:2] + c.to_bytes(2, "big") + msg[4:]


def frame(igmp_bytes: bytes, dst="224.0.0.1", dst_mac="01:00:5e:00:00:01") -> bytes:
    ip = ipv4.ipv4(
        header_length=6, ttl=1, proto=in_proto.IPPROTO_IGMP, src="10.0.0.1", dst=dst,
        option=ROUTER_ALERT,
    )  # fmt: skip
    return build(ethernet.ethernet(dst_mac, "00:00:5e:00:53:01"), ip, igmp_bytes)


# IGMPv2 Membership Report for 239.1.2.3 (RFC 2236 §2: type 0x16, max resp 0).
V2_REPORT = with_csum(bytes.fromhex("16000000ef010203"))
# IGMPv2 general query, Max Response Time 10 s (100 in 1/10 s).
V2_QUERY = with_csum(bytes.fromhex("1164000000000000"))
# IGMPv2 Leave Group for 239.1.2.3.
V2_LEAVE = with_csum(bytes.fromhex("17000000ef010203"))
# IGMPv1 report (RFC 1112 appendix I: version 1, type 2 -> 0x12).
V1_REPORT = with_csum(bytes.fromhex("12000000e0000005"))
# IGMPv3 group-and-source-specific query: Max Resp Code 0x8a, S=1, QRV=2, QQIC 125, two sources.
V3_QUERY = with_csum(bytes.fromhex("118a0000ef0102030a7d00020a0000010a000002"))
# IGMPv3 report with two records: MODE_IS_EXCLUDE {} for 239.1.1.1 and ALLOW_NEW_SOURCES
# {10.0.0.9} for 232.1.1.1 with one word of auxiliary data.
V3_REPORT = with_csum(
    bytes.fromhex(
        "22000000" "00000002"
        "02000000" "ef010101"
        "05010001" "e8010101" "0a000009" "deadbeef"
    )
)  # fmt: skip


def test_v2_report():
    msg, nxt, rest = igmp.igmp.parser(V2_REPORT)
    assert type(msg) is igmp.igmp and nxt is None and rest == b""
    assert (msg.msgtype, msg.maxresp, msg.address) == (igmp.IGMP_TYPE_REPORT_V2, 0, "239.1.2.3")
    assert msg.csum == int.from_bytes(V2_REPORT[2:4], "big")
    assert msg.serialize(b"", None) == V2_REPORT
    # dpkt decodes the same fields.
    d = dpkt.igmp.IGMP(V2_REPORT)
    assert (d.type, d.sum, d.group) == (msg.msgtype, msg.csum, bytes([239, 1, 2, 3]))


@pytest.mark.parametrize(
    "data,msgtype,maxresp,group",
    [
        (V2_QUERY, igmp.IGMP_TYPE_QUERY, 100, "0.0.0.0"),
        (V2_LEAVE, igmp.IGMP_TYPE_LEAVE, 0, "239.1.2.3"),
        (V1_REPORT, igmp.IGMP_TYPE_REPORT_V1, 0, "224.0.0.5"),
    ],
)
def test_v1_v2_messages(data, msgtype, maxresp, group):
    msg = igmp.igmp.parser(data)[0]
    assert type(msg) is igmp.igmp
    assert (msg.msgtype, msg.maxresp, msg.address) == (msgtype, maxresp, group)
    assert msg.checksum_ok(data, None)
    assert igmp.igmp(msgtype, maxresp, 0, group).serialize(b"", None) == data


def test_v3_query():
    q, _, rest = igmp.igmp.parser(V3_QUERY)
    assert type(q) is igmp.igmpv3_query and rest == b""
    assert (q.maxresp, q.address, q.s_flg, q.qrv, q.qqic, q.num) == (
        0x8A,
        "239.1.2.3",
        1,
        2,
        125,
        2,
    )
    assert q.srcs == ["10.0.0.1", "10.0.0.2"]
    # 0x8a: exp 0, mant 10 -> (10 | 0x10) << 3 = 208 tenths of a second (RFC 3376 §4.1.1).
    assert q.max_resp_time == 208 and q.qqi == 125
    built = igmp.igmpv3_query(
        maxresp=0x8A, address="239.1.2.3", s_flg=1, qrv=2, qqic=125, srcs=q.srcs
    )
    assert built.serialize(b"", None) == V3_QUERY
    assert len(q) == 20


def test_v3_report():
    r, _, rest = igmp.igmp.parser(V3_REPORT)
    assert type(r) is igmp.igmpv3_report and rest == b""
    assert r.record_num == 2
    a, b = r.records
    assert (a.type_, a.aux_len, a.num, a.address, a.srcs, a.aux) == (
        igmp.MODE_IS_EXCLUDE,
        0,
        0,
        "239.1.1.1",
        [],
        None,
    )
    assert (b.type_, b.aux_len, b.num, b.address, b.srcs, b.aux) == (
        igmp.ALLOW_NEW_SOURCES,
        1,
        1,
        "232.1.1.1",
        ["10.0.0.9"],
        bytes.fromhex("deadbeef"),
    )
    built = igmp.igmpv3_report(
        records=[
            igmp.igmpv3_report_group(igmp.MODE_IS_EXCLUDE, address="239.1.1.1"),
            igmp.igmpv3_report_group(
                igmp.ALLOW_NEW_SOURCES,
                address="232.1.1.1",
                srcs=["10.0.0.9"],
                aux=bytes.fromhex("deadbeef"),
            ),
        ]
    )
    assert built.serialize(b"", None) == V3_REPORT
    assert len(r) == len(V3_REPORT)
    assert_json_roundtrip(r)
    assert_json_roundtrip(igmp.igmp.parser(V3_QUERY)[0])


@pytest.mark.parametrize("type_", range(igmp.MODE_IS_INCLUDE, igmp.BLOCK_OLD_SOURCES + 1))
def test_all_record_types(type_):
    rec = igmp.igmpv3_report_group(type_, address="239.9.9.9", srcs=["192.0.2.1", "192.0.2.2"])
    data = igmp.igmpv3_report(records=[rec]).serialize(b"", None)
    assert data[8] == type_ and data[10:12] == b"\x00\x02"
    back = igmp.igmp.parser(data)[0]
    assert back.records[0].type_ == type_ and back.records[0].srcs == rec.srcs
    assert back.checksum_ok(data, None)


def test_codes_floating_point():
    # RFC 3376 §4.1.1: below 128 the code is the value.
    assert [igmp.decode_code(c) for c in (0, 1, 127)] == [0, 1, 127]
    # 0x80 is the smallest float: (0 | 0x10) << 3 = 128; 0xff the largest: 31 << 10.
    assert igmp.decode_code(0x80) == 128 and igmp.decode_code(0xFF) == 31744
    assert igmp.decode_code(0xA5) == (5 | 0x10) << 5
    for code in range(256):
        assert igmp.encode_code(igmp.decode_code(code)) == code
    # Between two representable times the smaller one is chosen; beyond the range, 0xff.
    assert igmp.decode_code(igmp.encode_code(130)) == 128
    assert igmp.encode_code(10**6) == 0xFF
    with pytest.raises(ValueError):
        igmp.encode_code(-1)


def test_encode_code_rounds_down_everywhere():
    # Every time up to past the largest code: the code's time is the largest one not above it.
    for value in range(0, 33000):
        code = igmp.encode_code(value)
        assert 0 <= code <= 0xFF
        assert igmp.decode_code(code) <= value
        if code < 0xFF:
            assert igmp.decode_code(code + 1) > value


def test_frame_with_router_alert():
    data = frame(V3_REPORT, dst="224.0.0.22", dst_mac="01:00:5e:00:00:16")
    pkt = assert_reencodes(data)
    ip = pkt.get_protocol(ipv4.ipv4)
    assert ip.option == ROUTER_ALERT
    r = pkt.get_protocol(igmp.igmp)
    assert isinstance(r, igmp.igmpv3_report) and r.records[1].srcs == ["10.0.0.9"]
    assert pkt.checksum_errors() == []


def test_v2_query_frame_with_ethernet_padding():
    # 14 + 24 + 8 = 46 bytes, padded to 60: the padding must not make it look like a v3 query.
    data = frame(V2_QUERY)
    assert len(data) == 60
    pkt = assert_reencodes(data)
    q = pkt.get_protocol(igmp.igmp)
    assert type(q) is igmp.igmp and q.maxresp == 100
    # The checksum covers the IP payload only, not the Ethernet padding after it.
    ip = pkt.get_protocol(ipv4.ipv4)
    assert q.checksum_ok(data[38:], ip)
    assert not q.checksum_ok(data[38:39] + b"\x65" + data[40:], ip)
    assert pkt.checksum_errors() == []


def test_checksum_computed_and_verified():
    ip = ipv4.ipv4(proto=in_proto.IPPROTO_IGMP, dst="239.1.2.3")
    data = build(ethernet.ethernet(), ip, igmp.igmp(igmp.IGMP_TYPE_REPORT_V2, 0, 0, "239.1.2.3"))
    assert data[34:42] == V2_REPORT
    bad = bytearray(data)
    bad[36] ^= 0xFF
    pkt = packet.Packet(bytes(bad))
    assert [type(p) for p in pkt.checksum_errors()] == [igmp.igmp]


def test_wrong_length_or_type():
    # RFC 3376 §7.1: a query of 9 to 11 bytes is neither v2 nor v3.
    for n in (9, 10, 11):
        with pytest.raises(PacketFieldError):
            igmp.igmp.parser(V3_QUERY[:n])
    with pytest.raises(PacketTruncatedError):
        igmp.igmp.parser(V2_REPORT[:7])
    # A v3 query announcing more sources than it carries.
    with pytest.raises(PacketTruncatedError):
        igmp.igmp.parser(V3_QUERY[:16])
    # A v3 report whose record count or source count runs past the end.
    with pytest.raises(PacketTruncatedError):
        igmp.igmp.parser(V3_REPORT[:20])
    with pytest.raises(PacketTruncatedError):
        igmp.igmp.parser(V3_REPORT[:6] + b"\x00\x09" + V3_REPORT[8:])
    # An unknown type (DVMRP, 0x13) is kept as the 8-byte header plus payload.
    msg, _, rest = igmp.igmp.parser(bytes.fromhex("1300000000000000aabb"))
    assert msg.msgtype == 0x13 and rest == b"\xaa\xbb"
    # In a frame, a bad IGMP message leaves the IPv4 header decoded and the bytes raw.
    pkt = packet.Packet(frame(V3_QUERY[:10]))
    assert isinstance(pkt.parse_error, PacketParseError)
    assert isinstance(pkt.protocols[1], ipv4.ipv4) and pkt.protocols[2] == V3_QUERY[:10]


ADDRS = ["0.0.0.0", "10.0.0.1", "192.0.2.77", "224.0.0.22", "239.255.255.250"]
SOURCE_LISTS = [[], ADDRS[1:2], ADDRS[1:3], ADDRS[:4]]
# Records and source lists come from small pools so that an example costs a
# few draws; the fields that are numbers are drawn in full.
RECORDS = [
    igmp.igmpv3_report_group(t, address=ADDRS[(t + i) % 5], srcs=srcs, aux=aux)
    for t in range(1, 7)
    for i, (srcs, aux) in enumerate(
        [(SOURCE_LISTS[0], None), (SOURCE_LISTS[2], None), (SOURCE_LISTS[1], bytes(range(8)))]
    )
]
messages = st.one_of(
    st.builds(
        igmp.igmp,
        st.sampled_from([0x11, 0x12, 0x16, 0x17]),
        st.integers(0, 255),
        st.just(0),
        st.sampled_from(ADDRS),
    ),
    st.builds(
        lambda code, flags, qqic, address, srcs: igmp.igmpv3_query(
            maxresp=code, address=address, s_flg=flags >> 3, qrv=flags & 7, qqic=qqic, srcs=srcs
        ),
        st.integers(0, 255),
        st.integers(0, 15),
        st.integers(0, 255),
        st.sampled_from(ADDRS),
        st.sampled_from(SOURCE_LISTS),
    ),
    st.builds(igmp.igmpv3_report, records=st.lists(st.sampled_from(RECORDS), max_size=4)),
)
frames = st.builds(frame, messages.map(lambda m: m.serialize(b"", None)))


@given(frames)
def test_roundtrip_generated(data):
    pkt = assert_reencodes(data)
    msg = pkt.get_protocol(igmp.igmp)
    assert msg.checksum_ok(data[38:], pkt.get_protocol(ipv4.ipv4))
    assert pkt.checksum_errors() == []
    assert_json_roundtrip(msg)


@given(st.binary(max_size=64))
def test_random_bytes(data):
    parse_or_documented_error(igmp.igmp, data)
    parse_or_documented_error(igmp.igmpv3_query, data)
    parse_or_documented_error(igmp.igmpv3_report, data)
    decode_never_raises(data)


# Mutation starts from a fixed corpus: drawing a fresh message for every example
# would cost more than the decoding under test.
SEED_FRAMES = [igmp_frame(m) for m in igmp_messages(random.Random(SEED), 48)]


@given(mutated(st.sampled_from(SEED_FRAMES)))
def test_mutated_frames(data):
    pkt = decode_never_raises(data)
    pkt.checksum_errors()
    res = parse_or_documented_error(igmp.igmp, data[38:])
    if res is not None:
        # Whatever decodes encodes again to a message that decodes to the same thing.
        # A checksum field of 0 means "compute" on encode, so then only it may differ.
        again = igmp.igmp.parser(res[0].serialize(b"", None))[0]
        if res[0].csum == 0:
            again.csum = 0
        assert str(again) == str(res[0])
