"""A message's response clock: counted in the service's published working hours (weekends and the nation's bank
holidays skipped), from the next opening when the message came out of hours; at risk, missed and met once each."""

from __future__ import annotations

from datetime import datetime

from shared.clock import LONDON
from shared.contracts import new_event
from services.scheduling import message_clocks
from services.scheduling.message_clocks import in_hours, response_clock, working_time_after
from services.scheduling.store import MESSAGE_CLOCKS
from tests.unit.fakes import FakeUnitOfWork, run


def london(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def test_in_hours_is_a_working_day_between_opening_and_closing():
    assert in_hours(london("2026-12-07T09:00"), "wales")  # a Monday as it opens
    assert not in_hours(london("2026-12-07T17:00"), "wales")  # as it closes
    assert not in_hours(london("2026-12-07T08:59"), "wales")
    assert not in_hours(london("2026-12-05T11:00"), "wales")  # a Saturday
    assert not in_hours(london("2026-12-25T11:00"), "wales")  # Christmas Day
    assert in_hours(london("2026-12-07T19:30"), "wales", ("08:00", "20:00"))  # the published hours decide


def test_a_day_of_working_hours_from_a_message_in_hours_ends_the_next_working_day_at_that_time():
    assert working_time_after(london("2026-12-07T10:00"), 8 * 60, "wales") == london("2026-12-08T10:00")
    # Friday afternoon runs over the weekend to Monday
    assert working_time_after(london("2026-12-04T15:00"), 8 * 60, "wales") == london("2026-12-07T15:00")


def test_out_of_hours_the_clock_starts_at_the_next_opening():
    # left on the answer-phone on Friday night: four working hours are Monday morning's
    assert working_time_after(london("2026-12-04T21:30"), 4 * 60, "wales") == london("2026-12-07T13:00")
    # on Christmas Eve after closing: Christmas Day, Boxing Day and the weekend are skipped
    assert working_time_after(london("2026-12-24T18:00"), 60, "wales") == london("2026-12-29T10:00")


def test_the_clock_falls_at_risk_with_a_quarter_of_the_time_left():
    clock = response_clock(london("2026-12-07T09:00"), "wales", response_hours=8)["respond_by"]
    assert datetime.fromisoformat(clock["due_at"]) == london("2026-12-07T17:00")
    assert datetime.fromisoformat(clock["at_risk_at"]) == london("2026-12-07T15:00")
    assert clock["state"] == "pending"


def received(at: str = "2026-12-04T21:30:00+00:00"):
    return new_event("message.received", {
        "message_id": "m1", "channel": "answer_phone", "from_whom": "child", "language": "cy", "council": "CARDIFF",
        "region": "cardiff-vale", "nation": "wales", "received_at": at}, producer="referral", subject="message:m1")


def test_a_message_out_of_hours_is_said_so_once_with_when_its_answer_is_due():
    uow = FakeUnitOfWork()
    for _ in range(2):
        run(message_clocks.start_message_clock, received(), uow.handling_of(received()))
    scheduled = [event for event in uow.events if event.type == "message.response_scheduled"]
    assert len(scheduled) == 1
    assert scheduled[0].data["out_of_hours"] is True
    assert datetime.fromisoformat(scheduled[0].data["respond_by"]) == london("2026-12-07T17:00")


def test_the_clock_goes_at_risk_then_missed_and_an_answer_stops_it():
    uow = FakeUnitOfWork()
    event = received("2026-12-07T10:00:00+00:00")
    run(message_clocks.start_message_clock, event, uow.handling_of(event))
    assert uow.body(MESSAGE_CLOCKS, "m1")["clock_open"] is True
    message_clocks.tick(uow.handling_of(None), london("2026-12-08T08:00"))
    assert uow.types()[-1] == "message.deadline_at_risk"
    message_clocks.tick(uow.handling_of(None), london("2026-12-08T11:00"))
    assert uow.types()[-1] == "message.deadline_missed"
    assert uow.events[-1].data == {"message_id": "m1", "deadline": "respond_by",
                                   "due_at": london("2026-12-08T10:00").isoformat()}

    answered_uow = FakeUnitOfWork()
    run(message_clocks.start_message_clock, event, answered_uow.handling_of(event))
    answer = new_event("message.answered", {"message_id": "m1", "council": "CARDIFF",
                                            "answered_at": "2026-12-07T11:00:00+00:00"},
                       producer="referral", subject="message:m1")
    run(message_clocks.message_answered, answer, answered_uow.handling_of(answer))
    assert answered_uow.body(MESSAGE_CLOCKS, "m1")["clocks"]["respond_by"]["state"] == "met"
    assert answered_uow.body(MESSAGE_CLOCKS, "m1")["clock_open"] is False
    message_clocks.tick(answered_uow.handling_of(None), london("2026-12-09T11:00"))
    assert answered_uow.types() == ["message.response_scheduled"]
