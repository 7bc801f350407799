"""TCP header (RFC 9293 §3.1), checksum (RFC 9293 §3.1, RFC 8200 §8.1) and options.

Options: RFC 9293 §3.2 and §3.7.1, RFC 7323 §2.2 and §3.2, RFC 2018 §2-3, RFC 1072 §4,
RFC 1693 §4, RFC 1644 §3.1, RFC 1146, RFC 2385 §3.0, RFC 4782 §4.2, RFC 5482 §2,
RFC 5925 §2.2, RFC 7413 §4.1.1; Multipath TCP RFC 8684 §3.1-3.7.

The SYN and RST frames were captured on Linux loopback (where the kernel leaves
the checksum to offload); their checksums were filled in and checked with
tshark's TCP checksum validation.  The option encodings are written from the
RFC figures and were cross-checked against tshark's dissector.
"""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ethernet, ipv4, ipv6, mptcp, packet, tcp
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    mutated,
    parse_or_documented_error,
)

ETH_V4 = "0000000000000000000000000800"
ETH_V6 = "00000000000000000000000086dd"
# SYN 127.0.0.1:50038 -> 127.0.0.1:45678, options MSS 65495, SACK permitted,
# timestamps (2478774865, 0), NOP, window scale 9.
SYN_V4 = bytes.fromhex(
    ETH_V4 + "4500003c3ec740004006fdf27f0000017f000001"
    "c376b26e37a7a21a00000000a002aaaaa77500000204ffd70402080a93bf1a510000000001030309"
)
# The kernel's RST|ACK answer (no options).
RST_V4 = bytes.fromhex(
    ETH_V4 + "450000280000400040063cce7f0000017f000001b26ec3760000000037a7a21b5014000062260000"
)
# The same SYN over IPv6 (::1 -> ::1), checksum 0x17ff.
SYN_V6 = bytes.fromhex(
    ETH_V6 + "60035c880028064000000000000000000000000000000001000000000000000000000000000000"
    "01" + "8908b26e30236b2f00000000a002aaaa17ff00000204ffc40402080a1c59981f0000000001030309"
)

