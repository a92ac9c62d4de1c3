"""The events the complaints service published before a consumer existed, recalled from what it keeps, so a service
that came later (reporting) can catch up on history: each complaint's receipt (or a compliment's record), its
answers at each stage, its escalation and its closing, as the events said them (codes and dates, never who made it
or what they said), and only those that happened before the moment the consumer began to hear them.

With them, the time limits the complaint heard from scheduling's clock and kept: when they were set (on its receipt,
and on its escalation for the second stage) and each one missed, which is one met after it fell due, or never met
while the complaint stayed open past it (a clock stops when its complaint closes), as the clock said it then.

Pure: it reads a complaint and gives the events; the API pages through the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from shared.contracts import Event, recalled_event

from services.complaints import domain

NAME = "complaints"
SECOND_STAGE = "stage_2_respond_by"


def of_complaint(complaint: dict[str, Any], before: datetime) -> Iterator[Event]:
    """The events of one complaint that happened before `before`, in the order they happened."""
    received = {**domain.received_event_data(complaint), "reply_email": None}  # history counts; it replies to no one
    recalled = [("complaint.received", complaint["received_at"], received, "")]
    for response in complaint["responses"]:
        recalled.append(("complaint.responded", response["at"], {
            "stage": response["stage"], "outcome": response["outcome"], "responded_at": response["at"]},
            str(response["stage"])))
    for entry in complaint["timeline"]:
        if entry["what"] == "escalated":
            recalled.append(("complaint.escalated", entry["at"], {"stage": 2, "escalated_at": entry["at"]}, ""))
    if complaint.get("closed_at"):
        recalled.append(("complaint.closed", complaint["closed_at"], {"outcome": complaint["outcome"],
                                                                      "closed_at": complaint["closed_at"]}, ""))
    recalled = [(event_type, at, domain.event_data(complaint, **data), key) for event_type, at, data, key in recalled]
    recalled += _time_limits(complaint)
    for event_type, at, data, key in sorted(recalled, key=lambda event: datetime.fromisoformat(event[1])):
        if datetime.fromisoformat(at) < before:
            yield recalled_event(event_type, data, producer=NAME, subject=f"complaint:{complaint['id']}",
                                 occurred_at=at, key=key)


def _time_limits(complaint: dict[str, Any]) -> list[tuple[str, str, dict, str]]:
    """The time limits the complaint kept, as (type, moment, data, key): set, and each missed."""
    deadlines, complaint_id = complaint.get("deadlines") or {}, complaint["id"]
    recalled = []
    if "respond_by" in deadlines and "acknowledge_by" in deadlines:
        recalled.append(("complaint.deadlines_scheduled", complaint["received_at"], {
            "complaint_id": complaint_id, "acknowledge_by": deadlines["acknowledge_by"],
            "respond_by": deadlines["respond_by"]}, ""))
    escalated = next((entry["at"] for entry in complaint["timeline"] if entry["what"] == "escalated"), None)
    if SECOND_STAGE in deadlines and escalated:
        recalled.append(("complaint.second_stage_scheduled", escalated,
                         {"complaint_id": complaint_id, "respond_by": deadlines[SECOND_STAGE]}, ""))
    for name, due in deadlines.items():
        if _missed(complaint, name, due):
            recalled.append(("complaint.deadline_missed", due,
                             {"complaint_id": complaint_id, "deadline": name, "due_at": due}, name))
    return recalled


def _met_at(complaint: dict[str, Any], deadline: str) -> str | None:
    """When the complaint did what a time limit asks: acknowledged it, or answered at that limit's stage."""
    if deadline == "acknowledge_by":
        return complaint.get("acknowledged_at")
    stage = 2 if deadline == SECOND_STAGE else 1
    return next((response["at"] for response in complaint["responses"] if response["stage"] == stage), None)


def _missed(complaint: dict[str, Any], deadline: str, due: str) -> bool:
    ended = _met_at(complaint, deadline) or complaint.get("closed_at")
    return ended is None or datetime.fromisoformat(ended) > datetime.fromisoformat(due)
