"""Every find a service makes is one it declared (its store.py's INDEXES).

Each service is started here as its composition root starts it, in strict mode (LLAIS_STRICT_QUERIES), and every
path that finds is walked: each listing with every combination of its filters, each periodic job, and the lookups
commands make (earlier referrals of the same child, a referral's meetings, a complaint by its tracking key). A find
by fields no declared index answers raises UndeclaredFind, which the internal APIs answer with a 500.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from itertools import combinations
from urllib.parse import urlencode

import pytest

from shared.clock import now
from shared.config import Settings
from shared.contracts import new_event
from shared.contracts.referral import llais_reference
from shared.store import Index, Put, UndeclaredFind
from shared.store.mongo import MongoStore
from shared.store.sqlite import SQLiteStore
from services.platform import service_app
from tests.examples import example_referral

TOKEN = "internal"
MANAGER = {"X-Llais-Internal-Token": TOKEN, "X-Llais-Actor": "manager@provider.example", "X-Llais-Role": "manager"}
ADVOCATE = {**MANAGER, "X-Llais-Actor": "advocate@provider.example", "X-Llais-Role": "advocate"}
COUNCIL = {"X-Llais-Internal-Token": TOKEN, "X-Llais-Council": "CARDIFF"}


def every_subset(values: dict) -> list[dict]:
    """Each combination of the filters, none and all included."""
    return [dict(chosen) for size in range(len(values) + 1) for chosen in combinations(values.items(), size)]


@pytest.fixture
def strict(tmp_path) -> Settings:
    return replace(Settings(), data_dir=tmp_path, internal_token=TOKEN, strict_queries=True)


def started(name: str, settings: Settings):
    """The service's API as its composition root builds it, and the store it found by."""
    store = SQLiteStore(settings.data_dir / f"{name}.sqlite3")
    app = service_app(name).create_app(settings, store=store)
    return app.test_client(), store


def get_each(client, path: str, filters: dict, headers: dict, required: dict | None = None) -> None:
    """GET the listing with every combination of its optional filters (beside those it requires)."""
    for chosen in every_subset(filters):
        answer = client.get(f"{path}?{urlencode({**(required or {}), **chosen})}", headers=headers)
        assert answer.status_code == 200, (chosen, answer.get_json())


# the strict store itself


@pytest.mark.parametrize("adapter", ["sqlite", "mongomock"])
def test_a_strict_store_refuses_a_find_no_declared_index_answers(adapter, tmp_path, caplog):
    def made(strict: bool):
        if adapter == "sqlite":
            store = SQLiteStore(tmp_path / f"{strict}.sqlite3")
        else:
            import mongomock

            store = MongoStore(mongomock.MongoClient()[f"strict_{strict}"])
        store.ensure_indexes([Index("referrals", ("council", "status"))], strict=strict)
        store.commit(Put.new("referrals", "r1", {"council": "CARDIFF", "status": "received"}))
        return store

    strict = made(True)
    assert [d.id for d in strict.find("referrals", {"status": "received", "council": "CARDIFF"})] == ["r1"]
    assert [d.id for d in strict.find("referrals")] == ["r1"], "by no fields: the id's own order answers it"
    for undeclared in ({"council": "CARDIFF"}, {"council": "CARDIFF", "status": "received", "kind": "x"}):
        with pytest.raises(UndeclaredFind, match="referrals by"):
            strict.find("referrals", undeclared)
    with pytest.raises(UndeclaredFind):
        strict.find("cases", {"council": "CARDIFF"})

    lenient = made(False)
    with caplog.at_level(logging.WARNING, logger="llais.store"):
        for _ in range(3):
            assert [d.id for d in lenient.find("referrals", {"council": "CARDIFF"})] == ["r1"]
    warned = [r for r in caplog.records if "no declared index" in r.getMessage()]
    assert len(warned) == 1 and "CARDIFF" not in warned[0].getMessage(), "said once, without the values"


# each service's finds


def test_referral_finds_only_by_what_it_declared(strict):
    client, _ = started("referral", strict)
    referral = {**example_referral(), "council": "CARDIFF"}
    first = client.post("/referrals", json=referral, headers=MANAGER)
    assert first.status_code == 201, first.get_json()
    again = {**referral, "external_ref": "MOSAIC-1"}
    second = client.post("/referrals", json=again, headers=MANAGER)  # earlier referrals: by birth date, by reference
    assert second.status_code == 201 and second.get_json()["earlier_referral_ids"] == [first.get_json()["id"]]
    get_each(client, "/referrals", {"status": "received", "council": "CARDIFF", "advocate": "a@provider.example"},
             MANAGER)
    get_each(client, "/referrals", {"status": "received"}, COUNCIL)
    ids = [first.get_json()["id"], second.get_json()["id"]]
    for searched in ("Cerys Jones", "cerys", "Cer", "Jones Cerys", "jon cer", "MOSAIC-1", "mosaic-1", ids[0],
                     ids[0][:8], llais_reference(ids[0])):  # staff's search: names whole, started, either way round;
        # references: the council's, the id or its start, the one people quote
        found = client.get(f"/referrals?{urlencode({'search': searched, 'limit': 1})}", headers=MANAGER)
        assert found.status_code == 200 and found.get_json()["items"], (searched, found.get_json())
    several = client.get(f"/referrals?{urlencode({'id': ids}, doseq=True)}", headers=MANAGER)  # a list's children
    assert [r["id"] for r in several.get_json()["items"]] == ids
    capacity = client.get("/capacity", headers=MANAGER)  # a manager's home: what waits, whose work is open
    assert capacity.status_code == 200 and capacity.get_json()["waiting"] == 2, capacity.get_json()


