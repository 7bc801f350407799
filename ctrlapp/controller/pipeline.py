"""The flow-table convention that lets several apps share one switch.

Layout on an OpenFlow 1.3 switch::

    table 0  INTERCEPT_TABLE                           table 1  FORWARD_TABLE
    ------------------------------------------         ---------------------------------
    BLOCK      40000-49999  drop                       FORWARD  1000-19999  app actions
    INTERCEPT  30000-39999  to controller only         miss     0           to controller
    TAP        20000-29999  copy to controller,
                            then goto table 1
    miss       0            goto table 1

* **intercept** — packets an app answers itself (ARP for its addresses, DHCP,
  IGMP): they go to the controller and nowhere else.
* **tap** — packets an app only watches (SCTP monitor): a copy goes to the
  controller and the original continues to forwarding.
* **forward** — forwarding decisions (L2 switch): table 1.  Only table 1's miss
  sends to the controller, so unknown traffic reaches the forwarding app once,
  never twice.
* **block** — drops that must win over everything else.

Within a band, higher is more specific: apps pick ``band.at(offset)``.  Two
apps intercepting or tapping the very same match would shadow each other
(a switch runs one entry per table), so taps and intercepts should match on
what is specific to the app (its addresses, ports, protocols).

OpenFlow 1.0 has one table, so everything goes to table 0 with the same
priorities; a tap there cannot continue to a second table, so it becomes
"to controller" and the forwarding app forwards the packet from its
PACKET_IN (every app sees every PACKET_IN).  1.0 switches send misses to the
controller without a flow.

Apps call :func:`setup` when a switch connects (idempotent: an ADD of the same
entry replaces it) and then :func:`intercept`, :func:`tap`, :func:`forward`,
:func:`block`, :func:`remove`.  ``match`` is an ``OFPMatch`` of the switch's
version or a dict of its keyword arguments (1.3 names such as ``eth_type``,
1.0 names such as ``dl_type``).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from ctrlapp.ofproto.ofproto_common import OFP_NO_BUFFER, OFP_VERSION_1_0

INTERCEPT_TABLE = 0
FORWARD_TABLE = 1


class Band(NamedTuple):
    """A range of priorities reserved for one kind of rule."""

    low: int
    high: int

    def at(self, offset: int = 0) -> int:
        """The priority ``offset`` above the bottom of the band (ValueError outside it)."""
        prio = self.low + offset
        if not self.low <= prio <= self.high:
            raise ValueError(f"priority offset {offset} outside band {self.low}..{self.high}")
        return prio


BLOCK = Band(40000, 49999)
INTERCEPT = Band(30000, 39999)
TAP = Band(20000, 29999)
FORWARD = Band(1000, 19999)
MISS_PRIORITY = 0


def _is_v10(dp: Any) -> bool:
    return dp.ofproto.OFP_VERSION == OFP_VERSION_1_0


def _match(dp: Any, match: Any) -> Any:
    if match is None:
        return dp.ofproto_parser.OFPMatch()
    if isinstance(match, dict):
        return dp.ofproto_parser.OFPMatch(**match)
    return match


def _to_controller(dp: Any) -> Any:
    ofp, parser = dp.ofproto, dp.ofproto_parser
    if _is_v10(dp):
        return parser.OFPActionOutput(ofp.OFPP_CONTROLLER, 0xFFFF)
    return parser.OFPActionOutput(ofp.OFPP_CONTROLLER, ofp.OFPCML_NO_BUFFER)


def flow_mod(
    dp: Any,
    table_id: int,
    priority: int,
    match: Any,
    actions: list[Any],
    goto: int | None = None,
    cookie: int = 0,
    idle_timeout: int = 0,
    hard_timeout: int = 0,
    flags: int = 0,
    command: int | None = None,
) -> Any:
    """Build (not send) a FlowMod for either version: ``actions`` applied, then ``goto`` table."""
    ofp, parser = dp.ofproto, dp.ofproto_parser
    command = ofp.OFPFC_ADD if command is None else command
    if _is_v10(dp):
        return parser.OFPFlowMod(
            datapath=dp,
            match=_match(dp, match),
            cookie=cookie,
            command=command,
            idle_timeout=idle_timeout,
            hard_timeout=hard_timeout,
            priority=priority,
            buffer_id=OFP_NO_BUFFER,
            flags=flags,
            actions=list(actions),
        )
    inst = []
    if actions:
        inst.append(parser.OFPInstructionActions(ofp.OFPIT_APPLY_ACTIONS, list(actions)))
    if goto is not None:
        inst.append(parser.OFPInstructionGotoTable(goto))
    return parser.OFPFlowMod(
        datapath=dp,
        cookie=cookie,
        table_id=table_id,
        command=command,
        idle_timeout=idle_timeout,
        hard_timeout=hard_timeout,
        priority=priority,
        buffer_id=OFP_NO_BUFFER,
        out_port=ofp.OFPP_ANY,
        out_group=ofp.OFPG_ANY,
        flags=flags,
        match=_match(dp, match),
        instructions=inst,
    )


def setup(dp: Any) -> list[Any]:
    """Install the table misses of the layout; returns the FlowMods sent (none on 1.0)."""
    if _is_v10(dp):
        return []
    msgs = [
        flow_mod(dp, INTERCEPT_TABLE, MISS_PRIORITY, None, [], goto=FORWARD_TABLE),
        flow_mod(dp, FORWARD_TABLE, MISS_PRIORITY, None, [_to_controller(dp)]),
    ]
    for msg in msgs:
        dp.send_msg(msg)
    return msgs


def _send(dp: Any, msg: Any) -> Any:
    dp.send_msg(msg)
    return msg


def intercept(dp: Any, match: Any, offset: int = 0, **kwargs: Any) -> Any:
    """Send matching packets to the controller only."""
    return _send(
        dp,
        flow_mod(dp, INTERCEPT_TABLE, INTERCEPT.at(offset), match, [_to_controller(dp)], **kwargs),
    )


def tap(dp: Any, match: Any, offset: int = 0, **kwargs: Any) -> Any:
    """Copy matching packets to the controller and let them continue to forwarding."""
    goto = None if _is_v10(dp) else FORWARD_TABLE
    return _send(
        dp,
        flow_mod(dp, INTERCEPT_TABLE, TAP.at(offset), match, [_to_controller(dp)], goto, **kwargs),
    )


def forward(dp: Any, match: Any, actions: list[Any], offset: int = 0, **kwargs: Any) -> Any:
    """A forwarding rule in the forwarding table."""
    table = INTERCEPT_TABLE if _is_v10(dp) else FORWARD_TABLE
    return _send(dp, flow_mod(dp, table, FORWARD.at(offset), match, actions, **kwargs))


def block(dp: Any, match: Any, offset: int = 0, **kwargs: Any) -> Any:
    """Drop matching packets before any other rule sees them."""
    return _send(dp, flow_mod(dp, INTERCEPT_TABLE, BLOCK.at(offset), match, [], **kwargs))


def remove(dp: Any, match: Any, band: Band, offset: int = 0) -> Any:
    """Delete the rule installed with the same band, offset and match."""
    table = FORWARD_TABLE if band is FORWARD and not _is_v10(dp) else INTERCEPT_TABLE
    return _send(
        dp,
        flow_mod(dp, table, band.at(offset), match, [], command=dp.ofproto.OFPFC_DELETE_STRICT),
    )
