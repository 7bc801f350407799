"""DHCP (RFC 2131, RFC 2132, RFC 3046, RFC 3396, RFC 3442) decode/encode."""

import random
import struct

import dpkt
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import dhcp, ethernet, in_proto, ipv4, packet, udp
from ctrlapp.lib.packet.errors import PacketFieldError, PacketTruncatedError
from tests.support.dhcp_igmp_corpus import SEED, dhcp_frame, dhcp_messages
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    mutated,
    parse_or_documented_error,
)

COOKIE = bytes([99, 130, 83, 99])
MAC = bytes.fromhex("0800271a2b3c")


def bootp(
    op=1,
    xid=0x3903F326,
    flags=0x8000,
    ciaddr=b"\0" * 4,
    yiaddr=b"\0" * 4,
    giaddr=b"\0" * 4,
    sname=b"",
    file=b"",
    hlen=6,
    chaddr=MAC,
) -> bytes:
    """The fixed part of RFC 2131 §2, laid out field by field."""
    return (
        struct.pack("!BBBBIHH", op, 1, hlen, 0, xid, 3, flags)
        + ciaddr
        + yiaddr
        + b"\0" * 4
        + giaddr
        + chaddr.ljust(16, b"\0")
        + sname.ljust(64, b"\0")
        + file.ljust(128, b"\0")
    )


# DHCPDISCOVER: message type 1, client id (type 1 + MAC), requested address 192.0.2.10,
# host name "pc1", parameter request list 1,3,6,15,26,121, END, zero padding to 300 bytes.
DISCOVER_OPTS = (
    COOKIE
    + bytes([53, 1, 1])
    + bytes([61, 7, 1])
    + MAC
    + bytes([50, 4, 192, 0, 2, 10])
    + bytes([12, 3])
    + b"pc1"
    + bytes([55, 6, 1, 3, 6, 15, 26, 121])
    + b"\xff"
)
DISCOVER = bootp() + DISCOVER_OPTS + bytes(300 - 236 - len(DISCOVER_OPTS))


def test_decode_discover():
    m, nxt, rest = dhcp.dhcp.parser(DISCOVER)
    assert nxt is None and rest == b""
    assert (m.op, m.htype, m.hlen, m.hops, m.xid, m.secs, m.flags) == (
        1,
        1,
        6,
        0,
        0x3903F326,
        3,
        0x8000,
    )
    assert m.chaddr == "08:00:27:1a:2b:3c" and m.ciaddr == "0.0.0.0"
    assert m.sname == "" and m.boot_file == ""
    assert m.options.magic_cookie == "99.130.83.99" and m.options.options_len == 64
    assert [o.tag for o in m.options.option_list] == [53, 61, 50, 12, 55]
    assert m.message_type == dhcp.DHCP_DISCOVER
    opts = m.options
    assert opts.get(dhcp.DHCP_MESSAGE_TYPE_OPT) == dhcp.DHCP_DISCOVER
    assert opts.get(dhcp.DHCP_CLIENT_IDENTIFIER_OPT) == (1, MAC)
    assert opts.get(dhcp.DHCP_REQUESTED_IP_ADDR_OPT) == "192.0.2.10"
    assert opts.get(dhcp.DHCP_HOST_NAME_OPT) == "pc1"
    assert opts.get(dhcp.DHCP_PARAMETER_REQUEST_LIST_OPT) == [1, 3, 6, 15, 26, 121]
    assert opts.get(dhcp.DHCP_SUBNET_MASK_OPT) is None
    assert opts.get(dhcp.DHCP_SUBNET_MASK_OPT, "none") == "none"
    assert dhcp.DHCP_HOST_NAME_OPT in opts
    assert m.serialize(b"", None) == DISCOVER
    # A change to the decoded options is what gets encoded.
    m2 = dhcp.dhcp.parser(DISCOVER)[0]
    m2.options.set(dhcp.DHCP_HOST_NAME_OPT, "pc2")
    assert dhcp.dhcp.parser(m2.serialize(b"", None))[0].options.get(12) == "pc2"
    m3 = dhcp.dhcp.parser(DISCOVER)[0]
    m3.options.option_list = [dhcp.option(53, b"\x03")]
    assert m3.serialize(b"", None)[240:244] == b"\x35\x01\x03\xff"
    # dpkt, an independent decoder, reads the same fields.
    d = dpkt.dhcp.DHCP(DISCOVER)
    assert (d.op, d.xid, d.chaddr, d.flags) == (m.op, m.xid, MAC, m.flags)
    assert dict(d.opts)[53] == b"\x01" and dict(d.opts)[55] == bytes([1, 3, 6, 15, 26, 121])


