"""Meetings through the API: arranged in the advocate's diary, never double-booked, late only with a reason,
recorded with the Active Offer's outcome; the referral and the council see what followed."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import requests

from services.gateway import handlers
from services.scheduling import deadlines
from shared.unit_of_work import UnitOfWork
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.conftest import assert_problem

VENUE = {"name": "Ysgol y Wern", "address": "Heol y Wern, Caerdydd", "accessible": True, "risk_assessed": True}

LONDON = ZoneInfo("Europe/London")


def soon(seconds: float = 2.0) -> str:
    return (datetime.now(timezone.utc) + timedelta(seconds=seconds)).isoformat()


def wait_until_started(meeting: dict) -> None:
    starts = datetime.fromisoformat(meeting["starts_at"])
    time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds()) + 0.1)


def in_days(days: int, hour: int = 10) -> str:
    moment = datetime.now(timezone.utc) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


@pytest.fixture
def team(platform):
    email = f"advocate-{uuid.uuid4().hex[:6]}@provider.example"
    handlers.create_user(platform.gateway, platform.councils, email, "advocate", None, "a long enough password")
    return {"council": platform.key("CARDIFF"), "manager": platform.staff("manager"), "email": email,
            "advocate": {"Authorization": f"Bearer {handlers.create_token(platform.gateway, email)}"}}


def allocated_referral(platform, team, **consent) -> str:
    body = example_referral()
    body["consent"].update(consent)
    referral_id = platform.post("/api/v1/referrals", team["council"], json=body).json()["id"]
    platform.post(f"/api/v1/referrals/{referral_id}/allocate", team["manager"], json={"advocate_email": team["email"]})
    scheduling = platform.store("scheduling")
    wait_for(lambda: (scheduling.get("cases", referral_id) or None) and
             scheduling.get("cases", referral_id).body["advocate_email"] == team["email"],
             what="scheduling to learn of the allocation")
    return referral_id


def arrange(platform, team, referral_id, **changes) -> requests.Response:
    body = {"starts_at": in_days(2), "duration_minutes": 60, "venue": VENUE, "language": "cy", **changes}
    return platform.post(f"/api/v1/referrals/{referral_id}/meetings", team["advocate"], json=body)


def council_view(platform, team, referral_id, until):
    return wait_for(lambda: until(r := platform.get(f"/api/v1/referrals/{referral_id}", team["council"]).json())
                    and r, what="the council's view to catch up")


def closed_since(platform, team, updated_at: str) -> list[dict]:
    """The council's closed referrals changed since `updated_at`, as its list shows them."""
    return platform.get("/api/v1/referrals", team["council"],
                        params={"status": "closed", "limit": 100, "updated_since": updated_at}).json()["items"]


def test_deadlines_are_counted_in_working_days_and_shown_to_the_council(platform, team):
    referral_id = platform.post("/api/v1/referrals", team["council"], json=example_referral()).json()["id"]
    view = council_view(platform, team, referral_id, lambda r: r["deadlines"])
    assert set(view["deadlines"]) == {"acknowledge_by", "allocate_by", "first_contact_by", "meeting_by"}
    assert view["deadlines"]["acknowledge_by"].endswith(("23:59:59+00:00", "23:59:59+01:00"))
    assert view["deadlines"]["meeting_by"] == example_referral()["statutory_meeting_at"]


@pytest.mark.parametrize("share_outcome", [True, False])
def test_take_up_opens_the_issue_based_referral_and_the_council_hears_as_consent_allows(platform, team,
                                                                                         share_outcome):
    referral_id = allocated_referral(platform, team, share_outcome_with_referrer=share_outcome,
                                     share_arrangements_with_referrer=True)
    meeting = arrange(platform, team, referral_id, starts_at=soon(2.0))
    assert meeting.status_code == 201, meeting.text
    assert meeting.json()["status"] == "arranged" and meeting.json()["late"] is False
    view = council_view(platform, team, referral_id, lambda r: r["status"] == "meeting_arranged")
    assert view["meeting"]["venue"] == "Ysgol y Wern" and "starts_at" in view["meeting"]
    wait_until_started(meeting.json())
    recorded = platform.post(f"/api/v1/meetings/{meeting.json()['id']}/record", team["advocate"],
                             json={"took_place": True, "outcome": "take_up"})
    assert recorded.status_code == 200, recorded.text
    follow_on = recorded.json()["follow_on_referral_id"]
    assert follow_on

    view = council_view(platform, team, referral_id, lambda r: r["status"] == "closed")
    assert view["meeting_took_place"] is True and view["meeting"]["status"] == "held"
    assert ("outcome" in view) is share_outcome and ("follow_on_referral_id" in view) is share_outcome
    if share_outcome:
        assert (view["outcome"], view["follow_on_referral_id"]) == ("take_up", follow_on)
    new = wait_for(lambda: platform.get(f"/api/v1/referrals/{follow_on}", team["manager"]).json()
                   if platform.get(f"/api/v1/referrals/{follow_on}", team["manager"]).status_code == 200 else None,
                   what="the follow-on referral")
    assert (new["kind"], new["source"], new["follow_on_of"]) == ("issue_based", "active_offer", referral_id)
    again = platform.post(f"/api/v1/meetings/{meeting.json()['id']}/record", team["advocate"],
                          json={"took_place": True, "outcome": "declined", "decline_reason": "changed mind"})
    assert_problem(again, 409)


