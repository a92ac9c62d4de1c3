"""The referral service's internal API for messages, called by the gateway for provider staff only: a council's
call (one that names a council) finds no message."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from shared.idempotency import once_per_key
from shared.unit_of_work import UnitOfWork
from shared.web import ACTOR_HEADER, Problem, caller_council, json_body, page_answer, page_asked

from services.referral import messages

blueprint = Blueprint("referral_messages", __name__)


def uow() -> UnitOfWork:
    return UnitOfWork(current_app.extensions["llais.store"])


def actor() -> str:
    return request.headers.get(ACTOR_HEADER) or "unknown"


@blueprint.before_request
def staff_only():
    if caller_council() is not None:
        raise Problem(404, "No such message.")


def _body() -> dict:
    body = json_body()
    if not isinstance(body, dict):
        raise Problem(422, "The body must be a JSON object.")
    return body


@blueprint.post("/messages")
@once_per_key(lambda message: (message, 201))
def record():
    return messages.record(_body(), actor(), uow(), councils=current_app.extensions["llais.councils"])


@blueprint.get("/messages")
def index():
    where = {}
    if request.args.get("awaiting") in ("true", "false"):
        where["awaiting"] = request.args["awaiting"] == "true"
    elif request.args.get("awaiting"):
        raise Problem(422, "Some query parameters are invalid; see errors.", errors={"awaiting": ["true or false."]})
    if request.args.get("council"):
        where["council"] = request.args["council"]
    limit, after = page_asked()
    items, following = messages.page(current_app.extensions["llais.store"], where, limit, after)
    return page_answer([messages.summary(message) for message in items], following)


@blueprint.get("/messages/<message_id>")
def read(message_id: str):
    return messages.read(current_app.extensions["llais.store"], message_id)


@blueprint.post("/messages/<message_id>/answer")
def answer(message_id: str):
    return messages.record_answer(message_id, _body(), actor(), uow())


@blueprint.post("/messages/<message_id>/referral")
def became_referral(message_id: str):
    return messages.became_referral(message_id, _body().get("referral_id"), actor(), uow())