def test_build_offer_ryu_style():
    o = dhcp.options(
        [
            dhcp.option(dhcp.DHCP_MESSAGE_TYPE_OPT, b"\x02"),
            dhcp.option.from_value(dhcp.DHCP_SERVER_IDENTIFIER_OPT, "192.0.2.1"),
            dhcp.option.from_value(dhcp.DHCP_IP_ADDR_LEASE_TIME_OPT, 86400),
            dhcp.option.from_value(dhcp.DHCP_SUBNET_MASK_OPT, "255.255.255.0"),
            dhcp.option.from_value(dhcp.DHCP_GATEWAY_ADDR_OPT, ["192.0.2.1"]),
            dhcp.option.from_value(dhcp.DHCP_DNS_SERVER_ADDR_OPT, ["192.0.2.53", "192.0.2.54"]),
        ]
    )
    offer = dhcp.dhcp(
        dhcp.DHCP_BOOT_REPLY, "08:00:27:1a:2b:3c", o, xid=0x3903F326, yiaddr="192.0.2.10"
    )
    raw = offer.serialize(b"", None)
    assert raw[2] == 6 and raw[16:20] == bytes([192, 0, 2, 10]) and raw[28:34] == MAC
    assert raw[236:] == (
        COOKIE
        + b"\x35\x01\x02"
        + b"\x36\x04\xc0\x00\x02\x01"
        + b"\x33\x04\x00\x01\x51\x80"
        + b"\x01\x04\xff\xff\xff\x00"
        + b"\x03\x04\xc0\x00\x02\x01"
        + b"\x06\x08\xc0\x00\x02\x35\xc0\x00\x02\x36"
        + b"\xff"
    )
    d = dpkt.dhcp.DHCP(raw)
    assert d.op == 2 and d.yiaddr == 0xC000020A
    assert dict(d.opts)[51] == b"\x00\x01\x51\x80"
    back = dhcp.dhcp.parser(raw)[0]
    assert back.options.get(dhcp.DHCP_DNS_SERVER_ADDR_OPT) == ["192.0.2.53", "192.0.2.54"]
    assert back.options.get(dhcp.DHCP_IP_ADDR_LEASE_TIME_OPT) == 86400
    assert_json_roundtrip(back)


def test_typed_set_get_every_codec():
    o = dhcp.options()
    values = {
        dhcp.DHCP_SUBNET_MASK_OPT: "255.255.0.0",
        dhcp.DHCP_GATEWAY_ADDR_OPT: ["10.0.0.1", "10.0.0.2"],
        dhcp.DHCP_DNS_SERVER_ADDR_OPT: ["9.9.9.9"],
        dhcp.DHCP_HOST_NAME_OPT: "host-1",
        dhcp.DHCP_DOMAIN_NAME_OPT: "example.org",
        dhcp.DHCP_INTERFACE_MTU_OPT: 1500,
        dhcp.DHCP_BROADCAST_ADDR_OPT: "10.0.255.255",
        dhcp.DHCP_NTP_SERVERS_OPT: ["10.0.0.123"],
        dhcp.DHCP_REQUESTED_IP_ADDR_OPT: "10.0.0.50",
        dhcp.DHCP_IP_ADDR_LEASE_TIME_OPT: 3600,
        dhcp.DHCP_MESSAGE_TYPE_OPT: dhcp.DHCP_ACK,
        dhcp.DHCP_SERVER_IDENTIFIER_OPT: "10.0.0.1",
        dhcp.DHCP_PARAMETER_REQUEST_LIST_OPT: [1, 3, 6],
        dhcp.DHCP_MESSAGE_OPT: "address in use",
        dhcp.DHCP_MAX_MESSAGE_SIZE_OPT: 1500,
        dhcp.DHCP_RENEWAL_TIME_OPT: 1800,
        dhcp.DHCP_REBINDING_TIME_OPT: 3150,
        dhcp.DHCP_VENDOR_CLASS_ID_OPT: "MSFT 5.0",
        dhcp.DHCP_CLIENT_IDENTIFIER_OPT: (1, MAC),
        dhcp.DHCP_RELAY_AGENT_INFO_OPT: [(1, b"eth0/1"), (2, b"\x00\x01")],
        dhcp.DHCP_CLASSLESS_ROUTE_OPT: [("10.17.0.0/16", "10.0.0.1")],
        200: b"\x01\x02",
    }
    for tag, value in values.items():
        o.set(tag, value)
    msg = dhcp.dhcp(dhcp.DHCP_BOOT_REPLY, "08:00:27:1a:2b:3c", o, xid=1)
    back = dhcp.dhcp.parser(msg.serialize(b"", None))[0]
    for tag, value in values.items():
        assert back.options.get(tag) == value, tag
    assert back.options.get_raw(dhcp.DHCP_INTERFACE_MTU_OPT) == b"\x05\xdc"
    assert back.options.get_raw(dhcp.DHCP_HOST_NAME_OPT) == b"host-1"
    # set() replaces in place; remove() drops every instance.
    back.options.set(dhcp.DHCP_MESSAGE_TYPE_OPT, dhcp.DHCP_NAK)
    tags = [op.tag for op in back.options.option_list]
    assert tags.index(dhcp.DHCP_MESSAGE_TYPE_OPT) == list(values).index(dhcp.DHCP_MESSAGE_TYPE_OPT)
    assert back.message_type == dhcp.DHCP_NAK
    back.options.remove(200)
    assert 200 not in back.options
    assert dhcp.option.from_value(dhcp.DHCP_CLIENT_IDENTIFIER_OPT, (1, "08:00:27:1a:2b:3c")).value
    assert back.options.option_list[0].decoded == "255.255.0.0"