@pytest.mark.parametrize("outcome, extra, support", [
    ("declined", {"decline_reason": "No need now", "contact_details_given": True}, "none"),
    ("reflecting", {"contact_details_given": True}, "none"),
    ("other_support", {"other_support_type": "informal"}, "informal")])
def test_other_outcomes_close_the_referral_without_a_follow_on(platform, team, outcome, extra, support):
    referral_id = allocated_referral(platform, team, share_outcome_with_referrer=True)
    meeting = arrange(platform, team, referral_id, starts_at=soon(2.0)).json()
    wait_until_started(meeting)
    recorded = platform.post(f"/api/v1/meetings/{meeting['id']}/record", team["advocate"],
                             json={"took_place": True, "outcome": outcome, **extra})
    assert recorded.status_code == 200 and recorded.json()["follow_on_referral_id"] is None
    view = council_view(platform, team, referral_id, lambda r: r["status"] == "closed")
    assert view["outcome"] == outcome and "follow_on_referral_id" not in view
    assert (view["named_advocate"], view["support_type"]) == (team["email"], support), "no name known: the email"


def test_with_consent_the_council_is_told_the_advocate_by_name_and_the_support(platform, team):
    named = f"nia-{uuid.uuid4().hex[:6]}@provider.example"
    handlers.create_user(platform.gateway, platform.councils, named, "advocate", None, "a long enough password",
                         name="Nia Jones")
    team = {**team, "email": named,
            "advocate": {"Authorization": f"Bearer {handlers.create_token(platform.gateway, named)}"}}
    referral_id = allocated_referral(platform, team, share_outcome_with_referrer=True)
    meeting = arrange(platform, team, referral_id, starts_at=soon(2.0)).json()
    wait_until_started(meeting)
    recorded = platform.post(f"/api/v1/meetings/{meeting['id']}/record", team["advocate"], json={
        "took_place": True, "outcome": "take_up", "topics_covered": ["advocate_role", "rights"],
        "left_with_child": ["leaflet"]})
    assert (recorded.json()["topics_covered"], recorded.json()["left_with_child"]) == (
        ["advocate_role", "rights"], ["leaflet"])
    view = council_view(platform, team, referral_id, lambda r: r["status"] == "closed")
    assert (view["named_advocate"], view["support_type"]) == ("Nia Jones", "issue_based_advocacy")
    listed = closed_since(platform, team, view["updated_at"])
    assert [r["named_advocate"] for r in listed if r["id"] == referral_id] == ["Nia Jones"]


def test_without_consent_the_council_is_told_neither_the_advocate_nor_the_support(platform, team):
    referral_id = allocated_referral(platform, team, share_outcome_with_referrer=False)
    meeting = arrange(platform, team, referral_id, starts_at=soon(2.0)).json()
    wait_until_started(meeting)
    recorded = platform.post(f"/api/v1/meetings/{meeting['id']}/record", team["advocate"], json={
        "took_place": True, "outcome": "declined", "decline_reason_code": "support_elsewhere",
        "decline_reason_note": "Her aunt helps", "contact_details_given": True})
    assert (recorded.json()["decline_reason_code"], recorded.json()["decline_reason_note"]) == (
        "support_elsewhere", "Her aunt helps")
    view = council_view(platform, team, referral_id, lambda r: r["status"] == "closed")
    listed = closed_since(platform, team, view["updated_at"])
    assert referral_id in [r["id"] for r in listed]
    for seen in (view, *[r for r in listed if r["id"] == referral_id]):
        assert not {"named_advocate", "support_type", "contact_details_given", "outcome"} & set(seen)
        assert team["email"] not in str(seen) and "aunt" not in str(seen)


