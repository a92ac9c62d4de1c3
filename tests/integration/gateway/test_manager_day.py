"""A manager's day on the staff pages: the home page (referrals by deadline, complaints waiting with their clocks,
children asking for a different advocate), the referral list (filters, search by name or reference, pages), a
referral's page (its deadlines as they are now, contact attempts' notes, who did what in people's words), and the
case and complaint lists naming the child and their state."""

from __future__ import annotations

import re
import time
import uuid
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
import requests

from shared.clock import LONDON, new_id
from shared.store import Put, open_store
from shared.store.sqlite import SQLiteStore
from services.gateway import handlers
from services.gateway.web.pages import clock_state
from services.referral import handlers as referral_handlers, model
from services.referral.store import INDEXES, ReferralStore
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.test_web_forms import Site, Visitor, errors_on, running_site

VENUE = {"name": "Ysgol y Wern", "address": "Heol y Wern, Caerdydd", "accessible": True, "risk_assessed": True}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "manager-day", strict_queries=True)


# setting the day up through the public API, as council systems and staff tools do


def bearer(site: Site, email: str) -> dict:
    return {"Authorization": f"Bearer {handlers.create_token(site.gateway, email)}"}


def api(site: Site, method: str, path: str, headers: dict, **kwargs) -> requests.Response:
    return requests.request(method, f"{site.url}/api/v1{path}", headers=headers, timeout=10, **kwargs)


def child(given: str, family: str, **changes) -> dict:
    body = example_referral()
    body["child"] = {**body["child"], "given_name": given, "family_name": family}
    body["external_ref"] = f"REF-{uuid.uuid4().hex[:6]}"
    return {**body, **changes}


def referred(site: Site, body: dict, council: str = "CARDIFF") -> str:
    key = {"Authorization": f"Bearer {handlers.create_api_key(site.gateway, site.councils, council)}"}
    answer = api(site, "POST", "/referrals", key, json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def allocated(site: Site, manager: str, advocate: str, referral_id: str) -> None:
    answer = api(site, "POST", f"/referrals/{referral_id}/allocate", bearer(site, manager),
                 json={"advocate_email": advocate})
    assert answer.status_code == 200, answer.text


def taken_up(site: Site, manager: str, advocate: str, referral_id: str) -> str:
    """The Active Offer met and taken up: the id of the issue-based referral it opened."""
    allocated(site, manager, advocate, referral_id)
    starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    meeting = api(site, "POST", f"/referrals/{referral_id}/meetings", bearer(site, advocate), json={
        "starts_at": starts.isoformat(), "duration_minutes": 60, "venue": VENUE, "late_reason": "soon"})
    assert meeting.status_code == 201, meeting.text
    time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds()) + 0.1)
    recorded = api(site, "POST", f"/meetings/{meeting.json()['id']}/record", bearer(site, advocate),
                   json={"took_place": True, "outcome": "take_up",
                         "consent": {"share_outcome_with_referrer": True}})
    assert recorded.status_code == 200, recorded.text
    return recorded.json()["follow_on_referral_id"]


def case_opened(site: Site, staff: dict, given: str, family: str) -> str:
    """A child's Active Offer taken up, its follow-on allocated and their case opened: the case's id."""
    return case_opened_for(site, staff, referred(site, child(given, family)))


def case_opened_for(site: Site, staff: dict, referral_id: str) -> str:
    """The Active Offer of a referral taken up, its follow-on allocated and the child's case opened: its id."""
    follow_on = taken_up(site, staff["manager"], staff["advocate"], referral_id)
    wait_for(lambda: api(site, "GET", f"/referrals/{follow_on}", bearer(site, staff["manager"])).status_code == 200,
             what="the follow-on referral")
    allocated(site, staff["manager"], staff["advocate"], follow_on)
    opened = wait_for(lambda: (answer := api(site, "POST", "/cases", bearer(site, staff["advocate"]), json={
        "referral_id": follow_on, "consents_to_case_file": True})).status_code == 201 and answer,
        what="the case to open")
    return opened.json()["id"]


