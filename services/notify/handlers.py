"""Notify's commands and event handlers, and the dispatcher that delivers webhooks."""

from __future__ import annotations

import logging
import time
from datetime import datetime, timedelta

import requests
from opentelemetry.trace import SpanKind

from shared import telemetry
from shared.clock import now, timestamp
from shared.contracts import Event
from shared.store import Store, VersionConflict

from services.notify import domain
from services.notify.store import NotifyStore

log = logging.getLogger("llais.notify")
CLAIM = timedelta(seconds=60)
TIMEOUT_SECONDS = 10


def set_webhook(notify: NotifyStore, council: str, url: str, secret: str) -> None:
    domain.signing_key(secret)  # refuse a secret that cannot sign before keeping it
    notify.set_webhook(council, {"council": council, "url": url, "secret": secret, "updated_at": timestamp()})


def queue_webhook(event: Event, store: Store) -> None:
    """On an event a council hears about: queue its webhook delivery, or record why nothing will be sent.

    The acknowledgement carries no child data and confirming receipt is a duty of the service, so it goes to the
    referring council whatever the sharing consents say; consent-gated types come with the next events.
    """
    notify = NotifyStore(store)
    council = event.data["council"]
    webhook = notify.webhook(council)
    base = {"id": event.id, "event_id": event.id, "type": event.type, "council": council,
            "referral_id": event.data.get("referral_id"), "basis": "duty", "created_at": timestamp()}
    if webhook is None:
        notify.record_unsent({**base, "reason": "the council has no webhook"}, event)
        return
    payload = domain.webhook_payload(event.envelope()).decode()
    notify.add_delivery({**base, "status": "pending", "payload": payload, "trace": telemetry.current_headers(),
                         "next_attempt_at": timestamp(), "first_attempt_at": None, "claimed_until": None,
                         "attempts": []}, event)


def dispatch_webhooks(notify: NotifyStore, session: requests.Session | None = None) -> int:
    """Send every due webhook once; return how many attempts were made."""
    session = session or requests.Session()
    made = 0
    for document in notify.pending():
        moment = now()
        body = document.body
        if datetime.fromisoformat(body["next_attempt_at"]) > moment:
            continue
        if body["claimed_until"] and datetime.fromisoformat(body["claimed_until"]) > moment:
            continue
        try:
            claimed = notify.claim(document, moment + CLAIM)
        except VersionConflict:
            continue
        _attempt(notify, claimed, session)
        made += 1
    return made


def _attempt(notify: NotifyStore, claimed, session: requests.Session) -> None:
    body = claimed.body
    webhook = notify.webhook(body["council"])
    started = now()
    attempt = {"at": timestamp(started), "url": webhook.body["url"] if webhook else None}
    if webhook is None:
        attempt.update(result="no webhook registered now")
        ok = False
    else:
        payload = body["payload"].encode()
        headers = domain.webhook_headers(webhook.body["secret"], body["event_id"], int(time.time()), payload)
        with telemetry.span_from_headers(f"{body['type']} webhook", body.get("trace"), kind=SpanKind.INTERNAL,
                                         attributes={"llais.council": body["council"],
                                                     "llais.event_type": body["type"]}):
            try:
                answer = session.post(webhook.body["url"], data=payload, headers=headers, timeout=TIMEOUT_SECONDS,
                                      allow_redirects=False)
                attempt.update(result="answered", status_code=answer.status_code)
                ok = domain.delivered(answer.status_code)
            except requests.RequestException as exc:
                attempt.update(result=f"no answer: {exc.__class__.__name__}")
                ok = False
    attempts = [*body["attempts"], attempt]
    first = body["first_attempt_at"] or attempt["at"]
    update = {**body, "attempts": attempts, "first_attempt_at": first, "claimed_until": None}
    if ok:
        update.update(status="delivered", delivered_at=timestamp())
    else:
        following = domain.next_attempt(datetime.fromisoformat(first), len(attempts), started)
        if following is None:
            update.update(status="parked", parked_at=timestamp())
            log.warning("webhook delivery parked after its retry window",
                        extra={"llais_event_id": body["event_id"], "llais_council": body["council"]})
        else:
            update.update(next_attempt_at=following.isoformat())
    notify.update(claimed, update)


def delivery_view(body: dict) -> dict:
    """A delivery as operators and tests read it: what, to whom, when, with what result; never the secret."""
    return {k: body.get(k) for k in ("event_id", "type", "council", "referral_id", "basis", "status", "created_at",
                                     "first_attempt_at", "next_attempt_at", "delivered_at", "parked_at", "attempts")}
