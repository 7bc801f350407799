"""DHCP and IGMP cases of bench/packet_codec.py: a DHCPDISCOVER and an IGMPv3 report.

* ``eth/ipv4/udp/dhcp discover``: a client's DISCOVER with the options a
  typical client sends (message type, client identifier, requested address,
  host name, parameter request list, maximum message size, vendor class).
* ``eth/ipv4+ra/igmpv3 report``: an IGMPv3 report with two group records (one
  with two sources), in an IPv4 header carrying the Router Alert option.

At import every library's encoder is checked to produce the very frame the
decoders are timed on.

How each library is made to do the same work:

* ctrlapp and os-ken: ``Packet(frame)`` decodes every layer into objects
  (DHCP options as option objects with their bytes; IGMP records with their
  sources); encoding is ``Packet()``, ``add_protocol()`` per header,
  ``serialize()``, options given as option objects with raw values, as Ryu
  apps write them, and lengths and checksums left to the library.
* dpkt: ``Ethernet(frame)`` decodes Ethernet, IPv4 and UDP, but does not
  dispatch UDP ports, so the DHCP decode also runs ``dpkt.dhcp.DHCP`` on the
  UDP payload (which splits the options into ``(tag, bytes)`` tuples).  dpkt
  has only the 8-byte IGMPv1/v2 message: its IGMPv3 decode reads the record
  count from that header and unpacks each record's header and sources with
  ``struct`` in the callable, and its encode packs the records with
  ``struct``.  dpkt is given the IPv4 IHL and the UDP length, which it does
  not compute.
"""

from __future__ import annotations

import socket
import struct

import dpkt
from os_ken.lib.packet import dhcp as ok_dhcp
from os_ken.lib.packet import ethernet as ok_ethernet
from os_ken.lib.packet import igmp as ok_igmp
from os_ken.lib.packet import ipv4 as ok_ipv4
from os_ken.lib.packet import packet as ok_packet
from os_ken.lib.packet import udp as ok_udp

from bench.codec_case import CodecCase, check_encoders
from ctrlapp.lib.packet import dhcp, ethernet, igmp, ipv4, packet, udp

CLIENT = "08:00:27:1a:2b:3c"
CLIENT_BIN = bytes.fromhex("0800271a2b3c")
BROADCAST = "ff:ff:ff:ff:ff:ff"
XID = 0x3903F326
ROUTER_ALERT = b"\x94\x04\x00\x00"

DISCOVER_OPTIONS = (
    (53, b"\x01"),
    (61, b"\x01" + CLIENT_BIN),
    (50, socket.inet_aton("192.0.2.10")),
    (12, b"laptop-7"),
    (55, bytes([1, 3, 6, 15, 26, 28, 42, 51, 58, 59, 119, 121])),
    (57, b"\x05\xc0"),
    (60, b"udhcp 1.36.1"),
)

# -- DHCPDISCOVER ------------------------------------------------------------------


def _discover_ctrlapp() -> bytes:
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet(BROADCAST, CLIENT, 0x0800))
    p.add_protocol(ipv4.ipv4(ttl=64, proto=17, src="0.0.0.0", dst="255.255.255.255"))
    p.add_protocol(udp.udp(68, 67))
    opts = dhcp.options([dhcp.option(tag, value) for tag, value in DISCOVER_OPTIONS])
    p.add_protocol(dhcp.dhcp(1, CLIENT, opts, xid=XID, flags=0x8000))
    p.serialize()
    return p.data


def _discover_osken() -> bytes:
    p = ok_packet.Packet()
    p.add_protocol(ok_ethernet.ethernet(BROADCAST, CLIENT, 0x0800))
    p.add_protocol(ok_ipv4.ipv4(ttl=64, proto=17, src="0.0.0.0", dst="255.255.255.255"))
    p.add_protocol(ok_udp.udp(68, 67))
    opts = ok_dhcp.options([ok_dhcp.option(tag, value) for tag, value in DISCOVER_OPTIONS])
    p.add_protocol(ok_dhcp.dhcp(1, CLIENT, opts, xid=XID, flags=0x8000))
    p.serialize()
    return p.data


def _discover_dpkt() -> bytes:
    d = dpkt.dhcp.DHCP(
        op=1, xid=XID, flags=0x8000, chaddr=CLIENT_BIN.ljust(16, b"\0"), opts=DISCOVER_OPTIONS
    )
    d = bytes(d)
    u = dpkt.udp.UDP(sport=68, dport=67, ulen=8 + len(d), data=d)
    ip = dpkt.ip.IP(ttl=64, p=17, src=b"\0" * 4, dst=b"\xff" * 4, data=u)
    return bytes(dpkt.ethernet.Ethernet(dst=b"\xff" * 6, src=CLIENT_BIN, type=0x0800, data=ip))


