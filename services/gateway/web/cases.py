"""Case pages: an advocate carries a child's case from the take-up to its closure; a manager decides changes of
advocate and records disclosures. Each step is a form posting to the casework service."""

from __future__ import annotations

from datetime import datetime

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Optional, Regexp

from govuk_frontend_wtf.wtforms_widgets import GovSelect

from shared.clock import LONDON
from shared.contracts import casework

from services.gateway import domain
from services.gateway.access import audit, identity_headers
from services.gateway.forwarding import service
from services.gateway.schemas import (ActivitySchema, AdvocateChangeDecisionSchema, AdvocateChangeRequestSchema,
                                      CloseCaseSchema, ConcludeIssueSchema, DisclosureSchema, IssueSchema,
                                      OpenCaseSchema, PlanSchema, SignpostSchema)
from services.gateway.web import LANGUAGES, blueprint, child_record, forms
from services.gateway.web.flow import form_for_its_page, kept_for_its_page
from services.gateway.web.forms import TIME, YES_NO, InThePast, choice, day, long_text, submit, text, worded
from services.gateway.web.pages import Step, call, error_summary, every_item, london, signed_in, submit_step
from services.gateway.web.staff import advocate_choices, read_referral, referrals_by_id, wants_welsh

THEMES = worded("theme", casework.THEMES)
ISSUE_OUTCOMES = worded("issue_outcome", casework.ISSUE_OUTCOMES)
ACTIVITIES = worded("activity", casework.ACTIVITIES)
CONTRIBUTIONS = worded("contribution", casework.CONTRIBUTIONS)
SIGNPOSTS = worded("signpost", casework.SIGNPOSTS)
DISCLOSURE_REASONS = worded("disclosure_reason", casework.DISCLOSURE_REASONS)
CASE_OUTCOMES = worded("case_outcome", casework.CASE_OUTCOMES)
CHANGE_RESULTS = worded("change_result", casework.CHANGE_RESULTS)


class OpenCaseForm(FlaskForm):
    consents = choice(_l("Does the child consent to a case file being opened?"), YES_NO,
                      _l("Say whether the child consents"),
                      hint=_l("Explain again what advocacy is and what the case file will hold"))
    submit = submit(_l("Open the case"))


class PlanForm(FlaskForm):
    text = long_text(_l("The advocacy plan"), _l("Write the plan"), optional=False, max_length=5000,
                     hint=_l("In words the child would use"))
    agreed = choice(_l("Has the child agreed this plan?"), YES_NO, _l("Say whether the child agreed it"))
    submit = submit(_l("Save the plan"))


class IssueForm(FlaskForm):
    theme = choice(_l("What is the issue about?"), THEMES, _l("Choose what the issue is about"))
    description = long_text(_l("The issue, as the child puts it"), _l("Describe the issue"), optional=False)
    submit = submit(_l("Add the issue"))


class ConcludeIssueForm(FlaskForm):
    issue = SelectField(_l("Issue"), [forms.required(_l("Choose the issue"))], choices=[], widget=GovSelect())
    outcome = choice(_l("Outcome"), ISSUE_OUTCOMES, _l("Choose the outcome"))
    note = long_text(_l("Note (optional)"))
    submit = submit(_l("Record the outcome"))


def _today():
    return datetime.now(LONDON).date()


def _now():
    return datetime.now(LONDON).strftime("%H:%M")


