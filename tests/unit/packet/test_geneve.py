"""Geneve (RFC 8926 §3.4 header, §3.5 tunnel options) over UDP port 6081, with the capture
geneve_unknown.pcap (one option of class 0x0000, critical type 0x80, 4 data bytes)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ether_types, ethernet, geneve, ipv4, packet, udp
from ctrlapp.lib.packet.errors import PacketTruncatedError
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


def _capture() -> bytes:
    cap = Capture(PCAP_DIR / "geneve_unknown.pcap")
    frames = [frame for _, frame in cap]
    assert cap.linktypes == {LINKTYPE_ETHERNET} and len(frames) == 1
    return frames[0]


def test_capture_decodes_and_reencodes():
    frame = _capture()
    pkt = packet.Packet(frame)
    assert [type(p).__name__ for p in pkt.protocols[:6]] == [
        "ethernet",
        "ipv4",
        "udp",
        "geneve",
        "ethernet",
        "ipv4",
    ]
    g = pkt.get_protocol(geneve.geneve)
    assert (g.version, g.opt_len, g.flags, g.protocol, g.vni) == (0, 8, 0x40, 0x6558, 10)
    assert g.flags & geneve.GENEVE_CRITICAL_OPTIONS_PRESENT
    (opt,) = g.options
    assert isinstance(opt, geneve.OptionDataUnknown)
    assert (opt.option_class, opt.type, opt.length, opt.buf) == (0, 0x80, 4, b"\x00\x00\x00\x0c")
    assert opt.type & geneve.GENEVE_OPTION_CRITICAL_TYPE
    inner = pkt.get_protocols(ethernet.ethernet)[1]
    assert (inner.src, inner.dst) == ("b6:9e:d2:49:51:48", "fe:71:d8:83:72:4f")
    assert pkt.get_protocols(ipv4.ipv4)[1].src == "30.0.0.1"
    assert pkt.checksum_errors() == []
    assert len(g) == 16
    assert_reencodes(frame)


def test_build_header_computes_option_length():
    g = geneve.geneve(
        flags=geneve.GENEVE_OAM_PACKET_FLAG,
        vni=0xABCDEF,
        options=[
            geneve.OptionDataUnknown(b"\x01\x02\x03\x04\x05\x06\x07\x08", 0x0102, 0x03),
            geneve.OptionDataUnknown(b"\x09", 0xFFFF, 0x80),  # padded to 4 bytes
        ],
    )
    # Ver 0 / Opt Len 5 words, O flag, protocol 0x6558, VNI, then the two options.
    assert g.serialize(b"", None) == bytes.fromhex(
        "05806558abcdef00010203020102030405060708ffff800109000000"
    )
    again, next_cls, rest = geneve.geneve.parser(g.serialize(b"", None) + b"inner")
    assert next_cls is ethernet.ethernet and rest == b"inner"
    assert again.opt_len == 20 and again.options[1].buf == b"\x09\x00\x00\x00"


def test_protocol_selects_inner_class():
    ip_hdr = geneve.geneve(protocol=ether_types.ETH_TYPE_IP, vni=1).serialize(b"", None)
    assert geneve.geneve.parser(ip_hdr)[1] is ipv4.ipv4
    unknown = geneve.geneve(protocol=0x88B5, vni=1).serialize(b"", None)
    assert geneve.geneve.parser(unknown)[1] is None


def test_known_option_subclass():
    class Timestamp(geneve.Option):
        _OPTION_CLASS = 0xFFF0
        _OPTION_TYPE = 0x01
        __slots__ = ("stamp",)

        def __init__(self, stamp=0, option_class=None, type_=None, length=0):
            super().__init__(option_class, type_, length)
            self.stamp = stamp

        @classmethod
        def parse_value(cls, buf):
            return {"stamp": int.from_bytes(buf[:4], "big")}

        def serialize_value(self):
            return self.stamp.to_bytes(4, "big")

    try:
        data = geneve.geneve(vni=3, options=[Timestamp(77)]).serialize(b"", None)
        g, _, _ = geneve.geneve.parser(data)
        assert isinstance(g.options[0], Timestamp) and g.options[0].stamp == 77
        assert g.options[0].option_class == 0xFFF0 and g.options[0].length == 4
    finally:
        del geneve.Option._KNOWN[(0xFFF0, 0x01)]


def test_truncation():
    with pytest.raises(PacketTruncatedError):
        geneve.geneve.parser(bytes.fromhex("00006558000001"))
    # Opt Len says 8 bytes of options, 4 present.
    with pytest.raises(PacketTruncatedError):
        geneve.geneve.parser(bytes.fromhex("020065580000010000008001"))
    # An option whose length runs past Opt Len.
    with pytest.raises(PacketTruncatedError):
        geneve.geneve.parser(bytes.fromhex("010065580000010000008001"))


def test_str_and_json():
    g, _, _ = geneve.geneve.parser(_capture()[42:])
    assert str(g).startswith("geneve(flags=64,opt_len=8,options=[OptionDataUnknown(")
    assert_json_roundtrip(g)


options = st.lists(
    st.builds(
        geneve.OptionDataUnknown,
        st.binary(max_size=16).map(lambda b: b + bytes(-len(b) % 4)),
        st.integers(0, 0xFFFF),
        st.integers(0, 0xFF),
    ),
    max_size=3,
)
frames = st.builds(
    lambda vni, flags, opts, payload: build(
        ethernet.ethernet(),
        ipv4.ipv4(proto=17, src="192.0.2.1", dst="192.0.2.2"),
        udp.udp(50000, udp.UDP_PORT_GENEVE),
        geneve.geneve(flags=flags, vni=vni, options=opts),
        ethernet.ethernet(ethertype=0x88B5),
        payload,
    ),
    st.integers(0, 0xFFFFFF),
    st.integers(0, 0xFF),
    options,
    st.binary(max_size=24),
)


@given(frames)
def test_roundtrip_generated(data):
    assert_reencodes(data)


@given(st.binary(max_size=48))
def test_random_bytes(data):
    result = parse_or_documented_error(geneve.geneve, data)
    if result is not None:
        g, _, rest = result
        assert len(g.serialize(rest, None)) == len(data) - len(rest)


CORPUS = [
    _capture(),
    build(
        ethernet.ethernet(),
        ipv4.ipv4(proto=17, src="192.0.2.1", dst="192.0.2.2"),
        udp.udp(50000, udp.UDP_PORT_GENEVE),
        geneve.geneve(
            vni=7,
            options=[
                geneve.OptionDataUnknown(b"\x01\x02\x03\x04", 0x0102, 0x03),
                geneve.OptionDataUnknown(bytes(8), 0xFFFF, 0x80),
            ],
        ),
        ethernet.ethernet(),
        b"inner",
    ),
]


@given(mutated(st.sampled_from(CORPUS)))
def test_mutated_frames(data):
    decode_never_raises(data)
    parse_or_documented_error(geneve.geneve, data[42:])


def test_lengths_beyond_the_fields_refused():
    with pytest.raises(ValueError):
        geneve.OptionDataUnknown(bytes(128), 1, 1).serialize()
    too_many = [geneve.OptionDataUnknown(bytes(120), 1, 1)] * 3
    with pytest.raises(ValueError):
        geneve.geneve(vni=1, options=too_many).serialize(b"", None)
