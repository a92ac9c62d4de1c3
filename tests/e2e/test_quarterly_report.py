"""A known quarter driven through the real services, in two councils of two regions: Active Offers with every
outcome, one not held, one closed without a meeting, opt-outs, a take-up into a case with issues and signposting,
a complaint answered and a compliment. Every figure the template gives for each council, each region and the whole
provider is checked against counts made here from what was done; a rebuild gives the same report."""

from __future__ import annotations

import time
import uuid
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone

import pytest
import requests

from shared.clock import LONDON, now
from shared.config import Settings
from shared.contracts.referral import NOT_WANTED_REASONS
from shared.contracts.scheduling import LEFT_WITH_CHILD, MEETING_TOPICS, NOT_HELD_REASONS, VENUE_TYPES
from shared.councils import CouncilRegister
from shared.store import open_store
from shared.unit_of_work import UnitOfWork

from services.gateway import handlers, report_files
from services.gateway.store import GatewayStore
from services.platform import Embedded
from services.reporting import domain, handlers as reporting
from tests.examples import example_referral

PASSWORD = "a long enough password"
VENUE = {"name": "Ysgol y Wern", "accessible": True, "risk_assessed": True}
COUNCILS = ("CARDIFF", "SWANSEA")
PLAN = {  # each council's Active Offers, as what happens to each
    "CARDIFF": ["take_up", "declined", "reflecting", "not_held", "unable_to_contact"],
    "SWANSEA": ["other_support", "take_up"],
}
OPT_OUTS = {"CARDIFF": ["has an advocate already", "does not want one"], "SWANSEA": ["does not want one"]}


class Provider:
    def __init__(self, embedded: Embedded):
        self.url, self.settings = embedded.url, embedded.settings
        self.gateway = GatewayStore(open_store("gateway", embedded.settings))
        self.councils = CouncilRegister.load()
        self.manager = self.staff("manager")

    def staff(self, role: str, **scope) -> dict:
        email = f"{role}-{uuid.uuid4().hex[:6]}@provider.example"
        handlers.create_user(self.gateway, self.councils, email, role, scope.get("council"), PASSWORD,
                             region=scope.get("region"))
        return {"Authorization": f"Bearer {handlers.create_token(self.gateway, email)}", "email": email}

    def key(self, council: str) -> dict:
        return {"Authorization": f"Bearer {handlers.create_api_key(self.gateway, self.councils, council)}"}

    def call(self, method: str, path: str, who: dict, body: dict | None = None, status: int = 200) -> dict:
        headers = {"Authorization": who["Authorization"]}
        answer = requests.request(method, f"{self.url}{path}", json=body, headers=headers, timeout=15)
        assert answer.status_code == status, (path, answer.text)
        return answer.json()


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("reports"),
                       bus_prefix=f"test-{uuid.uuid4().hex[:8]}", retry_delays=(0.2, 0.5))
    embedded = Embedded(settings, port=0)
    embedded.start()
    yield Provider(embedded)
    embedded.stop()


