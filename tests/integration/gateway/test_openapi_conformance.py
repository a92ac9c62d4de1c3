"""The OpenAPI document is the truth: schemathesis sends every operation what the document allows (and what it
forbids), as a council system, a manager and an advocate, against the embedded platform, and checks each answer
against the document with all of its checks.

A schema-valid request may be refused only as API.md says a valid request can be: 401, 403, 404 (an id that is not
there, or not the caller's) and 409 (a state that does not allow it now); a 422 only where the operation states, in
its `x-rules`, a rule beyond the schema (the clock, or what is stored), and then naming only those fields.
Ids of real referrals, meetings, cases and complaints are offered half the time, so the steps are taken for real.
"""

from __future__ import annotations

import copy
import hashlib
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, settings
from openapi_schema_validator import OAS30Validator
from schemathesis.core.parameters import ParameterLocation

from shared.councils import CouncilRegister
from services.gateway import handlers
from services.gateway.openapi import build_spec
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.conftest import assert_problem

# schemathesis's own strategies draw from `random` (their choice, which derandomize cannot reach)
pytestmark = pytest.mark.filterwarnings("ignore:Do not use the `random` module inside strategies")

ACCEPTED_REFUSALS = ["2xx", "401", "403", "404", "409", "413"]
"""What API.md lets a well-formed request be answered besides success: credentials, roles, ids, state, and a body
larger than the platform takes."""
REFUSALS_OF_INVALID = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]
"""schemathesis's own list, with 413: a body too large is refused before it is read."""
EXAMPLES = int(os.environ.get("LLAIS_CONFORMANCE_EXAMPLES", "12"))
"""Examples per operation and credential: a couple of minutes in all; set more for a deeper run by hand."""

VENUE = {"name": "Canolfan Ieuenctid", "address": "Heol y Frenhines, Caerdydd", "accessible": True,
         "risk_assessed": True}


@dataclass
class Seeds:
    """What the platform holds before schemathesis starts, by the path parameter that names it."""

    credentials: dict[str, dict[str, str]]
    advocate_email: str
    ids: dict[str, list[str]] = field(default_factory=dict)


def _created(answer, what: str) -> dict:
    assert answer.status_code in (200, 201), f"seeding {what}: {answer.status_code} {answer.text}"
    return answer.json()


@pytest.fixture(scope="module")
def seeds(platform) -> Seeds:
    """Referrals at each step of the journey, a meeting, a case with an issue and a request to change advocate,
    and a complaint, through the public API as their users would make them."""
    advocate_email = f"advocate-{uuid.uuid4().hex[:6]}@provider.example"
    handlers.create_user(platform.gateway, platform.councils, advocate_email, "advocate", None,
                         "a long enough password")
    council, manager = platform.key("CARDIFF"), platform.staff("manager")
    advocate = {"Authorization": f"Bearer {handlers.create_token(platform.gateway, advocate_email)}"}

    def refer(kind: str = "active_offer", basis: str = "looked_after") -> str:
        body = example_referral()
        body.update(kind=kind, basis=basis)
        body["consent"].update(share_arrangements_with_referrer=True, share_outcome_with_referrer=True)
        return _created(platform.post("/api/v1/referrals", council, json=body), "a referral")["id"]

    def allocate(referral_id: str) -> None:
        _created(platform.post(f"/api/v1/referrals/{referral_id}/allocate", manager,
                               json={"advocate_email": advocate_email}), "an allocation")

    received, allocated, with_meeting = refer(), refer(), refer()
    issue_based, case_referral = refer("issue_based", "care_leaver"), refer("issue_based", "young_carer")
    for referral_id in (allocated, with_meeting, issue_based, case_referral):
        allocate(referral_id)
    scheduling, casework = platform.store("scheduling"), platform.store("casework")
    wait_for(lambda: (found := scheduling.get("cases", with_meeting)) and found.body["advocate_email"],
             what="scheduling to learn of the allocation")
    starts_at = (datetime.now(timezone.utc) + timedelta(days=3)).replace(hour=10, minute=0, second=0, microsecond=0)
    meeting = _created(platform.post(f"/api/v1/referrals/{with_meeting}/meetings", advocate,
                                     json={"starts_at": starts_at.isoformat(), "duration_minutes": 60,
                                           "venue": VENUE, "language": "cy"}), "a meeting")
    wait_for(lambda: (found := casework.get("referrals", case_referral)) and found.body.get("advocate_email"),
             what="casework to learn of the allocation")
    case = _created(platform.post("/api/v1/cases", advocate,
                                  json={"referral_id": case_referral, "consents_to_case_file": True}), "a case")
    case = _created(platform.post(f"/api/v1/cases/{case['id']}/issues", advocate,
                                  json={"theme": "contact", "description": "Seeing my brother more often."}),
                    "an issue")
    case = _created(platform.post(f"/api/v1/cases/{case['id']}/advocate-change-requests", advocate,
                                  json={"reason": "I would like someone who speaks Welsh."}), "a change request")
    complaint = _created(platform.post("/api/v1/complaints", manager,
                                       json={"kind": "complaint", "made_by": "child", "about": "Nobody called back.",
                                             "contact": {"email": "person@example.cymru"}}), "a complaint")
    return Seeds(
        credentials={"council": council, "manager": manager, "advocate": advocate},
        advocate_email=advocate_email,
        ids={"referral": [received, allocated, with_meeting, issue_based, case_referral],
             "meeting": [meeting["id"]], "case": [case["id"]], "issue": [case["issues"][0]["id"]],
             "request": [case["advocate_changes"][0]["id"]], "complaint": [complaint["id"]],
             "case_referral": [issue_based, case_referral]},
    )


