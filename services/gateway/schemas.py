"""The public API's request and response shapes (API.md), in marshmallow.

They validate requests and generate the OpenAPI document, so the two never disagree. Shape only: the rules of the
work (ages, consent, contactability) belong to the service that owns the referral. What no field may hold (control
characters, unpaired surrogates, bidirectional overrides, dates outside the shared window) is shared.validation's,
which every service checks again.
"""

from __future__ import annotations

import re

from marshmallow import Schema, ValidationError, fields, validate

from shared import validation
from shared.contracts import casework as casework_contracts
from shared.contracts import complaints as complaint_contracts
from shared.contracts import referral as referral_contracts
from shared.contracts import scheduling as scheduling_contracts
from shared.web import MOST_ON_A_PAGE, NOT_A_CURSOR, PAGE_SIZE

NAME = validate.Length(min=1, max=100)
TEXT = validate.Length(max=2000)
SHORT = validate.Length(max=200)
STATUSES = referral_contracts.STATUSES


class Pattern(validate.Regexp):
    """A regular expression the whole value must match, as JSON Schema's `pattern` (which the OpenAPI document
    states) means it: Python's `$` would also let a trailing line break through."""

    def __call__(self, value):
        if self.regex.fullmatch(value) is None:
            raise ValidationError(self._format_error(value))
        return value


PHONE = Pattern(r"^[0-9+() -]{6,30}$", error="Not a phone number.")
ACTIVE_OFFER_BASES = referral_contracts.ACTIVE_OFFER_BASES
LANGUAGES = referral_contracts.LANGUAGES
MEETING_SUMMARY_STATUSES = ("none", *(status for status in scheduling_contracts.MEETING_STATUSES
                                      if status != "cancelled"))
"""A referral's meeting as its council sees it: none until one is arranged (and again once it is cancelled), then
as scheduling says."""
WHITESPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
"""The characters Python's str.strip() removes, which is what the services mean by blank."""


def _characters(printable: re.Pattern) -> tuple[str, str]:
    """The class of characters shared.validation's `printable` pattern allows (`[^...]`), and the ranges it refuses,
    to build patterns that say more in the regex dialect JSON Schema validators share (no lookaround)."""
    allowed = printable.pattern.removeprefix("^").removesuffix("*$")
    return allowed, allowed.removeprefix("[^").removesuffix("]")


def _said(printable: re.Pattern) -> str:
    """The pattern of printable text that is not blank: at least one character besides whitespace."""
    allowed, refused = _characters(printable)
    return rf"^{allowed}*[^{refused}{WHITESPACE}]{allowed}*$"


SAID_TEXT = _said(validation.TEXT_PATTERN)
SAID_LINE = _said(validation.LINE_PATTERN)


class Said(validate.Validator):
    """An answer that says something: the services refuse a blank one, so the gateway does too, and the OpenAPI
    document states it as the field's pattern (its `regex`, listed before the printable-text check's)."""

    def __init__(self, *, one_line: bool = False):
        self.regex = re.compile(SAID_LINE if one_line else SAID_TEXT)

    def __call__(self, value):
        if isinstance(value, str) and not value.strip():
            raise ValidationError("Must not be blank.")
        return value


