"""apps/sctp_monitor.py against the switch emulator (real OpenFlow over TCP, in-process),
with a real HTTP client for the REST API."""

import json
import urllib.error
import urllib.request

import pytest

from ctrlapp.base import app_manager
from ctrlapp.controller.controller import ControllerConfig, OpenFlowController
from ctrlapp.controller.handler import set_ev_cls
from ctrlapp.exception import AppLoadError
from ctrlapp.lib import hub
from ctrlapp.lib.packet import sctp
from ctrlapp.rest.service import RestService
from ctrlapp.services.sctp.events import EventAssociation
from ctrlapp.testing.switch_emulator import SwitchEmulator
from tests.support.green import run_blocking
from tests.support.sctp_conversation import Conversation

APP = "apps/sctp_monitor.py"
COOKIE = 0x53435450


class AssociationWatcher(app_manager.CtrlApp):
    """Another app observing the monitor's EventAssociation."""

    _NAME = "association_watcher"

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.seen = []

    @set_ev_cls(EventAssociation)
    def on_event(self, ev):
        self.seen.append(ev)


class Net:
    def __init__(self, tmp_path, settings=None, rest=False):
        self.manager = app_manager.AppManager(
            app_settings={"sctp_monitor": settings or {}}, state_dir=tmp_path / "state"
        )
        self.manager.load_apps([APP])
        self.manager.applications_cls["association_watcher"] = AssociationWatcher
        self.manager.instantiate_apps()
        self.manager.start_apps()
        self.controller = OpenFlowController(
            self.manager, ControllerConfig(listen_host="127.0.0.1", tcp_port=0)
        )
        self.manager.controller = self.controller
        self.controller.start()
        self.rest = RestService(self.manager, port=0).start() if rest else None
        self.switches = []
        self.published = []
        self.unsubscribe = app_manager.NOTIFIER.subscribe(
            lambda source, topic, payload: self.published.append((source, topic, payload))
        )

    @property
    def app(self):
        return self.manager.applications["sctp_monitor"]

    @property
    def watcher(self):
        return self.manager.applications["association_watcher"]

    def switch(self, dpid=1, version=4):
        sw = SwitchEmulator(self.controller.tcp_address, dpid=dpid, version=version)
        sw.start()
        assert sw.wait_ready()
        self.switches.append(sw)
        assert sw.wait(lambda: any(e.cookie == COOKIE for e in sw.switch.flows.entries))
        return sw

    def send(self, sw, frames, cookie=COOKIE):
        kw = {} if sw.switch.version == 1 else {"cookie": cookie, "table_id": 0}
        for f in frames:
            sw.packet_in(f, in_port=1, **kw)

    def settle(self, condition, timeout=5.0):
        waited = 0.0
        while not condition() and waited < timeout:
            hub.sleep(0.01)
            waited += 0.01
        return condition()

    def url(self, path):
        host, port = self.rest.address
        return f"http://{host}:{port}{path}"

    def http(self, method, path):
        def call():
            req = urllib.request.Request(self.url(path), method=method)
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    raw = resp.read()
                    return resp.status, json.loads(raw) if raw else None
            except urllib.error.HTTPError as exc:
                return exc.code, json.loads(exc.read())

        return run_blocking(call)

    def stop(self):
        self.unsubscribe()
        for sw in self.switches:
            sw.close()
        if self.rest:
            self.rest.stop()
        self.controller.stop()
        self.manager.close()


@pytest.fixture
def net(tmp_path):
    made = []

    def start(**kw):
        n = Net(tmp_path, **kw)
        made.append(n)
        return n

    yield start
    for n in made:
        n.stop()


def _taps(sw):
    return [e for e in sw.switch.flows.entries if e.cookie == COOKIE]


def test_tap_flows_on_of13_copy_whole_packets_then_forward(net):
    n = net()
    sw = n.switch()
    sw.wait(lambda: len(_taps(sw)) == 2)
    taps = _taps(sw)
    assert sorted(tuple(sorted(dict(e.match.items()).items())) for e in taps) == [
        (("eth_type", 0x0800), ("ip_proto", 132)),
        (("eth_type", 0x86DD), ("ip_proto", 132)),
    ]
    for e in taps:
        assert e.table_id == 0 and 20000 <= e.priority <= 29999
        [apply, goto] = e.instructions
        [out] = apply.actions
        assert (out.port, out.max_len) == (0xFFFFFFFD, 0xFFFF)  # CONTROLLER, NO_BUFFER
        assert goto.table_id == 1


