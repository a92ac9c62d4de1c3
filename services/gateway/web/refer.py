"""Referring a child through the web: `/refer` for a council's social worker, `/self-referral` for a young person.

Both are one question per page, then "check your answers" (flow.py): here are their questions, how the answers
make the API's referral, and their pages. The referral service checks the referral against the same rules as the
API's.
"""

from __future__ import annotations

import time
from datetime import date
from typing import Any

from flask import abort, g, redirect, render_template, session, url_for
from flask_babel import gettext, lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.validators import Regexp

from govuk_frontend_wtf.wtforms_widgets import GovSelect

from shared.contracts import referral
from shared.contracts.referral import (ARRANGEMENTS, CARE_LEAVER_AGE_LIMIT, CHILD_AGE_LIMIT, CONSENT_FLAGS,
                                      OUTCOME)
from shared.web import Problem

from services.gateway.schemas import ReferralRequestSchema
from services.gateway.web import blueprint, council_choices, forms, service_messages
from services.gateway.web.flow import Flow, Page, check_view, here, page_view
from services.gateway.web.forms import (BASES, ELIGIBILITY, EMAIL, KEPT_FOR_YOU, MIN_SECONDS_TO_FILL,
                                       ORGANISATION_TYPES, PHONE, THEIR_PHONE, YES_NO, YOUR_EMAIL, YOUR_PHONE,
                                       InThePast, NotBeforeToday, choice, day, labelled, languages, long_text,
                                       submit, text, yes_or_no)
from services.gateway.web.pages import as_public, call, current_user, london

NOT_SENT = "The referral could not be sent."
"""What the check page says when the referral service refuses a referral without saying why."""


# the questions

CHILD_PHONE = Regexp(PHONE.regex, message=_l("Enter the child's phone number, like 01632 960 001 or 07700 900 982"))
CHILD_EMAIL = Regexp(EMAIL.regex, message=_l("Enter the child's email address in the correct format, like "
                                             "name@example.com"))
CARER_PHONE = Regexp(PHONE.regex, message=_l("Enter the carer's phone number, like 01632 960 001 or 07700 900 982"))
REFERRER_PHONE = Regexp(PHONE.regex, message=_l("Enter your phone number, like 01632 960 001 or 07700 900 982"))
"""The contact answers checked as anyone's, each refused in words that name whose number or address it is."""


class ChildForm(FlaskForm):
    given_name = text(_l("Child's first name"), _l("Enter the child's first name"))
    family_name = text(_l("Child's last name"), _l("Enter the child's last name"))
    date_of_birth = day(_l("Child's date of birth"), _l("Enter the child's date of birth"),
                        hint=_l("For example, 2 5 2013"),
                        invalid=_l("The child's date of birth must be a real date, like 2 5 2013"),
                        checks=[InThePast(_l("The child's date of birth must be in the past"))])
    preferred_language = languages(_l("Which language does the child prefer?"), _l("Choose the child's language"))
    interpreter_needed = choice(_l("Does the child need an interpreter?"), YES_NO,
                                _l("Say whether the child needs an interpreter"))
    communication_needs = long_text(_l("Communication needs (optional)"),
                                    hint=_l("For example, British Sign Language, or visual aids"))
    submit = submit(_l("Continue"))


class ContactForm(FlaskForm):
    phone = text(_l("Child's phone number (optional)"), optional=True, max_length=30, validators=[CHILD_PHONE])
    email = text(_l("Child's email address (optional)"), optional=True, max_length=200, validators=[CHILD_EMAIL])
    address = long_text(_l("Child's address (optional)"), max_length=500)
    carer_name = text(_l("Carer's name (optional)"), optional=True)
    carer_phone = text(_l("Carer's phone number (optional)"), optional=True, max_length=30,
                       validators=[CARER_PHONE])
    submit = submit(_l("Continue"))


KINDS = labelled(referral.KINDS, {"active_offer": _l("The Active Offer: a first meeting with an advocate"),
                                  "issue_based": _l("Issue-based advocacy: help with something now")})
ENTITLEMENTS = BASES + [(code, label) for code, label in ELIGIBILITY
                        if code not in referral.ACTIVE_OFFER_BASES and code != referral.TO_BE_CONFIRMED]
