"""The OpenAPI 3 document of the public API: the truth about every operation, for councils' integrators and for the
conformance test that holds the platform to it (tests/integration/gateway/test_openapi_conformance.py).

Request and response shapes come from the marshmallow schemas (services/gateway/schemas.py), which also validate the
requests, so the two never disagree. Added here is what a field-by-field schema cannot say:

- every status an operation can answer, with the problem+json it carries;
- the rules of the work that JSON Schema can express across fields (an Active Offer's basis and consent, a way to
  reach the child, what a meeting's record or a disclosure needs besides), as `anyOf`;
- the rules it cannot express, because they depend on the clock or on what is stored (a child's age today, a meeting
  in the future, an advocate who has an account), as `x-rules` on the operation: field path to the rule. Only these
  may refuse (422) a request that the schema allows.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Iterable

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin

from shared.contracts.referral import ACTIVE_OFFER_BASES
from shared.validation import WINDOW
from services.gateway import holds_api, messages_api, schemas, transitions_api

PROBLEMS = {
    400: "Malformed JSON (or not UTF-8, starting with a byte order mark, or giving a field twice), or a query "
         "string whose escapes are not UTF-8.",
    401: "No or bad credentials.",
    403: "Your role (or council) may not do this, or it is not yours to act on.",
    404: "Not found, or not yours.",
    409: "Conflict with the current state (or a request with this Idempotency-Key is still being processed).",
    413: "Body too large: larger than the platform takes (64 KiB unless its operator set LLAIS_MAX_BODY_BYTES).",
    415: "Not JSON (Content-Type: application/json, UTF-8).",
    422: "Invalid fields or a rule broken; see `errors`.",
    502: "A service gave an answer the gateway could not relay; try again shortly.",
    503: "A service did not answer, is still passing on an earlier change, or cannot use its records just now (a "
         "store locked by another program, or damaged); try again after the seconds `Retry-After` gives.",
}
SECURED = [{"bearer": []}]
ANSWERED_BY_EVERY_CALL = (401, 403, 502, 503)
BODY = (400, 413, 415, 422)

IDEMPOTENCY = {"name": "Idempotency-Key", "in": "header", "required": False,
               "schema": {"type": "string", "minLength": 1, "maxLength": 200, "pattern": f"[^{schemas.WHITESPACE}]"},
               "description": "Repeat a creating request safely: the same key and body return the first answer "
                              "(after a crash, the first effect: the same status and id), never a second effect; the "
                              "same key with a different body is a 422. A key is yours alone and this operation's, "
                              "and is kept at least 24 hours."}
IDEMPOTENCY_RULE = "Used before with a different body (a new request needs a new key)."
PHONE_GIVEN = "[0-9+()-]"
"""A phone number that is not blank: one of its characters besides spaces."""
DAY = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
MOMENT = ("^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-5][0-9](\\.[0-9]+)?"
          "([Zz]|[+-](0[0-9]|1[0-3]):[0-5][0-9]|[+-]14:00)$")
"""Dates and times as the platform reads them (shared.validation): RFC 3339's own forms, without a leap second and
with an offset of at most 14 hours, which `format` alone does not say."""

CURSOR_RULE = "Only a `next` this API gave, as it came."
A_PAGE = "A page: `items`, in the order of their ids, and `next`."

# The rules no schema can state: each depends on the clock or on what the platform holds.
RULES: dict[tuple[str, str], dict[str, str]] = {
    ("post", "/api/v1/referrals"): {
        "child.date_of_birth": "Not in the future, and the child under 18 on the day of receipt (under 25 for a "
                               f"care_leaver); {WINDOW}.",
        "statutory_meeting_at": f"Not in the past; {WINDOW}.",
        "Idempotency-Key": IDEMPOTENCY_RULE,
    },
    ("get", "/api/v1/referrals"): {
        "cursor": CURSOR_RULE,
        "council": "Provider staff only: a council system lists its own referrals.",
        "advocate": "Provider staff only: a council system lists its own referrals.",
    },
    ("put", "/api/v1/webhook"): {
        "url": "https to a public internet address: neither the host nor any address its name resolves to now may be "
               "private, loopback, link-local, shared (100.64.0.0/10), multicast, reserved, unspecified or a cloud's "
               "metadata service, however written (an IPv4 address as one number, in octal or hex, or inside IPv6), "
               "nor localhost; checked again, on the name's answers then, at every delivery, and a redirect is not "
               "followed. http:// and such addresses only where the platform's operator allows private addresses "
               "(tests, closed networks).",
    },
    ("post", "/api/v1/opt-outs"): {
        "date_of_birth": f"Not in the future, and the child under 18 on the day it is recorded; {WINDOW}.",
        "offered_at": f"Not in the future; {WINDOW}.",
        "reason": "Not with `reason_code` (put the words in `reason_note`).",
        "reason_note": "Only with `reason_code`.",
        "Idempotency-Key": IDEMPOTENCY_RULE,
    },
    ("post", "/api/v1/referrals/{id}/allocate"): {
        "advocate_email": "An advocate (or manager) who has an account that is not disabled.",
    },
    ("post", "/api/v1/referrals/{id}/contact-attempts"): {
        "attempted_at": f"Not in the future, nor before the referral was received; {WINDOW}.",
        "Idempotency-Key": IDEMPOTENCY_RULE,
    },
    ("post", "/api/v1/referrals/{id}/meetings"): {
        "starts_at": f"In the future; {WINDOW}.",
        "late_reason": "Needed when the meeting starts after the referral's meeting_by deadline.",
        "Idempotency-Key": IDEMPOTENCY_RULE,
    },
    ("post", "/api/v1/meetings/{id}/reschedule"): {
        "starts_at": f"In the future; {WINDOW}.",
        "late_reason": "Needed when the new time is after the referral's meeting_by deadline (unless the meeting "
                       "was late already and its reason stands); a meeting moved past it puts the deadline at risk.",
        "venue": "Optional: the new venue, whole and checked as when arranging; the moved meeting's "
                 "meeting.rescheduled event, the referral and the council's email then name it.",
    },
    ("post", "/api/v1/meetings/{id}/record"): {
        "took_place": "Only once the meeting has started.",
        "wants_help_with": "Only with the outcome take_up.",
    },
    ("get", "/api/v1/meetings"): {"day": f"{WINDOW}.", "cursor": CURSOR_RULE},
    ("get", "/api/v1/deadlines"): {"cursor": CURSOR_RULE},
    ("get", "/api/v1/cases"): {"cursor": CURSOR_RULE},
    ("get", "/api/v1/complaints"): {"cursor": CURSOR_RULE},
    ("post", "/api/v1/cases"): {"Idempotency-Key": IDEMPOTENCY_RULE},
    ("post", "/api/v1/cases/{id}/issues"): {"Idempotency-Key": IDEMPOTENCY_RULE},
    ("post", "/api/v1/cases/{id}/activities"): {
        "happened_at": f"When the activity happened: not in the future, nor before the case was opened; {WINDOW}. "
                       "Left out, the moment it is recorded.",
        "Idempotency-Key": IDEMPOTENCY_RULE,
    },
    ("post", "/api/v1/cases/{id}/signposting"): {"Idempotency-Key": IDEMPOTENCY_RULE},
    ("post", "/api/v1/cases/{id}/advocate-change-requests/{request_id}/decide"): {
        "new_advocate_email": "An advocate who has an account, not the case's advocate already.",
    },
    ("post", "/api/v1/cases/{id}/disclosures"): {
        "disclosed_at": f"Not in the future; {WINDOW}.",
        "child_told_at": f"Not in the future, and not before disclosed_at; {WINDOW}.",
    },
    ("post", "/api/v1/complaints"): {"Idempotency-Key": IDEMPOTENCY_RULE},
    ("get", "/api/v1/reports/quarterly"): {"region": "Not with `council`: a report is of one scope."},
    ("get", "/api/v1/reports/annual"): {"region": "Not with `council`: a report is of one scope."},
    **transitions_api.rules(WINDOW, IDEMPOTENCY_RULE),
}


def _json(schema: str) -> dict:
    return {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}


def _answers(status: int, description: str, content: dict | None, *problems: int) -> dict:
    answers = {str(status): {"description": description, **({"content": content} if content else {})}}
    for code in sorted(set(problems)):
        answers[str(code)] = {"description": PROBLEMS[code],
                              "content": {"application/problem+json": {"schema": {
                                  "$ref": "#/components/schemas/Problem"}}}}
    return answers


def _ids(path: str) -> list[dict]:
    return [{"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1}}
            for name in re.findall(r"{(\w+)}", path)]


def _query(schema) -> list[dict]:
    return [{"in": "query", "schema": schema}]


def _operation(summary: str, status: int, answer: str | dict | None, *problems: int, request: str | None = None,
               body_required: bool = True, idempotent: bool = False, parameters: Iterable[dict] = (),
               description: str = "Done.", secured: bool = True) -> dict:
    content = _json(answer) if isinstance(answer, str) else answer
    operation: dict = {"summary": summary, "parameters": [*parameters, *([IDEMPOTENCY] if idempotent else [])]}
    if secured:
        operation["security"] = SECURED
    codes = [*problems, *(ANSWERED_BY_EVERY_CALL if secured else ())]
    if request is not None:
        operation["requestBody"] = {"required": body_required, "content": _json(request)}
        codes += BODY
    if idempotent:
        codes += [409, 422]
    operation["responses"] = _answers(status, description, content, *codes)
    return operation


def _example_referral(today: datetime) -> dict:
    """The README's example referral, dated from the day the document is built (so that it is always valid)."""
    return {
        "kind": "active_offer", "basis": "looked_after", "external_ref": "MOSAIC-12345",
        "child": {"given_name": "Cerys", "family_name": "Jones",
                  "date_of_birth": (today - timedelta(days=13 * 365)).date().isoformat(),
                  "preferred_language": "cy", "interpreter_needed": False, "communication_needs": "",
                  "contact": {"phone": "07700 900123", "carer_name": "Mair Jones", "carer_phone": "07700 900456"}},
        "referrer": {"name": "Sian Evans", "role": "social_worker", "email": "sian.evans@example.gov.uk",
                     "phone": "029 2000 0000", "team": "Looked After Children"},
        "statutory_meeting_at": (today + timedelta(days=21)).replace(hour=10, minute=0, second=0,
                                                                     microsecond=0).isoformat(),
        "consent": {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
                    "share_outcome_with_referrer": False},
        "risks": "None known.",
    }


