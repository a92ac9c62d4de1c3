"""A manager looks after a council's API keys in a real browser, in English and Welsh and on a phone's screen: sees
when the key was last used, rotates it (the new key shown once, both working through the overlap) and revokes the new
one after confirming, which stops it at once."""

from __future__ import annotations

import re

import requests
from playwright.sync_api import Page, expect

from services.gateway import handlers
from services.gateway.domain import parse_credential
from tests.e2e.browser.conftest import in_both_languages, sign_in, snapshot


def answered(base: str, key: str) -> int:
    return requests.get(f"{base}/api/v1/referrals", headers={"Authorization": f"Bearer {key}"},
                        timeout=10).status_code


def test_a_manager_rotates_a_councils_key_and_revokes_one(page: Page, web, base):
    old = handlers.create_api_key(web.gateway, web.councils, "CARDIFF", "Mosaic production")
    assert answered(base, old) == 200
    page.set_viewport_size({"width": 375, "height": 667})
    sign_in(page, base, web.manager)
    page.goto(f"{base}/api-keys")
    in_both_languages(page, "api-keys", "Allweddi API y cynghorau")
    card = page.locator(".govuk-summary-card", has_text=parse_credential(old).key_id)
    expect(card).to_contain_text("Cardiff")
    expect(card).not_to_contain_text("Never")

    card.get_by_role("link", name=re.compile("^Rotate")).click()
    in_both_languages(page, "api-key-rotate", "Am ba hyd y dylai'r hen allwedd barhau i weithio?")
    page.locator("input[name=overlap][value='168']").check()
    page.get_by_role("button", name="Make the new key").click()
    expect(page.locator(".govuk-panel")).to_contain_text("The new key is made")
    snapshot(page, "api-key-new")
    new = page.locator("#new-key").inner_text().strip()
    assert (answered(base, old), answered(base, new)) == (200, 200)

    page.get_by_role("link", name="Back to API keys").click()
    expect(page.locator(".govuk-summary-card", has_text=parse_credential(old).key_id)).to_contain_text(
        "Rotated: works until")
    fresh = page.locator(".govuk-summary-card", has_text=parse_credential(new).key_id)
    fresh.get_by_role("link", name=re.compile("^Revoke")).click()
    in_both_languages(page, "api-key-revoke", "Dirymu'r allwedd Mosaic production?")
    page.get_by_role("button", name="Yes, revoke the key").click()
    expect(page.locator("body")).to_contain_text(f"The key {parse_credential(new).key_id} is revoked")
    assert (answered(base, old), answered(base, new)) == (200, 401)
