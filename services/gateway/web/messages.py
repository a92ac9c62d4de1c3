"""Messages in the staff pages: each contact from a child or on their behalf that is not (yet) a referral (the
answer-phone's messages first among them), recorded by advocates and managers; answered, with who answered and
when; and linked to the referral it became. The manager's home lists those awaiting an answer, missed and at risk
first (`awaiting_messages`)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms import SelectField
from wtforms.validators import Optional, ValidationError

from shared.clock import LONDON, now

from services.gateway.messages_api import MessageAnswerSchema, MessageReferralSchema, MessageSchema
from services.gateway.web import blueprint, council_choices, council_name
from services.gateway.web.flow import form_for_its_page, kept_for_its_page
from services.gateway.web.forms import (MESSAGE_CHANNELS, MESSAGE_CLOCK_STATES, MESSAGE_FROM, TIME, choice, day,
                                       languages, long_text, submit, text)
from services.gateway.web.pages import (Step, call, checked, error_summary, every_item, london, put_errors,
                                        put_problem, signed_in, submit_step)

STAFF = ("advocate", "manager")
ATTENTION_FIRST = {"missed": 0, "at_risk": 1}


class NotInTheFuture:
    """A date that has been, or today: `message` says so about the field in the page's words."""

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if field.data and field.data > now().astimezone(LONDON).date():
            raise ValidationError(str(self.message))


def _when(label_day, message_day, label_time, message_time, future):
    return (day(label_day, message_day, hint=_l("For example, 27 3 2027"),
                invalid=_l("Enter a real date, like 27 3 2027"), checks=[NotInTheFuture(future)]),
            text(label_time, message_time, hint=_l("On the 24-hour clock, for example 14:30"), max_length=5,
                 validators=[TIME]))


class MessageForm(FlaskForm):
    channel = choice(_l("How did the message come?"), MESSAGE_CHANNELS, _l("Choose how the message came"))
    day, time = _when(_l("Date it came"), _l("Enter the date the message came"), _l("Time it came"),
                      _l("Enter the time the message came"), _l("The message cannot have come in the future"))
    from_whom = choice(_l("Who was it from?"), MESSAGE_FROM, _l("Choose who the message was from"))
    language = languages(_l("Language of the message"), _l("Choose the language of the message"))
    council = SelectField(_l("Which council is it about? (optional)"), [Optional()], choices=[], widget=GovSelect(),
                          invalid_choice_message=_l("Choose a council from the list"))
    note = long_text(_l("Note (optional)"), hint=_l("Kept by the provider only. Do not write anything the child "
                                                    "would not want recorded"), max_length=1000)
    submit = submit(_l("Record the message"))


class AnswerForm(FlaskForm):
    day, time = _when(_l("Date it was answered"), _l("Enter the date it was answered"), _l("Time it was answered"),
                      _l("Enter the time it was answered"), _l("The answer cannot have been given in the future"))
    answered_by = text(_l("Who answered (optional)"), hint=_l("You, if left blank"), optional=True, max_length=200)
    submit = submit(_l("Record the answer"))


class LinkForm(FlaskForm):
    referral_id = text(_l("Referral reference"), _l("Enter the referral's reference"), max_length=64,
                       hint=_l("As the referral's page shows it"))
    submit = submit(_l("Link the referral"))


MESSAGE_FIELDS = {"channel": "channel", "received_at": "day", "from_whom": "from_whom", "language": "language",
                  "council": "council", "note": "note"}
ANSWER = Step("answer", AnswerForm, MessageAnswerSchema, "referral", "/messages/{message}/answer", "answer message",
              lambda f: {"answered_at": london(f.day.data, f.time.data),
                         **({"answered_by": f.answered_by.data} if f.answered_by.data else {})},
              {"answered_at": "day", "answered_by": "answered_by"}, _l("The answer is recorded"),
              _l("Record the answer"))


def _referral_id(reference: str) -> str:
    """The referral a reference names, as the pages show it (the start of its id, or the council's reference):
    the one referral it names, or the reference as typed for the referral service to refuse."""
    status, found = call("referral", "GET", "/referrals", params={"search": reference, "limit": 2})
    matches = found["items"] if status == 200 else []
    return matches[0]["id"] if len(matches) == 1 else reference