def _cross_field_rules(components: dict, councils: list[str]) -> None:
    """The rules of the work that JSON Schema states across fields: the services refuse the rest with 422."""
    request = components["ReferralRequest"]
    request["anyOf"] = [
        {"description": "An Active Offer: its basis, and the child knows and agrees (an opt-out is recorded with "
                        "POST /api/v1/opt-outs instead).",
         "properties": {"kind": {"enum": ["active_offer"]}, "basis": {"enum": list(ACTIVE_OFFER_BASES)},
                        "consent": {"properties": {"child_informed": {"enum": [True]},
                                                   "child_agrees": {"enum": [True]}}}}},
        {"description": "Issue-based advocacy, on any eligibility.",
         "properties": {"kind": {"enum": ["issue_based"]}}},
    ]
    components["Contact"]["anyOf"] = [
        {"description": "At least one way to reach the child or their carer.", "required": [way],
         "properties": {way: pattern}}
        for way, pattern in [("phone", {"pattern": PHONE_GIVEN}), ("email", {}),
                             ("address", {"pattern": schemas.SAID_TEXT}), ("carer_phone", {"pattern": PHONE_GIVEN})]]
    components["Record"]["anyOf"] = [
        {"description": "It did not take place, and why, as a code.", "required": ["reason_not_held_code"],
         "properties": {"took_place": {"enum": [False]}}},
        {"description": "It did not take place, and why in words (an older client: read as the code other).",
         "required": ["reason_not_held"], "not": {"required": ["reason_not_held_code"]},
         "properties": {"took_place": {"enum": [False]}}},
        {"description": "It took place, and the child took up advocacy.", "required": ["outcome"],
         "properties": {"took_place": {"enum": [True]}, "outcome": {"enum": ["take_up"]}}},
        {"description": "It took place, and the child chose other support, saying which.",
         "required": ["outcome", "other_support_type"],
         "properties": {"took_place": {"enum": [True]}, "outcome": {"enum": ["other_support"]}}},
        {"description": "It took place and the child is reflecting: the contact details were given.",
         "required": ["outcome", "contact_details_given"],
         "properties": {"took_place": {"enum": [True]}, "outcome": {"enum": ["reflecting"]},
                        "contact_details_given": {"enum": [True]}}},
        {"description": "It took place and the child declined, saying why as a code; the contact details were "
                        "given.", "required": ["outcome", "decline_reason_code", "contact_details_given"],
         "properties": {"took_place": {"enum": [True]}, "outcome": {"enum": ["declined"]},
                        "contact_details_given": {"enum": [True]}}},
        {"description": "It took place and the child declined, saying why in words (an older client: read as the "
                        "code other); the contact details were given.",
         "required": ["outcome", "decline_reason", "contact_details_given"],
         "not": {"required": ["decline_reason_code"]},
         "properties": {"took_place": {"enum": [True]}, "outcome": {"enum": ["declined"]},
                        "contact_details_given": {"enum": [True]}}},
    ]
    components["AdvocateChangeDecision"]["anyOf"] = [
        {"description": "Granted: the case moves to the new advocate.", "required": ["new_advocate_email"],
         "properties": {"result": {"enum": ["granted"]}}},
        {"description": "Declined, saying why.", "required": ["reason"],
         "properties": {"result": {"enum": ["declined"]}, "reason": {"pattern": schemas.SAID_TEXT}}},
    ]
    components["Disclosure"]["anyOf"] = [
        {"description": "The child was told, and when.", "required": ["child_told_at"],
         "properties": {"child_told": {"enum": [True]}}},
        {"description": "The child was not told, and why.", "required": ["why_not_told"],
         "properties": {"child_told": {"enum": [False]}}},
    ]
    complaint = components["Complaint"]
    reachable = {"anyOf": [{"required": ["email"]},
                           {"required": ["phone"], "properties": {"phone": {"pattern": PHONE_GIVEN}}}]}
    complaint["anyOf"] = [
        {"description": "No reply wanted.", "required": ["wants_reply"],
         "properties": {"wants_reply": {"enum": [False]}}},
        {"description": "A reply wanted (the default): an email address or a phone number to send it to.",
         "required": ["contact"], "properties": {"contact": reachable}},
    ]
    if councils:
        complaint["properties"]["council"]["enum"] = councils
    any_referral = {"anyOf": [{"$ref": "#/components/schemas/Referral"},
                              {"$ref": "#/components/schemas/StaffReferral"}],
                    "description": "A council system sees the Referral; provider staff the StaffReferral."}
    components["ReferralList"]["properties"]["items"]["items"] = any_referral
    components["AnyReferral"] = any_referral


