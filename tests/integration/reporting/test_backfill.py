"""Catching up on history: the referral, scheduling, casework and complaints services, which worked before reporting
existed, recall what happened (`GET /history`), and `backfill` takes it in through reporting's own handler, counted
as if heard live; what reporting heard live already is not counted twice, a second backfill changes nothing, what
happened after the cut is left to the live events, and no name or words cross."""

from __future__ import annotations

import copy
import json
import threading
import time
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from shared.clock import timestamp
from shared.contracts import parse_event
from shared.store.sqlite import SQLiteStore
from shared.unit_of_work import handle
from shared.web import ACTOR_HEADER, COUNCIL_HEADER, INTERNAL_TOKEN_HEADER, ROLE_HEADER

from services.casework.worker import HANDLERS as CASEWORK_HANDLERS
from services.scheduling.worker import HANDLERS as SCHEDULING_HANDLERS
from services.platform import service_app
from services.reporting import backfill, handlers
from services.reporting.app import create_app as reporting_app
from services.reporting.domain import quarter_of
from tests.examples import example_referral

COUNCIL = {ACTOR_HEADER: "key-1", COUNCIL_HEADER: "CARDIFF"}
MANAGER = {ACTOR_HEADER: "manager@provider.example", ROLE_HEADER: "manager"}
ADVOCATE = {ACTOR_HEADER: "advocate@provider.example", ROLE_HEADER: "advocate"}
PUBLIC = {ACTOR_HEADER: "public"}
COMPLAINT = {"kind": "complaint", "made_by": "child", "about": "My advocate did not come", "council": "CARDIFF",
             "language": "cy", "wants_reply": True, "contact": {"email": "child@example.com"}}


@pytest.fixture
def stores(tmp_path):
    """Each service's store on a SQLite file of its own, closed when the test ends."""
    opened: dict[str, SQLiteStore] = {}
    yield lambda name: opened.setdefault(name, SQLiteStore(tmp_path / f"{name}.sqlite3"))
    for store in opened.values():
        store.close()


@pytest.fixture
def referral_store(stores):
    return stores("referral")


@pytest.fixture
def reporting_store(stores):
    return stores("reporting")


@pytest.fixture
def owners(settings, stores) -> dict:
    """The services that owned the history, each on its store: referral, casework and complaints."""
    return {name: service_app(name).create_app(settings, store=stores(name)).test_client()
            for name in backfill.HISTORIES}


@pytest.fixture
def reports(settings, reporting_store):
    return reporting_app(settings, store=reporting_store).test_client()


def refer(referrals, basis: str = "looked_after", kind: str = "active_offer") -> str:
    body = copy.deepcopy(example_referral())
    body.update(council="CARDIFF", basis=basis, kind=kind)
    answer = referrals.post("/referrals", json=body, headers=COUNCIL)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def worked(referrals, referral_id: str, *, close: str | None = None) -> None:
    """Allocated, one attempt to reach the child, and closed with `close` if given."""
    assert referrals.post(f"/referrals/{referral_id}/allocate", json={"advocate_email": ADVOCATE[ACTOR_HEADER]},
                          headers=MANAGER).status_code == 200
    assert referrals.post(f"/referrals/{referral_id}/contact-attempts", json={
        "method": "phone", "result": "no_answer", "note": "Rang Cerys's carer"}, headers=ADVOCATE).status_code == 201
    if close:
        assert referrals.post(f"/referrals/{referral_id}/close", json={"reason": close},
                              headers=MANAGER).status_code == 200


def opt_out(referrals) -> None:
    offered = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    answer = referrals.post("/opt-outs", json={"council": "CARDIFF", "basis": "looked_after",
                                               "date_of_birth": "2012-05-01", "offered_at": offered,
                                               "reason": "Has enough support from her carer"}, headers=COUNCIL)
    assert answer.status_code == 201, answer.json


