"""Erasure's two store operations, the same on each adapter: removing a document as it was read, and forgetting
the inbox entries of events handled long ago."""

from __future__ import annotations

import time

import pytest

from shared.contracts import new_event
from shared.store import AlreadyHandled, Put, VersionConflict


def handled_event(n: int):
    return new_event("referral.acknowledged", {"referral_id": f"r{n}", "council": "CARDIFF", "external_ref": None,
                                               "status": "received", "received_at": "2026-11-23T09:00:00+00:00",
                                               "acknowledged_at": "2026-11-23T09:00:01+00:00"},
                     producer="test", subject=f"r:{n}")


def test_a_document_is_removed_only_at_the_version_it_was_read(store):
    store.commit(Put.new("children", "a", {"name": "Osian"}))
    store.commit(Put.new("children", "b", {"name": "Nia"}))
    read = store.get("children", "a")
    store.commit(Put.update(read, {"name": "Osian Jones"}))
    with pytest.raises(VersionConflict):
        store.remove("children", "a", read.version)
    assert store.get("children", "a").body == {"name": "Osian Jones"}

    store.remove("children", "a", read.version + 1)
    assert store.get("children", "a") is None
    assert [d.id for d in store.find("children")] == ["b"]
    with pytest.raises(VersionConflict):  # gone already: a second erasure removes nothing
        store.remove("children", "a", read.version + 1)


def test_a_document_can_be_made_again_after_its_removal(store):
    store.commit(Put.new("children", "a", {"name": "Osian"}))
    store.remove("children", "a", 1)
    assert store.commit(Put.new("children", "a", {"name": None})) == 1


def test_old_inbox_entries_are_forgotten_and_recent_ones_kept(store):
    old, recent = handled_event(1), handled_event(2)
    store.commit(Put.new("children", "a", {"n": 1}), handled=old.id)
    store.commit(None, handled=handled_event(3).id)  # an entry kept without a document
    cut = time.time()
    time.sleep(0.01)
    store.commit(Put.new("children", "b", {"n": 2}), handled=recent.id)

    assert store.forget_handled(cut) == 2
    assert not store.handled(old.id) and store.handled(recent.id)
    assert store.get("children", "a").body == {"n": 1}  # the document stays: only the entry goes
    assert store.forget_handled(cut) == 0
    with pytest.raises(AlreadyHandled):
        store.commit(Put.new("children", "c", {"n": 3}), handled=recent.id)


def test_on_mongodb_a_document_still_carrying_unsent_events_is_not_removed(mongo_store):
    event = handled_event(4)
    mongo_store.commit(Put.new("children", "a", {"n": 1}), events=[event])
    with pytest.raises(VersionConflict):
        mongo_store.remove("children", "a", 1)
    mongo_store.mark_sent([entry.id for entry in mongo_store.claim_outbox("relay")])
    mongo_store.remove("children", "a", 1)
    assert mongo_store.get("children", "a") is None
