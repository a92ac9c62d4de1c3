"""The services' messages as the web forms say them, in the reader's language and words. The services answer in
English (their API's language) and give each message the stable code of the rule it comes from: a problem's `code`
for what it says as a whole, and `reasons` for its fields' messages (shared/errors.Rule).

A message is said from its code and parameters wherever there is a wording for the code here (`WORDINGS`, or a
flow's own, such as the young person's form speaking to them), with times as people write them; the few without a
code (the format checks every service makes at its door, in shared/validation) are looked up in the catalogue by
their text; one known to neither is shown as the service wrote it.

The public API's schema speaks to programmers ("Missing data for required field."): `on_field` says its messages
again in the words of the form field they land on."""

import re
from datetime import datetime
from types import FunctionType
from typing import Any, Mapping

from flask_babel import format_date, get_locale, gettext, lazy_gettext as _l

from shared.clock import LONDON
from shared.errors import PROBLEM_MEMBERS


def welsh() -> bool:
    return str(get_locale() or "en").startswith("cy")


def _london(moment: str) -> datetime:
    return datetime.fromisoformat(moment).astimezone(LONDON)


def clock(at: datetime) -> str:
    """A time of day as people write it: 10am, 2:30pm, midday (10yb, 2:30yp, canol dydd)."""
    if (at.hour, at.minute) in ((0, 0), (12, 0)):
        return gettext("midnight") if at.hour == 0 else gettext("midday")
    hour = at.hour % 12 or 12
    suffix = (("yb", "yp") if welsh() else ("am", "pm"))[at.hour >= 12]
    return f"{hour}{f':{at.minute:02d}' if at.minute else ''}{suffix}"


def on_day(at: datetime) -> str:
    """A day as a sentence says it after a time: "on Wednesday 25 November 2026" ("ddydd Mercher 25 Tachwedd
    2026")."""
    day = format_date(at.date(), "EEEE d MMMM yyyy")
    return "ddydd" + day[4:] if welsh() and day.startswith("Dydd") else gettext("on %(day)s", day=day)


def spoken(moment: str) -> str:
    """A stored RFC 3339 time as people write it, in Europe/London: "2:30pm on Wednesday 25 November 2026"; as
    stored if it is not one."""
    try:
        at = _london(moment)
    except (TypeError, ValueError, OverflowError):
        return str(moment)
    return f"{clock(at)} {on_day(at)}"


def span(start: str, end: str) -> str:
    """From one stored time to another as people write it: "from 10am to 11am on Wednesday 9 December 2026"."""
    try:
        first, last = _london(start), _london(end)
    except (TypeError, ValueError, OverflowError):
        return gettext("from %(start)s to %(end)s", start=start, end=end)
    if first.date() == last.date():
        return gettext("from %(start)s to %(end)s", start=clock(first), end=" ".join((clock(last), on_day(last))))
    return gettext("from %(start)s to %(end)s", start=spoken(start), end=spoken(end))


MOVED_ON = _l("This has moved on since the page was opened, so it cannot be done now. Reload the page to see what "
              "can be done.")

