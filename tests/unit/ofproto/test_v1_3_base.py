"""The version-independent message base: header, dispatch, error conversion."""

from __future__ import annotations

import struct

import pytest

from ctrlapp.exception import (
    OFPEncodeError,
    OFPFramingError,
    OFPMalformedMessage,
    OFPTruncatedMessage,
    OFPUnknownMessageType,
    OFPUnknownVersion,
)
from ctrlapp.ofproto import ofproto_common, ofproto_parser

_TEST_VERSION = 0x7E  # a version no real module uses, so these classes cannot collide


@ofproto_parser.register_msg_type(_TEST_VERSION, 1)
class _Counter(ofproto_parser.MsgBase):
    """A test message whose body is one 32-bit counter."""

    _BODY = struct.Struct("!I")

    def __init__(self, datapath=None, count=0):
        super().__init__(datapath)
        self.count = count

    @classmethod
    def parser(cls, datapath, version, msg_type, msg_len, xid, buf):
        msg = cls(datapath, *cls._BODY.unpack_from(buf, 8))
        msg.set_headers(version, msg_type, msg_len, xid)
        msg.buf = buf
        return msg

    def _serialize_body(self):
        self.buf += self._BODY.pack(self.count)


@ofproto_parser.register_msg_type(_TEST_VERSION, 2)
class _Empty(ofproto_parser.MsgBase):
    pass


class _Thing(ofproto_parser.StructBase):
    @classmethod
    def parser(cls, buf, offset):
        return buf[offset + 10]


def test_common_constants():
    assert ofproto_common.OFP_HEADER_SIZE == struct.calcsize(ofproto_common.OFP_HEADER_PACK_STR)
    assert ofproto_common.OFP_TCP_PORT == 6653
    assert ofproto_common.OFP_NO_BUFFER == 0xFFFFFFFF


def test_serialize_fills_header_and_decodes_back():
    m = _Counter(None, 0xDEADBEEF)
    m.set_xid(0x01020304)
    m.serialize()
    assert bytes(m.buf) == bytes.fromhex("7e01000c01020304deadbeef")
    assert (m.version, m.msg_type, m.msg_len, m.xid) == (_TEST_VERSION, 1, 12, 0x01020304)
    back = ofproto_parser.decode(m.buf)
    assert isinstance(back, _Counter) and back == m and back.xid == m.xid
    assert "count=3735928559" in str(back) and "xid=16909060" in str(back)


def test_unset_xid_encodes_as_zero_and_empty_body():
    m = _Empty()
    m.serialize()
    assert bytes(m.buf) == bytes.fromhex("7e02000800000000")
    assert isinstance(ofproto_parser.decode(m.buf), _Empty)


def test_header_and_msg_bad_input():
    with pytest.raises(OFPTruncatedMessage):
        ofproto_parser.header(b"\x04\x00\x00")
    assert ofproto_parser.header(b"\x04\x00\x00\x08\x00\x00\x00\x05") == (4, 0, 8, 5)
    with pytest.raises(OFPFramingError) as e:
        ofproto_parser.msg(None, _TEST_VERSION, 1, 7, 9, b"\x00" * 12)
    assert e.value.xid == 9
    with pytest.raises(OFPTruncatedMessage):
        ofproto_parser.msg(None, _TEST_VERSION, 1, 12, 9, b"\x00" * 11)
    with pytest.raises(OFPUnknownVersion):
        ofproto_parser.msg(None, 0x7D, 1, 8, 9, b"\x00" * 8)
    with pytest.raises(OFPUnknownMessageType) as e:
        ofproto_parser.msg(None, _TEST_VERSION, 99, 8, 9, b"\x00" * 8)
    assert (e.value.xid, e.value.msg_type) == (9, 99)


def test_parser_failures_become_malformed_with_xid():
    # the length field says 10 bytes: the body is 2 bytes, too short for the counter
    buf = bytes.fromhex("7e01000a0000002a0102")
    with pytest.raises(OFPTruncatedMessage) as e:
        ofproto_parser.decode(buf)
    assert e.value.xid == 42 and e.value.msg_type == 1 and "xid=0x2a" in str(e.value)


def test_bytes_past_length_are_ignored():
    buf = bytes.fromhex("7e01000c0000002a00000007ffff")
    m = ofproto_parser.decode(buf)
    assert m.count == 7 and len(m.buf) == 12


def test_struct_parser_guard():
    with pytest.raises(OFPMalformedMessage):
        _Thing.parser(b"\x00" * 4, 0)
    assert _Thing.parser(bytes(range(12)), 1) == 11


def test_encode_error():
    m = _Counter(None, -1)
    with pytest.raises(OFPEncodeError):
        m.serialize()


def test_ryu_style_registration_and_json_dispatch():
    @ofproto_parser.register_msg_parser(_TEST_VERSION)
    class _Late(ofproto_parser.MsgBase):
        cls_msg_type = 3
        cls_version = _TEST_VERSION

    assert isinstance(ofproto_parser.decode(bytes.fromhex("7e03000800000001")), _Late)


def test_protocol_desc():
    from ctrlapp.ofproto import ofproto_protocol, ofproto_v1_3, ofproto_v1_3_parser

    dp = ofproto_protocol.ProtocolDesc()
    assert dp.ofproto is ofproto_v1_3 and dp.ofproto_parser is ofproto_v1_3_parser
    assert dp.supports(4) and not dp.supports(1)
    assert ofproto_protocol.supported_versions() == [1, 4]
    with pytest.raises(ValueError):
        ofproto_protocol.ProtocolDesc(0x7E)
    body = {"OFPEchoRequest": {"data": "aGk="}}
    msg = ofproto_parser.ofp_msg_from_jsondict(dp, body)
    assert msg.data == b"hi" and msg.datapath is dp


def test_oversized_message_is_an_encode_error():
    m = _Counter()
    m._serialize_body = lambda: m.buf.extend(bytes(70000))
    with pytest.raises(OFPEncodeError):
        m.serialize()
