"""The rules of complaints, representations and compliments about the advocacy service (DOMAIN.md). Pure.

A complaint or representation is acknowledged, then answered, each within a time limit counted in working days on
the scheduling service's clock; the answer has an outcome and tells the complainant the other routes open to them.
A complainant unhappy with the answer may take it to a second stage. A compliment is simply recorded. Helping a
child complain about their council is casework, not this.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from marshmallow import ValidationError, validate

from shared.contracts.complaints import ANSWERS, FROM, KINDS
from shared.errors import Refused, Rule, StateForbids
from shared.retention import Policy, day_of

from services.complaints import model
from services.complaints.model import Complaint

OTHER_ROUTES = {"wales": ("council", "childrens_commissioner_for_wales"),
                "england": ("council", "childrens_commissioner_for_england")}
"""Told to every complainant with the answer: the council's own complaints procedure, and the children's commissioner
of the nation the complaint belongs to (in England, the Children's Commissioner's Help at Hand service)."""
LAST_STAGE = 2


class ComplaintRefused(Refused):
    """A complaint that breaks a rule; `errors` says what to change (422)."""


class ComplaintStateForbids(StateForbids):
    """The complaint's status does not allow this now (409)."""

    code = "complaint.state_forbids"


KIND = Rule("complaint.kind", f"Say what this is: one of {', '.join(KINDS)}.")
MADE_BY = Rule("complaint.made_by", f"Say who it is from: one of {', '.join(FROM)}.")
ABOUT = Rule("complaint.about", "Say what it is about.")
NO_WAY_TO_REPLY = Rule("complaint.no_way_to_reply", "Give an email address or a phone number, so we can reply.")
UNKNOWN_COUNCIL = Rule("complaint.unknown_council", "No council has that code.")
COMPLIMENT = Rule("complaint.compliment", "a compliment is recorded, not {action}")
NOT_NOW = Rule("complaint.not_now", "the complaint is {complaint_status}, so it cannot be {action}")
ANSWER_OUTCOME = Rule("complaint.answer_outcome",
                      "Give the outcome: upheld, partly_upheld or not_upheld (withdraw it otherwise).")
ANSWER_SUMMARY = Rule("complaint.answer_summary", "Say what the answer was.")
REVIEW_REASON = Rule("complaint.review_reason", "Say what you are still not happy about.")
COMPLAINANT = "complainant"
"""Who a step was taken by when the complainant took it themselves, from the page they follow the complaint on."""
LAST_STAGE_HAD = Rule("complaint.last_stage", "the complaint has had its last stage; the other routes remain open")


def _blank(value: Any) -> bool:
    return not str(value or "").strip()


def check(request: dict) -> None:
    errors: dict[str, list[str]] = {}
    if request.get("kind") not in KINDS:
        errors["kind"] = [KIND()]
    if request.get("made_by") not in FROM:
        errors["made_by"] = [MADE_BY()]
    if _blank(request.get("about")):
        errors["about"] = [ABOUT()]
    contact = request.get("contact") or {}
    if request.get("wants_reply") and _blank(contact.get("email")) and _blank(contact.get("phone")):
        errors["contact"] = [NO_WAY_TO_REPLY()]
    if errors:
        raise ComplaintRefused(errors)


def new_complaint(complaint_id: str, request: dict, nation: str, at: str, by: str,
                  tracking_digest: str | None = None) -> Complaint:
    """The complaint as asked for, with what was left out as the service keeps it. `tracking_digest` is the digest
    of the private key the complainant follows it with."""
    return model.complaint(id=complaint_id, kind=request["kind"], made_by=request["made_by"],
                           name=(request.get("name") or "").strip(), contact=request.get("contact") or {},
                           about=request["about"].strip(), council=request.get("council"), nation=nation,
                           language=request.get("language") or "en", wants_reply=bool(request.get("wants_reply")),
                           received_at=at, by=by, tracking_digest=tracking_digest)


def _changed(complaint: dict, at: str, what: str, by: str, **changes: Any) -> dict:
    return {**complaint, **changes, "updated_at": at,
            "timeline": [*complaint["timeline"], {"at": at, "what": what, "by": by}]}


def _require(complaint: dict, action: str, *statuses: str) -> None:
    if complaint["kind"] == "compliment":
        raise ComplaintStateForbids(COMPLIMENT(action=action))
    if complaint["status"] not in statuses:
        raise ComplaintStateForbids(NOT_NOW(complaint_status=complaint["status"], action=action))


def acknowledge(complaint: dict, by: str, at: str) -> dict | None:
    """Acknowledged (once; a second acknowledgement changes nothing)."""
    if complaint.get("acknowledged_at"):
        return None
    _require(complaint, "acknowledged", "received")
    return _changed(complaint, at, "acknowledged", by, status="acknowledged", acknowledged_at=at)


