"""A durable key-value map for apps: msgpack snapshot + append-only journal.

Layout in the store's directory::

    <name>.snap      the whole map at some moment (msgpack), replaced atomically
    <name>.journal   every change since, one framed record per put/delete
    <name>.lock      held (flock) while a process has the store open

A record is ``length (4 bytes) | crc32 (4 bytes) | msgpack [op, key, value]``.
Changes are buffered in memory by :meth:`JournalStore.put` and
:meth:`JournalStore.delete`; :meth:`JournalStore.sync` writes them and
fsyncs, and only then are they durable.  Callers that must not acknowledge
anything before it is on disk (the DHCP ACK) call ``sync()`` first; batching
several changes per ``sync()`` (group commit) is what makes that affordable.

Crash safety, at any instant:

* A record is only trusted when its length and checksum are whole, so a record
  torn by a crash in the middle of ``write()`` is cut off at reload (and the
  cut bytes are kept in ``<name>.journal.torn`` for inspection).  Records
  before it were fsynced by an earlier ``sync()`` and are intact.
* :meth:`JournalStore.compact` writes the snapshot to a temporary file,
  fsyncs it, renames it over the old one, fsyncs the directory, and only then
  empties the journal.  A crash between the rename and the truncation leaves
  a journal whose records are already in the snapshot; replaying them again is
  harmless because every record sets or removes a whole value.
"""

from __future__ import annotations

import fcntl
import gc
import logging
import os
import struct
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import msgpack

LOG = logging.getLogger(__name__)

_FRAME = struct.Struct("!II")
_PUT = 1
_DELETE = 2
_SNAP_MAGIC = b"CTRLSNAP1\n"
# A record longer than this is not something this store ever wrote: it is a
# damaged length field, and trusting it would swallow the rest of the journal.
MAX_RECORD = 16 * 1024 * 1024


class StoreError(Exception):
    """The store's files cannot be used (damaged snapshot, unreadable directory)."""


class StoreLockedError(StoreError):
    """Another process has this store open."""


def _pack(obj: Any) -> bytes:
    return msgpack.packb(obj, use_bin_type=True)


def _unpack(raw: bytes) -> Any:
    return msgpack.unpackb(raw, raw=False, strict_map_key=False, use_list=False)


