"""Property-based tests of the SCTP decoder and encoder (hypothesis).

Random and mutated bytes only ever raise PacketParseError (and ``Packet``
never raises); generated packets with random chunk mixes re-encode to the
same bytes; whatever decodes re-encodes to bytes that decode to the same thing.
"""

import ipaddress
import random

from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.lib.packet import ethernet, ipv4, sctp, sctp_chunks, sctp_params
from ctrlapp.lib.packet.errors import PacketParseError
from tests.support.packet_contract import (
    assert_reencodes,
    build,
    decode_never_raises,
    parse_or_documented_error,
)
from tests.unit.packet.test_sctp import sample_causes, sample_chunks, sample_params

KNOWN_PTYPES = {c.param_type() for c in sctp_params.PARAM_CLASSES}
POOL_PARAMS = [p for k in range(3) for p in sample_params(k)]
POOL_CAUSES = [c for k in range(3) for c in sample_causes(k)]
POOL_CHUNKS = [c for k in range(4) for c in sample_chunks(k)]


def _rand_bytes(rng: random.Random, top: int = 24) -> bytes:
    return rng.randbytes(rng.randint(0, top))


def _rand_param(rng: random.Random):
    kind = rng.randrange(5)
    if kind == 0:
        return sctp.param_ipv4(str(ipaddress.IPv4Address(rng.getrandbits(32))))
    if kind == 1:
        return sctp.param_ipv6(str(ipaddress.IPv6Address(rng.getrandbits(128))))
    if kind == 2:
        return sctp.param_supported_addr([rng.getrandbits(16) for _ in range(rng.randint(0, 5))])
    if kind == 3:
        ptype = rng.getrandbits(16)
        while ptype in KNOWN_PTYPES:
            ptype = rng.getrandbits(16)
        return sctp.param_unknown(ptype, _rand_bytes(rng))
    return rng.choice(POOL_PARAMS)


def _rand_cause(rng: random.Random):
    kind = rng.randrange(3)
    if kind == 0:
        return sctp.cause_user_initiated_abort(_rand_bytes(rng))
    if kind == 1:
        return sctp.cause_missing_param([rng.getrandbits(16) for _ in range(rng.randint(0, 5))])
    return rng.choice(POOL_CAUSES)


def _rand_chunk(seed: int):
    """A chunk of a random kind with random fields; a seeded RNG keeps hypothesis draws few."""
    rng = random.Random(seed)
    b = rng.getrandbits
    kind = rng.randrange(10)
    if kind == 0:
        return sctp.chunk_data(
            b(1), b(1), b(1), 0, b(32), b(16), b(16), b(32), _rand_bytes(rng), b(1)
        )
    if kind == 1:
        begin = b(1)
        return sctp.chunk_idata(
            b(1), begin, b(1), 0, b(32), b(16), b(32), b(32) if begin else 0,
            0 if begin else b(32), _rand_bytes(rng), b(1),
        )  # fmt: skip
    if kind == 2:
        gaps = [[b(16), b(16)] for _ in range(rng.randint(0, 4))]
        dups = [b(32) for _ in range(rng.randint(0, 4))]
        return sctp.chunk_sack(b(8), 0, b(32), b(32), 0, 0, gaps, dups)
    if kind == 3:
        params = [_rand_param(rng) for _ in range(rng.randint(0, 4))]
        cls = rng.choice([sctp.chunk_init, sctp.chunk_init_ack])
        return cls(b(8), 0, b(32), b(32), b(16), b(16), b(32), params)
    if kind == 4:
        causes = [_rand_cause(rng) for _ in range(rng.randint(0, 3))]
        if rng.getrandbits(1):
            return sctp.chunk_abort(b(1), 0, causes)
        return sctp.chunk_error(b(8), 0, causes)
    if kind == 5:
        return sctp.chunk_cookie_echo(b(8), 0, _rand_bytes(rng))
    if kind == 6:
        streams = [[b(16), b(16)] for _ in range(rng.randint(0, 3))]
        return sctp.chunk_forward_tsn(b(8), 0, b(32), streams)
    if kind == 7:
        ctype = rng.choice(
            [t for t in range(256) if sctp_chunks.CHUNK_TABLE[t] is sctp.chunk_unknown]
        )
        return sctp.chunk_unknown(ctype, b(8), 0, _rand_bytes(rng))
    return rng.choice(POOL_CHUNKS)


def _rand_packet(seed: int) -> sctp.sctp:
    rng = random.Random(seed)
    chunks = [_rand_chunk(rng.getrandbits(64)) for _ in range(rng.randint(1, 4))]
    return sctp.sctp(rng.getrandbits(16), rng.getrandbits(16), rng.getrandbits(32), 0, chunks)


def _mutate(seed: int, data: bytes) -> bytes:
    """Bytes flipped, then truncated or extended, as tests.support's ``mutated`` does."""
    rng = random.Random(seed)
    data = bytearray(data)
    for _ in range(rng.randint(0, 4)):
        data[rng.randrange(len(data))] = rng.getrandbits(8)
    how = rng.randrange(3)
    if how == 1:
        del data[rng.randint(0, len(data)) :]
    elif how == 2:
        data += rng.randbytes(rng.randint(0, 32))
    return bytes(data)


# One draw per packet (and one per mutation): hypothesis' per-draw cost, not
# the codec, bounds the run time under the CI profile's 3000 examples.
packets = st.integers(0, 2**64).map(_rand_packet)
seeds = st.integers(0, 2**64)
frames = packets.map(
    lambda s: build(
        ethernet.ethernet("02:00:00:00:00:02", "02:00:00:00:00:01"), ipv4.ipv4(proto=132), s
    )
)
sctp_bytes = packets.map(lambda s: s.serialize(b"", None))


@given(frames)
def test_generated_packets_roundtrip(frame):
    pkt = assert_reencodes(frame)
    s = pkt.get_protocol(sctp.sctp)
    assert s is not None and s.checksum_ok(frame[34:], pkt.get_protocol(ipv4.ipv4))


@given(st.binary(max_size=120))
def test_random_bytes(data):
    parse_or_documented_error(sctp.sctp, data)
    for base in (sctp.chunk, sctp.param, sctp.cause):
        try:
            base.parser(data)
        except PacketParseError:
            pass
    decode_never_raises(data, sctp.sctp)


@given(st.binary(min_size=4, max_size=100))
def test_random_chunk_bytes_after_valid_header(body):
    parse_or_documented_error(sctp.sctp, bytes.fromhex("115cc66888e5e37600000000") + body)


@given(sctp_bytes, seeds)
def test_mutated_sctp_packets(valid, seed):
    data = _mutate(seed, valid)
    result = parse_or_documented_error(sctp.sctp, data)
    if result is None:
        return
    # Whatever decodes, re-encodes to bytes that decode to the same thing.
    again = result[0].serialize(b"", None)
    second = sctp.sctp.parser(again)[0]
    assert second.serialize(b"", None) == again


@given(frames, seeds)
def test_mutated_frames(valid, seed):
    data = _mutate(seed, valid)
    decode_never_raises(data)
    parse_or_documented_error(sctp.sctp, data[34:])
