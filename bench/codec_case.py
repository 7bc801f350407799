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


def check_encoders(
    expected: dict[str, tuple[bytes, Callable[[], object], Callable[[], object]]],
    dpkt_unpadded: bool = False,
) -> None:
    """Fail unless os-ken's and dpkt's encoders build the frame the decoders are timed on.

    ``expected`` maps a case label to (frame, os-ken encoder, dpkt encoder). With
    ``dpkt_unpadded`` dpkt may stop short of the 60-byte Ethernet minimum (it does not pad).
    """
    for name, (frame, osken, dp) in expected.items():
        if bytes(osken()) != frame:
            raise RuntimeError(f"os-ken builds a different {name} frame")
        built = bytes(dp())
        same = (
            frame[: len(built)] == built and len(built) >= 42 if dpkt_unpadded else built == frame
        )
        if not same:
            raise RuntimeError(f"dpkt builds a different {name} frame")