def text_of(page: requests.Response | str) -> str:
    """A page's words as a reader sees them: tags gone, entities read, spaces single."""
    html = page if isinstance(page, str) else page.text
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def section(page: str, heading: str) -> str:
    """The words under a page's heading, up to the next heading of that size or larger."""
    found = re.search(rf"<h2[^>]*>\s*{re.escape(heading)}\s*</h2>(.*?)(?=<h[12][ >]|</main>)", page, re.S)
    assert found, f"no {heading!r} section"
    return text_of(found.group(1))


def searched(visitor: Visitor, search: str = "", **filters) -> requests.Response:
    """The referral list as its form posts a search: kept in the session, the list shown by a token in the address
    (the refusal, for a search the form refuses)."""
    posted = visitor.submit("/referrals", {"search": search, **filters})
    if posted.status_code != 303:
        return posted
    assert search == "" or search not in posted.headers["Location"], "no child's name in the address"
    return visitor.get(posted.headers["Location"])


def welsh(visitor: Visitor) -> Visitor:
    visitor.http.cookies.set("llais_language", "cy")
    return visitor


@pytest.fixture(scope="module")
def staff(site):
    return {"manager": site.user("manager"), "advocate": site.user("advocate")}


# a referral's page


def clocks_of(page: str) -> dict[str, str]:
    part = page[page.index("llais-deadlines"):]
    return dict(re.findall(r"<strong>([^<]+)</strong><br>[^<]*<strong class=\"govuk-tag[^\"]*\">([^<]+)<", part))


def test_the_deadline_panel_shows_each_deadline_as_the_moment_makes_it_before_the_clock_job_says_so(site, staff):
    """The clock job says a deadline is at risk or missed only when it next ticks; the page drawn in between showed
    it "Due". The panel now says what its times already make it."""
    referral_id = referred(site, child("Deio", "Morgan"))
    manager = site.signed_in(staff["manager"])
    wait_for(lambda: manager.get(f"/referrals/{referral_id}").status_code == 200, what="the referral")
    scheduling = open_store("scheduling", site.settings)
    case = wait_for(lambda: scheduling.get("cases", referral_id), what="the deadlines")
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    soon = (datetime.now(timezone.utc) + timedelta(hours=5)).isoformat()
    clocks = {**case.body["clocks"],
              "allocate_by": {**case.body["clocks"]["allocate_by"], "at_risk_at": past, "due_at": soon},
              "first_contact_by": {**case.body["clocks"]["first_contact_by"], "at_risk_at": past, "due_at": past}}
    scheduling.commit(Put.update(case, {**case.body, "clocks": clocks}))
    shown = clocks_of(manager.get(f"/referrals/{referral_id}").text)
    assert shown["Allocation"] == "At risk" and shown["First contact"] == "Missed", shown
    assert shown["Active Offer meeting"] == "Due"


def test_the_deadline_panel_right_after_a_step_shows_the_step_met_its_deadline(site, staff):
    referral_id = referred(site, child("Elis", "Owen"))
    manager = site.signed_in(staff["manager"])
    wait_for(lambda: manager.get(f"/referrals/{referral_id}").status_code == 200, what="the referral")
    done = manager.submit(f"/referrals/{referral_id}/allocate", {"advocate_email": staff["advocate"]})
    assert done.status_code == 302, errors_on(done)
    assert clocks_of(manager.get(f"/referrals/{referral_id}").text)["Allocation"] == "Met"


def test_contact_attempts_show_their_notes_and_who_made_them_to_staff(site, staff):
    referral_id = referred(site, child("Ffion", "Price"))
    allocated(site, staff["manager"], staff["advocate"], referral_id)
    advocate = site.signed_in(staff["advocate"])
    wait_for(lambda: advocate.get(f"/referrals/{referral_id}").status_code == 200, what="the referral")
    done = advocate.submit(f"/referrals/{referral_id}/contact", {
        "method": "phone", "result": "message_left", "note": "Carer <b>asked</b> us to ring after school"})
    assert done.status_code == 302, errors_on(done)
    page = advocate.get(f"/referrals/{referral_id}").text
    attempts = section(page, "Contact attempts")
    assert "Carer <b>asked</b> us to ring after school" in attempts, "the note, as typed, shown as text"
    assert "<b>asked</b>" not in page, "a note is escaped, never markup"
    assert staff["advocate"] in attempts


