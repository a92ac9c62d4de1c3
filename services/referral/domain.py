"""The rules of a referral (DOMAIN.md, API.md). Pure: no I/O, no clock of its own, no Flask.

A referral arrives already in the right *shape* (the gateway checked that); here are the rules of the work: who is
a child, what an Active Offer referral needs, and what a council may see of it.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Any

from shared.contracts.referral import (ACTIVE_OFFER_BASES, ACTIVE_OFFER_STEPS, ARRANGEMENTS, CARE_LEAVER_AGE_LIMIT,
                                      CHILD_AGE_LIMIT, ELIGIBILITY, EQUALITY, MEETING_ACTIONS, NOT_WANTED_REASONS,
                                      OTHER_REASON, OUTCOME, SELF_REFERRAL, TAKE_UP, decline_reason_code,
                                      support_type)
from shared.contracts.scheduling import not_held_reason_code
from shared.errors import NOT_ALLOCATED_TO_YOU, NotAllowed, Refused, Rule, StateForbids

from services.referral import model
from services.referral.model import Referral, child_key

CONTACT_WAYS = ("phone", "email", "address", "carer_phone")


class ReferralRejected(Refused):
    """A referral that breaks a rule; `errors` maps each field path to what is wrong with it."""


NOT_AN_ACTIVE_OFFER_BASIS = Rule("referral.active_offer_basis",
                                 f"An Active Offer's basis is one of {', '.join(ACTIVE_OFFER_BASES)}.")
NOT_ELIGIBLE = Rule("referral.eligibility", f"Give the eligibility: one of {', '.join(ELIGIBILITY)}.")
BORN_IN_THE_FUTURE = Rule("referral.born_in_the_future", "The date of birth is in the future.")
TOO_OLD = Rule("referral.too_old", "The child must be under {limit}.")
TOO_OLD_UNLESS_CARE_LEAVER = Rule("referral.too_old_unless_care_leaver",
                                  "The child must be under {limit} ({care_leaver_limit} for care leavers).")
NEEDS_AGREEMENT = Rule("referral.active_offer_needs_agreement",
                       "An Active Offer referral needs the child to know and agree; "
                       "if the child opted out, record it with POST /api/v1/opt-outs instead.")
NO_WAY_TO_CONTACT = Rule("referral.no_way_to_contact", "Give at least one way to contact the child or their carer: "
                                                       "phone, email, address or carer_phone.")
STATUTORY_MEETING_PAST = Rule("referral.statutory_meeting_past", "The statutory meeting is in the past.")
UNKNOWN_COUNCIL = Rule("referral.unknown_council", "Unknown: {council}")
OFFERED_IN_THE_FUTURE = Rule("referral.offered_in_the_future", "The offer cannot have been made in the future.")
UNKNOWN_REASON = Rule("referral.unknown_reason", f"Give the reason as one of {', '.join(NOT_WANTED_REASONS)}.")
REASON_AND_CODE = Rule("referral.reason_and_code", "Give the reason as reason_code, and any words of it in "
                                                   "reason_note, not in reason.")
NOTE_TOO_LONG = Rule("referral.note_too_long", "The note must be {most} characters or fewer.")
REASON_NOTE_MOST = 1000


def age_on(date_of_birth: date, day: date) -> int:
    """Whole years of age on `day` (someone born on 29 February turns a year older on 1 March)."""
    return day.year - date_of_birth.year - ((day.month, day.day) < (date_of_birth.month, date_of_birth.day))


def check_referral(request: dict[str, Any], today: date) -> None:
    """Raise ReferralRejected naming every rule the referral breaks."""
    errors: dict[str, list[str]] = {}
    kind, basis = request["kind"], request["basis"]
    if kind == "active_offer" and basis not in ACTIVE_OFFER_BASES:
        errors["basis"] = [NOT_AN_ACTIVE_OFFER_BASIS()]
    if kind == "issue_based" and basis not in ELIGIBILITY:
        errors["basis"] = [NOT_ELIGIBLE()]

    born = date.fromisoformat(request["child"]["date_of_birth"])
    limit = CARE_LEAVER_AGE_LIMIT if basis == "care_leaver" else CHILD_AGE_LIMIT
    if born > today:
        errors["child.date_of_birth"] = [BORN_IN_THE_FUTURE()]
    elif age_on(born, today) >= limit:
        errors["child.date_of_birth"] = [
            TOO_OLD_UNLESS_CARE_LEAVER(limit=limit, care_leaver_limit=CARE_LEAVER_AGE_LIMIT)
            if limit == CHILD_AGE_LIMIT else TOO_OLD(limit=limit)]

    consent = request["consent"]
    if kind == "active_offer":
        for flag in ("child_informed", "child_agrees"):
            if not consent[flag]:
                errors[f"consent.{flag}"] = [NEEDS_AGREEMENT()]

    contact = request["child"].get("contact") or {}
    if not any(str(contact.get(way) or "").strip() for way in CONTACT_WAYS):
        errors["child.contact"] = [NO_WAY_TO_CONTACT()]

    meeting = request.get("statutory_meeting_at")
    if meeting and datetime.fromisoformat(meeting).date() < today:
        errors["statutory_meeting_at"] = [STATUTORY_MEETING_PAST()]
    if errors:
        raise ReferralRejected(errors)


CHILD = "child"
"""Who a self-referral's timeline says it was received from: the child, not the council it is for."""


