"""Defence in depth: every service's internal API, called directly as if the gateway had been skipped, refuses what
the gateway refuses (bad text, deep nesting, other encodings, dates outside the shared window) and stores nothing."""

from __future__ import annotations

import importlib
import json
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from shared.config import Settings
from tests.examples import example_referral

TOKEN = "internal"
OVERFLOW = "9999-12-31T23:59:59-23:59"
YEAR_ONE = "0001-01-01T00:00:00+00:00"
MANAGER = {"X-Llais-Internal-Token": TOKEN, "X-Llais-Actor": "manager@provider.example", "X-Llais-Role": "manager"}


def tomorrow() -> str:
    return (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()


@pytest.fixture(scope="module")
def apis(tmp_path_factory):
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("internal"), internal_token=TOKEN)
    return {name: importlib.import_module(f"services.{name}.app").create_app(settings)
            for name in ("referral", "scheduling", "casework", "complaints", "notify")}


def referral(**changes) -> dict:
    body = {**example_referral(), "council": "CARDIFF"}
    for path, value in changes.items():
        *parents, name = path.split("__")
        inner = body
        for part in parents:
            inner[part] = dict(inner[part])
            inner = inner[part]
        inner[name] = value
    return body


OPT_OUT = {"council": "CARDIFF", "basis": "looked_after", "date_of_birth": "2013-05-02",
           "offered_at": "2026-11-20T10:00:00+00:00"}
TRANSITION = {"council": "CARDIFF", "kind": "placement_move", "happened_on": "2026-11-20", "external_ref": "M-1"}
MEETING = {"starts_at": "2026-12-01T10:00:00+00:00", "duration_minutes": 60,
           "venue": {"name": "Ysgol", "accessible": True, "risk_assessed": True}}
ACTIVITY = {"kind": "meeting", "contribution": "jointly", "note": "Review"}
DISCLOSURE = {"reason": "court_order", "decided_by": "Manager", "disclosed_to": "Court",
              "disclosed_at": "2026-11-20T10:00:00+00:00", "child_told": False, "why_not_told": "Not yet safe"}
COMPLAINT = {"kind": "complaint", "made_by": "parent", "about": "Late", "contact": {"phone": "07700 900123"}}
MESSAGE = {"channel": "answer_phone", "from_whom": "child", "language": "cy", "council": "CARDIFF",
           "received_at": "2026-11-20T21:00:00+00:00", "note": "Ffoniwch fi"}