def test_a_contact_attempt_asks_when_it_was_made_and_refuses_a_time_it_cannot_have_been(site, staff):
    """An attempt was stamped with the moment it was typed. The form now asks when (now unless changed), and a
    time in the future or before the referral came is refused on the date, recording nothing."""
    referral_id = referred(site, child("Sioned", "Lloyd"))
    allocated(site, staff["manager"], staff["advocate"], referral_id)
    advocate = site.signed_in(staff["advocate"])
    wait_for(lambda: advocate.get(f"/referrals/{referral_id}").status_code == 200, what="the referral")
    today = datetime.now(LONDON)
    form = advocate.get(f"/referrals/{referral_id}/contact").text
    assert (f'id="day-day" name="day" type="text" value="{today:%d}"' in form
            and f'id="day-year" name="day" type="text" value="{today.year}"' in form), "today, unless changed"
    for day, time_text, said in (
            (today + timedelta(days=1), "10:00", "The date of the attempt must be today or in the past"),
            (today - timedelta(days=1), "10:00", "The attempt cannot have been made before the referral was "
                                                 "received")):
        refused = advocate.submit(f"/referrals/{referral_id}/contact", {
            "method": "phone", "result": "no_answer", "day": [str(day.day), str(day.month), str(day.year)],
            "time": time_text})
        assert refused.status_code == 200 and any(said in e for e in errors_on(refused)), errors_on(refused)
    assert "Contact attempts" not in advocate.get(f"/referrals/{referral_id}").text, "nothing was recorded"
    done = advocate.submit(f"/referrals/{referral_id}/contact", {
        "method": "phone", "result": "reached", "day": [str(today.day), str(today.month), str(today.year)],
        "time": today.strftime("%H:%M")})
    assert done.status_code == 302, errors_on(done)


def test_the_timeline_names_who_did_what_in_peoples_words_in_the_pages_language(site, staff):
    referral_id = referred(site, child("Gethin", "Rees"))
    manager = site.signed_in(staff["manager"])
    wait_for(lambda: "acknowledged" in manager.get(f"/referrals/{referral_id}").text.lower(),
             what="the acknowledgement")
    allocated(site, staff["manager"], staff["advocate"], referral_id)
    timeline = section(manager.get(f"/referrals/{referral_id}").text, "Timeline")
    assert "Cardiff" in timeline and "CARDIFF" not in timeline, timeline
    assert site.settings.provider_name in timeline and ", provider" not in timeline, timeline
    assert staff["manager"] in timeline
    cymraeg = section(welsh(manager).get(f"/referrals/{referral_id}").text, "Llinell amser")
    assert "Caerdydd" in cymraeg and "CARDIFF" not in cymraeg, cymraeg


def test_the_timeline_names_the_advocate_who_arranged_and_recorded_the_meeting(site, staff):
    """Scheduling's events said only `scheduling`, so a meeting an advocate arranged and recorded read as Llais's
    own doing. Each step now names who took it; what the service did on its own (the follow-on's allocation on
    take-up) is still Llais."""
    referral_id = referred(site, child("Heledd", "Jenkins"))
    follow_on = taken_up(site, staff["manager"], staff["advocate"], referral_id)
    manager = site.signed_in(staff["manager"])
    wait_for(lambda: manager.get(f"/referrals/{follow_on}").status_code == 200, what="the follow-on")
    timeline = section(manager.get(f"/referrals/{referral_id}").text, "Timeline")
    for step in ("Meeting arranged", "Meeting took place", "Active Offer completed"):
        assert re.search(rf"{step} [^,]+, [0-9:]+, {re.escape(staff['advocate'])}", timeline), (step, timeline)
    assert "Llais (automatic)" not in timeline and "scheduling" not in timeline, timeline
    allocation = section(manager.get(f"/referrals/{follow_on}").text, "Timeline")
    assert re.search(r"Allocated [^,]+, [0-9:]+, Llais \(automatic\)", allocation), allocation
    cymraeg = section(welsh(manager).get(f"/referrals/{follow_on}").text, "Llinell amser")
    assert "Llais (awtomatig)" in cymraeg, cymraeg


# the home page