class StrictBoolean(fields.Boolean):
    """Only JSON true or false: a consent given as "yes", 1 or "on" is a mistake to report, not to guess at."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Strict(Schema):
    """Unknown fields are refused, so a misspelt field is an error rather than silently ignored."""


def _printable(given, *, one_line: bool, name: bool = False) -> list:
    """`given` validators and the printable-text check; the check's pattern is the one the OpenAPI document states
    unless a validator given has its own (which, as `Said`'s does, then says the same and more)."""
    listed = [] if given is None else list(given) if isinstance(given, (list, tuple)) else [given]
    stated = any(hasattr(check, "regex") for check in listed)
    return [*listed, validation.Printable(one_line=one_line, name=name, documented=not stated)]


class Line(fields.String):
    """A name or a short answer: no control characters, bidirectional overrides or unpaired surrogates, on one line
    (stated in the OpenAPI document as its pattern)."""

    def __init__(self, *, validate=None, **kwargs):
        super().__init__(validate=_printable(validate, one_line=True), **kwargs)


class PersonName(fields.String):
    """A person's name: as `Line`, and without zero-width characters, a byte order mark, tag or private-use
    characters or non-characters, so that two names that look alike are alike (stated as its pattern)."""

    def __init__(self, *, validate=None, **kwargs):
        super().__init__(validate=_printable(validate, one_line=True, name=True), **kwargs)


class Address(fields.Email):
    """An email address that cannot pass for another: none with an invisible character or letters of two
    alphabets (shared.validation.email_problem), once its compatibility characters are read as their plain forms."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(_unmistakable)


def _unmistakable(address: str) -> str:
    problem = validation.email_problem(validation.normalised_email(address))
    if problem and problem != validation.NOT_AN_EMAIL:  # marshmallow's own check says that one
        raise ValidationError(problem)
    return address


class Text(fields.String):
    """Free text: as `Line`, but tabs and line breaks are welcome."""

    def __init__(self, *, validate=None, **kwargs):
        super().__init__(validate=_printable(validate, one_line=False), **kwargs)


def _described(kwargs: dict, said: str) -> dict:
    """A field's arguments with `said` added to its description, so the OpenAPI document states the rule."""
    metadata = kwargs.pop("metadata", {})
    return {**kwargs, "metadata": {**metadata, "description": " ".join(filter(None, [metadata.get("description"),
                                                                                    said]))}}


class Day(fields.Date):
    """A date as YYYY-MM-DD only (Python alone would also read 20130502), inside the window every service shares;
    `past` for a date that has been, such as a birth."""

    def __init__(self, *, past: bool = False, **kwargs):
        self.past = past
        super().__init__(**_described(kwargs, "YYYY-MM-DD, " + ("not in the future and " if past else "")
                                      + f"{validation.WINDOW}."))

    def _deserialize(self, value, attr, data, **kwargs):
        problem = validation.day_problem(value, past=self.past)
        if problem:
            raise ValidationError(problem)
        return validation.parse_day(value)


class Moment(fields.AwareDateTime):
    """A time as RFC 3339 with its offset (at most 14 hours), inside the window every service shares; `past` for a
    time that has been, such as a disclosure; `query` for a filter, which stores nothing and may name any year."""

    def __init__(self, *, past: bool = False, query: bool = False, **kwargs):
        self.past, self.query = past, query
        super().__init__(format="iso", **_described(kwargs, f"RFC 3339 with {validation.OFFSETS}" + (
            "." if query else ", " + ("not in the future and " if past else "") + f"{validation.WINDOW}.")))

    def _deserialize(self, value, attr, data, **kwargs):
        problem = (validation.well_formed_moment(value) if self.query else
                   validation.moment_problem(value, past=self.past))
        if problem:
            raise ValidationError(problem)
        return validation.parse_moment(value)


class ContactSchema(Strict):
    phone = fields.String(validate=PHONE)
    email = Address(validate=SHORT)
    address = Text(validate=validate.Length(max=500))
    carer_name = PersonName(validate=NAME)
    carer_phone = fields.String(validate=PHONE)


class EqualitySchema(Strict):
    """Equality monitoring the child chose to give: each answer optional, `declined` where they chose not to say."""

    gender = fields.String(validate=validate.OneOf(
        referral_contracts.EQUALITY["gender"], error="Give gender as one of: {choices}."))
    ethnic_group = fields.String(validate=validate.OneOf(
        referral_contracts.EQUALITY["ethnic_group"], error="Give the ethnic group as one of: {choices}."))
    disability = fields.String(validate=validate.OneOf(
        referral_contracts.EQUALITY["disability"], error="Give disability as one of: {choices}."))


class ChildSchema(Strict):
    given_name = PersonName(required=True, validate=NAME)
    family_name = PersonName(required=True, validate=NAME)
    date_of_birth = Day(required=True, past=True)
    preferred_language = fields.String(required=True, validate=Pattern(
        r"^[a-z]{2}$", error="Give an ISO 639-1 code of two lower-case letters, e.g. cy or en."))
    interpreter_needed = StrictBoolean(load_default=False)
    communication_needs = Text(load_default="", validate=TEXT)
    contact = fields.Nested(ContactSchema, required=True)
    equality = fields.Nested(EqualitySchema, metadata={
        "description": "Equality monitoring, only as the child gave it; left out, it is not recorded."})


class ReferrerSchema(Strict):
    name = PersonName(required=True, validate=NAME)
    role = fields.String(required=True, validate=validate.OneOf(referral_contracts.REFERRER_ROLES))
    email = Address(validate=SHORT)
    phone = fields.String(validate=PHONE)
    team = Line(validate=SHORT)
    preferred_language = fields.String(load_default="en", validate=validate.OneOf(
        LANGUAGES, error="Emails to the referrer are in English (en) or Welsh (cy)."))
    organisation_type = fields.String(validate=validate.OneOf(
        referral_contracts.ORGANISATION_TYPES, error="Give the organisation's type as one of: {choices}."), metadata={
        "description": "The kind of organisation the referrer works for, if they say; left out, it is not recorded."})


class ConsentSchema(Strict):
    child_informed = StrictBoolean(required=True)
    child_agrees = StrictBoolean(required=True)
    share_arrangements_with_referrer = StrictBoolean(required=True)
    share_outcome_with_referrer = StrictBoolean(required=True)


class ReferralRequestSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(referral_contracts.KINDS))
    basis = fields.String(required=True, validate=validate.OneOf(
        referral_contracts.ELIGIBILITY, error="Give a basis code such as looked_after, or an eligibility code."),
        metadata={"description": "An Active Offer's basis is looked_after, child_protection or care_and_support."})
    external_ref = Line(validate=validate.Length(min=1, max=100))
    child = fields.Nested(ChildSchema, required=True)
    referrer = fields.Nested(ReferrerSchema, required=True)
    statutory_meeting_at = Moment()
    consent = fields.Nested(ConsentSchema, required=True)
    placed_out_of_county = StrictBoolean(metadata={
        "description": "Whether the child is placed outside the council's area; left out, it is not recorded."})
    unaccompanied_asylum_seeking = StrictBoolean(metadata={
        "description": "Whether the child is an unaccompanied asylum-seeking child; left out, it is not recorded."})
    risks = Text(load_default="", validate=TEXT)
    summary = Text(load_default="", validate=TEXT, metadata={
        "description": "What the child would like help with, in the referrer's (or the child's own) words."})


class DeadlinesSchema(Schema):
    acknowledge_by = fields.String()
    allocate_by = fields.String()
    first_contact_by = fields.String()
    meeting_by = fields.String()


