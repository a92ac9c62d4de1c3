"""The National Reporting Template's page in a real browser, as a commissioner reads it: their council's figures in
accessible tables with charts, in English and Welsh, on a phone-sized screen without sideways scrolling, and in
print without the service's navigation."""

from __future__ import annotations

import re

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
    page.set_viewport_size({"width": 1280, "height": 900})
    page.reload()
    assert_charts_words_legible(page, "1280 px")
    expect(page.locator(".llais-chart__axis")).to_have_text(re.compile(r"^\d+ days?$"))
    expect(page.get_by_text(re.compile(r"^Week 1 \(\d+ to \d+ \w+\)$")).first).to_be_visible()

    page.set_viewport_size({"width": 375, "height": 812})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth + 1"), "no sideways scroll"
    assert_charts_words_legible(page, "375 px")
    snapshot(page, "reports-phone")
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator("form.llais-no-print")).to_be_hidden()
    expect(page.get_by_role("heading", name="The Active Offer")).to_be_visible()
    page.emulate_media(media="screen")

    page.select_option("#period", "annual")
    page.get_by_role("button", name="Show the report").click()
    expect(page.get_by_text(re.compile("^The financial year from"))).to_be_visible()
    expect(page.locator("#year")).to_be_visible()
    expect(page.locator("#quarter")).to_have_count(0)


def assert_charts_words_legible(page: Page, screen: str) -> None:
    """Every word a chart says (its bars' names and figures, its axis, its first and last week, its key) is drawn at
    14 px or more on the screen, and none is drawn inside a picture that would shrink it."""
    sizes = page.evaluate("""() => [...document.querySelectorAll(
        '.llais-bar-chart, .llais-line-chart, .llais-line-chart + ul')].flatMap(chart => [...chart.querySelectorAll(
        'p, span, li, text')].filter(e => e.textContent.trim()).map(e => ({
            text: e.textContent.trim(), tag: e.tagName, size: parseFloat(getComputedStyle(e).fontSize)})))""")
    assert sizes, f"{screen}: the charts say their words"
    small = [word for word in sizes if word["size"] < 14 or word["tag"] == "text"]
    assert not small, f"{screen}: words too small to read: {small[:5]}"