def respond(complaint: dict, outcome: str, summary: str, by: str, at: str) -> dict:
    """The answer at the current stage: its outcome, what it said, and the other routes the complainant was told of.
    Answering a complaint not yet acknowledged acknowledges it too."""
    _require(complaint, "answered", "received", "acknowledged", "escalated")
    errors = {}
    if outcome not in ANSWERS:
        errors["outcome"] = [ANSWER_OUTCOME()]
    if _blank(summary):
        errors["summary"] = [ANSWER_SUMMARY()]
    if errors:
        raise ComplaintRefused(errors)
    response = {"stage": complaint["stage"], "outcome": outcome, "summary": summary.strip(), "at": at, "by": by,
                "other_routes_told": list(OTHER_ROUTES[complaint["nation"]])}
    return _changed(complaint, at, f"answered at stage {complaint['stage']}", by, status="responded",
                    outcome=outcome, acknowledged_at=complaint.get("acknowledged_at") or at,
                    responses=[*complaint["responses"], response])


def event_data(complaint: dict, **data: Any) -> dict:
    """What every event about a complaint says of it, beside `data`: its id and kind, never who made it or what
    they said."""
    return {"complaint_id": complaint["id"], "kind": complaint["kind"], **data}


def reply_email(complaint: dict) -> str | None:
    """The address to reply to by email: only where the complainant asked for a reply and gave one that is an
    email address (the contract carries no other)."""
    email = ((complaint.get("contact") or {}).get("email") or "").strip() if complaint.get("wants_reply") else ""
    try:
        return validate.Email()(email) if email else None
    except ValidationError:
        return None


def received_event_data(complaint: dict) -> dict:
    """Beside the codes counted, the address to reply to by email (`reply_email`)."""
    return {"made_by": complaint["made_by"], "council": complaint["council"], "nation": complaint["nation"],
            "received_at": complaint["received_at"], "language": complaint["language"],
            "reply_email": reply_email(complaint)}


def escalate(complaint: dict, by: str, at: str) -> dict:
    """The complainant takes the answer to the next stage (a manager records it, when they asked by letter or
    phone)."""
    _require(complaint, "escalated", "responded")
    if complaint["stage"] >= LAST_STAGE:
        raise ComplaintStateForbids(LAST_STAGE_HAD())
    return _changed(complaint, at, "escalated", by, status="escalated", stage=complaint["stage"] + 1)


def may_ask_for_review(complaint: dict) -> bool:
    """Whether the complainant may ask, from the page they follow it on, for their answered complaint to be looked
    at again: the second stage, once, with its own time limit."""
    return (complaint["kind"] != "compliment" and complaint["status"] == "responded"
            and complaint["stage"] < LAST_STAGE)


def ask_for_review(complaint: dict, reason: str, at: str) -> dict:
    """The complainant, not happy with the answer, asks for it to be looked at again: the complaint goes to its
    next stage with what they are still unhappy about, in their words."""
    escalated = escalate(complaint, COMPLAINANT, at)
    if _blank(reason):
        raise ComplaintRefused({"reason": [REVIEW_REASON()]})
    request = {"stage": escalated["stage"], "reason": reason.strip(), "at": at}
    return {**escalated, "review_requests": [*complaint.get("review_requests", []), request]}


def close(complaint: dict, by: str, at: str) -> dict:
    _require(complaint, "closed", "responded")
    return _changed(complaint, at, "closed", by, status="closed", closed_at=at)


def withdraw(complaint: dict, by: str, at: str) -> dict:
    _require(complaint, "withdrawn", "received", "acknowledged", "escalated", "responded")
    return _changed(complaint, at, "withdrawn", by, status="closed", outcome="withdrawn", closed_at=at)


def progress(complaint: dict) -> dict:
    """What the complainant sees when they follow their complaint: where it is, when each step is due, and the
    answers (what they said and the other routes open to them); never who handled it."""
    return {
        "kind": complaint["kind"], "status": complaint["status"], "stage": complaint["stage"],
        "received_at": complaint["received_at"], "acknowledged_at": complaint.get("acknowledged_at"),
        "deadlines": complaint["deadlines"], "language": complaint["language"],
        "answers": [{k: r[k] for k in ("stage", "outcome", "summary", "at", "other_routes_told")}
                    for r in complaint["responses"]],
        "outcome": complaint.get("outcome"), "closed_at": complaint.get("closed_at"),
        "other_routes": list(OTHER_ROUTES[complaint["nation"]]),
        "review_requests": [{k: r[k] for k in ("stage", "at")} for r in complaint.get("review_requests", [])],
        "may_ask_for_review": may_ask_for_review(complaint),
    }


def summary(complaint: dict) -> dict:
    return {k: complaint.get(k) for k in ("id", "kind", "made_by", "name", "status", "stage", "received_at",
                                          "acknowledged_at", "deadlines", "outcome", "updated_at")}


def erase_on(complaint: Mapping[str, Any], policy: Policy) -> date | None:
    """When a complaint falls due for erasure: `complaint_years` after it closed (a compliment, after it was
    recorded); None while it is open."""
    ended = complaint.get("closed_at") or (complaint["received_at"] if complaint.get("kind") == "compliment" else None)
    return policy.complaint_due(day_of(ended)) if ended else None  # type: ignore[arg-type]


def anonymised(complaint: Mapping[str, Any]) -> dict:
    """A complaint erased: its codes, dates, stages and outcomes stay (reporting's history and the counts hold);
    who made it, how to reach them, what they said and what the answers said go."""
    return {**complaint, "name": "", "contact": {}, "about": "", "tracking_digest": None, "name_key": None,
            "responses": [{**response, "summary": ""} for response in complaint.get("responses", [])],
            "review_requests": [{**asked, "reason": ""} for asked in complaint.get("review_requests", [])]}