WORDINGS: dict[str, Any] = {
    # referrals
    "not_allocated_to_you": _l("This referral is not allocated to you. A manager can allocate it to you."),
    "referral.not_found": _l("This referral could not be found."),
    "referral.active_offer_basis": _l("For the Active Offer, choose one of the first three reasons: looked after, "
                                      "child protection, or care and support."),
    "referral.eligibility": _l("Choose why the child is entitled to an advocate."),
    "referral.born_in_the_future": _l("The date of birth is in the future."),
    "referral.too_old": lambda limit, **_: gettext("The child must be under %(limit)s.", limit=limit),
    "referral.too_old_unless_care_leaver": lambda limit, care_leaver_limit, **_: gettext(
        "The child must be under %(limit)s (%(care_leaver_limit)s for care leavers).", limit=limit,
        care_leaver_limit=care_leaver_limit),
    "referral.active_offer_needs_agreement": _l("An Active Offer referral needs the child to know about it and "
                                                "agree to it. If the child opted out, record the opt-out instead."),
    "referral.no_way_to_contact": _l("Give at least one way to contact the child or their carer: a phone number, "
                                     "an email address, an address or the carer's phone number."),
    "referral.statutory_meeting_past": _l("The statutory meeting is in the past."),
    "referral.unknown_council": _l("Choose a council from the list."),
    "referral.offered_in_the_future": _l("The offer cannot have been made in the future."),
    "referral.attempt_in_the_future": _l("The date and time of the attempt must be now or in the past."),
    "referral.attempt_before_receipt": lambda received_at, **_: gettext(
        "The attempt cannot have been made before the referral was received, at %(received)s.",
        received=spoken(received_at)),
    "referral.transition_forbidden": MOVED_ON,
    # opt-outs' reasons, and offers made again
    "referral.unknown_reason": _l("Choose why the child did not want the Active Offer."),
    "referral.reason_and_code": _l("Choose the reason from the list, and put any words of it in the note."),
    "referral.note_too_long": lambda most, **_: gettext("The note must be %(most)s characters or fewer.",
                                                        most=most),
    "transition.unknown_kind": _l("Choose whether it is a review, a placement move or leaving-care planning."),
    "transition.one_reference": _l("Give one reference for the child: our referral reference, our opt-out "
                                   "reference or your own reference."),
    "transition.in_the_future": _l("The date cannot be in the future."),
    "transition.before_the_first": lambda since, **_: gettext(
        "The date cannot be before the child was first offered the Active Offer, on %(since)s.", since=since),
    "transition.child_not_found": _l("No referral or opt-out of your council has that reference."),
    "transition.not_found": _l("This transition could not be found."),
    "transition.unknown_result": _l("Choose what came of the renewed offer."),
    "transition.no_renewed_offer": _l("This transition brought no renewed offer."),
    # legal holds
    "legal_hold.reason": _l("Choose why the records must be kept"),
    "legal_hold.managers": _l("Only a manager may place or lift a legal hold."),
    "transition.renewed_offer_done": _l("This renewed offer was marked done already."),
    "subject_access.child_not_found": _l("No child was found that way. Check the answers and try again: no export "
                                         "is made for a child Llais holds nothing about."),
    # meetings
    "meeting.not_found": _l("This referral or meeting could not be found."),
    "meeting.double_booked": lambda booked_from, booked_until, **_: gettext(
        "The advocate already has a meeting %(span)s. Choose another time.", span=span(booked_from, booked_until)),
    "meeting.stands": _l("This referral has a meeting arranged already: reschedule or cancel that one instead."),
    "meeting.not_live": _l("This meeting is no longer arranged: it was moved, cancelled or its outcome recorded. "
                           "Reload the page to see it as it is."),
    "meeting.referral_closed": _l("The referral is closed, so no meeting can be arranged for it."),
    "meeting.issue_based": _l("An issue-based referral has no Active Offer meeting. Record meetings with the child "
                              "in its case."),
    "meeting.not_allocated_yet": _l("Allocate the referral to an advocate before arranging its meeting."),
    "meeting.in_the_past": _l("The meeting must be in the future."),
    "meeting.duration": lambda shortest, longest, **_: gettext(
        "A meeting lasts between %(shortest)s and %(longest)s minutes.", shortest=shortest, longest=longest),
    "meeting.venue_not_accessible": _l("The venue must be accessible to the child."),
    "meeting.venue_not_risk_assessed": _l("The venue must be risk-assessed before the meeting."),
    "meeting.late_reason": lambda meeting_by, **_: gettext(
        "The meeting is after its deadline of %(meeting_by)s. Give the reason it cannot be sooner.",
        meeting_by=spoken(meeting_by)),
    "meeting.not_started": _l("The meeting has not started yet."),
    "meeting.outcome": _l("Choose the outcome of the meeting."),
    "meeting.decline_reason": _l("Choose why the child declined"),
    "meeting.reason_not_held": _l("Choose why the meeting did not take place"),
    "meeting.words_with_a_code": _l("Write your words in the note beside the reason you chose."),
    "meeting.note_too_long": lambda longest, **_: gettext("A note is at most %(longest)s characters.",
                                                          longest=longest),
    "meeting.only_when_declined": _l("Say why the child declined only if they declined."),
    "meeting.only_when_held": _l("Answer this only if the meeting took place."),
    "meeting.only_when_not_held": _l("Say why the meeting did not take place only if it did not."),
    "meeting.unknown_code": _l("Choose from the list."),
    "meeting.topics_covered": _l("Choose what the meeting covered"),
    "meeting.repeated": _l("Choose each one only once."),
    "meeting.nothing_alone": _l("Choose nothing on its own, or only what was left with the child."),
    "meeting.contact_details_given": _l("Give the child the service's contact details, then say they were given"),
    "meeting.other_support_type": _l("Choose which other support"),
    "meeting.other_support_only": _l("Say which other support only if the child chose other support."),
    "meeting.interpreter_not_held": _l("Say whether an interpreter was used only if the meeting took place."),
    "meeting.wants_help_with": _l("Write what the child wants help with only if they took up advocacy."),
    # cases
    "case.not_found": _l("This case could not be found."),
    "case.time_format": _l("Enter a real date and time."),
    "case.closed": _l("The case is closed, so it cannot be changed."),
    "case.issue_based_only": _l("Only an issue-based referral becomes a case. An Active Offer's case opens when the "
                                "child takes up advocacy."),
    "case.not_allocated_yet": _l("Allocate the referral to an advocate before opening its case."),
    "case.already_open": _l("This referral's case is open already."),
    "case.no_consent_to_case_file": _l("A case file is opened only when the child consents to it."),
    "case.plan_missing": _l("Write the plan."),
    "case.plan_not_agreed": _l("The plan is the one agreed with the child: agree it with them first."),
    "case.theme": _l("Choose what the issue is about."),
    "case.issue_description": _l("Say what the issue is."),
    "case.no_such_issue": _l("This case has no such issue."),
    "case.issue_concluded": _l("This issue has its outcome already."),
    "case.issue_outcome": _l("Choose the outcome of the issue."),
    "case.activity_kind": _l("Choose what kind of activity it was."),
    "case.contribution": _l("Choose how the child chose to take part."),
    "case.activity_in_the_future": _l("The activity cannot have happened in the future."),
    "case.activity_before_opening": lambda opened_at, **_: gettext(
        "The activity cannot have happened before the case was opened, at %(moment)s.", moment=spoken(opened_at)),
    "case.signpost": _l("Choose where the child was signposted to."),
    "case.change_waiting": _l("A request to change advocate is waiting for a decision already."),
    "case.manager_decides_change": _l("Only a manager decides a request to change advocate."),
    "case.no_such_change": _l("This case has no such request to change advocate."),
    "case.change_decided": _l("This request has been decided already."),
    "case.change_result": _l("Choose whether the request is granted or declined."),
    "case.new_advocate_missing": _l("Name the new advocate."),
    "case.new_advocate_same": _l("The new advocate is the case's advocate already."),
    "case.change_decline_reason": _l("Say why the request is declined."),
    "case.manager_records_disclosure": _l("Only a manager records a disclosure made without the child's consent."),
    "case.disclosure_reason": _l("Choose why it was disclosed."),
    "case.disclosure_decided_by": _l("Say who decided to disclose."),
    "case.disclosure_to": _l("Say to whom it was disclosed."),
    "case.disclosure_at": _l("Say when it was disclosed."),
    "case.disclosure_in_the_future": _l("The disclosure cannot have been made in the future."),
    "case.child_told": _l("Say whether the child was told"),
    "case.child_told_at": _l("Say when the child was told."),
    "case.told_in_the_future": _l("The child cannot have been told in the future."),
    "case.told_before_disclosure": _l("The child cannot have been told before the disclosure was made."),
    "case.why_not_told": _l("Say why the child was not told."),
    "case.issues_open": lambda open_issues, **_: gettext(
        "Record the outcome of every issue first: %(open_issues)s still open.", open_issues=open_issues),
    "case.outcome": _l("Choose how the case ended."),
    "case.satisfaction": lambda lowest, highest, **_: gettext(
        "The child's satisfaction is from %(lowest)s to %(highest)s, or leave it out if they gave none.",
        lowest=lowest, highest=highest),
    # complaints
    "complaint.review_reason": _l("Tell us what you are still not happy about"),
    "complaint.not_found": _l("This complaint could not be found."),
    "complaint.kind": _l("Choose whether it is a complaint, a representation or a compliment."),
    "complaint.made_by": _l("Choose who it is from."),
    "complaint.about": _l("Say what it is about."),
    "complaint.no_way_to_reply": _l("Give an email address or a phone number, so we can reply."),
    "complaint.unknown_council": _l("Choose a council from the list."),
    "complaint.compliment": _l("A compliment is recorded; it is not answered, escalated or closed."),
    "complaint.not_now": MOVED_ON,
    "complaint.answer_outcome": _l("Choose the outcome: upheld, partly upheld or not upheld. To end it otherwise, "
                                   "withdraw it."),
    "complaint.answer_summary": _l("Say what the answer was."),
    "complaint.last_stage": _l("The complaint has had its last stage here. The council's complaints procedure and "
                               "the Children's Commissioner remain open to the complainant."),
    # reports
    "report.year": _l("Enter a financial year from 2000 to 2100, such as 2026 for April 2026 to March 2027."),
    "report.quarter": _l("Choose a quarter from 1 (April to June) to 4 (January to March)."),
    "report.scope_not_found": _l("There is no report for this council or region."),
    # messages
    "message.one_of": _l("Choose one of the answers given."),
    "message.unknown_council": _l("Choose a council from the list."),
    "message.too_long": lambda longest, **_: gettext("Write at most %(longest)s characters.", longest=longest),
    "message.before_it_came": _l("The answer cannot have been given before the message came."),
    "message.no_such_referral": _l("No referral has this reference. Check it on the referral's page."),
    "message.answered": _l("The message has been answered already."),
    "message.linked": _l("The message is linked to a referral already."),
    "message.not_found": _l("This message could not be found."),
    # any service
    "busy": _l("Someone else was changing this at the same moment. Try again."),
}
"""Each code a service answers with, as the pages say it: a text, or a function of the parameters it was said with."""
Wordings = Mapping[str, Any]
"""A flow's own wordings of some codes, said before `WORDINGS`' (e.g. to a young person about their own form)."""