def new_referral(referral_id: str, request: dict[str, Any], council: Any, received_at: str) -> Referral:
    """The referral a council (or a child, referring themselves) makes: status `received`, received from the
    council, or from the child themselves."""
    role = request["referrer"]["role"]
    return model.referral(
        id=referral_id, council=council.code, region=council.region, nation=council.nation, kind=request["kind"],
        basis=request["basis"], source=role, external_ref=request.get("external_ref"), child=request["child"],
        referrer=request["referrer"], statutory_meeting_at=request.get("statutory_meeting_at"),
        consent=request["consent"], risks=request.get("risks", ""), summary=request.get("summary", ""),
        received_at=received_at, received_from=CHILD if role == SELF_REFERRAL else council.code,
        placed_out_of_county=request.get("placed_out_of_county"),
        unaccompanied_asylum_seeking=request.get("unaccompanied_asylum_seeking"))


def acknowledge(referral: dict[str, Any], at: str) -> dict[str, Any] | None:
    """The referral acknowledged at `at`; None if it was acknowledged before (nothing to do)."""
    if referral.get("acknowledged_at"):
        return None
    return {**referral, "acknowledged_at": at, "updated_at": at,
            "timeline": [*referral["timeline"], {"at": at, "what": "acknowledged", "by": "provider"}]}


def council_may_see(referral: dict[str, Any]) -> bool:
    """Whether the referral's council may know the referral exists at all: the one rule behind the council's lists
    and reads (a referral it may not see is as absent as another council's), which notify checks again before any
    webhook or email leaves.

    A referral the council made (its social worker through the API or `/refer`, or anyone it passes on) is one it
    knows of already; the child's consent then decides only what it is told of the arrangements and the outcome
    (`council_view`). A self-referral reached the service without the council, so the council hears of it only if
    the child agreed to share with it: the self-referral form asks "Can we tell your social worker?" and records
    the answer in the `share_*_with_referrer` flags, the ones API.md says govern what a council sees. A take-up's
    follow-on referral tells the Active Offer's outcome by existing, so it needs `share_outcome_with_referrer`.
    """
    consent, source = referral["consent"], referral.get("source")
    if source == TAKE_UP:
        return bool(consent.get(OUTCOME))
    if source == SELF_REFERRAL:
        return bool(consent.get(ARRANGEMENTS) or consent.get(OUTCOME))
    return True


REFERENCE = re.compile(r"^[0-9a-f][0-9a-f-]{3,35}$")
"""What a search takes for the start of a referral's id: the reference the pages show (its first 8 characters)."""