def test_copy_length_setting_and_of10(net):
    n = net(settings={"copy_length": 128, "ipv6": False})
    sw = n.switch()
    [tap] = _taps(sw)
    assert tap.instructions[0].actions[0].max_len == 128
    sw10 = n.switch(dpid=2, version=1)
    [tap10] = _taps(sw10)
    # 1.0: one table; the forwarding app forwards from the PACKET_IN, so it stays whole.
    assert tap10.actions[0].max_len == 0xFFFF
    assert (tap10.match.dl_type, tap10.match.nw_proto) == (0x0800, 132)


def test_two_switches_one_count_events_and_notifications(net):
    n = net()
    s1, s2 = n.switch(dpid=1), n.switch(dpid=2)
    c = Conversation()
    frames = c.handshake() + [c.data("A", b"s1ap" * 10), c.sack("Z")]
    for f in frames:
        n.send(s1, [f])
        n.send(s2, [f])
    # A forwarding-table miss of the same packet (another app's PACKET_IN) is not counted.
    n.send(s1, [c.data("A", b"not-a-tap")], cookie=0)
    assert n.settle(lambda: n.app.tracker.counters["copies_dropped"] == len(frames))
    [a] = n.app.tracker.associations()
    doc = a.document()
    assert doc["packets"] == len(frames) and doc["state"] == "ESTABLISHED"
    assert doc["initiator"]["sent"]["chunks"]["DATA"] == 1
    assert doc["dpid"] in (1, 2)  # whichever switch delivered the INIT first
    assert n.settle(lambda: len(n.watcher.seen) == 1)
    ev = n.watcher.seen[0]
    assert (ev.kind, ev.assoc_id, ev.reason) == ("up", "1", "established")
    assert ev.association["responder"] == {"address": "10.0.0.2", "port": 36412}
    ups = [p for p in n.published if p[1] == "sctp.association.up"]
    assert ups == [("sctp_monitor", "sctp.association.up", ups[0][2])]
    assert ups[0][2]["id"] == "1"


def test_malformed_and_truncated_packet_ins_never_break_the_app(net):
    n = net(settings={"copy_length": 64})
    sw = n.switch()
    c = Conversation()
    junk = [b"", b"\x00" * 13, c.handshake()[0][:40], c.handshake()[0][:34] + b"\xff" * 30]
    n.send(sw, junk + [f[:64] for f in c.handshake()])
    assert n.settle(lambda: n.app.tracker.counters["packets"] >= 5)
    [a] = n.app.tracker.open.values()
    assert a.document()["state"] == "ESTABLISHED" and a.document()["truncated_packets"] == 3
    # The 0xff bytes, cut short so their CRC cannot be checked, look like a packet of an
    # association already running: it waits among the half-open ones for the other side.
    [junk] = n.app.tracker.half_open.values()
    assert junk.document()["initiator"]["port"] == 0xFFFF
    assert n.app.errors == {}


def test_rest_endpoints_with_a_real_http_client(net):
    n = net(rest=True)
    sw = n.switch()
    one = Conversation(port_a=41000)
    two = Conversation("10.0.0.5", "10.0.0.6", 41001, 3868, 5, 6)
    n.send(sw, one.handshake() + [one.data("A", b"x" * 500, ppid=18)])
    n.send(sw, two.handshake() + [two.data("Z", b"y" * 50, ppid=46)] + two.shutdown())
    assert n.settle(lambda: n.app.tracker.counters["packets"] == 13)
    status, page = n.http("GET", "/v1/sctp/associations")
    assert status == 200 and page["total"] == 2
    assert [a["id"] for a in page["associations"]] == ["1", "2"]
    assert n.http("GET", "/v1/sctp/associations?state=closed")[1]["total"] == 1
    assert n.http("GET", "/v1/sctp/associations?port=3868")[1]["associations"][0]["id"] == "2"
    assert n.http("GET", "/v1/sctp/associations?ppid=S1AP")[1]["associations"][0]["id"] == "1"
    assert n.http("GET", "/v1/sctp/associations?ppid=46")[1]["total"] == 1
    assert n.http("GET", "/v1/sctp/associations?address=10.0.0.6")[1]["total"] == 1
    assert n.http("GET", "/v1/sctp/associations?dpid=0000000000000001")[1]["total"] == 2
    assert n.http("GET", "/v1/sctp/associations?dpid=2")[1]["total"] == 0
    page = n.http("GET", "/v1/sctp/associations?offset=1&limit=1")[1]
    assert page["total"] == 2 and [a["id"] for a in page["associations"]] == ["2"]
    status, err = n.http("GET", "/v1/sctp/associations?state=dancing")
    assert status == 400 and "ESTABLISHED" in json.dumps(err)
    assert n.http("GET", "/v1/sctp/associations?ppid=nonsense")[0] == 400
    status, doc = n.http("GET", "/v1/sctp/associations/1")
    assert status == 200 and doc["initiator"]["sent"]["ppids"] == {"S1AP": 1}
    assert doc["streams"][0]["data_bytes"] == 500
    status, summary = n.http("GET", "/v1/sctp/summary?top=1")
    assert summary["associations"] == 2
    assert summary["by_state"]["ESTABLISHED"] == 1 and summary["by_state"]["CLOSED"] == 1
    assert [a["id"] for a in summary["top_by_traffic"]] == ["1"]
    assert 0 < summary["bytes_per_association"] < 4096
    assert n.http("DELETE", "/v1/sctp/associations/1")[0] == 204
    assert n.http("GET", "/v1/sctp/associations/1")[0] == 404
    assert n.http("DELETE", "/v1/sctp/associations/1")[0] == 404
    assert n.http("GET", "/v1/sctp/associations/x")[0] == 404
    status, api = n.http("GET", "/v1/openapi.json")
    paths = api["paths"]
    assert "get" in paths["/v1/sctp/associations"] and "get" in paths["/v1/sctp/summary"]
    assert {"get", "delete"} <= set(paths["/v1/sctp/associations/{assoc_id}"])
    assert all(
        op.get("summary") for path, ops in paths.items() if "sctp" in path for op in ops.values()
    )
    metrics = run_blocking(
        lambda: urllib.request.urlopen(n.url("/metrics"), timeout=10).read().decode()
    )
    assert 'ctrlapp_sctp_associations{state="CLOSED"} 1' in metrics


