"""msgpack-RPC framing (msgpack-RPC spec): message shapes, split reads, malformed input."""

import msgpack
import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctrlapp.rpc import protocol


def test_messages_roundtrip_across_any_split():
    data = (
        protocol.encode_request(1, "a.b", [1, "x"])
        + protocol.encode_response(1, None, [1])
        + protocol.encode_notification("t", [{"k": b"\x00"}])
    )
    for cut in range(len(data) + 1):
        r = protocol.MessageReader()
        msgs = r.feed(data[:cut]) + r.feed(data[cut:])
        assert msgs == [[0, 1, "a.b", [1, "x"]], [1, 1, None, [1]], [2, "t", [{"k": b"\x00"}]]]


@pytest.mark.parametrize(
    "msg",
    [
        [],
        [9, 1, "m", []],
        [0, "1", "m", []],
        [0, 1, 5, []],
        [0, 1, "m", 3],
        [1, 1, None],
        [2, "m"],
        [2, 3, []],
        "text",
        {"a": 1},
    ],
)
def test_bad_shapes(msg):
    with pytest.raises(protocol.RpcProtocolError):
        protocol.MessageReader().feed(msgpack.packb(msg))


def test_oversized_message_is_refused():
    r = protocol.MessageReader(max_message=1024)
    with pytest.raises(protocol.RpcProtocolError):
        r.feed(protocol.encode_request(1, "m", ["x" * 5000]))


def test_objects_are_packed_through_as_dict():
    class Lease:
        def as_dict(self):
            return {"ip": "10.0.0.5"}

    msg = protocol.MessageReader().feed(protocol.encode_notification("t", [Lease(), {1, 2}]))
    assert msg == [[2, "t", [{"ip": "10.0.0.5"}, [1, 2]]]]


@given(st.binary(max_size=200))
def test_random_bytes_raise_only_protocol_error(data):
    try:
        protocol.MessageReader().feed(data)
    except protocol.RpcProtocolError:
        pass
