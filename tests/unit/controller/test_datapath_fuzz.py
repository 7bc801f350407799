"""Whatever a connected switch sends, the runtime raises only what closes that connection.

Frames are fed straight into a live Datapath's message handler (the receive loop's
per-message step); the only exceptions allowed out are the ones ``Datapath.serve``
turns into a logged disconnect.
"""

import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctrlapp.controller.handshake import HandshakeError
from ctrlapp.exception import OFPMalformedMessage
from ctrlapp.ofproto.framer import OFPFrame
from tests.unit.controller.conftest import Running

_LIVE = {}


def live_datapath():
    """One controller with the recorder app and a connected 1.3 switch, shared by all examples."""
    if "dp" not in _LIVE:
        r = Running(["tests/unit/controller/recorder_app.py", "apps/example_hub.py"])
        sw = r.switch(dpid=0xF00, version=4)
        assert sw.wait_ready()
        assert r.wait(
            lambda: (
                0xF00 in r.controller.datapaths and r.controller.datapaths[0xF00].state == "main"
            )
        )
        _LIVE.update(r=r, dp=r.controller.datapaths[0xF00])
    return _LIVE["dp"]


@pytest.fixture(scope="module", autouse=True)
def _stop_live():
    yield
    if "r" in _LIVE:
        _LIVE.pop("r").stop()
        _LIVE.clear()


frame_types = st.sampled_from([0, 1, 2, 3, 4, 6, 8, 10, 11, 12, 19, 21, 25, 27]) | st.integers(
    0, 40
)


@pytest.mark.timeout(120)
@settings(
    suppress_health_check=[HealthCheck.too_slow], max_examples=min(1500, settings().max_examples)
)
@given(msg_type=frame_types, body=st.binary(max_size=200), xid=st.integers(0, 0xFFFFFFFF))
def test_random_frames_in_main_state(msg_type, body, xid):
    dp = live_datapath()
    buf = struct.pack("!BBHI", 4, msg_type, 8 + len(body), xid) + body
    try:
        dp._handle_frame(OFPFrame(4, msg_type, len(buf), xid, buf))
    except (HandshakeError, OFPMalformedMessage):
        pass
    assert dp.is_active and dp.state == "main"
