"""The public API of API.md: authenticate, check the role, validate the shape, forward to the owning service.

A route here holds no rule of the work; the owning service answers, and its answer (problems included) is relayed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from typing import Any, Callable

from flask import Blueprint, Response, current_app, g, request
from marshmallow import ValidationError

from shared import settling
from shared.clock import now
from shared.http import ServiceClient, ServiceUnavailable
from shared.web import (ACTOR_HEADER, COUNCIL_HEADER, PROBLEM_JSON, ROLE_HEADER, Problem, flatten_errors,
                        json_body)
from shared.store import VersionConflict

from services.gateway import domain, handlers, in_flight, processes
from services.gateway.schemas import (AllocateSchema, CancelSchema, CloseSchema, ContactAttemptSchema,
                                      DeadlineQuerySchema, MeetingQuerySchema, MeetingRequestSchema, OptOutSchema,
                                      RecordSchema, ReferralQuerySchema, ReferralRequestSchema, RescheduleSchema,
                                      StaffReferralQuerySchema, WebhookSchema)
from services.gateway.store import GatewayStore

blueprint = Blueprint("public_api", __name__, url_prefix="/api/v1")

MAX_IDEMPOTENCY_KEY = 200
REFERRAL_SCHEMA = ReferralRequestSchema()
"""Built once: a referral's schema nests five others, and building them costs more than checking a body."""
CASEWORKERS = domain.CASEWORKERS
STEPS = domain.JOURNEY_ROLES


def gateway_store() -> GatewayStore:
    return current_app.extensions["llais.gateway_store"]


def service(name: str) -> ServiceClient:
    clients = current_app.extensions["llais.clients"]
    if name not in clients:
        raise Problem(503, f"The {name} service is not configured (LLAIS_{name.upper()}_URL).")
    return clients[name]