class MeetingSummarySchema(Schema):
    """The meeting as a referral's council sees it."""

    status = fields.String(validate=validate.OneOf(MEETING_SUMMARY_STATUSES))
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
    named_advocate = fields.String(metadata={
        "description": "Only with share_outcome_with_referrer, once the outcome is known: the advocate who met the "
                       "child, by name (their work email where the service holds no name)."})
    support_type = fields.String(validate=validate.OneOf(referral_contracts.SUPPORT_TYPES), metadata={
        "description": "Only with share_outcome_with_referrer, once the outcome is known: the support the child goes "
                       "on to: issue_based_advocacy (take_up), formal, informal or peer (other_support), or none "
                       "for now (declined, reflecting). Absent for other support recorded before its type was "
                       "asked."})
    contact_details_given = fields.Boolean(metadata={
        "description": "Only with share_outcome_with_referrer: whether the service's contact details were left "
                       "with the child (always, on declined and reflecting)."})
    updated_at = fields.String()


class PageSchema(Schema):
    """What every list answers besides its `items`: where the next page starts."""

    next = fields.String(allow_none=True, metadata={"description": "Pass as `cursor` for the next page; null on the "
                                                                   "last."})


class PageQuerySchema(Strict):
    """What every list takes: how many on a page, and the `next` of the page before."""

    limit = fields.Integer(load_default=PAGE_SIZE, validate=validate.Range(min=1, max=MOST_ON_A_PAGE))
    cursor = fields.String(validate=[validate.Length(max=200), Pattern(r"^[A-Za-z0-9_-]+$", error=NOT_A_CURSOR)])


class ReferralListSchema(PageSchema):
    items = fields.List(fields.Nested(ReferralViewSchema))


class ReferralQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(STATUSES))
    updated_since = Moment(query=True)


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PATH = r"(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~!$&'()*+,;=:@%/?#-]*)?$"
WEBHOOK_URL = (rf"^(?:https://(?:{_LABEL}\.)*[A-Za-z0-9][A-Za-z0-9-]{{0,61}}[A-Za-z0-9]"
               rf"|http://(?:localhost|127\.0\.0\.1)){_PATH}")
"""Where webhooks may go, as the OpenAPI document states it: https to a host name, or http to this machine (for
trying it out); port and path as URLs have them. Every such URL is one marshmallow's URL check takes too."""




def _webhook_secret() -> str:
    """A one-line secret, which if it starts whsec_ is base64 after the prefix (as Standard Webhooks issues them, and
    as notify reads it: padded to a whole number of quads, Python's base64 also takes up to two more `=`)."""
    allowed, refused = _characters(validation.LINE_PATTERN)

    def but(char: str) -> str:
        return f"[^{char}{refused}]"

    unprefixed = f"(?:{but('w')}|w(?:{but('h')}|h(?:{but('s')}|s(?:{but('e')}|e(?:{but('c')}|c{but('_')})))))"
    quad = "[A-Za-z0-9+/]"
    base64 = f"(?:(?:{quad}{{4}})+={{0,2}}|(?:{quad}{{4}})*(?:{quad}{{2}}==|{quad}{{3}}=))?"
    return f"^(?:{unprefixed}{allowed}*|whsec_{base64})$"


WEBHOOK_SECRET = _webhook_secret()


class WebhookSchema(Strict):
    url = fields.Url(required=True, schemes={"https", "http"}, require_tld=False, validate=[
        validate.Length(max=500), Pattern(WEBHOOK_URL, error="Give an https:// URL (http:// only to localhost).")])
    secret = Line(required=True, load_only=True, validate=[validate.Length(min=24, max=200), Pattern(
        WEBHOOK_SECRET, error="A secret starting whsec_ is base64 after the prefix.")])
    previous_secret_expires_in_hours = fields.Integer(load_default=0, strict=True, validate=validate.Range(
        min=0, max=720), metadata={"description": "With a new secret: how many hours the secret it replaces keeps "
                                                  "signing beside it (each delivery then carries both signatures, "
                                                  "space-separated, as Standard Webhooks allows); 0, the default, "
                                                  "replaces it at once. Ignored when the secret is unchanged, which "
                                                  "leaves an overlap in progress as it is."})