K1 = "0102030405060708"
K2 = "1112131415161718"
# (option bytes, class, fields) written from the RFC figures.
OPTION_VECTORS = [
    ("00", tcp.TCPOptionEndOfOptionList, {}),
    ("01", tcp.TCPOptionNoOperation, {}),
    ("020405b4", tcp.TCPOptionMaximumSegmentSize, {"max_seg_size": 1460}),
    ("030307", tcp.TCPOptionWindowScale, {"shift_cnt": 7}),
    ("0402", tcp.TCPOptionSACKPermitted, {}),
    ("05120000000100000005000000090000000c", tcp.TCPOptionSACK, {"blocks": [(1, 5), (9, 12)]}),
    ("0606deadbeef", tcp.TCPOptionEcho, {"info": 0xDEADBEEF}),
    ("0706deadbeef", tcp.TCPOptionEchoReply, {"info": 0xDEADBEEF}),
    ("080a0000000100000002", tcp.TCPOptionTimestamps, {"ts_val": 1, "ts_ecr": 2}),
    ("0902", tcp.TCPOptionPartialOrderConnectionPermitted, {}),
    ("0a0340", tcp.TCPOptionPartialOrderServiceProfile, {"start_flag": False, "end_flag": True}),
    ("0b0600000010", tcp.TCPOptionConnectionCount, {"cc": 16}),
    ("0c0600000011", tcp.TCPOptionConnectionCountNew, {"cc": 17}),
    ("0d0600000012", tcp.TCPOptionConnectionCountEcho, {"cc": 18}),
    ("0e0302", tcp.TCPOptionAlternateChecksumRequest, {"algorithm": 2}),
    ("0f04abcd", tcp.TCPOptionAlternateChecksumData, {"data": b"\xab\xcd"}),
    ("1312" + "11" * 16, tcp.TCPOptionMD5Signature, {"digest": b"\x11" * 16}),
    (
        "1b08052a12345678",
        tcp.TCPOptionQuickStartResponse,
        {"rate_request": 5, "ttl_diff": 42, "qs_nonce": 0x12345678 >> 2},
    ),
    ("1c04812c", tcp.TCPOptionUserTimeout, {"granularity": 1, "user_timeout": 300}),
    (
        "1d0e0102" + "aa" * 10,
        tcp.TCPOptionAuthentication,
        {"key_id": 1, "r_next_key_id": 2, "mac": b"\xaa" * 10},
    ),
    ("2202", tcp.TCPOptionFastOpenCookie, {"cookie": b""}),
    ("220a0102030405060708", tcp.TCPOptionFastOpenCookie, {"cookie": bytes(range(1, 9))}),
    ("fd0401ff", tcp.TCPOptionUnknown, {"kind": 253, "value": b"\x01\xff"}),
    # MPTCP (kind 30), RFC 8684.
    (
        "1e040181",
        mptcp.TCPOptionMultipathCapable,
        {"version": 1, "flags": 0x81, "sender_key": None},
    ),
    (
        "1e0c0181" + K1,
        mptcp.TCPOptionMultipathCapable,
        {"sender_key": 0x0102030405060708, "receiver_key": None},
    ),
    (
        "1e140081" + K1 + K2,
        mptcp.TCPOptionMultipathCapable,
        {"version": 0, "receiver_key": 0x1112131415161718, "data_level_length": None},
    ),
    (
        "1e160181" + K1 + K2 + "0010",
        mptcp.TCPOptionMultipathCapable,
        {"data_level_length": 16, "checksum": None},
    ),
    (
        "1e180181" + K1 + K2 + "0010abcd",
        mptcp.TCPOptionMultipathCapable,
        {"data_level_length": 16, "checksum": 0xABCD},
    ),
    (
        "1e0c1103" + "0a0b0c0d" + "01020304",
        mptcp.TCPOptionMultipathJoinSYN,
        {"backup": True, "address_id": 3, "receiver_token": 0x0A0B0C0D, "sender_nonce": 0x01020304},
    ),
    (
        "1e101003" + K1 + "01020304",
        mptcp.TCPOptionMultipathJoinSYNACK,
        {"backup": False, "address_id": 3, "sender_truncated_hmac": int(K1, 16)},
    ),
    ("1e181000" + "ee" * 20, mptcp.TCPOptionMultipathJoinACK, {"sender_hmac": b"\xee" * 20}),
    (
        "1e1c200f" + K1 + K2 + "00000064" + "05dc" + "abcd",
        mptcp.TCPOptionMultipathDSS,
        {
            "flags": 0x0F,
            "data_ack": int(K1, 16),
            "data_sequence_number": int(K2, 16),
            "subflow_sequence_number": 100,
            "data_level_length": 1500,
            "checksum": 0xABCD,
        },
    ),
    (
        "1e08200100000007",
        mptcp.TCPOptionMultipathDSS,
        {"flags": 0x01, "data_ack": 7, "data_sequence_number": None},
    ),
    (
        "1e0e2014" + "00000009" + "00000001" + "0000",
        mptcp.TCPOptionMultipathDSS,
        {"flags": 0x14, "data_ack": None, "data_sequence_number": 9, "checksum": None},
    ),
    (
        "1e103005c0000201" + K1,
        mptcp.TCPOptionMultipathAddAddress,
        {"address_id": 5, "address": "192.0.2.1", "port": None, "truncated_hmac": int(K1, 16)},
    ),
    (
        "1e0a3105c00002011f90",
        mptcp.TCPOptionMultipathAddAddress,
        {"address": "192.0.2.1", "port": 8080, "truncated_hmac": None, "echo": True},
    ),
    (
        "1e14300620010db8000000000000000000000001",
        mptcp.TCPOptionMultipathAddAddress,
        {"address": "2001:db8::1", "port": None, "truncated_hmac": None},
    ),
    (
        "1e1e300620010db8000000000000000000000001" + "1f90" + K1,
        mptcp.TCPOptionMultipathAddAddress,
        {"address_id": 6, "address": "2001:db8::1", "port": 8080, "truncated_hmac": int(K1, 16)},
    ),
    ("1e05400102", mptcp.TCPOptionMultipathRemoveAddress, {"address_ids": [1, 2]}),
    ("1e0351", mptcp.TCPOptionMultipathPriority, {"backup": True, "address_id": None}),
    ("1e045007", mptcp.TCPOptionMultipathPriority, {"backup": False, "address_id": 7}),
    ("1e0c6000" + K1, mptcp.TCPOptionMultipathFail, {"data_sequence_number": int(K1, 16)}),
    ("1e0c7000" + K2, mptcp.TCPOptionMultipathFastclose, {"receiver_key": int(K2, 16)}),
    ("1e048105", mptcp.TCPOptionMultipathReset, {"flags": 1, "reason": 5}),
]

