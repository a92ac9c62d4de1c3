"""Forms that take a person's answers well, in English and Welsh: a No is an answer, an activity is dated when it
happened, every question page links Back, a page with errors is one the browser reads again (redirect after POST),
a page shows all its errors at once and each names its field, answers that contradict each other are refused where
they are given, and a child's complaint form speaks to them as "ti" to the end."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from html import unescape

import pytest

from shared.clock import LONDON
from shared.store import Put, open_store
from tests.integration.bus.support import wait_for
from tests.integration.gateway.test_journey_pages import api, bearer, open_case
from tests.integration.gateway.test_web_forms import errors_on, running_site

THIS_YEAR = datetime.now().year
CHILD = {"given_name": "Cerys", "family_name": "Jones", "preferred_language": "cy", "interpreter_needed": "no",
         "date_of_birth": ["2", "5", str(THIS_YEAR - 12)]}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "forms", strict_queries=True)


def back_link(page) -> tuple[str, str]:
    """Where the page's GOV.UK Back link goes, and what it says."""
    found = re.search(r'<a class="govuk-back-link" href="([^"]*)">([^<]*)</a>', page.text)
    assert found, "no Back link"
    return unescape(found.group(1)), unescape(found.group(2))


def main_text(page) -> str:
    """The words of the page's main content, as a reader sees them."""
    main = re.search(r"<main.*?</main>", page.text, re.S).group(0)
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main)))


def in_welsh(visitor):
    visitor.http.cookies.set("llais_language", "cy")
    return visitor


# a No is an answer


def issue_based_allocated(site) -> tuple[str, str]:
    """An issue-based referral allocated to a new advocate, as casework knows it: (referral id, advocate's email)."""
    manager, advocate = site.user("manager"), site.user("advocate")
    referral_id = site.refer(kind="issue_based", basis="care_and_support")
    allocated = api(site, "POST", f"/referrals/{referral_id}/allocate", bearer(site, manager),
                    {"advocate_email": advocate})
    assert allocated.status_code == 200, allocated.text
    casework = open_store("casework", site.settings)
    wait_for(lambda: (stub := casework.get("referrals", referral_id)) and stub.body["advocate_email"] == advocate,
             what="casework to hear of the allocation")
    return referral_id, advocate


@pytest.mark.parametrize("language, said", [
    ("en", ("No case is opened", "What happens next", "a manager can close the referral")),
    ("cy", ("Nid oes achos wedi'i agor", "Beth sy'n digwydd nesaf", "gall rheolwr gau'r atgyfeiriad")),
])
def test_no_to_a_case_file_is_an_answer_no_case_is_opened_and_the_page_says_what_happens_next(site, language, said):
    referral_id, advocate_email = issue_based_allocated(site)
    advocate = site.signed_in(advocate_email)
    advocate.http.cookies.set("llais_language", language)
    answered = advocate.submit(f"/referrals/{referral_id}/open-case", {"consents": "no"})
    assert answered.status_code == 302, errors_on(answered)
    assert answered.headers["Location"] == f"/referrals/{referral_id}/no-case"
    page = advocate.get(answered.headers["Location"])
    assert page.status_code == 200 and errors_on(page) == [], "an answer, not a problem"
    for words in said:
        assert words in main_text(page), words
    assert back_link(page)[0] == f"/referrals/{referral_id}"
    assert open_store("casework", site.settings).find("cases", {"referral_id": referral_id}) == []
    assert [entry for entry in site.audit() if entry.get("referral_id") == referral_id and
            entry["what"] == "no case file: the child does not consent"], "the answer is recorded"
    assert site.signed_in(site.user("advocate")).get(f"/referrals/{referral_id}/no-case").status_code == 403


# a case activity, dated when it happened


def case_opened_days_ago(site, days: int) -> tuple[str, str]:
    """A case opened `days` ago (as if), for a new advocate: (case id, advocate's email)."""
    manager, advocate = bearer(site, site.user("manager")), site.user("advocate")
    case_id = open_case(site, advocate, manager)
    casework = open_store("casework", site.settings)
    case = casework.get("cases", case_id)
    opened_at = (datetime.now(LONDON) - timedelta(days=days)).replace(microsecond=0).isoformat()
    casework.commit(Put.update(case, {**case.body, "opened_at": opened_at}))
    return case_id, advocate


