"""Bad input the pages once let through, refused as the API refuses it: bytes that are not UTF-8 in a form or a
query, a report's year or quarter written other than in digits, names with invisible or private characters, an
email address that passes for another account's, and ids in a path that no record can have."""

from __future__ import annotations

import re
import uuid

import pytest
import requests

from services.gateway import handlers
from services.gateway.domain import CredentialError
from services.gateway.store import USERS
from shared.store import open_store
from tests.integration.bus.support import wait_for
from tests.integration.gateway.test_manager_day import VENUE, allocated, api, bearer, child, referred
from tests.integration.gateway.test_web_forms import NEXT_YEAR, PASSWORD, TOKEN, errors_on, running_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "badforms")


def users(site) -> set[str]:
    return {document.id for document in site.gateway.store.find(USERS, limit=10_000)}


def raw_post(visitor, path: str, body: str, *, form_path: str | None = None) -> requests.Response:
    """A form posted as the bytes `body` says (its escapes left as they are), with the page's CSRF token; a page
    sent back to itself with its errors (redirect after POST) is read as the browser then shows it."""
    token = visitor.token(form_path or path)
    answer = visitor.http.post(f"{visitor.url}{path}", data=f"csrf_token={token}&{body}".encode(), timeout=10,
                               headers={"Content-Type": "application/x-www-form-urlencoded"}, allow_redirects=False)
    if answer.status_code in (302, 303) and answer.headers["Location"] == path:
        return visitor.get(path)
    return answer


# bytes that are not UTF-8

STAFF_FORM = "email=someone-{}%40provider.example&role=advocate&name={}"


@pytest.mark.parametrize("name", ["Self%FF%FE", "%FF%FE", "a%ED%A0%80b", "%C0%AF"])
def test_a_form_holding_bytes_that_are_not_utf_8_is_a_400_page_and_stores_nothing(site, name):
    admin = site.signed_in(site.user("admin"))
    before = users(site)
    page = raw_post(admin, "/staff/new", STAFF_FORM.format(uuid.uuid4().hex[:6], name))
    assert page.status_code == 400 and "text/html" in page.headers["Content-Type"]
    assert "characters that could not be read" in page.text
    assert users(site) == before


def test_the_self_referral_form_refuses_undecodable_bytes_in_welsh_and_keeps_nothing(site):
    child = site.visitor()
    child.http.cookies.set("llais_language", "cy")
    child.get("/self-referral")
    page = raw_post(child, "/self-referral/about-you", "given_name=Self%FF%FE&family_name=Evans")
    assert page.status_code == 400 and "nodau na ellid eu darllen" in page.text
    again = child.get("/self-referral/about-you")
    assert "Self" not in again.text, "the answer was not kept in the session"


