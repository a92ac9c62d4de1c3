"""Messages' response clock: a message from a child or on their behalf (the answer-phone, a call, a text...) is
answered within the working hours the provider publishes, counted from when it came or, out of hours, from the next
opening; at risk when a quarter of that time is left, missed after it; met when staff record the answer.

The working hours are the service's published hours on working days: weekends and the nation's bank holidays are
not (domain.is_working_day, the rule every clock counts by)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Sequence

from shared.clock import LONDON
from shared.contracts import Event
from shared.contracts.messages import RESPOND_BY
from shared.unit_of_work import UnitOfWork

from services.scheduling import clocks, domain
from services.scheduling.store import MESSAGE_CLOCKS

HOURS = ("09:00", "17:00")
RESPONSE_HOURS = 8
"""The service's published working hours and the working hours to answer a message in, unless the settings say
otherwise (shared/config: LLAIS_WORKING_HOURS, LLAIS_MESSAGE_RESPONSE_HOURS)."""


def _at(day: date, clock_time: str) -> datetime:
    hours, minutes = (int(part) for part in clock_time.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=LONDON)


def in_hours(moment: datetime, nation: str, hours: Sequence[str] = HOURS) -> bool:
    """Whether `moment` falls within the service's published working hours: on a working day of the nation, from
    opening to closing (London time)."""
    local = moment.astimezone(LONDON)
    day = local.date()
    return domain.is_working_day(day, nation) and _at(day, hours[0]) <= local < _at(day, hours[1])


def working_time_after(start: datetime, minutes: int, nation: str, hours: Sequence[str] = HOURS) -> datetime:
    """The moment `minutes` of working hours after `start` (out of hours, counting from the next opening)."""
    moment, left = start.astimezone(LONDON), timedelta(minutes=minutes)
    while True:
        day = moment.date()
        opens, closes = _at(day, hours[0]), _at(day, hours[1])
        if not domain.is_working_day(day, nation) or moment >= closes:
            moment = _at(day + timedelta(days=1), hours[0])
            continue
        moment = max(moment, opens)
        if left <= closes - moment:
            return moment + left
        left -= closes - moment
        moment = _at(day + timedelta(days=1), hours[0])


def response_clock(received_at: datetime, nation: str, hours: Sequence[str] = HOURS,
                   response_hours: int = RESPONSE_HOURS) -> dict[str, dict]:
    """A message's clock as it starts: the answer due `response_hours` working hours after it came, at risk with a
    quarter of that time left."""
    minutes = response_hours * 60
    return {RESPOND_BY: {"due_at": working_time_after(received_at, minutes, nation, hours).isoformat(),
                         "at_risk_at": working_time_after(received_at, minutes * 3 // 4, nation, hours).isoformat(),
                         "state": "pending"}}


def start_message_clock(event: Event, uow: UnitOfWork, *, hours: Sequence[str] = HOURS,
                        response_hours: int = RESPONSE_HOURS) -> None:
    """On `message.received`: start its response clock, and say when the answer is due and whether it came out of
    hours (`message.response_scheduled`)."""
    data = event.data
    received_at = datetime.fromisoformat(data["received_at"])
    started = response_clock(received_at, data["nation"], hours, response_hours)
    scheduled = clocks.event("message.response_scheduled", {
        "message_id": data["message_id"], "out_of_hours": not in_hours(received_at, data["nation"], hours),
        "respond_by": started[RESPOND_BY]["due_at"]}, f"message:{data['message_id']}", event)
    clocks.start(uow, MESSAGE_CLOCKS, data["message_id"], {"message_id": data["message_id"], "clocks": started},
                 scheduled)


def message_answered(event: Event, uow: UnitOfWork) -> None:
    """On `message.answered`: the clock is met (a redelivery, or an answer after it stopped, changes nothing)."""
    clocks.change(uow, event, lambda clock: None if (met := domain.met(
        clock["clocks"], RESPOND_BY, event.data["answered_at"])) is None else {**clock, "clocks": met},
        MESSAGE_CLOCKS, "message_id")


def tick(uow: UnitOfWork, moment: datetime) -> int:
    """Say which messages' answers have become at risk or been missed by `moment`."""
    return clocks.tick(uow, MESSAGE_CLOCKS, moment, _deadline_event)


def _deadline_event(clock: dict, kind: str, name: str, due: str) -> Event:
    return clocks.event(kind.replace("deadline.", "message.deadline_"), {
        "message_id": clock["message_id"], "deadline": name, "due_at": due}, f"message:{clock['message_id']}")
