"""Complaints, representations and compliments about the advocacy service: the public form anyone can use, and the
manager's pages that handle each within its time limits."""

from __future__ import annotations

import time

from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Optional

from govuk_frontend_wtf.wtforms_widgets import GovSelect

from shared.contracts import complaints as complaint_contracts

from services.gateway.schemas import ComplaintAnswerSchema, ComplaintReviewSchema, ComplaintSchema, EmptySchema
from services.gateway.web import blueprint, council_choices
from services.gateway.web.flow import form_for_its_page, kept_for_its_page, posted_form
from services.gateway.web.forms import (EMAIL, KEPT, KEPT_FOR_YOU, MIN_SECONDS_TO_FILL, PHONE, YES_NO, YOUR_EMAIL,
                                       YOUR_PHONE, Honeypot, choice, languages, long_text, submit, text, worded)
from services.gateway.web.pages import Step, as_public, call, checked, error_summary, every_item, put_errors, \
    put_problem, signed_in, submit_step

KINDS = worded("complaint_kind", complaint_contracts.KINDS)
MADE_BY = worded("complaint_from", complaint_contracts.FROM)
OUTCOMES = worded("complaint_outcome", complaint_contracts.ANSWERS)
STATUSES = dict(worded("complaint_status", complaint_contracts.STATUSES))


def _council(invalid) -> SelectField:
    """Which council the complaint is about, if any (its choices filled in on the page)."""
    return SelectField(_l("Which council area is it about? (optional)"), [Optional()], choices=[], widget=GovSelect(),
                       invalid_choice_message=invalid)


class ComplaintForm(FlaskForm):
    kind = choice(_l("What would you like to tell us?"), KINDS, _l("Choose what you would like to tell us"))
    made_by = choice(_l("Who are you?"), MADE_BY, _l("Choose who you are"))
    about = long_text(_l("Tell us what happened"), _l("Tell us what happened"), optional=False, max_length=5000,
                      hint=_l("You do not have to give names if you do not want to"))
    name = text(_l("Your name (optional)"), optional=True)
    email = text(_l("Your email address (optional)"), optional=True, max_length=200, validators=[EMAIL])
    phone = text(_l("Your phone number (optional)"), optional=True, max_length=30, validators=[PHONE])
    council = _council(_l("Choose a council area from the list"))
    wants_reply = choice(_l("Would you like us to reply?"), YES_NO, _l("Choose yes or no"),
                         hint=_l("If yes, give an email address or phone number above"))
    language = languages(_l("Which language should we reply in?"), _l("Choose a language"))
    submit = submit(_l("Send"))
    no_way_to_reply = _l("Give an email address or a phone number, so we can reply.")


YOUNG_KINDS = worded("complaint_kind_to_child", complaint_contracts.KINDS)


class YoungPersonsComplaintForm(FlaskForm):
    """The same complaint, asked of a child or young person in words spoken to them (made by a child)."""

    kind = choice(_l("What do you want to tell us?"), YOUNG_KINDS, _l("Choose what you want to tell us"))
    about = long_text(_l("What happened?"), _l("Write what happened"), optional=False, max_length=5000,
                      hint=_l("You do not have to give anyone's name"))
    name = text(_l("What is your name? (optional)"), optional=True)
    email = text(_l("Your email (optional)"), optional=True, max_length=200, validators=[YOUR_EMAIL])
    phone = text(_l("Your mobile or phone number (optional)"), optional=True, max_length=30,
                 validators=[YOUR_PHONE])
    council = _council(_l("Choose your council area from the list"))
    wants_reply = choice(_l("Do you want us to reply?"), YES_NO, _l("Say yes or no to a reply"),
                         hint=_l("If yes, give your email or phone number above"))
    language = languages(_l("Which language should we reply in?"), _l("Choose the language you would like to use"))
    submit = submit(_l("Send"))
    no_way_to_reply = _l("Give us your email or your phone number, so we can reply to you.")


