"""The reporting service's internal API, called by the gateway: the template's counts for a period and a scope.
Counts only, never a name; a council's system reads its own council alone, staff as the gateway let them through."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from shared.web import ROLE_HEADER, Problem, caller_council

from services.reporting import domain, handlers
from services.reporting.store import ReportingStore

blueprint = Blueprint("reporting", __name__)
READERS = ("manager", "commissioner")
"""The staff who read reports (a commissioner within the scope the gateway bound them to); councils read their own."""


@blueprint.before_request
def _who_may():
    if caller_council() is None and request.headers.get(ROLE_HEADER) not in READERS:
        raise Problem(403, "Reports are read by the provider's managers, commissioners and councils.")


def _report(annual: bool):
    period = domain.period(request.args.get("year"), request.args.get("quarter"), annual=annual)
    council, region = request.args.get("council") or None, request.args.get("region") or None
    if council and region:
        raise Problem(422, "Ask for a council or a region, not both.",
                      errors={"region": ["Leave this out when asking for a council."]})
    own = caller_council()
    if own is not None and (region or (council or own) != own):
        raise handlers.ScopeNotFound(council or region)  # wider than the caller's scope reads as not there
    council = council or own
    councils = handlers.scope_councils(current_app.extensions["llais.councils"], council, region)
    scope = ({"kind": "council", "code": council} if council else {"kind": "region", "code": region} if region
             else {"kind": "provider", "code": None})
    return {"scope": scope, **handlers.report(ReportingStore(current_app.extensions["llais.store"]), period, councils)}


@blueprint.get("/reports/quarterly")
def quarterly():
    return _report(annual=False)


@blueprint.get("/reports/annual")
def annual():
    return _report(annual=True)
