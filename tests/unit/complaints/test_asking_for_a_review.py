"""The complainant, not happy with the answer, asks from the page they follow it on for it to be looked at again:
the complaint's second stage, said as `complaint.escalated` (which starts that stage's time limit), once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.complaints import domain, handlers, history
from services.complaints.commands import AskForReview, ChangeComplaint
from services.complaints.store import COMPLAINTS
from tests.unit.complaints.test_handlers import MANAGER, received
from tests.unit.fakes import FakeUnitOfWork

STILL_UNHAPPY = "Nobody said sorry for the missed visit"


def answered(uow: FakeUnitOfWork) -> dict:
    complaint = received(uow)
    handlers.respond(ChangeComplaint(complaint["id"], {"outcome": "not_upheld", "summary": "It was ill health"},
                                     MANAGER), uow)
    return complaint


def test_the_complainant_may_ask_only_once_it_is_answered():
    uow = FakeUnitOfWork()
    complaint = received(uow)
    assert handlers.followed_progress(uow, complaint["tracking_key"])["may_ask_for_review"] is False
    with pytest.raises(domain.ComplaintStateForbids):
        handlers.ask_for_review(AskForReview(complaint["tracking_key"], STILL_UNHAPPY), uow)
    assert uow.types() == ["complaint.received"]


def test_asking_takes_the_complaint_to_its_second_stage_with_its_own_time_limit_and_the_manager_sees_why():
    uow = FakeUnitOfWork()
    complaint = answered(uow)
    assert handlers.followed_progress(uow, complaint["tracking_key"])["may_ask_for_review"] is True
    progress = handlers.ask_for_review(AskForReview(complaint["tracking_key"], f"  {STILL_UNHAPPY} "), uow)
    assert (progress["status"], progress["stage"], progress["may_ask_for_review"]) == ("escalated", 2, False)
    said = uow.events[-1]
    assert said.type == "complaint.escalated" and said.data["stage"] == 2, "scheduling starts stage 2's clock"
    assert STILL_UNHAPPY not in str(said.data), "their words stay with the complaint"
    stored = uow.body(COMPLAINTS, complaint["id"])
    assert stored["review_requests"][0]["reason"] == STILL_UNHAPPY
    assert stored["timeline"][-1] == {"at": said.data["escalated_at"], "what": "escalated", "by": domain.COMPLAINANT}
    recalled = list(history.of_complaint(stored, datetime.now(timezone.utc) + timedelta(minutes=1)))
    assert [e.type for e in recalled].count("complaint.escalated") == 1, "the history tells it as it happened"
    assert "reason" not in progress["review_requests"][0]

    events = len(uow.events)
    with pytest.raises(domain.ComplaintStateForbids):  # asked again, or a second click
        handlers.ask_for_review(AskForReview(complaint["tracking_key"], STILL_UNHAPPY), uow)
    assert len(uow.events) == events


def test_asking_without_saying_why_or_with_anothers_key_changes_nothing():
    uow = FakeUnitOfWork()
    complaint = answered(uow)
    writes = uow.writes
    with pytest.raises(domain.ComplaintRefused) as refused:
        handlers.ask_for_review(AskForReview(complaint["tracking_key"], "   "), uow)
    assert set(refused.value.errors) == {"reason"}
    with pytest.raises(handlers.NotFound):
        handlers.ask_for_review(AskForReview("a-key-nobody-was-given-000", STILL_UNHAPPY), uow)
    assert uow.writes == writes and uow.body(COMPLAINTS, complaint["id"])["stage"] == 1


def test_a_compliment_is_never_looked_at_again():
    assert not domain.may_ask_for_review({"kind": "compliment", "status": "recorded", "stage": 1})
    assert not domain.may_ask_for_review({"kind": "complaint", "status": "responded", "stage": 2})
