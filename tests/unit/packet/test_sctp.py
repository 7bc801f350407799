"""SCTP (RFC 9260 and extensions): worked examples, RFC vectors, every class, bad input.

``sample_chunks(k)`` builds one instance of every chunk class, carrying every
parameter and error cause class; the property and Wireshark tests reuse it.
"""

import crc32c
import pytest

from ctrlapp.lib.packet import ethernet, ipv4, ipv6, packet, sctp, sctp_chunks, sctp_params
from ctrlapp.lib.packet.errors import PacketFieldError, PacketParseError, PacketTruncatedError
from tests.support.packet_contract import assert_json_roundtrip, assert_reencodes, build

# The SACK packet decoded by hand in chapter 1 of the SCTP book
# (seeds/003, "An example of common header and chunks encoding"), with the
# values Wireshark shows for it.
BOOK_SACK = bytes.fromhex("115cc66888e5e376883432df030000108a70484a00019ffa00000000")
# The same packet as captured (Linux cooked capture stripped): IPv4 header first.
BOOK_SACK_IPV4 = bytes.fromhex("4502003054a840004084e79d7f0000017f000001") + BOOK_SACK
# Chapter 2 of the book: the INIT that opens the association (frame 1), the
# COOKIE ACK and a later SACK (frame 6), SCTP part only.
BOOK_INIT = bytes.fromhex(
    "dba7115c000000001d06220d"
    "0100003408fe21320001a000000affffd330d3ad"
    "000500087f000001"
    "00050008c0a80a04"
    "000c000600050000"
    "80000004"
    "c0000004"
)
BOOK_COOKIE_ACK = bytes.fromhex("115cdba708fe21329d23aa7b0b000004")
BOOK_SACK2 = bytes.fromhex("115cdba708fe2132c194eff603000010d330d3ad00019ffa00000000")


def sample_params(k: int = 0) -> list:
    """One instance of every parameter class (k varies the values)."""
    return [
        sctp.param_heartbeat(bytes(range(k, k + 9))),
        sctp.param_ipv4(f"192.0.2.{k + 1}"),
        sctp.param_ipv6(f"2001:db8::{k + 1:x}"),
        sctp.param_state_cookie(b"cookie" * (k + 1)),
        sctp.param_unrecognized_param(bytes.fromhex("80ff0005aa")),
        sctp.param_cookie_preserve(1000 * k + 1),
        sctp.param_host_addr(b"host.example\x00"),
        sctp.param_supported_addr([5, 6, 11][: (k % 3) + 1]),
        sctp.param_ecn(),
        sctp.param_forward_tsn_supported(),
        sctp.param_random(bytes(range(32))),
        sctp.param_chunk_list([0, 3, 15][: (k % 3) + 1]),
        sctp.param_hmac_algo([1, 3][: (k % 2) + 1]),
        sctp.param_padding(bytes(k + 3)),
        sctp.param_supported_ext([0x80, 0xC1, 0x82, 0xC0][: (k % 4) + 1]),
        sctp.param_adaptation_layer(0x01020304 + k),
        sctp.param_add_ip(7 + k, sctp.param_ipv4("198.51.100.7")),
        sctp.param_del_ip(8 + k, sctp.param_ipv6("2001:db8::8")),
        sctp.param_set_primary(9 + k, sctp.param_ipv4("198.51.100.9")),
        sctp.param_success_ind(10 + k),
        sctp.param_error_cause_ind(11 + k, [sctp.cause_invalid_param()]),
        sctp.param_out_ssn_reset_req(1 + k, 2, 3, [1, 2, 3][: k % 4]),
        sctp.param_in_ssn_reset_req(4 + k, [5][: k % 2]),
        sctp.param_ssn_tsn_reset_req(6 + k),
        sctp.param_reconfig_resp(7 + k, 1),
        sctp.param_reconfig_resp(8 + k, 0, 100, 200),
        sctp.param_add_out_streams_req(9 + k, 10),
        sctp.param_add_in_streams_req(11 + k, 12),
        sctp.param_unknown(0xC123, b"\x01\x02\x03" * (k + 1)),
    ]