def recall_from(owners: dict, before: str, pages: list | None = None):
    def recall(service: str, of: str, after: str | None) -> dict:
        answer = owners[service].get("/history", query_string={"of": of, "before": before, "limit": 2,
                                                               **({"after": after} if after else {})})
        assert answer.status_code == 200, answer.json
        if pages is not None:
            pages.append(answer.get_data(as_text=True))
        return answer.json
    return recall


def hear_the_referrals(stores, service: str, handlers_of: dict) -> None:
    """`service` hears what the referral service published, as its worker would (again: it knows each once)."""
    for entry in stores("referral").claim_outbox("test", limit=500):
        event = parse_event(entry.body, entry.headers)
        if event.type in handlers_of:
            handle(handlers_of[event.type], event, stores(service))


def a_meeting_held(owners, stores, referral_id: str) -> None:
    """Scheduling hears of the referral and its allocation; its advocate meets the child at school, in Welsh, with
    an interpreter, and the child wants time to think."""
    hear_the_referrals(stores, "scheduling", SCHEDULING_HANDLERS)
    starts = datetime.now(timezone.utc) + timedelta(seconds=1.5)
    arranged = owners["scheduling"].post(f"/referrals/{referral_id}/meetings", headers=ADVOCATE, json={
        "starts_at": starts.isoformat(), "duration_minutes": 60, "language": "cy",
        "venue": {"name": "Ysgol y Wern", "type": "school", "accessible": True, "risk_assessed": True}})
    assert arranged.status_code == 201, arranged.json
    time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds()) + 0.1)  # it has begun
    held = owners["scheduling"].post(f"/meetings/{arranged.json['id']}/record", headers=ADVOCATE, json={
        "took_place": True, "outcome": "reflecting", "interpreter_used": True, "contact_details_given": True})
    assert held.status_code == 200, held.json


def a_case_worked_and_closed(owners, stores, referral_id: str) -> None:
    """Casework hears of the referral and its allocation, and its advocate works a case to its close."""
    hear_the_referrals(stores, "casework", CASEWORK_HANDLERS)
    casework = owners["casework"]
    opened = casework.post("/cases", json={"referral_id": referral_id, "consents_to_case_file": True},
                           headers=ADVOCATE)
    assert opened.status_code == 201, opened.json
    path = f"/cases/{opened.json['id']}"
    for step, body in (("issues", {"theme": "contact", "description": "Seeing my brother"}),
                       ("activities", {"kind": "meeting", "contribution": "jointly", "note": "At the review"}),
                       ("signposting", {"to": "legal", "note": "Solicitor for the hearing"})):
        assert casework.post(f"{path}/{step}", json=body, headers=ADVOCATE).status_code == 201, step
    issue_id = casework.get(path, headers=ADVOCATE).json["issues"][0]["id"]
    assert casework.post(f"{path}/issues/{issue_id}/conclude", json={"outcome": "resolved", "note": "Sees him"},
                         headers=ADVOCATE).status_code == 200
    closed = casework.post(f"{path}/close", json={"outcome": "issues_resolved", "satisfaction": 4},
                           headers=ADVOCATE)
    assert closed.status_code == 200, closed.json


def a_complaint_answered_and_a_compliment(owners) -> None:
    complaints = owners["complaints"]
    made = complaints.post("/complaints", json=COMPLAINT, headers=PUBLIC)
    assert made.status_code == 201, made.json
    path = f"/complaints/{made.json['id']}"
    assert complaints.post(f"{path}/respond", json={"outcome": "upheld", "summary": "We are sorry"},
                           headers=MANAGER).status_code == 200
    assert complaints.post(f"{path}/close", json={}, headers=MANAGER).status_code == 200
    assert complaints.post("/complaints", json={**COMPLAINT, "kind": "compliment"}, headers=PUBLIC).status_code == 201


def funnel(reports) -> dict:
    year, quarter = quarter_of(timestamp()).split("Q")
    answer = reports.get(f"/reports/quarterly?year={year}&quarter={quarter}&council=CARDIFF", headers=MANAGER)
    assert answer.status_code == 200, answer.json
    return answer.json