class AnswerForm(FlaskForm):
    outcome = choice(_l("Outcome"), OUTCOMES, _l("Choose the outcome"))
    summary = long_text(_l("What the answer said"), _l("Write what the answer said"), optional=False,
                        max_length=5000,
                        hint=_l("The answer also tells them they can go to the council or the children's "
                                "commissioner of their nation"))
    submit = submit(_l("Record the response"))


class ConfirmForm(FlaskForm):
    """A step with nothing to ask: its button says the step (complaint_step), as a verb."""

    submit = submit(_l("Confirm"))


COMPLAINT_FIELDS = {"kind": "kind", "made_by": "made_by", "about": "about", "name": "name", "contact": "email",
                    "contact.email": "email", "contact.phone": "phone", "council": "council",
                    "wants_reply": "wants_reply", "language": "language"}
STEPS = {step.name: step for step in (
    Step("acknowledge", ConfirmForm, EmptySchema, "complaints", "/complaints/{complaint}/acknowledge",
         "acknowledge complaint", lambda f: {}, {}, _l("The complaint is acknowledged"),
         _l("Acknowledge the complaint")),
    Step("respond", AnswerForm, ComplaintAnswerSchema, "complaints", "/complaints/{complaint}/respond",
         "answer complaint", lambda f: {"outcome": f.outcome.data, "summary": f.summary.data},
         {"outcome": "outcome", "summary": "summary"}, _l("The answer is recorded"), _l("Record the response")),
    Step("escalate", ConfirmForm, EmptySchema, "complaints", "/complaints/{complaint}/escalate",
         "escalate complaint", lambda f: {}, {}, _l("The complaint is at stage 2"),
         _l("Escalate to stage 2")),
    Step("close", ConfirmForm, EmptySchema, "complaints", "/complaints/{complaint}/close", "close complaint",
         lambda f: {}, {}, _l("The complaint is closed"), _l("Close the complaint")),
    Step("withdraw", ConfirmForm, EmptySchema, "complaints", "/complaints/{complaint}/withdraw",
         "withdraw complaint", lambda f: {}, {}, _l("The complaint is withdrawn"),
         _l("Record that it is withdrawn")),
)}
NEXT_STEPS = {"received": ["acknowledge", "respond", "withdraw"], "acknowledged": ["respond", "withdraw"],
              "escalated": ["respond", "withdraw"], "responded": ["close", "escalate", "withdraw"]}
"""What the complaint page offers in each status; the complaints service decides what is allowed."""
STATUS_COLOURS = {"received": "blue", "acknowledged": "light-blue", "responded": "green", "escalated": "orange",
                  "closed": "grey", "recorded": "grey"}
"""Each status's tag colour, so a status reads as a state beside the steps' buttons, never as one of them."""


def _council_choices() -> list[tuple[str, str]]:
    return [("", gettext("Not about one council")), *council_choices()]


def _complaint_body(form: ComplaintForm | YoungPersonsComplaintForm) -> dict:
    contact = {k: v.strip() for k, v in (("email", form.email.data), ("phone", form.phone.data)) if (v or "").strip()}
    made_by = form.made_by.data if hasattr(form, "made_by") else "child"
    body = {"kind": form.kind.data, "made_by": made_by, "about": form.about.data,
            "name": form.name.data or "", "contact": contact, "wants_reply": form.wants_reply.data == "yes",
            "language": form.language.data}
    if form.council.data:
        body["council"] = form.council.data
    return body


YOUNG_PERSON = {"complaint.no_way_to_reply": YoungPersonsComplaintForm.no_way_to_reply,
                "complaint.unknown_council": _l("Choose your council area from the list.")}
"""The complaints service's rules as the young person's form says them, to them."""


@blueprint.route("/complaints/new", methods=["GET", "POST"])
def new_complaint():
    """The public form: a complaint, a comment or a compliment about the advocacy service, from anyone."""
    return _complaint_page(ComplaintForm, young=False)


