"""The complaints service's internal API on its real SQLite store: anyone may make a complaint and follow it by its
private key; only managers read and answer complaints; councils never see them; each step keeps its rules and
commits the event it announces with the state it changed."""

from __future__ import annotations

import pytest

from shared.web import ACTOR_HEADER, COUNCIL_HEADER, ROLE_HEADER

from services.complaints.app import create_app
from tests.integration.outbox import announced

PUBLIC = {ACTOR_HEADER: "public"}
MANAGER = {ACTOR_HEADER: "manager@provider.example", ROLE_HEADER: "manager"}
ADVOCATE = {ACTOR_HEADER: "advocate@provider.example", ROLE_HEADER: "advocate"}
COUNCIL = {ACTOR_HEADER: "key-1", COUNCIL_HEADER: "CARDIFF"}
COMPLAINT = {"kind": "complaint", "made_by": "child", "about": "My advocate did not come", "council": "CARDIFF",
             "language": "cy", "wants_reply": True, "contact": {"email": "child@example.com"}}


@pytest.fixture
def store(service_store):
    return service_store


@pytest.fixture
def client(settings, store):
    return create_app(settings, store=store).test_client()


def made(client, **changes) -> dict:
    answer = client.post("/complaints", json={**COMPLAINT, **changes}, headers=PUBLIC)
    assert answer.status_code == 201, answer.json
    return answer.json


def test_a_complaint_is_received_announced_and_followed_by_its_private_key_alone(client, store):
    complaint = made(client)
    assert complaint["status"] == "received" and complaint["nation"] == "wales" and complaint["tracking_key"]
    assert announced(store) == ["complaint.received"]
    followed = client.get(f"/followed/{complaint['tracking_key']}", headers=PUBLIC)
    assert followed.status_code == 200 and followed.json["kind"] == "complaint"
    assert "contact" not in followed.json and "name" not in followed.json, "the follow page shows no one's details"
    assert client.get(f"/followed/{'x' * 32}", headers=PUBLIC).status_code == 404
    stored = client.get(f"/complaints/{complaint['id']}", headers=MANAGER).json
    assert complaint["tracking_key"] not in str(stored), "only the key's digest is kept"


def test_only_managers_read_and_answer_and_councils_never_see_complaints(client, store):
    complaint = made(client)
    for caller in (PUBLIC, ADVOCATE):
        assert client.get(f"/complaints/{complaint['id']}", headers=caller).status_code == 403
        assert client.post(f"/complaints/{complaint['id']}/acknowledge", json={}, headers=caller).status_code == 403
    assert client.get("/complaints", headers=COUNCIL).status_code == 403
    assert client.post("/complaints", json=COMPLAINT, headers=COUNCIL).status_code == 403
    assert [c["id"] for c in client.get("/complaints", headers=MANAGER).json["items"]] == [complaint["id"]]


def test_a_complaint_answered_escalated_and_answered_again_each_step_with_its_event(client, store):
    complaint = made(client)
    announced(store)
    path = f"/complaints/{complaint['id']}"
    assert client.post(f"{path}/acknowledge", json={}, headers=MANAGER).json["status"] == "acknowledged"
    answer = client.post(f"{path}/respond", json={"outcome": "partly_upheld", "summary": "We are sorry"},
                         headers=MANAGER)
    assert answer.status_code == 200 and answer.json["status"] == "responded"
    assert client.post(f"{path}/escalate", json={}, headers=MANAGER).json["stage"] == 2
    assert client.post(f"{path}/respond", json={"outcome": "upheld", "summary": "Put right"},
                       headers=MANAGER).status_code == 200
    last = client.post(f"{path}/escalate", json={}, headers=MANAGER)
    assert last.status_code == 409, "no stage after the last"
    assert announced(store) == ["complaint.acknowledged", "complaint.responded", "complaint.escalated",
                                "complaint.responded"]


def test_a_refused_request_names_its_fields_and_changes_nothing(client, store):
    refused = client.post("/complaints", json={**COMPLAINT, "kind": "moan", "about": " ", "contact": {}},
                          headers=PUBLIC)
    assert refused.status_code == 422 and {"kind", "about", "contact"} <= set(refused.json["errors"])
    unknown = client.post("/complaints", json={**COMPLAINT, "council": "ATLANTIS"}, headers=PUBLIC)
    assert unknown.status_code == 422 and "council" in unknown.json["errors"]
    assert announced(store) == [] and client.get("/complaints", headers=MANAGER).json["items"] == []
    complaint = made(client)
    announced(store)
    answer = client.post(f"/complaints/{complaint['id']}/respond", json={"outcome": "withdrawn"}, headers=MANAGER)
    assert answer.status_code == 422 and {"outcome", "summary"} <= set(answer.json["errors"])
    assert client.post(f"/complaints/{complaint['id']}/teleport", json={}, headers=MANAGER).status_code == 404
    assert client.post("/complaints/no-such/acknowledge", json={}, headers=MANAGER).status_code == 404
    assert client.get(f"/complaints/{complaint['id']}", headers=MANAGER).json["status"] == "received"
    assert announced(store) == []


def test_the_complainant_asks_by_their_key_for_the_answer_to_be_looked_at_again(client, store):
    complaint = made(client)
    key = complaint["tracking_key"]
    announced(store)
    early = client.post(f"/followed/{key}/review", json={"reason": "Still not right"}, headers=PUBLIC)
    assert early.status_code == 409, "nothing to look at again before it is answered"
    assert client.post(f"/complaints/{complaint['id']}/respond", json={"outcome": "not_upheld", "summary": "Sorry"},
                       headers=MANAGER).status_code == 200
    assert client.get(f"/followed/{key}", headers=PUBLIC).json["may_ask_for_review"] is True
    unsaid = client.post(f"/followed/{key}/review", json={}, headers=PUBLIC)
    assert unsaid.status_code == 422 and "reason" in unsaid.json["errors"]
    assert client.post("/followed/a-key-nobody-was-given-000/review", json={"reason": "x"},
                       headers=PUBLIC).status_code == 404
    announced(store)
    asked = client.post(f"/followed/{key}/review", json={"reason": "Still not right"}, headers=PUBLIC)
    assert asked.status_code == 200 and asked.json["stage"] == 2 and asked.json["status"] == "escalated"
    assert "about" not in asked.json and "name" not in asked.json, "their own view, as the follow page shows it"
    assert announced(store) == ["complaint.escalated"]
    seen = client.get(f"/complaints/{complaint['id']}", headers=MANAGER).json
    assert seen["review_requests"][0]["reason"] == "Still not right" and seen["timeline"][-1]["by"] == "complainant"
    assert client.post(f"/followed/{key}/review", json={"reason": "Again"}, headers=PUBLIC).status_code == 409


def test_a_step_answers_the_complaint_as_a_read_gives_it_next_the_day_it_falls_due_included(client, store):
    complaint = made(client)
    withdrawn = client.post(f"/complaints/{complaint['id']}/withdraw", json={}, headers=MANAGER)
    assert withdrawn.status_code == 200, withdrawn.json
    read = client.get(f"/complaints/{complaint['id']}", headers=MANAGER).json
    assert withdrawn.json["erase_on"] == read["erase_on"] and read["erase_on"], "closed: it falls due in 6 years"
    assert "name_key" not in withdrawn.json and "name_key" not in read and "name_key" not in complaint, \
        "the digest a subject access export finds the complaint by is no one's to read"
    compliment = made(client, kind="compliment")
    assert compliment["erase_on"] and compliment["erase_on"] == client.get(
        f"/complaints/{compliment['id']}", headers=MANAGER).json["erase_on"]
