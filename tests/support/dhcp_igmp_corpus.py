"""A deterministic, varied corpus of DHCP, DHCPv6 and IGMP messages and the frames that carry them.

Used by the Wireshark differential test and as the seed frames of the
mutation tests: every DHCP message type with the typed options, padding,
overload and relay agent information; DHCPv6 client, server and relay
messages with every DUID type, IA_NA/IA_PD and the DNS options; IGMP v1, v2
and v3 queries and reports with all record types and auxiliary data.
"""

from __future__ import annotations

import ipaddress
import random
import uuid

from ctrlapp.lib.packet import dhcp, dhcp6, ethernet, igmp, in_proto, ipv4, ipv6, udp
from tests.support.packet_contract import build

SEED = 20261122
HOSTS = ["pc1", "laptop-7", "printer.lab", "x"]
DOMAINS = ["example.com", "lab.example.org", "a.b.c.d"]


def _ip(rng: random.Random) -> str:
    return ".".join(str(rng.randrange(256)) for _ in range(4))


def _mac(rng: random.Random) -> str:
    return rng.randbytes(6).hex(":")


def _ip6(rng: random.Random) -> str:
    prefix = rng.choice([b"\x20\x01\x0d\xb8", b"\xfe\x80\x00\x00"])
    return str(ipaddress.IPv6Address(prefix + rng.randbytes(12)))


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
            dhcp6.duid_uuid(str(uuid.UUID(bytes=rng.randbytes(16)))),
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


def corpus_frames(dhcp_count: int = 60, dhcp6_count: int = 44, igmp_count: int = 48) -> list[bytes]:
    """The corpus as Ethernet frames: DHCP first, then DHCPv6, then IGMP."""
    rng = random.Random(SEED)
    return (
        [dhcp_frame(m) for m in dhcp_messages(rng, dhcp_count)]
        + [dhcp6_frame(m) for m in dhcp6_messages(rng, dhcp6_count)]
        + [igmp_frame(m) for m in igmp_messages(rng, igmp_count)]
    )
