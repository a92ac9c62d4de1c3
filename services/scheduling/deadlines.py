"""Each referral's deadline clocks: started on its receipt by its region's time frames, met or stopped by the
referral's events, and ticked by the clock job, which says (once) when one is at risk or missed."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from shared.clock import now
from shared.contracts import Event
from shared.store import Position
from shared.unit_of_work import UnitOfWork

from services.scheduling import clocks, complaint_clocks, domain
from services.scheduling.store import CASES, SchedulingStore


def open_case(event: Event, uow: UnitOfWork, *, regions: dict[str, domain.Timeframes] | None = None) -> None:
    """On `referral.received`: start the referral's deadline clocks, by its region's time frames, and say when
    they fall due."""
    data = event.data
    timeframes = (regions or {}).get(data["region"], domain.Timeframes())
    meeting = datetime.fromisoformat(data["statutory_meeting_at"]) if data.get("statutory_meeting_at") else None
    started = domain.case_clocks(datetime.fromisoformat(data["received_at"]), data["nation"], timeframes, meeting,
                                 data["kind"], data.get("source"))
    case = {"referral_id": data["referral_id"], "council": data["council"], "nation": data["nation"],
            "region": data["region"], "kind": data["kind"], "received_at": data["received_at"],
            "consent": data["consent"], "advocate_email": None, "closed": False, "clocks": started}
    scheduled = clocks.event("deadlines.scheduled", {
        "referral_id": data["referral_id"], "council": data["council"],
        "deadlines": {name: clock["due_at"] for name, clock in started.items()}}, f"referral:{data['referral_id']}",
        event)
    clocks.start(uow, CASES, data["referral_id"], case, scheduled)


def _change(event: Event, uow: UnitOfWork, decide: Callable[[dict], dict | None]) -> None:
    clocks.change(uow, event, decide, CASES, "referral_id")


def _meet(name: str, at_field: str) -> Callable[[Event, UnitOfWork], None]:
    def handler(event: Event, uow: UnitOfWork) -> None:
        def decide(case: dict) -> dict | None:
            met = domain.met(case["clocks"], name, event.data[at_field])
            return None if met is None else {**case, "clocks": met}

        _change(event, uow, decide)

    handler.__name__ = f"meet_{name}"
    return handler


meet_acknowledge_by = _meet("acknowledge_by", "acknowledged_at")
meet_first_contact_by = _meet("first_contact_by", "attempted_at")
meet_meeting_by = _meet("meeting_by", "held_at")


def case_allocated(event: Event, uow: UnitOfWork) -> None:
    def decide(case: dict) -> dict:
        met = domain.met(case["clocks"], "allocate_by", event.data["allocated_at"]) or case["clocks"]
        return {**case, "advocate_email": event.data["advocate_email"], "clocks": met}

    _change(event, uow, decide)


def case_closed(event: Event, uow: UnitOfWork) -> None:
    _change(event, uow, lambda case: None if case["closed"] else
            {**case, "closed": True, "consent": event.data["consent"], "clocks": domain.stop(case["clocks"])})


def late_meeting(uow: UnitOfWork, referral_id: str, late: bool) -> None:
    """A meeting now after the referral's meeting deadline puts the deadline at risk at once, and says so, so it
    shows where the deadlines needing attention do (once: a clock at risk already is left as it is)."""
    def decide(case: dict):
        risen = domain.at_risk_for_a_late_meeting(case, late)
        if risen is None:
            return None
        changed, said = risen
        return ({**changed, **domain.due_fields(changed["clocks"], closed=bool(changed.get("closed")))},
                [_deadline_event(changed, kind, name, due) for kind, name, due in said])

    if late:
        uow.change(CASES, referral_id, decide, missing=lambda: domain.NotFound(referral_id))


def run_clock(uow: UnitOfWork, at: datetime | None = None) -> int:
    """Say which deadlines (referrals' and complaints') have become at risk or been missed; each is said once,
    however many workers tick."""
    moment = at or now()
    return clocks.tick(uow, CASES, moment, _deadline_event) + complaint_clocks.tick(uow, moment)


def _deadline_event(case: dict, kind: str, name: str, due: str) -> Event:
    return clocks.event(kind, {"referral_id": case["referral_id"], "council": case["council"], "deadline": name,
                               "due_at": due}, f"referral:{case['referral_id']}")


def deadlines_needing_attention(scheduling: SchedulingStore, states: tuple[str, ...], advocate: str | None = None,
                                *, limit: int, after: Position | None = None) -> tuple[list[dict], Position | None]:
    """A page of the deadlines at risk, missed or due soon (of `states`) on referrals still open (closed ones' clocks
    have stopped), by referral in the order of their ids, each referral's soonest first."""
    where = {"closed": False, **({"advocate_email": advocate} if advocate else {})}
    moment = now()
    return scheduling.case_page(where, limit, after,
                                lambda document: domain.needing_attention(document.body, states, moment))
