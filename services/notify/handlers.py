"""Notify's event handlers, and the dispatcher that delivers webhooks and emails (through services/notify/delivery).

Consent is checked here a second time, before anything leaves: each message is made from what `domain.disclose`
allows, about a referral the council may know of at all (`domain.council_may_know`), and records the consent or
duty it is sent under; a message consent does not allow is never made, and the refusal is recorded instead. Just
before each attempt the consent is checked once more: a message whose consent the child has since withdrawn is
marked `withheld` and never leaves.

Notify also writes to people of its own accord, each email made once, recorded and delivered like every other
message: to an advocate when a referral is allocated to them and on the morning of each of their meetings
(`remind_meetings`), to the managers once each morning with the deadlines that went at risk or were missed since the
last digest (`send_digest`), and to a complainant who asked for a reply by email when their complaint is
acknowledged and answered. Addresses and words are never logged.
"""

from __future__ import annotations

import json
import logging
import time
from contextlib import nullcontext
from datetime import datetime, timedelta

from opentelemetry.trace import SpanKind

from shared import telemetry
from shared.clock import now, timestamp
from shared.contracts import Event
from shared.councils import CouncilRegister
from shared.store import Document
from shared.unit_of_work import UnitOfWork

from services.notify import delivery, domain, templates, words
from services.notify.commands import SetWebhook
from services.notify.delivery import Mailer
from services.notify.store import (ALERTS, COMPLAINTS, DELIVERIES, DIGESTS, MEETINGS, REFERRALS, UNSENT, WAITING,
                                   WEBHOOKS, NotifyStore)

log = logging.getLogger("llais.notify")
CLAIM = timedelta(seconds=60)


class UnknownReferral(LookupError):
    """An event about a referral whose `referral.received` notify has not yet kept: without its source and consent
    nothing may be sent, so the event fails and the bus tries it again (the receipt is then known)."""


class UnknownComplaint(LookupError):
    """An event about a complaint whose `complaint.received` notify has not yet kept: without it notify cannot know
    whether the complainant asked for a reply, so the event fails and the bus tries it again."""


def set_webhook(command: SetWebhook, uow: UnitOfWork) -> dict:
    """Set where a council's deliveries go and the secret they are signed with (domain.webhook_set: a new secret
    with an overlap signs beside the old one until it ends); the webhook as it now stands."""
    moment = now()

    def decide(current: dict) -> tuple[dict, list]:
        webhook = domain.webhook_set(current, command.url, command.secret, command.previous_secret_hours, moment)
        return {**webhook, "council": command.council, "updated_at": timestamp(moment)}, []

    return uow.change(WEBHOOKS, command.council, decide, initial={})


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
                                      "reason_code": withheld.code, "basis": "withheld"})
        return
    pending = {**base, "basis": basis, "status": "pending", "trace": telemetry.current_headers(),
               "next_attempt_at": timestamp(), "first_attempt_at": None, "claimed_until": None, "attempts": []}
    records: list[tuple[str, dict]] = []
    if referral.get("referrer_email"):
        reference = templates.reference(event.data.get("referral_id"), referral.get("external_ref"),
                                        referral.get("language", "en"))
        subject, body = templates.render(event.type, data, referral.get("language", "en"), reference)
        records.append((DELIVERIES, {**pending, "id": f"{event.id}:email", "channel": "email",
                                     "to": referral["referrer_email"], "language": referral.get("language", "en"),
                                     "subject": subject, "body": body}))
    if event.type not in domain.WEBHOOK_TYPES:
        pass  # councils' systems receive API.md's types only; the referrer's email says the rest
    elif notify.webhook(event.data["council"]) is None:
        records.append((UNSENT, {**base, "id": f"{event.id}:webhook", "channel": "webhook", "basis": basis,
                                 "reason": "the council has no webhook", "reason_code": "no_webhook"}))
    else:
        payload = json.dumps({"id": event.id, "type": event.type, "occurred_at": event.occurred_at, "data": data},
                             separators=(",", ":"))
        records.append((DELIVERIES, {**pending, "id": f"{event.id}:webhook", "channel": "webhook",
                                     "payload": payload}))
    for index, (collection, record) in enumerate(records):  # each once: a redelivery leaves those made already
        uow.create(collection, record["id"], record, last=index == len(records) - 1)


