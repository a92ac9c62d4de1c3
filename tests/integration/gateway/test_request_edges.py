"""The edges of a request the gateway answers well: where a page sends you back to (`next`), a list's `cursor`,
the methods a resource allows, and the ids it passes on to a service."""

from __future__ import annotations

import re
import threading
from dataclasses import replace

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shared.config import INTERNAL_SERVICES, Settings
from shared.councils import CouncilRegister
from services.gateway import handlers
from services.gateway.app import create_app as create_gateway
from services.gateway.store import GatewayStore
from services.referral.app import create_app as create_referral
from tests.examples import example_referral

PASSWORD = "a long enough password"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class RecordingService:
    """A stand-in for every internal service: it notes the path of each request exactly as it arrived, and answers
    404 as a service does for an id it does not know."""

    def __init__(self):
        self.paths: list[str] = []

        @Request.application
        def app(request: Request) -> Response:
            self.paths.append(request.environ.get("RAW_URI") or request.environ["REQUEST_URI"])
            return Response('{"status": 404, "title": "Not found", "detail": "No such thing."}', status=404,
                            mimetype="application/problem+json")

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="module")
def recorder():
    service = RecordingService()
    yield service
    service.stop()


@pytest.fixture
def recording(recorder):
    recorder.paths.clear()
    return recorder


@pytest.fixture(scope="module")
def gateway(tmp_path_factory, recorder):
    urls = {name: recorder.url for name in INTERNAL_SERVICES}
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("edges"), service_urls=urls, cookie_secure=False,
                       sign_in_rate_limit="1000 per minute")
    return create_gateway(settings)


@pytest.fixture(scope="module")
def manager(gateway) -> tuple[str, dict]:
    """A manager's email and API credentials."""
    store = GatewayStore(gateway.extensions["llais.store"])
    email = "manager@provider.example"
    handlers.create_user(store, CouncilRegister.load(), email, "manager", None, PASSWORD)
    return email, {"Authorization": f"Bearer {handlers.create_token(store, email)}"}


# ids reach the service as the ids they are

ODD_IDS = {"a%3Fstatus%3Dclosed": "a%3Fstatus%3Dclosed", "a%23b": "a%23b", "a%2525b": "a%2525b", "a%20b": "a%20b",
           "Si%C3%A2n": "Si%C3%A2n", "%2E%2E": "%2E%2E"}
"""The id as a client sends it in the gateway's path, and as it must reach the service: encoded once (an id of
dots stays encoded, so no one on the way resolves it into another path; the service's route reads it as `..`)."""


@pytest.mark.parametrize("method, public", [
    ("GET", "/api/v1/referrals/{id}"),
    ("POST", "/api/v1/referrals/{id}/contact-attempts"),
    ("POST", "/api/v1/meetings/{id}/cancel"),
    ("GET", "/api/v1/meetings/{id}/invitation.ics"),
    ("GET", "/api/v1/cases/{id}"),
    ("GET", "/api/v1/cases/{id}/record"),
    ("POST", "/api/v1/cases/{id}/plan"),
    ("GET", "/api/v1/complaints/{id}"),
])
@pytest.mark.parametrize("sent", ODD_IDS)
def test_an_id_no_record_can_have_is_not_found_at_the_gateway_and_reaches_no_service(gateway, manager, recording,
                                                                                     method, public, sent):
    _, headers = manager
    body = {"method": "phone", "result": "reached", "reason": "Moved", "text": "Plan", "agreed_with_child": True}
    fields = {"contact-attempts": ("method", "result"), "cancel": ("reason",), "plan": ("text", "agreed_with_child")}
    wanted = next((names for suffix, names in fields.items() if public.endswith(suffix)), ())
    answer = gateway.test_client().open(public.format(id=sent), method=method, headers=headers,
                                        json={k: body[k] for k in wanted} if method == "POST" else None)
    assert answer.status_code == 404, answer.get_data(as_text=True)
    assert recording.paths == [], "an id no record can have is not found at the gateway and reaches no service"


# a list's cursor is only ever one the list gave