"""Why a professional says the child is entitled: an Active Offer's bases first, then every other eligibility but
`to_be_confirmed` (a professional knows which applies)."""


class AboutReferralForm(FlaskForm):
    kind = choice(_l("What is the referral for?"), KINDS, _l("Choose what the referral is for"))
    basis = choice(_l("Why is the child entitled to an advocate?"), ENTITLEMENTS,
                   _l("Choose why the child is entitled"),
                   hint=_l("For the Active Offer, one of the first three"))
    statutory_meeting_day = day(_l("Date of the first review or initial conference (optional)"), None,
                                hint=_l("The Active Offer meeting must happen before it"), optional=True,
                                invalid=_l("The date of the first review or initial conference must be a real "
                                           "date, like 27 3 2027"),
                                checks=[NotBeforeToday(_l("The date of the first review or initial conference must "
                                                          "be today or in the future"))])
    external_ref = text(_l("Your reference for the child (optional)"), optional=True,
                        hint=_l("The child's number in your case system"))
    placed_out_of_county = choice(_l("Is the child placed out of county? (optional)"), YES_NO, optional=True,
                                  hint=_l("Placed outside your council's area. Leave it unanswered if you do not "
                                          "know."), invalid=_l("Say whether the child is placed out of county"))
    unaccompanied_asylum_seeking = choice(_l("Is the child an unaccompanied asylum-seeking child? (optional)"),
                                          YES_NO, optional=True, invalid=_l(
                                              "Say whether the child is an unaccompanied asylum-seeking child"))
    summary = long_text(_l("What would the child like help with? (optional)"))
    risks = long_text(_l("Risks to a visiting advocate (optional)"))
    submit = submit(_l("Continue"))


EQUALITY_HINT = _l("Only if the child chose to tell you. Leave a question unanswered if it was not asked.")


class EqualityForm(FlaskForm):
    gender = choice(_l("How does the child describe their gender? (optional)"), forms.EQUALITY["gender"],
                    optional=True, hint=EQUALITY_HINT)
    ethnic_group = choice(_l("What is the child's ethnic group? (optional)"), forms.EQUALITY["ethnic_group"],
                          optional=True)
    disability = choice(_l("Does the child consider themselves disabled? (optional)"),
                        forms.EQUALITY["disability"], optional=True)
    submit = submit(_l("Continue"))


class ConsentForm(FlaskForm):
    child_informed = choice(_l("Has the child been told about this referral?"), YES_NO,
                            _l("Say whether the child has been told"))
    child_agrees = choice(_l("Does the child agree to it?"), YES_NO, _l("Say whether the child agrees"))
    share_arrangements_with_referrer = choice(
        _l("May the advocate tell you when and where they meet the child?"), YES_NO,
        _l("Say whether the child agrees to share the arrangements"))
    share_outcome_with_referrer = choice(_l("May the advocate tell you the outcome of the meeting?"), YES_NO,
                                         _l("Say whether the child agrees to share the outcome"))
    submit = submit(_l("Continue"))


class ReferrerForm(FlaskForm):
    name = text(_l("Your name"), _l("Enter your name"))
    phone = text(_l("Your phone number (optional)"), optional=True, max_length=30, validators=[REFERRER_PHONE])
    team = text(_l("Your team (optional)"), optional=True, max_length=200)
    organisation_type = choice(_l("What kind of organisation do you work for? (optional)"), ORGANISATION_TYPES,
                               optional=True, invalid=_l("Choose the kind of organisation you work for"))
    preferred_language = languages(_l("Which language should we write to you in?"),
                                   _l("Choose the language we write to you in"))
    submit = submit(_l("Continue"))


class AboutYouForm(FlaskForm):
    given_name = text(_l("Your first name"), _l("Tell us your first name"))
    family_name = text(_l("Your last name"), _l("Tell us your last name"))
    date_of_birth = day(_l("Your date of birth"), _l("Tell us your date of birth"),
                        hint=_l("For example, 2 5 2011"),
                        invalid=_l("Your date of birth must be a real date, like 2 5 2011"),
                        checks=[InThePast(_l("Your date of birth must be in the past"))])
    preferred_language = languages(_l("Which language would you like to use?"),
                                   _l("Choose the language you would like to use"))
    submit = submit(_l("Continue"))