def a_cut() -> str:
    """A moment after everything written so far and before anything written next. Timestamps are to the
    millisecond, and a write in the cut's own millisecond would fall on either side by chance: the clock is let move
    past the last write's millisecond, and then past the cut's."""
    time.sleep(0.002)
    cut = timestamp()
    time.sleep(0.002)
    return cut


def test_history_before_the_cut_is_counted_once_as_if_heard_live(owners, stores, referral_store, reports,
                                                                reporting_store):
    referrals = owners["referral"]
    closed = refer(referrals)
    worked(referrals, closed, close="unable_to_contact")
    open_one = refer(referrals, basis="child_protection")
    worked(referrals, open_one)
    a_meeting_held(owners, stores, open_one)
    opt_out(referrals)
    issue = refer(referrals, kind="issue_based")
    assert referrals.post(f"/referrals/{issue}/allocate", json={"advocate_email": ADVOCATE[ACTOR_HEADER]},
                          headers=MANAGER).status_code == 200
    a_case_worked_and_closed(owners, stores, issue)
    a_complaint_answered_and_a_compliment(owners)
    heard_live = refer(referrals, basis="care_and_support")
    for entry in referral_store.claim_outbox("test", limit=500):  # reporting heard this one's receipt as it happened
        event = parse_event(entry.body, entry.headers)
        if event.type == "referral.received" and event.data["referral_id"] == heard_live:
            handle(handlers.record, event, reporting_store)
    hear_the_referrals(stores, "scheduling", SCHEDULING_HANDLERS)
    cut = a_cut()
    after_the_cut = refer(referrals)  # reporting hears this one live: history must leave it alone

    pages: list[str] = []
    counts = backfill.backfill(reporting_store, recall_from(owners, cut, pages))
    # referral: 3 receipts (a fourth heard live), 3 allocations, 2 attempts, 1 closure, 1 opt-out; scheduling: 4
    # referrals' deadlines, a meeting arranged, held and its outcome; casework: opened, an issue raised and
    # concluded, an activity, signposting, closed; complaints: 2 received, 1 answer, 1 closed
    assert counts == {"recalled": 27, "heard": 1}
    report = funnel(reports)
    offer = report["active_offer"]
    assert offer["referrals_received"] == 3 and offer["opt_outs"] == 1 and offer["offers"] == 4
    assert offer["by_basis"] == {"looked_after": 1, "child_protection": 1, "care_and_support": 1}
    assert offer["closed_without_meeting"]["unable_to_contact"] == 1
    assert offer["meetings_held"] == 1 and offer["outcomes"]["reflecting"] == 1
    access = report["language"]
    assert access["meetings_held_in_welsh"] == access["interpreters_used"] == 1
    assert access["meetings_held_by_venue"]["school"] == 1
    assert report["referrals"]["by_kind"] == {"active_offer": 3, "issue_based": 1}
    times = report["response_times"]
    assert times["allocation"]["reached"] == times["first_contact_attempt"]["reached"] == 2
    cases = report["casework"]
    assert cases["cases_opened"] == cases["cases_closed"] == 1 and cases["issues_raised_by_theme"]["contact"] == 1
    assert cases["signposted_to"]["legal"] == 1 and cases["contributions"]["jointly"] == 1
    assert cases["satisfaction"]["mean"] == 4
    answered = report["complaints"]
    assert answered["received_by_kind"]["complaint"] == answered["received_by_kind"]["compliment"] == 1
    assert answered["answered_by_outcome"]["upheld"] == 1

    recalled = [event for page in pages for event in json.loads(page)["events"]]
    assert after_the_cut not in {event["data"].get("referral_id") for event in recalled}
    said = "".join(pages)
    for private in ("Cerys", "Rang", "brother", "review", "Solicitor", "did not come", "sorry", "child@example.com"):
        assert private not in said, f"{private!r} crossed: codes and dates only"
    opt_out_id = next(e["data"]["optout_id"] for e in recalled if e["type"] == "optout.recorded")
    kept = "".join(repr(d.body) for d in reporting_store.find("facts", {"optout_id": opt_out_id}))
    assert "support" not in kept and "'reason_code': 'other'" in kept, \
        "an opt-out's reason told in words kept as the code other, never its words"
    met = "".join(repr(d.body) for d in reporting_store.find("facts", {"referral_id": open_one}, limit=100))
    assert "'school'" in met and "Ysgol" not in met, "a venue kept by its kind, never its name"

    again = backfill.backfill(reporting_store, recall_from(owners, cut))
    assert again == {"heard": 28}
    assert funnel(reports) == report


