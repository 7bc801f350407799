"""ICMPv6 (RFC 4443), Neighbor Discovery (RFC 4861), MLDv1 (RFC 2710), MLDv2 (RFC 3810).

Messages are written out byte by byte from the RFC layouts; checksums are
computed here with a plain RFC 1071 loop over the RFC 8200 section 8.1
pseudo-header, independently of the library's checksum code.
"""

import random
import socket

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ether_types, ethernet, icmpv6, in_proto, ipv6, packet
from ctrlapp.lib.packet.errors import PacketTruncatedError
from tests.support.packet_contract import (
    assert_json_roundtrip,
    assert_reencodes,
    build,
    decode_never_raises,
    parse_or_documented_error,
)
from tests.unit.packet.seeded import edge, frames_from, mutated_frames_from

HOST = "fe80::211:22ff:fe33:4455"
ROUTER = "fe80::1"


def sum16(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return total


def with_checksum(src: str, dst: str, msg: bytes) -> bytes:
    """``msg`` with its checksum field filled in (RFC 4443 section 2.3)."""
    ph = (
        socket.inet_pton(socket.AF_INET6, src)
        + socket.inet_pton(socket.AF_INET6, dst)
        + len(msg).to_bytes(4, "big")
        + b"\x00\x00\x00\x3a"
    )
    csum = ~sum16(ph + msg[:2] + b"\x00\x00" + msg[4:]) & 0xFFFF
    return msg[:2] + csum.to_bytes(2, "big") + msg[4:]


def frame(src: str, dst: str, msg: bytes, hop_limit: int = 255, ext: bytes = b"") -> bytes:
    nxt = 0 if ext else 58
    ip = (
        bytes.fromhex("60000000")
        + (len(ext) + len(msg)).to_bytes(2, "big")
        + bytes((nxt, hop_limit))
        + socket.inet_pton(socket.AF_INET6, src)
        + socket.inet_pton(socket.AF_INET6, dst)
    )
    eth = bytes.fromhex("33330000000100112233445586dd")
    return eth + ip + ext + msg


# Neighbor Solicitation (RFC 4861 section 4.3) for fe80::1 to its solicited-node
# group, with a Source Link-layer Address option.
NS = with_checksum(
    HOST,
    "ff02::1:ff00:1",
    bytes.fromhex("8700 0000 00000000").replace(b" ", b"")
    + socket.inet_pton(socket.AF_INET6, ROUTER)
    + bytes.fromhex("0101001122334455"),
)
# Neighbor Advertisement, flags S and O (0x60000000), Target Link-layer Address.
NA = with_checksum(
    ROUTER,
    HOST,
    bytes.fromhex("8800000060000000")
    + socket.inet_pton(socket.AF_INET6, ROUTER)
    + bytes.fromhex("0201020000000001"),
)
# Router Advertisement (RFC 4861 section 4.2): Cur Hop Limit 64, O flag and
# high router preference (RFC 4191: 0x40 | 0x08), lifetime 1800 s; options
# SLA, MTU 1500 (section 4.6.4), Prefix 2001:db8::/64 with L and A (section 4.6.2),
# valid 2592000 s, preferred 604800 s, and an unknown option type 25 (RDNSS-sized).
RA = with_checksum(
    ROUTER,
    "ff02::1",
    bytes.fromhex("86000000404807080000000000000000")
    + bytes.fromhex("0101020000000001")
    + bytes.fromhex("05010000000005dc")
    + bytes.fromhex("030440c000278d0000093a8000000000")
    + socket.inet_pton(socket.AF_INET6, "2001:db8::")
    + bytes.fromhex("1903000000000e10")
    + socket.inet_pton(socket.AF_INET6, "2001:db8::53"),
)
RS = with_checksum(HOST, "ff02::2", bytes.fromhex("85000000000000000101001122334455"))
# MLDv1 Report (RFC 2710 section 3) for ff02::1:3, after a Hop-by-Hop header with Router Alert.
HBH_RA = bytes.fromhex("3a00050200000100")
MLD_REPORT = with_checksum(
    HOST,
    "ff02::1:3",
    bytes.fromhex("8300000000000000") + socket.inet_pton(socket.AF_INET6, "ff02::1:3"),
)
# MLDv2 general query (RFC 3810 section 5.1): Maximum Response Code 10000, QRV 2, QQIC 125.
MLD2_QUERY = with_checksum(
    ROUTER, "ff02::1", bytes.fromhex("8200000027100000") + bytes(16) + bytes.fromhex("027d0000")
)
# MLDv2 report (RFC 3810 section 5.2): CHANGE_TO_EXCLUDE ff02::fb with no source, and
# MODE_IS_INCLUDE ff05::1:3 with source 2001:db8::1 and one word of auxiliary data.
MLD2_REPORT = with_checksum(
    HOST,
    "ff02::16",
    bytes.fromhex("8f00000000000002")
    + bytes.fromhex("04000000")
    + socket.inet_pton(socket.AF_INET6, "ff02::fb")
    + bytes.fromhex("01010001")
    + socket.inet_pton(socket.AF_INET6, "ff05::1:3")
    + socket.inet_pton(socket.AF_INET6, "2001:db8::1")
    + b"aux!",
)
ECHO = with_checksum(HOST, "2001:db8::1", bytes.fromhex("80000000abcd0001") + b"ping6 data")


def decode(data: bytes):
    pkt = assert_reencodes(data)
    assert pkt.checksum_errors() == []
    m = pkt.get_protocol(icmpv6.icmpv6)
    assert m is pkt.protocols[-1]
    return pkt, m


def test_neighbor_solicitation():
    pkt, m = decode(frame(HOST, "ff02::1:ff00:1", NS))
    assert (m.type_, m.code) == (icmpv6.ND_NEIGHBOR_SOLICIT, 0)
    ns = m.data
    assert isinstance(ns, icmpv6.nd_neighbor) and (ns.res, ns.dst) == (0, ROUTER)
    assert isinstance(ns.option, icmpv6.nd_option_sla)
    assert (ns.option.length, ns.option.hw_src, ns.option.data) == (1, "00:11:22:33:44:55", None)


def test_neighbor_advertisement_like_ryu_reply():
    pkt, m = decode(frame(ROUTER, HOST, NA))
    assert m.data.res == 0b011 and m.data.option.hw_src == "02:00:00:00:00:01"
    reply = icmpv6.icmpv6(
        type_=icmpv6.ND_NEIGHBOR_ADVERT,
        data=icmpv6.nd_neighbor(
            res=3, dst=ROUTER, option=icmpv6.nd_option_tla(hw_src="02:00:00:00:00:01")
        ),
    )
    built = build(
        ethernet.ethernet("33:33:00:00:00:01", "00:11:22:33:44:55", ether_types.ETH_TYPE_IPV6),
        ipv6.ipv6(nxt=in_proto.IPPROTO_ICMPV6, src=ROUTER, dst=HOST),
        reply,
    )
    assert built == frame(ROUTER, HOST, NA)


def test_router_advertisement():
    _, m = decode(frame(ROUTER, "ff02::1", RA))
    ra = m.data
    assert (ra.ch_l, ra.res, ra.flags, ra.rou_l, ra.rea_t, ra.ret_t) == (64, 1, 0x08, 1800, 0, 0)
    sla, mtu, pi, other = ra.options
    assert isinstance(sla, icmpv6.nd_option_sla) and sla.hw_src == "02:00:00:00:00:01"
    assert isinstance(mtu, icmpv6.nd_option_mtu) and mtu.mtu == 1500
    assert isinstance(pi, icmpv6.nd_option_pi)
    assert (pi.length, pi.pl, pi.res1, pi.val_l, pi.pre_l, pi.prefix) == (
        4,
        64,
        0b110,
        2592000,
        604800,
        "2001:db8::",
    )
    assert other == RA[16 + 8 + 8 + 32 :] and len(other) == 24


def test_router_solicitation():
    _, m = decode(frame(HOST, "ff02::2", RS))
    assert isinstance(m.data, icmpv6.nd_router_solicit) and m.data.res == 0
    assert m.data.option.hw_src == "00:11:22:33:44:55"


def test_mldv1_report_after_hop_by_hop():
    pkt, m = decode(frame(HOST, "ff02::1:3", MLD_REPORT, 1, HBH_RA))
    ip = pkt.get_protocol(ipv6.ipv6)
    assert ip.ext_hdrs[0].data[0].type_ == ipv6.OPT_ROUTER_ALERT
    assert isinstance(m.data, icmpv6.mld) and type(m.data) is icmpv6.mld
    assert (m.type_, m.data.maxresp, m.data.address) == (131, 0, "ff02::1:3")


def test_mldv2_query_and_report():
    _, m = decode(frame(ROUTER, "ff02::1", MLD2_QUERY, 1))
    q = m.data
    assert isinstance(q, icmpv6.mldv2_query)
    assert (q.maxresp, q.address, q.s_flg, q.qrv, q.qqic, q.num, q.srcs) == (
        10000,
        "::",
        0,
        2,
        125,
        0,
        [],
    )
    _, m = decode(frame(HOST, "ff02::16", MLD2_REPORT, 1))
    r = m.data
    assert isinstance(r, icmpv6.mldv2_report) and r.record_num == 2
    a, b = r.records
    assert (a.type_, a.aux_len, a.num, a.address, a.srcs, a.aux) == (
        icmpv6.CHANGE_TO_EXCLUDE_MODE,
        0,
        0,
        "ff02::fb",
        [],
        None,
    )
    assert (b.type_, b.aux_len, b.num, b.address, b.srcs, b.aux) == (
        icmpv6.MODE_IS_INCLUDE,
        1,
        1,
        "ff05::1:3",
        ["2001:db8::1"],
        b"aux!",
    )
    again = icmpv6.mldv2_report(
        records=[
            icmpv6.mldv2_report_group(icmpv6.CHANGE_TO_EXCLUDE_MODE, address="ff02::fb"),
            icmpv6.mldv2_report_group(
                icmpv6.MODE_IS_INCLUDE, address="ff05::1:3", srcs=["2001:db8::1"], aux=b"aux!"
            ),
        ]
    )
    assert again.serialize() == MLD2_REPORT[4:]


def test_echo():
    _, m = decode(frame(HOST, "2001:db8::1", ECHO, 64))
    assert isinstance(m.data, icmpv6.echo)
    assert (m.data.id, m.data.seq, m.data.data) == (0xABCD, 1, b"ping6 data")


def test_checksum_detects_change():
    bad = bytearray(frame(HOST, "2001:db8::1", ECHO, 64))
    bad[-1] ^= 1
    pkt = packet.Packet(bytes(bad))
    assert pkt.checksum_errors() == [pkt.get_protocol(icmpv6.icmpv6)]
    # A different source address changes the pseudo-header, so the sum too.
    other = frame("fe80::2", "2001:db8::1", ECHO, 64)
    assert packet.Packet(other).checksum_errors() != []


def test_bodies_that_do_not_fit_stay_raw():
    # A Neighbor Solicitation shorter than its Target Address, an MLDv1 message
    # with 2 stray bytes, an unknown type, NS reserved bits set (RFC 4861
    # section 4.3: sender must zero them), and an RA with an option of length 0.
    for data in (
        bytes.fromhex("87001234") + bytes(10),
        bytes.fromhex("83001234") + bytes(22),
        bytes.fromhex("c8001234") + b"unknown",
        bytes.fromhex("88001234") + bytes.fromhex("00000001") + bytes(16),
        bytes.fromhex("86001234") + bytes(12) + bytes.fromhex("0500000000000000"),
    ):
        m, _, _ = icmpv6.icmpv6.parser(data)
        assert isinstance(m.data, bytes) and bytes(m.serialize(bytearray(), None)) == data
    # A lone 2-byte option stays raw inside the solicitation, as in Ryu.
    data = bytes.fromhex("87001234") + bytes(20) + b"\x01\x00"
    m, _, _ = icmpv6.icmpv6.parser(data)
    assert m.data.option == b"\x01\x00" and bytes(m.serialize(bytearray(), None)) == data
    with pytest.raises(PacketTruncatedError):
        icmpv6.icmpv6.parser(b"\x80\x00\x00")


def test_ra_bad_option_kept_raw():
    # A Prefix Information option of length 1 cannot hold its fields: raw bytes.
    ra = bytes.fromhex("86000000400007080000000000000000") + bytes.fromhex("0301400000000000")
    m, _, _ = icmpv6.icmpv6.parser(ra)
    assert m.data.options == [bytes.fromhex("0301400000000000")]


def test_option_lengths_computed():
    assert icmpv6.nd_option_sla(hw_src="00:00:00:00:00:01").serialize() == bytes.fromhex(
        "0101000000000001"
    )
    assert icmpv6.nd_option_tla(hw_src="00:00:00:00:00:01", data=b"xy").serialize() == (
        bytes.fromhex("0202000000000001") + b"xy" + bytes(6)
    )
    pi = icmpv6.nd_option_pi(pl=64, res1=4, val_l=1, pre_l=2, prefix="2001:db8::").serialize()
    assert pi[:8] == bytes.fromhex("0304408000000001") and len(pi) == 32
    assert icmpv6.nd_option_mtu(mtu=9000).serialize() == bytes.fromhex("0501000000002328")


def test_str_and_json():
    msgs = [
        icmpv6.icmpv6(128, 0, 0, icmpv6.echo(1, 2, b"x")),
        icmpv6.icmpv6(
            135,
            0,
            0,
            icmpv6.nd_neighbor(0, "fe80::1", icmpv6.nd_option_sla(1, "00:11:22:33:44:55")),
        ),
        icmpv6.icmpv6(133, 0, 0, icmpv6.nd_router_solicit(0, b"\x0e\x01nonce!")),
        icmpv6.icmpv6(
            134,
            0,
            0,
            icmpv6.nd_router_advert(
                64,
                1,
                1800,
                0,
                0,
                [
                    icmpv6.nd_option_pi(4, 64, 6, 1, 2, 0, "2001:db8::"),
                    icmpv6.nd_option_mtu(1, 0, 1280),
                    b"\x19\x01\x00\x00\x00\x00\x00\x00",
                ],
                8,
            ),
        ),
        icmpv6.icmpv6(130, 0, 0, icmpv6.mld(1000, "ff02::1")),
        icmpv6.icmpv6(130, 0, 0, icmpv6.mldv2_query(1000, "ff02::1", 1, 3, 60, 0, ["2001:db8::1"])),
        icmpv6.icmpv6(
            143,
            0,
            0,
            icmpv6.mldv2_report(
                0, [icmpv6.mldv2_report_group(1, 0, 0, "ff05::2", ["2001:db8::9"], b"abcd")]
            ),
        ),
    ]
    assert str(msgs[0]) == "icmpv6(code=0,csum=0,data=echo(data=b'x',id=1,seq=2),type=128)"
    for m in msgs:
        assert_json_roundtrip(m)
        assert icmpv6.icmpv6.from_jsondict(m.to_jsondict()["icmpv6"]) == m
        data = bytes(m.serialize(bytearray(), None))
        decoded = icmpv6.icmpv6.parser(data)[0].data
        assert type(decoded) is type(m.data) and decoded.serialize() == m.data.serialize()


def test_registered():
    assert ipv6.ipv6.get_packet_type(in_proto.IPPROTO_ICMPV6) is icmpv6.icmpv6


def random_addr(rng: random.Random) -> str:
    return socket.inet_ntop(socket.AF_INET6, rng.randbytes(16))


def random_mac(rng: random.Random) -> str:
    return rng.randbytes(6).hex(":")


def random_option(rng: random.Random) -> icmpv6.nd_option:
    kind = rng.randrange(4)
    if kind == 0:
        return icmpv6.nd_option_sla(0, random_mac(rng))
    if kind == 1:
        return icmpv6.nd_option_tla(0, random_mac(rng))
    if kind == 2:
        u32 = 2**32 - 1
        return icmpv6.nd_option_pi(
            0,
            edge(rng, 128),
            edge(rng, 7),
            edge(rng, u32),
            edge(rng, u32),
            edge(rng, u32),
            random_addr(rng),
        )
    return icmpv6.nd_option_mtu(0, edge(rng, 0xFFFF), edge(rng, 2**32 - 1))


def random_body(rng: random.Random) -> tuple[int, object]:
    kind = rng.randrange(7)
    la = icmpv6.nd_option_sla(0, random_mac(rng)) if rng.random() < 0.5 else None
    if kind == 0:
        data = rng.randbytes(rng.randint(1, 20))
        return rng.choice((128, 129)), icmpv6.echo(edge(rng, 0xFFFF), edge(rng, 0xFFFF), data)
    if kind == 1:
        return rng.choice((135, 136)), icmpv6.nd_neighbor(edge(rng, 7), random_addr(rng), la)
    if kind == 2:
        return 133, icmpv6.nd_router_solicit(edge(rng, 2**32 - 1), la)
    if kind == 3:
        options = [random_option(rng) for _ in range(rng.randint(0, 3))]
        return 134, icmpv6.nd_router_advert(
            edge(rng, 255),
            edge(rng, 3),
            edge(rng, 0xFFFF),
            edge(rng, 2**32 - 1),
            edge(rng, 2**32 - 1),
            options,
            edge(rng, 63),
        )
    if kind == 4:
        return rng.choice((131, 132)), icmpv6.mld(edge(rng, 0xFFFF), random_addr(rng))
    if kind == 5:
        srcs = [random_addr(rng) for _ in range(rng.randint(0, 2))]
        return 130, icmpv6.mldv2_query(
            edge(rng, 0xFFFF),
            random_addr(rng),
            rng.randint(0, 1),
            edge(rng, 7),
            edge(rng, 255),
            0,
            srcs,
        )
    records = [
        icmpv6.mldv2_report_group(
            rng.randint(1, 6),
            0,
            0,
            random_addr(rng),
            [random_addr(rng) for _ in range(rng.randint(0, 2))],
            rng.randbytes(4 * rng.randint(0, 2)) or None,
        )
        for _ in range(rng.randint(0, 3))
    ]
    return 143, icmpv6.mldv2_report(0, records)


def random_frame(rng: random.Random) -> bytes:
    type_, body = random_body(rng)
    return build(
        ethernet.ethernet(ethertype=ether_types.ETH_TYPE_IPV6),
        ipv6.ipv6(nxt=58, src=random_addr(rng)),
        icmpv6.icmpv6(type_, edge(rng, 255), 0, body),
    )


@given(frames_from(random_frame))
def test_frames_reencode_and_checksum(data):
    pkt = assert_reencodes(data)
    assert pkt.checksum_errors() == []
    m = pkt.get_protocol(icmpv6.icmpv6)
    assert not isinstance(m.data, bytes)
    ip = pkt.get_protocol(ipv6.ipv6)
    assert with_checksum(ip.src, ip.dst, data[54:]) == data[54:]


@given(st.binary(max_size=80))
def test_random_bytes(data):
    result = parse_or_documented_error(icmpv6.icmpv6, data)
    if result is not None and result[0].csum:  # a zero checksum is recomputed
        assert bytes(result[0].serialize(bytearray(), None)) == data
    for type_ in (128, 130, 131, 133, 134, 135, 136, 143):
        m = parse_or_documented_error(icmpv6.icmpv6, bytes((type_, 0, 1, 1)) + data)
        assert bytes(m[0].serialize(bytearray(), None)) == bytes((type_, 0, 1, 1)) + data


@given(mutated_frames_from(random_frame))
def test_mutated_frames(data):
    pkt = decode_never_raises(data)
    pkt.checksum_errors()