def test_two_referrals_of_one_child_are_told_apart_on_the_home_page(site, staff):
    advocate = site.user("advocate")
    first = referred(site, child("Iolo", "Bevan", external_ref="IOLO-ONE"))
    second = referred(site, child("Iolo", "Bevan", external_ref="IOLO-TWO", kind="issue_based"))
    for referral_id in (first, second):
        allocated(site, staff["manager"], advocate, referral_id)
    home = site.signed_in(advocate).get("/").text
    mine = section(home, "My referrals")
    assert mine.count("Iolo Bevan") == 2
    assert "Active Offer referral" in mine and "Issue-based referral" in mine and "IOLO-ONE" in mine and "IOLO-TWO" in mine, mine


def test_the_managers_home_shows_referrals_by_deadline_complaints_waiting_and_requests_to_change_advocate(
        site, staff):
    missed, at_risk = referred(site, child("Jac", "Lloyd")), referred(site, child("Kai", "Hughes"))
    referred(site, child("Mali", "Rees"))  # to be allocated within days: due soon
    scheduling = open_store("scheduling", site.settings)
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    for referral_id, state in ((missed, "missed"), (at_risk, "at_risk")):
        case = wait_for(lambda: scheduling.get("cases", referral_id), what="the deadlines")
        clocks = {**case.body["clocks"], "allocate_by": {**case.body["clocks"]["allocate_by"], "state": state,
                                                         "at_risk_at": past}}
        scheduling.commit(Put.update(case, {**case.body, "clocks": clocks}))
    complained(site, staff["manager"], "Lowri Ellis")
    manager = site.signed_in(staff["manager"])
    home = manager.get("/")
    assert home.status_code == 200
    deadlines = section(home.text, "Referrals by deadline")
    assert deadlines.index("Deadlines missed") < deadlines.index("Jac Lloyd") < deadlines.index(
        "Deadlines at risk") < deadlines.index("Kai Hughes") < deadlines.index(
        "Due in the next 7 days") < deadlines.index("Mali Rees"), deadlines
    assert "Mali Rees" in text_of(manager.get("/referrals", params={"deadline": "due_soon"}))
    assert "Mali Rees" not in text_of(manager.get("/referrals", params={"deadline": "at_risk"}))
    complaints = wait_for(lambda: (said := section(manager.get("/").text, "Complaints waiting for us")) and
                          "Acknowledge by" in said and said, what="the complaint's clocks")
    assert "Lowri Ellis" in complaints and re.search(r"Acknowledge by .* \((\d+ days? left|due today)\)",
                                                     complaints), complaints
    case_id = case_opened(site, staff, "Llio", "Parry")
    asked = api(site, "POST", f"/cases/{case_id}/advocate-change-requests", bearer(site, staff["advocate"]),
                json={"reason": "The child would like a Welsh speaker"})
    assert asked.status_code == 201, asked.text
    changes = section(manager.get("/").text, "Requests for a different advocate")
    assert "Llio Parry" in changes and staff["advocate"] in changes, changes


# the lists


def test_a_search_keeps_the_childs_name_out_of_the_address_and_the_history_and_pages_by_its_token(site, staff):
    wanted = referred(site, child("Ceridwen", "Hopkin-Rees", external_ref="TOKEN-1"))
    manager, other = site.signed_in(staff["manager"]), site.signed_in(staff["manager"])
    wait_for(lambda: manager.get(f"/referrals/{wanted}").status_code == 200, what="the referral")
    form = manager.get("/referrals").text
    assert re.search(r'<form method="post" action="/referrals"', form), "the search is posted, not put in the address"
    posted = manager.submit("/referrals", {"search": "Hopkin Ceri", "status": "received"})
    assert posted.status_code == 303, "Back never asks to send the form again"
    address = posted.headers["Location"]
    assert "Hopkin" not in address and "Ceri" not in address and "search" not in address
    assert "status=received" in address, "the other filters stay in the address, as the API takes them"
    listed = manager.get(address)
    assert "Ceridwen Hopkin-Rees" in text_of(listed) and 'value="Hopkin Ceri"' in listed.text
    assert "Hopkin Ceri" not in other.get(address).text, "a token is its own session's only"
    old_address = manager.get("/referrals?search=Nobody+Here")
    assert "Nobody Here" not in old_address.text and "No referrals match." not in text_of(old_address), \
        "an address carrying a search is not searched by: a name put there is never used nor shown"
    audited = [e for e in site.audit() if e.get("what") == "search referrals"]
    assert audited and "Hopkin" not in str(audited) and "Ceri" not in str(audited), "no name in the audit log"




