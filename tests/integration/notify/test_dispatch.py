"""Webhook deliveries against a real HTTP receiver: signed, retried after failure, never sent twice, recorded."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import socket
import threading
from datetime import datetime, timedelta, timezone
from email import message_from_string, policy as email_policy

import pytest
from werkzeug.wrappers import Request, Response

from shared.contracts import new_event
from shared.store.sqlite import SQLiteStore
from shared.unit_of_work import UnitOfWork, handle
from services.notify import delivery, handlers
from services.notify.commands import SetWebhook
from services.notify.store import NotifyStore
from tests.integration.notify.support import Inbox, serving  # noqa: F401  Inbox: the end-to-end tests read mail with it

SIAN = "sian@cardiff.example"
LOOPBACK = delivery.Webhooks(allow_private=True)
"""The receivers here listen on loopback, which only a platform set to allow private addresses delivers to."""
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
        moved = {"Location": "/hook/elsewhere"} if 300 <= status < 400 else {}
        return Response(status=status, headers=moved)(environ, start_response)


@pytest.fixture
def receiver():
    with serving(Receiver()) as app:
        app.url += "/hook"
        yield app


@pytest.fixture
def notify(tmp_path):
    return NotifyStore(SQLiteStore(tmp_path / "notify.sqlite3"))


def acknowledged(council: str = "CARDIFF"):
    return new_event("referral.acknowledged", {
        "referral_id": "r1", "council": council, "external_ref": "MOSAIC-1", "status": "received",
        "received_at": "2026-11-23T09:00:00+00:00", "acknowledged_at": "2026-11-23T09:00:01+00:00",
    }, producer="referral", subject="referral:r1")


def received_by_notify(notify, *, arrangements: bool = True, outcome: bool = True, language: str = "en",
                       council: str = "CARDIFF", source: str = "social_worker",
                       referrer_email: str | None = None, referral_id: str = "r1") -> dict:
    """Notify keeps the referral's receipt first: who referred, by which way, and what the child agreed to share."""
    consent = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": arrangements,
               "share_outcome_with_referrer": outcome}
    event = new_event("referral.received", {
        "referral_id": referral_id, "council": council, "region": "cardiff-vale", "nation": "wales",
        "kind": "active_offer", "basis": "looked_after", "external_ref": "MOSAIC-1",
        "received_at": "2026-11-23T09:00:00+00:00", "statutory_meeting_at": None, "preferred_language": "cy",
        "consent": consent, "source": source, "referrer_email": referrer_email, "referrer_language": language,
    }, producer="referral", subject=f"referral:{referral_id}")
    handle(handlers.track_referral, event, notify.store)
    return consent


def verify(headers: dict, body: bytes) -> bool:
    key = base64.b64decode(SECRET[len("whsec_"):])
    signed = f"{headers['Webhook-Id']}.{headers['Webhook-Timestamp']}.".encode() + body
    expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return hmac.compare_digest(expected, headers["Webhook-Signature"])


def test_an_acknowledgement_is_delivered_signed_and_recorded(notify, receiver):
    received_by_notify(notify)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    event = acknowledged()
    handle(handlers.notify_council, event, notify.store)
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 1
    (headers, body), = receiver.received
    assert verify(headers, body)
    assert headers["Webhook-Id"] == event.id and headers["Content-Type"] == "application/json"
    record = notify.deliveries({"event_id": event.id})[0].body
    assert record["status"] == "delivered" and record["basis"] == "duty"
    assert record["attempts"][0]["status_code"] == 204
    assert SECRET not in str(handlers.delivery_view(record))
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 0, "a delivered webhook is not sent again"


def test_a_failed_delivery_is_tried_again_after_its_back_off(notify, receiver):
    received_by_notify(notify)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    receiver.statuses = [500]
    handle(handlers.notify_council, acknowledged(), notify.store)
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 1
    pending = notify.pending()[0]
    due = datetime.fromisoformat(pending.body["next_attempt_at"])
    assert due - datetime.now(timezone.utc) > timedelta(seconds=3)
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 0, "not before its time"
    UnitOfWork(notify.store).update(pending, {**pending.body, "next_attempt_at": datetime.now(timezone.utc).isoformat()})
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 1
    record = notify.deliveries({})[0].body
    assert record["status"] == "delivered"
    assert [a.get("status_code") for a in record["attempts"]] == [500, 204]
    assert all(verify(h, b) for h, b in receiver.received)


