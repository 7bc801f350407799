"""Real dhclient frames: the emulated client reproduces them, the engine answers them."""

from pathlib import Path

from ctrlapp.lib.packet import dhcp, ipv4, packet
from ctrlapp.services.dhcp.config import ServerConfig
from ctrlapp.services.dhcp.server import DhcpServer, Origin
from ctrlapp.testing.dhcp_client import DhcpClient

DATA = Path(__file__).parents[3] / "data" / "dhclient"
MAC = "00:16:3e:5e:6c:01"


def test_emulated_client_frames_are_byte_exact_dhclient():
    c = DhcpClient(MAC, hostname="vm", xid=0x2FD0C21C, secs=8)
    assert c.discover() == (DATA / "discover.bin").read_bytes()
    c.offered, c.server_id = "10.0.0.100", "10.0.0.254"
    assert c.request() == (DATA / "request.bin").read_bytes()


def test_engine_completes_dora_with_the_captured_frames():
    srv = DhcpServer(ServerConfig({}))
    replies = []
    for name in ("discover", "request"):
        p = packet.Packet((DATA / f"{name}.bin").read_bytes())
        ip = p.get_protocol(ipv4.ipv4)
        out = srv.handle(p.get_protocol(dhcp.dhcp), Origin(1, 1, MAC, None, ip.src, ip.dst), 1.7e9)
        replies.append(out.reply.msg)
    offer, ack = replies
    assert (offer.message_type, offer.yiaddr) == (dhcp.DHCP_OFFER, "10.0.0.100")
    assert (ack.message_type, ack.yiaddr, ack.xid) == (dhcp.DHCP_ACK, "10.0.0.100", 0x2FD0C21C)
    # dhclient's parameter request list decides which options come back.
    tags = [o.tag for o in ack.options.option_list]
    assert tags == [53, 54, 51, 58, 59, 1, 28]
