"""The public API's request and response shapes (API.md), in marshmallow.

They validate requests and generate the OpenAPI document, so the two never disagree. Shape only: the rules of the
work (ages, consent, contactability) belong to the service that owns the referral.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from shared.contracts import casework as casework_contracts
from shared.contracts import complaints as complaint_contracts

NAME = validate.Length(min=1, max=100)
TEXT = validate.Length(max=2000)
SHORT = validate.Length(max=200)
PHONE = validate.Regexp(r"^[0-9+() -]{6,30}$", error="Not a phone number.")
ACTIVE_OFFER_BASES = ("looked_after", "child_protection", "care_and_support")
STATUSES = ("received", "allocated", "contacting", "meeting_arranged", "closed")


class StrictBoolean(fields.Boolean):
    """Only JSON true or false: a consent given as "yes", 1 or "on" is a mistake to report, not to guess at."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Strict(Schema):
    """Unknown fields are refused, so a misspelt field is an error rather than silently ignored."""


class ContactSchema(Strict):
    phone = fields.String(validate=PHONE)
    email = fields.Email(validate=SHORT)
    address = fields.String(validate=validate.Length(max=500))
    carer_name = fields.String(validate=NAME)
    carer_phone = fields.String(validate=PHONE)


class ChildSchema(Strict):
    given_name = fields.String(required=True, validate=NAME)
    family_name = fields.String(required=True, validate=NAME)
    date_of_birth = fields.Date(required=True)
    preferred_language = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z]{2}$", error="Give an ISO 639-1 code of two lower-case letters, e.g. cy or en."))
    interpreter_needed = StrictBoolean(load_default=False)
    communication_needs = fields.String(load_default="", validate=TEXT)
    contact = fields.Nested(ContactSchema, required=True)


class ReferrerSchema(Strict):
    name = fields.String(required=True, validate=NAME)
    role = fields.String(required=True, validate=validate.OneOf(
        ["social_worker", "iro", "carer", "professional", "parent", "self", "other"]))
    email = fields.Email(validate=SHORT)
    phone = fields.String(validate=PHONE)
    team = fields.String(validate=SHORT)
    preferred_language = fields.String(load_default="en", validate=validate.OneOf(
        ["en", "cy"], error="Emails to the referrer are in English (en) or Welsh (cy)."))


class ConsentSchema(Strict):
    child_informed = StrictBoolean(required=True)
    child_agrees = StrictBoolean(required=True)
    share_arrangements_with_referrer = StrictBoolean(required=True)
    share_outcome_with_referrer = StrictBoolean(required=True)


class ReferralRequestSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(["active_offer", "issue_based"]))
    basis = fields.String(required=True, validate=validate.Regexp(
        r"^[a-z_]{3,40}$", error="Give a basis code such as looked_after, or an eligibility code."))
    external_ref = fields.String(validate=validate.Length(min=1, max=100))
    child = fields.Nested(ChildSchema, required=True)
    referrer = fields.Nested(ReferrerSchema, required=True)
    statutory_meeting_at = fields.AwareDateTime(format="iso")
    consent = fields.Nested(ConsentSchema, required=True)
    risks = fields.String(load_default="", validate=TEXT)
    summary = fields.String(load_default="", validate=TEXT, metadata={
        "description": "What the child would like help with, in the referrer's (or the child's own) words."})


class DeadlinesSchema(Schema):
    acknowledge_by = fields.String()
    allocate_by = fields.String()
    first_contact_by = fields.String()
    meeting_by = fields.String()


class MeetingSummarySchema(Schema):
    """The meeting as a referral's council sees it."""

    status = fields.String(validate=validate.OneOf(["none", "arranged", "held", "not_held"]))
    starts_at = fields.String(metadata={"description": "Only with share_arrangements_with_referrer."})
    venue = fields.String(metadata={"description": "Only with share_arrangements_with_referrer."})


