"""A test app that records what the runtime delivers to it."""

from ctrlapp.base import app_manager
from ctrlapp.controller import ofp_event
from ctrlapp.controller.handler import (
    CONFIG_DISPATCHER,
    DEAD_DISPATCHER,
    MAIN_DISPATCHER,
    set_ev_cls,
)


class Recorder(app_manager.RyuApp):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.states = []
        self.features = []
        self.port_changes = []
        self.packet_ins = []

    @set_ev_cls(ofp_event.EventOFPStateChange, [MAIN_DISPATCHER, DEAD_DISPATCHER])
    def state(self, ev):
        self.states.append((ev.state, ev.datapath.id))

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def features_handler(self, ev):
        self.features.append(ev.msg.datapath_id)

    @set_ev_cls(ofp_event.EventOFPPortStateChange, MAIN_DISPATCHER)
    def port_change(self, ev):
        self.port_changes.append((ev.reason, ev.port_no))

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in(self, ev):
        if ev.msg.data == b"boom":
            raise RuntimeError("recorder asked to fail")
        self.packet_ins.append(ev.msg)
