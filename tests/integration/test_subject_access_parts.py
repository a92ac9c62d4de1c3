"""Each service's part of a subject access export, called directly as if the gateway had been skipped: only the
provider's managers are answered, a request that names no child's referrals is refused by name, a child no referral
is of is not found, and a child's parts are found by what the service keeps of them."""

from __future__ import annotations

import importlib
from dataclasses import replace

import pytest

from shared.config import Settings
from tests.examples import example_referral

TOKEN = "internal"
MANAGER = {"X-Llais-Internal-Token": TOKEN, "X-Llais-Actor": "manager@provider.example", "X-Llais-Role": "manager"}
ADVOCATE = {**MANAGER, "X-Llais-Actor": "advocate@provider.example", "X-Llais-Role": "advocate"}
COUNCIL = {"X-Llais-Internal-Token": TOKEN, "X-Llais-Actor": "0123456789abcdef", "X-Llais-Council": "CARDIFF"}
BY_REFERRAL = ("referral", "scheduling", "casework", "notify")


@pytest.fixture(scope="module")
def apis(tmp_path_factory):
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("parts"), internal_token=TOKEN,
                       strict_queries=True)
    return {name: importlib.import_module(f"services.{name}.app").create_app(settings).test_client()
            for name in (*BY_REFERRAL, "complaints")}


@pytest.mark.parametrize("service", BY_REFERRAL)
@pytest.mark.parametrize("who", [ADVOCATE, COUNCIL])
def test_only_a_manager_is_given_a_childs_records(apis, service, who):
    answer = apis[service].get("/subject-access", query_string={"referral_id": "r1"}, headers=who)
    assert answer.status_code == 403 and answer.json["status"] == 403


@pytest.mark.parametrize("service", BY_REFERRAL)
@pytest.mark.parametrize("query", [{}, {"referral_id": "not/an id"}, {"referral_id": [f"r{n}" for n in range(51)]}])
def test_a_request_naming_no_childs_referrals_is_refused_by_name(apis, service, query):
    answer = apis[service].get("/subject-access", query_string=query, headers=MANAGER)
    assert answer.status_code == 422 and "referral_id" in answer.json["errors"]


def test_a_child_no_referral_is_of_is_not_found_and_a_find_naming_nothing_is_refused(apis):
    referral = apis["referral"]
    for body in ({"referral_id": "01a24d19-0000-7000-8000-000000000000"}, {"council": "CARDIFF", "external_ref": "X"},
                 {"child": {"given_name": "Neb", "family_name": "Yma", "date_of_birth": "2013-05-02"}}):
        answer = referral.post("/subject-access/child", json=body, headers=MANAGER)
        assert answer.status_code == 404 and answer.json["code"] == "subject_access.child_not_found", body
    assert referral.post("/subject-access/child", json={"child": {"given_name": "Neb"}},
                         headers=MANAGER).status_code == 422
    assert referral.post("/subject-access/child", json={"referral_id": "x"}, headers=ADVOCATE).status_code == 403
    assert apis["complaints"].post("/subject-access", json={"child": {"given_name": "Neb", "family_name": "Yma"}},
                                   headers=ADVOCATE).status_code == 403


def test_a_childs_referrals_are_found_three_ways_and_each_gives_its_records(apis):
    referral = apis["referral"]
    body = {**example_referral(), "council": "CARDIFF", "external_ref": "PARTS-1"}
    made = referral.post("/referrals", json=body, headers=MANAGER).json
    again = referral.post("/referrals", json={**body, "external_ref": "PARTS-2"}, headers=MANAGER).json
    child = {k: body["child"][k] for k in ("given_name", "family_name", "date_of_birth")}
    for how in ({"referral_id": made["id"]}, {"child": {**child, "given_name": child["given_name"].upper()}},
                {"council": "CARDIFF", "external_ref": "PARTS-2"}):
        found = referral.post("/subject-access/child", json=how, headers=MANAGER)
        assert found.status_code == 200 and found.json["referral_ids"] == sorted([made["id"], again["id"]]), how
    records = referral.get("/subject-access", query_string={"referral_id": [made["id"]]}, headers=MANAGER).json
    record = records["items"][0]
    assert record["kind"] == "referral" and record["id"] == made["id"] and "name_keys" not in record["fields"]
    assert {"referrer", "child.contact.carer_name", "risks"} <= {m["path"] for m in record["marks"]}
    complaint = {"kind": "complaint", "made_by": "child", "about": "Late", "name": f"{child['family_name']} "
                 f"{child['given_name']}", "contact": {"phone": "07700 900123"}}
    assert apis["complaints"].post("/complaints", json=complaint, headers=MANAGER).status_code == 201
    theirs = apis["complaints"].post("/subject-access", json={"child": child}, headers=MANAGER).json["items"]
    assert [(c["kind"], c["matched"], c["marks"]) for c in theirs] == [("complaint", "name", [])]
    assert "tracking_digest" not in theirs[0]["fields"] and "name_key" not in theirs[0]["fields"]


def test_a_child_whose_earlier_referral_was_erased_is_still_found_by_the_later_one(apis):
    """An erased referral names nobody (no name, no date of birth) yet stays linked: the walk takes it as it is and
    looks for the child's other referrals only from those that still name them."""
    from shared.store import Put
    from services.referral.retention import referral_anonymised
    from services.referral.store import REFERRALS

    referral = apis["referral"]
    body = {**example_referral(), "council": "CARDIFF", "external_ref": "PARTS-ERASED"}
    body["child"] = {**body["child"], "given_name": "Lowri", "family_name": "Erased-Earlier"}
    earlier = referral.post("/referrals", json=body, headers=MANAGER).json
    later = referral.post("/referrals", json=body, headers=MANAGER).json
    store = referral.application.extensions["llais.store"]
    kept = store.get(REFERRALS, earlier["id"])
    store.commit(Put.update(kept, {**referral_anonymised(kept.body), "erased_on": "2040-01-01"}))
    found = referral.post("/subject-access/child", json={"referral_id": later["id"]}, headers=MANAGER)
    assert found.status_code == 200, found.json
    assert found.json["referral_ids"] == sorted([earlier["id"], later["id"]])