SITUATIONS = labelled(referral.ELIGIBILITY, {
    "looked_after": _l("I am in care"), "care_leaver": _l("I have left care"),
    "child_protection": _l("Social workers are worried about my safety"),
    "care_and_support": _l("I get care and support from social services"),
    "young_carer": _l("I look after someone in my family"), "to_be_confirmed": _l("I'm not sure")}, every=False)
"""The eligibilities a young person may recognise as theirs, in their words, or not being sure."""


YOURS = forms.equality_answers(_l("I'd rather not say"))


class AboutYouMoreForm(FlaskForm):
    gender = choice(_l("How do you describe your gender? (optional)"), YOURS["gender"], optional=True,
                    hint=_l("These questions help us check we are fair to everyone. You do not have to answer."))
    ethnic_group = choice(_l("What is your ethnic group? (optional)"), YOURS["ethnic_group"], optional=True)
    disability = choice(_l("Do you consider yourself disabled? (optional)"), YOURS["disability"], optional=True)
    submit = submit(_l("Continue"))


class WhereYouLiveForm(FlaskForm):
    council = SelectField(_l("Which council area do you live in?"), [forms.chosen(_l("Choose your council area"))],
                          choices=[], widget=GovSelect(), invalid_choice_message=_l("Choose your council area"),
                          description=_l("If you live in care, choose the council that looks after you"))
    situation = choice(_l("Which of these is true for you?"), SITUATIONS, _l("Choose the one that fits best"))
    submit = submit(_l("Continue"))


class ReachYouForm(FlaskForm):
    phone = text(_l("Your mobile or phone number (optional)"), optional=True, max_length=30,
                 validators=[YOUR_PHONE])
    email = text(_l("Your email (optional)"), optional=True, max_length=200, validators=[YOUR_EMAIL])
    carer_name = text(_l("Name of an adult you trust (optional)"), optional=True,
                      hint=_l("A carer, a teacher or a family member who can pass on a message"))
    carer_phone = text(_l("Their phone number (optional)"), optional=True, max_length=30, validators=[THEIR_PHONE])
    submit = submit(_l("Continue"))


class YourSayForm(FlaskForm):
    summary = long_text(_l("What would you like help with? (optional)"),
                        hint=_l("You can tell the advocate more when you meet"))
    communication_needs = long_text(_l("Is there anything that would help you talk to us? (optional)"),
                                    hint=_l("For example, an interpreter, sign language or someone with you"))
    share = choice(_l("Can we tell your social worker that you asked for an advocate?"), YES_NO,
                   _l("Say yes or no to telling your social worker"),
                   hint=_l("We will not tell them what you talk about"))
    submit = submit(_l("Continue"))


# the answers as the API's referral

def _yes(value: str | None) -> bool:
    return value == "yes"


def _contact(answers: dict, *names: str) -> dict:
    return {name: answers[name].strip() for name in names if (answers.get(name) or "").strip()}


def _equality(answers: dict) -> dict:
    """The equality monitoring answered, as `child.equality`; nothing for a question left unanswered."""
    given = {question: answers[question] for question in referral.EQUALITY if answers.get(question)}
    return {"equality": given} if given else {}


