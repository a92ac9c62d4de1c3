"""The provider's side of the journey through the API: allocation, contact attempts, closing, opt-outs, and who may
do each; every transition the current status forbids is a 409."""

from __future__ import annotations

import uuid

import pytest

from services.gateway import handlers
from tests.integration.gateway.conftest import assert_problem
from tests.examples import example_referral

EXAMPLE = example_referral()


@pytest.fixture
def people(platform):
    advocate_email = f"advocate-{uuid.uuid4().hex[:6]}@provider.example"
    handlers.create_user(platform.gateway, platform.councils, advocate_email, "advocate", None,
                         "a long enough password")
    advocate = {"Authorization": f"Bearer {handlers.create_token(platform.gateway, advocate_email)}"}
    return {"council": platform.key("CARDIFF"), "manager": platform.staff("manager"), "advocate": advocate,
            "advocate_email": advocate_email, "other_council": platform.key("POWYS")}


def steps(referral: dict) -> list[str]:
    """The timeline without the acknowledgement, which arrives by the bus whenever it does."""
    return [t["what"] for t in referral["timeline"] if t["what"] != "acknowledged"]


def new_referral(platform, people) -> str:
    answer = platform.post("/api/v1/referrals", people["council"], json=EXAMPLE)
    assert answer.status_code == 201
    return answer.json()["id"]


def test_a_manager_allocates_an_advocate_contacts_and_closes(platform, people):
    referral_id = new_referral(platform, people)
    allocated = platform.post(f"/api/v1/referrals/{referral_id}/allocate", people["manager"],
                              json={"advocate_email": people["advocate_email"]})
    assert allocated.status_code == 200 and allocated.json()["status"] == "allocated"
    assert allocated.json()["advocate_email"] == people["advocate_email"]
    attempt = platform.post(f"/api/v1/referrals/{referral_id}/contact-attempts", people["advocate"],
                            json={"method": "phone", "result": "no_answer", "note": "Tried the carer's number"})
    assert attempt.status_code == 201 and attempt.json()["status"] == "contacting"
    closed = platform.post(f"/api/v1/referrals/{referral_id}/close", people["manager"],
                           json={"reason": "unable_to_contact"})
    assert closed.status_code == 200 and closed.json()["status"] == "closed"

    staff = platform.get(f"/api/v1/referrals/{referral_id}", people["advocate"]).json()
    assert steps(staff) == ["received", "allocated", "contact attempted", "closed"]
    assert staff["child"]["given_name"] == "Cerys" and staff["contact_attempts"][0]["result"] == "no_answer"
    council = platform.get(f"/api/v1/referrals/{referral_id}", people["council"]).json()
    assert council["status"] == "closed" and "child" not in council and "timeline" not in council
    assert "contact_attempts" not in council and "advocate_email" not in council


def test_what_the_status_forbids_is_a_conflict(platform, people):
    referral_id = new_referral(platform, people)
    assert_problem(platform.post(f"/api/v1/referrals/{referral_id}/contact-attempts", people["advocate"],
                                 json={"method": "phone", "result": "reached"}), 409)
    platform.post(f"/api/v1/referrals/{referral_id}/close", people["manager"], json={"reason": "withdrawn"})
    problem = assert_problem(platform.post(f"/api/v1/referrals/{referral_id}/close", people["manager"],
                                           json={"reason": "duplicate"}), 409)
    assert problem["status_now"] == "closed"
    assert_problem(platform.post(f"/api/v1/referrals/{referral_id}/allocate", people["manager"],
                                 json={"advocate_email": people["advocate_email"]}), 409)


@pytest.mark.parametrize("who, path, body", [
    ("advocate", "allocate", {"advocate_email": "a@b.example"}),
    ("council", "allocate", {"advocate_email": "a@b.example"}),
    ("council", "contact-attempts", {"method": "phone", "result": "reached"}),
    ("advocate", "close", {"reason": "withdrawn"}),
    ("council", "close", {"reason": "withdrawn"}),
])
def test_roles_decide_who_may_act(platform, people, who, path, body):
    referral_id = new_referral(platform, people)
    assert_problem(platform.post(f"/api/v1/referrals/{referral_id}/{path}", people[who], json=body), 403)


