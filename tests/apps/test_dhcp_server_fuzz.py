"""Random and mutated frames into the app's PACKET_IN handler: nothing ever raises."""

import importlib.util
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.ofproto import ofproto_v1_3_parser as p13
from ctrlapp.ofproto.ofproto_protocol import ProtocolDesc
from ctrlapp.rest.wsgi import WSGIApplication
from ctrlapp.testing.dhcp_client import DhcpClient

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("dhcp_server_fuzzed", ROOT / "apps/dhcp_server.py")
APP = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(APP)


class FakeDatapath(ProtocolDesc):
    """Encodes what the app sends (so encoding errors would show) and keeps nothing."""

    id = 1

    def __init__(self):
        super().__init__(4)
        self.sent = 0

    def send_msg(self, msg):
        msg.serialize()
        self.sent += 1


class Event:
    def __init__(self, msg):
        self.msg = msg


app = APP.DhcpServerApp(wsgi=WSGIApplication(), settings={"trusted_ports": ["1:2"]})
dp = FakeDatapath()
c = DhcpClient("00:00:00:00:00:01", hostname="h", client_id=b"\x01abcdef")
SEEDS = [c.discover()]
c.offered = c.ip = "10.0.0.100"
c.server_id = "10.0.0.254"
SEEDS += [c.request(), c.renew(), c.release()]


def feed(frame, port=1):
    msg = p13.OFPPacketIn(
        dp, 0xFFFFFFFF, len(frame), 1, 0, APP.COOKIE, p13.OFPMatch(in_port=port), frame
    )
    app.packet_in(Event(msg))


@given(st.binary(max_size=400), st.integers(1, 2))
def test_random_frames(frame, port):
    feed(frame, port)


@given(st.sampled_from(SEEDS), st.binary(min_size=3, max_size=24), st.integers(0, 400))
def test_mutated_client_frames(seed, flips, cut):
    raw = bytearray(seed)
    for i in range(0, len(flips) - 2, 3):
        pos = int.from_bytes(flips[i : i + 2], "big") % len(raw)
        raw[pos] = flips[i + 2]
    feed(bytes(raw[: max(cut, 14)]), 1 + cut % 2)
