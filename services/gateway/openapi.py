"""The OpenAPI 3 document of the public API, generated from the marshmallow schemas that validate requests."""

from __future__ import annotations

import re

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from services.gateway import schemas

PROBLEM = {"application/problem+json": {"schema": "Problem"}}


def _json(schema: str) -> dict:
    return {"application/json": {"schema": schema}}


def _problems(*codes: int) -> dict:
    described = {
        400: "Malformed JSON.", 401: "No or bad credentials.", 403: "Role not allowed.",
        404: "Not found, or not yours.", 409: "Conflict with the current state.", 413: "Body too large.",
        415: "Not JSON.", 422: "Invalid fields or a rule broken; see `errors`.", 503: "A service did not answer.",
    }
    return {str(code): {"description": described[code], "content": PROBLEM} for code in codes}


IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "maxLength": 200},
               "description": "Repeat a creating request safely: the same key and body return the first answer."}


def _command(summary: str, request: str, answer: str, status: int, *, idempotent: bool) -> dict:
    return {"summary": summary, "security": [{"bearer": []}],
            "parameters": [IDEMPOTENCY] if idempotent else [],
            "requestBody": {"required": True, "content": _json(request)},
            "responses": {str(status): {"description": "Done.", "content": _json(answer)},
                          **_problems(400, 401, 403, 409, 413, 415, 422, 503)}}