def test_classless_routes_rfc3442_examples():
    # RFC 3442 §3: destination descriptors for the example subnets.
    cases = [
        ("0.0.0.0/0", bytes([0])),
        ("10.0.0.0/8", bytes([8, 10])),
        ("10.0.0.0/24", bytes([24, 10, 0, 0])),
        ("10.17.0.0/16", bytes([16, 10, 17])),
        ("10.27.129.0/24", bytes([24, 10, 27, 129])),
        ("10.229.0.128/25", bytes([25, 10, 229, 0, 128])),
        ("10.198.122.47/32", bytes([32, 10, 198, 122, 47])),
    ]
    router = bytes([10, 0, 0, 1])
    for prefix, descriptor in cases:
        op = dhcp.option.from_value(dhcp.DHCP_CLASSLESS_ROUTE_OPT, [(prefix, "10.0.0.1")])
        assert op.value == descriptor + router
        assert op.decoded == [(prefix, "10.0.0.1")]
    raw = b"".join(d + router for _, d in cases)
    assert dhcp.option(121, raw).decoded == [(p, "10.0.0.1") for p, _ in cases]
    for bad in (bytes([33, 1, 2, 3, 4, 5, 6, 7, 8]), bytes([24, 10, 0, 0, 10, 0])):
        with pytest.raises(PacketFieldError):
            _ = dhcp.option(121, bad).decoded


def test_relay_agent_information_rfc3046():
    # RFC 3046 §2.0: Circuit ID and Remote ID sub-options inside option 82.
    raw = bytes([1, 4]) + b"\x00\x04\x00\x01" + bytes([2, 6]) + MAC
    m = dhcp.dhcp.parser(
        bootp(giaddr=bytes([192, 0, 2, 254])) + COOKIE + bytes([53, 1, 1, 82, len(raw)]) + raw
    )[0]
    assert m.giaddr == "192.0.2.254"
    assert m.options.get(dhcp.DHCP_RELAY_AGENT_INFO_OPT) == [
        (dhcp.RELAY_AGENT_CIRCUIT_ID, b"\x00\x04\x00\x01"),
        (dhcp.RELAY_AGENT_REMOTE_ID, MAC),
    ]
    # No END option on the wire: kept as a trailing empty raw element, re-encoded as is.
    assert m.options.option_list[-1] == b""
    assert m.serialize(b"", None)[236:] == COOKIE + bytes([53, 1, 1, 82, len(raw)]) + raw
    with pytest.raises(PacketFieldError):
        _ = dhcp.option(82, bytes([1, 9, 0])).decoded


