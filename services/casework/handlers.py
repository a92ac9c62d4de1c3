"""Casework's commands and event handlers, each `(command or event, uow)`: load, let the domain decide, commit
with the events that say what happened (shared/unit_of_work)."""

from __future__ import annotations

from functools import wraps
from typing import Callable

from shared import errors
from shared.clock import new_id, timestamp
from shared.contracts import Event, new_event
from shared.unit_of_work import Decision, UnitOfWork

from services.casework import domain
from services.casework.commands import ChangeCase, OpenCase
from services.casework.store import CASES, REFERRALS, CaseworkStore

NAME = "casework"


class NotFound(errors.NotFound):
    code = "case.not_found"
    detail_format = "No such case (or referral)."


# what casework hears of referrals


def remember_referral(event: Event, uow: UnitOfWork) -> None:
    """On `referral.received`: keep the codes a case will need, so the case can open without asking anyone."""
    uow.create(REFERRALS, event.data["referral_id"], domain.referral_stub(event.data))


def referral_allocated(event: Event, uow: UnitOfWork) -> None:
    """On `referral.allocated`: the advocate a case of this referral will be opened for."""
    referral_id = event.data["referral_id"]
    uow.change(REFERRALS, referral_id, lambda referral: ({**referral, "advocate_email": event.data["advocate_email"]},
                                                         []),
               missing=lambda: NotFound(f"referral {referral_id} not heard of yet"))  # retried: it will arrive


# the case's commands


def _event(event_type: str, case: dict, **data) -> Event:
    return new_event(event_type, domain.event_data(case, **data), producer=NAME, subject=f"case:{case['id']}")


def open_case(command: OpenCase, uow: UnitOfWork) -> dict:
    referral = CaseworkStore(uow).referral(command.referral_id)
    if referral is None:
        raise NotFound(command.referral_id)
    at = timestamp()
    case = domain.open_case(referral.body, command.consents_to_case_file, command.by, at)
    domain.check_allocated(referral.body, command.by, command.role)
    opened = _event("case.opened", case, **domain.opened_event_data(case))
    if not uow.create(CASES, case["id"], case, [opened]):
        raise domain.CaseStateForbids(domain.ALREADY_OPEN())
    return case


def visible_case(casework: CaseworkStore, case_id: str, actor: str, role: str | None) -> dict:
    """The case, if the caller may see it; NotFound otherwise (another advocate's case is as if absent)."""
    document = casework.case(case_id) if len(case_id) <= 64 else None
    if document is None or not domain.may_see(document.body, actor, role):
        raise NotFound(case_id)
    return document.body


def case_step(step: Callable[[dict, str, ChangeCase], Decision]) -> Callable[[ChangeCase, UnitOfWork], dict]:
    """The handler of a step on a case: on the case the caller may see (another's is as if absent), `step(case,
    at, command)` decides the case's new state and the events that say so."""
    @wraps(step)
    def handler(command: ChangeCase, uow: UnitOfWork) -> dict:
        def decide(case: dict) -> Decision:
            if not domain.may_see(case, command.by, command.role):
                raise NotFound(command.case_id)
            return step(case, timestamp(), command)

        if len(command.case_id) > 64:
            raise NotFound(command.case_id)
        return uow.change(CASES, command.case_id, decide, missing=lambda: NotFound(command.case_id))

    return handler


@case_step
def agree_plan(case: dict, at: str, command: ChangeCase) -> Decision:
    body, by = command.body, command.by
    changed = domain.agree_plan(case, body.get("text", ""), body.get("agreed_with_child"), by, at)
    return changed, [_event("case.plan_agreed", changed, version=changed["plan"]["version"])]


@case_step
def raise_issue(case: dict, at: str, command: ChangeCase) -> Decision:
    body, by = command.body, command.by
    issue_id = new_id()
    changed = domain.raise_issue(case, issue_id, body.get("theme"), body.get("description", ""), by, at)
    return changed, [_event("case.issue_raised", changed, issue_id=issue_id, theme=body["theme"])]


@case_step
def conclude_issue(case: dict, at: str, command: ChangeCase) -> Decision:
    body, by, issue_id = command.body, command.by, command.part_id
    changed, issue = domain.conclude_issue(case, issue_id, body.get("outcome"), body.get("note", ""), by, at)
    return changed, [_event("case.issue_concluded", changed, issue_id=issue_id, theme=issue["theme"],
                            outcome=issue["outcome"])]


@case_step
def record_activity(case: dict, at: str, command: ChangeCase) -> Decision:
    body, by = command.body, command.by
    changed = domain.record_activity(case, body.get("kind"), body.get("contribution"), body.get("note", ""),
                                     body.get("happened_at"), by, at)
    return changed, [_event("case.activity_recorded", changed, kind=body["kind"], contribution=body["contribution"],
                            happened_at=changed["activities"][-1]["at"])]


@case_step
def signpost(case: dict, at: str, command: ChangeCase) -> Decision:
    body, by = command.body, command.by
    changed = domain.signpost(case, body.get("to"), body.get("note", ""), by, at)
    return changed, [_event("case.signposted", changed, to=body["to"])]


@case_step
def request_advocate_change(case: dict, at: str, command: ChangeCase) -> Decision:
    body, by = command.body, command.by
    request_id = new_id()
    changed = domain.request_advocate_change(case, request_id, body.get("reason", ""), by, at)
    return changed, [_event("case.advocate_change_requested", changed, request_id=request_id)]


@case_step
def decide_advocate_change(case: dict, at: str, command: ChangeCase) -> Decision:
    body, by, role, request_id = command.body, command.by, command.role, command.part_id
    changed = domain.decide_advocate_change(case, request_id, body.get("result"), body.get("new_advocate_email"),
                                            body.get("reason", ""), role, by, at)
    return changed, [_event("case.advocate_change_decided", changed, request_id=request_id, result=body["result"],
                            advocate_email=changed["advocate_email"])]


@case_step
def record_disclosure(case: dict, at: str, command: ChangeCase) -> Decision:
    body, by, role = command.body, command.by, command.role
    changed = domain.record_disclosure(case, body, role, by, at)
    return changed, [_event("case.disclosure_recorded", changed, reason=body["reason"],
                            child_told=body["child_told"])]


@case_step
def close(case: dict, at: str, command: ChangeCase) -> Decision:
    body, by = command.body, command.by
    changed = domain.close(case, body.get("outcome"), body.get("satisfaction"), body.get("feedback", ""), by, at)
    return changed, [_event("case.closed", changed, outcome=body["outcome"],
                            satisfaction=changed["closure"]["satisfaction"], closed_at=at, by=by)]
