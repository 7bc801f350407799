"""Parsing of path and query parameters; bad values become 400 answers that name the parameter."""

from __future__ import annotations

import ipaddress

from webob import Request

from ctrlapp.lib import addrconv
from ctrlapp.rest.errors import bad_request

DPID_PATTERN = r"(?:[0-9a-fA-F]{16}|0x[0-9a-fA-F]{1,16}|[0-9]{1,20})"


def parse_dpid(text: str) -> int:
    """A datapath id written as 16 hex digits (Ryu's form), ``0x``-hex, or decimal."""
    try:
        if len(text) == 16:
            value = int(text, 16)
        elif text.lower().startswith("0x"):
            value = int(text, 16)
        else:
            value = int(text, 10)
    except ValueError:
        raise bad_request(f"datapath id {text!r} is not 16 hex digits, 0x-hex or decimal") from None
    if not 0 <= value < 1 << 64:
        raise bad_request(f"datapath id {text!r} is out of range")
    return value


def dpid_text(dpid: int) -> str:
    return f"{dpid:016x}"


def query_int(req: Request, name: str, default: int, lo: int = 0, hi: int = 1 << 31) -> int:
    raw = req.GET.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad_request(f"query parameter {name}={raw!r} is not an integer") from None
    if not lo <= value <= hi:
        raise bad_request(f"query parameter {name}={value} is outside {lo}..{hi}")
    return value


def parse_ipv4(text: object, what: str = "address") -> str:
    """Canonical dotted-quad text of an IPv4 address, or a 400 naming ``what``."""
    if not isinstance(text, str):
        raise bad_request(f"{what} must be an IPv4 address string")
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        raise bad_request(f"{what} {text!r} is not an IPv4 address") from None


def parse_ip(text: object, what: str = "address") -> str:
    """Canonical text of an IPv4 or IPv6 address, or a 400 naming ``what``."""
    if not isinstance(text, str):
        raise bad_request(f"{what} must be an IP address string")
    try:
        return str(ipaddress.ip_address(text))
    except ValueError:
        raise bad_request(f"{what} {text!r} is not an IP address") from None


def parse_mac(text: object, what: str = "mac") -> str:
    """Lower-case colon form of a MAC address, or a 400 naming ``what``."""
    if not isinstance(text, str):
        raise bad_request(f"{what} must be a MAC address string")
    try:
        return addrconv.mac.text_to_bin(text).hex(":")
    except ValueError:
        raise bad_request(
            f"{what} {text!r} is not a MAC address (like 02:00:00:00:00:01)"
        ) from None
