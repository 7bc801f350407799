"""Internet checksum (RFC 1071) and the IPv6 pseudo-header's destination (RFC 8200 §8.1)."""

import struct

from ctrlapp.lib.packet import in_proto, ipv6, udp
from ctrlapp.lib.packet.checksum import checksum
from tests.support.packet_contract import build


def test_rfc1071_example():
    # RFC 1071 §3 sums 00 01 f2 03 f4 f5 f6 f7 to ddf2; the checksum is its complement.
    assert checksum(bytes.fromhex("0001f203f4f5f6f7")) == 0xFFFF - 0xDDF2


def _ref_sum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\x00"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return (~total) & 0xFFFF


def test_udp_over_ipv6_with_routing_header_uses_final_destination():
    final = "2001:db8::99"
    rh = ipv6.routing_type3(in_proto.IPPROTO_UDP, 0, 3, 1, 0, 0, [final])
    ip = ipv6.ipv6(
        nxt=in_proto.IPPROTO_ROUTING, src="2001:db8::1", dst="2001:db8::2", ext_hdrs=[rh]
    )
    frame = build(ip, udp.udp(1000, 2000), b"payload")
    seg = frame[40 + len(rh.serialize()) :]
    pseudo = (
        bytes.fromhex("20010db8000000000000000000000001")
        + bytes.fromhex("20010db8000000000000000000000099")
        + struct.pack("!I3xB", len(seg), in_proto.IPPROTO_UDP)
    )
    assert _ref_sum(pseudo + seg) in (0, 0xFFFF)  # a correct checksum sums to zero
