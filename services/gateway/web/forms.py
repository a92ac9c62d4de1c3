"""The web forms' fields, labels and the checks of shape a person can fix on the page.

Shape only, as in schemas.py: the rules of the work are the services' own, and their answers (a child too old, a
meeting after its deadline) come back onto the same fields. Every label and message is translatable.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Mapping, Sequence

from flask_babel import get_locale, gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (GovCheckboxesInput, GovDateInput, GovPasswordInput, GovRadioInput,
                                                GovSelect, GovSubmitInput, GovTextArea, GovTextInput)
from wtforms import (DateField, IntegerField, PasswordField, RadioField, SelectField, SelectMultipleField,
                     StringField, SubmitField, TextAreaField)
from wtforms.validators import (DataRequired, EqualTo, InputRequired, Length, NumberRange, Optional, Regexp,
                                ValidationError)

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


def text(label, message=None, *, hint=None, max_length=100, optional=False, validators=(), default=None):
    checks = [Optional() if optional else required(message), Length(max=max_length, message=_l(
        "This must be %(max)d characters or fewer", max=max_length)), *validators]
    return StringField(label, checks, description=hint or "", widget=GovTextInput(), default=default)


def long_text(label, message=None, *, hint=None, max_length=2000, optional=True):
    return TextAreaField(label, [Optional() if optional else required(message), Length(max=max_length, message=_l(
        "This must be %(max)d characters or fewer", max=max_length))], description=hint or "", widget=GovTextArea())


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

CONTACT_METHODS = labelled(referral.CONTACT_METHODS, {
    "phone": _l("Phone call"), "text": _l("Text message"), "email": _l("Email"), "visit": _l("Visit"),
    "letter": _l("Letter")})
CONTACT_RESULTS = labelled(referral.CONTACT_RESULTS, {
    "reached": _l("Spoke to the child"), "no_answer": _l("No answer"), "message_left": _l("Left a message"),
    "wrong_details": _l("The contact details are wrong"), "declined_meeting": _l("The child does not want to meet")})
OUTCOMES = labelled(referral.OUTCOMES, {
    "take_up": _l("Take-up: the child wants an advocate for an issue now"),
    "declined": _l("Declined: no need for an advocate now"),
    "reflecting": _l("Reflecting: the child wants time to think"),
    "other_support": _l("Other support: the child prefers someone outside the service")})
CLOSE_REASONS = labelled(referral.CLOSE_REASONS_BY_HAND, {
    "unable_to_contact": _l("We could not contact the child"),
    "declined_meeting": _l("The child declined the meeting"), "withdrawn": _l("The referral was withdrawn"),
    "duplicate": _l("It duplicates another referral")})
LANGUAGES = labelled(referral.LANGUAGES, {"en": _l("English"), "cy": _l("Welsh")})
ORGANISATION_TYPES = labelled(referral.ORGANISATION_TYPES, {
    "council": _l("A council"), "health": _l("Health"), "education": _l("Education (a school or college)"),
    "police": _l("Police"), "third_sector": _l("Third-sector organisation"), "other": _l("Another organisation")})
VENUE_TYPES = labelled(scheduling.VENUE_TYPES, {
    "school": _l("School"), "home": _l("The child's home"), "placement": _l("The child's placement"),
    "advocacy_office": _l("The advocacy office"), "community": _l("A community venue"),
    "other": _l("Somewhere else")})
NOT_WANTED_REASONS = labelled(referral.NOT_WANTED_REASONS, {
    "has_an_advocate": _l("Already has an advocate"), "support_elsewhere": _l("Has support elsewhere"),
    "speaks_for_themselves": _l("Wants to speak for themselves"), "not_the_right_time": _l("Not the right time"),
    "did_not_say": _l("Did not want to say"), "other": _l("Another reason")})
TRANSITION_KINDS = labelled(referral.TRANSITION_KINDS, {
    "looked_after_review": _l("A looked-after review"), "placement_move": _l("A placement move"),
    "leaving_care_planning": _l("Planning for leaving care")})
NOT_OFFERED_AGAIN = labelled(referral.NOT_OFFERED_AGAIN, {
    "open_referral": _l("A referral is still open"), "took_up": _l("Took up advocacy"),
    "other_ending": _l("The last Active Offer ended another way")})
RENEWED_OFFER_RESULTS = labelled(referral.RENEWED_OFFER_RESULTS, {
    "referred_again": _l("Referred again"), "opted_out_again": _l("Opted out again"),
    "could_not_be_offered": _l("Could not be offered")})
NOT_HELD_REASONS = labelled(scheduling.NOT_HELD_REASONS, {
    "child_unavailable": _l("The child was not available"), "declined_on_the_day": _l("The child declined on the day"),
    "placement_moved": _l("The child's placement moved"), "advocate_unavailable": _l("The advocate was not available"),
    "venue_problem": _l("A problem with the venue"), "other": _l("Another reason")})
MEETING_TOPICS = labelled(scheduling.MEETING_TOPICS, {
    "advocate_role": _l("The advocate's role"), "what_advocacy_can_do": _l("What advocacy can and cannot do"),
    "independence": _l("The service's independence"), "confidentiality": _l("Confidentiality and its limits"),
    "rights": _l("The child's rights (UNCRC article 12)"), "how_to_complain": _l("How to complain"),
    "review_and_who_attends": _l("The review or conference and who attends"),
    "meic_and_commissioner": _l("Meic and the Children's Commissioner for Wales"),
    "other_support": _l("Other support: formal, informal and peer")})
LEFT_WITH_CHILD = labelled(scheduling.LEFT_WITH_CHILD, {
    "leaflet": _l("The service's leaflet"), "contact_card": _l("A card with the service's contact details"),
    "easy_read": _l("An easy-read guide"), "welsh_materials": _l("Materials in Welsh"), "nothing": _l("Nothing")})

OTHER_SUPPORT_TYPES = labelled(referral.OTHER_SUPPORT_TYPES, {
    "formal": _l("Formal support from another service"), "informal": _l("Informal support from people they know"),
    "peer": _l("Peer support")})
SUPPORT_TYPES = labelled(referral.SUPPORT_TYPES, {
    "issue_based_advocacy": _l("Issue-based advocacy from the service"), **dict(OTHER_SUPPORT_TYPES),
    "none": _l("None for now: the service's contact details were given")})


def equality_answers(declined) -> dict[str, list[tuple[str, Any]]]:
    """The answers to each equality monitoring question, in the page's words (the census's broad ethnic groups),
    with `declined` in the words of whoever answers: the child, or a professional saying what the child chose."""
    return {
        "gender": labelled(referral.EQUALITY["gender"], {
            "girl": _l("A girl"), "boy": _l("A boy"), "non_binary": _l("Non-binary"),
            "another_way": _l("In another way"), "declined": declined}),
        "ethnic_group": labelled(referral.EQUALITY["ethnic_group"], {
            "asian": _l("Asian, Asian British or Asian Welsh"),
            "black": _l("Black, Black British, Black Welsh, Caribbean or African"),
            "mixed": _l("Mixed or multiple ethnic groups"), "white": _l("White"),
            "other": _l("Another ethnic group"), "declined": declined}),
        "disability": labelled(referral.EQUALITY["disability"], {
            "yes": _l("Disabled"), "no": _l("Not disabled"), "declined": declined}),
    }


EQUALITY = equality_answers(_l("Chose not to say"))

BASES = labelled(referral.ACTIVE_OFFER_BASES, {
    "looked_after": _l("Looked after: the child has become looked after"),
    "child_protection": _l("Child protection: enquiries leading to an initial conference"),
    "care_and_support": _l("Care and support: being assessed, no safeguarding intervention")})
ELIGIBILITY = labelled(referral.ELIGIBILITY, {
    "looked_after": _l("Looked after"), "care_leaver": _l("Care leaver"), "child_protection": _l("Child protection"),
    "care_and_support": _l("Care and support"), "childrens_home": _l("Lives in a children's home"),
    "young_carer": _l("Young carer"), "complaint": _l("Making a complaint or representation"),
    "missing_from_care": _l("Missing from care"), "send": _l("Special educational needs"),
    "homeless_16_17": _l("Homeless, aged 16 or 17"), "custody": _l("In custody"),
    "mental_health_detention": _l("Detained under the Mental Health Act"),
    "lacks_capacity": _l("Aged 16 or 17 and lacking capacity"),
    "care_review": _l("Looked after, with care being reviewed"), "to_be_confirmed": _l("To be confirmed")})
TIMELINE = {"received": _l("Received"), "acknowledged": _l("Acknowledged"), "allocated": _l("Allocated"),
            "contact attempted": _l("Contact attempted"), "meeting arranged": _l("Meeting arranged"),
            "meeting rescheduled": _l("Meeting rescheduled"), "meeting cancelled": _l("Meeting cancelled"),
            "meeting took place": _l("Meeting took place"), "meeting not held": _l("Meeting not held"),
            "active offer completed": _l("Active Offer completed"), "closed": _l("Closed")}
WORDS = {"basis": dict(BASES) | dict(ELIGIBILITY), "method": dict(CONTACT_METHODS), "result": dict(CONTACT_RESULTS),
         "outcome": dict(OUTCOMES), "close_reason": dict(CLOSE_REASONS), "timeline": TIMELINE,
         "language": dict(LANGUAGES)}
WORDS |= {"support_type": dict(SUPPORT_TYPES), "topic": dict(MEETING_TOPICS), "left_with_child": dict(LEFT_WITH_CHILD),
          "reason_not_held_code": dict(NOT_HELD_REASONS), "decline_reason_code": dict(NOT_WANTED_REASONS)}
"""The words of what a meeting's record says in codes."""


