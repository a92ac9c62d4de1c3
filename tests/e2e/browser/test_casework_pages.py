"""The case page, carried by an advocate from opening to closure, and the public complaint form, in a real browser
and in both languages."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import requests
from playwright.sync_api import Page, expect

from services.gateway import handlers
from tests.e2e.browser.conftest import in_both_languages, sign_in, sign_out, snapshot
from tests.examples import example_referral

VENUE = {"name": "Ysgol y Wern", "accessible": True, "risk_assessed": True}


def follow_on_of_a_take_up(web) -> str:
    """Through the API: an Active Offer taken up, and its issue-based follow-on allocated to the advocate."""
    def bearer(email: str) -> dict:
        return {"Authorization": f"Bearer {handlers.create_token(web.gateway, email)}"}

    manager, advocate = bearer(web.manager), bearer(web.advocate)
    post = lambda path, who, body: requests.post(f"{web.url}{path}", json=body, headers=who, timeout=10)  # noqa: E731
    referral_id = post("/api/v1/referrals", {"Authorization": f"Bearer {web.api_key()}"},
                       example_referral()).json()["id"]
    post(f"/api/v1/referrals/{referral_id}/allocate", manager, {"advocate_email": web.advocate})

    starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    meeting = post(f"/api/v1/referrals/{referral_id}/meetings", advocate,  # at once: no waiting for the bus
                   {"starts_at": starts.isoformat(), "duration_minutes": 15, "venue": VENUE})
    assert meeting.status_code == 201, meeting.text
    time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds()) + 0.2)  # recorded once it has begun
    recorded = post(f"/api/v1/meetings/{meeting.json()['id']}/record", advocate,
                    {"took_place": True, "outcome": "take_up"})
    assert recorded.status_code == 200, recorded.text
    follow_on = recorded.json()["follow_on_referral_id"]
    allocated = post(f"/api/v1/referrals/{follow_on}/allocate", manager, {"advocate_email": web.advocate})
    assert allocated.status_code == 200, allocated.text
    return follow_on


def submit(page: Page) -> None:
    page.locator("main form button[type=submit]").first.click()


def test_an_advocate_carries_a_case_from_opening_to_closure(page: Page, web, base):
    follow_on = follow_on_of_a_take_up(web)
    sign_in(page, base, web.advocate)
    page.goto(f"{base}/referrals/{follow_on}")
    page.get_by_role("button", name="Open a case").click()  # at once: casework knows of the allocation
    page.locator("input[name=consents][value=yes]").check()
    submit(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The case is open")
    in_both_languages(page, "case-opened", "Achos")

    page.get_by_role("button", name="Agree the plan").click()
    in_both_languages(page, "case-plan", "cynllun")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    page.locator("#text").fill("Help Cerys see her brother every month")
    page.locator("input[name=agreed][value=yes]").check()
    submit(page)
    page.get_by_role("button", name="Add an issue").click()
    page.locator("input[name=theme][value=contact]").check()
    page.locator("#description").fill("I want to see my brother more")
    submit(page)
    page.get_by_role("button", name="Record activity").click()
    page.locator("input[name=kind][value=meeting]").check()
    page.locator("input[name=contribution][value=jointly]").check()
    submit(page)
    expect(page.locator(".govuk-button--warning")).to_have_count(0)  # only a manager records a disclosure
    page.get_by_role("button", name="Record an issue's outcome").click()
    page.locator("#issue").select_option(index=1)
    page.locator("input[name=outcome][value=resolved]").check()
    submit(page)
    page.get_by_role("button", name="Close the case").click()
    page.locator("input[name=outcome][value=issues_resolved]").check()
    page.locator("#satisfaction").fill("5")
    submit(page)
    expect(page.locator("main")).to_contain_text("Satisfaction: 5 of 5")
    in_both_languages(page, "case-closed", "Achos")
    sign_out(page)


def test_a_child_complains_in_welsh_and_a_manager_handles_it(page: Page, web, base):
    page.goto(f"{base}/complaints/new")
    in_both_languages(page, "complaint-form", "Plant Cymru")
    page.get_by_role("link", name="Cymraeg").click()
    time.sleep(3)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    snapshot(page, "complaint-form-errors")
    page.locator("input[name=kind][value=complaint]").check()
    page.locator("input[name=made_by][value=child]").check()
    page.locator("#about").fill("Wnaeth fy eiriolwr ddim fy ffonio yn ôl")
    page.locator("#phone").fill("07700 900123")
    page.locator("input[name=wants_reply][value=yes]").check()
    page.locator("input[name=language][value=cy]").check()
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".govuk-panel")).to_be_visible()
    snapshot(page, "complaint-sent")
    followed = page.locator("main a[href*='/complaints/followed/']").get_attribute("href")
    page.goto(f"{base}{followed}")
    expect(page.locator("main")).to_contain_text("Eich cwyn")
    snapshot(page, "complaint-followed")

    page.get_by_role("link", name="English").click()
    sign_in(page, base, web.manager)
    page.goto(f"{base}/complaints")
    in_both_languages(page, "complaints", "Cwynion")
    page.locator("main tbody a").first.click()
    expect(page.locator("main")).to_contain_text("Wnaeth fy eiriolwr ddim fy ffonio yn ôl")
    in_both_languages(page, "complaint", "Cydnabod")
    page.get_by_role("button", name="Acknowledge the complaint").click()
    submit(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("acknowledged")
    page.get_by_role("button", name="Record the response").click()
    page.locator("input[name=outcome][value=upheld]").check()
    page.locator("#summary").fill("We are sorry. Your advocate will call you back today.")
    submit(page)
    expect(page.locator("main")).to_contain_text("Upheld")
    sign_out(page)
    page.goto(f"{base}{followed}")
    expect(page.locator("main")).to_contain_text("Your advocate will call you back today")
    in_both_languages(page, "complaint-answered", "Ein hateb")
