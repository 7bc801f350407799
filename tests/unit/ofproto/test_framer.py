"""OFPFramer: OpenFlow header framing of a TCP byte stream (OF 1.0 s5.1, OF 1.3.5 s7.1)."""

import pytest

from ctrlapp.exception import OFPFramingError, OFPMalformedMessage
from ctrlapp.lib.packet.stream_parser import StreamParser
from ctrlapp.ofproto.framer import OFPFrame, OFPFramer
from tests.support.shared_data import TESTDATA

CORPUS = TESTDATA / "openflow"
HELLO_13 = bytes.fromhex("0400000800000001")
ECHO_REQ_10 = bytes.fromhex("0102000c0000002acafebabe")


def corpus_messages() -> list[bytes]:
    files = sorted((CORPUS / "of13").glob("*.packet")) + sorted((CORPUS / "of10").glob("*.packet"))
    return [f.read_bytes() for f in files]


def test_one_message_in_one_read():
    (frame,) = OFPFramer().parse(ECHO_REQ_10)
    assert frame == OFPFrame(1, 2, 12, 0x2A, ECHO_REQ_10)
    assert isinstance(frame.buf, bytes)


def test_coalesced_reads_give_every_message_in_order():
    msgs = corpus_messages()
    frames = OFPFramer().parse(b"".join(msgs))
    assert [f.buf for f in frames] == msgs
    assert all(f.msg_len == len(f.buf) for f in frames)


def test_byte_at_a_time():
    framer = OFPFramer()
    msgs = corpus_messages()[:20]
    stream = b"".join(msgs)
    out = []
    for i in range(len(stream)):
        out += framer.parse(stream[i : i + 1])
        assert framer.buffered < 65535
    assert [f.buf for f in out] == msgs
    assert framer.buffered == 0


def test_split_inside_header_then_rest_with_next_message():
    framer = OFPFramer()
    assert framer.parse(ECHO_REQ_10[:3]) == []
    assert framer.buffered == 3
    frames = framer.parse(ECHO_REQ_10[3:] + HELLO_13 + HELLO_13[:5])
    assert [f.buf for f in frames] == [ECHO_REQ_10, HELLO_13]
    assert framer.buffered == 5
    assert framer.parse(HELLO_13[5:])[0].xid == 1


def test_accepts_bytearray_and_memoryview():
    framer = OFPFramer()
    assert framer.parse(bytearray(HELLO_13))[0].buf == HELLO_13
    assert framer.parse(memoryview(HELLO_13 * 2))[1].buf == HELLO_13


@pytest.mark.parametrize("bad_len", [0, 1, 7])
def test_length_below_header_is_framing_error(bad_len):
    framer = OFPFramer()
    bad = bytes([4, 2]) + bad_len.to_bytes(2, "big") + (77).to_bytes(4, "big")
    with pytest.raises(OFPFramingError) as info:
        framer.parse(bad)
    assert info.value.xid == 77 and info.value.msg_type == 2
    assert isinstance(info.value, OFPMalformedMessage)
    assert "length" in info.value.reason
    # The stream is out of sync for good: later input is refused.
    with pytest.raises(OFPFramingError):
        framer.parse(HELLO_13)


def test_good_messages_before_garbage_are_delivered_first():
    framer = OFPFramer()
    frames = framer.parse(HELLO_13 + ECHO_REQ_10 + b"\x04\x00\x00\x03\x00\x00\x00\x00")
    assert [f.buf for f in frames] == [HELLO_13, ECHO_REQ_10]
    with pytest.raises(OFPFramingError):
        framer.parse(b"")


def test_bad_length_found_after_split_header():
    framer = OFPFramer()
    framer.parse(b"\x01\x00\x00")
    with pytest.raises(OFPFramingError):
        framer.parse(b"\x04\x00\x00\x00\x00")


def test_max_msg_len_limits_buffer():
    framer = OFPFramer(max_msg_len=64)
    big = bytes([4, 0]) + (65).to_bytes(2, "big") + bytes(4)
    with pytest.raises(OFPFramingError):
        framer.parse(big[:8])
    assert framer.buffered == 0


def test_buffer_never_exceeds_one_max_message():
    framer = OFPFramer()
    biggest = bytes([4, 4, 0xFF, 0xFF]) + bytes(4) + bytes(65535 - 8)
    # Many maximal messages in one read, cut so that the last one is one byte short.
    stream = biggest * 5
    frames = framer.parse(stream[:-1])
    assert len(frames) == 4 and framer.buffered == 65534
    assert framer.parse(stream[-1:])[0].msg_len == 65535
    assert framer.buffered == 0


def test_invalid_max_msg_len():
    with pytest.raises(ValueError):
        OFPFramer(max_msg_len=70000)
    with pytest.raises(ValueError):
        OFPFramer(max_msg_len=4)


def test_stream_parser_hook():
    framer = OFPFramer()
    assert isinstance(framer, StreamParser)
    with pytest.raises(StreamParser.TooSmallException):
        framer.try_parse(bytearray(HELLO_13[:7]))
    with pytest.raises(StreamParser.TooSmallException):
        framer.try_parse(bytearray(ECHO_REQ_10[:9]))
    frame, rest = framer.try_parse(bytearray(HELLO_13 + b"\x01"))
    assert frame.buf == HELLO_13 and rest == b"\x01"
