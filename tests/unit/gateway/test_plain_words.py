"""Every form of the web pages refuses in plain words: whatever is posted to it (nothing, a choice it does not offer,
a date that is no date, a number that is no number, far too much), each error names its field in the page's words,
reads in Welsh on a Welsh page, and is never WTForms' own text, a code or a stamp."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms.i18n import get_translations

from shared.config import Settings

from services.gateway.app import create_app as create_gateway
from services.gateway.web import cases, complaints, forms, refer, service_messages, staff

CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|[+-]\d{2}:\d{2}\b")
NOT_ASKED = {"ReferralFilterForm", "SignOutForm", "Honeypot", "ConfirmForm"}
"""Forms that refuse nothing a person types: a filter of lists, a button, the field only bots fill in."""


def _forms() -> list[type]:
    found = []
    for module in (forms, refer, cases, complaints, staff):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, FlaskForm) and value.__module__ == module.__name__ \
                    and value.__name__ not in NOT_ASKED:
                found.append(value)
    return found


def _wtforms_own() -> set[str]:
    welsh = get_translations(["cy"])
    return {said for text in forms.WTFORMS_DEFAULTS for said in (text, welsh.gettext(text))} | {
        "Not a valid integer value.", "Gwerth integer annilys", "Not a valid choice.", "This field is required."}


def _posted(form_class: type, how: str) -> MultiDict:
    """What a hand-made post might hold for each field of the form: nothing at all, or nonsense of its kind."""
    if how == "nothing":
        return MultiDict()
    data = MultiDict()
    for name, field in form_class(meta={"csrf": False}, formdata=None)._fields.items():
        if field.type in ("RadioField", "SelectField", "PagesLanguageFirst"):
            data.add(name, "not_a_choice")
        elif field.type in ("DateField", "RealDateField"):
            for part in ("31", "2", "2020"):
                data.add(name, part)
        elif field.type in ("IntegerField", "WholeNumber"):
            data.add(name, "twelve")
        elif field.type in ("StringField", "TextAreaField"):
            data.add(name, "x" * 6000)
    return data


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_gateway(replace(Settings(), data_dir=tmp_path_factory.mktemp("plain"), cookie_secure=False))


def _errors(app, form_class: type, how: str, language: str) -> dict[str, list[str]]:
    with app.test_request_context("/", method="POST", headers={"Accept-Language": language}):
        form = form_class(formdata=_posted(form_class, how), meta={"csrf": False})
        form.validate()
        forms.plain_errors(form)
        return {name: [str(error) for error in field.errors] for name, field in form._fields.items() if field.errors}


@pytest.mark.parametrize("how", ["nothing", "nonsense"])
def test_every_forms_errors_name_their_field_in_the_pages_words_in_both_languages(app, how):
    own = _wtforms_own()
    checked = 0
    for form_class in _forms():
        english, welsh = _errors(app, form_class, how, "en"), _errors(app, form_class, how, "cy")
        assert english.keys() == welsh.keys(), form_class
        for name, messages in english.items():
            for said_en, said_cy in zip(messages, welsh[name]):
                where = f"{form_class.__name__}.{name} ({how})"
                for said in (said_en, said_cy):
                    assert said not in own, f"{where}: WTForms' own words {said!r}"
                    assert not CODE.search(said) and not STAMP.search(said), f"{where}: {said!r}"
                assert said_cy != said_en, f"{where}: English on a Welsh page: {said_en!r}"
                checked += 1
    assert checked > 50, "the forms were posted to and refused"


def test_a_number_that_is_no_number_is_asked_for_by_its_field(app):
    errors = _errors(app, forms.MeetingForm, "nonsense", "en")
    assert errors["duration_minutes"][0] == "Enter the length of the meeting in minutes as a number, like 60"
    assert _errors(app, forms.MeetingForm, "nonsense", "cy")["duration_minutes"][:1] == [
        "Rhowch hyd y cyfarfod mewn munudau fel rhif, fel 60"]
    assert _errors(app, cases.CloseCaseForm, "nonsense", "en")["satisfaction"][:1] == [
        "Give the child's satisfaction as a number from 1 to 5"]
    assert _errors(app, cases.CloseCaseForm, "nonsense", "cy")["satisfaction"][:1] == [
        "Rhowch foddhad y plentyn fel rhif o 1 i 5"]


def test_the_language_list_puts_the_pages_own_language_first(app):
    for language, first in (("en", "en"), ("cy", "cy")):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            for form_class, name in ((refer.AboutYouForm, "preferred_language"), (complaints.ComplaintForm, "language"),
                                     (refer.ChildForm, "preferred_language"), (forms.MeetingForm, "language")):
                field = getattr(form_class(meta={"csrf": False}, formdata=None), name)
                assert [code for code, _ in field.choices][0] == first, (form_class, language)


@pytest.mark.parametrize("moment, english, welsh", [
    ("2026-11-25T14:30:00+00:00", "2:30pm on Wednesday 25 November 2026", "2:30yp ddydd Mercher 25 Tachwedd 2026"),
    ("2026-07-01T09:00:00+00:00", "10am on Wednesday 1 July 2026", "10yb ddydd Mercher 1 Gorffennaf 2026"),
    ("2026-12-14T12:00:00+00:00", "midday on Monday 14 December 2026", "canol dydd ddydd Llun 14 Rhagfyr 2026"),
])
def test_times_are_said_as_people_write_them_in_london(app, moment, english, welsh):
    for language, expected in (("en", english), ("cy", welsh)):
        with app.test_request_context("/", headers={"Accept-Language": language}):
            assert service_messages.spoken(moment) == expected


def test_the_schemas_words_are_said_as_the_field_they_land_on_asks(app):
    with app.test_request_context("/", headers={"Accept-Language": "cy"}):
        form = refer.ChildForm(meta={"csrf": False}, formdata=None)
        assert service_messages.on_field("Missing data for required field.", form.given_name) == \
            str(refer.ChildForm.given_name.args[1][0].message)
        assert service_messages.on_field("Must be one of: active_offer, issue_based.", form.interpreter_needed) == \
            "Gwiriwch eich ateb i “A oes angen cyfieithydd ar y plentyn?”"
        assert service_messages.on_field("Longer than maximum length 100.", form.given_name) == \
            "Rhaid i'r ateb i “Enw cyntaf y plentyn” fod yn 100 nod neu lai"
