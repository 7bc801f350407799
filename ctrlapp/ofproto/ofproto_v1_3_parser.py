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
from ctrlapp.ofproto.v1_3.actions import OFPActionExperimenterUnknown, parse_list  # noqa: F401
from ctrlapp.ofproto.v1_3.match import *  # noqa: F403
from ctrlapp.ofproto.v1_3.match import OXM_FIELD_NAMES, oxm_length, oxm_parse, oxm_serialize  # noqa: F401
from ctrlapp.ofproto.v1_3.messages import *  # noqa: F403
from ctrlapp.ofproto.v1_3.structs import *  # noqa: F403


def _adopt_classes() -> None:
    """Name this module as the home of every OpenFlow 1.3 class it exports, as in Ryu.

    The JSON decoder (:mod:`ctrlapp.lib.stringify`) looks nested class names up
    in the class's own module first; this module holds all of OpenFlow 1.3, so
    ``OFPActionOutput`` inside a 1.3 message never resolves to the 1.0 class of
    the same name.
    """
    homes = ("ctrlapp.ofproto.v1_3.", "ctrlapp.ofproto.ofproto_v1_3_multipart")
    for value in list(globals().values()):
        if isinstance(value, type) and value.__module__.startswith(homes):
            value.__module__ = __name__


_adopt_classes()
