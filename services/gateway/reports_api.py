"""The reports API (API.md, "Reports"): the National Reporting Template's counts, never names. A council's key reads
its own council's figures; a commissioner the council or the region they are bound to (and a region's councils);
a manager every scope. A scope wider than the caller's is 404."""

from __future__ import annotations

from flask import Blueprint, current_app, g, request

from shared.web import Problem, settings

from services.gateway import domain, in_flight, report_files
from services.gateway.access import audit, gateway_store, purpose, requires
from services.gateway.forwarding import checked_query, forward, respond
from services.gateway.schemas import AnnualReportQuerySchema, QuarterlyReportQuerySchema

blueprint = Blueprint("reports_api", __name__, url_prefix="/api/v1")
READERS = ("manager", "commissioner")


def within_scope(principal: domain.Principal, query: dict[str, str]) -> dict[str, str]:
    """The query as a commissioner may ask it: within their council or region, which it names when it names none;
    404 for anything wider. Council keys are held to their council by the reporting service itself."""
    if principal.role != "commissioner":
        return query
    council, region = query.get("council"), query.get("region")
    if principal.council:
        if region or council not in (None, principal.council):
            raise Problem(404, "No such report here.")
        return {**query, "council": principal.council}
    if region not in (None, principal.region) or (council and _region_of(council) != principal.region):
        raise Problem(404, "No such report here.")
    return query if council else {**query, "region": principal.region}


def _region_of(council: str) -> str | None:
    found = current_app.extensions["llais.councils"].get(council)
    return found.region if found else None


def _report(period: str, schema) -> object:
    query = within_scope(g.principal, checked_query(schema))
    publication = query.pop("publication", None)
    wanted = request.accept_mimetypes.best_match(["application/json", report_files.CSV, report_files.WORKBOOK],
                                                 default="application/json")
    in_flight.wait_for_everything(gateway_store(), current_app.extensions["llais.settler"])  # figures of every caller
    status, payload, content_type = forward("reporting", "GET", f"/reports/{period}", params=query)
    audit(f"read {period} report", None, status, purpose())
    if status != 200:
        return respond(status, payload, content_type)
    payload = report_files.as_read(payload, publication, settings().report_suppress_below,
                                   exact=g.principal.role == "manager")
    if wanted == "application/json":
        return respond(status, payload)
    from services.gateway.web.reports import file_words  # the pages' words (they import this module)

    return report_files.download(payload, period, wanted, words=file_words(payload))


@blueprint.get("/reports/quarterly")
@requires(council=True, roles=READERS)
def quarterly_report():
    return _report("quarterly", QuarterlyReportQuerySchema())


@blueprint.get("/reports/annual")
@requires(council=True, roles=READERS)
def annual_report():
    return _report("annual", AnnualReportQuerySchema())
