"""The Active Offer meeting's record in a real browser, on a phone's screen and in Welsh: the advocate ticks what the
meeting covered and what was left, chooses why the child declined and says the contact details were given; the
staff page says it all in words; the social worker, whose child agreed to share the outcome, sees who met the child
and the support they go on to."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import requests
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import sign_in
from tests.e2e.browser.test_advocate_day import VENUE, bearer, submit
from tests.e2e.browser.test_manager_and_social_worker_day import PHONE, fits_a_phone
from tests.examples import example_referral


def referred_by_the_social_worker(web, starts: datetime) -> str:
    """Through the API: the Cardiff social worker's referral, the outcome shared, allocated, its meeting at `starts`."""
    body = example_referral()
    body["child"]["given_name"] = "Elen"
    body["referrer"] = {**body["referrer"], "email": web.cardiff_referrer}
    body["consent"] = {**body["consent"], "share_outcome_with_referrer": True}
    referral_id = requests.post(f"{web.url}/api/v1/referrals", json=body, timeout=10,
                                headers={"Authorization": f"Bearer {web.api_key()}"}).json()["id"]
    assert requests.post(f"{web.url}/api/v1/referrals/{referral_id}/allocate", json={"advocate_email": web.advocate},
                         headers=bearer(web, web.manager), timeout=10).status_code == 200
    meeting = requests.post(f"{web.url}/api/v1/referrals/{referral_id}/meetings", headers=bearer(web, web.advocate),
                            json={"starts_at": starts.isoformat(), "duration_minutes": 30, "venue": VENUE},
                            timeout=10)
    assert meeting.status_code == 201, meeting.text
    return referral_id


def test_a_meeting_declined_is_recorded_from_the_lists_in_welsh_on_a_phone(page: Page, web, base):
    starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=3)
    referral_id = referred_by_the_social_worker(web, starts)
    sign_in(page, base, web.advocate)
    page.context.add_cookies([{"name": "llais_language", "value": "cy", "url": base}])
    time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds()) + 0.2)
    page.goto(f"{base}/referrals/{referral_id}/record")
    expect(page.locator("body")).to_contain_text("Meic a Chomisiynydd Plant Cymru")
    fits_a_phone(page, "record-meeting")
    page.set_viewport_size(PHONE)
    page.locator("input[name=took_place][value=yes]").check()
    page.locator("input[name=outcome][value=declined]").check()
    for topic in ("advocate_role", "confidentiality", "how_to_complain"):
        page.locator(f"input[name=topics_covered][value={topic}]").check()
    page.locator("input[name=left_with_child][value=contact_card]").check()
    page.locator("input[name=contact_details_given][value=yes]").check()
    page.locator("input[name=decline_reason_code][value=speaks_for_themselves]").check()
    page.locator("#decline_reason_note").fill("Mae hi'n hyderus yn ei hadolygiad")
    submit(page)
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    page.goto(f"{base}/referrals/{referral_id}")
    main = page.locator("main")
    expect(main).to_contain_text("Cyfrinachedd a'i derfynau")
    expect(main).to_contain_text("Cerdyn gyda manylion cyswllt y gwasanaeth")
    expect(main).to_contain_text("Eisiau siarad drosto'i hun")
    fits_a_phone(page, "meeting-recorded")

    page.context.clear_cookies()
    sign_in(page, base, web.cardiff_referrer)
    page.context.add_cookies([{"name": "llais_language", "value": "cy", "url": base}])
    page.goto(f"{base}/referrals/{referral_id}")
    expect(page.locator("main")).to_contain_text(web.advocate)
    expect(page.locator("main")).to_contain_text("Dim am y tro: rhoddwyd manylion cyswllt y gwasanaeth")
    expect(page.locator("main")).not_to_contain_text("hyderus")
    fits_a_phone(page, "social-worker-outcome")