class ProblemSchema(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    errors = fields.Dict(keys=fields.String(), values=fields.List(fields.String()),
                         metadata={"description": "For validation errors: field path to messages."})
    status_now = fields.String(validate=validate.OneOf(STATUSES), metadata={
        "description": "On a 409 about a referral's status: the status it has now."})
    meeting_id = fields.String(metadata={
        "description": "On a 409 because a meeting stands for the referral: the one to reschedule or cancel."})
    code = fields.String(metadata={
        "description": "What went wrong, as a stable name to act on whatever the wording of `detail`: refused, "
                       "state_forbids, not_found, not_allowed, busy, or the rule's own (e.g. "
                       "referral.transition_forbidden, meeting.double_booked, meeting.stands, case.issues_open), "
                       "each documented beside the parameters it comes with."})
    action = fields.String(metadata={
        "description": "With referral.transition_forbidden and the complaints' state errors: what was asked (allocated, "
                       "closed, ...)."})
    booked_from = fields.String(metadata={
        "description": "With meeting.double_booked: when the booking in the way starts (RFC 3339)."})
    booked_until = fields.String(metadata={
        "description": "With meeting.double_booked: when the booking in the way ends (RFC 3339)."})
    meeting_status = fields.String(metadata={
        "description": "With meeting.not_live: the meeting's status now (cancelled, held, not_held)."})
    complaint_status = fields.String(metadata={
        "description": "With complaint.not_now: the complaint's status now."})
    open_issues = fields.Integer(metadata={
        "description": "With case.issues_open: how many of the case's issues have no outcome yet."})
    trace_id = fields.String(metadata={
        "description": "On a 500: the request's trace, to quote to the provider's operators."})
    reasons = fields.Dict(keys=fields.String(), values=fields.List(fields.Dict()), metadata={
        "description": "Beside `errors`, for the fields a rule refused: field path to each message's rule as its "
                       "`code` and the parameters it was said with (e.g. `meeting_by` for meeting.late_reason), "
                       "in the order of `errors`; say them in your own words and language by code."})


class StaffReferralQuerySchema(ReferralQuerySchema):
    council = fields.String(validate=Pattern(r"^[A-Z][A-Z0-9_]{1,39}$", error="A council code, e.g. CARDIFF."))
    advocate = Address()


class MeetingQuerySchema(PageQuerySchema):
    day = Day(required=True)
    advocate = Address()


ATTENTION = "|".join(scheduling_contracts.ATTENTION_STATES)
"""The states of a deadline that needs attention, as a pattern's alternatives."""


class DeadlineQuerySchema(PageQuerySchema):
    state = fields.String(validate=Pattern(rf"^({ATTENTION})(,({ATTENTION}))?$",
                                           error="at_risk, missed, or both comma-separated."))
    advocate = Address()


class AllocateSchema(Strict):
    advocate_email = Address(required=True, validate=SHORT)


class ContactAttemptSchema(Strict):
    method = fields.String(required=True, validate=validate.OneOf(referral_contracts.CONTACT_METHODS))
    result = fields.String(required=True, validate=validate.OneOf(referral_contracts.CONTACT_RESULTS))
    note = Text(load_default="", validate=TEXT)
    attempted_at = Moment(past=True, metadata={
        "description": "When the attempt was made, for one logged afterwards (the first-contact deadline and "
                       "response times count from it); left out, now. Not before the referral was received "
                       "(422 `referral.attempt_before_receipt`)."})


class CloseSchema(Strict):
    reason = fields.String(required=True, validate=validate.OneOf(referral_contracts.CLOSE_REASONS_BY_HAND))


class OptOutSchema(Strict):
    basis = fields.String(required=True, validate=validate.OneOf(ACTIVE_OFFER_BASES))
    date_of_birth = Day(required=True, past=True)
    reason_code = fields.String(validate=validate.OneOf(
        referral_contracts.NOT_WANTED_REASONS, error="Give the reason as one of: {choices}."), metadata={
        "description": "Why the child opted out, as a code a commissioner counts; left out, no reason is recorded."})
    reason_note = Text(validate=validate.Length(max=1000), metadata={
        "description": "Any words of the reason: kept by the provider only, never sent on or reported."})
    reason = Text(load_default=None, allow_none=True, validate=validate.Length(max=500), metadata={
        "description": "Deprecated: the reason in words, alone, counted as the code `other` with the words as its "
                       "note. Not with `reason_code`: put the words in `reason_note`."})
    offered_at = Moment(required=True, past=True)
    external_ref = Line(validate=validate.Length(min=1, max=100))


class OptOutViewSchema(Schema):
    id = fields.String()
    basis = fields.String()
    offered_at = fields.String()
    reason_code = fields.String(allow_none=True)
    reason_note = fields.String(allow_none=True)
    reason = fields.String(allow_none=True)
    external_ref = fields.String(allow_none=True)
    recorded_at = fields.String()


class VenueSchema(Strict):
    name = Line(required=True, validate=SHORT)
    address = Text(load_default="", validate=validate.Length(max=500))
    accessible = StrictBoolean(required=True, validate=validate.Equal(
        True, error="The venue must be accessible to the child."))
    risk_assessed = StrictBoolean(required=True, validate=validate.Equal(
        True, error="The venue must be risk-assessed before the meeting."))
    type = fields.String(validate=validate.OneOf(
        scheduling_contracts.VENUE_TYPES, error="Give the venue's type as one of: {choices}."), metadata={
        "description": "The kind of place, if the advocate says; left out, it is not recorded."})


class MeetingRequestSchema(Strict):
    starts_at = Moment(required=True)
    duration_minutes = fields.Integer(load_default=60, strict=True, validate=validate.Range(min=15, max=240))
    venue = fields.Nested(VenueSchema, required=True)
    language = fields.String(load_default="en", validate=Pattern(r"^[a-z]{2}$"))
    late_reason = Text(validate=[validate.Length(min=1, max=1000), Said()])


class RescheduleSchema(Strict):
    starts_at = Moment(required=True)
    reason = Text(required=True, validate=[validate.Length(min=1, max=1000), Said()])
    venue = fields.Nested(VenueSchema, metadata={
        "description": "Where the meeting moves to, given whole as when arranging it; left out, it stays where it "
                       "was."})
    late_reason = Text(validate=[validate.Length(min=1, max=1000), Said()], metadata={
        "description": "Why the meeting is now after the referral's meeting_by deadline, as when arranging it; "
                       "kept from before when the meeting was late already."})


class CancelSchema(Strict):
    reason = Text(required=True, validate=[validate.Length(min=1, max=1000), Said()])


class SharingConsentSchema(Strict):
    share_arrangements_with_referrer = StrictBoolean()
    share_outcome_with_referrer = StrictBoolean()


def _each_once(codes: list) -> list:
    repeated = sorted({code for code in codes if codes.count(code) > 1})
    if repeated:
        raise ValidationError(f"Give each at most once; repeated: {', '.join(repeated)}.")
    return codes


def _nothing_alone(codes: list) -> list:
    if "nothing" in codes and len(codes) > 1:
        raise ValidationError("Choose nothing on its own, or only what was left with the child.")
    return codes


def _codes(known: tuple[str, ...], *checks, **kwargs) -> fields.List:
    """A list of codes of `known`, each at most once (stated as uniqueItems)."""
    return fields.List(fields.String(validate=validate.OneOf(known)), validate=[_each_once, *checks], **kwargs)


NOTE = {"description": "The advocate's words beside the code, at most 1000 characters: kept on the provider's side "
                       "only, never sent to a council or in an event."}


class RecordSchema(Strict):
    took_place = StrictBoolean(required=True)
    reason_not_held_code = fields.String(validate=validate.OneOf(scheduling_contracts.NOT_HELD_REASONS), metadata={
        "description": "When it did not take place: why, as a code."})
    reason_not_held_note = Text(validate=[validate.Length(min=1, max=1000), Said()], metadata=NOTE)
    reason_not_held = Text(validate=[validate.Length(min=1, max=1000), Said()], metadata={
        "description": "Deprecated: why it did not take place in words, from clients that send no code; read as "
                       "reason_not_held_code other with these words as its note. Refused beside a code."})
    outcome = fields.String(validate=validate.OneOf(referral_contracts.OUTCOMES))
    decline_reason_code = fields.String(validate=validate.OneOf(referral_contracts.NOT_WANTED_REASONS), metadata={
        "description": "On declined (and only then): why the child did not want advocacy, as a code."})
    decline_reason_note = Text(validate=[validate.Length(min=1, max=1000), Said()], metadata=NOTE)
    decline_reason = Text(validate=[validate.Length(min=1, max=1000), Said()], metadata={
        "description": "Deprecated: why the child declined in words, from clients that send no code; read as "
                       "decline_reason_code other with these words as its note. Refused beside a code."})
    topics_covered = _codes(scheduling_contracts.MEETING_TOPICS, validate.Length(min=1), metadata={
        "description": "When it took place: what the meeting covered, at least one topic, each once.",
        "uniqueItems": True})
    left_with_child = _codes(scheduling_contracts.LEFT_WITH_CHILD, _nothing_alone, metadata={
        "description": "When it took place: what was left with the child, each once; nothing on its own.",
        "uniqueItems": True})
    contact_details_given = StrictBoolean(metadata={
        "description": "Whether the service's contact details were given to the child: must be true on declined "
                       "and reflecting."})
    other_support_type = fields.String(validate=validate.OneOf(referral_contracts.OTHER_SUPPORT_TYPES), metadata={
        "description": "On other_support (and only then): which other support, formal, informal or peer."})
    consent = fields.Nested(SharingConsentSchema)
    interpreter_used = StrictBoolean(metadata={
        "description": "Whether an interpreter was used at the meeting, if it took place (not given otherwise); "
                       "left out, it is not recorded."})
    wants_help_with = Text(validate=[validate.Length(min=1, max=2000), Said()], metadata={
        "description": "On take_up only: what the child wants help with, in their own words; the new issue-based "
                       "referral carries them."})


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
    status = fields.String(validate=validate.OneOf(scheduling_contracts.MEETING_STATUSES))
    outcome = fields.String(allow_none=True)
    follow_on_referral_id = fields.String(allow_none=True, metadata={"description": "On take_up: the new "
                                                                                    "issue-based referral."})
    decline_reason = fields.String(allow_none=True, metadata={"description": "Recorded before the codes only."})
    reason_not_held = fields.String(allow_none=True, metadata={"description": "Recorded before the codes only."})
    decline_reason_code = fields.String(allow_none=True)
    decline_reason_note = fields.String(allow_none=True)
    reason_not_held_code = fields.String(allow_none=True)
    reason_not_held_note = fields.String(allow_none=True)
    topics_covered = fields.List(fields.String(), allow_none=True)
    left_with_child = fields.List(fields.String(), allow_none=True)
    contact_details_given = fields.Boolean(allow_none=True)
    other_support_type = fields.String(allow_none=True)
    interpreter_used = fields.Boolean(allow_none=True)
    history = fields.List(fields.Nested("MeetingHistoryEntrySchema"))


# casework (API.md style, issue-based advocacy)

class OpenCaseSchema(Strict):
    referral_id = Line(required=True, validate=validate.Length(min=1, max=64))
    consents_to_case_file = StrictBoolean(required=True, validate=validate.Equal(
        True, error="A case file is opened only when the child consents to it."), metadata={
        "description": "The child consents to a case file being opened; a case is opened only with it."})


class PlanSchema(Strict):
    text = Text(required=True, validate=[validate.Length(min=1, max=5000), Said()])
    agreed_with_child = StrictBoolean(required=True, validate=validate.Equal(
        True, error="The plan is the one agreed with the child: agree it with them first."))


class IssueSchema(Strict):
    theme = fields.String(required=True, validate=validate.OneOf(casework_contracts.THEMES))
    description = Text(required=True, validate=[validate.Length(min=1, max=2000), Said()])


class ConcludeIssueSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(casework_contracts.ISSUE_OUTCOMES))
    note = Text(load_default="", validate=TEXT)


class ActivitySchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(casework_contracts.ACTIVITIES))
    contribution = fields.String(required=True, validate=validate.OneOf(casework_contracts.CONTRIBUTIONS))
    note = Text(load_default="", validate=TEXT)
    happened_at = Moment(past=True)


class SignpostSchema(Strict):
    to = fields.String(required=True, validate=validate.OneOf(casework_contracts.SIGNPOSTS))
    note = Text(load_default="", validate=TEXT)


class AdvocateChangeRequestSchema(Strict):
    reason = Text(load_default="", validate=TEXT)


class AdvocateChangeDecisionSchema(Strict):
    result = fields.String(required=True, validate=validate.OneOf(casework_contracts.CHANGE_RESULTS))
    new_advocate_email = Address(validate=SHORT)
    reason = Text(load_default="", validate=TEXT)


class DisclosureSchema(Strict):
    reason = fields.String(required=True, validate=validate.OneOf(casework_contracts.DISCLOSURE_REASONS))
    decided_by = Line(required=True, validate=[validate.Length(min=1, max=200), Said(one_line=True)])
    disclosed_to = Line(required=True, validate=[validate.Length(min=1, max=200), Said(one_line=True)])
    disclosed_at = Moment(required=True, past=True)
    child_told = StrictBoolean(required=True)
    child_told_at = Moment(past=True, metadata={"description": "Not before disclosed_at."})
    why_not_told = Text(validate=[validate.Length(min=1, max=2000), Said()])


class CloseCaseSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(casework_contracts.CASE_OUTCOMES))
    satisfaction = fields.Integer(load_default=None, allow_none=True, strict=True,
                                  validate=validate.Range(min=1, max=5))
    feedback = Text(load_default="", validate=TEXT)


# complaints, representations and compliments about the advocacy service

class ComplainantContactSchema(Strict):
    email = Address(validate=SHORT)
    phone = fields.String(validate=PHONE)


class ComplaintSchema(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(complaint_contracts.KINDS))
    made_by = fields.String(required=True, validate=validate.OneOf(complaint_contracts.FROM))
    name = PersonName(load_default="", validate=validate.Length(max=100))
    contact = fields.Nested(ComplainantContactSchema, load_default=dict)
    about = Text(required=True, validate=[validate.Length(min=1, max=5000), Said()])
    council = fields.String(validate=Pattern(r"^[A-Z][A-Z0-9_]{1,39}$", error="A council code, e.g. CARDIFF."))
    language = fields.String(load_default="en", validate=validate.OneOf(LANGUAGES))
    wants_reply = StrictBoolean(load_default=True)


class ComplaintAnswerSchema(Strict):
    outcome = fields.String(required=True, validate=validate.OneOf(complaint_contracts.ANSWERS))
    summary = Text(required=True, validate=[validate.Length(min=1, max=5000), Said()])


class ComplaintReviewSchema(Strict):
    reason = Text(required=True, validate=[validate.Length(min=1, max=5000), Said()], metadata={
        "description": "What the complainant is still not happy about, in their words."})


class EmptySchema(Strict):
    """A step that needs nothing but the decision to take it."""


# what the API answers, field by field (the OpenAPI document's response schemas; never used to load a request)

def _maybe(field: fields.Field) -> fields.Field:
    """A field the answer always has, null until it is known."""
    field.allow_none = True
    return field


class TimelineEntrySchema(Schema):
    at = fields.String()
    what = fields.String()
    by = fields.String(metadata={"description": "Who did it: a member of staff by their work email (who arranged, "
                                                "moved or recorded a meeting too), a council by its code, `child` (a "
                                                "self-referral's receipt), `provider`, or the service that acted on its own (`scheduling` for a meeting's "
                                                "step recorded before its events said who took it)."})
    detail = fields.Dict(metadata={"description": "What changed, by field (e.g. `advocate_email`, `reason`)."})


class ContactView(Schema):
    phone = fields.String()
    email = fields.String()
    address = fields.String()
    carer_name = fields.String()
    carer_phone = fields.String()


class ChildView(Schema):
    given_name = fields.String()
    family_name = fields.String()
    date_of_birth = fields.String()
    preferred_language = fields.String()
    interpreter_needed = fields.Boolean()
    communication_needs = fields.String()
    contact = fields.Nested(ContactView)
    equality = fields.Nested(EqualitySchema)


class ReferrerView(Schema):
    name = fields.String()
    role = fields.String()
    email = fields.String()
    phone = fields.String()
    team = fields.String()
    preferred_language = fields.String()
    organisation_type = fields.String()


class ConsentView(Schema):
    child_informed = fields.Boolean()
    child_agrees = fields.Boolean()
    share_arrangements_with_referrer = fields.Boolean()
    share_outcome_with_referrer = fields.Boolean()


class ContactAttemptView(Schema):
    at = fields.String(metadata={"description": "When the attempt was made."})
    recorded_at = fields.String(metadata={"description": "Only for an attempt logged afterwards (given "
                                                         "`attempted_at`): when it was recorded."})
    by = fields.String()
    method = fields.String()
    result = fields.String()
    note = fields.String()


class StaffMeetingSummarySchema(MeetingSummarySchema):
    """The referral's meeting as provider staff see it: with its id."""

    id = fields.String()
    starts_at = fields.String()
    venue = fields.String()