def dispatch(uow: UnitOfWork, webhooks: delivery.Webhooks | None = None, mailer: Mailer | None = None) -> int:
    """Make one attempt at every due delivery (found by its next attempt's time); return how many were made."""
    webhooks, notify = webhooks or delivery.Webhooks(), NotifyStore(uow)
    made, after, moment = 0, None, now()
    while page := notify.due(moment, after=after):
        after = page[-1].id
        made += sum(_try_if_due(uow, document, webhooks, mailer) for document in page)
    return made


def _try_if_due(uow: UnitOfWork, document: Document, webhooks: delivery.Webhooks, mailer: Mailer | None) -> bool:
    moment = now()
    body = document.body
    if datetime.fromisoformat(body["next_attempt_at"]) > moment:
        return False
    if body["claimed_until"] and datetime.fromisoformat(body["claimed_until"]) > moment:
        return False
    claimed = uow.update(document, {**body, "claimed_until": (moment + CLAIM).isoformat()})
    if claimed is None:
        return False  # another dispatcher has it
    _attempt(uow, claimed, webhooks, mailer)
    return True


def _send_webhook(notify: NotifyStore, body: dict, webhooks: delivery.Webhooks) -> delivery.Attempt:
    """The delivery to the council's webhook as registered now, signed with its secret now (and its previous one
    during an overlap)."""
    webhook = notify.webhook(body["council"])
    if webhook is None:
        return False, {"url": None, "result": "no webhook registered now"}
    payload = body["payload"].encode()
    headers = domain.webhook_headers(domain.signing_secrets(webhook.body, now()), body["event_id"],
                                     int(time.time()), payload)
    return webhooks.post(webhook.body["url"], payload, headers)


def _withdrawn(notify: NotifyStore, body: dict) -> domain.Withheld | None:
    """Why a message made earlier may no longer leave (the child's consent as notify knows it now; for a meeting's
    day, the meeting as it stands now), or None. Staff's and complainants' own emails are not the referrer's: the
    child's consent to share with the referrer does not govern them."""
    if body.get("meeting_id"):
        meeting = notify.meeting(body["meeting_id"])
        return domain.reminder_stale(meeting.body if meeting else None, body["starts_at"])
    if body.get("audience", domain.REFERRER) != domain.REFERRER:
        return None
    known = notify.referral(body["referral_id"]) if body.get("referral_id") else None
    if known is None:
        return None
    try:
        domain.still_allowed(body["basis"], _source(known.body), known.body["consent"])
    except domain.Withheld as withheld:
        return withheld
    return None


def _attempt(uow: UnitOfWork, claimed: Document, webhooks: delivery.Webhooks, mailer: Mailer | None) -> None:
    notify, body = NotifyStore(uow), claimed.body
    withheld = _withdrawn(notify, body)
    if withheld is not None:
        uow.update(claimed, {**body, "status": "withheld", "withheld_at": timestamp(), "reason": withheld.reason,
                             "reason_code": withheld.code, "claimed_until": None})
        return
    started = now()
    attributes = {"llais.council": body.get("council"), "llais.event_type": body["type"],
                  "llais.channel": body["channel"]}
    with telemetry.span_from_headers(f"{body['type']} {body['channel']}", body.get("trace"), kind=SpanKind.INTERNAL,
                                     attributes={k: v for k, v in attributes.items() if v is not None}):
        if body["channel"] == "webhook":
            ok, attempt = _send_webhook(notify, body, webhooks)
        else:
            ok, attempt = delivery.send_email(mailer, body["to"], body["subject"], body["body"], reference=body["id"])
    attempts = [*body["attempts"], {"at": timestamp(started), **attempt}]
    first = body["first_attempt_at"] or attempts[0]["at"]
    update = {**body, "attempts": attempts, "first_attempt_at": first, "claimed_until": None}
    if ok:
        update.update(status="delivered", delivered_at=timestamp())
    elif body["channel"] == "email" and mailer is None:
        update.update(status="parked", parked_at=timestamp())  # trying again cannot help until one is configured
    elif attempt.get("final"):  # nor for an address refused: the council's URL or its name must change
        update.update(status="parked", parked_at=timestamp(), reason=attempt["result"])
        log.warning("delivery parked: its address was refused",
                    extra={"llais_event_id": body["event_id"], "llais_channel": body["channel"]})
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
    return {k: body.get(k) for k in ("event_id", "type", "channel", "audience", "council", "referral_id", "to", "basis",
                                     "status", "subject", "created_at", "first_attempt_at", "next_attempt_at",
                                     "delivered_at", "parked_at", "withheld_at", "reason", "reason_code",
                                     "attempts")}


