"""The referral service's internal API, called by the gateway (which has checked each request's shape and the
caller's role, and says who is calling in the X-Llais-* headers)."""

from __future__ import annotations

import base64
import re
from datetime import datetime

from flask import Blueprint, current_app, request

from shared import erasure, subject_access, validation
from shared.idempotency import once_per_key
from shared.unit_of_work import UnitOfWork
from shared.web import (ACTOR_HEADER, NOT_A_CURSOR, ROLE_HEADER, Problem, caller_council, check_fields,
                        command_from_body, history_page, json_body)

from services.referral import domain, handlers, history, offers_again
from services.referral.commands import (Allocate, Close, LiftHold, PlaceHold, ReceiveReferral, RecordContactAttempt,
                                        RecordOptOut, RecordTransition, RenewedOfferDone)
from services.referral.store import OPT_OUTS, REFERRALS, ReferralStore

blueprint = Blueprint("referral", __name__)
check_fields(blueprint, {
    "child.date_of_birth": validation.past_day, "date_of_birth": validation.past_day,
    "statutory_meeting_at": validation.any_moment, "offered_at": validation.past_moment,
    "attempted_at": validation.past_moment,
    "child.given_name": validation.person_name, "child.family_name": validation.person_name,
    "child.contact.carer_name": validation.person_name, "referrer.name": validation.person_name,
    "external_ref": validation.one_line, "happened_on": validation.past_day,
})
STAFF_ROLES = ("advocate", "manager", "admin")


def uow() -> UnitOfWork:
    return UnitOfWork(current_app.extensions["llais.store"])


def referrals() -> ReferralStore:
    return ReferralStore(current_app.extensions["llais.store"])


def councils():
    return current_app.extensions["llais.councils"]


def actor() -> str:
    return request.headers.get(ACTOR_HEADER) or "unknown"


def role() -> str | None:
    return request.headers.get(ROLE_HEADER)


def is_staff() -> bool:
    return request.headers.get(ROLE_HEADER) in STAFF_ROLES and caller_council() is None


def view(referral: dict) -> dict:
    if is_staff():
        return domain.staff_view(referral)
    if role() == "referrer" and caller_council() is not None:  # a council's social worker on the web forms
        return domain.referrer_view(referral, actor())
    return domain.council_view(referral)


def _own(referral_id: str) -> None:
    """A council acts only on its own referrals: another's is as if absent."""
    if handlers.visible_referral(referrals(), referral_id, caller_council()) is None:
        raise Problem(404, "No such referral.")


def created(referral: dict) -> tuple[dict, int]:
    return view(referral), 201


@blueprint.post("/referrals")
@once_per_key(created)
def create():
    command = command_from_body(ReceiveReferral.parse, "council")
    return handlers.receive_referral(command, uow(), councils=councils())


@blueprint.post("/opt-outs")
@once_per_key(lambda recorded: (domain.opt_out_view(recorded), 201))
def opt_out():
    command = command_from_body(RecordOptOut, "council", "basis", "date_of_birth", "offered_at")
    return handlers.record_opt_out(command, uow(), councils=councils())


def transition_view(transition: dict) -> dict:
    return offers_again.staff_view(transition) if is_staff() else offers_again.council_view(transition)


@blueprint.post("/transitions")
@once_per_key(lambda recorded: (transition_view(recorded), 201))
def transition():
    command = command_from_body(lambda body: RecordTransition(body, actor()), "council", "kind", "happened_on")
    return handlers.record_transition(command, uow(), councils=councils())


@blueprint.post("/transitions/<transition_id>/renewed-offer")
def renewed_offer_done(transition_id: str):
    if not is_staff():
        raise Problem(404, "No such transition.")
    command = command_from_body(lambda body: RenewedOfferDone(transition_id, body["result"], actor()), "result")
    return transition_view(handlers.renewed_offer_done(command, uow()))


@blueprint.get("/transitions/<transition_id>")
def read_transition(transition_id: str):
    transition = handlers.visible_transition(referrals(), transition_id, caller_council())
    if transition is None:
        raise Problem(404, "No such transition.")
    return transition_view(transition)