def build_spec() -> dict:
    spec = APISpec(
        title="Llais API", version="1.0.0", openapi_version="3.0.3",
        info={"description": "Refer children for statutory advocacy, follow their Active Offer, and receive signed "
                             "webhooks. Errors are application/problem+json (RFC 9457)."},
        plugins=[MarshmallowPlugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "A council API key or a staff token."})
    for name, schema in [("Problem", schemas.ProblemSchema), ("ReferralRequest", schemas.ReferralRequestSchema),
                         ("Referral", schemas.ReferralViewSchema), ("ReferralList", schemas.ReferralListSchema),
                         ("Webhook", schemas.WebhookSchema), ("OptOut", schemas.OptOutSchema),
                         ("OptOutRecorded", schemas.OptOutViewSchema), ("Allocate", schemas.AllocateSchema),
                         ("ContactAttempt", schemas.ContactAttemptSchema), ("Close", schemas.CloseSchema),
                         ("MeetingRequest", schemas.MeetingRequestSchema), ("Reschedule", schemas.RescheduleSchema),
                         ("Cancel", schemas.CancelSchema), ("Record", schemas.RecordSchema),
                         ("Meeting", schemas.MeetingViewSchema), ("OpenCase", schemas.OpenCaseSchema),
                         ("Plan", schemas.PlanSchema), ("Issue", schemas.IssueSchema),
                         ("ConcludeIssue", schemas.ConcludeIssueSchema), ("Activity", schemas.ActivitySchema),
                         ("Signpost", schemas.SignpostSchema),
                         ("AdvocateChangeRequest", schemas.AdvocateChangeRequestSchema),
                         ("AdvocateChangeDecision", schemas.AdvocateChangeDecisionSchema),
                         ("Disclosure", schemas.DisclosureSchema), ("CloseCase", schemas.CloseCaseSchema),
                         ("Complaint", schemas.ComplaintSchema), ("ComplaintAnswer", schemas.ComplaintAnswerSchema),
                         ("Empty", schemas.EmptySchema)]:
        spec.components.schema(name, schema=schema)
    secured = [{"bearer": []}]
    spec.path(path="/api/v1/referrals", operations={
        "post": {"summary": "Refer a child", "security": secured, "parameters": [IDEMPOTENCY],
                 "requestBody": {"required": True, "content": _json("ReferralRequest")},
                 "responses": {"201": {"description": "The referral, as the council sees it.",
                                       "content": _json("Referral")},
                               **_problems(400, 401, 403, 409, 413, 415, 422, 503)}},
        "get": {"summary": "This council's referrals", "security": secured,
                "parameters": [{"in": "query", "schema": schemas.ReferralQuerySchema}],
                "responses": {"200": {"description": "A page of referrals.", "content": _json("ReferralList")},
                              **_problems(401, 403, 422, 503)}},
    })
    spec.path(path="/api/v1/referrals/{id}", operations={
        "get": {"summary": "One of this council's referrals", "security": secured,
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "The referral.", "content": _json("Referral")},
                              **_problems(401, 403, 404, 503)}},
    })
    spec.path(path="/api/v1/webhook", operations={
        "put": {"summary": "Where this council's events are delivered", "security": secured,
                "requestBody": {"required": True, "content": _json("Webhook")},
                "responses": {"200": {"description": "The webhook URL (never the secret)."},
                              **_problems(400, 401, 403, 415, 422, 503)}},
    })
    spec.path(path="/api/v1/opt-outs", operations={
        "post": _command("Record a stage-1 offer the child opted out of (council; no contact details)", "OptOut",
                         "OptOutRecorded", 201, idempotent=True),
    })
    staff = "Provider staff: "
    cases = "Cases (advocates their own, managers all; never councils or commissioners): "
    complaints = "Complaints about the service (managers only; never councils or commissioners): "
    spec.components.schema("Case", {"type": "object", "description": "An advocacy case, whole (casework owns it)."})
    spec.components.schema("ComplaintRecord", {"type": "object", "description": "A complaint, whole."})
    for path, summary, request, answer, status, idempotent, missing in [
        ("/api/v1/referrals/{id}/allocate", staff + "allocate to an advocate (manager)", "Allocate", "Referral", 200,
         False, 404),
        ("/api/v1/referrals/{id}/contact-attempts", staff + "record an attempt to reach the child (advocate, "
         "manager)", "ContactAttempt", "Referral", 201, True, 404),
        ("/api/v1/referrals/{id}/close", staff + "close with a reason (manager)", "Close", "Referral", 200, False,
         404),
        ("/api/v1/referrals/{id}/meetings", staff + "arrange the Active Offer meeting (advocate, manager); 422 if "
         "after meeting_by without late_reason, 409 if the advocate is booked then", "MeetingRequest", "Meeting",
         201, True, 404),
        ("/api/v1/meetings/{id}/reschedule", staff + "move the meeting", "Reschedule", "Meeting", 200, False, 404),
        ("/api/v1/meetings/{id}/cancel", staff + "cancel the meeting", "Cancel", "Meeting", 200, False, 404),
        ("/api/v1/meetings/{id}/record", staff + "record whether it took place and the outcome; take_up answers "
         "with the new issue-based referral's id", "Record", "Meeting", 200, False, 404),
        ("/api/v1/cases/{id}/plan", cases + "the advocacy plan agreed with the child", "Plan", "Case", 200, False,
         404),
        ("/api/v1/cases/{id}/issues", cases + "an issue the child raised, with its theme", "Issue", "Case", 201,
         True, 404),
        ("/api/v1/cases/{id}/issues/{issue_id}/conclude", cases + "the issue's outcome", "ConcludeIssue", "Case",
         200, False, 404),
        ("/api/v1/cases/{id}/activities", cases + "activity, with how the child chose to contribute", "Activity",
         "Case", 201, True, 404),
        ("/api/v1/cases/{id}/signposting", cases + "signposting to specialist or legal advice", "Signpost", "Case",
         201, True, 404),
        ("/api/v1/cases/{id}/advocate-change-requests", cases + "the child asks for a different advocate",
         "AdvocateChangeRequest", "Case", 201, False, 404),
        ("/api/v1/cases/{id}/advocate-change-requests/{request_id}/decide", cases + "a manager grants (the case "
         "moves) or declines it", "AdvocateChangeDecision", "Case", 200, False, 404),
        ("/api/v1/cases/{id}/disclosures", cases + "a disclosure without consent: reason, who decided, to whom, "
         "when, whether and when the child was told (manager only)", "Disclosure", "Case", 201, False, 404),
        ("/api/v1/cases/{id}/close", cases + "closure with the outcome and the child's feedback (every issue "
         "concluded first)", "CloseCase", "Case", 200, False, 404),
        ("/api/v1/complaints/{id}/acknowledge", complaints + "acknowledge it", "Empty", "ComplaintRecord", 200,
         False, 404),
        ("/api/v1/complaints/{id}/respond", complaints + "the answer at its stage, with its outcome (the other routes "
         "are told)", "ComplaintAnswer", "ComplaintRecord", 200, False, 404),
        ("/api/v1/complaints/{id}/escalate", complaints + "the complainant takes it to stage 2", "Empty",
         "ComplaintRecord", 200, False, 404),
        ("/api/v1/complaints/{id}/close", complaints + "close it once answered", "Empty", "ComplaintRecord", 200,
         False, 404),
        ("/api/v1/complaints/{id}/withdraw", complaints + "withdrawn by the complainant", "Empty",
         "ComplaintRecord", 200, False, 404),
    ]:
        operation = _command(summary, request, answer, status, idempotent=idempotent)
        operation["parameters"] = operation.get("parameters", []) + [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in re.findall(r"{(\w+)}", path)]
        operation["responses"].update(_problems(missing))
        spec.path(path=path, operations={"post": operation})
    spec.path(path="/api/v1/meetings/{id}/invitation.ics", operations={
        "get": {"summary": staff + "the meeting as an iCalendar invitation (advocate, manager)", "security": secured,
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": {"description": "text/calendar",
                                      "content": {"text/calendar": {"schema": {"type": "string"}}}},
                              **_problems(401, 403, 404, 503)}},
    })
    listing = {
        "/api/v1/meetings": (staff + "a day's meetings (advocate, manager)", schemas.MeetingQuerySchema),
        "/api/v1/deadlines": (staff + "deadlines at risk or missed on open referrals (advocate, manager)",
                              schemas.DeadlineQuerySchema),
    }
    for path, (summary, query) in listing.items():
        spec.path(path=path, operations={"get": {
            "summary": summary, "security": secured, "parameters": [{"in": "query", "schema": query}],
            "responses": {"200": {"description": "`items`."}, **_problems(401, 403, 422, 503)}}})
    spec.path(path="/api/v1/cases", operations={
        "post": _command(cases + "open the case of an issue-based referral, with the child's consent to a case file",
                         "OpenCase", "Case", 201, idempotent=True),
        "get": {"summary": cases + "the cases you may see (`status`, `advocate`)", "security": secured,
                "responses": {"200": {"description": "`items`, without content."}, **_problems(401, 403, 503)}},
    })
    for path, summary in [("/api/v1/cases/{id}", cases + "the whole case"),
                          ("/api/v1/cases/{id}/record", cases + "the child's own record as a readable page (HTML), "
                                                                "in their language or `?language=en|cy`"),
                          ("/api/v1/complaints/{id}", complaints + "the whole complaint")]:
        spec.path(path=path, operations={"get": {
            "summary": summary, "security": secured,
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "Found."}, **_problems(401, 403, 404, 503)}}})
    spec.path(path="/api/v1/complaints", operations={
        "post": _command(complaints + "record a complaint, representation or compliment received another way",
                         "Complaint", "ComplaintRecord", 201, idempotent=True),
        "get": {"summary": complaints + "every one (`status`, `kind`)", "security": secured,
                "responses": {"200": {"description": "`items`."}, **_problems(401, 403, 503)}},
    })
    spec.path(path="/api/v1/openapi.json", operations={
        "get": {"summary": "This document", "responses": {"200": {"description": "OpenAPI 3."}}},
    })
    return spec.to_dict()
