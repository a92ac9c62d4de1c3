"""The SQLite store holds a bounded number of connections however many threads use it, and `close()` lets go of
every file handle: a server's request threads come and go, and the process must not run out of open files."""

from __future__ import annotations

import os
import sqlite3
import struct
import threading
import time
from pathlib import Path

import pytest

from shared.store import Put, VersionConflict
from shared.store.sqlite import POOL_SIZE, SQLiteStore
from tests.integration.store.test_store_contract import event


def handles_on(path: Path) -> int:
    """How many of this process's open files are the database or its WAL and shared-memory files."""
    names = {str(path), f"{path}-wal", f"{path}-shm"}
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            count += os.readlink(f"/proc/self/fd/{fd}") in names
        except OSError:
            continue  # closed between listing and reading
    return count


def test_threads_that_come_and_go_share_a_bounded_pool_and_close_lets_every_handle_go(tmp_path):
    path = tmp_path / "pooled.sqlite3"
    store = SQLiteStore(path)
    store.commit(Put.new("counters", "total", {"n": 0}))
    start = threading.Barrier(12)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            start.wait()
            for step in range(10):
                store.commit(Put.new("things", f"t{n}-{step}", {"n": n}), events=[event(n * 100 + step)])
                assert store.get("things", f"t{n}-{step}").body == {"n": n}
                store.find("things", {"n": n})
        except BaseException as exc:  # collected and asserted below, in the test's own thread
            errors.append(exc)

    for wave in range(5):  # sixty threads in all, each ending when its work is done, twelve at a time
        threads = [threading.Thread(target=work, args=(wave * 12 + n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        assert not errors, errors
        # the pool's connections at most (fewer than the threads) and the checkpointer's passing one, each with the
        # database and its WAL open, and one shared-memory file
        assert handles_on(path) <= (POOL_SIZE + 1) * 2 + 1

    assert len(store.find("things", limit=1000)) == 600
    assert store.outbox_stats()["pending"] == 600
    store.close()
    assert handles_on(path) == 0


def test_a_store_closed_at_shutdown_still_answers_a_late_caller(tmp_path):
    store = SQLiteStore(tmp_path / "late.sqlite3")
    store.commit(Put.new("things", "a", {"n": 1}))
    store.close()
    assert handles_on(tmp_path / "late.sqlite3") == 0
    assert store.get("things", "a").body == {"n": 1}  # a worker thread that outlived the shutdown gets its answer
    store.close()
    assert handles_on(tmp_path / "late.sqlite3") == 0


def test_a_failed_write_gives_its_connection_back_clean(tmp_path):
    store = SQLiteStore(tmp_path / "clean.sqlite3", pool_size=1)
    store.commit(Put.new("things", "a", {"n": 1}))
    for _ in range(3):  # the one connection must come back out of its transaction each time
        with pytest.raises(VersionConflict):
            store.commit(Put.new("things", "a", {"n": 2}), events=[event(1)])
    store.commit(Put.new("things", "b", {"n": 3}))  # would wait forever, or fail, on a connection never given back
    assert store.get("things", "b").body == {"n": 3}
    assert store.outbox_stats()["pending"] == 0
    store.close()


def wal_backfilled(path: Path) -> tuple[int, int]:
    """From the WAL index (SQLite's shared-memory file): the frames in the WAL, and how many a checkpoint has moved
    into the database file."""
    index = Path(f"{path}-shm").read_bytes()
    return struct.unpack_from("=I", index, 16)[0], struct.unpack_from("=I", index, 96)[0]


def test_commits_leave_checkpoints_to_the_checkpointer_which_moves_the_wal_soon_after(tmp_path):
    """No commit copies the WAL into the file itself (after a backup's long read that would be a large copy inside
    one request); the checkpointer does it a moment later, so the WAL does not grow for ever."""
    path = tmp_path / "checkpointed.sqlite3"
    store = SQLiteStore(path)
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM documents").fetchone()  # a long read, as a backup's
    for n in range(300):
        store.commit(Put.new("things", f"t{n}", {"n": n, "text": "x" * 2000}))
    reader.execute("COMMIT")
    reader.close()
    store.commit(Put.new("things", "after", {"n": -1}))
    with store._connection() as conn:
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 0
    deadline = time.monotonic() + 10
    while (moved := wal_backfilled(path))[0] != moved[1] and time.monotonic() < deadline:
        time.sleep(0.05)
    frames, backfilled = wal_backfilled(path)
    assert frames > 300 and backfilled == frames
    store.close()
