"""The reporting service on its real SQLite store: facts handled as the worker handles them, counted once however
often they come, for the quarter they happened in; a council reads its own figures alone; a region its councils';
a rebuild gives the same report; a period or a scope that is not one is refused by name."""

from __future__ import annotations

import pytest

from shared.contracts import new_event
from shared.contracts.scheduling import VENUE_TYPES
from shared.councils import CouncilRegister
from shared.store import Put
from shared.unit_of_work import UnitOfWork, handle
from shared.web import ACTOR_HEADER, COUNCIL_HEADER, ROLE_HEADER

from services.reporting import handlers
from services.reporting.app import create_app
from services.reporting.store import JOURNEYS
from services.reporting.worker import HANDLERS
from tests.unit.reporting.test_template import RECEIVED

MANAGER = {ACTOR_HEADER: "manager@provider.example", ROLE_HEADER: "manager"}
CARDIFF = {ACTOR_HEADER: "key-1", COUNCIL_HEADER: "CARDIFF"}
HOME = CouncilRegister.load().get("CARDIFF").region
OTHER = next(c for c in CouncilRegister.load().all() if c.region != HOME)


@pytest.fixture
def store(service_store):
    return service_store


@pytest.fixture
def client(settings, store):
    return create_app(settings, store=store).test_client()


def deliver(store, event_type: str, data: dict) -> None:
    event = new_event(event_type, data, producer="test", subject="referral:x")
    handle(HANDLERS[event_type], event, store)
    handle(HANDLERS[event_type], event, store)  # delivered again: counted once


def referred(store, referral_id: str, council: str = "CARDIFF", **changes) -> None:
    deliver(store, "referral.received", {**RECEIVED, "referral_id": referral_id, "council": council, **changes})


def funnel(answer) -> dict:
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()["active_offer"]


def test_each_fact_counts_once_in_the_quarter_it_happened(client, store):
    referred(store, "r1")
    referred(store, "r2", received_at="2026-09-30T10:00:00+00:00")  # the quarter before
    deliver(store, "meeting.took_place", {"referral_id": "r2", "council": "CARDIFF", "meeting_id": "m2",
                                          "held_at": "2026-10-02T10:00:00+00:00", "before_deadline": False})
    report = client.get("/reports/quarterly?year=2026&quarter=3", headers=MANAGER).get_json()
    assert report["scope"] == {"kind": "provider", "code": None}
    assert report["period"] == {"year": 2026, "quarter": 3, "from": "2026-10-01", "to": "2026-12-31"}
    assert report["active_offer"]["referrals_received"] == 1 and report["active_offer"]["meetings_held"] == 1
    assert report["active_offer"]["meetings_held_before_deadline"] == 0
    assert report["period_before"]["active_offer"]["referrals_received"] == 1
    assert report["period_before"]["active_offer"]["meetings_held"] == 0
    year = client.get("/reports/annual?year=2026", headers=MANAGER).get_json()
    assert year["active_offer"]["referrals_received"] == 2 and year["period"]["to"] == "2027-03-31"


def test_a_meeting_counts_as_held_in_welsh_and_at_its_venue_as_it_was_arranged(client, store):
    for referral_id, language, said in (("r1", "cy", {"venue_type": "school"}), ("r2", "en", {})):
        referred(store, referral_id)
        meeting = {"meeting_id": f"m-{referral_id}", "referral_id": referral_id, "council": "CARDIFF"}
        deliver(store, "meeting.arranged", {**meeting, "advocate_email": "a@p.example", "venue": "Ysgol y Wern",
                                            "starts_at": "2026-10-10T10:00:00+00:00", "duration_minutes": 30,
                                            "language": language, "late": False, **said})
        deliver(store, "meeting.took_place", {**meeting, "held_at": "2026-10-10T10:00:00+00:00",
                                              "before_deadline": True, "interpreter_used": bool(said)})
    language = client.get("/reports/quarterly?year=2026&quarter=3", headers=MANAGER).get_json()["language"]
    assert language == {"welsh_asked_for": 2, "meetings_held": 2, "meetings_held_in_welsh": 1,
                        "interpreters_needed": 0, "interpreters_used": 1, "communication_needs_given": 0,
                        "meetings_held_by_venue": {**dict.fromkeys(VENUE_TYPES, 0), "school": 1},
                        "meetings_held_at_accessible_risk_assessed_venues": 2}


def test_a_council_reads_its_own_figures_and_nothing_wider(client, store):
    referred(store, "r1")
    referred(store, "r2", council=OTHER.code)
    assert funnel(client.get("/reports/quarterly?year=2026&quarter=3", headers=CARDIFF))["referrals_received"] == 1
    mine = client.get("/reports/quarterly?year=2026&quarter=3&council=CARDIFF", headers=CARDIFF).get_json()
    assert mine["scope"] == {"kind": "council", "code": "CARDIFF"}
    for wider in (f"council={OTHER.code}", f"region={HOME}", f"region={OTHER.region}"):
        answer = client.get(f"/reports/quarterly?year=2026&quarter=3&{wider}", headers=CARDIFF)
        assert answer.status_code == 404, wider
    assert funnel(client.get("/reports/quarterly?year=2026&quarter=3", headers=MANAGER))["referrals_received"] == 2
    region = client.get(f"/reports/quarterly?year=2026&quarter=3&region={OTHER.region}", headers=MANAGER)
    assert funnel(region)["referrals_received"] == 1