def sample_causes(k: int = 0) -> list:
    """One instance of every error cause class."""
    return [
        sctp.cause_invalid_stream_id(3 + k),
        sctp.cause_missing_param([7, 9, 12][: (k % 3) + 1]),
        sctp.cause_stale_cookie((1500 + k).to_bytes(4, "big")),
        sctp.cause_out_of_resource(),
        sctp.cause_unresolvable_addr(sctp.param_ipv4("203.0.113.5")),
        sctp.cause_unrecognized_chunk(bytes.fromhex("ff000005ee")),
        sctp.cause_invalid_param(),
        sctp.cause_unrecognized_param(bytes.fromhex("c1230008aabbccdd")),
        sctp.cause_no_userdata((4000 + k).to_bytes(4, "big")),
        sctp.cause_cookie_while_shutdown(),
        sctp.cause_restart_with_new_addr(
            [sctp.param_ipv4("203.0.113.6"), sctp.param_ipv6("2001:db8::6")]
        ),
        sctp.cause_user_initiated_abort(b"bye" * (k + 1)),
        sctp.cause_protocol_violation(b"bad TSN!"[: k + 5]),
        sctp.cause_delete_last_addr(sctp.param_del_ip(1, sctp.param_ipv4("1.2.3.4")).serialize()),
        sctp.cause_resource_shortage(sctp.param_add_ip(2, sctp.param_ipv4("1.2.3.5")).serialize()),
        sctp.cause_delete_source_addr(sctp.param_del_ip(3, sctp.param_ipv4("1.2.3.6")).serialize()),
        sctp.cause_illegal_asconf_ack(),
        sctp.cause_no_authorization(
            sctp.param_set_primary(4, sctp.param_ipv4("1.2.3.7")).serialize()
        ),
        sctp.cause_unsupported_hmac(2 + k),
        sctp.cause_unknown(0x0777, b"xyz"),
    ]


