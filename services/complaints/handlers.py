"""The complaints service's commands and event handlers, each `(command or event, uow)` (shared/unit_of_work)."""

from __future__ import annotations

import hashlib
import secrets
from functools import wraps
from typing import Callable

from shared import errors
from shared.clock import new_id, timestamp
from shared.contracts import Event, new_event
from shared.councils import CouncilRegister
from shared.unit_of_work import Decision, UnitOfWork

from services.complaints import domain
from services.complaints.commands import AskForReview, ChangeComplaint, ReceiveComplaint
from services.complaints.store import COMPLAINTS, ComplaintsStore

NAME = "complaints"


class NotFound(errors.NotFound):
    code = "complaint.not_found"
    detail_format = "No such complaint."


def complaint_event(event_type: str, complaint: dict, **data) -> Event:
    return new_event(event_type, domain.event_data(complaint, **data), producer=NAME,
                     subject=f"complaint:{complaint['id']}")


def receive(command: ReceiveComplaint, uow: UnitOfWork, *, councils: CouncilRegister) -> dict:
    request, by = command.request, command.by
    domain.check(request)
    council = councils.get(request["council"]) if request.get("council") else None
    if request.get("council") and council is None:
        raise domain.ComplaintRefused({"council": [domain.UNKNOWN_COUNCIL()]})
    at = timestamp()
    tracking_key = secrets.token_urlsafe(24)
    complaint = domain.new_complaint(new_id(), request, council.nation if council else "wales", at, by,
                                     tracking_digest=tracking_digest(tracking_key))
    received = complaint_event("complaint.received", complaint, **domain.received_event_data(complaint))
    uow.create(COMPLAINTS, complaint["id"], complaint, [received])
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


def complaint_step(step: Callable[[dict, str, ChangeComplaint], "Decision | None"]
                   ) -> Callable[[ChangeComplaint, UnitOfWork], dict]:
    """The handler of a step on a complaint: `step(complaint, at, command)` decides its new state and the events
    that say so, or None when the step is done already."""
    @wraps(step)
    def handler(command: ChangeComplaint, uow: UnitOfWork) -> dict:
        if len(command.complaint_id) > 64:
            raise NotFound(command.complaint_id)
        return uow.change(COMPLAINTS, command.complaint_id, lambda complaint: step(complaint, timestamp(), command),
                          missing=lambda: NotFound(command.complaint_id))

    return handler


@complaint_step
def acknowledge(complaint: dict, at: str, command: ChangeComplaint) -> Decision | None:
    changed = domain.acknowledge(complaint, command.by, at)
    return None if changed is None else (changed, [complaint_event("complaint.acknowledged", changed,
                                                                   acknowledged_at=at)])


@complaint_step
def respond(complaint: dict, at: str, command: ChangeComplaint) -> Decision:
    body = command.body
    changed = domain.respond(complaint, body.get("outcome"), body.get("summary", ""), command.by, at)
    events = [complaint_event("complaint.responded", changed, stage=changed["stage"], outcome=changed["outcome"],
                              responded_at=at)]
    if not complaint.get("acknowledged_at"):
        events.insert(0, complaint_event("complaint.acknowledged", changed, acknowledged_at=at))
    return changed, events


@complaint_step
def escalate(complaint: dict, at: str, command: ChangeComplaint) -> Decision:
    changed = domain.escalate(complaint, command.by, at)
    return changed, [complaint_event("complaint.escalated", changed, stage=changed["stage"],
                                     escalated_at=at)]


def followed_progress(uow: UnitOfWork, key: str) -> dict:
    """What the complainant sees of the complaint their key follows."""
    return domain.progress(followed(ComplaintsStore(uow), key))


def ask_for_review(command: AskForReview, uow: UnitOfWork) -> dict:
    """The complainant, by the private key they follow it with, asks for the answer to be looked at again: the
    complaint's next stage (`complaint.escalated`, which starts that stage's time limit). Their own view back."""
    complaint = followed(ComplaintsStore(uow), command.key)

    def decide(current: dict) -> Decision:
        at = timestamp()
        changed = domain.ask_for_review(current, command.reason, at)
        return changed, [complaint_event("complaint.escalated", changed, stage=changed["stage"], escalated_at=at)]

    return domain.progress(uow.change(COMPLAINTS, complaint["id"], decide,
                                      missing=lambda: NotFound(complaint["id"])))


@complaint_step
def close(complaint: dict, at: str, command: ChangeComplaint) -> Decision:
    changed = domain.close(complaint, command.by, at)
    return changed, [complaint_event("complaint.closed", changed, outcome=changed["outcome"], closed_at=at)]


@complaint_step
def withdraw(complaint: dict, at: str, command: ChangeComplaint) -> Decision:
    changed = domain.withdraw(complaint, command.by, at)
    return changed, [complaint_event("complaint.closed", changed, outcome="withdrawn", closed_at=at)]


def record_deadlines(event: Event, uow: UnitOfWork) -> None:
    """On `complaint.deadlines_scheduled`: when the acknowledgement and the answer are due, as scheduling counted;
    on `complaint.second_stage_scheduled`: when the answer at the second stage is."""
    if event.type == "complaint.second_stage_scheduled":
        counted = {"stage_2_respond_by": event.data["respond_by"]}
    else:
        counted = {"acknowledge_by": event.data["acknowledge_by"], "respond_by": event.data["respond_by"]}
    uow.change(COMPLAINTS, event.data["complaint_id"],
               lambda c: None if counted.items() <= c["deadlines"].items()
               else ({**c, "deadlines": {**c["deadlines"], **counted}}, []),
               missing=lambda: NotFound(event.data["complaint_id"]))
