"""The messages API, in API.md's style: provider staff (advocates and managers) record each contact from a child or
on their behalf that is not (yet) a referral, who answered it and when, and the referral it became. Councils and
commissioners never see messages (403). Its routes, its schemas and its part of the OpenAPI document."""

from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint
from marshmallow import Schema, fields, validate

from shared.contracts import messages as message_contracts
from shared.validation import WINDOW
from shared.web import json_body

from services.gateway import domain
from services.gateway.access import audit, purpose, requires
from services.gateway.forwarding import checked_query, forward, respond
from services.gateway.idempotency import idempotent
from services.gateway.schemas import (LANGUAGES, SHORT, Line, Moment, PageQuerySchema, PageSchema, Pattern,
                                      Strict, Text, TimelineEntrySchema, _maybe)

blueprint = Blueprint("messages_api", __name__, url_prefix="/api/v1")
STAFF = domain.CASEWORKERS
NOTE = validate.Length(max=1000)
COUNCIL = Pattern(r"^[A-Z][A-Z0-9_]{1,39}$", error="A council code, e.g. CARDIFF.")


# what a request says

class MessageSchema(Strict):
    channel = fields.String(required=True, validate=validate.OneOf(message_contracts.CHANNELS))
    received_at = Moment(required=True, past=True, metadata={"description": "When it came."})
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    council = fields.String(allow_none=True, validate=COUNCIL, metadata={"description": "The council it concerns, "
                                                                                        "if known."})
    from_whom = fields.String(required=True, validate=validate.OneOf(message_contracts.FROM))
    note = Text(load_default="", validate=NOTE, metadata={"description": "The provider's alone: never in an "
                                                                         "event, never shown to a council."})


class MessageAnswerSchema(Strict):
    answered_at = Moment(required=True, past=True, metadata={"description": "Not before the message came."})
    answered_by = Line(validate=SHORT, metadata={"description": "Who answered; the caller when left out."})


class MessageReferralSchema(Strict):
    referral_id = fields.String(required=True, validate=[validate.Length(min=1, max=64),
                                                          Pattern(r"^[A-Za-z0-9_-]+$", error="A referral's id.")])


class MessageQuerySchema(PageQuerySchema):
    awaiting = fields.String(validate=validate.OneOf(("true", "false")),
                             metadata={"description": "true: those awaiting an answer; false: those answered."})
    council = fields.String(validate=COUNCIL)


# what the API answers

class MessageSummaryView(Schema):
    id = fields.String()
    channel = fields.String(validate=validate.OneOf(message_contracts.CHANNELS))
    from_whom = fields.String(validate=validate.OneOf(message_contracts.FROM))
    language = fields.String()
    council = _maybe(fields.String())
    region = _maybe(fields.String())
    nation = fields.String()
    received_at = fields.String()
    recorded_by = fields.String()
    recorded_at = fields.String()
    out_of_hours = _maybe(fields.Boolean(metadata={"description": "Outside the service's published working hours; "
                                                                  "null until its clock has started."}))
    respond_by = _maybe(fields.String(metadata={"description": "When the answer is due, in working hours."}))
    clock_state = _maybe(fields.String(validate=validate.OneOf(("pending", "at_risk", "missed", "met"))))
    awaiting = fields.Boolean()
    answered_by = _maybe(fields.String())
    answered_at = _maybe(fields.String())
    referral_id = _maybe(fields.String(metadata={"description": "The referral it became."}))


class MessageView(MessageSummaryView):
    note = fields.String()
    timeline = fields.List(fields.Nested(TimelineEntrySchema))


class MessageListSchema(PageSchema):
    items = fields.List(fields.Nested(MessageSummaryView))


# the routes

def _command(path: str, schema: Strict, what: str, message_id: str | None) -> tuple[int, Any, str]:
    body = schema.dump(json_body(schema))
    status, payload, content_type = forward("referral", "POST", path, body=body)
    audit(what, message_id or (payload.get("id") if isinstance(payload, dict) else None), status, purpose())
    return status, payload, content_type


@blueprint.post("/messages")
@requires(roles=STAFF)
def record_message():
    return idempotent(lambda: _command("/messages", MessageSchema(), "record message", None))


@blueprint.get("/messages")
@requires(roles=STAFF)
def list_messages():
    status, payload, content_type = forward("referral", "GET", "/messages",
                                            params=checked_query(MessageQuerySchema()))
    audit("list messages", None, status, purpose())
    return respond(status, payload, content_type)


@blueprint.get("/messages/<message_id>")
@requires(roles=STAFF)
def read_message(message_id: str):
    status, payload, content_type = forward("referral", "GET", f"/messages/{message_id}")
    audit("read message", message_id, status, purpose())
    return respond(status, payload, content_type)


@blueprint.post("/messages/<message_id>/answer")
@requires(roles=STAFF)
def answer_message(message_id: str):
    return respond(*_command(f"/messages/{message_id}/answer", MessageAnswerSchema(), "answer message", message_id))


@blueprint.post("/messages/<message_id>/referral")
@requires(roles=STAFF)
def link_referral(message_id: str):
    return respond(*_command(f"/messages/{message_id}/referral", MessageReferralSchema(), "link message to referral",
                             message_id))


# its part of the OpenAPI document

MESSAGES = "Messages (advocates and managers; never councils or commissioners): "
COMPONENTS = [("Message", MessageSchema), ("MessageAnswer", MessageAnswerSchema),
              ("MessageReferral", MessageReferralSchema), ("MessageRecord", MessageView),
              ("MessageList", MessageListSchema)]
RULES = {
    ("post", "/api/v1/messages"): {"council": "A council the platform knows.",
                                   "received_at": f"Not in the future; {WINDOW}.",
                                   "Idempotency-Key": "Used before with a different body (a new request needs a new "
                                                      "key)."},
    ("get", "/api/v1/messages"): {"cursor": "Only a `next` this API gave, as it came."},
    ("post", "/api/v1/messages/{id}/answer"): {"answered_at": f"Not before the message came, not in the future; "
                                                              f"{WINDOW}."},
    ("post", "/api/v1/messages/{id}/referral"): {"referral_id": "A referral the platform holds."},
}


def paths(operation: Callable[..., dict], ids: Callable[[str], list], query: Callable[[Any], list]) -> dict:
    """The messages' operations, made as every other operation of the document is (openapi._operation)."""
    one = "/api/v1/messages/{id}"
    return {
        "/api/v1/messages": {
            "post": operation(MESSAGES + "record a message (an answer-phone message, a call, a text, an email, a web "
                              "message, someone walking in) that is not (yet) a referral; its response clock starts",
                              201, "MessageRecord", request="Message", idempotent=True),
            "get": operation(MESSAGES + "every message, or those awaiting an answer (`awaiting=true`)", 200,
                             "MessageList", 422, parameters=query(MessageQuerySchema),
                             description="A page: `items` without their notes, in the order of their ids, and "
                                         "`next`."),
        },
        one: {"get": operation(MESSAGES + "the whole message, with its note and timeline", 200, "MessageRecord", 404,
                               parameters=ids(one), description="Found.")},
        f"{one}/answer": {"post": operation(MESSAGES + "who answered it and when; its clock stops (once: 409 after)",
                                            200, "MessageRecord", 404, 409, request="MessageAnswer",
                                            parameters=ids(one))},
        f"{one}/referral": {"post": operation(MESSAGES + "the referral it became; the referral's timeline says it "
                                              "came from the message (once: 409 after)", 200, "MessageRecord", 404,
                                              409, request="MessageReferral", parameters=ids(one))},
    }