def test_the_referral_list_searches_by_name_folded_or_reference_and_counts_in_words(site, staff):
    wanted = referred(site, child("Môrwen", "Ap-Dafydd", external_ref="SRCH-77"))
    referred(site, child("Nia", "Thomas"))
    manager = site.signed_in(staff["manager"])
    wait_for(lambda: manager.get(f"/referrals/{wanted}").status_code == 200, what="the referral")
    for said in ("morwen ap dafydd", "MÔRWEN", "ap-dafydd", "SRCH-77", "srch-77", wanted, "Môrw", "Ap Dafydd Morwen",
                 "dafydd morw"):
        listed = text_of(searched(manager, said))
        assert "Môrwen Ap-Dafydd" in listed and "Nia Thomas" not in listed, said
        assert "1 referral shown" in listed, said
    assert "No referrals match." in text_of(searched(manager, "Nobody Here"))
    too_long = searched(manager, "x" * 201)
    assert errors_on(too_long) == ["The answer to “Child's name or reference” must be 200 characters or fewer"], \
        errors_on(too_long)
    many = text_of(manager.get("/referrals"))
    assert re.search(r"\b\d+ referrals shown", many) and "1 referrals" not in many


def test_the_referral_list_filters_by_deadline_state_and_council_together(site, staff):
    late = referred(site, child("Osian", "Wyn"), council="NEWPORT")
    scheduling = open_store("scheduling", site.settings)
    case = wait_for(lambda: scheduling.get("cases", late), what="the deadlines")
    clocks = {**case.body["clocks"], "allocate_by": {**case.body["clocks"]["allocate_by"], "state": "missed"}}
    scheduling.commit(Put.update(case, {**case.body, "clocks": clocks}))
    manager = site.signed_in(staff["manager"])
    shown = text_of(manager.get("/referrals", params={"deadline": "missed", "council": "NEWPORT"}))
    assert "Osian Wyn" in shown
    assert "Osian Wyn" not in text_of(manager.get("/referrals", params={"deadline": "missed", "council": "CARDIFF"}))
    assert "Osian Wyn" in text_of(searched(manager, "osian wyn", deadline="missed"))
    assert "Osian Wyn" in text_of(searched(manager, "Wyn Osi", deadline="missed", council="NEWPORT"))
    assert "Osian Wyn" not in text_of(searched(manager, "Wyn Osi", deadline="missed", council="CARDIFF"))


def test_a_search_pages_in_the_order_referrals_came_reading_only_indexes(tmp_path):
    """The referral service's search, a page at a time (the list's `next`), from a strict store: each read one a
    declared index answers."""
    store = SQLiteStore(tmp_path / "referral.sqlite3")
    store.ensure_indexes(INDEXES, strict=True)
    made = []
    for number, (given, family) in enumerate([("Pedr", "Cadwaladr")] * 3 + [("Siôn", "Cadwaladr")]):
        body = model.referral(id=new_id(), council="CARDIFF", region="cardiff", nation="wales", kind="active_offer",
                              basis="looked_after", source="social_worker",
                              child={"given_name": given, "family_name": family, "date_of_birth": "2013-05-02"},
                              referrer={}, consent={}, received_at=f"2026-12-0{number + 1}T10:00:00+00:00",
                              received_from="CARDIFF", external_ref=f"PAGE-{number}")
        store.commit(Put.new("referrals", body["id"], body))
        made.append(body["id"])
    referrals = ReferralStore(store)
    seen, cursor = [], None
    while True:
        items, cursor = referral_handlers.search_referrals(referrals, "PEDR cadwaladr", limit=2, cursor=cursor)
        seen += [item["id"] for item in items]
        if cursor is None:
            break
    assert seen == made[:3]
    assert [i["id"] for i in referral_handlers.search_referrals(referrals, "cadwaladr", limit=10)[0]] == made
    assert [i["id"] for i in referral_handlers.search_referrals(referrals, "sion", limit=10)[0]] == made[3:]
    assert [i["id"] for i in referral_handlers.search_referrals(referrals, "PAGE-2", limit=10)[0]] == made[2:3]
    assert [i["id"] for i in referral_handlers.search_referrals(referrals, made[1], limit=10)[0]] == made[1:2]
    assert made[1] in [i["id"] for i in referral_handlers.search_referrals(referrals, made[1][:8], limit=10)[0]]