def test_the_venues_type_and_an_interpreter_used_are_kept_and_an_interpreter_at_a_meeting_not_held_refused(
        platform, team):
    referral_id = allocated_referral(platform, team)
    meeting = arrange(platform, team, referral_id, starts_at=soon(2.0), venue={**VENUE, "type": "school"}).json()
    assert meeting["venue"]["type"] == "school"
    wait_until_started(meeting)
    refused = platform.post(f"/api/v1/meetings/{meeting['id']}/record", team["advocate"],
                            json={"took_place": False, "reason_not_held": "Unwell", "interpreter_used": True})
    assert_problem(refused, 422, "interpreter_used")
    recorded = platform.post(f"/api/v1/meetings/{meeting['id']}/record", team["advocate"],
                             json={"took_place": True, "outcome": "reflecting", "interpreter_used": True,
                                   "contact_details_given": True})
    assert recorded.status_code == 200 and recorded.json()["interpreter_used"] is True


def test_an_older_clients_reason_in_words_is_kept_as_other_and_refused_beside_a_code(platform, team):
    referral_id = allocated_referral(platform, team)
    meeting = arrange(platform, team, referral_id, starts_at=soon(2.0)).json()
    wait_until_started(meeting)
    both = platform.post(f"/api/v1/meetings/{meeting['id']}/record", team["advocate"], json={
        "took_place": False, "reason_not_held_code": "child_unavailable", "reason_not_held": "Unwell"})
    problem = assert_problem(both, 422, "reason_not_held")
    assert "reason_not_held_note" in str(problem["errors"]["reason_not_held"])
    recorded = platform.post(f"/api/v1/meetings/{meeting['id']}/record", team["advocate"],
                             json={"took_place": False, "reason_not_held": "Unwell"})
    assert (recorded.json()["reason_not_held_code"], recorded.json()["reason_not_held_note"]) == ("other", "Unwell")


def test_a_meeting_not_held_returns_the_referral_to_contacting(platform, team):
    referral_id = allocated_referral(platform, team)
    meeting = arrange(platform, team, referral_id, starts_at=soon(2.0)).json()
    wait_until_started(meeting)
    recorded = platform.post(f"/api/v1/meetings/{meeting['id']}/record", team["advocate"],
                             json={"took_place": False, "reason_not_held": "The child was unwell"})
    assert recorded.json()["status"] == "not_held"
    view = council_view(platform, team, referral_id, lambda r: r["meeting"]["status"] == "not_held")
    assert view["meeting_took_place"] is False and view["status"] == "contacting"


def test_an_advocate_is_never_double_booked(platform, team):
    first, second = allocated_referral(platform, team), allocated_referral(platform, team)
    at = in_days(3, hour=14)
    assert arrange(platform, team, first, starts_at=at).status_code == 201
    problem = assert_problem(arrange(platform, team, second, starts_at=at), 409)
    assert "already booked" in problem["detail"]
    overlapping = (datetime.fromisoformat(at) + timedelta(minutes=30)).isoformat()
    assert_problem(arrange(platform, team, second, starts_at=overlapping), 409)
    after = (datetime.fromisoformat(at) + timedelta(hours=1)).isoformat()
    assert arrange(platform, team, second, starts_at=after).status_code == 201


def arranged_meetings(platform, referral_id) -> list[dict]:
    return [d.body for d in platform.store("scheduling").find("meetings", {"referral_id": referral_id}, limit=100)]


def test_a_referral_has_one_live_meeting_and_a_second_is_refused_naming_it(platform, team):
    referral_id = allocated_referral(platform, team)
    first = arrange(platform, team, referral_id, starts_at=in_days(3, hour=9))
    assert first.status_code == 201, first.text
    second = arrange(platform, team, referral_id, starts_at=in_days(4, hour=9))
    problem = assert_problem(second, 409)
    assert problem["meeting_id"] == first.json()["id"] and first.json()["id"] in problem["detail"]
    assert "reschedule or cancel" in problem["detail"]
    assert [m["id"] for m in arranged_meetings(platform, referral_id)] == [first.json()["id"]]
    diary = platform.store("scheduling").get("diaries", team["email"]).body["bookings"]
    assert [k for k, b in diary.items() if b["referral_id"] == referral_id] == [first.json()["id"]]
    by_manager = platform.post(f"/api/v1/referrals/{referral_id}/meetings", team["manager"], json={
        "starts_at": in_days(5), "duration_minutes": 60, "venue": VENUE})
    assert assert_problem(by_manager, 409)["meeting_id"] == first.json()["id"]


