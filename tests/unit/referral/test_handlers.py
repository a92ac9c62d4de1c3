"""The referral service's handlers in memory: what each commits (state and events together), once, and what it
refuses without writing."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

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
    assert handling.types()[-3:] == ["referral.received", "referral.allocated", "referral.closed"]
    follow_on = handling.body(REFERRALS, "f1")
    assert follow_on["source"] == "active_offer" and follow_on["consent"] == consent
    assert follow_on["status"] == "allocated" and follow_on["advocate_email"] == ADVOCATE, \
        "a version 1 event names no advocate: the Active Offer's own carries on"
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


def completed_by(referral: dict, **said) -> "object":
    return new_event("active_offer.completed", {
        "referral_id": referral["id"], "council": "CARDIFF", "meeting_id": "m1", "outcome": "take_up",
        "decline_reason": None, "follow_on_referral_id": "f1", "consent": referral["consent"],
        "completed_at": "2026-11-23T10:00:00+00:00", **said}, producer="scheduling",
        subject=f"referral:{referral['id']}")


def test_the_follow_on_starts_allocated_to_the_advocate_who_met_the_child_with_their_words():
    uow = FakeUnitOfWork()
    referral = received(uow, summary="The social worker's note")
    handlers.allocate(Allocate(referral["id"], "first@provider.example", "manager@provider.example"), uow)
    completed = completed_by(referral, advocate_email=ADVOCATE, wants_help_with="  Seeing my brother more  ")
    run(handlers.complete_active_offer, completed, uow.handling_of(completed))
    follow_on = uow.body(REFERRALS, "f1")
    assert (follow_on["status"], follow_on["advocate_email"]) == ("allocated", ADVOCATE), "who met the child"
    assert follow_on["summary"] == "Seeing my brother more"
    allocated = uow.events[-2]
    assert allocated.type == "referral.allocated" and allocated.data["referral_id"] == "f1"
    assert allocated.data["advocate_email"] == ADVOCATE and allocated.causation_id == completed.id
    assert "brother" not in str([e.data for e in uow.events if e.type != "active_offer.completed"]), \
        "the child's words stay with the referral"
    assert domain.next_actions(follow_on) == ["allocate", "record_contact_attempt", "close"], \
        "a manager may allocate it to another; no Active Offer meeting is offered"
    handlers.allocate(Allocate("f1", "other@provider.example", "manager@provider.example"), uow)
    assert uow.body(REFERRALS, "f1")["advocate_email"] == "other@provider.example"


def test_the_follow_on_keeps_the_referrers_words_when_the_child_said_none():
    uow = FakeUnitOfWork()
    referral = received(uow, summary="Help with school")
    completed = completed_by(referral, advocate_email=ADVOCATE, wants_help_with=None)
    run(handlers.complete_active_offer, completed, uow.handling_of(completed))
    assert uow.body(REFERRALS, "f1")["summary"] == "Help with school"


def case_closed(referral_id: str, **by: str) -> "object":
    return new_event("case.closed", {
        "case_id": "c1", "referral_id": referral_id, "council": "CARDIFF", "region": "cardiff-vale",
        "outcome": "issues_resolved", "satisfaction": 5, "closed_at": "2026-12-01T10:00:00+00:00", **by},
        producer="casework", subject="case:c1")


def test_the_follow_on_closed_with_its_case_names_who_closed_the_case_and_the_service_for_an_older_event():
    for said, named in (({"by": ADVOCATE}, ADVOCATE), ({}, "casework")):
        uow = FakeUnitOfWork()
        referral = received(uow)
        completed = completed_by(referral, advocate_email=ADVOCATE)
        run(handlers.complete_active_offer, completed, uow.handling_of(completed))
        closed = case_closed("f1", **said)
        run(handlers.close_with_case, closed, uow.handling_of(closed))
        assert uow.body(REFERRALS, "f1")["timeline"][-1] | {"at": None} == {
            "at": None, "what": "closed", "by": named, "detail": {"reason": "completed",
                                                                 "case_outcome": "issues_resolved"}}


def test_the_follow_on_closes_when_its_case_closes_once_however_often_it_is_told():
    uow = FakeUnitOfWork()
    referral = received(uow)
    completed = completed_by(referral, advocate_email=ADVOCATE)
    run(handlers.complete_active_offer, completed, uow.handling_of(completed))
    closed = case_closed("f1")
    run(handlers.close_with_case, closed, uow.handling_of(closed))
    follow_on = uow.body(REFERRALS, "f1")
    assert (follow_on["status"], follow_on["close_reason"]) == ("closed", "completed")
    assert follow_on["closed_at"] == "2026-12-01T10:00:00+00:00" and follow_on["timeline"][-1]["by"] == "casework"
    said = uow.events[-1]
    assert said.type == "referral.closed" and said.data["referral_id"] == "f1" and said.causation_id == closed.id
    events, writes = len(uow.events), uow.writes
    run(handlers.close_with_case, closed, uow.handling_of(closed))
    assert (len(uow.events), uow.writes) == (events, writes), "a redelivery changes nothing"
    uow.handled.clear()  # a redelivery that beat the inbox
    run(handlers.close_with_case, closed, uow.handling_of(closed))
    assert len(uow.events) == events and uow.body(REFERRALS, "f1")["status"] == "closed"


def test_the_timeline_names_who_took_each_step_of_the_meeting_and_the_service_only_where_its_event_is_older():
    uow = FakeUnitOfWork()
    referral = received(uow)
    handlers.allocate(Allocate(referral["id"], ADVOCATE, "manager@provider.example"), uow)
    where = {"meeting_id": "m1", "referral_id": referral["id"], "council": "CARDIFF"}
    arranged = {**where, "advocate_email": ADVOCATE, "starts_at": "2027-03-01T10:00:00+00:00",
                "duration_minutes": 60, "venue": "Ysgol", "language": "cy", "late": False}
    older = new_event("meeting.arranged", arranged, producer="scheduling", subject="s", version=2)
    run(handlers.follow_meeting, older, uow.handling_of(older))
    moved = new_event("meeting.rescheduled", {**where, "starts_at": "2027-03-02T10:00:00+00:00",
                                              "previous_starts_at": arranged["starts_at"], "venue": "Ysgol",
                                              "by": "manager@provider.example"}, producer="scheduling", subject="s")
    run(handlers.follow_meeting, moved, uow.handling_of(moved))
    timeline = uow.body(REFERRALS, referral["id"])["timeline"]
    assert [(entry["what"], entry["by"]) for entry in timeline[-2:]] == [
        ("meeting arranged", "scheduling"), ("meeting rescheduled", "manager@provider.example")]


def test_a_contact_attempt_is_dated_when_it_was_made_never_in_the_future_or_before_the_referral():
    """An attempt was stamped with the moment it was typed, so yesterday's call could not be logged truthfully."""
    uow = FakeUnitOfWork()
    referral = received(uow)
    handlers.allocate(Allocate(referral["id"], ADVOCATE, "manager@provider.example"), uow)
    received_at = datetime.fromisoformat(referral["received_at"])
    for wrong, said in ((datetime.now(timezone.utc) + timedelta(hours=1), "in the future"),
                        (received_at - timedelta(minutes=5), "before the referral was received")):
        writes = uow.writes
        with pytest.raises(domain.ReferralRejected) as refused:
            handlers.record_contact_attempt(RecordContactAttempt(
                referral["id"], "phone", "reached", "", ADVOCATE, "advocate", wrong.isoformat()), uow)
        assert said in refused.value.errors["attempted_at"][0]
        assert uow.writes == writes, "a refused attempt changes nothing"
    time.sleep(0.1)
    handlers.record_contact_attempt(RecordContactAttempt(referral["id"], "phone", "no_answer", "", ADVOCATE,
                                                         "advocate"), uow)
    earlier = (received_at + timedelta(milliseconds=20)).astimezone(timezone(timedelta(hours=1)))
    changed = handlers.record_contact_attempt(RecordContactAttempt(
        referral["id"], "phone", "reached", "", ADVOCATE, "advocate", earlier.isoformat()), uow)
    said = uow.events[-1]
    assert datetime.fromisoformat(said.data["attempted_at"]) == earlier, "the event says when it was made"
    assert datetime.fromisoformat(changed["first_contact_at"]) == earlier, "the first contact is the earliest"
    assert [entry["what"] for entry in changed["timeline"]][-2:] == ["contact attempted", "contact attempted"]
    assert changed["timeline"][-2]["at"] == said.data["attempted_at"], "the timeline keeps the order things happened"


def test_a_self_referral_is_received_from_the_child_not_the_council():
    uow = FakeUnitOfWork()
    referral = received(uow, referrer={**example_referral()["referrer"], "role": "self"})
    assert referral["timeline"][0]["by"] == "child"
    assert received(uow)["timeline"][0]["by"] == "CARDIFF", "a council's referral is received from the council"
