"""A manager's day and a council social worker's day on the web forms, in a real browser, in English and Welsh, on a
desk's screen and a phone's (375 by 667: no page wider than the screen)."""

from __future__ import annotations

import requests
from playwright.sync_api import Page, expect

from services.gateway import handlers
from tests.e2e.browser.conftest import in_both_languages, sign_in, sign_out, snapshot
from tests.e2e.browser.test_casework_pages import follow_on_of_a_take_up
from tests.e2e.browser.words import width_finding
from tests.examples import example_referral

PHONE = {"width": 375, "height": 667}


def bearer(web, email: str) -> dict:
    return {"Authorization": f"Bearer {handlers.create_token(web.gateway, email)}"}


def referred(web, given: str, family: str, *, council: str = "CARDIFF", **changes) -> str:
    body = {**example_referral(), **changes}
    body["child"] = {**body["child"], "given_name": given, "family_name": family}
    answer = requests.post(f"{web.url}/api/v1/referrals", json=body, timeout=10,
                           headers={"Authorization": f"Bearer {web.api_key(council)}"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def fits_a_phone(page: Page, name: str) -> None:
    """The page as a phone shows it: nothing wider than the screen, still accessible, kept as a screenshot."""
    page.set_viewport_size(PHONE)
    page.reload()
    wide = width_finding(page)
    assert wide is None, f"{page.url} is {wide}"
    snapshot(page, f"{name}-phone")
    page.set_viewport_size({"width": 1280, "height": 800})


BROKEN_WORDS = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('main table td, main table th')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      for (const match of node.textContent.matchAll(/[^\\s\\-]+/g)) {
        const range = document.createRange();
        range.setStart(node, match.index);
        range.setEnd(node, match.index + match[0].length);
        const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
        if (tops.size > 1) broken.push(match[0]);
      }
    }
  }
  return broken;
}"""
"""The words (or parts of a hyphenated word) in the page's tables drawn on more than one line: each broken mid-word."""


def test_the_home_pages_tables_break_no_word_on_a_desk_and_fit_a_phone(page: Page, web, base):
    for given, family in (("Gwenllian-Angharad", "Llewelyn-Fitzgerald"), ("Maximilian", "Wolstenholme-Pritchard")):
        referred(web, given, family, external_ref=f"LONG-{given[:4].upper()}")
    sign_in(page, base, web.manager)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"{base}/")
    expect(page.locator("main table").first).to_be_visible()
    expect(page.locator("main table")).not_to_have_count(0)
    assert page.evaluate(BROKEN_WORDS) == [], "no word in a table breaks mid-word at 1280 px"
    fits_a_phone(page, "manager-home-long-names")
    sign_out(page)


