"""Provider staff take two Active Offer referrals from received to closed through the web forms alone."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import requests
from playwright.sync_api import Page, expect

from tests.e2e.browser.conftest import in_both_languages, sign_in, sign_out, snapshot
from tests.examples import example_referral

LONDON = ZoneInfo("Europe/London")


def about_the_child(page: Page, given_name: str) -> None:
    """The first page of /refer answered for a child of 12 called `given_name` Jones, who prefers Welsh."""
    page.locator("#given_name").fill(given_name)
    page.locator("#family_name").fill("Jones")
    page.locator("#date_of_birth-day").fill("2")
    page.locator("#date_of_birth-month").fill("5")
    page.locator("#date_of_birth-year").fill(str(datetime.now().year - 12))
    page.locator("input[name=preferred_language][value=cy]").check()
    page.locator("input[name=interpreter_needed][value=no]").check()


def submit(page: Page) -> None:
    page.locator("main button[type=submit]").first.click()


def refer_through_the_form(page: Page, base: str, web, given_name: str) -> str:
    """Refer a child on the form as the council's social worker: the reference the sent page gives them."""
    sign_in(page, base, web.cardiff_referrer)
    expect(page.get_by_role("heading", name="Your council's referrals")).to_be_visible()
    in_both_languages(page, "referrer-home", "Atgyfeirio plentyn")
    page.get_by_role("button", name="Refer a child").click()
    in_both_languages(page, "refer-child", "Parhau")  # before typing: changing language reloads the page
    about_the_child(page, given_name)
    submit(page)
    in_both_languages(page, "refer-contact", "Parhau")
    page.locator("#phone").fill("07700 900982")
    submit(page)
    in_both_languages(page, "refer-about", "Parhau")
    page.locator("input[name=kind][value=active_offer]").check()
    page.locator("input[name=basis][value=looked_after]").check()
    submit(page)
    in_both_languages(page, "refer-equality", "Parhau")
    page.get_by_label("Chose not to say").first.check()
    submit(page)
    in_both_languages(page, "refer-consent", "Parhau")
    for flag in ("child_informed", "child_agrees", "share_arrangements_with_referrer", "share_outcome_with_referrer"):
        page.locator(f"input[name={flag}][value=yes]").check()
    submit(page)
    page.locator("#name").fill("Siân Roberts")
    page.locator("input[name=preferred_language][value=en]").check()
    submit(page)
    expect(page.get_by_role("heading", name="Check your answers")).to_be_visible()
    expect(page.locator(".govuk-summary-list")).to_contain_text(given_name)
    in_both_languages(page, "refer-check", "Gwiriwch eich atebion")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Referral sent")).to_be_visible()
    reference = page.locator(".govuk-panel__body strong").inner_text().strip()
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}", reference), reference
    in_both_languages(page, "refer-sent", "Beth sy'n digwydd nesaf")
    page.get_by_role("link", name="See your council's referrals").click()
    expect(page.locator("main tbody tr", has_text=f"{given_name} Jones")).to_contain_text(reference)
    sign_out(page)
    return reference