CASES = [
    ("referral", "POST", "/referrals", referral(child__given_name="Cerys\ud800"), "child.given_name"),
    ("referral", "POST", "/referrals", referral(child__family_name="Jo\u202enes"), "child.family_name"),
    ("referral", "POST", "/referrals", referral(risks="None\x00"), "risks"),
    ("referral", "POST", "/referrals", referral(child__given_name="Cerys\nJones"), "child.given_name"),
    ("referral", "POST", "/referrals", referral(child__given_name="Ce\u200brys"), "child.given_name"),
    ("referral", "POST", "/referrals", referral(child__family_name="Jones\U000e0041"), "child.family_name"),
    ("referral", "POST", "/referrals", referral(referrer__name="Sam\ue000"), "referrer.name"),
    ("referral", "POST", "/referrals", referral(child__date_of_birth="20130502"), "child.date_of_birth"),
    ("referral", "POST", "/referrals", referral(child__date_of_birth="2099-01-01"), "child.date_of_birth"),
    ("referral", "POST", "/referrals", referral(statutory_meeting_at=OVERFLOW), "statutory_meeting_at"),
    ("referral", "POST", "/referrals", referral(statutory_meeting_at=YEAR_ONE), "statutory_meeting_at"),
    ("referral", "POST", "/referrals", referral(child__equality={"gender": "female"}), "_schema"),
    ("referral", "POST", "/referrals", referral(child__equality="declined"), "_schema"),
    ("referral", "POST", "/opt-outs", {**OPT_OUT, "offered_at": OVERFLOW}, "offered_at"),
    ("referral", "POST", "/opt-outs", {**OPT_OUT, "offered_at": tomorrow()}, "offered_at"),
    ("referral", "POST", "/opt-outs", {**OPT_OUT, "date_of_birth": "2013-5-2"}, "date_of_birth"),
    ("referral", "POST", "/opt-outs", {**OPT_OUT, "reason_code": "other", "reason_note": "Nain\x00"}, "reason_note"),
    ("referral", "POST", "/opt-outs", {**OPT_OUT, "reason_code": "bored"}, "reason_code"),
    ("referral", "POST", "/opt-outs", {**OPT_OUT, "reason_code": "other", "reason": "Her words"}, "reason"),
    ("referral", "POST", "/transitions", {**TRANSITION, "happened_on": "2026-1-5"}, "happened_on"),
    ("referral", "POST", "/transitions", {**TRANSITION, "happened_on": "9999-01-05"}, "happened_on"),
    ("referral", "POST", "/transitions", {**TRANSITION, "kind": "birthday"}, "kind"),
    ("referral", "POST", "/transitions", {**TRANSITION, "external_ref": "M\n1"}, "external_ref"),
    ("scheduling", "POST", "/referrals/r1/meetings", {**MEETING, "starts_at": OVERFLOW}, "starts_at"),
    ("scheduling", "POST", "/referrals/r1/meetings", {**MEETING, "venue": {**MEETING["venue"], "name": "Y\tW"}},
     "venue.name"),
    ("scheduling", "POST", "/meetings/m1/reschedule", {"starts_at": "9999-12-31T10:00:00+00:00", "reason": "x"},
     "starts_at"),
    ("scheduling", "POST", "/meetings/m1/record", {"took_place": True, "topics_covered": "rights"}, "_schema"),
    ("scheduling", "POST", "/meetings/m1/record", {"took_place": True, "left_with_child": [1]}, "_schema"),
    ("scheduling", "POST", "/meetings/m1/record", {"took_place": False, "reason_not_held_code": 3}, "_schema"),
    ("scheduling", "POST", "/meetings/m1/record", {"took_place": True, "contact_details_given": "yes"}, "_schema"),
    ("casework", "POST", "/cases/c1/activities", {**ACTIVITY, "happened_at": OVERFLOW}, "happened_at"),
    ("casework", "POST", "/cases/c1/activities", {**ACTIVITY, "happened_at": tomorrow()}, "happened_at"),
    ("casework", "POST", "/cases/c1/disclosures", {**DISCLOSURE, "disclosed_at": YEAR_ONE}, "disclosed_at"),
    ("casework", "POST", "/cases/c1/disclosures", {**DISCLOSURE, "disclosed_to": "Court\r\nX"}, "disclosed_to"),
    ("casework", "POST", "/cases/c1/plan", {"text": "Plan\x1b[2J", "agreed_with_child": True}, "text"),
    ("complaints", "POST", "/complaints", {**COMPLAINT, "name": "Mair\nJones"}, "name"),
    ("complaints", "POST", "/complaints", {**COMPLAINT, "name": "Mair\ufeffJones"}, "name"),
    ("complaints", "POST", "/complaints", {**COMPLAINT, "about": "Late\ud800"}, "about"),
    ("referral", "POST", "/messages", {**MESSAGE, "note": "Ffoniwch\x00"}, "note"),
    ("referral", "POST", "/messages", {**MESSAGE, "received_at": OVERFLOW}, "received_at"),
    ("referral", "POST", "/messages", {**MESSAGE, "received_at": tomorrow()}, "received_at"),
    ("referral", "POST", "/messages", {**MESSAGE, "channel": "pigeon"}, "channel"),
    ("referral", "POST", "/messages", {**MESSAGE, "council": "ATLANTIS"}, "council"),
    ("referral", "POST", "/messages", {**MESSAGE, "note": "x" * 1001}, "note"),
    ("notify", "PUT", "/webhooks/CARDIFF", {"url": "https://council.example/hook", "secret": "s" * 30 + "\x00"},
     "secret"),
]


def stored(app) -> int:
    store = app.extensions["llais.store"]
    return sum(len(store.find(collection, limit=10_000)) for collection in
               ("referrals", "opt_outs", "transitions", "meetings", "cases", "complaints", "webhooks", "messages"))


@pytest.mark.parametrize("service, method, path, body, field", CASES,
                         ids=[f"{c[0]}-{c[2]}-{c[4]}-{i}" for i, c in enumerate(CASES)])
def test_each_internal_api_refuses_by_name_what_the_gateway_refuses(apis, service, method, path, body, field):
    app = apis[service]
    before = stored(app)
    answer = app.test_client().open(path, method=method, data=json.dumps(body), headers=MANAGER,
                                    content_type="application/json")
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json" and field in answer.json["errors"]
    assert stored(app) == before


@pytest.mark.parametrize("service, method, path", sorted({(c[0], c[1], c[2]) for c in CASES}))
@pytest.mark.parametrize("data, status", [
    ('{"reason": ' + "[" * 5000 + "]" * 5000 + "}", 422),
    (json.dumps({"reason": "x"}).encode("utf-16"), 400),
    (b"\xef\xbb\xbf" + json.dumps({"reason": "x"}).encode(), 400),
])
def test_each_internal_api_refuses_deep_nesting_and_other_encodings(apis, service, method, path, data, status):
    app = apis[service]
    before = stored(app)
    answer = app.test_client().open(path, method=method, data=data, headers=MANAGER, content_type="application/json")
    assert answer.status_code == status, answer.get_data(as_text=True)
    assert answer.mimetype == "application/problem+json"
    if status == 422:
        assert "reason" in answer.json["errors"]
    assert stored(app) == before


def test_the_services_own_rules_still_answer_a_body_that_passes(apis):
    created = apis["referral"].test_client().post("/referrals", json=referral(), headers=MANAGER)
    assert created.status_code == 201, created.get_data(as_text=True)
