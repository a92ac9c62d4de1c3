"""The reporting service's event handlers and reads, each handler `(event, uow)` (shared/unit_of_work).

Every fact is kept once, by its event's id, so a fact delivered twice counts once; its referral's journey takes it
in the same handling. A rebuild makes every journey again from the facts kept.
"""

from __future__ import annotations

from datetime import datetime
from typing import Sequence

from shared.clock import now
from shared.contracts import Event
from shared.councils import CouncilRegister
from shared.errors import NotFound
from shared.unit_of_work import UnitOfWork

from services.reporting import domain
from services.reporting.store import CASES, COMPLAINTS, FACTS, JOURNEYS, MESSAGES, ReportingStore

NAME = "reporting"


class ScopeNotFound(NotFound):
    code = "report.scope_not_found"
    detail_format = "No such council or region."


class UnknownComplaint(Exception):
    """A complaint's fact came before its receipt, which names its council: handled again after a moment."""


def record(event: Event, uow: UnitOfWork) -> None:
    """On a fact the template counts: keep its codes and dates, once, and follow it on its referral's journey (or
    its complaint's time limits)."""
    if event.type in domain.COMPLAINT_FACTS:
        return _record_of_complaint(event, uow)
    if event.type in domain.MESSAGE_FACTS:
        return _record_of_message(event, uow)
    kept = domain.fact(event.type, event.data, event.occurred_at)
    if event.type == "meeting.took_place":  # held in the language and at the kind of venue it was arranged with
        journey = uow.get(JOURNEYS, kept["referral_id"])
        arranged = journey.body if journey else {}
        kept.update(language=arranged.get("meeting_language"), venue_type=arranged.get("meeting_venue_type"))
    uow.create(FACTS, event.id, kept, last=False)
    if kept["referral_id"]:
        uow.change(JOURNEYS, kept["referral_id"], lambda journey: _decided(domain.journey_after(journey, kept)),
                   initial={})
    if event.type in domain.CASE_FACTS:
        uow.change(CASES, kept["case_id"], lambda case: _decided(domain.case_after(case, kept)), initial={})


def _record_of_complaint(event: Event, uow: UnitOfWork) -> None:
    complaint_id = event.data["complaint_id"]
    known = uow.get(COMPLAINTS, complaint_id)
    complaint = known.body if known else {}
    if event.type != "complaint.received" and "council" not in complaint:
        raise UnknownComplaint(complaint_id)
    kept = domain.fact(event.type, event.data, event.occurred_at, council=complaint.get("council"))
    if event.type == "complaint.responded":
        kept["within_time_limit"] = domain.within_time_limit(complaint, kept)
    uow.create(FACTS, event.id, kept, last=False)
    uow.change(COMPLAINTS, complaint_id, lambda current: _decided(domain.complaint_after(current, kept)), initial={})


class UnknownMessage(Exception):
    """A message's fact came before what it needs (its receipt, or when its answer was due): handled again after a
    moment."""


def _record_of_message(event: Event, uow: UnitOfWork) -> None:
    """A message's facts under its council; its clock's in the quarter it came, its answer in time or not."""
    message_id = event.data["message_id"]
    known = uow.get(MESSAGES, message_id)
    message = known.body if known else {}
    data = dict(event.data)
    if event.type == "message.response_scheduled":
        if "received_at" not in message:
            raise UnknownMessage(message_id)
        data.update(council=message["council"], received_at=message["received_at"])
    elif event.type == "message.answered" and "respond_by" not in message:
        raise UnknownMessage(message_id)
    kept = domain.fact(event.type, data, event.occurred_at)
    if event.type == "message.answered":
        kept["in_time"] = datetime.fromisoformat(kept["at"]) <= datetime.fromisoformat(message["respond_by"])
    uow.create(FACTS, event.id, kept, last=False)
    uow.change(MESSAGES, message_id, lambda current: _decided(domain.message_after(current, kept)), initial={})


def _decided(changed: dict | None) -> tuple[dict, list] | None:
    return None if changed is None else (changed, [])


def rebuild(uow: UnitOfWork) -> int:
    """Make every journey, case, complaint's time limits and message's clock again from the facts kept, as if each had just arrived; how
    many facts were read."""
    made: dict[tuple[str, str], dict] = {}
    read = 0
    for document in ReportingStore(uow).every_fact():
        read += 1
        kept = document.body
        if kept["type"] in domain.CASE_FACTS and kept.get("case_id"):
            current = made.get((CASES, kept["case_id"]), {})
            made[(CASES, kept["case_id"])] = domain.case_after(current, kept) or current
        if kept.get("referral_id"):
            key, follow = (JOURNEYS, kept["referral_id"]), domain.journey_after
        elif kept.get("complaint_id"):
            key, follow = (COMPLAINTS, kept["complaint_id"]), domain.complaint_after
        elif kept.get("message_id"):
            key, follow = (MESSAGES, kept["message_id"]), domain.message_after
        else:
            continue
        current = made.get(key, {})
        made[key] = follow(current, kept) or current
    for (collection, id_), body in made.items():
        uow.change(collection, id_, lambda stored, body=body: None if stored == body else (body, []), initial={})
    return read


def scope_councils(councils: CouncilRegister, council: str | None, region: str | None) -> list[str] | None:
    """The councils a report covers: one council, a region's councils, or every council (None)."""
    if council is not None:
        if councils.get(council) is None:
            raise ScopeNotFound(council)
        return [council]
    if region is not None:
        codes = [c.code for c in councils.all() if c.region == region]
        if not codes:
            raise ScopeNotFound(region)
        return codes
    return None


def report(reporting: ReportingStore, period: domain.Period, councils: Sequence[str] | None) -> dict:
    """The template's figures for the period, beside the period before's; capacity as at the period's end, or now
    while it is not over."""
    def counted(of: domain.Period) -> dict:
        return {**domain.template(reporting.facts(of.quarters, councils, domain.COUNTED),
                                  reporting.journeys(of.quarters, councils), of),
                "capacity": domain.capacity(reporting.journeys(domain.quarters_until(of), councils),
                                            reporting.cases(councils), min(domain.end_of(of.last_day), now()))}

    return {"period": period.described(), **counted(period),
            "period_before": {"period": period.before().described(), **counted(period.before())}}
