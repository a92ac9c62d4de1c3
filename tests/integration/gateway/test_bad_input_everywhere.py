"""Every endpoint that takes a body answers bad input with a problem that says what to fix, and changes nothing."""

from __future__ import annotations

import uuid

import pytest
import requests

from tests.integration.gateway.conftest import assert_problem

ENDPOINTS = [
    ("council", "POST", "/api/v1/referrals"),
    ("council", "POST", "/api/v1/opt-outs"),
    ("council", "PUT", "/api/v1/webhook"),
    ("manager", "POST", "/api/v1/referrals/{id}/allocate"),
    ("advocate", "POST", "/api/v1/referrals/{id}/contact-attempts"),
    ("manager", "POST", "/api/v1/referrals/{id}/close"),
    ("advocate", "POST", "/api/v1/referrals/{id}/meetings"),
    ("advocate", "POST", "/api/v1/meetings/{id}/reschedule"),
    ("advocate", "POST", "/api/v1/meetings/{id}/cancel"),
    ("advocate", "POST", "/api/v1/meetings/{id}/record"),
]


@pytest.fixture(scope="module")
def callers(platform):
    return {"council": platform.key("CARDIFF"), "manager": platform.staff("manager"),
            "advocate": platform.staff("advocate")}


def send(platform, callers, who, method, path, **kwargs):
    url = platform.url + path.format(id=uuid.uuid4())
    return requests.request(method, url, headers={**callers[who], **kwargs.pop("headers", {})}, timeout=10,
                            **kwargs)


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_malformed_json_is_400(platform, callers, who, method, path):
    assert_problem(send(platform, callers, who, method, path, data=b'{"reason": ',
                        headers={"Content-Type": "application/json"}), 400)


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_not_json_is_415(platform, callers, who, method, path):
    assert_problem(send(platform, callers, who, method, path, data=b"reason=x",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_too_large_is_413(platform, callers, who, method, path):
    assert_problem(send(platform, callers, who, method, path, json={"reason": "x" * 20_000}), 413)


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_missing_and_unknown_fields_are_named(platform, callers, who, method, path):
    problem = assert_problem(send(platform, callers, who, method, path, json={"surprise": True}), 422, "surprise")
    assert len(problem["errors"]) >= 2, "the missing required fields are named too"


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_wrong_types_are_named(platform, callers, who, method, path):
    body = {"reason": 7, "took_place": "yes", "starts_at": 12, "advocate_email": ["x"], "method": 1, "url": 3,
            "basis": 4, "kind": 5}
    problem = assert_problem(send(platform, callers, who, method, path, json=body), 422)
    assert problem["errors"]


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_without_credentials_nothing_is_looked_at(platform, callers, who, method, path):
    answer = requests.request(method, platform.url + path.format(id="x"), json={}, timeout=10)
    assert_problem(answer, 401)
