"""Text/binary conversion of MAC, IPv4 and IPv6 addresses.

``addrconv.mac``, ``addrconv.ipv4`` and ``addrconv.ipv6`` each have
``text_to_bin(text) -> bytes`` and ``bin_to_text(bytes) -> str``, as in Ryu.
MAC text is lower-case colon-separated (``08:60:6e:7f:74:e7``); IPv6 text is the
RFC 5952 canonical form.  Invalid input raises ``ValueError``.
"""

from __future__ import annotations

import functools
import ipaddress
import socket


class _Mac:
    __slots__ = ()

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def text_to_bin(text: str) -> bytes:
        parts = text.replace("-", ":").split(":")
        if len(parts) != 6 or not all(1 <= len(p) <= 2 for p in parts):
            raise ValueError(f"not a MAC address: {text!r}")
        try:
            return bytes(int(p, 16) for p in parts)
        except ValueError:
            raise ValueError(f"not a MAC address: {text!r}") from None

    @staticmethod
    def bin_to_text(buf: bytes) -> str:
        if len(buf) != 6:
            raise ValueError(f"a MAC address is 6 bytes, got {len(buf)}")
        return buf.hex(":")


class _IPv4:
    __slots__ = ()

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def text_to_bin(text: str) -> bytes:
        try:
            return socket.inet_pton(socket.AF_INET, text)
        except (OSError, TypeError):
            raise ValueError(f"not an IPv4 address: {text!r}") from None

    @staticmethod
    def bin_to_text(buf: bytes) -> str:
        if len(buf) != 4:
            raise ValueError(f"an IPv4 address is 4 bytes, got {len(buf)}")
        return socket.inet_ntoa(buf)


class _IPv6:
    __slots__ = ()

    @staticmethod
    @functools.lru_cache(maxsize=4096)
    def text_to_bin(text: str) -> bytes:
        try:
            return socket.inet_pton(socket.AF_INET6, text)
        except (OSError, TypeError):
            raise ValueError(f"not an IPv6 address: {text!r}") from None

    @staticmethod
    def bin_to_text(buf: bytes) -> str:
        if len(buf) != 16:
            raise ValueError(f"an IPv6 address is 16 bytes, got {len(buf)}")
        return str(ipaddress.IPv6Address(bytes(buf)))


mac = _Mac()
ipv4 = _IPv4()
ipv6 = _IPv6()