def _professional_referral(answers: dict) -> dict:
    child, contact, about = answers["child"], answers["contact"], answers["about"]
    consent, you = answers["consent"], answers["you"]
    body = {
        "kind": about["kind"], "basis": about["basis"],
        "child": {"given_name": child["given_name"], "family_name": child["family_name"],
                  "date_of_birth": child["date_of_birth"], "preferred_language": child["preferred_language"],
                  "interpreter_needed": _yes(child["interpreter_needed"]),
                  "communication_needs": child.get("communication_needs") or "",
                  "contact": _contact(contact, "phone", "email", "address", "carer_name", "carer_phone"),
                  **_equality(answers.get("equality", {}))},
        "referrer": {"name": you["name"], "role": "social_worker", "email": g.principal.id,
                     "preferred_language": you["preferred_language"],
                     **_contact(you, "phone", "team"),
                     **({"organisation_type": you["organisation_type"]} if you.get("organisation_type") else {})},
        "consent": {flag: _yes(consent[flag]) for flag in CONSENT_FLAGS},
        "risks": about.get("risks") or "", "summary": about.get("summary") or "",
    }
    if about.get("external_ref"):
        body["external_ref"] = about["external_ref"].strip()
    for circumstance in ("placed_out_of_county", "unaccompanied_asylum_seeking"):
        if yes_or_no(about.get(circumstance)) is not None:
            body[circumstance] = yes_or_no(about[circumstance])
    if about.get("statutory_meeting_day"):
        body["statutory_meeting_at"] = london(date.fromisoformat(about["statutory_meeting_day"]), "09:00")
    return body


def _self_referral(answers: dict) -> dict:
    you, where, reach, say = answers["about-you"], answers["where-you-live"], answers["contact"], answers["your-say"]
    contact = _contact(reach, "phone", "email", "carer_name", "carer_phone")
    shared = _yes(say["share"])
    return {
        "kind": "issue_based", "basis": where["situation"],
        "child": {"given_name": you["given_name"], "family_name": you["family_name"],
                  "date_of_birth": you["date_of_birth"], "preferred_language": you["preferred_language"],
                  "interpreter_needed": False, "communication_needs": say.get("communication_needs") or "",
                  "contact": contact, **_equality(answers.get("more-about-you", {}))},
        "referrer": {"name": f"{you['given_name']} {you['family_name']}", "role": "self",
                     "preferred_language": you["preferred_language"],
                     **({"email": contact["email"]} if "email" in contact else {}),
                     **({"phone": contact["phone"]} if "phone" in contact else {})},
        "consent": {"child_informed": True, "child_agrees": True, ARRANGEMENTS: shared, OUTCOME: shared},
        "summary": say.get("summary") or "",
    }


# each page's own rules across its fields, as the referral service has them (services/referral/domain.py)

def _some_way_to_reach(*ways: str, message) -> Any:
    """The contact page's rule: at least one of `ways` given, else `message` on the first of them."""
    def rule(form: FlaskForm) -> dict[str, Any]:
        given = any((getattr(form, way).data or "").strip() for way in ways)
        return {} if given else {ways[0]: message}
    return rule



def _age(born: date | None) -> int | None:
    today = date.today()
    return None if born is None else today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _child_age(form: FlaskForm) -> dict[str, Any]:
    """The child page's rule: no one of 25 or over is referred (a care leaver may be up to 24)."""
    age = _age(form.date_of_birth.data)
    if age is not None and age >= CARE_LEAVER_AGE_LIMIT:
        return {"date_of_birth": service_messages.WORDINGS["referral.too_old_unless_care_leaver"](
            limit=CHILD_AGE_LIMIT, care_leaver_limit=CARE_LEAVER_AGE_LIMIT)}
    return {}


def _told_before_agreeing(form: FlaskForm) -> dict[str, Any]:
    """The consent page's rule: a child not told of the referral cannot have agreed to it."""
    if form.child_informed.data == "no" and form.child_agrees.data == "yes":
        return {"child_agrees": _l("A child who has not been told about the referral cannot have agreed to it: "
                                   "tell the child first, or answer No")}
    return {}


def _active_offer_basis(form: FlaskForm) -> dict[str, Any]:
    """The about page's rules: an Active Offer's basis is one of its three, and a child of 18 or over (as the first
    page said) is referred only as a care leaver."""
    if form.kind.data == "active_offer" and form.basis.data not in referral.ACTIVE_OFFER_BASES:
        return {"basis": service_messages.WORDINGS["referral.active_offer_basis"]}
    born = REFER.answers().get("child", {}).get("date_of_birth")
    age = _age(date.fromisoformat(born)) if born else None
    if age is not None and age >= CHILD_AGE_LIMIT and form.basis.data != "care_leaver":
        return {"basis": service_messages.WORDINGS["referral.too_old_unless_care_leaver"](
            limit=CHILD_AGE_LIMIT, care_leaver_limit=CARE_LEAVER_AGE_LIMIT)}
    return {}