def referrer_view(referral: dict[str, Any], referrer: str) -> dict[str, Any]:
    """A referral as a council's social worker sees it on the web forms: the council's view, its acknowledgement
    (a duty, always told), the advocate's name only with `share_arrangements_with_referrer` (who is coming is part
    of the arrangements), the referral it followed on from, and the child's name only on a referral this social
    worker made, as they gave it."""
    view = council_view(referral)
    view["acknowledged_at"] = referral.get("acknowledged_at")
    view["follow_on_of"] = referral.get("follow_on_of")
    if referral["consent"].get(ARRANGEMENTS) and referral.get("advocate_email"):
        view["advocate_email"] = referral["advocate_email"]
    made_by = ((referral.get("referrer") or {}).get("email") or "").strip().lower()
    if made_by and made_by == referrer.strip().lower():
        view["child"] = {k: referral["child"][k] for k in ("given_name", "family_name")}
    return view


def council_view(referral: dict[str, Any]) -> dict[str, Any]:
    """A referral as its council sees it (API.md): what the child's consent withholds is absent, not empty."""
    consent = referral["consent"]
    meeting = {"status": referral["meeting"]["status"]}
    if consent.get(ARRANGEMENTS):
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
    if consent.get(OUTCOME):
        for field in ("outcome", "follow_on_referral_id"):
            if referral.get(field) is not None:
                view[field] = referral[field]
        view.update(told_of_the_outcome(referral))
    return view


def told_of_the_outcome(referral: dict[str, Any]) -> dict[str, Any]:
    """What the referrer is told with the outcome, when the child agreed to share it: the advocate who met the
    child (`named_advocate`: their work email here, which the gateway shows as their name), the type of support
    they go on to (SUPPORT_TYPES) and whether the service's contact details were left with them. Empty before
    the outcome is known."""
    if referral.get("outcome") is None:
        return {}
    told = {"named_advocate": referral.get("outcome_advocate_email") or referral.get("advocate_email"),
            "support_type": support_type(referral["outcome"], referral.get("other_support_type")),
            "contact_details_given": referral.get("contact_details_given")}
    return {field: value for field, value in told.items() if value is not None}


def referrer_email(referral: dict[str, Any]) -> str | None:
    """Where the referrer's notices go: a professional's work address. A child who referred themselves gets no
    professional's notices, and their own address is a contact detail that stays out of events."""
    if referral.get("source") == SELF_REFERRAL:
        return None
    return (referral.get("referrer") or {}).get("email")


def received_event_data(referral: dict[str, Any]) -> dict[str, Any]:
    """What `referral.received` tells other services: ids, codes, dates and consent flags, no names or contacts."""
    return {
        "referral_id": referral["id"], "council": referral["council"], "region": referral["region"],
        "nation": referral["nation"], "kind": referral["kind"], "basis": referral["basis"],
        "external_ref": referral.get("external_ref"), "received_at": referral["received_at"],
        "statutory_meeting_at": referral.get("statutory_meeting_at"),
        "preferred_language": referral["child"]["preferred_language"], "consent": dict(referral["consent"]),
        "source": referral.get("source"), "referrer_email": referrer_email(referral),
        "referrer_language": (referral.get("referrer") or {}).get("preferred_language"),
        "earlier_referral_ids": list(referral.get("earlier_referral_ids", [])),
        **monitored(referral),
    }