@blueprint.get("/transitions")
def transitions():
    args = request.args
    invalid = validation.field_problems(args, {"cursor": _cursor_problem})
    if invalid:
        raise Problem(422, "Some query parameters are invalid; see errors.", errors=invalid)
    try:
        limit = int(args.get("limit", 50))
        if not 1 <= limit <= 200 or args.get("renewed_offer") not in (None, *offers_again.RENEWED_OFFER_STATUSES):
            raise ValueError
    except ValueError:
        raise Problem(422, "Invalid query: limit is 1 to 200, renewed_offer to_do or done, cursor as given in "
                           "`next`.") from None
    where = {"renewed_offer_status": args.get("renewed_offer")}
    if caller_council() is not None:
        where["council"] = caller_council()
    elif is_staff():
        where["council"] = args.get("council")
    items, following = handlers.list_transitions(referrals(), {k: v for k, v in where.items() if v}, limit=limit,
                                                 cursor=args.get("cursor"))
    return {"items": [transition_view(t) for t in items], "next": following}


@blueprint.post("/referrals/<referral_id>/allocate")
def allocate(referral_id: str):
    _own(referral_id)
    command = command_from_body(lambda body: Allocate(referral_id, body["advocate_email"].lower(), actor()),
                                "advocate_email")
    return view(handlers.allocate(command, uow()))


@blueprint.post("/referrals/<referral_id>/contact-attempts")
@once_per_key(created)
def contact_attempt(referral_id: str):
    _own(referral_id)
    command = command_from_body(lambda body: RecordContactAttempt(
        referral_id, body["method"], body["result"], body.get("note", ""), actor(), role(), body.get("attempted_at")),
        "method", "result")
    return handlers.record_contact_attempt(command, uow())


@blueprint.post("/referrals/<referral_id>/close")
def close(referral_id: str):
    _own(referral_id)
    command = command_from_body(lambda body: Close(referral_id, body["reason"], actor(), role()), "reason")
    return view(handlers.close(command, uow()))


@blueprint.get("/legal-holds")
def held():
    """Every referral a legal hold in place covers: the gateway's sweep keeps the audit of these children's records,
    since it hears of no holds itself."""
    if caller_council() is not None:
        raise Problem(404, "Not found.")
    return {"referral_ids": sorted(erasure.held_referrals(referrals().store))}


@blueprint.get("/referrals/<referral_id>/legal-hold")
def legal_hold(referral_id: str):
    if not is_staff():
        raise Problem(404, "No such referral.")
    return handlers.legal_hold(referrals(), referral_id)


@blueprint.post("/referrals/<referral_id>/legal-hold")
def place_hold(referral_id: str):
    if not is_staff():
        raise Problem(404, "No such referral.")
    command = command_from_body(lambda body: PlaceHold(referral_id, body["reason_code"], actor(), role()),
                                "reason_code")
    return handlers.place_hold(command, uow())


@blueprint.delete("/referrals/<referral_id>/legal-hold")
def lift_hold(referral_id: str):
    if not is_staff():
        raise Problem(404, "No such referral.")
    return handlers.lift_hold(LiftHold(referral_id, actor(), role()), uow())


@blueprint.get("/referrals/<referral_id>")
def read(referral_id: str):
    referral = handlers.visible_referral(referrals(), referral_id, caller_council())
    if referral is None:
        raise Problem(404, "No such referral.")
    return view(referral)


CURSOR = re.compile(r"^[A-Za-z0-9_-]{1,200}$")


def _cursor_problem(cursor: str) -> str | None:
    """A cursor is what `next` gave: the base64url of the last referral listed. Anything else (a guess, an attempt at
    injection) is a mistake to report, not a page to make up."""
    if CURSOR.match(cursor):
        try:
            last_id = base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode()
        except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
            last_id = ""
        if last_id and validation.line_problem(last_id) is None:
            return None
    return NOT_A_CURSOR


