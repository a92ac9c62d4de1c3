"""Casework and complaints end to end, every service in one process on the real RabbitMQ: a take-up becomes a case
that an advocate carries to closure; a complaint is handled within its time limits; neither reaches a council."""

from __future__ import annotations

import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import requests

from shared.config import Settings
from shared.councils import CouncilRegister
from shared.store import open_store
from services.gateway import handlers
from services.gateway.store import GatewayStore
from services.platform import Embedded
from services.scheduling import domain as scheduling_domain
from tests.conftest import delete_by_prefix
from tests.examples import example_referral
from tests.integration.bus.support import wait_for

pytestmark = pytest.mark.broker
PASSWORD = "a long enough password"
VENUE = {"name": "Ysgol y Wern", "accessible": True, "risk_assessed": True}


class Team:
    def __init__(self, embedded: Embedded):
        self.url = embedded.url
        self.settings = embedded.settings
        self.gateway = GatewayStore(open_store("gateway", embedded.settings))
        councils = CouncilRegister.load()
        self.council = {"Authorization": f"Bearer {handlers.create_api_key(self.gateway, councils, 'CARDIFF')}"}
        self.emails = {}
        for role in ("manager", "advocate", "second_advocate", "commissioner"):
            email = f"{role.replace('_', '-')}-{uuid.uuid4().hex[:6]}@provider.example"
            handlers.create_user(self.gateway, councils, email, role.replace("second_", ""),
                                 "CARDIFF" if role == "commissioner" else None, PASSWORD)
            self.emails[role] = email
            setattr(self, role, {"Authorization": f"Bearer {handlers.create_token(self.gateway, email)}"})

    def post(self, path: str, who: dict, body: dict | None = None) -> requests.Response:
        return requests.post(f"{self.url}{path}", json=body if body is not None else {}, headers=who, timeout=10)

    def get(self, path: str, who: dict) -> requests.Response:
        return requests.get(f"{self.url}{path}", headers=who, timeout=10)


@pytest.fixture(scope="module")
def team(tmp_path_factory, broker_url):
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("casework"), bus_prefix=prefix,
                       amqp_url=broker_url, retry_delays=(0.2, 0.5))
    embedded = Embedded(settings, port=0)
    embedded.start()
    yield Team(embedded)
    embedded.stop()
    delete_by_prefix(broker_url, prefix)


def take_up(team: Team, **said) -> str:
    """An Active Offer from referral to take-up (the record `said` too); the issue-based follow-on's id."""
    referral_id = team.post("/api/v1/referrals", team.council, example_referral()).json()["id"]
    assert team.post(f"/api/v1/referrals/{referral_id}/allocate", team.manager,
                     {"advocate_email": team.emails["advocate"]}).status_code == 200
    team.post(f"/api/v1/referrals/{referral_id}/contact-attempts", team.advocate,
              {"method": "phone", "result": "reached"})

    def arrange():
        starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
        answer = team.post(f"/api/v1/referrals/{referral_id}/meetings", team.advocate,
                           {"starts_at": starts.isoformat(), "duration_minutes": 15, "venue": VENUE})
        return answer if answer.status_code == 201 else None

    meeting = wait_for(arrange, what="the meeting to be arranged").json()
    time.sleep(max(0.0, (datetime.fromisoformat(meeting["starts_at"]) - datetime.now(timezone.utc))
                   .total_seconds()) + 0.2)
    recorded = team.post(f"/api/v1/meetings/{meeting['id']}/record", team.advocate,
                         {"took_place": True, "outcome": "take_up", **said})
    assert recorded.status_code == 200, recorded.text
    return recorded.json()["follow_on_referral_id"]


def open_case(team: Team) -> str:
    follow_on = take_up(team)
    wait_for(lambda: team.get(f"/api/v1/referrals/{follow_on}", team.manager).status_code == 200,
             what="the follow-on referral")
    assert team.post(f"/api/v1/referrals/{follow_on}/allocate", team.manager,
                     {"advocate_email": team.emails["advocate"]}).status_code == 200

    def opened():
        answer = team.post("/api/v1/cases", team.advocate, {"referral_id": follow_on, "consents_to_case_file": True})
        return answer if answer.status_code == 201 else None

    return wait_for(opened, what="casework to hear of the allocated follow-on").json()["id"]