def activities(site, case_id: str) -> list[dict]:
    return open_store("casework", site.settings).get("cases", case_id).body["activities"]


def test_an_activity_is_asked_when_it_happened_now_by_default_and_yesterdays_call_is_dated_yesterday(site):
    case_id, advocate_email = case_opened_days_ago(site, 3)
    advocate = site.signed_in(advocate_email)
    form = advocate.get(f"/cases/{case_id}/activity")
    now = datetime.now(LONDON)
    assert re.search(rf'name="happened_on"[^>]*value="{now.year}"', form.text), "today's date, filled in"
    assert re.search(r'name="happened_at"[^>]*value="\d\d:\d\d"', form.text), "the time now, filled in"
    assert back_link(form)[0] == f"/cases/{case_id}"
    yesterday = now - timedelta(days=1)
    recorded = advocate.submit(f"/cases/{case_id}/activity", {
        "kind": "call", "contribution": "own", "happened_on": [str(yesterday.day), str(yesterday.month),
                                                               str(yesterday.year)], "happened_at": "16:30"})
    assert recorded.status_code == 302, errors_on(recorded)
    (activity,) = activities(site, case_id)
    assert datetime.fromisoformat(activity["at"]) == datetime(yesterday.year, yesterday.month, yesterday.day, 16, 30,
                                                              tzinfo=LONDON)
    assert "16:30" in advocate.get(f"/cases/{case_id}").text


@pytest.mark.parametrize("language, when, said", [
    ("en", "future", "The date the activity happened must be today or in the past"),
    ("en", "before", "The activity cannot have happened before the case was opened, at "),
    ("cy", "before", "Ni all y gweithgaredd fod wedi digwydd cyn i'r achos gael ei agor, am "),
    ("en", "bad time", "Enter the time the activity happened on the 24-hour clock, like 14:30"),
])
def test_an_activity_in_the_future_or_before_the_case_is_refused_clearly_and_changes_nothing(site, language, when,
                                                                                           said):
    case_id, advocate_email = case_opened_days_ago(site, 3)
    advocate = site.signed_in(advocate_email)
    advocate.http.cookies.set("llais_language", language)
    day = {"future": datetime.now(LONDON) + timedelta(days=2), "before": datetime.now(LONDON) - timedelta(days=5),
           "bad time": datetime.now(LONDON)}[when]
    page = advocate.submit(f"/cases/{case_id}/activity", {
        "kind": "call", "contribution": "own", "happened_on": [str(day.day), str(day.month), str(day.year)],
        "happened_at": "25:61" if when == "bad time" else "10:00"})
    assert page.status_code == 200 and any(error.startswith(said) for error in errors_on(page)), errors_on(page)
    assert activities(site, case_id) == []


def test_the_api_takes_when_an_activity_happened_and_refuses_one_before_the_case(site):
    case_id, advocate_email = case_opened_days_ago(site, 3)
    advocate = bearer(site, advocate_email)
    before = api(site, "POST", f"/cases/{case_id}/activities", advocate, {
        "kind": "call", "contribution": "own", "happened_at": (datetime.now(LONDON) - timedelta(days=4)).isoformat()})
    assert before.status_code == 422 and set(before.json()["errors"]) == {"happened_at"}, before.text
    assert activities(site, case_id) == []
    happened = (datetime.now(LONDON) - timedelta(days=2)).replace(microsecond=0)
    recorded = api(site, "POST", f"/cases/{case_id}/activities", advocate, {
        "kind": "visit", "contribution": "jointly", "happened_at": happened.isoformat()})
    assert recorded.status_code == 201, recorded.text
    assert [datetime.fromisoformat(a["at"]) for a in activities(site, case_id)] == [happened]


# the referral's question pages


def referrer(site):
    return site.signed_in(site.user("referrer", "CARDIFF"))


