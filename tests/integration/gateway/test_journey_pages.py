"""The pages of this issue's journey as a browser without JavaScript meets them: a complainant asks for their
answered complaint to be looked at again; a disclosure with impossible dates is refused, through the form and the
API alike; a meeting moved past its deadline asks why and puts the deadline at risk."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from services.gateway import handlers
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.test_web_forms import Site, errors_on, running_site

VENUE = {"name": "Ysgol y Wern", "accessible": True, "risk_assessed": True}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "journey-pages")


def bearer(site: Site, email: str) -> dict:
    return {"Authorization": f"Bearer {handlers.create_token(site.gateway, email)}"}


def api(site: Site, method: str, path: str, who: dict, body: dict | None = None) -> requests.Response:
    return requests.request(method, f"{site.url}/api/v1{path}", json=body, headers=who, timeout=10)


# asking for a complaint to be looked at again


def test_the_complainant_asks_from_the_follow_page_for_the_answer_to_be_looked_at_again(site):
    manager_email = site.user("manager")
    manager = bearer(site, manager_email)
    made = api(site, "POST", "/complaints", manager, {"kind": "complaint", "made_by": "child",
                                                      "about": "My advocate did not come", "language": "en",
                                                      "wants_reply": False})
    assert made.status_code == 201, made.text
    complaint, link = made.json(), f"/complaints/followed/{made.json()['tracking_key']}"
    complainant = site.visitor()
    assert "Ask us to look at it again" not in complainant.get(link).text, "nothing to look at again yet"
    early = complainant.submit(link, {"reason": "Still cross"}, form_path="/complaints/new")
    assert early.status_code == 200 and errors_on(early), "refused while it is not answered"

    assert api(site, "POST", f"/complaints/{complaint['id']}/respond", manager,
               {"outcome": "not_upheld", "summary": "The advocate was ill"}).status_code == 200
    page = complainant.get(link)
    assert "Not happy with our answer?" in page.text and "Ask us to look at it again" in page.text
    unsaid = complainant.submit(link, {"reason": "   "})
    assert errors_on(unsaid) == ["Tell us what you are still not happy about"]
    assert api(site, "GET", f"/complaints/{complaint['id']}", manager).json()["stage"] == 1, "nothing changed"

    asked = complainant.submit(link, {"reason": "Nobody said sorry"}, follow=False)
    assert asked.status_code == 302 and asked.headers["Location"] == link
    after = complainant.get(link).text
    assert "You asked us to look at it again on" in after and "Not happy with our answer?" not in after
    assert "We will look at your complaint again" in after
    handled = api(site, "GET", f"/complaints/{complaint['id']}", manager).json()
    assert (handled["status"], handled["stage"]) == ("escalated", 2)
    assert handled["review_requests"][0]["reason"] == "Nobody said sorry"
    wait_for(lambda: api(site, "GET", f"/complaints/{complaint['id']}", manager).json()["deadlines"].get(
        "stage_2_respond_by"), what="the second stage's own time limit")
    seen = site.signed_in(manager_email).get(f"/complaints/{complaint['id']}").text
    assert "Asked to look at it again" in seen and "Nobody said sorry" in seen and "At stage 2" in seen
    assert "Answer at the second stage by" in seen and "Being counted" not in seen


def buttons(page: str) -> list[str]:
    """What each button in a page's main part says (links drawn as buttons and form buttons alike)."""
    return [re.sub(r"\s+", " ", said).strip() for said in re.findall(
        r'<(?:a|button)[^>]*class="govuk-button[^"]*"[^>]*>\s*([^<]+?)\s*</(?:a|button)>', page.split("<main")[1])]


def test_a_complaints_actions_are_verbs_and_its_status_a_tag_in_both_languages(site):
    manager_email = site.user("manager")
    manager, seen = bearer(site, manager_email), site.signed_in(manager_email)
    made = api(site, "POST", "/complaints", manager, {"kind": "complaint", "made_by": "parent",
                                                      "about": "Nobody rang back", "language": "en",
                                                      "wants_reply": False}).json()
    page = seen.get(f"/complaints/{made['id']}").text
    assert buttons(page)[:3] == ["Acknowledge the complaint", "Record the response", "Record that it is withdrawn"]
    assert re.search(r'id="complaint-status">[^<]*<strong class="govuk-tag govuk-tag--blue">Received</strong>', page)
    assert '<strong class="govuk-tag govuk-tag--blue">Received</strong>' in seen.get("/complaints").text
    assert buttons(seen.get(f"/complaints/{made['id']}/acknowledge").text)[-1] == "Acknowledge the complaint", \
        "the step's button says the step, not Confirm"
    seen.http.cookies.set("llais_language", "cy")
    assert buttons(seen.get(f"/complaints/{made['id']}").text)[:2] == ["Cydnabod y gŵyn", "Cofnodi'r ymateb"]
    seen.http.cookies.set("llais_language", "en")
    assert api(site, "POST", f"/complaints/{made['id']}/respond", manager,
               {"outcome": "upheld", "summary": "We are sorry"}).status_code == 200
    answered = seen.get(f"/complaints/{made['id']}").text
    assert buttons(answered)[:2] == ["Close the complaint", "Escalate to stage 2"]
    assert ">Answered</strong>" in answered
    assert buttons(seen.get(f"/complaints/{made['id']}/escalate").text)[-1] == "Escalate to stage 2"


# disclosures whose dates cannot be


