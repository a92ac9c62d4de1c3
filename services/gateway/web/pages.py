"""What every page handler needs: who is signed in, calling the services as them, and putting answers on forms."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from flask import abort, current_app, flash, g, redirect, request, session, url_for
from flask_babel import format_date, format_datetime, gettext, ngettext
from marshmallow import ValidationError

from shared.clock import LONDON
from shared.contracts.referral import llais_reference
from shared.store import StoreError
from shared.web import MOST_ON_A_PAGE, flatten_errors

from services.gateway import access, domain, forwarding, handlers
from services.gateway.domain import Principal
from services.gateway.store import GatewayStore
from services.gateway.web import blueprint, council_name, service_messages
from services.gateway.web.forms import plain_errors

SIGNED_IN_AS = "signed_in_as"
SIGNED_IN_WITH = "signed_in_with"
"""The session's record of the password it signed in with (domain.password_mark), so a new password ends it."""
PUBLIC = Principal("public", "public web form")

blueprint.add_app_template_global(llais_reference)


def gateway_store() -> GatewayStore:
    return current_app.extensions["llais.gateway_store"]


def signed_in(*roles: str, refusal: str | None = None) -> Callable:
    """Pages for signed-in users with one of `roles`: others are sent to sign in, or refused (403), the refusal
    audited as `refusal` when it is given."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any):
            principal = current_user()
            if principal is None:
                return redirect(url_for("web.sign_in", next=request.full_path.rstrip("?")))
            if principal.role not in roles:
                if refusal:
                    access.audit(refusal, None, 403, f"web forms ({principal.role})")
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate


def current_user() -> Principal | None:
    """The signed-in user (also set as `g.principal`, so API helpers act and audit as them), or None."""
    email = session.get(SIGNED_IN_AS)
    principal = handlers.principal_of(gateway_store(), email, session.get(SIGNED_IN_WITH)) if email else None
    if principal is not None:
        g.principal = principal
    return principal


def as_public() -> None:
    g.principal = PUBLIC


def call(service_name: str, method: str, path: str, *, body: Any = None, params: dict | None = None,
         what: str | None = None, referral_id: str | None = None) -> tuple[int, Any]:
    """Call a service as the signed-in user (or the public form); audit it when `what` says what was done."""
    status, payload, _ = forwarding.forward(service_name, method, path, body=body, params=params)
    if what:
        access.audit(what, referral_id or (payload.get("id") if isinstance(payload, dict) and status < 300 else None),
                  status, f"web forms ({g.principal.role or g.principal.kind})")
    return status, payload


def every_item(service_name: str, path: str, params: dict | None = None, *, what: str | None = None) -> list:
    """Every item of a service's list, read a whole page at a time, for a page that shows them all; as far as the
    service answered (nothing when it refused)."""
    items: list = []
    following: dict = {}
    while True:
        status, listed = call(service_name, "GET", path, params={**(params or {}), "limit": MOST_ON_A_PAGE,
                                                                 **following}, what=what)
        if status != 200:
            return items
        items += listed["items"]
        if not listed.get("next"):
            return items
        following = {"cursor": listed["next"]}


def checked(schema, body: dict) -> tuple[dict | None, dict[str, list[str]]]:
    """`body` as the public API's schema accepts it, or the errors it names (field path to messages)."""
    try:
        return schema.dump(schema.load(body)), {}
    except ValidationError as exc:
        return None, flatten_errors(exc.messages)


def put_errors(form, errors: dict[str, list[str]], fields: dict[str, str], detail: str | None = None,
               said: bool = False) -> list[dict]:
    """Put a service's or schema's errors on the form's fields (`fields`: API field path to form field).

    Returns the errors that belong to no field, for the top of the error summary. A schema's message is said in the
    words of the field it lands on (service_messages.on_field) unless it is `said` already.
    """
    loose = []
    for path, messages in errors.items():
        name = fields.get(path) or fields.get(path.split(".")[0])
        field = getattr(form, name, None) if name else None
        text = (messages[0] if said else service_messages.on_field(messages[0], field)) if messages \
            else gettext("Check this answer")
        if field is not None:
            field.errors = [*field.errors, text]
        else:
            loose.append({"text": text})
    if detail and not loose and not errors:
        loose.append({"text": gettext(detail)})
    return loose


def put_problem(form, problem: dict, fields: dict[str, str], wordings=None) -> list[dict]:
    """Put a service's problem on the form as `put_errors` does, each message said from its code in the reader's
    language and words (web/service_messages; `wordings`: a page's own for some codes)."""
    return put_errors(form, service_messages.field_errors(problem, wordings), fields,
                      service_messages.said(problem, wordings), said=True)


def error_summary(form, loose: list[dict] | None = None) -> list[dict]:
    """The error summary's list: problems without a field first, then each field's first error, linked to it (every
    error in the page's words: forms.plain_errors)."""
    plain_errors(form)
    listed = list(loose or [])
    for field in form:
        if field.errors:
            anchor = f"{field.id}-day" if field.type == "DateField" else field.id
            listed.append({"text": field.errors[0], "href": f"#{anchor}"})
    return listed


@dataclass(frozen=True)
class Step:
    """One form that posts one command to the service that owns it."""

    name: str
    form: type
    schema: type
    service: str
    path: str
    what: str
    body: Callable[[Any], dict]
    fields: dict[str, str]
    """An API field path to the form field that shows its error."""
    done: Any
    title: Any


def submit_step(step: Step, form, path: str, subject_id: str) -> tuple[dict | None, list[dict]]:
    """Check the form's answers as the API would, post them, and say it was done: (the service's answer, no errors)
    on success, (None, the errors without a field) otherwise, with the rest put on their fields."""
    body, errors = checked(step.schema(), step.body(form))
    if body is None:
        return None, put_errors(form, errors, step.fields)
    status, answer = call(step.service, "POST", path, body=body, what=step.what, referral_id=subject_id)
    if status < 300:
        flash(str(step.done))
        return answer, []
    return None, put_problem(form, answer, step.fields)