def requires(*, council: bool = False, roles: tuple[str, ...] = ()) -> Callable:
    """Let through council systems (`council`) and/or staff with one of `roles`; 401 or 403 problems otherwise."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any):
            principal = handlers.authenticate(gateway_store(), request.headers.get("Authorization"))
            if principal is None:
                raise Problem(401, "Send a valid API key or staff token as 'Authorization: Bearer <token>'.")
            if not domain.may(principal, council=council, roles=roles):
                raise Problem(403, "Your credentials do not allow this request.")
            g.principal = principal
            return view(*args, **kwargs)

        return guarded

    return decorate


def identity_headers() -> dict[str, str]:
    principal: domain.Principal = g.principal
    headers = {ACTOR_HEADER: principal.id}
    if principal.council:
        headers[COUNCIL_HEADER] = principal.council
    if principal.role:
        headers[ROLE_HEADER] = principal.role
    return headers


def forward(service_name: str, method: str, path: str, *, body: Any = None,
            params: dict | None = None) -> tuple[int, Any, str]:
    """Call the owning service; (status, JSON answer, content type). 503 problem when it does not answer.

    Before the call, what earlier commands left travelling towards it has arrived (shared/settling); after a
    command, what it set travelling is kept for the calls that follow.
    """
    subject = in_flight.subject_of(path, body)
    if method == "GET" or subject is not None:
        in_flight.wait_for(gateway_store(), current_app.extensions["llais.settler"], subject, g.principal)
    try:
        answer = service(service_name).request(method, path, json=body, params=params, headers=identity_headers())
    except ServiceUnavailable:
        raise Problem(503, f"The {service_name} service did not answer; try again shortly.") from None
    try:
        payload = answer.json()
    except ValueError:
        raise Problem(502, f"The {service_name} service gave an answer that is not JSON.") from None
    if answer.status_code == 503:  # busy (others changing the same thing at once): a moment later will do
        raise Problem(503, f"The {service_name} service is busy with this; try again shortly.",
                      headers={"Retry-After": answer.headers.get("Retry-After") or "1"})
    if answer.status_code >= 500:
        raise Problem(502, f"The {service_name} service could not complete the request; try again shortly.")
    in_flight.keep(gateway_store(), g.principal, subject, payload, answer.headers.get(settling.EVENTS_HEADER))
    return answer.status_code, payload, answer.headers.get("Content-Type", "application/json")


def respond(status: int, payload: Any, content_type: str = "application/json") -> Response:
    mimetype = PROBLEM_JSON if content_type.startswith(PROBLEM_JSON) else "application/json"
    return Response(json.dumps(payload), status=status, mimetype=mimetype)


def audit(what: str, referral_id: str | None, status: int, why: str) -> None:
    principal: domain.Principal = g.principal
    gateway_store().audit({"who": principal.id, "kind": principal.kind, "council": principal.council,
                           "role": principal.role, "what": what, "referral_id": referral_id, "status": status,
                           "why": why})


def purpose() -> str:
    return "council integration" if g.principal.is_council else f"provider staff ({g.principal.role})"


def abandoned(reservation: dict) -> bool:
    """Whether a pending reservation was left by a request that died (its process has gone, or it is too old)."""
    return domain.reservation_abandoned(reservation, now(), processes.alive(reservation.get("holder")))


def release_abandoned_reservations(store: GatewayStore) -> int:
    """At start-up: free the keys that requests which died with an earlier process left pending, so repeating them
    is not refused as "still being processed"."""
    return store.release_abandoned_idempotency(abandoned)


def idempotent(view: Callable[[], tuple[int, Any, str]]) -> Response:
    """Run a creating request once per Idempotency-Key: a repeat with the same body gets the first answer again."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return respond(*view())
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY:
        raise Problem(422, f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters.",
                      errors={"Idempotency-Key": ["Invalid length."]})
    store = gateway_store()
    scope = f"{g.principal.id}:{request.path}"
    request_hash = hashlib.sha256(request.get_data()).hexdigest()
    existing = store.idempotency(scope, key)
    if existing is not None and existing.body["request_hash"] != request_hash:
        raise Problem(422, "This Idempotency-Key was used with a different body; use a new key for a new request.",
                      errors={"Idempotency-Key": ["Already used with a different body."]})
    if existing is not None and existing.body["state"] == "done":
        return respond(existing.body["status"], existing.body["answer"][0], existing.body["answer"][1])
    if existing is not None and existing.body["state"] == "pending" and not abandoned(existing.body):
        raise Problem(409, "A request with this Idempotency-Key is still being processed; repeat it shortly.")
    try:
        reserved = store.reserve_idempotency(scope, key, request_hash, existing, processes.this_process())
    except VersionConflict:
        raise Problem(409, "A request with this Idempotency-Key is still being processed; repeat it shortly.") from None
    try:
        status, payload, content_type = view()
    except Problem as problem:
        store.finish_idempotency(reserved, problem.status, [problem.to_dict(), PROBLEM_JSON])
        raise
    except BaseException:
        store.release_idempotency(reserved)  # no answer to keep: a repeat runs afresh
        raise
    store.finish_idempotency(reserved, status, [payload, content_type])
    return respond(status, payload, content_type)


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
    return respond(status, payload, content_type)


def checked_query(schema) -> dict[str, str]:
    """The query string checked by `schema` (as given, plus its defaults), or a 422 problem naming what is wrong."""
    given = request.args.to_dict()
    try:
        query = schema.load(given)
    except ValidationError as exc:
        raise Problem(422, "Some query parameters are invalid; see errors.",
                      errors=flatten_errors(exc.messages)) from None
    return {k: given.get(k, str(v)) for k, v in query.items()}


@blueprint.get("/referrals")
@requires(council=True, roles=CASEWORKERS)
def list_referrals():
    schema = ReferralQuerySchema() if g.principal.is_council else StaffReferralQuerySchema()
    params = checked_query(schema)
    status, payload, content_type = forward("referral", "GET", "/referrals", params=params)
    audit("list referrals", None, status, purpose())
    return respond(status, payload, content_type)


@blueprint.put("/webhook")
@requires(council=True)
def put_webhook():
    webhook = json_body(WebhookSchema())
    host = webhook["url"].split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
    if webhook["url"].startswith("http://") and host not in ("127.0.0.1", "localhost"):
        raise Problem(422, "The webhook URL must use https.", errors={"url": ["Use an https:// URL."]})
    status, payload, content_type = forward("notify", "PUT", f"/webhooks/{g.principal.council}",
                                            body={"url": webhook["url"], "secret": webhook["secret"]})
    if status != 200:
        return respond(status, payload, content_type)
    return respond(200, {"url": webhook["url"]})


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
