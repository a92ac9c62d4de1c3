"""The web forms' fields, labels and the checks of shape a person can fix on the page.

Shape only, as in schemas.py: the rules of the work are the services' own, and their answers (a child too old, a
meeting after its deadline) come back onto the same fields. Every label and message is translatable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping, Sequence

from flask_babel import LazyString, get_locale, gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (GovCheckboxesInput, GovDateInput, GovPasswordInput, GovRadioInput,
                                                GovSelect, GovSubmitInput, GovTextArea, GovTextInput)
from wtforms import (DateField, IntegerField, PasswordField, RadioField, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField)
from wtforms.validators import (DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp,
                                ValidationError)

from shared import words
from shared.clock import LONDON
from shared.contracts import referral, scheduling

from services.gateway.web.service_messages import asked, check_the_answer

EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address in the correct format, "
                                                          "like name@example.com"))
PHONE = Regexp(r"^[0-9+() -]{6,30}$", message=_l("Enter a phone number, like 01632 960 001 or 07700 900 982"))
TIME = Regexp(r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$", message=_l("Enter a time on the 24-hour clock, like 14:30"))
YOUR_PHONE = Regexp(PHONE.regex, message=_l("Enter your phone number, like 07700 900 982"))
YOUR_EMAIL = Regexp(EMAIL.regex, message=_l("Enter your email in the right format, like name@example.com"))
THEIR_PHONE = Regexp(PHONE.regex, message=_l("Enter their phone number, like 07700 900 982"))
"""A young person's contact answers checked as anyone's, refused in words spoken to them."""
YES_NO = [("yes", _l("Yes")), ("no", _l("No"))]
MIN_SECONDS_TO_FILL = 3
"""A public form sent faster than a person could read its pages is likely a bot's: it is not sent, but kept and
shown again, asking for it to be sent again (a person loses nothing; the honeypot refuses bots outright)."""
KEPT = _l("Your answers are kept. Check them, then send them again.")
KEPT_FOR_YOU = _l("We have kept your answers. Check them, then send them again when you are ready.")
"""What a public form sent too soon says: to anyone, and to a young person."""


def labelled(vocabulary: Sequence[str], labels: Mapping[str, Any], *, every: bool = True) -> list[tuple[str, Any]]:
    """A contract's codes with the page's words for them, as a form's choices, in the order of `labels` (the order
    the page shows them).

    A label for a code the contract lacks, or (unless the form deliberately offers only some, `every=False`) a code
    without a label, is a page out of step with the services: it fails on import, not in front of a child."""
    unknown = [code for code in labels if code not in vocabulary]
    unlabelled = [code for code in vocabulary if code not in labels] if every else []
    if unknown or unlabelled:
        raise ValueError(f"the labels do not fit the vocabulary {tuple(vocabulary)}: "
                         f"not in it {unknown}, without a label {unlabelled}")
    return list(labels.items())


def page_language() -> str:
    """`cy` on a Welsh page, `en` otherwise (and outside a request)."""
    return words.language_of(get_locale())


def worded(kind: str, codes: Sequence[str] | None = None) -> list[tuple[str, Any]]:
    """A kind's codes (all, or `codes` of them) with their words in the page's language (shared/words), as a form's
    choices: lazy, so that a form built on import speaks the language of each page that shows it. A code without
    words is a page out of step with the services: it fails on import, not in front of a child."""
    chosen = words.codes(kind) if codes is None else tuple(codes)
    for code in chosen:
        words.of(kind, code, "en")
    return [(code, LazyString(_in_page_language, kind, code)) for code in chosen]


def _in_page_language(kind: str, code: str) -> str:
    """A code's words (shared/words) in the page's language."""
    return words.of(kind, code, page_language())


class TranslatedDateInput(GovDateInput):
    """GOV.UK's date input, with its Day, Month and Year labels in the page's language."""

    def map_gov_params(self, field, **kwargs):
        if field.raw_data is not None and len(field.raw_data) != 3:  # a form posted without its three boxes
            field.raw_data = [*field.raw_data, "", "", ""][:3]
        params = super().map_gov_params(field, **kwargs)
        for item, label in zip(params["items"], (gettext("Day"), gettext("Month"), gettext("Year"))):
            item["label"] = label
        return params


def required(message) -> DataRequired:
    return DataRequired(message=message)


def chosen(message) -> InputRequired:
    return InputRequired(message=message)


def too_long(label, most: int):
    """What a question says of an answer longer than it takes, naming the question."""
    return _l("The answer to “%(question)s” must be %(max)d characters or fewer", question=label, max=most)


def text(label, message=None, *, hint=None, max_length=100, optional=False, validators=(), default=None):
    checks = [Optional() if optional else required(message), Length(max=max_length, message=too_long(
        label, max_length)), *validators]
    return StringField(label, checks, description=hint or "", widget=GovTextInput(), default=default)


def long_text(label, message=None, *, hint=None, max_length=2000, optional=True):
    return TextAreaField(label, [Optional() if optional else required(message), Length(
        max=max_length, message=too_long(label, max_length))], description=hint or "", widget=GovTextArea())


def not_a_choice(label, message=None):
    """What a question says of an answer that is none of its choices (a page posted by hand): its own message, or
    a request to choose one of its answers, by its question."""
    return message or _l("Choose one of the answers to “%(question)s”", question=label)


def choice(label, choices, message=None, *, hint=None, optional=False, invalid=None):
    """Radios; `optional` for a question that may be left unanswered (then nothing is recorded); `invalid` says what
    is wrong with an answer that is none of the choices (else `message`, else a request to choose by the question)."""
    return RadioField(label, [Optional() if optional else chosen(message)], choices=choices, description=hint or "",
                      widget=GovRadioInput(), invalid_choice_message=not_a_choice(label, invalid or message))


class PagesLanguageFirst(RadioField):
    """English or Welsh, the page's own language first (Cymraeg above English on a Welsh page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if str(get_locale() or "en").startswith("cy"):
            self.choices = sorted(self.choices, key=lambda option: option[0] != "cy")


