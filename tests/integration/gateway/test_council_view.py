"""What a council's social worker sees of the referrals they made on the web forms: the reference they were given,
the child's name as they gave it, the acknowledgement, the advocate's name only where the child agreed to share the
arrangements (the API's rule), one row for each referral (a take-up's follow-on its own, told apart), and a way
back."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from shared.clock import LONDON
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.test_manager_day import (allocated, child, referred, searched, section, taken_up,
                                                        text_of, welsh)
from tests.integration.gateway.test_web_forms import errors_on, running_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "council-view", strict_queries=True)


@pytest.fixture(scope="module")
def staff(site):
    return {"manager": site.user("manager"), "advocate": site.user("advocate")}


def made_by(email: str, given: str, family: str, *, arrangements: bool = True, **changes) -> dict:
    """A referral the social worker `email` made through their council's system."""
    body = child(given, family, **changes)
    body["referrer"] = {**example_referral()["referrer"], "email": email}
    body["consent"] = {**body["consent"], "share_arrangements_with_referrer": arrangements}
    return body


def test_the_referral_sent_panel_shows_the_reference_as_the_panel_draws_it_not_as_escaped_markup(site, staff):
    """The sent page gave the start of the id, the social worker's list and record only their own reference: one
    reference now, the same on the sent page, their list and record, and the staff's, whose search finds it."""
    social_worker = site.signed_in(site.user("referrer", "CARDIFF"))
    born = ["2", "5", str(datetime.now().year - 12)]
    pages = {
        "child": {"given_name": "Sioned", "family_name": "Roberts", "date_of_birth": born,
                  "preferred_language": "cy", "interpreter_needed": "no"},
        "contact": {"phone": "07700 900123"},
        "about": {"kind": "active_offer", "basis": "looked_after", "external_ref": "MOSAIC-SR"},
        "equality": {},
        "consent": {flag: "yes" for flag in ("child_informed", "child_agrees", "share_arrangements_with_referrer",
                                             "share_outcome_with_referrer")},
        "you": {"name": "Sian Evans", "preferred_language": "en"},
    }
    for slug, data in pages.items():
        answer = social_worker.submit(f"/refer/{slug}", data)
        assert answer.status_code == 302, errors_on(answer)
    assert social_worker.submit("/refer/check", {}).headers["Location"] == "/refer/sent"
    sent = social_worker.get("/refer/sent").text
    panel = re.search(r'<div class="govuk-panel__body">(.*?)</div>', sent, re.S).group(1)
    assert "&lt;" not in panel, panel
    reference = re.search(r"Our reference<br><strong>([0-9A-Z]{4}-[0-9A-Z]{4})</strong>", panel).group(1)
    assert "Your reference: MOSAIC-SR" in text_of(panel)
    home = social_worker.get("/")
    assert "Sioned Roberts" in text_of(home) and reference in text_of(home), "their referral, by the child's name"
    row = next(text_of(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", home.text, re.S) if "Sioned Roberts" in r)
    assert f"{reference} (council reference MOSAIC-SR)" in row, row
    referral_id = next(re.search(r'href="/referrals/([0-9a-f-]{36})"', r).group(1)
                       for r in re.findall(r"<tr[^>]*>(.*?)</tr>", home.text, re.S) if "Sioned Roberts" in r)
    record = text_of(social_worker.get(f"/referrals/{referral_id}"))
    assert f"{reference} (council reference MOSAIC-SR)" in record, record
    manager = site.signed_in(staff["manager"])
    found = text_of(searched(manager, reference.lower().replace("-", "")))  # as a person might type it
    assert "Sioned Roberts" in found and f"reference {reference} (council reference MOSAIC-SR)" in found, found
    assert f"{reference} (council reference MOSAIC-SR)" in text_of(manager.get(f"/referrals/{referral_id}"))


def test_a_social_worker_sees_their_childs_name_the_acknowledgement_and_a_way_back(site, staff):
    email = site.user("referrer", "CARDIFF")
    referral_id = referred(site, made_by(email, "Tomos", "Ifan", external_ref="MOSAIC-TI"))
    social_worker = site.signed_in(email)
    page = wait_for(lambda: (answer := social_worker.get(f"/referrals/{referral_id}")).status_code == 200 and
                    "Not yet" not in answer.text and answer.text, what="the acknowledgement")
    said = text_of(page)
    assert "Tomos Ifan" in said and "MOSAIC-TI" in said and "Acknowledged" in said
    back = re.search(r'<a class="govuk-back-link" href="([^"]+)">([^<]+)</a>', page)
    assert back and back.group(1) == "/" and back.group(2) == "Back to your council's referrals"
    cymraeg = welsh(social_worker).get(f"/referrals/{referral_id}").text
    assert "Tomos Ifan" in text_of(cymraeg) and "Yn ôl at atgyfeiriadau eich cyngor" in cymraeg


def test_the_social_workers_page_says_one_status_and_a_review_given_as_a_day_without_a_time(site):
    """The tag said "Received" above "Acknowledged", and a review the form took as a date read "09:00"."""
    email = site.user("referrer", "CARDIFF")
    review = (datetime.now(LONDON) + timedelta(days=40)).replace(hour=9, minute=0, second=0, microsecond=0)
    referral_id = referred(site, made_by(email, "Elin", "Hughes", statutory_meeting_at=review.isoformat()))
    social_worker = site.signed_in(email)
    page = wait_for(lambda: (answer := social_worker.get(f"/referrals/{referral_id}")).status_code == 200 and
                    "Not yet" not in answer.text and answer.text, what="the acknowledgement")
    tag = re.search(r'<h1 class="govuk-heading-l">.*?<strong class="govuk-tag[^"]*">([^<]+)</strong>', page, re.S)
    assert tag and tag.group(1) == "Acknowledged", tag and tag.group(1)
    said = text_of(page)
    assert f"Meeting by {review.day} {review:%B %Y} " in said and "09:00" not in said, said
    row = next(text_of(r) for r in re.findall(r"<tr[^>]*>(.*?)</tr>", social_worker.get("/").text, re.S)
               if "Elin Hughes" in r)
    assert row.endswith("Acknowledged"), row


def test_another_social_worker_of_the_council_does_not_see_the_childs_name(site):
    email = site.user("referrer", "CARDIFF")
    referral_id = referred(site, made_by(email, "Urien", "Davies"))
    colleague = site.signed_in(site.user("referrer", "CARDIFF"))
    page = wait_for(lambda: (answer := colleague.get(f"/referrals/{referral_id}")).status_code == 200 and answer,
                    what="the referral")
    assert "Urien" not in page.text and "Urien" not in colleague.get("/").text


def test_the_advocates_name_is_shown_only_where_the_child_agreed_to_share_the_arrangements(site, staff):
    email = site.user("referrer", "CARDIFF")
    shared = referred(site, made_by(email, "Wil", "Gruffydd", arrangements=True))
    withheld = referred(site, made_by(email, "Yestyn", "Gruffydd", arrangements=False))
    for referral_id in (shared, withheld):
        allocated(site, staff["manager"], staff["advocate"], referral_id)
    social_worker = site.signed_in(email)
    assert staff["advocate"] in text_of(social_worker.get(f"/referrals/{shared}"))
    page = text_of(social_worker.get(f"/referrals/{withheld}"))
    assert "Yestyn Gruffydd" in page and staff["advocate"] not in page and "Advocate" not in page


def test_a_take_up_shows_its_follow_on_as_its_own_row_told_apart_from_the_active_offer(site, staff):
    email = site.user("referrer", "CARDIFF")
    body = made_by(email, "Zoe", "Parri", external_ref="MOSAIC-ZP")
    body["consent"] = {**body["consent"], "share_outcome_with_referrer": True}
    active_offer = referred(site, body)
    follow_on = taken_up(site, staff["manager"], staff["advocate"], active_offer)
    social_worker = site.signed_in(email)
    wait_for(lambda: social_worker.get(f"/referrals/{follow_on}").status_code == 200, what="the follow-on")
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', social_worker.get("/").text, re.S)
    ours = [text_of(row) for row in rows if "Zoe Parri" in row]
    assert len(ours) == 2 and len(set(ours)) == 2, ours
    assert any("Active Offer referral" in row for row in ours)
    assert any("Issue-based referral, opened when the child took up advocacy" in row for row in ours)
    page = social_worker.get(f"/referrals/{follow_on}").text
    assert f'href="/referrals/{active_offer}"' in page and "Issue-based referral" in page


def test_the_referral_list_says_how_many_in_words_in_welsh_as_well(site, staff):
    manager = welsh(site.signed_in(staff["manager"]))
    referral_id = referred(site, child("Aled", "Tudur", external_ref="CY-ONE"))
    wait_for(lambda: manager.get(f"/referrals/{referral_id}").status_code == 200, what="the referral")
    assert "Yn dangos 1 atgyfeiriad" in text_of(searched(manager, "CY-ONE"))
    timeline = section(manager.get(f"/referrals/{referral_id}").text, "Llinell amser")
    assert "Caerdydd" in timeline
