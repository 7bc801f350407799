"""DHCPv6 (RFC 8415) and its DNS options (RFC 3646) decode/encode."""

import random
import struct
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import dhcp6, ethernet, in_proto, ipv6, packet, udp
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError
from tests.support.dhcp_igmp_corpus import SEED, dhcp6_frame, dhcp6_messages
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    mutated,
    parse_or_documented_error,
)

MAC = bytes.fromhex("0800271a2b3c")


def opt(code: int, data: bytes) -> bytes:
    """RFC 8415 §21.1 layout: option-code, option-len, option-data."""
    return struct.pack("!HH", code, len(data)) + data


# DUID-LLT (§11.2): type 1, hardware type 1, time 0x2a3b4c5d, MAC.
DUID_LLT = struct.pack("!HHI", 1, 1, 0x2A3B4C5D) + MAC
IAADDR = opt(5, bytes.fromhex("20010db8000000000000000000000100") + struct.pack("!II", 3600, 7200))
SOLICIT = (
    bytes([1])
    + (0xABCDEF).to_bytes(3, "big")
    + opt(1, DUID_LLT)
    + opt(8, b"\x00\x64")
    + opt(6, struct.pack("!HHH", 23, 24, 25))
    + opt(3, struct.pack("!III", 0x01020304, 0, 0))
    + opt(25, struct.pack("!III", 7, 1800, 2880))
    + opt(14, b"")
)
# Domain search list "example.com", "lab.example.org" in DNS wire format (RFC 1035 §3.1).
DOMAINS = b"\x07example\x03com\x00\x03lab\x07example\x03org\x00"
REPLY = (
    bytes([7])
    + (0xABCDEF).to_bytes(3, "big")
    + opt(2, struct.pack("!HI", 2, 9) + b"server-1")
    + opt(1, DUID_LLT)
    + opt(3, struct.pack("!III", 0x01020304, 1800, 2880) + IAADDR)
    + opt(
        25,
        struct.pack("!III", 7, 1800, 2880)
        + opt(26, struct.pack("!IIB", 3600, 7200, 56) + bytes.fromhex("20010db8ab" + "00" * 11)),
    )
    + opt(13, b"\x00\x00" + b"all good")
    + opt(23, bytes.fromhex("20014860486000000000000000008888"))
    + opt(24, DOMAINS)
)


def test_decode_solicit():
    m, nxt, rest = dhcp6.dhcp6.parser(SOLICIT)
    assert nxt is None and rest == b""
    assert (m.msg_type, m.transaction_id) == (dhcp6.DHCPV6_SOLICIT, 0xABCDEF)
    o = m.options
    assert [x.code for x in o.option_list] == [1, 8, 6, 3, 25, 14]
    assert o.get(dhcp6.DHCPV6_OPTION_CLIENTID) == dhcp6.duid_llt(1, 0x2A3B4C5D, "08:00:27:1a:2b:3c")
    assert o.get(dhcp6.DHCPV6_OPTION_ELAPSED_TIME) == 100
    assert o.get(dhcp6.DHCPV6_OPTION_ORO) == [23, 24, 25]
    ia = o.get(dhcp6.DHCPV6_OPTION_IA_NA)
    assert (ia.iaid, ia.t1, ia.t2, ia.options.option_list) == (0x01020304, 0, 0, [])
    pd = o.get(dhcp6.DHCPV6_OPTION_IA_PD)
    assert isinstance(pd, dhcp6.ia_pd) and (pd.iaid, pd.t1, pd.t2) == (7, 1800, 2880)
    assert o.get(dhcp6.DHCPV6_OPTION_RAPID_COMMIT) is True
    assert dhcp6.DHCPV6_OPTION_RAPID_COMMIT in o and dhcp6.DHCPV6_OPTION_SERVERID not in o
    assert m.serialize(b"", None) == SOLICIT
    assert_json_roundtrip(m)