def _worded(code: str | None, params: dict, wordings: Wordings | None = None) -> str | None:
    """The wording for `code` with its parameters (moments among them said as people write them), or None when
    there is none (or the parameters do not fit it)."""
    wording = (wordings or {}).get(code or "") or WORDINGS.get(code or "")
    if wording is None:
        return None
    if not isinstance(wording, FunctionType):
        return str(wording)
    try:
        return wording(**params)
    except (TypeError, ValueError):  # said without the parameters its code promises: the service's text instead
        return None


def said(problem: dict, wordings: Wordings | None = None) -> str | None:
    """What a service's problem says as a whole, in the reader's language: from its code where there is a wording
    for it, else its detail (translated when the catalogue knows the text)."""
    params = {name: value for name, value in problem.items() if name not in PROBLEM_MEMBERS}
    return _worded(problem.get("code"), params, wordings) or problem.get("detail")


def field_errors(problem: dict, wordings: Wordings | None = None) -> dict[str, list[str]]:
    """A service's problem's field errors (field path to messages) in the reader's language: each message from the
    code of its rule where the problem gives one (`reasons`), else from the catalogue by its text."""
    reasons = problem.get("reasons") or {}
    said_fields = {}
    for path, messages in (problem.get("errors") or {}).items():
        coded = reasons.get(path) or []
        if len(coded) != len(messages):
            coded = [{}] * len(messages)
        said_fields[path] = [
            _worded(reason.get("code"), {k: v for k, v in reason.items() if k != "code"}, wordings)
            or gettext(message)
            for reason, message in zip(coded, messages)]
    return said_fields