def test_long_option_split_rfc3396():
    names = [f"192.0.2.{i}" for i in range(1, 101)]  # 400 bytes of NTP servers
    o = dhcp.options()
    o.set(dhcp.DHCP_NTP_SERVERS_OPT, names)
    raw = dhcp.dhcp(1, "08:00:27:1a:2b:3c", o, xid=7).serialize(b"", None)
    body = raw[240:]
    # RFC 3396 §5: 255 bytes, then the remaining 145 bytes in a second option 42.
    assert body[:2] == bytes([42, 255]) and body[257:259] == bytes([42, 145])
    assert body[404:] == b"\xff"
    back = dhcp.dhcp.parser(raw)[0]
    assert [op.length for op in back.options.option_list] == [255, 145]
    assert back.options.get(dhcp.DHCP_NTP_SERVERS_OPT) == names
    assert back.serialize(b"", None) == raw


def test_option_overload():
    # Option 52 = 3: "file" then "sname" carry options too (RFC 2131 §4.1, RFC 2132 §9.3).
    file_area = bytes([15, 11]) + b"example.com" + b"\xff"
    sname_area = bytes([12, 4]) + b"srv1" + bytes([0, 0]) + b"\xff"
    data = (
        bootp(op=2, sname=sname_area, file=file_area)
        + COOKIE
        + bytes([53, 1, 5, 52, 1, 3, 6, 4, 10, 0, 0, 53])
        + b"\xff"
    )
    m = dhcp.dhcp.parser(data)[0]
    assert m.sname == "" and m.boot_file == ""
    assert [o.tag for o in m.options.file_options] == [15]
    assert [o.tag for o in m.options.sname_options] == [12, 0, 0]
    assert m.options.get(dhcp.DHCP_DOMAIN_NAME_OPT) == "example.com"
    assert m.options.get(dhcp.DHCP_HOST_NAME_OPT) == "srv1"
    assert m.options.get(dhcp.DHCP_DNS_SERVER_ADDR_OPT) == ["10.0.0.53"]
    assert m.serialize(b"", None) == data
    # RFC 3396 §7: an option split across areas is concatenated options, file, sname.
    split = bootp(op=2, file=bytes([12, 2]) + b"cd" + b"\xff") + COOKIE
    split += bytes([52, 1, 1, 12, 2]) + b"ab" + b"\xff"
    assert dhcp.dhcp.parser(split)[0].options.get(dhcp.DHCP_HOST_NAME_OPT) == "abcd"
    # Without option 52 the same bytes are names.
    plain = bootp(sname=b"srv1", file=b"/boot/pxelinux.0") + COOKIE + b"\xff"
    m = dhcp.dhcp.parser(plain)[0]
    assert (m.sname, m.boot_file) == ("srv1", "/boot/pxelinux.0")
    assert m.options.file_options is None and m.serialize(b"", None) == plain
    too_big = dhcp.options([], file_options=[dhcp.option(12, b"x" * 200)])
    with pytest.raises(ValueError):
        dhcp.dhcp(1, "08:00:27:1a:2b:3c", too_big, xid=1).serialize(b"", None)


def test_non_ascii_sname_and_file():
    # Latin-1 bytes (not UTF-8) and UTF-8 text in the name fields: no error, exact bytes back.
    sname = b"serveur-\xe9t\xe9"
    file = "/boot/\u00e9t\u00e9.img".encode()
    data = bootp(op=2, sname=sname, file=file) + COOKIE + bytes([53, 1, 2]) + b"\xff"
    m, _, _ = dhcp.dhcp.parser(data)
    assert m.sname == "serveur-\udce9t\udce9"
    assert m.boot_file == "/boot/\u00e9t\u00e9.img"
    assert m.serialize(b"", None) == data
    assert_json_roundtrip(m)
    # Bytes after the terminating NUL are kept too.
    odd = bootp(sname=b"a\x00junk") + COOKIE + b"\xff"
    m = dhcp.dhcp.parser(odd)[0]
    assert m.sname == "a\x00junk" and m.serialize(b"", None) == odd
    with pytest.raises(ValueError):
        dhcp.dhcp(1, "08:00:27:1a:2b:3c", sname="x" * 65, xid=1).serialize(b"", None)


