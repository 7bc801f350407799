"""Ethernet (IEEE 802.3 clause 3) and ARP (RFC 826) decode/encode."""

from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import arp, ether_types, ethernet, packet
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    mutated,
    parse_or_documented_error,
)

# An ARP request as captured on a LAN: who-has 10.0.0.2 tell 10.0.0.1, padded to 60 bytes.
ARP_REQUEST = bytes.fromhex(
    "ffffffffffff00112233445508060001080006040001"
    "0011223344550a000001000000000000"
    "0a000002" + "00" * 18
)


def test_decode_arp_request():
    pkt = packet.Packet(ARP_REQUEST)
    eth = pkt.get_protocol(ethernet.ethernet)
    a = pkt.get_protocol(arp.arp)
    assert eth.dst == "ff:ff:ff:ff:ff:ff" and eth.src == "00:11:22:33:44:55"
    assert eth.ethertype == ether_types.ETH_TYPE_ARP
    assert (a.opcode, a.src_mac, a.src_ip, a.dst_mac, a.dst_ip) == (
        arp.ARP_REQUEST,
        "00:11:22:33:44:55",
        "10.0.0.1",
        "00:00:00:00:00:00",
        "10.0.0.2",
    )
    assert pkt.protocols[-1] == b"\x00" * 18
    assert arp.arp in pkt and ethernet.ethernet in pkt


def test_ryu_style_reply():
    req = packet.Packet(ARP_REQUEST).get_protocol(arp.arp)
    reply = packet.Packet()
    reply.add_protocol(
        ethernet.ethernet(
            ethertype=ether_types.ETH_TYPE_ARP, dst=req.src_mac, src="02:00:00:00:00:01"
        )
    )
    reply.add_protocol(
        arp.arp(
            opcode=arp.ARP_REPLY,
            src_mac="02:00:00:00:00:01",
            src_ip=req.dst_ip,
            dst_mac=req.src_mac,
            dst_ip=req.src_ip,
        )
    )
    reply.serialize()
    assert len(reply.data) == 60  # padded to the Ethernet minimum
    back = packet.Packet(bytes(reply.data)).get_protocol(arp.arp)
    assert back.opcode == arp.ARP_REPLY and back.src_ip == "10.0.0.2"


def test_str_and_json():
    a = arp.arp_ip(arp.ARP_REPLY, "00:11:22:33:44:55", "10.0.0.1", "66:77:88:99:aa:bb", "10.0.0.2")
    assert str(a).startswith("arp(dst_ip='10.0.0.2',dst_mac='66:77:88:99:aa:bb',hlen=6,")
    assert_json_roundtrip(a)
    assert_json_roundtrip(ethernet.ethernet())


def test_reencode_capture():
    assert_reencodes(ARP_REQUEST)


def test_short_frames_keep_bytes():
    pkt = packet.Packet(b"\x01\x02\x03")
    assert pkt.parse_error is not None and pkt.protocols == [b"\x01\x02\x03"]
    pkt = packet.Packet(ARP_REQUEST[:20])
    assert isinstance(pkt.protocols[0], ethernet.ethernet)
    assert pkt.protocols[-1] == ARP_REQUEST[14:20]


def test_non_ethernet_arp_hardware():
    # RFC 826 allows any address sizes: here 8-byte hardware, 4-byte protocol addresses.
    data = (
        bytes.fromhex("0006080008040001")
        + bytes(range(8))
        + b"\x0a\x00\x00\x01"
        + bytes(8)
        + b"\x0a\x00\x00\x02"
    )
    a, _, rest = arp.arp.parser(data)
    assert a.hlen == 8 and a.src_mac == bytes(range(8)) and a.dst_ip == "10.0.0.2"
    assert a.serialize(b"", None) == data and rest == b""


macs = st.binary(min_size=6, max_size=6).map(lambda b: b.hex(":"))
ips = st.binary(min_size=4, max_size=4).map(lambda b: ".".join(map(str, b)))
arps = st.builds(arp.arp_ip, st.integers(1, 4), macs, ips, macs, ips)
frames = st.builds(
    lambda e, a: build(e, a),
    st.builds(ethernet.ethernet, macs, macs, st.just(ether_types.ETH_TYPE_ARP)),
    arps,
)


@given(frames)
def test_roundtrip_generated(data):
    assert_reencodes(data)


@given(st.binary(max_size=80))
def test_random_bytes(data):
    decode_never_raises(data)
    parse_or_documented_error(arp.arp, data)
    parse_or_documented_error(ethernet.ethernet, data)


@given(mutated(frames))
def test_mutated_frames(data):
    decode_never_raises(data)
    parse_or_documented_error(arp.arp, data[14:])