@pytest.mark.parametrize("path, body, field", [
    ("allocate", {"advocate_email": "nobody@provider.example"}, "advocate_email"),
    ("allocate", {}, "advocate_email"),
    ("contact-attempts", {"method": "pigeon", "result": "reached"}, "method"),
    ("contact-attempts", {"method": "phone", "result": "maybe"}, "result"),
    ("contact-attempts", {"method": "phone", "result": "reached", "note": "x" * 2001}, "note"),
    ("close", {"reason": "bored"}, "reason"),
])
def test_bad_commands_name_their_fields_and_change_nothing(platform, people, path, body, field):
    referral_id = new_referral(platform, people)
    who = "advocate" if path == "contact-attempts" else "manager"
    before = platform.get(f"/api/v1/referrals/{referral_id}", people["manager"]).json()
    assert_problem(platform.post(f"/api/v1/referrals/{referral_id}/{path}", people[who], json=body), 422, field)
    after = platform.get(f"/api/v1/referrals/{referral_id}", people["manager"]).json()
    assert (after["status"], steps(after)) == (before["status"], steps(before))


def test_staff_lists_filter_by_status_council_and_advocate(platform, people):
    referral_id = new_referral(platform, people)
    platform.post(f"/api/v1/referrals/{referral_id}/allocate", people["manager"],
                  json={"advocate_email": people["advocate_email"]})
    mine = platform.get("/api/v1/referrals", people["advocate"], params={"advocate": people["advocate_email"]}).json()
    assert [r["id"] for r in mine["items"]] == [referral_id]
    cardiff = platform.get("/api/v1/referrals", people["manager"],
                           params={"council": "CARDIFF", "status": "allocated", "limit": 200}).json()
    assert referral_id in [r["id"] for r in cardiff["items"]]
    assert all(r["status"] == "allocated" for r in cardiff["items"])
    assert_problem(platform.get("/api/v1/referrals", people["council"], params={"council": "POWYS"}), 422, "council")


def test_a_council_records_an_opt_out_without_contact_details(platform, people):
    body = {"basis": "looked_after", "date_of_birth": "2012-03-04", "reason": "Does not want an advocate now",
            "offered_at": "2026-11-20T10:00:00+00:00", "external_ref": "MOSAIC-777"}
    headers = {**people["council"], "Idempotency-Key": str(uuid.uuid4())}
    recorded = platform.post("/api/v1/opt-outs", headers, json=body)
    assert recorded.status_code == 201 and recorded.json()["basis"] == "looked_after"
    assert platform.post("/api/v1/opt-outs", headers, json=body).json() == recorded.json()
    stored = platform.store("referral").find("opt_outs", {"external_ref": "MOSAIC-777"})
    assert len(stored) == 1 and "child" not in stored[0].body


@pytest.mark.parametrize("changes, field", [
    ({"basis": "young_carer"}, "basis"),
    ({"date_of_birth": "2001-01-01"}, "date_of_birth"),
    ({"offered_at": "2099-01-01T10:00:00+00:00"}, "offered_at"),
    ({"offered_at": "2026-11-20T10:00:00"}, "offered_at"),
    ({"phone": "07700 900123"}, "phone"),
])
def test_a_bad_opt_out_is_refused(platform, people, changes, field):
    body = {"basis": "looked_after", "date_of_birth": "2012-03-04", "offered_at": "2026-11-20T10:00:00+00:00",
            **changes}
    before = len(platform.store("referral").find("opt_outs", limit=1000))
    assert_problem(platform.post("/api/v1/opt-outs", people["council"], json=body), 422, field)
    assert len(platform.store("referral").find("opt_outs", limit=1000)) == before


def test_a_later_referral_of_the_same_child_is_linked_to_the_earlier_ones(platform, people):
    first = new_referral(platform, people)
    second = new_referral(platform, people)
    staff = platform.get(f"/api/v1/referrals/{second}", people["manager"]).json()
    assert first in staff["earlier_referral_ids"]