def test_decode_reply():
    m = dhcp6.dhcp6.parser(REPLY)[0]
    o = m.options
    assert o.get(dhcp6.DHCPV6_OPTION_SERVERID) == dhcp6.duid_en(9, b"server-1")
    ia = o.get(dhcp6.DHCPV6_OPTION_IA_NA)
    addr = ia.options.get(dhcp6.DHCPV6_OPTION_IAADDR)
    assert (addr.address, addr.preferred_lifetime, addr.valid_lifetime) == (
        "2001:db8::100",
        3600,
        7200,
    )
    pfx = o.get(dhcp6.DHCPV6_OPTION_IA_PD).options.get(dhcp6.DHCPV6_OPTION_IAPREFIX)
    assert (pfx.prefix, pfx.prefix_len, pfx.preferred_lifetime, pfx.valid_lifetime) == (
        "2001:db8:ab00::",
        56,
        3600,
        7200,
    )
    assert o.get(dhcp6.DHCPV6_OPTION_STATUS_CODE) == (dhcp6.DHCPV6_STATUS_SUCCESS, "all good")
    assert o.get(dhcp6.DHCPV6_OPTION_DNS_SERVERS) == ["2001:4860:4860::8888"]
    assert o.get(dhcp6.DHCPV6_OPTION_DOMAIN_LIST) == ["example.com", "lab.example.org"]
    assert m.serialize(b"", None) == REPLY


def test_build_reply_from_values():
    o = dhcp6.options()
    o.add(dhcp6.DHCPV6_OPTION_SERVERID, dhcp6.duid_en(9, b"server-1"))
    o.add(dhcp6.DHCPV6_OPTION_CLIENTID, dhcp6.duid_llt(1, 0x2A3B4C5D, "08:00:27:1a:2b:3c"))
    ia_opts = dhcp6.options()
    ia_opts.add(dhcp6.DHCPV6_OPTION_IAADDR, dhcp6.ia_address("2001:db8::100", 3600, 7200))
    o.add(dhcp6.DHCPV6_OPTION_IA_NA, dhcp6.ia_na(0x01020304, 1800, 2880, ia_opts))
    pd_opts = dhcp6.options()
    pd_opts.add(dhcp6.DHCPV6_OPTION_IAPREFIX, dhcp6.ia_prefix(3600, 7200, 56, "2001:db8:ab00::"))
    o.add(dhcp6.DHCPV6_OPTION_IA_PD, dhcp6.ia_pd(7, 1800, 2880, pd_opts))
    o.add(dhcp6.DHCPV6_OPTION_STATUS_CODE, (0, "all good"))
    o.add(dhcp6.DHCPV6_OPTION_DNS_SERVERS, ["2001:4860:4860::8888"])
    o.add(dhcp6.DHCPV6_OPTION_DOMAIN_LIST, ["example.com", "lab.example.org."])
    assert dhcp6.dhcp6(dhcp6.DHCPV6_REPLY, o, 0xABCDEF).serialize() == REPLY


def test_all_duid_types():
    u = uuid.UUID("12345678-9abc-def0-1234-56789abcdef0")
    cases = [
        (DUID_LLT, dhcp6.duid_llt(1, 0x2A3B4C5D, "08:00:27:1a:2b:3c")),
        (struct.pack("!HI", 2, 311) + b"\x01\x02\x03", dhcp6.duid_en(311, b"\x01\x02\x03")),
        (struct.pack("!HH", 3, 1) + MAC, dhcp6.duid_ll(1, "08:00:27:1a:2b:3c")),
        (struct.pack("!HH", 3, 32) + bytes(20), dhcp6.duid_ll(32, bytes(20))),  # InfiniBand
        (struct.pack("!H", 4) + u.bytes, dhcp6.duid_uuid(str(u))),
        (struct.pack("!H", 99) + b"x", struct.pack("!H", 99) + b"x"),
    ]
    for raw, value in cases:
        assert dhcp6.parse_duid(raw) == value
        assert dhcp6.option.from_value(dhcp6.DHCPV6_OPTION_CLIENTID, value).data == raw
    for bad in (b"\x00", struct.pack("!H", 4) + bytes(15), struct.pack("!HH", 1, 1)):
        with pytest.raises(PacketFieldError):
            _ = dhcp6.option(dhcp6.DHCPV6_OPTION_SERVERID, bad).value
    assert_json_roundtrip(dhcp6.duid_llt(1, 5, "08:00:27:1a:2b:3c"))
    assert_json_roundtrip(dhcp6.duid_uuid(str(u)))


