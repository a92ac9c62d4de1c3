"""Catching up on history: a referral service that worked before reporting existed recalls what happened (`GET
/history`), and `backfill` takes it in through reporting's own handler, counted as if heard live; what reporting
heard live already is not counted twice, a second backfill changes nothing, what happened after the cut is left to
the live events, and no name crosses."""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from shared.clock import timestamp
from shared.contracts import parse_event
from shared.store.sqlite import SQLiteStore
from shared.unit_of_work import handle
from shared.web import ACTOR_HEADER, COUNCIL_HEADER, INTERNAL_TOKEN_HEADER, ROLE_HEADER

from services.referral.app import create_app as referral_app
from services.reporting import backfill, handlers
from services.reporting.app import create_app as reporting_app
from services.reporting.domain import quarter_of
from tests.examples import example_referral

COUNCIL = {ACTOR_HEADER: "key-1", COUNCIL_HEADER: "CARDIFF"}
MANAGER = {ACTOR_HEADER: "manager@provider.example", ROLE_HEADER: "manager"}
ADVOCATE = {ACTOR_HEADER: "advocate@provider.example", ROLE_HEADER: "advocate"}


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
def referrals(settings, referral_store):
    return referral_app(settings, store=referral_store).test_client()


@pytest.fixture
def reports(settings, reporting_store):
    return reporting_app(settings, store=reporting_store).test_client()


def refer(referrals, basis: str = "looked_after") -> str:
    body = copy.deepcopy(example_referral())
    body.update(council="CARDIFF", basis=basis)
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


def recall_from(referrals, before: str, pages: list | None = None):
    def recall(service: str, of: str, after: str | None) -> dict:
        assert service == "referral"
        answer = referrals.get("/history", query_string={"of": of, "before": before, "limit": 2,
                                                         **({"after": after} if after else {})})
        assert answer.status_code == 200, answer.json
        if pages is not None:
            pages.append(answer.get_data(as_text=True))
        return answer.json
    return recall


def funnel(reports) -> dict:
    year, quarter = quarter_of(timestamp()).split("Q")
    answer = reports.get(f"/reports/quarterly?year={year}&quarter={quarter}&council=CARDIFF", headers=MANAGER)
    assert answer.status_code == 200, answer.json
    return answer.json


def test_history_before_the_cut_is_counted_once_as_if_heard_live(referrals, referral_store, reports,
                                                                reporting_store):
    closed = refer(referrals)
    worked(referrals, closed, close="unable_to_contact")
    open_one = refer(referrals, basis="child_protection")
    worked(referrals, open_one)
    opt_out(referrals)
    heard_live = refer(referrals, basis="care_and_support")
    for entry in referral_store.claim_outbox("test", limit=100):  # reporting heard this one's receipt as it happened
        event = parse_event(entry.body, entry.headers)
        if event.type == "referral.received" and event.data["referral_id"] == heard_live:
            handle(handlers.record, event, reporting_store)
    cut = timestamp()
    after_the_cut = refer(referrals)  # reporting hears this one live: history must leave it alone

    pages: list[str] = []
    counts = backfill.backfill(reporting_store, recall_from(referrals, cut, pages))
    # 2 receipts (the third was heard live), 2 allocations, 2 attempts, 1 closure, 1 opt-out
    assert counts == {"recalled": 8, "heard": 1}
    report = funnel(reports)
    offer = report["active_offer"]
    assert offer["referrals_received"] == 3 and offer["opt_outs"] == 1 and offer["offers"] == 4
    assert offer["by_basis"] == {"looked_after": 1, "child_protection": 1, "care_and_support": 1}
    assert offer["closed_without_meeting"]["unable_to_contact"] == 1
    times = report["response_times"]
    assert times["allocation"]["reached"] == times["first_contact_attempt"]["reached"] == 2
    recalled = [event for page in pages for event in json.loads(page)["events"]]
    assert after_the_cut not in {event["data"].get("referral_id") for event in recalled}
    assert "Cerys" not in "".join(pages) and "Rang" not in "".join(pages), "no name, no note of an attempt"
    opt_out_id = recalled[-1]["data"]["optout_id"]
    kept = "".join(repr(d.body) for d in reporting_store.find("facts", {"optout_id": opt_out_id}))
    assert "support" not in kept and "'reason': 'given'" in kept, "an opt-out's reason kept as given, never its words"

    again = backfill.backfill(reporting_store, recall_from(referrals, cut))
    assert again == {"heard": 9}
    assert funnel(reports) == report


def test_history_is_the_providers_own_and_asks_for_what_it_needs(referrals):
    assert referrals.get("/history?of=referrals&before=2026-01-01T00:00:00Z", headers=COUNCIL).status_code == 403
    for query, field in (("of=cases&before=2026-01-01T00:00:00Z", "of"), ("of=referrals", "before"),
                         ("of=referrals&before=yesterday", "before"),
                         ("of=referrals&before=2026-01-01T00:00:00Z&limit=0", "limit"),
                         ("of=referrals&before=2026-01-01T00:00:00Z&limit=5000", "limit")):
        answer = referrals.get(f"/history?{query}")
        assert answer.status_code == 422 and field in answer.json["errors"], (query, answer.json)


@pytest.fixture
def referral_server(settings, stores):
    """The referral service's internal API over real HTTP, as the backfill command asks it."""
    from werkzeug.serving import make_server

    app = referral_app(replace(settings, internal_token="backfill-token"), store=stores("served-referral"))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app.test_client(), f"http://127.0.0.1:{server.port}"
    server.shutdown()


def test_an_operator_backfills_with_one_command_and_again_changes_nothing(referral_server, tmp_path, monkeypatch):
    from services.cli import main

    client, url = referral_server
    for _ in range(2):
        body = copy.deepcopy(example_referral())
        body["council"] = "CARDIFF"
        assert client.post("/referrals", json=body,
                           headers={**COUNCIL, INTERNAL_TOKEN_HEADER: "backfill-token"}).status_code == 201
    monkeypatch.setenv("LLAIS_DATA", str(tmp_path / "reporting-data"))
    monkeypatch.setenv("LLAIS_INTERNAL_TOKEN", "backfill-token")
    cut = ["reporting", "backfill", "--before", timestamp()]
    assert "--before" in CliRunner().invoke(main, ["reporting", "backfill", "--before", "now"]).output
    assert "LLAIS_REFERRAL_URL" in CliRunner().invoke(main, cut).output
    monkeypatch.setenv("LLAIS_REFERRAL_URL", url)
    first = CliRunner().invoke(main, cut)
    assert first.exit_code == 0 and "2 events of history taken in, 0 heard already" in first.output, first.output
    again = CliRunner().invoke(main, cut)
    assert again.exit_code == 0 and "0 events of history taken in, 2 heard already" in again.output, again.output
    monkeypatch.setenv("LLAIS_INTERNAL_TOKEN", "a wrong token")
    refused = CliRunner().invoke(main, cut)
    assert refused.exit_code == 1 and "refused its history (401)" in refused.output, refused.output