class StaffReferralViewSchema(ReferralViewSchema):
    """The whole referral with its timeline, as provider staff (advocates and managers) see it."""

    external_ref = _maybe(fields.String())
    meeting = fields.Nested(StaffMeetingSummarySchema)
    council = fields.String()
    region = fields.String()
    nation = fields.String()
    source = _maybe(fields.String(metadata={"description": "Who referred: social_worker, self, active_offer (a "
                                                            "take-up), iro, carer, ..."}))
    child = fields.Nested(ChildView)
    referrer = fields.Nested(ReferrerView)
    risks = fields.String()
    summary = fields.String()
    consent = fields.Nested(ConsentView)
    advocate_email = _maybe(fields.String())
    statutory_meeting_at = _maybe(fields.String())
    placed_out_of_county = _maybe(fields.Boolean())
    unaccompanied_asylum_seeking = _maybe(fields.Boolean())
    contact_attempts = fields.List(fields.Nested(ContactAttemptView))
    close_reason = _maybe(fields.String())
    decline_reason = _maybe(fields.String(metadata={"description": "Only an Active Offer completed before the "
                                                                   "codes: why the child declined, in words."}))
    decline_reason_code = _maybe(fields.String(validate=validate.OneOf(referral_contracts.NOT_WANTED_REASONS)))
    outcome = _maybe(fields.String())
    follow_on_referral_id = _maybe(fields.String())
    follow_on_of = _maybe(fields.String(metadata={"description": "For a take-up's referral: the Active Offer's."}))
    earlier_referral_ids = fields.List(fields.String())
    meeting_took_place = _maybe(fields.Boolean())
    timeline = fields.List(fields.Nested(TimelineEntrySchema))
    next_actions = fields.List(fields.String(), metadata={"description": "The steps its status allows now."})


class MeetingHistoryEntrySchema(Schema):
    at = fields.String()
    what = fields.String()
    by = fields.String()
    reason = fields.String()
    from_ = fields.String(data_key="from", metadata={"description": "On a rescheduling: when it was to start."})


class MeetingListSchema(PageSchema):
    items = fields.List(fields.Nested(MeetingViewSchema))


class DeadlineView(Schema):
    referral_id = fields.String()
    council = fields.String()
    advocate_email = _maybe(fields.String())
    deadline = fields.String(validate=validate.OneOf(scheduling_contracts.DEADLINES))
    state = fields.String(validate=validate.OneOf(scheduling_contracts.ATTENTION_STATES))
    due_at = fields.String()


class DeadlineListSchema(PageSchema):
    items = fields.List(fields.Nested(DeadlineView))


class WebhookViewSchema(Schema):
    url = fields.String(metadata={"description": "Where events go; the secret is never shown."})
    previous_secret_expires_at = fields.String(allow_none=True, metadata={
        "description": "While the previous secret still signs beside the new one: when it stops; otherwise null."})


class CasePlanView(Schema):
    text = fields.String()
    version = fields.Integer()
    agreed_at = fields.String()
    agreed_by = fields.String()


class CaseIssueView(Schema):
    id = fields.String()
    theme = fields.String()
    description = fields.String()
    raised_at = fields.String()
    raised_by = fields.String()
    outcome = _maybe(fields.String())
    outcome_note = _maybe(fields.String())
    concluded_at = _maybe(fields.String())


class CaseActivityView(Schema):
    at = fields.String()
    kind = fields.String()
    contribution = fields.String()
    note = fields.String()
    by = fields.String()


class CaseSignpostView(Schema):
    at = fields.String()
    to = fields.String()
    note = fields.String()
    by = fields.String()


class AdvocateChangeView(Schema):
    id = fields.String()
    requested_at = fields.String()
    requested_by = fields.String()
    reason = fields.String()
    result = _maybe(fields.String())
    decided_at = _maybe(fields.String())
    decided_by = _maybe(fields.String())
    decision_reason = _maybe(fields.String())
    new_advocate_email = _maybe(fields.String())


class DisclosureView(Schema):
    reason = fields.String()
    decided_by = fields.String()
    disclosed_to = fields.String()
    disclosed_at = fields.String()
    child_told = fields.Boolean()
    child_told_at = _maybe(fields.String())
    why_not_told = _maybe(fields.String())
    recorded_at = fields.String()
    recorded_by = fields.String()


class CaseClosureView(Schema):
    outcome = fields.String()
    satisfaction = _maybe(fields.Integer())
    feedback = fields.String()
    closed_at = fields.String()
    closed_by = fields.String()


class CaseViewSchema(Schema):
    """An advocacy case, whole (casework owns it)."""

    id = fields.String()
    referral_id = fields.String()
    council = fields.String()
    region = fields.String()
    nation = fields.String()
    source = _maybe(fields.String())
    basis = fields.String()
    language = fields.String()
    advocate_email = fields.String()
    status = fields.String(validate=validate.OneOf(casework_contracts.CASE_STATUSES))
    opened_at = fields.String()
    opened_by = fields.String()
    plan = _maybe(fields.Nested(CasePlanView))
    issues = fields.List(fields.Nested(CaseIssueView))
    activities = fields.List(fields.Nested(CaseActivityView))
    signposting = fields.List(fields.Nested(CaseSignpostView))
    advocate_changes = fields.List(fields.Nested(AdvocateChangeView))
    change_waiting = fields.Boolean(metadata={
        "description": "Whether the child's request for a different advocate waits for a manager's decision; "
                       "absent until the child first asks."})
    disclosures = fields.List(fields.Nested(DisclosureView))
    closure = _maybe(fields.Nested(CaseClosureView))
    updated_at = fields.String()
    timeline = fields.List(fields.Nested(TimelineEntrySchema))