def word(kind: str, code: str | None) -> str:
    """The page's words for a code the services use (a basis, a contact result, a timeline entry...)."""
    return str(WORDS[kind].get(code, code or ""))


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
    venue_name = text(_l("Venue"), _l("Enter the venue"), hint=_l("Somewhere the child chose and feels safe"),
                      max_length=200)
    venue_address = long_text(_l("Venue address (optional)"), max_length=500)
    accessible = choice(_l("Is the venue accessible for the child?"), YES_NO,
                        _l("Say whether the venue is accessible"))
    risk_assessed = choice(_l("Has the venue been risk-assessed?"), YES_NO,
                           _l("Say whether the venue has been risk-assessed"))
    venue_type = choice(_l("Venue type (optional)"), VENUE_TYPES, optional=True,
                        invalid=_l("Choose the type of venue from the list"))
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


class ReferralFilterForm(FlaskForm):
    class Meta:
        csrf = False

    status = SelectField(_l("Status"), [Optional()], choices=[], widget=GovSelect())
    council = SelectField(_l("Council"), [Optional()], choices=[], widget=GovSelect())
    advocate = SelectField(_l("Advocate"), [Optional()], choices=[], widget=GovSelect())
    deadline = SelectField(_l("Deadline"), [Optional()], choices=[], widget=GovSelect())
    submit = submit(_l("Filter"))



# running staff accounts

STAFF_ROLES = [("advocate", _l("Advocate")), ("manager", _l("Manager")), ("referrer", _l("Council referrer")),
               ("commissioner", _l("Commissioner")), ("admin", _l("Administrator"))]
STAFF_LANGUAGES = [("cy", _l("Welsh")), ("en", _l("English"))]


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

MESSAGE_CHANNELS = [("answer_phone", _l("Answer-phone message")), ("phone", _l("Phone call")),
                    ("text", _l("Text message")), ("email", _l("Email")), ("web", _l("Web message")),
                    ("walk_in", _l("Walked in"))]
MESSAGE_FROM = [("child", _l("The child or young person")), ("carer", _l("A carer")),
                ("professional", _l("A professional")), ("other", _l("Someone else"))]
MESSAGE_CLOCK_STATES = [("pending", _l("Due")), ("at_risk", _l("At risk")), ("missed", _l("Missed")),
                        ("met", _l("Answered in time"))]
