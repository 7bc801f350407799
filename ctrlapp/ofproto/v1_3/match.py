"""OpenFlow 1.3 flow match: ``ofp_match`` with OXM TLVs (OpenFlow 1.3.5 section 7.2.3).

:class:`OFPMatch` holds its fields as an ordered list of ``(name, value)``
pairs where ``value`` is ``(value, mask)`` for a masked field.  Built from
keywords (``OFPMatch(in_port=1, eth_type=0x0800, ipv4_dst=('10.0.0.0',
'255.0.0.0'))``) the fields are put in OXM field-number order, which meets
the prerequisite ordering of section 7.2.3.6 (``eth_type`` before
``ipv4_dst`` and so on); decoded from the wire they keep the wire order, so
re-encoding reproduces the bytes.

Values are Ryu's user forms: integers, MAC addresses as ``'aa:bb:cc:dd:ee:ff'``,
IPv4/IPv6 addresses as text (``bytes`` of the right width are accepted when
encoding).  Keyword values are kept as given (not normalised, to keep the
per-flow encode path short), so a match built with upper-case MAC text
encodes like, but does not compare equal to, the decoded one.  A masked
keyword value has the bits outside its mask cleared, as section 7.2.3.5
requires (and as Ryu does); a decoded match keeps what the wire said.  An OXM of another class (Nicira NXM, experimenter) or an unknown
basic field is kept as raw payload bytes (for experimenter OXMs the payload
starts with the experimenter id) under the name ``oxm_XXXXXX``: the OXM
header's class, field and has-mask bit in six hex digits, so it encodes back
unchanged.

The OXM codec (:func:`oxm_parse`, :func:`oxm_serialize`) is shared with the
set-field action and the multipart table-feature properties.
"""

from __future__ import annotations

import operator
import socket
import struct
from typing import Any

from ctrlapp.exception import OFPEncodeError, OFPMalformedMessage, OFPTruncatedMessage
from ctrlapp.lib import addrconv
from ctrlapp.ofproto import ofproto_v1_3 as ofproto
from ctrlapp.ofproto.ofproto_parser import StructBase

_HH = struct.Struct("!HH")
_I = struct.Struct("!I")
_MATCH_HEADER = struct.Struct("!HH")

_INT, _MAC, _IPV4, _IPV6 = range(4)