YOUNG_PERSON = {
    "referral.no_way_to_contact": _l("Give us at least one way to reach you: your phone number, your email "
                                     "address, or the phone number of an adult you trust."),
    "referral.born_in_the_future": _l("Your date of birth must be in the past."),
    "referral.too_old": lambda limit, **_: gettext("You need to be under %(limit)s to ask for an advocate here.",
                                                   limit=limit),
    "referral.too_old_unless_care_leaver": lambda limit, care_leaver_limit, **_: gettext(
        "You need to be under %(limit)s to ask for an advocate here, or under %(care_leaver_limit)s if you have "
        "left care.", limit=limit, care_leaver_limit=care_leaver_limit),
    "referral.eligibility": _l("Choose the one that fits you best."),
    "referral.unknown_council": _l("Choose your council area from the list."),
}
"""The referral service's rules as the young person's own form says them: to them, about the answers they gave."""


# the flows

CHILD_FIELDS = {f"child.{name}": ("child", name) for name in (
    "given_name", "family_name", "date_of_birth", "preferred_language", "interpreter_needed",
    "communication_needs")}
REFER = Flow("refer", [
    Page("child", ChildForm, _l("About the child"), rules=_child_age),
    Page("contact", ContactForm, _l("How can the advocate contact the child?"),
         hint=_l("Give at least one of these: a phone number, an email address, an address or the carer's phone "
                 "number."),
         rules=_some_way_to_reach("phone", "email", "address", "carer_phone",
                                  message=service_messages.WORDINGS["referral.no_way_to_contact"])),
    Page("about", AboutReferralForm, _l("About the referral"), rules=_active_offer_basis),
    Page("equality", EqualityForm, _l("Equality monitoring")),
    Page("consent", ConsentForm, _l("The child's agreement"), rules=_told_before_agreeing),
    Page("you", ReferrerForm, _l("About you")),
], _professional_referral, {
    **CHILD_FIELDS, **{f"child.contact.{name}": ("contact", name) for name in (
        "phone", "email", "address", "carer_name", "carer_phone")},
    "child.contact": ("contact", "phone"), "kind": ("about", "kind"), "basis": ("about", "basis"),
    "statutory_meeting_at": ("about", "statutory_meeting_day"), "external_ref": ("about", "external_ref"),
    "risks": ("about", "risks"), "summary": ("about", "summary"),
    "placed_out_of_county": ("about", "placed_out_of_county"),
    "unaccompanied_asylum_seeking": ("about", "unaccompanied_asylum_seeking"),
    **{f"consent.{flag}": ("consent", flag) for flag in CONSENT_FLAGS},
    "referrer.name": ("you", "name"), "referrer.phone": ("you", "phone"), "referrer.team": ("you", "team"),
    "referrer.organisation_type": ("you", "organisation_type"),
    **{f"child.equality.{question}": ("equality", question) for question in referral.EQUALITY},
}, ReferralRequestSchema, NOT_SENT)


def _prepare(form: FlaskForm) -> None:
    """The councils to choose from, by name in the page's language."""
    if isinstance(form, WhereYouLiveForm):
        form.council.choices = [("", gettext("Choose your council area")), *council_choices()]


SELF = Flow("self", [
    Page("about-you", AboutYouForm, _l("About you")),
    Page("where-you-live", WhereYouLiveForm, _l("Where you live")),
    Page("contact", ReachYouForm, _l("How can we get in touch?"),
         hint=_l("Give us at least one of these, so an advocate can reach you."),
         rules=_some_way_to_reach("phone", "email", "carer_phone",
                                  message=YOUNG_PERSON["referral.no_way_to_contact"])),
    Page("your-say", YourSayForm, _l("What you would like")),
    Page("more-about-you", AboutYouMoreForm, _l("A little more about you")),
], _self_referral, {
    "child.given_name": ("about-you", "given_name"), "child.family_name": ("about-you", "family_name"),
    "child.date_of_birth": ("about-you", "date_of_birth"),
    "child.preferred_language": ("about-you", "preferred_language"),
    "child.contact": ("contact", "phone"), "child.contact.phone": ("contact", "phone"),
    "child.contact.email": ("contact", "email"), "child.contact.carer_name": ("contact", "carer_name"),
    "child.contact.carer_phone": ("contact", "carer_phone"), "council": ("where-you-live", "council"),
    "basis": ("where-you-live", "situation"), "summary": ("your-say", "summary"),
    "child.communication_needs": ("your-say", "communication_needs"),
    **{f"child.equality.{question}": ("more-about-you", question) for question in referral.EQUALITY},
}, ReferralRequestSchema, NOT_SENT, prepare=_prepare, honeypot=True, wordings=YOUNG_PERSON,
    start="web.self_start", too_soon=lambda: KEPT_FOR_YOU if time.time() - session.get("flow.self.started", 0) < MIN_SECONDS_TO_FILL else None)


