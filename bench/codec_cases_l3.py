"""VLAN/IP/ICMP cases of bench/packet_codec.py: tagged ICMP echo, ICMPv6 Neighbor Solicitation, MPLS.

Each case holds one frame and, per library, a callable that decodes it fully
and one that builds it again from objects with lengths and checksums left to
the library.  At import the encoders' outputs are compared with the frame, so
every library is timed producing the same bytes.

How each library is made to do the same work:

* ctrlapp and os-ken: ``Packet(frame)`` decodes every layer they know;
  encoding is ``Packet()``, ``add_protocol()`` per header, ``serialize()``.
* dpkt: ``dpkt.ethernet.Ethernet(frame)`` decodes 802.1Q tags, MPLS labels,
  IPv4, IPv6, ICMP echo and the ICMPv6 header eagerly; it has no Neighbor
  Discovery class, so its NS body stays bytes (less work than the others do).
  Encoding builds the same objects and calls ``bytes()``.
"""

from __future__ import annotations

import socket

import dpkt
from os_ken.lib.packet import ethernet as ok_ethernet
from os_ken.lib.packet import icmp as ok_icmp
from os_ken.lib.packet import icmpv6 as ok_icmpv6
from os_ken.lib.packet import ipv4 as ok_ipv4
from os_ken.lib.packet import ipv6 as ok_ipv6
from os_ken.lib.packet import mpls as ok_mpls
from os_ken.lib.packet import packet as ok_packet
from os_ken.lib.packet import vlan as ok_vlan

from bench.codec_case import CodecCase, check_encoders
from ctrlapp.lib.packet import ethernet, icmp, icmpv6, ipv4, ipv6, mpls, packet, vlan

MAC_A = "02:00:00:00:00:01"
MAC_B = "02:00:00:00:00:02"
BIN_A = bytes.fromhex("020000000001")
BIN_B = bytes.fromhex("020000000002")
PING_DATA = bytes(range(0x10, 0x38)) + bytes(16)

# -- 802.1Q VID 10 / IPv4 / ICMP echo request (a 56-byte ping) ---------------


def _ping_ctrlapp() -> bytes:
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet(MAC_B, MAC_A, 0x8100))
    p.add_protocol(vlan.vlan(0, 0, 10, 0x0800))
    p.add_protocol(
        ipv4.ipv4(identification=1, flags=2, ttl=64, proto=1, src="192.0.2.1", dst="192.0.2.2")
    )
    p.add_protocol(icmp.icmp(8, 0, 0, icmp.echo(0x1C46, 1, PING_DATA)))
    p.serialize()
    return p.data


def _ping_osken() -> bytes:
    p = ok_packet.Packet()
    p.add_protocol(ok_ethernet.ethernet(MAC_B, MAC_A, 0x8100))
    p.add_protocol(ok_vlan.vlan(0, 0, 10, 0x0800))
    p.add_protocol(
        ok_ipv4.ipv4(identification=1, flags=2, ttl=64, proto=1, src="192.0.2.1", dst="192.0.2.2")
    )
    p.add_protocol(ok_icmp.icmp(8, 0, 0, ok_icmp.echo(0x1C46, 1, PING_DATA)))
    p.serialize()
    return p.data


def _ping_dpkt() -> bytes:
    echo = dpkt.icmp.ICMP.Echo(id=0x1C46, seq=1, data=PING_DATA)
    ic = dpkt.icmp.ICMP(type=8, code=0, data=echo)
    ip = dpkt.ip.IP(
        id=1, df=1, ttl=64, p=1, src=b"\xc0\x00\x02\x01", dst=b"\xc0\x00\x02\x02", data=ic
    )
    tag = dpkt.ethernet.VLANtag8021Q(pri=0, cfi=0, id=10)
    return bytes(
        dpkt.ethernet.Ethernet(dst=BIN_B, src=BIN_A, vlan_tags=[tag], type=0x0800, data=ip)
    )


# -- IPv6 / ICMPv6 Neighbor Solicitation with a Source Link-layer option ------

_HOST = "fe80::200:ff:fe00:1"
_TARGET = "fe80::200:ff:fe00:2"
_SNMC = "ff02::1:ff00:2"


def _ns_ctrlapp() -> bytes:
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet("33:33:ff:00:00:02", MAC_A, 0x86DD))
    p.add_protocol(ipv6.ipv6(nxt=58, hop_limit=255, src=_HOST, dst=_SNMC))
    p.add_protocol(
        icmpv6.icmpv6(135, 0, 0, icmpv6.nd_neighbor(0, _TARGET, icmpv6.nd_option_sla(1, MAC_A)))
    )
    p.serialize()
    return p.data


