"""One question per page, then "check your answers": GOV.UK's pattern for a long form, apart from any one form.

A `Flow` is its pages in order, how its answers make the body of one API request, which page and field ask for
each field of that body, and the schema the public API checks it with. Answers wait in the server-side session, page
by page, until the body is sent; an error of the schema or of the service goes back to the page that asked. The
pages of a flow named `name` are served by the blueprint's endpoints `name_page` (one question page, by its slug),
`name_check` (the answers, and sending them) and `name_sent`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import format_date, gettext
from flask_wtf import FlaskForm
from marshmallow import Schema

from services.gateway.web import service_messages
from services.gateway.web.forms import Honeypot
from services.gateway.web.pages import checked, error_summary, when

NOT_ANSWERS = ("CSRFTokenField", "SubmitField")
"""The fields of a page that are no answer: its CSRF token and its button."""


@dataclass(frozen=True)
class Page:
    """One question page: where it is (its slug), the form that asks, and its heading."""

    slug: str
    form: type
    title: Any


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

    def page(self, slug: str) -> Page:
        for page in self.pages:
            if page.slug == slug:
                return page
        abort(404)

    def answers(self) -> dict[str, dict]:
        return session.get(f"flow.{self.name}", {})

    def keep(self, slug: str, form: FlaskForm) -> None:
        answers = {**self.answers(), slug: {f.name: _stored(f.data) for f in form if f.type not in NOT_ANSWERS}}
        session[f"flow.{self.name}"] = answers

    def forget(self) -> None:
        session.pop(f"flow.{self.name}", None)

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
    if field.type in ("RadioField", "SelectField"):
        return str(dict(field.choices).get(field.data, field.data))
    if isinstance(field.data, date):
        return format_date(field.data, "d MMMM yyyy")
    return str(field.data)


def page_view(flow: Flow, slug: str, template: str):
    """A question page: shown, or its answers kept and on to the next page unanswered (or back to the check, when
    the reader came from it to change an answer)."""
    page = flow.page(slug)
    form = flow.form_for(page)
    honeypot = Honeypot(prefix="hp", meta={"csrf": False}) if flow.honeypot else None
    if request.method == "POST" and honeypot is not None and not honeypot.validate():
        abort(400)
    if form.validate_on_submit():
        flow.keep(slug, form)
        following = None if request.args.get("check") else flow.next_slug()
        return redirect(url_for(f"web.{flow.name}_page", slug=following) if following
                        else url_for(f"web.{flow.name}_check"))
    return render_template(template, form=form, page=page, flow=flow, honeypot=honeypot,
                           errors=error_summary(form), position=flow.pages.index(page) + 1)


def check_view(flow: Flow, template: str, send: Callable[[dict], tuple[int, Any]]):
    """The "check your answers" page; posted, the body is checked by the API's schema and sent (`send` gives the
    service's status and answer). A refusal is listed in the reader's language, each problem linked to the page that
    asks for its field."""
    missing = [page.slug for page in flow.pages if page.slug not in flow.answers()]
    if missing:
        return redirect(url_for(f"web.{flow.name}_page", slug=missing[0]))
    problems: list[dict] = []
    if request.method == "POST":
        form = FlaskForm()
        if not form.validate_on_submit():
            abort(400)
        body, errors = checked(flow.schema(), flow.request(flow.answers()))
        said = {path: [gettext(message) for message in messages] for path, messages in errors.items()}
        if body is not None:
            status, answer = send(body)
            if status == 201:
                flow.forget()
                session[f"flow.{flow.name}.sent"] = answer.get("id")
                return redirect(url_for(f"web.{flow.name}_sent"))
            said = service_messages.field_errors(answer, when) or {
                "": [gettext(service_messages.said(answer, when) or flow.not_sent)]}
        for path, messages in said.items():
            problems.append({"text": messages[0] if messages else gettext("Check this answer"),
                             "href": url_for(f"web.{flow.name}_page", slug=flow.page_of(path), check="1")})
    return render_template(template, rows=summary(flow), flow=flow, errors=problems, form=FlaskForm())