class CaseSummaryView(Schema):
    """A case in a list: no content."""

    id = fields.String()
    referral_id = fields.String()
    council = fields.String()
    advocate_email = fields.String()
    status = fields.String(validate=validate.OneOf(casework_contracts.CASE_STATUSES))
    opened_at = fields.String()
    updated_at = fields.String()
    open_issues = fields.Integer()
    change_requested_at = _maybe(fields.String(metadata={
        "description": "When the child asked for a different advocate, while the request waits for a decision."}))


class CaseListSchema(PageSchema):
    items = fields.List(fields.Nested(CaseSummaryView))


class ComplaintAnswerView(Schema):
    stage = fields.Integer()
    outcome = fields.String()
    summary = fields.String()
    at = fields.String()
    by = fields.String()
    other_routes_told = fields.List(fields.String())


class ComplaintRecordSchema(Schema):
    """A complaint, representation or compliment, whole."""

    id = fields.String()
    kind = fields.String(validate=validate.OneOf(complaint_contracts.KINDS))
    made_by = fields.String(validate=validate.OneOf(complaint_contracts.FROM))
    name = fields.String()
    contact = fields.Nested(ContactView)
    about = fields.String()
    council = _maybe(fields.String())
    nation = fields.String()
    language = fields.String()
    wants_reply = fields.Boolean()
    status = fields.String()
    stage = fields.Integer()
    received_at = fields.String()
    deadlines = fields.Dict(keys=fields.String(), values=fields.String(),
                            metadata={"description": "acknowledge_by, respond_by, stage_2_respond_by, once counted."})
    acknowledged_at = _maybe(fields.String())
    responses = fields.List(fields.Nested(ComplaintAnswerView))
    outcome = _maybe(fields.String())
    closed_at = _maybe(fields.String())
    timeline = fields.List(fields.Nested(TimelineEntrySchema))
    updated_at = fields.String()
    tracking_digest = _maybe(fields.String(metadata={"description": "A digest of the complainant's private key."}))
    tracking_key = fields.String(metadata={"description": "Only when it is recorded: the private key the "
                                                          "complainant follows it with; give it to them."})
    erase_on = _maybe(fields.String(metadata={
        "description": "The day who made it and what was said are erased (YYYY-MM-DD): 6 years after it closed, "
                       "by default; null while it is open."}))
    erased_on = _maybe(fields.String(metadata={"description": "The day they were erased, once they are."}))


class ComplaintSummaryView(Schema):
    id = fields.String()
    kind = fields.String(validate=validate.OneOf(complaint_contracts.KINDS))
    made_by = fields.String(validate=validate.OneOf(complaint_contracts.FROM))
    name = fields.String(metadata={"description": "The name the complainant gave, if any (empty otherwise)."})
    status = fields.String()
    acknowledged_at = _maybe(fields.String())
    stage = fields.Integer()
    received_at = fields.String()
    deadlines = fields.Dict(keys=fields.String(), values=fields.String())
    outcome = _maybe(fields.String())
    updated_at = fields.String()


class ComplaintListSchema(PageSchema):
    items = fields.List(fields.Nested(ComplaintSummaryView))


# the lists' filters

class CaseQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(casework_contracts.CASE_STATUSES))
    advocate = Address(metadata={"description": "A manager's filter: one advocate's cases."})


class ComplaintQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.OneOf(complaint_contracts.STATUSES))
    kind = fields.String(validate=validate.OneOf(complaint_contracts.KINDS))


class Digits(fields.Integer):
    """A whole number in a query string, in ASCII digits alone and without leading zeros: Python's int() also reads
    ` 2026`, `02026`, `2_026`, `+3` and other scripts' digits, which a service given the text as it came refuses."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not (isinstance(value, str) and re.fullmatch(r"0|[1-9][0-9]{0,8}", value)):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class AnnualReportQuerySchema(Strict):
    year = Digits(required=True, validate=validate.Range(2000, 2100), metadata={
        "description": "The financial year, by the calendar year its April is in."})
    council = fields.String(validate=Pattern(r"^[A-Z][A-Z0-9_]{1,39}$", error="A council code, e.g. CARDIFF."),
                            metadata={"description": "One council's figures; a council's own key reads only its own."})
    region = fields.String(validate=Pattern(r"^[a-z][a-z0-9-]{1,39}$", error="A region code, e.g. cardiff-vale."),
                           metadata={"description": "A region's figures (not with `council`)."})
    publication = fields.Boolean(metadata={
        "description": "For publication: each count from 1 to below the provider's threshold is withheld (null), "
                       "and `suppressed_below` says the threshold. Without it, a council or a commissioner still "
                       "sees the small cells of each breakdown by a child withheld; a manager sees exact figures."})


class QuarterlyReportQuerySchema(AnnualReportQuerySchema):
    quarter = Digits(required=True, validate=validate.Range(1, 4), metadata={
        "description": "The financial-year quarter: 1 is April to June, 4 is January to March."})


class ChildRecordQuerySchema(Strict):
    language = fields.String(validate=validate.OneOf(LANGUAGES), metadata={
        "description": "The page's language; the child's own when left out."})
