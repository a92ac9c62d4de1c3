"""Webhook deliveries against a real HTTP receiver: signed, retried after failure, never sent twice, recorded."""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from datetime import datetime, timedelta, timezone

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shared.contracts import new_event
from shared.store.sqlite import SQLiteStore
from services.notify import handlers
from services.notify.store import NotifyStore

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()


class Receiver:
    def __init__(self):
        self.statuses: list[int] = []
        self.received: list[tuple[dict, bytes]] = []
        self.lock = threading.Lock()

    def __call__(self, environ, start_response):
        request = Request(environ)
        with self.lock:
            self.received.append((dict(request.headers), request.get_data()))
            status = self.statuses.pop(0) if self.statuses else 204
        return Response(status=status)(environ, start_response)


@pytest.fixture
def receiver():
    app = Receiver()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    app.url = f"http://127.0.0.1:{server.server_port}/hook"
    yield app
    server.shutdown()


@pytest.fixture
def notify(tmp_path):
    return NotifyStore(SQLiteStore(tmp_path / "notify.sqlite3"))


def acknowledged(council: str = "CARDIFF"):
    return new_event("referral.acknowledged", {
        "referral_id": "r1", "council": council, "external_ref": "MOSAIC-1", "status": "received",
        "received_at": "2026-11-23T09:00:00+00:00", "acknowledged_at": "2026-11-23T09:00:01+00:00",
    }, producer="referral", subject="referral:r1")


def verify(headers: dict, body: bytes) -> bool:
    key = base64.b64decode(SECRET[len("whsec_"):])
    signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, headers["Webhook-Signature"])


def test_an_acknowledgement_is_delivered_signed_and_recorded(notify, receiver):
    handlers.set_webhook(notify, "CARDIFF", receiver.url, SECRET)
    event = acknowledged()
    handlers.queue_webhook(event, notify.store)
    assert handlers.dispatch_webhooks(notify) == 1
    (headers, body), = receiver.received
    assert verify(headers, body)
    assert headers["Webhook-Id"] == event.id and headers["Content-Type"] == "application/json"
    record = notify.deliveries({"event_id": event.id})[0].body
    assert record["status"] == "delivered" and record["basis"] == "duty"
    assert record["attempts"][0]["status_code"] == 204
    assert SECRET not in str(handlers.delivery_view(record))
    assert handlers.dispatch_webhooks(notify) == 0, "a delivered webhook is not sent again"


def test_a_failed_delivery_is_tried_again_after_its_back_off(notify, receiver):
    handlers.set_webhook(notify, "CARDIFF", receiver.url, SECRET)
    receiver.statuses = [500]
    handlers.queue_webhook(acknowledged(), notify.store)
    assert handlers.dispatch_webhooks(notify) == 1
    pending = notify.pending()[0]
    due = datetime.fromisoformat(pending.body["next_attempt_at"])
    assert due - datetime.now(timezone.utc) > timedelta(seconds=3)
    assert handlers.dispatch_webhooks(notify) == 0, "not before its time"
    notify.update(pending, {**pending.body, "next_attempt_at": datetime.now(timezone.utc).isoformat()})
    assert handlers.dispatch_webhooks(notify) == 1
    record = notify.deliveries({})[0].body
    assert record["status"] == "delivered"
    assert [a.get("status_code") for a in record["attempts"]] == [500, 204]
    assert all(verify(h, b) for h, b in receiver.received)


def test_after_24_hours_of_failures_the_delivery_is_parked(notify, receiver):
    handlers.set_webhook(notify, "CARDIFF", receiver.url, SECRET)
    receiver.statuses = [503] * 3
    handlers.queue_webhook(acknowledged(), notify.store)
    handlers.dispatch_webhooks(notify)
    pending = notify.pending()[0]
    long_ago = (datetime.now(timezone.utc) - timedelta(hours=24, minutes=1)).isoformat()
    notify.update(pending, {**pending.body, "first_attempt_at": long_ago,
                            "next_attempt_at": datetime.now(timezone.utc).isoformat()})
    handlers.dispatch_webhooks(notify)
    record = notify.deliveries({})[0].body
    assert record["status"] == "parked" and record["parked_at"]
    assert handlers.dispatch_webhooks(notify) == 0


def test_an_unreachable_webhook_counts_as_a_failed_attempt(notify):
    handlers.set_webhook(notify, "CARDIFF", "http://127.0.0.1:9/hook", SECRET)
    handlers.queue_webhook(acknowledged(), notify.store)
    handlers.dispatch_webhooks(notify)
    record = notify.deliveries({})[0].body
    assert record["status"] == "pending" and record["attempts"][0]["result"].startswith("no answer")


def test_two_dispatchers_racing_send_each_attempt_once(tmp_path, receiver):
    path = tmp_path / "notify.sqlite3"
    first, second = NotifyStore(SQLiteStore(path)), NotifyStore(SQLiteStore(path))
    handlers.set_webhook(first, "CARDIFF", receiver.url, SECRET)
    for _ in range(20):
        handlers.queue_webhook(acknowledged(), first.store)
    barrier = threading.Barrier(2)

    def dispatch(notify):
        barrier.wait()
        handlers.dispatch_webhooks(notify)

    threads = [threading.Thread(target=dispatch, args=(n,)) for n in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [headers["Webhook-Id"] for headers, _ in receiver.received]
    assert len(ids) == 20 and len(set(ids)) == 20


def test_without_a_webhook_nothing_is_sent_and_the_reason_is_recorded(notify):
    event = acknowledged("GWYNEDD")
    handlers.queue_webhook(event, notify.store)
    assert notify.pending() == []
    unsent = notify.store.get("unsent", event.id).body
    assert unsent["reason"] == "the council has no webhook" and notify.store.handled(event.id)
