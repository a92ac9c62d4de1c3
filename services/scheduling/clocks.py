"""What scheduling's clocks (referrals' deadlines, complaints' time limits) do alike: start once, change as the
events that meet or stop them arrive, tick when due, and keep the fields the clock job finds them by."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from shared.contracts import Event, new_event
from shared.unit_of_work import UnitOfWork

from services.scheduling import domain
from services.scheduling.store import SchedulingStore

NAME = "scheduling"


def event(event_type: str, data: dict, subject: str, cause: Event | None = None) -> Event:
    if cause is not None:
        return cause.follow(event_type, data, producer=NAME, subject=subject)
    return new_event(event_type, data, producer=NAME, subject=subject)


def start(uow: UnitOfWork, collection: str, key: str, body: dict, said: Event) -> None:
    """Start a clock once, with the event that says when it falls due (a redelivery finds it started)."""
    uow.create(collection, key, {**body, **domain.due_fields(body["clocks"])}, [said])


def change(uow: UnitOfWork, event_: Event, decide: Callable[[dict], dict | None], collection: str,
           key: str) -> None:
    """Change the clocks the event is about as `decide` says (None: nothing to change), keeping their due fields."""
    def decision(body: dict):
        changed = decide(body)
        if changed is None:
            return None
        return {**changed, **domain.due_fields(changed["clocks"], closed=bool(changed.get("closed")))}, []

    uow.change(collection, event_.data[key], decision,
               missing=lambda: domain.NotFound(f"no clock for {key} {event_.data[key]} yet"))


def tick(uow: UnitOfWork, collection: str, moment: datetime,
         event_for: Callable[[dict, str, str, str], Event]) -> int:
    """Tick the clocks due by `moment` (found by their `next_due_at`), and date any that were not dated yet; each
    change is said once, however many workers tick: one that finds another ticked first leaves it."""
    said = 0
    for document in SchedulingStore(uow).due(domain.comparable(moment), collection):
        clocks, changes = domain.tick(document.body["clocks"], moment)
        due = domain.due_fields(clocks, closed=bool(document.body.get("closed")))
        if not changes and all(document.body.get(field) == value for field, value in due.items()):
            continue
        events = [event_for(document.body, kind, name, at) for kind, name, at in changes]
        if uow.update(document, {**document.body, "clocks": clocks, **due}, events):
            said += len(events)
    return said
