"""A message in a real browser: a manager records a message left on the answer-phone on a Saturday night, sees it
awaiting an answer on their home page, records the answer, and links the referral it became, whose history then
says it came from the message; the message's page in Welsh on a phone's screen (375 pixels: no wider)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import requests
from playwright.sync_api import Page, expect

from shared.clock import LONDON
from tests.e2e.browser.conftest import in_both_languages, sign_in, snapshot
from tests.examples import example_referral

PHONE = {"width": 375, "height": 667}


def last_saturday() -> datetime:
    day = datetime.now(LONDON) - timedelta(days=1)
    while day.weekday() != 5:
        day -= timedelta(days=1)
    return day


def fill_when(page: Page, moment: datetime) -> None:
    page.locator("#day-day").fill(str(moment.day))
    page.locator("#day-month").fill(str(moment.month))
    page.locator("#day-year").fill(str(moment.year))


def test_a_message_left_on_the_answer_phone_is_answered_and_becomes_a_referral(page: Page, web, base):
    manager = web.user("manager", f"manager-{uuid.uuid4().hex[:6]}@provider.example")
    referral_id = requests.post(f"{base}/api/v1/referrals", json=example_referral(), timeout=10,
                                headers={"Authorization": f"Bearer {web.api_key('CARDIFF')}"}).json()["id"]
    sign_in(page, base, manager)

    page.get_by_role("link", name="Messages", exact=True).first.click()
    page.get_by_role("button", name="Record a message").click()
    in_both_languages(page, "message-new", "Sut daeth y neges?")
    page.get_by_role("button", name="Record the message").click()
    for said in ("Choose how the message came", "Choose who the message was from"):
        expect(page.locator(".govuk-error-summary")).to_contain_text(said)
    snapshot(page, "message-new-errors")

    page.locator("input[name=channel][value=answer_phone]").check()
    fill_when(page, last_saturday())
    page.locator("#time").fill("21:30")
    page.locator("input[name=from_whom][value=child]").check()
    page.locator("input[name=language][value=cy]").check()
    page.locator("#council").select_option("CARDIFF")
    page.locator("#note").fill("Mae Cerys eisiau siarad ag eiriolwr.")
    page.get_by_role("button", name="Record the message").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Answer-phone message")
    message_url = page.url

    page.goto(f"{base}/")
    expect(page.locator("body")).to_contain_text("Messages awaiting an answer")
    for _ in range(50):  # out of hours, once scheduling has started its clock
        page.goto(message_url)
        if "Being worked out" not in page.locator(".govuk-summary-list").inner_text():
            break
        page.wait_for_timeout(200)
    expect(page.locator(".govuk-summary-list")).to_contain_text("Yes")

    fill_when(page, datetime.now(LONDON))
    page.locator("#time").fill("00:00")
    page.locator("#answered_by").fill("Siân Evans")
    page.get_by_role("button", name="Record the answer").click()
    expect(page.locator(".govuk-summary-list")).to_contain_text("Siân Evans")

    page.locator("#referral_id").fill(referral_id[:8])
    page.get_by_role("button", name="Link the referral").click()
    expect(page.get_by_role("heading", name="It became a referral")).to_be_visible()

    page.set_viewport_size(PHONE)
    page.locator(".llais-language").get_by_role("link", name="Cymraeg").click()
    expect(page.locator("body")).to_contain_text("Daeth yn atgyfeiriad")
    width, screen = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"the message's page is {width} pixels wide on a {screen}-pixel screen"
    snapshot(page, "message-phone")
    page.locator(".llais-language").get_by_role("link", name="English").click()

    page.get_by_role("link", name="Go to the referral").click()
    expect(page.locator("body")).to_contain_text("came from message")
