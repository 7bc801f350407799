"""SCTP cases of bench/packet_codec.py: an INIT with IPv4 address parameters and three bundled DATA chunks.

Both frames are Ethernet/IPv4/SCTP.  At import every library's encoder is
checked to produce the very frame the decoders are timed on.

How each library is made to do the same work:

* Decode.  ctrlapp and os-ken: ``Packet(frame)`` decodes every chunk and
  parameter into objects.  dpkt stops at generic chunks (type, flags, length,
  body bytes), so its decode also unpacks each DATA chunk's TSN, stream id,
  stream sequence number, PPID and user data and each INIT chunk's fixed
  fields and parameter list, with ``struct`` in the callable.  Nobody
  verifies the checksum on decode.
* Encode.  Objects are built with lengths and the checksum left at 0 and
  serialized, so every library computes the CRC32C: ctrlapp with the
  ``crc32c`` C extension, dpkt and os-ken in pure Python (a table-driven loop
  per byte) - that difference is part of what the "csum computed" rows
  measure.  os-ken's result is not the packet's CRC32C (tshark reports it as
  bad; os-ken 's bug), but it does the per-byte work all the same.  The "csum given" rows set the checksum to its known value, which
  all three then copy instead of computing, and so measure the codec alone.
  dpkt has no DATA/INIT chunk classes: its encode packs the chunk bodies with
  ``struct`` in the callable and gives the chunk lengths.

The last case times the SCTP layer alone (``sctp.parser`` / ``serialize`` on
the SCTP bytes, no Ethernet/IPv4 and no ``Packet``), to separate the SCTP
codec from the layers around it.
"""

from __future__ import annotations

import socket
import struct

import dpkt
from os_ken.lib.packet import ethernet as ok_ethernet
from os_ken.lib.packet import ipv4 as ok_ipv4
from os_ken.lib.packet import packet as ok_packet
from os_ken.lib.packet import sctp as ok_sctp

from bench.codec_case import CodecCase
from ctrlapp.lib.packet import ethernet, ipv4, packet, sctp

MAC_A = "02:00:00:00:00:01"
MAC_B = "02:00:00:00:00:02"
BIN_A = bytes.fromhex("020000000001")
BIN_B = bytes.fromhex("020000000002")
IP_A, IP_B = "192.0.2.1", "192.0.2.2"
BIN_IP_A, BIN_IP_B = socket.inet_aton(IP_A), socket.inet_aton(IP_B)
INIT_ADDRS = ("192.0.2.1", "198.51.100.1", "203.0.113.1")
PAYLOADS = (bytes(range(100)), bytes(range(64)), bytes(range(200)))

_DATA_BODY = struct.Struct("!IHHI")
_INIT_BODY = struct.Struct("!IIHHI")
_TLV = struct.Struct("!HH")

# -- builders: csum=0 computes the CRC32C, a given value is copied ---------------


def _init_ctrlapp(csum: int = 0) -> bytes:
    params = [sctp.param_ipv4(a) for a in INIT_ADDRS]
    params += [sctp.param_supported_addr([5]), sctp.param_ecn()]
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet(MAC_B, MAC_A, 0x0800))
    p.add_protocol(ipv4.ipv4(identification=1, ttl=64, proto=132, src=IP_A, dst=IP_B))
    p.add_protocol(
        sctp.sctp(
            40000, 40001, 0, csum, [sctp.chunk_init(0, 0, 0x1234, 106496, 10, 65535, 99, params)]
        )
    )
    p.serialize()
    return p.data


def _init_osken(csum: int = 0) -> bytes:
    params = [ok_sctp.param_ipv4(a) for a in INIT_ADDRS]
    params += [ok_sctp.param_supported_addr([5]), ok_sctp.param_ecn()]
    p = ok_packet.Packet()
    p.add_protocol(ok_ethernet.ethernet(MAC_B, MAC_A, 0x0800))
    p.add_protocol(ok_ipv4.ipv4(identification=1, ttl=64, proto=132, src=IP_A, dst=IP_B))
    p.add_protocol(
        ok_sctp.sctp(
            40000,
            40001,
            0,
            csum,
            [ok_sctp.chunk_init(0, 0, 0x1234, 106496, 10, 65535, 99, params)],
        )
    )
    p.serialize()
    return p.data


