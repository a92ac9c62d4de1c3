"""A council social worker records an opt-out through the pages, in a real browser: from /refer, where the child
does not agree, to the opt-out page with their answers carried over, in Welsh on a phone's screen (375 px), then
tells of the child's review, and the manager finds the child to offer advocacy again on their home."""

from __future__ import annotations

from datetime import datetime

from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import in_both_languages, sign_in, sign_out, snapshot
from tests.e2e.browser.test_manager_and_social_worker_day import fits_a_phone


def submit(page: Page) -> None:
    page.locator("main button[type=submit]").first.click()


def test_a_social_worker_records_an_opt_out_and_the_child_is_offered_again(page: Page, web, base):
    year = datetime.now().year
    sign_in(page, base, web.cardiff_referrer)
    in_both_languages(page, "referrer-home-opt-out", "Cofnodi bod plentyn wedi optio allan")
    page.get_by_role("button", name="Refer a child").click()
    page.locator("#given_name").fill("Elin")
    page.locator("#family_name").fill("Puw")
    page.locator("#date_of_birth-day").fill("2")
    page.locator("#date_of_birth-month").fill("5")
    page.locator("#date_of_birth-year").fill(str(year - 30))
    page.locator("input[name=preferred_language][value=cy]").check()
    page.locator("input[name=interpreter_needed][value=no]").check()
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("under 18")  # the age, on the page that asks it
    page.locator("#date_of_birth-year").fill(str(year - 12))
    submit(page)
    page.locator("#phone").fill("07700 900982")
    submit(page)
    page.locator("input[name=kind][value=active_offer]").check()
    page.locator("input[name=basis][value=looked_after]").check()
    page.locator("#external_ref").fill("WCCIS-7001")
    submit(page)
    submit(page)  # equality: nothing told
    page.locator("input[name=child_informed][value=yes]").check()
    page.locator("input[name=child_agrees][value=no]").check()
    for flag in ("share_arrangements_with_referrer", "share_outcome_with_referrer"):
        page.locator(f"input[name={flag}][value=no]").check()
    submit(page)

    expect(page.get_by_role("heading", name="Record that the child opted out")).to_be_visible()
    expect(page.locator("#external_ref")).to_have_value("WCCIS-7001")
    expect(page.locator("#date_of_birth-year")).to_have_value(str(year - 12))
    page.locator(".llais-language").get_by_role("link", name="Cymraeg").click()
    expect(page.get_by_role("heading", name="Cofnodi bod y plentyn wedi optio allan")).to_be_visible()
    fits_a_phone(page, "opt-out")
    page.set_viewport_size({"width": 375, "height": 667})
    page.locator("#offered_on-day").fill("1")
    page.locator("#offered_on-month").fill(str(datetime.now().month))
    page.locator("#offered_on-year").fill(str(year))
    submit(page)  # no reason chosen: said in Welsh
    expect(page.locator(".govuk-error-summary")).to_contain_text("Dewiswch pam nad oedd y plentyn eisiau")
    page.locator("input[name=reason_code][value=speaks_for_themselves]").check()
    page.locator("#reason_note").fill("Mae hi eisiau siarad drosti ei hun yn yr adolygiad")
    submit(page)
    expect(page.get_by_role("heading", name="Optio allan wedi'i gofnodi")).to_be_visible()
    snapshot(page, "opt-out-recorded-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    page.locator(".llais-language").get_by_role("link", name="English").click()

    page.get_by_role("link", name="Tell us of a review, a placement move or leaving-care planning").click()
    expect(page.locator("input[name=reference_kind][value=optout_id]")).to_be_checked()
    in_both_languages(page, "transition-new", "Beth sy'n digwydd i'r plentyn?")
    page.locator("input[name=kind][value=looked_after_review]").check()
    page.locator("#happened_on-day").fill(str(datetime.now().day))
    page.locator("#happened_on-month").fill(str(datetime.now().month))
    page.locator("#happened_on-year").fill(str(year))
    submit(page)
    expect(page.locator("main")).to_contain_text("The child will be offered advocacy again")
    sign_out(page)

    sign_in(page, base, web.manager)
    page.get_by_role("link", name="1 child to offer advocacy again").click()
    expect(page.locator("main table")).to_contain_text("A looked-after review")
    in_both_languages(page, "offers-again", "Plant i gynnig eiriolaeth iddynt eto")
    fits_a_phone(page, "offers-again")
    page.get_by_role("link", name="Mark as done").click()
    page.locator("input[name=result][value=opted_out_again]").check()
    submit(page)
    expect(page.locator("main")).to_contain_text("No child is waiting to be offered advocacy again")