SERVICE_MESSAGES = (
    _l("Not a valid email address."),
    _l("Not a phone number."),
    _l("Contains an unpaired surrogate, which is not a character."),
    _l("Contains a control character; remove it."),
    _l("Contains a bidirectional override character; remove it."),
    _l("Must be on one line: no tabs or line breaks."),
    _l("Contains an invisible character (a zero-width space, joiner, byte order mark or tag); remove it."),
    _l("Contains a private-use character or a non-character, which no page can show; remove it."),
    _l("Contains an invisible character or a space; type the address again."),
    _l("Mixes letters of different alphabets (Latin and Cyrillic, say); write it in one."),
    _l("Give a date as YYYY-MM-DD."),
    _l("Not a real date."),
    _l("The date is in the future."),
    _l("The date is outside the dates this service records (from 1900-01-01 to two years ahead)."),
    _l("Give a time as RFC 3339 with its offset, e.g. 2026-12-14T10:00:00+00:00."),
    _l("Not a real date and time."),
    _l("Give an offset of at most 14 hours from UTC."),
    _l("The time is outside the times this service records (from 1900-01-01 to two years ahead)."),
    _l("The time is in the future."),
)
"""The messages without a code: the format checks each service makes at its door (shared/validation), by their text."""


MISSING = ("Missing data for required field.", "Must not be blank.", "Field may not be null.",
           "Shorter than minimum length 1.")
