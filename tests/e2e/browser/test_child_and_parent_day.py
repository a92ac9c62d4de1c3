"""A child and a parent use the public forms in a real browser, in English and in Welsh, by the labels they see: the
child asks for an advocate (meeting an error on the question page that asks for a way to reach them, and putting it
right there) and makes a complaint on the form written for them; a parent makes a complaint. Every page is checked
with axe and kept as a screenshot."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from playwright.sync_api import Page, expect

from services.gateway.web import complaints, refer
from tests.e2e.browser.conftest import sign_in, sign_out, snapshot

WORDS = {
    "en": {"first": "Your first name", "last": "Your last name", "day": "Day", "month": "Month", "year": "Year",
           "language": "Welsh", "council": "Which council area do you live in?", "situation": "I am in care",
           "continue": "Continue", "phone": "Your mobile or phone number (optional)",
           "adult": "Name of an adult you trust (optional)", "reach": "Give us at least one way to reach you",
           "send": "Send", "what": "Something went wrong", "problem": "There is a problem",
           "no_way": "Give us your email or your phone number", "reference": "Your reference",
           "not_told": "The child asked that their social worker is not told about this referral",
           "from_the_child": "the child, referring themselves"},
    "cy": {"first": "Dy enw cyntaf", "last": "Dy gyfenw", "day": "Diwrnod", "month": "Mis", "year": "Blwyddyn",
           "language": "Cymraeg", "council": "Ym mha ardal cyngor wyt ti'n byw?", "situation": "Rydw i mewn gofal",
           "continue": "Parhau", "phone": "Dy rif ffôn symudol neu dy rif ffôn (dewisol)",
           "adult": "Enw oedolyn rwyt ti'n ymddiried ynddo (dewisol)",
           "reach": "Rho o leiaf un ffordd i ni gysylltu â ti", "send": "Anfon", "what": "Aeth rhywbeth o'i le",
           "problem": "Mae problem", "no_way": "Rho dy e-bost neu dy rif ffôn i ni", "reference": "Dy gyfeirnod",
           "not_told": "Gofynnodd y plentyn i ni beidio â dweud wrth y gweithiwr cymdeithasol",
           "from_the_child": "y plentyn, yn atgyfeirio ei hun"},
}


@pytest.fixture(autouse=True)
def quick_hands(monkeypatch):
    """A browser fills the forms faster than a person: the reading-time check is not under test here."""
    monkeypatch.setattr(refer, "MIN_SECONDS_TO_FILL", 0)
    monkeypatch.setattr(complaints, "MIN_SECONDS_TO_FILL", 0)


def in_language(page: Page, base: str, language: str, path: str) -> None:
    """Open `path` in `language`, chosen as a reader chooses it."""
    page.goto(f"{base}/language/{language}?next={path}")


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_child_asks_for_an_advocate_and_puts_a_missing_answer_right_where_they_gave_it(page: Page, base, web,
                                                                                       language):
    words = WORDS[language]
    in_language(page, base, language, "/self-referral")
    page.locator(".govuk-button--start").click()
    page.get_by_label(words["first"]).fill("Nia")
    page.get_by_label(words["last"]).fill("Evans")
    page.get_by_label(words["day"]).fill("2")
    page.get_by_label(words["month"]).fill("5")
    page.get_by_label(words["year"]).fill(str(datetime.now().year - 13))
    radios = page.locator("input[name=preferred_language]")
    expect(radios.first).to_have_value(language), "the page's own language first"
    page.get_by_label(words["language"], exact=True).check()
    snapshot(page, "child-about-you")
    page.get_by_role("button", name=words["continue"]).click()
    page.get_by_label(words["council"]).select_option("GWYNEDD")
    page.get_by_label(words["situation"]).check()
    page.get_by_role("button", name=words["continue"]).click()
    page.get_by_label(words["adult"]).fill("Mam")
    page.get_by_role("button", name=words["continue"]).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(words["problem"])
    expect(page.locator(".govuk-error-summary")).to_contain_text(words["reach"])
    expect(page).to_have_url(re.compile(r"/self-referral/contact$"))
    snapshot(page, "child-contact-error")
    page.get_by_label(words["phone"]).fill("07700 900123")
    page.get_by_role("button", name=words["continue"]).click()
    page.locator("input[name=share][value=no]").check()
    page.get_by_role("button", name=words["continue"]).click()
    expect(page).to_have_url(re.compile(r"/self-referral/more-about-you$"))
    page.get_by_role("button", name=words["continue"]).click()  # the equality questions, left unanswered
    snapshot(page, "child-check")
    page.get_by_role("button", name=words["send"]).click()
    expect(page).to_have_url(re.compile(r"/self-referral/sent$"))
    expect(page.locator(".govuk-panel__body")).to_contain_text(words["reference"])
    reference = page.locator(".govuk-panel__body strong").inner_text().strip()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", reference), reference
    snapshot(page, "child-sent")
    sign_in(page, base, web.manager)  # the child said No to telling their social worker: the manager is told
    page.goto(f"{base}/referrals")
    page.locator("main tbody tr", has_text=reference).get_by_role("link").first.click()
    expect(page.locator(".govuk-warning-text")).to_contain_text(words["not_told"])
    expect(page.locator(".llais-timeline li").last).to_contain_text(words["from_the_child"])
    snapshot(page, "referral-child-said-no")
    sign_out(page)


def complain(page: Page, about: str, language: str, send: str) -> None:
    """Tell what happened, ask for a reply in `language`, send it without a way to reply: the form says so and keeps
    the answers."""
    page.locator("textarea[name=about]").fill(about)
    page.locator("input[name=wants_reply][value=yes]").check()
    page.locator(f"input[name=language][value={language}]").check()
    page.get_by_role("button", name=send).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator("textarea[name=about]")).to_have_value(about)


def sent(page: Page, send: str, name: str) -> None:
    page.get_by_role("button", name=send).click()
    expect(page).to_have_url(re.compile(r"/complaints/sent$"))
    snapshot(page, name)


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_child_makes_a_complaint_on_the_form_written_for_them(page: Page, base, language):
    words = WORDS[language]
    in_language(page, base, language, "/complaints/new")
    page.locator("main a[href='/complaints/new/young-person']").click()
    page.get_by_label(words["what"]).check()
    complain(page, "Nobody rang me back", language, words["send"])
    expect(page.locator(".govuk-error-summary")).to_contain_text(words["no_way"])
    snapshot(page, "child-complaint-error")
    page.get_by_label(words["phone"]).fill("07700 900123")
    sent(page, words["send"], "child-complaint-sent")


@pytest.mark.parametrize("language", ["en", "cy"])
def test_a_parent_makes_a_complaint(page: Page, base, language):
    words = WORDS[language]
    in_language(page, base, language, "/complaints/new")
    page.locator("input[name=kind][value=complaint]").check()
    page.locator("input[name=made_by][value=parent]").check()
    complain(page, "The advocate did not come", language, words["send"])
    snapshot(page, "parent-complaint-error")
    page.locator("input[name=email]").fill("parent@example.org")
    sent(page, words["send"], "parent-complaint-sent")
