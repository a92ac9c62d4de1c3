"""Contracts of the events about advocacy cases (DOMAIN.md, "Issue-based advocacy").

They carry codes, counts and ids only: what reporting needs to count cases, issues by theme, outcomes, signposting,
changes of advocate, contribution modes and disclosures, never what the child said. A case's content stays in the
casework service.
"""

from marshmallow import Schema, fields, validate

from shared.contracts.envelope import contract
from shared.contracts.referral import DoneBy

THEMES = ("placement", "contact", "education", "health", "leaving_care", "complaint_about_council", "safety",
          "identity", "money", "other")
ISSUE_OUTCOMES = ("resolved", "partly_resolved", "not_resolved", "withdrawn")
ACTIVITIES = ("meeting", "representation", "call", "visit", "letter", "other")
CONTRIBUTIONS = ("own", "through_advocate", "jointly")
SIGNPOSTS = ("legal", "specialist", "health", "education", "housing", "other")
DISCLOSURE_REASONS = ("significant_harm", "court_order")
CASE_OUTCOMES = ("issues_resolved", "partly_resolved", "child_withdrew", "moved_away", "other")
CHANGE_RESULTS = ("granted", "declined")
"""A manager's decision on a child's request for a different advocate."""
CASE_STATUSES = ("open", "closed")
"""A case is open from its opening until its advocate closes it."""


class _CaseEvent(Schema):
    case_id = fields.String(required=True)
    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    region = fields.String(required=True)


@contract("case.opened", 1)
class CaseOpenedV1(_CaseEvent):
    advocate_email = fields.Email(required=True)
    source = fields.String(required=True, metadata={"description": "The referral's source: active_offer, self, ..."})
    basis = fields.String(required=True)
    language = fields.String(required=True)
    opened_at = fields.AwareDateTime(required=True, format="iso")


@contract("case.plan_agreed", 1)
class CasePlanAgreedV1(_CaseEvent):
    version = fields.Integer(required=True, strict=True)


@contract("case.issue_raised", 1)
class CaseIssueRaisedV1(_CaseEvent):
    issue_id = fields.String(required=True)
    theme = fields.String(required=True, validate=validate.OneOf(THEMES))


@contract("case.issue_concluded", 1)
class CaseIssueConcludedV1(_CaseEvent):
    issue_id = fields.String(required=True)
    theme = fields.String(required=True, validate=validate.OneOf(THEMES))
    outcome = fields.String(required=True, validate=validate.OneOf(ISSUE_OUTCOMES))


@contract("case.activity_recorded", 1)
class CaseActivityRecordedV1(_CaseEvent):
    kind = fields.String(required=True, validate=validate.OneOf(ACTIVITIES))
    contribution = fields.String(required=True, validate=validate.OneOf(CONTRIBUTIONS))


@contract("case.activity_recorded", 2)
class CaseActivityRecordedV2(CaseActivityRecordedV1):
    """Version 1 with when the activity happened: what the advocate said, or the moment it was recorded where they
    did not say. Yesterday's call recorded today is counted on the day it was made."""

    happened_at = fields.AwareDateTime(required=True, format="iso")


@contract("case.signposted", 1)
class CaseSignpostedV1(_CaseEvent):
    to = fields.String(required=True, validate=validate.OneOf(SIGNPOSTS))


@contract("case.advocate_change_requested", 1)
class AdvocateChangeRequestedV1(_CaseEvent):
    request_id = fields.String(required=True)


@contract("case.advocate_change_decided", 1)
class AdvocateChangeDecidedV1(_CaseEvent):
    request_id = fields.String(required=True)
    result = fields.String(required=True, validate=validate.OneOf(CHANGE_RESULTS))
    advocate_email = fields.Email(required=True, metadata={"description": "The case's advocate after the decision."})


@contract("case.disclosure_recorded", 1)
class DisclosureRecordedV1(_CaseEvent):
    """A disclosure without the child's consent (DOMAIN.md, "Confidentiality and consent"): that it happened, why,
    and whether the child was told; who decided and to whom it went stay in the case."""

    reason = fields.String(required=True, validate=validate.OneOf(DISCLOSURE_REASONS))
    child_told = fields.Boolean(required=True)


@contract("case.closed", 1)
class CaseClosedV1(_CaseEvent):
    outcome = fields.String(required=True, validate=validate.OneOf(CASE_OUTCOMES))
    satisfaction = fields.Integer(required=True, allow_none=True, strict=True,
                                  validate=validate.Range(min=1, max=5),
                                  metadata={"description": "The child's feedback, 1 to 5, when they gave it."})
    closed_at = fields.AwareDateTime(required=True, format="iso")


@contract("case.closed", 2)
class CaseClosedV2(CaseClosedV1, DoneBy):
    """Version 1 with who closed the case (`by`)."""
