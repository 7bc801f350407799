"""One benchmark case of bench/packet_codec.py: the same frame decoded and encoded by three libraries.

Each callable takes no argument and does one decode (or one encode) of the
case's frame; ``None`` means the library cannot do it, and the report says so.
Modules named ``bench/codec_cases_*.py`` each define ``CASES: list[CodecCase]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class CodecCase:
    name: str
    ctrlapp_decode: Callable[[], object]
    ctrlapp_encode: Callable[[], object]
    dpkt_decode: Callable[[], object] | None
    dpkt_encode: Callable[[], object] | None
    osken_decode: Callable[[], object] | None
    osken_encode: Callable[[], object] | None
