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

import statistics
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Mapping

from shared.clock import LONDON
from shared.contracts import casework, complaints
from shared.contracts.referral import (ACTIVE_OFFER_BASES, CLOSE_REASONS_BY_HAND, EQUALITY, NOT_WANTED_REASONS,
                                      OTHER_REASON, OUTCOMES, TAKE_UP, THIRD_SECTOR)
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
    "contact.attempted": ("method", "result"),
    "deadlines.scheduled": (),
    "deadline.missed": ("deadline",),
    "optout.recorded": ("basis", "reason", "age"),
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
}
"""What each fact counted keeps, beside its type, council, referral and moment: codes, flags and dates only. A field
an event's version does not have is kept as None: not recorded, which no figure counts."""
MOMENTS = {
    "referral.received": "received_at", "referral.allocated": "allocated_at", "contact.attempted": "attempted_at",
    "optout.recorded": "offered_at", "meeting.took_place": "held_at", "active_offer.completed": "completed_at",
    "referral.closed": "closed_at", "case.opened": "opened_at", "deadline.missed": "due_at",
    "case.closed": "closed_at", "complaint.received": "received_at", "complaint.responded": "responded_at",
    "complaint.escalated": "escalated_at", "complaint.closed": "closed_at", "complaint.deadline_missed": "due_at",
}
"""The field that says when each fact happened; a fact without one happened when its event occurred."""
FREE_TEXT = ("reason", "decline_reason", "reason_not_held")
"""Reasons people write in their own words, which may name a child: kept only as whether one was given. (A reason's
breakdown needs it chosen from a list where it is recorded.)"""
GIVEN, NOT_GIVEN = "given", "not_given"
NOT_RECORDED = "not_recorded"
"""An equality question the referral does not answer: not asked (or asked before it was recorded). A child who chose
not to answer is counted as `declined`, apart from these."""


JOURNEY_ONLY = ("referral.allocated", "contact.attempted", "deadlines.scheduled", "meeting.arranged",
                "complaint.deadlines_scheduled", "complaint.second_stage_scheduled")
"""Facts kept for the journeys (and complaints' time limits) they move on, which no figure counts by itself."""
COUNTED = tuple(t for t in KEPT if t not in JOURNEY_ONLY)
"""The facts the template counts: all a report reads besides the journeys."""
COMPLAINT_FACTS = tuple(t for t in KEPT if t.startswith("complaint."))
"""Facts of a complaint; all but its receipt name no council, which is the one the complaint was received for."""


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
           else {"optout_id": data["optout_id"]} if event_type == "optout.recorded" else {})
    return {"type": event_type, "council": data.get("council", council), "referral_id": data.get("referral_id"),
            **ids, "at": at, "quarter": quarter_of(at), **kept}


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
    figures = {}
    for name, (reached, frame) in RESPONSES.items():
        got = [j for j in offered if j.get(reached)]
        timed = [j for j in got if j.get("due", {}).get(frame)]
        within = sum(datetime.fromisoformat(j[reached]) <= datetime.fromisoformat(j["due"][frame]) for j in timed)
        figures[name] = {
            "reached": len(got),
            "median_days": _median_days(got, reached),
            "within_time_frame": round(within / len(timed), 3) if timed else None,
        }
    return figures


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
    offers_received = [f for f in received if f["kind"] == ACTIVE_OFFER]
    opt_outs = of("optout.recorded")
    held = of("meeting.took_place")
    completed = of("active_offer.completed")
    closed_by_hand = [f for f in of("referral.closed") if f["reason"] in CLOSE_REASONS_BY_HAND]
    return {
        "active_offer": {
            "offers": len(offers_received) + len(opt_outs),
            "opt_outs": len(opt_outs),
            "opt_out_reasons": _counts((f["reason"] for f in opt_outs), (GIVEN, NOT_GIVEN)),
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
            "by_kind": _counts((f["kind"] for f in received), (ACTIVE_OFFER, ISSUE_BASED)),
            "by_source": _counts(f["source"] for f in received),
            "by_basis": _counts(f["basis"] for f in received),
        },
        "response_times": response_times(journeys),
        "response_times_over_the_period": response_times_over(journeys, period),
        "deadlines_missed": _counts((f["deadline"] for f in of("deadline.missed")), DEADLINES),
        "casework": casework_figures(grouped),
        "complaints": complaint_figures(grouped),
        "language": {
            "welsh_asked_for": sum(1 for f in received if f["preferred_language"] == "cy"),
            "meetings_held": len(held),
            "meetings_held_in_welsh": sum(1 for f in held if f.get("language") == "cy"),
            "interpreters_needed": _recorded(received, "interpreter_needed"),
            "interpreters_used": _recorded(held, "interpreter_used"),
            "communication_needs_given": _recorded(received, "communication_needs_given"),
            "meetings_held_by_venue": _counts((f.get("venue_type") for f in held), VENUE_TYPES),
            "meetings_held_at_accessible_risk_assessed_venues": len(held),  # scheduling arranges no meeting elsewhere
        },
        "headline_groups": {
            "placed_out_of_county": _recorded(received, "placed_out_of_county"),
            "unaccompanied_asylum_seeking": _recorded(received, "unaccompanied_asylum_seeking"),
            "care_leavers": sum(1 for f in received if f["basis"] == CARE_LEAVER),
            "third_sector_referrers": sum(1 for f in received if f.get("referrer_organisation_type") == THIRD_SECTOR),
        },
        "equality": {question: _counts((f.get(question) or NOT_RECORDED for f in received),
                                       (*answers, NOT_RECORDED))
                     for question, answers in EQUALITY.items()},
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
