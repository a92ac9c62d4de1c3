"""Scheduling's handlers in memory: clocks started once with the event that says when they fall, meetings in the
diary with no double booking, and a meeting's record saying what the Active Offer came to."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from shared.contracts import new_event
from services.scheduling import complaint_clocks, deadlines, domain, history, meetings
from services.scheduling.commands import ArrangeMeeting, CancelMeeting, RecordMeeting, RescheduleMeeting
from services.scheduling.store import CASES, DIARIES, MEETINGS
from tests.unit.fakes import FakeUnitOfWork, run

ADVOCATE = "advocate@provider.example"
VENUE = {"name": "Ysgol", "accessible": True, "risk_assessed": True}
CONSENT = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
           "share_outcome_with_referrer": True}


def received(referral_id: str = "r1"):
    return new_event("referral.received", {
        "referral_id": referral_id, "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": "active_offer", "basis": "looked_after", "external_ref": None,
        "received_at": datetime.now(timezone.utc).isoformat(), "statutory_meeting_at": None,
        "preferred_language": "cy", "consent": CONSENT}, producer="referral", subject=f"referral:{referral_id}")


def allocated(uow: FakeUnitOfWork, referral_id: str = "r1") -> None:
    event = received(referral_id)
    run(deadlines.open_case, event, uow.handling_of(event))
    allocation = new_event("referral.allocated", {
        "referral_id": referral_id, "council": "CARDIFF", "advocate_email": ADVOCATE,
        "allocated_at": datetime.now(timezone.utc).isoformat()}, producer="referral", subject=f"referral:{referral_id}")
    run(deadlines.case_allocated, allocation, uow.handling_of(allocation))


def starts(hours: int) -> str:
    moment = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=2, hours=hours)
    return moment.isoformat()


def arrange(uow: FakeUnitOfWork, hours: int = 0, referral_id: str = "r1") -> dict:
    return meetings.arrange(ArrangeMeeting(referral_id, {"starts_at": starts(hours), "duration_minutes": 60,
                                                         "venue": VENUE}, ADVOCATE, "advocate"), uow)


def test_a_referrals_clocks_start_once_with_the_event_that_says_when_they_fall():
    uow = FakeUnitOfWork()
    event = received()
    run(deadlines.open_case, event, uow.handling_of(event))
    run(deadlines.open_case, event, uow.handling_of(event))
    assert uow.types() == ["deadlines.scheduled"]
    case = uow.body(CASES, "r1")
    assert set(case["clocks"]) == set(uow.events[0].data["deadlines"]) and case["clock_open"] is True
    assert uow.events[0].causation_id == event.id


def test_an_event_about_a_clock_not_started_yet_fails_so_the_bus_tries_it_again():
    uow = FakeUnitOfWork()
    allocation = new_event("referral.allocated", {
        "referral_id": "r9", "council": "CARDIFF", "advocate_email": ADVOCATE,
        "allocated_at": datetime.now(timezone.utc).isoformat()}, producer="referral", subject="referral:r9")
    with pytest.raises(LookupError):
        run(deadlines.case_allocated, allocation, uow.handling_of(allocation))
    assert uow.handled == []


def test_a_meeting_is_booked_in_the_diary_and_a_clash_leaves_the_referral_free():
    uow = FakeUnitOfWork()
    allocated(uow, "r1")
    allocated(uow, "r2")
    first = arrange(uow, 0, "r2")
    assert uow.types()[-1] == "meeting.arranged"
    assert list(uow.body(DIARIES, ADVOCATE)["bookings"]) == [first["id"]]
    with pytest.raises(domain.DoubleBooked):
        arrange(uow, 0, "r1")
    assert uow.body(CASES, "r1")["meeting_claim"] is None, "the refused meeting's claim is released"
    with pytest.raises(domain.MeetingStands):
        arrange(uow, 4, "r2")


def test_moving_and_cancelling_keep_the_diary_and_say_so():
    uow = FakeUnitOfWork()
    allocated(uow)
    meeting = arrange(uow)
    moved = meetings.reschedule(RescheduleMeeting(meeting["id"], starts(3), "The child asked", ADVOCATE,
                                                  "advocate"), uow)
    assert moved["starts_at"] == starts(3) and uow.events[-1].data["previous_starts_at"] == meeting["starts_at"]
    assert uow.body(DIARIES, ADVOCATE)["bookings"][meeting["id"]]["starts_at"] == starts(3)
    with pytest.raises(domain.NotAllocated):
        meetings.cancel(CancelMeeting(meeting["id"], "Moved away", "someone@provider.example", "advocate"), uow)
    meetings.cancel(CancelMeeting(meeting["id"], "Moved away", ADVOCATE, "advocate"), uow)
    assert uow.types()[-1] == "meeting.cancelled" and uow.body(DIARIES, ADVOCATE)["bookings"] == {}
    with pytest.raises(domain.MeetingStateForbids):
        meetings.cancel(CancelMeeting(meeting["id"], "Again", ADVOCATE, "advocate"), uow)


def test_a_meeting_moves_to_a_new_venue_when_one_is_given_and_stays_where_it_was_otherwise():
    uow = FakeUnitOfWork()
    allocated(uow)
    meeting = arrange(uow)
    kept = meetings.reschedule(RescheduleMeeting(meeting["id"], starts(2), "The child asked", ADVOCATE, "advocate"),
                               uow)
    assert kept["venue"] == meeting["venue"] and uow.events[-1].data["venue"] == meeting["venue"]["name"]
    elsewhere = {"name": "Youth centre", "address": "1 Heol y Frenhines", "accessible": True,
                 "risk_assessed": True, "type": "community"}
    moved = meetings.reschedule(RescheduleMeeting(meeting["id"], starts(3), "Nearer the child's school", ADVOCATE,
                                                  "advocate", venue=elsewhere), uow)
    assert moved["venue"] == elsewhere and uow.body(MEETINGS, meeting["id"])["venue"] == elsewhere
    assert uow.events[-1].type == "meeting.rescheduled" and uow.events[-1].data["venue"] == "Youth centre", \
        "the referral and the council's email name the new venue"
    with pytest.raises(domain.MeetingRefused):
        meetings.reschedule(RescheduleMeeting(meeting["id"], starts(4), "Again", ADVOCATE, "advocate",
                                              venue={**elsewhere, "accessible": False}), uow)
    assert uow.body(MEETINGS, meeting["id"])["venue"] == elsewhere, "a venue refused changes nothing"


def test_a_held_meeting_says_it_took_place_and_what_the_child_chose_with_the_consent_they_gave_there():
    uow = FakeUnitOfWork()
    allocated(uow)
    meeting = arrange(uow)
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    stored = uow.body(MEETINGS, meeting["id"])
    uow.written_by_another(MEETINGS, meeting["id"], {**stored, "starts_at": past.isoformat()})
    given = {"share_outcome_with_referrer": False}
    meetings.record(RecordMeeting(meeting["id"], {"took_place": True, "outcome": "take_up", "consent": given},
                                  ADVOCATE, "advocate"), uow)
    took_place, completed = uow.events[-2:]
    assert (took_place.type, completed.type) == ("meeting.took_place", "active_offer.completed")
    assert took_place.data["before_deadline"] is True
    assert completed.data["consent"] == {**CONSENT, **given}
    assert completed.data["follow_on_referral_id"] == uow.body(MEETINGS, meeting["id"])["follow_on_referral_id"]
    assert uow.body(DIARIES, ADVOCATE)["bookings"] == {}


def test_the_venues_type_and_whether_an_interpreter_was_used_go_on_the_events_as_recorded_or_not_at_all():
    uow = FakeUnitOfWork()
    allocated(uow)
    meeting = meetings.arrange(ArrangeMeeting("r1", {"starts_at": starts(0), "duration_minutes": 60,
                                                     "venue": {**VENUE, "type": "school"}}, ADVOCATE, "advocate"), uow)
    arranged = uow.events[-1]
    assert (arranged.version, arranged.data["venue_type"]) == (3, "school")
    with pytest.raises(domain.MeetingRefused) as refused:
        meetings.record(RecordMeeting(meeting["id"], {"took_place": False, "reason_not_held": "Unwell",
                                                      "interpreter_used": True}, ADVOCATE, "advocate"), uow)
    assert set(refused.value.errors) == {"interpreter_used"}, "only a meeting that took place had an interpreter"
    stored = uow.body(MEETINGS, meeting["id"])
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    uow.written_by_another(MEETINGS, meeting["id"], {**stored, "starts_at": past.isoformat()})
    meetings.record(RecordMeeting(meeting["id"], {"took_place": True, "outcome": "reflecting",
                                                  "contact_details_given": True, "interpreter_used": True},
                                  ADVOCATE, "advocate"), uow)
    took_place = uow.events[-2]
    assert (took_place.type, took_place.version, took_place.data["interpreter_used"]) == (
        "meeting.took_place", 4, True)
    assert uow.body(MEETINGS, meeting["id"])["interpreter_used"] is True
    allocated(uow, "r2")
    arrange(uow, 3, "r2")
    assert uow.events[-1].data["venue_type"] is None, "a venue whose type was not said is not given one"


def test_a_complaints_second_stage_clock_starts_once():
    uow = FakeUnitOfWork()
    complaint = new_event("complaint.received", {
        "complaint_id": "c1", "kind": "complaint", "made_by": "child", "council": None, "nation": "wales",
        "received_at": "2026-12-01T10:00:00+00:00", "language": "cy"}, producer="complaints",
        subject="complaint:c1")
    run(complaint_clocks.start_complaint_clock, complaint, uow.handling_of(complaint))
    escalated = new_event("complaint.escalated", {"complaint_id": "c1", "kind": "complaint", "stage": 2,
                                                  "escalated_at": "2026-12-04T10:00:00+00:00"},
                          producer="complaints", subject="complaint:c1")
    for _ in range(2):
        uow.handled.clear()  # delivered again before the inbox saw it
        run(complaint_clocks.start_second_stage_clock, escalated, uow.handling_of(escalated))
    assert uow.types() == ["complaint.deadlines_scheduled", "complaint.second_stage_scheduled"]


def test_each_step_of_a_meeting_says_who_took_it_and_so_does_its_recall():
    """Scheduling's events named no one, so the referral's timeline credited Llais with what an advocate or a
    manager did: each step now carries who took it, and history recalls it as said."""
    uow = FakeUnitOfWork()
    allocated(uow)
    meeting = arrange(uow)
    assert uow.events[-1].data["by"] == ADVOCATE
    manager = "manager@provider.example"
    meetings.reschedule(RescheduleMeeting(meeting["id"], starts(3), "The child asked", manager, "manager"), uow)
    assert (uow.events[-1].type, uow.events[-1].data["by"]) == ("meeting.rescheduled", manager)
    meetings.cancel(CancelMeeting(meeting["id"], "Moved away", manager, "manager"), uow)
    assert (uow.events[-1].type, uow.events[-1].data["by"]) == ("meeting.cancelled", manager)
    allocated(uow, "r2")
    second = arrange(uow, 5, "r2")
    stored = uow.body(MEETINGS, second["id"])
    uow.written_by_another(MEETINGS, second["id"], {**stored, "starts_at": (
        datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()})
    meetings.record(RecordMeeting(second["id"], {"took_place": True, "outcome": "reflecting",
                                                 "contact_details_given": True}, manager, "manager"), uow)
    took_place, completed = uow.events[-2:]
    assert took_place.data["by"] == completed.data["by"] == manager
    recalled = {event.type: event.data["by"] for event in history.of_meeting(
        uow.body(MEETINGS, second["id"]), datetime.now(timezone.utc) + timedelta(days=9),
        lambda referral_id: uow.body(CASES, referral_id))}
    assert recalled == {"meeting.arranged": ADVOCATE, "meeting.took_place": manager,
                        "active_offer.completed": manager}


def test_an_attempt_logged_after_a_later_one_meets_the_first_contact_clock_when_it_was_made():
    uow = FakeUnitOfWork()
    allocated(uow)
    now = datetime.now(timezone.utc)
    for at in (now, now - timedelta(days=1), now - timedelta(hours=2)):
        attempt = new_event("contact.attempted", {"referral_id": "r1", "council": "CARDIFF", "method": "phone",
                                                  "result": "no_answer", "attempted_at": at.isoformat()},
                            producer="referral", subject="referral:r1")
        run(deadlines.meet_first_contact_by, attempt, uow.handling_of(attempt))
    clock = uow.body(CASES, "r1")["clocks"]["first_contact_by"]
    assert (clock["state"], clock["met_at"]) == ("met", (now - timedelta(days=1)).isoformat())