def a_quarter(provider: Provider) -> dict:
    """Everything the quarter holds, done through the public API back to back; what was done, to count."""
    done: dict = {council: Counter() for council in COUNCILS}
    meetings = []
    for council in COUNCILS:
        key = provider.key(council)
        for ending in PLAN[council]:
            monitored = (council, ending) == ("CARDIFF", "take_up")
            referral = provider.call("POST", "/api/v1/referrals", key, monitored_referral() if monitored
                                     else a_child(example_referral()), 201)
            advocate = provider.staff("advocate")
            provider.call("POST", f"/api/v1/referrals/{referral['id']}/allocate", provider.manager,
                          {"advocate_email": advocate["email"]})
            done[council]["received"] += 1
            if ending == "unable_to_contact":
                provider.call("POST", f"/api/v1/referrals/{referral['id']}/contact-attempts", advocate,
                              {"method": "phone", "result": "no_answer"}, 201)
                provider.call("POST", f"/api/v1/referrals/{referral['id']}/close", provider.manager,
                              {"reason": "unable_to_contact"})
                done[council]["contacted"] += 1
                done[council]["unable_to_contact"] += 1
                continue
            provider.call("POST", f"/api/v1/referrals/{referral['id']}/contact-attempts", advocate,
                          {"method": "phone", "result": "reached"}, 201)
            done[council]["contacted"] += 1
            starts = now().astimezone(timezone.utc).replace(microsecond=0) + timedelta(seconds=3)
            language = "cy" if (council, ending) == ("CARDIFF", "take_up") else "en"
            meeting = provider.call("POST", f"/api/v1/referrals/{referral['id']}/meetings", advocate,
                                    {"starts_at": starts.isoformat(), "duration_minutes": 15,
                                     "venue": {**VENUE, "type": "school"} if monitored else VENUE,
                                     "language": language}, 201)
            meetings.append((council, ending, meeting, advocate, monitored))
        for reason in OPT_OUTS[council]:
            provider.call("POST", "/api/v1/opt-outs", key, {
                "basis": "looked_after", "date_of_birth": "2014-05-01", "reason": reason,
                "offered_at": (now() - timedelta(hours=1)).isoformat()}, 201)
    time.sleep(max(0.0, max(datetime.fromisoformat(m["starts_at"]) for _, _, m, _, _ in meetings).timestamp()
                   - time.time()) + 0.3)
    for council, ending, meeting, advocate, monitored in meetings:
        if ending == "not_held":
            provider.call("POST", f"/api/v1/meetings/{meeting['id']}/record", advocate,
                          {"took_place": False, "reason_not_held_code": "child_unavailable",
                           "reason_not_held_note": "The child was unwell"})
            done[council]["not_held"] += 1
            continue
        record = {"took_place": True, "outcome": ending, "topics_covered": ["advocate_role", "rights"],
                  "left_with_child": ["leaflet"], **({"interpreter_used": True} if monitored else {}),
                  **({"contact_details_given": True} if ending in ("declined", "reflecting") else {}),
                  **({"other_support_type": "peer"} if ending == "other_support" else {})}
        if ending == "declined":
            record.update(decline_reason_code="support_elsewhere",
                          decline_reason_note="Happy with the support already in place")
        recorded = provider.call("POST", f"/api/v1/meetings/{meeting['id']}/record", advocate, record)
        done[council]["held"] += 1
        done[council][ending] += 1
        if ending == "take_up":
            done[council]["follow_ons"] += 1
            if council == "CARDIFF":
                casework(provider, recorded["follow_on_referral_id"], advocate)
                done[council]["cases"] += 1
    complaint = provider.call("POST", "/api/v1/complaints", provider.manager, {
        "kind": "complaint", "made_by": "child", "about": "My advocate came late", "council": "CARDIFF",
        "contact": {"email": "child@example.com"}}, 201)
    provider.call("POST", f"/api/v1/complaints/{complaint['id']}/respond", provider.manager,
                  {"outcome": "upheld", "summary": "We are sorry; it will not happen again."})
    provider.call("POST", "/api/v1/complaints", provider.manager, {
        "kind": "compliment", "made_by": "parent", "about": "Thank you", "council": "SWANSEA", "wants_reply": False},
        201)
    return done


def a_child(body: dict) -> dict:
    """The example referral for a child of their own: a name and a council reference no other referral has."""
    return {**body, "child": {**body["child"], "given_name": f"Cerys{uuid.uuid4().hex[:6]}"},
            "external_ref": f"MOSAIC-{uuid.uuid4().hex[:8]}"}


def monitored_referral() -> dict:
    """A referral saying what the headline groups and the language-and-access measures count: a child placed out of
    county, needing an interpreter, with communication needs, referred by a third-sector organisation."""
    body = a_child(example_referral())
    body["placed_out_of_county"] = True
    body["referrer"]["organisation_type"] = "third_sector"
    body["child"].update(interpreter_needed=True, communication_needs="Uses Makaton signs")
    return body


