"""An administrator's day in a real browser, in English and Welsh: a Welsh-speaking advocate added, renamed and
offered first for a child who asked for Welsh, their password set with the one-time link, a locked-out colleague
unlocked, an account deactivated, and the last admin kept."""

from __future__ import annotations

import re
import uuid

import requests
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import PASSWORD, in_both_languages, sign_in, sign_out, snapshot
from services.gateway.web.people import person_ref
from tests.examples import example_referral

NEW_PASSWORD = "three unrelated words here"


def save(page: Page) -> None:
    page.get_by_role("button", name=re.compile("^(Save|Cadw)$")).click()


def open_person(page: Page, base: str, name: str) -> None:
    page.goto(f"{base}/staff")
    page.get_by_role("link", name=f"Change ({name})", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def test_an_admins_day(page: Page, web, base):
    suffix = uuid.uuid4().hex[:6]
    admin = web.user("admin", f"admin-{suffix}@provider.example")
    colleague = web.user("advocate", f"colleague-{suffix}@provider.example")
    elin = f"elin-{suffix}@provider.example"

    sign_in(page, base, admin)
    expect(page).to_have_url(f"{base}/staff")
    in_both_languages(page, "staff-list", "Aelodau staff")

    # a Welsh-speaking advocate joins
    page.get_by_role("button", name="Add a person").click()
    in_both_languages(page, "staff-new", "Ychwanegu person")
    save(page)
    for said in ("Enter their email address", "Enter their name", "Choose their role"):
        expect(page.locator(".govuk-error-summary")).to_contain_text(said)
    snapshot(page, "staff-new-errors")
    for language, said in (("en", "Choose the council a referrer works for"),
                           ("cy", "Dewiswch y cyngor y mae'r atgyfeiriwr yn gweithio iddo")):
        if language == "cy":
            page.locator(".llais-language").get_by_role("link", name="Cymraeg").click()
        page.locator("#email").fill(elin)
        page.locator("#name").fill("Elin Jones")
        page.locator("input[name=role][value=referrer]").check()
        save(page)
        expect(page.locator(".govuk-error-summary")).to_contain_text(said)
        snapshot(page, "staff-new-council-error")
    page.locator(".llais-language").get_by_role("link", name="English").click()
    page.locator("#email").fill(elin)
    page.locator("#name").fill("Elin Jones")
    page.locator("input[name=role][value=advocate]").check()
    page.locator("input[name=languages][value=cy]").check()
    save(page)
    expect(page.locator(".govuk-panel")).to_contain_text("The account is created")
    link = page.locator("#reset-link").inner_text()
    assert link.startswith(f"{base}/reset-password/")
    snapshot(page, "staff-link")

    # renamed
    open_person(page, base, "Elin Jones")
    expect(page.locator("main .govuk-tag")).to_have_text(["Invited: no password set yet"])
    in_both_languages(page, "staff-person", "Newid eu manylion")
    page.locator("#name").fill("Elin Roberts")
    save(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Elin Roberts's account is saved")
    sign_out(page)

    # Elin chooses her password with the link, in Welsh
    page.goto(link)
    in_both_languages(page, "password-reset", "Dewiswch eich cyfrinair")
    page.locator(".llais-language").get_by_role("link", name="Cymraeg").click()
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill("not the same password")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Nid yw'r ddau gyfrinair yr un peth")
    snapshot(page, "password-reset-errors")
    page.locator("#password").fill(NEW_PASSWORD)
    page.locator("#confirm").fill(NEW_PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.locator(".govuk-panel")).to_contain_text("Mae eich cyfrinair wedi'i osod")
    snapshot(page, "password-reset-done")
    page.locator(".llais-language").get_by_role("link", name="English").click()
    page.goto(link)
    expect(page.get_by_role("heading", name="This link has already been used")).to_be_visible()
    in_both_languages(page, "password-link-used", "Mae'r ddolen hon wedi'i defnyddio'n barod")
    sign_in(page, base, elin, NEW_PASSWORD)
    expect(page.locator(".llais-sign-out")).to_contain_text("Signed in as Elin Roberts")
    sign_out(page)

    # a manager allocating a Welsh-speaking child's referral sees her first, said to speak Welsh
    key = {"Authorization": f"Bearer {web.api_key()}"}
    body = example_referral()
    referral = requests.post(f"{base}/api/v1/referrals", headers=key, timeout=10,
                             json={**body, "child": {**body["child"], "preferred_language": "cy"}}).json()["id"]
    sign_in(page, base, web.manager)
    page.goto(f"{base}/referrals/{referral}/allocate")
    options = page.locator("#advocate_email option").all_inner_texts()
    assert options[1] == f"Elin Roberts ({elin}) – Welsh speaker", options
    in_both_languages(page, "allocate-welsh-speaker", "Siaradwr Cymraeg")
    sign_out(page)

    # a colleague locks themselves out and is unlocked
    for _ in range(5):
        sign_in(page, base, colleague, "not the password at all")
    expect(page.locator(".govuk-error-summary")).to_contain_text("ask an administrator to unlock your account now")
    snapshot(page, "sign-in-locked")
    page.locator(".llais-language").get_by_role("link", name="Cymraeg").click()
    sign_in(page, base, colleague, "not the password at all")
    expect(page.locator(".govuk-error-summary")).to_contain_text("gofynnwch i weinyddwr ddatgloi eich cyfrif nawr")
    snapshot(page, "sign-in-locked")
    page.locator(".llais-language").get_by_role("link", name="English").click()
    sign_in(page, base, admin)
    expect(page.locator("main")).to_contain_text("Locked out")
    open_person(page, base, colleague)
    page.get_by_role("button", name="Unlock their account").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("can sign in again now")
    sign_out(page)
    sign_in(page, base, colleague)
    expect(page.get_by_role("heading", name="Home", exact=True)).to_be_visible()
    sign_out(page)

    # Elin leaves; the last admin cannot leave too
    sign_in(page, base, admin)
    open_person(page, base, "Elin Roberts")
    expect(page.locator("main .govuk-tag")).to_have_text(["Active"])
    assert "@" not in page.url, "a person's address never carries their email"
    page.get_by_role("button", name="Deactivate their account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Elin Roberts?")
    expect(page.locator("main")).to_contain_text("They will be signed out and cannot sign in until reactivated")
    in_both_languages(page, "staff-deactivate", "Dadactifadu Elin Roberts?")
    page.get_by_role("button", name="Yes, deactivate their account").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("cannot sign in")
    expect(page.locator("main")).to_contain_text("Deactivated")
    open_person(page, base, admin)
    page.get_by_role("button", name="Deactivate their account").click()
    page.get_by_role("button", name="Yes, deactivate their account").click()
    expect(page.locator("main")).to_contain_text("This is the last active administrator")
    in_both_languages(page, "staff-last-admin", "Dyma'r gweinyddwr gweithredol olaf")
    page.goto(f"{base}/staff")
    expect(page.locator("main")).to_contain_text("Elin Roberts")

    # on a phone
    page.set_viewport_size({"width": 360, "height": 740})
    for path, name in (("/staff", "staff-list-phone"), (f"/staff/{person_ref(elin)}", "staff-person-phone")):
        page.goto(f"{base}{path}")
        assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), path
        snapshot(page, name)
    sign_out(page)
    sign_in(page, base, elin, NEW_PASSWORD)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address and password")
