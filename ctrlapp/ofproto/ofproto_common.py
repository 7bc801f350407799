"""Constants shared by every OpenFlow version: the common header, ports, buffer ids.

The 8-byte header (``ofp_header``: version, type, length, xid) is the same in
every OpenFlow version (OpenFlow 1.3.5 section 7.1, 1.0.0 section 5.1), so the
framer and :func:`ctrlapp.ofproto.ofproto_parser.header` use the definitions
here without knowing the version.
"""

from __future__ import annotations

import struct

OFP_HEADER_PACK_STR = "!BBHI"
OFP_HEADER_SIZE = 8
OFP_HEADER_STRUCT = struct.Struct(OFP_HEADER_PACK_STR)
assert OFP_HEADER_STRUCT.size == OFP_HEADER_SIZE

# The length field is 16 bits wide, so no message can be longer than this.
OFP_MSG_SIZE_MAX = 65535

# IANA-assigned ports (since OpenFlow 1.3.2) and the pre-IANA ones many switches still use.
OFP_TCP_PORT = 6653
OFP_SSL_PORT = 6653
OFP_TCP_PORT_OLD = 6633
OFP_SSL_PORT_OLD = 6633

# buffer_id meaning "the packet is not buffered on the switch; the data is in the message".
OFP_NO_BUFFER = 0xFFFFFFFF

# Wire version numbers.
OFP_VERSION_1_0 = 0x01
OFP_VERSION_1_3 = 0x04
