"""The public API of API.md for referrals, opt-outs, the council's webhook, meetings and deadlines: authenticate,
check the role, validate the shape, forward to the owning service (the rooms: access, forwarding, idempotency).

A route here holds no rule of the work; the owning service answers, and its answer (problems included) is relayed.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g

from shared import public_address
from shared.http import ServiceUnavailable
from shared.web import PROBLEM_JSON, Problem, json_body, settings

from services.gateway import domain
from services.gateway.access import audit, gateway_store, identity_headers, purpose, requires
from services.gateway.forwarding import checked_query, forward, respond, service
from services.gateway.idempotency import idempotent
from services.gateway.schemas import (AllocateSchema, CancelSchema, CloseSchema, ContactAttemptSchema,
                                      DeadlineQuerySchema, MeetingQuerySchema, MeetingRequestSchema, OptOutSchema,
                                      RecordSchema, ReferralQuerySchema, ReferralRequestSchema, RescheduleSchema,
                                      StaffReferralQuerySchema, WebhookSchema)

blueprint = Blueprint("public_api", __name__, url_prefix="/api/v1")

REFERRAL_SCHEMA = ReferralRequestSchema()
"""Built once: a referral's schema nests five others, and building them costs more than checking a body."""
CASEWORKERS = domain.CASEWORKERS
STEPS = domain.JOURNEY_ROLES


@blueprint.post("/referrals")
@requires(council=True)
def create_referral():
    def create() -> tuple[int, Any, str]:
        body = REFERRAL_SCHEMA.dump(json_body(REFERRAL_SCHEMA))
        status, payload, content_type = forward("referral", "POST", "/referrals",
                                                body={**body, "council": g.principal.council})
        referral_id = payload.get("id") if status == 201 else None
        audit("create referral", referral_id, status, purpose())
        return status, payload, content_type

    return idempotent(create)


@blueprint.get("/referrals/<referral_id>")
@requires(council=True, roles=CASEWORKERS)
def read_referral(referral_id: str):
    if len(referral_id) > 64:
        raise Problem(404, "No such referral.")
    status, payload, content_type = forward("referral", "GET", f"/referrals/{referral_id}")
    audit("read referral", referral_id, status, purpose())
    return respond(status, _advocates_named(status, payload), content_type)


@blueprint.get("/referrals")
@requires(council=True, roles=CASEWORKERS)
def list_referrals():
    schema = ReferralQuerySchema() if g.principal.is_council else StaffReferralQuerySchema()
    params = checked_query(schema)
    status, payload, content_type = forward("referral", "GET", "/referrals", params=params)
    audit("list referrals", None, status, purpose())
    return respond(status, _advocates_named(status, payload), content_type)


def _advocates_named(status: int, payload: Any) -> Any:
    """The answer with the advocate a council is told of named by their staff account (their email if it has no
    name), each account read once."""
    if status != 200:
        return payload
    names: dict[str, str] = {}

    def name_of(email: str) -> str:
        if email not in names:
            user = gateway_store().user(email)
            names[email] = domain.display_name(user.body if user else None, email)
        return names[email]

    return domain.advocates_named(payload, name_of)


@blueprint.put("/webhook")
@requires(council=True)
def put_webhook():
    webhook = json_body(WebhookSchema())
    try:
        public_address.check_url(webhook["url"], allow_private=settings().webhook_allow_private)
    except public_address.Inward as exc:
        raise Problem(422, "The webhook URL must be https to a public internet address.",
                      errors={"url": [f"Give an https:// URL of your own server on the internet: {exc}."]}) from None
    status, payload, content_type = forward("notify", "PUT", f"/webhooks/{g.principal.council}", body={
        "url": webhook["url"], "secret": webhook["secret"],
        "previous_secret_expires_in_hours": webhook["previous_secret_expires_in_hours"]})
    audit("set webhook", None, status, purpose())  # who changed where the events go and what signs them
    if status != 200:
        return respond(status, payload, content_type)
    return respond(200, {"url": webhook["url"], "previous_secret_expires_at": payload["previous_secret_expires_at"]})


def _command(service_name: str, path: str, schema, what: str, referral_id: str | None,
             success: int = 200) -> tuple[int, Any, str]:
    body = schema.dump(json_body(schema))
    status, payload, content_type = forward(service_name, "POST", path, body=body)
    audit(what, referral_id or (payload.get("referral_id") if isinstance(payload, dict) else None), status,
          purpose())
    return status, payload, content_type


