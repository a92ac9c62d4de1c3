"""The events the scheduling service published before a consumer existed, recalled from what it keeps, so a service
that came later (reporting) can catch up on history: each referral's deadlines and those it missed, and each
meeting arranged, held (with the Active Offer's outcome) or not held, as the events said them, and only those that
happened before the moment the consumer began to hear them. A meeting's steps are dated by its history; the child's
consent after a meeting is recalled as the referral's, since what was changed at the meeting went on the event.

Complaints' time limits are recalled by the complaints service, which kept them with when each was set.

Pure: it reads a referral's case or a meeting and gives the events; the API pages through the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable, Iterator

from shared.contracts import Event, recalled_event

from services.scheduling import domain

NAME = "scheduling"


def _missed(clock: dict[str, Any]) -> bool:
    """Whether a deadline was missed: the clock says so, or it was met only after it fell due (the clock ticks
    every minute, so it said it missed in between)."""
    return clock["state"] == "missed" or (
        clock["state"] == "met" and datetime.fromisoformat(clock["met_at"]) > datetime.fromisoformat(clock["due_at"]))


def of_case(case: dict[str, Any], before: datetime) -> Iterator[Event]:
    """A referral's deadlines as scheduled on its receipt, and each it missed, before `before`."""
    subject = f"referral:{case['referral_id']}"
    where = {"referral_id": case["referral_id"], "council": case["council"]}
    recalled = [("deadlines.scheduled", case["received_at"],
                 {**where, "deadlines": {name: clock["due_at"] for name, clock in case["clocks"].items()}}, "")]
    recalled += [("deadline.missed", clock["due_at"], {**where, "deadline": name, "due_at": clock["due_at"]}, name)
                 for name, clock in case["clocks"].items() if _missed(clock)]
    for event_type, at, data, key in recalled:
        if datetime.fromisoformat(at) < before:
            yield recalled_event(event_type, data, producer=NAME, subject=subject, occurred_at=at, key=key)


def of_meeting(meeting: dict[str, Any], before: datetime,
               case_of: Callable[[str], "dict[str, Any] | None"]) -> Iterator[Event]:
    """A meeting's arrangement, and whether it was held (with the outcome) or not, before `before`."""
    subject, when = f"referral:{meeting['referral_id']}", {}
    for step in meeting["history"]:
        when.setdefault(step["what"], step["at"])
    recalled = [("meeting.arranged", when["arranged"], domain.arranged_event_data(meeting))]
    case = case_of(meeting["referral_id"])
    if meeting["status"] == "held" and case is not None:
        recalled += [("meeting.took_place", when["held"], domain.took_place_event_data(meeting, case)),
                     ("active_offer.completed", when["held"],
                      domain.completed_event_data(meeting, case, None, when["held"]))]
    elif meeting["status"] == "not_held":
        recalled.append(("meeting.not_held", when["not held"], domain.not_held_event_data(meeting)))
    for event_type, at, data in recalled:
        if datetime.fromisoformat(at) < before:
            yield recalled_event(event_type, data, producer=NAME, subject=subject, occurred_at=at,
                                 key=meeting["id"])
