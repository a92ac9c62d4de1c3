"""The pages' words for codes come from shared/words in the page's language: a Welsh page says a close reason, a
language, a deadline or a region in Welsh, and a form built once on import speaks each page's language."""

from __future__ import annotations

import pytest
from flask import Flask
from flask_babel import Babel
from flask_wtf import FlaskForm

from shared.councils import CouncilRegister
from services.gateway.web import TRANSLATIONS, council_choices, council_name, flow, forms, region_choices, \
    region_name, reports


@pytest.fixture(params=["en", "cy"])
def page(request):
    """A page's request in English or in Welsh."""
    app = Flask(__name__)
    app.config.update(WTF_CSRF_ENABLED=False, SECRET_KEY="words")
    app.extensions["llais.councils"] = CouncilRegister.load()
    Babel(app, locale_selector=lambda: request.param, default_translation_directories=str(TRANSLATIONS))
    with app.test_request_context(headers={"Cookie": f"llais_language={request.param}"}):
        yield request.param


def said(language: str, english: str, welsh: str) -> str:
    return welsh if language == "cy" else english


def test_a_forms_choices_are_in_the_pages_language(page):
    reasons = dict(forms.CLOSE_REASONS)
    assert str(reasons["duplicate"]) == said(page, "It duplicates another referral", "Mae'n dyblygu atgyfeiriad arall")
    assert str(dict(forms.LANGUAGES)["cy"]) == said(page, "Welsh", "Cymraeg")
    assert str(dict(forms.STAFF_ROLES)["referrer"]) == said(page, "Council referrer", "Atgyfeiriwr y cyngor")


def test_a_code_on_a_page_is_in_the_pages_language(page):
    assert forms.word("language", "en") == said(page, "English", "Saesneg")
    assert forms.word("close_reason", "completed") == said(page, "The Active Offer was completed",
                                                           "Cwblhawyd y Cynnig Rhagweithiol")
    assert forms.word("meeting_status", "not_held") == said(page, "Not held", "Heb ei gynnal")
    assert forms.word("language", None) == ""


def test_the_check_page_shows_a_language_in_words_not_its_code(page):
    class Language(FlaskForm):
        language = forms.languages("Language", "Choose")

    form = Language(data={"language": "cy"})
    assert flow.shown(form.language) == said(page, "Welsh", "Cymraeg")


def test_regions_and_councils_are_named_in_the_pages_language(page):
    assert region_name("cardiff-vale") == said(page, "Cardiff and Vale", "Caerdydd a'r Fro")
    assert council_name("CARDIFF") == said(page, "Cardiff", "Caerdydd")
    regions = dict(region_choices())
    assert regions["north-wales"] == said(page, "North Wales", "Gogledd Cymru")
    assert all(name != slug for slug, name in regions.items() if slug not in ("gwent", "powys"))
    assert dict(council_choices())["ANGLESEY"] == said(page, "Isle of Anglesey", "Ynys Môn")


def test_the_deadlines_missed_in_the_report_are_in_words(page):
    assert reports.label("acknowledge_by") == said(page, "Acknowledgement", "Cydnabod")
    assert reports.label("allocate_by") == said(page, "Allocation", "Dyrannu")
    assert reports.label("time_limits_missed.stage_2_respond_by").endswith(
        said(page, "Answer at stage 2", "Ateb yng ngham 2"))


def test_the_report_calls_the_active_offer_what_every_other_page_does(page):
    for name in ("active_offer",):
        assert "Gweithredol" not in str(reports.SECTIONS[name])
    assert "Gweithredol" not in reports.label("offers")
    assert "Gweithredol" not in reports.label("by_kind.active_offer")
    assert "Gweithredol" not in reports.label("by_source.active_offer")
    if page == "cy":
        assert "Rhagweithiol" in reports.label("by_kind.active_offer")
