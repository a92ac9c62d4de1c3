"""The unit of work: a decision made again on what another writer wrote, creation once, and an event's inbox entry
committed with the write that ends its handling (and never twice)."""

from __future__ import annotations

import pytest

from shared.contracts import new_event
from shared.errors import Busy, NotFound
from shared.store.sqlite import SQLiteStore
from shared.unit_of_work import UnitOfWork, handle
from tests.unit.fakes import FakeUnitOfWork, run


def drill(n: int = 1):
    return new_event("referral.acknowledged", {
        "referral_id": f"r{n}", "council": "CARDIFF", "external_ref": None, "status": "received",
        "received_at": "2026-11-23T09:00:00+00:00", "acknowledged_at": "2026-11-23T09:00:01+00:00"},
        producer="referral", subject=f"referral:r{n}")


def count_up(body: dict):
    return {**body, "n": body["n"] + 1}, []


def test_a_change_is_decided_again_on_what_another_writer_wrote():
    uow = FakeUnitOfWork()
    uow.given("counters", "c", {"n": 1})
    uow.another_writer(lambda fake: fake.written_by_another("counters", "c", {"n": 10}))
    assert uow.change("counters", "c", count_up) == {"n": 11}, "decided again on the other writer's 10"
    assert uow.get("counters", "c").version == 3


def test_a_change_that_keeps_conflicting_says_busy_and_writes_nothing():
    uow = FakeUnitOfWork()
    uow.given("counters", "c", {"n": 1})

    def always_first(fake):
        fake.written_by_another("counters", "c", {"n": 0})
        fake.another_writer(always_first)

    uow.another_writer(always_first)
    with pytest.raises(Busy):
        uow.change("counters", "c", count_up)
    assert uow.writes == 0


def test_a_change_of_nothing_writes_nothing_and_a_missing_document_says_so():
    uow = FakeUnitOfWork()
    uow.given("counters", "c", {"n": 1})
    assert uow.change("counters", "c", lambda body: None) == {"n": 1} and uow.writes == 0
    with pytest.raises(NotFound):
        uow.change("counters", "absent", count_up)
    with pytest.raises(LookupError, match="not heard of"):
        uow.change("counters", "absent", count_up, missing=lambda: LookupError("not heard of yet"))
    assert uow.change("counters", "new", count_up, initial={"n": 0}) == {"n": 1}, "made from initial"


def test_creation_happens_once():
    uow = FakeUnitOfWork()
    assert uow.create("cases", "c1", {"v": 1}, [drill()]) is True
    assert uow.create("cases", "c1", {"v": 2}, [drill()]) is False
    assert uow.body("cases", "c1") == {"v": 1} and len(uow.events) == 1


def test_an_events_inbox_entry_goes_with_the_last_write_and_alone_when_nothing_was_written():
    event = drill()
    uow = FakeUnitOfWork(event)
    uow.create("a", "1", {}, last=False)
    assert uow.handled == []
    uow.create("b", "1", {})
    assert uow.handled == [event.id]
    uow.done()
    assert uow.handled == [event.id] and uow.writes == 2, "recorded once"

    nothing_to_do = drill(2)
    quiet = FakeUnitOfWork(nothing_to_do)
    run(lambda e, u: None, nothing_to_do, quiet)
    assert quiet.handled == [nothing_to_do.id] and quiet.writes == 1 and quiet.events == []


def test_a_job_writes_over_what_it_read_or_not_at_all():
    uow = FakeUnitOfWork()
    uow.given("due", "d", {"claimed": False})
    read = uow.get("due", "d")
    written = uow.update(read, {"claimed": True})
    assert written is not None and written.version == 2
    assert uow.update(read, {"claimed": "again"}) is None, "another worker wrote it first"
    assert uow.body("due", "d") == {"claimed": True}


def test_on_the_real_store_a_redelivered_event_changes_nothing(tmp_path):
    store = SQLiteStore(tmp_path / "s.sqlite3")
    event = drill()

    def effect(e, uow):
        uow.create("effects", "one", {"n": 1}, last=False)
        uow.change("counters", "c", count_up, initial={"n": 0})

    handle(effect, event, store)
    handle(effect, event, store)
    assert store.get("counters", "c").body == {"n": 1}, "the second delivery's write is refused whole"
    assert store.handled(event.id)
    assert store.consequences([event.id]) == {event.id: []}
    with pytest.raises(Busy):
        stubborn = UnitOfWork(store, retries=0)
        stubborn.change("counters", "c", count_up)
