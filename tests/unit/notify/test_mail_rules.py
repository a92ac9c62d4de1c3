"""When notify's own mail is due, and what it keeps to know: a meeting's morning, a meeting moved or cancelled, a
deadline's worst state since the last digest, whether the morning has come."""

from __future__ import annotations

from datetime import datetime

from services.notify import domain

ARRANGED = {"meeting_id": "m1", "referral_id": "r1", "council": "CARDIFF", "advocate_email": "a@provider.example",
            "starts_at": "2026-12-08T14:30:00+00:00"}


def test_a_meetings_email_is_due_on_the_morning_of_its_day_in_london():
    assert domain.remind_at("2026-12-08T14:30:00+00:00", "07:30") == "2026-12-08T07:30:00.000000+00:00"
    assert domain.remind_at("2026-06-08T14:30:00+00:00", "07:30") == "2026-06-08T06:30:00.000000+00:00", "BST"
    assert domain.remind_at("2026-06-08T23:30:00+00:00", "07:00") == "2026-06-09T06:00:00.000000+00:00", \
        "half past midnight in London is the next day's meeting"


def test_a_meeting_moved_waits_for_its_new_morning_and_one_cancelled_is_not_reminded():
    kept = domain.meeting_kept({}, "meeting.arranged", ARRANGED, "e1", "07:30")
    assert kept["reminder"] == "waiting" and kept["remind_at"].startswith("2026-12-08T07:30")
    made = {**kept, "reminder": "made"}
    moved = domain.meeting_kept(made, "meeting.rescheduled", {**ARRANGED, "starts_at": "2026-12-10T09:00:00+00:00",
                                                            "previous_starts_at": ARRANGED["starts_at"]}, "e2", "07:30")
    assert moved["reminder"] == "waiting" and moved["remind_at"].startswith("2026-12-10T07:30")
    assert moved["advocate_email"] == "a@provider.example"
    cancelled = domain.meeting_kept(moved, "meeting.cancelled", {**ARRANGED, "reason": "ill"}, "e3", "07:30")
    assert cancelled["reminder"] == "cancelled" and cancelled["status"] == "cancelled"
    assert domain.meeting_kept(cancelled, "meeting.cancelled", ARRANGED, "e3", "07:30") is None, "heard before"
    assert domain.meeting_kept(kept, "meeting.arranged", ARRANGED, "e9", "07:30") is None, "arranged once"


def test_a_meeting_day_email_made_earlier_is_stale_once_the_meeting_moved_or_was_cancelled():
    meeting = {"starts_at": "2026-12-08T14:30:00+00:00", "status": "arranged"}
    assert domain.reminder_stale(meeting, "2026-12-08T14:30:00+00:00") is None
    moved = domain.reminder_stale({**meeting, "starts_at": "2026-12-09T09:00:00+00:00"}, "2026-12-08T14:30:00+00:00")
    assert (moved.code, moved.reason) == ("meeting_moved", "the meeting was moved to another time")
    cancelled = domain.reminder_stale({**meeting, "status": "cancelled"}, "2026-12-08T14:30:00+00:00")
    assert (cancelled.code, cancelled.reason) == ("meeting_cancelled", "the meeting was cancelled")


def test_a_deadline_at_risk_then_missed_is_listed_once_as_missed_earliest_due_first():
    def one(event_type, data):
        return domain.alert(event_type, data)

    alerts = [
        one("deadline.at_risk", {"referral_id": "r1", "council": "CARDIFF", "deadline": "allocate_by",
                                 "due_at": "2026-12-07T17:00:00+00:00"}),
        one("deadline.missed", {"referral_id": "r1", "council": "CARDIFF", "deadline": "allocate_by",
                                "due_at": "2026-12-07T17:00:00+00:00"}),
        one("complaint.deadline_at_risk", {"complaint_id": "c1", "deadline": "respond_by",
                                           "due_at": "2026-12-07T09:00:00+01:00"}),
    ]
    listed = domain.worst_first(alerts)
    assert [(a["about"], a["subject_id"], a["state"]) for a in listed] == [("complaint", "c1", "at_risk"),
                                                                           ("referral", "r1", "missed")]
    assert listed[0]["council"] is None


def test_the_morning_comes_at_its_time_in_london():
    assert not domain.morning_come(datetime(2026, 12, 8, 7, 29), "07:30")
    assert domain.morning_come(datetime(2026, 12, 8, 7, 30), "07:30")
    assert domain.page("https://llais.example/", "referrals", "r1") == "https://llais.example/referrals/r1"