@blueprint.route("/complaints/new/young-person", methods=["GET", "POST"])
def new_young_persons_complaint():
    """The public form as a child or young person meets it: spoken to them, about what they can tell us."""
    return _complaint_page(YoungPersonsComplaintForm, young=True)


POSTED = "complaint.posted"
"""Where a complaint form posted with errors waits for the GET of its page."""


def _with_councils(form):
    """The form with its councils to choose from, in the page's language."""
    form.council.choices = _council_choices()
    return form


def _complaint_page(form_class: type, *, young: bool):
    """A complaint form: checked (with its own rule that a reply needs a way to reply) and sent. One sent faster
    than a person reads the page is not sent: it is shown again with its answers, asking for them to be sent again
    (a bot that fills the honeypot is refused outright). Refused, it is shown again at its own address (redirect
    after POST), so Back and Refresh never send it again."""
    honeypot = Honeypot(prefix="hp", meta={"csrf": False})
    if request.method == "GET":
        form, loose = posted_form(POSTED, form_class, _with_councils)
        if form is None:  # a first reading of the page: the time a person takes to read it starts now
            session["complaint.started"] = time.time()
            form = _with_councils(form_class())
        return render_template("complaint_new.html", form=form, honeypot=honeypot, young=young,
                               errors=error_summary(form, loose))
    form = _with_councils(form_class())
    loose: list[dict] = []
    if not honeypot.validate():
        abort(400)
    elif form.validate_on_submit() and not _no_way_to_reply(form):
        body, errors = checked(ComplaintSchema(), _complaint_body(form))
        if body is not None and time.time() - session.get("complaint.started", 0) < MIN_SECONDS_TO_FILL:
            loose = [{"text": str(KEPT_FOR_YOU if young else KEPT)}]
        elif body is not None:
            as_public()
            status, answer = call("complaints", "POST", "/complaints", body=body, what="complaint made")
            if status == 201:
                session["complaint.sent"] = {"kind": answer["kind"], "key": answer.get("tracking_key"), "young": young}
                return redirect(url_for("web.complaint_sent"))
            loose = put_problem(form, answer, COMPLAINT_FIELDS, YOUNG_PERSON if young else None)
        else:
            loose = put_errors(form, errors, COMPLAINT_FIELDS)
    return kept_for_its_page(POSTED, form, loose)


def _no_way_to_reply(form) -> bool:
    """The form's rule across its fields: a reply wanted needs an email address or a phone number to reply to (put
    on the email field)."""
    if form.wants_reply.data == "yes" and not ((form.email.data or "").strip() or (form.phone.data or "").strip()):
        form.email.errors = [*form.email.errors, str(form.no_way_to_reply)]
        return True
    return False


@blueprint.get("/complaints/sent")
def complaint_sent():
    sent = session.get("complaint.sent") or {"kind": "complaint", "key": None}
    return render_template("complaint_sent.html", kind=sent["kind"], key=sent["key"], young=sent.get("young", False))


class ReviewForm(FlaskForm):
    reason = long_text(_l("What are you still not happy about?"), _l("Tell us what you are still not happy about"),
                       optional=False, max_length=5000)
    submit = submit(_l("Ask us to look at it again"))


REVIEW = Step("review", ReviewForm, ComplaintReviewSchema, "complaints", "/followed/{key}/review",
              "ask to look at complaint again", lambda f: {"reason": f.reason.data}, {"reason": "reason"},
              _l("We will look at your complaint again"), _l("Ask us to look at it again"))


