"""IPv4 (RFC 791 section 3.1) decode/encode, header checksum (RFC 1071)."""

import random
import socket
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ether_types, ethernet, ipv4, packet
from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError, PacketTruncatedError
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    parse_or_documented_error,
)
from tests.unit.packet.seeded import SEEDS, edge, frames_from, mutated_frames_from

# The widely used worked example of the header checksum: a UDP datagram of 115
# bytes from 192.168.0.1 to 192.168.0.199, DF set, TTL 64; checksum 0xb861
# (computed by hand: one's complement sum of the 16-bit words is 0x479e).
HDR = bytes.fromhex("45000073000040004011b861c0a80001c0a800c7")
PAYLOAD = bytes(range(95))


def test_rfc1071_checksum_of_known_header():
    h, _, rest = ipv4.ipv4.parser(HDR + PAYLOAD)
    assert (h.version, h.header_length, h.total_length, h.flags, h.offset) == (4, 5, 115, 2, 0)
    assert (h.ttl, h.proto, h.csum, h.src, h.dst) == (
        64,
        17,
        0xB861,
        "192.168.0.1",
        "192.168.0.199",
    )
    assert h.option is None and rest == PAYLOAD
    assert h.checksum_ok(HDR + PAYLOAD, None) is True
    again = ipv4.ipv4(
        tos=0,
        total_length=0,
        flags=ipv4.IP_DF,
        ttl=64,
        proto=17,
        src="192.168.0.1",
        dst="192.168.0.199",
    ).serialize(bytearray(PAYLOAD), None)
    assert bytes(again) == HDR


def test_checksum_mismatch_detected():
    bad = bytearray(HDR + PAYLOAD)
    bad[8] = 63  # TTL decremented without updating the checksum
    h, _, _ = ipv4.ipv4.parser(bytes(bad))
    assert h.checksum_ok(bytes(bad), None) is False
    frame = ethernet.ethernet().serialize(b"", None) + bytes(bad)
    pkt = packet.Packet(frame)
    assert pkt.get_protocol(ipv4.ipv4) in pkt.checksum_errors()
    good = packet.Packet(frame[:14] + HDR + PAYLOAD)
    assert not any(isinstance(p, ipv4.ipv4) for p in good.checksum_errors())


def test_options_router_alert():
    # RFC 2113 Router Alert option (type 148, length 4, value 0): IHL 6.
    h = ipv4.ipv4(header_length=0, proto=2, option=b"\x94\x04\x00\x00")
    data = bytes(h.serialize(bytearray(b"\x11" * 8), None))
    assert data[0] == 0x46 and struct.unpack("!H", data[2:4])[0] == 32
    assert data[20:24] == b"\x94\x04\x00\x00"
    d, _, rest = ipv4.ipv4.parser(data + b"\x11" * 8)
    assert d.header_length == 6 and d.option == b"\x94\x04\x00\x00" and rest == b"\x11" * 8
    assert d.checksum_ok(data, None)
    assert len(d) == 24 and len(h) == 24


def test_option_padded_to_word():
    # A 3-byte option list is padded with End of Option List (0).
    data = bytes(ipv4.ipv4(header_length=0, option=b"\x01\x01\x01").serialize(bytearray(), None))
    assert data[0] == 0x46 and data[20:24] == b"\x01\x01\x01\x00"


def test_ethernet_padding_not_given_to_payload_but_reencoded():
    # A 20-byte datagram (proto 253, experimental) in a 60-byte frame; the
    # padding is not zero, as some NICs send, and must survive re-encoding.
    eth = bytes.fromhex("0200000000010200000000020800")
    ip = bytes(ipv4.ipv4(proto=253, identification=7).serialize(bytearray(b"xy"), None))
    frame = eth + ip + b"xy" + b"\xaa" * 24
    pkt = assert_reencodes(frame)
    assert pkt.protocols[-1] == b"xy"
    assert len(frame) == 60


def test_fragments_keep_payload_raw():
    class Marker(ipv4.ipv4):
        pass

    ipv4.ipv4.register_packet_type(Marker, 253)
    try:
        for flags, offset, decoded in ((0, 0, True), (ipv4.IP_MF, 0, False), (0, 10, False)):
            inner = bytes(ipv4.ipv4().serialize(bytearray(), None))
            outer = ipv4.ipv4(proto=253, flags=flags, offset=offset)
            data = bytes(outer.serialize(bytearray(inner), None)) + inner
            _, next_cls, _ = ipv4.ipv4.parser(data)
            assert (next_cls is Marker) == decoded
    finally:
        del ipv4.ipv4._TYPES[253]


