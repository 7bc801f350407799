"""GRE (RFC 2784 §2, RFC 2890 §2 key and sequence number) and NVGRE (RFC 7637 §3.2),
with the captures gre_full_options.pcap (C, K and S set), gre_no_option.pcap and
gre_nvgre_option.pcap.  tshark reports the checksum 0x440d of the first as correct."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ether_types, ethernet, gre, in_proto, ipv4, ipv6, packet
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError
from ctrlapp.lib.pcap import LINKTYPE_ETHERNET, Capture
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    mutated,
    parse_or_documented_error,
)
from tests.support.shared_data import TESTDATA

PCAP_DIR = TESTDATA / "pcap"


def _frame(name: str) -> bytes:
    cap = Capture(PCAP_DIR / f"{name}.pcap")
    frames = [frame for _, frame in cap]
    assert cap.linktypes == {LINKTYPE_ETHERNET} and len(frames) == 1
    return frames[0]


def test_full_options_capture():
    frame = _frame("gre_full_options")
    pkt = packet.Packet(frame)
    g = pkt.get_protocol(gre.gre)
    assert (g.version, g.protocol, g.checksum, g.key, g.seq_number) == (0, 0x0800, 0x440D, 1000, 10)
    assert len(g) == 16
    inner = pkt.get_protocols(ipv4.ipv4)[1]
    assert (inner.src, inner.dst) == ("192.168.0.2", "192.168.0.4")
    assert g.checksum_ok(frame[34:], pkt.get_protocol(ipv4.ipv4)) is True
    assert pkt.checksum_errors() == []
    assert_reencodes(frame)


def test_no_option_capture():
    frame = _frame("gre_no_option")
    g = packet.Packet(frame).get_protocol(gre.gre)
    assert (g.checksum, g.key, g.seq_number, g.vsid, g.flow_id) == (None, None, None, None, None)
    assert g.checksum_ok(frame[34:], None) is None and len(g) == 4
    assert_reencodes(frame)


def test_nvgre_capture():
    frame = _frame("gre_nvgre_option")
    pkt = packet.Packet(frame)
    g = pkt.get_protocol(gre.gre)
    assert g.protocol == ether_types.ETH_TYPE_TEB
    assert (g.key, g.vsid, g.flow_id) == (0x64, 0, 0x64)
    inner = pkt.get_protocols(ethernet.ethernet)[1]
    assert (inner.src, inner.dst, inner.ethertype) == (
        "52:12:ef:32:45:ab",
        "54:a2:32:ef:54:1b",
        ether_types.ETH_TYPE_8021Q,
    )
    assert_reencodes(frame)


def test_checksum_computed_over_header_and_payload():
    # Same fields as the full-options capture, checksum left for the encoder.
    frame = _frame("gre_full_options")
    g = gre.gre(protocol=0x0800, checksum=0, key=1000, seq_number=10)
    assert bytes(g.serialize(frame[50:], None)) == frame[34:50]
    bad = bytearray(frame[34:])
    bad[-1] ^= 0xFF
    assert gre.gre.parser(bytes(bad))[0].checksum_ok(bytes(bad), None) is False
    # Under IPv4, bytes after the datagram are not summed.
    outer = packet.Packet(frame).get_protocol(ipv4.ipv4)
    g = packet.Packet(frame).get_protocol(gre.gre)
    assert g.checksum_ok(frame[34:] + b"\x12\x34", outer) is True


def test_nvgre_key_split():
    g = gre.gre(protocol=ether_types.ETH_TYPE_TEB, vsid=0xABCDEF, flow_id=0x12)
    assert g.key == 0xABCDEF12
    assert g.serialize(b"", None) == bytes.fromhex("20006558abcdef12")
    g.flow_id = 0x34
    assert g.key == 0xABCDEF34
    g.vsid = 1
    assert (g.key, g.vsid, g.flow_id) == (0x134, 1, 0x34)
    assert gre.gre(key=0x01020304).vsid == 0x010203


def test_registered_with_ip():
    assert ipv4.ipv4.get_packet_type(in_proto.IPPROTO_GRE) is gre.gre
    assert ipv6.ipv6.get_packet_type(in_proto.IPPROTO_GRE) is gre.gre
    assert gre.gre.parser(bytes.fromhex("000086dd"))[1] is ipv6.ipv6
    assert gre.gre.parser(bytes.fromhex("000088b5"))[1] is None


def test_rejects_what_it_does_not_decode():
    with pytest.raises(PacketTruncatedError):
        gre.gre.parser(b"\x00\x00\x08")
    with pytest.raises(PacketTruncatedError):
        gre.gre.parser(bytes.fromhex("b0000800440d0000000003e8"))  # sequence number missing
    with pytest.raises(PacketFieldError):
        gre.gre.parser(bytes.fromhex("40000800"))  # RFC 1701 routing present
    with pytest.raises(PacketFieldError):
        gre.gre.parser(bytes.fromhex("3001880b00000000"))  # version 1 (PPTP)
    with pytest.raises(PacketFieldError):
        gre.gre.parser(bytes.fromhex("800008000000ffff"))  # Reserved1 not zero


def test_str_and_json():
    g = gre.gre(checksum=0, key=5, seq_number=7)
    assert str(g) == ("gre(checksum=0,flow_id=5,key=5,protocol=2048,seq_number=7,version=0,vsid=0)")
    assert_json_roundtrip(g)
    assert_json_roundtrip(gre.gre())


optional_u32 = st.none() | st.integers(0, 2**32 - 1)
frames = st.builds(
    lambda csum, key, seq, payload: build(
        ethernet.ethernet(),
        ipv4.ipv4(proto=in_proto.IPPROTO_GRE, src="192.0.2.1", dst="192.0.2.2"),
        gre.gre(protocol=0x88B5, checksum=csum, key=key, seq_number=seq),
        payload,
    ),
    st.none() | st.just(0),
    optional_u32,
    optional_u32,
    st.binary(max_size=40),
)


@given(frames)
def test_roundtrip_generated(data):
    pkt = decode_never_raises(data)
    g = pkt.get_protocol(gre.gre)
    assert g.checksum_ok(data[34 : pkt.get_protocol(ipv4.ipv4).total_length + 14], None) in (
        None,
        True,
    )
    if len(data) > 60:
        assert_reencodes(data)


@given(st.binary(max_size=40))
def test_random_bytes(data):
    result = parse_or_documented_error(gre.gre, data)
    if result is not None:
        g, _, rest = result
        assert len(g) == len(data) - len(rest)
        if g.checksum is None:
            assert g.serialize(rest, None) == data[: len(g)]


CORPUS = [_frame(n) for n in ("gre_full_options", "gre_no_option", "gre_nvgre_option")]


@given(mutated(st.sampled_from(CORPUS)))
def test_mutated_frames(data):
    decode_never_raises(data)
    parse_or_documented_error(gre.gre, data[34:])
