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
import random
import shutil
import subprocess

import pytest

from ctrlapp.lib.packet import dhcp, dhcp6, ethernet, igmp, in_proto, ipv4, ipv6, packet, udp
from tests.support.packet_contract import build
from tests.support.pcap_writer import write_pcap

SEED = 20261122
HOSTS = ["pc1", "laptop-7", "printer.lab", "x"]
DOMAINS = ["example.com", "lab.example.org", "a.b.c.d"]


def _ip(rng: random.Random) -> str:
    return ".".join(str(rng.randrange(256)) for _ in range(4))


def _mac(rng: random.Random) -> str:
    return rng.randbytes(6).hex(":")


def _ip6(rng: random.Random) -> str:
    return str(
        ipv6_address(rng.choice([b"\x20\x01\x0d\xb8", b"\xfe\x80\x00\x00"]) + rng.randbytes(12))
    )


def ipv6_address(raw: bytes):
    import ipaddress

    return ipaddress.IPv6Address(raw)


# -- generated messages ----------------------------------------------------------


def dhcp_messages(rng: random.Random, count: int) -> list[dhcp.dhcp]:
    out = []
    for i in range(count):
        mtype = i % 8 + 1
        op = 1 if mtype in (1, 3, 4, 7, 8) else 2
        mac = _mac(rng)
        o = dhcp.options(options_len=rng.choice([0, 0, 64, 312 - 236]))
        o.set(dhcp.DHCP_MESSAGE_TYPE_OPT, mtype)
        choices = [
            (dhcp.DHCP_CLIENT_IDENTIFIER_OPT, (1, mac)),
            (dhcp.DHCP_REQUESTED_IP_ADDR_OPT, _ip(rng)),
            (dhcp.DHCP_HOST_NAME_OPT, rng.choice(HOSTS)),
            (dhcp.DHCP_PARAMETER_REQUEST_LIST_OPT, rng.sample(range(1, 130), rng.randrange(1, 9))),
            (dhcp.DHCP_MAX_MESSAGE_SIZE_OPT, rng.choice([576, 1500])),
            (dhcp.DHCP_VENDOR_CLASS_ID_OPT, rng.choice(["MSFT 5.0", "udhcp 1.36.1"])),
            (dhcp.DHCP_SERVER_IDENTIFIER_OPT, _ip(rng)),
            (dhcp.DHCP_IP_ADDR_LEASE_TIME_OPT, rng.randrange(2**32)),
            (dhcp.DHCP_RENEWAL_TIME_OPT, rng.randrange(2**32)),
            (dhcp.DHCP_REBINDING_TIME_OPT, rng.randrange(2**32)),
            (dhcp.DHCP_SUBNET_MASK_OPT, rng.choice(["255.255.255.0", "255.255.0.0"])),
            (dhcp.DHCP_GATEWAY_ADDR_OPT, [_ip(rng) for _ in range(rng.randrange(1, 3))]),
            (dhcp.DHCP_DNS_SERVER_ADDR_OPT, [_ip(rng) for _ in range(rng.randrange(1, 4))]),
            (dhcp.DHCP_DOMAIN_NAME_OPT, rng.choice(DOMAINS)),
            (dhcp.DHCP_INTERFACE_MTU_OPT, rng.choice([1280, 1500, 9000])),
            (dhcp.DHCP_BROADCAST_ADDR_OPT, _ip(rng)),
            (dhcp.DHCP_NTP_SERVERS_OPT, [_ip(rng)]),
            (dhcp.DHCP_MESSAGE_OPT, rng.choice(["address in use", "ok"])),
            (
                dhcp.DHCP_RELAY_AGENT_INFO_OPT,
                [(1, rng.randbytes(rng.randrange(1, 8))), (2, bytes.fromhex(mac.replace(":", "")))],
            ),
            (
                dhcp.DHCP_CLASSLESS_ROUTE_OPT,
                [("10.0.0.0/8", _ip(rng)), ("0.0.0.0/0", _ip(rng)), ("192.168.1.0/24", _ip(rng))],
            ),
            (rng.randrange(224, 254), rng.randbytes(rng.randrange(0, 12))),
        ]
        for tag, value in rng.sample(choices, rng.randrange(2, 9)):
            o.set(tag, value)
        if rng.random() < 0.2:
            o.option_list.insert(rng.randrange(len(o.option_list)), dhcp.option(0, b""))
        sname = rng.choice(["", "", "boot-server"])
        boot_file = rng.choice(["", "", "pxelinux.0", "/tftpboot/ipxe.efi"])
        if i % 10 == 9:
            o.set(dhcp.DHCP_OPTION_OVERLOAD_OPT, 3)
            o.file_options = [dhcp.option.from_value(dhcp.DHCP_DOMAIN_NAME_OPT, "overload.test")]
            o.sname_options = [dhcp.option.from_value(dhcp.DHCP_HOST_NAME_OPT, "in-sname")]
        out.append(
            dhcp.dhcp(
                op,
                mac,
                o,
                hops=rng.choice([0, 0, 1]),
                xid=rng.randrange(2**32),
                secs=rng.randrange(100),
                flags=rng.choice([0, 0x8000]),
                ciaddr=rng.choice(["0.0.0.0", _ip(rng)]),
                yiaddr=_ip(rng) if op == 2 else "0.0.0.0",
                siaddr=rng.choice(["0.0.0.0", _ip(rng)]),
                giaddr=rng.choice(["0.0.0.0", _ip(rng)]),
                sname=sname,
                boot_file=boot_file,
            )
        )
    return out


