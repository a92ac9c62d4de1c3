"""Notify's internal API: councils' webhooks (through the gateway) and the record of deliveries."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from shared import subject_access
from shared.store import find_all
from shared.unit_of_work import UnitOfWork
from shared.web import Problem, json_body

from services.notify import handlers
from services.notify.commands import SetWebhook
from services.notify.store import DELIVERIES, UNSENT, NotifyStore

blueprint = Blueprint("notify", __name__)


def notify() -> NotifyStore:
    return NotifyStore(current_app.extensions["llais.store"])


@blueprint.put("/webhooks/<council>")
def put_webhook(council: str):
    body = json_body()
    body = body if isinstance(body, dict) else {}
    url, secret, overlap = body.get("url"), body.get("secret"), body.get("previous_secret_expires_in_hours", 0)
    errors = {}
    if not isinstance(url, str) or not url.startswith(("https://", "http://")) or len(url) > 500:
        errors["url"] = ["Give the webhook's URL."]
    if not isinstance(secret, str) or not 24 <= len(secret) <= 200:
        errors["secret"] = ["Give a secret of 24 to 200 characters."]
    if isinstance(overlap, bool) or not isinstance(overlap, (int, float)):
        errors["previous_secret_expires_in_hours"] = ["Give a number of hours."]
    if errors:
        raise Problem(422, "The webhook is incomplete; see errors.", errors=errors)
    webhook = handlers.set_webhook(SetWebhook(council, url, secret, overlap),
                                   UnitOfWork(current_app.extensions["llais.store"]))
    return {"council": council, "url": url, "previous_secret_expires_at": webhook["previous_secret_expires_at"]}


@blueprint.get("/deliveries")
def deliveries():
    where = {k: request.args[k] for k in ("council", "event_id", "status", "channel", "referral_id")
             if request.args.get(k)}
    found = notify().deliveries(where, limit=200, after=request.args.get("after"))
    return {"items": [handlers.delivery_view(d.body) for d in found]}


@blueprint.get("/withheld")
def withheld():
    """What was not sent, and why: consent withheld, or nowhere to send it."""
    where = {k: request.args[k] for k in ("council", "event_id", "referral_id") if request.args.get(k)}
    return {"items": [{k: d.body.get(k) for k in ("event_id", "type", "channel", "council", "referral_id", "basis",
                                                   "reason", "created_at")} for d in notify().unsent(where)]}


@blueprint.get("/subject-access")
def subject_access_records():
    """What notify sent or withheld about the child's referrals (shared/subject_access): what, to whom, when, and
    under which consent or duty (`basis`)."""
    where = {"referral_id": subject_access.asked_referral_ids()}
    sent = [subject_access.record("notify", "message_sent",
                                  said_by_code({**handlers.delivery_view(d.body), "id": d.id}),
                                  d.body.get("created_at"), marks=[
                                      ("to", "third_party"),
                                      *subject_access.list_marks(d.body, "attempts", "to", "third_party"),
                                      *subject_access.list_marks(d.body, "attempts", "result", "third_party")])
            for d in find_all(notify().store, DELIVERIES, where)]
    return {"items": sent + [subject_access.record("notify", "message_withheld", said_by_code({**d.body, "id": d.id}),
                                                   d.body.get("created_at"))
                             for d in find_all(notify().store, UNSENT, where)]}


def said_by_code(message: dict) -> dict:
    """A message as the child's records give it: why it was not sent by its code alone where it has one (the
    operators' sentence says no more, and only in English)."""
    return {k: v for k, v in message.items() if k != "reason"} if message.get("reason_code") else message