# name, field number, kind; the width comes from ofproto.OXM_OF_FIELD_SIZES.
_BASIC_FIELDS = (
    ("in_port", ofproto.OFPXMT_OFB_IN_PORT, _INT),
    ("in_phy_port", ofproto.OFPXMT_OFB_IN_PHY_PORT, _INT),
    ("metadata", ofproto.OFPXMT_OFB_METADATA, _INT),
    ("eth_dst", ofproto.OFPXMT_OFB_ETH_DST, _MAC),
    ("eth_src", ofproto.OFPXMT_OFB_ETH_SRC, _MAC),
    ("eth_type", ofproto.OFPXMT_OFB_ETH_TYPE, _INT),
    ("vlan_vid", ofproto.OFPXMT_OFB_VLAN_VID, _INT),
    ("vlan_pcp", ofproto.OFPXMT_OFB_VLAN_PCP, _INT),
    ("ip_dscp", ofproto.OFPXMT_OFB_IP_DSCP, _INT),
    ("ip_ecn", ofproto.OFPXMT_OFB_IP_ECN, _INT),
    ("ip_proto", ofproto.OFPXMT_OFB_IP_PROTO, _INT),
    ("ipv4_src", ofproto.OFPXMT_OFB_IPV4_SRC, _IPV4),
    ("ipv4_dst", ofproto.OFPXMT_OFB_IPV4_DST, _IPV4),
    ("tcp_src", ofproto.OFPXMT_OFB_TCP_SRC, _INT),
    ("tcp_dst", ofproto.OFPXMT_OFB_TCP_DST, _INT),
    ("udp_src", ofproto.OFPXMT_OFB_UDP_SRC, _INT),
    ("udp_dst", ofproto.OFPXMT_OFB_UDP_DST, _INT),
    ("sctp_src", ofproto.OFPXMT_OFB_SCTP_SRC, _INT),
    ("sctp_dst", ofproto.OFPXMT_OFB_SCTP_DST, _INT),
    ("icmpv4_type", ofproto.OFPXMT_OFB_ICMPV4_TYPE, _INT),
    ("icmpv4_code", ofproto.OFPXMT_OFB_ICMPV4_CODE, _INT),
    ("arp_op", ofproto.OFPXMT_OFB_ARP_OP, _INT),
    ("arp_spa", ofproto.OFPXMT_OFB_ARP_SPA, _IPV4),
    ("arp_tpa", ofproto.OFPXMT_OFB_ARP_TPA, _IPV4),
    ("arp_sha", ofproto.OFPXMT_OFB_ARP_SHA, _MAC),
    ("arp_tha", ofproto.OFPXMT_OFB_ARP_THA, _MAC),
    ("ipv6_src", ofproto.OFPXMT_OFB_IPV6_SRC, _IPV6),
    ("ipv6_dst", ofproto.OFPXMT_OFB_IPV6_DST, _IPV6),
    ("ipv6_flabel", ofproto.OFPXMT_OFB_IPV6_FLABEL, _INT),
    ("icmpv6_type", ofproto.OFPXMT_OFB_ICMPV6_TYPE, _INT),
    ("icmpv6_code", ofproto.OFPXMT_OFB_ICMPV6_CODE, _INT),
    ("ipv6_nd_target", ofproto.OFPXMT_OFB_IPV6_ND_TARGET, _IPV6),
    ("ipv6_nd_sll", ofproto.OFPXMT_OFB_IPV6_ND_SLL, _MAC),
    ("ipv6_nd_tll", ofproto.OFPXMT_OFB_IPV6_ND_TLL, _MAC),
    ("mpls_label", ofproto.OFPXMT_OFB_MPLS_LABEL, _INT),
    ("mpls_tc", ofproto.OFPXMT_OFB_MPLS_TC, _INT),
    ("mpls_bos", ofproto.OFPXMT_OFB_MPLS_BOS, _INT),
    ("pbb_isid", ofproto.OFPXMT_OFB_PBB_ISID, _INT),
    ("tunnel_id", ofproto.OFPXMT_OFB_TUNNEL_ID, _INT),
    ("ipv6_exthdr", ofproto.OFPXMT_OFB_IPV6_EXTHDR, _INT),
)

OXM_FIELD_NAMES = tuple(name for name, _, _ in _BASIC_FIELDS)


# C-level callables where possible: decoding runs once per field per packet-in.
_int_from_bytes = int.from_bytes


def _int_decoder(payload: bytes) -> int:
    return _int_from_bytes(payload, "big")


_mac_decoder = operator.methodcaller("hex", ":")
# the length was checked when the match was decoded
_ipv4_decoder = socket.inet_ntoa


def _ipv6_decoder(payload: bytes) -> str:
    return addrconv.ipv6.bin_to_text(payload)


def _text_encoder(text_to_bin, size: int):
    def encode(value: Any) -> bytes:
        if isinstance(value, (bytes, bytearray)):
            if len(value) != size:
                raise OFPEncodeError(f"{len(value)}-byte value for a {size}-byte field")
            return bytes(value)
        try:
            return text_to_bin(value)
        except (ValueError, TypeError, AttributeError) as exc:
            raise OFPEncodeError(str(exc)) from exc

    return encode


def _int_encoder(size: int):
    def encode(value: int) -> bytes:
        try:
            return value.to_bytes(size, "big")
        except (OverflowError, AttributeError) as exc:
            raise OFPEncodeError(f"{value!r} does not fit {size} bytes") from exc

    return encode