# the seeded ids a path parameter or body field may be given, by the kind of thing it names
REAL_IDS = {
    "/api/v1/referrals/{id}": {"id": "referral"},
    "/api/v1/meetings/{id}": {"id": "meeting"},
    "/api/v1/cases/{id}": {"id": "case", "issue_id": "issue", "request_id": "request"},
    "/api/v1/complaints/{id}": {"id": "complaint"},
}
REAL_BODY_FIELDS = {
    ("POST", "/api/v1/cases"): {"referral_id": "case_referral"},
    ("POST", "/api/v1/referrals/{id}/allocate"): {"advocate_email": "advocate"},
    ("POST", "/api/v1/cases/{id}/advocate-change-requests/{request_id}/decide"): {"new_advocate_email": "advocate"},
}


def _drawn(value: object) -> int:
    """A number fixed by a drawn value, so that which cases get real ids is the same on every run."""
    return int.from_bytes(hashlib.sha256(repr(value).encode()).digest()[:4], "big")


def offer_real_ids(case, seeds: Seeds) -> None:
    """Half the time, give a drawn id that the document allows the id of a seeded thing of its kind instead, so the
    step is taken for real; a value drawn to break the document is left as it is."""
    ids = {**seeds.ids, "advocate": [seeds.advocate_email]}
    components = case.meta.components if case.meta is not None else {}

    def positive(location: ParameterLocation) -> bool:
        info = components.get(location)
        return info is None or info.mode.is_positive

    kinds = next((names for prefix, names in REAL_IDS.items() if case.operation.path.startswith(prefix)), {})
    if positive(ParameterLocation.PATH):
        for name, kind in kinds.items():
            value = case.path_parameters.get(name) if case.path_parameters else None
            if value is not None and _drawn(value) % 2:
                case.path_parameters[name] = ids[kind][_drawn(value) // 2 % len(ids[kind])]
    fields = REAL_BODY_FIELDS.get((case.method.upper(), case.operation.path), {})
    if positive(ParameterLocation.BODY) and isinstance(case.body, dict):
        for name, kind in fields.items():
            if name in case.body and _drawn(case.body[name]) % 2:
                case.body[name] = ids[kind][_drawn(case.body[name]) // 2 % len(ids[kind])]


DOCUMENT = build_spec(council.code for council in CouncilRegister.load().all())
schema = schemathesis.openapi.from_dict(DOCUMENT, config=schemathesis.Config.from_dict({
    # the credentials are the test's (one run per kind of caller); schemathesis's ignored_auth check tries without
    "generation": {"with-security-parameters": False},
    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_REFUSALS},
               "negative_data_rejection": {"expected-statuses": REFUSALS_OF_INVALID}},
    # a 422 for a valid request only where the operation states the rule it broke (see the check below)
    "operations": [{"include-path": path, "include-method": method.upper(),
                    "checks": {"positive_data_acceptance": {"expected-statuses": ACCEPTED_REFUSALS + ["422"]}}}
                   for path, methods in DOCUMENT["paths"].items() for method, operation in methods.items()
                   if operation.get("x-rules")],
}))