class ReferralViewSchema(Schema):
    """A referral as its council sees it: fields the child's consent withholds are absent."""

    id = fields.String()
    kind = fields.String()
    basis = fields.String()
    external_ref = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(STATUSES))
    received_at = fields.String()
    deadlines = fields.Nested(DeadlinesSchema)
    meeting = fields.Nested(MeetingSummarySchema)
    meeting_took_place = fields.Boolean()
    outcome = fields.String(metadata={"description": "Only with share_outcome_with_referrer."})
    follow_on_referral_id = fields.String(metadata={"description": "Only with share_outcome_with_referrer."})
    updated_at = fields.String()


class ReferralListSchema(Schema):
    items = fields.List(fields.Nested(ReferralViewSchema))
    next = fields.String(allow_none=True, metadata={"description": "Pass as `cursor` for the next page."})


class ReferralQuerySchema(Strict):
    status = fields.String(validate=validate.OneOf(STATUSES))
    updated_since = fields.AwareDateTime(format="iso")
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    cursor = fields.String(validate=validate.Length(max=200))


class WebhookSchema(Strict):
    url = fields.Url(required=True, schemes={"https", "http"}, require_tld=False, validate=validate.Length(max=500))
    secret = fields.String(required=True, load_only=True, validate=validate.Length(min=24, max=200))


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "For validation errors: field path to messages."})


class StaffReferralQuerySchema(ReferralQuerySchema):
    council = fields.String(validate=validate.Regexp(r"^[A-Z][A-Z0-9_]{1,39}$", error="A council code, e.g. CARDIFF."))
    advocate = fields.Email()


class MeetingQuerySchema(Strict):
    day = fields.Date(required=True)
    advocate = fields.Email()


class DeadlineQuerySchema(Strict):
    state = fields.String(validate=validate.Regexp(r"^(at_risk|missed)(,(at_risk|missed))?$",
                                                   error="at_risk, missed, or both comma-separated."))
    advocate = fields.Email()


class AllocateSchema(Strict):
    advocate_email = fields.Email(required=True, validate=SHORT)


class ContactAttemptSchema(Strict):
    method = fields.String(required=True, validate=validate.OneOf(["phone", "text", "email", "visit", "letter"]))
    result = fields.String(required=True, validate=validate.OneOf(
        ["reached", "no_answer", "message_left", "wrong_details", "declined_meeting"]))
    note = fields.String(load_default="", validate=TEXT)


class CloseSchema(Strict):
    reason = fields.String(required=True, validate=validate.OneOf(
        ["unable_to_contact", "declined_meeting", "withdrawn", "duplicate"]))


class OptOutSchema(Strict):
    basis = fields.String(required=True, validate=validate.OneOf(ACTIVE_OFFER_BASES))
    date_of_birth = fields.Date(required=True)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=500))
    offered_at = fields.AwareDateTime(required=True, format="iso")
    external_ref = fields.String(validate=validate.Length(min=1, max=100))


class OptOutViewSchema(Schema):
    id = fields.String()
    basis = fields.String()
    offered_at = fields.String()
    reason = fields.String(allow_none=True)
    external_ref = fields.String(allow_none=True)
    recorded_at = fields.String()


class VenueSchema(Strict):
    name = fields.String(required=True, validate=SHORT)
    address = fields.String(load_default="", validate=validate.Length(max=500))
    accessible = StrictBoolean(required=True)
    risk_assessed = StrictBoolean(required=True)


class MeetingRequestSchema(Strict):
    starts_at = fields.AwareDateTime(required=True, format="iso")
    duration_minutes = fields.Integer(load_default=60, strict=True, validate=validate.Range(min=15, max=240))
    venue = fields.Nested(VenueSchema, required=True)
    language = fields.String(load_default="en", validate=validate.Regexp(r"^[a-z]{2}$"))
    late_reason = fields.String(validate=validate.Length(min=1, max=1000))


