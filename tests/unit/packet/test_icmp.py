"""ICMP (RFC 792; RFC 1191 MTU, RFC 4884 length) decode/encode and checksum (RFC 1071)."""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ethernet, icmp, in_proto, ipv4, packet
from ctrlapp.lib.packet.checksum import checksum
from ctrlapp.lib.packet.errors import PacketTruncatedError
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    parse_or_documented_error,
)
from tests.unit.packet.seeded import edge, frames_from, mutated_frames_from


def ones_complement_sum(data: bytes) -> int:
    """Straight from RFC 1071 section 4.1: add 16-bit words, fold carries, complement."""
    if len(data) % 2:
        data += b"\x00"
    total = 0
    for i in range(0, len(data), 2):
        total += (data[i] << 8) | data[i + 1]
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


# A Linux "ping -c1" echo request: id 0x1c46, seq 1, a 16-byte timeval, then
# bytes 0x10..0x37 (56 data bytes in all).  The checksum below was computed
# with the RFC 1071 loop above and also matches what the kernel put on the wire.
PING_DATA = bytes.fromhex("e4a33865000000004f3a0b0000000000") + bytes(range(0x10, 0x38))
PING = bytes.fromhex("0800") + b"\x00\x00" + bytes.fromhex("1c460001") + PING_DATA
PING = PING[:2] + ones_complement_sum(PING).to_bytes(2, "big") + PING[4:]
FRAME = (
    bytes.fromhex("0200000000020200000000010800")
    + bytes.fromhex("4500005400004000400100000a0000010a000002")
    + PING
)
FRAME = FRAME[:24] + ones_complement_sum(FRAME[14:34]).to_bytes(2, "big") + FRAME[26:]


def test_rfc1071_example():
    # RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to 0xddf2.
    data = bytes.fromhex("0001f203f4f5f6f7")
    assert checksum(data) == ones_complement_sum(data) == 0xFFFF - 0xDDF2


def test_decode_echo_request():
    pkt = assert_reencodes(FRAME)
    ip = pkt.get_protocol(ipv4.ipv4)
    m = pkt.get_protocol(icmp.icmp)
    assert ip.proto == in_proto.IPPROTO_ICMP and pkt.protocols[-1] is m
    assert (m.type, m.code, m.csum) == (icmp.ICMP_ECHO_REQUEST, 0, int.from_bytes(PING[2:4], "big"))
    assert isinstance(m.data, icmp.echo)
    assert (m.data.id, m.data.seq, m.data.data) == (0x1C46, 1, PING_DATA)
    assert pkt.checksum_errors() == [] and len(m) == 64


def test_build_echo_reply_like_ryu():
    req = packet.Packet(FRAME).get_protocol(icmp.icmp)
    reply = icmp.icmp(
        type_=icmp.ICMP_ECHO_REPLY,
        code=icmp.ICMP_ECHO_REPLY_CODE,
        csum=0,
        data=icmp.echo(req.data.id, req.data.seq, req.data.data),
    )
    data = bytes(reply.serialize(bytearray(), None))
    expected = b"\x00\x00\x00\x00" + PING[4:]
    expected = expected[:2] + ones_complement_sum(expected).to_bytes(2, "big") + expected[4:]
    assert data == expected
    # Reply = request with type 0: the sum falls by 0x0800, so the checksum rises by
    # it in one's complement arithmetic (RFC 1624 incremental update).
    rise = int.from_bytes(PING[2:4], "big") + 0x0800
    assert int.from_bytes(data[2:4], "big") == (rise & 0xFFFF) + (rise >> 16)
    assert reply.csum == 0  # 0 still means "compute": the object is not changed


def test_checksum_mismatch():
    bad = bytearray(FRAME)
    bad[-1] ^= 0xFF
    pkt = packet.Packet(bytes(bad))
    assert pkt.checksum_errors() == [pkt.get_protocol(icmp.icmp)]
    # A datagram cut short cannot be verified.
    short = packet.Packet(FRAME[:60])
    assert short.get_protocol(icmp.icmp).checksum_ok(FRAME[34:60], short.protocols[1]) is None


def test_dest_unreach_frag_needed_and_time_exceeded():
    original = FRAME[14:42]  # the IP header and 8 bytes of the datagram, as RFC 792 asks
    m = icmp.icmp(
        icmp.ICMP_DEST_UNREACH, icmp.ICMP_FRAG_NEEDED_CODE, 0, icmp.dest_unreach(0, 1400, original)
    )
    data = bytes(m.serialize(bytearray(), None))
    assert data[4:8] == bytes.fromhex("00000578") and data[8:] == original
    assert ones_complement_sum(data) == 0
    d, _, rest = icmp.icmp.parser(data)
    assert (d.data.mtu, d.data.data_len, d.data.data, rest) == (1400, 0, original, b"")
    # RFC 4884: Time Exceeded with a length of 7 words (28 bytes).
    te = bytes(icmp.icmp(11, 0, 0, icmp.TimeExceeded(7, original)).serialize(bytearray(), None))
    assert te[4:8] == bytes.fromhex("00070000")
    d, _, _ = icmp.icmp.parser(te)
    assert isinstance(d.data, icmp.TimeExceeded) and d.data.data_len == 7