def _date_forms(node: object) -> None:
    """Every date and time in a request states the forms the platform reads as its pattern."""
    if isinstance(node, dict):
        if node.get("type") == "string" and node.get("format") in ("date", "date-time") and "pattern" not in node:
            node["pattern"] = DAY if node["format"] == "date" else MOMENT
        for value in node.values():
            _date_forms(value)
    elif isinstance(node, list):
        for value in node:
            _date_forms(value)


def _state_rules(paths: dict) -> None:
    for (method, path), rules in {**RULES, **messages_api.RULES}.items():
        operation = paths[path][method]
        operation["x-rules"] = rules
        operation["responses"]["422"]["description"] += " Besides the schema: " + " ".join(
            f"`{field}`: {rule}" for field, rule in rules.items())


COMPONENTS = [
    ("Problem", schemas.ProblemSchema), ("ReferralRequest", schemas.ReferralRequestSchema),
    ("Referral", schemas.ReferralViewSchema), ("StaffReferral", schemas.StaffReferralViewSchema),
    ("ReferralList", schemas.ReferralListSchema), ("Webhook", schemas.WebhookSchema),
    ("WebhookSet", schemas.WebhookViewSchema), ("OptOut", schemas.OptOutSchema),
    ("OptOutRecorded", schemas.OptOutViewSchema), ("Allocate", schemas.AllocateSchema),
    ("ContactAttempt", schemas.ContactAttemptSchema), ("Close", schemas.CloseSchema),
    ("MeetingRequest", schemas.MeetingRequestSchema), ("Reschedule", schemas.RescheduleSchema),
    ("Cancel", schemas.CancelSchema), ("Record", schemas.RecordSchema), ("Meeting", schemas.MeetingViewSchema),
    ("MeetingList", schemas.MeetingListSchema), ("DeadlineList", schemas.DeadlineListSchema),
    ("OpenCase", schemas.OpenCaseSchema), ("Plan", schemas.PlanSchema), ("Issue", schemas.IssueSchema),
    ("ConcludeIssue", schemas.ConcludeIssueSchema), ("Activity", schemas.ActivitySchema),
    ("Signpost", schemas.SignpostSchema), ("AdvocateChangeRequest", schemas.AdvocateChangeRequestSchema),
    ("AdvocateChangeDecision", schemas.AdvocateChangeDecisionSchema), ("Disclosure", schemas.DisclosureSchema),
    ("CloseCase", schemas.CloseCaseSchema), ("Case", schemas.CaseViewSchema), ("CaseList", schemas.CaseListSchema),
    ("Complaint", schemas.ComplaintSchema), ("ComplaintAnswer", schemas.ComplaintAnswerSchema),
    ("ComplaintRecord", schemas.ComplaintRecordSchema), ("ComplaintList", schemas.ComplaintListSchema),
    ("Empty", schemas.EmptySchema),
]

