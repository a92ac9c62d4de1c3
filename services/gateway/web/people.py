"""Staff administration pages: an admin (and a manager, where the provider allows it) creates staff accounts, names
them, sets their role and languages, deactivates and reactivates them, makes password reset links and unlocks them;
the person a link was made for chooses their password with it.

The rules are the gateway's own (domain, handlers), as the command line uses them, and every change is audited there.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup


from services.gateway import domain, handlers
from services.gateway.domain import CredentialError
from services.gateway.web import blueprint, council_choices, council_name, forms, region_choices, region_name
from services.gateway.web.flow import form_for_its_page, kept_for_its_page
from services.gateway.web.pages import error_summary, gateway_store, signed_in

MANAGERS_SETTING = "llais.managers_administer_staff"
ACTIONS = ("deactivate", "reactivate", "unlock", "reset-link")

REFUSALS = {
    "email": ("email", _l("Enter an email address in the correct format, like name@example.com")),
    "exists": ("email", _l("Someone already has an account with this email address")),
    "looks_alike": ("email", _l("An account with an email address that looks like this one exists already: give "
                                "an address that cannot be mistaken for it")),
    "email_hidden": ("email", _l("The email address has an invisible character or a space in it: type it again")),
    "email_alphabets": ("email", _l("The email address mixes letters from different alphabets: write it in one")),
    "council_needed": ("council", _l("Choose the council a referrer works for")),
    "scope_needed": ("council", _l("Choose the council or the region whose reports a commissioner reads, "
                                   "not both")),
    "no_council": ("council", _l("Only referrers and commissioners work for a council: choose no council")),
    "no_region": ("region", _l("Only commissioners read a region's reports: choose no region")),
    "unknown_council": ("council", _l("Choose a council from the list")),
    "unknown_region": ("region", _l("Choose a region from the list")),
    "admin_only": ("role", _l("Only an administrator can create, change or promote an administrator")),
    "last_admin": (None, _l("This is the last active administrator: make someone else an administrator first")),
    "name": ("name", _l("Write the name on one line, without special characters")),
    "name_long": ("name", _l("The name must be 100 characters or fewer")),
    "deactivated": (None, _l("The account is deactivated: reactivate it first")),
    "busy": (None, _l("Someone else changed the account at the same moment: try again")),
    "password_short": ("password", _l("Your password must be between 12 and 200 characters")),
    "password_long": ("password", _l("Your password must be between 12 and 200 characters")),
}


def managers_may() -> bool:
    return bool(current_app.extensions.get(MANAGERS_SETTING))


@blueprint.app_template_global()
def runs_staff(user) -> bool:
    """Whether the signed-in `user` is offered the staff pages in the menu."""
    return user is not None and domain.may_administer(user.role, managers_may())


def administrators(view: Callable) -> Callable:
    """Pages for those who run staff accounts: admins, and managers where the provider allows it."""

    @signed_in(domain.ADMIN, "manager")
    @wraps(view)
    def guarded(*args, **kwargs):
        if not domain.may_administer(g.principal.role, managers_may()):
            abort(403)
        return view(*args, **kwargs)

    return guarded


def actor() -> handlers.Actor:
    return handlers.Actor(g.principal.id, g.principal.role, "web forms", managers_may())


def refused(form, exc: CredentialError) -> list[dict]:
    """The refusal on its field in the page's words; the errors belonging to no field."""
    field_name, text = REFUSALS.get(exc.code, (None, _l("The change could not be made")))
    field = getattr(form, field_name, None) if field_name else None
    if field is not None:
        field.errors = [*field.errors, str(text)]
        return []
    return [{"text": str(text)}]


def role_choices() -> list[tuple[str, object]]:
    """The roles the signed-in person may give: a manager never makes an admin."""
    return [(code, label) for code, label in forms.STAFF_ROLES
            if g.principal.role == domain.ADMIN or code != domain.ADMIN]


def prepared(form: forms.PersonForm) -> forms.PersonForm:
    form.role.choices = role_choices()
    form.council.choices = [("", gettext("No council")), *council_choices()]
    form.region.choices = [("", gettext("No region")), *region_choices()]
    return form


