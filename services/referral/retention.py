"""When a child's records held by the referral service fall due for erasure, and what erasing them leaves.

A referral that went ahead (an advocate reached or met the child) is kept until the child is 25, or 6 years after
its last contact (its closing) if that is later; one that never went ahead, 2 years after it closed; an open one is
not due. An opt-out is anonymised once the reporting year it is counted in is published. Erasing keeps the ids,
codes, dates, statuses and consent flags that the service, the links between referrals and reporting's history
need (so `llais reporting rebuild` counts the same), and drops names, the date of birth, contact details, the
council's reference, the searchable digests of the name, and every free text.

Pure: the referral service's store declares these (store.py's RETAINED) and shared/erasure.py applies them.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from shared.contracts import Event, new_event
from shared.contracts.retention import HOLD_REASONS
from shared.errors import NotAllowed, Refused, Rule
from shared.retention import Policy, day_of, published_after

from services.referral import domain, offers_again

NAME = "referral"

CHILD_KEPT = ("preferred_language", "interpreter_needed", "equality")
"""What an erased referral keeps of the child: what reporting counts of them (shared/contracts: monitoring)."""
REFERRER_KEPT = ("role", "organisation_type", "preferred_language")


def went_ahead(referral: Mapping[str, Any]) -> bool:
    """Whether an advocate reached or met the child: otherwise the referral never went ahead."""
    return bool(referral.get("meeting_took_place") or referral.get("first_contact_at"))


def referral_erase_on(referral: Mapping[str, Any], policy: Policy) -> date | None:
    if referral.get("status") != "closed" or not referral.get("closed_at"):
        return None
    closed = day_of(referral["closed_at"])
    if not went_ahead(referral):
        return policy.not_proceeded_due(closed)  # type: ignore[arg-type]
    born = (referral.get("child") or {}).get("date_of_birth")
    return policy.child_record_due(date.fromisoformat(born) if born else None, closed)  # type: ignore[arg-type]


def referral_anonymised(referral: Mapping[str, Any]) -> dict:
    child = referral.get("child") or {}
    needs = child.get("communication_needs")
    return {
        **referral,
        "child": {**{k: child.get(k) for k in CHILD_KEPT}, "given_name": "", "family_name": "", "date_of_birth": None,
                  "contact": {},
                  "communication_needs_given": None if needs is None else bool(str(needs).strip())},
        "referrer": {k: (referral.get("referrer") or {}).get(k) for k in REFERRER_KEPT},
        "child_key": None, "name_keys": {}, "name_starts": {}, "external_ref": None, "external_ref_key": None,
        "risks": "", "summary": "", "decline_reason": None,
        "meeting": {k: v for k, v in (referral.get("meeting") or {}).items() if k != "venue"},
        "contact_attempts": [{k: v for k, v in attempt.items() if k != "note"}
                             for attempt in referral.get("contact_attempts", [])],
        "timeline": [{k: entry[k] for k in ("at", "what", "by") if k in entry}
                     for entry in referral.get("timeline", [])],
    }


def linked(referral: Mapping[str, Any]) -> list[str]:
    """The referrals a legal hold on any of keeps this one: itself, the child's earlier ones, and the referral it
    followed or was followed by."""
    return [referral["id"], *referral.get("earlier_referral_ids", []),
            *(referral[k] for k in ("follow_on_of", "follow_on_referral_id") if referral.get(k))]


def expired(referral: Mapping[str, Any], on: date) -> list[Event]:
    """`retention.expired`, for every service to erase what it holds about the referral."""
    kind = "child_record" if went_ahead(referral) else "not_proceeded"
    return [new_event("retention.expired", {"referral_id": referral["id"], "kind": kind, "erased_on": on.isoformat()},
                      producer=NAME, subject=f"referral:{referral['id']}")]


# legal holds: a manager stops the erasure of a child's records (a court case, a complaint open) until it is lifted

HOLD_REASON = Rule("legal_hold.reason", f"Give the reason as one of: {', '.join(HOLD_REASONS)}.")
MANAGERS_HOLD = Rule("legal_hold.managers", "only a manager may place or lift a legal hold")


def place_hold(hold: Mapping[str, Any], referral: Mapping[str, Any], reason_code: Any, by: str, role: str | None,
               at: str) -> dict | None:
    """The hold placed on `referral` and those linked to it; None when one is in place already (it stands)."""
    if role != "manager":
        raise NotAllowed(MANAGERS_HOLD())
    if reason_code not in HOLD_REASONS:
        raise Refused({"reason_code": [HOLD_REASON()]})
    if hold.get("held"):
        return None
    return {"referral_id": referral["id"], "referral_ids": linked(referral), "held": True,
            "reason_code": reason_code, "placed_at": at, "placed_by": by, "lifted_at": None, "lifted_by": None}


def lift_hold(hold: Mapping[str, Any], by: str, role: str | None, at: str) -> dict | None:
    """The hold lifted; None when there is none in place (nothing to lift)."""
    if role != "manager":
        raise NotAllowed(MANAGERS_HOLD())
    if not hold.get("held"):
        return None
    return {**hold, "held": False, "lifted_at": at, "lifted_by": by}


def hold_view(hold: Mapping[str, Any], referral_id: str) -> dict:
    """A hold as staff read it; a referral never held reads as not held."""
    return {"referral_id": referral_id, "held": bool(hold.get("held")),
            **{k: hold.get(k) for k in ("referral_ids", "reason_code", "placed_at", "placed_by", "lifted_at",
                                        "lifted_by")}}


def hold_event_data(hold: Mapping[str, Any]) -> dict:
    data = {"referral_id": hold["referral_id"], "referral_ids": list(hold["referral_ids"])}
    if hold["held"]:
        return {**data, "reason_code": hold["reason_code"], "placed_at": hold["placed_at"]}
    return {**data, "lifted_at": hold["lifted_at"]}


def message_anonymised(message: Mapping[str, Any]) -> dict:
    """A message about an erased referral: its channel, who it was from, its clock and answer stay (reporting counts
    them); what was said goes."""
    return {**message, "note": ""}


def opt_out_erase_on(opt_out: Mapping[str, Any], policy: Policy) -> date:
    return published_after(day_of(opt_out["recorded_at"]))  # type: ignore[arg-type]


def transition_erase_on(transition: Mapping[str, Any], policy: Policy) -> date | None:
    """A change in the child's care the council told of falls due as an opt-out does, once the reporting year it is
    counted in is published; not while its renewed offer is still to do."""
    if transition.get("renewed_offer_status") == offers_again.TO_DO:
        return None
    return published_after(day_of(transition["recorded_at"]))  # type: ignore[arg-type]


def transition_anonymised(transition: Mapping[str, Any]) -> dict:
    """The kind, the day and what came of it stay (reporting counts them), with the links to the child's referrals
    and opt-outs by id; the council's reference for the child goes."""
    return {**transition, "external_ref": None}


def transition_about(transition: Mapping[str, Any]) -> list[str]:
    """The referrals a legal hold on which keeps the transition: the one it names and the child's earlier ones."""
    return [i for i in (transition.get("referral_id"), *transition.get("earlier_referral_ids", ())) if i]


def opt_out_anonymised(opt_out: Mapping[str, Any]) -> dict:
    """The child's age when offered stays (reporting counts it), their date of birth goes; the reason's code stays,
    its words go."""
    counted = domain.opt_out_event_data(opt_out)
    return {**opt_out, "date_of_birth": None, "age": counted["age"], "reason_code": counted["reason_code"],
            "reason": "", "reason_note": "", "external_ref": None}