def monitored(referral: dict[str, Any]) -> dict[str, Any]:
    """What the template's headline groups and language-and-access measures count of a referral, as recorded: flags
    and codes, None where nothing was said (a referral made before they were asked says nothing). Of the child's
    communication needs only whether any were given; the organisation only of the professional who referred (a
    self-referral's or a take-up's referrer is the child); the child's equality monitoring as they gave it."""
    child = referral["child"]
    needs = child.get("communication_needs")
    given = child["communication_needs_given"] if "communication_needs_given" in child else (
        None if needs is None else bool(str(needs).strip()))  # an erased referral keeps only whether any were
    organisation = (None if referral.get("source") in (SELF_REFERRAL, TAKE_UP)
                    else (referral.get("referrer") or {}).get("organisation_type"))
    return {
        "placed_out_of_county": referral.get("placed_out_of_county"),
        "unaccompanied_asylum_seeking": referral.get("unaccompanied_asylum_seeking"),
        "referrer_organisation_type": organisation,
        "interpreter_needed": child.get("interpreter_needed"),
        "communication_needs_given": given,
        **{question: (child.get("equality") or {}).get(question) for question in EQUALITY},
    }


def allocated_event_data(referral: dict[str, Any], advocate_email: str, at: str) -> dict[str, Any]:
    return {"referral_id": referral["id"], "council": referral["council"], "advocate_email": advocate_email,
            "allocated_at": at}


def contact_attempt_event_data(referral: dict[str, Any], attempt: dict[str, Any]) -> dict[str, Any]:
    """What `contact.attempted` says of one attempt: how and with what result, never its note."""
    return {"referral_id": referral["id"], "council": referral["council"], "method": attempt["method"],
            "result": attempt["result"], "attempted_at": attempt["at"]}


def opt_out_event_data(opt_out: dict[str, Any]) -> dict[str, Any]:
    """What `optout.recorded` says: the child's age when offered, never their date of birth, and the reason's code,
    never its words."""
    age = opt_out["age"] if opt_out.get("date_of_birth") is None else age_on(  # erased: the age alone is kept
        datetime.fromisoformat(opt_out["date_of_birth"]).date(), datetime.fromisoformat(opt_out["offered_at"]).date())
    return {"optout_id": opt_out["id"], "council": opt_out["council"], "region": opt_out["region"],
            "basis": opt_out["basis"], "age": age, "reason_code": opt_out_reason_code(opt_out),
            "offered_at": opt_out["offered_at"]}


def opt_out_reason_code(opt_out: dict[str, Any]) -> str | None:
    """An opt-out's reason as a code: as given, or `other` for one kept in words before the codes; None if none."""
    if opt_out.get("reason_code"):
        return opt_out["reason_code"]
    return OTHER_REASON if str(opt_out.get("reason") or "").strip() else None


def opt_out_reason(request: dict[str, Any]) -> dict[str, Any]:
    """The reason an opt-out keeps: the code and its note as given, or the old free-text `reason` alone as the code
    `other` with its words as the note (kept by the provider only)."""
    words = str(request.get("reason") or "").strip()
    if request.get("reason_code") is None and words:
        return {"reason_code": OTHER_REASON, "reason_note": words, "reason": words}
    return {"reason_code": request.get("reason_code"), "reason_note": str(request.get("reason_note") or "").strip(),
            "reason": None}


def acknowledged_event_data(referral: dict[str, Any]) -> dict[str, Any]:
    return {
        "referral_id": referral["id"], "council": referral["council"], "external_ref": referral.get("external_ref"),
        "status": referral["status"], "received_at": referral["received_at"],
        "acknowledged_at": referral["acknowledged_at"],
    }


# the journey after receipt

TRANSITION_FORBIDDEN = Rule("referral.transition_forbidden", "a referral that is {status_now} cannot be {action}")


class TransitionForbidden(StateForbids):
    """The referral's status does not allow this now (409)."""

    detail_format = "The referral is {status_now}, so it cannot be {action} now."

    def __init__(self, action: str, status: str):
        super().__init__(TRANSITION_FORBIDDEN(status_now=status, action=action))
        self.action, self.status_now = action, status


OPEN = ("received", "allocated", "contacting", "meeting_arranged")
ALLOWED_FROM = {
    "allocate": ("received", "allocated"),
    "record_contact_attempt": ("allocated", "contacting", "meeting_arranged"),
    "arrange_meeting": ("allocated", "contacting"),
    "close": OPEN,
}
"""The statuses each step of the journey may be taken from (arranging is scheduling's; listed so pages can offer it)."""


