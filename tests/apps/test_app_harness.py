"""ctrlapp.testing.app_harness: what app tests rely on (apps started, REST/RPC served, teardown)."""

import socket

import pytest

from ctrlapp.base import app_manager
from ctrlapp.rpc.client import RpcClient
from ctrlapp.rpc.methods import rpc_method
from ctrlapp.testing.app_harness import AppHarness, OfflineDatapath, run_blocking


class Echo(app_manager.CtrlApp):
    _NAME = "echo"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.prepared = False
        self.started_prepared = None

    def start(self):
        self.started_prepared = self.prepared
        return super().start()

    @rpc_method()
    def shout(self, text):
        return text.upper()


class Prepared(AppHarness):
    def prepare(self):
        self.app("echo").prepared = True


def refused(address):
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return True
    return False


@pytest.mark.timeout(30)
def test_rest_rpc_switches_and_teardown(tmp_path):
    with Prepared([], extra_apps={"echo": Echo}, state_dir=tmp_path, rest=True, rpc=True) as h:
        assert h.app("echo").started_prepared is True
        sw = h.connect(dpid=0x2A, version=4)
        assert sw.wait(lambda: 0x2A in h.controller.datapaths)
        status, doc = h.http("GET", "/v1/openapi.json")
        assert status == 200 and "paths" in doc
        status, err = h.http("GET", "/v1/no/such/route")
        assert status == 404 and err["detail"]
        assert "# TYPE" in h.text("/metrics")

        def call():
            with RpcClient(*h.rpc.address) as c:
                return c.call("echo.shout", "hi")

        assert run_blocking(call) == "HI"
        addresses = [h.controller.tcp_address, h.rest.address, h.rpc.address]
    assert run_blocking(lambda: [refused(a) for a in addresses]) == [True, True, True]


def test_offline_datapath_encodes_and_keeps_what_is_sent():
    dp = OfflineDatapath(version=1, dpid=7)
    p = dp.ofproto_parser
    msg = p.OFPPacketOut(dp, 0xFFFFFFFF, 1, [p.OFPActionOutput(2)], b"\x00" * 14)
    assert dp.send_msg(msg) is True
    assert dp.id == 7 and dp.sent == [msg] and msg.buf[:2] == b"\x01\x0d"