"""The schema's ways of saying an answer is missing: said as the form field asks for it."""
LONGEST = re.compile(r"^(?:Longer than maximum length |Length must be between \d+ and )(\d+)\.$")
CODE_OR_STAMP = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\d{4}-\d{2}-\d{2}|\bRFC\b|\bISO\b")
"""What a programmer reads and a person should not: a snake_case code, an ISO date or time, a standard's name."""


def asked(field) -> str | None:
    """What a form field says when it is not answered (its required check's message), if it must be."""
    for check in field.validators:
        if getattr(check, "field_flags", {}).get("required") and getattr(check, "message", None):
            return str(check.message)
    return None


def check_the_answer(field) -> str:
    """A request to check the answer to a field's question, when nothing more exact can be said."""
    return gettext("Check your answer to “%(question)s”", question=field.label.text)


def on_field(message: str, field=None) -> str:
    """A message of the public API's schema about one answer, in the words of the form field it lands on: a missing
    answer as the field asks for it, a too-long one by its length; one the catalogue knows, translated; anything
    still in a programmer's words (a code, a stamp, English on a Welsh page) as a request to check the field's
    answer, by its question."""
    from services.gateway.web.forms import EMAIL, PHONE

    if field is not None:
        longest = LONGEST.match(message)
        if message in MISSING or message.startswith("Length must be between 1 and"):
            return asked(field) or check_the_answer(field)
        if longest:
            return gettext("The answer to “%(question)s” must be %(max)d characters or fewer",
                           question=field.label.text, max=int(longest.group(1)))
        if message == "Not a valid email address.":
            return str(EMAIL.message)
        if message == "Not a phone number.":
            return str(PHONE.message)
    worded = gettext(message)
    if CODE_OR_STAMP.search(worded) or (welsh() and worded == message):
        return check_the_answer(field) if field is not None else gettext("Check your answers")
    return worded