# mail of notify's own: to advocates, managers and complainants

def _email(uow: UnitOfWork, id: str, *, event_id: str, event_type: str, to: str, language: str, said: templates.Words,
           audience: str, basis: str, council: str | None = None, referral_id: str | None = None,
           last: bool = True, **extra) -> bool:
    """Make one email, pending delivery, recorded like every message: once (a second making of `id` makes none)."""
    subject, body = said
    record = {"id": id, "event_id": event_id, "type": event_type, "council": council, "referral_id": referral_id,
              "created_at": timestamp(), "audience": audience, "basis": basis, "status": "pending",
              "trace": telemetry.current_headers(), "next_attempt_at": timestamp(), "first_attempt_at": None,
              "claimed_until": None, "attempts": [], "channel": "email", "to": to, "language": language,
              "subject": subject, "body": body, **extra}
    return uow.create(DELIVERIES, id, record, last=last)


def _together(uow: UnitOfWork):
    """A job's writes as one transaction where the store can (SQLite), so a crash between them leaves none."""
    together = getattr(uow.store, "together", None)
    return together() if together is not None else nullcontext()


def notify_advocate(event: Event, uow: UnitOfWork, *, public_url: str = "") -> None:
    """On `referral.allocated`: tell the advocate the referral is theirs (see `templates.allocated` for what the
    email may say)."""
    data = event.data
    link = domain.page(public_url, "referrals", data["referral_id"])
    _email(uow, f"{event.id}:advocate", event_id=event.id, event_type=event.type, to=data["advocate_email"],
           language=domain.BOTH, said=templates.allocated(data["referral_id"], data["allocated_at"], link),
           audience=domain.ADVOCATE, basis=domain.SERVICE, council=data["council"], referral_id=data["referral_id"])


def meeting_changed(event: Event, uow: UnitOfWork, *, morning: str = domain.MORNING) -> None:
    """On a meeting arranged, moved or cancelled: keep when its day's email to the advocate is due (the morning of
    the day it is now on; none once cancelled), then tell the referrer and the council as every meeting event."""
    data = event.data

    def decide(current: dict):
        changed = domain.meeting_kept(current, event.type, data, event.id, morning)
        return None if changed is None else (changed, [])

    if event.type == "meeting.arranged" or uow.get(MEETINGS, data["meeting_id"]) is not None:
        uow.change(MEETINGS, data["meeting_id"], decide, initial={}, last=False)
    notify_council(event, uow)


def remind_meetings(uow: UnitOfWork, *, public_url: str = "", at: datetime | None = None) -> int:
    """Make the day's email to the advocate of each meeting whose morning has come (found by its indexed reminder
    time: meetings on later days are not read); a meeting already begun is not reminded. Returns emails made."""
    notify, moment, made, after = NotifyStore(uow), at or now(), 0, None
    while page := notify.reminders_due(moment, after=after):
        after = page[-1].id
        for document in page:
            made += _remind(uow, document, moment, public_url)
    return made


def _remind(uow: UnitOfWork, document: Document, moment: datetime, public_url: str) -> bool:
    """The email first, then the meeting marked: the email's id is the meeting's and its time, so a worker that got
    there too, or a run after a crash between the two, makes none again."""
    meeting = document.body
    if datetime.fromisoformat(meeting["starts_at"]) <= moment:
        uow.update(document, {**meeting, "reminder": "passed"})  # too late to remind
        return False
    link = domain.page(public_url, "referrals", meeting["referral_id"])
    with _together(uow):
        made = _email(uow, f"meeting-day:{document.id}:{meeting['starts_at']}", event_id=f"meeting-day:{document.id}",
                      event_type="meeting.day", to=meeting["advocate_email"], language=domain.BOTH,
                      said=templates.meeting_day(meeting["referral_id"], meeting["starts_at"], link),
                      audience=domain.ADVOCATE, basis=domain.SERVICE, council=meeting["council"],
                      referral_id=meeting["referral_id"], meeting_id=document.id, starts_at=meeting["starts_at"])
        uow.update(document, {**meeting, "reminder": "made"})
    return made


