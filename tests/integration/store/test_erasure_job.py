"""The erasure job on a real store (SQLite and mongomock): due days stamped on every write, what is due erased on
its day and not the day before, legal holds respected, and a record of it that holds counts and hashed ids, never
the data."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from shared import erasure
from shared.erasure import LEGAL_HOLDS, Retained
from shared.retention import Policy, add_years
from shared.store import AtMost, Put
from shared.store.sqlite import SQLiteStore

CLOSED = date(2026, 5, 4)
DUE = add_years(CLOSED, 2)
NOTES = Retained("notes", "note", lambda body, policy: add_years(date.fromisoformat(body["closed"]), 2)
                 if body.get("closed") else None,
                 anonymised=lambda body: {k: v for k, v in body.items() if k != "name"},
                 about=lambda body: [body["referral_id"]])
DRAFTS = Retained("drafts", "draft", lambda body, policy: date.fromisoformat(body["made"]) + timedelta(days=90))


@pytest.fixture(params=["sqlite", "mongomock"])
def store(request, tmp_path):
    if request.param == "sqlite":
        made = SQLiteStore(tmp_path / "erasure.sqlite3")
    else:
        import mongomock

        from shared.store.mongo import MongoStore

        made = MongoStore(mongomock.MongoClient()[f"test_{uuid.uuid4().hex[:8]}"])
    made.ensure_indexes(erasure.indexes([NOTES, DRAFTS]), strict=True)
    yield erasure.stamping(made, [NOTES, DRAFTS], Policy())
    made.close()


def note(store, id: str, closed: date | None, referral: str = "r1") -> None:
    store.commit(Put.new("notes", id, {"name": f"Osian {id}", "referral_id": referral, "status": "closed",
                                       "closed": closed.isoformat() if closed else None}))


def test_every_write_carries_its_due_day_and_an_open_record_has_none(store):
    note(store, "a", CLOSED)
    note(store, "b", None)
    assert store.get("notes", "a").body["erase_on"] == DUE.isoformat()
    assert store.get("notes", "b").body["erase_on"] is None
    opened = store.get("notes", "b")
    store.commit(Put.update(opened, {**opened.body, "closed": CLOSED.isoformat()}))  # closed later: due from then
    assert store.get("notes", "b").body["erase_on"] == DUE.isoformat()


def test_a_record_is_erased_on_its_day_and_not_the_day_before(store):
    note(store, "a", CLOSED)
    assert erasure.erase_due(store, [NOTES], DUE - timedelta(days=1)) is None
    assert store.get("notes", "a").body["name"] == "Osian a"

    record = erasure.erase_due(store, [NOTES], DUE)
    kept = store.get("notes", "a").body
    assert "name" not in kept and (kept["status"], kept["referral_id"]) == ("closed", "r1")
    assert (kept["erase_on"], kept["erased_on"]) == (None, DUE.isoformat())
    assert record["kinds"] == {"note": {"count": 1, "ids": [erasure.digest("a")]}}
    assert "Osian" not in repr(record)
    assert erasure.erasure_log(store) == [record]
    assert erasure.erase_due(store, [NOTES], DUE + timedelta(days=400)) is None  # erased once: out of the index


def test_a_record_without_anything_to_keep_is_removed(store):
    store.commit(Put.new("drafts", "d1", {"made": "2026-01-01", "text": "Dear Osian"}))
    store.commit(Put.new("drafts", "d2", {"made": "2026-03-01", "text": "Dear Nia"}))
    record = erasure.erase_due(store, [DRAFTS], date(2026, 4, 1))
    assert store.get("drafts", "d1") is None and store.get("drafts", "d2") is not None
    assert record["kinds"]["draft"]["count"] == 1


def test_a_legal_hold_keeps_the_records_about_its_referral_until_it_is_lifted(store):
    note(store, "a", CLOSED, referral="r1")
    note(store, "b", CLOSED, referral="r2")
    store.commit(Put.new(LEGAL_HOLDS, "r1", {"held": True}))
    erasure.erase_due(store, [NOTES], DUE)
    assert store.get("notes", "a").body["name"] == "Osian a"
    assert "name" not in store.get("notes", "b").body

    hold = store.get(LEGAL_HOLDS, "r1")
    store.commit(Put.update(hold, {"held": False}))
    erasure.erase_due(store, [NOTES], DUE)
    assert "name" not in store.get("notes", "a").body


def test_a_record_another_worker_erased_first_is_counted_once(store):
    note(store, "a", CLOSED)
    [due] = store.find("notes", {"erase_on": AtMost(DUE.isoformat())})
    assert erasure.erase_due(store, [NOTES], DUE)["kinds"]["note"]["count"] == 1
    assert not erasure._erase(erasure.UnitOfWork(store), NOTES, due, DUE)  # the second worker's stale read


def test_inbox_entries_are_forgotten_after_the_redelivery_window(store):
    from tests.integration.store.test_removal import handled_event

    event = handled_event(1)
    store.commit(None, handled=event.id)
    assert erasure.erase_due(store, [NOTES], date.today()) is None
    assert store.handled(event.id)
    record = erasure.erase_due(store, [NOTES], date.today() + erasure.INBOX_KEPT + timedelta(days=1))
    assert record["inbox_forgotten"] == 1 and not store.handled(event.id)


def test_the_records_about_an_erased_record_go_with_it(tmp_path):
    from shared.erasure import AboutReferral

    letters = AboutReferral("letters", anonymised=lambda body: {**body, "text": ""})
    with_letters = Retained("notes", "note", NOTES.due, anonymised=NOTES.anonymised, along=(letters,))
    made = SQLiteStore(tmp_path / "along.sqlite3")
    made.ensure_indexes(erasure.indexes([with_letters]), strict=True)
    store = erasure.stamping(made, [with_letters], Policy())
    note(store, "a", CLOSED)
    store.commit(Put.new("letters", "l1", {"referral_id": "a", "text": "Dear Osian"}))
    store.commit(Put.new("letters", "l2", {"referral_id": "b", "text": "Dear Nia"}))
    record = erasure.erase_due(store, [with_letters], DUE)
    assert store.get("letters", "l1").body["text"] == "" and store.get("letters", "l2").body["text"] == "Dear Nia"
    assert record["kinds"]["letters"] == {"count": 1, "ids": [erasure.digest("l1")]}
    made.close()


def test_a_period_lengthened_since_a_record_was_stamped_puts_its_erasure_off(store):
    """A record stamped under a shorter period is not erased on that day once the provider has lengthened it: it is
    stamped again with the later day, and erased then."""
    kept = Retained("kept", "kept", lambda body, policy: add_years(date.fromisoformat(body["closed"]),
                                                                    policy.complaint_years),
                    anonymised=lambda body: {k: v for k, v in body.items() if k != "name"})
    inner = store.inner
    inner.ensure_indexes(erasure.indexes([kept]), strict=True)
    erasure.stamping(inner, [kept], Policy(complaint_years=6)).commit(
        Put.new("kept", "k1", {"name": "Osian", "closed": CLOSED.isoformat()}))
    assert store.get("kept", "k1").body["erase_on"] == add_years(CLOSED, 6).isoformat()
    longer = erasure.stamping(inner, [kept], Policy(complaint_years=8))
    assert erasure.erase_due(longer, [kept], add_years(CLOSED, 6)) is None
    assert store.get("kept", "k1").body["name"] == "Osian", "not erased on the day the shorter period said"
    assert store.get("kept", "k1").body["erase_on"] == add_years(CLOSED, 8).isoformat()
    erasure.erase_due(longer, [kept], add_years(CLOSED, 8))
    assert "name" not in store.get("kept", "k1").body
