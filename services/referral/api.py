"""The referral service's internal API, called by the gateway (which has checked the request's shape)."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, current_app, request

from shared.web import Problem, caller_council, json_body, problem_response

from services.referral import domain, handlers
from services.referral.store import ReferralStore

blueprint = Blueprint("referral", __name__)


def referrals() -> ReferralStore:
    return ReferralStore(current_app.extensions["llais.store"])


@blueprint.errorhandler(domain.ReferralRejected)
def _rejected(exc: domain.ReferralRejected):
    return problem_response(Problem(422, "The referral breaks a rule; see errors.", errors=exc.errors))


@blueprint.errorhandler(handlers.UnknownCouncil)
def _unknown_council(exc: handlers.UnknownCouncil):
    return problem_response(Problem(422, "No council has that code.", errors={"council": [f"Unknown: {exc}"]}))


@blueprint.post("/referrals")
def create():
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("council"), str):
        raise Problem(422, "Say which council refers.", errors={"council": ["Missing."]})
    try:
        referral = handlers.receive_referral(referrals(), current_app.extensions["llais.councils"], body)
    except (KeyError, TypeError, ValueError) as exc:
        if isinstance(exc, (domain.ReferralRejected, handlers.UnknownCouncil)):
            raise
        raise Problem(422, "The referral is not in the shape API.md describes.",
                      errors={"_schema": [f"{exc.__class__.__name__}: {exc}"]}) from None
    return domain.council_view(referral), 201


@blueprint.get("/referrals/<referral_id>")
def read(referral_id: str):
    referral = handlers.visible_referral(referrals(), referral_id, caller_council())
    if referral is None:
        raise Problem(404, "No such referral.")
    return domain.council_view(referral)


@blueprint.get("/referrals")
def index():
    args = request.args
    try:
        limit = int(args.get("limit", 50))
        since = datetime.fromisoformat(args["updated_since"]) if args.get("updated_since") else None
        if not 1 <= limit <= 200 or (since is not None and since.tzinfo is None):
            raise ValueError
        items, following = handlers.list_referrals(referrals(), caller_council(), status=args.get("status"),
                                                   updated_since=since, limit=limit, cursor=args.get("cursor"))
    except ValueError:
        raise Problem(422, "Invalid query: limit is 1 to 200, updated_since an RFC 3339 time with offset, "
                           "cursor as given in `next`.") from None
    return {"items": [domain.council_view(r) for r in items], "next": following}