def _duid(rng: random.Random):
    return rng.choice(
        [
            dhcp6.duid_llt(1, rng.randrange(2**32), _mac(rng)),
            dhcp6.duid_en(rng.randrange(1, 60000), rng.randbytes(rng.randrange(1, 12))),
            dhcp6.duid_ll(1, _mac(rng)),
            dhcp6.duid_uuid(str(__import__("uuid").UUID(bytes=rng.randbytes(16)))),
        ]
    )


def dhcp6_messages(rng: random.Random, count: int) -> list[dhcp6.dhcp6]:
    out = []
    for i in range(count):
        mtype = i % 11 + 1
        o = dhcp6.options()
        o.add(dhcp6.DHCPV6_OPTION_CLIENTID, _duid(rng))
        if mtype in (2, 3, 5, 7, 8, 9):
            o.add(dhcp6.DHCPV6_OPTION_SERVERID, _duid(rng))
        o.add(dhcp6.DHCPV6_OPTION_ELAPSED_TIME, rng.randrange(65536))
        if rng.random() < 0.7:
            o.add(dhcp6.DHCPV6_OPTION_ORO, rng.sample([23, 24, 25, 31, 82], rng.randrange(1, 5)))
        if rng.random() < 0.6:
            addrs = dhcp6.options()
            for _ in range(rng.randrange(0, 3)):
                addrs.add(
                    dhcp6.DHCPV6_OPTION_IAADDR,
                    dhcp6.ia_address(_ip6(rng), rng.randrange(2**32), rng.randrange(2**32)),
                )
            o.add(dhcp6.DHCPV6_OPTION_IA_NA, dhcp6.ia_na(rng.randrange(2**32), 1800, 2880, addrs))
        if rng.random() < 0.5:
            pfx = dhcp6.options()
            pfx.add(
                dhcp6.DHCPV6_OPTION_IAPREFIX,
                dhcp6.ia_prefix(3600, 7200, rng.choice([48, 56, 64]), "2001:db8:ab00::"),
            )
            o.add(dhcp6.DHCPV6_OPTION_IA_PD, dhcp6.ia_pd(rng.randrange(2**32), 0, 0, pfx))
        if mtype == 7:
            o.add(dhcp6.DHCPV6_OPTION_STATUS_CODE, (rng.randrange(7), rng.choice(["", "ok"])))
        if rng.random() < 0.3:
            o.add(dhcp6.DHCPV6_OPTION_RAPID_COMMIT, True)
        if mtype in (2, 7):
            o.add(dhcp6.DHCPV6_OPTION_DNS_SERVERS, [_ip6(rng) for _ in range(rng.randrange(1, 3))])
            o.add(dhcp6.DHCPV6_OPTION_DOMAIN_LIST, rng.sample(DOMAINS, rng.randrange(1, 3)))
        msg = dhcp6.dhcp6(mtype, o, rng.randrange(2**24))
        if i % 4 == 3:
            relay_type = dhcp6.DHCPV6_RELAY_REPL if mtype in (2, 7) else dhcp6.DHCPV6_RELAY_FORW
            ro = dhcp6.options()
            ro.add(dhcp6.DHCPV6_OPTION_INTERFACE_ID, rng.randbytes(4))
            ro.option_list.append(dhcp6.option(dhcp6.DHCPV6_OPTION_RELAY_MSG, msg))
            msg = dhcp6.dhcp6(relay_type, ro, 0, 0, link_address=_ip6(rng), peer_address=_ip6(rng))
        out.append(msg)
    return out


