"""Core cases of bench/packet_codec.py: ARP request, TCP SYN with options, VXLAN-encapsulated IPv4.

Each case holds one frame and, per library, a callable that decodes it fully
and one that builds it again from objects with lengths and checksums left to
the library.  At import the encoders' outputs are compared with the frame, so
every library is timed producing the same bytes.

How each library is made to do the same work:

* ctrlapp and os-ken: ``Packet(frame)`` decodes every layer they know;
  encoding is ``Packet()``, ``add_protocol()`` per header, ``serialize()``.
* dpkt: ``dpkt.ethernet.Ethernet(frame)`` decodes Ethernet, IPv4, ARP, TCP and
  UDP eagerly.  It leaves TCP options as bytes, so the decode also runs
  ``dpkt.tcp.parse_opts``; it has no VXLAN class, so the decode unpacks the
  8-byte VXLAN header and runs ``Ethernet()`` on the inner frame.  Encoding
  builds the same objects and calls ``bytes()``; dpkt computes lengths and
  checksums but not the TCP data offset or the UDP length, which are given, and takes TCP options
  as prepared bytes (it has no option objects), which favours dpkt.
"""

from __future__ import annotations

import struct

import dpkt
from os_ken.lib.packet import arp as ok_arp
from os_ken.lib.packet import ethernet as ok_ethernet
from os_ken.lib.packet import ipv4 as ok_ipv4
from os_ken.lib.packet import packet as ok_packet
from os_ken.lib.packet import tcp as ok_tcp
from os_ken.lib.packet import udp as ok_udp
from os_ken.lib.packet import vxlan as ok_vxlan

from bench.codec_case import CodecCase, check_encoders
from ctrlapp.lib.packet import arp, ethernet, ipv4, packet, tcp, udp, vxlan

MAC_A = "02:00:00:00:00:01"
MAC_B = "02:00:00:00:00:02"
BIN_A = bytes.fromhex("020000000001")
BIN_B = bytes.fromhex("020000000002")
BROADCAST = "ff:ff:ff:ff:ff:ff"

# -- ARP request: who has 192.0.2.2, tell 192.0.2.1 ---------------------------


def _arp_ctrlapp() -> bytes:
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet(BROADCAST, MAC_A, 0x0806))
    p.add_protocol(
        arp.arp(1, 0x0800, 6, 4, 1, MAC_A, "192.0.2.1", "00:00:00:00:00:00", "192.0.2.2")
    )
    p.serialize()
    return p.data


def _arp_osken() -> bytes:
    p = ok_packet.Packet()
    p.add_protocol(ok_ethernet.ethernet(BROADCAST, MAC_A, 0x0806))
    p.add_protocol(
        ok_arp.arp(1, 0x0800, 6, 4, 1, MAC_A, "192.0.2.1", "00:00:00:00:00:00", "192.0.2.2")
    )
    p.serialize()
    return p.data


def _arp_dpkt() -> bytes:
    a = dpkt.arp.ARP(
        op=1, sha=BIN_A, spa=b"\xc0\x00\x02\x01", tha=b"\x00" * 6, tpa=b"\xc0\x00\x02\x02"
    )
    return bytes(dpkt.ethernet.Ethernet(dst=b"\xff" * 6, src=BIN_A, type=0x0806, data=a))


# -- TCP SYN with MSS, SACK permitted, timestamps, NOP, window scale ----------

_SYN_OPTS = bytes.fromhex("020405b40402080a0001e2400000000001030307")


def _syn_ctrlapp() -> bytes:
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet(MAC_B, MAC_A, 0x0800))
    p.add_protocol(
        ipv4.ipv4(identification=1, flags=2, ttl=64, proto=6, src="192.0.2.1", dst="192.0.2.2")
    )
    p.add_protocol(
        tcp.tcp(
            49152,
            80,
            1000,
            0,
            bits=tcp.TCP_SYN,
            window_size=64240,
            option=[
                tcp.TCPOptionMaximumSegmentSize(1460),
                tcp.TCPOptionSACKPermitted(),
                tcp.TCPOptionTimestamps(123456, 0),
                tcp.TCPOptionNoOperation(),
                tcp.TCPOptionWindowScale(7),
            ],
        )
    )
    p.serialize()
    return p.data


def _syn_osken() -> bytes:
    p = ok_packet.Packet()
    p.add_protocol(ok_ethernet.ethernet(MAC_B, MAC_A, 0x0800))
    p.add_protocol(
        ok_ipv4.ipv4(identification=1, flags=2, ttl=64, proto=6, src="192.0.2.1", dst="192.0.2.2")
    )
    p.add_protocol(
        ok_tcp.tcp(
            49152,
            80,
            1000,
            0,
            bits=ok_tcp.TCP_SYN,
            window_size=64240,
            option=[
                ok_tcp.TCPOptionMaximumSegmentSize(1460),
                ok_tcp.TCPOptionSACKPermitted(),
                ok_tcp.TCPOptionTimestamps(123456, 0),
                ok_tcp.TCPOptionNoOperation(),
                ok_tcp.TCPOptionWindowScale(7),
            ],
        )
    )
    p.serialize()
    return p.data