@blueprint.route("/complaints/followed/<key>", methods=["GET", "POST"])
def complaint_progress(key: str):
    """Where the complainant follows their complaint, by the private link they were given, and, once it is
    answered, asks for it to be looked at again (its second stage, with its own time limit)."""
    as_public()
    status, progress = call("complaints", "GET", f"/followed/{key}")
    if status != 200:
        abort(404)
    form, loose = ReviewForm(), []
    if progress.get("may_ask_for_review") and form.validate_on_submit():
        answer, loose = submit_step(REVIEW, form, REVIEW.path.format(key=key), None)
        if answer is not None:
            return redirect(url_for("web.complaint_progress", key=key))
    elif request.method == "POST" and not progress.get("may_ask_for_review"):
        loose = [{"text": gettext("Your complaint cannot be looked at again now: it is not waiting for you.")}]
    return render_template("complaint_progress.html", progress=progress, kinds=dict(KINDS), statuses=STATUSES,
                           outcomes=dict(OUTCOMES), form=form, errors=error_summary(form, loose))


NEXT_STEPS_DUE = {"received": ("acknowledge_by", _l("Acknowledge")), "acknowledged": ("respond_by", _l("Answer")),
                  "escalated": ("stage_2_respond_by", _l("Answer at stage 2"))}
"""While a complaint waits on the provider: the time limit its next step is due by, and that step in words."""


def next_step(complaint: dict) -> tuple[str, str] | None:
    """The complaint's next step and when it is due (its clock), or None when nothing is waiting on the provider."""
    waiting = NEXT_STEPS_DUE.get(complaint["status"])
    if waiting is None or not (complaint.get("deadlines") or {}).get(waiting[0]):
        return None
    return str(waiting[1]), complaint["deadlines"][waiting[0]]


def waiting_complaints() -> list[dict]:
    """The complaints waiting on the provider (to be acknowledged or answered), the soonest due first."""
    found = [complaint for status in NEXT_STEPS_DUE for complaint in every_item("complaints", "/complaints",
                                                                                {"status": status})]
    return sorted(found, key=lambda c: (next_step(c) or ("", "9999"))[1])


@blueprint.get("/complaints")
@signed_in("manager")
def complaints():
    return render_template("complaints.html", complaints=every_item("complaints", "/complaints"), statuses=STATUSES,
                           colours=STATUS_COLOURS, kinds=dict(KINDS), made_by=dict(MADE_BY), next_step=next_step)


def read_complaint(complaint_id: str) -> dict | None:
    if len(complaint_id) > 64:
        return None
    status, found = call("complaints", "GET", f"/complaints/{complaint_id}", what="read complaint")
    return found if status == 200 else None


@blueprint.get("/complaints/<complaint_id>")
@signed_in("manager")
def complaint(complaint_id: str):
    found = read_complaint(complaint_id)
    if found is None:
        abort(404)
    steps = [(name, STEPS[name].title) for name in NEXT_STEPS.get(found["status"], [])]
    return render_template("complaint.html", complaint=found, steps=steps, statuses=STATUSES, colours=STATUS_COLOURS,
                           kinds=dict(KINDS), made_by=dict(MADE_BY), outcomes=dict(OUTCOMES))


@blueprint.route("/complaints/<complaint_id>/<name>", methods=["GET", "POST"])
@signed_in("manager")
def complaint_step(complaint_id: str, name: str):
    if name not in STEPS:
        abort(404)
    found = read_complaint(complaint_id)
    if found is None:
        abort(404)
    step = STEPS[name]

    def ready(form) -> None:
        if isinstance(form, ConfirmForm):
            form.submit.label.text = str(step.title)

    kept = f"complaint-step:{complaint_id}:{name}"
    form, loose = form_for_its_page(kept, step.form, ready)
    if request.method == "POST":
        if form.validate_on_submit():
            answer, loose = submit_step(step, form, step.path.format(complaint=complaint_id), None)
            if answer is not None:
                return redirect(url_for("web.complaint", complaint_id=complaint_id))
        return kept_for_its_page(kept, form, loose)  # shown again at its own address: Back never posts it again
    return render_template("case_step.html", form=form, title=step.title, errors=error_summary(form, loose),
                           back=url_for("web.complaint", complaint_id=complaint_id), caption=_l("Complaint"))
