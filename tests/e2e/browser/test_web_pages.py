"""Signing in and out, errors as GOV.UK shows them, CSRF, councils kept apart, and a child referring themselves in
Welsh, in a real browser."""

from __future__ import annotations

import re
import time
from datetime import datetime

import requests
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import in_both_languages, sign_in, sign_out, snapshot
from tests.examples import example_referral


def test_the_start_page_in_both_languages(page: Page, base):
    page.goto(base)
    in_both_languages(page, "start", "eiriolwr")


def test_sign_in_shows_errors_as_gov_uk_does_and_signs_out(page: Page, web, base):
    page.goto(f"{base}/sign-in")
    in_both_languages(page, "sign-in", "Mewngofnodi")
    page.locator("main button[type=submit]").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary.get_by_role("link", name="Enter your email address")).to_have_attribute("href", "#email")
    expect(page.locator("#email-error")).to_contain_text("Enter your email address")
    expect(page).to_have_title(re.compile("^Error: "))
    snapshot(page, "sign-in-errors")
    summary.get_by_role("link", name="Enter your password").click()
    expect(page.locator("#password")).to_be_focused()
    page.get_by_role("link", name="Cymraeg").click()
    page.locator("main button[type=submit]").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Mae problem")
    expect(page).to_have_title(re.compile("^Gwall: "))
    snapshot(page, "sign-in-errors")
    page.get_by_role("link", name="English").click()

    sign_in(page, base, web.manager, "not the password")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address and password")

    sign_in(page, base, web.manager)
    expect(page.get_by_role("heading", name="Home", exact=True)).to_be_visible()
    sign_out(page)
    expect(page.get_by_role("heading", name="You have signed out")).to_be_visible()
    in_both_languages(page, "signed-out", "Rydych wedi allgofnodi")
    page.goto(f"{base}/referrals")
    expect(page).to_have_url(re.compile("/sign-in"))


def test_a_form_posted_without_its_token_is_refused(page: Page, web, base):
    sign_in(page, base, web.manager)
    page.goto(f"{base}/referrals")
    page.evaluate("""() => { const form = document.querySelector('form.llais-sign-out');
                             form.querySelector('[name=csrf_token]').value = 'forged'; form.submit(); }""")
    expect(page.get_by_role("heading", name="Your form could not be sent")).to_be_visible()
    snapshot(page, "csrf-refused")
    page.goto(f"{base}/referrals")
    expect(page.get_by_role("heading", name="Referrals")).to_be_visible()  # still signed in: nothing changed


def test_a_referrer_cannot_see_another_councils_referral(page: Page, web, base):
    answer = requests.post(f"{base}/api/v1/referrals", json=example_referral(), timeout=10,
                           headers={"Authorization": f"Bearer {web.api_key('CARDIFF')}"})
    cardiff_referral = answer.json()["id"]
    sign_in(page, base, web.newport_referrer)
    page.goto(f"{base}/referrals/{cardiff_referral}")
    expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
    in_both_languages(page, "not-found", "Heb ddod o hyd i'r dudalen")
    expect(page.locator("body")).not_to_contain_text("Cerys")
    sign_out(page)


def test_a_young_person_refers_themselves_in_welsh(page: Page, web, base):
    page.goto(f"{base}/self-referral")
    page.get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    snapshot(page, "self-start")
    time.sleep(3)  # a person reads the page; a bot does not
    page.locator("main a.govuk-button--start").click()
    page.locator("main button[type=submit]").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    snapshot(page, "self-about-you-errors")
    page.locator("#given_name").fill("Nia")
    page.locator("#family_name").fill("Evans")
    page.locator("#date_of_birth-day").fill("2")
    page.locator("#date_of_birth-month").fill("5")
    page.locator("#date_of_birth-year").fill(str(datetime.now().year - 13))
    page.locator("input[name=preferred_language][value=cy]").check()
    snapshot(page, "self-about-you")
    page.locator("main button[type=submit]").click()
    snapshot(page, "self-where-you-live")
    page.locator("#council").select_option("GWYNEDD")
    page.locator("input[name=situation][value=looked_after]").check()
    page.locator("main button[type=submit]").click()
    page.locator("#phone").fill("07700 900123")
    snapshot(page, "self-contact")
    page.locator("main button[type=submit]").click()
    page.locator("#summary").fill("Dw i eisiau gweld fy mrawd yn amlach")
    page.locator("input[name=share][value=no]").check()
    snapshot(page, "self-your-say")
    page.locator("main button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ychydig mwy amdanat ti")
    page.get_by_label("Byddai’n well gen i beidio â dweud").first.check()
    snapshot(page, "self-more-about-you")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Gwynedd")
    expect(page.get_by_role("heading", level=1)).to_have_text("Gwiria beth rwyt ti wedi'i ddweud wrthon ni")
    snapshot(page, "self-check")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".govuk-panel")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    snapshot(page, "self-sent")
    page.get_by_role("link", name="English").click()
    snapshot(page, "self-sent")