@pytest.mark.parametrize("cursor", ["' OR 1=1--", "1; DROP TABLE referrals", "a/b", "x" * 201])
def test_a_cursor_the_gateway_can_tell_is_not_one_is_a_422_naming_it(gateway, recording, cursor):
    key = handlers.create_api_key(GatewayStore(gateway.extensions["llais.store"]), CouncilRegister.load(), "CARDIFF")
    answer = gateway.test_client().get("/api/v1/referrals", query_string={"cursor": cursor},
                                       headers={"Authorization": f"Bearer {key}"})
    assert answer.status_code == 422 and "cursor" in answer.json["errors"]
    assert recording.paths == [], "refused before any service is asked"


@pytest.fixture
def referral_api(tmp_path):
    return create_referral(replace(Settings(), data_dir=tmp_path, internal_token="internal")).test_client()


INTERNAL = {"X-Llais-Internal-Token": "internal"}


@pytest.mark.parametrize("cursor", ["AAAA", "' OR 1=1--", "Zm9vAA", "_-_-_", "AAAAA"])
def test_a_cursor_that_is_not_one_the_service_gave_is_a_422_naming_it(referral_api, cursor):
    answer = referral_api.get("/referrals", query_string={"cursor": cursor}, headers=INTERNAL)
    assert answer.status_code == 422 and "cursor" in answer.json["errors"], answer.get_data(as_text=True)


def test_a_cursor_the_service_gave_pages_on(referral_api):
    for _ in range(3):
        created = referral_api.post("/referrals", json={**example_referral(), "council": "CARDIFF"}, headers=INTERNAL)
        assert created.status_code == 201, created.get_data(as_text=True)
    first = referral_api.get("/referrals", query_string={"limit": 2}, headers=INTERNAL).json
    rest = referral_api.get("/referrals", query_string={"limit": 2, "cursor": first["next"]}, headers=INTERNAL).json
    assert len(first["items"]) == 2 and len(rest["items"]) == 1 and rest["next"] is None


# 405 says what is allowed


def test_a_method_not_allowed_says_which_are_on_the_api_and_on_pages(gateway):
    client = gateway.test_client()
    api = client.put("/api/v1/referrals")
    assert_allows(api, {"GET", "POST"})
    assert api.mimetype == "application/problem+json"
    page = client.put("/sign-in")
    assert_allows(page, {"GET", "POST"})
    assert page.mimetype == "text/html"


def test_a_method_not_allowed_says_which_are_on_an_internal_api(referral_api):
    answer = referral_api.put("/referrals", headers=INTERNAL)
    assert_allows(answer, {"GET", "POST"})


def assert_allows(answer, methods: set[str]) -> None:
    assert answer.status_code == 405
    allowed = {m.strip() for m in answer.headers.get("Allow", "").split(",")}
    assert methods <= allowed, answer.headers


# where a page sends you back to


BAD_NEXT = ["/\r\nSet-Cookie: x=1", "/\nX", "/\rX", "/\tX", "/\u202egnp.exe", "/\x00", "//evil.example/x",
            "https://evil.example/", "/\\evil.example", "/" + "a" * 3000]


@pytest.mark.parametrize("target", BAD_NEXT)
def test_choosing_a_language_returns_only_to_a_plain_path_of_this_site(gateway, target):
    answer = gateway.test_client().get("/language/cy", query_string={"next": target})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    assert "llais_language=cy" in answer.headers["Set-Cookie"]


def test_choosing_a_language_returns_to_the_page_it_was_chosen_on(gateway):
    answer = gateway.test_client().get("/language/cy", query_string={"next": "/referrals?status=received"})
    assert answer.headers["Location"] == "/referrals?status=received"


@pytest.mark.parametrize("target", BAD_NEXT)
def test_signing_in_returns_only_to_a_plain_path_of_this_site(gateway, manager, target):
    email, _ = manager
    client = gateway.test_client()
    match = TOKEN.search(client.get("/sign-in").get_data(as_text=True))
    answer = client.post("/sign-in", query_string={"next": target},
                         data={"csrf_token": match.group(1) or match.group(2), "email": email, "password": PASSWORD})
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
