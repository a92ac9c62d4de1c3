"""The case API (issue-based advocacy), in API.md's style: for the provider's advocates and managers only.

Councils and commissioners never reach a case's content: their credentials are refused here (403), and casework
refuses any call that is not from an advocate or a manager. Which advocate sees which case is casework's rule.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from shared.http import ServiceUnavailable
from shared.web import PROBLEM_JSON, Problem, json_body

from services.gateway import domain
from services.gateway.access import audit, gateway_store, identity_headers, purpose, requires
from services.gateway.forwarding import checked_query, forward, respond, service
from services.gateway.idempotency import idempotent
from services.gateway.schemas import (ActivitySchema, AdvocateChangeDecisionSchema, AdvocateChangeRequestSchema,
                                      CaseQuerySchema, ChildRecordQuerySchema, CloseCaseSchema, ConcludeIssueSchema,
                                      DisclosureSchema, IssueSchema, OpenCaseSchema, PlanSchema, SignpostSchema)
from services.gateway.web.child_record import render as render_child_record

blueprint = Blueprint("cases_api", __name__, url_prefix="/api/v1")
CASEWORKERS = domain.CASEWORKERS


def _case_command(path: str, schema, what: str, case_id: str | None) -> tuple[int, Any, str]:
    body = schema.dump(json_body(schema))
    status, payload, content_type = forward("casework", "POST", path, body=body)
    audit(what, case_id or (payload.get("id") if isinstance(payload, dict) else None), status, purpose())
    return status, payload, content_type


@blueprint.post("/cases")
@requires(roles=CASEWORKERS)
def open_case():
    return idempotent(lambda: _case_command("/cases", OpenCaseSchema(), "open case", None))


@blueprint.get("/cases")
@requires(roles=CASEWORKERS)
def list_cases():
    status, payload, content_type = forward("casework", "GET", "/cases", params=checked_query(CaseQuerySchema()))
    audit("list cases", None, status, purpose())
    return respond(status, payload, content_type)


@blueprint.get("/cases/<case_id>")
@requires(roles=CASEWORKERS)
def read_case(case_id: str):
    status, payload, content_type = forward("casework", "GET", f"/cases/{case_id}")
    audit("read case", case_id, status, purpose())
    return respond(status, payload, content_type)


@blueprint.get("/cases/<case_id>/record")
@requires(roles=CASEWORKERS)
def child_record(case_id: str):
    """The child's own record as a readable page in their language (or `?language=en|cy`)."""
    params = checked_query(ChildRecordQuerySchema())
    try:
        answer = service("casework").request("GET", f"/cases/{case_id}/record", params=params,
                                             headers=identity_headers())
    except ServiceUnavailable:
        raise Problem(503, "The casework service did not answer; try again shortly.") from None
    audit("read child's record", case_id, answer.status_code, purpose())
    if answer.status_code != 200:
        return respond(answer.status_code, answer.json(), answer.headers.get("Content-Type", PROBLEM_JSON))
    return Response(render_child_record(answer.json()), status=200, mimetype="text/html")


def _step(case_id: str, suffix: str, schema, what: str) -> Response:
    return respond(*_case_command(f"/cases/{case_id}{suffix}", schema, what, case_id))


@blueprint.post("/cases/<case_id>/plan")
@requires(roles=CASEWORKERS)
def agree_plan(case_id: str):
    return _step(case_id, "/plan", PlanSchema(), "agree case plan")


@blueprint.post("/cases/<case_id>/issues")
@requires(roles=CASEWORKERS)
def raise_issue(case_id: str):
    return idempotent(lambda: _case_command(f"/cases/{case_id}/issues", IssueSchema(), "raise issue", case_id))


@blueprint.post("/cases/<case_id>/issues/<issue_id>/conclude")
@requires(roles=CASEWORKERS)
def conclude_issue(case_id: str, issue_id: str):
    return _step(case_id, f"/issues/{issue_id}/conclude", ConcludeIssueSchema(), "conclude issue")


@blueprint.post("/cases/<case_id>/activities")
@requires(roles=CASEWORKERS)
def record_activity(case_id: str):
    return idempotent(lambda: _case_command(f"/cases/{case_id}/activities", ActivitySchema(), "record activity",
                                            case_id))


@blueprint.post("/cases/<case_id>/signposting")
@requires(roles=CASEWORKERS)
def signpost(case_id: str):
    return idempotent(lambda: _case_command(f"/cases/{case_id}/signposting", SignpostSchema(), "signpost",
                                            case_id))


@blueprint.post("/cases/<case_id>/advocate-change-requests")
@requires(roles=CASEWORKERS)
def request_advocate_change(case_id: str):
    return _step(case_id, "/advocate-change-requests", AdvocateChangeRequestSchema(), "request change of advocate")


@blueprint.post("/cases/<case_id>/advocate-change-requests/<request_id>/decide")
@requires(roles=CASEWORKERS)
def decide_advocate_change(case_id: str, request_id: str):
    body = json_body(AdvocateChangeDecisionSchema())
    if body.get("new_advocate_email"):
        advocate = gateway_store().user(body["new_advocate_email"])
        if advocate is None or advocate.body.get("disabled") or advocate.body["role"] not in CASEWORKERS:
            raise Problem(422, "Move the case to an advocate who has an account.",
                          errors={"new_advocate_email": ["No advocate has this email address."]})
    return _step(case_id, f"/advocate-change-requests/{request_id}/decide", AdvocateChangeDecisionSchema(),
                 "decide change of advocate")


@blueprint.post("/cases/<case_id>/disclosures")
@requires(roles=CASEWORKERS)
def record_disclosure(case_id: str):
    return _step(case_id, "/disclosures", DisclosureSchema(), "record disclosure")


@blueprint.post("/cases/<case_id>/close")
@requires(roles=CASEWORKERS)
def close_case(case_id: str):
    return _step(case_id, "/close", CloseCaseSchema(), "close case")