def test_an_advocate_carries_a_take_up_from_case_to_closure(team):
    case_id = open_case(team)
    assert team.post(f"/api/v1/cases/{case_id}/plan", team.advocate,
                     {"text": "See my brother every month", "agreed_with_child": True}).status_code == 200
    issue = team.post(f"/api/v1/cases/{case_id}/issues", team.advocate,
                      {"theme": "contact", "description": "Contact with my brother"})
    assert issue.status_code == 201
    issue_id = issue.json()["issues"][0]["id"]
    assert team.post(f"/api/v1/cases/{case_id}/activities", team.advocate,
                     {"kind": "meeting", "contribution": "jointly", "note": "At the review"}).status_code == 201
    assert team.post(f"/api/v1/cases/{case_id}/signposting", team.advocate, {"to": "legal"}).status_code == 201
    assert team.post(f"/api/v1/cases/{case_id}/close", team.advocate,
                     {"outcome": "issues_resolved"}).status_code == 409, "an issue is still open"
    assert team.post(f"/api/v1/cases/{case_id}/issues/{issue_id}/conclude", team.advocate,
                     {"outcome": "resolved", "note": "Monthly contact agreed"}).status_code == 200
    closed = team.post(f"/api/v1/cases/{case_id}/close", team.advocate,
                       {"outcome": "issues_resolved", "satisfaction": 5, "feedback": "She listened to me"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    record = team.get(f"/api/v1/cases/{case_id}/record", team.advocate)
    assert record.status_code == 200 and '<html lang="cy"' in record.text and "Dy gynllun" in record.text
    assert "See my brother every month" in record.text
    english = team.get(f"/api/v1/cases/{case_id}/record?language=en", team.advocate)
    assert "Your plan" in english.text


def test_a_disclosure_is_refused_from_an_advocate_and_recorded_by_a_manager(team):
    case_id = open_case(team)
    disclosure = {"reason": "significant_harm", "decided_by": "Service manager", "disclosed_to": "Cardiff MASH",
                  "disclosed_at": datetime.now(timezone.utc).isoformat(), "child_told": True,
                  "child_told_at": datetime.now(timezone.utc).isoformat()}
    refused = team.post(f"/api/v1/cases/{case_id}/disclosures", team.advocate, disclosure)
    assert refused.status_code == 403
    incomplete = team.post(f"/api/v1/cases/{case_id}/disclosures", team.manager,
                           {**disclosure, "child_told_at": None, "child_told": True})
    assert incomplete.status_code == 422
    assert team.get(f"/api/v1/cases/{case_id}", team.manager).json()["disclosures"] == []
    recorded = team.post(f"/api/v1/cases/{case_id}/disclosures", team.manager, disclosure)
    assert recorded.status_code == 201, recorded.text
    kept = recorded.json()["disclosures"][0]
    assert {kept[k] for k in ("reason", "decided_by", "disclosed_to")} == {"significant_harm", "Service manager",
                                                                           "Cardiff MASH"}
    assert kept["child_told"] is True and kept["child_told_at"] and kept["recorded_by"] == team.emails["manager"]


def test_a_change_of_advocate_moves_the_case(team):
    case_id = open_case(team)
    request = team.post(f"/api/v1/cases/{case_id}/advocate-change-requests", team.advocate,
                        {"reason": "The child asked for someone else"})
    request_id = request.json()["advocate_changes"][0]["id"]
    assert team.post(f"/api/v1/cases/{case_id}/advocate-change-requests/{request_id}/decide", team.advocate,
                     {"result": "granted", "new_advocate_email": team.emails["second_advocate"]}).status_code == 403
    decided = team.post(f"/api/v1/cases/{case_id}/advocate-change-requests/{request_id}/decide", team.manager,
                        {"result": "granted", "new_advocate_email": team.emails["second_advocate"]})
    assert decided.status_code == 200 and decided.json()["advocate_email"] == team.emails["second_advocate"]
    assert team.get(f"/api/v1/cases/{case_id}", team.advocate).status_code == 404
    assert team.get(f"/api/v1/cases/{case_id}", team.second_advocate).status_code == 200
    mine = team.get("/api/v1/cases", team.second_advocate).json()["items"]
    assert case_id in [c["id"] for c in mine]


def test_no_case_or_complaint_reaches_a_council_or_a_commissioner(team):
    case_id = open_case(team)
    complaint = team.post("/api/v1/complaints", team.manager, {
        "kind": "complaint", "made_by": "parent", "about": "Nobody called back", "contact": {"phone": "07700900123"}})
    for who in (team.council, team.commissioner):
        for path in ("/api/v1/cases", f"/api/v1/cases/{case_id}", f"/api/v1/cases/{case_id}/record",
                     "/api/v1/complaints", f"/api/v1/complaints/{complaint.json()['id']}"):
            assert team.get(path, who).status_code == 403, path
        assert team.post(f"/api/v1/cases/{case_id}/plan", who, {"text": "x", "agreed_with_child": True}
                         ).status_code == 403
    deliveries = open_store("notify", team.settings).find("deliveries", limit=10_000)
    assert not [d for d in deliveries if str(d.body.get("type", "")).startswith(("case.", "complaint."))]


def test_a_complaint_is_acknowledged_answered_and_taken_to_a_second_stage_within_working_days(team):
    made = team.post("/api/v1/complaints", team.manager, {
        "kind": "complaint", "made_by": "child", "about": "My advocate was late twice", "language": "cy",
        "contact": {"email": "nia@example.org"}})
    assert made.status_code == 201, made.text
    complaint_id = made.json()["id"]
    received = datetime.fromisoformat(made.json()["received_at"])
    expected = scheduling_domain.complaint_clocks(received, "wales", 2, 10)
    view = wait_for(lambda: (c := team.get(f"/api/v1/complaints/{complaint_id}", team.manager).json())["deadlines"]
                    and c, what="scheduling to count the time limits")
    assert view["deadlines"] == {name: clock["due_at"] for name, clock in expected.items()}
    assert team.post(f"/api/v1/complaints/{complaint_id}/acknowledge", team.manager).status_code == 200
    answered = team.post(f"/api/v1/complaints/{complaint_id}/respond", team.manager,
                         {"outcome": "upheld", "summary": "We are sorry; it will not happen again"})
    assert answered.status_code == 200
    assert answered.json()["responses"][0]["other_routes_told"] == ["council", "childrens_commissioner_for_wales"]
    clocks = open_store("scheduling", team.settings)
    wait_for(lambda: {c["state"] for c in clocks.get("complaint_clocks", complaint_id).body["clocks"].values()}
             == {"met"}, what="both time limits met")

    escalated = team.post(f"/api/v1/complaints/{complaint_id}/escalate", team.manager)
    assert escalated.status_code == 200 and escalated.json()["stage"] == 2
    second = scheduling_domain.second_stage_clock(
        datetime.fromisoformat(escalated.json()["updated_at"]), "wales", 10)["due_at"]
    wait_for(lambda: team.get(f"/api/v1/complaints/{complaint_id}", team.manager).json()["deadlines"]
             .get("stage_2_respond_by") == second, what="the second stage's time limit")
    assert team.post(f"/api/v1/complaints/{complaint_id}/respond", team.manager,
                     {"outcome": "upheld", "summary": "We looked again"}).status_code == 200
    wait_for(lambda: clocks.get("complaint_clocks", complaint_id).body["clocks"]["stage_2_respond_by"]["state"]
             == "met", what="the second stage answered in time")
    assert team.post(f"/api/v1/complaints/{complaint_id}/close", team.manager).json()["status"] == "closed"


@pytest.fixture(scope="module")
def a_case(team) -> str:
    return open_case(team)


@pytest.mark.parametrize("path, body", [
    ("/api/v1/cases", {"referral_id": "x", "consents_to_case_file": "yes"}),
    ("/api/v1/cases", {"consents_to_case_file": True}),
    ("/plan", {"text": "", "agreed_with_child": True}),
    ("/plan", {"text": "A plan", "agreed_with_child": False}),
    ("/issues", {"theme": "weather", "description": "x"}),
    ("/issues", {"theme": "contact", "description": "x" * 2001}),
    ("/activities", {"kind": "meeting", "contribution": "shouting"}),
    ("/signposting", {"to": "the moon"}),
    ("/close", {"outcome": "issues_resolved", "satisfaction": "5"}),
    ("/close", {"outcome": "issues_resolved", "satisfaction": 6}),
    ("/disclosures", {"reason": "curiosity"}),
    ("/api/v1/complaints", {"kind": "complaint", "made_by": "child", "about": ""}),
    ("/api/v1/complaints", {"kind": "moan", "made_by": "child", "about": "x"}),
    ("/api/v1/complaints", {"kind": "complaint", "made_by": "child", "about": "x", "colour": "red"}),
])
def test_bad_input_on_every_endpoint_is_refused_and_stores_nothing(team, a_case, path, body):
    case_id = a_case
    before = team.get(f"/api/v1/cases/{case_id}", team.manager).json()
    complaints_before = len(team.get("/api/v1/complaints", team.manager).json()["items"])
    target = path if path.startswith("/api/") else f"/api/v1/cases/{case_id}{path}"
    answer = team.post(target, team.manager, body)
    assert answer.status_code in (403, 409, 422) and answer.headers["Content-Type"].startswith(
        "application/problem+json"), answer.text
    assert team.get(f"/api/v1/cases/{case_id}", team.manager).json() == before
    assert len(team.get("/api/v1/complaints", team.manager).json()["items"]) == complaints_before


def test_a_complaints_clock_runs_over_the_christmas_bank_holidays(team):
    """A complaint received on Wednesday 23 December 2026, written as the complaints service writes one (the store and
    its `complaint.received`), runs through the bus to scheduling and back with Welsh working days counted."""
    from services.complaints import domain as complaints_domain, handlers as complaints_handlers
    from shared.store import Put

    received_at = "2026-12-23T15:00:00+00:00"
    complaint = complaints_domain.new_complaint(
        f"xmas-{uuid.uuid4().hex[:8]}", {"kind": "complaint", "made_by": "child", "about": "No reply before Christmas",
                                         "language": "en"}, "wales", received_at, "test")
    event = complaints_handlers.complaint_event("complaint.received", complaint, made_by="child", council=None,
                                       nation="wales", received_at=received_at, language="en")
    complaints_store = open_store("complaints", team.settings)
    complaints_store.commit(Put.new("complaints", complaint["id"], complaint), events=[event])
    counted = wait_for(lambda: complaints_store.get("complaints", complaint["id"]).body["deadlines"],
                       what="the time limits to come back from scheduling")
    assert counted == {"acknowledge_by": "2026-12-29T23:59:59+00:00", "respond_by": "2027-01-11T23:59:59+00:00"}
