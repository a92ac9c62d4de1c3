"""The services' own messages that the web forms show, so the catalogue carries them and a Welsh reader reads them in
Welsh. The services answer in English (their API's language).

A problem whose `code` is in `CODED` is said again from its parameters, in the reader's language and with times in
their words (`said`); any other message is looked up here by its text (`put_errors`), and one missing from both is
shown as the service wrote it."""

from typing import Callable

from flask_babel import gettext, lazy_gettext as _l

CODED: dict[str, Callable[..., str]] = {
    "meeting.double_booked": lambda booked_from, booked_until, **_: gettext(
        "The advocate already has a meeting from %(booked_from)s to %(booked_until)s. Choose another time.",
        booked_from=booked_from, booked_until=booked_until),
    "meeting.stands": lambda **_: gettext(
        "This referral has a meeting arranged already: reschedule or cancel that one instead."),
}
"""The problems said again from their parameters, by their stable code."""
TIMES = ("booked_from", "booked_until")
"""The parameters that are moments: said as `when` says them (Europe/London, the reader's language)."""


def said(problem: dict, when: Callable[[str], str]) -> str | None:
    """What a service's problem says in the reader's language: from its code where there is a wording for it, else
    its detail (translated when the catalogue knows the text)."""
    wording = CODED.get(problem.get("code") or "")
    if wording is None:
        return problem.get("detail")
    params = {name: when(value) if name in TIMES else value for name, value in problem.items()
              if name not in ("type", "title", "status", "detail", "errors", "code")}
    try:
        return wording(**params)
    except TypeError:  # a problem without the parameters its code promises: what the service wrote
        return problem.get("detail")


SERVICE_MESSAGES = (
    _l("The child must be under 18 (25 for care leavers)."),
    _l("The child must be under 25."),
    _l("The date of birth is in the future."),
    _l("Give at least one way to contact the child or their carer: phone, email, address or carer_phone."),
    _l("The statutory meeting is in the past."),
    _l("An Active Offer referral needs the child to know and agree; if the child opted out, record it with "
       "POST /api/v1/opt-outs instead."),
    _l("The meeting must be in the future."),
    _l("The venue must be accessible to the child."),
    _l("The venue must be risk-assessed before the meeting."),
    _l("The meeting has not started yet."),
    _l("Record why the child declined."),
    _l("Record why the meeting did not take place."),
    _l("A case file is opened only when the child consents to it."),
    _l("The plan is the one agreed with the child: agree it with them first."),
    _l("Name the new advocate."),
    _l("The new advocate is the case's advocate already."),
    _l("Say why the request is declined."),
    _l("Say who decided to disclose."),
    _l("Say to whom it was disclosed."),
    _l("Say when it was disclosed."),
    _l("Say when the child was told."),
    _l("Say why the child was not told."),
    _l("Give an email address or a phone number, so we can reply."),
    _l("Not a valid email address."),
    _l("Not a phone number."),
    _l("Contains an unpaired surrogate, which is not a character."),
    _l("Contains a control character; remove it."),
    _l("Contains a bidirectional override character; remove it."),
    _l("Must be on one line: no tabs or line breaks."),
    _l("Give a date as YYYY-MM-DD."),
    _l("Not a real date."),
    _l("The date is in the future."),
    _l("The date is outside the dates this service records (from 1900-01-01 to two years ahead)."),
    _l("Give a time as RFC 3339 with its offset, e.g. 2026-12-14T10:00:00+00:00."),
    _l("Not a real date and time."),
    _l("Give an offset of at most 14 hours from UTC."),
    _l("The time is outside the times this service records (from 1900-01-01 to two years ahead)."),
    _l("The time is in the future."),
    _l("The activity cannot have happened in the future."),
    _l("The disclosure cannot have been made in the future."),
    _l("The child cannot have been told in the future."),
    _l("The child cannot have been told before the disclosure was made."),
)
