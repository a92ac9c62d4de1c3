"""An advocate's day in a real browser, in English and Welsh: they meet a child who takes advocacy up and record
what the child wants help with; the issue-based referral that opens is theirs at once, carries the child's words and
offers no Active Offer steps; and a meeting they must move past the statutory meeting asks them why and puts the
deadline at risk."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import requests
from playwright.sync_api import Page, expect

from services.gateway import handlers
from tests.e2e.browser.conftest import in_both_languages, sign_in, snapshot
from tests.examples import example_referral

VENUE = {"name": "Ysgol y Wern", "accessible": True, "risk_assessed": True}
WORDS = "I want to see my brother more often"


def bearer(web, email: str) -> dict:
    return {"Authorization": f"Bearer {handlers.create_token(web.gateway, email)}"}


def allocated_with_a_meeting(web, given_name: str, starts: datetime, statutory: datetime | None = None) -> str:
    """Through the API: an Active Offer referral allocated to the advocate, its meeting arranged at `starts`."""
    body = example_referral()
    body["child"]["given_name"] = given_name
    if statutory is not None:
        body["statutory_meeting_at"] = statutory.isoformat()
    referral_id = requests.post(f"{web.url}/api/v1/referrals", json=body, timeout=10,
                                headers={"Authorization": f"Bearer {web.api_key()}"}).json()["id"]
    assert requests.post(f"{web.url}/api/v1/referrals/{referral_id}/allocate", json={"advocate_email": web.advocate},
                         headers=bearer(web, web.manager), timeout=10).status_code == 200
    meeting = requests.post(f"{web.url}/api/v1/referrals/{referral_id}/meetings", headers=bearer(web, web.advocate),
                            json={"starts_at": starts.isoformat(), "duration_minutes": 30, "venue": VENUE}, timeout=10)
    assert meeting.status_code == 201, meeting.text
    return referral_id


def submit(page: Page) -> None:
    page.locator("main form button[type=submit]").first.click()


def deadlines_shown(page: Page) -> str:
    """The referral page's deadlines, once scheduling has counted them (the page is read again until then)."""
    for _ in range(50):
        panel = page.locator(".govuk-grid-column-one-third").first.inner_text()
        if "Acknowledgement" in panel or "Cydnabod" in panel:
            return panel
        time.sleep(0.2)
        page.reload()
    raise AssertionError("no deadlines shown")


