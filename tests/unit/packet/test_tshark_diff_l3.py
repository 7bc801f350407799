"""Differential check of VLAN, MPLS, IPv4, IPv6, ICMP and ICMPv6 against Wireshark's dissectors.

Frames from the seeded generators of the protocol tests (tag stacks, label
stacks, IPv4 with options and fragments, IPv6 with extension header chains,
every ICMP and ICMPv6 message class) are encoded by ctrlapp, written to a
pcap file and decoded by ``tshark -T json``.  Header fields and checksum
verdicts are compared with what ctrlapp decodes from the same bytes; the
checksums are therefore checked by an independent implementation too.

tshark must be on PATH: without it the test fails when ``CI`` is set and is
skipped (with the reason) otherwise.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import subprocess

import pytest

from ctrlapp.lib.packet import icmp, icmpv6, ipv4, ipv6, mpls, packet, vlan
from tests.support.pcap_writer import write_pcap
from tests.unit.packet import test_icmp, test_icmpv6, test_ipv4, test_ipv6, test_mpls, test_vlan

SEED = 20261122
PER_GENERATOR = 60
GENERATORS = [
    test_vlan.random_frame,
    test_mpls.random_frame,
    test_ipv4.random_frame,
    test_ipv6.random_frame,
    test_icmp.random_frame,
    test_icmpv6.random_frame,
]


@pytest.fixture(scope="module")
def dissected(tmp_path_factory):
    tshark = shutil.which("tshark")
    if tshark is None:
        if os.environ.get("CI"):
            pytest.fail("tshark is not on PATH (Debian package tshark)")
        pytest.skip("tshark is not on PATH; install the Debian package tshark to run this check")
    rng = random.Random(SEED)
    frames = [make(rng) for make in GENERATORS for _ in range(PER_GENERATOR)]
    path = tmp_path_factory.mktemp("tshark") / "l3.pcap"
    write_pcap(path, frames)
    proc = subprocess.run(
        [tshark, "-n", "-r", str(path), "-T", "json", "--no-duplicate-keys"]
        + ["-o", "ip.check_checksum:TRUE", "-o", "ip.defragment:FALSE"]
        + ["-o", "ipv6.defragment:FALSE"],
        capture_output=True,
        check=True,
        timeout=120,
        env={**os.environ, "HOME": str(path.parent)},
    )
    decoded = json.loads(proc.stdout)
    assert len(decoded) == len(frames)
    return [
        (packet.Packet(f), d["_source"]["layers"]) for f, d in zip(frames, decoded, strict=True)
    ]


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def v6(text: str) -> bytes:
    return socket.inet_pton(socket.AF_INET6, text)


def qqi(qqic: int) -> int:
    """Querier's Query Interval from its code (RFC 3810 section 5.1.9), as Wireshark shows it."""
    if qqic < 128:
        return qqic
    return ((qqic & 0xF) | 0x10) << (((qqic >> 4) & 7) + 3)


def check(mismatches: list, where: str, ours, theirs) -> None:
    if ours != theirs:
        mismatches.append(f"{where}: ctrlapp {ours!r} != tshark {theirs!r}")


def test_vlan_tags(dissected):
    # Wireshark shows an S-tag carrying a C-tag as one ieee8021ad layer (svid,
    # cvid, a list of priorities), so tags are compared as sorted field values.
    mismatches: list[str] = []
    seen = 0
    for i, (pkt, layers) in enumerate(dissected):
        tags = pkt.get_protocols(vlan._vlan)
        seen += len(tags)
        vids, pcps, deis = [], [], []
        for t in as_list(layers.get("vlan")):
            vids.append(int(t["vlan.id"]))
            pcps.append(int(t["vlan.priority"]))
            deis.append(int(t["vlan.dei"]))
        for t in as_list(layers.get("ieee8021ad")):
            for key in ("ieee8021ad.id", "ieee8021ad.svid", "ieee8021ad.cvid"):
                vids += [int(v) for v in as_list(t.get(key))]
            pcps += [int(v) for v in as_list(t.get("ieee8021ad.priority"))]
            deis += [int(v) for v in as_list(t.get("ieee8021ad.dei"))]
        check(mismatches, f"frame {i} VIDs", sorted(t.vid for t in tags), sorted(vids))
        check(mismatches, f"frame {i} PCPs", sorted(t.pcp for t in tags), sorted(pcps))
        check(mismatches, f"frame {i} DEIs", sorted(t.cfi for t in tags), sorted(deis))
    assert seen > 60 and not mismatches, "\n".join(mismatches[:20])