@pytest.mark.parametrize("query, field", [
    ("year=2026", "quarter"), ("quarter=1", "year"), ("year=1800&quarter=1", "year"),
    ("year=2026&quarter=9", "quarter"),
    ("year=2026&quarter=%F0%9F%98%80", "quarter"), (f"year=2026&quarter=1&council=CARDIFF&region={HOME}", "region"),
])
def test_a_period_or_scope_that_is_not_one_is_refused_by_name(client, query, field):
    answer = client.get(f"/reports/quarterly?{query}", headers=MANAGER)
    assert answer.status_code == 422 and field in answer.get_json()["errors"], answer.get_json()


def test_staff_who_do_not_read_reports_are_refused(client):
    for role in ("advocate", "admin", "referrer", None):
        headers = {ACTOR_HEADER: "someone@provider.example", **({ROLE_HEADER: role} if role else {})}
        assert client.get("/reports/quarterly?year=2026&quarter=1", headers=headers).status_code == 403, role


def test_an_unknown_council_or_region_is_not_there(client):
    for scope in ("council=NOWHERE", "region=NOWHERE"):
        assert client.get(f"/reports/quarterly?year=2026&quarter=1&{scope}", headers=MANAGER).status_code == 404


def test_a_rebuild_makes_the_same_journeys_and_report_from_the_facts_alone(client, store):
    referred(store, "r1")
    deliver(store, "referral.allocated", {"referral_id": "r1", "council": "CARDIFF", "advocate_email": "a@p.example",
                                          "allocated_at": "2026-10-06T09:00:00+00:00"})
    deliver(store, "contact.attempted", {"referral_id": "r1", "council": "CARDIFF", "method": "phone",
                                         "result": "reached", "attempted_at": "2026-10-07T09:00:00+00:00"})
    before = client.get("/reports/quarterly?year=2026&quarter=3", headers=MANAGER).get_json()
    journey = store.get(JOURNEYS, "r1").body
    store.commit(Put.update(store.get(JOURNEYS, "r1"), {"referral_id": "r1", "council": "CARDIFF"}))  # lost
    assert client.get("/reports/quarterly?year=2026&quarter=3",
                      headers=MANAGER).get_json()["response_times"] != before["response_times"]
    assert handlers.rebuild(UnitOfWork(store)) == 3
    assert store.get(JOURNEYS, "r1").body == journey
    assert client.get("/reports/quarterly?year=2026&quarter=3", headers=MANAGER).get_json() == before
    assert "a@p.example" not in str(journey), "codes and dates only"


def test_an_operator_rebuilds_from_the_command_line(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from shared.config import Settings
    from shared.store import open_store
    from services.cli import main

    monkeypatch.setenv("LLAIS_DATA", str(tmp_path))
    store = open_store("reporting", Settings.from_env())
    referred(store, "r1")
    store.commit(Put.update(store.get(JOURNEYS, "r1"), {"referral_id": "r1", "council": "CARDIFF"}))  # lost
    store.close()
    answer = CliRunner().invoke(main, ["reporting", "rebuild"])
    assert answer.exit_code == 0 and "1 facts read" in answer.output, answer.output
    store = open_store("reporting", Settings.from_env())
    assert store.get(JOURNEYS, "r1").body["quarter"] == "2026Q3"
    store.close()


def test_a_complaints_answer_waits_for_its_receipt_and_counts_in_its_councils_report(client, store):
    answered = {"complaint_id": "c1", "kind": "complaint", "stage": 1, "outcome": "upheld",
                "responded_at": "2026-11-10T10:00:00+00:00"}
    early = new_event("complaint.responded", answered, producer="complaints", subject="complaint:c1")
    with pytest.raises(handlers.UnknownComplaint):
        handle(HANDLERS["complaint.responded"], early, store)  # retried by the worker until its receipt is in
    deliver(store, "complaint.received", {"complaint_id": "c1", "kind": "complaint", "made_by": "child",
                                          "council": "CARDIFF", "nation": "wales", "language": "cy",
                                          "received_at": "2026-11-01T10:00:00+00:00"})
    deliver(store, "complaint.deadlines_scheduled", {"complaint_id": "c1",
                                                     "acknowledge_by": "2026-11-03T17:00:00+00:00",
                                                     "respond_by": "2026-11-20T17:00:00+00:00"})
    handle(HANDLERS["complaint.responded"], early, store)
    handle(HANDLERS["complaint.responded"], early, store)
    figures = client.get("/reports/quarterly?year=2026&quarter=3", headers=CARDIFF).get_json()["complaints"]
    assert (figures["answered"], figures["answered_within_time_limit"]) == (1, 1.0)
    assert figures["received_by_kind"]["complaint"] == 1
    other = client.get(f"/reports/quarterly?year=2026&quarter=3&council={OTHER.code}", headers=MANAGER).get_json()
    assert other["complaints"]["answered"] == 0