def _init_dpkt(csum: int = 0) -> bytes:
    body = _INIT_BODY.pack(0x1234, 106496, 10, 65535, 99)
    for a in INIT_ADDRS:
        body += _TLV.pack(5, 8) + socket.inet_aton(a)
    body += _TLV.pack(12, 6) + b"\x00\x05\x00\x00" + _TLV.pack(0x8000, 4)
    chunk = dpkt.sctp.Chunk(type=dpkt.sctp.INIT, len=4 + len(body), data=body)
    chunk.padding = b""
    s = dpkt.sctp.SCTP(sport=40000, dport=40001, vtag=0, sum=csum)
    s.chunks = [chunk]
    s.data = b""
    ip = dpkt.ip.IP(id=1, ttl=64, p=132, src=BIN_IP_A, dst=BIN_IP_B, data=s)
    return bytes(dpkt.ethernet.Ethernet(dst=BIN_B, src=BIN_A, type=0x0800, data=ip))


def _data_ctrlapp(csum: int = 0) -> bytes:
    chunks = [
        sctp.chunk_data(0, 1, 1, 0, 1000 + i, 1, i, 46, payload)
        for i, payload in enumerate(PAYLOADS)
    ]
    p = packet.Packet()
    p.add_protocol(ethernet.ethernet(MAC_B, MAC_A, 0x0800))
    p.add_protocol(ipv4.ipv4(identification=2, ttl=64, proto=132, src=IP_A, dst=IP_B))
    p.add_protocol(sctp.sctp(40000, 40001, 0xCAFE, csum, chunks))
    p.serialize()
    return p.data


def _data_osken(csum: int = 0) -> bytes:
    chunks = [
        ok_sctp.chunk_data(0, 1, 1, 0, 1000 + i, 1, i, 46, payload)
        for i, payload in enumerate(PAYLOADS)
    ]
    p = ok_packet.Packet()
    p.add_protocol(ok_ethernet.ethernet(MAC_B, MAC_A, 0x0800))
    p.add_protocol(ok_ipv4.ipv4(identification=2, ttl=64, proto=132, src=IP_A, dst=IP_B))
    p.add_protocol(ok_sctp.sctp(40000, 40001, 0xCAFE, csum, chunks))
    p.serialize()
    return p.data


def _data_dpkt_sctp(csum: int):
    chunks = []
    for i, payload in enumerate(PAYLOADS):
        body = _DATA_BODY.pack(1000 + i, 1, i, 46) + payload
        chunk = dpkt.sctp.Chunk(type=dpkt.sctp.DATA, flags=3, len=4 + len(body), data=body)
        chunk.padding = b"\x00" * (-len(body) % 4)
        chunks.append(chunk)
    s = dpkt.sctp.SCTP(sport=40000, dport=40001, vtag=0xCAFE, sum=csum)
    s.chunks = chunks
    s.data = b""
    return s


def _data_dpkt(csum: int = 0) -> bytes:
    ip = dpkt.ip.IP(id=2, ttl=64, p=132, src=BIN_IP_A, dst=BIN_IP_B, data=_data_dpkt_sctp(csum))
    return bytes(dpkt.ethernet.Ethernet(dst=BIN_B, src=BIN_A, type=0x0800, data=ip))


# -- dpkt decode: the chunk bodies too ----------------------------------------


def _decode_dpkt(frame: bytes):
    e = dpkt.ethernet.Ethernet(frame)
    fields = []
    for chunk in e.data.data.chunks:
        body = chunk.data
        if chunk.type == dpkt.sctp.DATA:
            fields.append((_DATA_BODY.unpack_from(body), body[12:]))
        elif chunk.type == dpkt.sctp.INIT:
            params = []
            off = 16
            while off + 4 <= len(body):
                ptype, plen = _TLV.unpack_from(body, off)
                params.append((ptype, body[off + 4 : off + plen]))
                off += (plen + 3) & ~3
            fields.append((_INIT_BODY.unpack_from(body), params))
    return e, fields


def _layer_ctrlapp(csum: int) -> bytes:
    chunks = [
        sctp.chunk_data(0, 1, 1, 0, 1000 + i, 1, i, 46, payload)
        for i, payload in enumerate(PAYLOADS)
    ]
    return sctp.sctp(40000, 40001, 0xCAFE, csum, chunks).serialize(b"", None)