@schemathesis.check
def refusals_name_a_stated_rule(ctx, response, case) -> bool | None:
    """A schema-valid request refused with 422 names only fields whose rules the operation states in `x-rules`."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive or response.status_code != 422:
        return None
    stated = set(case.operation.definition.raw.get("x-rules", {}))
    named = set((response.json() or {}).get("errors") or {"(none named)": []})
    unstated = named - stated
    if unstated:
        raise AssertionError(f"A schema-valid request was refused for {sorted(unstated)}, which the document does "
                             f"not state (x-rules: {sorted(stated)}): {response.text[:500]}")
    return None


def conformance(instance: object, component: str) -> list[str]:
    """What is wrong with `instance` as the document's schema `component` (nothing, when it conforms)."""
    validator = OAS30Validator({"$ref": f"#/components/schemas/{component}", "components": DOCUMENT["components"]},
                               format_checker=OAS30Validator.FORMAT_CHECKER)
    return [f"{'.'.join(map(str, error.absolute_path))}: {error.message}" for error in validator.iter_errors(instance)]


def _undated(document: dict) -> dict:
    """The document without its example referral, which is dated from the day it was built."""
    document = copy.deepcopy(document)
    del document["paths"]["/api/v1/referrals"]["post"]["requestBody"]["content"]["application/json"]["example"]
    return document


def test_the_document_checked_is_the_one_served_and_its_example_is_valid(platform, seeds):
    served = platform.get("/api/v1/openapi.json", {}).json()
    assert _undated(served) == _undated(DOCUMENT)

    example = served["paths"]["/api/v1/referrals"]["post"]["requestBody"]["content"]["application/json"]["example"]
    assert conformance(example, "ReferralRequest") == []
    created = platform.post("/api/v1/referrals", seeds.credentials["council"], json=example)
    assert created.status_code == 201, created.text


def test_a_referral_reads_to_its_council_and_to_provider_staff_as_the_document_says(platform, seeds):
    referral_id = seeds.ids["referral"][2]  # allocated, with its meeting arranged
    as_council = platform.get(f"/api/v1/referrals/{referral_id}", seeds.credentials["council"]).json()
    as_staff = platform.get(f"/api/v1/referrals/{referral_id}", seeds.credentials["manager"]).json()
    listed = platform.get("/api/v1/referrals", seeds.credentials["manager"]).json()

    assert conformance(as_council, "Referral") == []
    assert conformance(as_staff, "StaffReferral") == []
    assert conformance(listed, "ReferralList") == []
    assert {"child", "referrer", "consent", "timeline", "advocate_email", "next_actions"} <= set(as_staff)
    assert conformance(as_staff, "Referral") != []  # the council's view lists only what a council is shown


def test_a_conflict_says_what_status_the_referral_has_now_as_documented(platform, seeds):
    manager = seeds.credentials["manager"]
    referral_id = _created(platform.post("/api/v1/referrals", seeds.credentials["council"], json=example_referral()),
                           "a referral")["id"]
    _created(platform.post(f"/api/v1/referrals/{referral_id}/close", manager, json={"reason": "duplicate"}), "a close")
    again = platform.post(f"/api/v1/referrals/{referral_id}/close", manager, json={"reason": "duplicate"})

    problem = assert_problem(again, 409)
    assert problem["status_now"] == "closed"
    assert conformance(problem, "Problem") == []
    assert "409" in DOCUMENT["paths"]["/api/v1/referrals/{id}/close"]["post"]["responses"]


def test_what_is_not_there_is_a_documented_404(platform, seeds):
    advocate, manager = seeds.credentials["advocate"], seeds.credentials["manager"]
    case_id = seeds.ids["case"][0]
    answers = {
        ("post", "/api/v1/cases"): platform.post("/api/v1/cases", advocate, json={
            "referral_id": "no-such-referral", "consents_to_case_file": True}),
        ("post", "/api/v1/cases/{id}/issues/{issue_id}/conclude"): platform.post(
            f"/api/v1/cases/{case_id}/issues/no-such-issue/conclude", advocate, json={"outcome": "resolved"}),
        ("post", "/api/v1/cases/{id}/advocate-change-requests/{request_id}/decide"): platform.post(
            f"/api/v1/cases/{case_id}/advocate-change-requests/no-such-request/decide", manager,
            json={"result": "declined", "reason": "The child is happy now."}),
    }
    for (method, path), answer in answers.items():
        assert_problem(answer, 404)
        assert "404" in DOCUMENT["paths"][path][method]["responses"], path


