"""An Idempotency-Key is kept with the effect its command made, in the same write, on every store: a second effect
under the key is refused whole, and expired keys are forgotten through their index."""

from __future__ import annotations

import threading
import time

import pytest

from shared.contracts import new_event
from shared.store import KeyedRequest, KeyUsed, Put, keyed
from shared.store.sqlite import SQLiteStore

DAY = 24 * 3600


def received(n: int):
    return new_event("referral.acknowledged", {
        "referral_id": f"r{n}", "council": "CARDIFF", "external_ref": None, "status": "received",
        "received_at": "2026-11-23T09:00:00+00:00", "acknowledged_at": "2026-11-23T09:00:01+00:00"},
        producer="test", subject=f"referral:r{n}")


def key(name: str = "k1", request_hash: str = "h1", expires_in: float = DAY, collection: str | None = None):
    return KeyedRequest(name, request_hash, time.time() + expires_in, collection)


def pending(store) -> int:
    return store.outbox_stats()["pending"]


def test_the_key_is_kept_with_the_first_document_the_command_writes(store):
    request = key()
    with keyed(request):
        store.commit(Put.new("referrals", "r1", {"n": 1}), events=[received(1)])
        store.commit(Put.new("referrals", "r2", {"n": 2}))
    assert request.recorded_with == ("referrals", "r1")
    kept = store.key_record("k1")
    assert (kept.request_hash, kept.collection, kept.id, kept.answer) == ("h1", "referrals", "r1", None)
    assert store.key_record("k2") is None


def test_a_second_effect_under_the_same_key_is_refused_whole(store):
    with keyed(key()):
        store.commit(Put.new("referrals", "r1", {"n": 1}), events=[received(1)])
    with pytest.raises(KeyUsed), keyed(key(request_hash="h2")):
        store.commit(Put.new("referrals", "r2", {"n": 2}), events=[received(2)])
    assert store.get("referrals", "r2") is None
    assert pending(store) == 1
    assert store.key_record("k1").id == "r1"


def test_a_change_of_a_document_keeps_its_key_once(store):
    store.commit(Put.new("referrals", "r1", {"attempts": 0}))
    first = store.get("referrals", "r1")
    with keyed(key()):
        store.commit(Put.update(first, {"attempts": 1}), events=[received(1)])
    again = store.get("referrals", "r1")
    with pytest.raises(KeyUsed), keyed(key()):
        store.commit(Put.update(again, {"attempts": 2}), events=[received(2)])
    store.commit(Put.new("referrals", "r2", {"attempts": 0}))
    with pytest.raises(KeyUsed), keyed(key()):  # nor with another document of the collection
        store.commit(Put.update(store.get("referrals", "r2"), {"attempts": 1}))
    assert store.get("referrals", "r1").body == {"attempts": 1}
    assert store.get("referrals", "r2").body == {"attempts": 0}
    assert pending(store) == 1


def test_a_command_that_writes_others_first_keeps_the_key_with_the_document_it_names(store):
    request = key(collection="meetings")
    with keyed(request):
        store.commit(Put.new("cases", "c1", {"claimed": "m1"}))
        store.commit(Put.new("meetings", "m1", {"status": "arranged"}))
    assert store.key_record("k1").collection == "meetings" and store.key_record("k1").id == "m1"


def test_the_answer_is_kept_beside_the_key(store):
    with keyed(key()):
        store.commit(Put.new("referrals", "r1", {"n": 1}))
    answer = {"status": 201, "body": {"id": "r1", "name": "Siân"}, "events": [["e1", "referral.received"]]}
    store.keep_answer("k1", answer)
    assert store.key_record("k1").answer == answer


def test_expired_keys_are_forgotten_and_the_rest_kept(store):
    for n, expires_in in enumerate([-60, -1, DAY]):
        with keyed(key(f"k{n}", expires_in=expires_in)):
            store.commit(Put.new("referrals", f"r{n}", {"n": n}))
    assert store.forget_keys(time.time()) == 2
    assert [store.key_record(f"k{n}") is None for n in range(3)] == [True, True, False]
    assert store.get("referrals", "r0").body == {"n": 0}  # the effect stays: only its key is forgotten
    assert store.forget_keys(time.time()) == 0


def test_two_requests_racing_under_one_key_make_one_effect(tmp_path):
    """Two processes' worth of connections to one file: whichever commits second is refused."""
    path = tmp_path / "race.sqlite3"
    stores = [SQLiteStore(path), SQLiteStore(path)]
    start, outcomes = threading.Barrier(2), []

    def make(n: int) -> None:
        start.wait()
        try:
            with keyed(key()):
                stores[n].commit(Put.new("referrals", f"r{n}", {"n": n}), events=[received(n)])
            outcomes.append("made")
        except KeyUsed:
            outcomes.append("refused")

    threads = [threading.Thread(target=make, args=(n,)) for n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["made", "refused"]
    assert len(stores[0].find("referrals", limit=10)) == 1 and pending(stores[0]) == 1
    for made in stores:
        made.close()


def test_forgetting_reads_only_the_expired_keys_through_their_index(tmp_path):
    store = SQLiteStore(tmp_path / "plan.sqlite3")
    plan = [row[3] for row in store._rows(
        "EXPLAIN QUERY PLAN SELECT key FROM idempotency WHERE expires_at < ? LIMIT 500", (0,))]
    assert any("USING COVERING INDEX idempotency_expiry" in line or "USING INDEX idempotency_expiry" in line
               for line in plan), plan
    store.close()