STAFF = "Provider staff: "
CASES = "Cases (advocates their own, managers all; never councils or commissioners): "
COMPLAINTS = "Complaints about the service (managers only; never councils or commissioners): "
REPORTS = "Reports (a council its own figures, managers every scope; counts, never names): "
REPORT_FORMATS = {"application/json": {"schema": {"type": "object"}}, "text/csv": {"schema": {"type": "string"}},
                  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                      "schema": {"type": "string", "format": "binary"}}}
"""A report as JSON, or (by `Accept`) the same figures as CSV or as a workbook with a sheet and a chart per section."""
SMALL_CELLS = (
    " Equality, language and headline-group figures count children (one however many referrals they had in the "
    "period); `referrals.children` is how many. `capacity` gives, at the period's last day, the `backlog` (referrals "
    "received and neither allocated nor closed), `backlog_oldest_days`, `advocates_with_open_work` and the "
    "`median_caseload` (open referrals and cases per advocate). For a council's key or a commissioner, always: in "
    "each breakdown by a child's characteristics (equality, language, headline groups, basis) or by source, a count "
    "from 1 to below the provider's threshold is withheld (null), and so is the next smallest cell of the same "
    "breakdown where one alone would be withheld, so no withheld cell is its exact total less the cells shown; "
    "`suppressed` is `by_child` and `suppressed_below` the threshold. Totals stay exact. A manager reads exact "
    "figures unless they ask for `publication`, which withholds every small count (`suppressed`: `publication`).")