def igmp_messages(rng: random.Random, count: int) -> list[igmp.igmp]:
    out = []
    for i in range(count):
        kind = i % 6
        group = f"{rng.randrange(224, 240)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 256)}"
        if kind == 0:
            out.append(igmp.igmp(igmp.IGMP_TYPE_REPORT_V1, 0, 0, group))
        elif kind == 1:
            out.append(igmp.igmp(igmp.IGMP_TYPE_QUERY, rng.randrange(1, 256), 0, group))
        elif kind == 2:
            out.append(igmp.igmp(rng.choice([0x16, 0x17]), 0, 0, group))
        elif kind == 3:
            out.append(
                igmp.igmpv3_query(
                    maxresp=rng.randrange(256),
                    address=rng.choice(["0.0.0.0", group]),
                    s_flg=rng.randrange(2),
                    qrv=rng.randrange(8),
                    qqic=rng.randrange(256),
                    srcs=[_ip(rng) for _ in range(rng.randrange(0, 4))],
                )
            )
        else:
            records = [
                igmp.igmpv3_report_group(
                    rng.randrange(1, 7),
                    address=f"239.{rng.randrange(256)}.{rng.randrange(256)}.{j + 1}",
                    srcs=[_ip(rng) for _ in range(rng.randrange(0, 3))],
                    aux=rng.choice([None, None, rng.randbytes(4)]),
                )
                for j in range(rng.randrange(0, 4))
            ]
            out.append(igmp.igmpv3_report(records=records))
    return out


def dhcp_frame(m: dhcp.dhcp) -> bytes:
    ports = (68, 67) if m.op == 1 else (67, 68)
    return build(
        ethernet.ethernet("ff:ff:ff:ff:ff:ff", "08:00:27:00:00:01"),
        ipv4.ipv4(proto=in_proto.IPPROTO_UDP, src="192.0.2.1", dst="255.255.255.255"),
        udp.udp(*ports),
        m,
    )


def dhcp6_frame(m: dhcp6.dhcp6) -> bytes:
    ports = (546, 547) if m.msg_type not in (2, 7, 10, 13) else (547, 546)
    return build(
        ethernet.ethernet("33:33:00:01:00:02", "08:00:27:00:00:01", 0x86DD),
        ipv6.ipv6(nxt=in_proto.IPPROTO_UDP, hop_limit=1, src="fe80::1", dst="ff02::1:2"),
        udp.udp(*ports),
        m,
    )


def igmp_frame(m: igmp.igmp) -> bytes:
    return build(
        ethernet.ethernet("01:00:5e:00:00:16", "08:00:27:00:00:01"),
        ipv4.ipv4(
            header_length=6,
            ttl=1,
            proto=in_proto.IPPROTO_IGMP,
            src="192.0.2.1",
            dst="224.0.0.22",
            option=b"\x94\x04\x00\x00",
        ),
        m,
    )


# -- tshark ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dissected(tmp_path_factory):
    tshark = shutil.which("tshark")
    if tshark is None:
        if os.environ.get("CI"):
            pytest.fail("tshark is not on PATH (Debian package tshark)")
        pytest.skip("tshark is not on PATH; install the Debian package tshark to run this check")
    rng = random.Random(SEED)
    frames = (
        [dhcp_frame(m) for m in dhcp_messages(rng, 60)]
        + [dhcp6_frame(m) for m in dhcp6_messages(rng, 44)]
        + [igmp_frame(m) for m in igmp_messages(rng, 48)]
    )
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
                    __import__("uuid").UUID(v.uuid).bytes,
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
