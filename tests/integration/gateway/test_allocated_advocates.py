"""Advocates act only on the referrals and cases allocated to them; managers on all (README: "their own referrals",
"Advocates see their own cases, managers all"). Each step of the journey and of a case, through the API with the
real services and through the web forms: refused to another advocate with nothing changed, taken by the allocated
advocate and by a manager."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

import pytest
import requests

from shared.config import Settings
from services.gateway import handlers
from services.platform import Embedded
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.conftest import Platform, assert_problem
from tests.integration.gateway.test_web_forms import Visitor, errors_on

PASSWORD = "a long enough password"
VENUE = {"name": "Ysgol y Wern", "address": "Heol y Wern, Caerdydd", "accessible": True, "risk_assessed": True}
OPENED: dict[str, object] = {}


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("allocated"), cookie_secure=False,
                       bus_prefix=f"test-{uuid.uuid4().hex[:8]}", sign_in_rate_limit="1000 per minute")
    embedded = Embedded(settings, port=0)
    embedded.start()
    yield Platform(embedded)
    for opened in OPENED.values():
        opened.close()
    OPENED.clear()
    embedded.stop()


def store(platform, service: str):
    """One store per service for the module's reads, closed with the platform."""
    if service not in OPENED:
        OPENED[service] = platform.store(service)
    return OPENED[service]


@dataclass
class Person:
    email: str
    api: dict

    def web(self, platform) -> Visitor:
        visitor = Visitor(platform.url)
        signed = visitor.submit("/sign-in", {"email": self.email, "password": PASSWORD})
        assert signed.status_code == 302, errors_on(signed)
        return visitor


def person(platform, role: str) -> Person:
    email = f"{role}-{uuid.uuid4().hex[:6]}@provider.example"
    handlers.create_user(platform.gateway, platform.councils, email, role, None, PASSWORD)
    return Person(email, {"Authorization": f"Bearer {handlers.create_token(platform.gateway, email)}"})


@pytest.fixture
def crew(platform) -> dict[str, Person]:
    """The advocate the referral is allocated to, another advocate, and a manager."""
    return {"allocated": person(platform, "advocate"), "other": person(platform, "advocate"),
            "manager": person(platform, "manager")}


def in_days(days: int, hour: int = 10) -> str:
    moment = datetime.now(timezone.utc) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0).isoformat()


def staff_view(platform, crew, referral_id: str) -> dict:
    return platform.get(f"/api/v1/referrals/{referral_id}", crew["manager"].api).json()


def allocate(platform, crew, referral_id: str) -> None:
    answer = platform.post(f"/api/v1/referrals/{referral_id}/allocate", crew["manager"].api,
                           json={"advocate_email": crew["allocated"].email})
    assert answer.status_code == 200, answer.text
    scheduling = store(platform, "scheduling")
    wait_for(lambda: (case := scheduling.get("cases", referral_id)) and
             case.body["advocate_email"] == crew["allocated"].email, what="scheduling to hear of the allocation")


def allocated_referral(platform, crew) -> str:
    referral_id = platform.post("/api/v1/referrals", platform.key("CARDIFF"), json=example_referral()).json()["id"]
    allocate(platform, crew, referral_id)
    return referral_id


def arranged_meeting(platform, crew, referral_id: str, starts_at: str | None = None) -> dict:
    answer = platform.post(f"/api/v1/referrals/{referral_id}/meetings", crew["allocated"].api, json={
        "starts_at": starts_at or in_days(3), "duration_minutes": 60, "venue": VENUE})
    assert answer.status_code == 201, answer.text
    return answer.json()


def meeting_now(platform, meeting_id: str) -> dict:
    return store(platform, "scheduling").get("meetings", meeting_id).body


def refused(answer: requests.Response) -> None:
    problem = assert_problem(answer, 403)
    assert "not allocated to you" in problem["detail"]


# the Active Offer's steps through the API


