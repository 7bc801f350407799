"""README.md's packet-library example runs as written and builds a real ARP reply."""

import re
from pathlib import Path

from ctrlapp.lib.packet import arp, packet

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_packet_example_runs():
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README.md lost its Python example"
    scope: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), scope)  # noqa: S102 - our own README
    reply = packet.Packet(bytes(scope["reply"].data)).get_protocol(arp.arp)
    assert reply.opcode == arp.ARP_REPLY
    assert (reply.src_ip, reply.dst_ip) == ("10.0.0.2", "10.0.0.1")
    assert reply.dst_mac == "00:11:22:33:44:55"