# Encodings whose length or reserved bits do not fit the kind: kept as TCPOptionUnknown.
MALFORMED = [
    "020505b400",  # MSS with length 5
    "0403ff",  # SACK-permitted with length 3
    "05060000000a",  # SACK: 4 bytes is not a whole block
    "0a0381",  # POC service profile with filler bits set
    "1b08f52a12345678",  # Quick-Start with reserved bits set
    "1b08052a12345679",  # Quick-Start with the R bits set
    "1303ff",  # MD5 signature of 1 byte
    "2204ffff",  # Fast Open cookie of 2 bytes (RFC 7413: 4 to 16)
    "1d03ff",  # TCP-AO shorter than its fixed part
    "1e0d1103" + "0a0b0c0d" + "0102030405",  # MP_JOIN of length 13
    "1e0c1503" + "0a0b0c0d" + "01020304",  # MP_JOIN SYN with reserved bits
    "1e0a2001" + "000000070000",  # DSS longer than its flags say
    "1e0c6100" + K1,  # MP_FAIL with reserved bits
    "1e09300512345678ff",  # ADD_ADDR of length 9
    "1e0340",  # REMOVE_ADDR without an address ID
    "1e04f0ff",  # MPTCP subtype 15 (private use)
    "1e02",  # MPTCP option without a subtype
]


def test_syn_capture_fields():
    pkt = packet.Packet(SYN_V4)
    t = pkt.get_protocol(tcp.tcp)
    assert (t.src_port, t.dst_port, t.seq, t.ack) == (50038, 45678, 0x37A7A21A, 0)
    assert (t.offset, t.bits, t.window_size, t.csum, t.urgent) == (
        10,
        tcp.TCP_SYN,
        43690,
        0xA775,
        0,
    )
    assert t.option == [
        tcp.TCPOptionMaximumSegmentSize(65495),
        tcp.TCPOptionSACKPermitted(),
        tcp.TCPOptionTimestamps(2478774865, 0),
        tcp.TCPOptionNoOperation(),
        tcp.TCPOptionWindowScale(9),
    ]
    assert t.has_flags(tcp.TCP_SYN) and not t.has_flags(tcp.TCP_SYN, tcp.TCP_ACK)
    assert len(t) == 40 and pkt.protocols[-1] is t
    assert pkt.checksum_errors() == []
    assert t.checksum_ok(SYN_V4[34:], pkt.get_protocol(ipv4.ipv4)) is True
    assert_reencodes(SYN_V4)


def test_rst_capture_flags_and_checksum():
    pkt = packet.Packet(RST_V4)
    t = pkt.get_protocol(tcp.tcp)
    assert t.has_flags(tcp.TCP_RST, tcp.TCP_ACK) and not t.has_flags(tcp.TCP_SYN)
    assert t.bits == tcp.TCP_RST | tcp.TCP_ACK and t.option is None and t.ack == 0x37A7A21B
    assert t.checksum_ok(RST_V4[34:], pkt.get_protocol(ipv4.ipv4)) is True
    # Ethernet padding after the segment is not part of what the checksum covers.
    assert t.checksum_ok(RST_V4[34:] + bytes(6), pkt.get_protocol(ipv4.ipv4)) is True
    bad = bytearray(RST_V4)
    bad[-1] ^= 1
    assert t.checksum_ok(bytes(bad[34:]), pkt.get_protocol(ipv4.ipv4)) is False


def test_syn_over_ipv6_capture():
    pkt = packet.Packet(SYN_V6)
    t = pkt.get_protocol(tcp.tcp)
    assert t.csum == 0x17FF and t.option[0] == tcp.TCPOptionMaximumSegmentSize(65476)
    assert pkt.checksum_errors() == []
    assert_reencodes(SYN_V6)