@blueprint.post("/opt-outs")
@requires(council=True)
def record_opt_out():
    def create() -> tuple[int, Any, str]:
        body = OptOutSchema().dump(json_body(OptOutSchema()))
        status, payload, content_type = forward("referral", "POST", "/opt-outs",
                                                body={**body, "council": g.principal.council})
        audit("record opt-out", None, status, purpose())
        return status, payload, content_type

    return idempotent(create)


@blueprint.post("/referrals/<referral_id>/allocate")
@requires(roles=STEPS["allocate"])
def allocate(referral_id: str):
    body = json_body(AllocateSchema())
    advocate = gateway_store().user(body["advocate_email"])
    if advocate is None or advocate.body.get("disabled") or advocate.body["role"] not in CASEWORKERS:
        raise Problem(422, "Allocate to an advocate who has an account.",
                      errors={"advocate_email": ["No advocate has this email address."]})
    status, payload, content_type = forward("referral", "POST", f"/referrals/{referral_id}/allocate",
                                            body={"advocate_email": advocate.id})
    audit("allocate referral", referral_id, status, purpose())
    return respond(status, payload, content_type)


@blueprint.post("/referrals/<referral_id>/contact-attempts")
@requires(roles=STEPS["record_contact_attempt"])
def contact_attempt(referral_id: str):
    return idempotent(lambda: _command("referral", f"/referrals/{referral_id}/contact-attempts",
                                       ContactAttemptSchema(), "record contact attempt", referral_id))


@blueprint.post("/referrals/<referral_id>/close")
@requires(roles=STEPS["close"])
def close_referral(referral_id: str):
    return respond(*_command("referral", f"/referrals/{referral_id}/close", CloseSchema(), "close referral",
                             referral_id))


@blueprint.post("/referrals/<referral_id>/meetings")
@requires(roles=STEPS["arrange_meeting"])
def arrange_meeting(referral_id: str):
    return idempotent(lambda: _command("scheduling", f"/referrals/{referral_id}/meetings", MeetingRequestSchema(),
                                       "arrange meeting", referral_id))


@blueprint.post("/meetings/<meeting_id>/reschedule")
@requires(roles=STEPS["reschedule_meeting"])
def reschedule_meeting(meeting_id: str):
    return respond(*_command("scheduling", f"/meetings/{meeting_id}/reschedule", RescheduleSchema(),
                             "reschedule meeting", None))


@blueprint.post("/meetings/<meeting_id>/cancel")
@requires(roles=STEPS["cancel_meeting"])
def cancel_meeting(meeting_id: str):
    return respond(*_command("scheduling", f"/meetings/{meeting_id}/cancel", CancelSchema(), "cancel meeting", None))


@blueprint.post("/meetings/<meeting_id>/record")
@requires(roles=STEPS["record_meeting"])
def record_meeting(meeting_id: str):
    return respond(*_command("scheduling", f"/meetings/{meeting_id}/record", RecordSchema(), "record meeting",
                             None))


@blueprint.get("/meetings")
@requires(roles=CASEWORKERS)
def list_meetings():
    """A day's meetings: `day` (YYYY-MM-DD, Europe/London), optionally one `advocate`'s."""
    query = checked_query(MeetingQuerySchema())
    status, payload, content_type = forward("scheduling", "GET", "/meetings", params=query)
    audit("list meetings", None, status, purpose())
    return respond(status, payload, content_type)


@blueprint.get("/deadlines")
@requires(roles=CASEWORKERS)
def list_deadlines():
    """Deadlines at risk or missed on open referrals, optionally one `advocate`'s."""
    query = checked_query(DeadlineQuerySchema())
    status, payload, content_type = forward("scheduling", "GET", "/deadlines", params=query)
    return respond(status, payload, content_type)


@blueprint.get("/meetings/<meeting_id>/invitation.ics")
@requires(roles=CASEWORKERS)
def meeting_invitation(meeting_id: str):
    """The meeting as an iCalendar invitation, for the advocate's calendar."""
    try:
        answer = service("scheduling").request("GET", f"/meetings/{meeting_id}/invitation.ics",
                                               headers=identity_headers())
    except ServiceUnavailable:
        raise Problem(503, "The scheduling service did not answer; try again shortly.") from None
    audit("download meeting invitation", None, answer.status_code, purpose())
    if answer.status_code != 200:
        return respond(answer.status_code, answer.json(), answer.headers.get("Content-Type", PROBLEM_JSON))
    return Response(answer.content, status=200, mimetype="text/calendar",
                    headers={"Content-Disposition": answer.headers.get("Content-Disposition", "attachment")})
