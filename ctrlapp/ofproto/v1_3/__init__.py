"""OpenFlow 1.3 message and structure classes, split by theme.

Import them from :mod:`ctrlapp.ofproto.ofproto_v1_3_parser`, which re-exports
every public name here (the module Ryu applications use).
"""