@pytest.mark.parametrize("who", ["allocated", "manager"])
def test_contact_attempts_are_logged_by_the_allocated_advocate_or_a_manager_only(platform, crew, who):
    referral_id = allocated_referral(platform, crew)
    before = staff_view(platform, crew, referral_id)
    attempt = {"method": "phone", "result": "no_answer", "note": "Tried the carer"}
    refused(platform.post(f"/api/v1/referrals/{referral_id}/contact-attempts", crew["other"].api, json=attempt))
    after = staff_view(platform, crew, referral_id)
    assert (after["timeline"], after["contact_attempts"], after["status"]) == (
        before["timeline"], before["contact_attempts"], before["status"]), "nothing changed"
    taken = platform.post(f"/api/v1/referrals/{referral_id}/contact-attempts", crew[who].api, json=attempt)
    assert taken.status_code == 201 and taken.json()["contact_attempts"][-1]["by"] == crew[who].email


def test_a_contact_attempt_may_say_when_it_was_made_but_never_a_time_it_cannot_have_been(platform, crew):
    referral_id = allocated_referral(platform, crew)
    before = staff_view(platform, crew, referral_id)
    received = datetime.fromisoformat(before["received_at"])
    attempt = {"method": "phone", "result": "no_answer"}
    for wrong in (datetime.now(timezone.utc) + timedelta(hours=2), received - timedelta(days=1), "yesterday"):
        said = wrong if isinstance(wrong, str) else wrong.isoformat()
        problem = assert_problem(platform.post(f"/api/v1/referrals/{referral_id}/contact-attempts",
                                               crew["allocated"].api, json={**attempt, "attempted_at": said}),
                                 422, "attempted_at")
        assert problem["errors"]["attempted_at"][0], problem
    assert staff_view(platform, crew, referral_id)["contact_attempts"] == before["contact_attempts"], "nothing"
    made = received + timedelta(milliseconds=1)
    taken = platform.post(f"/api/v1/referrals/{referral_id}/contact-attempts", crew["allocated"].api,
                          json={**attempt, "attempted_at": made.isoformat()})
    assert taken.status_code == 201, taken.text
    assert datetime.fromisoformat(taken.json()["contact_attempts"][-1]["at"]) == made


