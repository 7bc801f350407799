"""Example app: a hub that floods every packet it is sent (OpenFlow 1.0 and 1.3).

The smallest complete ctrlapp app, written exactly as a Ryu app would be: it
installs a table-miss flow sending everything to the controller when a switch
connects, and answers each PACKET_IN with a PACKET_OUT flooding the packet.
docs/writing-apps.md walks through it; the runtime tests and the controller
benchmark run it.
"""

from ctrlapp.base import app_manager
from ctrlapp.controller import ofp_event
from ctrlapp.controller.handler import CONFIG_DISPATCHER, MAIN_DISPATCHER, set_ev_cls
from ctrlapp.ofproto import ofproto_v1_0, ofproto_v1_3
from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER


class ExampleHub(app_manager.CtrlApp):
    OFP_VERSIONS = [ofproto_v1_0.OFP_VERSION, ofproto_v1_3.OFP_VERSION]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.flood_port = {
            ofproto_v1_0.OFP_VERSION: ofproto_v1_0.OFPP_FLOOD,
            ofproto_v1_3.OFP_VERSION: ofproto_v1_3.OFPP_FLOOD,
        }
        self.packets = 0

    @set_ev_cls(ofp_event.EventOFPSwitchFeatures, CONFIG_DISPATCHER)
    def switch_features_handler(self, ev):
        datapath = ev.msg.datapath
        ofproto = datapath.ofproto
        parser = datapath.ofproto_parser
        if ofproto.OFP_VERSION == ofproto_v1_0.OFP_VERSION:
            # OpenFlow 1.0 switches send table misses to the controller by default.
            return
        actions = [parser.OFPActionOutput(ofproto.OFPP_CONTROLLER, ofproto.OFPCML_NO_BUFFER)]
        inst = [parser.OFPInstructionActions(ofproto.OFPIT_APPLY_ACTIONS, actions)]
        datapath.send_msg(
            parser.OFPFlowMod(
                datapath=datapath, priority=0, match=parser.OFPMatch(), instructions=inst
            )
        )

    @set_ev_cls(ofp_event.EventOFPPacketIn, MAIN_DISPATCHER)
    def packet_in_handler(self, ev):
        msg = ev.msg
        datapath = msg.datapath
        ofproto = datapath.ofproto
        parser = datapath.ofproto_parser
        in_port = (
            msg.in_port if ofproto.OFP_VERSION == ofproto_v1_0.OFP_VERSION else msg.match["in_port"]
        )
        actions = [parser.OFPActionOutput(self.flood_port[ofproto.OFP_VERSION])]
        data = msg.data if msg.buffer_id == OFP_NO_BUFFER else None
        datapath.send_msg(
            parser.OFPPacketOut(
                datapath=datapath,
                buffer_id=msg.buffer_id,
                in_port=in_port,
                actions=actions,
                data=data,
            )
        )
        self.packets += 1
