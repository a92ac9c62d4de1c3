"""The pages people print, printed once to PDF as headless chromium prints them on A4: a referral's record, a case
and the National Reporting Template. On paper each keeps its words (the child's name, its heading, its figures), and
none of the service's navigation, language switch or buttons, and nothing is cut off at the right edge. Each is
first checked as the manager sees it on screen, as every page the browser tests reach is."""

from __future__ import annotations

import io
import re

import requests
from playwright.sync_api import Page
from pypdf import PdfReader

from services.gateway import handlers
from tests.e2e.browser.conftest import sign_in, snapshot
from tests.e2e.browser.test_casework_pages import follow_on_of_a_take_up
from tests.e2e.browser.words import width_finding

MARGIN_MM = 15
A4_WIDTH_MM = 210
PRINTED_WIDTH = round((A4_WIDTH_MM - 2 * MARGIN_MM) / 25.4 * 96)
"""A4 less its margins at 96 dpi, the CSS pixels chromium lays a printed page out in."""
CHROME = ".govuk-header, .govuk-service-navigation, .govuk-footer, .govuk-skip-link, .llais-language, " \
         "main button, main .govuk-button, input[type=submit], .govuk-back-link"
"""What is for the screen only: a sheet of paper cannot be navigated, switched to Welsh or pressed."""
SCREEN_ONLY_WORDS = ("Sign out", "Cymraeg", "Skip to main content", "(/")
"""Words of the screen's chrome, and a link's address printed after it (an id a reader cannot follow on paper)."""
BROKEN_WORDS = """() => {
  const broken = [];
  const walker = document.createTreeWalker(document.querySelector('main'), NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const m of node.data.matchAll(/[\\p{L}’']{2,}/gu)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      const lines = new Set([...range.getClientRects()].filter(r => r.width).map(r => Math.round(r.top)));
      if (lines.size > 1) broken.push(m[0]);
    }
  }
  return broken;
}"""
"""The words of the page's main part that a line break cuts in two: on paper, "Communicati / on" is not read."""


def _flat(text: str) -> str:
    """Text without its spacing: a PDF breaks lines where the page wrapped them."""
    return re.sub(r"\s+", "", text)


def printed(page: Page, name: str) -> str:
    """The page as print shows it, checked to fit A4's width and to hide the screen's chrome, then printed to PDF:
    the PDF's text."""
    screen = page.viewport_size
    page.emulate_media(media="print")
    page.set_viewport_size({"width": PRINTED_WIDTH, "height": screen["height"]})
    try:
        wide = width_finding(page)
        assert wide is None, f"{name} printed is cut off at the right edge of A4: {wide}"
        shown = page.evaluate("""selector => [...document.querySelectorAll(selector)]
            .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
            .map(e => e.tagName.toLowerCase() + '.' + [...e.classList].join('.') + ' “' + e.innerText.trim().slice(0, 40) + '”')""",
                              CHROME)
        assert not shown, f"{name} printed shows what is for the screen only: {shown}"
        broken = page.evaluate(BROKEN_WORDS)
        assert not broken, f"{name} printed breaks words across lines: {broken}"
        pdf = page.pdf(format="A4", margin={side: f"{MARGIN_MM}mm" for side in ("top", "right", "bottom", "left")})
    finally:
        page.emulate_media(media="screen")
        page.set_viewport_size(screen)
    text = "\n".join(sheet.extract_text() for sheet in PdfReader(io.BytesIO(pdf)).pages)
    for words in SCREEN_ONLY_WORDS:
        assert _flat(words) not in _flat(text), f"{name} printed says {words!r}, which is for the screen only"
    return text


def assert_on_paper(text: str, name: str, *expected: str) -> None:
    missing = [words for words in expected if _flat(words) not in _flat(text)]
    assert not missing, f"{name} printed lacks {missing}; its text reads: {text[:600]!r}"


def test_the_referral_the_case_and_the_report_print_legibly_on_a4(page: Page, web, base):
    follow_on = follow_on_of_a_take_up(web)
    opened = requests.post(f"{base}/api/v1/cases", timeout=10, json={"referral_id": follow_on,
                                                                     "consents_to_case_file": True},
                           headers={"Authorization": f"Bearer {handlers.create_token(web.gateway, web.advocate)}"})
    assert opened.status_code == 201, opened.text
    sign_in(page, base, web.manager)

    for name, path, expected in [
        ("referral", f"/referrals/{follow_on}", ("Cerys Jones",)),
        ("case", f"/cases/{opened.json()['id']}", ("Cerys Jones",)),
        ("report", "/reports", ("National Reporting Template", "Active Offer referrals received")),
    ]:
        page.goto(f"{base}{path}")
        snapshot(page, f"print-{name}")  # the manager's own view of each, as the screen shows it
        heading = page.locator("main h1").first.inner_text()
        assert_on_paper(printed(page, name), name, heading, *expected)
