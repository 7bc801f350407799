"""An emulated DHCP client (sans-IO) for app tests and benchmarks.

Frames are laid out like ISC dhclient 4.4's (see tests/data/dhclient/): IPv4
TOS 0x10, TTL 128, option order 53, 61, 54, 50, 12, 55, and the BOOTP message
zero-padded to 300 bytes, so a DISCOVER or REQUEST is a 342-byte frame.
"""

from __future__ import annotations

import random

from ctrlapp.lib.packet import dhcp, ethernet, ipv4, packet, udp
from ctrlapp.lib.packet.errors import PacketParseError

_PRL = bytes((1, 28, 2, 3, 15, 6, 119, 12, 44, 47, 26, 121, 42))
BOOTP_MIN = 300


class DhcpClient:
    """One client: call :meth:`discover`, feed every reply frame to :meth:`receive`.

    ``state`` goes INIT -> SELECTING -> REQUESTING -> BOUND (or back to INIT on
    a NAK); ``ip``, ``server_id`` and ``lease_time`` describe the lease.
    """

    def __init__(
        self,
        mac: str,
        hostname: str | None = None,
        client_id: bytes | None = None,
        broadcast: bool = False,
        xid: int | None = None,
        secs: int = 0,
    ) -> None:
        self.mac = mac
        self.secs = secs
        self.hostname = hostname
        self.client_id = client_id
        self.flags = 0x8000 if broadcast else 0
        self.xid = random.getrandbits(32) if xid is None else xid
        self.state = "INIT"
        self.ip: str | None = None
        self.offered: str | None = None
        self.server_id: str | None = None
        self.server_mac = "ff:ff:ff:ff:ff:ff"
        self.lease_time: int | None = None
        self.naks = 0

    def _frame(
        self,
        mtype: int,
        extra: list[dhcp.option],
        ciaddr: str = "0.0.0.0",
        ip_dst: str = "255.255.255.255",
        eth_dst: str = "ff:ff:ff:ff:ff:ff",
    ) -> bytes:
        opts = [dhcp.option(dhcp.DHCP_MESSAGE_TYPE_OPT, bytes((mtype,)), 1)]
        if self.client_id is not None:
            opts.append(dhcp.option(dhcp.DHCP_CLIENT_IDENTIFIER_OPT, self.client_id))
        opts += extra
        if self.hostname and mtype in (dhcp.DHCP_DISCOVER, dhcp.DHCP_REQUEST):
            opts.append(dhcp.option.from_value(dhcp.DHCP_HOST_NAME_OPT, self.hostname))
        if mtype in (dhcp.DHCP_DISCOVER, dhcp.DHCP_REQUEST, dhcp.DHCP_INFORM):
            opts.append(dhcp.option(dhcp.DHCP_PARAMETER_REQUEST_LIST_OPT, _PRL))
        msg = dhcp.dhcp(
            op=dhcp.DHCP_BOOT_REQUEST,
            chaddr=self.mac,
            xid=self.xid,
            secs=self.secs,
            flags=self.flags,
            ciaddr=ciaddr,
            options=dhcp.options(opts, options_len=BOOTP_MIN - 236),
        )
        p = packet.Packet()
        p.add_protocol(ethernet.ethernet(eth_dst, self.mac, 0x0800))
        p.add_protocol(ipv4.ipv4(tos=0x10, ttl=128, proto=17, src=ciaddr, dst=ip_dst))
        p.add_protocol(udp.udp(68, 67))
        p.add_protocol(msg)
        p.serialize()
        return bytes(p.data)

    def discover(self) -> bytes:
        self.state = "SELECTING"
        return self._frame(dhcp.DHCP_DISCOVER, [])

    def request(self) -> bytes:
        """The REQUEST answering the OFFER received (SELECTING state)."""
        self.state = "REQUESTING"
        return self._frame(
            dhcp.DHCP_REQUEST,
            [
                dhcp.option.from_value(dhcp.DHCP_SERVER_IDENTIFIER_OPT, self.server_id),
                dhcp.option.from_value(dhcp.DHCP_REQUESTED_IP_ADDR_OPT, self.offered),
            ],
        )

    def init_reboot(self) -> bytes:
        self.state = "REQUESTING"
        return self._frame(
            dhcp.DHCP_REQUEST, [dhcp.option.from_value(dhcp.DHCP_REQUESTED_IP_ADDR_OPT, self.ip)]
        )

    def renew(self) -> bytes:
        """A RENEWING-state REQUEST, unicast to the server."""
        self.state = "RENEWING"
        return self._frame(
            dhcp.DHCP_REQUEST, [], ciaddr=self.ip, ip_dst=self.server_id, eth_dst=self.server_mac
        )

    def release(self) -> bytes:
        frame = self._frame(
            dhcp.DHCP_RELEASE,
            [dhcp.option.from_value(dhcp.DHCP_SERVER_IDENTIFIER_OPT, self.server_id)],
            ciaddr=self.ip,
            ip_dst=self.server_id,
            eth_dst=self.server_mac,
        )
        self.state, self.ip = "INIT", None
        return frame

    def decline(self) -> bytes:
        frame = self._frame(
            dhcp.DHCP_DECLINE,
            [
                dhcp.option.from_value(dhcp.DHCP_SERVER_IDENTIFIER_OPT, self.server_id),
                dhcp.option.from_value(dhcp.DHCP_REQUESTED_IP_ADDR_OPT, self.ip),
            ],
        )
        self.state, self.ip = "INIT", None
        return frame

    def receive(self, frame: bytes) -> bytes | None:
        """Take a frame from the server; return the frame to send next, if any."""
        try:
            pkt = packet.Packet(frame)
        except PacketParseError:
            return None
        msg = pkt.get_protocol(dhcp.dhcp)
        if msg is None or msg.op != dhcp.DHCP_BOOT_REPLY or msg.xid != self.xid:
            return None
        if msg.chaddr != self.mac:
            return None
        mtype = msg.message_type
        if mtype == dhcp.DHCP_OFFER and self.state == "SELECTING":
            self.offered = msg.yiaddr
            self.server_id = msg.options.get(dhcp.DHCP_SERVER_IDENTIFIER_OPT)
            self.server_mac = pkt.get_protocol(ethernet.ethernet).src
            return self.request()
        if mtype == dhcp.DHCP_ACK and self.state in ("REQUESTING", "RENEWING"):
            self.ip = msg.yiaddr
            self.server_id = msg.options.get(dhcp.DHCP_SERVER_IDENTIFIER_OPT)
            self.lease_time = msg.options.get(dhcp.DHCP_IP_ADDR_LEASE_TIME_OPT)
            self.state = "BOUND"
            return None
        if mtype == dhcp.DHCP_NAK and self.state in ("REQUESTING", "RENEWING"):
            self.naks += 1
            self.state, self.ip = "INIT", None
            return None
        return None
