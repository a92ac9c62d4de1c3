"""The council API keys page: managers and admins see each council's keys (never a secret) with when each was created
and last used and when it stops, rotate a key (the new one shown once, the old one working through the overlap) and
revoke one (after a confirm page). Anyone else is refused, and the refusal audited.

The rules are the gateway's own (domain, handlers), as `llais admin rotate-api-key` and `revoke` use them, and every
rotation and revocation is audited there.
"""

from __future__ import annotations

import re
from functools import wraps
from typing import Callable

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext as _l
from markupsafe import Markup

from services.gateway import access, domain, handlers
from services.gateway.domain import CredentialError
from services.gateway.web import blueprint, council_name, forms
from services.gateway.web.flow import form_for_its_page, kept_for_its_page
from services.gateway.web.pages import current_user, error_summary, gateway_store, when
from services.gateway.web.people import actor, no_store, tag

KEY_ID = re.compile(r"^[0-9a-f]{16}$")

REFUSALS = {
    "key_stopped": _l("This key no longer works, so it cannot be rotated: the council needs a new key"),
    "key_rotated": _l("This key has been rotated already: rotate its new key instead"),
    "busy": _l("Someone else changed the key at the same moment: try again"),
}


@blueprint.app_template_global()
def runs_keys(user) -> bool:
    """Whether the signed-in `user` is offered the API keys page in the menu."""
    return user is not None and user.role in domain.KEY_MANAGERS


def key_managers(view: Callable) -> Callable:
    """Pages for managers and admins; anyone else signed in is refused (403) and the refusal audited."""

    @wraps(view)
    def guarded(*args, **kwargs):
        principal = current_user()
        if principal is None:
            return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))
        if principal.role not in domain.KEY_MANAGERS:
            access.audit("open council API keys", None, 403, f"web forms ({principal.role})")
            abort(403)
        return view(*args, **kwargs)

    return guarded


def stands(key: dict) -> Markup:
    """Whether the key works, in the page's words."""
    if key["state"] == "revoked":
        return tag("red", gettext("Revoked %(when)s", when=when(key["revoked_at"])))
    if key["state"] == "expired":
        return tag("grey", gettext("Stopped %(when)s", when=when(key["expires_at"])))
    if key["state"] == "expiring":
        return tag("yellow", gettext("Rotated: works until %(when)s", when=when(key["expires_at"])))
    return tag("green", gettext("Works"))


def rows_of(key: dict) -> list[dict]:
    """A key's details as the summary list rows the page shows: never its secret, which is not kept."""
    return [
        {"key": {"text": gettext("Council")}, "value": {"text": council_name(key["council"])}},
        {"key": {"text": gettext("Key id")}, "value": {"html": Markup("<code>{}</code>").format(key["id"])}},
        {"key": {"text": gettext("Created")}, "value": {"text": when(key["created_at"])}},
        {"key": {"text": gettext("Last used")}, "value": {"text": when(key["last_used_at"]) or gettext("Never")}},
        {"key": {"text": gettext("Key")}, "value": {"html": stands(key)}},
    ]


def key_or_404(key_id: str) -> dict:
    key = next((key for key in handlers.api_keys(gateway_store()) if key["id"] == key_id), None) \
        if KEY_ID.fullmatch(key_id) else None
    if key is None:
        abort(404)
    return key


@blueprint.get("/api-keys")
@key_managers
def api_keys():
    return render_template("api_keys.html", keys=handlers.api_keys(gateway_store()), rows_of=rows_of,
                           works=domain.WORKING_KEYS)


@blueprint.route("/api-keys/<key_id>/rotate", methods=["GET", "POST"])
@key_managers
def rotate_api_key(key_id: str):
    """Asks how long the old key keeps working; posted, makes the new key and shows it, once."""
    key = key_or_404(key_id)
    form, loose = form_for_its_page(f"rotate-key:{key_id}", forms.RotateKeyForm,
                                    **({} if request.method == "POST" else {"data": {"overlap": "24"}}))
    if request.method == "POST" and form.validate_on_submit():
        try:
            new_key, ends = handlers.rotate_api_key(gateway_store(), key_id, int(form.overlap.data), by=actor())
        except CredentialError as exc:
            loose = [{"text": str(REFUSALS.get(exc.code, _l("The key could not be rotated")))}]
        else:
            return no_store(render_template("api_key_new.html", key=key, new_key=new_key, ends=ends))
    if request.method == "POST":
        return kept_for_its_page(f"rotate-key:{key_id}", form, loose)  # shown again at its own address
    if not loose and (key["state"] not in domain.WORKING_KEYS or key["replaced_by"]):  # nothing left to ask
        return redirect(url_for("web.api_keys"))
    return render_template("case_step.html", form=form, errors=error_summary(form, loose),
                           back=url_for("web.api_keys"), caption=council_name(key["council"]),
                           title=gettext("Rotate the key %(name)s", name=key["name"]))


@blueprint.route("/api-keys/<key_id>/revoke", methods=["GET", "POST"])
@key_managers
def revoke_api_key(key_id: str):
    """Revoking stops the council's system at once: the button on the list asks first, here."""
    key = key_or_404(key_id)
    form = forms.StaffActionForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            abort(400)
        handlers.revoke_api_key(gateway_store(), key_id, by=actor())
        flash(gettext("The key %(id)s is revoked: it no longer works", id=key_id))
        return redirect(url_for("web.api_keys"))
    if key["state"] == "revoked":
        return redirect(url_for("web.api_keys"))
    return render_template("api_key_revoke.html", key=key, action_form=form)