def _decode_dpkt_dhcp(frame: bytes):
    eth = dpkt.ethernet.Ethernet(frame)
    return eth, dpkt.dhcp.DHCP(eth.data.data.data)


# -- IGMPv3 report -------------------------------------------------------------------

RECORDS = (
    (igmp.CHANGE_TO_EXCLUDE_MODE, "239.1.1.1", ()),
    (igmp.ALLOW_NEW_SOURCES, "232.1.2.3", ("192.0.2.7", "198.51.100.9")),
)
_REC = struct.Struct("!BBH4s")


def _report_ctrlapp() -> bytes:
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet("01:00:5e:00:00:16", CLIENT, 0x0800))
    p.add_protocol(
        ipv4.ipv4(
            header_length=6, ttl=1, proto=2, src="192.0.2.1", dst="224.0.0.22", option=ROUTER_ALERT
        )
    )
    recs = [igmp.igmpv3_report_group(t, address=g, srcs=list(s)) for t, g, s in RECORDS]
    p.add_protocol(igmp.igmpv3_report(records=recs))
    p.serialize()
    return p.data


def _report_osken() -> bytes:
    p = ok_packet.Packet()
    p.add_protocol(ok_ethernet.ethernet("01:00:5e:00:00:16", CLIENT, 0x0800))
    p.add_protocol(
        ok_ipv4.ipv4(
            header_length=6, ttl=1, proto=2, src="192.0.2.1", dst="224.0.0.22", option=ROUTER_ALERT
        )
    )
    recs = [ok_igmp.igmpv3_report_group(t, address=g, srcs=list(s)) for t, g, s in RECORDS]
    p.add_protocol(ok_igmp.igmpv3_report(records=recs))
    p.serialize()
    return p.data


def _report_dpkt() -> bytes:
    body = b"".join(
        _REC.pack(t, 0, len(s), socket.inet_aton(g)) + b"".join(socket.inet_aton(a) for a in s)
        for t, g, s in RECORDS
    )
    ig = dpkt.igmp.IGMP(type=0x22, maxresp=0, group=struct.pack("!HH", 0, len(RECORDS)), data=body)
    ip = dpkt.ip.IP(
        hl=6,
        ttl=1,
        p=2,
        src=socket.inet_aton("192.0.2.1"),
        dst=socket.inet_aton("224.0.0.22"),
        opts=ROUTER_ALERT,
        data=ig,
    )
    return bytes(
        dpkt.ethernet.Ethernet(
            dst=bytes.fromhex("01005e000016"), src=CLIENT_BIN, type=0x0800, data=ip
        )
    )


def _decode_dpkt_report(frame: bytes):
    eth = dpkt.ethernet.Ethernet(frame)
    ig = eth.data.data
    body = bytes(ig.data)
    records = []
    off = 0
    ntoa = socket.inet_ntoa
    for _ in range(int.from_bytes(ig.group[2:4], "big")):
        rtype, aux, num, group = _REC.unpack_from(body, off)
        off += 8
        srcs = [ntoa(body[i : i + 4]) for i in range(off, off + 4 * num, 4)]
        off += 4 * num + 4 * aux
        records.append((rtype, ntoa(group), srcs))
    return eth, records


DISCOVER_FRAME = bytes(_discover_ctrlapp())
REPORT_FRAME = bytes(_report_ctrlapp())

check_encoders(
    {
        "dhcp discover": (DISCOVER_FRAME, _discover_osken, _discover_dpkt),
        "igmpv3 report": (REPORT_FRAME, _report_osken, _report_dpkt),
    },
)


CASES: list[CodecCase] = [
    CodecCase(
        "eth/ipv4/udp/dhcp discover",
        lambda: packet.Packet(DISCOVER_FRAME),
        _discover_ctrlapp,
        lambda: _decode_dpkt_dhcp(DISCOVER_FRAME),
        _discover_dpkt,
        lambda: ok_packet.Packet(DISCOVER_FRAME),
        _discover_osken,
    ),
    CodecCase(
        "eth/ipv4+ra/igmpv3 report",
        lambda: packet.Packet(REPORT_FRAME),
        _report_ctrlapp,
        lambda: _decode_dpkt_report(REPORT_FRAME),
        _report_dpkt,
        lambda: ok_packet.Packet(REPORT_FRAME),
        _report_osken,
    ),
]