def test_of_arranges_sent_at_once_only_one_wins(platform, team):
    referral_id = allocated_referral(platform, team)
    barrier = threading.Barrier(4)

    def one(hour: int) -> requests.Response:
        barrier.wait()
        return arrange(platform, team, referral_id, starts_at=in_days(9, hour=hour))

    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(one, (9, 11, 13, 15)))
    won = [a for a in answers if a.status_code == 201]
    assert len(won) == 1, [a.text for a in answers]
    winner = won[0].json()["id"]
    for lost in (a for a in answers if a.status_code != 201):
        assert assert_problem(lost, 409)["meeting_id"] == winner
    assert [(m["id"], m["status"]) for m in arranged_meetings(platform, referral_id)] == [(winner, "arranged")]
    bookings = platform.store("scheduling").get("diaries", team["email"]).body["bookings"]
    assert [k for k, b in bookings.items() if b["referral_id"] == referral_id] == [winner]


def test_a_meeting_after_the_deadline_needs_a_late_reason(platform, team):
    referral_id = allocated_referral(platform, team)
    late = in_days(30)
    assert_problem(arrange(platform, team, referral_id, starts_at=late), 422, "late_reason")
    arranged = arrange(platform, team, referral_id, starts_at=late, late_reason="The child asked to meet after exams")
    assert arranged.status_code == 201 and arranged.json()["late"] is True


@pytest.mark.parametrize("changes, field", [
    ({"venue": {**VENUE, "accessible": False}}, "venue.accessible"),
    ({"venue": {**VENUE, "risk_assessed": False}}, "venue.risk_assessed"),
    ({"venue": {"name": "Ysgol"}}, "venue.accessible"),
    ({"starts_at": "2020-01-01T10:00:00+00:00"}, "starts_at"),
    ({"starts_at": "tomorrow"}, "starts_at"),
    ({"duration_minutes": 600}, "duration_minutes"),
    ({"duration_minutes": "60"}, "duration_minutes"),
    ({"venue": {**VENUE, "type": "cafe"}}, "venue.type"),
])
def test_meetings_that_cannot_be_are_refused_and_nothing_is_booked(platform, team, changes, field):
    referral_id = allocated_referral(platform, team)
    assert_problem(arrange(platform, team, referral_id, **changes), 422, field)
    diary = platform.store("scheduling").get("diaries", team["email"])
    assert diary is None or diary.body["bookings"] == {}


def test_no_meeting_before_allocation_and_roles_apply(platform, team):
    referral_id = platform.post("/api/v1/referrals", team["council"], json=example_referral()).json()["id"]
    council_view(platform, team, referral_id, lambda r: r["deadlines"])
    assert_problem(arrange(platform, team, referral_id), 409)
    assert_problem(platform.post(f"/api/v1/referrals/{referral_id}/meetings", team["council"],
                                 json={"starts_at": in_days(2), "venue": VENUE}), 403)
    assert_problem(platform.post(f"/api/v1/meetings/{uuid.uuid4()}/cancel", team["advocate"],
                                 json={"reason": "x"}), 404)


