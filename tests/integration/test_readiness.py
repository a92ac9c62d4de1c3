"""Readiness says which dependency is missing; health does not depend on them."""

from __future__ import annotations

from dataclasses import replace

from services.referral.app import create_app


def test_readiness_fails_naming_the_broker_when_it_does_not_answer(settings):
    app = create_app(replace(settings, amqp_url="amqp://guest:guest@127.0.0.1:9//"))
    client = app.test_client()
    assert client.get("/healthz").status_code == 200
    answer = client.get("/readyz")
    assert answer.status_code == 503 and answer.mimetype == "application/problem+json"
    assert set(answer.json["checks"]) == {"broker_reachable"}


def test_readiness_passes_with_the_store_and_the_in_memory_bus(settings):
    answer = create_app(settings).test_client().get("/readyz")
    assert answer.status_code == 200 and answer.json == {"status": "ready", "service": "referral"}