def casework(provider: Provider, follow_on: str, advocate: dict) -> None:
    provider.call("POST", f"/api/v1/referrals/{follow_on}/allocate", provider.manager,
                  {"advocate_email": advocate["email"]})
    case = provider.call("POST", "/api/v1/cases", advocate, {"referral_id": follow_on, "consents_to_case_file": True},
                         201)
    issue = provider.call("POST", f"/api/v1/cases/{case['id']}/issues", advocate,
                          {"theme": "contact", "description": "I want to see my brother more"}, 201)["issues"][0]
    provider.call("POST", f"/api/v1/cases/{case['id']}/signposting", advocate, {"to": "legal"}, 201)
    provider.call("POST", f"/api/v1/cases/{case['id']}/issues/{issue['id']}/conclude", advocate,
                  {"outcome": "resolved"})
    provider.call("POST", f"/api/v1/cases/{case['id']}/close", advocate,
                  {"outcome": "issues_resolved", "satisfaction": 5})


def expected(done: dict, councils: tuple[str, ...]) -> dict:
    """The figures, counted from what was done in `councils`."""
    total = sum((done[c] for c in councils), Counter())
    opt_outs = Counter(reason for c in councils for reason in OPT_OUTS[c])
    return {
        "offers": total["received"] + sum(opt_outs.values()), "opt_outs": sum(opt_outs.values()),
        "opt_out_reasons": {**{code: 0 for code in NOT_WANTED_REASONS}, "other": sum(opt_outs.values()),
                            "not_recorded": 0},  # reasons told in words count as other
        "referrals_received": total["received"],
        "by_basis": {"looked_after": total["received"], "child_protection": 0, "care_and_support": 0},
        "first_contact_made": total["contacted"], "meetings_held": total["held"],
        "meetings_held_before_deadline": total["held"], "meetings_not_held": total["not_held"],
        "not_held_reasons": {**dict.fromkeys((*NOT_HELD_REASONS, "not_recorded"), 0),
                             "child_unavailable": total["not_held"]},
        "outcomes": {outcome: total[outcome] for outcome in ("take_up", "declined", "reflecting", "other_support")},
        "decline_reasons": {**dict.fromkeys((*NOT_WANTED_REASONS, "not_recorded"), 0),
                            "support_elsewhere": total["declined"]},
        "meetings_by_topic": {**dict.fromkeys(MEETING_TOPICS, 0), "advocate_role": total["held"],
                              "rights": total["held"]},
        "meetings_by_left_with_child": {**dict.fromkeys(LEFT_WITH_CHILD, 0), "leaflet": total["held"]},
        "closed_without_meeting": {"unable_to_contact": total["unable_to_contact"], "declined_meeting": 0,
                                   "withdrawn": 0, "duplicate": 0},
        "issue_based_from_take_up": total["follow_ons"], "cases_opened": total["cases"],
    }


