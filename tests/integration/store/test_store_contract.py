"""What every store adapter promises (shared/store/__init__.py), tested the same way on each."""

from __future__ import annotations

import pytest

from shared.contracts import new_event
from shared.store import AlreadyHandled, AtMost, Index, Put, UndeclaredFind, VersionConflict, collecting_events

ACK = {"referral_id": "r1", "council": "CARDIFF", "external_ref": None, "status": "received",
       "received_at": "2026-11-23T09:00:00+00:00", "acknowledged_at": "2026-11-23T09:00:01+00:00"}


def event(n: int = 1):
    return new_event("referral.acknowledged", {**ACK, "referral_id": f"r{n}"}, producer="test", subject=f"r:{n}")


def test_a_document_round_trips_with_nested_bodies_and_unicode(store):
    body = {"name": "Siân Llŷr", "child": {"age": 12, "flags": [True, False]}, "none": None, "ratio": 0.5}
    assert store.commit(Put.new("things", "a", body)) == 1
    found = store.get("things", "a")
    assert (found.id, found.version, found.body) == ("a", 1, body)
    assert store.get("things", "missing") is None
    assert store.get("other", "a") is None


def test_versions_are_optimistic(store):
    store.commit(Put.new("things", "a", {"n": 1}))
    first = store.get("things", "a")
    assert store.commit(Put.update(first, {"n": 2})) == 2
    with pytest.raises(VersionConflict):
        store.commit(Put.update(first, {"n": 3}))
    with pytest.raises(VersionConflict):
        store.commit(Put.new("things", "a", {"n": 4}))
    assert store.get("things", "a").body == {"n": 2}


def test_find_by_fields_in_id_order_with_paging(store):
    for i, (council, status, urgent) in enumerate([("CARDIFF", "received", True), ("NEWPORT", "received", False),
                                                    ("CARDIFF", "closed", False), ("CARDIFF", "received", False)]):
        store.commit(Put.new("referrals", f"id{i}", {"council": council, "status": status,
                                                      "meta": {"urgent": urgent}, "gone": None}))
    ids = lambda docs: [d.id for d in docs]  # noqa: E731
    assert ids(store.find("referrals", {"council": "CARDIFF"})) == ["id0", "id2", "id3"]
    assert ids(store.find("referrals", {"council": "CARDIFF", "status": "received"})) == ["id0", "id3"]
    assert ids(store.find("referrals", {"meta.urgent": True})) == ["id0"]
    assert ids(store.find("referrals", {"meta.urgent": False, "gone": None})) == ["id1", "id2", "id3"]
    assert ids(store.find("referrals", {"status": ["closed", "nothing"]})) == ["id2"]
    assert ids(store.find("referrals", {"status": []})) == []
    assert ids(store.find("referrals", limit=2)) == ["id0", "id1"]
    assert ids(store.find("referrals", limit=2, after="id1")) == ["id2", "id3"]
    assert ids(store.find("referrals", after="id3")) == []
    with pytest.raises(ValueError):
        store.find("referrals", {"status') OR 1=1 --": "x"})


def test_declared_finds_answer_the_same_through_their_indexes_and_a_bound(store):
    store.ensure_indexes([Index("deliveries", ("status", "next_attempt_at")), Index("deliveries", ("council",)),
                          Index("deliveries", ("council", "status"))], strict=True)
    for n in range(8):
        store.commit(Put.new("deliveries", f"d{n}", {"council": "CARDIFF" if n % 2 else "NEWPORT",
                                                      "status": "pending" if n < 6 else "delivered",
                                                      "next_attempt_at": f"2026-11-23T09:0{n}:00.000+00:00"}))
    ids = lambda docs: [d.id for d in docs]  # noqa: E731
    due = {"status": "pending", "next_attempt_at": AtMost("2026-11-23T09:03:00.000+00:00")}
    assert ids(store.find("deliveries", due)) == ["d0", "d1", "d2", "d3"]
    assert ids(store.find("deliveries", due, after="d1", limit=1)) == ["d2"]
    assert ids(store.find("deliveries", {"next_attempt_at": None, "status": "pending"})) == []
    assert ids(store.find("deliveries", {"council": "CARDIFF"}, limit=2, after="d1")) == ["d3", "d5"]
    assert ids(store.find("deliveries", {"status": ["delivered"], "council": ["NEWPORT", "CARDIFF"]})) == ["d6", "d7"]
    assert ids(store.find("deliveries")) == [f"d{n}" for n in range(8)]
    with pytest.raises(UndeclaredFind):
        store.find("deliveries", {"status": "pending"})
    with pytest.raises(UndeclaredFind):  # a bound only on the index's last field
        store.find("deliveries", {"status": AtMost("z"), "next_attempt_at": "x"})


def test_a_commit_writes_document_outbox_and_inbox_together(store):
    store.commit(Put.new("things", "a", {"n": 1}), events=[event(1), event(2)], handled="cause-1")
    assert store.handled("cause-1")
    assert store.outbox_stats()["pending"] == 2
    claimed = store.claim_outbox("relay-1")
    assert [c.envelope["data"]["referral_id"] for c in claimed] == ["r1", "r2"]


