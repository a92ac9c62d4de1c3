"""Issue-based work's deadlines (no Active Offer meeting), a take-up's follow-on met by the advocate already, what a
take-up tells the referral service, and a meeting moved past the meeting deadline: a reason, and the deadline at
risk at once."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from shared.contracts import new_event
from services.scheduling import deadlines, domain, meetings
from services.scheduling.commands import ArrangeMeeting, RecordMeeting, RescheduleMeeting
from services.scheduling.store import CASES
from tests.unit.fakes import FakeUnitOfWork, run
from tests.unit.scheduling.test_handlers import ADVOCATE, CONSENT, VENUE, allocated, arrange, starts

RECEIVED = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def received(referral_id: str, kind: str, source: str | None = None, statutory: datetime | None = None):
    return new_event("referral.received", {
        "referral_id": referral_id, "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": kind, "basis": "looked_after", "external_ref": None,
        "received_at": datetime.now(timezone.utc).isoformat(),
        "statutory_meeting_at": statutory.isoformat() if statutory else None,
        "preferred_language": "cy", "consent": CONSENT, "source": source},
        producer="referral", subject=f"referral:{referral_id}")


def test_issue_based_work_has_no_active_offer_meeting_deadline():
    timeframes = domain.Timeframes()
    assert set(domain.deadlines(RECEIVED, "wales", timeframes, kind="issue_based")) == {
        "acknowledge_by", "allocate_by", "first_contact_by"}
    assert set(domain.deadlines(RECEIVED, "wales", timeframes)) == {
        "acknowledge_by", "allocate_by", "first_contact_by", "meeting_by"}


def test_a_take_ups_follow_on_starts_with_its_first_contact_made_and_says_only_its_own_deadlines():
    uow = FakeUnitOfWork()
    event = received("f1", "issue_based", source="active_offer")
    run(deadlines.open_case, event, uow.handling_of(event))
    clocks = uow.body(CASES, "f1")["clocks"]
    assert set(clocks) == {"acknowledge_by", "allocate_by", "first_contact_by"}
    assert clocks["first_contact_by"]["state"] == "met", "the advocate has just met the child"
    assert clocks["allocate_by"]["state"] == "pending"
    said = uow.events[-1]
    assert said.type == "deadlines.scheduled" and said.version == 2 and "meeting_by" not in said.data["deadlines"]
    other = received("s1", "issue_based", source="self")
    run(deadlines.open_case, other, uow.handling_of(other))
    assert uow.body(CASES, "s1")["clocks"]["first_contact_by"]["state"] == "pending"


def test_a_take_up_tells_who_met_the_child_and_what_they_want_help_with():
    uow = FakeUnitOfWork()
    allocated(uow)
    meeting = meetings.arrange(ArrangeMeeting("r1", {
        "starts_at": (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat(), "duration_minutes": 60,
        "venue": VENUE}, ADVOCATE, "advocate"), uow)
    moved = {**uow.body("meetings", meeting["id"]), "starts_at": (datetime.now(timezone.utc)
                                                                 - timedelta(minutes=5)).isoformat()}
    uow.given("meetings", meeting["id"], moved)
    with pytest.raises(domain.MeetingRefused) as refused:
        meetings.record(RecordMeeting(meeting["id"], {"took_place": True, "outcome": "reflecting",
                                                      "contact_details_given": True, "wants_help_with": "School"},
                                      ADVOCATE, "advocate"), uow)
    assert set(refused.value.errors) == {"wants_help_with"}
    meetings.record(RecordMeeting(meeting["id"], {"took_place": True, "outcome": "take_up",
                                                  "wants_help_with": " Moving school "}, ADVOCATE, "advocate"), uow)
    completed = uow.events[-1]
    assert completed.type == "active_offer.completed" and completed.version == 4
    assert completed.data["advocate_email"] == ADVOCATE and completed.data["wants_help_with"] == "Moving school"
    assert "Moving school" not in str(uow.body("meetings", meeting["id"])), "the referral keeps the words"


def statutory_in_three_days(uow: FakeUnitOfWork) -> None:
    """An allocated referral whose statutory meeting is in three days."""
    statutory = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=3)
    event = received("r1", "active_offer", statutory=statutory)
    run(deadlines.open_case, event, uow.handling_of(event))
    allocation = new_event("referral.allocated", {
        "referral_id": "r1", "council": "CARDIFF", "advocate_email": ADVOCATE,
        "allocated_at": datetime.now(timezone.utc).isoformat()}, producer="referral", subject="referral:r1")
    run(deadlines.case_allocated, allocation, uow.handling_of(allocation))


def late_case(uow: FakeUnitOfWork) -> dict:
    """Such a referral with a meeting arranged before its statutory meeting."""
    statutory_in_three_days(uow)
    return arrange(uow, 0)


def after_the_deadline() -> str:
    return (datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=5)).isoformat()


def test_moving_a_meeting_past_the_deadline_needs_a_reason_and_changes_nothing_without_one():
    uow = FakeUnitOfWork()
    meeting = late_case(uow)
    events, writes = len(uow.events), uow.writes
    with pytest.raises(domain.MeetingRefused) as refused:
        meetings.reschedule(RescheduleMeeting(meeting["id"], after_the_deadline(), "The child is unwell", ADVOCATE,
                                              "advocate"), uow)
    assert set(refused.value.errors) == {"late_reason"}, "the reason for moving is not why it is late"
    assert (len(uow.events), uow.writes) == (events, writes)
    assert uow.body(CASES, "r1")["clocks"]["meeting_by"]["state"] == "pending"


def test_moving_a_meeting_past_the_deadline_puts_the_deadline_at_risk_once():
    uow = FakeUnitOfWork()
    meeting = late_case(uow)
    moved = meetings.reschedule(RescheduleMeeting(meeting["id"], after_the_deadline(), "The child is unwell",
                                                  ADVOCATE, "advocate", "The child is in hospital until then"), uow)
    assert moved["late"] is True and moved["late_reason"] == "The child is in hospital until then"
    assert uow.types()[-2:] == ["meeting.rescheduled", "deadline.at_risk"]
    assert uow.events[-1].data["deadline"] == "meeting_by"
    case = uow.body(CASES, "r1")
    assert case["clocks"]["meeting_by"]["state"] == "at_risk"
    assert [item["deadline"] for item in domain.needing_attention(case)] == ["meeting_by"]
    assert case["clock_open"] and case["next_due_at"] <= domain.comparable(
        datetime.fromisoformat(case["clocks"]["meeting_by"]["due_at"])), "the clock job will say when it is missed"

    again = meetings.reschedule(RescheduleMeeting(meeting["id"], (datetime.fromisoformat(after_the_deadline())
                                                                  + timedelta(hours=2)).isoformat(),
                                                  "The room is taken", ADVOCATE, "advocate"), uow)
    assert again["late_reason"] == "The child is in hospital until then", "late already: the reason stands"
    assert uow.types().count("deadline.at_risk") == 1, "said once"

    back = meetings.reschedule(RescheduleMeeting(meeting["id"], starts(1), "Sooner after all", ADVOCATE,
                                                 "advocate"), uow)
    assert back["late"] is False and back["late_reason"] is None


def test_arranging_late_puts_the_deadline_at_risk_too():
    uow = FakeUnitOfWork()
    statutory_in_three_days(uow)
    meetings.arrange(ArrangeMeeting("r1", {"starts_at": after_the_deadline(), "duration_minutes": 60,
                                           "venue": VENUE, "late_reason": "The child asked for after the review"},
                                    ADVOCATE, "advocate"), uow)
    assert uow.types()[-2:] == ["meeting.arranged", "deadline.at_risk"]
    assert uow.body(CASES, "r1")["clocks"]["meeting_by"]["state"] == "at_risk"


def test_no_active_offer_meeting_is_arranged_for_issue_based_work():
    uow = FakeUnitOfWork()
    event = received("f1", "issue_based", source="active_offer")
    run(deadlines.open_case, event, uow.handling_of(event))
    allocation = new_event("referral.allocated", {
        "referral_id": "f1", "council": "CARDIFF", "advocate_email": ADVOCATE,
        "allocated_at": datetime.now(timezone.utc).isoformat()}, producer="referral", subject="referral:f1")
    run(deadlines.case_allocated, allocation, uow.handling_of(allocation))
    writes = uow.writes
    with pytest.raises(domain.MeetingStateForbids, match="issue-based"):
        arrange(uow, 0, "f1")
    assert uow.writes == writes
