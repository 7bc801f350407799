"""One event class per OpenFlow message class, shared across versions by name."""

import inspect

from ctrlapp.controller import ofp_event
from ctrlapp.ofproto import ofproto_parser, ofproto_v1_0_parser, ofproto_v1_3_parser


def message_classes(module):
    return [
        cls
        for name, cls in vars(module).items()
        if inspect.isclass(cls)
        and issubclass(cls, ofproto_parser.MsgBase)
        and name.startswith("OFP")
    ]


def test_every_message_class_has_its_event():
    for module in (ofproto_v1_0_parser, ofproto_v1_3_parser):
        classes = message_classes(module)
        assert len(classes) > 20
        for cls in classes:
            ev_cls = ofp_event.ofp_msg_to_ev_cls(cls)
            assert ev_cls.__name__ == "Event" + cls.__name__
            assert getattr(ofp_event, ev_cls.__name__) is ev_cls
            assert issubclass(ev_cls, ofp_event.EventOFPMsgBase)


def test_versions_share_event_classes_and_carry_the_message():
    assert (
        ofp_event.ofp_msg_to_ev_cls(ofproto_v1_0_parser.OFPPacketIn) is ofp_event.EventOFPPacketIn
    )
    assert (
        ofp_event.ofp_msg_to_ev_cls(ofproto_v1_3_parser.OFPPacketIn) is ofp_event.EventOFPPacketIn
    )
    msg = ofproto_v1_3_parser.OFPEchoRequest(None, b"x")
    ev = ofp_event.ofp_msg_to_ev(msg)
    assert type(ev) is ofp_event.EventOFPEchoRequest and ev.msg is msg
    assert ofp_event.EventOFPPortDescStatsReply and ofp_event.EventOFPSwitchFeatures