def test_every_question_page_links_back_to_the_one_before_in_the_pages_language(site):
    social_worker = referrer(site)
    assert back_link(social_worker.get("/refer/child")) == ("/", "Back")
    assert back_link(social_worker.get("/refer/contact"))[0] == "/refer/child"
    assert back_link(social_worker.get("/refer/you"))[0] == "/refer/consent"
    assert back_link(social_worker.get("/refer/about?check=1"))[0] == "/refer/check"
    assert back_link(in_welsh(social_worker).get("/refer/contact")) == ("/refer/child", "Yn ôl")
    child = site.visitor()
    child.get("/self-referral")
    assert back_link(child.get("/self-referral/about-you"))[0] == "/self-referral"
    assert back_link(child.get("/self-referral/where-you-live"))[0] == "/self-referral/about-you"
    assert back_link(site.visitor().get("/complaints/new"))[0] == "/"
    assert back_link(in_welsh(site.visitor()).get("/complaints/new/young-person")) == ("/", "Yn ôl")


def test_a_page_with_errors_is_redirected_to_itself_so_back_and_refresh_send_nothing_again(site):
    social_worker = in_welsh(referrer(site))
    posted = social_worker.submit("/refer/contact?check=1", {"carer_phone": "ring me"}, follow=False)
    assert posted.status_code == 302 and posted.headers["Location"] == "/refer/contact?check=1", "redirect after POST"
    page = social_worker.get("/refer/contact?check=1")
    assert errors_on(page) == ["Rhowch rif ffôn y gofalwr, fel 01632 960 001 neu 07700 900 982"]
    assert 'value="ring me"' in page.text, "the answer as typed, to put right"
    assert social_worker.get("/refer/check").headers["Location"] == "/refer/child", "nothing was kept"


def test_a_complaint_form_with_errors_is_redirected_to_itself_with_its_answers(site):
    child = in_welsh(site.visitor())
    posted = child.submit("/complaints/new/young-person", {"about": "Nobody rang me", "wants_reply": "yes"},
                          follow=False)
    assert posted.status_code == 302 and posted.headers["Location"] == "/complaints/new/young-person"
    page = child.get("/complaints/new/young-person")
    assert "Dewisa beth rwyt ti eisiau ei ddweud wrthon ni" in errors_on(page) and ">Nobody rang me</textarea>" in \
        page.text
    assert errors_on(child.get("/complaints/new/young-person")) == [], "read again: a fresh form"


def test_the_first_page_shows_all_its_errors_at_once(site):
    social_worker = referrer(site)
    page = social_worker.submit("/refer/child", {**CHILD, "given_name": "", "interpreter_needed": "",
                                                 "date_of_birth": ["2", "5", str(THIS_YEAR - 30)]}, follow=True)
    said = errors_on(page)
    assert said[0] == "Enter the child's first name" and "Say whether the child needs an interpreter" in said
    assert any("25" in error for error in said), f"the age, with the rest: {said}"


@pytest.mark.parametrize("answers, said", [
    ({"carer_phone": "call me"}, ["Enter the carer's phone number, like 01632 960 001 or 07700 900 982"]),
    ({"phone": "call me", "email": "nia at home"},
     ["Enter the child's phone number, like 01632 960 001 or 07700 900 982",
      "Enter the child's email address in the correct format, like name@example.com"]),
])
def test_each_contact_error_names_whose_number_or_address_it_is(site, answers, said):
    assert errors_on(referrer(site).submit("/refer/contact", answers, follow=True)) == said


def answer_up_to_consent(social_worker, kind: str = "issue_based") -> None:
    for slug, answers in {"child": CHILD, "contact": {"phone": "07700 900123"},
                          "about": {"kind": kind, "basis": "looked_after"}, "equality": {}}.items():
        assert social_worker.submit(f"/refer/{slug}", answers).status_code == 302, slug


CONSENT = {"share_arrangements_with_referrer": "no", "share_outcome_with_referrer": "no"}


def test_a_child_not_told_cannot_have_agreed_and_is_refused_where_it_is_answered(site):
    social_worker = in_welsh(referrer(site))
    answer_up_to_consent(social_worker)
    refused = social_worker.submit("/refer/consent", {**CONSENT, "child_informed": "no", "child_agrees": "yes"},
                                   follow=True)
    assert errors_on(refused) == ["Ni all plentyn nad yw wedi cael gwybod am yr atgyfeiriad fod wedi cytuno iddo: "
                                  "dywedwch wrth y plentyn yn gyntaf, neu atebwch Na"]
    assert social_worker.get("/refer/check").headers["Location"] == "/refer/consent", "not kept"