"""The rule for small cells in every report, as the report's operations describe it."""
REPORT_FILES = (
    " As CSV or a workbook, the figures read on their own, in the language `Accept-Language` asks for (English or "
    "Welsh): who and when they are of, what each column means and what `withheld` and a blank mean, then a row per "
    "figure with its section and name in words, this period, the period before and its code (`section.figure`, "
    "as the JSON nests it) for computer systems. A share is a percentage (\"87.5%\" in CSV, a percentage cell in "
    "a workbook); a count a breakdown did not meet is 0; a blank is a figure that does not exist (a median of "
    "none). A workbook's sheets are named by their sections' titles, its dates are dates.")
"""How a report's files read, as the report's operations describe them."""

# the steps: path, summary, request, answer, success status, whether it takes an Idempotency-Key
COMMANDS = [
    ("/api/v1/referrals/{id}/allocate", STAFF + "allocate to an advocate (manager)", "Allocate", "StaffReferral",
     200, False),
    ("/api/v1/referrals/{id}/contact-attempts", STAFF + "record an attempt to reach the child (the allocated "
     "advocate, a manager), when it was made (`attempted_at`, else now; 422 if in the future or before the "
     "referral was received)", "ContactAttempt", "StaffReferral", 201, True),
    ("/api/v1/referrals/{id}/close", STAFF + "close with a reason (manager)", "Close", "StaffReferral", 200, False),
    ("/api/v1/referrals/{id}/meetings", STAFF + "arrange the Active Offer meeting (the allocated advocate, a "
     "manager); 422 if after meeting_by without late_reason, 409 if the advocate is booked then or a meeting "
     "stands already (`meeting_id` names it)", "MeetingRequest", "Meeting", 201, True),
    ("/api/v1/meetings/{id}/reschedule", STAFF + "move the meeting; 422 if after meeting_by without late_reason "
     "(the meeting_by deadline is then at risk)", "Reschedule", "Meeting", 200, False),
    ("/api/v1/meetings/{id}/cancel", STAFF + "cancel the meeting", "Cancel", "Meeting", 200, False),
    ("/api/v1/meetings/{id}/record", STAFF + "record whether it took place and the outcome; take_up answers "
     "with the new issue-based referral's id, allocated to the meeting's advocate and carrying wants_help_with",
     "Record", "Meeting", 200, False),
    ("/api/v1/cases/{id}/plan", CASES + "the advocacy plan agreed with the child", "Plan", "Case", 200, False),
    ("/api/v1/cases/{id}/issues", CASES + "an issue the child raised, with its theme", "Issue", "Case", 201, True),
    ("/api/v1/cases/{id}/issues/{issue_id}/conclude", CASES + "the issue's outcome", "ConcludeIssue", "Case", 200,
     False),
    ("/api/v1/cases/{id}/activities", CASES + "activity, with how the child chose to contribute", "Activity",
     "Case", 201, True),
    ("/api/v1/cases/{id}/signposting", CASES + "signposting to specialist or legal advice", "Signpost", "Case", 201,
     True),
    ("/api/v1/cases/{id}/advocate-change-requests", CASES + "the child asks for a different advocate",
     "AdvocateChangeRequest", "Case", 201, False),
    ("/api/v1/cases/{id}/advocate-change-requests/{request_id}/decide", CASES + "a manager grants (the case "
     "moves) or declines it", "AdvocateChangeDecision", "Case", 200, False),
    ("/api/v1/cases/{id}/disclosures", CASES + "a disclosure without consent: reason, who decided, to whom, when, "
     "whether and when the child was told (manager only)", "Disclosure", "Case", 201, False),
    ("/api/v1/cases/{id}/close", CASES + "closure with the outcome and the child's feedback (every issue concluded "
     "first)", "CloseCase", "Case", 200, False),
    ("/api/v1/complaints/{id}/acknowledge", COMPLAINTS + "acknowledge it (the body may be left out)", "Empty",
     "ComplaintRecord", 200, False),
    ("/api/v1/complaints/{id}/respond", COMPLAINTS + "the answer at its stage, with its outcome (the other routes "
     "are told)", "ComplaintAnswer", "ComplaintRecord", 200, False),
    ("/api/v1/complaints/{id}/escalate", COMPLAINTS + "the complainant takes it to stage 2 (the body may be left "
     "out)", "Empty", "ComplaintRecord", 200, False),
    ("/api/v1/complaints/{id}/close", COMPLAINTS + "close it once answered (the body may be left out)", "Empty",
     "ComplaintRecord", 200, False),
    ("/api/v1/complaints/{id}/withdraw", COMPLAINTS + "withdrawn by the complainant (the body may be left out)",
     "Empty", "ComplaintRecord", 200, False),
]


