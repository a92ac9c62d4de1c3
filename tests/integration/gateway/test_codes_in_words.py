"""No code reaches a person: the check-your-answers pages say a language in words, the staff pages, their dropdowns
and the reports name a region, never its slug, and the Welsh report says its deadlines missed in Welsh; through the
real platform, in English and Welsh."""

from __future__ import annotations

import re
import time
import uuid
from html import unescape

import pytest

from services.gateway import handlers
from tests.integration.gateway.test_web_forms import PASSWORD, answer_every_page, refer_osian, running_site

SLUGS = ("cardiff-vale", "north-wales", "west-glamorgan", "cwm-taf-morgannwg", "west-wales")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "codes")


def answers(page_text: str) -> dict[str, str]:
    """A check-your-answers page's rows: each question with its answer as the page shows it."""
    rows = re.findall(r'govuk-summary-list__key">(.*?)</dt>\s*<dd class="govuk-summary-list__value">(.*?)</dd>',
                      page_text, re.S)
    return {unescape(re.sub(r"<[^>]+>", "", key)).strip(): unescape(re.sub(r"<[^>]+>", "", value)).strip()
            for key, value in rows}


def visible(page_text: str) -> str:
    """What a person reads of a page: its text and its options, without attributes."""
    return unescape(re.sub(r"<[^>]+>", " ", page_text))


def region_commissioner(site, region: str = "cardiff-vale") -> str:
    email = f"commissioner-{uuid.uuid4().hex[:6]}@council.example"
    handlers.create_user(site.gateway, site.councils, email, "commissioner", None, PASSWORD, region=region)
    return email


def test_the_childs_welsh_check_page_says_their_language_in_welsh_not_its_code(site):
    visitor = site.visitor()
    visitor.http.cookies.set("llais_language", "cy")
    assert visitor.get("/self-referral").status_code == 200
    time.sleep(3)
    answer_every_page(visitor)
    shown = answers(visitor.get("/self-referral/check").text)
    assert "Cymraeg" in shown.values(), shown
    assert not {"cy", "en"} & set(shown.values()), f"a language code on the check page: {shown}"


def test_the_social_workers_check_page_says_each_language_in_words(site):
    referrer = site.signed_in(site.user("referrer", "CARDIFF"))
    refer_osian(referrer, you={"organisation_type": "council"})
    shown = answers(referrer.get("/refer/check").text)
    assert {"Welsh", "English"} <= set(shown.values()), shown
    assert not {"cy", "en"} & set(shown.values()), f"a language code on the check page: {shown}"
    referrer.http.cookies.set("llais_language", "cy")
    shown = answers(referrer.get("/refer/check").text)
    assert {"Cymraeg", "Saesneg"} <= set(shown.values()), shown


@pytest.mark.parametrize("language, name", [("en", "Cardiff and Vale"), ("cy", "Caerdydd a'r Fro")])
def test_the_staff_pages_and_their_dropdowns_name_regions_not_slugs(site, language, name):
    commissioner = region_commissioner(site)
    admin = site.signed_in(site.user("admin"))
    admin.http.cookies.set("llais_language", language)
    listed = visible(admin.get("/staff").text)
    assert name in listed
    for page in (listed, visible(admin.get(f"/staff/{commissioner}").text), visible(admin.get("/staff/new").text)):
        assert not [slug for slug in SLUGS if slug in page], "a region's slug shown to a person"
    form = admin.get("/staff/new").text
    assert re.search(rf'<option value="cardiff-vale"[^>]*>\s*{re.escape(name)}\s*</option>', unescape(form)), \
        "the region dropdown names each region"


def test_the_region_commissioners_report_is_headed_by_the_regions_name(site):
    visitor = site.signed_in(region_commissioner(site))
    page = visitor.get("/reports")
    assert page.status_code == 200
    assert "Cardiff and Vale" in visible(page.text)
    assert not [slug for slug in SLUGS if slug in visible(page.text)]
    visitor.get("/language/cy?next=/reports")
    assert "Caerdydd a'r Fro" in visible(visitor.get("/reports").text)


def test_the_managers_scope_list_names_each_region(site):
    manager = site.signed_in(site.user("manager"))
    manager.http.cookies.set("llais_language", "cy")
    page = unescape(manager.get("/reports").text)
    assert re.search(r'<option value="region:north-wales"[^>]*>\s*Gogledd Cymru\s*</option>', page)
    assert not [slug for slug in SLUGS if slug in visible(page)]


def test_the_welsh_report_says_its_deadlines_missed_in_welsh_and_the_active_offer_by_one_name(site):
    manager = site.signed_in(site.user("manager"))
    manager.http.cookies.set("llais_language", "cy")
    page = visible(manager.get("/reports").text)
    for english in ("acknowledge by", "allocate by", "first contact by", "meeting by"):
        assert english not in page, f"{english!r} on the Welsh report"
    assert "Cydnabod" in page and "Dyrannu" in page
    assert "Gweithredol" not in page and "Cynnig Rhagweithiol" in page
