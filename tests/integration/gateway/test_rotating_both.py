"""A council rotates its API key and its webhook secret at once, through the public API of the embedded platform:
through the overlap every call with either key is answered and every webhook verifies with either secret (checked
with the `standardwebhooks` library, as a council's receiver would); after it, only the new ones work."""

from __future__ import annotations

import base64
import threading
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import requests
from standardwebhooks import Webhook, WebhookVerificationError
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shared.config import Settings
from shared.councils import CouncilRegister
from shared.store import Put, open_store
from services.gateway import handlers
from services.gateway.domain import parse_credential
from services.gateway.store import GatewayStore
from services.platform import Embedded
from tests.examples import example_referral
from tests.integration.bus.support import wait_for

OLD_SECRET = "whsec_" + base64.b64encode(b"o" * 32).decode()
NEW_SECRET = "whsec_" + base64.b64encode(b"n" * 32).decode()


class Receiver:
    """The council's webhook endpoint: keeps each delivery's headers and body, answers 204."""

    def __init__(self):
        self.received: list[tuple[dict, bytes]] = []

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.received.append((dict(request.headers), request.get_data()))
        return Response(status=204)(environ, start_response)


@pytest.fixture(scope="module")
def council(tmp_path_factory):
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("rotating"),
                       bus_prefix=f"rotating-{uuid.uuid4().hex[:8]}", strict_queries=True, webhook_allow_private=True)
    receiver = Receiver()
    server = make_server("127.0.0.1", 0, receiver, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    embedded = Embedded(settings, port=0)
    embedded.start()
    receiver.url = f"http://127.0.0.1:{server.server_port}/hook"
    receiver.platform = embedded
    try:
        yield receiver
    finally:
        embedded.stop()
        server.shutdown()


def _call(council, method: str, path: str, key: str, body=None) -> requests.Response:
    return requests.request(method, f"{council.platform.url}{path}", json=body, timeout=10,
                            headers={"Authorization": f"Bearer {key}"})


def _refer_and_receive(council, key: str) -> tuple[dict, bytes]:
    """Refer a child with `key`, and the acknowledgement webhook that follows."""
    answer = _call(council, "POST", "/api/v1/referrals", key, example_referral())
    assert answer.status_code == 201, answer.text
    referral_id = answer.json()["id"]
    return wait_for(lambda: next((delivery for delivery in council.received
                                  if referral_id.encode() in delivery[1]), None), what="the acknowledgement")


def _verifies(secret: str, delivery: tuple[dict, bytes]) -> bool:
    headers, body = delivery
    try:
        Webhook(secret).verify(body, headers)
    except WebhookVerificationError:
        return False
    return True


def test_a_key_and_a_secret_rotated_together_leave_no_call_refused_and_no_webhook_unverifiable(council):
    gateway, councils = GatewayStore(open_store("gateway", council.platform.settings)), CouncilRegister.load()
    old_key = handlers.create_api_key(gateway, councils, "CARDIFF", "Mosaic")
    assert _call(council, "PUT", "/api/v1/webhook", old_key, {"url": council.url, "secret": OLD_SECRET}).json() == {
        "url": council.url, "previous_secret_expires_at": None}
    before = _refer_and_receive(council, old_key)
    assert _verifies(OLD_SECRET, before) and not _verifies(NEW_SECRET, before)

    new_key, _ = handlers.rotate_api_key(gateway, old_key, 24)
    changed = _call(council, "PUT", "/api/v1/webhook", new_key, {
        "url": council.url, "secret": NEW_SECRET, "previous_secret_expires_in_hours": 24})
    assert changed.status_code == 200 and OLD_SECRET not in changed.text and NEW_SECRET not in changed.text
    ends = datetime.fromisoformat(changed.json()["previous_secret_expires_at"])
    audited = [d.body for d in gateway.store.find("audit", limit=10_000) if d.body["what"] == "set webhook"
               and d.body["who"] == parse_credential(new_key).key_id]
    assert [(e["status"], e["council"]) for e in audited] == [(200, "CARDIFF")]
    assert OLD_SECRET not in str(audited) and NEW_SECRET not in str(audited)
    assert timedelta(hours=23) < ends - datetime.now(timezone.utc) <= timedelta(hours=24)
    during = [_refer_and_receive(council, key) for key in (old_key, new_key, old_key, new_key)]
    for delivery in during:
        assert len(delivery[0]["Webhook-Signature"].split(" ")) == 2
        assert _verifies(OLD_SECRET, delivery) and _verifies(NEW_SECRET, delivery), \
            "a receiver holding either secret verifies every delivery in the overlap"

    notify = open_store("notify", council.platform.settings)
    webhook = notify.get("webhooks", "CARDIFF")
    past = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()
    notify.commit(Put.update(webhook, {**webhook.body, "previous_secret_expires_at": past}))
    client = gateway.api_client(parse_credential(old_key).key_id)
    gateway.store.commit(Put.update(client, {**client.body, "expires_at": past}))
    assert _call(council, "GET", "/api/v1/referrals", old_key).status_code == 401
    after = _refer_and_receive(council, new_key)
    assert _verifies(NEW_SECRET, after) and not _verifies(OLD_SECRET, after), "after the overlap only the new one"
    assert " " not in after[0]["Webhook-Signature"]


def test_an_overlap_longer_than_thirty_days_or_not_whole_hours_is_refused_and_changes_nothing(council):
    key = handlers.create_api_key(GatewayStore(open_store("gateway", council.platform.settings)),
                                  CouncilRegister.load(), "WREXHAM")
    for hours in (721, -1, "24", 1.5, True):
        answer = _call(council, "PUT", "/api/v1/webhook", key, {
            "url": council.url, "secret": NEW_SECRET, "previous_secret_expires_in_hours": hours})
        assert answer.status_code == 422, (hours, answer.text)
        assert "previous_secret_expires_in_hours" in answer.json()["errors"]
    assert open_store("notify", council.platform.settings).get("webhooks", "WREXHAM") is None
