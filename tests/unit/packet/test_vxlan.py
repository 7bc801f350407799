"""VXLAN (RFC 7348 section 5): header layout, VNI conversion, inner Ethernet over UDP port 4789.

There is no VXLAN capture in the test data; the frame below was built from the
RFC 7348 §5 layout and decoded by tshark, which reported VNI 1193046 (0x123456),
the I flag set, and correct outer and inner IPv4 and UDP checksums.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ethernet, ipv4, packet, udp, vxlan
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    mutated,
    parse_or_documented_error,
)

FRAME = bytes.fromhex(
    "020000000002020000000001080045000"
    "05b123440004011a45ac0000201c0000202"
    "c00012b50047e296"  # UDP 49152 -> 4789
    "0800000012345600"  # VXLAN: I flag, VNI 0x123456
    "00005e00530200005e0053010800"
    "4500002900010000401166c10a0000010a000002"
    "04d2162e0015c297" + b"vxlan payload".hex()
)


def test_decode_frame():
    pkt = packet.Packet(FRAME)
    names = [type(p).__name__ for p in pkt.protocols]
    assert names[:7] == ["ethernet", "ipv4", "udp", "vxlan", "ethernet", "ipv4", "udp"]
    assert pkt.get_protocol(vxlan.vxlan).vni == 0x123456
    inner = pkt.get_protocols(ethernet.ethernet)[1]
    assert (inner.src, inner.dst) == ("00:00:5e:00:53:01", "00:00:5e:00:53:02")
    assert pkt.get_protocols(ipv4.ipv4)[1].dst == "10.0.0.2"
    assert pkt.protocols[-1] == b"vxlan payload"
    assert pkt.checksum_errors() == []
    assert_reencodes(FRAME)


def test_build_frame():
    frame = build(
        ethernet.ethernet("02:00:00:00:00:02", "02:00:00:00:00:01"),
        ipv4.ipv4(
            identification=0x1234, flags=2, ttl=64, proto=17, src="192.0.2.1", dst="192.0.2.2"
        ),
        udp.udp(49152, udp.UDP_PORT_VXLAN),
        vxlan.vxlan(0x123456),
        ethernet.ethernet("00:00:5e:00:53:02", "00:00:5e:00:53:01"),
        ipv4.ipv4(identification=1, ttl=64, proto=17, src="10.0.0.1", dst="10.0.0.2"),
        udp.udp(1234, 5678),
        b"vxlan payload",
    )
    assert frame == FRAME


def test_vni_conversion():
    assert vxlan.vni_to_bin(0x123456) == b"\x12\x34\x56"
    assert vxlan.vni_from_bin(b"\x12\x34\x56") == 0x123456
    assert vxlan.vni_from_bin(vxlan.vni_to_bin(0xFFFFFF)) == 0xFFFFFF


def test_reserved_bits_ignored_and_i_flag_required():
    # Reserved bits set: ignored on receipt, sent as zero (RFC 7348 §5).
    v, next_cls, rest = vxlan.vxlan.parser(bytes.fromhex("ff000000000001ff") + b"x")
    assert v.vni == 1 and next_cls is ethernet.ethernet and rest == b"x"
    assert v.serialize(b"", None) == bytes.fromhex("0800000000000100")
    with pytest.raises(PacketFieldError):
        vxlan.vxlan.parser(bytes.fromhex("0000000000000100"))
    with pytest.raises(PacketTruncatedError):
        vxlan.vxlan.parser(bytes.fromhex("08000000000001"))


def test_str_and_json():
    assert str(vxlan.vxlan(10)) == "vxlan(vni=10)"
    assert_json_roundtrip(vxlan.vxlan(0xABCDEF))


frames = st.builds(
    lambda vni, payload: build(
        ethernet.ethernet(),
        ipv4.ipv4(proto=17, src="192.0.2.1", dst="192.0.2.2"),
        udp.udp(40000, udp.UDP_PORT_VXLAN),
        vxlan.vxlan(vni),
        ethernet.ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x88B5),  # local experimental
        payload,
    ),
    st.integers(0, 0xFFFFFF),
    st.binary(max_size=40),
)


@given(frames)
def test_roundtrip_generated(data):
    pkt = assert_reencodes(data)
    assert len(pkt.get_protocols(ethernet.ethernet)) == 2


@given(st.binary(max_size=24))
def test_random_bytes(data):
    result = parse_or_documented_error(vxlan.vxlan, data)
    if result is not None:
        v, _, rest = result
        assert v.vni == int.from_bytes(data[4:7], "big") and rest == data[8:]


@given(mutated(st.sampled_from([FRAME])))
def test_mutated_frames(data):
    decode_never_raises(data)
    parse_or_documented_error(vxlan.vxlan, data[42:])
