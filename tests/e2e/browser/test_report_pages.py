"""The National Reporting Template's page in a real browser, as a commissioner reads it: their council's figures in
accessible tables with charts, in English and Welsh, on a phone-sized screen without sideways scrolling, and in
print without the service's navigation."""

from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from services.gateway import handlers
from tests.e2e.browser.conftest import PASSWORD, in_both_languages, sign_in, snapshot
from tests.examples import example_referral


def test_a_commissioner_reads_their_councils_template_on_any_screen_in_both_languages(page: Page, web, base):
    email = "commissioner-browser@cardiff.example"
    handlers.create_user(web.gateway, web.councils, email, "commissioner", "CARDIFF", PASSWORD)
    made = requests.post(f"{base}/api/v1/referrals", json=example_referral(), timeout=10,
                         headers={"Authorization": f"Bearer {web.api_key('CARDIFF')}"})
    assert made.status_code == 201, made.text
    sign_in(page, base, email)
    expect(page.get_by_role("heading", name="National Reporting Template")).to_be_visible()
    received = page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Active Offer referrals received", exact=True)).first
    expect(received).to_contain_text("1")
    expect(page.locator("svg.llais-chart").first).to_be_visible()
    expect(page.get_by_role("link", name="Referrals")).to_have_count(0)
    in_both_languages(page, "reports", "Templed Adrodd Cenedlaethol")

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "no sideways scroll"
    snapshot(page, "reports-phone")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator("form.llais-no-print")).to_be_hidden()
    expect(page.get_by_role("heading", name="The Active Offer")).to_be_visible()