def _ns_osken() -> bytes:
    p = ok_packet.Packet()
    p.add_protocol(ok_ethernet.ethernet("33:33:ff:00:00:02", MAC_A, 0x86DD))
    p.add_protocol(ok_ipv6.ipv6(nxt=58, hop_limit=255, src=_HOST, dst=_SNMC))
    p.add_protocol(
        ok_icmpv6.icmpv6(
            135, 0, 0, ok_icmpv6.nd_neighbor(0, _TARGET, ok_icmpv6.nd_option_sla(1, MAC_A))
        )
    )
    p.serialize()
    return p.data


def _ns_dpkt() -> bytes:
    body = bytes(4) + socket.inet_pton(socket.AF_INET6, _TARGET) + b"\x01\x01" + BIN_A
    ic = dpkt.icmp6.ICMP6(type=135, code=0, data=body)
    ip = dpkt.ip6.IP6(
        nxt=58,
        hlim=255,
        src=socket.inet_pton(socket.AF_INET6, _HOST),
        dst=socket.inet_pton(socket.AF_INET6, _SNMC),
        data=ic,
        plen=len(bytes(ic)),
    )
    return bytes(
        dpkt.ethernet.Ethernet(dst=bytes.fromhex("3333ff000002"), src=BIN_A, type=0x86DD, data=ip)
    )


# -- MPLS two-label stack / IPv4 / 64 bytes --------------------------------------

_MPLS_PAYLOAD = bytes(range(64))


def _mpls_ctrlapp() -> bytes:
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet(MAC_B, MAC_A, 0x8847))
    p.add_protocol(mpls.mpls(100, 0, 0, 64))
    p.add_protocol(mpls.mpls(200, 0, 1, 64))
    p.add_protocol(ipv4.ipv4(identification=3, ttl=64, proto=253, src="10.0.0.1", dst="10.0.0.2"))
    p.add_protocol(_MPLS_PAYLOAD)
    p.serialize()
    return p.data


def _mpls_osken() -> bytes:
    p = ok_packet.Packet()
    p.add_protocol(ok_ethernet.ethernet(MAC_B, MAC_A, 0x8847))
    p.add_protocol(ok_mpls.mpls(100, 0, 0, 64))
    p.add_protocol(ok_mpls.mpls(200, 0, 1, 64))
    p.add_protocol(
        ok_ipv4.ipv4(identification=3, ttl=64, proto=253, src="10.0.0.1", dst="10.0.0.2")
    )
    p.add_protocol(_MPLS_PAYLOAD)
    p.serialize()
    return p.data


def _mpls_dpkt() -> bytes:
    ip = dpkt.ip.IP(
        id=3, ttl=64, p=253, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02", data=_MPLS_PAYLOAD
    )
    labels = [
        dpkt.ethernet.MPLSlabel(val=100, exp=0, s=0, ttl=64),
        dpkt.ethernet.MPLSlabel(val=200, exp=0, s=1, ttl=64),
    ]
    return bytes(
        dpkt.ethernet.Ethernet(dst=BIN_B, src=BIN_A, type=0x8847, mpls_labels=labels, data=ip)
    )


PING_FRAME = bytes(_ping_ctrlapp())
NS_FRAME = bytes(_ns_ctrlapp())
MPLS_FRAME = bytes(_mpls_ctrlapp())


check_encoders(
    {
        "ping": (PING_FRAME, _ping_osken, _ping_dpkt),
        "ns": (NS_FRAME, _ns_osken, _ns_dpkt),
        "mpls": (MPLS_FRAME, _mpls_osken, _mpls_dpkt),
    },
)

CASES: list[CodecCase] = [
    CodecCase(
        "eth/vlan/ipv4/icmp echo",
        lambda: packet.Packet(PING_FRAME),
        _ping_ctrlapp,
        lambda: dpkt.ethernet.Ethernet(PING_FRAME),
        _ping_dpkt,
        lambda: ok_packet.Packet(PING_FRAME),
        _ping_osken,
    ),
    CodecCase(
        "eth/ipv6/icmpv6 nd solicit",
        lambda: packet.Packet(NS_FRAME),
        _ns_ctrlapp,
        lambda: dpkt.ethernet.Ethernet(NS_FRAME),
        _ns_dpkt,
        lambda: ok_packet.Packet(NS_FRAME),
        _ns_osken,
    ),
    CodecCase(
        "eth/mpls/mpls/ipv4",
        lambda: packet.Packet(MPLS_FRAME),
        _mpls_ctrlapp,
        lambda: dpkt.ethernet.Ethernet(MPLS_FRAME),
        _mpls_dpkt,
        lambda: ok_packet.Packet(MPLS_FRAME),
        _mpls_osken,
    ),
]