def test_scheduling_finds_only_by_what_it_declared(strict):
    from shared.unit_of_work import UnitOfWork, handle
    from services.scheduling import deadlines

    client, store = started("scheduling", strict)
    received = datetime.now(timezone.utc) - timedelta(days=40)
    event = new_event("referral.received", {
        "referral_id": "r1", "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": "active_offer", "basis": "looked_after", "external_ref": None, "received_at": received.isoformat(),
        "statutory_meeting_at": None, "preferred_language": "cy",
        "consent": {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
                    "share_outcome_with_referrer": True}}, producer="referral", subject="referral:r1")
    handle(deadlines.open_case, event, store)
    handle(deadlines.case_allocated, new_event("referral.allocated", {
        "referral_id": "r1", "council": "CARDIFF", "advocate_email": "advocate@provider.example",
        "allocated_at": now().isoformat()}, producer="referral", subject="referral:r1"), store)
    assert deadlines.run_clock(UnitOfWork(store)) > 0
    meeting = {"starts_at": (now() + timedelta(days=1)).isoformat(), "duration_minutes": 60, "late_reason": "late",
               "venue": {"name": "Ysgol", "accessible": True, "risk_assessed": True}}
    arranged = client.post("/referrals/r1/meetings", json=meeting, headers=ADVOCATE)  # the referral's meetings
    assert arranged.status_code == 201, arranged.get_json()
    day = arranged.get_json()["starts_at"][:10]
    get_each(client, "/meetings", {"advocate": "advocate@provider.example"}, MANAGER, required={"day": day})
    get_each(client, "/deadlines", {"advocate": "advocate@provider.example"}, MANAGER)


def test_notify_finds_only_by_what_it_declared(strict):
    from services.notify import handlers
    from shared.unit_of_work import UnitOfWork

    client, store = started("notify", strict)
    store.commit(Put.new("deliveries", "e1:webhook", {
        "event_id": "e1", "council": "CARDIFF", "referral_id": "r1", "channel": "webhook", "status": "pending",
        "next_attempt_at": (now() + timedelta(minutes=5)).isoformat(), "claimed_until": None, "attempts": []}))
    assert handlers.dispatch(UnitOfWork(store)) == 0, "not due yet"
    filters = {"council": "CARDIFF", "event_id": "e1", "status": "pending", "channel": "webhook", "referral_id": "r1"}
    get_each(client, "/deliveries", filters, MANAGER)
    get_each(client, "/withheld", {k: filters[k] for k in ("council", "event_id", "referral_id")}, MANAGER)


def test_casework_finds_only_by_what_it_declared(strict):
    client, _ = started("casework", strict)
    get_each(client, "/cases", {"status": "open", "advocate": "advocate@provider.example"}, MANAGER)
    get_each(client, "/cases", {"status": "closed"}, ADVOCATE)
    assert client.get("/cases?change=waiting", headers=MANAGER).status_code == 200  # asking for a different advocate
    assert client.get("/caseloads", headers=MANAGER).status_code == 200  # a manager's home: each one's open cases


def test_complaints_find_only_by_what_they_declared(strict):
    client, _ = started("complaints", strict)
    made = client.post("/complaints", json={"kind": "complaint", "made_by": "parent", "about": "Late",
                                            "contact": {"phone": "07700 900123"}}, headers=MANAGER)
    assert made.status_code == 201, made.get_json()
    assert client.get(f"/followed/{made.get_json()['tracking_key']}", headers=MANAGER).status_code == 200
    get_each(client, "/complaints", {"status": "received", "kind": "complaint"}, MANAGER)


def test_reporting_finds_only_by_what_it_declared(strict):
    client, _ = started("reporting", strict)
    for period in ("quarterly?year=2026&quarter=3", "annual?year=2026"):
        for scope in ("", "&council=CARDIFF", "&region=cardiff-vale"):
            answer = client.get(f"/reports/{period}{scope}", headers=MANAGER)
            assert answer.status_code == 200, answer.get_json()
        assert client.get(f"/reports/{period}", headers=COUNCIL).status_code == 200


def test_the_gateway_finds_only_by_what_it_declared(strict):
    from services.gateway.store import GatewayStore

    store = SQLiteStore(strict.data_dir / "gateway.sqlite3")
    app = service_app("gateway").create_app(strict, store=store)  # releases abandoned idempotency keys at start
    gateway = GatewayStore(store)
    gateway.save_web_session(None, "idle", {"data": {"name": "Gwen"}, "created_at": now().isoformat(),
                                            "last_seen_at": (now() - timedelta(hours=1)).isoformat(),
                                            "ended_at": None})
    assert app.session_interface.sweep(now()) == 1
    assert gateway.api_clients() == [] and gateway.users() == []