def _freeze(key: Any) -> Any:
    # msgpack hands keys back as tuples when use_list=False; nested lists would
    # not be hashable, so keys are normalised the same way on both paths.
    if isinstance(key, list):
        return tuple(_freeze(k) for k in key)
    return key


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class JournalStore:
    """A dict-like map whose changes survive a crash once :meth:`sync` returns.

    ``fsync`` is called with the journal's file descriptor to make written
    records durable; an app on the event loop passes one that runs
    ``os.fsync`` in an OS thread, so other green threads run meanwhile (they
    may keep calling :meth:`put`, but :meth:`sync` and :meth:`compact` must
    not run twice at once: such callers hold a lock around them).  A failed
    write or fsync raises OSError, leaves the journal as it was and keeps the
    changes pending for the next :meth:`sync`.
    ``compact_after``: once the journal holds that many records and more than
    twice as many as the map has keys, :meth:`sync` compacts it.
    """

    def __init__(
        self,
        directory: str | Path,
        name: str = "state",
        compact_after: int = 50_000,
        fsync: Callable[[int], Any] = os.fsync,
    ):
        self.directory = Path(directory)
        self._fsync = fsync
        self.name = name
        self.compact_after = compact_after
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create state directory {self.directory}: {exc}") from None
        self.snap_path = self.directory / f"{name}.snap"
        self.journal_path = self.directory / f"{name}.journal"
        self._lock_fd = os.open(self.directory / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(self._lock_fd)
            raise StoreLockedError(
                f"state in {self.directory} is in use by another process "
                f"(lock {self.directory / (name + '.lock')})"
            ) from None
        self._data: dict[Any, Any] = {}
        self._pending = bytearray()
        self.journal_records = 0
        self.torn_bytes = 0
        collecting = gc.isenabled()
        gc.disable()  # the reload makes many objects and no garbage: skip the rescans
        try:
            self._load()
        except BaseException:
            os.close(self._lock_fd)
            raise
        finally:
            if collecting:
                gc.enable()
        self._journal_fd = os.open(self.journal_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._size = os.fstat(self._journal_fd).st_size

    # -- reading ------------------------------------------------------------------------------

    def get(self, key: Any, default: Any = None) -> Any:
        return self._data.get(key, default)

    def __contains__(self, key: Any) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def items(self) -> Iterator[tuple[Any, Any]]:
        return iter(list(self._data.items()))

    # -- changing -----------------------------------------------------------------------------

    def put(self, key: Any, value: Any) -> None:
        """Set ``key`` to ``value`` (msgpack-able); durable after the next :meth:`sync`."""
        key = _freeze(key)
        self._data[key] = value
        self._append(_pack((_PUT, key, value)))

    def delete(self, key: Any) -> None:
        """Remove ``key`` (no-op if absent); durable after the next :meth:`sync`."""
        key = _freeze(key)
        if self._data.pop(key, _MISSING) is not _MISSING:
            self._append(_pack((_DELETE, key, None)))

    def _append(self, body: bytes) -> None:
        self._pending += _FRAME.pack(len(body), zlib.crc32(body))
        self._pending += body
        self.journal_records += 1

    @property
    def dirty(self) -> bool:
        """True while changes wait for :meth:`sync`."""
        return bool(self._pending)

    def sync(self) -> None:
        """Write the buffered changes and fsync them (compacting when the journal is long)."""
        self._write_pending()
        if self.journal_records >= self.compact_after and self.journal_records > 2 * len(
            self._data
        ):
            self.compact()

    def _write_pending(self) -> None:
        if not self._pending:
            return
        data = bytes(self._pending)
        start = self._size
        try:
            view = memoryview(data)
            while view:
                n = os.write(self._journal_fd, view)
                view = view[n:]
            self._fsync(self._journal_fd)
        except OSError:
            # Put the journal back as it was and keep the changes pending: a
            # half-written record followed by later ones would hide those at reload.
            try:
                os.ftruncate(self._journal_fd, start)
            except OSError:
                pass
            raise
        # Changes made while the fsync ran (in another thread) stay pending.
        del self._pending[: len(data)]
        self._size = start + len(data)

    def compact(self) -> None:
        """Write the whole map as the new snapshot and empty the journal."""
        self._write_pending()
        tmp = self.snap_path.with_suffix(".snap.tmp")
        body = _pack(list(self._data.items()))
        with open(tmp, "wb") as f:
            f.write(_SNAP_MAGIC + _FRAME.pack(len(body), zlib.crc32(body)) + body)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.snap_path)
        _fsync_dir(self.directory)
        os.ftruncate(self._journal_fd, 0)
        os.fsync(self._journal_fd)
        self._size = 0
        self.journal_records = 0

    def close(self) -> None:
        """Sync and release the files (the object is unusable afterwards)."""
        if self._journal_fd < 0:
            return
        self._write_pending()
        os.close(self._journal_fd)
        self._journal_fd = -1
        fcntl.flock(self._lock_fd, fcntl.LOCK_UN)
        os.close(self._lock_fd)

    # -- loading ------------------------------------------------------------------------------

    def _load(self) -> None:
        if self.snap_path.exists():
            raw = self.snap_path.read_bytes()
            head = len(_SNAP_MAGIC) + _FRAME.size
            if not raw.startswith(_SNAP_MAGIC) or len(raw) < head:
                raise StoreError(f"{self.snap_path} is not a ctrlapp snapshot")
            length, crc = _FRAME.unpack_from(raw, len(_SNAP_MAGIC))
            body = raw[head:]
            if len(body) != length or zlib.crc32(body) != crc:
                raise StoreError(f"{self.snap_path} is damaged (length or checksum mismatch)")
            self._data = {_freeze(k): v for k, v in _unpack(body)}
        if not self.journal_path.exists():
            return
        raw = self.journal_path.read_bytes()
        good = self._replay(raw)
        if good < len(raw):
            self.torn_bytes = len(raw) - good
            LOG.warning(
                "%s: %d bytes at the end are an incomplete record (a crash while writing); "
                "they are cut off and kept in %s",
                self.journal_path,
                self.torn_bytes,
                self.journal_path.name + ".torn",
            )
            (self.directory / (self.journal_path.name + ".torn")).write_bytes(raw[good:])
            os.truncate(self.journal_path, good)

    def _replay(self, raw: bytes) -> int:
        """Apply the whole records in ``raw``; return the offset after the last one."""
        pos = 0
        end = len(raw)
        data = self._data
        while pos + _FRAME.size <= end:
            length, crc = _FRAME.unpack_from(raw, pos)
            start = pos + _FRAME.size
            if length > MAX_RECORD or start + length > end:
                break
            body = raw[start : start + length]
            if zlib.crc32(body) != crc:
                break
            try:
                op, key, value = _unpack(body)
            except (ValueError, TypeError, msgpack.UnpackException):
                break
            key = _freeze(key)
            if op == _PUT:
                data[key] = value
            elif op == _DELETE:
                data.pop(key, None)
            else:
                break
            self.journal_records += 1
            pos = start + length
        return pos


_MISSING = object()
