"""msgpack-RPC over a real TCP socket: app methods, errors, subscriptions and notifications."""

import socket
import types

import pytest

from ctrlapp.base.app_manager import CtrlApp
from ctrlapp.lib import hub
from ctrlapp.rpc import protocol
from ctrlapp.rpc.client import RpcCallError, RpcClient
from ctrlapp.rpc.methods import RpcError, rpc_method
from ctrlapp.rpc.service import RpcService
from tests.support.green import run_blocking

pytestmark = pytest.mark.timeout(30)


class Calc(CtrlApp):
    _NAME = "calc"

    @rpc_method()
    def add(self, a, b):
        return a + b

    @rpc_method("div")
    def divide(self, a, b):
        if b == 0:
            raise RpcError("bad_params", "cannot divide by zero")
        return a / b

    @rpc_method()
    def crash(self):
        raise RuntimeError("internal detail")


@pytest.fixture
def service():
    app = Calc()
    svc = RpcService(types.SimpleNamespace(applications={"calc": app}), "127.0.0.1", 0).start()
    yield svc, app
    svc.stop()


def test_calls_and_errors(service):
    svc, _ = service
    host, port = svc.address

    def client():
        with RpcClient(host, port) as rpc:
            out = [rpc.call("rpc.ping"), rpc.call("calc.add", 2, 3), rpc.call("calc.div", 9, 3)]
            assert "calc.add" in rpc.call("rpc.methods")
            errors = []
            for method, params in (
                ("calc.div", (1, 0)),
                ("nope", ()),
                ("calc.add", (1,)),
                ("calc.crash", ()),
            ):
                with pytest.raises(RpcCallError) as e:
                    rpc.call(method, *params)
                errors.append(e.value.error["error"])
            return out, errors

    out, errors = run_blocking(client)
    assert out == ["pong", 5, 3.0]
    assert errors == ["bad_params", "no_such_method", "bad_params", "internal_error"]


def test_notifications_reach_matching_subscribers(service):
    svc, app = service
    host, port = svc.address
    rpc = RpcClient(host, port)
    try:
        assert run_blocking(lambda: rpc.subscribe("lease.*")) == ["lease.*"]
        app.publish("other.topic", {"x": 1})
        app.publish("lease.granted", {"ip": "10.0.0.5"})
        topic, params = run_blocking(lambda: rpc.next_notification(timeout=5))
        assert topic == "lease.granted" and params == ["calc", {"ip": "10.0.0.5"}]
    finally:
        rpc.close()


def test_garbage_disconnects_only_the_sender(service):
    svc, _ = service
    host, port = svc.address

    def client():
        bad = socket.create_connection((host, port))
        good = RpcClient(host, port)
        bad.sendall(b"\xc1" * 10)  # 0xc1 is never valid msgpack
        bad.settimeout(5)
        closed = bad.recv(10) == b""
        return closed, good.call("calc.add", 1, 1)

    assert run_blocking(client) == (True, 2)


def test_request_without_waiting_for_answer_is_kept_in_order(service):
    svc, _ = service
    host, port = svc.address

    def client():
        s = socket.create_connection((host, port))
        s.sendall(b"".join(protocol.encode_request(i, "calc.add", [i, i]) for i in range(50)))
        reader, got = protocol.MessageReader(), []
        s.settimeout(5)
        while len(got) < 50:
            got += reader.feed(s.recv(65536))
        s.close()
        return got

    got = run_blocking(client)
    assert [m[1] for m in got] == list(range(50)) and [m[3] for m in got] == [
        2 * i for i in range(50)
    ]
    hub.sleep(0)