def _require(referral: dict[str, Any], action: str, done: str) -> None:
    if referral["status"] not in ALLOWED_FROM[action]:
        raise TransitionForbidden(done, referral["status"])


def next_actions(referral: dict[str, Any]) -> list[str]:
    """What can be done with the referral now, in the journey's order: the staff pages offer exactly these. An
    issue-based referral has no Active Offer meeting: its work goes on in its case."""
    actions = [action for action, allowed in ALLOWED_FROM.items() if referral["status"] in allowed]
    if referral["meeting"]["status"] == "arranged" and referral["status"] == "meeting_arranged":
        actions[-1:-1] = MEETING_ACTIONS
    if referral.get("kind") == "issue_based":
        actions = [action for action in actions if action not in ACTIVE_OFFER_STEPS]
    return actions


def _changed(referral: dict[str, Any], at: str, what: str, by: str, **changes: Any) -> dict[str, Any]:
    entry = {"at": at, "what": what, "by": by}
    detail = changes.pop("detail", None)
    if detail:
        entry["detail"] = detail
    return {**referral, **changes, "updated_at": at, "timeline": [*referral["timeline"], entry]}


def allocate(referral: dict[str, Any], advocate_email: str, at: str, by: str) -> dict[str, Any]:
    """Allocate (or re-allocate, before contact starts) the referral to an advocate."""
    _require(referral, "allocate", "allocated")
    return _changed(referral, at, "allocated", by, status="allocated", advocate_email=advocate_email,
                    allocated_at=referral.get("allocated_at") or at, detail={"advocate_email": advocate_email})


ATTEMPT_IN_THE_FUTURE = Rule("referral.attempt_in_the_future",
                             "The contact attempt cannot have been made in the future: give when it was made.")
ATTEMPT_BEFORE_RECEIPT = Rule("referral.attempt_before_receipt", "The contact attempt cannot have been made before "
                                                                   "the referral was received ({received_at}).")


def attempted_when(referral: dict[str, Any], attempted_at: str | None, now: str) -> str:
    """When a contact attempt was made, as the advocate says (a call made yesterday is logged as yesterday's, so
    the first-contact clock and response times count from it), or `now` when they do not say. Never in the future,
    never before the referral was received: ReferralRejected on `attempted_at` otherwise."""
    if attempted_at is None:
        return now
    moment = datetime.fromisoformat(attempted_at)
    if moment > datetime.fromisoformat(now):
        raise ReferralRejected({"attempted_at": [ATTEMPT_IN_THE_FUTURE()]})
    if moment < datetime.fromisoformat(referral["received_at"]):
        raise ReferralRejected({"attempted_at": [ATTEMPT_BEFORE_RECEIPT(received_at=referral["received_at"])]})
    return timestamp_of(moment)


def timestamp_of(moment: datetime) -> str:
    """A moment as the referral keeps its times: UTC, to the millisecond (shared.clock.timestamp)."""
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds")


def record_contact_attempt(referral: dict[str, Any], method: str, result: str, note: str, at: str,
                           by: str, attempted_at: str | None = None) -> dict[str, Any]:
    """Every attempt to reach the child is recorded: when it was made (`attempted_at`, else `at`, when it is
    recorded), how, with what result. The first contact is the earliest attempt, whatever order they are logged
    in; the timeline dates the attempt when it was made, in its place among the rest."""
    _require(referral, "record_contact_attempt", "contacted")
    made = attempted_when(referral, attempted_at, at)
    attempt = {"at": made, "method": method, "result": result, "note": note, "by": by}
    status = "contacting" if referral["status"] == "allocated" else referral["status"]
    first = referral.get("first_contact_at") or made
    if attempted_at is not None:  # said when: it may come before what is recorded already
        attempt["recorded_at"] = at
        first = min(first, made, key=datetime.fromisoformat)
    changed = _changed(referral, made, "contact attempted", by, status=status, first_contact_at=first,
                       contact_attempts=[*referral.get("contact_attempts", []), attempt],
                       detail={"method": method, "result": result})
    if attempted_at is None:
        return changed
    return {**changed, "updated_at": at, "timeline": in_order(changed["timeline"])}


