"""Casework's handlers in memory: a case opens once, for the advocate the referral was allocated to; another
advocate's case is as if absent; each step commits the case with the event that says what happened."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from shared.contracts import new_event
from services.casework import domain, handlers, history
from services.casework.commands import ChangeCase, OpenCase
from services.casework.store import CASES, REFERRALS
from tests.unit.fakes import FakeUnitOfWork, run

ADVOCATE = "advocate@provider.example"
CONSENT = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
           "share_outcome_with_referrer": True}


def heard_of(uow: FakeUnitOfWork, referral_id: str = "r1", kind: str = "issue_based") -> None:
    received = new_event("referral.received", {
        "referral_id": referral_id, "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": kind, "basis": "looked_after", "external_ref": None, "received_at": "2026-11-23T09:00:00+00:00",
        "statutory_meeting_at": None, "preferred_language": "cy", "consent": CONSENT, "source": "active_offer"},
        producer="referral", subject=f"referral:{referral_id}")
    run(handlers.remember_referral, received, uow.handling_of(received))
    allocation = new_event("referral.allocated", {
        "referral_id": referral_id, "council": "CARDIFF", "advocate_email": ADVOCATE,
        "allocated_at": "2026-11-23T09:05:00+00:00"}, producer="referral", subject=f"referral:{referral_id}")
    run(handlers.referral_allocated, allocation, uow.handling_of(allocation))


def test_what_casework_keeps_of_a_referral_is_kept_once_and_follows_its_allocation():
    uow = FakeUnitOfWork()
    heard_of(uow)
    heard_of(uow)
    assert uow.body(REFERRALS, "r1")["advocate_email"] == ADVOCATE
    assert len(uow.handled) == 4 and uow.events == []


def test_an_allocation_heard_before_its_referral_waits_for_it():
    uow = FakeUnitOfWork()
    allocation = new_event("referral.allocated", {
        "referral_id": "r9", "council": "CARDIFF", "advocate_email": ADVOCATE,
        "allocated_at": "2026-11-23T09:05:00+00:00"}, producer="referral", subject="referral:r9")
    with pytest.raises(handlers.NotFound):
        run(handlers.referral_allocated, allocation, uow.handling_of(allocation))
    assert uow.handled == []


def test_a_case_opens_once_for_the_allocated_advocate():
    uow = FakeUnitOfWork()
    heard_of(uow)
    with pytest.raises(domain.NotAllowed):
        handlers.open_case(OpenCase("r1", True, "other@provider.example", "advocate"), uow)
    case = handlers.open_case(OpenCase("r1", True, ADVOCATE, "advocate"), uow)
    assert uow.types() == ["case.opened"] and uow.events[0].data["case_id"] == case["id"]
    with pytest.raises(domain.CaseStateForbids):
        handlers.open_case(OpenCase("r1", True, ADVOCATE, "advocate"), uow)
    assert uow.types() == ["case.opened"]


def test_a_step_on_a_case_commits_its_event_and_another_advocates_case_is_as_if_absent():
    uow = FakeUnitOfWork()
    heard_of(uow)
    case = handlers.open_case(OpenCase("r1", True, ADVOCATE, "advocate"), uow)
    with pytest.raises(handlers.NotFound):
        handlers.agree_plan(ChangeCase(case["id"], {"text": "Help at school"}, "other@provider.example",
                                       "advocate"), uow)
    planned = handlers.agree_plan(ChangeCase(case["id"], {"text": "Help at school", "agreed_with_child": True},
                                             ADVOCATE, "advocate"), uow)
    assert uow.types()[-1] == "case.plan_agreed" and uow.events[-1].data["version"] == planned["plan"]["version"]
    assert uow.body(CASES, case["id"]) == planned
    with pytest.raises(handlers.NotFound):
        handlers.agree_plan(ChangeCase("x" * 65, {"text": "t"}, ADVOCATE, "advocate"), uow)


def test_an_activity_recorded_after_it_happened_carries_when_it_happened_in_its_event():
    uow = FakeUnitOfWork()
    heard_of(uow)
    case = handlers.open_case(OpenCase("r1", True, ADVOCATE, "advocate"), uow)
    handlers.record_activity(ChangeCase(case["id"], {"kind": "call", "contribution": "own",
                                                     "happened_at": case["opened_at"]}, ADVOCATE, "advocate"), uow)
    assert uow.types()[-1] == "case.activity_recorded"
    assert uow.events[-1].version == 2 and uow.events[-1].data["happened_at"] == case["opened_at"]
    before = uow.events[-1]
    with pytest.raises(domain.CaseRefused):
        handlers.record_activity(ChangeCase(case["id"], {"kind": "call", "contribution": "own",
                                                         "happened_at": "2020-01-01T10:00:00+00:00"},
                                            ADVOCATE, "advocate"), uow)
    assert uow.events[-1] is before and len(uow.body(CASES, case["id"])["activities"]) == 1, "nothing changed"
    handlers.record_activity(ChangeCase(case["id"], {"kind": "visit", "contribution": "jointly"}, ADVOCATE,
                                        "advocate"), uow)
    assert uow.events[-1].data["happened_at"] == uow.body(CASES, case["id"])["activities"][-1]["at"]


def test_a_case_closed_says_who_closed_it_in_its_event_and_in_the_history_it_is_recalled_from():
    uow = FakeUnitOfWork()
    heard_of(uow)
    case = handlers.open_case(OpenCase("r1", True, ADVOCATE, "advocate"), uow)
    closed = handlers.close(ChangeCase(case["id"], {"outcome": "issues_resolved"}, ADVOCATE, "advocate"), uow)
    event = uow.events[-1]
    assert (event.type, event.version, event.data["by"]) == ("case.closed", 2, ADVOCATE)
    (recalled,) = [e for e in history.of_case(closed, before=datetime.now(timezone.utc) + timedelta(days=1))
                   if e.type == "case.closed"]
    assert recalled.data["by"] == ADVOCATE