def test_error_in_a_chunk_is_counted_not_raised(net):
    n = net()
    sw = n.switch()
    c = Conversation()
    n.send(sw, c.handshake())
    n.send(sw, [c.frame("Z", [sctp.chunk_error(causes=[sctp.cause_out_of_resource()])])])
    assert n.settle(lambda: n.app.tracker.counters["packets"] == 5)
    [a] = n.app.tracker.associations()
    assert [x["cause"] for x in a.document()["causes"]] == ["Out of Resource"]


@pytest.mark.parametrize(
    ("settings", "named"),
    [
        ({"copy_length": 10}, "copy_length"),
        ({"max_associations": 0}, "max_associations"),
        ({"idle_timeout": "soon"}, "idle_timeout"),
        ({"check_crc": 1}, "check_crc"),
        ({"max_asociations": 5}, "max_asociations"),
    ],
)
def test_bad_settings_stop_the_app_with_the_key_named(tmp_path, settings, named):
    m = app_manager.AppManager(app_settings={"sctp_monitor": settings}, state_dir=tmp_path)
    m.load_apps([APP])
    with pytest.raises(AppLoadError, match=named):
        m.instantiate_apps()
    m.close()


def test_beside_the_l2_switch_with_default_configuration(tmp_path):
    """Both apps, no settings: the tap copy goes to the monitor, the forwarding miss to L2."""
    m = app_manager.AppManager(app_settings={}, state_dir=tmp_path)
    m.load_apps(["apps/l2_switch.py", APP])
    m.instantiate_apps()
    m.start_apps()
    ctl = OpenFlowController(m, ControllerConfig(listen_host="127.0.0.1", tcp_port=0))
    m.controller = ctl
    ctl.start()
    sw = SwitchEmulator(ctl.tcp_address, dpid=7)
    try:
        sw.start()
        assert sw.wait_ready()
        assert sw.wait(lambda: len(_taps(sw)) == 2)
        # The forwarding table's miss still sends to the controller (for the L2 switch).
        assert any(e.table_id == 1 and e.priority == 0 for e in sw.switch.flows.entries)
        c = Conversation()
        frames = c.handshake()
        for f, port in zip(frames, (1, 2, 1, 2), strict=True):
            # What a 1.3 switch sends for one packet: the tap copy from table 0, then
            # (no forwarding flow yet) the miss of table 1.  A is on port 1, Z on port 2.
            sw.packet_in(f, in_port=port, cookie=COOKIE, table_id=0)
            sw.packet_in(f, in_port=port, cookie=0, table_id=1)
        monitor = m.applications["sctp_monitor"]
        assert sw.wait(lambda: len(sw.switch.packet_outs) == len(frames))
        assert sw.wait(lambda: monitor.tracker.counters["packets"] == len(frames))
        [a] = monitor.tracker.associations()
        assert a.document()["state"] == "ESTABLISHED"
        assert a.document()["packets"] == len(frames)
    finally:
        sw.close()
        ctl.stop()
        m.close()
