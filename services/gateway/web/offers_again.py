"""Opt-outs and offers made again on the web forms.

A council's social worker records an opt-out (`/opt-outs/new`, from their home, or from `/refer` when the child
does not agree, with the answers given there carried over) and tells of a looked-after review, a placement move or
leaving-care planning (`/transitions/new`). The provider's managers see the children to offer advocacy again
(`/offers-again`) and mark each done with what came of it. The referral service checks every rule again.
"""

from __future__ import annotations

from datetime import date

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm

from shared.contracts import referral as referral_contracts

from services.gateway.schemas import OptOutSchema
from services.gateway.transitions_api import RenewedOfferDoneSchema, TransitionSchema
from services.gateway.web import blueprint, forms
from services.gateway.web.flow import form_for_its_page, kept_for_its_page
from services.gateway.web.forms import (BASES, InThePast, NOT_WANTED_REASONS, RENEWED_OFFER_RESULTS, TRANSITION_KINDS,
                                       choice, day, labelled, long_text, submit, text)
from services.gateway.web.pages import (call, checked, error_summary, every_item, london, put_errors, put_problem,
                                        signed_in)
from services.gateway.web.refer import REFER

REFERRERS = ("referrer",)
MANAGERS = ("manager",)


class OptOutForm(FlaskForm):
    basis = choice(_l("Why is the child offered the Active Offer?"), BASES, _l("Choose why the child is offered "
                                                                               "the Active Offer"))
    date_of_birth = day(_l("Child's date of birth"), _l("Enter the child's date of birth"),
                        hint=_l("For example, 2 5 2013"),
                        invalid=_l("The child's date of birth must be a real date, like 2 5 2013"),
                        checks=[InThePast(_l("The child's date of birth must be in the past"))])
    offered_on = day(_l("When was the child offered advocacy?"), _l("Enter when the child was offered advocacy"),
                     hint=_l("For example, 27 11 2026"),
                     invalid=_l("When the child was offered advocacy must be a real date, like 27 11 2026"),
                     checks=[InThePast(_l("When the child was offered advocacy must be today or in the past"))])
    external_ref = text(_l("Your reference for the child (optional)"), optional=True,
                        hint=_l("The child's number in your case system"))
    reason_code = choice(_l("Why did the child not want the Active Offer?"), NOT_WANTED_REASONS,
                         _l("Choose why the child did not want the Active Offer"))
    reason_note = long_text(_l("Anything to add about the reason (optional)"), max_length=1000,
                            hint=_l("Kept by the advocacy provider only, never reported"))
    submit = submit(_l("Record the opt-out"))


OPT_OUT_FIELDS = {"basis": "basis", "date_of_birth": "date_of_birth", "offered_at": "offered_on",
                  "external_ref": "external_ref", "reason_code": "reason_code", "reason_note": "reason_note",
                  "reason": "reason_note"}
REFERENCE_KINDS = labelled(("referral_id", "optout_id", "external_ref"), {
    "referral_id": _l("Our referral reference"), "optout_id": _l("Our opt-out reference"),
    "external_ref": _l("Your own reference for the child")})


class TransitionForm(FlaskForm):
    kind = choice(_l("What is happening for the child?"), TRANSITION_KINDS, _l("Choose what is happening for the "
                                                                               "child"))
    happened_on = day(_l("When is or was it?"), _l("Enter the date"), hint=_l("For example, 27 11 2026"),
                      invalid=_l("The date must be a real date, like 27 11 2026"),
                      checks=[InThePast(_l("The date cannot be in the future"))])
    reference_kind = choice(_l("Which reference do you have for the child?"), REFERENCE_KINDS,
                            _l("Choose which reference you have"))
    reference = text(_l("The reference"), _l("Enter the reference"))
    submit = submit(_l("Tell the advocacy service"))


class RenewedOfferForm(FlaskForm):
    result = choice(_l("What came of the renewed offer?"), RENEWED_OFFER_RESULTS, _l("Choose what came of the "
                                                                                     "renewed offer"))
    submit = submit(_l("Mark as done"))


def _refer_answers() -> dict:
    """What the social worker told `/refer` already, for an opt-out: the child's date of birth, the basis (one of
    the Active Offer's), their reference."""
    answers = REFER.answers()
    about, child = answers.get("about", {}), answers.get("child", {})
    carried = {"date_of_birth": child.get("date_of_birth"), "external_ref": about.get("external_ref"),
               "basis": about.get("basis") if about.get("basis") in referral_contracts.ACTIVE_OFFER_BASES else None}
    return {name: date.fromisoformat(value) if name == "date_of_birth" and value else value
            for name, value in carried.items() if value}