def note_deadline(event: Event, uow: UnitOfWork) -> None:
    """On a deadline at risk or missed (a referral's or a complaint's): keep it for the managers' next digest."""
    uow.create(ALERTS, event.id, {**domain.alert(event.type, event.data), "noted_at": event.occurred_at,
                                  "digest": WAITING})


def send_digest(uow: UnitOfWork, *, managers: tuple[str, ...], morning: str = domain.MORNING,
                public_url: str = "", at: datetime | None = None, councils: CouncilRegister | None = None) -> bool:
    """Once each morning, from `morning` London time: one email to each manager's address listing the deadlines
    that went at risk or were missed since the last digest, or nothing when there are none. The morning's digest is
    claimed in the store first, so however many workers run it, and across restarts, it is made once. Returns
    whether this call made it."""
    notify, local = NotifyStore(uow), words.london(at or now())
    if not domain.morning_come(local, morning):
        return False
    day = local.date().isoformat()
    if notify.digest(day) is not None:
        return False
    with _together(uow):
        if not uow.create(DIGESTS, day, {"claimed_at": timestamp()}):
            return False  # another worker claimed this morning's
        waiting = notify.alerts_waiting()
        alerts = domain.worst_first([d.body for d in waiting])
        if alerts:
            _digest_made(uow, day, alerts, managers, public_url, councils)
        for document in waiting:  # after the emails: a crash between tells them twice rather than never
            uow.update(document, {**document.body, "digest": day})
    return bool(alerts)


def _digest_made(uow: UnitOfWork, day: str, alerts: list[dict], managers: tuple[str, ...], public_url: str,
                 councils: CouncilRegister | None = None) -> None:
    """The morning's digest, one email to each manager's address; or, with none set, the reason it was not sent."""
    if not managers:
        uow.create(UNSENT, f"digest:{day}", {"id": f"digest:{day}", "event_id": f"digest:{day}",
                                             "type": "deadlines.digest", "channel": "email", "basis": domain.SERVICE,
                                             "council": None, "referral_id": None, "created_at": timestamp(),
                                             "reason": "no managers' address is set (LLAIS_MANAGER_EMAILS)",
                                             "reason_code": "no_manager_address"})
        return
    shown = [{**a, "reference": a["subject_id"],
              "link": domain.page(public_url, domain.PAGES[a["about"]], a["subject_id"])} for a in alerts]
    for n, address in enumerate(managers):
        _email(uow, f"digest:{day}:{n}", event_id=f"digest:{day}", event_type="deadlines.digest", to=address,
               language=domain.BOTH, said=templates.digest(day, shown, councils), audience=domain.MANAGERS,
               basis=domain.SERVICE)


def track_complaint(event: Event, uow: UnitOfWork) -> None:
    """On `complaint.received`: keep whether (and where, and in which language) the complainant asked for a reply
    by email; nothing else of them."""
    data = event.data
    uow.create(COMPLAINTS, data["complaint_id"], {"kind": data["kind"], "email": data.get("reply_email"),
                                                  "language": words.language_of(data.get("language"))})


def tell_complainant(event: Event, uow: UnitOfWork) -> None:
    """On a complaint acknowledged or answered: email the complainant, in their language, if they asked for a reply
    by email."""
    data = event.data
    known = NotifyStore(uow).complaint(data["complaint_id"])
    if known is None:
        raise UnknownComplaint(data["complaint_id"])
    complainant = known.body
    if not complainant.get("email"):
        return
    language, reference = complainant["language"], data["complaint_id"]
    if event.type == "complaint.acknowledged":
        said = templates.complaint_acknowledged(data["kind"], reference, data["acknowledged_at"], language)
    else:
        said = templates.complaint_answered(data["kind"], reference, data["stage"], data["outcome"],
                                            data["responded_at"], language)
    _email(uow, f"{event.id}:complainant", event_id=event.id, event_type=event.type, to=complainant["email"],
           language=language, said=said, audience=domain.COMPLAINANT, basis=domain.REPLY_ASKED)