def test_unknown_options_pads_and_tails_kept():
    body = bytes([53, 1, 3, 0, 0, 224, 3, 1, 2, 3, 250, 0, 53, 1, 3]) + b"\xff"
    data = bootp() + COOKIE + body + bytes(10)
    m = dhcp.dhcp.parser(data)[0]
    assert [(o.tag, bytes(o.value)) for o in m.options.option_list] == [
        (53, b"\x03"),
        (0, b""),
        (0, b""),
        (224, b"\x01\x02\x03"),
        (250, b""),
        (53, b"\x03"),
    ]
    assert m.options.get(224) == b"\x01\x02\x03"
    assert m.serialize(b"", None) == data
    # A value that is malformed for its option is reported by get(), not by the parser.
    with pytest.raises(PacketFieldError):
        m.options.get(dhcp.DHCP_MESSAGE_TYPE_OPT)
    # An option running past the end, and garbage after END, stay raw.
    for tail in (bytes([53, 1, 1, 12, 9, 65]), bytes([53, 1, 1, 255, 7, 7])):
        data = bootp() + COOKIE + tail
        m = dhcp.dhcp.parser(data)[0]
        assert isinstance(m.options.option_list[-1], bytes)
        assert m.options.get(dhcp.DHCP_MESSAGE_TYPE_OPT) == 1
        assert m.serialize(b"", None) == data


def test_bootp_and_chaddr_forms():
    # Plain BOOTP without a cookie: no options object, nothing lost.
    m, _, rest = dhcp.dhcp.parser(bootp())
    assert m.options is None and rest == b"" and m.message_type is None
    m, _, rest = dhcp.dhcp.parser(bootp() + b"\x63\x82")
    assert m.options is None and rest == b"\x63\x82"
    # A 20-byte InfiniBand-style address does not fit: hlen 0, raw chaddr (RFC 4390).
    ib = bootp(hlen=0, chaddr=bytes(16)) + COOKIE + b"\xff"
    m = dhcp.dhcp.parser(ib)[0]
    assert m.chaddr == b"" and m.serialize(b"", None) == ib
    odd = bootp(hlen=8, chaddr=bytes(range(1, 9))) + COOKIE + b"\xff"
    m = dhcp.dhcp.parser(odd)[0]
    assert m.chaddr == bytes(range(1, 9)) and m.serialize(b"", None) == odd
    zero_hlen = bootp(hlen=0, chaddr=MAC) + COOKIE + b"\xff"
    m = dhcp.dhcp.parser(zero_hlen)[0]
    assert m.hlen == 0 and m.serialize(b"", None) == zero_hlen
    junk = bootp(hlen=6, chaddr=MAC + b"\x01") + COOKIE + b"\xff"
    m = dhcp.dhcp.parser(junk)[0]
    assert m.chaddr == (MAC + b"\x01").ljust(16, b"\0") and m.serialize(b"", None) == junk


def test_truncated():
    for n in (0, 1, 100, 235):
        with pytest.raises(PacketTruncatedError):
            dhcp.dhcp.parser(DISCOVER[:n])
    with pytest.raises(PacketTruncatedError):
        dhcp.options.parser(COOKIE[:3])


def udp_frame(msg: dhcp.dhcp, sport=68, dport=67) -> bytes:
    return build(
        ethernet.ethernet("ff:ff:ff:ff:ff:ff", "08:00:27:1a:2b:3c"),
        ipv4.ipv4(proto=in_proto.IPPROTO_UDP, src="0.0.0.0", dst="255.255.255.255"),
        udp.udp(sport, dport),
        msg,
    )


def test_full_frame():
    data = build(
        ethernet.ethernet("ff:ff:ff:ff:ff:ff", "08:00:27:1a:2b:3c"),
        ipv4.ipv4(proto=in_proto.IPPROTO_UDP, src="0.0.0.0", dst="255.255.255.255"),
        udp.udp(68, 67),
        DISCOVER,
    )
    pkt = assert_reencodes(data)
    m = pkt.get_protocol(dhcp.dhcp)
    assert m.message_type == dhcp.DHCP_DISCOVER and pkt.checksum_errors() == []
    # Server to client (source port 67) decodes too.
    reply = dhcp.dhcp(2, "08:00:27:1a:2b:3c", dhcp.options([dhcp.option(53, b"\x05")]), xid=9)
    pkt = packet.Packet(udp_frame(reply, 67, 68))
    assert pkt.get_protocol(dhcp.dhcp).message_type == dhcp.DHCP_ACK