class ActivityForm(FlaskForm):
    """An activity, and when it happened: now unless the advocate says otherwise (yesterday's call, recorded
    today, is dated yesterday); never in the future, nor before the case was opened (the casework service's rule)."""

    kind = choice(_l("What was done?"), ACTIVITIES, _l("Choose what was done"))
    contribution = choice(_l("How did the child choose to contribute?"), CONTRIBUTIONS,
                          _l("Choose how the child contributed"))
    happened_on = day(_l("Date it happened"), _l("Enter the date the activity happened"),
                      hint=_l("For example, 27 3 2027. Today's date is filled in: change it if it was another day"),
                      invalid=_l("The date the activity happened must be a real date, like 27 3 2027"),
                      checks=[InThePast(_l("The date the activity happened must be today or in the past"))])
    happened_at = text(_l("Time it happened"), _l("Enter the time the activity happened"),
                       hint=_l("On the 24-hour clock, for example 14:30"), max_length=5,
                       validators=[Regexp(TIME.regex, message=_l(
                           "Enter the time the activity happened on the 24-hour clock, like 14:30"))])
    note = long_text(_l("Note (optional)"))
    submit = submit(_l("Record the activity"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_submitted():
            self.happened_on.data = self.happened_on.data or _today()
            self.happened_at.data = self.happened_at.data or _now()


class SignpostForm(FlaskForm):
    to = choice(_l("Where was the child signposted?"), SIGNPOSTS, _l("Choose where"))
    note = long_text(_l("Note (optional)"))
    submit = submit(_l("Record the signposting"))


class ChangeRequestForm(FlaskForm):
    reason = long_text(_l("Why does the child want a different advocate? (optional)"))
    submit = submit(_l("Record the request"))


class DecideChangeForm(FlaskForm):
    result = choice(_l("Decision"), CHANGE_RESULTS, _l("Choose the decision"))
    new_advocate_email = SelectField(_l("New advocate (if granted)"), [Optional()], choices=[], widget=GovSelect())
    reason = long_text(_l("Reason (needed if declined)"))
    submit = submit(_l("Record the decision"))


class DisclosureForm(FlaskForm):
    reason = choice(_l("Why was information shared without the child's consent?"), DISCLOSURE_REASONS,
                    _l("Choose the reason"))
    decided_by = text(_l("Who decided?"), _l("Enter who decided"), max_length=200)
    disclosed_to = text(_l("To whom was it disclosed?"), _l("Enter to whom it was disclosed"), max_length=200)
    disclosed_on = day(_l("When was it disclosed?"), _l("Enter the date it was disclosed"))
    child_told = choice(_l("Was the child told?"), YES_NO, _l("Say whether the child was told"))
    child_told_on = day(_l("When was the child told? (if they were)"), None, optional=True)
    why_not_told = long_text(_l("Why was the child not told? (if they were not)"), max_length=2000)
    submit = submit(_l("Record the disclosure"))


class CloseCaseForm(FlaskForm):
    outcome = choice(_l("How did the case end?"), CASE_OUTCOMES, _l("Choose how the case ended"))
    satisfaction = forms.whole_number(_l("The child's satisfaction, 1 to 5 (optional)"), None,
                                      invalid=_l("Give the child's satisfaction as a number from 1 to 5"), least=1,
                                      most=5, range_message=_l("Give a number from 1 to 5"))
    feedback = long_text(_l("The child's feedback (optional)"))
    submit = submit(_l("Close the case"))


def _noon(day_value) -> str | None:
    if not day_value:
        return None
    return datetime(day_value.year, day_value.month, day_value.day, 12, tzinfo=LONDON).isoformat()


def _disclosure(form) -> dict:
    body = {"reason": form.reason.data, "decided_by": form.decided_by.data, "disclosed_to": form.disclosed_to.data,
            "disclosed_at": _noon(form.disclosed_on.data), "child_told": form.child_told.data == "yes"}
    if form.child_told.data == "yes" and form.child_told_on.data:
        body["child_told_at"] = _noon(form.child_told_on.data)
    if form.child_told.data == "no" and (form.why_not_told.data or "").strip():
        body["why_not_told"] = form.why_not_told.data.strip()
    return body


def _decision(form) -> dict:
    body = {"result": form.result.data, "reason": form.reason.data or ""}
    if form.result.data == "granted" and form.new_advocate_email.data:
        body["new_advocate_email"] = form.new_advocate_email.data
    return body


def _closing(form) -> dict:
    return {"outcome": form.outcome.data, "satisfaction": form.satisfaction.data,
            "feedback": form.feedback.data or ""}


CASE_STEPS = {step.name: step for step in (
    Step("plan", PlanForm, PlanSchema, "casework", "/cases/{case}/plan", "agree case plan",
         lambda f: {"text": f.text.data, "agreed_with_child": f.agreed.data == "yes"},
         {"text": "text", "agreed_with_child": "agreed"}, _l("The plan is saved"), _l("Agree the advocacy plan")),
    Step("issue", IssueForm, IssueSchema, "casework", "/cases/{case}/issues", "raise issue",
         lambda f: {"theme": f.theme.data, "description": f.description.data},
         {"theme": "theme", "description": "description"}, _l("The issue is added"), _l("Add an issue")),
    Step("conclude", ConcludeIssueForm, ConcludeIssueSchema, "casework", "/cases/{case}/issues/{issue}/conclude",
         "conclude issue", lambda f: {"outcome": f.outcome.data, "note": f.note.data or ""},
         {"outcome": "outcome", "note": "note", "issue_id": "issue"}, _l("The issue's outcome is recorded"),
         _l("Record an issue's outcome")),
    Step("activity", ActivityForm, ActivitySchema, "casework", "/cases/{case}/activities", "record activity",
         lambda f: {"kind": f.kind.data, "contribution": f.contribution.data, "note": f.note.data or "",
                    "happened_at": london(f.happened_on.data, f.happened_at.data)},
         {"kind": "kind", "contribution": "contribution", "note": "note", "happened_at": "happened_on"},
         _l("The activity is recorded"), _l("Record activity")),
    Step("signpost", SignpostForm, SignpostSchema, "casework", "/cases/{case}/signposting", "signpost",
         lambda f: {"to": f.to.data, "note": f.note.data or ""}, {"to": "to", "note": "note"},
         _l("The signposting is recorded"), _l("Record signposting")),
    Step("change-request", ChangeRequestForm, AdvocateChangeRequestSchema, "casework",
         "/cases/{case}/advocate-change-requests", "request change of advocate",
         lambda f: {"reason": f.reason.data or ""}, {"reason": "reason"}, _l("The request is recorded"),
         _l("The child asks for a different advocate")),
    Step("decide-change", DecideChangeForm, AdvocateChangeDecisionSchema, "casework",
         "/cases/{case}/advocate-change-requests/{request}/decide", "decide change of advocate", _decision,
         {"result": "result", "new_advocate_email": "new_advocate_email", "reason": "reason"},
         _l("The decision is recorded"), _l("Decide the request for a different advocate")),
    Step("disclosure", DisclosureForm, DisclosureSchema, "casework", "/cases/{case}/disclosures",
         "record disclosure", _disclosure,
         {"reason": "reason", "decided_by": "decided_by", "disclosed_to": "disclosed_to",
          "disclosed_at": "disclosed_on", "child_told": "child_told", "child_told_at": "child_told_on",
          "why_not_told": "why_not_told"}, _l("The disclosure is recorded"),
         _l("Record a disclosure made without consent")),
    Step("close", CloseCaseForm, CloseCaseSchema, "casework", "/cases/{case}/close", "close case", _closing,
         {"outcome": "outcome", "satisfaction": "satisfaction", "feedback": "feedback"}, _l("The case is closed"),
         _l("Close the case")),
)}
MANAGERS_ONLY = ("decide-change", "disclosure")


def read_case(case_id: str) -> dict | None:
    if len(case_id) > 64:
        return None
    status, case = call("casework", "GET", f"/cases/{case_id}", what="read case", referral_id=case_id)
    return case if status == 200 else None


@blueprint.get("/cases")
@signed_in(*domain.CASEWORKERS)
def cases():
    status_filter = request.args.get("status") if request.args.get("status") in casework.CASE_STATUSES else None
    items = every_item("casework", "/cases", {"status": status_filter} if status_filter else {}, what="list cases")
    return render_template("cases.html", cases=items, status=status_filter,
                           referrals=referrals_by_id([case["referral_id"] for case in items]))


@blueprint.route("/referrals/<referral_id>/open-case", methods=["GET", "POST"])
@signed_in(*domain.CASEWORKERS)
def open_case(referral_id: str):
    referral = read_referral(referral_id)
    if referral is None or referral["kind"] != "issue_based":
        abort(404)
    if not domain.works_on(g.principal, referral["advocate_email"]):
        abort(403)
    kept = f"open-case:{referral_id}"
    form, loose = form_for_its_page(kept, OpenCaseForm)
    if request.method == "POST":
        answered = form.validate_on_submit()
        if answered and form.consents.data == "no":  # an answer, not a mistake: no case, and what happens next
            audit("no case file: the child does not consent", referral_id, 200, "web forms (open case)")
            return redirect(url_for("web.case_not_opened", referral_id=referral_id))
        if answered:
            opening = Step("open", OpenCaseForm, OpenCaseSchema, "casework", "/cases", "open case",
                           lambda f: {"referral_id": referral_id, "consents_to_case_file": f.consents.data == "yes"},
                           {"consents_to_case_file": "consents"}, _l("The case is open"), _l("Open a case"))
            answer, loose = submit_step(opening, form, "/cases", referral_id)
            if answer is not None:
                return redirect(url_for("web.case", case_id=answer["id"]))
        return kept_for_its_page(kept, form, loose)  # shown again at its own address: Back never posts it again
    return render_template("case_step.html", form=form, title=_l("Open a case"), errors=error_summary(form, loose),
                           back=url_for("web.referral", referral_id=referral_id),
                           caption=f"{referral['child']['given_name']} {referral['child']['family_name']}")


@blueprint.get("/referrals/<referral_id>/no-case")
@signed_in(*domain.CASEWORKERS)
def case_not_opened(referral_id: str):
    """What a No to a case file means: no case is opened, nothing is kept in one, and what the advocate may do next
    (the child's answer is in the audit log, as the casework service keeps no case without consent)."""
    referral = read_referral(referral_id)
    if referral is None or referral["kind"] != "issue_based":
        abort(404)
    if not domain.works_on(g.principal, referral["advocate_email"]):
        abort(403)
    return render_template("case_not_opened.html", referral=referral)


@blueprint.get("/cases/<case_id>")
@signed_in(*domain.CASEWORKERS)
def case(case_id: str):
    found = read_case(case_id)
    if found is None:
        abort(404)
    referral = read_referral(found["referral_id"]) or {}
    return render_template("case.html", case=found, child=referral.get("child", {}),
                           themes=dict(THEMES), outcomes=dict(ISSUE_OUTCOMES), activities=dict(ACTIVITIES),
                           contributions=dict(CONTRIBUTIONS), signposts=dict(SIGNPOSTS),
                           case_outcomes=dict(CASE_OUTCOMES), reasons=dict(DISCLOSURE_REASONS),
                           manager=g.principal.role == "manager")


@blueprint.get("/cases/<case_id>/record")
@signed_in(*domain.CASEWORKERS)
def case_record(case_id: str):
    """The child's own record, to print or give them, in their language or the one asked for."""
    params = {"language": request.args["language"]} if request.args.get("language") in LANGUAGES else {}
    answer = call_raw(f"/cases/{case_id}/record", params)
    if answer.status_code != 200:
        abort(404)
    return child_record.render(answer.json())


def call_raw(path: str, params: dict):
    answer = service("casework").request("GET", path, params=params, headers=identity_headers())
    audit("read child's record", path.split("/")[2], answer.status_code, "web forms (child's record)")
    return answer


@blueprint.route("/cases/<case_id>/<slug>", methods=["GET", "POST"])
@signed_in(*domain.CASEWORKERS)
def case_step(case_id: str, slug: str):
    if slug not in CASE_STEPS:
        abort(404)
    if slug in MANAGERS_ONLY and g.principal.role != "manager":
        abort(403)
    found = read_case(case_id)
    if found is None:
        abort(404)
    step = CASE_STEPS[slug]

    def ready(form) -> None:
        if slug == "conclude":
            form.issue.choices = [("", gettext("Choose the issue")), *[
                (i["id"], i["description"][:60]) for i in found["issues"] if not i["outcome"]]]
        if slug == "decide-change":
            referral = read_referral(found["referral_id"]) if found.get("referral_id") else None
            welsh = wants_welsh(referral) if referral else found.get("language") == "cy"
            form.new_advocate_email.choices = [("", gettext("Choose an advocate")),
                                               *advocate_choices(found.get("advocate_email"), welsh)]

    kept = f"case-step:{case_id}:{slug}"
    form, loose = form_for_its_page(kept, step.form, ready)
    if request.method == "POST":
        if form.validate_on_submit():
            pending = [r["id"] for r in found["advocate_changes"] if r["result"] is None]
            path = step.path.format(case=case_id, issue=getattr(form, "issue", None) and form.issue.data,
                                    request=pending[0] if pending else "none")
            answer, loose = submit_step(step, form, path, case_id)
            if answer is not None:
                return redirect(url_for("web.case", case_id=case_id))
        return kept_for_its_page(kept, form, loose)  # shown again at its own address: Back never posts it again
    return render_template("case_step.html", form=form, title=step.title, errors=error_summary(form, loose),
                           back=url_for("web.case", case_id=case_id), caption=_l("Case"))