def _layer_osken(csum: int) -> bytes:
    chunks = [
        ok_sctp.chunk_data(0, 1, 1, 0, 1000 + i, 1, i, 46, payload)
        for i, payload in enumerate(PAYLOADS)
    ]
    return ok_sctp.sctp(40000, 40001, 0xCAFE, csum, chunks).serialize(bytearray(), None)


def _layer_dpkt(csum: int) -> bytes:
    return bytes(_data_dpkt_sctp(csum))


def _decode_dpkt_layer(data: bytes):
    s = dpkt.sctp.SCTP(data)
    return s, [(_DATA_BODY.unpack_from(c.data), c.data[12:]) for c in s.chunks]


INIT_FRAME = bytes(_init_ctrlapp())
DATA_FRAME = bytes(_data_ctrlapp())
INIT_CSUM = struct.unpack_from("!I", INIT_FRAME, 42)[0]
DATA_CSUM = struct.unpack_from("!I", DATA_FRAME, 42)[0]
DATA_SCTP = DATA_FRAME[34:]


def _without_csum(frame: bytes) -> bytes:
    return frame[:42] + frame[46:]


def _check() -> None:
    """Every library's encoder must produce the frame the decoders are timed on.

    Except os-ken's computed checksum: it is not the CRC32C of the packet
    (tshark flags it as bad), so only the other bytes are compared there.
    """
    for frame, csum, builders in (
        (INIT_FRAME, INIT_CSUM, (_init_ctrlapp, _init_osken, _init_dpkt)),
        (DATA_FRAME, DATA_CSUM, (_data_ctrlapp, _data_osken, _data_dpkt)),
    ):
        for build in builders:
            for given in (0, csum):
                got = bytes(build(given))
                if build in (_init_osken, _data_osken) and given == 0:
                    got, want = _without_csum(got), _without_csum(frame)
                else:
                    want = frame
                if got != want:
                    raise RuntimeError(
                        f"{build.__name__}(csum={given:#x}) builds a different frame"
                    )
    if (
        ok_packet.Packet(DATA_FRAME).get_protocol(ok_sctp.sctp).chunks[2].payload_data
        != PAYLOADS[2]
    ):
        raise RuntimeError("os-ken decodes the DATA frame differently")
    if _decode_dpkt(INIT_FRAME)[1][0][0] != (0x1234, 106496, 10, 65535, 99):
        raise RuntimeError("dpkt decodes the INIT frame differently")


_check()

CASES: list[CodecCase] = [
    CodecCase(
        "eth/ipv4/sctp init, csum computed",
        lambda: packet.Packet(INIT_FRAME),
        _init_ctrlapp,
        lambda: _decode_dpkt(INIT_FRAME),
        _init_dpkt,
        lambda: ok_packet.Packet(INIT_FRAME),
        _init_osken,
    ),
    CodecCase(
        "eth/ipv4/sctp init, csum given",
        lambda: packet.Packet(INIT_FRAME),
        lambda: _init_ctrlapp(INIT_CSUM),
        lambda: _decode_dpkt(INIT_FRAME),
        lambda: _init_dpkt(INIT_CSUM),
        lambda: ok_packet.Packet(INIT_FRAME),
        lambda: _init_osken(INIT_CSUM),
    ),
    CodecCase(
        "eth/ipv4/sctp 3 data, csum computed",
        lambda: packet.Packet(DATA_FRAME),
        _data_ctrlapp,
        lambda: _decode_dpkt(DATA_FRAME),
        _data_dpkt,
        lambda: ok_packet.Packet(DATA_FRAME),
        _data_osken,
    ),
    CodecCase(
        "eth/ipv4/sctp 3 data, csum given",
        lambda: packet.Packet(DATA_FRAME),
        lambda: _data_ctrlapp(DATA_CSUM),
        lambda: _decode_dpkt(DATA_FRAME),
        lambda: _data_dpkt(DATA_CSUM),
        lambda: ok_packet.Packet(DATA_FRAME),
        lambda: _data_osken(DATA_CSUM),
    ),
    CodecCase(
        "sctp layer alone, 3 data, csum given",
        lambda: sctp.sctp.parser(DATA_SCTP),
        lambda: _layer_ctrlapp(DATA_CSUM),
        lambda: _decode_dpkt_layer(DATA_SCTP),
        lambda: _layer_dpkt(DATA_CSUM),
        lambda: ok_sctp.sctp.parser(DATA_SCTP),
        lambda: _layer_osken(DATA_CSUM),
    ),
]
