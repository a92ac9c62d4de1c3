"""The National Reporting Template (DOMAIN.md, "Quarterly monitoring"; API.md, "Reports"). Pure.

The reporting service keeps the facts it counts, codes and dates only (never a name, a contact or a free text),
each under the financial-year quarter it happened in, and a *journey* per referral: when it was received, allocated,
first contacted and met, beside the time frames scheduling set for it. A figure is counted from these, so any
period can be counted again, and a rebuild makes the journeys again from the facts alone.

A referral counts in the quarter it was received; a meeting, an outcome, an opt-out or a closure in the quarter it
happened (API.md). Quarters are of the financial year, which starts in April: April to June is quarter 1 of the year
that starts then, January to March quarter 4 of the year before. Days are London's.
"""

from __future__ import annotations

import hashlib
import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping

from shared.clock import LONDON
from shared.contracts import casework, complaints
from shared.contracts import messages as message_contracts
from shared.contracts.referral import (ACTIVE_OFFER_BASES, CLOSE_REASONS_BY_HAND, EQUALITY, NOT_OFFERED_AGAIN,
                                      NOT_WANTED_REASONS, OTHER_REASON, OUTCOMES, RENEWED_OFFER_RESULTS, SELF_REFERRAL,
                                      TAKE_UP, THIRD_SECTOR, TRANSITION_KINDS)
from shared.contracts.scheduling import (DEADLINES, LEFT_WITH_CHILD, MEETING_TOPICS, NOT_HELD_REASONS,
                                         VENUE_TYPES)
from shared.errors import Refused, Rule

ACTIVE_OFFER = "active_offer"
ISSUE_BASED = "issue_based"
CARE_LEAVER = "care_leaver"
"""The eligibility of a young person who has left care: a headline group of the template."""
FIRST_YEAR, LAST_YEAR = 2000, 2100
"""The financial years a report may be asked for."""

# the periods


@dataclass(frozen=True)
class Period:
    """A financial year (`quarter` None) or one of its quarters: the quarters it spans and its first and last day."""

    year: int
    quarter: int | None = None

    @property
    def quarters(self) -> tuple[str, ...]:
        return (quarter_key(self.year, self.quarter),) if self.quarter else tuple(
            quarter_key(self.year, q) for q in (1, 2, 3, 4))

    @property
    def first_day(self) -> date:
        month = 4 + 3 * ((self.quarter or 1) - 1)
        return date(self.year + (month > 12), (month - 1) % 12 + 1, 1)

    @property
    def last_day(self) -> date:
        following = Period(self.year + 1, 1) if self.quarter in (None, 4) else Period(self.year, self.quarter + 1)
        return following.first_day - timedelta(days=1)

    def before(self) -> "Period":
        """The period before, to compare with: the quarter before, or the year before."""
        if self.quarter is None:
            return Period(self.year - 1)
        return Period(self.year - 1, 4) if self.quarter == 1 else Period(self.year, self.quarter - 1)

    def described(self) -> dict:
        return {"year": self.year, "quarter": self.quarter, "from": self.first_day.isoformat(),
                "to": self.last_day.isoformat()}


def quarter_key(year: int, quarter: int) -> str:
    """How a quarter is kept: `2026Q1` is April to June 2026."""
    return f"{year}Q{quarter}"


