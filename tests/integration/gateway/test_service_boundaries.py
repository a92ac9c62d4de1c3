"""The edges between the gateway and the services: a service that is down, and internal APIs that only the
platform may call."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.config import Settings
from shared.councils import CouncilRegister
from services.gateway import handlers
from services.gateway.app import create_app as create_gateway
from services.gateway.store import GatewayStore
from services.referral.app import create_app as create_referral
from tests.examples import example_referral

EXAMPLE = example_referral()


def test_a_service_that_does_not_answer_is_a_503_problem_not_a_stack_trace(tmp_path):
    settings = replace(Settings(), data_dir=tmp_path, service_urls={"referral": "http://127.0.0.1:9"})
    app = create_gateway(settings)
    key = handlers.create_api_key(GatewayStore(app.extensions["llais.store"]), CouncilRegister.load(), "CARDIFF")
    answer = app.test_client().post("/api/v1/referrals", json=EXAMPLE, headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 503
    assert answer.mimetype == "application/problem+json"
    assert "referral service did not answer" in answer.json["detail"]
    assert "Traceback" not in answer.get_data(as_text=True)


@pytest.mark.parametrize("upstream,status", [(503, 503), (500, 502)])
def test_a_busy_service_says_when_to_try_again_and_a_failing_one_is_a_502(tmp_path, upstream, status):
    import threading

    from werkzeug.serving import make_server
    from werkzeug.wrappers import Response

    def service(environ, start_response):
        return Response('{"status": %d}' % upstream, status=upstream, mimetype="application/problem+json",
                        headers={"Retry-After": "2"} if upstream == 503 else {})(environ, start_response)

    server = make_server("127.0.0.1", 0, service, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}"
        app = create_gateway(replace(Settings(), data_dir=tmp_path, service_urls={"referral": url}))
        key = handlers.create_api_key(GatewayStore(app.extensions["llais.store"]), CouncilRegister.load(), "CARDIFF")
        answer = app.test_client().post("/api/v1/referrals", json=EXAMPLE, headers={"Authorization": f"Bearer {key}"})
    finally:
        server.shutdown()
    assert answer.status_code == status and answer.mimetype == "application/problem+json"
    assert answer.headers.get("Retry-After") == ("2" if upstream == 503 else None)


def test_a_service_left_unconfigured_is_named(tmp_path):
    app = create_gateway(replace(Settings(), data_dir=tmp_path))
    key = handlers.create_api_key(GatewayStore(app.extensions["llais.store"]), CouncilRegister.load(), "CARDIFF")
    answer = app.test_client().get("/api/v1/referrals", headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 503 and "LLAIS_REFERRAL_URL" in answer.json["detail"]


@pytest.fixture
def referral_api(tmp_path):
    return create_referral(replace(Settings(), data_dir=tmp_path, internal_token="internal-secret")).test_client()


def test_internal_apis_refuse_callers_without_the_internal_token(referral_api):
    for headers in ({}, {"X-Llais-Internal-Token": "guess"}):
        answer = referral_api.get("/referrals", headers=headers)
        assert answer.status_code == 401 and answer.mimetype == "application/problem+json"
    assert referral_api.get("/healthz").status_code == 200
    assert referral_api.get("/referrals", headers={"X-Llais-Internal-Token": "internal-secret"}).status_code == 200


@pytest.mark.parametrize("body, status, field", [
    ({**EXAMPLE}, 422, "council"),
    ({**EXAMPLE, "council": "ATLANTIS"}, 422, "council"),
    ({"council": "CARDIFF"}, 422, "_schema"),
    ({**EXAMPLE, "council": "CARDIFF", "child": "Cerys"}, 422, "_schema"),
])
def test_the_referral_service_refuses_what_it_cannot_record_and_stores_nothing(referral_api, body, status, field):
    token = {"X-Llais-Internal-Token": "internal-secret"}
    answer = referral_api.post("/referrals", json=body, headers=token)
    assert answer.status_code == status and field in answer.json["errors"]
    assert referral_api.get("/referrals", headers=token).json["items"] == []