def tag(colour: str, text: str) -> Markup:
    return Markup('<strong class="govuk-tag govuk-tag--{}">{}</strong>').format(colour, text)


def rows_of(person: dict) -> list[dict]:
    """A staff account's details as the summary list rows the staff pages show."""
    roles, languages = dict(forms.STAFF_ROLES), dict(forms.STAFF_LANGUAGES)
    status = tag("grey", gettext("Deactivated")) if not person["active"] else \
        tag("blue", gettext("Invited: no password set yet")) if person["invited"] else tag("green", gettext("Active"))
    if person["locked"]:
        status += Markup(" ") + tag("red", gettext("Locked out"))
    scope = council_name(person["council"]) if person["council"] else \
        region_name(person["region"]) if person["region"] else gettext("None")
    spoken = ", ".join(str(languages[code]) for code in person["languages"] if code in languages)
    return [
        {"key": {"text": gettext("Email address")}, "value": {"text": person["email"]}},
        {"key": {"text": gettext("Role")}, "value": {"text": str(roles.get(person["role"], person["role"]))}},
        {"key": {"text": gettext("Council or region")}, "value": {"text": scope}},
        {"key": {"text": gettext("Languages")}, "value": {"text": spoken or gettext("None recorded")}},
        {"key": {"text": gettext("Account")}, "value": {"html": status}},
    ]


@blueprint.app_template_global()
def person_ref(email: str) -> str:
    """What a staff page's address names an account by: a digest of its email, so the address, the browser's
    history and the access log never carry the email. An address naming the email itself finds no one (404)."""
    return domain.digest(f"staff page:{email}")[:20]


def person_or_404(ref: str):
    """The account the address names (person_ref), if the signed-in person may run it (a manager never an
    admin's)."""
    user = next((user for user in gateway_store().users() if person_ref(user.id) == ref), None) \
        if len(ref) == 20 else None
    if user is None:
        abort(404)
    if g.principal.role != domain.ADMIN and user.body["role"] == domain.ADMIN:
        abort(403)
    return user


def no_store(response):
    """A page showing a reset link is kept by no cache."""
    response = make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


def link_page(email: str, secret: str, created: bool = False):
    link = url_for("web.reset_password", secret=secret, _external=True)
    return no_store(render_template("people_link.html", email=email, link=link, created=created))


@blueprint.get("/staff")
@administrators
def people():
    return render_template("people.html", people=handlers.staff(gateway_store()), admin=domain.ADMIN,
                           rows_of=rows_of)


@blueprint.route("/staff/new", methods=["GET", "POST"])
@administrators
def new_person():
    form, loose = form_for_its_page("new-person", forms.PersonForm, prepared)
    if request.method == "POST" and form.validate_on_submit():
        store = gateway_store()
        try:
            email = handlers.create_user(store, current_app.extensions["llais.councils"], form.email.data,
                                         form.role.data, form.council.data or None, None,
                                         region=form.region.data or None, name=form.name.data,
                                         languages=form.languages.data or (), by=actor())
            secret = handlers.issue_reset_link(store, email, by=actor())
        except CredentialError as exc:
            loose = refused(form, exc)
        else:
            return link_page(email, secret, created=True)
    if request.method == "POST":
        return kept_for_its_page("new-person", form, loose)  # shown again at its own address: Back never posts it
    return render_template("people_step.html", form=form, errors=error_summary(form, loose),
                           title=gettext("Add a person"), back=url_for("web.people"),
                           intro=gettext("You will get a link for them to choose their password. It works once, "
                                         "for 24 hours."))


