"""The casework service's internal API on its real SQLite store: a case opens from a referral casework heard of,
for the advocate it was allocated to; another advocate's case is as if absent; each step keeps its rules, answers
in the shape the gateway reads, and commits the event it announces with the state it changed."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.contracts import new_event
from shared.unit_of_work import handle
from shared.web import ACTOR_HEADER, COUNCIL_HEADER, ROLE_HEADER

from services.casework import handlers
from services.casework.app import create_app
from tests.integration.outbox import announced

ADVOCATE = "advocate@provider.example"
OTHER = "other@provider.example"
AS_ADVOCATE = {ACTOR_HEADER: ADVOCATE, ROLE_HEADER: "advocate"}
AS_OTHER = {ACTOR_HEADER: OTHER, ROLE_HEADER: "advocate"}
AS_MANAGER = {ACTOR_HEADER: "manager@provider.example", ROLE_HEADER: "manager"}
CONSENT = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
           "share_outcome_with_referrer": True}


def heard_of(store, referral_id: str, *, language: str = "cy", advocate: str | None = ADVOCATE) -> None:
    """What casework's worker keeps of an issue-based referral and its allocation."""
    handle(handlers.remember_referral, new_event("referral.received", {
        "referral_id": referral_id, "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": "issue_based", "basis": "looked_after", "external_ref": None,
        "received_at": "2026-11-23T09:00:00+00:00", "statutory_meeting_at": None, "preferred_language": language,
        "consent": CONSENT, "source": "active_offer"}, producer="referral", subject=f"referral:{referral_id}"), store)
    if advocate:
        handle(handlers.referral_allocated, new_event("referral.allocated", {
            "referral_id": referral_id, "council": "CARDIFF", "advocate_email": advocate,
            "allocated_at": "2026-11-23T09:05:00+00:00"}, producer="referral", subject=f"referral:{referral_id}"),
            store)


@pytest.fixture
def store(service_store):
    return service_store


@pytest.fixture
def client(settings, store):
    return create_app(replace(settings, strict_queries=True), store=store).test_client()


def opened(client, store, referral_id: str = "r1") -> dict:
    heard_of(store, referral_id)
    answer = client.post("/cases", json={"referral_id": referral_id, "consents_to_case_file": True},
                         headers=AS_ADVOCATE)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_a_case_opens_once_for_the_allocated_advocate_and_says_so(client, store):
    case = opened(client, store)
    assert case["advocate_email"] == ADVOCATE and case["status"] == "open" and case["language"] == "cy"
    assert announced(store) == ["case.opened"]
    again = client.post("/cases", json={"referral_id": "r1", "consents_to_case_file": True}, headers=AS_ADVOCATE)
    assert again.status_code == 409 and announced(store) == []


def test_a_case_cannot_open_for_a_referral_unheard_of_or_by_another_advocate(client, store):
    unheard = client.post("/cases", json={"referral_id": "nope", "consents_to_case_file": True}, headers=AS_ADVOCATE)
    assert unheard.status_code == 404
    heard_of(store, "r2")
    other = client.post("/cases", json={"referral_id": "r2", "consents_to_case_file": True}, headers=AS_OTHER)
    assert other.status_code in (403, 409) and announced(store) == []


def test_another_advocates_case_is_as_absent_as_one_that_does_not_exist(client, store):
    case = opened(client, store)
    theirs = client.get(f"/cases/{case['id']}", headers=AS_OTHER)
    nothing = client.get("/cases/no-such-case", headers=AS_OTHER)
    assert theirs.status_code == nothing.status_code == 404 and theirs.json == nothing.json
    assert client.get(f"/cases/{case['id']}", headers=AS_MANAGER).status_code == 200
    assert [c["id"] for c in client.get("/cases", headers=AS_OTHER).json["items"]] == []
    assert [c["id"] for c in client.get("/cases", headers=AS_MANAGER).json["items"]] == [case["id"]]


def test_councils_and_the_public_never_reach_cases(client, store):
    case = opened(client, store)
    for caller in ({ACTOR_HEADER: "key-1", COUNCIL_HEADER: "CARDIFF"}, {ACTOR_HEADER: "public"}):
        assert client.get(f"/cases/{case['id']}", headers=caller).status_code == 403


def test_the_work_of_a_case_to_its_close_each_step_committed_with_its_event(client, store):
    case = opened(client, store)
    announced(store)
    path = f"/cases/{case['id']}"
    assert client.post(f"{path}/plan", json={"text": "Talk to school", "agreed_with_child": True},
                       headers=AS_ADVOCATE).status_code == 200
    issue = client.post(f"{path}/issues", json={"theme": "education", "description": "School"}, headers=AS_ADVOCATE)
    assert issue.status_code == 201
    issue_id = issue.json["issues"][0]["id"]
    closing = client.post(f"{path}/close", json={"outcome": "issues_resolved"}, headers=AS_ADVOCATE)
    assert closing.status_code == 409, "not while an issue is open"
    assert client.post(f"{path}/issues/{issue_id}/conclude", json={"outcome": "resolved"},
                       headers=AS_ADVOCATE).status_code == 200
    closed = client.post(f"{path}/close", json={"outcome": "issues_resolved", "satisfaction": 5},
                         headers=AS_ADVOCATE)
    assert closed.status_code == 200 and closed.json["status"] == "closed"
    assert announced(store) == ["case.plan_agreed", "case.issue_raised", "case.issue_concluded", "case.closed"]
    after = client.post(f"{path}/plan", json={"text": "More", "agreed_with_child": True}, headers=AS_ADVOCATE)
    assert after.status_code == 409 and announced(store) == []


def test_a_refused_step_names_its_field_and_changes_nothing(client, store):
    case = opened(client, store)
    announced(store)
    before = client.get(f"/cases/{case['id']}", headers=AS_ADVOCATE).json
    refused = client.post(f"/cases/{case['id']}/issues", json={"theme": "astrology", "description": "Stars"},
                          headers=AS_ADVOCATE)
    assert refused.status_code == 422 and "theme" in refused.json["errors"]
    missing = client.post(f"/cases/{case['id']}/close", json={}, headers=AS_ADVOCATE)
    assert missing.status_code == 422 and "outcome" in missing.json["errors"]
    assert client.get(f"/cases/{case['id']}", headers=AS_ADVOCATE).json == before and announced(store) == []


def test_the_childs_record_says_what_it_holds_in_their_language_or_the_one_asked_for(client, store):
    case = opened(client, store)
    record = client.get(f"/cases/{case['id']}/record", headers=AS_ADVOCATE)
    assert record.status_code == 200 and record.json["language"] == "cy" and record.json["status"] == "open"
    assert client.get(f"/cases/{case['id']}/record?language=en", headers=AS_ADVOCATE).json["language"] == "en"
    assert client.get(f"/cases/{case['id']}/record?language=xx", headers=AS_ADVOCATE).json["language"] == "cy"
    assert client.get(f"/cases/{case['id']}/record", headers=AS_OTHER).status_code == 404