def _syn_dpkt() -> bytes:
    t = dpkt.tcp.TCP(
        sport=49152,
        dport=80,
        seq=1000,
        ack=0,
        flags=dpkt.tcp.TH_SYN,
        win=64240,
        opts=_SYN_OPTS,
        off=5 + len(_SYN_OPTS) // 4,
    )
    ip = dpkt.ip.IP(id=1, df=1, ttl=64, p=6, src=b"\xc0\x00\x02\x01", dst=b"\xc0\x00\x02\x02")
    ip.data = t
    return bytes(dpkt.ethernet.Ethernet(dst=BIN_B, src=BIN_A, type=0x0800, data=ip))


def _decode_dpkt_tcp(frame: bytes):
    e = dpkt.ethernet.Ethernet(frame)
    dpkt.tcp.parse_opts(e.data.data.opts)
    return e


# -- VXLAN: Ethernet/IPv4/UDP/VXLAN/Ethernet/IPv4 ------------------------------

_INNER_PAYLOAD = bytes(range(32))
_VXLAN_HDR = struct.Struct("!II")


def _vxlan_ctrlapp() -> bytes:
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet(MAC_B, MAC_A, 0x0800))
    p.add_protocol(ipv4.ipv4(identification=7, ttl=64, proto=17, src="192.0.2.1", dst="192.0.2.2"))
    p.add_protocol(udp.udp(49153, 4789))
    p.add_protocol(vxlan.vxlan(5001))
    p.add_protocol(ethernet.ethernet("02:00:00:00:01:02", "02:00:00:00:01:01", 0x0800))
    p.add_protocol(ipv4.ipv4(identification=9, ttl=64, proto=253, src="10.0.0.1", dst="10.0.0.2"))
    p.add_protocol(_INNER_PAYLOAD)
    p.serialize()
    return p.data


def _vxlan_osken() -> bytes:
    p = ok_packet.Packet()
    p.add_protocol(ok_ethernet.ethernet(MAC_B, MAC_A, 0x0800))
    p.add_protocol(
        ok_ipv4.ipv4(identification=7, ttl=64, proto=17, src="192.0.2.1", dst="192.0.2.2")
    )
    p.add_protocol(ok_udp.udp(49153, 4789))
    p.add_protocol(ok_vxlan.vxlan(5001))
    p.add_protocol(ok_ethernet.ethernet("02:00:00:00:01:02", "02:00:00:00:01:01", 0x0800))
    p.add_protocol(
        ok_ipv4.ipv4(identification=9, ttl=64, proto=253, src="10.0.0.1", dst="10.0.0.2")
    )
    p.add_protocol(_INNER_PAYLOAD)
    p.serialize()
    return p.data


def _vxlan_dpkt() -> bytes:
    inner_ip = dpkt.ip.IP(
        id=9, ttl=64, p=253, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02", data=_INNER_PAYLOAD
    )
    inner = dpkt.ethernet.Ethernet(
        dst=bytes.fromhex("020000000102"),
        src=bytes.fromhex("020000000101"),
        type=0x0800,
        data=inner_ip,
    )
    data = _VXLAN_HDR.pack(0x08000000, 5001 << 8) + bytes(inner)
    u = dpkt.udp.UDP(sport=49153, dport=4789, ulen=8 + len(data), data=data)
    ip = dpkt.ip.IP(id=7, ttl=64, p=17, src=b"\xc0\x00\x02\x01", dst=b"\xc0\x00\x02\x02", data=u)
    return bytes(dpkt.ethernet.Ethernet(dst=BIN_B, src=BIN_A, type=0x0800, data=ip))


def _decode_dpkt_vxlan(frame: bytes):
    e = dpkt.ethernet.Ethernet(frame)
    payload = e.data.data.data
    flags, vni = _VXLAN_HDR.unpack_from(payload)
    return e, vni >> 8, dpkt.ethernet.Ethernet(payload[8:])


ARP_FRAME = bytes(_arp_ctrlapp())
SYN_FRAME = bytes(_syn_ctrlapp())
VXLAN_FRAME = bytes(_vxlan_ctrlapp())


check_encoders(
    {
        "arp": (ARP_FRAME, _arp_osken, _arp_dpkt),
        "syn": (SYN_FRAME, _syn_osken, _syn_dpkt),
        "vxlan": (VXLAN_FRAME, _vxlan_osken, _vxlan_dpkt),
    },
    dpkt_unpadded=True,  # dpkt does not pad to the Ethernet minimum
)

CASES: list[CodecCase] = [
    CodecCase(
        "eth/arp request",
        lambda: packet.Packet(ARP_FRAME),
        _arp_ctrlapp,
        lambda: dpkt.ethernet.Ethernet(ARP_FRAME),
        _arp_dpkt,
        lambda: ok_packet.Packet(ARP_FRAME),
        _arp_osken,
    ),
    CodecCase(
        "eth/ipv4/tcp syn+opts",
        lambda: packet.Packet(SYN_FRAME),
        _syn_ctrlapp,
        lambda: _decode_dpkt_tcp(SYN_FRAME),
        _syn_dpkt,
        lambda: ok_packet.Packet(SYN_FRAME),
        _syn_osken,
    ),
    CodecCase(
        "eth/ipv4/udp/vxlan/eth/ipv4",
        lambda: packet.Packet(VXLAN_FRAME),
        _vxlan_ctrlapp,
        lambda: _decode_dpkt_vxlan(VXLAN_FRAME),
        _vxlan_dpkt,
        lambda: ok_packet.Packet(VXLAN_FRAME),
        _vxlan_osken,
    ),
]