def test_relay_forward_holds_inner_message():
    relay = (
        bytes([12, 1])
        + bytes.fromhex("20010db8000000000000000000000001")
        + bytes.fromhex("fe800000000000000a0027fffe1a2b3c")
        + opt(18, b"port-7")
        + opt(9, SOLICIT)
    )
    m = dhcp6.dhcp6.parser(relay)[0]
    assert (m.msg_type, m.hop_count, m.link_address, m.peer_address) == (
        dhcp6.DHCPV6_RELAY_FORW,
        1,
        "2001:db8::1",
        "fe80::a00:27ff:fe1a:2b3c",
    )
    inner = m.relayed_message
    assert isinstance(inner, dhcp6.dhcp6) and inner.transaction_id == 0xABCDEF
    assert m.options.get(dhcp6.DHCPV6_OPTION_INTERFACE_ID) == b"port-7"
    assert m.serialize(b"", None) == relay
    # Relay-reply wrapping a relay-forward wrapping the client's message (two relays).
    outer = dhcp6.dhcp6(
        dhcp6.DHCPV6_RELAY_REPL,
        dhcp6.options([dhcp6.option(dhcp6.DHCPV6_OPTION_RELAY_MSG, m)]),
        hop_count=2,
        link_address="2001:db8::2",
        peer_address="2001:db8::1",
    )
    raw = outer.serialize()
    assert raw[:2] == b"\x0d\x02" and raw[34:38] == struct.pack("!HH", 9, len(relay))
    back = dhcp6.dhcp6.parser(raw)[0]
    assert back.relayed_message.relayed_message.options.get(1) == dhcp6.parse_duid(DUID_LLT)
    # An inner message that does not decode stays bytes and re-encodes unchanged.
    broken = bytes([12, 0]) + bytes(32) + opt(9, b"\x0c\x00")
    m = dhcp6.dhcp6.parser(broken)[0]
    assert m.options.option_list[0].data == b"\x0c\x00" and m.relayed_message is None
    assert m.serialize(b"", None) == broken


def test_domain_names():
    assert dhcp6.decode_domain_names(DOMAINS) == ["example.com", "lab.example.org"]
    assert dhcp6.decode_domain_names(b"\x00") == ["."]
    assert dhcp6.encode_domain_names(["."]) == b"\x00"
    for bad in (b"\x07example", b"\xc0\x0c", b"\x03abc"):
        with pytest.raises(ValueError):
            dhcp6.decode_domain_names(bad)
    with pytest.raises(ValueError):
        dhcp6.encode_domain_names(["a" * 64 + ".com"])


def test_malformed():
    for data in (b"", b"\x01\x00\x00", bytes([12]) + bytes(20)):
        with pytest.raises(PacketTruncatedError):
            dhcp6.dhcp6.parser(data)
    # An option running past the end, and a cut option header.
    for tail in (opt(1, DUID_LLT)[:-1], b"\x00\x01\x00"):
        with pytest.raises(PacketTruncatedError):
            dhcp6.dhcp6.parser(SOLICIT[:4] + tail)
    # Values that do not fit their option are reported by .value / get(), not the parser.
    m = dhcp6.dhcp6.parser(SOLICIT[:4] + opt(8, b"\x01") + opt(14, b"x") + opt(6, b"\x00"))[0]
    for code in (8, 14, 6):
        with pytest.raises(PacketFieldError):
            m.options.get(code)
    assert dhcp6.dhcp6.parser(SOLICIT[:4])[0].options.option_list == []