def test_build_syn_computes_offset_and_checksum():
    """Ryu-style construction with offset 0 and csum 0 gives the captured bytes."""
    frame = build(
        ethernet.ethernet("00:00:00:00:00:00", "00:00:00:00:00:00"),
        ipv4.ipv4(
            identification=0x3EC7, flags=2, ttl=64, proto=6, src="127.0.0.1", dst="127.0.0.1"
        ),
        tcp.tcp(
            50038,
            45678,
            0x37A7A21A,
            0,
            bits=tcp.TCP_SYN,
            window_size=43690,
            option=[
                tcp.TCPOptionMaximumSegmentSize(max_seg_size=65495),
                tcp.TCPOptionSACKPermitted(),
                tcp.TCPOptionTimestamps(ts_val=2478774865, ts_ecr=0),
                tcp.TCPOptionNoOperation(),
                tcp.TCPOptionWindowScale(shift_cnt=9),
            ],
        ),
    )
    assert frame == SYN_V4
    v6 = build(
        ethernet.ethernet("00:00:00:00:00:00", "00:00:00:00:00:00", 0x86DD),
        ipv6.ipv6(flow_label=0x35C88, nxt=6, hop_limit=64, src="::1", dst="::1"),
        tcp.tcp(
            35080,
            45678,
            0x30236B2F,
            bits=tcp.TCP_SYN,
            window_size=43690,
            option=packet.Packet(SYN_V6).get_protocol(tcp.tcp).option[:1]
            + [
                tcp.TCPOptionSACKPermitted(),
                tcp.TCPOptionTimestamps(0x1C59981F, 0),
                tcp.TCPOptionNoOperation(),
                tcp.TCPOptionWindowScale(9),
            ],
        ),
    )
    assert v6 == SYN_V6


def test_options_padded_to_words_and_raw_bytes_accepted():
    t = tcp.tcp(option=[tcp.TCPOptionWindowScale(3)])
    hdr = t.serialize(b"", None)
    assert len(hdr) == 24 and hdr[12] >> 4 == 6 and hdr[20:] == b"\x03\x03\x03\x00"
    raw = tcp.tcp(option=b"\x01\x01\x01\x01").serialize(b"", None)
    assert raw[12] >> 4 == 6 and raw[20:] == b"\x01\x01\x01\x01"
    mixed = tcp.tcp(option=[b"\x01", tcp.TCPOptionMaximumSegmentSize(536)]).serialize(b"", None)
    assert mixed[20:] == bytes.fromhex("0102040218000000")


@pytest.mark.parametrize(("hexdata", "cls", "fields"), OPTION_VECTORS)
def test_option_vectors(hexdata, cls, fields):
    data = bytes.fromhex(hexdata)
    opt, rest = tcp.TCPOption.parse(data + b"\x01")
    assert type(opt) is cls and rest == b"\x01"
    for name, value in fields.items():
        assert getattr(opt, name) == value, name
    assert opt.serialize() == data and opt.length == len(data) and opt.kind == data[0]
    assert_json_roundtrip(opt)
    # Built from its fields the option encodes to the same bytes.
    args = {n: getattr(opt, n) for n in getattr(cls, "_ARGS", ())}
    if cls is not tcp.TCPOptionUnknown:
        assert cls(**args).serialize() == data
    # And inside a header it decodes the same way.
    hdr = tcp.tcp(option=[opt]).serialize(b"", None)
    again, _, _ = tcp.tcp.parser(hdr)
    assert again.option[0] == opt


@pytest.mark.parametrize("hexdata", MALFORMED)
def test_malformed_options_kept_as_unknown(hexdata):
    data = bytes.fromhex(hexdata)
    opt, rest = tcp.TCPOption.parse(data)
    assert isinstance(opt, tcp.TCPOptionUnknown) and rest == b""
    assert opt.kind == data[0] and opt.value == data[2:] and opt.serialize() == data


def test_option_running_past_header_kept_raw():
    # MSS, then a timestamps option claiming 10 bytes where 4 remain.
    opts = bytes.fromhex("020405b4080a0000")
    hdr = bytes.fromhex("0050005000000001000000007002ffff00000000") + opts
    t, _, rest = tcp.tcp.parser(hdr + b"data")
    assert t.option == [tcp.TCPOptionMaximumSegmentSize(1460), opts[4:]] and rest == b"data"
    assert t.serialize(b"data", None) == hdr
    with pytest.raises(PacketTruncatedError):
        tcp.TCPOption.parse(opts[4:])


def test_ryu_option_constructor_forms():
    assert tcp.TCPOptionUnknown(b"\x01", kind=200).serialize() == b"\xc8\x03\x01"
    assert tcp.TCPOptionMaximumSegmentSize(1460, kind=2, length=4).max_seg_size == 1460
    assert str(tcp.TCPOptionWindowScale(shift_cnt=2)) == (
        "TCPOptionWindowScale(kind=3,length=3,shift_cnt=2)"
    )
    with pytest.raises(TypeError):
        tcp.TCPOptionTimestamps(1)
    with pytest.raises(TypeError):
        tcp.TCPOptionWindowScale(shift=2)