def quarter_of(moment: str) -> str:
    """The financial-year quarter an RFC 3339 moment falls in, by its date in London."""
    day = datetime.fromisoformat(moment).astimezone(LONDON).date()
    year = day.year if day.month >= 4 else day.year - 1
    return quarter_key(year, (day.month - 4) % 12 // 3 + 1)


PERIOD_YEAR = Rule("report.year", f"a financial year from {FIRST_YEAR} to {LAST_YEAR}, as four digits")
PERIOD_QUARTER = Rule("report.quarter", "a quarter from 1 (April to June) to 4 (January to March)")


class PeriodRefused(Refused):
    """The period asked for is not one a report covers (422)."""

    detail_format = "Ask for a financial year and, for a quarter, its number; see errors."


def period(year: Any, quarter: Any = None, *, annual: bool = False) -> Period:
    """The period a request names: `year` (and `quarter`, unless `annual`) as query-string text or numbers."""
    errors = {}
    parsed_year = _whole(year)
    if parsed_year is None or not FIRST_YEAR <= parsed_year <= LAST_YEAR:
        errors["year"] = [PERIOD_YEAR()]
    parsed_quarter = None if annual else _whole(quarter)
    if not annual and (parsed_quarter is None or not 1 <= parsed_quarter <= 4):
        errors["quarter"] = [PERIOD_QUARTER()]
    if errors:
        raise PeriodRefused(errors)
    return Period(parsed_year, parsed_quarter)  # type: ignore[arg-type]


def _whole(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 4:
        return int(value)
    return None


# the facts kept

KEPT = {
    "referral.received": ("kind", "basis", "source", "preferred_language", "statutory_meeting_at",
                          "placed_out_of_county", "unaccompanied_asylum_seeking", "referrer_organisation_type",
                          "interpreter_needed", "communication_needs_given", *EQUALITY),
    "referral.allocated": (),
    "referral.acknowledged": (),
    "contact.attempted": ("method", "result"),
    "deadlines.scheduled": (),
    "deadline.missed": ("deadline",),
    "optout.recorded": ("basis", "reason", "reason_code", "age"),
    "transition.recorded": ("kind", "offered_again", "not_offered_because"),
    "renewed_offer.done": ("result",),
    "meeting.arranged": ("language", "venue_type"),
    "meeting.took_place": ("before_deadline", "interpreter_used", "topics_covered", "left_with_child"),
    "meeting.not_held": ("reason_not_held", "reason_not_held_code"),
    "active_offer.completed": ("outcome", "decline_reason", "decline_reason_code"),
    "referral.closed": ("reason", "outcome", "meeting_took_place"),
    "case.opened": ("source", "basis", "language"),
    "case.issue_raised": ("theme",),
    "case.issue_concluded": ("theme", "outcome"),
    "case.activity_recorded": ("kind", "contribution"),
    "case.signposted": ("to",),
    "case.advocate_change_requested": (),
    "case.advocate_change_decided": ("result",),
    "case.disclosure_recorded": ("reason", "child_told"),
    "case.closed": ("outcome", "satisfaction"),
    "complaint.received": ("kind", "made_by", "language"),
    "complaint.deadlines_scheduled": ("respond_by",),
    "complaint.second_stage_scheduled": ("respond_by",),
    "complaint.responded": ("kind", "stage", "outcome"),
    "complaint.escalated": ("kind",),
    "complaint.closed": ("kind", "outcome"),
    "complaint.deadline_missed": ("deadline",),
    "message.received": ("channel", "from_whom", "language"),
    "message.response_scheduled": ("out_of_hours", "respond_by"),
    "message.answered": (),
}
"""What each fact counted keeps, beside its type, council, referral and moment: codes, flags and dates only. A field
an event's version does not have is kept as None: not recorded, which no figure counts."""
MOMENTS = {
    "referral.received": "received_at", "referral.allocated": "allocated_at", "contact.attempted": "attempted_at",
    "optout.recorded": "offered_at", "transition.recorded": "recorded_at", "renewed_offer.done": "done_at",
    "meeting.took_place": "held_at", "active_offer.completed": "completed_at",
    "referral.closed": "closed_at", "case.opened": "opened_at", "deadline.missed": "due_at",
    "case.closed": "closed_at", "complaint.received": "received_at", "complaint.responded": "responded_at",
    "complaint.escalated": "escalated_at", "complaint.closed": "closed_at", "complaint.deadline_missed": "due_at",
    "referral.acknowledged": "acknowledged_at", "message.received": "received_at",
    "message.response_scheduled": "received_at", "message.answered": "answered_at",
}
"""The field that says when each fact happened; a fact without one happened when its event occurred."""
FREE_TEXT = ("reason", "decline_reason", "reason_not_held")
"""Reasons people write in their own words, which may name a child: kept only as whether one was given. (A reason's
breakdown needs it chosen from a list where it is recorded.)"""
GIVEN, NOT_GIVEN = "given", "not_given"
NOT_RECORDED = "not_recorded"
"""An equality question the referral does not answer: not asked (or asked before it was recorded). A child who chose
not to answer is counted as `declined`, apart from these."""


JOURNEY_ONLY = ("referral.allocated", "referral.acknowledged", "contact.attempted", "deadlines.scheduled",
                "meeting.arranged", "complaint.deadlines_scheduled", "complaint.second_stage_scheduled")
"""Facts kept for the journeys (and complaints' time limits) they move on, which no figure counts by itself."""
COUNTED = tuple(t for t in KEPT if t not in JOURNEY_ONLY)
"""The facts the template counts: all a report reads besides the journeys."""
COMPLAINT_FACTS = tuple(t for t in KEPT if t.startswith("complaint."))
"""Facts of a complaint; all but its receipt name no council, which is the one the complaint was received for."""
MESSAGE_FACTS = tuple(t for t in KEPT if t.startswith("message."))
"""Facts of a message: the clock's names no council, nor when the message came, which its receipt says."""


def fact(event_type: str, data: Mapping[str, Any], occurred_at: str, *, council: str | None = None) -> dict:
    """What is kept of an event: its codes and dates, under the quarter it happened in. `council` is a complaint's,
    for its facts after receipt."""
    at = data.get(MOMENTS.get(event_type, ""), None) or occurred_at
    kept = {name: data.get(name) for name in KEPT[event_type]}
    for name in FREE_TEXT:
        if name in kept and event_type != "referral.closed":  # a closure's reason is a code
            kept[name] = GIVEN if isinstance(kept[name], str) and kept[name].strip() else NOT_GIVEN
    if event_type == "deadlines.scheduled":
        kept["deadlines"] = {name: due for name, due in data["deadlines"].items() if isinstance(due, str)}
    ids = ({"complaint_id": data["complaint_id"]} if event_type in COMPLAINT_FACTS
           else {"message_id": data["message_id"]} if event_type in MESSAGE_FACTS
           else {"optout_id": data["optout_id"]} if event_type == "optout.recorded"
           else {"transition_id": data["transition_id"]} if event_type in OFFERS_AGAIN_FACTS else {})
    return {"type": event_type, "council": data.get("council", council), "referral_id": data.get("referral_id"),
            **ids, "at": at, "quarter": quarter_of(at), **kept, **whose(event_type, data)}


# a referral's journey

def journey_after(journey: Mapping[str, Any], kept: Mapping[str, Any]) -> dict | None:
    """The referral's journey with a fact in it; None when the fact changes nothing (it is in already). Facts may
    come in any order and more than once: each sets what it says, the first contact is the earliest."""
    changed = dict(journey) or {"referral_id": kept["referral_id"], "council": kept["council"]}
    kind, at = kept["type"], kept["at"]
    if kind == "referral.received":
        changed.update(quarter=kept["quarter"], received_at=at, kind=kept["kind"], basis=kept["basis"],
                       source=kept["source"])
    elif kind == "referral.allocated":
        changed.setdefault("allocated_at", at)
        changed["allocations"] = _moves(changed.get("allocations", []), at, kept.get("advocate"))
    elif kind == "referral.closed":
        changed["closed_at"] = at
    elif kind == "referral.acknowledged":
        changed.setdefault("acknowledged_at", at)
    elif kind == "contact.attempted":
        changed["first_contact_at"] = min(filter(None, (changed.get("first_contact_at"), at)))
    elif kind == "meeting.arranged":
        changed.update(meeting_language=kept["language"], meeting_venue_type=kept.get("venue_type"))
    elif kind == "meeting.took_place":
        changed["held_at"] = at
    elif kind == "deadlines.scheduled":
        changed["due"] = {**changed.get("due", {}), **kept["deadlines"]}
    else:
        return None
    return None if changed == journey else changed


# a complaint's time limits

def complaint_after(complaint: Mapping[str, Any], kept: Mapping[str, Any]) -> dict | None:
    """The complaint as reporting follows it: its council once received, and the answer due at each stage."""
    changed = dict(complaint) or {"complaint_id": kept["complaint_id"]}
    if kept["type"] == "complaint.received":
        changed["council"] = kept["council"]
    elif kept["type"] == "complaint.deadlines_scheduled":
        changed.setdefault("respond_by", {})["1"] = kept["respond_by"]
    elif kept["type"] == "complaint.second_stage_scheduled":
        changed.setdefault("respond_by", {})["2"] = kept["respond_by"]
    else:
        return None
    return None if changed == complaint else changed


def within_time_limit(complaint: Mapping[str, Any], answered: Mapping[str, Any]) -> bool | None:
    """Whether an answer came by its stage's time limit; None while that limit is not known."""
    due = complaint.get("respond_by", {}).get(str(answered["stage"]))
    return None if due is None else datetime.fromisoformat(answered["at"]) <= datetime.fromisoformat(due)


# counting

def _counts(values: Iterable[Any], every: Iterable[str] = ()) -> dict[str, int]:
    """How many of each value, every code named (with 0) and any other value that occurs after them."""
    counted = Counter(v for v in values if v is not None)
    return {**{code: counted.get(code, 0) for code in every}, **dict(sorted(counted.items()))}


def _days(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() / 86400


RESPONSES = {"allocation": ("allocated_at", "allocate_by"), "first_contact_attempt": ("first_contact_at",
                                                                                       "first_contact_by"),
             "meeting_held": ("held_at", "meeting_by")}
"""Each response time: when the step was reached, and the time frame scheduling set for it."""


def _offered(journeys: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [j for j in journeys if j.get("kind") == ACTIVE_OFFER and j.get("received_at")]


def _median_days(journeys: list[Mapping[str, Any]], reached: str) -> float | None:
    got = [j for j in journeys if j.get(reached)]
    return round(statistics.median(_days(j["received_at"], j[reached]) for j in got), 1) if got else None


def response_times(journeys: Iterable[Mapping[str, Any]]) -> dict:
    """From receipt to each step, for the Active Offer referrals received in the period: how many reached it, the
    median in days, and the share reached within the contract's time frame (of those that had one)."""
    offered = _offered(journeys)
    return {name: _step_figures(offered, reached, frame) for name, (reached, frame) in RESPONSES.items()}


KINDS_TIMED = {"active_offer": lambda j: j.get("kind") == ACTIVE_OFFER,
               "issue_based": lambda j: j.get("kind") == ISSUE_BASED and j.get("source") not in (SELF_REFERRAL,
                                                                                                 TAKE_UP),
               "self_referral": lambda j: j.get("source") == SELF_REFERRAL}
"""The referrals timed apart: Active Offers, issue-based referrals made by professionals (a take-up's follow-on is
the Active Offer's own work), and children's own requests."""
STEPS_TIMED = {"acknowledgement": ("acknowledged_at", "acknowledge_by"), **RESPONSES}


def response_times_by_kind(journeys: Iterable[Mapping[str, Any]]) -> dict:
    """From receipt to each step, for each kind of referral received in the period, timed against its region's
    time frames: how many reached it, the median in days, the share within its time frame. Issue-based referrals
    have no Active Offer meeting."""
    received = [j for j in journeys if j.get("received_at")]
    figures = {}
    for kind, belongs in KINDS_TIMED.items():
        of_kind = [j for j in received if belongs(j)]
        steps = STEPS_TIMED if kind == "active_offer" else {k: v for k, v in STEPS_TIMED.items() if k != "meeting_held"}
        figures[kind] = {"received": len(of_kind), **{step: _step_figures(of_kind, reached, frame)
                                                      for step, (reached, frame) in steps.items()}}
    return figures


def _step_figures(journeys: list[Mapping[str, Any]], reached: str, frame: str) -> dict:
    got = [j for j in journeys if j.get(reached)]
    timed = [j for j in got if j.get("due", {}).get(frame)]
    within = sum(datetime.fromisoformat(j[reached]) <= datetime.fromisoformat(j["due"][frame]) for j in timed)
    return {"reached": len(got), "median_days": _median_days(got, reached),
            "within_time_frame": round(within / len(timed), 3) if timed else None}


def message_figures(grouped: Mapping[str, list[Mapping[str, Any]]]) -> dict:
    """Messages (the answer-phone's and every other contact that is not yet a referral): how many came by each
    channel, how many out of the service's published hours, and of those answered in the period, the share answered
    within the published time."""
    received, answered = grouped["message.received"], grouped["message.answered"]
    timed = [f for f in answered if f.get("in_time") is not None]
    return {
        "messages_received": len(received),
        "by_channel": _counts((f["channel"] for f in received), message_contracts.CHANNELS),
        "by_whom": _counts((f["from_whom"] for f in received), message_contracts.FROM),
        "in_welsh": sum(1 for f in received if f["language"] == "cy"),
        "out_of_hours": sum(1 for f in grouped["message.response_scheduled"] if f["out_of_hours"]),
        "answered": len(answered),
        "answered_in_time": sum(1 for f in timed if f["in_time"]),
        "answered_in_time_share": round(sum(1 for f in timed if f["in_time"]) / len(timed), 3) if timed else None,
    }


def message_after(message: Mapping[str, Any], kept: Mapping[str, Any]) -> dict | None:
    """The message as reporting follows it: its council and when it came, once received; when its answer is due."""
    changed = dict(message) or {"message_id": kept["message_id"]}
    if kept["type"] == "message.received":
        changed.update(council=kept["council"], received_at=kept["at"])
    elif kept["type"] == "message.response_scheduled":
        changed["respond_by"] = kept["respond_by"]
    else:
        return None
    return None if changed == message else changed


def parts_of(period: Period) -> list[tuple[str, date]]:
    """The parts a period's response times are followed over, each named and with its first day: a quarter's weeks
    (`week_1` starts on its first day, the last may be short), a year's months (`month_1` is April)."""
    if period.quarter is None:
        return [(f"month_{n}", date(period.year + (n > 9), (n + 2) % 12 + 1, 1)) for n in range(1, 13)]
    weeks = (period.last_day - period.first_day).days // 7 + 1
    return [(f"week_{n}", period.first_day + timedelta(weeks=n - 1)) for n in range(1, weeks + 1)]


def response_times_over(journeys: Iterable[Mapping[str, Any]], period: Period) -> dict:
    """The response times over the period's weeks (a year's months): for the Active Offer referrals received in each
    part, how many, and the median days from receipt to each step (of those that reached it)."""
    parts = parts_of(period)
    received: dict[str, list[Mapping[str, Any]]] = {name: [] for name, _ in parts}
    for journey in _offered(journeys):
        day = datetime.fromisoformat(journey["received_at"]).astimezone(LONDON).date()
        part = next((name for name, first in reversed(parts) if first <= day), None)
        if part is not None and day <= period.last_day:
            received[part].append(journey)
    return {name: {"received": len(part), **{step: _median_days(part, reached)
                                            for step, (reached, _) in RESPONSES.items()}}
            for name, part in received.items()}


def by_type(facts: Iterable[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
    """The facts grouped by their type, in one pass: each section reads its kinds from here."""
    grouped: dict[str, list[Mapping[str, Any]]] = {kind: [] for kind in KEPT}
    for kept in facts:
        grouped.setdefault(kept["type"], []).append(kept)
    return grouped


def template(facts: Iterable[Mapping[str, Any]], journeys: Iterable[Mapping[str, Any]], period: Period) -> dict:
    """The template's sections from the facts that happened in the period and the journeys of the referrals
    received in it."""
    grouped, journeys = by_type(facts), list(journeys)
    of = grouped.__getitem__
    received = of("referral.received")
    children_referred = children(received)
    offers_received = [f for f in received if f["kind"] == ACTIVE_OFFER]
    opt_outs = of("optout.recorded")
    held = of("meeting.took_place")
    completed = of("active_offer.completed")
    closed_by_hand = [f for f in of("referral.closed") if f["reason"] in CLOSE_REASONS_BY_HAND]
    return {
        "active_offer": {
            "offers": len(offers_received) + len(opt_outs),
            "opt_outs": len(opt_outs),
            "opt_out_reasons": opt_out_reasons(opt_outs),
            "referrals_received": len(offers_received),
            "by_basis": _counts((f["basis"] for f in offers_received), ACTIVE_OFFER_BASES),
            "first_contact_made": sum(1 for j in journeys if j.get("kind") == ACTIVE_OFFER
                                      and j.get("first_contact_at")),
            "meetings_held": len(held),
            "meetings_held_before_deadline": sum(1 for f in held if f["before_deadline"]),
            "meetings_not_held": len(of("meeting.not_held")),
            "outcomes": _counts((f["outcome"] for f in completed), OUTCOMES),
            **meeting_record_figures(grouped),
            "closed_without_meeting": _counts((f["reason"] for f in closed_by_hand if not f["meeting_took_place"]),
                                              CLOSE_REASONS_BY_HAND),
            "issue_based_from_take_up": sum(1 for f in received if f["source"] == TAKE_UP),
            "cases_opened": len(of("case.opened")),
        },
        "referrals": {
            "received": len(received),
            "children": len(children_referred),
            "by_kind": _counts((f["kind"] for f in received), (ACTIVE_OFFER, ISSUE_BASED)),
            "by_source": _counts(f["source"] for f in received),
            "by_basis": _counts(f["basis"] for f in received),
        },
        "offers_again": offers_again_figures(grouped),
        "response_times": response_times(journeys),
        "response_times_over_the_period": response_times_over(journeys, period),
        "response_times_by_kind": response_times_by_kind(journeys),
        "messages": message_figures(grouped),
        "deadlines_missed": _counts((f["deadline"] for f in of("deadline.missed")), DEADLINES),
        "casework": casework_figures(grouped),
        "complaints": complaint_figures(grouped),
        "language": {
            "welsh_asked_for": sum(1 for f in children_referred if f["preferred_language"] == "cy"),
            "meetings_held": len(held),
            "meetings_held_in_welsh": sum(1 for f in held if f.get("language") == "cy"),
            "interpreters_needed": _recorded(children_referred, "interpreter_needed"),
            "interpreters_used": _recorded(held, "interpreter_used"),
            "communication_needs_given": _recorded(children_referred, "communication_needs_given"),
            "meetings_held_by_venue": _counts((f.get("venue_type") for f in held), VENUE_TYPES),
            "meetings_held_at_accessible_risk_assessed_venues": len(held),  # scheduling arranges no meeting elsewhere
        },
        "headline_groups": headline_groups(children_referred),
        "equality": equality(children_referred),
    }


OFFERS_AGAIN_FACTS = ("transition.recorded", "renewed_offer.done")


def opt_out_reasons(opt_outs: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Opt-outs by their reason's code, every code named; one told in words before the codes (version 1, or kept
    then as only whether a reason was given) counts as `other`, one without a reason as `not_recorded`."""
    def code(kept: Mapping[str, Any]) -> str:
        return kept.get("reason_code") or (OTHER_REASON if kept.get("reason") == GIVEN else NOT_RECORDED)
    return _counts((code(f) for f in opt_outs), (*NOT_WANTED_REASONS, NOT_RECORDED))


def offers_again_figures(grouped: Mapping[str, list[Mapping[str, Any]]]) -> dict:
    """Offered again at the key points of a child's care: the transitions councils told of in the period, by kind;
    the renewed offers they brought, and why the others brought none; the renewed offers done, by result."""
    told, done = grouped["transition.recorded"], grouped["renewed_offer.done"]
    return {
        "transitions_told": len(told),
        "transitions_by_kind": _counts((f["kind"] for f in told), TRANSITION_KINDS),
        "renewed_offers_made": sum(1 for f in told if f["offered_again"]),
        "not_offered_again": _counts((f["not_offered_because"] for f in told if not f["offered_again"]),
                                     NOT_OFFERED_AGAIN),
        "renewed_offers_done": len(done),
        "renewed_offer_results": _counts((f["result"] for f in done), RENEWED_OFFER_RESULTS),
    }


def _coded_reason(kept: Mapping[str, Any], code: str, words: str) -> str:
    """A fact's coded reason: its code; one kept before the codes counts as `other` when words were given, else
    as `not_recorded`."""
    return kept.get(code) or (OTHER_REASON if kept.get(words) == GIVEN else NOT_RECORDED)


def meeting_record_figures(grouped: Mapping[str, list[Mapping[str, Any]]]) -> dict:
    """What the Active Offer meetings' records say: why meetings were not held and why children declined, by code
    (every code, and `not_recorded`); the meetings held that covered each topic, and what was left with the child
    (a meeting recorded before these were asked counts in neither)."""
    of = grouped.__getitem__
    held = of("meeting.took_place")
    declined = [f for f in of("active_offer.completed") if f["outcome"] == "declined"]
    return {
        "not_held_reasons": _counts((_coded_reason(f, "reason_not_held_code", "reason_not_held")
                                     for f in of("meeting.not_held")), (*NOT_HELD_REASONS, NOT_RECORDED)),
        "decline_reasons": _counts((_coded_reason(f, "decline_reason_code", "decline_reason") for f in declined),
                                   (*NOT_WANTED_REASONS, NOT_RECORDED)),
        "meetings_by_topic": _counts((topic for f in held for topic in f.get("topics_covered") or ()),
                                     MEETING_TOPICS),
        "meetings_by_left_with_child": _counts((left for f in held for left in f.get("left_with_child") or ()),
                                               LEFT_WITH_CHILD),
    }


def _recorded(facts: Iterable[Mapping[str, Any]], flag: str) -> int:
    """How many facts say `flag` is true: only what was recorded, so a fact that does not say (None, or one kept
    before it was asked) is never counted either way."""
    return sum(1 for f in facts if f.get(flag) is True)


def casework_figures(grouped: Mapping[str, list[Mapping[str, Any]]]) -> dict:
    """Cases, their issues and how they were worked, in the period (a disclosure by its count alone)."""
    of = grouped.__getitem__
    closed = of("case.closed")
    rated = [f["satisfaction"] for f in closed if f["satisfaction"] is not None]
    return {
        "cases_opened": len(of("case.opened")),
        "cases_closed": len(closed),
        "closed_by_outcome": _counts((f["outcome"] for f in closed), casework.CASE_OUTCOMES),
        "issues_raised_by_theme": _counts((f["theme"] for f in of("case.issue_raised")), casework.THEMES),
        "issues_concluded_by_outcome": _counts((f["outcome"] for f in of("case.issue_concluded")),
                                               casework.ISSUE_OUTCOMES),
        "signposted_to": _counts((f["to"] for f in of("case.signposted")), casework.SIGNPOSTS),
        "advocate_changes_requested": len(of("case.advocate_change_requested")),
        "advocate_changes_granted": sum(1 for f in of("case.advocate_change_decided") if f["result"] == "granted"),
        "contributions": _counts((f["contribution"] for f in of("case.activity_recorded")),
                                 casework.CONTRIBUTIONS),
        "disclosures_without_consent": len(of("case.disclosure_recorded")),
        "satisfaction": {"given": len(rated), "mean": round(statistics.mean(rated), 2) if rated else None,
                         "by_score": _counts((str(score) for score in rated), ("1", "2", "3", "4", "5"))},
    }


def complaint_figures(grouped: Mapping[str, list[Mapping[str, Any]]]) -> dict:
    """Complaints, representations and compliments received in the period; answers given in it, by outcome, stage
    and whether they came within the time limit."""
    of = grouped.__getitem__
    received, answered = of("complaint.received"), of("complaint.responded")
    timed = [f for f in answered if f.get("within_time_limit") is not None]
    return {
        "received_by_kind": _counts((f["kind"] for f in received), complaints.KINDS),
        "received_from": _counts((f["made_by"] for f in received), complaints.FROM),
        "answered": len(answered),
        "answered_by_outcome": _counts((f["outcome"] for f in answered), complaints.ANSWERS),
        "answered_by_stage": _counts((str(f["stage"]) for f in answered), ("1", "2")),
        "answered_within_time_limit": round(sum(f["within_time_limit"] for f in timed) / len(timed), 3)
        if timed else None,
        "escalated": len(of("complaint.escalated")),
        "withdrawn": sum(1 for f in of("complaint.closed") if f["outcome"] == "withdrawn"),
        "time_limits_missed": _counts((f["deadline"] for f in of("complaint.deadline_missed")), complaints.CLOCKS),
    }


# children, not referrals: one child however many referrals they had

def child_of(referral_id: str, earlier_referral_ids: Iterable[str] = ()) -> str:
    """A stable, pseudonymous key for the child a referral is about: the earliest referral of the child's chain.
    `referral.received` names every earlier referral of the same child (the referral service links them by name and
    date of birth, or by the council's reference; a take-up's follow-on names the Active Offer and its earlier ones),
    and referral ids sort by the time they were made, so each referral of the chain gives the same key."""
    return min((referral_id, *earlier_referral_ids))


def advocate_key(email: str | None) -> str | None:
    """An advocate as reporting keeps them: a key that tells their work apart, never their address."""
    if not email:
        return None
    return hashlib.sha256(f"llais advocate {email.strip().lower()}".encode()).hexdigest()[:16]


CASE_FACTS = ("case.opened", "case.advocate_change_decided", "case.closed")
"""The facts of a case that say whose caseload it is in, and until when."""


def whose(event_type: str, data: Mapping[str, Any]) -> dict:
    """The keys a fact carries beside its codes: the child a referral is about, the advocate (as a key) a referral
    is allocated to or a case is with, and the case a case's fact is about."""
    kept: dict = {}
    if event_type == "referral.received":
        kept["child"] = child_of(data["referral_id"], data.get("earlier_referral_ids") or ())
    if event_type in ("referral.allocated", "case.opened", "case.advocate_change_decided"):
        kept["advocate"] = advocate_key(data.get("advocate_email"))
    if event_type.startswith("case."):
        kept["case_id"] = data.get("case_id")
    return kept


def children(received: Iterable[Mapping[str, Any]]) -> list[dict]:
    """The children the referrals received are about, one each however many referrals they had: each answer as
    the latest of their referrals that recorded it; a care leaver if any referral's basis says so."""
    merged: dict[str, dict] = {}
    for kept in sorted(received, key=lambda f: f["at"]):
        child = merged.setdefault(kept.get("child") or kept["referral_id"], {"care_leaver": False})
        child.update({name: value for name, value in kept.items() if value is not None})
        child["care_leaver"] = child["care_leaver"] or kept.get("basis") == CARE_LEAVER
    return list(merged.values())


def headline_groups(children_referred: list[Mapping[str, Any]]) -> dict:
    """The Welsh Government's headline groups, counted in children."""
    return {
        "placed_out_of_county": _recorded(children_referred, "placed_out_of_county"),
        "unaccompanied_asylum_seeking": _recorded(children_referred, "unaccompanied_asylum_seeking"),
        "care_leavers": _recorded(children_referred, "care_leaver"),
        "third_sector_referrers": sum(1 for f in children_referred
                                      if f.get("referrer_organisation_type") == THIRD_SECTOR),
    }


def equality(children_referred: list[Mapping[str, Any]]) -> dict:
    """Each equality question's answers, counted in children; each breakdown adds up to the children referred."""
    return {question: _counts((f.get(question) or NOT_RECORDED for f in children_referred), (*answers, NOT_RECORDED))
            for question, answers in EQUALITY.items()}


# capacity at the period's end

def quarters_until(period: Period) -> tuple[str, ...]:
    """Every quarter from the first a report may ask for to the period's last: where the referrals still open at
    its end may have been received."""
    last_year, last_quarter = period.year, period.quarter or 4
    return tuple(quarter_key(year, q) for year in range(FIRST_YEAR, last_year + 1) for q in (1, 2, 3, 4)
                 if (year, q) <= (last_year, last_quarter))


def case_after(case: Mapping[str, Any], kept: Mapping[str, Any]) -> dict | None:
    """A case as reporting follows it for caseloads: its council, when it opened and closed, and its advocate
    (as a key) from each moment."""
    changed = dict(case) or {"case_id": kept["case_id"], "council": kept["council"], "advocates": []}
    kind, at = kept["type"], kept["at"]
    if kind == "case.opened":
        changed.update(opened_at=at, advocates=_moves(changed["advocates"], at, kept.get("advocate")))
    elif kind == "case.advocate_change_decided" and kept.get("result") == "granted":
        changed["advocates"] = _moves(changed["advocates"], at, kept.get("advocate"))
    elif kind == "case.closed":
        changed["closed_at"] = at
    else:
        return None
    return None if changed == case else changed


def _moves(moves: Iterable[Iterable[Any]], at: str, advocate: str | None) -> list[list]:
    """Whom a referral or case went to and when, with one more move, each once, in the order they happened."""
    unique = {tuple(move) for move in moves} | {(at, advocate)}
    return [list(move) for move in sorted(unique, key=lambda move: (move[0], move[1] or ""))]


def _by(moment: str | None, end: datetime) -> bool:
    return moment is not None and datetime.fromisoformat(moment) < end


def _advocate_at(moves: Iterable[Iterable[Any]], end: datetime) -> str | None:
    """Whose work something was at `end`: the advocate of the latest allocation (or change) before it."""
    before = [advocate for at, advocate in moves if _by(at, end)]
    return before[-1] if before else None


def end_of(day: date) -> datetime:
    """The moment a day in London ends."""
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), LONDON)


def _last_day_before(end: datetime) -> date:
    """The day in London of the last moment before `end`: a period's last day, or today."""
    return (end - timedelta(microseconds=1)).astimezone(LONDON).date()


def capacity(journeys: Iterable[Mapping[str, Any]], cases: Iterable[Mapping[str, Any]], end: datetime) -> dict:
    """At `end` (a period's end, or now for a period not yet over): the backlog (referrals received and neither
    allocated nor closed by then) and how many days the oldest of it had waited; and the median caseload across
    advocates with any open work then (their open referrals and open cases)."""
    waiting, caseloads = [], Counter()
    for journey in journeys:
        if not _by(journey.get("received_at"), end) or _by(journey.get("closed_at"), end):
            continue
        if not _by(journey.get("allocated_at"), end):
            waiting.append(datetime.fromisoformat(journey["received_at"]).astimezone(LONDON).date())
        elif (advocate := _advocate_at(journey.get("allocations", []), end)) is not None:
            caseloads[advocate] += 1
    for case in cases:
        if _by(case.get("opened_at"), end) and not _by(case.get("closed_at"), end):
            if (advocate := _advocate_at(case["advocates"], end)) is not None:
                caseloads[advocate] += 1
    return {
        "backlog": len(waiting),
        "backlog_oldest_days": (_last_day_before(end) - min(waiting)).days if waiting else None,
        "advocates_with_open_work": len(caseloads),
        "median_caseload": statistics.median(caseloads.values()) if caseloads else None,
    }
