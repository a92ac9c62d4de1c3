"""The events the complaints service published before a consumer existed, recalled from what it keeps, so a service
that came later (reporting) can catch up on history: each complaint's receipt (or a compliment's record), its
answers at each stage, its escalation and its closing, as the events said them (codes and dates, never who made it
or what they said), and only those that happened before the moment the consumer began to hear them.

Pure: it reads a complaint and gives the events; the API pages through the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from shared.contracts import Event, recalled_event

from services.complaints import domain

NAME = "complaints"


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
    for event_type, at, data, key in recalled:
        if datetime.fromisoformat(at) < before:
            yield recalled_event(event_type, domain.event_data(complaint, **data), producer=NAME,
                                 subject=f"complaint:{complaint['id']}", occurred_at=at, key=key)