def test_cases_are_listed_by_the_childs_name_and_their_state(site, staff):
    case_id = case_opened(site, staff, "Rhys", "Gwilym")
    listed = text_of(site.signed_in(staff["manager"]).get("/cases"))
    assert "Rhys Gwilym" in listed and re.search(r"Rhys Gwilym .*Open", listed), listed
    referral_id = api(site, "GET", f"/cases/{case_id}", bearer(site, staff["manager"])).json()["referral_id"]
    read = [e for e in site.audit() if e.get("referral_id") == referral_id and e["who"] == staff["manager"]
            and e["what"] == "read referral in a list"]
    assert read and "Rhys" not in str(read), "each child named in a list is a read of their record, audited"


def test_a_cases_steps_and_its_referrals_pages_ask_only_what_its_work_has(site, staff):
    """A satisfaction that is not a number is asked for again in words; an issue-based referral has no Active Offer
    meeting, so the pages of one are not there (a 404, not a step that "cannot be done now")."""
    case_id = case_opened(site, staff, "Tomos", "Rowlands")
    advocate = site.signed_in(staff["advocate"])
    closing = advocate.submit(f"/cases/{case_id}/close", {"outcome": "issues_resolved", "satisfaction": "very happy"})
    assert errors_on(closing) == ["Give the child's satisfaction as a number from 1 to 5"]
    assert errors_on(advocate.submit(f"/cases/{case_id}/close", {"outcome": "issues_resolved", "satisfaction": "9"})) == [
        "Give a number from 1 to 5"]
    referral_id = api(site, "GET", f"/cases/{case_id}", bearer(site, staff["manager"])).json()["referral_id"]
    for slug in ("arrange", "reschedule", "cancel", "record"):
        assert advocate.get(f"/referrals/{referral_id}/{slug}").status_code == 404, slug
    assert advocate.get(f"/referrals/{referral_id}/contact").status_code == 200


def complained(site: Site, manager: str, name: str) -> str:
    answer = api(site, "POST", "/complaints", bearer(site, manager), json={
        "kind": "complaint", "made_by": "parent", "about": "Nobody rang back", "name": name,
        "contact": {"email": "parent@example.org"}, "wants_reply": True, "language": "en"})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def test_complaints_are_listed_with_who_made_them_their_state_and_the_next_steps_clock(site, staff):
    complaint_id = complained(site, staff["manager"], "Mererid Huws")
    manager = site.signed_in(staff["manager"])
    listed = wait_for(lambda: (page := text_of(manager.get("/complaints"))) and "Acknowledge:" in page and page,
                      what="the complaint's clocks")
    assert re.search(r"Mererid Huws, A parent or carer Acknowledge: .*\((\d+ days? left|due today)\) Received",
                     listed), listed
    assert manager.get(f"/complaints/{complaint_id}").status_code == 200


@pytest.mark.parametrize("state, at_risk_in, due_in, shown", [
    ("pending", 2, 3, "pending"), ("pending", -1, 3, "at_risk"), ("pending", -2, -1, "missed"),
    ("at_risk", -2, 1, "at_risk"), ("at_risk", -2, -1, "missed"), ("met", -2, -1, "met"),
    ("stopped", -2, -1, "stopped"),
])
def test_a_deadline_is_shown_as_its_times_make_it_now(state, at_risk_in, due_in, shown):
    moment = datetime(2026, 12, 4, 12, tzinfo=timezone.utc)
    clock = {"state": state, "at_risk_at": (moment + timedelta(hours=at_risk_in)).isoformat(),
             "due_at": (moment + timedelta(hours=due_in)).isoformat()}
    assert clock_state(clock, moment) == shown