@blueprint.route("/staff/<ref>", methods=["GET", "POST"])
@administrators
def person(ref: str):
    user = person_or_404(ref)
    body = user.body

    def ready(form: forms.PersonForm) -> None:
        prepared(form)
        del form.email

    form, loose = form_for_its_page(f"person:{ref}", forms.PersonForm, ready, data={
        "name": domain.display_name(body, user.id), "role": body["role"], "council": body.get("council") or "",
        "region": body.get("region") or "", "languages": body.get("languages") or []})
    refusal = request.args.get("refused")
    if refusal:
        loose = [{"text": str(REFUSALS.get(refusal, (None, _l("The change could not be made")))[1])}]
    if request.method == "POST" and form.validate_on_submit():
        try:
            handlers.update_user(gateway_store(), current_app.extensions["llais.councils"], user.id, by=actor(),
                                 name=form.name.data, role=form.role.data, council=form.council.data or None,
                                 region=form.region.data or None, languages=form.languages.data or ())
        except CredentialError as exc:
            loose = refused(form, exc)
        else:
            flash(gettext("%(name)s's account is saved", name=form.name.data.strip()))
            return redirect(url_for("web.people"))
    if request.method == "POST":
        return kept_for_its_page(f"person:{ref}", form, loose)  # shown again at its own address: Back never posts it
    return render_template("people_person.html", form=form, person=shown(user.id), rows_of=rows_of,
                           action_form=forms.StaffActionForm(), errors=error_summary(form, loose))


def shown(email: str) -> dict | None:
    """The account as the staff pages show it (handlers.staff)."""
    return next((p for p in handlers.staff(gateway_store()) if p["email"] == email), None)


@blueprint.get("/staff/<ref>/deactivate")
@administrators
def confirm_deactivation(ref: str):
    """Deactivating signs a person out at once and keeps them out: the button on their page asks first, here."""
    user = person_or_404(ref)
    if user.body.get("disabled"):
        return redirect(url_for("web.person", ref=ref))
    return render_template("people_deactivate.html", person=shown(user.id), action_form=forms.StaffActionForm())


@blueprint.post("/staff/<ref>/<action>")
@administrators
def person_action(ref: str, action: str):
    if action not in ACTIONS:
        abort(404)
    user = person_or_404(ref)
    if not forms.StaffActionForm().validate_on_submit():
        abort(400)
    store, name = gateway_store(), domain.display_name(user.body, user.id)
    try:
        if action == "reset-link":
            return link_page(user.id, handlers.issue_reset_link(store, user.id, by=actor()))
        if action == "unlock":
            handlers.unlock(store, user.id, by=actor())
            flash(gettext("%(name)s can sign in again now", name=name))
        else:
            handlers.set_active(store, user.id, action == "reactivate", by=actor())
            flash(gettext("%(name)s's account is reactivated", name=name) if action == "reactivate"
                  else gettext("%(name)s's account is deactivated: they cannot sign in", name=name))
    except CredentialError as exc:  # said on the person's page, which a change of language keeps
        return redirect(url_for("web.person", ref=ref, refused=exc.code if exc.code in REFUSALS else "other"))
    return redirect(url_for("web.people"))


# the person a reset link was made for

LINK_REFUSED = {
    "expired": (410, _l("This link has expired"),
                _l("A password link works for 24 hours. Ask an administrator for a new one.")),
    "used": (410, _l("This link has already been used"),
             _l("A password link works once, and a newer link replaces it. If you did not set your password with "
                "it, ask an administrator for a new one.")),
    "unknown": (404, _l("This link does not work"),
                _l("Check you copied the whole link. If it still does not work, ask an administrator for a new "
                   "one.")),
}


def link_refused(reason: str):
    status, title, message = LINK_REFUSED[reason]
    return no_store((render_template("error.html", title=str(title), message=str(message)), status))


@blueprint.route("/reset-password/<secret>", methods=["GET", "POST"])
def reset_password(secret: str):
    store = gateway_store()
    try:
        _, user = handlers.reset_link(store, secret)
    except handlers.ResetRefused as refusal:
        return link_refused(refusal.reason)
    form, loose = form_for_its_page("reset-password", forms.NewPasswordForm)
    if request.method == "POST" and form.validate_on_submit():
        try:
            handlers.reset_password(store, secret, form.password.data)
        except handlers.ResetRefused as refusal:
            return link_refused(refusal.reason)
        except CredentialError as exc:
            loose = refused(form, exc)
        else:
            return no_store(render_template("password_reset_done.html"))
    if request.method == "POST":
        return kept_for_its_page("reset-password", form, loose)  # what was wrong, never the password itself
    return no_store(render_template("people_step.html", form=form, errors=error_summary(form, loose),
                                    title=gettext("Choose your password"),
                                    intro=gettext("For the account %(email)s.", email=user.id)))