macs = st.sampled_from(["08:00:27:1a:2b:3c", "00:00:00:00:00:01", "fe:ed:fa:ce:be:ef"])
addrs = st.sampled_from(["0.0.0.0", "10.0.0.1", "192.0.2.77", "255.255.255.0"])
# A fixed pool of typed option values keeps example generation cheap (one draw per option).
_A = ["0.0.0.0", "10.0.0.1", "192.0.2.77", "255.255.255.0"]
TYPED_POOL = (
    [(53, t) for t in range(1, 9)]
    + [(tag, a) for tag in (1, 28, 50, 54) for a in _A]
    + [(tag, _A[: n + 1]) for tag in (3, 6, 42) for n in range(3)]
    + [(tag, v) for tag in (51, 58, 59) for v in (0, 3600, 2**32 - 1)]
    + [(tag, v) for tag in (26, 57) for v in (576, 1500, 65535)]
    + [(tag, v) for tag in (12, 15, 56, 60) for v in ("a", "host", "\u00e9t\u00e9")]
    + [(55, []), (55, [1, 3, 6, 15, 26, 28, 42, 121]), (55, list(range(1, 60)))]
    + [(61, (1, MAC)), (61, (0, b"client-7")), (61, (255, b"\x00\x01"))]
    + [(82, [(1, b"eth0/1"), (2, MAC)]), (82, [(1, b"")]), (82, [])]
    + [(121, [("10.0.0.0/8", "10.0.0.1"), ("0.0.0.0/0", "10.0.0.254")]), (121, [])]
    + [(200, b""), (201, b"\x01\x02\x03"), (254, bytes(range(256)) + bytes(44))]
)
typed = st.sampled_from(TYPED_POOL)


@st.composite
def messages(draw):
    opts = dhcp.options(options_len=draw(st.sampled_from([0, 64, 312])))
    for tag, value in draw(st.lists(typed, max_size=6)):
        opts.set(tag, value)
    return dhcp.dhcp(
        draw(st.integers(1, 2)),
        draw(macs),
        opts,
        xid=draw(st.integers(0, 2**32 - 1)),
        flags=draw(st.sampled_from([0, 0x8000])),
        yiaddr=draw(addrs),
        sname=draw(st.sampled_from(["", "srv", "s\udcff"])),
        boot_file=draw(st.sampled_from(["", "pxelinux.0"])),
    )


frames = messages().map(udp_frame)


@given(frames)
def test_roundtrip_generated(data):
    pkt = assert_reencodes(data)
    m = pkt.get_protocol(dhcp.dhcp)
    assert pkt.checksum_errors() == []
    assert_json_roundtrip(m)


@given(st.tuples(st.lists(typed, max_size=5), st.sampled_from([0, 1, 2, 3])))
def test_typed_values_roundtrip(spec):
    tagged, overload = spec
    opts = dhcp.options()
    for tag, value in tagged:
        opts.set(tag, value)
    expected = {tag: opts.get(tag) for tag, _ in tagged}
    if overload:
        # Move everything into file/sname when it fits; get() must still find it.
        opts.set(dhcp.DHCP_OPTION_OVERLOAD_OPT, overload)
        moved = [o for o in opts.option_list if o.tag != dhcp.DHCP_OPTION_OVERLOAD_OPT]
        if sum(len(o.serialize()) for o in moved) < 60:
            opts.option_list = [o for o in opts.option_list if o not in moved]
            if overload & 1:
                opts.file_options = moved
            else:
                opts.sname_options = moved
            if overload == 3:
                opts.sname_options = []
        else:
            opts.remove(dhcp.DHCP_OPTION_OVERLOAD_OPT)
    raw = dhcp.dhcp(1, "08:00:27:1a:2b:3c", opts, xid=1).serialize(b"", None)
    back = dhcp.dhcp.parser(raw)[0]
    for tag, value in expected.items():
        assert back.options.get(tag) == value
    assert back.serialize(b"", None) == raw


@given(st.binary(max_size=320))
def test_random_bytes(data):
    res = parse_or_documented_error(dhcp.dhcp, data)
    if res is not None:
        str(res[0])
    parse_or_documented_error(dhcp.dhcp, bootp() + data)


# Mutation starts from a fixed corpus: drawing a fresh message for every example
# would cost more than the decoding under test.
SEED_FRAMES = [dhcp_frame(m) for m in dhcp_messages(random.Random(SEED), 60)]


@given(mutated(st.sampled_from(SEED_FRAMES)))
def test_mutated_frames(data):
    pkt = decode_never_raises(data)
    pkt.checksum_errors()
    res = parse_or_documented_error(dhcp.dhcp, data[42:])
    if res is not None:
        m = res[0]
        for tag in (53, 55, 61, 82, 121, 12):
            try:
                m.options and m.options.get(tag)
            except PacketFieldError:
                pass
        # Whatever decodes re-encodes to exactly the bytes it came from.
        assert m.serialize(b"", None) + res[2] == data[42:]
