"""One question per page, then "check your answers": GOV.UK's pattern for a long form, apart from any one form.

A `Flow` is its pages in order, how its answers make the body of one API request, which page and field ask for
each field of that body, and the schema the public API checks it with. Answers wait in the server-side session, page
by page, until the body is sent. Each page checks its own answers before moving on: its form's checks, the schema's
rules for the fields it asks for, and the page's own rules across them (at least one way to reach the child, on the
page that asks for them), so the reader puts an answer right where they gave it. The check page checks everything
again; an error of the schema or of the service is listed there and shown again on the page that asked. The
pages of a flow named `name` are served by the blueprint's endpoints `name_page` (one question page, by its slug),
`name_check` (the answers, and sending them) and `name_sent`.

A page posted with errors is not answered with the errors' page itself but redirected to its own address (redirect
after POST), which shows the answers as typed and every error, once: the browser's Back and Refresh then read a page
and never send a form again. Every question page links Back to the page before it (the first, to where the journey
started; a page changed from the check page, to the check page).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable, Mapping

from flask import abort, redirect, render_template, request, session, url_for
from werkzeug.datastructures import MultiDict
from flask_babel import format_date, gettext
from flask_wtf import FlaskForm
from marshmallow import Schema
from wtforms import RadioField, SelectField

from services.gateway.web import service_messages
from services.gateway.web.forms import Honeypot
from services.gateway.web.pages import checked, error_summary

NOT_ANSWERS = ("CSRFTokenField", "SubmitField")
"""The fields of a page that are no answer: its CSRF token and its button."""


@dataclass(frozen=True)
class Page:
    """One question page: where it is (its slug), the form that asks, and its heading; `hint` says what the page
    as a whole needs (at least one of its optional answers...), `rules` checks its answers across its fields (field
    name to message, in the page's words)."""

    slug: str
    form: type
    title: Any
    hint: Any = None
    rules: Callable[[FlaskForm], dict[str, Any]] | None = None


@dataclass
class Flow:
    """A long form as its question pages, and how their answers become one request to the API."""

    name: str
    """Names the session's answers and the blueprint's endpoints of the flow."""
    pages: list[Page]
    request: Callable[[dict], dict]
    """The API request's body from the answers (page slug to field name to answer, as kept)."""
    fields: dict[str, tuple[str, str]]
    """An API field path to the page and the field where its error is shown."""
    schema: type[Schema]
    """The public API's schema of the request, which the body must pass before it is sent."""
    not_sent: str
    """What to say when the service refuses the body without saying why (translated when the catalogue knows it)."""
    prepare: Callable[[FlaskForm], None] | None = None
    """Readies a page's form before it is shown or read, e.g. fills choices that come from the services."""
    honeypot: bool = False
    """Whether the pages carry a field only bots fill in: for a flow anyone may use without signing in."""
    wordings: Mapping[str, Any] | None = None
    """The flow's own wordings of the services' codes (service_messages), e.g. a young person's own form's."""
    too_soon: Callable[[], Any] | None = None
    """When the answers come faster than a person reads the pages, what to say (else None): they are then not sent
    but kept, and the check page says it, asking for them to be sent again."""
    start: str = "web.home"
    """The endpoint the journey started from, where the first page's Back link goes."""

    def page(self, slug: str) -> Page:
        for page in self.pages:
            if page.slug == slug:
                return page
        abort(404)

    def answers(self) -> dict[str, dict]:
        return session.get(f"flow.{self.name}", {})

    def keep(self, slug: str, form: FlaskForm) -> None:
        session[f"flow.{self.name}"] = {**self.answers(), slug: answers_of(form)}
        problems = session.get(f"flow.{self.name}.problems") or {}
        if slug in problems:
            session[f"flow.{self.name}.problems"] = {k: v for k, v in problems.items() if k != slug}
        session.pop(f"flow.{self.name}.posted", None)
        session.pop(f"flow.{self.name}.refused", None)

    def forget(self) -> None:
        for kept in ("", ".problems", ".posted", ".refused"):  # the answers, and the errors kept for pages
            session.pop(f"flow.{self.name}{kept}", None)

    def back(self, page: Page) -> str:
        """Where the page's Back link goes: the check page for a page changed from it, else the page before, or
        where the journey started for the first."""
        if request.args.get("check"):
            return url_for(f"web.{self.name}_check")
        position = self.pages.index(page)
        return url_for(f"web.{self.name}_page", slug=self.pages[position - 1].slug) if position \
            else url_for(self.start)

    def problems_on(self, page: Page, form: FlaskForm) -> bool:
        """Put on the page's form what its answers break: the schema's rules for the fields it asks for (with the
        other pages' answers as given so far, or blank), and the page's own rules, on each field its form's own
        checks left without an error, so a page shows all its errors at once. Whether there was any."""
        blank = {other.slug: {name: None for name in answers_of(other.form(formdata=None, meta={"csrf": False}))}
                 for other in self.pages}
        try:
            body = self.request({**blank, **self.answers(), page.slug: answers_of(form)})
        except (KeyError, TypeError, ValueError, AttributeError):  # the body cannot be made yet: the check page will
            body = None
        said: dict[str, list[str]] = {}
        if body is not None:
            for path, messages in checked(self.schema(), body)[1].items():
                slug, name = self.fields.get(path, ("", ""))
                field = getattr(form, name, None) if slug == page.slug else None
                if field is not None and messages:
                    said.setdefault(name, []).append(service_messages.on_field(messages[0], field))
        for name, message in (page.rules(form) if page.rules else {}).items():
            said.setdefault(name, []).append(str(message))
        said = {name: messages for name, messages in said.items() if not getattr(form, name).errors}
        for name, messages in said.items():
            getattr(form, name).errors = [messages[0]]
        return bool(said)

    def field_at(self, path: str):
        """The field (of the page's form, as answered) that asks for an API field path, or None."""
        slug, name = self.fields.get(path, ("", ""))
        if not slug:
            return None
        form = self.page(slug).form(data=_restored(self.answers().get(slug, {})), meta={"csrf": False})
        self.ready(form)
        return getattr(form, name, None)

    def next_slug(self) -> str | None:
        """The first page still unanswered, or None when all are: then "check your answers"."""
        answers = self.answers()
        for page in self.pages:
            if page.slug not in answers:
                return page.slug
        return None

    def form_for(self, page: Page) -> FlaskForm:
        """The page's form: as posted, or with the answers kept for it to change them."""
        stored = self.answers().get(page.slug)
        form = page.form() if request.method == "POST" or not stored else page.form(data=_restored(stored))
        self.ready(form)
        return form

    def ready(self, form: FlaskForm) -> None:
        if self.prepare is not None:
            self.prepare(form)

    def page_of(self, path: str) -> str:
        """The slug of the page that asks for an API field path; the first page for a path no page asks for."""
        slug, _ = self.fields.get(path, (self.pages[0].slug, ""))
        return slug


def answers_of(form: FlaskForm) -> dict:
    """A page's answers as the session keeps them (field name to answer)."""
    return {f.name: _stored(f.data) for f in form if f.type not in NOT_ANSWERS}


def _stored(value: Any) -> Any:
    """An answer as the session keeps it: a date as YYYY-MM-DD, anything else as it is."""
    return value.isoformat() if isinstance(value, date) else value


def _restored(stored: dict) -> dict:
    """A page's kept answers as its form takes them, dates as dates again."""
    restored = {}
    for name, value in stored.items():
        try:
            restored[name] = date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else value
        except ValueError:
            restored[name] = value
    return restored


def summary(flow: Flow) -> list[dict]:
    """Each answer as a row of "check your answers", with a link to change it."""
    rows = []
    for page in flow.pages:
        form = page.form(data=_restored(flow.answers().get(page.slug, {})), meta={"csrf": False})
        flow.ready(form)
        for field in form:
            if field.type in NOT_ANSWERS:
                continue
            rows.append({"key": {"text": str(field.label.text)}, "value": {"text": shown(field)},
                         "actions": {"items": [{"href": url_for(f"web.{flow.name}_page", slug=page.slug,
                                                                check="1"),
                                                "text": gettext("Change"),
                                                "visuallyHiddenText": str(field.label.text)}]}})
    return rows


def shown(field) -> str:
    """An answer as the reader reads it: a choice by its label, a date in their language."""
    if field.data in (None, ""):
        return gettext("Not given")
    if isinstance(field, (RadioField, SelectField)):  # the language question's radios too
        return str(dict(field.choices).get(field.data, field.data))
    if isinstance(field.data, date):
        return format_date(field.data, "d MMMM yyyy")
    return str(field.data)


def page_view(flow: Flow, slug: str, template: str):
    """A question page: shown, or its answers kept and on to the next page unanswered (or back to the check, when
    the reader came from it to change an answer). Posted with errors, the answers as typed and the errors are kept
    for the page's own address, where the reader is sent, so the page with errors is one a browser reads again."""
    page = flow.page(slug)
    honeypot = Honeypot(prefix="hp", meta={"csrf": False}) if flow.honeypot else None
    if request.method == "POST":
        form = flow.form_for(page)
        if honeypot is not None and not honeypot.validate():
            abort(400)
        valid = form.validate_on_submit()
        if not flow.problems_on(page, form) and valid:
            flow.keep(slug, form)
            following = None if request.args.get("check") else flow.next_slug()
            return redirect(url_for(f"web.{flow.name}_page", slug=following) if following
                            else url_for(f"web.{flow.name}_check"))
        return kept_for_its_page(f"flow.{flow.name}.posted", form)
    form, _ = posted_form(f"flow.{flow.name}.posted", page.form, flow.ready)
    if form is None:
        form = flow.form_for(page)
        for name, message in (session.get(f"flow.{flow.name}.problems") or {}).get(slug, {}).items():
            if hasattr(form, name):
                getattr(form, name).errors = [message]
    return render_template(template, form=form, page=page, flow=flow, honeypot=honeypot,
                           errors=error_summary(form), position=flow.pages.index(page) + 1, back=flow.back(page))


def here() -> str:
    """The address of the page being read or posted, with its query (`?check=1`)."""
    return request.full_path.rstrip("?")


def kept_for_its_page(key: str, form: FlaskForm, loose: list[dict] | None = None, page: str | None = None):
    """Redirect after POST: keep a form posted with errors under `key` (its answers as typed, but not its CSRF
    token, its honeypot nor a password; its errors in the page's words; `loose`, the errors of no field, with where
    each leads) and send the reader to the page's own address (or `page`, where the form is shown on another page
    than the one it posts to), whose GET shows them (`posted_form`)."""
    error_summary(form)
    page = page or here()
    unkept = {"csrf_token", *(field.name for field in form if field.type == "PasswordField")}
    session[key] = {"at": page, "typed": {name: request.form.getlist(name) for name in request.form
                                          if name not in unkept and not name.startswith("hp-")},
                    "errors": {field.name: [str(error) for error in field.errors] for field in form if field.errors},
                    "loose": [{"text": str(item["text"]), **({"href": item["href"]} if item.get("href") else {})}
                              for item in loose or ()]}
    return redirect(page)


def posted_form(key: str, form_class: type, ready: Callable[[FlaskForm], None] | None = None
                ) -> tuple[FlaskForm | None, list[dict]]:
    """The form kept under `key` for this page by `kept_for_its_page`, as it was posted, with its errors (readied by
    `ready` before they are put on it), and the errors of no field; read once, so an answer refused is not kept
    beyond the page that says why. (None, []) when nothing is kept for this page."""
    posted = session.get(key)
    if not posted or posted.get("at") != here():
        return None, []
    session.pop(key, None)
    form = form_class(formdata=MultiDict([(name, value) for name, values in posted["typed"].items()
                                          for value in values]))
    if ready is not None:
        ready(form)
    for field in form:
        if field.name in posted["errors"]:
            field.errors = list(posted["errors"][field.name])
    return form, list(posted.get("loose") or [])


def form_for_its_page(key: str, form_class: type, ready: Callable[[FlaskForm], None] | None = None,
                      **fresh: Any) -> tuple[FlaskForm, list[dict]]:
    """The form kept for this page by `kept_for_its_page` with its errors (`posted_form`), or else a fresh one made
    with `fresh` (the request's answers when posted): either readied by `ready` (its choices, its words)."""
    form, loose = posted_form(key, form_class, ready)
    if form is None:
        form = form_class(**fresh)
        if ready is not None:
            ready(form)
    return form, loose


def _said(flow: Flow, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """The schema's errors in the words of the fields they land on."""
    return {path: [service_messages.on_field(message, flow.field_at(path)) for message in messages]
            for path, messages in errors.items()}


def check_view(flow: Flow, template: str, send: Callable[[dict], tuple[int, Any]]):
    """The "check your answers" page; posted, the body is checked by the API's schema and sent (`send` gives the
    service's status and answer). A refusal is listed in the reader's language, each problem linked to the page that
    asks for its field, which shows it again beside the field. Answers sent too soon (`Flow.too_soon`) are kept, not
    sent, and the reader is asked to send them again. A refusal is kept and the reader redirected to the check page,
    which lists it until an answer changes (redirect after POST)."""
    missing = [page.slug for page in flow.pages if page.slug not in flow.answers()]
    if missing:
        return redirect(url_for(f"web.{flow.name}_page", slug=missing[0]))
    if request.method == "POST":
        form = FlaskForm()
        if not form.validate_on_submit():
            abort(400)
        body, errors = checked(flow.schema(), flow.request(flow.answers()))
        said = _said(flow, errors)
        too_soon = flow.too_soon() if body is not None and flow.too_soon is not None else None
        if too_soon:
            said = {"": [str(too_soon)]}
        elif body is not None:
            status, answer = send(body)
            if status == 201:
                flow.forget()
                session[f"flow.{flow.name}.sent"] = answer.get("id")
                return redirect(url_for(f"web.{flow.name}_sent"))
            said = service_messages.field_errors(answer, flow.wordings) or {
                "": [gettext(service_messages.said(answer, flow.wordings) or flow.not_sent)]}
        shown_again: dict[str, dict[str, str]] = {}
        problems: list[dict] = []
        for path, messages in said.items():
            text = messages[0] if messages else gettext("Check this answer")
            if path and path in flow.fields:
                slug, name = flow.fields[path]
                shown_again.setdefault(slug, {}).setdefault(name, text)
            problems.append({"text": text, "href": url_for(f"web.{flow.name}_page", slug=flow.page_of(path),
                                                           check="1")})
        session[f"flow.{flow.name}.problems"] = shown_again
        session[f"flow.{flow.name}.refused"] = problems
        return redirect(url_for(f"web.{flow.name}_check"))
    return render_template(template, rows=summary(flow), flow=flow, errors=session.get(f"flow.{flow.name}.refused")
                           or [], form=FlaskForm(), back=url_for(f"web.{flow.name}_page", slug=flow.pages[-1].slug))
