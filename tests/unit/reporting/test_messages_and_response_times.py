"""Response times for every kind of referral, each against its own time frames, and messages counted by channel, out
of hours and answered in the published time: from facts and journeys made here for the purpose, and through the
handler that keeps a message's facts under its council whatever order they come in."""

from __future__ import annotations

import pytest

from shared.contracts import new_event
from services.reporting import domain, handlers
from services.reporting.store import FACTS, MESSAGES
from tests.unit.fakes import FakeUnitOfWork, run

QUARTER = domain.Period(2026, 3)
DUE = {"acknowledge_by": "2026-10-06T23:59:59+01:00", "allocate_by": "2026-10-07T23:59:59+01:00",
       "first_contact_by": "2026-10-08T23:59:59+01:00", "meeting_by": "2026-10-19T23:59:59+01:00"}


def journey(kind: str, source: str | None, **reached) -> dict:
    return {"referral_id": f"{kind}-{source}-{len(reached)}", "council": "CARDIFF", "quarter": "2026Q3", "kind": kind,
            "source": source, "received_at": "2026-10-05T10:00:00+01:00", "due": DUE, **reached}


def test_each_kind_of_referral_is_timed_against_its_own_time_frames():
    journeys = [
        journey("active_offer", "social_worker", acknowledged_at="2026-10-05T10:05:00+01:00",
                allocated_at="2026-10-06T10:00:00+01:00", held_at="2026-10-12T10:00:00+01:00"),
        journey("issue_based", "iro", acknowledged_at="2026-10-05T10:05:00+01:00",
                allocated_at="2026-10-09T10:00:00+01:00", first_contact_at="2026-10-09T11:00:00+01:00"),
        journey("issue_based", "self", acknowledged_at="2026-10-05T11:00:00+01:00",
                allocated_at="2026-10-06T10:00:00+01:00"),
        journey("issue_based", "active_offer"),  # a take-up's follow-on: the Active Offer's own work
    ]
    timed = domain.response_times_by_kind(journeys)
    assert {kind: figures["received"] for kind, figures in timed.items()} == {
        "active_offer": 1, "issue_based": 1, "self_referral": 1}
    assert timed["issue_based"]["allocation"] == {"reached": 1, "median_days": 4.0, "within_time_frame": 0.0}
    assert timed["issue_based"]["first_contact_attempt"]["within_time_frame"] == 0.0
    assert timed["self_referral"]["acknowledgement"]["within_time_frame"] == 1.0
    assert timed["self_referral"]["allocation"]["within_time_frame"] == 1.0
    assert "meeting_held" not in timed["issue_based"] and timed["active_offer"]["meeting_held"]["reached"] == 1
    report = domain.template([], journeys, QUARTER)
    assert report["response_times"]["allocation"]["reached"] == 1  # the Active Offer figures stand as they were
    assert report["response_times_by_kind"] == timed


def message_event(event_type: str, **data):
    return new_event(event_type, {"message_id": "m1", **data}, producer="referral", subject="message:m1")


RECEIVED = dict(channel="answer_phone", from_whom="child", language="cy", council="CARDIFF", region="cardiff-vale",
                nation="wales", received_at="2026-10-09T21:00:00+01:00")


def test_a_messages_facts_are_kept_under_its_council_whatever_order_they_come_in():
    uow = FakeUnitOfWork()
    scheduled = message_event("message.response_scheduled", out_of_hours=True,
                              respond_by="2026-10-12T17:00:00+01:00")
    answered = message_event("message.answered", council="CARDIFF", answered_at="2026-10-12T12:00:00+01:00")
    for early in (scheduled, answered):  # before the receipt: tried again later
        with pytest.raises(handlers.UnknownMessage):
            run(handlers.record, early, uow.handling_of(early))
    for event in (message_event("message.received", **RECEIVED), scheduled, answered):
        run(handlers.record, event, uow.handling_of(event))
    facts = [document.body for document in uow.find(FACTS, None, limit=100)]
    assert {f["type"]: (f["council"], f["quarter"]) for f in facts} == {
        "message.received": ("CARDIFF", "2026Q3"), "message.response_scheduled": ("CARDIFF", "2026Q3"),
        "message.answered": ("CARDIFF", "2026Q3")}
    assert next(f for f in facts if f["type"] == "message.answered")["in_time"] is True
    assert all("note" not in f for f in facts)

    figures = domain.template(facts, [], QUARTER)["messages"]
    assert figures["messages_received"] == 1 and figures["by_channel"]["answer_phone"] == 1
    assert figures["by_channel"]["walk_in"] == 0 and figures["in_welsh"] == 1
    assert (figures["out_of_hours"], figures["answered"], figures["answered_in_time"],
            figures["answered_in_time_share"]) == (1, 1, 1, 1.0)

    followed = uow.get(MESSAGES, "m1").body
    uow.change(MESSAGES, "m1", lambda _: ({"message_id": "m1"}, []))  # lost, as after a store restored in part
    handlers.rebuild(uow)
    assert uow.get(MESSAGES, "m1").body == followed, "a rebuild makes the message's clock again from its facts"


def test_a_late_answer_counts_as_answered_but_not_in_time():
    facts = [{"type": "message.received", "channel": "phone", "from_whom": "carer", "language": "en"},
             {"type": "message.answered", "in_time": False}, {"type": "message.answered", "in_time": True}]
    figures = domain.message_figures(domain.by_type(facts))
    assert (figures["answered"], figures["answered_in_time"], figures["answered_in_time_share"]) == (2, 1, 0.5)
    assert figures["by_whom"] == {"child": 0, "carer": 1, "professional": 0, "other": 0}