def build_spec(councils: Iterable[str] = (), *, today: datetime | None = None) -> dict:
    """The document; `councils` are the codes a complaint may name, `today` dates the examples."""
    today = today or datetime.now(timezone.utc)
    spec = APISpec(
        title="Llais API", version="1.0.0", openapi_version="3.0.3",
        info={"description": "Refer children for statutory advocacy, follow their Active Offer, and receive signed "
                             "webhooks. Errors are application/problem+json (RFC 9457). Each operation lists every "
                             "status it can answer; `x-rules` states the rules beyond the schema (the clock, what "
                             "is stored) that can refuse a request the schema allows, field path to rule."},
        plugins=[MarshmallowPlugin()],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer",
                                               "description": "A council API key or a staff token."})
    for name, schema in [*COMPONENTS, *messages_api.COMPONENTS]:
        spec.components.schema(name, schema=schema)

    council_or_staff = "Councils their own (as the council sees it); provider staff all (the whole referral)"
    spec.path(path="/api/v1/referrals", operations={
        "post": _operation("Refer a child (council)", 201, "Referral", request="ReferralRequest", idempotent=True,
                           description="The referral, as the council sees it."),
        "get": _operation(f"{council_or_staff}: `council` and `advocate` filter for staff only", 200, "ReferralList",
                          422, parameters=_query(schemas.StaffReferralQuerySchema), description=A_PAGE),
    })
    spec.path(path="/api/v1/referrals/{id}", operations={
        "get": _operation(f"One referral. {council_or_staff}, with its timeline", 200,
                          {"application/json": {"schema": {"$ref": "#/components/schemas/AnyReferral"}}}, 404,
                          parameters=_ids("/api/v1/referrals/{id}"), description="The referral."),
    })
    spec.path(path="/api/v1/webhook", operations={
        "put": _operation("Where this council's events are delivered (council)", 200, "WebhookSet",
                          request="Webhook", description="The webhook URL (never a secret), and when the "
                                                         "previous secret stops signing."),
    })
    spec.path(path="/api/v1/opt-outs", operations={
        "post": _operation("Record a stage-1 offer the child opted out of (council; no contact details)", 201,
                           "OptOutRecorded", request="OptOut", idempotent=True),
    })
    for path, summary, request, answer, status, idempotent in COMMANDS:
        step = _operation(summary, status, answer, 404, 409, request=request, idempotent=idempotent,
                          body_required=request != "Empty", parameters=_ids(path))
        spec.path(path=path, operations={"post": step})
    spec.path(path="/api/v1/meetings/{id}/invitation.ics", operations={
        "get": _operation(STAFF + "the meeting as an iCalendar invitation (the allocated advocate, a manager)", 200,
                          {"text/calendar": {"schema": {"type": "string"}}}, 404,
                          parameters=_ids("/api/v1/meetings/{id}"), description="text/calendar"),
    })
    spec.path(path="/api/v1/meetings", operations={
        "get": _operation(STAFF + "a day's meetings (advocate, manager)", 200, "MeetingList", 422,
                          parameters=_query(schemas.MeetingQuerySchema), description=A_PAGE),
    })
    spec.path(path="/api/v1/deadlines", operations={
        "get": _operation(STAFF + "deadlines at risk or missed on open referrals (advocate, manager)", 200,
                          "DeadlineList", 422, parameters=_query(schemas.DeadlineQuerySchema),
                          description="A page: each referral's deadlines, soonest first, the referrals in the order "
                                      "of their ids, and `next`."),
    })
    spec.path(path="/api/v1/cases", operations={
        "post": _operation(CASES + "open the case of an issue-based referral allocated to you, with the child's "
                           "consent to a case file", 201, "Case", 404, request="OpenCase", idempotent=True),
        "get": _operation(CASES + "the cases you may see", 200, "CaseList", 422,
                          parameters=_query(schemas.CaseQuerySchema),
                          description="A page: `items` without content, in the order of their ids, and `next`."),
    })
    spec.path(path="/api/v1/cases/{id}", operations={
        "get": _operation(CASES + "the whole case", 200, "Case", 404, parameters=_ids("/api/v1/cases/{id}"),
                          description="Found."),
    })
    spec.path(path="/api/v1/cases/{id}/record", operations={
        "get": _operation(CASES + "the child's own record as a readable page, in their language or `language`", 200,
                          {"text/html": {"schema": {"type": "string"}}}, 404, 422,
                          parameters=[*_ids("/api/v1/cases/{id}"), *_query(schemas.ChildRecordQuerySchema)],
                          description="An HTML page."),
    })
    spec.path(path="/api/v1/complaints", operations={
        "post": _operation(COMPLAINTS + "record a complaint, representation or compliment received another way", 201,
                           "ComplaintRecord", request="Complaint", idempotent=True),
        "get": _operation(COMPLAINTS + "every one", 200, "ComplaintList", 422,
                          parameters=_query(schemas.ComplaintQuerySchema), description=A_PAGE),
    })
    spec.path(path="/api/v1/complaints/{id}", operations={
        "get": _operation(COMPLAINTS + "the whole complaint", 200, "ComplaintRecord", 404,
                          parameters=_ids("/api/v1/complaints/{id}"), description="Found."),
    })
    for path, operations in messages_api.paths(_operation, _ids, _query).items():
        spec.path(path=path, operations=operations)
    spec.path(path="/api/v1/reports/quarterly", operations={
        "get": _operation(REPORTS + "the National Reporting Template for a financial-year quarter", 200,
                          REPORT_FORMATS, 404, 422,
                          parameters=_query(schemas.QuarterlyReportQuerySchema),
                          description="`scope`, `period`, a section per part of the template, `period_before`."
                          + SMALL_CELLS + REPORT_FILES),
    })
    spec.path(path="/api/v1/reports/annual", operations={
        "get": _operation(REPORTS + "the same template over a financial year", 200,
                          REPORT_FORMATS, 404, 422,
                          parameters=_query(schemas.AnnualReportQuerySchema),
                          description="As the quarterly report, over the year." + SMALL_CELLS),
    })
    transitions_api.describe(spec, _operation, _ids, _query)
    holds_api.describe(spec, _operation, _ids, _query)
    spec.path(path="/api/v1/openapi.json", operations={
        "get": _operation("This document", 200, {"application/json": {"schema": {"type": "object"}}},
                          secured=False, description="OpenAPI 3."),
    })
    document = spec.to_dict()
    _cross_field_rules(document["components"]["schemas"], sorted(councils))
    _date_forms(document)
    _state_rules(document["paths"])
    document["paths"]["/api/v1/referrals"]["post"]["requestBody"]["content"]["application/json"]["example"] = \
        _example_referral(today)
    return document