_DECODERS = {_INT: _int_decoder, _MAC: _mac_decoder, _IPV4: _ipv4_decoder, _IPV6: _ipv6_decoder}
_TEXT_TO_BIN = {_MAC: addrconv.mac.text_to_bin, _IPV4: addrconv.ipv4.text_to_bin}
_TEXT_TO_BIN[_IPV6] = addrconv.ipv6.text_to_bin

# header >> 8 (class, field, has-mask bit) -> (name, width, decoder)
_BY_HEADER: dict[int, tuple[str, int, Any]] = {}
# name -> (field number, header without mask, header with mask, encoder)
_BY_NAME: dict[str, tuple[int, int, int, Any]] = {}
# name -> (packed header without mask, packed header with mask, encoder), for encoding
_PACKED_HEADERS: dict[str, tuple[bytes, bytes, Any]] = {}
# Third header byte (field << 1 | has-mask) of an OPENFLOW_BASIC OXM -> its only valid
# length byte; lets the decoder check a match without creating objects.
_BASIC_LENGTH = [-1] * 256


def _build_tables() -> None:
    for name, field, kind in _BASIC_FIELDS:
        size = ofproto.OXM_OF_FIELD_SIZES[field]
        plain = ofproto.oxm_tlv_header(field, size)
        masked = ofproto.oxm_tlv_header_w(field, size)
        _BY_HEADER[plain >> 8] = (name, size, _DECODERS[kind])
        _BY_HEADER[masked >> 8] = (name, size, _DECODERS[kind])
        enc = _int_encoder(size) if kind == _INT else _text_encoder(_TEXT_TO_BIN[kind], size)
        _BY_NAME[name] = (field, plain, masked, enc)
        _PACKED_HEADERS[name] = (_I.pack(plain), _I.pack(masked), enc)
        _BASIC_LENGTH[(plain >> 8) & 0xFF] = size
        _BASIC_LENGTH[(masked >> 8) & 0xFF] = 2 * size


_build_tables()


def _raw_name(header: int) -> str:
    return f"oxm_{header >> 8:06x}"


def oxm_parse(buf: bytes | bytearray, offset: int, end: int) -> tuple[str, Any, Any, int]:
    """Decode the OXM TLV at ``offset`` (which must end by ``end``).

    Returns ``(name, value, mask, next_offset)``; ``mask`` is ``None`` when the
    has-mask bit is clear and for raw (non-basic) OXMs.
    """
    if offset + 4 > end:
        raise OFPTruncatedMessage(f"OXM header at {offset} runs past its container")
    (header,) = _I.unpack_from(buf, offset)
    length = header & 0xFF
    start = offset + 4
    stop = start + length
    if stop > end:
        raise OFPMalformedMessage(f"OXM {header:#010x} of length {length} runs past its container")
    known = _BY_HEADER.get(header >> 8)
    if known is None:
        if header >> 16 == ofproto.OFPXMC_EXPERIMENTER and length < 4:
            raise OFPMalformedMessage(f"experimenter OXM of length {length} has no experimenter id")
        return _raw_name(header), bytes(buf[start:stop]), None, stop
    name, size, decode = known
    if header & 0x100:
        if length != 2 * size:
            raise OFPMalformedMessage(f"masked OXM {name} of length {length}, expected {2 * size}")
        mid = start + size
        return name, decode(bytes(buf[start:mid])), decode(bytes(buf[mid:stop])), stop
    if length != size:
        raise OFPMalformedMessage(f"OXM {name} of length {length}, expected {size}")
    return name, decode(bytes(buf[start:stop])), None, stop