def test_mpls_labels(dissected):
    mismatches: list[str] = []
    seen = 0
    for i, (pkt, layers) in enumerate(dissected):
        ours = [(m.label, m.exp, m.bsb, m.ttl) for m in pkt.get_protocols(mpls.mpls)]
        theirs = [
            (int(m["mpls.label"]), int(m["mpls.exp"]), int(m["mpls.bottom"]), int(m["mpls.ttl"]))
            for m in as_list(layers.get("mpls"))
        ]
        check(mismatches, f"frame {i}", ours, theirs)
        seen += len(ours)
    assert seen > 60 and not mismatches, "\n".join(mismatches[:20])


def test_ipv4_headers_and_checksums(dissected):
    mismatches: list[str] = []
    seen = 0
    for i, (pkt, layers) in enumerate(dissected):
        ours = pkt.get_protocols(ipv4.ipv4)
        theirs = as_list(layers.get("ip"))
        check(mismatches, f"frame {i} count", len(ours), len(theirs))
        for h, t in zip(ours, theirs, strict=False):
            seen += 1
            check(
                mismatches,
                f"frame {i} ipv4",
                (h.header_length * 4, h.total_length, h.identification, h.flags, h.offset),
                (
                    int(t["ip.hdr_len"]),
                    int(t["ip.len"]),
                    int(t["ip.id"], 16),
                    int(t["ip.flags"], 16) >> 5
                    if int(t["ip.flags"], 16) > 7
                    else int(t["ip.flags"], 16),
                    int(t["ip.frag_offset"]),
                ),
            )
            check(
                mismatches,
                f"frame {i} ipv4",
                (h.tos, h.ttl, h.proto, h.csum, h.src, h.dst),
                (
                    int(t["ip.dsfield"], 16),
                    int(t["ip.ttl"]),
                    int(t["ip.proto"]),
                    int(t["ip.checksum"], 16),
                    t["ip.src"],
                    t["ip.dst"],
                ),
            )
            check(mismatches, f"frame {i} ipv4 checksum verdict", "1", t["ip.checksum.status"])
    assert seen > 150 and not mismatches, "\n".join(mismatches[:20])