def test_a_managers_day(page: Page, web, base):
    first = referred(web, "Heulwen", "Ap Rhys", external_ref="HAR-1")
    referred(web, "Heulwen", "Ap Rhys", external_ref="HAR-2", kind="issue_based", basis="care_and_support")
    complained = requests.post(f"{web.url}/api/v1/complaints", headers=bearer(web, web.manager), timeout=10, json={
        "kind": "complaint", "made_by": "parent", "about": "Nobody rang back", "name": "Lowri Ellis",
        "contact": {"email": "lowri@example.org"}, "wants_reply": True, "language": "en"})
    assert complained.status_code == 201, complained.text
    follow_on = follow_on_of_a_take_up(web)
    opened = requests.post(f"{web.url}/api/v1/cases", headers=bearer(web, web.advocate), timeout=10,
                           json={"referral_id": follow_on, "consents_to_case_file": True})
    assert opened.status_code == 201, opened.text
    asked = requests.post(f"{web.url}/api/v1/cases/{opened.json()['id']}/advocate-change-requests", timeout=10,
                          headers=bearer(web, web.advocate), json={"reason": "A Welsh speaker, please"})
    assert asked.status_code == 201, asked.text

    sign_in(page, base, web.manager)
    expect(page.get_by_role("heading", name="Complaints waiting for us")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Lowri Ellis")
    changes = page.locator("h2:has-text('Requests for a different advocate') + ul")
    expect(changes).to_contain_text("Cerys Jones")
    expect(page.locator("#capacity-waiting")).to_contain_text("referrals waiting, the oldest for 0 days")
    expect(page.locator("#caseloads tbody tr").first).to_be_visible()
    in_both_languages(page, "manager-home", "Cwynion sy'n aros amdanom ni")
    fits_a_phone(page, "manager-home")
    expect(page.locator("#caseloads")).to_be_visible()  # the caseloads stack on a phone, still there

    page.get_by_role("link", name="Referrals", exact=True).click()
    page.get_by_label("Child's name or reference").fill("heulwen ap rhys")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("caption")).to_have_text("2 referrals shown")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="HAR-1")).to_contain_text("Active Offer referral")
    expect(rows.filter(has_text="HAR-2")).to_contain_text("Issue-based referral")
    in_both_languages(page, "manager-referral-search", "Yn dangos 2 atgyfeiriad")
    page.goto(f"{base}/referrals")
    fits_a_phone(page, "manager-referrals")

    page.goto(f"{base}/referrals/{first}")
    expect(page.locator(".llais-timeline")).to_contain_text("Cardiff")
    expect(page.locator(".llais-timeline")).not_to_contain_text("CARDIFF")
    in_both_languages(page, "manager-referral", "Llinell amser")
    fits_a_phone(page, "manager-referral")

    page.get_by_role("link", name="Cases", exact=True).click()
    expect(page.locator("tbody")).to_contain_text("Cerys Jones")
    expect(page.locator("tbody")).to_contain_text("Asks for a different advocate")
    in_both_languages(page, "manager-cases", "Yn gofyn am eiriolwr gwahanol")
    fits_a_phone(page, "manager-cases")

    page.get_by_role("link", name="Complaints", exact=True).click()
    expect(page.locator("tbody")).to_contain_text("Lowri Ellis")
    in_both_languages(page, "manager-complaints", "Y cam nesaf yn ddyledus")
    fits_a_phone(page, "manager-complaints")
    sign_out(page)


def test_a_social_workers_day(page: Page, web, base):
    body = {**example_referral(), "external_ref": "SW-DAY-1",
            "referrer": {**example_referral()["referrer"], "email": web.cardiff_referrer}}
    body["child"] = {**body["child"], "given_name": "Gwenllian", "family_name": "Morgan"}
    answer = requests.post(f"{web.url}/api/v1/referrals", json=body, timeout=10,
                           headers={"Authorization": f"Bearer {web.api_key('CARDIFF')}"})
    assert answer.status_code == 201, answer.text
    requests.post(f"{web.url}/api/v1/referrals/{answer.json()['id']}/allocate", timeout=10,
                  headers=bearer(web, web.manager), json={"advocate_email": web.advocate})

    sign_in(page, base, web.cardiff_referrer)
    expect(page.get_by_role("heading", name="Your council's referrals")).to_be_visible()
    in_both_languages(page, "social-worker-home", "Atgyfeiriadau eich cyngor")
    fits_a_phone(page, "social-worker-home")

    page.get_by_role("link", name="Gwenllian Morgan").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Gwenllian Morgan")
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("SW-DAY-1")
    expect(summary).to_contain_text("Acknowledged")
    expect(summary).to_contain_text(web.advocate)  # the child agreed to share the arrangements
    in_both_languages(page, "social-worker-referral", "Yn ôl at atgyfeiriadau eich cyngor")
    fits_a_phone(page, "social-worker-referral")
    page.get_by_role("link", name="Back to your council's referrals").click()
    expect(page.get_by_role("heading", name="Your council's referrals")).to_be_visible()
    sign_out(page)