def when(moment: str | None, pattern: str = "d MMMM yyyy, HH:mm") -> str:
    """A stored RFC 3339 time as people read it, in Europe/London, in the page's language.

    A time stored before the services kept to a sane window (year 9999 at an offset of -23:59 cannot be moved to
    London) is shown as stored rather than failing the page."""
    if not moment:
        return ""
    try:
        return format_datetime(datetime.fromisoformat(moment).astimezone(LONDON), pattern)
    except (TypeError, ValueError, OverflowError):
        return str(moment)


A_DAY_WITHOUT_A_TIME = time(9, 0)
"""The time the referral form stores with a first review or conference it asks only the date of (refer.py); a page
shows such a moment as its date alone rather than an invented "09:00"."""


def when_given(moment: str | None) -> str:
    """A stored time as `when` shows it, or only its date where it was given as a date (A_DAY_WITHOUT_A_TIME)."""
    try:
        local = datetime.fromisoformat(moment).astimezone(LONDON) if moment else None
    except (TypeError, ValueError, OverflowError):
        local = None
    if local is not None and local.time() == A_DAY_WITHOUT_A_TIME:
        return format_date(local.date(), "d MMMM yyyy")
    return when(moment)


blueprint.add_app_template_global(when_given)


def long_date(day: str | None) -> str:
    """A stored YYYY-MM-DD date as people read it, in the page's language (as stored, if it is not one)."""
    if not day:
        return ""
    try:
        return format_date(date.fromisoformat(day), "d MMMM yyyy")
    except (TypeError, ValueError):
        return str(day)


def staff_name(email: str | None) -> str:
    """A member of staff's display name, falling back to the email (or "" for none); each read once a request."""
    if not email:
        return ""
    names = g.setdefault("llais_staff_names", {})
    if email not in names:
        try:
            user = gateway_store().user(str(email))
        except StoreError:  # a name is a courtesy: a page never fails for want of one
            user = None
        names[email] = domain.display_name(user.body if user else None, str(email))
    return names[email]


def staff_label(email: str | None) -> str:
    """How a member of staff is shown on a page (advocate columns, who did what): in one place, so every page
    names people alike, by their display name."""
    return staff_name(email)


AUTOMATIC = ("referral", "scheduling", "casework", "complaints", "notify", "reporting", "gateway", "system",
             "active offer", "unknown")
"""Who a timeline names when the service itself did something, not a person."""


def actor_label(by: str | None) -> str:
    """Who a timeline entry names, in people's words and the page's language: Llais itself for what the services
    did on their own, the provider by its name, a council by its name, the child who referred themselves, a
    member of staff as `staff_label` shows them."""
    if not by:
        return ""
    if by in AUTOMATIC:
        return gettext("Llais (automatic)")
    if by == "child":
        return gettext("the child, referring themselves")
    if by == "provider":
        return current_app.config.get("PROVIDER_NAME") or by
    if "@" in by:
        return staff_label(by)
    if current_app.extensions["llais.councils"].get(by) is not None:
        return council_name(by)
    return by


def clock_state(clock: dict, moment: datetime | None = None) -> str:
    """A deadline's state as it is now: the clock job says a pending deadline is at risk, and an at-risk one missed,
    only when it next ticks, so a page drawn in between shows what those moments already make it."""
    state, moment = clock.get("state"), moment or datetime.now(LONDON)
    try:
        due = datetime.fromisoformat(clock["due_at"])
        at_risk = datetime.fromisoformat(clock.get("at_risk_at") or clock["due_at"])
    except (KeyError, TypeError, ValueError):
        return state or ""
    if state in ("pending", "at_risk") and due < moment:
        return "missed"
    if state == "pending" and at_risk <= moment:
        return "at_risk"
    return state or ""


def time_left(moment: str | None, now_: datetime | None = None) -> str:
    """How long until a time limit, in words in the page's language ("3 days left", "due today", "2 days late"),
    counting days as London's calendar does."""
    if not moment:
        return ""
    try:
        due = datetime.fromisoformat(moment).astimezone(LONDON)
    except (TypeError, ValueError, OverflowError):
        return str(moment)
    current = (now_ or datetime.now(LONDON)).astimezone(LONDON)
    days = (due.date() - current.date()).days
    if due < current:
        late = max(1, -days)
        return ngettext("%(num)d day late", "%(num)d days late", late)
    if days == 0:
        return gettext("due today")
    return ngettext("%(num)d day left", "%(num)d days left", days)


def london(day, time_text: str) -> str:
    """A date and a 24-hour time typed on a form, in Europe/London, as an RFC 3339 time."""
    hours, minutes = (int(part) for part in time_text.split(":"))
    return datetime(day.year, day.month, day.day, hours, minutes, tzinfo=LONDON).isoformat()


def made_at(day, time_text: str | None, moment: datetime | None = None) -> dict[str, str]:
    """When a step a person records was made, as the API takes it (`attempted_at`), from a date and a time typed on
    a form; nothing (the service records now) when none was typed, or the time typed is this minute or the last,
    which is the form's own "now": a form opened in the minute the referral came would otherwise date the step
    before it."""
    if not day or not (time_text or "").strip():
        return {}
    typed = datetime.fromisoformat(london(day, time_text))
    current = (moment or datetime.now(LONDON)).astimezone(LONDON).replace(second=0, microsecond=0)
    if timedelta(minutes=-1) <= typed - current <= timedelta(0):
        return {}
    return {"attempted_at": typed.isoformat()}

