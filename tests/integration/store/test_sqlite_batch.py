"""A batch on the SQLite store: a run of commits on one thread written together, each still refused whole, none
seen by anyone else until the batch commits, and all of it gone if it does not."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import pytest

from shared.contracts import new_event
from shared.store import AlreadyHandled, Put, VersionConflict
from shared.store.sqlite import SQLiteStore
from shared.unit_of_work import handle

ROOT = Path(__file__).resolve().parents[3]


def drill(n: int):
    return new_event("referral.acknowledged", {
        "referral_id": f"r{n}", "council": "CARDIFF", "external_ref": None, "status": "received",
        "received_at": "2026-11-23T09:00:00+00:00", "acknowledged_at": "2026-11-23T09:00:01+00:00"},
        producer="referral", subject=f"referral:r{n}")


def seen_elsewhere(store: SQLiteStore, collection: str, id: str) -> bool:
    """Whether another thread (another connection) sees the document."""
    found = []
    thread = threading.Thread(target=lambda: found.append(store.get(collection, id) is not None))
    thread.start()
    thread.join()
    return found[0]


def test_a_batch_is_seen_by_its_own_thread_at_once_and_by_others_only_once_committed(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    batch = store.begin()
    first, second = drill(1), drill(2)
    store.commit(Put.new("effects", "1", {"n": 1}), events=[first], handled="e1")
    store.commit(Put.new("effects", "2", {"n": 2}), events=[second], handled="e2")
    assert store.get("effects", "1") is not None and store.handled("e2"), "its own thread reads its writes"
    assert not seen_elsewhere(store, "effects", "1")
    woken = store.new_events.generation
    batch.commit()
    assert seen_elsewhere(store, "effects", "2") and store.new_events.generation > woken
    assert [e.id for e in store.claim_outbox("test")] == [first.id, second.id]


def test_a_commit_refused_inside_a_batch_leaves_the_others(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    store.commit(Put.new("effects", "1", {"n": 1}))
    batch = store.begin()
    store.commit(Put.new("effects", "2", {"n": 2}), handled="e2")
    with pytest.raises(VersionConflict):
        store.commit(Put.new("effects", "1", {"n": "again"}), events=[drill(3)], handled="e3")
    with pytest.raises(AlreadyHandled):
        store.commit(Put.new("effects", "4", {"n": 4}), handled="e2")
    batch.commit()
    assert store.get("effects", "1").body == {"n": 1} and store.get("effects", "2") is not None
    assert store.get("effects", "4") is None and not store.handled("e3")
    assert store.claim_outbox("test") == [], "the refused commit's event went with it"


def test_a_batch_rolled_back_or_left_by_a_crash_keeps_nothing(tmp_path):
    path = tmp_path / "s.sqlite3"
    store = SQLiteStore(path)
    batch = store.begin()
    store.commit(Put.new("effects", "1", {"n": 1}), events=[drill(1)], handled="e1")
    batch.rollback()
    assert store.get("effects", "1") is None and not store.handled("e1") and store.claim_outbox("t") == []
    crash = ("import os, sys; from shared.store import Put; from shared.store.sqlite import SQLiteStore; "
             "store = SQLiteStore(sys.argv[1]); store.begin(); "
             "store.commit(Put.new('effects', '2', {'n': 2}), handled='e2'); os._exit(1)")
    ended = subprocess.run([sys.executable, "-c", crash, str(path)], cwd=ROOT, timeout=60)
    assert ended.returncode == 1
    assert store.get("effects", "2") is None and not store.handled("e2"), "the crashed batch kept nothing"
    store.commit(Put.new("effects", "3", {"n": 3}))  # and left no lock behind
    store.begin()
    with pytest.raises(RuntimeError):
        store.begin()


def _two_steps_then(store: SQLiteStore, event, fail: bool) -> None:
    """A handling of `event` that writes twice (as a take-up's or notify's does) and may fail after the first."""
    def handler(message, uow):
        uow.create("consent", "r1", {"share": True}, last=False)
        if fail:
            raise RuntimeError("the handler failed between its writes")
        uow.create("deliveries", f"{message.id}:webhook", {"basis": "consent"})

    handle(handler, event, store)


@pytest.mark.parametrize("in_a_run", [False, True], ids=["alone", "in a run of messages"])
def test_a_handling_that_fails_between_its_writes_leaves_none_of_them(tmp_path, in_a_run):
    store, event = SQLiteStore(tmp_path / "s.sqlite3"), drill(1)
    run = store.begin() if in_a_run else None
    store.commit(Put.new("effects", "before", {"n": 0}), handled="e0")
    with pytest.raises(RuntimeError):
        _two_steps_then(store, event, fail=True)
    assert store.get("consent", "r1") is None and not store.handled(event.id), "the first write went with the rest"
    _two_steps_then(store, event, fail=False)  # the bus gives it again
    if run is not None:
        run.commit()
    assert store.get("consent", "r1") is not None and store.get("deliveries", f"{event.id}:webhook") is not None
    assert store.handled(event.id) and store.get("effects", "before") is not None, "the run's other work is kept"
    assert seen_elsewhere(store, "deliveries", f"{event.id}:webhook")


def test_a_handling_is_seen_by_others_only_when_all_its_writes_are_made(tmp_path):
    store, event, seen = SQLiteStore(tmp_path / "s.sqlite3"), drill(1), []

    def handler(message, uow):
        uow.create("consent", "r1", {"share": True}, last=False)
        seen.append(seen_elsewhere(store, "consent", "r1"))
        uow.create("deliveries", f"{message.id}:webhook", {"basis": "consent"})

    handle(handler, event, store)
    assert seen == [False] and seen_elsewhere(store, "consent", "r1")