LINK = Step("referral", LinkForm, MessageReferralSchema, "referral", "/messages/{message}/referral",
            "link message to referral", lambda f: {"referral_id": _referral_id((f.referral_id.data or "").strip())},
            {"referral_id": "referral_id"}, _l("The message is linked to its referral"), _l("Link the referral"))


def _council_choices() -> list[tuple[str, str]]:
    return [("", gettext("Not known")), *council_choices()]


def attention_order(message: dict) -> tuple:
    return ATTENTION_FIRST.get(message.get("clock_state"), 2), message["received_at"]


def awaiting_messages() -> list[dict]:
    """The messages awaiting an answer, missed first, then at risk, then the rest, each oldest first."""
    return sorted(every_item("referral", "/messages", {"awaiting": "true"}, what="list messages"),
                  key=attention_order)


WORDS = {"channels": dict(MESSAGE_CHANNELS), "from_whom": dict(MESSAGE_FROM), "states": dict(MESSAGE_CLOCK_STATES)}


@blueprint.get("/messages")
@signed_in(*STAFF)
def messages():
    listed = every_item("referral", "/messages", what="list messages")
    return render_template("messages.html", awaiting=sorted((m for m in listed if m["awaiting"]), key=attention_order),
                           answered=[m for m in listed if not m["awaiting"]], **WORDS)


@blueprint.route("/messages/new", methods=["GET", "POST"])
@signed_in(*STAFF)
def new_message():
    form, loose = form_for_its_page("new-message", MessageForm, _ready)
    if request.method == "POST" and form.validate_on_submit():
        body, errors = checked(MessageSchema(), {
            "channel": form.channel.data, "received_at": london(form.day.data, form.time.data),
            "from_whom": form.from_whom.data, "language": form.language.data, "council": form.council.data or None,
            "note": form.note.data or ""})
        if body is None:
            loose = put_errors(form, errors, MESSAGE_FIELDS)
        else:
            status, answer = call("referral", "POST", "/messages", body=body, what="record message")
            if status == 201:
                return redirect(url_for("web.message", message_id=answer["id"]))
            loose = put_problem(form, answer, MESSAGE_FIELDS)
    if request.method == "POST":
        return kept_for_its_page("new-message", form, loose)  # shown again at its own address: Back never posts it
    return render_template("message_new.html", form=form, errors=error_summary(form, loose))


def _ready(form: MessageForm) -> None:
    form.council.choices = _council_choices()


def read_message(message_id: str) -> dict:
    if len(message_id) > 64:
        abort(404)
    status, found = call("referral", "GET", f"/messages/{message_id}", what="read message")
    if status != 200:
        abort(404)
    return found


@blueprint.get("/messages/<message_id>")
@signed_in(*STAFF)
def message(message_id: str):
    """The message, with its two forms: each shown again with its errors when it was refused (`message_step`)."""
    found = read_message(message_id)
    answer_form, answer_loose = form_for_its_page(f"message:{message_id}:{ANSWER.name}", AnswerForm)
    link_form, link_loose = form_for_its_page(f"message:{message_id}:{LINK.name}", LinkForm)
    return _message_page(found, answer_form, link_form, answer_loose + link_loose)


def _message_page(found: dict, answer_form: AnswerForm, link_form: LinkForm, loose: list[dict]):
    said_council = council_name(found["council"]) if found.get("council") else gettext("Not known")
    return render_template("message.html", message=found, answer_form=answer_form, link_form=link_form,
                           council_name=said_council, errors=error_summary(answer_form, loose)
                           + error_summary(link_form), **WORDS)


@blueprint.post("/messages/<message_id>/<name>")
@signed_in(*STAFF)
def message_step(message_id: str, name: str):
    if name not in (ANSWER.name, LINK.name):
        abort(404)
    read_message(message_id)
    step = ANSWER if name == ANSWER.name else LINK
    form = step.form()
    loose: list[dict] = []
    if form.validate_on_submit():
        answer, loose = submit_step(step, form, step.path.format(message=message_id), None)
        if answer is not None:
            return redirect(url_for("web.message", message_id=message_id))
    return kept_for_its_page(f"message:{message_id}:{name}", form, loose,  # shown on the message's page: Back
                             page=url_for("web.message", message_id=message_id))  # never posts it again