def test_dss_flags_follow_present_fields():
    dss = mptcp.TCPOptionMultipathDSS(
        flags=mptcp.MPTCP_DSS_FLAG_F, data_ack=1, data_sequence_number=2
    )
    data = dss.serialize()
    assert data[3] == mptcp.MPTCP_DSS_FLAG_F | mptcp.MPTCP_DSS_FLAG_A | mptcp.MPTCP_DSS_FLAG_M
    assert len(data) == 4 + 4 + 4 + 4 + 2
    assert tcp.TCPOption.parse(data)[0].data_sequence_number == 2


def test_header_errors():
    with pytest.raises(PacketTruncatedError):
        tcp.tcp.parser(SYN_V4[34:50])
    with pytest.raises(PacketFieldError):
        tcp.tcp.parser(bytes.fromhex("005000500000000100000000") + b"\x40\x02" + bytes(6))
    with pytest.raises(PacketTruncatedError):
        tcp.tcp.parser(SYN_V4[34:60])  # offset 10 but only 26 bytes
    assert tcp.tcp(csum=0x1234).checksum_ok(b"", None) is None


def test_str_and_json():
    t = packet.Packet(SYN_V4).get_protocol(tcp.tcp)
    assert str(t).startswith("tcp(ack=0,bits=2,csum=42869,dst_port=45678,offset=10,option=[")
    assert_json_roundtrip(t)
    assert_json_roundtrip(tcp.tcp(option=[tcp.TCPOptionSACK([(1, 2)]), b"\x01"]))


# -- properties ---------------------------------------------------------------

OPTION_BYTES = [bytes.fromhex(h) for h, _, _ in OPTION_VECTORS] + [
    bytes.fromhex(h) for h in MALFORMED
]


def _segment(fixed: bytes, options: list[bytes]) -> tcp.tcp:
    """A TCP header from 20 random bytes and whole options that fit in 40 bytes."""
    opts = b""
    for o in options:
        if len(opts) + len(o) <= 40:
            opts += o
    opts += bytes(-len(opts) % 4)
    hdr = bytearray(fixed)
    hdr[12] = (5 + len(opts) // 4) << 4 | hdr[12] & 0x0F
    t, _, _ = tcp.tcp.parser(bytes(hdr) + opts)
    t.csum = 0
    return t


segments = st.builds(
    _segment,
    st.binary(min_size=20, max_size=20),
    st.lists(st.sampled_from(OPTION_BYTES), max_size=6),
)
frames_v4 = st.builds(
    lambda t, payload: build(
        ethernet.ethernet(), ipv4.ipv4(proto=6, src="192.0.2.1", dst="198.51.100.2"), t, payload
    ),
    segments,
    st.binary(max_size=16),
)


@given(frames_v4)
def test_roundtrip_generated(data):
    pkt = assert_reencodes(data) if len(data) > 60 else decode_never_raises(data)
    t = pkt.get_protocol(tcp.tcp)
    assert t.checksum_ok(data[34:], pkt.get_protocol(ipv4.ipv4)) is True
    again, _, _ = tcp.tcp.parser(t.serialize(b"", None))
    assert again == t


@given(st.binary(max_size=80))
def test_random_bytes(data):
    result = parse_or_documented_error(tcp.tcp, data)
    if result is not None:
        t, _, rest = result
        assert t.serialize(rest, None)[: 4 * t.offset] == data[: 4 * t.offset]


# Seeds for mutation: the captures, and frames carrying each option vector in turn
# (a fixed corpus keeps the example cost down to the mutation itself).
CORPUS = [SYN_V4, RST_V4, SYN_V6] + [
    build(
        ethernet.ethernet(),
        ipv4.ipv4(proto=6, src="192.0.2.1", dst="198.51.100.2"),
        _segment(bytes(range(i, i + 20)), OPTION_BYTES[i : i + 3]),
        b"payload",
    )
    for i in range(len(OPTION_BYTES))
]


@given(mutated(st.sampled_from(CORPUS)))
def test_mutated_frames(data):
    decode_never_raises(data)
    result = parse_or_documented_error(tcp.tcp, data[34:])
    if result is not None:
        t, _, _ = result
        # Whatever the options were, the decoded header encodes back to its own bytes.
        assert t.serialize(b"", None) == data[34 : 34 + 4 * t.offset]