@pytest.mark.parametrize("informed, agrees, says, never", [
    ("yes", "yes", "you confirm the child knows about it and agrees to it", "does not agree"),
    ("yes", "no", "You have told us the child does not agree to it yet", "agrees to it."),
    ("no", "no", "has not been told about it yet", "you confirm the child knows"),
])
def test_the_check_page_says_only_what_the_answers_about_the_child_say(site, informed, agrees, says, never):
    social_worker = referrer(site)
    answer_up_to_consent(social_worker)
    assert social_worker.submit("/refer/consent", {**CONSENT, "child_informed": informed,
                                                   "child_agrees": agrees}).status_code == 302
    assert social_worker.submit("/refer/you", {"name": "Sam Social", "preferred_language": "en"}).status_code == 302
    check = main_text(social_worker.get("/refer/check"))
    assert says in check and never not in check


# the child's complaint form, spoken to them


FORMAL = re.compile(r"\b(chi|chwi|eich|ichi|gallwch|Gallwch|ffoniwch|Rhowch|Dewiswch|Dilynwch|Cadwch|ydych|"
                    r"Dywedwch|wrthych)\b")
"""The formal "chi" of a Welsh page, which a page spoken to a child in "ti" never slips into."""


def test_the_welsh_child_complaint_form_and_its_sent_page_say_ti_to_the_end(site):
    child = in_welsh(site.visitor())
    form = child.get("/complaints/new/young-person")
    assert not FORMAL.findall(main_text(form)), FORMAL.findall(main_text(form))
    assert "Gelli di hefyd droi at:" in main_text(form) and "gelli di ffonio 0808 801 1000" in main_text(form)
    token = child.token("/complaints/new/young-person")
    time.sleep(3)
    sent = child.submit("/complaints/new/young-person", {"kind": "complaint", "about": "Nobody rang me back",
                                                         "phone": "07700 900123", "wants_reply": "yes",
                                                         "language": "cy"}, token=token)
    assert sent.status_code == 302 and sent.headers["Location"] == "/complaints/sent", errors_on(sent)
    page = main_text(child.get("/complaints/sent"))
    assert not FORMAL.findall(page), FORMAL.findall(page)
    assert "Cadwa'r ddolen hon yn saff" in page
    adult = in_welsh(site.visitor()).get("/complaints/new")
    assert "Gallwch hefyd droi at:" in main_text(adult), "a grown-up is still spoken to as chi"


def test_a_message_and_its_answer_refused_are_shown_again_on_their_pages_once_so_back_never_posts_them(site):
    advocate = site.signed_in(site.user("advocate"))
    posted = advocate.submit("/messages/new", {"channel": "phone", "note": "Rang about school"}, follow=False)
    assert posted.status_code == 302 and posted.headers["Location"] == "/messages/new", "redirect after POST"
    page = advocate.get("/messages/new")
    assert {"Choose who the message was from", "Choose the language of the message"} <= set(errors_on(page))
    assert ">Rang about school</textarea>" in page.text, "the answers as typed, to put right"
    assert errors_on(advocate.get("/messages/new")) == [], "shown once"

    now = datetime.now(LONDON) - timedelta(minutes=5)
    made = advocate.submit("/messages/new", {
        "channel": "phone", "from_whom": "child", "language": "en", "note": "", "time": now.strftime("%H:%M"),
        "day": [str(now.day), str(now.month), str(now.year)]}, follow=False)
    assert made.status_code == 302 and made.headers["Location"].startswith("/messages/"), errors_on(made)
    message = made.headers["Location"]
    tomorrow = now + timedelta(days=1)
    refused = advocate.submit(f"{message}/answer", {"day": [str(tomorrow.day), str(tomorrow.month),
                                                            str(tomorrow.year)], "time": "10:00"},
                              form_path=message, follow=False)
    assert refused.status_code == 302 and refused.headers["Location"] == message, "back to the message's page"
    assert errors_on(advocate.get(message)) == ["The answer cannot have been given in the future"]
    assert errors_on(advocate.get(message)) == [], "shown once"