def test_only_a_manager_allocates_and_closes_even_the_allocated_advocate_does_not(platform, crew):
    referral_id = allocated_referral(platform, crew)
    before = staff_view(platform, crew, referral_id)
    for who in ("allocated", "other"):
        assert_problem(platform.post(f"/api/v1/referrals/{referral_id}/allocate", crew[who].api,
                                     json={"advocate_email": crew["other"].email}), 403)
        assert_problem(platform.post(f"/api/v1/referrals/{referral_id}/close", crew[who].api,
                                     json={"reason": "withdrawn"}), 403)
    assert staff_view(platform, crew, referral_id)["timeline"] == before["timeline"]
    closed = platform.post(f"/api/v1/referrals/{referral_id}/close", crew["manager"].api, json={"reason": "withdrawn"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


@pytest.mark.parametrize("who", ["allocated", "manager"])
def test_a_meeting_is_arranged_by_the_allocated_advocate_or_a_manager_only(platform, crew, who):
    referral_id = allocated_referral(platform, crew)
    body = {"starts_at": in_days(4), "duration_minutes": 60, "venue": VENUE}
    refused(platform.post(f"/api/v1/referrals/{referral_id}/meetings", crew["other"].api, json=body))
    assert store(platform, "scheduling").find("meetings", {"referral_id": referral_id}) == []
    for diary in (crew["allocated"].email, crew["other"].email):
        assert store(platform, "scheduling").get("diaries", diary) is None, "nothing booked"
    arranged = platform.post(f"/api/v1/referrals/{referral_id}/meetings", crew[who].api, json=body)
    assert arranged.status_code == 201, arranged.text
    assert arranged.json()["advocate_email"] == crew["allocated"].email, "in the allocated advocate's diary"


MEETING_STEPS = {
    "reschedule": ({"starts_at": in_days(5), "reason": "The child has a dentist appointment"}, "arranged"),
    "cancel": ({"reason": "The child moved placement"}, "cancelled"),
    "record": ({"took_place": False, "reason_not_held": "The child was unwell"}, "not_held"),
}


@pytest.mark.parametrize("who", ["allocated", "manager"])
@pytest.mark.parametrize("step", list(MEETING_STEPS))
def test_a_meeting_is_moved_cancelled_and_recorded_by_its_advocate_or_a_manager_only(platform, crew, step, who):
    referral_id = allocated_referral(platform, crew)
    meeting = arranged_meeting(platform, crew, referral_id)
    body, status = MEETING_STEPS[step]
    refused(platform.post(f"/api/v1/meetings/{meeting['id']}/{step}", crew["other"].api, json=body))
    if step == "record":  # an outcome too, though the meeting has not started: who asks is checked first
        refused(platform.post(f"/api/v1/meetings/{meeting['id']}/record", crew["other"].api,
                              json={"took_place": True, "outcome": "declined", "decline_reason": "x"}))
    unchanged = meeting_now(platform, meeting["id"])
    assert (unchanged["status"], unchanged["starts_at"], len(unchanged["history"])) == (
        "arranged", meeting["starts_at"], 1), "nothing changed"
    taken = platform.post(f"/api/v1/meetings/{meeting['id']}/{step}", crew[who].api, json=body)
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == status and taken.json()["history"][-1]["by"] == crew[who].email


def test_the_invitation_is_for_the_meetings_advocate_and_managers_only(platform, crew):
    referral_id = allocated_referral(platform, crew)
    meeting = arranged_meeting(platform, crew, referral_id)
    path = f"/api/v1/meetings/{meeting['id']}/invitation.ics"
    refused(platform.get(path, crew["other"].api))
    for who in ("allocated", "manager"):
        answer = platform.get(path, crew[who].api)
        assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/calendar")


# the web forms offer a referral's steps to the allocated advocate and managers, and refuse them to anyone else


def test_the_web_forms_offer_the_steps_to_the_allocated_advocate_and_refuse_them_to_another(platform, crew):
    referral_id = allocated_referral(platform, crew)
    allocated, other, manager = (crew[who].web(platform) for who in ("allocated", "other", "manager"))
    for visitor in (allocated, manager):
        page = visitor.get(f"/referrals/{referral_id}").text
        assert f"/referrals/{referral_id}/contact" in page and f"/referrals/{referral_id}/arrange" in page
    page = other.get(f"/referrals/{referral_id}")
    assert page.status_code == 200, "every advocate may read the referral"
    assert f"/referrals/{referral_id}/contact" not in page.text and f"/referrals/{referral_id}/arrange" not in page.text
    before = staff_view(platform, crew, referral_id)["timeline"]
    token = other.token("/")
    for slug in ("contact", "arrange"):
        assert other.get(f"/referrals/{referral_id}/{slug}").status_code == 403
    forced = other.submit(f"/referrals/{referral_id}/contact", {"method": "phone", "result": "reached"}, token=token)
    assert forced.status_code == 403
    assert staff_view(platform, crew, referral_id)["timeline"] == before, "nothing changed"

    arranged_meeting(platform, crew, referral_id)
    wait_for(lambda: staff_view(platform, crew, referral_id)["status"] == "meeting_arranged",
             what="the referral to hear of the meeting")
    page = other.get(f"/referrals/{referral_id}").text
    assert all(f"/referrals/{referral_id}/{slug}" not in page for slug in ("reschedule", "cancel", "record"))
    for slug in ("reschedule", "cancel", "record"):
        assert other.get(f"/referrals/{referral_id}/{slug}").status_code == 403
    assert other.submit(f"/referrals/{referral_id}/cancel", {"reason": "x"}, token=token).status_code == 403
    assert "Reschedule the meeting" in allocated.get(f"/referrals/{referral_id}").text
    cancelled = allocated.submit(f"/referrals/{referral_id}/cancel", {"reason": "The child moved placement"})
    assert cancelled.status_code == 302, errors_on(cancelled)


# cases: opened on a referral allocated to the advocate, worked by them (or a manager) only


def issue_based_referral(platform, crew) -> str:
    """An Active Offer taken up: the issue-based follow-on, allocated to the advocate, as casework knows it."""
    referral_id = allocated_referral(platform, crew)
    starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    meeting = arranged_meeting(platform, crew, referral_id, starts_at=starts.isoformat())
    time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds()) + 0.1)
    recorded = platform.post(f"/api/v1/meetings/{meeting['id']}/record", crew["allocated"].api,
                             json={"took_place": True, "outcome": "take_up"})
    assert recorded.status_code == 200, recorded.text
    follow_on = recorded.json()["follow_on_referral_id"]
    wait_for(lambda: platform.get(f"/api/v1/referrals/{follow_on}", crew["manager"].api).status_code == 200,
             what="the follow-on referral")
    allocate(platform, crew, follow_on)
    casework = store(platform, "casework")
    wait_for(lambda: (stub := casework.get("referrals", follow_on)) and
             stub.body["advocate_email"] == crew["allocated"].email, what="casework to hear of the allocation")
    return follow_on