@blueprint.get("/referrals")
def index():
    args = request.args
    invalid = validation.field_problems(args, {"updated_since": validation.well_formed_moment,
                                                "cursor": _cursor_problem})
    if invalid:
        raise Problem(422, "Some query parameters are invalid; see errors.", errors=invalid)
    try:
        limit = int(args.get("limit", 50))
        since = datetime.fromisoformat(args["updated_since"]) if args.get("updated_since") else None
        if not 1 <= limit <= 200 or (since is not None and since.tzinfo is None):
            raise ValueError
        if is_staff() and args.getlist("id"):
            wanted = args.getlist("id")[:200]
            if any(len(i) > 64 for i in wanted):
                raise ValueError
            return {"items": [view(r) for r in handlers.read_several(referrals(), wanted)], "next": None}
        if is_staff() and (args.get("search") or "").strip():
            if len(args["search"]) > 200:
                raise ValueError
            items, following = handlers.search_referrals(referrals(), args["search"], limit=limit,
                                                         cursor=args.get("cursor"))
            return {"items": [view(r) for r in items], "next": following}
        where = {"status": args.get("status")}
        if caller_council() is not None:
            where["council"] = caller_council()
        elif is_staff():
            where.update(council=args.get("council"), advocate_email=args.get("advocate"))
        items, following = handlers.list_referrals(referrals(), {k: v for k, v in where.items() if v},
                                                   updated_since=since, limit=limit, cursor=args.get("cursor"),
                                                   for_council=caller_council() is not None)
    except ValueError:
        raise Problem(422, "Invalid query: limit is 1 to 200, updated_since an RFC 3339 time with offset, "
                           "cursor as given in `next`, a search of at most 200 characters, at most 200 ids.") from None
    return {"items": [view(r) for r in items], "next": following}


@blueprint.get("/capacity")
def capacity():
    """What a manager allocates with: the referrals waiting and the oldest, and each advocate's open referrals."""
    if not is_staff() or role() != "manager":
        raise Problem(403, "Capacity is read by the provider's managers.")
    return domain.capacity(referrals().open_work())


@blueprint.get("/history")
def recall():
    """What each referral and opt-out implies happened before a moment (shared.web.history_page)."""
    return history_page({
        "referrals": (lambda limit, after: referrals().in_order(REFERRALS, limit, after), history.of_referral),
        "opt-outs": (lambda limit, after: referrals().in_order(OPT_OUTS, limit, after), history.of_opt_out),
    })


@blueprint.post("/subject-access/child")
def subject_access_child():
    """The ids of every referral of one child, named in the body by `referral_id`, by `child` (given and family
    name, date of birth), or by `council` and `external_ref` (in a body, so no name is in an address or a log);
    404 when no referral is of that child. For the provider's managers."""
    subject_access.asked_by_a_manager()
    body = json_body()
    body = body if isinstance(body, dict) else {}
    child = body.get("child") if isinstance(body.get("child"), dict) else None
    if isinstance(body.get("referral_id"), str) and 0 < len(body["referral_id"].strip()) <= 64:
        found = {"referral_id": body["referral_id"].strip()}  # its id, or its reference as a person typed it
    elif child and all(isinstance(child.get(k), str) and child[k].strip() and len(child[k]) <= 200
                       for k in ("given_name", "family_name", "date_of_birth")):
        found = {"child": {k: child[k] for k in ("given_name", "family_name", "date_of_birth")}}
    elif all(isinstance(body.get(k), str) and body[k].strip() and len(body[k]) <= 200
             for k in ("council", "external_ref")):
        found = {"council": body["council"], "external_ref": body["external_ref"].strip()}
    else:
        raise Problem(422, "Name the child: by a referral, by their name and date of birth, or by a council's "
                           "reference.", errors={"child": ["Give referral_id, child, or council and external_ref."]})
    return {"referral_ids": handlers.childs_referrals(referrals(), **found)}


@blueprint.get("/subject-access")
def subject_access_records():
    """Everything the service holds about the child's referrals (shared/subject_access)."""
    return {"items": handlers.subject_access_records(referrals(), subject_access.asked_referral_ids())}