def test_rescheduling_and_cancelling(platform, team):
    referral_id = allocated_referral(platform, team)
    meeting = arrange(platform, team, referral_id, starts_at=in_days(4)).json()
    moved = platform.post(f"/api/v1/meetings/{meeting['id']}/reschedule", team["advocate"],
                          json={"starts_at": in_days(5), "reason": "The child has a dentist appointment"})
    assert moved.status_code == 200 and moved.json()["starts_at"] == in_days(5)
    council_view(platform, team, referral_id, lambda r: r["meeting"].get("starts_at") == in_days(5))
    elsewhere = {"name": "Youth centre", "accessible": True, "risk_assessed": True, "type": "community"}
    refused = platform.post(f"/api/v1/meetings/{meeting['id']}/reschedule", team["advocate"], json={
        "starts_at": in_days(6), "reason": "Nearer school", "venue": {**elsewhere, "accessible": False}})
    assert_problem(refused, 422, "venue.accessible")
    moved = platform.post(f"/api/v1/meetings/{meeting['id']}/reschedule", team["advocate"],
                          json={"starts_at": in_days(6), "reason": "Nearer school", "venue": elsewhere})
    assert moved.status_code == 200 and moved.json()["venue"]["name"] == "Youth centre", moved.text
    council_view(platform, team, referral_id, lambda r: r["meeting"].get("venue") == "Youth centre")
    cancelled = platform.post(f"/api/v1/meetings/{meeting['id']}/cancel", team["advocate"],
                              json={"reason": "The child moved placement"})
    assert cancelled.json()["status"] == "cancelled"
    view = council_view(platform, team, referral_id, lambda r: r["meeting"]["status"] == "none")
    assert view["status"] == "contacting"
    assert_problem(platform.post(f"/api/v1/meetings/{meeting['id']}/cancel", team["advocate"],
                                 json={"reason": "again"}), 409)
    assert arrange(platform, team, referral_id, starts_at=in_days(4)).status_code == 201, "the slot is free again"


def test_the_advocate_gets_an_icalendar_invitation(platform, team):
    referral_id = allocated_referral(platform, team)
    meeting = arrange(platform, team, referral_id, starts_at=in_days(6)).json()
    answer = platform.get(f"/api/v1/meetings/{meeting['id']}/invitation.ics", team["advocate"])
    assert_problem(platform.get(f"/api/v1/meetings/{meeting['id']}/invitation.ics", team["council"]), 403)
    assert_problem(platform.get(f"/api/v1/meetings/{uuid.uuid4()}/invitation.ics", team["advocate"]), 404)
    from icalendar import Calendar

    event = Calendar.from_ical(answer.content).walk("VEVENT")[0]
    assert answer.headers["Content-Type"].startswith("text/calendar")
    assert event["dtstart"].dt == datetime.fromisoformat(in_days(6))
    assert "Ysgol y Wern" in str(event["location"]) and "Cerys" not in answer.text
    assert str(event["attendee"]) == f"mailto:{team['email']}"


def test_a_days_meetings_are_listed_for_the_home_page(platform, team):
    referral_id = allocated_referral(platform, team)
    meeting = arrange(platform, team, referral_id, starts_at=in_days(3, hour=11)).json()
    day = datetime.fromisoformat(meeting["starts_at"]).astimezone(LONDON).date().isoformat()
    mine = platform.get(f"/api/v1/meetings?day={day}&advocate={team['email']}", team["advocate"])
    assert mine.status_code == 200 and [m["id"] for m in mine.json()["items"]] == [meeting["id"]]
    everyone = platform.get(f"/api/v1/meetings?day={day}", team["manager"]).json()["items"]
    assert meeting["id"] in [m["id"] for m in everyone]
    assert platform.get("/api/v1/meetings?day=2026-02-30", team["advocate"]).status_code == 422
    assert platform.get("/api/v1/meetings", team["advocate"]).status_code == 422
    assert platform.get(f"/api/v1/meetings?day={day}&colour=red", team["advocate"]).status_code == 422
    assert platform.get(f"/api/v1/meetings?day={day}", team["council"]).status_code == 403


def test_deadlines_at_risk_or_missed_are_listed(platform, team):
    referral_id = allocated_referral(platform, team)
    scheduling_store = platform.store("scheduling")

    def missed_after_the_clock_ticks():
        # a tick that meets the case mid-change (the acknowledgement arriving) leaves it to the next tick, as the
        # worker's clock would
        deadlines.run_clock(UnitOfWork(scheduling_store), at=datetime.now(timezone.utc) + timedelta(days=60))
        answer = platform.get(f"/api/v1/deadlines?state=missed&advocate={team['email']}", team["advocate"])
        assert answer.status_code == 200
        found = {d["deadline"] for d in answer.json()["items"] if d["referral_id"] == referral_id}
        return answer if found >= {"first_contact_by", "meeting_by"} else None

    missed = wait_for(missed_after_the_clock_ticks, what="the missed deadlines to be listed")
    assert all(d["state"] == "missed" for d in missed.json()["items"])
    assert platform.get("/api/v1/deadlines?state=late", team["advocate"]).status_code == 422
    assert platform.get("/api/v1/deadlines", team["council"]).status_code == 403
