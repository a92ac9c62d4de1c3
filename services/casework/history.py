"""The events the casework service published before a consumer existed, recalled from what it keeps, so a service
that came later (reporting) can catch up on history: each case's opening, issues raised and concluded, work
recorded, signposting, changes of advocate asked for and decided, disclosures and closure, as the events said them
(codes, ids and dates, never what the child said), and only those that happened before the moment the consumer
began to hear them. A step's moment is its entry in the case's timeline.

Pure: it reads a case and gives the events; the API pages through the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from shared.contracts import Event, recalled_event

from services.casework import domain

NAME = "casework"


def _moments(case: dict[str, Any], what: str) -> list[str]:
    """When each step of a kind was recorded, in order: the case's timeline says."""
    return [entry["at"] for entry in case["timeline"] if entry["what"] == what]


def of_case(case: dict[str, Any], before: datetime) -> Iterator[Event]:
    """The events of one case that happened before `before`, kind by kind in the order each happened."""
    subject = f"case:{case['id']}"
    recalled: list[tuple[str, str, dict, str]] = [("case.opened", case["opened_at"], domain.opened_event_data(case),
                                                   "")]
    for issue in case["issues"]:
        recalled.append(("case.issue_raised", issue["raised_at"], {"issue_id": issue["id"], "theme": issue["theme"]},
                         issue["id"]))
        if issue.get("concluded_at"):
            recalled.append(("case.issue_concluded", issue["concluded_at"], {
                "issue_id": issue["id"], "theme": issue["theme"], "outcome": issue["outcome"]}, issue["id"]))
    for number, (activity, at) in enumerate(zip(case["activities"], _moments(case, "activity recorded"))):
        recalled.append(("case.activity_recorded", at, {"kind": activity["kind"],
                                                        "contribution": activity["contribution"],
                                                        "happened_at": activity["at"]}, str(number)))
    for number, entry in enumerate(case["signposting"]):
        recalled.append(("case.signposted", entry["at"], {"to": entry["to"]}, str(number)))
    advocate = case["advocate_email"]
    for change in case["advocate_changes"]:
        recalled.append(("case.advocate_change_requested", change["requested_at"], {"request_id": change["id"]},
                         change["id"]))
        if change.get("decided_at"):
            recalled.append(("case.advocate_change_decided", change["decided_at"], {
                "request_id": change["id"], "result": change["result"],
                "advocate_email": change.get("new_advocate_email") or advocate}, change["id"]))
    for number, (disclosure, at) in enumerate(zip(case["disclosures"], _moments(case, "disclosure recorded"))):
        recalled.append(("case.disclosure_recorded", at, {"reason": disclosure["reason"],
                                                          "child_told": disclosure["child_told"]}, str(number)))
    if case.get("closure"):
        closure = case["closure"]
        recalled.append(("case.closed", closure["closed_at"], {"outcome": closure["outcome"],
                                                               "satisfaction": closure["satisfaction"],
                                                               "closed_at": closure["closed_at"],
                                                               "by": closure.get("closed_by")}, ""))
    for event_type, at, data, key in recalled:
        if datetime.fromisoformat(at) < before:
            yield recalled_event(event_type, domain.event_data(case, **data), producer=NAME, subject=subject,
                                 occurred_at=at, key=key)