def test_the_take_ups_referral_is_the_advocates_with_the_childs_words_and_no_active_offer_steps(page: Page, web,
                                                                                            base):
    starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=3)
    referral_id = allocated_with_a_meeting(web, "Nia", starts)
    sign_in(page, base, web.advocate)
    page.goto(f"{base}/referrals/{referral_id}")
    time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds()) + 0.2)  # recorded once it has begun
    page.get_by_role("button", name="Record the meeting").click()
    in_both_languages(page, "day-record-take-up", "Gyda beth mae'r plentyn eisiau help")
    page.locator("input[name=took_place][value=yes]").check()
    page.locator("input[name=outcome][value=take_up]").check()
    page.locator("input[name=topics_covered][value=advocate_role]").check()
    page.locator("#wants_help_with").fill(WORDS)
    submit(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("A new issue-based referral")

    page.get_by_role("link", name="the issue-based referral it opened").click()
    expect(page.locator("main h1")).to_contain_text("Allocated")
    main = page.locator("main")
    expect(main).to_contain_text(WORDS)
    expect(main).to_contain_text(web.advocate)
    expect(main.get_by_role("button", name="Open a case")).to_be_visible()
    for active_offer_step in ("Arrange the meeting", "Reschedule the meeting", "Record the meeting"):
        expect(main.get_by_role("button", name=active_offer_step)).to_have_count(0)
    shown = deadlines_shown(page)
    assert "Active Offer meeting" not in shown and "First contact" in shown, shown
    in_both_languages(page, "day-follow-on", "Wedi'i ddyrannu")

    page.get_by_role("button", name="Open a case").click()
    page.locator("input[name=consents][value=yes]").check()
    submit(page)
    page.get_by_role("button", name="Close the case").click()
    page.locator("input[name=outcome][value=moved_away]").check()
    submit(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The case is closed")
    follow_on = page.url.rstrip("/").split("/")[-1]
    for _ in range(50):  # the referral hears of the closure over the bus
        page.goto(f"{base}/referrals/{follow_on}")
        if "Closed" in page.locator("main h1").inner_text():
            break
        time.sleep(0.2)
    expect(page.locator("main h1")).to_contain_text("Closed")

    page.goto(f"{base}/cases/{follow_on}/record")  # the child's own record, in their language (Welsh)
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    expect(page.locator(".llais-header")).to_be_visible()
    expect(page.locator("main h1")).to_have_text("Dy gofnod eiriolaeth")
    expect(page.locator("main")).to_contain_text("Daeth dy eiriolaeth i ben ar")
    expect(page.locator("main")).to_contain_text("symudaist ti i ffwrdd")
    snapshot(page, "day-child-record")
    page.locator(".llais-language").get_by_role("link", name="English").click()  # the same record, in English
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("main")).to_contain_text("you moved away")
    snapshot(page, "day-child-record")


def reschedule_late(page: Page, statutory: datetime, welsh: bool) -> None:
    expect(page.locator("#meeting-now")).to_contain_text("Lleoliad" if welsh else "Venue")
    expect(page.locator("#time")).not_to_have_value("")  # the meeting as it stands, filled in
    expect(page.locator("#venue_name")).not_to_have_value("")
    later = statutory + timedelta(days=3)
    page.locator("#day-day").fill(str(later.day))
    page.locator("#day-month").fill(str(later.month))
    page.locator("#day-year").fill(str(later.year))
    page.locator("#time").fill("14:00" if welsh else "10:00")  # one advocate's diary: not both at once
    page.locator("#reason").fill("Mae Osian yn sâl" if welsh else "The child is unwell")
    submit(page)
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Mae'r cyfarfod ar ôl ei derfyn amser" if welsh else
                                    "The meeting is after its deadline")
    snapshot(page, "day-reschedule-late-refused")
    page.locator("#late_reason").fill("Yn yr ysbyty tan hynny" if welsh else "In hospital until then")
    submit(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Mae'r cyfarfod wedi'i aildrefnu" if welsh else "The meeting is rescheduled")
    panel = page.locator(".govuk-grid-column-one-third").first
    expect(panel).to_contain_text("Mewn perygl" if welsh else "At risk")
    snapshot(page, "day-rescheduled-late")


def test_moving_a_meeting_past_the_statutory_meeting_asks_why_and_puts_it_at_risk_in_both_languages(page: Page,
                                                                                                   web, base):
    statutory = (datetime.now(timezone.utc) + timedelta(days=5)).replace(hour=10, minute=0, second=0, microsecond=0)
    english = allocated_with_a_meeting(web, "Osian", statutory - timedelta(days=2), statutory)
    welsh = allocated_with_a_meeting(web, "Osian", statutory - timedelta(days=2, hours=-2), statutory)
    sign_in(page, base, web.advocate)

    page.goto(f"{base}/referrals/{english}")
    page.get_by_role("button", name="Reschedule the meeting").click()
    in_both_languages(page, "day-reschedule", "Aildrefnu'r cyfarfod")
    reschedule_late(page, statutory, welsh=False)

    page.goto(f"{base}/referrals/{welsh}")
    page.locator(".llais-language").get_by_role("link", name="Cymraeg").click()
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    page.get_by_role("button", name="Aildrefnu'r cyfarfod").click()
    reschedule_late(page, statutory, welsh=True)


def test_at_the_end_of_the_day_a_complainant_asks_for_the_answer_to_be_looked_at_again(page: Page, web, base):
    manager = bearer(web, web.manager)
    made = requests.post(f"{base}/api/v1/complaints", headers=manager, timeout=10, json={
        "kind": "complaint", "made_by": "child", "about": "Wnaeth neb fy ffonio", "language": "cy",
        "wants_reply": False})
    assert made.status_code == 201, made.text
    answered = requests.post(f"{base}/api/v1/complaints/{made.json()['id']}/respond", headers=manager, timeout=10,
                             json={"outcome": "partly_upheld", "summary": "The advocate was ill"})
    assert answered.status_code == 200, answered.text
    page.goto(f"{base}/complaints/followed/{made.json()['tracking_key']}")
    in_both_languages(page, "complaint-look-again", "Ddim yn hapus gyda'n hateb?")
    page.get_by_role("button", name="Ask us to look at it again").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    snapshot(page, "complaint-look-again-refused")
    page.locator("#reason").fill("Nobody said sorry")
    page.get_by_role("button", name="Ask us to look at it again").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("We will look at your complaint again")
    expect(page.locator("main")).to_contain_text("You asked us to look at it again on")
    expect(page.get_by_role("button", name="Ask us to look at it again")).to_have_count(0)
    snapshot(page, "complaint-look-again-asked")
