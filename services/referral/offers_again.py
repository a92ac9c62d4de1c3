"""Offered again at the key points of a child's care. Pure: no I/O, no clock of its own.

Seed 001 asks that every child is offered advocacy "when they first become known ... and thereafter at key
transitional times, for example, reviews, placement moves"; seed 002's "Future access to advocacy" names review
meetings, planned placement moves and plans for a young person to become a care leaver. A council tells Llais of
such a point (a transition) for a child it referred or recorded an opt-out for; a child whose latest Active Offer
ended opted out, declined or reflecting is then offered again: a renewed offer, linked to the earlier referrals and
opt-outs, which the manager sees as work to do and marks done with what came of it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

from shared.clock import LONDON
from shared.contracts.referral import OFFERED_AGAIN_AFTER, RENEWED_OFFER_RESULTS, TRANSITION_KINDS
from shared.errors import Refused, Rule, StateForbids

OPEN = ("received", "allocated", "contacting", "meeting_arranged")
REFERENCES = ("referral_id", "optout_id", "external_ref")
"""How a council names the child a transition is about: one of its referrals, one of its opt-outs, or its own
reference for the child."""
TO_DO, DONE = "to_do", "done"
RENEWED_OFFER_STATUSES = (TO_DO, DONE)

UNKNOWN_KIND = Rule("transition.unknown_kind", f"Give the kind as one of {', '.join(TRANSITION_KINDS)}.")
ONE_REFERENCE = Rule("transition.one_reference", "Name the child by exactly one of referral_id, optout_id or "
                                                 "external_ref.")
IN_THE_FUTURE = Rule("transition.in_the_future", "The day cannot be in the future.")
BEFORE_THE_FIRST = Rule("transition.before_the_first", "The day cannot be before {since}, when the child was first "
                                                       "offered the Active Offer.")
UNKNOWN_RESULT = Rule("transition.unknown_result", f"Give the result as one of {', '.join(RENEWED_OFFER_RESULTS)}.")
NO_RENEWED_OFFER = Rule("transition.no_renewed_offer", "This transition brought no renewed offer to mark done.")
DONE_ALREADY = Rule("transition.renewed_offer_done", "This renewed offer was marked done already.")


class TransitionRefused(Refused):
    """A transition (or a renewed offer's result) that breaks a rule; `errors` maps each field to what is wrong."""


class RenewedOfferForbids(StateForbids):
    """The transition's renewed offer cannot be marked done now (409)."""

    detail_format = "This renewed offer cannot be marked done: there is none, or it was done already."


def check_transition(request: dict[str, Any], today: date) -> None:
    """Refuse, naming each field, a transition of an unknown kind, one naming the child by no or several
    references, or one dated in the future."""
    errors: dict[str, list[str]] = {}
    if request.get("kind") not in TRANSITION_KINDS:
        errors["kind"] = [UNKNOWN_KIND()]
    given = [name for name in REFERENCES if request.get(name) not in (None, "")]
    if len(given) != 1:
        errors[given[1] if len(given) > 1 else "referral_id"] = [ONE_REFERENCE()]
    if date.fromisoformat(request["happened_on"]) > today:
        errors["happened_on"] = [IN_THE_FUTURE()]
    if errors:
        raise TransitionRefused(errors)


def reference(request: dict[str, Any]) -> tuple[str, str]:
    """The one reference a checked transition names the child by: its name and value."""
    return next((name, request[name]) for name in REFERENCES if request.get(name) not in (None, ""))


def _day(moment: str) -> date:
    return datetime.fromisoformat(moment).astimezone(LONDON).date()


def first_offered(named: Iterable[dict[str, Any]]) -> date:
    """The day the child was first offered, of the referrals and opt-outs the council named them by."""
    return min(_day(record.get("received_at") or record["offered_at"]) for record in named)


def check_not_before(happened_on: str, named: list[dict[str, Any]]) -> None:
    since = first_offered(named)
    if date.fromisoformat(happened_on) < since:
        raise TransitionRefused({"happened_on": [BEFORE_THE_FIRST(since=since.isoformat())]})


def ending(referral: dict[str, Any]) -> str:
    """How a closed Active Offer referral ended, as a renewed offer looks at it."""
    outcome = referral.get("outcome")
    if referral.get("close_reason") == "completed" and outcome in OFFERED_AGAIN_AFTER:
        return outcome
    return "took_up" if outcome == "take_up" else "other_ending"


def latest_ending(referrals: Iterable[dict[str, Any]], opt_outs: Iterable[dict[str, Any]]) -> str | None:
    """How the child's latest Active Offer ended: `opted_out`, `declined`, `reflecting`, `took_up` or
    `other_ending`; None if none has ended."""
    endings = [(r["closed_at"], ending(r)) for r in referrals
               if r.get("kind") == "active_offer" and r.get("status") == "closed" and r.get("closed_at")]
    endings += [(o["offered_at"], "opted_out") for o in opt_outs]
    if not endings:
        return None
    return max(endings, key=lambda e: datetime.fromisoformat(e[0]))[1]


def offered_again(referrals: list[dict[str, Any]], opt_outs: list[dict[str, Any]]) -> tuple[bool, str | None]:
    """Whether a transition brings the child a renewed offer, and if not, why (NOT_OFFERED_AGAIN): a child with a
    referral still open, or whose latest Active Offer they took up, is not offered again."""
    if any(r.get("status") in OPEN for r in referrals):
        return False, "open_referral"
    last = latest_ending(referrals, opt_outs)
    if last in OFFERED_AGAIN_AFTER:
        return True, None
    return False, "took_up" if last == "took_up" else "other_ending"


def new_transition(transition_id: str, request: dict[str, Any], council: Any, referrals: list[dict[str, Any]],
                   opt_outs: list[dict[str, Any]], at: str, by: str, council_may_see) -> dict[str, Any]:
    """The transition as recorded, with its renewed offer (to do) when it brings one, linked to the child's earlier
    referrals and opt-outs."""
    again, because = offered_again(referrals, opt_outs)
    return {
        "id": transition_id, "council": council.code, "region": council.region, "kind": request["kind"],
        "happened_on": request["happened_on"], **{name: request.get(name) or None for name in REFERENCES},
        "earlier_referral_ids": sorted(r["id"] for r in referrals),
        "earlier_optout_ids": sorted(o["id"] for o in opt_outs),
        "offered_again": again, "not_offered_because": because,
        "why_told": may_know_why(because, referrals, council_may_see),
        "renewed_offer_status": TO_DO if again else None, "renewed_offer_result": None,
        "recorded_at": at, "recorded_by": by, "updated_at": at,
    }


def renewed_offer_done(transition: dict[str, Any], result: Any, at: str, by: str) -> dict[str, Any]:
    """The renewed offer marked done with what came of it (RENEWED_OFFER_RESULTS), once."""
    if result not in RENEWED_OFFER_RESULTS:
        raise TransitionRefused({"result": [UNKNOWN_RESULT()]})
    if transition.get("renewed_offer_status") != TO_DO:
        raise RenewedOfferForbids(NO_RENEWED_OFFER() if not transition.get("offered_again") else DONE_ALREADY())
    return {**transition, "renewed_offer_status": DONE, "renewed_offer_result": result, "renewed_offer_done_at": at,
            "renewed_offer_done_by": by, "updated_at": at}


def recorded_event_data(transition: dict[str, Any]) -> dict[str, Any]:
    """What `transition.recorded` says: ids and codes, never the council's reference for the child."""
    return {"transition_id": transition["id"], "council": transition["council"], "region": transition["region"],
            "kind": transition["kind"], "happened_on": transition["happened_on"],
            "offered_again": transition["offered_again"], "not_offered_because": transition["not_offered_because"],
            "recorded_at": transition["recorded_at"]}


def done_event_data(transition: dict[str, Any]) -> dict[str, Any]:
    return {"transition_id": transition["id"], "council": transition["council"],
            "result": transition["renewed_offer_result"], "done_at": transition["renewed_offer_done_at"]}


def may_know_why(because: str | None, referrals: list[dict[str, Any]], council_may_see) -> bool:
    """Whether the council may be told why no renewed offer was made: of an open referral only one it may see
    (`council_may_see`, the referral service's rule), of a take-up only with the child's agreement to share the
    outcome, and of another ending, which says no more than that the child was not offered again."""
    if because == "open_referral":
        return all(council_may_see(r) for r in referrals if r.get("status") in OPEN)
    if because == "took_up":
        return all(r["consent"].get("share_outcome_with_referrer") for r in referrals if r.get("outcome") == "take_up")
    return because is not None


def council_view(transition: dict[str, Any]) -> dict[str, Any]:
    """A transition as the council that told of it reads it: whether it brought a renewed offer, and why not only
    where the council may know it (`why_told`, decided by `may_know_why` when it was recorded)."""
    view = {name: transition.get(name) for name in ("id", "kind", "happened_on", *REFERENCES, "offered_again",
                                                     "recorded_at")}
    if transition["not_offered_because"] and transition.get("why_told"):
        view["not_offered_because"] = transition["not_offered_because"]
    return view


def staff_view(transition: dict[str, Any]) -> dict[str, Any]:
    """The whole transition and its renewed offer, for the provider's managers."""
    view = {**council_view({**transition, "why_told": True}), "council": transition["council"],
            "earlier_referral_ids": transition["earlier_referral_ids"],
            "earlier_optout_ids": transition["earlier_optout_ids"]}
    if transition["offered_again"]:
        view["renewed_offer"] = {"status": transition["renewed_offer_status"],
                                 "result": transition.get("renewed_offer_result"),
                                 "done_at": transition.get("renewed_offer_done_at")}
    return view
