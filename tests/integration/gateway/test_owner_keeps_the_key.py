"""The service that owns a command's effect keeps its Idempotency-Key with the effect: a repeat the gateway no longer
remembers (its answer died with a process) gets the first effect again, never a second one, on every creating
call; another body under the key is the 422 API.md names."""

from __future__ import annotations

import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

import pytest
import requests

from shared.idempotency import KEY_HEADER, REQUEST_HASH_HEADER
from shared.store import find_all
from services.gateway import handlers
from services.gateway.store import IDEMPOTENCY
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.conftest import assert_problem

VENUE = {"name": "Ysgol y Wern", "address": "Heol y Wern, Caerdydd", "accessible": True, "risk_assessed": True}
COMPLAINT = {"kind": "complaint", "made_by": "parent", "name": "Mair Jones", "about": "Nobody called back",
             "contact": {"phone": "07700 900123"}}
OPT_OUT = {"basis": "looked_after", "date_of_birth": "2012-03-04", "reason": "Does not want an advocate now",
           "offered_at": "2026-11-20T10:00:00+00:00", "external_ref": "MOSAIC-778"}


def in_days(days: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(hour=10, minute=0, second=0,
                                                                        microsecond=0).isoformat()


class Crew:
    """A council, a manager and an advocate, with referrals allocated to the advocate and an open case."""

    def __init__(self, platform):
        self.platform = platform
        email = f"advocate-{uuid.uuid4().hex[:6]}@provider.example"
        handlers.create_user(platform.gateway, platform.councils, email, "advocate", None, "a long enough password")
        self.email = email
        self.callers = {"council": platform.key("CARDIFF"), "manager": platform.staff("manager"),
                        "advocate": {"Authorization": f"Bearer {handlers.create_token(platform.gateway, email)}"}}
        self.stores = {name: platform.store(name) for name in ("referral", "scheduling", "casework", "complaints")}

    def call(self, who: str, path: str, body: dict, status: int, key: str | None = None) -> requests.Response:
        headers = {**self.callers[who], **({"Idempotency-Key": key} if key else {})}
        answer = requests.post(self.platform.url + path, json=body, headers=headers, timeout=10)
        assert answer.status_code == status, answer.text
        return answer

    def allocated(self, body: dict | None = None) -> str:
        referral_id = self.call("council", "/api/v1/referrals", body or example_referral(), 201).json()["id"]
        self.call("manager", f"/api/v1/referrals/{referral_id}/allocate", {"advocate_email": self.email}, 200)
        return referral_id

    def open_case(self) -> str:
        referral_id = self.allocated({**example_referral(), "kind": "issue_based"})
        wait_for(lambda: (stub := self.stores["casework"].get("referrals", referral_id)) and
                 stub.body["advocate_email"] == self.email, what="casework to hear of the allocation")
        self.call("advocate", "/api/v1/cases", {"referral_id": referral_id, "consents_to_case_file": True}, 201)
        return referral_id

    def count(self, service: str, collection: str) -> int:
        return len(find_all(self.stores[service], collection))

    def part(self, service: str, collection: str, id: str, field: str) -> int:
        return len(self.stores[service].get(collection, id).body[field])


@pytest.fixture(scope="module")
def crew(platform):
    return Crew(platform)


@dataclass(frozen=True)
class Creating:
    who: str
    path: Callable[[Crew, str], str]
    body: Callable[[], dict]
    other_body: Callable[[], dict]
    subject: Callable[[Crew], str]
    """What the call acts on, made afresh for each test: a referral, a case."""
    effects: Callable[[Crew, str], int]


def case_part(field: str) -> Callable[[Crew, str], int]:
    return lambda crew, case_id: crew.part("casework", "cases", case_id, field)


CREATING = {
    "referral": Creating("council", lambda crew, _: "/api/v1/referrals", example_referral,
                         lambda: {**example_referral(), "external_ref": "another"}, lambda crew: "",
                         lambda crew, _: crew.count("referral", "referrals")),
    "opt-out": Creating("council", lambda crew, _: "/api/v1/opt-outs", lambda: dict(OPT_OUT),
                        lambda: {**OPT_OUT, "reason": "Another reason"}, lambda crew: "",
                        lambda crew, _: crew.count("referral", "opt_outs")),
    "contact attempt": Creating(
        "advocate", lambda crew, r: f"/api/v1/referrals/{r}/contact-attempts",
        lambda: {"method": "phone", "result": "no_answer"}, lambda: {"method": "phone", "result": "reached"},
        Crew.allocated, lambda crew, r: crew.part("referral", "referrals", r, "contact_attempts")),
    "meeting": Creating(
        "advocate", lambda crew, r: f"/api/v1/referrals/{r}/meetings",
        lambda: {"starts_at": in_days(3), "duration_minutes": 60, "venue": VENUE},
        lambda: {"starts_at": in_days(4), "duration_minutes": 60, "venue": VENUE},
        Crew.allocated, lambda crew, r: crew.count("scheduling", "meetings")),
    "case": Creating(
        "advocate", lambda crew, _: "/api/v1/cases",
        lambda: {"referral_id": CASE_OF[0], "consents_to_case_file": True},
        lambda: {"referral_id": CASE_OF[0], "consents_to_case_file": False},
        lambda crew: _referral_for_a_case(crew), lambda crew, _: crew.count("casework", "cases")),
    "issue": Creating("advocate", lambda crew, c: f"/api/v1/cases/{c}/issues",
                      lambda: {"theme": "contact", "description": "See my brother"},
                      lambda: {"theme": "contact", "description": "See my sister"},
                      Crew.open_case, case_part("issues")),
    "activity": Creating("advocate", lambda crew, c: f"/api/v1/cases/{c}/activities",
                         lambda: {"kind": "meeting", "contribution": "own"},
                         lambda: {"kind": "meeting", "contribution": "jointly"},
                         Crew.open_case, case_part("activities")),
    "signposting": Creating("advocate", lambda crew, c: f"/api/v1/cases/{c}/signposting",
                            lambda: {"to": "legal"}, lambda: {"to": "health"},
                            Crew.open_case, case_part("signposting")),
    "complaint": Creating("manager", lambda crew, _: "/api/v1/complaints", lambda: dict(COMPLAINT),
                          lambda: {**COMPLAINT, "about": "Something else"}, lambda crew: "",
                          lambda crew, _: crew.count("complaints", "complaints")),
}
CASE_OF: list[str] = [""]


def _referral_for_a_case(crew: Crew) -> str:
    """An allocated issue-based referral casework knows of, for opening its case (the body names it)."""
    referral_id = crew.allocated({**example_referral(), "kind": "issue_based"})
    wait_for(lambda: (stub := crew.stores["casework"].get("referrals", referral_id)) and
             stub.body["advocate_email"] == crew.email, what="casework to hear of the allocation")
    CASE_OF[0] = referral_id
    return referral_id


def gateway_forgets(platform) -> None:
    """What a crash between the owner's commit and the gateway's answer leaves: no answer kept at the gateway."""
    for record in find_all(platform.gateway.store, IDEMPOTENCY, {"state": "done"}):
        platform.gateway.release_idempotency(record)


@pytest.mark.parametrize("name", list(CREATING))
def test_a_repeat_the_gateway_forgot_gets_the_first_effect_again(platform, crew, name):
    creating = CREATING[name]
    subject = creating.subject(crew)
    path, key = creating.path(crew, subject), f"key-{uuid.uuid4()}"
    before = creating.effects(crew, subject)
    first = crew.call(creating.who, path, creating.body(), 201, key)
    assert creating.effects(crew, subject) == before + 1
    gateway_forgets(platform)
    again = crew.call(creating.who, path, creating.body(), 201, key)
    assert again.json() == first.json()
    assert creating.effects(crew, subject) == before + 1

    gateway_forgets(platform)
    problem = assert_problem(requests.post(platform.url + path, json=creating.other_body(), timeout=10,
                                           headers={**crew.callers[creating.who], "Idempotency-Key": key}),
                             422, "Idempotency-Key")
    assert "different body" in problem["detail"]
    assert creating.effects(crew, subject) == before + 1


def test_the_key_is_the_callers_own(platform, crew):
    """The same key from another council is another request: its own referral."""
    key = f"key-{uuid.uuid4()}"
    before = crew.count("referral", "referrals")
    mine = crew.call("council", "/api/v1/referrals", example_referral(), 201, key).json()
    other = requests.post(platform.url + "/api/v1/referrals", json=example_referral(), timeout=10,
                          headers={**platform.key("NEWPORT"), "Idempotency-Key": key})
    assert other.status_code == 201, other.text
    assert other.json()["id"] != mine["id"]
    assert crew.count("referral", "referrals") == before + 2


def test_one_key_sent_to_the_owner_ten_times_at_once_makes_one_referral(platform, crew):
    """Ten gateways' worth of the same forwarded retry reaching the referral service together: one referral, and
    every one of them answered with it."""
    headers = {"X-Llais-Internal-Token": platform.settings.internal_token, "X-Llais-Actor": "key-test",
               "X-Llais-Council": "CARDIFF", KEY_HEADER: hashlib.sha256(uuid.uuid4().bytes).hexdigest(),
               REQUEST_HASH_HEADER: hashlib.sha256(b"the body").hexdigest()}
    body = {**example_referral(), "council": "CARDIFF"}
    before = crew.count("referral", "referrals")
    url = platform.settings.service_urls["referral"] + "/referrals"
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(lambda _: requests.post(url, json=body, headers=headers, timeout=20), range(10)))
    assert [a.status_code for a in answers] == [201] * 10, [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert crew.count("referral", "referrals") == before + 1


def test_the_owner_refuses_a_key_that_is_not_a_digest(platform):
    headers = {"X-Llais-Internal-Token": platform.settings.internal_token, "X-Llais-Council": "CARDIFF",
               KEY_HEADER: "my-key", REQUEST_HASH_HEADER: "x"}
    answer = requests.post(platform.settings.service_urls["referral"] + "/referrals", timeout=10, headers=headers,
                           json={**example_referral(), "council": "CARDIFF"})
    assert_problem(answer, 400)
