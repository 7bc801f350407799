"""Fuzzing the OpenFlow decoder and framer: bad input raises only OFPMalformedMessage.

Random bytes, random bodies behind well-formed headers, mutated and truncated
corpus messages go into :func:`ctrlapp.ofproto.ofproto_parser.msg`; anything
other than :class:`~ctrlapp.exception.OFPMalformedMessage` (or a subclass)
escaping is a bug, and so is a decoded message that cannot be encoded again.
The framer must give the same messages however the stream is cut, and never
hold more than one maximum-size message.
"""

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.exception import OFPFramingError, OFPMalformedMessage, OFPTruncatedMessage
from ctrlapp.ofproto import ofproto_parser
from ctrlapp.ofproto.framer import OFPFramer
from tests.support.ofp_v1_0_strategies import MESSAGES
from tests.support.shared_data import TESTDATA

CORPUS_DIR = TESTDATA / "openflow"
CORPUS = [
    f.read_bytes()
    for f in sorted((CORPUS_DIR / "of13").glob("*.packet"))
    + sorted((CORPUS_DIR / "of10").glob("*.packet"))
]
VERSIONS = st.sampled_from([0x01, 0x04])


def decode_or_documented_error(data: bytes) -> None:
    """Decode ``data`` with its length field taken as given; encode whatever decodes."""
    try:
        msg = ofproto_parser.decode(data)
    except OFPMalformedMessage as exc:
        assert exc.reason
        return
    msg.serialize()
    assert len(msg.buf) == msg.msg_len


def with_length(data: bytes) -> bytes:
    """Patch the header's length field to the real length, so the body decoders run."""
    if len(data) < 8:
        return data
    return data[:2] + min(len(data), 0xFFFF).to_bytes(2, "big") + data[4:]


@given(st.binary(max_size=200))
def test_random_bytes(data):
    decode_or_documented_error(data)


@given(VERSIONS, st.integers(0, 40), st.binary(max_size=300))
def test_random_body_behind_good_header(version, msg_type, body):
    data = bytes([version, msg_type]) + (8 + len(body)).to_bytes(2, "big") + b"\0\0\0\1" + body
    decode_or_documented_error(data)


@st.composite
def mutated_corpus_message(draw):
    data = bytearray(draw(st.sampled_from(CORPUS)))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(8, max(8, len(data) - 1)))
        if pos < len(data):
            data[pos] = draw(st.integers(0, 255))
    cut = draw(st.integers(8, len(data)))
    return with_length(bytes(data[:cut]))


@given(mutated_corpus_message())
def test_mutated_corpus_messages(data):
    decode_or_documented_error(data)


@given(MESSAGES, st.integers(0, 2**32))
def test_mutated_generated_v1_0_messages(msg, seed):
    # The 1.0 corpus has no statistics or queue messages; generated ones reach those decoders.
    msg.serialize()
    raw = bytearray(msg.buf)
    rng = random.Random(seed)
    for _ in range(rng.randint(1, 3) if len(raw) > 8 else 0):
        raw[rng.randrange(8, len(raw))] = rng.getrandbits(8)
    cut = rng.randint(8, len(raw))
    decode_or_documented_error(with_length(bytes(raw[:cut])))


@given(st.sampled_from(CORPUS), st.integers(0, 0xFFFF))
def test_length_field_lies(data, claimed):
    # A length field smaller than 8, or larger than the bytes present, is always an error.
    lying = data[:2] + claimed.to_bytes(2, "big") + data[4:]
    if 8 <= claimed <= len(data):
        decode_or_documented_error(lying[:claimed])
    else:
        with pytest.raises(OFPMalformedMessage):
            ofproto_parser.decode(lying)


def truncation_points(size: int) -> range | list[int]:
    """Every cut for normal messages; for the 11 KB table-features ones, a spread of cuts."""
    if size <= 2048:
        return range(8, size)
    return sorted({*range(8, 264), *range(264, size, 251), *range(size - 16, size)})


def test_every_truncation_of_every_corpus_message():
    for data in CORPUS:
        for cut in truncation_points(len(data)):
            decode_or_documented_error(with_length(data[:cut]))


def test_truncated_flow_mod():
    # The corpus's libofproto-OFP13-flow_mod.truncated64 is empty here, so cut the
    # full message to 64 bytes the way its name says.
    empty = (CORPUS_DIR / "of13" / "libofproto-OFP13-flow_mod.truncated64").read_bytes()
    with pytest.raises(OFPTruncatedMessage):
        ofproto_parser.decode(empty)
    full = (CORPUS_DIR / "of13" / "libofproto-OFP13-flow_mod.packet").read_bytes()
    assert ofproto_parser.header(full)[2] > 64
    with pytest.raises(OFPTruncatedMessage) as info:
        ofproto_parser.decode(full[:64])
    assert info.value.xid == ofproto_parser.header(full)[3]
    decode_or_documented_error(with_length(full[:64]))


# -- framer -----------------------------------------------------------------------


@st.composite
def stream_and_cuts(draw):
    # A seed drives the choices: far fewer hypothesis draws per example, same coverage.
    rng = random.Random(draw(st.integers(0, 2**32)))
    messages = rng.choices(CORPUS, k=rng.randint(1, 5))
    stream = b"".join(messages)
    cuts = sorted(rng.randint(0, len(stream)) for _ in range(rng.randint(0, 8)))
    if draw(st.booleans()):
        # cut inside the first headers too, where the framer has the least to go on
        cuts = sorted([*cuts, *range(0, min(len(stream), 20), 3)])
    return messages, stream, cuts


@given(stream_and_cuts())
def test_framer_any_chunking_gives_the_same_messages(case):
    messages, stream, cuts = case
    framer = OFPFramer()
    frames = []
    start = 0
    for cut in [*cuts, len(stream)]:
        frames += framer.parse(stream[start:cut])
        assert framer.buffered < 65535
        start = cut
    assert [f.buf for f in frames] == messages
    assert framer.buffered == 0


@given(st.binary(max_size=400), st.integers(0, 2**32))
def test_framer_random_reads(stream, seed):
    rng = random.Random(seed)
    cuts = sorted(rng.randint(0, len(stream)) for _ in range(rng.randint(0, 6)))
    framer = OFPFramer()
    start = 0
    try:
        for cut in [*cuts, len(stream)]:
            for frame in framer.parse(stream[start:cut]):
                assert frame.msg_len == len(frame.buf) >= 8
            assert framer.buffered < 65535
            start = cut
    except OFPFramingError as exc:
        assert "length" in exc.reason
