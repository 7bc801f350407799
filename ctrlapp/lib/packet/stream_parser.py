"""Extract whole messages from a byte stream that does not keep message boundaries (TCP).

Subclasses implement :meth:`StreamParser.try_parse`; :meth:`StreamParser.parse`
feeds it the bytes read so far and returns every message completed.
"""

from __future__ import annotations

import abc
from typing import Any


class StreamParser(metaclass=abc.ABCMeta):
    """Streaming parser base class."""

    class TooSmallException(Exception):
        """Not enough bytes yet for a whole message."""

    def __init__(self) -> None:
        self._q = bytearray()

    def parse(self, data: bytes) -> list[Any]:
        """Add ``data`` to the buffer and return the messages completed so far (maybe none)."""
        self._q += data
        msgs = []
        while self._q:
            try:
                msg, rest = self.try_parse(self._q)
            except self.TooSmallException:
                break
            msgs.append(msg)
            self._q = rest if isinstance(rest, bytearray) else bytearray(rest)
        return msgs

    @abc.abstractmethod
    def try_parse(self, q: bytearray) -> tuple[Any, bytes | bytearray]:
        """Extract one message from the front of ``q``; return ``(msg, rest)``.

        Raise :class:`TooSmallException` when ``q`` does not yet hold a whole message.
        """


TooSmallException = StreamParser.TooSmallException
