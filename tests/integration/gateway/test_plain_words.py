"""Every error a person can meet on the public forms and the staff's steps, walked through the running platform in
English and in Welsh: each names its field in the page's words, gives times as people write them, reads in Welsh
on a Welsh page, and is never a code (looked_after, late_reason), an ISO stamp, or WTForms' own text. Each question
page of /refer and /self-referral refuses what breaks its rules before the reader moves on."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
from wtforms.i18n import get_translations

from services.gateway.web import forms
from tests.integration.bus.support import wait_for
from tests.integration.gateway.test_web_forms import NEXT_YEAR, TOKEN, Visitor, allocated, errors_on, running_site

CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
STAMP = re.compile(r"\d{4}-\d{2}-\d{2}|T\d{2}:\d{2}|[+-]\d{2}:\d{2}\b")
WTFORMS_OWN = {said for text in forms.WTFORMS_DEFAULTS for said in (text, get_translations(["cy"]).gettext(text))}
YEAR_13 = str(datetime.now().year - 13)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "plain")


def said_on(page) -> list[str]:
    """Every error on the page: the summary's, then each field's own."""
    inline = [unescape(re.sub(r"<[^>]+>", "", m)).replace("Error:", "").replace("Gwall:", "").strip()
              for m in re.findall(r'class="govuk-error-message"[^>]*>(.*?)</p>', page.text, re.S)]
    return errors_on(page) + inline


def plain(english: list[str], welsh: list[str], where: str) -> None:
    assert english and welsh, f"{where}: no error shown"
    for said in english + welsh:
        assert not CODE.search(said), f"{where}: a code in {said!r}"
        assert not STAMP.search(said), f"{where}: a stamp in {said!r}"
        assert said not in WTFORMS_OWN, f"{where}: WTForms' own words {said!r}"
    assert not set(english) & set(welsh), f"{where}: English on the Welsh page: {set(english) & set(welsh)}"


def in_both(visitor: Visitor, act) -> tuple[list[str], list[str]]:
    """What `act` (a post) shows in English, then in Welsh."""
    visitor.http.cookies.set("llais_language", "en")
    english = said_on(act())
    visitor.http.cookies.set("llais_language", "cy")
    welsh = said_on(act())
    visitor.http.cookies.set("llais_language", "en")
    return english, welsh


CHILD = {"given_name": "Cai", "family_name": "Lewis", "date_of_birth": ["2", "5", YEAR_13],
         "preferred_language": "en", "interpreter_needed": "no"}
REFER_PAGES = [
    ("child", {**CHILD, "date_of_birth": ["31", "2", YEAR_13]}),
    ("child", {**CHILD, "date_of_birth": ["2", "5", NEXT_YEAR]}),
    ("child", {**CHILD, "preferred_language": "fr", "interpreter_needed": "perhaps"}),
    ("child", {**CHILD, "given_name": "Cai\u202e"}),
    ("contact", {"carer_name": "Mam"}),
    ("contact", {"phone": "call me", "email": "not-an-email"}),
    ("about", {"kind": "active_offer", "basis": "young_carer"}),
    ("about", {"kind": "issue_based", "basis": "care_leaver", "statutory_meeting_day": ["1", "1", "2020"]}),
    ("about", {"kind": "issue_based", "basis": "care_leaver", "placed_out_of_county": "maybe"}),
    ("consent", {}),
    ("you", {"name": "", "preferred_language": "de", "organisation_type": "guild"}),
]


@pytest.mark.parametrize("slug, data", REFER_PAGES)
def test_each_page_of_refer_refuses_on_itself_in_plain_words(site, slug, data):
    social_worker = site.signed_in(site.user("referrer", "CARDIFF"))
    english, welsh = in_both(social_worker, lambda: social_worker.submit(f"/refer/{slug}", data, follow=True))
    plain(english, welsh, f"/refer/{slug}")
    assert social_worker.get("/refer/check").headers["Location"] == "/refer/child", "nothing was kept"


def test_the_refer_contact_page_says_what_is_optional_and_refuses_all_blank(site):
    social_worker = site.signed_in(site.user("referrer", "CARDIFF"))
    page = social_worker.get("/refer/contact").text
    assert page.count("(optional)") == 5 and "Give at least one of these" in page
    refused = social_worker.submit("/refer/contact", {}, follow=True)
    assert errors_on(refused) == ["Give at least one way to contact the child or their carer: a phone number, an "
                                  "email address, an address or the carer's phone number."]
    social_worker.http.cookies.set("llais_language", "cy")
    assert social_worker.get("/refer/contact").text.count("(dewisol)") == 5


def test_an_active_offer_basis_is_asked_for_on_the_page_that_asks_in_words_not_codes(site):
    social_worker = site.signed_in(site.user("referrer", "CARDIFF"))
    refused = social_worker.submit("/refer/about", {"kind": "active_offer", "basis": "young_carer"}, follow=True)
    assert errors_on(refused) == ["For the Active Offer, choose one of the first three reasons: looked after, "
                                  "child protection, or care and support."]


SELF_PAGES = [
    ("about-you", {"given_name": "Nia", "family_name": "", "date_of_birth": ["2", "5", NEXT_YEAR],
                   "preferred_language": "en"}),
    ("about-you", {"given_name": "Nia", "family_name": "Evans", "date_of_birth": ["30", "2", YEAR_13],
                   "preferred_language": "xx"}),
    ("where-you-live", {"council": "ATLANTIS", "situation": "custody"}),
    ("contact", {}),
    ("contact", {"phone": "ring", "email": "nia at home", "carer_phone": "x"}),
    ("your-say", {"share": "perhaps"}),
]


@pytest.mark.parametrize("slug, data", SELF_PAGES)
def test_each_page_of_the_self_referral_refuses_on_itself_in_plain_words_to_the_child(site, slug, data):
    young_person = site.visitor()
    young_person.get("/self-referral")
    english, welsh = in_both(young_person, lambda: young_person.submit(f"/self-referral/{slug}", data, follow=True))
    plain(english, welsh, f"/self-referral/{slug}")
    for said in english:
        assert "the child" not in said and "address or" not in said, f"said to the child, about their form: {said}"
    for said in welsh:
        assert not re.search(r"\b(Rhowch|Dewiswch|eich|chi)\b", said), f"'ti' to the child: {said}"


def test_a_young_person_too_old_hears_it_on_the_check_page_and_beside_their_date_of_birth(site):
    young_person = site.visitor()
    young_person.get("/self-referral")
    time.sleep(3)
    pages = {"about-you": {"given_name": "Nia", "family_name": "Evans", "preferred_language": "cy",
                           "date_of_birth": ["2", "5", str(datetime.now().year - 30)]},
             "where-you-live": {"council": "GWYNEDD", "situation": "looked_after"},
             "contact": {"phone": "07700 900123"}, "your-say": {"share": "no"},
             "more-about-you": {}}
    for slug, data in pages.items():
        assert young_person.submit(f"/self-referral/{slug}", data).status_code == 302
    young_person.http.cookies.set("llais_language", "cy")
    refused = young_person.submit("/self-referral/check", {}, follow=True)
    (said,) = errors_on(refused)
    assert said == "Mae angen i ti fod o dan 18 oed i ofyn am eiriolwr yma, neu o dan 25 os wyt ti wedi gadael gofal."
    assert 'href="/self-referral/about-you?check=1"' in refused.text
    assert said in said_on(young_person.get("/self-referral/about-you?check=1")), "shown again where it was given"


COMPLAINTS = [
    ("/complaints/new", {}),
    ("/complaints/new", {"kind": "grumble", "made_by": "cat", "about": "x", "wants_reply": "yes",
                         "language": "fr", "council": "ATLANTIS", "email": "no"}),
    ("/complaints/new", {"kind": "complaint", "made_by": "parent", "about": "No call back", "wants_reply": "yes",
                         "language": "en"}),
    ("/complaints/new/young-person", {}),
    ("/complaints/new/young-person", {"kind": "complaint", "about": "Nobody rang me", "wants_reply": "yes",
                                      "language": "cy"}),
]


@pytest.mark.parametrize("path, data", COMPLAINTS)
def test_the_complaint_forms_refuse_in_plain_words(site, path, data):
    visitor = site.visitor()
    visitor.get(path)
    time.sleep(3)
    english, welsh = in_both(visitor, lambda: visitor.submit(path, data, follow=True))
    plain(english, welsh, path)


def test_a_complaint_sent_within_a_second_keeps_its_answers(site):
    for path, data, kept in (
            ("/complaints/new", {"kind": "complaint", "made_by": "parent", "about": "Nobody called",
                                 "wants_reply": "no", "language": "en"}, "Your answers are kept"),
            ("/complaints/new/young-person", {"kind": "complaint", "about": "Nobody called", "wants_reply": "no",
                                              "language": "en"}, "We have kept your answers")):
        before = site.count("complaints", "complaints")
        hasty = site.visitor()
        page = hasty.submit(path, data, follow=True)
        assert page.status_code == 200 and errors_on(page)[0].startswith(kept)
        assert ">Nobody called</textarea>" in page.text and 'value="complaint" checked' in page.text
        assert site.count("complaints", "complaints") == before
        time.sleep(3)
        token = next(group for group in TOKEN.search(page.text).groups() if group)
        assert hasty.submit(path, data, token=token).headers["Location"] == "/complaints/sent", "sent again, it goes"
        assert site.count("complaints", "complaints") == before + 1


def test_a_staff_step_refused_is_shown_again_at_its_own_address_once_so_back_and_refresh_send_nothing(site):
    manager = site.signed_in(site.user("manager"))
    _, referral_id = allocated(site, site.user("advocate"))
    path = f"/referrals/{referral_id}/allocate"
    posted = manager.submit(path, {"advocate_email": "nobody@example.org"}, follow=False)
    assert posted.status_code == 302 and posted.headers["Location"] == path, "redirect after POST"
    page = manager.get(path)
    assert errors_on(page) == ["Choose the advocate"], errors_on(page)
    assert errors_on(manager.get(path)) == [], "shown once: the page read again is the question afresh"


def test_the_staff_steps_refuse_in_plain_words_with_times_as_people_write_them(site):
    advocate_email = site.user("advocate")
    advocate, first = allocated(site, advocate_email)
    _, second = allocated(site, advocate_email)
    manager = site.signed_in(site.user("manager"))
    late = {"day": ["1", "3", NEXT_YEAR], "time": "10:00", "duration_minutes": "60", "venue_name": "Library",
            "accessible": "yes", "risk_assessed": "yes", "language": "en"}
    steps = [
        (manager, f"/referrals/{first}/allocate", {"advocate_email": "nobody@example.org"}),
        (advocate, f"/referrals/{first}/contact", {"method": "pigeon", "result": "shrug"}),
        (advocate, f"/referrals/{first}/arrange", {**late, "duration_minutes": "an hour", "venue_type": "castle"}),
        (advocate, f"/referrals/{first}/arrange", {**late, "day": ["1", "1", "2020"]}),
        (advocate, f"/referrals/{first}/arrange", {**late, "accessible": "no"}),
        (manager, f"/referrals/{first}/close", {"reason": "bored"}),
    ]
    for who, path, data in steps:
        english, welsh = in_both(who, lambda: who.submit(path, data))
        plain(english, welsh, f"{path} {data}")
    english, welsh = in_both(advocate, lambda: advocate.submit(f"/referrals/{first}/arrange", late))
    plain(english, welsh, "a late meeting")
    assert any(re.search(r"The meeting is after its deadline of \d{1,2}(:\d\d)?(am|pm) on \w+day \d", said)
               for said in english), english
    soon = datetime.now(timezone.utc) + timedelta(days=7)
    meeting = {**late, "day": [str(soon.day), str(soon.month), str(soon.year)]}
    assert wait_for(lambda: advocate.submit(f"/referrals/{first}/arrange", meeting).status_code == 302 or None,
                    what="the first meeting")
    english, welsh = in_both(advocate, lambda: advocate.submit(f"/referrals/{second}/arrange",
                                                               {**meeting, "time": "10:30"}))
    plain(english, welsh, "a clash")
    assert any(said.startswith("The advocate already has a meeting from 10am to 11am on ") for said in english)
    for path, data in ((f"/referrals/{first}/reschedule", {"day": ["1", "13", NEXT_YEAR], "time": "9", "reason": ""}),
                       (f"/referrals/{first}/cancel", {"reason": "  "}),
                       (f"/referrals/{first}/record", {"took_place": "yes", "outcome": "shrug"})):
        english, welsh = in_both(advocate, lambda: advocate.submit(path, data))
        plain(english, welsh, path)