def in_order(timeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The timeline in the order things happened (a step logged after the event keeps its place)."""
    return sorted(timeline, key=lambda entry: datetime.fromisoformat(entry["at"]))


def close(referral: dict[str, Any], reason: str, at: str, by: str) -> dict[str, Any]:
    _require(referral, "close", "closed")
    return _changed(referral, at, "closed", by, status="closed", closed_at=at, close_reason=reason,
                    detail={"reason": reason})


class NotAllocated(NotAllowed):
    """The caller is an advocate the referral is not allocated to (403)."""


def check_allocated(referral: dict[str, Any], by: str, role: str | None) -> None:
    """Managers act on every referral; an advocate only on the referrals allocated to them. Checked after the
    status rules, so a step the status forbids is a conflict (409) whoever asks."""
    if role == "manager" or (role == "advocate" and referral.get("advocate_email") == by):
        return
    raise NotAllocated(NOT_ALLOCATED_TO_YOU())


SCHEDULING = "scheduling"
"""Who a timeline names for a step of the meeting whose event does not say who took it (one sent before the events
said): the scheduling service, which the pages show as Llais itself."""


def done_by(data: dict[str, Any]) -> str:
    """Who took a step of the meeting, as scheduling's event says: the member of staff who arranged, moved,
    cancelled or recorded it; the service itself only where an older event does not say."""
    return data.get("by") or SCHEDULING


def meeting_arranged(referral: dict[str, Any], data: dict[str, Any], at: str) -> dict[str, Any] | None:
    if referral["status"] == "closed":
        return None
    meeting = {"id": data["meeting_id"], "status": "arranged", "starts_at": data["starts_at"], "venue": data["venue"]}
    return _changed(referral, at, "meeting arranged", done_by(data), status="meeting_arranged", meeting=meeting,
                    detail={"meeting_id": data["meeting_id"], "starts_at": data["starts_at"]})


def meeting_rescheduled(referral: dict[str, Any], data: dict[str, Any], at: str) -> dict[str, Any] | None:
    if referral["meeting"].get("id") != data["meeting_id"] or referral["status"] == "closed":
        return None
    meeting = {**referral["meeting"], "starts_at": data["starts_at"], "venue": data["venue"]}
    return _changed(referral, at, "meeting rescheduled", done_by(data), meeting=meeting,
                    detail={"starts_at": data["starts_at"]})


def meeting_cancelled(referral: dict[str, Any], data: dict[str, Any], at: str) -> dict[str, Any] | None:
    if referral["meeting"].get("id") != data["meeting_id"] or referral["status"] == "closed":
        return None
    return _changed(referral, at, "meeting cancelled", done_by(data), status="contacting",
                    meeting={"status": "none"}, detail={"reason": data["reason"]})


def meeting_held(referral: dict[str, Any], data: dict[str, Any], at: str) -> dict[str, Any] | None:
    if referral["meeting"].get("id") != data["meeting_id"]:
        return None
    return _changed(referral, at, "meeting took place", done_by(data), meeting_took_place=True,
                    meeting={**referral["meeting"], "status": "held"})


def meeting_not_held(referral: dict[str, Any], data: dict[str, Any], at: str) -> dict[str, Any] | None:
    if referral["meeting"].get("id") != data["meeting_id"]:
        return None
    return _changed(referral, at, "meeting not held", done_by(data), meeting_took_place=False, status="contacting",
                    meeting={**referral["meeting"], "status": "not_held"},
                    detail={"reason_not_held_code": not_held_reason_code(data)})


def consent_after_meeting(outcome: dict[str, Any]) -> dict[str, bool]:
    """Which of the child's consents applies once the Active Offer's outcome is known (`active_offer.completed`'s
    data): the consent as the child gave it at the meeting, which scheduling merged into what they agreed on
    referral. The Active Offer closes, and an issue-based referral from its take-up starts, with it."""
    return dict(outcome["consent"])


def complete(referral: dict[str, Any], data: dict[str, Any], at: str) -> dict[str, Any] | None:
    """The Active Offer's outcome closes the referral, with the consents as the child gave them at the meeting."""
    if referral["status"] == "closed":
        return None
    return _changed(referral, at, "active offer completed", done_by(data), status="closed", closed_at=at,
                    close_reason="completed", outcome=data["outcome"], decline_reason=data.get("decline_reason"),
                    decline_reason_code=decline_reason_code(data), other_support_type=data.get("other_support_type"),
                    contact_details_given=data.get("contact_details_given"),
                    outcome_advocate_email=data.get("advocate_email"),
                    follow_on_referral_id=data.get("follow_on_referral_id"), consent=consent_after_meeting(data),
                    detail={"outcome": data["outcome"]})


def follow_on_referral(active_offer: Referral, referral_id: str, consent: dict[str, bool], at: str, *,
                       advocate_email: str | None = None, wants_help_with: str | None = None) -> Referral:
    """On take-up: a new issue-based referral, treated as a self-referral with source `active_offer`, under the
    consent the child gave at the meeting. It carries what the child said they want help with (else what the
    referrer said of it), and starts allocated to the advocate who met the child (else the Active Offer's), who
    carries on with them; a manager may allocate it to another."""
    basis = active_offer["basis"] if active_offer["basis"] in ELIGIBILITY else "looked_after"
    summary = (wants_help_with or "").strip() or active_offer.get("summary", "")
    follow_on = model.referral(
        id=referral_id, council=active_offer["council"], region=active_offer["region"],
        nation=active_offer["nation"], kind="issue_based", basis=basis, source=TAKE_UP,
        external_ref=active_offer["external_ref"], child=active_offer["child"], referrer=active_offer["referrer"],
        consent=dict(consent), risks=active_offer["risks"], summary=summary,
        received_at=at, received_from="active offer", follow_on_of=active_offer["id"],
        earlier_referral_ids=[*active_offer.get("earlier_referral_ids", []), active_offer["id"]],
        detail={"from": active_offer["id"]}, placed_out_of_county=active_offer.get("placed_out_of_county"),
        unaccompanied_asylum_seeking=active_offer.get("unaccompanied_asylum_seeking"))
    advocate = advocate_email or active_offer.get("advocate_email")
    return allocate(follow_on, advocate, at, "active offer") if advocate else follow_on


def case_closed(referral: dict[str, Any], data: dict[str, Any], at: str) -> dict[str, Any] | None:
    """The issue-based work ends with its case (`case.closed`'s data): the referral closes, `completed`, once, by
    the member of staff who closed the case (the casework service itself, on an event from before it said who)."""
    if referral["status"] == "closed":
        return None
    return _changed(referral, at, "closed", data.get("by") or "casework", status="closed", closed_at=at, close_reason="completed",
                    detail={"reason": "completed", "case_outcome": data["outcome"]})


def closed_event_data(referral: dict[str, Any]) -> dict[str, Any]:
    return {
        "referral_id": referral["id"], "council": referral["council"], "external_ref": referral.get("external_ref"),
        "reason": referral["close_reason"], "outcome": referral.get("outcome"),
        "follow_on_referral_id": referral.get("follow_on_referral_id"),
        "meeting_took_place": referral.get("meeting_took_place"), "consent": dict(referral["consent"]),
        "closed_at": referral["closed_at"],
    }


def staff_view(referral: dict[str, Any]) -> dict[str, Any]:
    """The whole referral with its timeline, for provider staff (advocates and managers)."""
    return {**council_view(referral), **{k: referral.get(k) for k in (
        "council", "region", "nation", "source", "child", "referrer", "risks", "summary", "consent",
        "advocate_email", "placed_out_of_county", "unaccompanied_asylum_seeking",
        "statutory_meeting_at", "contact_attempts", "close_reason", "decline_reason", "decline_reason_code",
        "outcome",
        "follow_on_referral_id", "follow_on_of", "earlier_referral_ids", "meeting", "meeting_took_place",
        "timeline")}, "next_actions": next_actions(referral)}


def same_child(earlier: dict[str, Any], request: dict[str, Any], council: str) -> bool:
    """A later referral of the same child: same council and external_ref, or same name and date of birth."""
    if request.get("external_ref") and earlier["council"] == council \
            and earlier.get("external_ref") == request["external_ref"]:
        return True
    return child_key(earlier["child"]) == child_key(request["child"])


def check_opt_out(request: dict[str, Any], today: date) -> None:
    errors: dict[str, list[str]] = {}
    if request["basis"] not in ACTIVE_OFFER_BASES:
        errors["basis"] = [NOT_AN_ACTIVE_OFFER_BASIS()]
    born = date.fromisoformat(request["date_of_birth"])
    if born > today:
        errors["date_of_birth"] = [BORN_IN_THE_FUTURE()]
    elif age_on(born, today) >= CHILD_AGE_LIMIT:
        errors["date_of_birth"] = [TOO_OLD(limit=CHILD_AGE_LIMIT)]
    if datetime.fromisoformat(request["offered_at"]).date() > today:
        errors["offered_at"] = [OFFERED_IN_THE_FUTURE()]
    errors.update(reason_problems(request))
    if errors:
        raise ReferralRejected(errors)


def opt_out_view(opt_out: dict[str, Any]) -> dict[str, Any]:
    """An opt-out as the council that recorded it reads it back: never the child's date of birth."""
    return {**{k: opt_out.get(k) for k in ("id", "basis", "offered_at", "reason", "reason_note", "external_ref",
                                           "recorded_at")}, "reason_code": opt_out_reason_code(opt_out)}


def reason_problems(request: dict[str, Any]) -> dict[str, list[str]]:
    """What is wrong with an opt-out's reason: a code not on the list, a note too long, or words in the old `reason`
    beside a code (they belong in the note)."""
    errors: dict[str, list[str]] = {}
    code, note = request.get("reason_code"), request.get("reason_note")
    if code is not None and code not in NOT_WANTED_REASONS:
        errors["reason_code"] = [UNKNOWN_REASON()]
    if request.get("reason") is not None and not isinstance(request["reason"], str):
        errors["reason"] = [REASON_AND_CODE()]
    elif code is not None and request.get("reason") is not None:
        errors["reason"] = [REASON_AND_CODE()]
    if note is not None and (not isinstance(note, str) or len(note) > REASON_NOTE_MOST):
        errors["reason_note"] = [NOTE_TOO_LONG(most=REASON_NOTE_MOST)]
    elif note and code is None and request.get("reason") is None:
        errors["reason_code"] = [UNKNOWN_REASON()]
    return errors


# capacity: what is waiting and whose work is open

OPEN_WORK = ("received", "allocated", "contacting", "meeting_arranged")
"""The statuses of a referral not yet closed: waiting to be allocated, or in an advocate's caseload."""


def capacity(open_referrals: list[dict[str, Any]]) -> dict[str, Any]:
    """For a manager allocating: how many referrals wait to be allocated and when the oldest of them was received,
    and each advocate's open referrals, by their address."""
    waiting = [r["received_at"] for r in open_referrals if r["status"] == "received"]
    caseloads: dict[str, int] = {}
    for referral in open_referrals:
        if referral["status"] != "received" and referral.get("advocate_email"):
            caseloads[referral["advocate_email"]] = caseloads.get(referral["advocate_email"], 0) + 1
    return {"waiting": len(waiting), "oldest_received_at": min(waiting, key=datetime.fromisoformat, default=None),
            "open_referrals": dict(sorted(caseloads.items()))}
