"""Casework's commands and event handlers: load, let the domain decide, save with the events that say what happened."""

from __future__ import annotations

from typing import Callable

from shared.clock import new_id, timestamp
from shared.contracts import Event, new_event
from shared.store import Put, Store, VersionConflict

from services.casework import domain
from services.casework.store import CASES, REFERRALS, CaseworkStore

NAME = "casework"
CONFLICT_RETRIES = 5


class NotFound(LookupError):
    pass


# what casework hears of referrals


def remember_referral(event: Event, store: Store) -> None:
    """On `referral.received`: keep the codes a case will need, so the case can open without asking anyone."""
    try:
        store.commit(Put.new(REFERRALS, event.data["referral_id"], domain.referral_stub(event.data)), handled=event.id)
    except VersionConflict:
        store.commit(handled=event.id)  # a redelivery that beat the inbox check


def referral_allocated(event: Event, store: Store) -> None:
    """On `referral.allocated`: the advocate a case of this referral will be opened for."""
    for _ in range(CONFLICT_RETRIES):
        document = CaseworkStore(store).referral(event.data["referral_id"])
        if document is None:
            raise NotFound(f"referral {event.data['referral_id']} not heard of yet")  # retried: it will arrive
        try:
            store.commit(Put.update(document, {**document.body, "advocate_email": event.data["advocate_email"]}),
                         handled=event.id)
            return
        except VersionConflict:
            continue
    raise VersionConflict("the referral kept changing")


# the case's commands


def _event(event_type: str, case: dict, **data) -> Event:
    return new_event(event_type, {"case_id": case["id"], "referral_id": case["referral_id"],
                                  "council": case["council"], "region": case["region"], **data},
                     producer=NAME, subject=f"case:{case['id']}")


def open_case(casework: CaseworkStore, referral_id: str, consents: bool, by: str, role: str | None) -> dict:
    referral = casework.referral(referral_id)
    if referral is None:
        raise NotFound(referral_id)
    at = timestamp()
    case = domain.open_case(referral.body, consents, by, at)
    domain.check_allocated(referral.body, by, role)
    opened = _event("case.opened", case, advocate_email=case["advocate_email"], source=case["source"] or "other",
                    basis=case["basis"], language=case["language"], opened_at=at)
    try:
        casework.store.commit(Put.new(CASES, case["id"], case), events=[opened])
    except VersionConflict:
        raise domain.CaseStateForbids("this referral's case is open already") from None
    return case


def visible_case(casework: CaseworkStore, case_id: str, actor: str, role: str | None) -> dict:
    """The case, if the caller may see it; NotFound otherwise (another advocate's case is as if absent)."""
    document = casework.case(case_id) if len(case_id) <= 64 else None
    if document is None or not domain.may_see(document.body, actor, role):
        raise NotFound(case_id)
    return document.body


def change(casework: CaseworkStore, case_id: str, actor: str, role: str | None,
           decide: Callable[[dict, str], tuple[dict, list[Event]]]) -> dict:
    """Load the case the caller may see, let `decide(case, at)` change it, and save it with its events."""
    for _ in range(CONFLICT_RETRIES):
        document = casework.case(case_id) if len(case_id) <= 64 else None
        if document is None or not domain.may_see(document.body, actor, role):
            raise NotFound(case_id)
        changed, events = decide(document.body, timestamp())
        try:
            casework.store.commit(Put.update(document, changed), events=events)
            return changed
        except VersionConflict:
            continue
    raise VersionConflict(f"case {case_id} kept changing; try again")


def agree_plan(case: dict, at: str, body: dict, by: str) -> tuple[dict, list[Event]]:
    changed = domain.agree_plan(case, body.get("text", ""), body.get("agreed_with_child"), by, at)
    return changed, [_event("case.plan_agreed", changed, version=changed["plan"]["version"])]


def raise_issue(case: dict, at: str, body: dict, by: str) -> tuple[dict, list[Event]]:
    issue_id = new_id()
    changed = domain.raise_issue(case, issue_id, body.get("theme"), body.get("description", ""), by, at)
    return changed, [_event("case.issue_raised", changed, issue_id=issue_id, theme=body["theme"])]


def conclude_issue(case: dict, at: str, body: dict, by: str, issue_id: str) -> tuple[dict, list[Event]]:
    changed, issue = domain.conclude_issue(case, issue_id, body.get("outcome"), body.get("note", ""), by, at)
    return changed, [_event("case.issue_concluded", changed, issue_id=issue_id, theme=issue["theme"],
                            outcome=issue["outcome"])]


def record_activity(case: dict, at: str, body: dict, by: str) -> tuple[dict, list[Event]]:
    changed = domain.record_activity(case, body.get("kind"), body.get("contribution"), body.get("note", ""),
                                     body.get("happened_at"), by, at)
    return changed, [_event("case.activity_recorded", changed, kind=body["kind"], contribution=body["contribution"])]


def signpost(case: dict, at: str, body: dict, by: str) -> tuple[dict, list[Event]]:
    changed = domain.signpost(case, body.get("to"), body.get("note", ""), by, at)
    return changed, [_event("case.signposted", changed, to=body["to"])]


def request_advocate_change(case: dict, at: str, body: dict, by: str) -> tuple[dict, list[Event]]:
    request_id = new_id()
    changed = domain.request_advocate_change(case, request_id, body.get("reason", ""), by, at)
    return changed, [_event("case.advocate_change_requested", changed, request_id=request_id)]


def decide_advocate_change(case: dict, at: str, body: dict, by: str, role: str | None,
                           request_id: str) -> tuple[dict, list[Event]]:
    changed = domain.decide_advocate_change(case, request_id, body.get("result"), body.get("new_advocate_email"),
                                            body.get("reason", ""), role, by, at)
    return changed, [_event("case.advocate_change_decided", changed, request_id=request_id, result=body["result"],
                            advocate_email=changed["advocate_email"])]


def record_disclosure(case: dict, at: str, body: dict, by: str, role: str | None) -> tuple[dict, list[Event]]:
    changed = domain.record_disclosure(case, body, role, by, at)
    return changed, [_event("case.disclosure_recorded", changed, reason=body["reason"],
                            child_told=body["child_told"])]


def close(case: dict, at: str, body: dict, by: str) -> tuple[dict, list[Event]]:
    changed = domain.close(case, body.get("outcome"), body.get("satisfaction"), body.get("feedback", ""), by, at)
    return changed, [_event("case.closed", changed, outcome=body["outcome"],
                            satisfaction=changed["closure"]["satisfaction"], closed_at=at)]
