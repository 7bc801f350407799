"""JournalStore: durability after sync, torn journals, compaction crashes, locking."""

import multiprocessing
import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ctrlapp.store import JournalStore, StoreError, StoreLockedError


def test_changes_survive_reopen_only_after_sync(tmp_path):
    s = JournalStore(tmp_path)
    s.put("a", {"ip": "10.0.0.1", "n": 1})
    s.put(("lease", 7), [1, 2])
    s.delete("missing")
    assert s.dirty
    s.sync()
    assert not s.dirty
    s.put("b", 2)  # never synced: a crash here loses it, as documented
    s._pending.clear()
    s.close()
    s = JournalStore(tmp_path)
    assert s.get("a") == {"ip": "10.0.0.1", "n": 1}
    assert s.get(("lease", 7)) == (1, 2)
    assert "b" not in s and len(s) == 2
    s.delete("a")
    s.close()  # close syncs
    s = JournalStore(tmp_path)
    assert "a" not in s and len(s) == 1


def test_second_open_is_refused_while_the_first_holds_the_lock(tmp_path):
    s = JournalStore(tmp_path)
    with pytest.raises(StoreLockedError, match="in use by another process"):
        JournalStore(tmp_path)
    s.close()
    JournalStore(tmp_path).close()


def _records(tmp_path, n):
    s = JournalStore(tmp_path)
    offsets = []
    for i in range(n):
        s.put(f"k{i % 4}", i)
        s.sync()
        offsets.append(os.path.getsize(s.journal_path))
    s.close()
    return offsets


def test_every_cut_of_the_journal_reloads_the_last_whole_record(tmp_path):
    offsets = _records(tmp_path, 6)
    raw = (tmp_path / "state.journal").read_bytes()
    for cut in range(len(raw) + 1):
        d = tmp_path / f"cut{cut}"
        d.mkdir()
        (d / "state.journal").write_bytes(raw[:cut])
        s = JournalStore(d)
        whole = sum(1 for off in offsets if off <= cut)
        expect = {f"k{i % 4}": i for i in range(whole)}
        assert dict(s.items()) == expect, cut
        assert s.torn_bytes == cut - (offsets[whole - 1] if whole else 0)
        # The torn tail is cut off, so new records follow the last good one.
        s.put("after", 1)
        s.close()
        s = JournalStore(d)
        assert s.get("after") == 1 and s.torn_bytes == 0
        s.close()


def test_flipped_byte_stops_replay_at_the_damaged_record(tmp_path):
    offsets = _records(tmp_path, 4)
    path = tmp_path / "state.journal"
    raw = bytearray(path.read_bytes())
    raw[offsets[1] + 9] ^= 0x40  # inside the body of the third record
    path.write_bytes(bytes(raw))
    s = JournalStore(tmp_path)
    assert dict(s.items()) == {"k0": 0, "k1": 1}
    assert (tmp_path / "state.journal.torn").read_bytes() == bytes(raw[offsets[1] :])


def test_compaction_and_a_crash_between_snapshot_and_truncation(tmp_path, monkeypatch):
    s = JournalStore(tmp_path, compact_after=10)
    for i in range(30):
        s.put(i % 3, i)
        s.sync()
    assert s.journal_records < 10 and s.snap_path.exists()
    s.put("x", "y")
    s.delete(0)

    def crash(fd, size):
        raise KeyboardInterrupt("simulated crash before the journal is emptied")

    monkeypatch.setattr(os, "ftruncate", crash)
    with pytest.raises(KeyboardInterrupt):
        s.compact()
    monkeypatch.undo()
    assert os.path.getsize(tmp_path / "state.journal") > 0
    os.close(s._journal_fd)
    os.close(s._lock_fd)
    s = JournalStore(tmp_path)
    assert dict(s.items()) == {1: 28, 2: 29, "x": "y"}
    s.close()