def test_after_24_hours_of_failures_the_delivery_is_parked(notify, receiver):
    received_by_notify(notify)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    receiver.statuses = [503] * 3
    handle(handlers.notify_council, acknowledged(), notify.store)
    handlers.dispatch(UnitOfWork(notify.store), LOOPBACK)
    pending = notify.pending()[0]
    long_ago = (datetime.now(timezone.utc) - timedelta(hours=24, minutes=1)).isoformat()
    UnitOfWork(notify.store).update(pending, {**pending.body, "first_attempt_at": long_ago,
                            "next_attempt_at": datetime.now(timezone.utc).isoformat()})
    handlers.dispatch(UnitOfWork(notify.store), LOOPBACK)
    record = notify.deliveries({})[0].body
    assert record["status"] == "parked" and record["parked_at"]
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 0


def test_an_unreachable_webhook_counts_as_a_failed_attempt(notify):
    received_by_notify(notify)
    handlers.set_webhook(SetWebhook("CARDIFF", "http://127.0.0.1:9/hook", SECRET), UnitOfWork(notify.store))
    handle(handlers.notify_council, acknowledged(), notify.store)
    handlers.dispatch(UnitOfWork(notify.store), LOOPBACK)
    record = notify.deliveries({})[0].body
    assert record["status"] == "pending" and record["attempts"][0]["result"].startswith("no answer")


def test_a_webhook_to_an_inward_address_is_refused_at_delivery_and_parked_with_the_reason(notify, receiver):
    received_by_notify(notify)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    handle(handlers.notify_council, acknowledged(), notify.store)
    assert handlers.dispatch(UnitOfWork(notify.store)) == 1, "a platform that allows no private address"
    record = notify.deliveries({})[0].body
    assert receiver.received == [], "nothing left for the loopback address"
    assert record["status"] == "parked" and "127.0.0.1 is not a public internet address" in record["reason"]
    assert record["attempts"][0]["result"].startswith("refused")
    assert handlers.dispatch(UnitOfWork(notify.store)) == 0, "not tried again"


