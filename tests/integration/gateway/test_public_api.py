"""The public API of API.md: authentication, roles, validation, idempotency, isolation between councils."""

from __future__ import annotations

import copy
import json
import re
import socket
import uuid

import pytest
import requests

from tests.integration.gateway.conftest import assert_problem
from tests.examples import example_referral

EXAMPLE = example_referral()


def changed(**changes) -> dict:
    body = copy.deepcopy(EXAMPLE)
    for path, value in changes.items():
        target = body
        *parents, leaf = path.split("__")
        for key in parents:
            target = target[key]
        if value is ...:
            del target[leaf]
        else:
            target[leaf] = value
    return body


# authentication and roles


@pytest.mark.parametrize("authorization", [None, "Basic Zm9vOmJhcg==", "Bearer nonsense",
                                           "Bearer llk_0123456789abcdef_" + "a" * 48])
def test_no_or_bad_credentials_get_401_with_a_challenge(platform, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    answer = platform.get("/api/v1/referrals", headers)
    assert_problem(answer, 401)
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_key_stops_working(platform):
    from services.gateway import handlers

    headers = platform.key()
    assert platform.get("/api/v1/referrals", headers).status_code == 200
    assert handlers.revoke(platform.gateway, headers["Authorization"].split()[1])
    assert_problem(platform.get("/api/v1/referrals", headers), 401)


@pytest.mark.parametrize("role, council", [("referrer", "CARDIFF"), ("commissioner", "CARDIFF"), ("admin", None)])
def test_staff_cannot_use_the_council_endpoints(platform, role, council):
    headers = platform.staff(role, council)
    assert_problem(platform.post("/api/v1/referrals", headers, json=EXAMPLE), 403)
    assert_problem(platform.get("/api/v1/referrals", headers), 403)


# creating a referral


def test_a_council_refers_a_child_and_reads_it_back(platform):
    headers = platform.key("SWANSEA")
    created = platform.post("/api/v1/referrals", headers, json=EXAMPLE)
    assert created.status_code == 201, created.text
    referral = created.json()
    assert referral["status"] == "received" and referral["kind"] == "active_offer"
    assert referral["meeting"] == {"status": "none"}
    assert "outcome" not in referral and "child" not in referral
    read = platform.get(f"/api/v1/referrals/{referral['id']}", headers).json()
    moving = ("status", "deadlines", "updated_at")  # acknowledgement and deadlines arrive by events meanwhile
    assert {k: v for k, v in read.items() if k not in moving} == {k: v for k, v in referral.items() if k not in moving}
    assert read["status"] in ("received", "acknowledged")


def test_the_facts_the_headline_groups_count_are_kept_when_given_and_absent_when_not(platform):
    body = changed(placed_out_of_county=True, referrer__organisation_type="third_sector")
    created = platform.post("/api/v1/referrals", platform.key("SWANSEA"), json=body)
    assert created.status_code == 201, created.text
    kept = platform.store("referral").get("referrals", created.json()["id"]).body
    assert (kept["placed_out_of_county"], kept["unaccompanied_asylum_seeking"]) == (True, None)
    assert kept["referrer"]["organisation_type"] == "third_sector"
    monitored = platform.post("/api/v1/referrals", platform.key("SWANSEA"),
                              json=changed(child__equality={"gender": "declined", "ethnic_group": "white"}))
    assert monitored.status_code == 201, monitored.text
    kept = platform.store("referral").get("referrals", monitored.json()["id"]).body
    assert kept["child"]["equality"] == {"gender": "declined", "ethnic_group": "white"}


@pytest.mark.parametrize("body, fields", [
    ({}, ["kind", "basis", "child", "referrer", "consent"]),
    (changed(child__given_name=...), ["child.given_name"]),
    (changed(child__date_of_birth="02/05/2013"), ["child.date_of_birth"]),
    (changed(child__preferred_language="Welsh"), ["child.preferred_language"]),
    (changed(kind="emergency"), ["kind"]),
    (changed(consent__child_agrees="yes"), ["consent.child_agrees"]),
    (changed(statutory_meeting_at="2026-12-14T10:00:00"), ["statutory_meeting_at"]),
    (changed(child__given_name="x" * 101), ["child.given_name"]),
    (changed(referrer__email="not-an-email"), ["referrer.email"]),
    (changed(favourite_colour="blue"), ["favourite_colour"]),
    (changed(child__contact__phone=12345), ["child.contact.phone"]),
    (changed(child__date_of_birth="2000-01-01"), ["child.date_of_birth"]),
    (changed(consent__child_informed=False), ["consent.child_informed"]),
    (changed(child__contact={"carer_name": "Mair"}), ["child.contact"]),
    (changed(kind="active_offer", basis="young_carer"), ["basis"]),
    (changed(placed_out_of_county="yes"), ["placed_out_of_county"]),
    (changed(unaccompanied_asylum_seeking=None), ["unaccompanied_asylum_seeking"]),
    (changed(referrer__organisation_type="charity"), ["referrer.organisation_type"]),
    (changed(child__equality={"disability": "unsure"}), ["child.equality.disability"]),
])
def test_an_invalid_referral_is_refused_field_by_field_and_nothing_is_stored(platform, body, fields):
    before = platform.referral_count()
    assert_problem(platform.post("/api/v1/referrals", platform.key(), json=body), 422, *fields)
    assert platform.referral_count() == before


@pytest.mark.parametrize("data, content_type, status", [
    (b"{not json", "application/json", 400),
    (b"", "application/json", 400),
    (b"kind=active_offer", "application/x-www-form-urlencoded", 415),
    (b"[]", "application/json", 422),
    (b"\xff\xfe", "application/json", 400),
])
def test_malformed_bodies_get_problems(platform, data, content_type, status):
    before = platform.referral_count()
    answer = platform.post("/api/v1/referrals", {**platform.key(), "Content-Type": content_type}, data=data)
    assert_problem(answer, status)
    assert platform.referral_count() == before


def test_an_oversize_body_is_refused_before_it_is_read(platform):
    body = changed(risks="x" * 20_000)
    problem = assert_problem(platform.post("/api/v1/referrals", platform.key(), json=body), 413)
    assert "16384 bytes" in problem["detail"]


def test_idempotency_keys_make_a_repeat_safe(platform):
    headers = {**platform.key("CONWY"), "Idempotency-Key": str(uuid.uuid4())}
    first = platform.post("/api/v1/referrals", headers, json=EXAMPLE)
    before = platform.referral_count()
    again = platform.post("/api/v1/referrals", headers, json=EXAMPLE)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert platform.referral_count() == before, "the repeat must not create a second referral"
    different = platform.post("/api/v1/referrals", headers, json=changed(external_ref="OTHER-1"))
    assert_problem(different, 422, "Idempotency-Key")
    other_council = platform.post("/api/v1/referrals", {**platform.key("CONWY"),
                                                        "Idempotency-Key": headers["Idempotency-Key"]}, json=EXAMPLE)
    assert other_council.status_code == 201 and other_council.json()["id"] != first.json()["id"]


def test_a_refused_request_keeps_its_refusal_under_its_idempotency_key(platform):
    headers = {**platform.key(), "Idempotency-Key": str(uuid.uuid4())}
    body = changed(child__date_of_birth="2000-01-01")
    first = platform.post("/api/v1/referrals", headers, json=body)
    assert_problem(first, 422)
    assert platform.post("/api/v1/referrals", headers, json=body).json() == first.json()


# reading


def test_a_council_never_sees_another_councils_referrals(platform):
    cardiff, newport = platform.key("CARDIFF"), platform.key("NEWPORT")
    created = platform.post("/api/v1/referrals", cardiff, json=EXAMPLE).json()
    assert_problem(platform.get(f"/api/v1/referrals/{created['id']}", newport), 404)
    assert_problem(platform.get("/api/v1/referrals/no-such-id", cardiff), 404)
    listed = platform.get("/api/v1/referrals", newport, params={"limit": 200}).json()
    assert created["id"] not in [r["id"] for r in listed["items"]]


def test_lists_are_paginated_and_filtered(platform):
    headers = platform.key("TORFAEN")
    ids = [platform.post("/api/v1/referrals", headers, json=EXAMPLE).json()["id"] for _ in range(5)]
    seen, cursor = [], None
    while True:
        page = platform.get("/api/v1/referrals", headers, params={"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        seen += [r["id"] for r in page.json()["items"]]
        cursor = page.json()["next"]
        if cursor is None:
            break
    assert seen == ids
    assert platform.get("/api/v1/referrals", headers, params={"status": "closed"}).json()["items"] == []
    future = platform.get("/api/v1/referrals", headers, params={"updated_since": "2100-01-01T00:00:00+00:00"})
    assert future.json()["items"] == []


@pytest.mark.parametrize("params, field", [({"limit": 0}, "limit"), ({"limit": 201}, "limit"),
                                           ({"limit": "ten"}, "limit"), ({"status": "lost"}, "status"),
                                           ({"updated_since": "yesterday"}, "updated_since"),
                                           ({"colour": "red"}, "colour")])
def test_bad_list_queries_are_named(platform, params, field):
    assert_problem(platform.get("/api/v1/referrals", platform.key(), params=params), 422, field)


# webhooks


@pytest.mark.parametrize("body, field", [
    ({"url": "http://council.example/hook", "secret": "s" * 32}, "url"),
    ({"url": "not a url", "secret": "s" * 32}, "url"),
    ({"url": "https://council.example/hook", "secret": "short"}, "secret"),
    ({"url": "https://council.example/hook"}, "secret"),
    ({"url": "https://council.example/hook", "secret": "whsec_!!not-base64!!-but-long-enough"}, "secret"),
])
def test_a_webhook_must_be_https_with_a_real_secret(platform, body, field):
    assert_problem(_put(platform, body), 422, field)


@pytest.mark.parametrize("url", ["https://10.0.0.12/", "http://localhost:22/", "https://localhost/hook",
                                 "https://169.254.169.254/latest/meta-data", "https://2130706433/hook",
                                 "https://0x7f000001/", "https://hooks.localhost/", "http://127.0.0.1/"])
def test_a_webhook_to_an_inward_address_is_refused_and_nothing_is_stored(platform, url):
    answer = requests.put(f"{platform.url}/api/v1/webhook", json={"url": url, "secret": "s" * 32},
                          headers=platform.key("WREXHAM"), timeout=10)
    problem = assert_problem(answer, 422, "url")
    assert "public internet address" in problem["detail"]
    assert platform.store("notify").get("webhooks", "WREXHAM") is None


def test_a_webhook_name_that_resolves_inward_is_refused(platform, monkeypatch):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):  # no DNS server here: the name answers as nip.io's would
        if host == "169.254.169.254.nip.io":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("169.254.169.254", port))]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    problem = assert_problem(_put(platform, {"url": "https://169.254.169.254.nip.io/", "secret": "s" * 32}), 422,
                             "url")
    assert "resolves to 169.254.169.254" in problem["errors"]["url"][0]