def test_a_query_holding_bytes_that_are_not_utf_8_is_a_400_page_and_a_400_problem(site):
    manager = site.signed_in(site.user("manager"))
    assert manager.get("/referrals?status=%FF").status_code == 400
    token = handlers.create_token(site.gateway, site.user("manager"))
    answer = requests.get(f"{site.url}/api/v1/referrals?status=%FF%FE", timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 400 and answer.headers["Content-Type"] == "application/problem+json"
    assert "not UTF-8" in answer.json()["detail"]


# a report's query as the API reads it

@pytest.mark.parametrize("query, field", [
    ("year=%202026", "year"), ("year=02026", "year"), ("year=2_026", "year"),
    ("year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%96", "year"), ("year=2026&quarter=%2B3", "quarter"),
    ("year=2026&quarter=3.0", "quarter"),
])
def test_a_report_asked_for_other_than_in_digits_is_a_422_page_and_a_422_problem(site, query, field):
    manager = site.signed_in(site.user("manager"))
    page = manager.get(f"/reports?{query}")
    assert page.status_code == 422, page.status_code
    assert {"year": "Choose the financial year from the list.",
            "quarter": "Choose the quarter from the list."}[field] in page.text
    manager.http.cookies.set("llais_language", "cy")
    assert "Does dim modd dangos yr adroddiad hwn" in manager.get(f"/reports?{query}").text
    token = handlers.create_token(site.gateway, site.user("manager"))
    api_query = query if "quarter" in query else f"{query}&quarter=1"
    answer = requests.get(f"{site.url}/api/v1/reports/quarterly?{api_query}", timeout=10,
                          headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 422 and field in answer.json()["errors"], answer.text


# email addresses that pass for another account's

LOOK_ALIKES = {
    "full_width": "ｏｗｅｎ.ｊｏｎｅｓ@provider.example",
    "upper_case": "Owen.Jones@PROVIDER.example",
    "cyrillic_o": "\u043ewen.jones@provider.example",
    "cyrillic_e_and_o": "\u043ew\u0435n.j\u043en\u0435s@provider.example",
    "greek_omicron": "\u03bfwen.jones@provider.example",
    "trailing_zero_width_space": "owen.jones@provider.example\u200b",
    "zero_width_joiner": "owen.jo\u200dnes@provider.example",
    "soft_hyphen": "owen.jo\u00adnes@provider.example",
    "kelvin_sign": "\u212aate@provider.example",
    "digit_zero": "0wen.jones@provider.example",
    "r_and_n_for_m": "owen.jones@provider.exarnple",
}
"""Eleven addresses that a page shows as `owen.jones@provider.example` (or, for the Kelvin sign, `kate@...`)."""


@pytest.fixture(scope="module")
def owen(site):
    for domain in ("provider.example", "council.example"):
        for name in ("owen.jones", "kate"):
            handlers.create_user(site.gateway, site.councils, f"{name}@{domain}", "advocate", None, PASSWORD)


def elsewhere(address: str) -> str:
    """The same look-alike of the accounts at another domain: each test refuses its own, whatever the other did."""
    return re.sub("provider", "council", address, flags=re.I)


@pytest.mark.parametrize("kind", LOOK_ALIKES)
def test_staff_pages_refuse_an_address_that_looks_like_an_account_that_exists(site, owen, kind):
    admin = site.signed_in(site.user("admin"))
    before = users(site)
    page = admin.submit("/staff/new", {"email": LOOK_ALIKES[kind], "role": "advocate", "name": "Someone"})
    assert page.status_code == 200 and errors_on(page), page.status_code
    assert any(phrase in error for error in errors_on(page) for phrase in (
        "looks like this one exists already", "already has an account", "invisible character",
        "different alphabets")), errors_on(page)
    assert users(site) == before


@pytest.mark.parametrize("kind", LOOK_ALIKES)
def test_the_command_line_refuses_the_same_addresses(site, owen, kind):
    before = users(site)
    with pytest.raises(CredentialError) as refused:
        handlers.create_user(site.gateway, site.councils, elsewhere(LOOK_ALIKES[kind]), "advocate", None, PASSWORD)
    assert refused.value.code in ("exists", "looks_alike", "email_hidden", "email_alphabets")
    assert users(site) == before


def test_a_look_alike_is_refused_saying_an_account_like_it_exists_in_welsh_too(site, owen):
    admin = site.signed_in(site.user("admin"))
    admin.http.cookies.set("llais_language", "cy")
    page = admin.submit("/staff/new", {"email": "owen.jones@provider.exarnple", "role": "advocate", "name": "O"})
    assert any("edrych fel hwn yn bodoli" in error for error in errors_on(page)), errors_on(page)


def test_an_address_unlike_any_account_is_taken_in_its_plain_form(site, owen):
    admin = site.signed_in(site.user("admin"))
    page = admin.submit("/staff/new", {"email": "ＭＡＩＲ.ＥＶＡＮＳ@Provider.Example", "role": "advocate",
                                       "name": "Mair Evans"})
    assert page.status_code == 200 and not errors_on(page), errors_on(page)
    assert "mair.evans@provider.example" in users(site)


# names

BAD_NAMES = {"zero_width_space": "Owen\u200bJones", "byte_order_mark": "\ufeffOwen", "tag": "Owen\U000e0041",
             "private_use": "Owen\ue000", "non_character": "Owen\uffff"}


@pytest.mark.parametrize("kind", BAD_NAMES)
def test_a_staff_name_with_an_invisible_or_private_character_is_refused_on_its_field(site, kind):
    admin = site.signed_in(site.user("admin"))
    before = users(site)
    page = admin.submit("/staff/new", {"email": f"new-{uuid.uuid4().hex[:6]}@provider.example",
                                       "role": "advocate", "name": BAD_NAMES[kind]})
    assert page.status_code == 200 and errors_on(page) == ["Write the name on one line, without special characters"]
    assert users(site) == before


@pytest.mark.parametrize("kind", BAD_NAMES)
def test_a_childs_name_with_an_invisible_or_private_character_is_refused_on_the_self_referral_form(site, kind):
    child = site.visitor()
    child.get("/self-referral")
    page = child.submit("/self-referral/about-you", {"given_name": BAD_NAMES[kind], "family_name": "Evans",
                                                     "date_of_birth": ["2", "5", "2012"], "preferred_language": "en"},
                        follow=True)
    assert page.status_code == 200 and errors_on(page), page.status_code
    assert BAD_NAMES[kind] not in child.get("/self-referral/about-you").text


# ids in a path

@pytest.mark.parametrize("bad_id", ["x\u202egnp.exe", "x" * 10_000, "a b", "%FF"])
def test_a_path_id_no_record_can_have_is_not_found_and_never_reaches_the_audit_log(site, bad_id):
    advocate = site.signed_in(site.user("advocate"))
    token = handlers.create_token(site.gateway, site.user("manager"))
    before = len(site.audit())
    assert advocate.get(f"/cases/{bad_id}/record").status_code == 404
    assert advocate.get(f"/referrals/{bad_id}").status_code == 404
    for path in (f"/api/v1/cases/{bad_id}/record", f"/api/v1/referrals/{bad_id}", f"/api/v1/cases/{bad_id}"):
        answer = requests.get(f"{site.url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 404, path
    assert len(site.audit()) == before


# an opt-out and a transition told on the social worker's pages

OPT_OUT_FORM = ("basis=looked_after&date_of_birth=2&date_of_birth=5&date_of_birth=2014&offered_on=1&offered_on=12"
                "&offered_on=2026&reason_code=other&reason_note={}")


@pytest.mark.parametrize("note, status", [("Nain%FF%FE", 400), ("Nain%E2%80%AEgnp", 200), ("x" * 1001, 200)])
def test_an_opt_outs_note_that_is_unreadable_spoofing_or_too_long_is_refused_and_nothing_stored(site, note, status):
    social_worker = site.signed_in(site.user("referrer", "CARDIFF"))
    before = site.count("referral", "opt_outs")
    page = raw_post(social_worker, "/opt-outs/new", OPT_OUT_FORM.format(note))
    assert page.status_code == status
    assert status == 400 or errors_on(page)
    assert site.count("referral", "opt_outs") == before


@pytest.mark.parametrize("fields, expected", [
    ("kind=birthday&happened_on=2&happened_on=12&happened_on=2026&reference_kind=external_ref&reference=M-1", "kind"),
    ("kind=placement_move&happened_on=31&happened_on=2&happened_on=2026&reference_kind=external_ref&reference=M-1",
     "date"),
    ("kind=placement_move&happened_on=2&happened_on=12&happened_on=2026&reference_kind=external_ref"
     "&reference=M%E2%80%AE1", "reference"),
])
def test_a_bad_transition_on_the_page_is_refused_and_nothing_stored(site, fields, expected):
    social_worker = site.signed_in(site.user("referrer", "CARDIFF"))
    before = site.count("referral", "transitions")
    page = raw_post(social_worker, "/transitions/new", fields)
    assert page.status_code == 200 and errors_on(page), expected
    assert site.count("referral", "transitions") == before


# the Active Offer meeting's record

RECORDS = {
    "unknown_reason": ("took_place=no&reason_not_held_code=weather", "Choose why the meeting did not take place"),
    "note_too_long": ("took_place=no&reason_not_held_code=other&reason_not_held_note=" + "x" * 1001, "1000"),
    "unknown_topic": ("took_place=yes&outcome=take_up&topics_covered=gossip", "Choose from the list."),
    "repeated_topic": ("took_place=yes&outcome=take_up&topics_covered=rights&topics_covered=rights",
                       "Choose each one only once."),
    "nothing_and_more": ("took_place=yes&outcome=take_up&topics_covered=rights&left_with_child=nothing"
                         "&left_with_child=leaflet", "nothing on its own"),
    "unknown_other_support": ("took_place=yes&outcome=other_support&topics_covered=rights&other_support_type=magic",
                              "Choose which other support"),
}


@pytest.fixture(scope="module")
def arranged(site):
    """A referral whose Active Offer meeting is arranged, and its advocate signed in."""
    manager, advocate = site.user("manager"), site.user("advocate")
    referral_id = referred(site, child("Rhys", "Owen"))
    allocated(site, manager, advocate, referral_id)
    meeting = api(site, "POST", f"/referrals/{referral_id}/meetings", bearer(site, advocate), json={
        "starts_at": f"{NEXT_YEAR}-03-02T10:00:00+00:00", "duration_minutes": 60, "venue": VENUE,
        "late_reason": "The child asked for the spring"})
    assert meeting.status_code == 201, meeting.text
    visitor = site.signed_in(advocate)
    wait_for(lambda: visitor.get(f"/referrals/{referral_id}/record").status_code == 200, what="the meeting")
    return visitor, referral_id, meeting.json()["id"]


@pytest.mark.parametrize("kind", RECORDS)
def test_a_meetings_record_with_a_bad_code_or_note_is_refused_on_the_form_and_nothing_is_stored(site, arranged, kind):
    visitor, referral_id, meeting_id = arranged
    body, expected = RECORDS[kind]
    page = raw_post(visitor, f"/referrals/{referral_id}/record", body)
    assert page.status_code == 200 and any(expected in e for e in errors_on(page)), errors_on(page)
    kept = open_store("scheduling", site.settings).get("meetings", meeting_id).body
    assert kept["status"] == "arranged" and "reason_not_held_code" not in kept, "nothing is recorded"