def oxm_serialize(out: bytearray, name: str, value: Any, mask: Any = None) -> int:
    """Append the OXM TLV for ``name`` to ``out``; return the bytes written."""
    known = _BY_NAME.get(name)
    if known is None:
        if not name.startswith("oxm_"):
            raise OFPEncodeError(f"unknown OXM field {name!r}")
        try:
            head = int(name[4:], 16)
        except ValueError:
            raise OFPEncodeError(f"unknown OXM field {name!r}") from None
        payload = bytes(value)
        if len(payload) > 0xFF:
            raise OFPEncodeError(f"OXM {name} payload of {len(payload)} bytes, over 255")
        out += _I.pack((head << 8) | len(payload))
        out += payload
        return 4 + len(payload)
    _, plain, masked, enc = known
    if mask is None:
        out += _I.pack(plain)
        out += enc(value)
        return 4 + (plain & 0xFF)
    out += _I.pack(masked)
    out += enc(value)
    out += enc(mask)
    return 4 + (masked & 0xFF)


def oxm_length(name: str, value: Any, mask: Any = None) -> int:
    """Bytes :func:`oxm_serialize` writes for this field, header included."""
    known = _BY_NAME.get(name)
    if known is None:
        return 4 + len(value)
    return 4 + ((known[1] if mask is None else known[2]) & 0xFF)


def _split(value: Any) -> tuple[Any, Any]:
    if isinstance(value, tuple):
        return value[0], value[1]
    return value, None


def _sort_key(item: tuple[str, Any]) -> int:
    known = _BY_NAME.get(item[0])
    if known is not None:
        return known[0]
    # Non-basic OXMs have no prerequisites among the basic fields: put them last.
    return 0x10000


def _masked(name: str, value: tuple[Any, Any]) -> tuple[Any, Any]:
    """``(value & mask, mask)``: the spec (7.2.3.5) wants no value bits outside the mask."""
    known = _BY_NAME.get(name)
    if known is None:
        return value
    encode = known[3]
    raw, mask = encode(value[0]), encode(value[1])
    plain = bytes(a & b for a, b in zip(raw, mask, strict=True))
    return _BY_HEADER[known[1] >> 8][2](plain), value[1]


def _check_oxms(buf: bytes | bytearray, pos: int, end: int) -> None:
    """Check every OXM TLV between ``pos`` and ``end`` without decoding values."""
    basic_length = _BASIC_LENGTH
    while pos < end:
        if pos + 4 > end:
            raise OFPMalformedMessage(f"OXM header at {pos} runs past the match")
        length = buf[pos + 3]
        if buf[pos] == 0x80 and buf[pos + 1] == 0x00:
            expected = basic_length[buf[pos + 2]]
            if expected != -1 and length != expected:
                # oxm_parse names the field in the error
                oxm_parse(buf, pos, end)
        elif buf[pos] == 0xFF and buf[pos + 1] == 0xFF and length < 4:
            raise OFPMalformedMessage(f"experimenter OXM of length {length} has no experimenter id")
        pos += 4 + length
        if pos > end:
            raise OFPMalformedMessage(f"OXM of length {length} runs past the match")


def _decode_oxms(buf: bytes, pos: int, end: int) -> list[tuple[str, Any]]:
    fields = []
    unpack = _I.unpack_from
    by_header = _BY_HEADER
    while pos < end:
        (header,) = unpack(buf, pos)
        known = by_header.get(header >> 8)
        if known is not None and not header & 0x100:
            name, size, decode = known
            stop = pos + 4 + size
            fields.append((name, decode(buf[pos + 4 : stop])))
            pos = stop
            continue
        name, value, mask, pos = oxm_parse(buf, pos, end)
        fields.append((name, value if mask is None else (value, mask)))
    return fields


def _encode_oxms(fields: list[tuple[str, Any]]) -> bytes:
    parts = []
    headers = _PACKED_HEADERS
    for name, value in fields:
        known = headers.get(name)
        if known is None or type(value) is tuple:
            out = bytearray()
            mask = None
            if type(value) is tuple:
                value, mask = value
            oxm_serialize(out, name, value, mask)
            parts.append(bytes(out))
        else:
            parts.append(known[0])
            parts.append(known[2](value))
    return b"".join(parts)


