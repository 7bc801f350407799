"""Shared checks for the packet library's decode/encode contract.

Every protocol's tests use these so that the guarantees are stated once:

* ``parser()`` raises nothing but :class:`PacketParseError`;
* ``Packet(data)`` never raises and keeps every byte (decoded or raw);
* encode -> decode -> encode gives the same bytes;
* ``str()`` and ``to_jsondict()``/``from_jsondict()`` work on what was decoded.
"""

from __future__ import annotations

from hypothesis import strategies as st

from ctrlapp.lib.packet import packet, packet_base
from ctrlapp.lib.packet.errors import PacketParseError


def parse_or_documented_error(cls: type, data: bytes):
    """Run ``cls.parser(data)``; return its result, or ``None`` if it raised PacketParseError."""
    try:
        result = cls.parser(data)
    except PacketParseError:
        return None
    assert isinstance(result, tuple) and len(result) == 3
    return result


def decode_never_raises(data: bytes, parse_cls: type | None = None) -> packet.Packet:
    """Decode ``data`` as a whole packet, check nothing raised and the object prints."""
    pkt = packet.Packet(data, parse_cls=parse_cls) if parse_cls else packet.Packet(data)
    str(pkt)
    for proto in pkt.protocols:
        if isinstance(proto, packet_base.PacketBase):
            proto.to_jsondict()
    return pkt


def build(*protocols) -> bytes:
    """Serialize the given headers (and raw bytes) into one frame."""
    pkt = packet.Packet()
    for proto in protocols:
        pkt.add_protocol(proto)
    pkt.serialize()
    return bytes(pkt.data)


def assert_reencodes(data: bytes, parse_cls: type | None = None) -> packet.Packet:
    """Decode ``data`` and check that encoding the result reproduces ``data`` exactly."""
    pkt = decode_never_raises(data, parse_cls)
    assert pkt.parse_error is None, pkt.parse_error
    again = build(*pkt.protocols)
    assert again == data, f"\n{again.hex()}\n!=\n{data.hex()}\n{pkt}"
    return pkt


def assert_json_roundtrip(obj) -> None:
    """``from_jsondict(to_jsondict())`` gives an equal object."""
    ((name, body),) = obj.to_jsondict().items()
    assert name == type(obj).__name__
    again = type(obj).from_jsondict(body)
    assert str(again) == str(obj)


def mutated(valid: st.SearchStrategy[bytes]) -> st.SearchStrategy[bytes]:
    """Valid encodings with bytes flipped, truncated or extended: where decoders break."""

    @st.composite
    def _mutate(draw):
        data = bytearray(draw(valid))
        for _ in range(draw(st.integers(0, 4))):
            if not data:
                break
            i = draw(st.integers(0, len(data) - 1))
            data[i] = draw(st.integers(0, 255))
        how = draw(st.sampled_from(["keep", "truncate", "extend"]))
        if how == "truncate" and data:
            data = data[: draw(st.integers(0, len(data)))]
        elif how == "extend":
            data += draw(st.binary(max_size=32))
        return bytes(data)

    return _mutate()