def resolving(monkeypatch, name: str, address: str) -> None:
    """The resolver answering `name` with `address` (there is no DNS server here to ask)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))] if host == name else \
            real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def acknowledged_to_a_name(notify, receiver, monkeypatch) -> str:
    """An acknowledgement waiting for the council's webhook at a name, which answers with the receiver's loopback
    address; the host and port the webhook names."""
    received_by_notify(notify)
    host = f"hooks.council.example:{receiver.url.split(':')[2].split('/')[0]}"
    handlers.set_webhook(SetWebhook("CARDIFF", f"http://{host}/hook?from=llais", SECRET), UnitOfWork(notify.store))
    resolving(monkeypatch, "hooks.council.example", "127.0.0.1")
    handle(handlers.notify_council, acknowledged(), notify.store)
    return host


def test_a_name_that_resolves_inward_at_delivery_is_refused(notify, receiver, monkeypatch):
    """Set when it resolved outward (or not at all), the council's name answers with an inward address when the
    webhook goes: the address is checked as resolved then, and nothing is sent."""
    acknowledged_to_a_name(notify, receiver, monkeypatch)
    handlers.dispatch(UnitOfWork(notify.store), delivery.Webhooks())
    record = notify.deliveries({})[0].body
    assert record["status"] == "parked" and "hooks.council.example resolves to 127.0.0.1" in record["reason"]
    assert receiver.received == []


def test_the_webhook_goes_to_the_address_checked_with_the_councils_name_as_its_host(notify, receiver, monkeypatch):
    host = acknowledged_to_a_name(notify, receiver, monkeypatch)
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 1
    (headers, body), = receiver.received
    assert headers["Host"] == host and verify(headers, body)
    assert notify.deliveries({})[0].body["status"] == "delivered"


def test_a_redirect_is_not_followed_and_counts_as_a_failed_attempt(notify, receiver):
    received_by_notify(notify)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    receiver.statuses = [307]
    handle(handlers.notify_council, acknowledged(), notify.store)
    handlers.dispatch(UnitOfWork(notify.store), LOOPBACK)
    record = notify.deliveries({})[0].body
    assert record["status"] == "pending" and record["attempts"][0]["status_code"] == 307
    assert len(receiver.received) == 1, "the redirect's target is not asked"


def test_two_dispatchers_racing_send_each_attempt_once(tmp_path, receiver):
    path = tmp_path / "notify.sqlite3"
    first, second = NotifyStore(SQLiteStore(path)), NotifyStore(SQLiteStore(path))
    received_by_notify(first)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(first.store))
    for _ in range(20):
        handle(handlers.notify_council, acknowledged(), first.store)
    barrier = threading.Barrier(2)

    def dispatch(notify):
        barrier.wait()
        handlers.dispatch(UnitOfWork(notify.store), LOOPBACK)

    threads = [threading.Thread(target=dispatch, args=(n,)) for n in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ids = [headers["Webhook-Id"] for headers, _ in receiver.received]
    assert len(ids) == 20 and len(set(ids)) == 20


def test_without_a_webhook_nothing_is_sent_and_the_reason_is_recorded(notify):
    received_by_notify(notify, council="GWYNEDD")
    event = acknowledged("GWYNEDD")
    handle(handlers.notify_council, event, notify.store)
    assert notify.pending() == []
    unsent = notify.store.get("unsent", f"{event.id}:webhook").body
    assert unsent["reason"] == "the council has no webhook" and notify.store.handled(event.id)


# consent, and email to the referrer

from dataclasses import replace  # noqa: E402

from services.notify.delivery import smtp_mailer  # noqa: E402
from shared.config import Settings  # noqa: E402


def arranged():
    return new_event("meeting.arranged", {
        "meeting_id": "m1", "referral_id": "r1", "council": "CARDIFF", "advocate_email": "a@provider.example",
        "starts_at": "2026-12-01T10:00:00+00:00", "duration_minutes": 60, "venue": "Ysgol y Wern", "language": "cy",
        "late": False}, producer="scheduling", subject="referral:r1")


def test_arrangements_are_not_sent_without_consent_and_the_refusal_is_recorded(notify, receiver, smtp):
    received_by_notify(notify, arrangements=False, outcome=True, referrer_email=SIAN)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    event = arranged()
    handle(handlers.notify_council, event, notify.store)
    assert notify.pending() == []
    refusal = notify.store.get("unsent", event.id).body
    assert refusal["basis"] == "withheld" and "share_arrangements_with_referrer" in refusal["reason"]
    mailer = smtp_mailer(replace(Settings(), smtp_url=smtp.url))
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK, mailer=mailer) == 0
    assert receiver.received == [] and smtp.messages == []


def test_with_consent_the_referrer_gets_an_email_in_their_language_and_the_council_a_webhook(notify, receiver, smtp):
    received_by_notify(notify, arrangements=True, outcome=False, language="cy", referrer_email=SIAN)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    handle(handlers.notify_council, arranged(), notify.store)
    mailer = smtp_mailer(replace(Settings(), smtp_url=smtp.url))
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK, mailer=mailer) == 2
    (recipients, message), = smtp.messages
    assert recipients == ["sian@cardiff.example"]
    subject = str(message_from_string(message, policy=email_policy.default)["Subject"]).strip()
    assert subject.startswith("Cyfarfod y Cynnig Rhagweithiol wedi'i drefnu: ") and "MOSAIC-1" in subject, subject
    assert "Ysgol y Wern" in message
    (headers, body), = receiver.received
    assert verify(headers, body) and json.loads(body)["data"]["venue"] == "Ysgol y Wern"
    records = {d.body["channel"]: d.body for d in notify.deliveries({})}
    assert records["email"]["basis"] == records["webhook"]["basis"] == "share_arrangements_with_referrer"
    assert records["email"]["status"] == "delivered" and records["email"]["attempts"][0]["to"] == "sian@cardiff.example"


def test_whether_the_meeting_took_place_is_always_confirmed_as_a_duty(notify, receiver, smtp):
    received_by_notify(notify, arrangements=False, outcome=False, referrer_email=SIAN)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    took_place = new_event("meeting.took_place", {"meeting_id": "m1", "referral_id": "r1", "council": "CARDIFF",
                                                  "held_at": "2026-12-01T10:00:00+00:00", "before_deadline": True},
                           producer="scheduling", subject="referral:r1")
    handle(handlers.notify_council, took_place, notify.store)
    handlers.dispatch(UnitOfWork(notify.store), LOOPBACK, mailer=smtp_mailer(replace(Settings(), smtp_url=smtp.url)))
    (_, body), = receiver.received
    assert json.loads(body)["data"] == {"referral_id": "r1", "council": "CARDIFF", "meeting_id": "m1",
                                        "meeting_took_place": True}
    assert "2026-12-01" not in smtp.messages[0][1], "not when it was: that is an arrangement"
    assert {d.body["basis"] for d in notify.deliveries({})} == {"duty"}


def test_without_a_mail_server_the_email_is_parked_saying_why(notify):
    received_by_notify(notify, arrangements=True, outcome=True, referrer_email=SIAN)
    handle(handlers.notify_council, arranged(), notify.store)
    handlers.dispatch(UnitOfWork(notify.store), LOOPBACK, mailer=None)
    records = [d.body for d in notify.deliveries({"channel": "email"})]
    assert records[0]["status"] == "parked"
    assert "no mail server configured" in records[0]["attempts"][0]["result"]


def test_deliveries_waiting_on_back_off_never_hold_up_new_ones(notify, receiver):
    received_by_notify(notify)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    receiver.statuses = [500] * 150
    for _ in range(150):
        handle(handlers.notify_council, acknowledged(), notify.store)
    handlers.dispatch(UnitOfWork(notify.store), LOOPBACK)  # every one fails once and waits
    receiver.statuses = []
    late = acknowledged()
    handle(handlers.notify_council, late, notify.store)
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 1
    assert notify.deliveries({"event_id": late.id})[0].body["status"] == "delivered"


# a referral the council may not know of: nothing about it leaves, not even a duty

def test_a_self_referral_the_child_did_not_agree_to_share_is_never_told_to_the_council(notify, receiver, smtp):
    received_by_notify(notify, source="self", arrangements=False, outcome=False, referrer_email="nia@example.org")
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    events = [acknowledged(), arranged(), new_event("meeting.took_place", {
        "meeting_id": "m1", "referral_id": "r1", "council": "CARDIFF", "held_at": "2026-12-01T10:00:00+00:00",
        "before_deadline": True}, producer="scheduling", subject="referral:r1")]
    for event in events:
        handle(handlers.notify_council, event, notify.store)
        refusal = notify.store.get("unsent", event.id).body
        assert refusal["basis"] == "withheld" and "referred themselves" in refusal["reason"]
        assert notify.store.handled(event.id)
    assert notify.deliveries({}) == [], "no webhook and no email is even queued"
    mailer = smtp_mailer(replace(Settings(), smtp_url=smtp.url))
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK, mailer=mailer) == 0
    assert receiver.received == [] and smtp.messages == []


def test_a_self_referral_the_child_agreed_to_share_is_acknowledged_to_the_council(notify, receiver):
    received_by_notify(notify, source="self", arrangements=True, outcome=True, referrer_email=None)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    handle(handlers.notify_council, acknowledged(), notify.store)
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 1
    (headers, body), = receiver.received
    assert verify(headers, body) and json.loads(body)["data"]["referral_id"] == "r1"


def test_an_event_for_a_referral_notify_has_not_heard_of_fails_to_be_tried_again(notify, receiver):
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    event = acknowledged()
    with pytest.raises(handlers.UnknownReferral):
        handle(handlers.notify_council, event, notify.store)
    assert not notify.store.handled(event.id) and notify.deliveries({}) == []
    received_by_notify(notify)
    handle(handlers.notify_council, event, notify.store)
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 1


def test_a_message_whose_consent_was_withdrawn_before_it_left_is_never_sent(notify, receiver):
    received_by_notify(notify, arrangements=True, outcome=False)
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    receiver.statuses = [500]
    handle(handlers.notify_council, arranged(), notify.store)
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 1, "the first try fails and waits for its back-off"
    withdrawn = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": False,
                 "share_outcome_with_referrer": False}
    handle(handlers.notify_council, new_event("active_offer.completed", {
        "referral_id": "r1", "council": "CARDIFF", "meeting_id": "m1", "outcome": "declined",
        "decline_reason_code": "not_the_right_time", "follow_on_referral_id": None, "consent": withdrawn,
        "completed_at": "2026-12-01T11:00:00+00:00"}, producer="scheduling", subject="referral:r1"), notify.store)
    pending = notify.pending()[0]
    UnitOfWork(notify.store).update(pending, {**pending.body, "next_attempt_at": datetime.now(timezone.utc).isoformat()})
    handlers.dispatch(UnitOfWork(notify.store), LOOPBACK)
    record = notify.deliveries({"event_id": pending.body["event_id"]})[0].body
    assert record["status"] == "withheld" and "share_arrangements_with_referrer" in record["reason"]
    assert len(receiver.received) == 1, "only the first, failed, try ever left"
    assert handlers.dispatch(UnitOfWork(notify.store), LOOPBACK) == 0


def test_the_outcome_webhook_names_the_advocate_and_the_support_only_with_consent(notify, receiver):
    handlers.set_webhook(SetWebhook("CARDIFF", receiver.url, SECRET), UnitOfWork(notify.store))
    for outcome_shared in (True, False):
        referral_id = f"r-{outcome_shared}"
        received_by_notify(notify, arrangements=False, outcome=outcome_shared, referral_id=referral_id)
        receiver.received.clear()
        receiver.statuses = []
        consent = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": False,
                   "share_outcome_with_referrer": outcome_shared}
        handle(handlers.notify_council, new_event("active_offer.completed", {
            "referral_id": referral_id, "council": "CARDIFF", "meeting_id": "m1", "outcome": "other_support",
            "other_support_type": "formal", "advocate_email": "nia@provider.example", "consent": consent,
            "completed_at": "2026-12-01T11:00:00+00:00"}, producer="scheduling", subject=f"referral:{referral_id}"),
            notify.store)
        handlers.dispatch(UnitOfWork(notify.store), LOOPBACK)
        sent = [json.loads(body) for _, body in receiver.received if b"active_offer.completed" in body]
        if outcome_shared:
            assert [(s["data"]["named_advocate"], s["data"]["support_type"]) for s in sent] == [
                ("nia@provider.example", "formal")]
        else:
            assert sent == [] and not any(b"nia@provider.example" in body for _, body in receiver.received)