def test_every_figure_of_a_known_quarter_in_every_scope_and_again_after_a_rebuild(provider):
    done = a_quarter(provider)
    year, quarter = domain.quarter_of(now().isoformat()).split("Q")
    query = f"year={year}&quarter={quarter}"
    regions = {c: provider.councils.get(c).region for c in COUNCILS}
    assert regions["CARDIFF"] != regions["SWANSEA"], "two councils of two regions"
    reports = {}
    below = provider.settings.report_suppress_below
    for council in COUNCILS:
        reports[council] = provider.call("GET", f"/api/v1/reports/quarterly?{query}&council={council}",
                                         provider.manager)
        assert reports[council]["active_offer"] == expected(done, (council,)), council
        own = provider.call("GET", f"/api/v1/reports/quarterly?{query}", provider.key(council))
        assert own == report_files.as_read(reports[council], None, below, exact=False), "small cells withheld"
        exact = provider.call("GET", f"/api/v1/reports/quarterly?{query}&region={regions[council]}", provider.manager)
        assert exact["active_offer"] == expected(done, (council,)), "a region holds its councils' figures"
        region = provider.staff("commissioner", region=regions[council])
        by_region = provider.call("GET", f"/api/v1/reports/quarterly?{query}", region)
        assert by_region["scope"] == {"kind": "region", "code": regions[council]}
        assert by_region == report_files.as_read(exact, None, below, exact=False)
    whole = provider.call("GET", f"/api/v1/reports/quarterly?{query}", provider.manager)
    assert whole["active_offer"] == expected(done, COUNCILS)
    assert whole["referrals"]["by_kind"] == {"active_offer": 7, "issue_based": 2}
    assert whole["referrals"]["by_source"] == {"active_offer": 2, "social_worker": 7}
    for step, reached in (("allocation", 7), ("first_contact_attempt", 7), ("meeting_held", 5)):
        assert whole["response_times"][step] == {"reached": reached, "median_days": 0, "within_time_frame": 1.0}
    this_week = f"week_{(now().astimezone(LONDON).date() - date.fromisoformat(whole['period']['from'])).days // 7 + 1}"
    over = whole["response_times_over_the_period"]
    assert {part: figures["received"] for part, figures in over.items() if figures["received"]} == {this_week: 7}
    assert over[this_week] == {"received": 7, "allocation": 0, "first_contact_attempt": 0, "meeting_held": 0}
    cardiff = reports["CARDIFF"]
    assert cardiff["casework"]["cases_opened"] == 1 and cardiff["casework"]["cases_closed"] == 1
    assert cardiff["casework"]["issues_raised_by_theme"]["contact"] == 1
    assert cardiff["casework"]["signposted_to"]["legal"] == 1
    assert cardiff["casework"]["satisfaction"]["mean"] == 5
    assert reports["SWANSEA"]["casework"]["cases_opened"] == 0, "a council's report holds its own figures alone"
    assert cardiff["complaints"]["answered"] == 1 and cardiff["complaints"]["answered_within_time_limit"] == 1.0
    assert cardiff["complaints"]["received_by_kind"] == {"complaint": 1, "representation": 0, "compliment": 0}
    assert reports["SWANSEA"]["complaints"]["received_by_kind"]["compliment"] == 1
    monitored = 1  # the monitored child, once for their referral and their take-up's
    children = 7  # a child for each Active Offer; a take-up's follow-on is its child's
    assert whole["language"] == {"welsh_asked_for": children, "meetings_held": 5, "meetings_held_in_welsh": 1,
                                 "interpreters_needed": monitored, "interpreters_used": 1,
                                 "communication_needs_given": monitored,
                                 "meetings_held_by_venue": {**dict.fromkeys(VENUE_TYPES, 0), "school": 1},
                                 "meetings_held_at_accessible_risk_assessed_venues": 5}
    assert whole["headline_groups"] == {"placed_out_of_county": monitored, "unaccompanied_asylum_seeking": 0,
                                        "care_leavers": 0, "third_sector_referrers": 1}
    assert reports["SWANSEA"]["headline_groups"]["placed_out_of_county"] == 0
    assert "Makaton" not in str(whole), "whether communication needs were given, never what they are"
    published = provider.call("GET", f"/api/v1/reports/quarterly?{query}&publication=true", provider.manager)
    assert published["headline_groups"]["third_sector_referrers"] is None, "a count of one is withheld"
    assert published["language"]["meetings_held_by_venue"]["school"] is None
    assert "Cerys" not in str(whole) and "provider.example" not in str(whole), "counts, never names"
    assert "unwell" not in str(whole) and "advocate already" not in str(whole), "nor anyone's own words"

    store = open_store("reporting", provider.settings)
    read = reporting.rebuild(UnitOfWork(store))
    assert read > 40
    assert provider.call("GET", f"/api/v1/reports/quarterly?{query}", provider.manager) == whole