def test_a_failed_commit_writes_nothing_at_all(store):
    store.commit(Put.new("things", "a", {"n": 1}))
    stale = store.get("things", "a")
    store.commit(Put.update(stale, {"n": 2}))
    with pytest.raises(VersionConflict):
        store.commit(Put.update(stale, {"n": 3}), events=[event()], handled="cause-2")
    assert not store.handled("cause-2")
    assert store.outbox_stats()["pending"] == 0
    with pytest.raises(VersionConflict):
        store.commit(Put.new("things", "a", {"n": 9}), events=[event()], handled="cause-3")
    assert not store.handled("cause-3") and store.outbox_stats()["pending"] == 0


def test_the_inbox_refuses_an_event_handled_before_and_changes_nothing(store):
    store.commit(Put.new("things", "a", {"n": 1}), handled="cause")
    current = store.get("things", "a")
    with pytest.raises(AlreadyHandled):
        store.commit(Put.update(current, {"n": 2}), events=[event()], handled="cause")
    with pytest.raises(AlreadyHandled):
        store.commit(Put.new("things", "b", {"n": 3}), handled="cause")
    with pytest.raises(AlreadyHandled):
        store.commit(handled="cause")
    assert store.get("things", "a").body == {"n": 1} and store.get("things", "b") is None
    assert store.outbox_stats()["pending"] == 0


def test_events_and_inbox_entries_without_a_document(store):
    assert store.commit(events=[event(1)]) == 0
    assert store.commit(handled="only-handled") == 0
    assert store.handled("only-handled")
    assert [c.envelope["data"]["referral_id"] for c in store.claim_outbox("relay")] == ["r1"]


def test_outbox_leases_keep_two_relays_apart_until_they_expire(store):
    for n in range(5):
        store.commit(Put.new("things", f"d{n}", {"n": n}), events=[event(n)])
    first = store.claim_outbox("relay-a", limit=100, lease_seconds=30)
    assert [e.envelope["data"]["referral_id"] for e in first] == [f"r{n}" for n in range(5)]
    assert store.claim_outbox("relay-b", lease_seconds=30) == []
    store.mark_sent([e.id for e in first[:2]])
    assert store.outbox_stats()["pending"] == 3
    assert store.claim_outbox("relay-b", lease_seconds=30) == []
    again = store.claim_outbox("relay-a", lease_seconds=0.0)  # the holder may claim its own again
    assert {e.id for e in again} == {e.id for e in first[2:]}
    import time

    time.sleep(0.05)
    taken_over = store.claim_outbox("relay-b", lease_seconds=30)
    assert {e.id for e in taken_over} == {e.id for e in first[2:]}
    store.mark_sent([e.id for e in taken_over])
    assert store.outbox_stats() == {"pending": 0, "oldest_age_seconds": 0.0}
    assert store.claim_outbox("relay-a") == []


def test_claims_respect_the_limit_and_order(store):
    for n in range(7):
        store.commit(events=[event(n)])
    batch = store.claim_outbox("relay", limit=3)
    assert len(batch) <= 3 and batch
    store.mark_sent([e.id for e in batch])
    rest = []
    while True:
        more = store.claim_outbox("relay", limit=3, lease_seconds=0.0)
        if not more:
            break
        store.mark_sent([e.id for e in more])
        rest.extend(more)
    assert sorted(e.envelope["data"]["referral_id"] for e in batch + rest) == [f"r{n}" for n in range(7)]


def test_ping_answers_on_a_live_store(store):
    store.ping()


def test_the_inbox_keeps_what_each_handling_caused(store):
    """What the gateway follows to know a command's consequences have all arrived (shared/settling)."""
    caused, later = event(2), event(3)
    store.commit(Put.new("things", "a", {"n": 1}), events=[caused], handled="e1")
    store.commit(handled="e2")
    assert store.consequences(["e1", "e2", "never"]) == {"e1": [(caused.id, caused.type)], "e2": []}
    with collecting_events() as committed:  # a handler that commits twice: its inbox entry names both commits' events
        store.commit(Put.new("things", "b", {"n": 1}), events=[caused.follow("referral.acknowledged", ACK,
                                                                                 producer="test")])
        store.commit(Put.update(store.get("things", "a"), {"n": 2}), events=[later], handled="e3")
    assert [ref for ref in store.consequences(["e3"])["e3"]] == committed.events
    assert committed.events[-1] == (later.id, later.type) and len(committed.events) == 2
    assert committed.handled == {"e3"}
    assert store.consequences([]) == {}


def test_every_commit_signals_this_process_and_only_one_with_events_wakes_the_relay(store):
    changes, new_events = store.changes.generation, store.new_events.generation
    store.commit(Put.new("things", "a", {"n": 1}), handled="e1")
    assert store.changes.generation > changes and store.new_events.generation == new_events
    store.commit(events=[event()])
    assert store.new_events.generation > new_events
