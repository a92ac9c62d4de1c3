"""Complaints' time limits, counted in working days: acknowledge and answer at the first stage, answer again at the
second; met by the complaint's events, stopped when it closes. A compliment has none."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from shared.contracts import Event
from shared.unit_of_work import UnitOfWork

from services.scheduling import clocks, domain
from services.scheduling.store import COMPLAINT_CLOCKS

SECOND_STAGE = "stage_2_respond_by"
DAYS = (2, 10)
"""The working days to acknowledge and to answer, unless the settings say otherwise."""


def start_complaint_clock(event: Event, uow: UnitOfWork, *, days: tuple[int, int] = DAYS) -> None:
    """On `complaint.received`: count its time limits (acknowledge, answer) in working days, and say when they fall."""
    data = event.data
    if data["kind"] == "compliment":
        return
    started = domain.complaint_clocks(datetime.fromisoformat(data["received_at"]), data["nation"], *days)
    scheduled = clocks.event("complaint.deadlines_scheduled", {
        "complaint_id": data["complaint_id"], **{name: clock["due_at"] for name, clock in started.items()}},
        f"complaint:{data['complaint_id']}", event)
    clocks.start(uow, COMPLAINT_CLOCKS, data["complaint_id"],
                 {"complaint_id": data["complaint_id"], "nation": data["nation"], "clocks": started}, scheduled)


def start_second_stage_clock(event: Event, uow: UnitOfWork, *, days: tuple[int, int] = DAYS) -> None:
    """On `complaint.escalated`: the answer at the second stage is due within the same working days as the first,
    counted from the escalation; say when it falls."""
    complaint_id = event.data["complaint_id"]

    def decide(body: dict):
        if SECOND_STAGE in body["clocks"]:
            return None
        clock = domain.second_stage_clock(datetime.fromisoformat(event.data["escalated_at"]), body["nation"],
                                          days[1])
        scheduled = clocks.event("complaint.second_stage_scheduled", {"complaint_id": complaint_id,
                                                                      "respond_by": clock["due_at"]},
                                 f"complaint:{complaint_id}", event)
        started = {**body["clocks"], SECOND_STAGE: clock}
        return {**body, "clocks": started, **domain.due_fields(started)}, [scheduled]

    uow.change(COMPLAINT_CLOCKS, complaint_id, decide,
               missing=lambda: domain.NotFound(f"no clock for complaint {complaint_id} yet"))


def _met(at_field: str, clock_of: Callable[[dict], str]) -> Callable[[Event, UnitOfWork], None]:
    def handler(event: Event, uow: UnitOfWork) -> None:
        if event.data["kind"] == "compliment":
            return
        name = clock_of(event.data)

        def decide(clock: dict) -> dict | None:
            if name not in clock["clocks"]:  # its escalation is still on its way: try again after it
                raise domain.NotFound(f"no {name} clock for complaint {event.data['complaint_id']} yet")
            met = domain.met(clock["clocks"], name, event.data[at_field])
            return None if met is None else {**clock, "clocks": met}

        clocks.change(uow, event, decide, COMPLAINT_CLOCKS, "complaint_id")

    handler.__name__ = f"complaint_{at_field}"
    return handler


complaint_acknowledged = _met("acknowledged_at", lambda data: "acknowledge_by")
complaint_answered = _met("responded_at", lambda data: "respond_by" if data["stage"] == 1 else SECOND_STAGE)


def complaint_closed(event: Event, uow: UnitOfWork) -> None:
    if event.data["kind"] == "compliment":
        return
    clocks.change(uow, event, lambda clock: None if not domain.open_clocks(clock["clocks"]) else
                  {**clock, "clocks": domain.stop(clock["clocks"])}, COMPLAINT_CLOCKS, "complaint_id")


def tick(uow: UnitOfWork, moment: datetime) -> int:
    """Say which complaints' time limits have become at risk or been missed by `moment`."""
    return clocks.tick(uow, COMPLAINT_CLOCKS, moment, _deadline_event)


def _deadline_event(clock: dict, kind: str, name: str, due: str) -> Event:
    return clocks.event(kind.replace("deadline.", "complaint.deadline_"), {
        "complaint_id": clock["complaint_id"], "deadline": name, "due_at": due}, f"complaint:{clock['complaint_id']}")