def frame(msg: bytes, sport=546, dport=547) -> bytes:
    return build(
        ethernet.ethernet("33:33:00:01:00:02", "08:00:27:1a:2b:3c", 0x86DD),
        ipv6.ipv6(nxt=in_proto.IPPROTO_UDP, hop_limit=1, src="fe80::1", dst="ff02::1:2"),
        udp.udp(sport, dport),
        msg,
    )


def test_full_frame():
    pkt = assert_reencodes(frame(SOLICIT))
    m = pkt.get_protocol(dhcp6.dhcp6)
    assert m.msg_type == dhcp6.DHCPV6_SOLICIT and pkt.checksum_errors() == []
    pkt = packet.Packet(frame(REPLY, 547, 546))
    assert pkt.get_protocol(dhcp6.dhcp6).options.get(23) == ["2001:4860:4860::8888"]


ADDRS = ["::", "2001:db8::1", "fe80::a00:27ff:fe1a:2b3c"]
VALUE_POOL = [
    (1, dhcp6.duid_llt(1, 7, "08:00:27:1a:2b:3c")),
    (1, dhcp6.duid_ll(1, "08:00:27:1a:2b:3c")),
    (2, dhcp6.duid_en(311, b"abc")),
    (2, dhcp6.duid_uuid("12345678-9abc-def0-1234-56789abcdef0")),
    (3, dhcp6.ia_na(1, 100, 200)),
    (
        3,
        dhcp6.ia_na(
            2,
            0,
            0,
            dhcp6.options([dhcp6.option.from_value(5, dhcp6.ia_address(ADDRS[1], 1, 2))]),
        ),
    ),
    (25, dhcp6.ia_pd(3, 5, 6)),
    (
        25,
        dhcp6.ia_pd(
            4, 0, 0, dhcp6.options([dhcp6.option.from_value(26, dhcp6.ia_prefix(1, 2, 48, "::"))])
        ),
    ),
    (6, [23, 24]),
    (6, []),
    (8, 0),
    (8, 65535),
    (13, (2, "no addresses")),
    (14, True),
    (23, ADDRS),
    (24, ["example.com", "a.b.c"]),
    (18, b"port-1"),
    (999, b"\x00" * 10),
]


@st.composite
def messages(draw):
    o = dhcp6.options()
    for code, value in draw(st.lists(st.sampled_from(VALUE_POOL), max_size=5)):
        o.add(code, value)
    msg_type = draw(st.integers(1, 13))
    m = dhcp6.dhcp6(
        msg_type,
        o,
        draw(st.integers(0, 2**24 - 1)),
        hop_count=draw(st.integers(0, 32)),
        link_address=draw(st.sampled_from(ADDRS)),
        peer_address=draw(st.sampled_from(ADDRS)),
    )
    if msg_type in (12, 13) and draw(st.booleans()):
        m.options.option_list.append(dhcp6.option(9, dhcp6.dhcp6(1, dhcp6.options(), 5)))
    return m


frames = messages().map(lambda m: frame(m.serialize()))


@given(frames)
def test_roundtrip_generated(data):
    pkt = assert_reencodes(data)
    m = pkt.get_protocol(dhcp6.dhcp6)
    for o in m.options.option_list:
        again = dhcp6.option.from_value(o.code, o.value)
        assert again.serialize() == o.serialize()
    assert pkt.checksum_errors() == []


@given(st.binary(max_size=120))
def test_random_bytes(data):
    res = parse_or_documented_error(dhcp6.dhcp6, data)
    if res is not None:
        str(res[0])
        assert res[0].serialize() == data


# Mutation starts from a fixed corpus: drawing a fresh message for every example
# would cost more than the decoding under test.
SEED_FRAMES = [dhcp6_frame(m) for m in dhcp6_messages(random.Random(SEED), 44)]


@given(mutated(st.sampled_from(SEED_FRAMES)))
def test_mutated_frames(data):
    decode_never_raises(data).checksum_errors()
    res = parse_or_documented_error(dhcp6.dhcp6, data[62:])
    if res is not None:
        for o in res[0].options.option_list:
            try:
                _ = o.value
            except PacketFieldError:
                pass
        assert res[0].serialize() == data[62:]
