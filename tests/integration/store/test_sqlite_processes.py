"""SQLite in WAL mode is safe for several processes of one service: no lost update, no entry relayed twice."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from shared.store import Put, StoreUnavailable, VersionConflict
from shared.store.mongo import MongoStore
from shared.store.sqlite import SQLiteStore
from tests.integration.store.test_store_contract import event


def _increment(path: str, times: int) -> None:
    store = SQLiteStore(path)
    for _ in range(times):
        while True:
            current = store.get("counters", "total")
            try:
                store.commit(Put.update(current, {"n": current.body["n"] + 1}))
                break
            except VersionConflict:
                continue


def _relay(path: str, owner: str, out) -> None:
    store = SQLiteStore(path)
    taken = []
    while True:
        batch = store.claim_outbox(owner, limit=7, lease_seconds=60)
        if not batch:
            break
        taken.extend(e.id for e in batch)
        store.mark_sent([e.id for e in batch])
    out.put(taken)


def _run(target, args_list):
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=target, args=args) for args in args_list]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0


def test_processes_incrementing_one_counter_lose_no_update(tmp_path):
    path = str(tmp_path / "shared.sqlite3")
    SQLiteStore(path).commit(Put.new("counters", "total", {"n": 0}))
    _run(_increment, [(path, 50)] * 4)
    assert SQLiteStore(path).get("counters", "total").body["n"] == 200


def test_relays_in_separate_processes_never_take_the_same_entry(tmp_path):
    path = str(tmp_path / "outbox.sqlite3")
    store = SQLiteStore(path)
    ids = []
    for n in range(300):
        item = event(n)
        store.commit(events=[item])
        ids.append(item.id)
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    processes = [context.Process(target=_relay, args=(path, f"relay-{i}", out)) for i in range(3)]
    for process in processes:
        process.start()
    taken = [out.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(60)
    everything = [i for batch in taken for i in batch]
    assert sorted(everything) == sorted(ids), "every entry relayed exactly once across the processes"
    assert store.outbox_stats()["pending"] == 0


def test_a_closed_or_unreachable_store_says_so(tmp_path):
    store = SQLiteStore(tmp_path / "gone.sqlite3")
    store.close()
    (tmp_path / "gone.sqlite3").unlink()
    (tmp_path / "gone.sqlite3").mkdir()  # the path is now a folder: SQLite cannot open it
    with pytest.raises((StoreUnavailable, sqlite3.Error)):
        store.ping()
    with pytest.raises(StoreUnavailable, match="MongoDB database llais_test"):
        MongoStore.connect("mongodb://127.0.0.1:9", database="llais_test", timeout_ms=200).ping()
