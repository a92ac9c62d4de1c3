"""The complaints service's commands and event handlers."""

from __future__ import annotations

import hashlib
import secrets
from typing import Callable

from shared.clock import new_id, timestamp
from shared.contracts import Event, new_event
from shared.councils import CouncilRegister
from shared.store import Put, Store, VersionConflict

from services.complaints import domain
from services.complaints.store import COMPLAINTS, ComplaintsStore

NAME = "complaints"
CONFLICT_RETRIES = 5


class NotFound(LookupError):
    pass


def complaint_event(event_type: str, complaint: dict, **data) -> Event:
    return new_event(event_type, {"complaint_id": complaint["id"], "kind": complaint["kind"], **data},
                     producer=NAME, subject=f"complaint:{complaint['id']}")


def receive(complaints: ComplaintsStore, councils: CouncilRegister, request: dict, by: str) -> dict:
    domain.check(request)
    council = councils.get(request["council"]) if request.get("council") else None
    if request.get("council") and council is None:
        raise domain.ComplaintRefused({"council": ["No council has that code."]})
    at = timestamp()
    tracking_key = secrets.token_urlsafe(24)
    complaint = domain.new_complaint(new_id(), request, council.nation if council else "wales", at, by,
                                     tracking_digest=tracking_digest(tracking_key))
    received = complaint_event("complaint.received", complaint, made_by=complaint["made_by"],
                               council=complaint["council"], nation=complaint["nation"], received_at=at,
                               language=complaint["language"])
    complaints.store.commit(Put.new(COMPLAINTS, complaint["id"], complaint), events=[received])
    return {**complaint, "tracking_key": tracking_key}


def tracking_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def followed(complaints: ComplaintsStore, key: str) -> dict:
    """The complaint a complainant's private key follows; NotFound for any other key."""
    if not 20 <= len(key) <= 64:
        raise NotFound("no such complaint")
    found = complaints.complaints({"tracking_digest": tracking_digest(key)})
    if not found:
        raise NotFound("no such complaint")
    return found[0].body


def change(complaints: ComplaintsStore, complaint_id: str,
           decide: Callable[[dict, str], tuple[dict | None, list[Event]]], handled: str | None = None) -> dict:
    for _ in range(CONFLICT_RETRIES):
        document = complaints.complaint(complaint_id)
        if document is None:
            raise NotFound(complaint_id)
        changed, events = decide(document.body, timestamp())
        if changed is None:
            if handled and not complaints.store.handled(handled):
                complaints.store.commit(handled=handled)
            return document.body
        try:
            complaints.store.commit(Put.update(document, changed), events=events, handled=handled)
            return changed
        except VersionConflict:
            continue
    raise VersionConflict(f"complaint {complaint_id} kept changing; try again")


def acknowledge(complaint: dict, at: str, body: dict, by: str):
    changed = domain.acknowledge(complaint, by, at)
    return changed, [] if changed is None else [complaint_event("complaint.acknowledged", changed,
                                                                acknowledged_at=at)]


def respond(complaint: dict, at: str, body: dict, by: str):
    changed = domain.respond(complaint, body.get("outcome"), body.get("summary", ""), by, at)
    events = [complaint_event("complaint.responded", changed, stage=changed["stage"], outcome=changed["outcome"],
                              responded_at=at)]
    if not complaint.get("acknowledged_at"):
        events.insert(0, complaint_event("complaint.acknowledged", changed, acknowledged_at=at))
    return changed, events


def escalate(complaint: dict, at: str, body: dict, by: str):
    changed = domain.escalate(complaint, by, at)
    return changed, [complaint_event("complaint.escalated", changed, stage=changed["stage"],
                                     escalated_at=at)]


def close(complaint: dict, at: str, body: dict, by: str):
    changed = domain.close(complaint, by, at)
    return changed, [complaint_event("complaint.closed", changed, outcome=changed["outcome"], closed_at=at)]


def withdraw(complaint: dict, at: str, body: dict, by: str):
    changed = domain.withdraw(complaint, by, at)
    return changed, [complaint_event("complaint.closed", changed, outcome="withdrawn", closed_at=at)]


def record_deadlines(event: Event, store: Store) -> None:
    """On `complaint.deadlines_scheduled`: when the acknowledgement and the answer are due, as scheduling counted;
    on `complaint.second_stage_scheduled`: when the answer at the second stage is."""
    if event.type == "complaint.second_stage_scheduled":
        counted = {"stage_2_respond_by": event.data["respond_by"]}
    else:
        counted = {"acknowledge_by": event.data["acknowledge_by"], "respond_by": event.data["respond_by"]}
    change(ComplaintsStore(store), event.data["complaint_id"],
           lambda c, at: (None if counted.items() <= c["deadlines"].items()
                          else {**c, "deadlines": {**c["deadlines"], **counted}}, []),
           handled=event.id)
