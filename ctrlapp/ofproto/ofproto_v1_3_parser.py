"""OpenFlow 1.3 message and structure classes, under the module name Ryu applications use.

The classes live in :mod:`ctrlapp.ofproto.v1_3` (match, actions and
instructions, structures, messages) and in
:mod:`ctrlapp.ofproto.ofproto_v1_3_multipart` (multipart requests and
replies); this module re-exports all of them, so
``datapath.ofproto_parser.OFPFlowMod`` and ``ofproto_v1_3_parser.OFPMatch``
work as in Ryu.  Importing it registers every OpenFlow 1.3 message with
:func:`ctrlapp.ofproto.ofproto_parser.msg`.
"""

from __future__ import annotations

from ctrlapp.ofproto.ofproto_v1_3_multipart import *  # noqa: F403
from ctrlapp.ofproto.v1_3.actions import *  # noqa: F403
from ctrlapp.ofproto.v1_3.actions import (  # noqa: F401
    OFPActionExperimenterUnknown,
    parse_list,
    serialize_list,
)
from ctrlapp.ofproto.v1_3.match import *  # noqa: F403
from ctrlapp.ofproto.v1_3.match import OXM_FIELD_NAMES, oxm_length, oxm_parse, oxm_serialize  # noqa: F401
from ctrlapp.ofproto.v1_3.messages import *  # noqa: F403
from ctrlapp.ofproto.v1_3.structs import *  # noqa: F403