def _put(platform, body):
    return requests.put(f"{platform.url}/api/v1/webhook", json=body, headers=platform.key(), timeout=10)


def test_setting_a_webhook_never_echoes_the_secret(platform):
    secret = "whsec_" + "QUJD" * 10
    answer = _put(platform, {"url": "https://council.example/hook", "secret": secret})
    assert answer.status_code == 200
    assert answer.json() == {"url": "https://council.example/hook", "previous_secret_expires_at": None}
    assert secret not in answer.text


# the document and the audit


def test_the_openapi_document_describes_the_contract(platform):
    from openapi_spec_validator import validate

    document = platform.get("/api/v1/openapi.json", {}).json()
    validate(document)  # raises, naming the fault, if it is not a valid OpenAPI 3 document
    assert document["openapi"].startswith("3.")
    assert {"/api/v1/referrals", "/api/v1/referrals/{id}", "/api/v1/webhook", "/api/v1/opt-outs",
            "/api/v1/referrals/{id}/allocate", "/api/v1/referrals/{id}/contact-attempts",
            "/api/v1/referrals/{id}/close", "/api/v1/referrals/{id}/meetings", "/api/v1/meetings/{id}/reschedule",
            "/api/v1/meetings/{id}/cancel", "/api/v1/meetings/{id}/record",
            "/api/v1/meetings/{id}/invitation.ics", "/api/v1/cases", "/api/v1/cases/{id}/disclosures",
            "/api/v1/complaints", "/api/v1/complaints/{id}/respond"} <= set(document["paths"])

    def shape(path: str) -> str:
        return re.sub(r"<[^>]+>|{[^}]+}", "{}", path)

    routed = {shape(rule) for rule in _gateway_rules(platform) if rule.startswith("/api/v1/")}
    documented = {shape(path) for path in document["paths"]}
    # the complaint steps are one route with a <step> part, documented step by step
    routed = {path for path in routed if path != "/api/v1/complaints/{}/{}"}
    documented = {path for path in documented if not path.startswith("/api/v1/complaints/{}/")}
    assert documented == routed, (documented ^ routed)
    request_schema = document["components"]["schemas"]["ReferralRequest"]
    assert {"kind", "basis", "child", "referrer", "consent"} <= set(request_schema["required"])
    assert document["paths"]["/api/v1/referrals"]["post"]["responses"]["422"]["content"][
        "application/problem+json"]["schema"]["$ref"].endswith("/Problem")
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def _gateway_rules(platform):
    from services.gateway.app import create_app

    return [rule.rule for rule in create_app(platform.settings).url_map.iter_rules()]


