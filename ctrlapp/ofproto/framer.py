"""Split an OpenFlow TCP byte stream into whole messages (sans-IO).

OpenFlow (1.0 section 5.1, 1.3.5 section 7.1) puts every message behind the
same 8-byte header ``version, type, length, xid``; ``length`` counts the header
and is at most 65535.  TCP keeps no message boundaries, so a read may carry
half a message or several.  :class:`OFPFramer` is fed whatever the socket
returned and hands back the messages completed so far as :class:`OFPFrame`
tuples, whose fields are the arguments of
:func:`ctrlapp.ofproto.ofproto_parser.msg` after ``datapath``::

    framer = OFPFramer()
    for frame in framer.parse(sock.recv(65536)):
        message = ofproto_parser.msg(datapath, *frame)

The framer does not decode bodies (that is the parser's job and its errors are
per message), and it does no I/O.  Its buffer never holds more than one
incomplete message, so a peer cannot make it grow past ``max_msg_len`` bytes
however it chunks its data.  A length field below 8 or above ``max_msg_len``
means the stream has lost sync; the framer raises
:class:`~ctrlapp.exception.OFPFramingError` and from then on refuses input,
because no later byte can be trusted to start a message.
"""

from __future__ import annotations

from typing import NamedTuple

from ctrlapp.exception import OFPFramingError
from ctrlapp.lib.packet.stream_parser import StreamParser
from ctrlapp.ofproto.ofproto_common import OFP_HEADER_SIZE, OFP_HEADER_STRUCT, OFP_MSG_SIZE_MAX

_unpack_header_from = OFP_HEADER_STRUCT.unpack_from


class OFPFrame(NamedTuple):
    """One whole message: its header fields and all of its bytes (header included)."""

    version: int
    msg_type: int
    msg_len: int
    xid: int
    buf: bytes


# Builds an OFPFrame from a tuple in C, skipping the generated Python __new__.
_tuple_new = tuple.__new__


class OFPFramer(StreamParser):
    """Turn a stream of reads into whole OpenFlow messages.

    ``parse(data)`` returns a list of :class:`OFPFrame` (possibly empty).
    ``max_msg_len`` lowers the accepted message size for peers known to send
    only small messages; it cannot exceed what the 16-bit length field allows.
    """

    def __init__(self, max_msg_len: int = OFP_MSG_SIZE_MAX) -> None:
        super().__init__()
        if not OFP_HEADER_SIZE <= max_msg_len <= OFP_MSG_SIZE_MAX:
            raise ValueError(f"max_msg_len must be in 8..65535, not {max_msg_len}")
        self.max_msg_len = max_msg_len
        self._error: OFPFramingError | None = None

    @property
    def buffered(self) -> int:
        """Bytes held for a message not yet complete."""
        return len(self._q)

    def parse(self, data: bytes | bytearray | memoryview) -> list[OFPFrame]:
        """Consume ``data`` and return every message it completes, in stream order."""
        if self._error is not None:
            raise self._error
        frames: list[OFPFrame] = []
        if self._q:
            data = self._complete_pending(data, frames)
            if self._q:
                return frames
        if type(data) is not bytes:
            data = bytes(data)
        end = len(data)
        offset = 0
        limit = self.max_msg_len
        append = frames.append
        # The per-read loop of every connection: one unpack per message, no method calls.
        while end - offset >= OFP_HEADER_SIZE:
            version, msg_type, msg_len, xid = _unpack_header_from(data, offset)
            if msg_len < OFP_HEADER_SIZE or msg_len > limit:
                error = self._fail(msg_type, msg_len, xid)
                # The messages before the bad header are sound; hand them over now and
                # report the error on the next call.
                if frames:
                    return frames
                raise error
            stop = offset + msg_len
            if stop > end:
                break
            whole = data if msg_len == end else data[offset:stop]
            append(_tuple_new(OFPFrame, (version, msg_type, msg_len, xid, whole)))
            offset = stop
        if offset < end:
            self._q += data[offset:]
        return frames

    def try_parse(self, q: bytearray) -> tuple[OFPFrame, bytearray]:
        """Extract the first whole message of ``q`` (the :class:`StreamParser` hook)."""
        if len(q) < OFP_HEADER_SIZE:
            raise self.TooSmallException()
        msg_len = self._checked_len(q, 0)
        if len(q) < msg_len:
            raise self.TooSmallException()
        return self._frame(bytes(q[:msg_len]), 0, msg_len), q[msg_len:]

    def _complete_pending(self, data, frames: list[OFPFrame]):
        """Finish the buffered message from ``data`` if possible; return what is left of ``data``."""
        # Only the missing bytes are copied into the buffer; the rest of a large read
        # is framed where it lies.
        data = self._top_up(data, OFP_HEADER_SIZE)
        if len(self._q) < OFP_HEADER_SIZE:
            return data
        need = self._checked_len(self._q, 0)
        data = self._top_up(data, need)
        if len(self._q) == need:
            frames.append(self._frame(bytes(self._q), 0, need))
            self._q.clear()
        return data

    def _top_up(self, data, size: int):
        """Move bytes from ``data`` into the buffer until it holds ``size``; return the rest."""
        take = size - len(self._q)
        if take <= 0:
            return data
        self._q += data[:take]
        return data[take:]

    def _checked_len(self, buf: bytes | bytearray, offset: int) -> int:
        _, msg_type, msg_len, xid = _unpack_header_from(buf, offset)
        if msg_len < OFP_HEADER_SIZE or msg_len > self.max_msg_len:
            raise self._fail(msg_type, msg_len, xid)
        return msg_len

    def _fail(self, msg_type: int, msg_len: int, xid: int) -> OFPFramingError:
        """Enter the failed state (the stream is out of sync) and return the error to raise."""
        self._error = OFPFramingError(
            f"message length {msg_len} outside {OFP_HEADER_SIZE}..{self.max_msg_len}; "
            "stream out of sync",
            xid=xid,
            msg_type=msg_type,
        )
        self._q.clear()
        return self._error

    @staticmethod
    def _frame(buf: bytes, offset: int, msg_len: int) -> OFPFrame:
        version, msg_type, _, xid = _unpack_header_from(buf, offset)
        if offset == 0 and len(buf) == msg_len:
            return OFPFrame(version, msg_type, msg_len, xid, buf)
        return OFPFrame(version, msg_type, msg_len, xid, buf[offset : offset + msg_len])