def test_a_list_filter_the_document_does_not_allow_is_refused(platform, seeds):
    manager = seeds.credentials["manager"]
    for path in ("/api/v1/cases?status=archived", "/api/v1/cases?advocate=nobody",
                 "/api/v1/complaints?kind=grumble", "/api/v1/complaints?status=lost",
                 f"/api/v1/cases/{seeds.ids['case'][0]}/record?language=fr"):
        assert_problem(platform.get(path, manager), 422)


def _referral(**changes) -> dict:
    body = copy.deepcopy(DOCUMENT["paths"]["/api/v1/referrals"]["post"]["requestBody"]["content"][
        "application/json"]["example"])
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        target = body
        for key in parents:
            target = target[key]
        target[leaf] = value
    return body


# Requests the services refused although the document allowed them: each rule is now in the document.
STATED_RULES = [
    ("council", "post", "/api/v1/referrals", "ReferralRequest", _referral(basis="custody")),
    ("council", "post", "/api/v1/referrals", "ReferralRequest", _referral(basis="___")),
    ("council", "post", "/api/v1/referrals", "ReferralRequest", _referral(**{"consent.child_agrees": False})),
    ("council", "post", "/api/v1/referrals", "ReferralRequest",
     _referral(**{"child.contact": {"carer_name": "Mair Jones", "address": "  "}})),
    ("council", "post", "/api/v1/referrals", "ReferralRequest", _referral(**{"child.contact": {"phone": "       "}})),
    ("council", "put", "/api/v1/webhook", "Webhook", {"url": "", "secret": "s" * 32}),
    ("council", "put", "/api/v1/webhook", "Webhook", {"url": "http://council.example/hook", "secret": "s" * 32}),
    ("council", "put", "/api/v1/webhook", "Webhook",
     {"url": "https://council.example/hook", "secret": "whsec_" + "not base64, not at all"}),
    ("manager", "post", "/api/v1/complaints", "Complaint",
     {"kind": "complaint", "made_by": "child", "about": "No call back.", "council": "ATLANTIS"}),
    ("manager", "post", "/api/v1/complaints", "Complaint", {"kind": "complaint", "made_by": "child", "about": "  "}),
    ("advocate", "post", "/api/v1/cases", "OpenCase", {"referral_id": "any", "consents_to_case_file": False}),
    ("advocate", "post", "/api/v1/cases/{case}/plan", "Plan", {"text": "Agreed.", "agreed_with_child": False}),
    ("advocate", "post", "/api/v1/cases/{case}/plan", "Plan", {"text": " \n ", "agreed_with_child": True}),
    ("manager", "post", "/api/v1/cases/{case}/disclosures", "Disclosure",
     {"reason": "court_order", "decided_by": "Head of service", "disclosed_to": "The court",
      "disclosed_at": "2026-01-05T10:00:00+00:00", "child_told": True}),
    ("manager", "post", "/api/v1/cases/{case}/advocate-change-requests/{request}/decide", "AdvocateChangeDecision",
     {"result": "declined", "reason": "   "}),
    ("advocate", "post", "/api/v1/referrals/{referral}/meetings", "MeetingRequest",
     {"starts_at": "2027-01-05T10:00:00+00:00", "venue": {**VENUE, "accessible": False}}),
    ("manager", "post", "/api/v1/meetings/{meeting}/record", "Record", {"took_place": False}),
    ("manager", "post", "/api/v1/meetings/{meeting}/reschedule", "Reschedule",
     {"starts_at": "2027-01-05T10:00:00+00:00", "reason": "  "}),
]


@pytest.mark.parametrize("who, method, path, component, body", STATED_RULES,
                         ids=[f"{rule[2]}-{index}" for index, rule in enumerate(STATED_RULES)])
def test_a_rule_that_refuses_a_request_is_stated_in_the_document(platform, seeds, who, method, path, component,
                                                                 body):
    assert conformance(body, component) != [], "the document allows what the platform refuses"
    url = path.format(case=seeds.ids["case"][0], request=seeds.ids["request"][0],
                      referral=seeds.ids["referral"][1], meeting=seeds.ids["meeting"][0])
    answer = requests.request(method.upper(), f"{platform.url}{url}", headers=seeds.credentials[who], json=body,
                              timeout=10)
    assert_problem(answer, 422)


@pytest.mark.parametrize("who", ["council", "manager", "advocate"])
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_answer_is_as_the_document_says(case, who, platform, seeds):
    offer_real_ids(case, seeds)
    case.call_and_validate(base_url=platform.url, headers=seeds.credentials[who])
