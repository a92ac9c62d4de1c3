"""The referral service's handlers in memory: what each commits (state and events together), once, and what it
refuses without writing."""

from __future__ import annotations

import pytest

from shared.contracts import new_event
from shared.councils import CouncilRegister
from services.referral import domain, handlers
from services.referral.commands import Allocate, Close, ReceiveReferral, RecordContactAttempt
from services.referral.store import REFERRALS
from tests.examples import example_referral
from tests.unit.fakes import FakeUnitOfWork, run

COUNCILS = CouncilRegister.load()
ADVOCATE = "advocate@provider.example"


def received(uow: FakeUnitOfWork, **changes) -> dict:
    return handlers.receive_referral(ReceiveReferral({**example_referral(), "council": "CARDIFF", **changes}), uow,
                                     councils=COUNCILS)


def test_a_referral_is_stored_with_its_received_event_and_linked_to_the_childs_earlier_ones():
    uow = FakeUnitOfWork()
    first = received(uow)
    second = received(uow)
    assert uow.types() == ["referral.received", "referral.received"]
    assert uow.events[1].data["referral_id"] == second["id"]
    assert uow.body(REFERRALS, second["id"])["earlier_referral_ids"] == [first["id"]]
    assert "Cerys" not in str(uow.events[0].data), "events carry codes, never the child's name"


def test_an_unknown_council_or_a_broken_rule_writes_nothing():
    uow = FakeUnitOfWork()
    with pytest.raises(handlers.UnknownCouncil):
        received(uow, council="NOWHERE")
    with pytest.raises(domain.ReferralRejected):
        received(uow, basis="nothing_we_know")
    assert uow.writes == 0


def test_allocation_then_contact_by_the_allocated_advocate_only():
    uow = FakeUnitOfWork()
    referral = received(uow)
    handlers.allocate(Allocate(referral["id"], ADVOCATE, "manager@provider.example"), uow)
    assert uow.events[-1].type == "referral.allocated" and uow.events[-1].data["advocate_email"] == ADVOCATE
    with pytest.raises(domain.NotAllocated):
        handlers.record_contact_attempt(RecordContactAttempt(referral["id"], "phone", "reached", "", "other@x.example",
                                                             "advocate"), uow)
    writes = uow.writes
    handlers.record_contact_attempt(RecordContactAttempt(referral["id"], "phone", "reached", "", ADVOCATE,
                                                         "advocate"), uow)
    assert uow.writes == writes + 1 and uow.types()[-1] == "contact.attempted"
    with pytest.raises(handlers.NotFound):
        handlers.close(Close("no-such-referral", "withdrawn", ADVOCATE, "advocate"), uow)


def test_a_received_event_acknowledges_once_however_often_it_comes():
    uow = FakeUnitOfWork()
    referral = received(uow)
    event = uow.events[0]
    for _ in range(2):
        run(handlers.acknowledge_referral, event, uow.handling_of(event))
    assert uow.types().count("referral.acknowledged") == 1
    assert uow.handled == [event.id]
    acknowledgement = uow.events[-1]
    assert acknowledgement.causation_id == event.id
    assert [t["what"] for t in uow.body(REFERRALS, referral["id"])["timeline"]] == ["received", "acknowledged"]


def test_a_take_up_opens_the_issue_based_referral_once_and_closes_the_active_offer():
    uow = FakeUnitOfWork()
    referral = received(uow)
    handlers.allocate(Allocate(referral["id"], ADVOCATE, "manager@provider.example"), uow)
    consent = {**referral["consent"], "share_outcome_with_referrer": False}
    completed = new_event("active_offer.completed", {
        "referral_id": referral["id"], "council": "CARDIFF", "meeting_id": "m1", "outcome": "take_up",
        "decline_reason": None, "follow_on_referral_id": "f1", "consent": consent,
        "completed_at": "2026-11-23T10:00:00+00:00"}, producer="scheduling", subject=f"referral:{referral['id']}")
    handling = uow.handling_of(completed)
    run(handlers.complete_active_offer, completed, handling)
    assert handling.types()[-2:] == ["referral.received", "referral.closed"]
    follow_on = handling.body(REFERRALS, "f1")
    assert follow_on["source"] == "active_offer" and follow_on["consent"] == consent
    assert handling.body(REFERRALS, referral["id"])["status"] == "closed"
    assert handling.handled == [completed.id]

    events = len(uow.events)
    handling.handled.clear()  # a redelivery that beat the inbox
    run(handlers.complete_active_offer, completed, uow.handling_of(completed))
    assert len(uow.events) == events, "no second follow-on, no second closing"


def test_a_change_made_meanwhile_by_another_request_is_decided_on_again():
    uow = FakeUnitOfWork()
    referral = received(uow)
    stored = uow.body(REFERRALS, referral["id"])
    uow.another_writer(lambda fake: fake.written_by_another(REFERRALS, referral["id"], {**stored, "status": "closed"}))
    with pytest.raises(domain.TransitionForbidden):
        handlers.allocate(Allocate(referral["id"], ADVOCATE, "manager@provider.example"), uow)
    assert uow.types() == ["referral.received"], "the allocation decided on the closed referral writes nothing"
