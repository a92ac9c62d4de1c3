"""The rules of a referral (DOMAIN.md, API.md). Pure: no I/O, no clock of its own, no Flask.

A referral arrives already in the right *shape* (the gateway checked that); here are the rules of the work: who is
a child, what an Active Offer referral needs, and what a council may see of it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

ACTIVE_OFFER_BASES = ("looked_after", "child_protection", "care_and_support")
ELIGIBILITY = (
    "looked_after", "child_protection", "care_leaver", "custody", "mental_health_detention", "homeless_16_17",
    "lacks_capacity", "complaint", "childrens_home", "send", "missing_from_care", "care_review", "young_carer",
)
"""Issue-based eligibility: the circumstances that give a statutory right to advocacy (DOMAIN.md, England's list)."""

CHILD_AGE_LIMIT = 18
CARE_LEAVER_AGE_LIMIT = 25
CONTACT_WAYS = ("phone", "email", "address", "carer_phone")


class ReferralRejected(ValueError):
    """A referral that breaks a rule; `errors` maps each field path to what is wrong with it."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on `day` (someone born on 29 February turns a year older on 1 March)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def check_referral(request: dict[str, Any], today: date) -> None:
    """Raise ReferralRejected naming every rule the referral breaks."""
    errors: dict[str, list[str]] = {}
    kind, basis = request["kind"], request["basis"]
    if kind == "active_offer" and basis not in ACTIVE_OFFER_BASES:
        errors["basis"] = [f"An Active Offer's basis is one of {', '.join(ACTIVE_OFFER_BASES)}."]
    if kind == "issue_based" and basis not in ELIGIBILITY:
        errors["basis"] = [f"Give the eligibility: one of {', '.join(ELIGIBILITY)}."]

    born = date.fromisoformat(request["child"]["date_of_birth"])
    limit = CARE_LEAVER_AGE_LIMIT if basis == "care_leaver" else CHILD_AGE_LIMIT
    if born > today:
        errors["child.date_of_birth"] = ["The date of birth is in the future."]
    elif age_on(born, today) >= limit:
        errors["child.date_of_birth"] = [
            f"The child must be under {limit}" + (" (25 for care leavers)." if limit == CHILD_AGE_LIMIT else ".")]

    consent = request["consent"]
    if kind == "active_offer":
        for flag in ("child_informed", "child_agrees"):
            if not consent[flag]:
                errors[f"consent.{flag}"] = [
                    "An Active Offer referral needs the child to know and agree; "
                    "if the child opted out, record it with POST /api/v1/opt-outs instead."]

    contact = request["child"].get("contact") or {}
    if not any(str(contact.get(way) or "").strip() for way in CONTACT_WAYS):
        errors["child.contact"] = ["Give at least one way to contact the child or their carer: "
                                   "phone, email, address or carer_phone."]

    meeting = request.get("statutory_meeting_at")
    if meeting and datetime.fromisoformat(meeting).date() < today:
        errors["statutory_meeting_at"] = ["The statutory meeting is in the past."]
    if errors:
        raise ReferralRejected(errors)


def new_referral(referral_id: str, request: dict[str, Any], council: Any, received_at: str) -> dict[str, Any]:
    """The referral as first recorded: status `received`, with its first timeline entry."""
    return {
        "id": referral_id,
        "council": council.code,
        "region": council.region,
        "nation": council.nation,
        "kind": request["kind"],
        "basis": request["basis"],
        "source": "social_worker" if request["referrer"]["role"] == "social_worker" else request["referrer"]["role"],
        "external_ref": request.get("external_ref"),
        "child": request["child"],
        "referrer": request["referrer"],
        "statutory_meeting_at": request.get("statutory_meeting_at"),
        "consent": request["consent"],
        "risks": request.get("risks", ""),
        "status": "received",
        "received_at": received_at,
        "acknowledged_at": None,
        "deadlines": {},
        "meeting": {"status": "none"},
        "meeting_took_place": None,
        "outcome": None,
        "follow_on_referral_id": None,
        "timeline": [{"at": received_at, "what": "received", "by": council.code}],
        "updated_at": received_at,
    }


def acknowledge(referral: dict[str, Any], at: str) -> dict[str, Any] | None:
    """The referral acknowledged at `at`; None if it was acknowledged before (nothing to do)."""
    if referral.get("acknowledged_at"):
        return None
    return {**referral, "acknowledged_at": at, "updated_at": at,
            "timeline": [*referral["timeline"], {"at": at, "what": "acknowledged", "by": "provider"}]}


def council_view(referral: dict[str, Any]) -> dict[str, Any]:
    """A referral as its council sees it (API.md): what the child's consent withholds is absent, not empty."""
    consent = referral["consent"]
    meeting = {"status": referral["meeting"]["status"]}
    if consent.get("share_arrangements_with_referrer"):
        for field in ("starts_at", "venue"):
            if referral["meeting"].get(field) is not None:
                meeting[field] = referral["meeting"][field]
    view = {
        "id": referral["id"], "kind": referral["kind"], "basis": referral["basis"],
        "external_ref": referral.get("external_ref"), "status": referral["status"],
        "received_at": referral["received_at"], "deadlines": dict(referral.get("deadlines") or {}),
        "meeting": meeting, "updated_at": referral["updated_at"],
    }
    if referral.get("meeting_took_place") is not None:
        view["meeting_took_place"] = referral["meeting_took_place"]
    if consent.get("share_outcome_with_referrer"):
        for field in ("outcome", "follow_on_referral_id"):
            if referral.get(field) is not None:
                view[field] = referral[field]
    return view


def received_event_data(referral: dict[str, Any]) -> dict[str, Any]:
    """What `referral.received` tells other services: ids, codes, dates and consent flags, no names or contacts."""
    return {
        "referral_id": referral["id"], "council": referral["council"], "region": referral["region"],
        "nation": referral["nation"], "kind": referral["kind"], "basis": referral["basis"],
        "external_ref": referral.get("external_ref"), "received_at": referral["received_at"],
        "statutory_meeting_at": referral.get("statutory_meeting_at"),
        "preferred_language": referral["child"]["preferred_language"], "consent": dict(referral["consent"]),
    }


def acknowledged_event_data(referral: dict[str, Any]) -> dict[str, Any]:
    return {
        "referral_id": referral["id"], "council": referral["council"], "external_ref": referral.get("external_ref"),
        "status": referral["status"], "received_at": referral["received_at"],
        "acknowledged_at": referral["acknowledged_at"],
    }