# name -> (header without mask, header with mask, decoder or None for integers)
_SCAN = {
    name: (plain, masked, None if kind == _INT else _DECODERS[kind])
    for (name, _, kind), (_, plain, masked, _) in zip(
        _BASIC_FIELDS, (_BY_NAME[n] for n, _, _ in _BASIC_FIELDS), strict=True
    )
}
_HEADER_AND_U32 = struct.Struct("!II")
_IN_PORT_HEADER = ofproto.oxm_tlv_header(ofproto.OFPXMT_OFB_IN_PORT, 4)
_MISSING = object()
_UNDECIDED = object()


def _scan_wire(wire: bytes, key: str) -> Any:
    """Find basic field ``key`` in an encoded match without decoding the others.

    Returns the value, ``_MISSING`` when the field is absent, or ``_UNDECIDED``
    when only a full decode can tell (the field is masked, or ``key`` is not a
    basic field name).
    """
    known = _SCAN.get(key)
    if known is None:
        return _UNDECIDED
    plain, masked, decode = known
    unpack = _I.unpack_from
    pos, end = 4, len(wire)
    while pos < end:
        (header,) = unpack(wire, pos)
        if header == plain:
            start = pos + 4
            if decode is None:
                return _int_from_bytes(wire[start : start + (header & 0xFF)], "big")
            return decode(wire[start : start + (header & 0xFF)])
        if header == masked:
            return _UNDECIDED
        pos += 4 + (header & 0xFF)
    return _MISSING