def sample_chunks(k: int = 0) -> list:
    """One instance of every chunk class, together carrying every parameter and cause."""
    params = sample_params(k)
    causes = sample_causes(k)
    init_params = [p for p in params if p.param_type() < 13 or p.param_type() in (0x8000, 0xC000)]
    other_params = [p for p in params if p not in init_params]
    return [
        sctp.chunk_data(k & 1, 1, (k >> 1) & 1, 0, 1000 + k, k, 2 * k, 46 + k, b"hello"[: k + 1]),
        sctp.chunk_data(0, 0, 1, 0, 77, 1, 2, 0, b"x" * 8, immediate=1),
        sctp.chunk_init(0, 0, 0x1234 + k, 65536, 10, 65535, 3543192493, init_params),
        sctp.chunk_init_ack(0, 0, 0x5678 + k, 106496, 5, 5, 99, [params[3], params[8]]),
        sctp.chunk_sack(0, 0, 2322614346 + k, 106490, 0, 0, [[2, 3], [10, 12]][: k % 3], [9] * k),
        sctp.chunk_heartbeat(0, 0, params[0]),
        sctp.chunk_heartbeat_ack(0, 0, sctp.param_heartbeat(b"\x00" * (k + 4))),
        sctp.chunk_abort(k & 1, 0, causes[: len(causes) // 2]),
        sctp.chunk_shutdown(0, 0, 123456 + k),
        sctp.chunk_shutdown_ack(),
        sctp.chunk_error(0, 0, causes[len(causes) // 2 :]),
        sctp.chunk_cookie_echo(0, 0, b"\xaa" * (k + 5)),
        sctp.chunk_cookie_ack(),
        sctp.chunk_ecn_echo(0, 0, 555 + k),
        sctp.chunk_cwr(0, 0, 556 + k),
        sctp.chunk_shutdown_complete(k & 1),
        sctp.chunk_auth(0, 0, k, 1, bytes(range(20))),
        sctp.chunk_idata(0, 1, 1, 0, 2000 + k, 3, 40 + k, 51, 0, b"idata" * (k + 1)),
        sctp.chunk_idata(1, 0, 0, 0, 2001 + k, 3, 41 + k, 0, 2 + k, b"frag"),
        sctp.chunk_asconf(0, 0, 31 + k, [sctp.param_ipv4("192.0.2.1")] + other_params[10:13]),
        sctp.chunk_asconf_ack(0, 0, 31 + k, [other_params[13], other_params[14]]),
        sctp.chunk_reconfig(0, 0, [p for p in other_params if 13 <= p.param_type() <= 18][:2]),
        sctp.chunk_reconfig(0, 0, [p for p in other_params if 13 <= p.param_type() <= 18][2:4]),
        sctp.chunk_reconfig(0, 0, [p for p in other_params if 13 <= p.param_type() <= 18][4:]),
        sctp.chunk_pad(0, 0, bytes(4 * k + 2)),
        sctp.chunk_forward_tsn(0, 0, 4242 + k, [[1, 2], [3, 4]][: k % 3]),
        sctp.chunk_iforward_tsn(0, 0, 4343 + k, [[1, 1, 5], [2, 0, 6]][: k % 3]),
        sctp.chunk_unknown(0xFE, 0x5A, 0, b"unknown" + bytes(k)),
        sctp.chunk_unknown(0x3F, 0, 0, b""),
        sctp.chunk_init(0, 0, 1, 2, 3, 4, 5, other_params[:10] + other_params[-1:]),
    ]


def sctp_frame(s: sctp.sctp, src: str = "192.0.2.1", dst: str = "192.0.2.2") -> bytes:
    return build(
        ethernet.ethernet("02:00:00:00:00:02", "02:00:00:00:00:01"),
        ipv4.ipv4(proto=132, src=src, dst=dst),
        s,
    )


# -- (a) the book's worked examples ------------------------------------------


def test_book_sack_every_field():
    s, next_cls, rest = sctp.sctp.parser(BOOK_SACK)
    assert (s.src_port, s.dst_port, s.vtag, s.csum) == (4444, 50792, 0x88E5E376, 0x883432DF)
    assert next_cls is None and rest == b""
    (c,) = s.chunks
    assert isinstance(c, sctp.chunk_sack) and c.chunk_type() == 3 == sctp.TYPE_SACK
    assert (c.flags, c.length, c.tsn_ack, c.a_rwnd) == (0, 16, 2322614346, 106490)
    assert (c.gapack_num, c.duptsn_num, c.gapacks, c.duptsns) == (0, 0, [], [])
    assert s.checksum_ok(BOOK_SACK, None) is True
    assert s.serialize(b"", None) == BOOK_SACK
    # csum=0 recomputes the CRC32C; the book's bytes prove its byte order.
    assert sctp.sctp(4444, 50792, 0x88E5E376, 0, [c]).serialize(b"", None) == BOOK_SACK


def test_book_sack_in_ipv4():
    pkt = packet.Packet(BOOK_SACK_IPV4, parse_cls=ipv4.ipv4)
    assert pkt.parse_error is None
    ip, s = pkt.protocols
    assert ip.proto == 132 and ip.src == ip.dst == "127.0.0.1"
    assert s.chunks[0].tsn_ack == 2322614346
    assert_reencodes(BOOK_SACK_IPV4, ipv4.ipv4)


def test_book_init():
    s, _, _ = sctp.sctp.parser(BOOK_INIT)
    assert (s.src_port, s.dst_port, s.vtag, s.csum) == (56231, 4444, 0, 0x1D06220D)
    assert s.checksum_ok(BOOK_INIT, None)
    (c,) = s.chunks
    assert isinstance(c, sctp.chunk_init)
    assert (c.flags, c.length, c.init_tag, c.a_rwnd, c.os, c.mis, c.i_tsn) == (
        0,
        52,
        0x08FE2132,
        106496,
        10,
        65535,
        3543192493,
    )
    assert [type(p) for p in c.params] == [
        sctp.param_ipv4,
        sctp.param_ipv4,
        sctp.param_supported_addr,
        sctp.param_ecn,
        sctp.param_forward_tsn_supported,
    ]
    assert [p.value for p in c.params[:3]] == ["127.0.0.1", "192.168.10.4", [5]]
    # Supported Address Types with one type: length 6, two bytes of padding.
    assert c.params[2].length == 6 and len(c.params[2]) == 8
    assert s.serialize(b"", None) == BOOK_INIT
    s.csum = 0
    for p in c.params:
        p.length = 0
    c.length = 0
    assert s.serialize(b"", None) == BOOK_INIT


def test_book_cookie_ack_and_second_sack():
    for data, ctype in ((BOOK_COOKIE_ACK, sctp.chunk_cookie_ack), (BOOK_SACK2, sctp.chunk_sack)):
        s, _, _ = sctp.sctp.parser(data)
        assert type(s.chunks[0]) is ctype and s.vtag == 0x08FE2132
        assert s.checksum_ok(data, None)
        s.csum = 0
        assert s.serialize(b"", None) == data
    assert sctp.sctp.parser(BOOK_SACK2)[0].chunks[0].tsn_ack == 3543192493


# -- (b) RFC vectors -----------------------------------------------------------


@pytest.mark.parametrize(
    "content, crc",
    [
        # RFC 3720 B.4: the CRC32C examples, CRC bytes in transmission order.
        (bytes(32), "aa36918a"),
        (b"\xff" * 32, "43aba862"),
        (bytes(range(32)), "4e79dd46"),
        (bytes(range(31, -1, -1)), "5cdb3f11"),
    ],
)
def test_crc32c_vectors_and_byte_order(content, crc):
    assert crc32c.crc32c(content).to_bytes(4, "little") == bytes.fromhex(crc)
    # checksum_ok zeroes bytes 8..11 before computing: a "packet" of 32 zero
    # bytes carrying the first vector's CRC there verifies.
    if content == bytes(32):
        buf = bytes(8) + bytes.fromhex(crc) + bytes(20)
        assert sctp.sctp().checksum_ok(buf, None)
        assert not sctp.sctp().checksum_ok(bytes(8) + bytes.fromhex(crc)[::-1] + bytes(20), None)


def test_rfc9260_chunk_length_excludes_padding():
    # RFC 9260 3.2: a 5-byte DATA payload gives length 21 and 3 bytes of padding,
    # the last chunk of the packet included.
    s = sctp.sctp(1, 2, 3, 0, [sctp.chunk_data(payload_data=b"hello")] * 2)
    data = s.serialize(b"", None)
    assert len(data) == 12 + 24 + 24
    assert data[12 + 2 : 12 + 4] == b"\x00\x15" and data[12 + 21 : 12 + 24] == bytes(3)
    assert data[-3:] == bytes(3)
    again = sctp.sctp.parser(data)[0]
    assert [c.payload_data for c in again.chunks] == [b"hello", b"hello"]


def test_last_parameter_padding_left_out_of_chunk_length():
    # RFC 9260 3.2: the chunk length includes the padding of every parameter
    # except the last; a receiver accepts either form.
    c = sctp.chunk_init(params=[sctp.param_supported_addr([5]), sctp.param_supported_addr([6])])
    data = c.serialize()
    assert data[2:4] == (20 + 8 + 6).to_bytes(2, "big") and len(data) == 20 + 16
    padded_length = data[:2] + (20 + 16).to_bytes(2, "big") + data[4:]
    for form in (data, padded_length):
        d = sctp.chunk.parser(form)
        assert [p.value for p in d.params] == [[5], [6]]
        assert d.serialize() == form


def test_data_chunk_flags_rfc9260_and_rfc7053():
    c = sctp.chunk_data(unordered=1, begin=1, end=0, tsn=1, payload_data=b"abcd", immediate=1)
    assert c.serialize()[1] == 0x0E
    d = sctp.chunk.parser(bytes.fromhex("0003001400000001000200030000002e") + b"abcd")
    assert (d.unordered, d.begin, d.end, d.immediate) == (0, 1, 1, 0)
    assert (d.tsn, d.sid, d.seq, d.payload_id, d.payload_data) == (1, 2, 3, 46, b"abcd")


def test_idata_ppid_and_fsn_share_a_word():
    first = sctp.chunk_idata(begin=1, tsn=5, sid=1, mid=9, payload_id=51, payload_data=b"a")
    later = sctp.chunk_idata(begin=0, tsn=6, sid=1, mid=9, fsn=1, payload_data=b"b")
    assert first.serialize()[16:20] == (51).to_bytes(4, "big")
    assert later.serialize()[16:20] == (1).to_bytes(4, "big")
    d = sctp.chunk.parser(later.serialize())
    assert (d.payload_id, d.fsn, d.mid) == (0, 1, 9)


def test_unknown_chunk_and_param_action_bits():
    # RFC 9260 3.2 / 3.2.1: 00 stop, 01 stop+report, 10 skip, 11 skip+report.
    expect = {0x3F: (False, False), 0x7F: (False, True), 0xBF: (True, False), 0xFF: (True, True)}
    for ctype, (skip, report) in expect.items():
        data = bytes([ctype, 0xA5, 0, 6]) + b"\x01\x02\x00\x00"
        c = sctp.chunk.parser(data)
        assert type(c) is sctp.chunk_unknown
        assert (c.type_, c.flags, c.value, c.skip, c.report) == (
            ctype,
            0xA5,
            b"\x01\x02",
            skip,
            report,
        )
        assert c.serialize() == data
        p = sctp.param.parser(bytes([ctype, 0x77, 0, 5, 9, 0, 0, 0]))
        assert type(p) is sctp.param_unknown and (p.skip, p.report) == (skip, report)
        assert p.type_ == (ctype << 8) | 0x77 and p.value == b"\x09"


def test_sack_gap_blocks_and_duplicates():
    c = sctp.chunk_sack(tsn_ack=100, a_rwnd=4096, gapacks=[[2, 3], [10, 12]], duptsns=[97, 98])
    data = c.serialize()
    assert data[:16] == bytes.fromhex("03000020000000640000100000020002")
    assert data[16:] == bytes.fromhex("00020003000a000c0000006100000062")
    d = sctp.chunk.parser(data)
    assert (d.gapack_num, d.duptsn_num, d.gapacks, d.duptsns) == (
        2,
        2,
        [[2, 3], [10, 12]],
        [97, 98],
    )


def test_reconfig_response_optional_tsns():
    short = sctp.param_reconfig_resp(1, sctp.RECONFIG_RESULT_SUCCESS_PERFORMED)
    long = sctp.param_reconfig_resp(1, 1, 0x10, 0x20)
    assert short.serialize() == bytes.fromhex("0010000c0000000100000001")
    assert long.serialize()[2:4] == b"\x00\x14"
    assert sctp.param.parser(long.serialize()).receiver_next_tsn == 0x20


# -- (c) every class: encode -> decode -> encode, str, JSON ------------------


@pytest.mark.parametrize("k", [0, 1, 2, 3])
def test_every_chunk_roundtrip(k):
    for c in sample_chunks(k):
        data = c.serialize()
        assert len(data) % 4 == 0 and len(c) == len(data)
        d = sctp.chunk.parser(data)
        assert type(d) is type(c)
        assert d.serialize() == data, type(c).__name__
        assert str(d).startswith(type(c).__name__ + "(")
        assert_json_roundtrip(d)
        assert (
            sctp.chunk.parser(type(d).from_jsondict(d.to_jsondict()[type(d).__name__]).serialize())
            == d
        )


@pytest.mark.parametrize("k", [0, 1, 2])
def test_every_param_and_cause_roundtrip(k):
    for item in sample_params(k) + sample_causes(k):
        base = sctp.param if isinstance(item, sctp.param) else sctp.cause
        data = item.serialize()
        assert len(data) % 4 == 0 and len(item) == len(data)
        d = base.parser(data)
        assert type(d) is type(item) and d.serialize() == data
        assert_json_roundtrip(d)
        str(d)


def test_every_class_covered():
    chunks = {type(c) for c in sample_chunks()}
    assert chunks == set(sctp_chunks.CHUNK_CLASSES) | {sctp.chunk_unknown}
    seen = set()

    def walk(obj):
        seen.add(type(obj))
        for name in ("params", "causes", "value", "address", "info"):
            v = getattr(obj, name, None)
            for x in v if isinstance(v, list) else [v]:
                if isinstance(x, (sctp.param, sctp.cause)):
                    walk(x)

    for c in sample_chunks():
        walk(c)
    expected = set(sctp_params.PARAM_CLASSES) | set(sctp_params.CAUSE_CLASSES)
    assert expected | {sctp.param_unknown, sctp.cause_unknown} <= seen


def test_whole_packet_roundtrip_through_ethernet_ipv4():
    s = sctp.sctp(40000, 40001, 0xDEADBEEF, 0, sample_chunks(1))
    frame = sctp_frame(s)
    pkt = assert_reencodes(frame)
    got = pkt.get_protocol(sctp.sctp)
    assert [c.serialize() for c in got.chunks] == [c.serialize() for c in s.chunks]
    assert got.vtag == 0xDEADBEEF and len(got.chunks) == len(s.chunks)
    assert got.checksum_ok(frame[34:], pkt.get_protocol(ipv4.ipv4))
    assert pkt.checksum_errors() == []
    assert_json_roundtrip(got)
    assert len(got) == len(frame) - 34


def test_whole_packet_through_ipv6():
    s = sctp.sctp(5000, 5001, 42, 0, [sctp.chunk_heartbeat(info=sctp.param_heartbeat(b"hb"))])
    frame = build(
        ethernet.ethernet("02:00:00:00:00:02", "02:00:00:00:00:01", 0x86DD),
        ipv6.ipv6(nxt=132, src="2001:db8::1", dst="2001:db8::2"),
        s,
    )
    pkt = assert_reencodes(frame)
    got = pkt.get_protocol(sctp.sctp)
    assert got.chunks[0].info.value == b"hb" and got.checksum_ok(frame[54:], None)
    assert pkt.checksum_errors() == []


def test_short_frame_checksum_ignores_ethernet_padding():
    s = sctp.sctp(1, 2, 3, 0, [sctp.chunk_cookie_ack()])
    frame = sctp_frame(s)
    assert len(frame) == 60  # 50 bytes padded to the Ethernet minimum
    pkt = packet.Packet(frame)
    got = pkt.get_protocol(sctp.sctp)
    assert got.checksum_ok(frame[34:], pkt.get_protocol(ipv4.ipv4))
    assert not got.checksum_ok(frame[34:], None)  # the padding is not part of the SCTP packet
    assert pkt.checksum_errors() == []


def test_bad_checksum_detected():
    bad = bytearray(BOOK_SACK)
    bad[20] ^= 1
    s = sctp.sctp.parser(bytes(bad))[0]
    assert s.checksum_ok(bytes(bad), None) is False


def test_explicit_csum_and_length_kept():
    s = sctp.sctp(1, 2, 3, 0x01020304, [sctp.chunk_cookie_ack(length=4)])
    assert s.serialize(b"", None)[8:12] == bytes.fromhex("01020304")
    # Encoding does not change the object ("0 means compute" stays 0).
    s2 = sctp.sctp(chunks=[sctp.chunk_data(payload_data=b"z")])
    s2.serialize(b"", None)
    assert s2.csum == 0 and s2.chunks[0].length == 0


def test_ryu_style_api():
    # As in Ryu: classes and constants on the sctp module, list defaults, value wrapping.
    assert sctp.chunk_init().params == [] and sctp.sctp().chunks == []
    assert sctp.cause_restart_with_new_addr(sctp.param_ipv4("1.1.1.1")).value[0].value == "1.1.1.1"
    assert sctp.TYPE_INIT_ACK == 2 and sctp.PTYPE_ECN == 0x8000 and sctp.CCODE_NO_USERDATA == 9
    assert sctp.param_ipv4.param_type() == 5 and sctp.cause_invalid_param.cause_code() == 7
    assert sctp.chunk_heartbeat(info=sctp.param_heartbeat(b"\x01")).serialize() == bytes.fromhex(
        "040000090001000501000000"
    )


# -- bad input ----------------------------------------------------------------

HDR = BOOK_SACK[:12]


@pytest.mark.parametrize(
    "body, error",
    [
        (bytes.fromhex("0b000000"), PacketFieldError),  # chunk length 0
        (bytes.fromhex("0b000003"), PacketFieldError),  # chunk length below 4
        (bytes.fromhex("0b000008"), PacketTruncatedError),  # runs past the packet
        (bytes.fromhex("0b000004") + bytes.fromhex("0e00"), PacketTruncatedError),  # 2 stray bytes
        (bytes.fromhex("0003000c00000001000000020b000004"), PacketFieldError),  # DATA < 16
        (bytes.fromhex("0b000008") + bytes(4), PacketFieldError),  # COOKIE ACK must be 4
        (bytes.fromhex("0300001400000001000000000002000000020003"), PacketFieldError),  # SACK count
        # INIT with a parameter of length 0, and one running past the chunk.
        (bytes.fromhex("01000018" + "00" * 16 + "00050000"), PacketFieldError),
        (bytes.fromhex("01000018" + "00" * 16 + "00050008"), PacketTruncatedError),
        # IPv4 Address parameter of length 6.
        (bytes.fromhex("0100001a" + "00" * 16 + "00050006c0a80000"), PacketFieldError),
        # ABORT with a cause of length 2.
        (bytes.fromhex("0600000800010002"), PacketFieldError),
    ],
)
def test_malformed_raises_documented_error(body, error):
    with pytest.raises(error):
        sctp.sctp.parser(HDR + body)
    pkt = packet.Packet(HDR + body, parse_cls=sctp.sctp)
    assert isinstance(pkt.parse_error, PacketParseError) and pkt.protocols == [HDR + body]


def test_data_without_user_data_decodes_empty():
    # RFC 9260 6.2: a DATA chunk of length 16 has no user data; it is kept
    # (payload_data b"") so that a monitor can see and report it.
    data = HDR + bytes.fromhex("0003001000000005000100020000000a")
    (c,) = sctp.sctp.parser(data)[0].chunks
    assert (c.tsn, c.sid, c.seq, c.payload_id, c.payload_data, c.length) == (5, 1, 2, 10, b"", 16)
    assert c.serialize() == data[12:]


def test_short_header_and_chunk_parsers():
    for n in range(12):
        with pytest.raises(PacketTruncatedError):
            sctp.sctp.parser(BOOK_SACK[:n])
    assert sctp.sctp.parser(HDR)[0].chunks == []
    for cls in (sctp.chunk, sctp.chunk_data, sctp.param, sctp.cause, sctp.param_ipv4):
        with pytest.raises(PacketParseError):
            cls.parser(b"")
        with pytest.raises(PacketParseError):
            cls.parser(b"\x00\x05\x00")