# /refer: social workers whose council has no integration


@blueprint.get("/refer")
def refer_start():
    if _referrer() is None:
        return redirect(url_for("web.sign_in", next="/refer"))
    return redirect(url_for("web.refer_page", slug=REFER.pages[0].slug))


def _referrer():
    user = current_user()
    if user is not None and user.role != "referrer":
        abort(403)
    return user


@blueprint.route("/refer/<slug>", methods=["GET", "POST"])
def refer_page(slug: str):
    if _referrer() is None:
        return redirect(url_for("web.sign_in", next=f"/refer/{slug}"))
    shown = page_view(REFER, slug, "flow_page.html")
    answered = getattr(shown, "status_code", 200) == 302 and shown.location != here()  # not sent back with errors
    if slug == "consent" and answered and opted_out(REFER.answers()):
        return redirect(url_for("web.opt_out_new", **{"from": "refer"}))
    return shown


def opted_out(answers: dict) -> bool:
    """Whether the answers so far are an Active Offer the child does not agree to (or was not told of): an opt-out,
    which has its own page, not a referral."""
    consent = answers.get("consent", {})
    return answers.get("about", {}).get("kind") == "active_offer" and "no" in (consent.get("child_informed"),
                                                                               consent.get("child_agrees"))


@blueprint.route("/refer/check", methods=["GET", "POST"])
def refer_check():
    if _referrer() is None:
        return redirect(url_for("web.sign_in", next="/refer/check"))
    return check_view(REFER, "flow_check.html", lambda body: call(
        "referral", "POST", "/referrals", body={**body, "council": g.principal.council}, what="create referral"))


@blueprint.get("/refer/sent")
def refer_sent():
    if _referrer() is None:
        return redirect(url_for("web.sign_in"))
    referral_id = session.get("flow.refer.sent")
    return render_template("refer_sent.html", referral_id=referral_id, external_ref=_own_reference(referral_id))


def _own_reference(referral_id: str | None) -> str | None:
    """The council's own reference of the referral just sent, to show beside ours; None where it gave none, or the
    service cannot say now (the referral is sent all the same: the page must not fail for want of it)."""
    if not referral_id:
        return None
    try:
        status, sent = call("referral", "GET", f"/referrals/{referral_id}")
    except Problem:
        return None
    return sent.get("external_ref") if status == 200 else None


# /self-referral: a young person refers themselves


@blueprint.get("/self-referral")
def self_start():
    session["flow.self.started"] = time.time()
    return render_template("self_start.html")


@blueprint.route("/self-referral/<slug>", methods=["GET", "POST"])
def self_page(slug: str):
    if "flow.self.started" not in session:
        return redirect(url_for("web.self_start"))
    return page_view(SELF, slug, "flow_page.html")


@blueprint.route("/self-referral/check", methods=["GET", "POST"])
def self_check():
    if "flow.self.started" not in session:
        return redirect(url_for("web.self_start"))

    def send(body: dict) -> tuple[int, Any]:
        as_public()
        council = SELF.answers()["where-you-live"]["council"]
        return call("referral", "POST", "/referrals", body={**body, "council": council}, what="self-referral")

    return check_view(SELF, "flow_check.html", send)


@blueprint.get("/self-referral/sent")
def self_sent():
    return render_template("self_sent.html", referral_id=session.get("flow.self.sent"))