def refer_through_the_api(web, base: str, given_name: str) -> str:
    body = example_referral()
    body["child"]["given_name"] = given_name
    answer = requests.post(f"{base}/api/v1/referrals", json=body, timeout=10,
                           headers={"Authorization": f"Bearer {web.api_key()}"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def open_referral(page: Page, base: str, given_name: str) -> None:
    """From the referrals list, open the child's referral: it is there at once, however recently it was made."""
    page.goto(f"{base}/referrals")
    page.get_by_role("link", name=re.compile(f"^{given_name} Jones")).first.click()


def allocate(page: Page, base: str, given_name: str, advocate: str) -> None:
    open_referral(page, base, given_name)
    page.get_by_role("button", name="Allocate").click()
    page.locator("#advocate_email").select_option(advocate)
    submit(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("allocated")


def contact_and_arrange(page: Page, base: str, given_name: str, starts: datetime, screenshots: bool) -> None:
    open_referral(page, base, given_name)
    page.get_by_role("button", name="Record a contact attempt").click()
    if screenshots:
        in_both_languages(page, "step-contact", "Cofnodi'r ymgais")
    page.locator("input[name=method][value=phone]").check()
    page.locator("input[name=result][value=reached]").check()
    submit(page)
    expect(page.locator(".govuk-notification-banner--success")).to_be_visible()
    page.get_by_role("button", name="Arrange the meeting").click()  # at once: no waiting for the bus
    if screenshots:
        in_both_languages(page, "step-arrange", "Trefnu'r cyfarfod")
    page.locator("#day-day").fill(str(starts.day))
    page.locator("#day-month").fill(str(starts.month))
    page.locator("#day-year").fill(str(starts.year))
    page.locator("#time").fill(starts.strftime("%H:%M"))
    page.locator("#duration_minutes").fill("30")
    page.locator("#venue_name").fill("Ysgol y Wern")
    page.locator("input[name=accessible][value=yes]").check()
    page.locator("input[name=risk_assessed][value=yes]").check()
    page.locator("input[name=language][value=cy]").check()
    submit(page)
    assert page.locator(".govuk-notification-banner--success").count(), page.locator("main").inner_text()[:500]


def record(page: Page, base: str, given_name: str, outcome: str, screenshots: bool) -> None:
    open_referral(page, base, given_name)
    page.get_by_role("button", name="Record the meeting").click()
    if screenshots:
        in_both_languages(page, "step-record", "Cofnodi'r cyfarfod")
    page.locator("input[name=took_place][value=yes]").check()
    page.locator(f"input[name=outcome][value={outcome}]").check()
    for topic in ("advocate_role", "how_to_complain", "meic_and_commissioner"):
        page.locator(f"input[name=topics_covered][value={topic}]").check()
    page.locator("input[name=left_with_child][value=contact_card]").check()
    if outcome in ("declined", "reflecting"):
        page.locator("input[name=contact_details_given][value=yes]").check()
    if outcome == "declined":
        page.locator("input[name=decline_reason_code][value=support_elsewhere]").check()
        page.locator("#decline_reason_note").fill("Happy with the support already in place")
    submit(page)
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("recorded")
    expect(page.locator("main h1")).to_contain_text("Closed")  # the referral closed by the outcome, no reload


def test_two_active_offers_from_received_to_closed_through_the_forms(page: Page, web, base):
    reference = refer_through_the_form(page, base, web, "Cerys")
    refer_through_the_api(web, base, "Dylan")

    sign_in(page, base, web.manager)
    expect(page.get_by_role("heading", name="Waiting to be allocated")).to_be_visible()
    in_both_languages(page, "home-manager", "Yn aros i gael eu dyrannu")
    page.goto(f"{base}/referrals")
    page.locator("#search").fill(reference)
    page.locator("form.llais-filters").get_by_role("button").first.click()
    expect(page.locator("main tbody")).to_contain_text("Cerys Jones")  # the reference the social worker was given
    expect(page.locator("main tbody")).to_contain_text(reference)
    allocate(page, base, "Cerys", web.advocate)
    in_both_languages(page, "referral-allocated", "Llinell amser")
    allocate(page, base, "Dylan", web.second_advocate)
    page.goto(f"{base}/referrals?status=allocated")
    in_both_languages(page, "referrals", "Atgyfeiriadau")
    sign_out(page)

    starts = (datetime.now(LONDON) + timedelta(minutes=3)).replace(second=0, microsecond=0)  # both arranged by then
    sign_in(page, base, web.advocate)
    contact_and_arrange(page, base, "Cerys", starts, screenshots=True)
    sign_out(page)
    sign_in(page, base, web.second_advocate)
    contact_and_arrange(page, base, "Dylan", starts, screenshots=False)
    page.goto(base)
    expect(page.locator("main")).to_contain_text("Dylan Jones")  # today's meetings
    in_both_languages(page, "home-advocate", "Cyfarfodydd heddiw")
    sign_out(page)

    time.sleep(max(0.0, (starts - datetime.now(LONDON)).total_seconds()) + 1)
    sign_in(page, base, web.advocate)
    record(page, base, "Cerys", "take_up", screenshots=True)
    expect(page.locator("main")).to_contain_text("Take-up")
    for step in ("Meeting arranged", "Meeting took place", "Active Offer completed"):  # who did it, not "Llais"
        expect(page.locator(".llais-timeline li", has_text=step)).to_contain_text(web.advocate)
    sign_out(page)
    sign_in(page, base, web.second_advocate)
    record(page, base, "Dylan", "declined", screenshots=False)
    expect(page.locator("main")).to_contain_text("Declined")
    sign_out(page)

    sign_in(page, base, web.cardiff_referrer)
    page.locator("main tbody a").last.click()  # newest first: Cerys, referred first, is last
    expect(page.locator("main")).to_contain_text("Closed")
    expect(page.locator("main")).to_contain_text("Take-up")
    snapshot(page, "referral-council")


def test_back_and_refresh_after_a_page_with_errors_send_nothing_again_and_every_question_links_back(page: Page, web,
                                                                                                 base):
    """A question page posted with errors is shown again at its own address (redirect after POST): Refresh reads it,
    Back returns to the pages before, and the browser never asks to confirm a form's resubmission."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, base, web.cardiff_referrer)
    page.get_by_role("button", name="Refer a child").click()
    expect(page.locator("main a.govuk-back-link")).to_have_attribute("href", "/")
    about_the_child(page, "Efa")
    submit(page)
    expect(page).to_have_url(f"{base}/refer/contact")
    expect(page.locator("main a.govuk-back-link")).to_have_attribute("href", "/refer/child")
    page.locator("#carer_phone").fill("ring the carer")
    submit(page)
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the carer's phone number")
    expect(page).to_have_url(f"{base}/refer/contact")
    refreshed = page.reload()
    assert refreshed is not None and refreshed.request.method == "GET", "Refresh reads the page, sends nothing"
    page.locator("#carer_phone").fill("07700 900982")
    submit(page)
    expect(page).to_have_url(f"{base}/refer/about")
    went_back = page.go_back()
    assert went_back is None or went_back.request.method == "GET"
    expect(page).to_have_url(f"{base}/refer/contact")
    expect(page.locator("main h1")).to_contain_text("How can the advocate contact the child?")
    page.go_back()
    expect(page.locator("main h1")).to_contain_text("How can the advocate contact the child?")
    page.locator("main a.govuk-back-link").click()
    expect(page).to_have_url(f"{base}/refer/child")
    expect(page.locator("#given_name")).to_have_value("Efa")
    page.locator(".llais-language").get_by_role("link", name="Cymraeg").click()
    expect(page.locator("main a.govuk-back-link")).to_have_text("Yn ôl")
    snapshot(page, "refer-child-back")
    page.locator(".llais-language").get_by_role("link", name="English").click()
    assert dialogs == [], f"no dialog: {dialogs}"
    sign_out(page)