def test_damaged_snapshot_is_an_error_not_silent_data_loss(tmp_path):
    s = JournalStore(tmp_path)
    s.put("a", 1)
    s.compact()
    s.close()
    raw = bytearray((tmp_path / "state.snap").read_bytes())
    raw[-1] ^= 1
    (tmp_path / "state.snap").write_bytes(bytes(raw))
    with pytest.raises(StoreError, match="damaged"):
        JournalStore(tmp_path)
    (tmp_path / "state.snap").write_bytes(b"garbage")
    with pytest.raises(StoreError, match="not a ctrlapp snapshot"):
        JournalStore(tmp_path)


def _writer(path, ready):
    s = JournalStore(path, compact_after=50)
    acked = os.open(path / "acked", os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    i = 0
    while True:
        s.put(i % 20, i)
        s.sync()
        os.write(acked, b"%d\n" % i)
        if i == 200:
            ready.set()
        i += 1


def test_sigkill_while_writing_and_compacting_loses_no_synced_record(tmp_path):
    ctx = multiprocessing.get_context("fork")
    for round_ in range(3):
        d = tmp_path / str(round_)
        d.mkdir()
        ready = ctx.Event()
        p = ctx.Process(target=_writer, args=(d, ready))
        p.start()
        assert ready.wait(20)
        os.kill(p.pid, signal.SIGKILL)
        p.join()
        # The last whole line is the last value acknowledged after its sync.
        acked = int((d / "acked").read_bytes().rsplit(b"\n", 2)[-2])
        s = JournalStore(d)
        # Every value acknowledged after its sync is there (or a later one).
        for k in range(20):
            last = max(i for i in range(acked + 1) if i % 20 == k)
            assert s.get(k) >= last
        s.close()


@pytest.fixture
def shm_dir(tmp_path):
    """A directory in memory when the machine has one (file creation on disk is slow)."""
    base = "/dev/shm" if os.access("/dev/shm", os.W_OK) else tmp_path
    d = tempfile.mkdtemp(dir=base, prefix="ctrlapp-store-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


# Each 3 bytes are one change: put-or-delete, key 0..5, value.  Drawing bytes
# keeps generation cheap next to the file work of each example.
history = st.binary(min_size=3, max_size=45).map(
    lambda raw: [(raw[i] & 1 == 0, raw[i + 1] % 6, raw[i + 2]) for i in range(0, len(raw) - 2, 3)]
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=history, cut=st.integers(0, 2000), compact_at=st.integers(0, 15))
def test_random_histories_reload_to_a_prefix(shm_dir, monkeypatch, ops, cut, compact_at):
    # What is on disk, not whether it reached the platter, is under test here;
    # fsync would make each example cost milliseconds.
    monkeypatch.setattr(os, "fsync", lambda fd: None)
    d = Path(tempfile.mkdtemp(dir=shm_dir))
    s = JournalStore(d, compact_after=1 << 30)
    model = {}
    snap_state = {}
    states = []
    for n, (is_put, k, v) in enumerate(ops):
        if n == compact_at:
            s.compact()
            snap_state, states = dict(model), []
        if is_put:
            s.put(k, v)
            model[k] = v
        else:
            s.delete(k)
            model.pop(k, None)
        s._write_pending()
        states.append((os.path.getsize(s.journal_path), dict(model)))
    s.close()
    raw = s.journal_path.read_bytes()
    cut = min(cut, len(raw))
    s.journal_path.write_bytes(raw[:cut])
    s = JournalStore(d)
    whole = [m for off, m in states if off <= cut]
    assert dict(s.items()) == (whole[-1] if whole else snap_state)
    s.close()


def test_failed_fsync_leaves_the_journal_intact_and_keeps_changes_pending(tmp_path):
    calls = []

    def flaky_fsync(fd):
        calls.append(fd)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        os.fsync(fd)

    s = JournalStore(tmp_path, fsync=flaky_fsync)
    s.put("a", 1)
    s.sync()
    size = os.path.getsize(s.journal_path)
    s.put("b", 2)
    with pytest.raises(OSError, match="No space"):
        s.sync()
    assert os.path.getsize(s.journal_path) == size and s.dirty
    s.put("c", 3)
    s.sync()  # the retry writes b and c after a, with no torn record between
    s.close()
    s = JournalStore(tmp_path)
    assert dict(s.items()) == {"a": 1, "b": 2, "c": 3} and s.torn_bytes == 0
    s.close()
