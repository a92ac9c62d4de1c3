"""The deadline clock's decisions and the meeting rules, without I/O."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.scheduling import domain

RECEIVED = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)  # a Monday


def clocks():
    return domain.schedule(RECEIVED, "wales", domain.Timeframes())


def test_each_deadline_is_at_risk_one_working_day_before_it_falls_due():
    schedule = clocks()
    assert schedule["acknowledge_by"]["due_at"].startswith("2026-11-24T23:59:59")
    assert schedule["acknowledge_by"]["at_risk_at"].startswith("2026-11-23T23:59:59")
    assert schedule["first_contact_by"]["at_risk_at"].startswith("2026-11-25T23:59:59")
    friday = domain.previous_working_day_end(datetime(2026, 11, 30, 12, tzinfo=timezone.utc), "wales")
    assert friday.date().isoformat() == "2026-11-27", "a Monday deadline is at risk from the Friday before"


def test_the_clock_says_at_risk_then_missed_once_each():
    schedule = clocks()
    moment = datetime(2026, 11, 24, 12, tzinfo=timezone.utc)
    schedule, said = domain.tick(schedule, moment)
    assert said == [("deadline.at_risk", "acknowledge_by", schedule["acknowledge_by"]["due_at"])]
    schedule, again = domain.tick(schedule, moment)
    assert again == []
    schedule, later = domain.tick(schedule, datetime(2026, 11, 25, 12, tzinfo=timezone.utc))
    assert ("deadline.missed", "acknowledge_by", schedule["acknowledge_by"]["due_at"]) in later
    assert ("deadline.at_risk", "allocate_by", schedule["allocate_by"]["due_at"]) in later


def test_a_clock_skipped_over_says_both_in_order():
    _, said = domain.tick(clocks(), datetime(2026, 12, 31, tzinfo=timezone.utc))
    kinds = [(kind, name) for kind, name, _ in said]
    assert kinds.index(("deadline.at_risk", "meeting_by")) < kinds.index(("deadline.missed", "meeting_by"))
    assert len(said) == 8


def test_met_and_stopped_clocks_say_nothing():
    schedule = domain.met(clocks(), "acknowledge_by", "2026-11-23T10:00:00+00:00")
    assert domain.met(schedule, "acknowledge_by", "2026-11-23T11:00:00+00:00") is None
    stopped = domain.stop(schedule)
    assert not domain.open_clocks(stopped)
    assert domain.tick(stopped, datetime(2027, 1, 1, tzinfo=timezone.utc))[1] == []
    assert stopped["acknowledge_by"]["state"] == "met"


CASE = {"advocate_email": "a@provider.example", "closed": False, "clocks": clocks()}
VENUE = {"name": "Ysgol", "accessible": True, "risk_assessed": True}
NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)


def test_a_meeting_before_the_deadline_is_not_late():
    assert domain.check_meeting(CASE, NOW + timedelta(days=1), 60, VENUE, None, NOW) is False


def test_a_late_meeting_needs_a_reason():
    late = NOW + timedelta(days=30)
    with pytest.raises(domain.MeetingRefused) as refused:
        domain.check_meeting(CASE, late, 60, VENUE, None, NOW)
    assert "late_reason" in refused.value.errors
    assert domain.check_meeting(CASE, late, 60, VENUE, "The child asked for after the holidays", NOW) is True


@pytest.mark.parametrize("starts, minutes, venue, field", [
    (NOW - timedelta(hours=1), 60, VENUE, "starts_at"),
    (NOW + timedelta(days=1), 5, VENUE, "duration_minutes"),
    (NOW + timedelta(days=1), 60, {**VENUE, "accessible": False}, "venue.accessible"),
    (NOW + timedelta(days=1), 60, {**VENUE, "risk_assessed": False}, "venue.risk_assessed"),
])
def test_meetings_that_cannot_be_are_refused(starts, minutes, venue, field):
    with pytest.raises(domain.MeetingRefused) as refused:
        domain.check_meeting(CASE, starts, minutes, venue, None, NOW)
    assert field in refused.value.errors


@pytest.mark.parametrize("case", [{**CASE, "closed": True}, {**CASE, "advocate_email": None}])
def test_no_meeting_for_a_closed_or_unallocated_referral(case):
    with pytest.raises(domain.MeetingStateForbids):
        domain.check_meeting(case, NOW + timedelta(days=1), 60, VENUE, None, NOW)


def test_overlapping_bookings_clash_and_touching_ones_do_not():
    ten = NOW.replace(hour=10)
    bookings = {"m1": {"starts_at": ten.isoformat(), "ends_at": (ten + timedelta(hours=1)).isoformat()}}
    assert domain.clash(bookings, ten + timedelta(minutes=30), ten + timedelta(hours=2)) == bookings["m1"]
    assert domain.clash(bookings, ten - timedelta(minutes=30), ten + timedelta(minutes=1)) == bookings["m1"]
    assert domain.clash(bookings, ten + timedelta(hours=1), ten + timedelta(hours=2)) is None
    assert domain.clash(bookings, ten, ten + timedelta(hours=1), ignore="m1") is None


@pytest.mark.parametrize("record, field", [
    ({"took_place": True}, "outcome"),
    ({"took_place": True, "outcome": "declined", "contact_details_given": True}, "decline_reason_code"),
    ({"took_place": False}, "reason_not_held_code"),
])
def test_recording_needs_what_the_outcome_needs(record, field):
    meeting = {"status": "arranged", "starts_at": (NOW - timedelta(hours=1)).isoformat()}
    with pytest.raises(domain.MeetingRefused) as refused:
        domain.check_record(meeting, record, NOW)
    assert field in refused.value.errors


def test_a_meeting_is_recorded_once_and_not_before_it_starts():
    with pytest.raises(domain.MeetingRefused):
        domain.check_record({"status": "arranged", "starts_at": (NOW + timedelta(hours=1)).isoformat()},
                            {"took_place": True, "outcome": "take_up"}, NOW)
    with pytest.raises(domain.MeetingStateForbids):
        domain.check_record({"status": "held", "starts_at": NOW.isoformat()}, {"took_place": False,
                                                                               "reason_not_held": "x"}, NOW)


def test_a_meeting_is_in_the_diary_on_its_london_date():
    assert domain.diary_day(datetime(2026, 6, 30, 23, 30, tzinfo=timezone.utc)) == "2026-07-01"  # BST
    assert domain.diary_day(datetime(2026, 12, 31, 23, 30, tzinfo=timezone.utc)) == "2026-12-31"  # GMT


def test_deadlines_needing_attention_are_at_risk_or_missed_soonest_first():
    case = {"referral_id": "r1", "council": "CARDIFF", "advocate_email": "a@example.org", "clocks": {
        "acknowledge_by": {"due_at": "2026-11-20T23:59:59+00:00", "state": "met"},
        "allocate_by": {"due_at": "2026-11-23T23:59:59+00:00", "state": "missed"},
        "first_contact_by": {"due_at": "2026-11-24T23:59:59+00:00", "state": "at_risk"},
        "meeting_by": {"due_at": "2026-12-14T10:00:00+00:00", "state": "pending"}}}
    assert [d["deadline"] for d in domain.needing_attention(case)] == ["allocate_by", "first_contact_by"]
    assert [d["deadline"] for d in domain.needing_attention(case, ("missed",))] == ["allocate_by"]


@pytest.mark.parametrize("now, soon", [
    (datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc), ["meeting_by"]),  # exactly a week before it falls due
    (datetime(2026, 12, 7, 9, 59, tzinfo=timezone.utc), []),  # a minute more than a week
])
def test_a_pending_deadline_is_due_soon_within_the_week_before_it_falls_due(now, soon):
    case = {"referral_id": "r1", "council": "CARDIFF", "advocate_email": None, "clocks": {
        "allocate_by": {"due_at": "2026-12-01T23:59:59+00:00", "state": "missed"},
        "meeting_by": {"due_at": "2026-12-14T10:00:00+00:00", "state": "pending"}}}
    found = domain.needing_attention(case, ("missed", "due_soon"), now)
    assert [(d["deadline"], d["state"]) for d in found] == [("allocate_by", "missed")] + [(n, "due_soon") for n in soon]
    assert [d["deadline"] for d in domain.needing_attention(case, ("due_soon",))] == [], "no moment, nothing soon"


def test_a_complaints_time_limits_skip_christmas_and_new_year_in_wales():
    received = datetime(2026, 12, 23, 15, 0, tzinfo=timezone.utc)  # a Wednesday
    clocks = domain.complaint_clocks(received, "wales", 2, 10)
    # working days after the 23rd: 24th; not 25th (Christmas), 26th-27th (weekend) or 28th (Boxing Day, moved
    # from the Saturday); 29th is the second
    assert clocks["acknowledge_by"]["due_at"] == "2026-12-29T23:59:59+00:00"
    # then 30th, 31st, (1 January a bank holiday, then a weekend) 4th-8th January, and the 11th is the tenth
    assert clocks["respond_by"]["due_at"] == "2027-01-11T23:59:59+00:00"
    assert clocks["acknowledge_by"]["at_risk_at"] == "2026-12-24T23:59:59+00:00"


def test_a_second_stage_answer_is_due_ten_working_days_after_the_escalation():
    escalated = datetime(2026, 12, 24, 11, 0, tzinfo=timezone.utc)  # Christmas Eve, a Thursday
    clock = domain.second_stage_clock(escalated, "wales", 10)
    # 29th, 30th, 31st, then 4th-8th and 11th-12th January: the 12th is the tenth working day
    assert clock == {"due_at": "2027-01-12T23:59:59+00:00", "at_risk_at": "2027-01-11T23:59:59+00:00",
                     "state": "pending"}


# one live meeting per referral, and who may act on it


def meeting(meeting_id: str, status: str) -> dict:
    return {"id": meeting_id, "status": status}


@pytest.mark.parametrize("status", ["cancelled", "held", "not_held"])
def test_a_meeting_that_no_longer_stands_leaves_room_for_another(status):
    domain.check_one_live_meeting([meeting("m1", status)], {"meeting_id": "m1", "at": NOW.isoformat()}, NOW)
    domain.check_one_live_meeting([], None, NOW)


def test_a_referral_has_one_live_meeting_and_the_refusal_names_it():
    with pytest.raises(domain.MeetingStands) as stands:
        domain.check_one_live_meeting([meeting("m1", "cancelled"), meeting("m2", "arranged")], None, NOW)
    assert stands.value.meeting_id == "m2" and "m2" in str(stands.value)
    assert isinstance(stands.value, domain.MeetingStateForbids), "a conflict with the referral's state (409)"


def test_a_meeting_being_arranged_right_now_stands_until_its_claim_lapses():
    claim = {"meeting_id": "m3", "at": (NOW - timedelta(seconds=5)).isoformat()}
    with pytest.raises(domain.MeetingStands) as stands:
        domain.check_one_live_meeting([meeting("m1", "cancelled")], claim, NOW)
    assert stands.value.meeting_id == "m3"
    lapsed = NOW + domain.UNCONFIRMED
    domain.check_one_live_meeting([meeting("m1", "cancelled")], claim, lapsed)  # its request died: free again
    domain.check_one_live_meeting([meeting("m3", "cancelled")], claim, NOW)  # written, and cancelled since


@pytest.mark.parametrize("advocate_email, by, role", [
    ("a@provider.example", "a@provider.example", "advocate"),
    ("a@provider.example", "m@provider.example", "manager"),
    (None, "m@provider.example", "manager"),
])
def test_the_allocated_advocate_and_managers_act_on_a_meeting(advocate_email, by, role):
    domain.check_allocated(advocate_email, by, role)


@pytest.mark.parametrize("advocate_email, by, role", [
    ("a@provider.example", "b@provider.example", "advocate"),
    (None, "b@provider.example", "advocate"),
    ("a@provider.example", "a@provider.example", "admin"),
    ("a@provider.example", "a@provider.example", None),
])
def test_anyone_else_is_not_allowed(advocate_email, by, role):
    with pytest.raises(domain.NotAllocated):
        domain.check_allocated(advocate_email, by, role)


@pytest.mark.parametrize("status", ["cancelled", "held", "not_held"])
def test_only_a_meeting_that_stands_is_moved_cancelled_or_recorded(status):
    domain.check_arranged(meeting("m1", "arranged"))
    with pytest.raises(domain.MeetingStateForbids, match=status):
        domain.check_arranged(meeting("m1", status))