def case_now(platform, crew, case_id: str) -> dict:
    return platform.get(f"/api/v1/cases/{case_id}", crew["manager"].api).json()


def test_a_case_is_opened_and_worked_by_its_advocate_and_refused_to_another(platform, crew):
    referral_id = issue_based_referral(platform, crew)
    other_web, allocated_web = crew["other"].web(platform), crew["allocated"].web(platform)
    assert f"/referrals/{referral_id}/open-case" not in other_web.get(f"/referrals/{referral_id}").text
    assert other_web.get(f"/referrals/{referral_id}/open-case").status_code == 403
    assert f"/referrals/{referral_id}/open-case" in allocated_web.get(f"/referrals/{referral_id}").text
    opening = {"referral_id": referral_id, "consents_to_case_file": True}
    refused(platform.post("/api/v1/cases", crew["other"].api, json=opening))
    assert store(platform, "casework").find("cases", {"referral_id": referral_id}) == [], "no case opened"
    opened = platform.post("/api/v1/cases", crew["allocated"].api, json=opening)
    assert opened.status_code == 201, opened.text
    case_id = opened.json()["id"]

    told = (datetime.now(timezone.utc) - timedelta(minutes=30)).isoformat()
    disclosure = {"reason": "significant_harm", "decided_by": "Service manager", "disclosed_to": "Cardiff MASH",
                  "disclosed_at": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(),
                  "child_told": True, "child_told_at": told}
    steps = [  # (path, body, who takes it)
        ("plan", {"text": "See my brother every month", "agreed_with_child": True}, "allocated"),
        ("issues", {"theme": "contact", "description": "Contact with my brother"}, "allocated"),
        ("issues/{issue}/conclude", {"outcome": "resolved", "note": "Agreed"}, "manager"),
        ("activities", {"kind": "meeting", "contribution": "jointly"}, "allocated"),
        ("signposting", {"to": "legal"}, "manager"),
        ("advocate-change-requests", {"reason": "I would like someone else"}, "allocated"),
        ("advocate-change-requests/{request}/decide", {"result": "declined", "reason": "Not now"}, "manager"),
        ("disclosures", disclosure, "manager"),
        ("close", {"outcome": "issues_resolved", "satisfaction": 5}, "allocated"),
    ]
    for path, body, who in steps:
        case = case_now(platform, crew, case_id)
        path = path.format(issue=case["issues"][0]["id"] if case["issues"] else "none",
                           request=case["advocate_changes"][0]["id"] if case["advocate_changes"] else "none")
        assert_problem(platform.post(f"/api/v1/cases/{case_id}/{path}", crew["other"].api, json=body), 404)
        assert case_now(platform, crew, case_id) == case, f"nothing changed by {path}"
        taken = platform.post(f"/api/v1/cases/{case_id}/{path}", crew[who].api, json=body)
        assert taken.status_code in (200, 201), f"{path}: {taken.text}"
    assert case_now(platform, crew, case_id)["status"] == "closed"
    for read in (f"/api/v1/cases/{case_id}", f"/api/v1/cases/{case_id}/record"):
        assert_problem(platform.get(read, crew["other"].api), 404)
        assert platform.get(read, crew["allocated"].api).status_code == 200
    assert other_web.get(f"/cases/{case_id}").status_code == 404
    assert other_web.get(f"/cases/{case_id}/plan").status_code == 404


def test_a_manager_may_open_the_case_of_any_referral(platform, crew):
    referral_id = issue_based_referral(platform, crew)
    assert f"/referrals/{referral_id}/open-case" in crew["manager"].web(platform).get(f"/referrals/{referral_id}").text
    opened = platform.post("/api/v1/cases", crew["manager"].api,
                           json={"referral_id": referral_id, "consents_to_case_file": True})
    assert opened.status_code == 201 and opened.json()["advocate_email"] == crew["allocated"].email