def test_every_read_and_change_of_a_childs_referral_is_audited_without_personal_data(platform):
    headers = platform.key("WREXHAM")
    created = platform.post("/api/v1/referrals", headers, json=EXAMPLE).json()
    platform.get(f"/api/v1/referrals/{created['id']}", headers)
    entries = [e.body for e in platform.gateway.store.find("audit", {"referral_id": created["id"]})]
    assert [(e["what"], e["status"], e["council"]) for e in entries] == [
        ("create referral", 201, "WREXHAM"), ("read referral", 200, "WREXHAM")]
    assert all(e["who"] and e["at"] and e["why"] == "council integration" for e in entries)
    assert "Cerys" not in json.dumps(entries) and "07700" not in json.dumps(entries)


def test_health_and_readiness(platform):
    assert platform.get("/healthz", {}).json()["status"] == "ok"
    assert platform.get("/readyz", {}).json()["status"] == "ready"


def test_a_key_left_pending_by_a_request_that_died_can_be_taken_over(platform):
    import hashlib
    from datetime import datetime, timedelta, timezone

    from shared.store import Put

    headers = {**platform.key("GWYNEDD"), "Idempotency-Key": str(uuid.uuid4())}
    scope = f"{platform.gateway.store.find('api_clients', {'council': 'GWYNEDD'})[-1].id}:/api/v1/referrals"
    body = json.dumps(EXAMPLE).encode()
    reserved = {"request_hash": hashlib.sha256(body).hexdigest(), "state": "pending",
                "created_at": datetime.now(timezone.utc).isoformat()}
    platform.gateway.store.commit(Put.new("idempotency", f"{scope}:{headers['Idempotency-Key']}", reserved))
    send = lambda: requests.post(f"{platform.url}/api/v1/referrals", data=body, timeout=10,  # noqa: E731
                                 headers={**headers, "Content-Type": "application/json"})
    assert_problem(send(), 409)
    old = platform.gateway.store.get("idempotency", f"{scope}:{headers['Idempotency-Key']}")
    platform.gateway.store.commit(Put.update(old, {
        **reserved, "created_at": (datetime.now(timezone.utc) - timedelta(minutes=2)).isoformat()}))
    assert send().status_code == 201
