"""Legal holds, for managers: a hold on a child's referral (a court case, a complaint open, a police investigation)
stops the erasure of the child's records in every service, the referrals linked to it included, until it is lifted
(README: Retention and erasure). Anyone else is refused 403, and the refusal is audited. Routes, their schemas and
their part of the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, g
from marshmallow import Schema, fields, validate

from shared.contracts.retention import HOLD_REASONS
from shared.web import Problem, json_body

from services.gateway import domain
from services.gateway.access import audit, purpose, requires
from services.gateway.forwarding import forward, respond
from services.gateway.schemas import Strict

blueprint = Blueprint("holds_api", __name__, url_prefix="/api/v1")
EVERYONE = domain.SIGN_IN_ROLES
"""Let through to be refused here, so that the refusal is audited."""


class LegalHoldSchema(Strict):
    reason_code = fields.String(required=True, validate=validate.OneOf(
        HOLD_REASONS, error="Give the reason as one of: {choices}."), metadata={
        "description": "Why the child's records must be kept: a court case, a complaint open, a police "
                       "investigation, or another reason."})


class LegalHoldViewSchema(Schema):
    referral_id = fields.String()
    held = fields.Boolean(metadata={"description": "Whether a hold is in place now."})
    referral_ids = fields.List(fields.String(), allow_none=True, metadata={
        "description": "Every referral the hold covers: this one and those linked to it."})
    reason_code = fields.String(allow_none=True, validate=validate.OneOf(HOLD_REASONS))
    placed_at = fields.String(allow_none=True)
    placed_by = fields.String(allow_none=True)
    lifted_at = fields.String(allow_none=True)
    lifted_by = fields.String(allow_none=True)


def _managers_only(what: str, referral_id: str) -> None:
    if g.principal.role != "manager":
        audit(what, referral_id, 403, purpose())
        raise Problem(403, "Only a manager may read, place or lift a legal hold.")


def _hold(method: str, what: str, referral_id: str, body: dict | None = None):
    _managers_only(what, referral_id)
    status, payload, content_type = forward("referral", method, f"/referrals/{referral_id}/legal-hold", body=body)
    audit(what, referral_id, status, purpose())
    return respond(status, payload, content_type)


@blueprint.get("/referrals/<referral_id>/legal-hold")
@requires(council=True, roles=EVERYONE)
def read_hold(referral_id: str):
    return _hold("GET", "read legal hold", referral_id)


@blueprint.post("/referrals/<referral_id>/legal-hold")
@requires(council=True, roles=EVERYONE)
def place_hold(referral_id: str):
    _managers_only("place legal hold", referral_id)
    return _hold("POST", "place legal hold", referral_id, json_body(LegalHoldSchema()))


@blueprint.delete("/referrals/<referral_id>/legal-hold")
@requires(council=True, roles=EVERYONE)
def lift_hold(referral_id: str):
    return _hold("DELETE", "lift legal hold", referral_id)


# the OpenAPI document's part (services/gateway/openapi.py calls `describe`)

COMPONENTS = [("LegalHold", LegalHoldSchema), ("LegalHoldView", LegalHoldViewSchema)]
MANAGERS = "Legal holds (managers; anyone else is refused 403, audited): "


def describe(spec, operation, ids, query) -> None:
    """Add these operations to `spec`, with openapi.py's own builders (`operation`, `ids`, `query`)."""
    for name, schema in COMPONENTS:
        spec.components.schema(name, schema=schema)
    path = "/api/v1/referrals/{id}/legal-hold"
    spec.path(path=path, operations={
        "get": operation(MANAGERS + "whether the child's records are held", 200, "LegalHoldView", 404,
                         parameters=ids(path), description="The hold, or `held: false`."),
        "post": operation(MANAGERS + "hold the child's records (this referral and those linked to it) out of "
                          "erasure until lifted; a hold in place already stands", 200, "LegalHoldView", 404,
                          request="LegalHold", parameters=ids(path), description="Held."),
        "delete": operation(MANAGERS + "lift the hold: the records are erased when due", 200, "LegalHoldView", 404,
                            parameters=ids(path), description="Lifted, or `held: false` already."),
    })
