"""Run apps in-process against emulated switches, for app tests.

``AppHarness`` does what ``ctrlapp-manager`` does at start-up, inside the test's own
process and event loop: load the given app files or modules with their settings,
start them, listen for OpenFlow on an ephemeral port, and optionally serve REST and
msgpack-RPC on ephemeral ports too. ``connect()`` attaches a ``SwitchEmulator`` (a
real TCP OpenFlow session), ``http()`` calls the REST service from a real HTTP
client, and ``stop()`` (or leaving the ``with`` block) tears it all down.
``OfflineDatapath`` stands in for a switch when a test calls a handler directly.

Subclass it to add an app's own waits and injections; override ``prepare()`` to
change the instantiated apps (e.g. give one a fake clock) before they start.
"""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ctrlapp.base import app_manager
from ctrlapp.controller.controller import ControllerConfig, OpenFlowController
from ctrlapp.lib import hub
from ctrlapp.ofproto.ofproto_protocol import ProtocolDesc
from ctrlapp.rest.service import RestService
from ctrlapp.rpc.service import RpcService
from ctrlapp.testing.switch_emulator import SwitchEmulator


def run_blocking(fn: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Call ``fn`` in an OS thread, turning the event loop until it returns; re-raise its error.

    The servers run on the event loop in the caller's thread, so a blocking client
    (urllib, a plain socket) must run elsewhere while this thread keeps the loop turning.
    """
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["result"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller
            box["error"] = exc

    t = threading.Thread(target=target, daemon=True)
    t.start()
    waited = 0.0
    while t.is_alive() and waited < timeout:
        hub.sleep(0.005)
        waited += 0.005
    if t.is_alive():
        raise TimeoutError(f"{fn} did not finish in {timeout}s")
    if "error" in box:
        raise box["error"]
    return box.get("result")


class OfflineDatapath:
    """Just enough of a Datapath to call an app's handler directly, without TCP.

    Every message the app sends is encoded (so an encoding error shows) and kept in ``sent``.
    """

    def __init__(self, version: int = 4, dpid: int = 1) -> None:
        desc = ProtocolDesc(version)
        self.ofproto, self.ofproto_parser = desc.ofproto, desc.ofproto_parser
        self.id = dpid
        self.sent: list[Any] = []

    def send_msg(self, msg: Any) -> bool:
        msg.serialize()
        self.sent.append(msg)
        return True


class AppHarness:
    """A controller with ``apps`` running, an OpenFlow listener and optional REST/RPC."""

    def __init__(
        self,
        apps: Iterable[str],
        *,
        settings: dict[str, dict[str, Any]] | None = None,
        state_dir: str | Path | None = None,
        extra_apps: dict[str, type[app_manager.CtrlApp]] | None = None,
        rest: bool = False,
        rpc: bool = False,
    ) -> None:
        self.manager = app_manager.AppManager(app_settings=settings or {}, state_dir=state_dir)
        self.manager.load_apps(list(apps))
        # Classes defined in a test module are added as they are, without a file to load.
        self.manager.applications_cls.update(extra_apps or {})
        self.manager.instantiate_apps()
        self.prepare()
        self.manager.start_apps()
        self.controller = OpenFlowController(
            self.manager, ControllerConfig(listen_host="127.0.0.1", tcp_port=0)
        )
        self.manager.controller = self.controller
        self.controller.start()
        self.rest = RestService(self.manager, port=0).start() if rest else None
        self.rpc = RpcService(self.manager, port=0).start() if rpc else None
        self.switches: list[SwitchEmulator] = []

    def prepare(self) -> None:
        """Called after the apps are instantiated and before they start; does nothing here."""

    def __enter__(self) -> AppHarness:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def app(self, name: str) -> app_manager.CtrlApp:
        return self.manager.applications[name]

    def connect(self, dpid: int = 1, version: int = 4) -> SwitchEmulator:
        """Start an emulated switch and wait until its handshake with the controller is done."""
        sw = SwitchEmulator(self.controller.tcp_address, dpid=dpid, version=version)
        sw.start()
        self.switches.append(sw)
        if not sw.wait_ready():
            raise TimeoutError(f"switch {dpid:#x} did not finish its OpenFlow handshake")
        return sw

    def url(self, path: str) -> str:
        host, port = self.rest.address
        return f"http://{host}:{port}{path}"

    def http(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        """Call the REST service with a real HTTP client; return (status, decoded JSON body)."""

        def call() -> tuple[int, Any]:
            data = json.dumps(body).encode() if body is not None else None
            req = urllib.request.Request(self.url(path), data=data, method=method)
            if data is not None:
                req.add_header("Content-Type", "application/json")
            try:
                with urllib.request.urlopen(req, timeout=10) as resp:
                    raw = resp.read()
                    return resp.status, json.loads(raw) if raw else None
            except urllib.error.HTTPError as exc:
                return exc.code, json.loads(exc.read())

        return run_blocking(call)

    def text(self, path: str) -> str:
        """GET ``path`` from the REST service (e.g. ``/metrics``) and return the body as text."""

        def call() -> str:
            with urllib.request.urlopen(self.url(path), timeout=10) as resp:
                return resp.read().decode()

        return run_blocking(call)

    def stop(self) -> None:
        for sw in self.switches:
            sw.close()
        if self.rpc:
            self.rpc.stop()
        if self.rest:
            self.rest.stop()
        self.controller.stop()
        self.manager.close()
