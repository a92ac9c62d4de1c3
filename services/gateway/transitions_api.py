"""Transitions, in API.md's style: a council tells Llais of a looked-after review, a placement move or leaving-care
planning for a child it referred or recorded an opt-out for, and a child whose latest Active Offer ended opted out,
declined or reflecting is offered again (services/referral/offers_again.py). Managers see the renewed offers as
work to do and mark each done with what came of it. Routes, their schemas and their part of the OpenAPI document.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, g
from marshmallow import Schema, fields, validate

from shared.contracts import referral as referral_contracts
from shared.web import json_body

from services.gateway.access import audit, purpose, requires
from services.gateway.forwarding import checked_query, forward, respond
from services.gateway.idempotency import idempotent
from services.gateway.schemas import Day, Line, PageQuerySchema, PageSchema, Strict

blueprint = Blueprint("transitions_api", __name__, url_prefix="/api/v1")
MANAGERS = ("manager",)
REFERENCE = validate.Length(min=1, max=100)


class TransitionSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(
        referral_contracts.TRANSITION_KINDS, error="Give the kind as one of: {choices}."), metadata={
        "description": "A looked-after review, a planned placement move, or leaving-care planning."})
    happened_on = Day(required=True, past=True, metadata={"description": "The day of the review, move or plan."})
    referral_id = Line(validate=REFERENCE, metadata={"description": "One of your referrals of the child; or"})
    optout_id = Line(validate=REFERENCE, metadata={"description": "one of your opt-outs of the child; or"})
    external_ref = Line(validate=REFERENCE, metadata={"description": "your own reference for the child."})


class RenewedOfferSchema(Schema):
    status = fields.String(validate=validate.OneOf(("to_do", "done")))
    result = fields.String(allow_none=True, validate=validate.OneOf(referral_contracts.RENEWED_OFFER_RESULTS))
    done_at = fields.String(allow_none=True)


class TransitionViewSchema(Schema):
    id = fields.String()
    kind = fields.String()
    happened_on = fields.String()
    referral_id = fields.String(allow_none=True)
    optout_id = fields.String(allow_none=True)
    external_ref = fields.String(allow_none=True)
    offered_again = fields.Boolean(metadata={"description": "Whether the child is offered advocacy again."})
    not_offered_because = fields.String(validate=validate.OneOf(referral_contracts.NOT_OFFERED_AGAIN), metadata={
        "description": "Why not, where you may know it; absent otherwise."})
    recorded_at = fields.String()
    council = fields.String(metadata={"description": "Provider staff only."})
    earlier_referral_ids = fields.List(fields.String(), metadata={"description": "Provider staff only."})
    earlier_optout_ids = fields.List(fields.String(), metadata={"description": "Provider staff only."})
    renewed_offer = fields.Nested(RenewedOfferSchema, metadata={"description": "Provider staff only."})


class TransitionListSchema(PageSchema):
    items = fields.List(fields.Nested(TransitionViewSchema))


class TransitionQuerySchema(PageQuerySchema):
    renewed_offer = fields.String(validate=validate.OneOf(("to_do", "done")), metadata={
        "description": "Only transitions whose renewed offer is to do, or done."})


class RenewedOfferDoneSchema(Strict):
    result = fields.String(required=True, validate=validate.OneOf(
        referral_contracts.RENEWED_OFFER_RESULTS, error="Give the result as one of: {choices}."))


def record() -> tuple[int, Any, str]:
    body = TransitionSchema().dump(json_body(TransitionSchema()))
    status, payload, content_type = forward("referral", "POST", "/transitions",
                                            body={**body, "council": g.principal.council})
    audit("record transition", body.get("referral_id"), status, purpose())
    return status, payload, content_type


@blueprint.post("/transitions")
@requires(council=True)
def record_transition():
    return idempotent(record)


@blueprint.get("/transitions")
@requires(council=True, roles=MANAGERS)
def list_transitions():
    status, payload, content_type = forward("referral", "GET", "/transitions",
                                            params=checked_query(TransitionQuerySchema()))
    audit("list transitions", None, status, purpose())
    return respond(status, payload, content_type)


@blueprint.get("/transitions/<transition_id>")
@requires(council=True, roles=MANAGERS)
def read_transition(transition_id: str):
    status, payload, content_type = forward("referral", "GET", f"/transitions/{transition_id}")
    audit("read transition", transition_id, status, purpose())
    return respond(status, payload, content_type)


@blueprint.post("/transitions/<transition_id>/renewed-offer")
@requires(roles=MANAGERS)
def renewed_offer_done(transition_id: str):
    body = json_body(RenewedOfferDoneSchema())
    status, payload, content_type = forward("referral", "POST", f"/transitions/{transition_id}/renewed-offer",
                                            body=body)
    audit("mark renewed offer done", transition_id, status, purpose())
    return respond(status, payload, content_type)


# the OpenAPI document's part (services/gateway/openapi.py calls `describe`)

COMPONENTS = [("Transition", TransitionSchema), ("TransitionRecorded", TransitionViewSchema),
              ("TransitionList", TransitionListSchema), ("RenewedOfferDone", RenewedOfferDoneSchema)]
OFFERED_AGAIN = "Offered again (councils their own transitions; managers every one): "


def rules(window: str, idempotency_rule: str) -> dict[tuple[str, str], dict[str, str]]:
    """The rules of these operations that no schema can state."""
    return {
        ("post", "/api/v1/transitions"): {
            "happened_on": f"Not in the future, nor before the child was first offered (the earliest referral or "
                           f"opt-out named); {window}.",
            "referral_id": "Exactly one of referral_id, optout_id and external_ref; a reference that is not one of "
                           "yours is 404, as if absent.",
            "Idempotency-Key": idempotency_rule,
        },
        ("get", "/api/v1/transitions"): {"cursor": "Only a `next` this API gave, as it came."},
        ("post", "/api/v1/transitions/{id}/renewed-offer"): {
            "result": "Once, and only on a transition that brought a renewed offer (409 otherwise)."},
    }


def describe(spec, operation, ids, query) -> None:
    """Add these operations to `spec`, with openapi.py's own builders (`operation`, `ids`, `query`)."""
    for name, schema in COMPONENTS:
        spec.components.schema(name, schema=schema)
    spec.path(path="/api/v1/transitions", operations={
        "post": operation(OFFERED_AGAIN + "tell of a looked-after review, a placement move or leaving-care planning "
                          "for a child you referred or recorded an opt-out for (council); a child whose latest "
                          "Active Offer ended opted out, declined or reflecting is offered again", 201,
                          "TransitionRecorded", 404, request="Transition", idempotent=True,
                          description="The transition, saying whether the child is offered again."),
        "get": operation(OFFERED_AGAIN + "the transitions told; `renewed_offer=to_do` for the offers to make again",
                         200, "TransitionList", 422, parameters=query(TransitionQuerySchema),
                         description="A page: `items`, in the order of their ids, and `next`."),
    })
    spec.path(path="/api/v1/transitions/{id}", operations={
        "get": operation(OFFERED_AGAIN + "one transition", 200, "TransitionRecorded", 404,
                         parameters=ids("/api/v1/transitions/{id}"), description="Found."),
    })
    spec.path(path="/api/v1/transitions/{id}/renewed-offer", operations={
        "post": operation(OFFERED_AGAIN + "mark the renewed offer done with what came of it (manager)", 200,
                          "TransitionRecorded", 404, 409, request="RenewedOfferDone",
                          parameters=ids("/api/v1/transitions/{id}"), description="Done."),
    })