def test_checksum_covers_bytes_added_after_the_header():
    # Ryu apps often append the offending datagram as a separate raw protocol.
    original = FRAME[14:42]
    frame = build(
        ethernet.ethernet(), ipv4.ipv4(proto=1), icmp.icmp(3, 3, 0, icmp.dest_unreach()), original
    )
    assert ones_complement_sum(frame[34:]) == 0
    assert packet.Packet(frame).checksum_errors() == []


def test_other_types_and_short_bodies_stay_raw():
    # Timestamp request (type 13): no message class, body kept as bytes.
    body = bytes.fromhex("00010002") + bytes(12)
    d, _, _ = icmp.icmp.parser(bytes.fromhex("0d000000") + body)
    assert d.data == body
    # An echo with a 2-byte body cannot hold id and seq.
    d, _, _ = icmp.icmp.parser(bytes.fromhex("08001234abcd"))
    assert d.data == b"\xab\xcd"
    assert bytes(d.serialize(bytearray(), None)) == bytes.fromhex("08001234abcd")
    # Nothing after the 4-byte header.
    d, _, _ = icmp.icmp.parser(bytes.fromhex("08000000"))
    assert d.data == b"" and len(d) == 4
    # data None encodes an empty echo (id 0, seq 0), checksum 0xf7ff.
    assert bytes(icmp.icmp().serialize(bytearray(), None)) == bytes.fromhex("0800f7ff00000000")
    with pytest.raises(PacketTruncatedError):
        icmp.icmp.parser(b"\x08\x00\x00")


def test_str_and_json():
    m = icmp.icmp(data=icmp.echo(1, 2, b"abc"))
    assert str(m) == "icmp(code=0,csum=0,data=echo(data=b'abc',id=1,seq=2),type=8)"
    assert_json_roundtrip(m)
    assert_json_roundtrip(icmp.icmp(3, 4, 0, icmp.dest_unreach(2, 1500, b"x" * 8)))
    assert_json_roundtrip(icmp.icmp(11, 0, 0, icmp.TimeExceeded(1, b"y" * 4)))
    assert_json_roundtrip(icmp.icmp(13, 0, 0x1234, b"raw"))
    assert icmp.icmp.from_jsondict(m.to_jsondict()["icmp"]) == m


def test_registered():
    assert ipv4.ipv4.get_packet_type(in_proto.IPPROTO_ICMP) is icmp.icmp


def random_message(rng: random.Random) -> icmp.icmp:
    data = rng.randbytes(rng.randint(1, 40))
    kind = rng.randrange(4)
    if kind == 0:
        type_, body = rng.choice((0, 8)), icmp.echo(edge(rng, 0xFFFF), edge(rng, 0xFFFF), data)
    elif kind == 1:
        type_, body = 3, icmp.dest_unreach(edge(rng, 255), edge(rng, 0xFFFF), data)
    elif kind == 2:
        type_, body = 11, icmp.TimeExceeded(edge(rng, 255), data)
    else:
        # A type without a message class: the body is raw bytes.
        type_ = rng.choice([t for t in range(256) if t not in (0, 3, 8, 11)])
        body = rng.randbytes(rng.randint(0, 30))
    return icmp.icmp(type_, edge(rng, 255), 0, body)


def random_frame(rng: random.Random) -> bytes:
    src = rng.choice(("192.0.2.1", "198.51.100.7"))
    return build(ethernet.ethernet(), ipv4.ipv4(proto=1, src=src), random_message(rng))


@given(frames_from(random_frame))
def test_frames_reencode_and_checksum(data):
    pkt = assert_reencodes(data)
    assert pkt.checksum_errors() == []
    m = pkt.get_protocol(icmp.icmp)
    assert ones_complement_sum(bytes(m.serialize(bytearray(), None))) == 0
    assert isinstance(m.data, bytes) == (m.type not in (0, 3, 8, 11))


@given(st.binary(max_size=60))
def test_random_bytes(data):
    result = parse_or_documented_error(icmp.icmp, data)
    if result is not None and result[0].csum:  # a zero checksum is recomputed
        assert bytes(result[0].serialize(bytearray(), None)) == data
    for type_ in (0, 3, 8, 11):
        m, _, _ = icmp.icmp.parser(bytes((type_, 0, 1, 1)) + data)
        assert bytes(m.serialize(bytearray(), None)) == bytes((type_, 0, 1, 1)) + data


@given(mutated_frames_from(random_frame))
def test_mutated_frames(data):
    pkt = decode_never_raises(data)
    pkt.checksum_errors()