def test_ip_in_ip():
    inner = ipv4.ipv4(src="1.1.1.1", dst="2.2.2.2", proto=253)
    outer = ipv4.ipv4(proto=4)
    frame = build(ethernet.ethernet(), outer, inner, b"hello")
    pkt = assert_reencodes(frame)
    assert [type(p) for p in pkt.protocols] == [ethernet.ethernet, ipv4.ipv4, ipv4.ipv4, bytes]
    assert pkt.protocols[1].total_length == 45 and pkt.protocols[2].total_length == 25


def test_truncated_datagram_decodes():
    # A packet-in carrying only the first bytes of a datagram (miss_send_len).
    h, _, rest = ipv4.ipv4.parser(HDR + PAYLOAD[:10])
    assert h.total_length == 115 and rest == PAYLOAD[:10]


@pytest.mark.parametrize(
    "data, error",
    [
        (HDR[:19], PacketTruncatedError),
        (b"\x65" + HDR[1:], PacketFieldError),  # version 6
        (b"\x44" + HDR[1:], PacketFieldError),  # IHL 4
        (b"\x4f" + HDR[1:], PacketTruncatedError),  # IHL 15 but 20 bytes
        (HDR[:2] + b"\x00\x10" + HDR[4:], PacketFieldError),  # total length 16
    ],
)
def test_malformed(data, error):
    with pytest.raises(error):
        ipv4.ipv4.parser(data)


def test_str_and_json():
    h = ipv4.ipv4(proto=6, option=b"\x01\x01\x01\x00", header_length=6)
    assert str(h).startswith("ipv4(csum=0,dst='10.0.0.2',flags=0,header_length=6,")
    assert_json_roundtrip(h)
    decoded, _, _ = ipv4.ipv4.parser(HDR)
    assert_json_roundtrip(decoded)
    assert ipv4.ipv4.from_jsondict(decoded.to_jsondict()["ipv4"]) == decoded


def test_registered_with_ethernet():
    assert ethernet.ethernet.get_packet_type(ether_types.ETH_TYPE_IP) is ipv4.ipv4


def random_header(rng: random.Random) -> ipv4.ipv4:
    return ipv4.ipv4(
        header_length=0,
        tos=edge(rng, 255),
        identification=edge(rng, 0xFFFF),
        flags=edge(rng, 7),
        offset=edge(rng, 0x1FFF),
        ttl=edge(rng, 255),
        # Experimental/reserved numbers: no upper layer decodes the random body.
        proto=rng.choice((253, 254, 255)),
        src=socket.inet_ntoa(rng.randbytes(4)),
        dst=socket.inet_ntoa(rng.randbytes(4)),
        option=rng.randbytes(4 * rng.randint(1, 10)) if rng.random() < 0.3 else None,
    )


def random_frame(rng: random.Random) -> bytes:
    """Ethernet + IPv4 + body, sometimes with non-zero bytes after the datagram."""
    data = build(ethernet.ethernet(), random_header(rng), rng.randbytes(rng.randint(0, 40)))
    return data + (rng.randbytes(rng.randint(1, 8)) if rng.random() < 0.2 else b"")


frames = frames_from(random_frame)


@given(SEEDS)
def test_roundtrip_generated(seed):
    rng = random.Random(seed)
    h, body = random_header(rng), rng.randbytes(rng.randint(0, 64))
    data = bytes(h.serialize(bytearray(body), None)) + body
    d, _, rest = ipv4.ipv4.parser(data)
    assert rest == body and d.checksum_ok(data, None)
    assert (d.tos, d.identification, d.flags, d.offset, d.ttl) == (
        h.tos,
        h.identification,
        h.flags,
        h.offset,
        h.ttl,
    )
    assert (d.src, d.dst, d.option, d.total_length) == (h.src, h.dst, h.option, len(data))
    assert bytes(d.serialize(bytearray(body), None)) + body == data


@given(frames)
def test_frames_reencode(data):
    assert_reencodes(data)


@given(st.binary(max_size=80))
def test_random_bytes(data):
    parse_or_documented_error(ipv4.ipv4, data)
    decode_never_raises(b"\x00" * 12 + b"\x08\x00" + data)


@given(mutated_frames_from(random_frame))
def test_mutated_frames(data):
    pkt = decode_never_raises(data)
    assert pkt.parse_error is None or isinstance(pkt.parse_error, PacketParseError)
    parse_or_documented_error(ipv4.ipv4, data[14:])
