"""Apps: loading, contexts, handlers, per-app queues, errors, app-to-app events and requests."""

import logging
import textwrap

import pytest

from ctrlapp.base import app_manager
from ctrlapp.controller import event
from ctrlapp.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from ctrlapp.exception import AppLoadError, RequestTimeout
from ctrlapp.lib import hub

pytestmark = pytest.mark.timeout(30)


class EventPing(event.EventBase):
    def __init__(self, n):
        self.n = n


class EventAsk(event.EventRequestBase):
    def __init__(self, dst, question):
        super().__init__()
        self.dst = dst
        self.question = question


class EventAnswer(event.EventReplyBase):
    def __init__(self, dst, answer):
        super().__init__(dst)
        self.answer = answer


class Shared:
    pass


class Pinger(app_manager.CtrlApp):
    _CONTEXTS = {"shared": Shared}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared = kwargs["shared"]
        self.seen = []
        self.closed = False

    @set_ev_cls(EventPing, MAIN_DISPATCHER)
    def on_ping(self, ev):
        if ev.n == 13:
            raise RuntimeError("unlucky")
        self.seen.append(ev.n)

    def close(self):
        self.closed = True


class Oracle(app_manager.RyuApp):
    _CONTEXTS = {"shared": Shared}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared = kwargs["shared"]
        self.pings = []

    @set_ev_cls(EventAsk)
    def on_ask(self, ev):
        self.reply_to_request(ev, EventAnswer(None, ev.question * 2))

    @set_ev_cls(EventPing, [CONFIG_DISPATCHER])
    def on_config_ping(self, ev):
        self.pings.append(ev.n)


def wait_for(cond, timeout=5.0):
    deadline = hub.Timeout(timeout)
    try:
        while not cond():
            hub.sleep(0.001)
    finally:
        deadline.cancel()


@pytest.fixture
def manager(tmp_path):
    mgr = app_manager.AppManager(app_settings={"Pinger": {"k": 1}}, state_dir=tmp_path)
    mgr.applications_cls = {"Pinger": Pinger, "Oracle": Oracle}
    mgr.load_apps([])
    mgr.instantiate_apps()
    mgr.start_apps()
    yield mgr
    mgr.close()


def test_contexts_shared_and_settings(manager, tmp_path):
    pinger, oracle = manager.applications["Pinger"], manager.applications["Oracle"]
    assert pinger.shared is oracle.shared and isinstance(pinger.shared, Shared)
    assert pinger.settings == {"k": 1} and oracle.settings == {}
    assert pinger.state_dir == tmp_path / "Pinger" and pinger.state_dir.is_dir()
    assert app_manager.lookup_service_brick("Oracle") is oracle


def test_dispatch_by_state_and_failing_handler(manager, caplog):
    pinger, oracle = manager.applications["Pinger"], manager.applications["Oracle"]
    with caplog.at_level(logging.ERROR):
        for n in (1, 13, 2):
            assert manager.dispatch(EventPing(n), MAIN_DISPATCHER) == 2
        manager.dispatch(EventPing(7), CONFIG_DISPATCHER)
        wait_for(
            lambda: pinger.counters.events_handled == 4 and oracle.counters.events_handled == 4
        )
    assert pinger.seen == [1, 2]  # 13 raised, the loop went on; 7 was for CONFIG only
    assert oracle.pings == [7]
    assert pinger.counters.handler_errors == 1
    record = next(r for r in caplog.records if "unlucky" in (r.exc_text or ""))
    assert "Pinger" in record.getMessage() and "EventPing" in record.getMessage()
    stats = manager.app_stats()["Pinger"]
    assert stats["events_handled"] == 4 and stats["queue_depth"] == 0


def test_request_reply_between_apps(manager):
    pinger = manager.applications["Pinger"]
    box = []
    hub.spawn(lambda: box.append(pinger.send_request(EventAsk("Oracle", 21), timeout=5))).wait()
    assert box[0].answer == 42 and box[0].dst == "Pinger"
    with pytest.raises(RequestTimeout):
        pinger.send_request(EventAsk("Nobody", 1), timeout=0.05)


def test_send_event_to_observers_and_publish(manager):
    pinger = manager.applications["Pinger"]
    got = []
    unsubscribe = app_manager.NOTIFIER.subscribe(lambda *a: got.append(a))
    try:
        pinger.publish("lease", {"ip": "10.0.0.5"})
        pinger.send_event_to_observers(EventPing(5), MAIN_DISPATCHER)
        wait_for(lambda: pinger.seen == [5])
    finally:
        unsubscribe()
    pinger.publish("lease", {})
    assert got == [("Pinger", "lease", {"ip": "10.0.0.5"})]


def test_close_calls_hook_and_stops(manager):
    pinger = manager.applications["Pinger"]
    manager.close()
    assert pinger.closed and not pinger.is_active
    assert app_manager.lookup_service_brick("Pinger") is None


def test_load_from_path_and_errors(tmp_path):
    good = tmp_path / "echo_app.py"
    good.write_text(
        textwrap.dedent(
            """
            from ctrlapp.base import app_manager
            class EchoApp(app_manager.CtrlApp):
                OFP_VERSIONS = [4]
            """
        )
    )
    mgr = app_manager.AppManager()
    cls = mgr.load_app(str(good))
    assert cls.__name__ == "EchoApp" and mgr.app_labels["EchoApp"] == "echo_app"
    assert mgr.ofp_versions() == {4}

    bad = tmp_path / "broken.py"
    bad.write_text("def f(:\n")
    with pytest.raises(AppLoadError, match=r"broken.py:1: syntax error"):
        mgr.load_app(str(bad))
    with pytest.raises(AppLoadError, match="not found"):
        mgr.load_app(str(tmp_path / "missing.py"))
    with pytest.raises(AppLoadError, match="module no.such.module not found"):
        mgr.load_app("no.such.module")
    empty = tmp_path / "empty_app.py"
    empty.write_text("X = 1\n")
    with pytest.raises(AppLoadError, match="defines no CtrlApp subclass"):
        mgr.load_app(str(empty))
    mgr.close()
