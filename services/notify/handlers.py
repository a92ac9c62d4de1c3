"""Notify's event handlers, and the dispatcher that delivers webhooks and emails (through services/notify/delivery).

Consent is checked here a second time, before anything leaves: each message is made from what `domain.disclose`
allows, about a referral the council may know of at all (`domain.council_may_know`), and records the consent or
duty it is sent under; a message consent does not allow is never made, and the refusal is recorded instead. Just
before each attempt the consent is checked once more: a message whose consent the child has since withdrawn is
marked `withheld` and never leaves.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import datetime, timedelta

import requests
from opentelemetry.trace import SpanKind

from shared import telemetry
from shared.clock import now, timestamp
from shared.contracts import Event
from shared.store import Document
from shared.unit_of_work import UnitOfWork

from services.notify import delivery, domain, templates
from services.notify.commands import SetWebhook
from services.notify.delivery import Mailer
from services.notify.store import DELIVERIES, REFERRALS, UNSENT, WEBHOOKS, NotifyStore

log = logging.getLogger("llais.notify")
CLAIM = timedelta(seconds=60)


class UnknownReferral(LookupError):
    """An event about a referral whose `referral.received` notify has not yet kept: without its source and consent
    nothing may be sent, so the event fails and the bus tries it again (the receipt is then known)."""


def set_webhook(command: SetWebhook, uow: UnitOfWork) -> None:
    domain.signing_key(command.secret)  # refuse a secret that cannot sign before keeping it
    webhook = {"council": command.council, "url": command.url, "secret": command.secret, "updated_at": timestamp()}
    uow.change(WEBHOOKS, command.council, lambda current: (webhook, []), initial={})


def track_referral(event: Event, uow: UnitOfWork) -> None:
    """On `referral.received`: keep who referred (for their notices) and what the child agreed to share."""
    data = event.data
    record = {"council": data["council"], "consent": data["consent"], "external_ref": data.get("external_ref"),
              "referrer_email": data.get("referrer_email"), "language": data.get("referrer_language") or "en",
              "source": data.get("source"), "follow_on": data.get("source") == domain.TAKE_UP}
    uow.create(REFERRALS, data["referral_id"], record)


def _source(referral: dict) -> str | None:
    """How the referral reached the service (kept since notify recorded it; before that, only take-ups were)."""
    return referral.get("source", domain.TAKE_UP if referral.get("follow_on") else None)


def _consent(uow: UnitOfWork, event: Event) -> tuple[dict, dict]:
    """The consent that governs the event and what notify knows of the referral, which keeps that consent from now
    on, in the same commit as the messages made under it."""
    referral_id, given = event.data["referral_id"], event.data.get("consent")

    def keep(known: dict):
        applying = domain.consent_applying(known["consent"], given)
        return None if applying == known["consent"] else ({**known, "consent": applying}, [])

    referral = uow.change(REFERRALS, referral_id, keep, missing=lambda: UnknownReferral(referral_id), last=False)
    return domain.consent_applying(referral["consent"], given), referral


def notify_council(event: Event, uow: UnitOfWork) -> None:
    """On an event the referring council hears about: make its webhook and email, or record why not."""
    notify = NotifyStore(uow)
    consent, referral = _consent(uow, event)
    base = {"event_id": event.id, "type": event.type, "council": event.data["council"],
            "referral_id": event.data.get("referral_id"), "created_at": timestamp()}
    try:
        domain.council_may_know(_source(referral), consent)
        data, basis = domain.disclose(event.type, event.data, consent)
    except domain.Withheld as withheld:
        uow.create(UNSENT, event.id, {**base, "id": event.id, "channel": "all", "reason": withheld.reason,
                                      "basis": "withheld"})
        return
    pending = {**base, "basis": basis, "status": "pending", "trace": telemetry.current_headers(),
               "next_attempt_at": timestamp(), "first_attempt_at": None, "claimed_until": None, "attempts": []}
    records: list[tuple[str, dict]] = []
    if referral.get("referrer_email"):
        reference = referral.get("external_ref") or event.data.get("referral_id")
        subject, body = templates.render(event.type, data, referral.get("language", "en"), reference)
        records.append((DELIVERIES, {**pending, "id": f"{event.id}:email", "channel": "email",
                                     "to": referral["referrer_email"], "language": referral.get("language", "en"),
                                     "subject": subject, "body": body}))
    if event.type not in domain.WEBHOOK_TYPES:
        pass  # councils' systems receive API.md's types only; the referrer's email says the rest
    elif notify.webhook(event.data["council"]) is None:
        records.append((UNSENT, {**base, "id": f"{event.id}:webhook", "channel": "webhook", "basis": basis,
                                 "reason": "the council has no webhook"}))
    else:
        payload = json.dumps({"id": event.id, "type": event.type, "occurred_at": event.occurred_at, "data": data},
                             separators=(",", ":"))
        records.append((DELIVERIES, {**pending, "id": f"{event.id}:webhook", "channel": "webhook",
                                     "payload": payload}))
    for index, (collection, record) in enumerate(records):  # each once: a redelivery leaves those made already
        uow.create(collection, record["id"], record, last=index == len(records) - 1)


def dispatch(uow: UnitOfWork, session: requests.Session | None = None, mailer: Mailer | None = None) -> int:
    """Make one attempt at every due delivery (found by its next attempt's time); return how many were made."""
    session, notify = session or requests.Session(), NotifyStore(uow)
    made, after, moment = 0, None, now()
    while page := notify.due(moment, after=after):
        after = page[-1].id
        made += sum(_try_if_due(uow, document, session, mailer) for document in page)
    return made


def _try_if_due(uow: UnitOfWork, document: Document, session: requests.Session, mailer: Mailer | None) -> bool:
    moment = now()
    body = document.body
    if datetime.fromisoformat(body["next_attempt_at"]) > moment:
        return False
    if body["claimed_until"] and datetime.fromisoformat(body["claimed_until"]) > moment:
        return False
    claimed = uow.update(document, {**body, "claimed_until": (moment + CLAIM).isoformat()})
    if claimed is None:
        return False  # another dispatcher has it
    _attempt(uow, claimed, session, mailer)
    return True


def _send_webhook(notify: NotifyStore, body: dict, session: requests.Session) -> delivery.Attempt:
    """The delivery to the council's webhook as registered now, signed with its secret now."""
    webhook = notify.webhook(body["council"])
    if webhook is None:
        return False, {"url": None, "result": "no webhook registered now"}
    payload = body["payload"].encode()
    headers = domain.webhook_headers(webhook.body["secret"], body["event_id"], int(time.time()), payload)
    return delivery.post_webhook(session, webhook.body["url"], payload, headers)


def _withdrawn(notify: NotifyStore, body: dict) -> str | None:
    """Why a message made earlier may no longer leave (the child's consent as notify knows it now), or None."""
    known = notify.referral(body["referral_id"]) if body.get("referral_id") else None
    if known is None:
        return None
    try:
        domain.still_allowed(body["basis"], _source(known.body), known.body["consent"])
    except domain.Withheld as withheld:
        return withheld.reason
    return None


def _attempt(uow: UnitOfWork, claimed: Document, session: requests.Session, mailer: Mailer | None) -> None:
    notify, body = NotifyStore(uow), claimed.body
    reason = _withdrawn(notify, body)
    if reason is not None:
        uow.update(claimed, {**body, "status": "withheld", "withheld_at": timestamp(), "reason": reason,
                                "claimed_until": None})
        return
    started = now()
    with telemetry.span_from_headers(f"{body['type']} {body['channel']}", body.get("trace"), kind=SpanKind.INTERNAL,
                                     attributes={"llais.council": body["council"], "llais.event_type": body["type"],
                                                 "llais.channel": body["channel"]}):
        if body["channel"] == "webhook":
            ok, attempt = _send_webhook(notify, body, session)
        else:
            ok, attempt = delivery.send_email(mailer, body["to"], body["subject"], body["body"])
    attempts = [*body["attempts"], {"at": timestamp(started), **attempt}]
    first = body["first_attempt_at"] or attempts[0]["at"]
    update = {**body, "attempts": attempts, "first_attempt_at": first, "claimed_until": None}
    if ok:
        update.update(status="delivered", delivered_at=timestamp())
    elif body["channel"] == "email" and mailer is None:
        update.update(status="parked", parked_at=timestamp())  # trying again cannot help until one is configured
    else:
        following = domain.next_attempt(datetime.fromisoformat(first), len(attempts), started)
        if following is None:
            update.update(status="parked", parked_at=timestamp())
            log.warning("delivery parked after its retry window",
                        extra={"llais_event_id": body["event_id"], "llais_channel": body["channel"]})
        else:
            update.update(next_attempt_at=following.isoformat())
    uow.update(claimed, update)


def delivery_view(body: dict) -> dict:
    """A message as operators and tests read it: what, to whom, when, under which consent or duty, with what
    result; never a secret."""
    return {k: body.get(k) for k in ("event_id", "type", "channel", "council", "referral_id", "to", "basis",
                                     "status", "subject", "created_at", "first_attempt_at", "next_attempt_at",
                                     "delivered_at", "parked_at", "withheld_at", "reason", "attempts")}
