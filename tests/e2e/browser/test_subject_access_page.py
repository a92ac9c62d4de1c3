"""A manager finds a child for a subject access export in a real browser, in English and Welsh on a phone's screen:
each way's questions show only once its way is chosen, and the council is chosen by its name, never typed as a code."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import in_both_languages, sign_in, snapshot


def test_the_find_page_asks_each_ways_questions_once_it_is_chosen_and_names_the_councils(page: Page, web, base):
    page.set_viewport_size({"width": 375, "height": 667})
    sign_in(page, base, web.manager)
    page.goto(f"{base}/subject-access")
    in_both_languages(page, "subject-access-find", "Data plentyn")
    page.locator(".llais-language").get_by_role("link", name="Cymraeg").click()
    council, reference = page.locator("select#council"), page.locator("input#referral")
    expect(council).to_be_hidden()
    expect(reference).to_be_hidden()
    page.locator("input[name=way][value=reference]").check()
    expect(council).to_be_visible()
    expect(reference).to_be_hidden()
    expect(council.locator("option[value=CARDIFF]")).to_have_text("Caerdydd")
    snapshot(page, "subject-access-find-by-reference")
    council.select_option(label="Caerdydd")
    page.locator("input#external_ref").fill("NEB-YMA")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page.locator("select#council")).to_have_value("CARDIFF")