def test_ipv6_headers(dissected):
    mismatches: list[str] = []
    seen = 0
    for i, (pkt, layers) in enumerate(dissected):
        ours = pkt.get_protocols(ipv6.ipv6)
        theirs = as_list(layers.get("ipv6"))
        check(mismatches, f"frame {i} count", len(ours), len(theirs))
        for h, t in zip(ours, theirs, strict=False):
            seen += 1
            check(
                mismatches,
                f"frame {i} ipv6",
                (h.traffic_class, h.flow_label, h.payload_length, h.nxt, h.hop_limit),
                (
                    int(t["ipv6.tclass"], 16),
                    int(t["ipv6.flow"], 16),
                    int(t["ipv6.plen"]),
                    int(t["ipv6.nxt"]),
                    int(t["ipv6.hlim"]),
                ),
            )
            check(
                mismatches,
                f"frame {i} ipv6 addresses",
                (v6(h.src), v6(h.dst)),
                (v6(t["ipv6.src"]), v6(t["ipv6.dst"])),
            )
            # Wireshark stops after a fragment other than the first, and after
            # a Segment Routing header whose (random) body it finds invalid.
            chain = []
            for x in h.ext_hdrs:
                chain.append(x)
                if isinstance(x, ipv6.fragment) and x.offset:
                    break
                if isinstance(x, ipv6.routing_generic) and x.type_ == 4:
                    break
            frags = [
                (f.nxt, f.offset, f.more, f.id_) for f in chain if isinstance(f, ipv6.fragment)
            ]
            theirs_frags = [
                (
                    int(f["ipv6.fraghdr.nxt"]),
                    int(f["ipv6.fraghdr.offset"]),
                    int(f["ipv6.fraghdr.more"]),
                    int(f["ipv6.fraghdr.ident"], 16),
                )
                for f in as_list(t.get("ipv6.fraghdr"))
            ]
            check(mismatches, f"frame {i} fragment headers", frags, theirs_frags)
            routes = [(r.type_, r.seg) for r in chain if isinstance(r, ipv6.routing)]
            theirs_routes = [
                (int(r["ipv6.routing.type"]), int(r["ipv6.routing.segleft"]))
                for r in as_list(t.get("ipv6.routing"))
            ]
            check(mismatches, f"frame {i} routing headers", routes, theirs_routes)
            ahs = [(a.nxt, a.size, a.spi, a.seq) for a in chain if isinstance(a, ipv6.auth)]
            theirs_ahs = [
                (
                    int(a["ah.next_header"]),
                    int(a["ah.length"]),
                    int(a["ah.spi"], 16),
                    int(a["ah.sequence"]),
                )
                for a in as_list(t.get("ah"))
            ]
            check(mismatches, f"frame {i} AH", ahs, theirs_ahs)
    assert seen > 100 and not mismatches, "\n".join(mismatches[:20])


def test_icmp_messages(dissected):
    mismatches: list[str] = []
    seen = 0
    for i, (pkt, layers) in enumerate(dissected):
        m = pkt.get_protocol(icmp.icmp)
        if m is None or ("icmp" not in layers and "_ws.malformed" in layers):
            # Wireshark calls an ICMP message under 8 bytes malformed; ctrlapp keeps its body raw.
            check(mismatches, f"frame {i} icmp", None, layers.get("icmp"))
            continue
        seen += 1
        t = layers["icmp"]
        check(
            mismatches,
            f"frame {i} icmp",
            (m.type, m.code, m.csum),
            (int(t["icmp.type"]), int(t["icmp.code"]), int(t["icmp.checksum"], 16)),
        )
        check(mismatches, f"frame {i} icmp checksum verdict", "1", t["icmp.checksum.status"])
        if isinstance(m.data, icmp.echo):
            check(
                mismatches,
                f"frame {i} echo",
                (m.data.id, m.data.seq),
                (int(t["icmp.ident"]), int(t["icmp.seq"])),
            )
        if isinstance(m.data, icmp.dest_unreach) and m.code == 4:
            check(mismatches, f"frame {i} mtu", m.data.mtu, int(t["icmp.mtu"]))
    assert seen > 50 and not mismatches, "\n".join(mismatches[:20])


