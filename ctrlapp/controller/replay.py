"""Offline replay: a capture file's frames delivered to the apps as PACKET_INs.

``ctrlapp-manager --replay FILE`` analyses a capture without any switch: every
frame of a pcap or pcapng file (:mod:`ctrlapp.lib.pcap`: Ethernet and Linux
cooked captures) becomes an OpenFlow 1.3 ``OFPPacketIn`` from one pseudo
switch, :class:`ReplayDatapath`, and goes through the same per-app event
queues and handlers as a PACKET_IN from a real switch.

What a replayed PACKET_IN looks like, so apps can handle it:

* ``msg.datapath`` is the :class:`ReplayDatapath` (``id`` 0 unless chosen,
  ``is_replay`` True, OpenFlow 1.3 constants and parser); what an app sends
  to it (PACKET_OUT, FLOW_MOD) is counted in ``sent`` and otherwise dropped;
* it is a table miss of the forwarding table (``table_id`` 1, ``cookie`` 0,
  reason ``OFPR_NO_MATCH``, ``in_port`` 1): an app that only handles its own
  flows' PACKET_INs (by cookie) checks ``datapath.is_replay`` as well;
* ``ev.timestamp`` is the frame's capture time (epoch seconds), which apps
  with an injected clock use instead of the current time.

The replay waits until every app has handled every frame before returning,
so a report taken afterwards covers the whole file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ctrlapp.controller import ofp_event
from ctrlapp.controller.handler import MAIN_DISPATCHER
from ctrlapp.lib import hub
from ctrlapp.lib.pcap import Capture
from ctrlapp.ofproto import ofproto_v1_3, ofproto_v1_3_parser
from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER

#: Table of the replayed PACKET_INs: the forwarding table's miss (see pipeline.py).
REPLAY_TABLE = 1
#: Frames queued ahead of the slowest app before the replay lets the apps catch up.
WINDOW = 512


class ReplayDatapath:
    """The pseudo switch replayed frames come from."""

    is_replay = True

    def __init__(self, dpid: int = 0) -> None:
        self.id = dpid
        self.ofproto = ofproto_v1_3
        self.ofproto_parser = ofproto_v1_3_parser
        self.address = ("replay", 0)
        self.is_active = True
        self.inflight = 0
        self.sent = 0
        self._xid = 0

    def set_xid(self, msg: Any) -> int:
        self._xid += 1
        msg.set_xid(self._xid)
        return self._xid

    def send_msg(self, msg: Any) -> bool:
        self.sent += 1
        return True

    def event_queued(self) -> None:
        self.inflight += 1

    def event_done(self) -> None:
        self.inflight -= 1


class ReplayResult:
    """What a replay delivered: ``frames`` replayed, ``skipped`` (link types not replayed)."""

    def __init__(self, frames: int, skipped: int, first: float | None, last: float | None):
        self.frames = frames
        self.skipped = skipped
        self.first = first
        self.last = last


def replay(manager: Any, path: str | Path, dpid: int = 0, in_port: int = 1) -> ReplayResult:
    """Deliver every frame of the capture at ``path`` to ``manager``'s apps; wait for them.

    Raises :class:`ctrlapp.lib.pcap.CaptureError` for an unreadable file.
    """
    dp = ReplayDatapath(dpid)
    parser = ofproto_v1_3_parser
    match = parser.OFPMatch(in_port=in_port)
    capture = Capture(path)
    n = 0
    first = last = None
    for ts, frame in capture:
        msg = parser.OFPPacketIn(
            dp,
            OFP_NO_BUFFER,
            len(frame),
            ofproto_v1_3.OFPR_NO_MATCH,
            REPLAY_TABLE,
            0,
            match,
            frame,
        )
        ev = ofp_event.EventOFPPacketIn(msg)
        ev.timestamp = ts
        manager.dispatch(ev, MAIN_DISPATCHER, dp)
        n += 1
        if first is None:
            first = ts
        last = ts
        while dp.inflight > WINDOW:
            hub.sleep(0)
    while dp.inflight > 0:
        hub.sleep(0.001)
    return ReplayResult(n, capture.skipped, first, last)