def open_case(site: Site, advocate_email: str, manager: dict) -> str:
    key = handlers.create_api_key(site.gateway, site.councils, "CARDIFF")
    referral = requests.post(f"{site.url}/api/v1/referrals", json={**example_referral(), "kind": "issue_based",
                                                                   "basis": "care_and_support"},
                             headers={"Authorization": f"Bearer {key}"}, timeout=10).json()
    assert api(site, "POST", f"/referrals/{referral['id']}/allocate", manager,
               {"advocate_email": advocate_email}).status_code == 200
    advocate = bearer(site, advocate_email)
    return wait_for(lambda: (lambda a: a.json()["id"] if a.status_code == 201 else None)(api(
        site, "POST", "/cases", advocate, {"referral_id": referral["id"], "consents_to_case_file": True})),
        what="casework to hear of the allocation")


def test_a_disclosure_in_the_future_or_told_before_it_was_made_is_refused_by_the_form_and_the_api(site):
    manager_email = site.user("manager")
    manager = bearer(site, manager_email)
    case_id = open_case(site, site.user("advocate"), manager)
    body = {"reason": "significant_harm", "decided_by": "Team manager", "disclosed_to": "Children's services",
            "disclosed_at": "2030-01-01T12:00:00+00:00", "child_told": True,
            "child_told_at": "2020-01-01T12:00:00+00:00"}
    future = api(site, "POST", f"/cases/{case_id}/disclosures", manager, body)
    assert future.status_code == 422 and "disclosed_at" in future.json()["errors"], future.text
    last_week = (datetime.now(timezone.utc) - timedelta(days=7)).replace(microsecond=0)
    told_first = api(site, "POST", f"/cases/{case_id}/disclosures", manager,
                     {**body, "disclosed_at": last_week.isoformat(),
                      "child_told_at": (last_week - timedelta(days=1)).isoformat()})
    assert told_first.status_code == 422 and set(told_first.json()["errors"]) == {"child_told_at"}
    assert "before the disclosure" in told_first.json()["errors"]["child_told_at"][0]

    signed_in = site.signed_in(manager_email)
    form = {"reason": "significant_harm", "decided_by": "Team manager", "disclosed_to": "Children's services",
            "disclosed_on": ["1", "1", "2030"], "child_told": "yes", "child_told_on": ["1", "1", "2020"]}
    page = signed_in.submit(f"/cases/{case_id}/disclosure", form)
    assert page.status_code == 200 and any("future" in e for e in errors_on(page)), errors_on(page)
    earlier = [str(last_week.day), str(last_week.month), str(last_week.year)]
    before = last_week - timedelta(days=1)
    page = signed_in.submit(f"/cases/{case_id}/disclosure", {**form, "disclosed_on": earlier, "child_told_on": [
        str(before.day), str(before.month), str(before.year)]})
    assert errors_on(page) == ["The child cannot have been told before the disclosure was made."]
    assert api(site, "GET", f"/cases/{case_id}", manager).json()["disclosures"] == [], "nothing was recorded"


# a meeting moved past its deadline


def test_moving_a_meeting_past_the_statutory_meeting_asks_why_and_puts_the_deadline_at_risk(site):
    advocate_email, manager = site.user("advocate"), bearer(site, site.user("manager"))
    key = handlers.create_api_key(site.gateway, site.councils, "CARDIFF")
    statutory = (datetime.now(timezone.utc) + timedelta(days=4)).replace(hour=10, minute=0, second=0, microsecond=0)
    referral_id = requests.post(f"{site.url}/api/v1/referrals", json={
        **example_referral(), "statutory_meeting_at": statutory.isoformat()},
        headers={"Authorization": f"Bearer {key}"}, timeout=10).json()["id"]
    assert api(site, "POST", f"/referrals/{referral_id}/allocate", manager,
               {"advocate_email": advocate_email}).status_code == 200
    first = (statutory - timedelta(days=2)).isoformat()
    meeting = wait_for(lambda: (lambda a: a.json() if a.status_code == 201 else None)(api(
        site, "POST", f"/referrals/{referral_id}/meetings", bearer(site, advocate_email),
        {"starts_at": first, "duration_minutes": 60, "venue": VENUE})), what="the meeting")
    advocate = site.signed_in(advocate_email)
    later = statutory + timedelta(days=3)
    moved = {"day": [str(later.day), str(later.month), str(later.year)], "time": "10:00",
             "venue_name": VENUE["name"], "accessible": "yes", "risk_assessed": "yes",  # as the page fills them in
             "reason": "The child is unwell"}
    page = advocate.submit(f"/referrals/{referral_id}/reschedule", moved)
    (said,) = errors_on(page)
    assert said.startswith("The meeting is after its deadline") and "Give the reason it cannot be sooner" in said
    assert api(site, "GET", f"/referrals/{referral_id}", manager).json()["meeting"]["starts_at"] == \
        meeting["starts_at"], "nothing moved"

    done = advocate.submit(f"/referrals/{referral_id}/reschedule", {**moved, "late_reason": "In hospital until then"})
    assert done.status_code == 302, errors_on(done)
    (shown,) = [m for m in api(site, "GET", f"/meetings?day={later.date().isoformat()}", manager).json()["items"]
                if m["id"] == meeting["id"]]
    assert shown["late"] is True and shown["late_reason"] == "In hospital until then"
    attention = wait_for(lambda: [d for d in api(site, "GET", "/deadlines", manager).json()["items"]
                                  if d["referral_id"] == referral_id] or None, what="the deadline at risk")
    assert [(d["deadline"], d["state"]) for d in attention] == [("meeting_by", "at_risk")]
    assert "At risk" in advocate.get(f"/referrals/{referral_id}").text