class RescheduleSchema(Strict):
    starts_at = fields.AwareDateTime(required=True, format="iso")
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CancelSchema(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class SharingConsentSchema(Strict):
    share_arrangements_with_referrer = StrictBoolean()
    share_outcome_with_referrer = StrictBoolean()


class RecordSchema(Strict):
    took_place = StrictBoolean(required=True)
    reason_not_held = fields.String(validate=validate.Length(min=1, max=1000))
    outcome = fields.String(validate=validate.OneOf(["take_up", "declined", "reflecting", "other_support"]))
    decline_reason = fields.String(validate=validate.Length(min=1, max=1000))
    consent = fields.Nested(SharingConsentSchema)


class MeetingViewSchema(Schema):
    id = fields.String()
    referral_id = fields.String()
    advocate_email = fields.String()
    starts_at = fields.String()
    ends_at = fields.String()
    duration_minutes = fields.Integer()
    venue = fields.Dict()
    language = fields.String()
    late = fields.Boolean()
    late_reason = fields.String(allow_none=True)
    status = fields.String(validate=validate.OneOf(["arranged", "held", "not_held", "cancelled"]))
    outcome = fields.String(allow_none=True)
    follow_on_referral_id = fields.String(allow_none=True, metadata={"description": "On take_up: the new "
                                                                                    "issue-based referral."})


# casework (API.md style, issue-based advocacy)

class OpenCaseSchema(Strict):
    referral_id = fields.String(required=True, validate=validate.Length(min=1, max=64))
    consents_to_case_file = StrictBoolean(required=True, metadata={
        "description": "The child consents to a case file being opened; a case is opened only with it."})


class PlanSchema(Strict):
    text = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    agreed_with_child = StrictBoolean(required=True)


class IssueSchema(Strict):
    theme = fields.String(required=True, validate=validate.OneOf(casework_contracts.THEMES))
    description = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class ConcludeIssueSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(casework_contracts.ISSUE_OUTCOMES))
    note = fields.String(load_default="", validate=TEXT)


class ActivitySchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(casework_contracts.ACTIVITIES))
    contribution = fields.String(required=True, validate=validate.OneOf(casework_contracts.CONTRIBUTIONS))
    note = fields.String(load_default="", validate=TEXT)
    happened_at = fields.AwareDateTime(format="iso")


class SignpostSchema(Strict):
    to = fields.String(required=True, validate=validate.OneOf(casework_contracts.SIGNPOSTS))
    note = fields.String(load_default="", validate=TEXT)


class AdvocateChangeRequestSchema(Strict):
    reason = fields.String(load_default="", validate=TEXT)


class AdvocateChangeDecisionSchema(Strict):
    result = fields.String(required=True, validate=validate.OneOf(["granted", "declined"]))
    new_advocate_email = fields.Email(validate=SHORT)
    reason = fields.String(load_default="", validate=TEXT)


class DisclosureSchema(Strict):
    reason = fields.String(required=True, validate=validate.OneOf(casework_contracts.DISCLOSURE_REASONS))
    decided_by = fields.String(required=True, validate=validate.Length(min=1, max=200))
    disclosed_to = fields.String(required=True, validate=validate.Length(min=1, max=200))
    disclosed_at = fields.AwareDateTime(required=True, format="iso")
    child_told = StrictBoolean(required=True)
    child_told_at = fields.AwareDateTime(format="iso")
    why_not_told = fields.String(validate=validate.Length(min=1, max=2000))


class CloseCaseSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(casework_contracts.CASE_OUTCOMES))
    satisfaction = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=validate.Range(min=1, max=5))
    feedback = fields.String(load_default="", validate=TEXT)


# complaints, representations and compliments about the advocacy service

class ComplainantContactSchema(Strict):
    email = fields.Email(validate=SHORT)
    phone = fields.String(validate=PHONE)


class ComplaintSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(complaint_contracts.KINDS))
    made_by = fields.String(required=True, validate=validate.OneOf(complaint_contracts.FROM))
    name = fields.String(load_default="", validate=validate.Length(max=100))
    contact = fields.Nested(ComplainantContactSchema, load_default=dict)
    about = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    council = fields.String(validate=validate.Regexp(r"^[A-Z][A-Z0-9_]{1,39}$", error="A council code, e.g. CARDIFF."))
    language = fields.String(load_default="en", validate=validate.OneOf(["en", "cy"]))
    wants_reply = StrictBoolean(load_default=True)


class ComplaintAnswerSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(["upheld", "partly_upheld", "not_upheld"]))
    summary = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class EmptySchema(Strict):
    """A step that needs nothing but the decision to take it."""
