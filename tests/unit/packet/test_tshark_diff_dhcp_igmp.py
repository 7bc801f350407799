"""Differential check of the DHCP, DHCPv6 and IGMP codecs against Wireshark's dissectors.

A deterministic but varied set of frames (every DHCP message type with the
typed options, overload, relay agent information; DHCPv6 client, server and
relay messages with every DUID type, IA_NA/IA_PD, DNS options; IGMP v1, v2
and v3 queries and reports with all record types) is encoded by ctrlapp,
written to a pcap file and decoded by ``tshark -T json``.  Every field
Wireshark shows is compared with what ctrlapp decodes from the same bytes.

tshark must be on PATH: without it the test fails when ``CI`` is set and is
skipped (with the reason) otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import uuid

import pytest

from ctrlapp.lib.packet import dhcp, dhcp6, igmp, packet
from tests.support.dhcp_igmp_corpus import corpus_frames
from tests.support.pcap_writer import write_pcap

# -- tshark ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dissected(tmp_path_factory):
    tshark = shutil.which("tshark")
    if tshark is None:
        if os.environ.get("CI"):
            pytest.fail("tshark is not on PATH (Debian package tshark)")
        pytest.skip("tshark is not on PATH; install the Debian package tshark to run this check")
    frames = corpus_frames()
    path = tmp_path_factory.mktemp("tshark") / "dhcp_igmp.pcap"
    write_pcap(path, frames)
    proc = subprocess.run(
        [tshark, "-n", "-r", str(path), "-T", "json", "--no-duplicate-keys"],
        capture_output=True,
        check=True,
        timeout=120,
        env={**os.environ, "HOME": str(path.parent)},
    )
    decoded = json.loads(proc.stdout)
    assert len(decoded) == len(frames)
    return [(f, d["_source"]["layers"]) for f, d in zip(frames, decoded, strict=True)]


def as_list(value) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def hexbytes(text: str) -> bytes:
    return bytes.fromhex(text.replace(":", ""))


def compare(mismatches: list, where: str, ours, theirs) -> None:
    if ours != theirs:
        mismatches.append(f"{where}: ctrlapp {ours!r} != tshark {theirs!r}")


_DHCP_TYPED = {
    1: ("subnet_mask", str),
    28: ("broadcast_address", str),
    50: ("requested_ip_address", str),
    54: ("dhcp_server_id", str),
    3: ("router", list),
    6: ("domain_name_server", list),
    42: ("ntp_server", list),
    51: ("ip_address_lease_time", int),
    58: ("renewal_time_value", int),
    59: ("rebinding_time_value", int),
    26: ("interface_mtu", int),
    57: ("dhcp_max_message_size", int),
    12: ("hostname", str),
    15: ("domain_name", str),
    56: ("message", str),
    60: ("vendor_class_id", str),
    53: ("dhcp", int),
}


def _dhcp_area(mism: list, where: str, ours: list, types, trees) -> None:
    seen = []
    for type_, tree in zip(as_list(types), as_list(trees), strict=True):
        if "dhcp.option.end" in tree:
            seen.append(255)
        elif "dhcp.option.padding" in tree and "dhcp.option.value" not in tree:
            seen.append(0)
        else:
            seen.append(int(type_))
    compare(mism, f"{where} option tags", [o.tag for o in ours] + [255], seen)
    trees = [t for t in as_list(trees) if "dhcp.option.value" in t or "dhcp.option.length" in t]
    for o, tree in zip([o for o in ours if o.tag != 0], trees, strict=False):
        compare(
            mism,
            f"{where} option {o.tag} bytes",
            bytes(o.value),
            hexbytes(tree.get("dhcp.option.value", "")),
        )
        if o.tag in _DHCP_TYPED:
            name, kind = _DHCP_TYPED[o.tag]
            field = tree.get(f"dhcp.option.{name}")
            theirs = as_list(field) if kind is list else (int(field) if kind is int else field)
            compare(mism, f"{where} option {o.tag}", o.decoded, theirs)
        elif o.tag == dhcp.DHCP_PARAMETER_REQUEST_LIST_OPT:
            theirs = [int(x) for x in as_list(tree.get("dhcp.option.request_list_item"))]
            compare(mism, f"{where} option 55", o.decoded, theirs)
        elif o.tag == dhcp.DHCP_CLIENT_IDENTIFIER_OPT:
            compare(
                mism,
                f"{where} option 61",
                o.decoded,
                (int(tree["dhcp.hw.type"], 16), hexbytes(tree["dhcp.hw.mac_addr"])),
            )
        elif o.tag == dhcp.DHCP_RELAY_AGENT_INFO_OPT:
            subs = as_list(tree.get("dhcp.option.agent_information_option.suboption_tree"))
            codes = [
                int(c) for c in as_list(tree.get("dhcp.option.agent_information_option.suboption"))
            ]
            theirs = [
                (c, hexbytes(s["dhcp.option.agent_information_option.value"]))
                for c, s in zip(codes, subs, strict=True)
            ]
            compare(mism, f"{where} option 82", o.decoded, theirs)
        elif o.tag == dhcp.DHCP_CLASSLESS_ROUTE_OPT:
            routes = b"".join(
                hexbytes(r) for r in as_list(tree.get("dhcp.option.classless_static_route"))
            )
            compare(
                mism, f"{where} option 121", dhcp.option.from_value(121, o.decoded).value, routes
            )


def test_dhcp_matches_wireshark(dissected):
    mism: list[str] = []
    n = 0
    for i, (frame, layers) in enumerate(dissected):
        m = packet.Packet(frame).get_protocol(dhcp.dhcp)
        if m is None:
            continue
        n += 1
        w = layers["dhcp"]
        where = f"frame {i + 1}"
        compare(mism, f"{where} op", m.op, int(w["dhcp.type"]))
        compare(mism, f"{where} htype", m.htype, int(w["dhcp.hw.type"], 16))
        compare(mism, f"{where} hlen", m.hlen, int(w["dhcp.hw.len"]))
        compare(mism, f"{where} hops", m.hops, int(w["dhcp.hops"]))
        compare(mism, f"{where} xid", m.xid, int(w["dhcp.id"], 16))
        compare(mism, f"{where} secs", m.secs, int(w["dhcp.secs"]))
        compare(mism, f"{where} flags", m.flags, int(w["dhcp.flags"], 16))
        for ours, field in (
            (m.ciaddr, "client"),
            (m.yiaddr, "your"),
            (m.siaddr, "server"),
            (m.giaddr, "relay"),
        ):
            compare(mism, f"{where} {field} address", ours, w[f"dhcp.ip.{field}"])
        compare(mism, f"{where} chaddr", m.chaddr, w["dhcp.hw.mac_addr"])
        compare(mism, f"{where} cookie", m.options.magic_cookie, w["dhcp.cookie"])
        if m.options.sname_options is None:
            compare(mism, f"{where} sname", m.sname, w["dhcp.server"])
        if m.options.file_options is None:
            compare(mism, f"{where} file", m.boot_file, w["dhcp.file"])
        _dhcp_area(
            mism, where, m.options.option_list, w["dhcp.option.type"], w["dhcp.option.type_tree"]
        )
        types = [
            t["dhcp.option.dhcp"]
            for t in as_list(w["dhcp.option.type_tree"])
            if "dhcp.option.dhcp" in t
        ]
        compare(mism, f"{where} message type", m.message_type, int(types[0]))
        overload = [
            t for t in as_list(w["dhcp.option.type_tree"]) if "dhcp.option.option_overload" in t
        ]
        if m.options.file_options is not None:
            area = overload[0]["Boot file name option overload"]
            _dhcp_area(
                mism,
                f"{where} file",
                m.options.file_options,
                area["dhcp.option.type"],
                area["dhcp.option.type_tree"],
            )
        if m.options.sname_options is not None:
            area = overload[0]["Server host name option overload"]
            _dhcp_area(
                mism,
                f"{where} sname",
                m.options.sname_options,
                area["dhcp.option.type"],
                area["dhcp.option.type_tree"],
            )
    assert n == 60
    assert not mism, "\n".join(mism)


def _dhcp6_options(mism: list, where: str, opts: dhcp6.options, w: dict) -> None:
    trees = as_list(w.get("dhcpv6.option.type_str_tree"))
    compare(
        mism,
        f"{where} option codes",
        [o.code for o in opts.option_list],
        [int(t["dhcpv6.option.type"]) for t in trees],
    )
    for o, t in zip(opts.option_list, trees, strict=False):
        code = o.code
        v = o.value
        at = f"{where} option {code}"
        if code in (dhcp6.DHCPV6_OPTION_CLIENTID, dhcp6.DHCPV6_OPTION_SERVERID):
            compare(mism, at, o.data, hexbytes(t["dhcpv6.duid.bytes"]))
            if isinstance(v, dhcp6.duid_llt):
                compare(
                    mism,
                    at,
                    (v.hw_type, v.link_layer_address),
                    (int(t["dhcpv6.duidllt.hwtype"]), t["dhcpv6.duidllt.link_layer_addr"]),
                )
            elif isinstance(v, dhcp6.duid_en):
                compare(
                    mism,
                    at,
                    (v.enterprise_number, v.identifier),
                    (int(t["dhcpv6.duiden.enterprise"]), hexbytes(t["dhcpv6.duiden.identifier"])),
                )
            elif isinstance(v, dhcp6.duid_ll):
                compare(
                    mism,
                    at,
                    (v.hw_type, v.link_layer_address),
                    (int(t["dhcpv6.duidll.hwtype"]), t["dhcpv6.duidll.link_layer_addr"]),
                )
            else:
                compare(
                    mism,
                    at,
                    uuid.UUID(v.uuid).bytes,
                    hexbytes(t["dhcpv6.duiduuid.bytes"]),
                )
        elif code in (dhcp6.DHCPV6_OPTION_IA_NA, dhcp6.DHCPV6_OPTION_IA_PD):
            compare(
                mism,
                at,
                (v.iaid, v.t1, v.t2),
                (int(t["dhcpv6.iaid"], 16), int(t["dhcpv6.iaid.t1"]), int(t["dhcpv6.iaid.t2"])),
            )
            _dhcp6_options(mism, at, v.options, t)
        elif code == dhcp6.DHCPV6_OPTION_IAADDR:
            compare(
                mism,
                at,
                (v.address, v.preferred_lifetime, v.valid_lifetime),
                (
                    t["dhcpv6.iaaddr.ip"],
                    int(t["dhcpv6.iaaddr.pref_lifetime"]),
                    int(t["dhcpv6.iaaddr.valid_lifetime"]),
                ),
            )
        elif code == dhcp6.DHCPV6_OPTION_IAPREFIX:
            compare(
                mism,
                at,
                (v.prefix, v.prefix_len, v.preferred_lifetime, v.valid_lifetime),
                (
                    t["dhcpv6.iaprefix.pref_addr"],
                    int(t["dhcpv6.iaprefix.pref_len"]),
                    int(t["dhcpv6.iaprefix.pref_lifetime"]),
                    int(t["dhcpv6.iaprefix.valid_lifetime"]),
                ),
            )
        elif code == dhcp6.DHCPV6_OPTION_ORO:
            compare(mism, at, v, [int(x) for x in as_list(t.get("dhcpv6.requested_option_code"))])
        elif code == dhcp6.DHCPV6_OPTION_ELAPSED_TIME:
            # Wireshark shows the 1/100 s value in milliseconds.
            compare(mism, at, v * 10, int(t["dhcpv6.elapsed_time"]))
        elif code == dhcp6.DHCPV6_OPTION_STATUS_CODE:
            compare(mism, at, v, (int(t["dhcpv6.status_code"]), t.get("dhcpv6.status_msg", "")))
        elif code == dhcp6.DHCPV6_OPTION_DNS_SERVERS:
            compare(mism, at, v, as_list(t.get("dhcpv6.dns_server")))
        elif code == dhcp6.DHCPV6_OPTION_DOMAIN_LIST:
            names = as_list(t["Domain name suffix search list"]["dhcpv6.search_list_entry"])
            compare(mism, at, [n + "." for n in v], names)
        elif code == dhcp6.DHCPV6_OPTION_INTERFACE_ID:
            compare(mism, at, v, hexbytes(t["dhcpv6.interface_id"]))
        elif code == dhcp6.DHCPV6_OPTION_RAPID_COMMIT:
            compare(mism, at, v, True)
        elif code == dhcp6.DHCPV6_OPTION_RELAY_MSG:
            _dhcp6_message(mism, at, o.data, t["dhcpv6"])


def _dhcp6_message(mism: list, where: str, m: dhcp6.dhcp6, w: dict) -> None:
    compare(mism, f"{where} msg_type", m.msg_type, int(w["dhcpv6.msgtype"]))
    if m.msg_type in (12, 13):
        compare(mism, f"{where} hop_count", m.hop_count, int(w["dhcpv6.hopcount"]))
        compare(mism, f"{where} link", m.link_address, w["dhcpv6.linkaddr"])
        compare(mism, f"{where} peer", m.peer_address, w["dhcpv6.peeraddr"])
    else:
        compare(mism, f"{where} xid", m.transaction_id, int(w["dhcpv6.xid"], 16))
    _dhcp6_options(mism, where, m.options, w)


def test_dhcp6_matches_wireshark(dissected):
    mism: list[str] = []
    n = 0
    for i, (frame, layers) in enumerate(dissected):
        m = packet.Packet(frame).get_protocol(dhcp6.dhcp6)
        if m is None:
            continue
        n += 1
        _dhcp6_message(mism, f"frame {i + 1}", m, layers["dhcpv6"])
    assert n == 44
    assert not mism, "\n".join(mism)


def test_igmp_matches_wireshark(dissected):
    mism: list[str] = []
    versions = set()
    for i, (frame, layers) in enumerate(dissected):
        pkt = packet.Packet(frame)
        m = pkt.get_protocol(igmp.igmp)
        if m is None:
            continue
        w = layers["igmp"]
        where = f"frame {i + 1}"
        versions.add(int(w["igmp.version"]))
        compare(mism, f"{where} type", m.msgtype, int(w["igmp.type"], 16))
        compare(mism, f"{where} checksum", m.csum, int(w["igmp.checksum"], 16))
        compare(mism, f"{where} checksum status", "1", w["igmp.checksum.status"])
        compare(
            mism, f"{where} our checksum check", True, m.checksum_ok(frame[38:], pkt.protocols[1])
        )
        if isinstance(m, igmp.igmpv3_report):
            compare(mism, f"{where} record count", m.record_num, int(w["igmp.num_grp_recs"]))
            theirs = []
            for key, recs in w.items():
                if key.startswith("Group Record"):
                    for r in as_list(recs):
                        theirs.append(
                            (
                                int(r["igmp.record_type"]),
                                int(r["igmp.aux_data_len"]),
                                r["igmp.maddr"],
                                as_list(r.get("igmp.saddr")),
                                hexbytes(r["igmp.aux_data"]) if "igmp.aux_data" in r else None,
                            )
                        )
            ours = [(g.type_, g.aux_len, g.address, g.srcs, g.aux) for g in m.records]
            compare(mism, f"{where} records", sorted(ours, key=repr), sorted(theirs, key=repr))
            continue
        compare(mism, f"{where} group", m.address, w["igmp.maddr"])
        if isinstance(m, igmp.igmpv3_query):
            compare(mism, f"{where} version", 3, int(w["igmp.version"]))
            compare(mism, f"{where} max resp", m.max_resp_time, int(w["igmp.max_resp"]))
            compare(mism, f"{where} S", m.s_flg, int(w["igmp.s"]))
            compare(mism, f"{where} QRV", m.qrv, int(w["igmp.qrv"]))
            # Wireshark shows QQIC as the code on the wire, not the interval it encodes.
            compare(mism, f"{where} QQIC", m.qqic, int(w["igmp.qqic"]))
            compare(
                mism,
                f"{where} sources",
                (m.num, m.srcs),
                (int(w["igmp.num_src"]), as_list(w.get("igmp.saddr"))),
            )
        elif m.msgtype == igmp.IGMP_TYPE_QUERY or m.msgtype == igmp.IGMP_TYPE_REPORT_V2:
            if int(w["igmp.version"]) == 2:
                compare(mism, f"{where} max resp", m.maxresp, int(w["igmp.max_resp"]))
    assert versions == {1, 2, 3}
    assert not mism, "\n".join(mism)
