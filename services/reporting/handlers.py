"""The reporting service's event handlers and reads, each handler `(event, uow)` (shared/unit_of_work).

Every fact is kept once, by its event's id, so a fact delivered twice counts once; its referral's journey takes it
in the same handling. A rebuild makes every journey again from the facts kept.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from shared.contracts import Event
from shared.councils import CouncilRegister
from shared.errors import NotFound
from shared.unit_of_work import UnitOfWork

from services.reporting import domain
from services.reporting.store import FACTS, JOURNEYS, ReportingStore

NAME = "reporting"


class ScopeNotFound(NotFound):
    code = "report.scope_not_found"
    detail_format = "No such council or region."


def record(event: Event, uow: UnitOfWork) -> None:
    """On a fact the template counts: keep its codes and dates, once, and follow it on its referral's journey."""
    kept = domain.fact(event.type, event.data, event.occurred_at)
    uow.create(FACTS, event.id, kept, last=False)
    if kept["referral_id"]:
        uow.change(JOURNEYS, kept["referral_id"], lambda journey: _followed(journey, kept), initial={})


def _followed(journey: Mapping, kept: Mapping) -> tuple[dict, list] | None:
    changed = domain.journey_after(journey, kept)
    return None if changed is None else (changed, [])


def rebuild(uow: UnitOfWork) -> int:
    """Make every journey again from the facts kept, as if each had just arrived; how many facts were read."""
    journeys: dict[str, dict] = {}
    read = 0
    for document in ReportingStore(uow).every_fact():
        read += 1
        kept = document.body
        if kept.get("referral_id"):
            current = journeys.get(kept["referral_id"], {})
            journeys[kept["referral_id"]] = domain.journey_after(current, kept) or current
    for referral_id, journey in journeys.items():
        uow.change(JOURNEYS, referral_id, lambda stored, made=journey: None if stored == made else (made, []),
                   initial={})
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
    """The template's figures for the period, beside the period before's."""
    def counted(of: domain.Period) -> dict:
        return domain.template(reporting.facts(of.quarters, councils), reporting.journeys(of.quarters, councils))

    return {"period": period.described(), **counted(period),
            "period_before": {"period": period.before().described(), **counted(period.before())}}
