"""The reports API (API.md, "Reports"): the National Reporting Template's counts, never names. A council's key reads
its own council's figures, a manager every scope; a scope wider than the caller's is 404."""

from __future__ import annotations

from flask import Blueprint

from services.gateway.access import audit, purpose, requires
from services.gateway.forwarding import checked_query, forward, respond
from services.gateway.schemas import AnnualReportQuerySchema, QuarterlyReportQuerySchema

blueprint = Blueprint("reports_api", __name__, url_prefix="/api/v1")
READERS = ("manager",)


def _report(period: str, schema) -> object:
    status, payload, content_type = forward("reporting", "GET", f"/reports/{period}", params=checked_query(schema))
    audit(f"read {period} report", None, status, purpose())
    return respond(status, payload, content_type)


@blueprint.get("/reports/quarterly")
@requires(council=True, roles=READERS)
def quarterly_report():
    return _report("quarterly", QuarterlyReportQuerySchema())


@blueprint.get("/reports/annual")
@requires(council=True, roles=READERS)
def annual_report():
    return _report("annual", AnnualReportQuerySchema())
