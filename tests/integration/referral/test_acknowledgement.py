"""The referral service acknowledges each referral exactly once, however often the event arrives."""

from __future__ import annotations

import json

import pytest

from shared.contracts import parse_event
from shared.councils import CouncilRegister
from shared.store.sqlite import SQLiteStore
from shared.unit_of_work import UnitOfWork, handle
from services.referral import handlers
from services.referral.commands import ReceiveReferral
from services.referral.store import ReferralStore
from tests.examples import example_referral

EXAMPLE = example_referral()


@pytest.fixture
def store(tmp_path):
    return SQLiteStore(tmp_path / "referral.sqlite3")


def test_receipt_writes_the_referral_and_its_event_together(store):
    referral = handlers.receive_referral(ReceiveReferral({**EXAMPLE, "council": "CARDIFF"}), UnitOfWork(store),
                                         councils=CouncilRegister.load())
    (entry,) = store.claim_outbox("test")
    event = parse_event(entry.envelope)
    assert event.type == "referral.received" and event.data["referral_id"] == referral["id"]
    assert event.data["nation"] == "wales" and event.data["region"] == "cardiff-vale"
    assert "Cerys" not in json.dumps(entry.envelope)


def test_a_redelivered_received_event_acknowledges_once(store):
    referrals = ReferralStore(store)
    referral = handlers.receive_referral(ReceiveReferral({**EXAMPLE, "council": "CARDIFF"}), UnitOfWork(store),
                                         councils=CouncilRegister.load())
    (entry,) = store.claim_outbox("test")
    store.mark_sent([entry.id])
    received = parse_event(entry.envelope)
    handle(handlers.acknowledge_referral, received, store)
    handle(handlers.acknowledge_referral, received, store)
    outbox = store.claim_outbox("test")
    assert [parse_event(e.envelope).type for e in outbox] == ["referral.acknowledged"]
    acknowledgement = parse_event(outbox[0].envelope)
    assert acknowledgement.causation_id == received.id
    assert acknowledgement.correlation_id == received.correlation_id
    document = referrals.get(referral["id"]).body
    assert [t["what"] for t in document["timeline"]] == ["received", "acknowledged"]
    assert store.handled(received.id)


def test_an_event_for_a_referral_this_service_does_not_hold_fails_loudly(store):
    from shared.contracts import new_event

    event = new_event("referral.received", {
        "referral_id": "missing", "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": "active_offer", "basis": "looked_after", "external_ref": None,
        "received_at": "2026-11-23T09:00:00+00:00", "statutory_meeting_at": None, "preferred_language": "cy",
        "consent": {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
                    "share_outcome_with_referrer": True},
    }, producer="referral", subject="referral:missing")
    with pytest.raises(LookupError):
        handle(handlers.acknowledge_referral, event, store)
    assert not store.handled(event.id)


def test_earlier_referrals_are_found_by_the_childs_name_and_birth_date_including_those_kept_before_child_keys(store):
    from shared.store import Put
    from services.referral import domain
    from services.referral.store import INDEXES, REFERRALS

    store.ensure_indexes(INDEXES, strict=True)
    councils = CouncilRegister.load()
    kept_long_ago = {k: v for k, v in domain.new_referral("old", {**EXAMPLE, "council": "CARDIFF"},
                                                          councils.get("CARDIFF"), "2025-01-01T09:00:00+00:00").items()
                     if k != "child_key"}
    store.commit(Put.new(REFERRALS, "old", kept_long_ago))
    first = handlers.receive_referral(ReceiveReferral({**EXAMPLE, "council": "CARDIFF", "external_ref": None}),
                                      UnitOfWork(store), councils=councils)
    shouted = {**EXAMPLE["child"], "given_name": f"  {EXAMPLE['child']['given_name'].upper()} "}
    again = handlers.receive_referral(ReceiveReferral({**EXAMPLE, "council": "CARDIFF", "external_ref": None,
                                                       "child": shouted}), UnitOfWork(store), councils=councils)
    twin = {**EXAMPLE["child"], "given_name": "Someone Else"}
    other = handlers.receive_referral(ReceiveReferral({**EXAMPLE, "council": "CARDIFF", "external_ref": None,
                                                       "child": twin}), UnitOfWork(store), councils=councils)
    assert first["earlier_referral_ids"] == ["old"]
    assert again["earlier_referral_ids"] == sorted(["old", first["id"]])
    assert other["earlier_referral_ids"] == [], "born the same day, another child"