class OFPMatch(StructBase):
    """``ofp_match`` of type OFPMT_OXM.

    ``OFPMatch(**fields)`` as in Ryu; ``match['ipv4_dst']`` gives the value
    (or ``(value, mask)``), ``'x' in match``, ``match.get(name, default)``,
    ``match.items()``.  ``type`` and ``length`` hold the header fields of a
    decoded match (``length`` excludes the padding); ``serialize`` sets them.

    A decoded match is checked (every TLV length) when decoded but its values
    are converted only when first read; until then it re-encodes from the
    bytes it was decoded from.
    """

    __slots__ = ("type", "length", "_fields", "_wire", "_in_port")

    def __init__(
        self,
        type_: int | None = None,
        length: int | None = None,
        _ordered_fields: list[tuple[str, Any]] | None = None,
        **kwargs: Any,
    ) -> None:
        self.type = ofproto.OFPMT_OXM if type_ is None else type_
        self.length = length
        self._wire = None
        self._in_port = None
        if _ordered_fields is not None:
            self._fields = _ordered_fields
        else:
            for name in kwargs:
                if name not in _BY_NAME and not name.startswith("oxm_"):
                    raise KeyError(f"unknown match field {name!r}")
            fields = [(k, _masked(k, v) if type(v) is tuple else v) for k, v in kwargs.items()]
            self._fields = sorted(fields, key=_sort_key) if len(fields) > 1 else fields

    @property
    def _fields2(self) -> list[tuple[str, Any]]:
        """The ``(name, value)`` list (Ryu's attribute name)."""
        fields = self._fields
        if fields is None:
            wire = self._wire
            fields = self._fields = _decode_oxms(wire, 4, len(wire))
            # The caller may change the list, so the wire form no longer speaks for it.
            self._wire = self._in_port = None
        return fields

    # -- mapping view -----------------------------------------------------------
    def _lookup(self, key: str) -> Any:
        """The value of ``key``, or ``_MISSING``."""
        if self._fields is None:
            # Still in wire form: look the one field up in place rather than
            # decoding them all (an app usually reads in_port and nothing else).
            found = _scan_wire(self._wire, key)
            if found is not _UNDECIDED:
                return found
        for name, value in self._fields2:
            if name == key:
                return value
        return _MISSING

    def __getitem__(self, key: str) -> Any:
        if key == "in_port" and self._in_port is not None:
            return self._in_port
        if self._fields is None:
            value = _scan_wire(self._wire, key)
            if value is _UNDECIDED:
                value = self._lookup(key)
        else:
            value = self._lookup(key)
        if value is _MISSING:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return self._lookup(key) is not _MISSING

    def get(self, key: str, default: Any = None) -> Any:
        value = self._lookup(key)
        return default if value is _MISSING else value

    def items(self) -> list[tuple[str, Any]]:
        return list(self._fields2)

    iteritems = items

    def __len__(self) -> int:
        return len(self._fields2)

    def __iter__(self):
        return (name for name, _ in self._fields2)

    # -- text, equality, JSON -----------------------------------------------------
    def stringify_attrs(self) -> list[tuple[str, Any]]:
        return [("oxm_fields", dict(self._fields2))]

    def __eq__(self, other: object) -> bool:
        if type(other) is not OFPMatch:
            return NotImplemented
        return self.type == other.type and self._fields2 == other._fields2

    __hash__ = None  # type: ignore[assignment]

    def to_jsondict(self) -> dict[str, Any]:
        fields = []
        for name, value in self._fields2:
            value, mask = _split(value)
            if isinstance(value, bytes):
                value = self._encode_value(name, value)
            fields.append({"OXMTlv": {"field": name, "mask": mask, "value": value}})
        return {"OFPMatch": {"length": self.length, "oxm_fields": fields, "type": self.type}}

    @classmethod
    def from_jsondict(cls, dict_: dict[str, Any], **additional_args: Any) -> OFPMatch:
        fields = []
        for tlv in dict_.get("oxm_fields", []):
            body = tlv["OXMTlv"]
            name, value, mask = body["field"], body["value"], body.get("mask")
            if name not in _BY_NAME:
                value = cls._decode_value("raw", value)
            fields.append((name, value if mask is None else (value, mask)))
        return cls(dict_.get("type"), dict_.get("length"), _ordered_fields=fields)

    # -- wire ---------------------------------------------------------------------
    @classmethod
    def parser(cls, buf: bytes | bytearray, offset: int) -> OFPMatch:
        """Decode the match at ``offset``; the caller skips ``(length + 7) // 8 * 8`` bytes."""
        type_, length = _MATCH_HEADER.unpack_from(buf, offset)
        if type_ != ofproto.OFPMT_OXM:
            raise OFPMalformedMessage(f"match type {type_} (only OFPMT_OXM is defined in 1.3)")
        if length < 4:
            raise OFPMalformedMessage(f"match length {length} is below its 4-byte header")
        end = offset + length
        if end > len(buf):
            raise OFPTruncatedMessage(f"match of length {length} runs past its container")
        match = cls.__new__(cls)
        match.type = type_
        match.length = length
        match._fields = None
        match._wire = buf[offset:end] if type(buf) is bytes else bytes(buf[offset:end])
        # Switches put in_port first in a packet-in's match and nearly every app
        # reads it: keep it at hand so that reading it decodes nothing.
        match._in_port = None
        if length >= 12:
            header, value = _HEADER_AND_U32.unpack_from(buf, offset + 4)
            if header == _IN_PORT_HEADER:
                match._in_port = value
                if length == 12:
                    # the usual packet-in match: that one well-formed TLV is all of it
                    return match
        _check_oxms(buf, offset + 4, end)
        return match

    def to_bytes(self) -> bytes:
        """The encoded match, padding included; sets ``length``."""
        wire = self._wire
        if wire is None:
            body = _encode_oxms(self._fields)
            length = 4 + len(body)
            self.length = length
            return _MATCH_HEADER.pack(self.type, length) + body + _PAD[-length % 8]
        self.length = len(wire)
        return wire + _PAD[-len(wire) % 8]

    def serialize(self, buf: bytearray, offset: int) -> int:
        """Write the match (padded to 8 bytes) at ``offset``; return the padded length."""
        data = self.to_bytes()
        buf[offset : offset + len(data)] = data
        return len(data)


_PAD = tuple(bytes(n) for n in range(8))