def languages(label, message, *, hint=None):
    return PagesLanguageFirst(label, [chosen(message)], choices=LANGUAGES, description=hint or "",
                              widget=GovRadioInput(), invalid_choice_message=message)


class WholeNumber(IntegerField):
    """A number typed in a text box; `invalid_value_message` names it in the page's words when it is not one."""


def whole_number(label, message, *, invalid, least, most, range_message, default=None, hint=None):
    """A whole number from `least` to `most`; `message` asks for it when it is left out, or None where the question
    may be left unanswered."""
    given = chosen(message) if message is not None else Optional()
    return WholeNumber(label, [given, NumberRange(min=least, max=most, message=range_message)],
                       default=default, invalid_value_message=invalid, description=hint or "", widget=GovTextInput())


def yes_or_no(answer: str | None) -> bool | None:
    """An optional yes-or-no answer as the API takes it: None when left unanswered, never taken for no."""
    return {"yes": True, "no": False}.get(answer or "")


def london_today() -> date:
    """Today in Europe/London, where the people using the pages are."""
    return datetime.now(LONDON).date()


class RealDateField(DateField):
    """A date from GOV.UK's three boxes, refused in the page's language when the boxes do not make a real date
    (`invalid` names the date, e.g. "The date of the meeting must be a real date")."""

    def __init__(self, *args, invalid=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.invalid = invalid

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(str(self.invalid or gettext("Enter a real date, like 27 3 2013"))) from None


class InThePast:
    """A date that has been (a birth): `message` says so about the field in the page's words."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data and field.data > london_today():
            raise ValidationError(str(self.message))


class NotBeforeToday:
    """A date still to come, or today (a meeting's): `message` says so about the field in the page's words."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data and field.data < date.today():
            raise ValidationError(str(self.message))


def day(label, message, *, hint=None, optional=False, invalid=None, checks=(), default=None):
    return RealDateField(label, [Optional() if optional else chosen(message), *checks], format="%d %m %Y",
                         description=hint or "", widget=TranslatedDateInput(), invalid=invalid, default=default)


def submit(label):
    return SubmitField(label, widget=GovSubmitInput())


class Honeypot(FlaskForm):
    """A field people never see or fill in; bots that fill every field give themselves away."""

    website = StringField(_l("Leave this empty"), [Optional(), Length(max=0)], widget=GovTextInput())


class NotInFuture:
    def __call__(self, form, field):
        if field.data and field.data > date.today():
            raise ValidationError(gettext("The date must be today or in the past"))


WTFORMS_DEFAULTS = ("This field is required.", "Not a valid choice.", "Not a valid integer value.",
                    "Not a valid date value.", "Not a valid decimal value.", "Not a valid float value.",
                    "Invalid input.", "Invalid value, must be one of: %(values)s.", "Not a valid datetime value.")
"""WTForms' own messages, which name no field: a field still saying one says its own instead (`plain_errors`)."""


def plain_errors(form) -> None:
    """Every field's errors in the page's words: WTForms' own messages (in English or its own Welsh), which name no
    field, become what the field asks for, or a request to check the answer to its question."""
    for field in form:
        if not field.errors or not isinstance(field.errors, list):
            continue
        defaults = {field.gettext(text) for text in WTFORMS_DEFAULTS} | set(WTFORMS_DEFAULTS)
        field.errors = [(asked(field) or check_the_answer(field)) if str(error) in defaults else error
                        for error in field.errors]


# signing in

class SignInForm(FlaskForm):
    email = text(_l("Email address"), _l("Enter your email address"), max_length=254, validators=[EMAIL])
    password = PasswordField(_l("Password"), [required(_l("Enter your password")), Length(max=200)],
                             widget=GovPasswordInput())
    submit = submit(_l("Sign in"))


class SignOutForm(FlaskForm):
    submit = submit(_l("Sign out"))


# the journey's actions on a referral

CONTACT_METHODS = worded("contact_method", referral.CONTACT_METHODS)
CONTACT_RESULTS = worded("contact_result", referral.CONTACT_RESULTS)
OUTCOMES = worded("outcome", referral.OUTCOMES)
CLOSE_REASONS = worded("close_reason", referral.CLOSE_REASONS_BY_HAND)
LANGUAGES = worded("language", referral.LANGUAGES)
ORGANISATION_TYPES = worded("organisation_type", referral.ORGANISATION_TYPES)
VENUE_TYPES = worded("venue_type", scheduling.VENUE_TYPES)
NOT_WANTED_REASONS = worded("not_wanted_reason", referral.NOT_WANTED_REASONS)
TRANSITION_KINDS = worded("transition_kind", referral.TRANSITION_KINDS)
NOT_OFFERED_AGAIN = worded("not_offered_again", referral.NOT_OFFERED_AGAIN)
RENEWED_OFFER_RESULTS = worded("renewed_offer_result", referral.RENEWED_OFFER_RESULTS)
NOT_HELD_REASONS = worded("not_held_reason", scheduling.NOT_HELD_REASONS)
MEETING_TOPICS = worded("meeting_topic", scheduling.MEETING_TOPICS)
LEFT_WITH_CHILD = worded("left_with_child", scheduling.LEFT_WITH_CHILD)
OTHER_SUPPORT_TYPES = worded("support_type", referral.OTHER_SUPPORT_TYPES)
SUPPORT_TYPES = worded("support_type", referral.SUPPORT_TYPES)


def equality_answers(declined=None) -> dict[str, list[tuple[str, Any]]]:
    """The answers to each equality monitoring question in the page's words (the census's broad ethnic groups), with
    `declined` in the words of whoever answers: shared/words' for a professional saying what the child chose, or
    the child's own (`declined`)."""
    return {question: [(code, declined if code == referral.DECLINED and declined is not None else said)
                       for code, said in worded(question, answers)]
            for question, answers in referral.EQUALITY.items()}


EQUALITY = equality_answers()

BASES = worded("basis", referral.ACTIVE_OFFER_BASES)
ELIGIBILITY = worded("eligibility", referral.ELIGIBILITY)

TIMELINE = {"received": _l("Received"), "acknowledged": _l("Acknowledged"), "allocated": _l("Allocated"),
            "contact attempted": _l("Contact attempted"), "meeting arranged": _l("Meeting arranged"),
            "meeting rescheduled": _l("Meeting rescheduled"), "meeting cancelled": _l("Meeting cancelled"),
            "meeting took place": _l("Meeting took place"), "meeting not held": _l("Meeting not held"),
            "active offer completed": _l("Active Offer completed"), "closed": _l("Closed")}
KINDS = {"basis": "eligibility", "method": "contact_method", "result": "contact_result", "topic": "meeting_topic",
         "reason_not_held_code": "not_held_reason", "decline_reason_code": "not_wanted_reason"}
"""The templates' names for kinds of shared/words where they differ (`word("method", ...)`: a contact method)."""


def word(kind: str, code: str | None) -> str:
    """The page's words for a code the services use (a basis, a contact result, a timeline entry...): shared/words'
    in the page's language; nothing for no code."""
    if not code:
        return ""
    if kind == "timeline":
        return str(TIMELINE.get(code, code))
    return _in_page_language(KINDS.get(kind, kind), code)


class AllocateForm(FlaskForm):
    advocate_email = SelectField(_l("Advocate"), [required(_l("Choose the advocate"))], choices=[],
                                 widget=GovSelect(), invalid_choice_message=_l("Choose the advocate"))
    submit = submit(_l("Allocate"))


def london_clock() -> str:
    """The time now in Europe/London, as the 24-hour clock's boxes take it."""
    return datetime.now(LONDON).strftime("%H:%M")


class ContactAttemptForm(FlaskForm):
    """An attempt to reach the child, with when it was made: now unless the advocate says otherwise (yesterday's
    call logged today is yesterday's)."""

    method = choice(_l("How did you try to contact the child?"), CONTACT_METHODS,
                    _l("Choose how you tried to contact the child"))
    result = choice(_l("What happened?"), CONTACT_RESULTS, _l("Choose what happened"))
    day = day(_l("Date of the attempt"), None, hint=_l("Today, unless you are recording an earlier attempt. For example, "
                                                 "27 3 2027"), optional=True,
              invalid=_l("The date of the attempt must be a real date, like 27 3 2027"),
              checks=[InThePast(_l("The date of the attempt must be today or in the past"))], default=london_today)
    time = text(_l("Time of the attempt"), hint=_l("On the 24-hour clock, for example 14:30"), max_length=5,
                optional=True, validators=[TIME], default=london_clock)
    note = long_text(_l("Note (optional)"), hint=_l("Do not write anything the child would not want recorded"))
    submit = submit(_l("Record the attempt"))

    def validate(self, extra_validators=None) -> bool:
        """A date needs its time (left out, both are now)."""
        valid = super().validate(extra_validators)
        if self.day.data and not (self.time.data or "").strip() and not self.time.errors:
            self.time.errors = [gettext("Enter the time of the attempt")]
            return False
        return valid


def venue_questions() -> tuple:
    """Where a meeting is, asked alike when it is arranged and when it moves: the venue's name, address, whether it
    is accessible and risk-assessed, and its type (fresh fields each call, so each form keeps its own order)."""
    return (text(_l("Venue"), _l("Enter the venue"), hint=_l("Somewhere the child chose and feels safe"),
                 max_length=200),
            long_text(_l("Venue address (optional)"), max_length=500),
            choice(_l("Is the venue accessible for the child?"), YES_NO, _l("Say whether the venue is accessible")),
            choice(_l("Has the venue been risk-assessed?"), YES_NO,
                   _l("Say whether the venue has been risk-assessed")),
            choice(_l("Venue type (optional)"), VENUE_TYPES, optional=True,
                   invalid=_l("Choose the type of venue from the list")))


class MeetingForm(FlaskForm):
    day = day(_l("Date of the meeting"), _l("Enter the date of the meeting"), hint=_l("For example, 27 3 2027"),
              invalid=_l("The date of the meeting must be a real date, like 27 3 2027"),
              checks=[NotBeforeToday(_l("The date of the meeting must be today or in the future"))])
    time = text(_l("Start time"), _l("Enter the start time"), hint=_l("On the 24-hour clock, for example 14:30"),
                max_length=5, validators=[TIME])
    duration_minutes = whole_number(_l("Length in minutes"), _l("Enter the length of the meeting in minutes"),
                                    invalid=_l("Enter the length of the meeting in minutes as a number, like 60"),
                                    least=15, most=240,
                                    range_message=_l("A meeting lasts between 15 and 240 minutes"), default=60)
    venue_name, venue_address, accessible, risk_assessed, venue_type = venue_questions()
    language = languages(_l("Language of the meeting"), _l("Choose the language of the meeting"))
    late_reason = long_text(_l("Reason if after the deadline (optional)"),
                            hint=_l("Needed only when the meeting is after the statutory meeting or deadline"),
                            max_length=1000)
    submit = submit(_l("Arrange the meeting"))


class RescheduleForm(FlaskForm):
    day = day(_l("New date"), _l("Enter the new date"), hint=_l("For example, 27 3 2027"),
              invalid=_l("The new date must be a real date, like 27 3 2027"),
              checks=[NotBeforeToday(_l("The new date must be today or in the future"))])
    time = text(_l("New start time"), _l("Enter the new start time"),
                hint=_l("On the 24-hour clock, for example 14:30"), max_length=5, validators=[TIME])
    venue_name, venue_address, accessible, risk_assessed, venue_type = venue_questions()
    reason = long_text(_l("Why is the meeting moving?"), _l("Enter why the meeting is moving"), optional=False,
                       max_length=1000)
    late_reason = long_text(_l("Reason if after the deadline (optional)"),
                            hint=_l("Needed only when the new time is after the statutory meeting or deadline"),
                            max_length=1000)
    submit = submit(_l("Reschedule the meeting"))


class CancelForm(FlaskForm):
    reason = long_text(_l("Why is the meeting cancelled?"), _l("Enter why the meeting is cancelled"),
                       optional=False, max_length=1000)
    submit = submit(_l("Cancel the meeting"))


class Codes(SelectMultipleField):
    """Checkboxes of codes: any number of those offered, each at most once, refused in the page's words."""

    def pre_validate(self, form) -> None:
        offered = {code for code, _ in self.choices}
        if any(code not in offered for code in self.data or ()):
            raise ValidationError(gettext("Choose from the list."))
        if len(set(self.data or ())) != len(self.data or ()):
            raise ValidationError(gettext("Choose each one only once."))


def codes(label, choices, *, hint=None):
    return Codes(label, [Optional()], choices=choices, description=hint, widget=GovCheckboxesInput())


class RecordMeetingForm(FlaskForm):
    took_place = choice(_l("Did the meeting take place?"), YES_NO, _l("Say whether the meeting took place"))
    reason_not_held_code = choice(_l("Why did it not take place? (if it did not)"), NOT_HELD_REASONS, optional=True,
                                  invalid=_l("Choose why the meeting did not take place"))
    reason_not_held_note = long_text(_l("Anything to add about why (optional)"),
                                     hint=_l("Kept by the service only: never shown to the council"), max_length=1000)
    outcome = choice(_l("Outcome (if it took place)"), OUTCOMES, optional=True,
                     invalid=_l("Choose the outcome of the meeting"))
    topics_covered = codes(_l("What did the meeting cover? (if it took place)"), MEETING_TOPICS,
                           hint=_l("Select all that apply"))
    left_with_child = codes(_l("What was left with the child? (optional)"), LEFT_WITH_CHILD,
                            hint=_l("Select all that apply, or nothing on its own"))
    contact_details_given = choice(_l("Were the service's contact details given to the child?"), YES_NO,
                                   optional=True, hint=_l("Needed when the child declined or is reflecting"),
                                   invalid=_l("Say whether the service's contact details were given"))
    decline_reason_code = choice(_l("Why did the child decline? (if they declined)"), NOT_WANTED_REASONS,
                                 optional=True, invalid=_l("Choose why the child declined"))
    decline_reason_note = long_text(_l("Anything to add about why they declined (optional)"),
                                    hint=_l("Kept by the service only: never shown to the council"), max_length=1000)
    other_support_type = choice(_l("Which other support? (if they chose other support)"), OTHER_SUPPORT_TYPES,
                                optional=True, invalid=_l("Choose which other support"))
    wants_help_with = long_text(_l("What the child wants help with (if they took it up)"),
                                hint=_l("In the child's own words; the new issue-based referral carries them"),
                                max_length=2000)
    interpreter_used = choice(_l("Was an interpreter used? (optional, if it took place)"), YES_NO, optional=True,
                              invalid=_l("Say whether an interpreter was used"))
    share_outcome_with_referrer = choice(
        _l("May we tell the referrer the outcome?"), YES_NO, optional=True,
        hint=_l("Ask the child again at the meeting; leave unanswered to keep what they said at referral"),
        invalid=_l("Say whether we may tell the referrer the outcome"))
    submit = submit(_l("Record the meeting"))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        needed = []
        if self.took_place.data == "no":
            needed.append((not self.reason_not_held_code.data, self.reason_not_held_code,
                           gettext("Choose why the meeting did not take place")))
        if self.took_place.data == "yes":
            outcome = self.outcome.data
            needed += [
                (not outcome, self.outcome, gettext("Choose the outcome of the meeting")),
                (not self.topics_covered.data, self.topics_covered, gettext("Choose what the meeting covered")),
                (outcome == "declined" and not self.decline_reason_code.data, self.decline_reason_code,
                 gettext("Choose why the child declined")),
                (outcome in ("declined", "reflecting") and self.contact_details_given.data != "yes",
                 self.contact_details_given,
                 gettext("Give the child the service's contact details, then say they were given")),
                (outcome == "other_support" and not self.other_support_type.data, self.other_support_type,
                 gettext("Choose which other support")),
            ]
        for missing, field, message in needed:
            if missing:
                field.errors = [*field.errors, message]
                valid = False
        return valid


class CloseForm(FlaskForm):
    reason = choice(_l("Why are you closing the referral?"), CLOSE_REASONS, _l("Choose why you are closing it"))
    submit = submit(_l("Close the referral"))


class LegalHoldForm(FlaskForm):
    reason_code = choice(_l("Why must the child's records be kept?"), worded("hold_reason"),
                         _l("Choose why the records must be kept"),
                         hint=_l("Nothing of the child is erased, in any service, until the hold is lifted"))
    submit = submit(_l("Place the legal hold"))


class ReferralFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), [Optional()], choices=[], widget=GovSelect())
    council = SelectField(_l("Council"), [Optional()], choices=[], widget=GovSelect())
    advocate = SelectField(_l("Advocate"), [Optional()], choices=[], widget=GovSelect())
    deadline = SelectField(_l("Deadline"), [Optional()], choices=[], widget=GovSelect())
    submit = submit(_l("Filter"))