def test_icmpv6_messages(dissected):
    mismatches: list[str] = []
    seen = 0
    for i, (pkt, layers) in enumerate(dissected):
        m = pkt.get_protocol(icmpv6.icmpv6)
        if m is None:
            continue
        seen += 1
        t = layers["icmpv6"]
        check(
            mismatches,
            f"frame {i} icmpv6",
            (m.type_, m.code, m.csum),
            (int(t["icmpv6.type"]), int(t["icmpv6.code"]), int(t["icmpv6.checksum"], 16)),
        )
        check(mismatches, f"frame {i} icmpv6 checksum verdict", "1", t["icmpv6.checksum.status"])
        d = m.data
        if isinstance(d, icmpv6.echo):
            check(
                mismatches,
                f"frame {i} echo",
                (d.id, d.seq),
                (int(t["icmpv6.echo.identifier"], 16), int(t["icmpv6.echo.sequence_number"])),
            )
        elif isinstance(d, icmpv6.nd_neighbor):
            kind = "ns" if m.type_ == icmpv6.ND_NEIGHBOR_SOLICIT else "na"
            check(
                mismatches,
                f"frame {i} target",
                v6(d.dst),
                v6(t[f"icmpv6.nd.{kind}.target_address"]),
            )
            if kind == "na":
                check(mismatches, f"frame {i} RSO", d.res, int(t["icmpv6.nd.na.flag"], 16) >> 29)
            if d.option is not None:
                check(
                    mismatches,
                    f"frame {i} option",
                    d.option.hw_src,
                    t["icmpv6.opt"]["icmpv6.opt.linkaddr"],
                )
        elif isinstance(d, icmpv6.nd_router_advert):
            check(
                mismatches,
                f"frame {i} ra",
                (d.ch_l, (d.res << 6) | d.flags, d.rou_l, d.rea_t, d.ret_t, len(d.options)),
                (
                    int(t["icmpv6.nd.ra.cur_hop_limit"]),
                    int(t["icmpv6.nd.ra.flag"], 16),
                    int(t["icmpv6.nd.ra.router_lifetime"]),
                    int(t["icmpv6.nd.ra.reachable_time"]),
                    int(t["icmpv6.nd.ra.retrans_timer"]),
                    len(as_list(t.get("icmpv6.opt"))),
                ),
            )
            for o, to in zip(d.options, as_list(t.get("icmpv6.opt")), strict=False):
                if isinstance(o, icmpv6.nd_option_pi):
                    check(
                        mismatches,
                        f"frame {i} prefix",
                        (o.pl, v6(o.prefix), o.val_l, o.pre_l),
                        (
                            int(to["icmpv6.opt.prefix.length"]),
                            v6(to["icmpv6.opt.prefix"]),
                            int(to["icmpv6.opt.prefix.valid_lifetime"]),
                            int(to["icmpv6.opt.prefix.preferred_lifetime"]),
                        ),
                    )
                elif isinstance(o, icmpv6.nd_option_mtu):
                    check(mismatches, f"frame {i} mtu", o.mtu, int(to["icmpv6.opt.mtu"]))
        elif isinstance(d, icmpv6.mldv2_query):
            check(
                mismatches,
                f"frame {i} mldv2 query",
                (v6(d.address), d.s_flg, d.qrv, qqi(d.qqic), len(d.srcs)),
                (
                    v6(t["icmpv6.mld.multicast_address"]),
                    int(t["icmpv6.mld.flag_tree"]["icmpv6.mld.flag.s"]),
                    int(t["icmpv6.mld.flag_tree"]["icmpv6.mld.flag.qrv"]),
                    int(t["icmpv6.mld.qqi"]),
                    int(t["icmpv6.mld.nb_sources"]),
                ),
            )
        elif isinstance(d, icmpv6.mld):
            check(
                mismatches, f"frame {i} mld", v6(d.address), v6(t["icmpv6.mld.multicast_address"])
            )
        elif isinstance(d, icmpv6.mldv2_report):
            records = as_list(t.get("icmpv6.mldr.mar"))
            check(
                mismatches,
                f"frame {i} mldv2 report",
                len(d.records),
                int(t["icmpv6.mldr.nb_mcast_records"]),
            )
            for r, tr in zip(d.records, records, strict=False):
                check(
                    mismatches,
                    f"frame {i} record",
                    (r.type_, r.aux_len, len(r.srcs), v6(r.address)),
                    (
                        int(tr["icmpv6.mldr.mar.record_type"]),
                        int(tr["icmpv6.mldr.mar.aux_data_len"]),
                        int(tr["icmpv6.mldr.mar.nb_sources"]),
                        v6(tr["icmpv6.mldr.mar.multicast_address"]),
                    ),
                )
    assert seen > 50 and not mismatches, "\n".join(mismatches[:20])
