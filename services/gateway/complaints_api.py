"""The complaints API, in API.md's style: the provider's managers record and handle complaints, representations and
compliments about the advocacy service. Councils and commissioners never see them (403); the public makes them
through the web form."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from shared.web import Problem, json_body

from services.gateway.access import audit, purpose, requires
from services.gateway.forwarding import checked_query, forward, respond
from services.gateway.idempotency import idempotent
from services.gateway.schemas import ComplaintAnswerSchema, ComplaintQuerySchema, ComplaintSchema, EmptySchema

blueprint = Blueprint("complaints_api", __name__, url_prefix="/api/v1")
HANDLERS = ("manager",)
STEPS = {"acknowledge": EmptySchema, "respond": ComplaintAnswerSchema, "escalate": EmptySchema,
         "close": EmptySchema, "withdraw": EmptySchema}


def _record() -> tuple[int, Any, str]:
    body = ComplaintSchema().dump(json_body(ComplaintSchema()))
    status, payload, content_type = forward("complaints", "POST", "/complaints", body=body)
    audit("record complaint", None, status, purpose())
    return status, payload, content_type


@blueprint.post("/complaints")
@requires(roles=HANDLERS)
def record_complaint():
    return idempotent(_record)


@blueprint.get("/complaints")
@requires(roles=HANDLERS)
def list_complaints():
    status, payload, content_type = forward("complaints", "GET", "/complaints",
                                            params=checked_query(ComplaintQuerySchema()))
    return respond(status, payload, content_type)


@blueprint.get("/complaints/<complaint_id>")
@requires(roles=HANDLERS)
def read_complaint(complaint_id: str):
    status, payload, content_type = forward("complaints", "GET", f"/complaints/{complaint_id}")
    audit("read complaint", complaint_id, status, purpose())
    return respond(status, payload, content_type)


@blueprint.post("/complaints/<complaint_id>/<step>")
@requires(roles=HANDLERS)
def complaint_step(complaint_id: str, step: str):
    if step not in STEPS:
        raise Problem(404, "No such step: acknowledge, respond, escalate, close or withdraw.")
    schema = STEPS[step]()
    body = schema.dump(json_body(schema)) if request.get_data() else {}
    status, payload, content_type = forward("complaints", "POST", f"/complaints/{complaint_id}/{step}", body=body)
    audit(f"{step} complaint", None, status, purpose())
    return respond(status, payload, content_type)