@blueprint.route("/opt-outs/new", methods=["GET", "POST"])
@signed_in(*REFERRERS)
def opt_out_new():
    from_refer = request.args.get("from") == "refer"
    form, loose = form_for_its_page("opt-out", OptOutForm,
                                    data=_refer_answers() if from_refer and request.method == "GET" else None)
    if request.method == "POST" and form.validate_on_submit():
        body, errors = checked(OptOutSchema(), {
            "basis": form.basis.data, "date_of_birth": form.date_of_birth.data.isoformat(),
            "offered_at": london(form.offered_on.data, "00:00"), "reason_code": form.reason_code.data,
            **({"reason_note": form.reason_note.data.strip()} if (form.reason_note.data or "").strip() else {}),
            **({"external_ref": form.external_ref.data.strip()} if (form.external_ref.data or "").strip() else {})})
        if body is None:
            loose = put_errors(form, errors, OPT_OUT_FIELDS)
        else:
            status, answer = call("referral", "POST", "/opt-outs", body={**body, "council": g.principal.council},
                                  what="record opt-out")
            if status == 201:
                if from_refer:
                    REFER.forget()
                return redirect(url_for("web.opt_out_recorded", optout_id=answer["id"]))
            loose = put_problem(form, answer, OPT_OUT_FIELDS)
    if request.method == "POST":
        return kept_for_its_page("opt-out", form, loose)  # shown again at its own address: Back never posts it
    return render_template("council_form.html", form=form, errors=error_summary(form, loose),
                           title=gettext("Record that the child opted out"), from_refer=from_refer,
                           intro=gettext("The child was offered the Active Offer and did not want it. We keep no "
                                         "name or contact details: only what is asked here."))


@blueprint.get("/opt-outs/<optout_id>/recorded")
@signed_in(*REFERRERS)
def opt_out_recorded(optout_id: str):
    return render_template("council_done.html", title=gettext("Opt-out recorded"), reference=optout_id,
                           again=url_for("web.transition_new", reference_kind="optout_id", reference=optout_id))


@blueprint.route("/transitions/new", methods=["GET", "POST"])
@signed_in(*REFERRERS)
def transition_new():
    given = {name: request.args[name] for name in ("reference_kind", "reference") if request.args.get(name)}
    form, loose = form_for_its_page("transition", TransitionForm, data=given if request.method == "GET" else None)
    if request.method == "POST" and form.validate_on_submit():
        reference_kind = form.reference_kind.data
        body, errors = checked(TransitionSchema(), {"kind": form.kind.data,
                                                    "happened_on": form.happened_on.data.isoformat(),
                                                    reference_kind: form.reference.data.strip()})
        fields = {"kind": "kind", "happened_on": "happened_on", reference_kind: "reference",
                  "referral_id": "reference_kind"}
        if body is None:
            loose = put_errors(form, errors, fields)
        else:
            status, answer = call("referral", "POST", "/transitions", body={**body, "council": g.principal.council},
                                  what="record transition")
            if status == 201:
                return redirect(url_for("web.transition_recorded", transition_id=answer["id"]))
            elif status == 404:  # not one of the council's own: as if absent
                form.reference.errors = [*form.reference.errors, gettext(
                    "No referral or opt-out of your council has that reference.")]
            else:
                loose = put_problem(form, answer, fields)
    if request.method == "POST":
        return kept_for_its_page("transition", form, loose)  # shown again at its own address: Back never posts it
    return render_template("council_form.html", form=form, errors=error_summary(form, loose),
                           title=gettext("Tell us of a review, a placement move or leaving-care planning"),
                           intro=gettext("A child who opted out of the Active Offer, declined advocacy or was "
                                         "thinking about it is offered advocacy again."))


@blueprint.get("/transitions/<transition_id>")
@signed_in(*REFERRERS)
def transition_recorded(transition_id: str):
    status, transition = call("referral", "GET", f"/transitions/{transition_id}", what="read transition")
    if status != 200:
        abort(404)
    return render_template("council_done.html", title=gettext("Thank you for telling us"), transition=transition,
                           because=dict(forms.NOT_OFFERED_AGAIN).get(transition.get("not_offered_because")))


def to_offer_again() -> int:
    """How many children are waiting to be offered advocacy again, for the manager's home."""
    return len(every_item("referral", "/transitions", {"renewed_offer": "to_do"}))


@blueprint.route("/offers-again", methods=["GET"])
@signed_in(*MANAGERS)
def offers_again():
    return render_template("offers_again.html", kinds=dict(TRANSITION_KINDS),
                           transitions=every_item("referral", "/transitions", {"renewed_offer": "to_do"},
                                                  what="list transitions"))


@blueprint.route("/offers-again/<transition_id>", methods=["GET", "POST"])
@signed_in(*MANAGERS)
def offer_again_done(transition_id: str):
    status, transition = call("referral", "GET", f"/transitions/{transition_id}", what="read transition")
    if status != 200:
        abort(404)
    form, loose = form_for_its_page(f"offer-again:{transition_id}", RenewedOfferForm)
    if request.method == "POST" and form.validate_on_submit():
        body, errors = checked(RenewedOfferDoneSchema(), {"result": form.result.data})
        status, answer = call("referral", "POST", f"/transitions/{transition_id}/renewed-offer", body=body,
                              what="mark renewed offer done") if body is not None else (422, {"errors": errors})
        if status == 200:
            flash(gettext("The renewed offer is marked as done"))
            return redirect(url_for("web.offers_again"))
        loose = put_problem(form, answer, {"result": "result"})
    if request.method == "POST":
        return kept_for_its_page(f"offer-again:{transition_id}", form, loose)  # Back never posts it again
    return render_template("council_form.html", form=form, errors=error_summary(form, loose),
                           title=gettext("Mark the renewed offer as done"),
                           intro=dict(TRANSITION_KINDS).get(transition["kind"], transition["kind"]),
                           back=url_for("web.offers_again"))
