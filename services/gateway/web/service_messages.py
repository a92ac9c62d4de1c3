"""The services' own messages that the web forms show, so the catalogue carries them and a Welsh reader reads them in
Welsh. The services answer in English (their API's language); `put_errors` looks each message up here by its text.
A message missing from this list is shown as the service wrote it."""

from flask_babel import lazy_gettext as _l

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
)
