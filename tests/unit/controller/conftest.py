"""A running controller (in this process, on an ephemeral port) with chosen apps."""

import pytest

from ctrlapp.base import app_manager
from ctrlapp.controller.controller import ControllerConfig, OpenFlowController
from ctrlapp.lib import hub

HUB_APP = "apps/example_hub.py"


class Running:
    def __init__(self, apps, **config):
        self.manager = app_manager.AppManager()
        self.manager.load_apps(apps)
        self.manager.instantiate_apps()
        self.manager.start_apps()
        config.setdefault("tcp_port", 0)
        cfg = ControllerConfig(listen_host="127.0.0.1", **config)
        self.controller = OpenFlowController(self.manager, cfg)
        self.controller.start()
        self.address = self.controller.tcp_address
        self.switches = []

    def app(self, name):
        return self.manager.applications[name]

    def switch(self, **kwargs):
        from ctrlapp.testing.switch_emulator import SwitchEmulator

        sw = SwitchEmulator(self.address, **kwargs)
        self.switches.append(sw)
        return sw.start()

    def wait(self, cond, timeout=5.0):
        with hub.Timeout(timeout, False):
            while not cond():
                hub.sleep(0.002)
        return cond()

    def stop(self):
        for sw in self.switches:
            sw.close()
        self.controller.stop()
        self.manager.close()


@pytest.fixture
def running():
    made = []

    def start(apps=(HUB_APP,), **config):
        r = Running(list(apps), **config)
        made.append(r)
        return r

    yield start
    for r in made:
        r.stop()