@pytest.mark.parametrize("owner, history", [(owner, history) for owner, histories in backfill.HISTORIES.items()
                                            for history in histories])
def test_history_is_the_providers_own_and_asks_for_what_it_needs(owners, owner, history):
    client = owners[owner]
    assert client.get(f"/history?of={history}&before=2026-01-01T00:00:00Z", headers=COUNCIL).status_code == 403
    assert client.get(f"/history?of={history}&before=2026-01-01T00:00:00Z").json == {"events": [], "after": None}
    for query, field in (("of=nothing&before=2026-01-01T00:00:00Z", "of"), (f"of={history}", "before"),
                         (f"of={history}&before=yesterday", "before"),
                         (f"of={history}&before=2026-01-01T00:00:00Z&limit=0", "limit"),
                         (f"of={history}&before=2026-01-01T00:00:00Z&limit=5000", "limit"),
                         (f"of={history}&before=2026-01-01T00:00:00Z&after=%E2%80%AEx", "after")):
        answer = client.get(f"/history?{query}")
        assert answer.status_code == 422 and field in answer.json["errors"], (query, answer.json)


@pytest.fixture
def served(settings, stores):
    """Each owner's internal API over real HTTP, as the backfill command asks them: its test client and its URL."""
    from werkzeug.serving import make_server

    running = {}
    for name in backfill.HISTORIES:
        app = service_app(name).create_app(replace(settings, internal_token="backfill-token"),
                                           store=stores(f"served-{name}"))
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        running[name] = (app.test_client(), f"http://127.0.0.1:{server.port}", server)
    yield {name: (client, url) for name, (client, url, _) in running.items()}
    for _, _, server in running.values():
        server.shutdown()


def test_an_operator_backfills_with_one_command_and_again_changes_nothing(served, tmp_path, monkeypatch):
    from services.cli import main

    referrals, _ = served["referral"]
    for _ in range(2):
        body = copy.deepcopy(example_referral())
        body["council"] = "CARDIFF"
        assert referrals.post("/referrals", json=body,
                              headers={**COUNCIL, INTERNAL_TOKEN_HEADER: "backfill-token"}).status_code == 201
    monkeypatch.setenv("LLAIS_DATA", str(tmp_path / "reporting-data"))
    monkeypatch.setenv("LLAIS_INTERNAL_TOKEN", "backfill-token")
    cut = ["reporting", "backfill", "--before", a_cut()]
    assert "--before" in CliRunner().invoke(main, ["reporting", "backfill", "--before", "now"]).output
    assert "LLAIS_REFERRAL_URL" in CliRunner().invoke(main, cut).output
    for name, (_, url) in served.items():
        monkeypatch.setenv(f"LLAIS_{name.upper()}_URL", url)
    first = CliRunner().invoke(main, cut)
    assert first.exit_code == 0 and "2 events of history taken in, 0 heard already" in first.output, first.output
    again = CliRunner().invoke(main, cut)
    assert again.exit_code == 0 and "0 events of history taken in, 2 heard already" in again.output, again.output
    monkeypatch.setenv("LLAIS_INTERNAL_TOKEN", "a wrong token")
    refused = CliRunner().invoke(main, cut)
    assert refused.exit_code == 1 and "refused its history (401)" in refused.output, refused.output