# running staff accounts

STAFF_ROLES = worded("staff_role")
STAFF_LANGUAGES = worded("language", ("cy", "en"))


class PersonForm(FlaskForm):
    """A staff account's details, as an admin sets them (the email only when the account is made)."""

    email = text(_l("Email address"), _l("Enter their email address"), max_length=254, validators=[EMAIL],
                 hint=_l("They sign in with it; it cannot be changed later"))
    name = text(_l("Name"), _l("Enter their name"), hint=_l("As colleagues know them"))
    role = choice(_l("Role"), STAFF_ROLES, _l("Choose their role"))
    council = SelectField(_l("Council (referrers and commissioners only)"), [Optional()], choices=[],
                          widget=GovSelect())
    region = SelectField(_l("Region (commissioners only, instead of a council)"), [Optional()], choices=[],
                         widget=GovSelect())
    languages = SelectMultipleField(_l("Languages they work in"), [Optional()], choices=STAFF_LANGUAGES,
                                    description=_l("Advocates who work in Welsh are suggested first for a child "
                                                   "who asked for Welsh"), widget=GovCheckboxesInput())
    submit = submit(_l("Save"))


class StaffActionForm(FlaskForm):
    """One button on a staff account (deactivate, reactivate, unlock, make a reset link): its CSRF token only."""


class NewPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), [required(_l("Enter a new password")), Length(
        min=12, max=200, message=_l("Your password must be between 12 and 200 characters"))],
        description=_l("At least 12 characters. A few unrelated words together are easy to remember and hard "
                       "to guess."), widget=GovPasswordInput())
    confirm = PasswordField(_l("Type the new password again"), [required(_l("Type the new password again")),
                                                                 EqualTo("password", message=_l(
                                                                     "The two passwords are not the same"))],
                            widget=GovPasswordInput())
    submit = submit(_l("Set my password"))


# messages: each contact from a child or on their behalf that is not (yet) a referral

MESSAGE_CHANNELS = worded("message_channel")
MESSAGE_FROM = worded("message_from")
MESSAGE_CLOCK_STATES = worded("message_clock_state")


# rotating a council's API key

OVERLAPS = [("24", _l("24 hours")), ("168", _l("7 days")), ("720", _l("30 days"))]


class RotateKeyForm(FlaskForm):
    """How long a rotated key keeps working beside its new one."""

    overlap = choice(_l("How long should the old key keep working?"), OVERLAPS,
                     _l("Choose how long the old key keeps working"),
                     hint=_l("The new key is shown once, for you to give to the council. Until the time you choose "
                             "both keys work, so the council can move its system to the new key without a call "
                             "being refused; then the old key stops."))
    submit = submit(_l("Make the new key"))
