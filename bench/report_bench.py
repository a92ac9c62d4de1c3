"""How long a commissioner waits for a report with years of history stored: one quarter's report for a region whose
councils referred 50,000 children over five financial years, and the provider-wide annual report, each read through
the gateway as a manager would, beside the size of the reporting store.

The history is seeded straight into the reporting service's store: each referral's facts (received, deadlines,
allocated, first contact, meeting arranged and held, outcome, closure) made by the service's own `domain.fact`, and
its journey by `domain.journey_after`, as the handlers would keep them. Prints figures; asserts nothing.
"""

from __future__ import annotations

import json
import random
import sqlite3
import statistics
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

from bench.gateway_bench import LLAIS, _admin, _environment, _free_port, _stop, _wait

REGION = "cardiff-vale"
IN_REGION = 50_000
ELSEWHERE = 25_000
YEARS = (2021, 2022, 2023, 2024, 2025)
"""The financial years the history spans; the reports read are of the last."""
READS = 5


def _journey_facts(rng: random.Random, referral_id: str, council: str, received: datetime) -> list[tuple[str, dict]]:
    """The events of one Active Offer, as (type, data), in the order they happen."""
    at = lambda days: (received + timedelta(days=days)).isoformat()  # noqa: E731
    took_place = rng.random() < 0.8
    facts = [
        ("referral.received", {"referral_id": referral_id, "council": council, "kind": "active_offer",
                               "basis": rng.choice(("looked_after", "child_protection", "care_and_support")),
                               "source": "social_worker", "preferred_language": rng.choice(("en", "en", "cy")),
                               "received_at": at(0), "statutory_meeting_at": at(20)}),
        ("deadlines.scheduled", {"referral_id": referral_id, "council": council,
                                 "deadlines": {"allocate_by": at(2), "first_contact_by": at(5), "meeting_by": at(14)}}),
        ("referral.allocated", {"referral_id": referral_id, "council": council, "allocated_at": at(1)}),
        ("contact.attempted", {"referral_id": referral_id, "council": council, "method": "phone",
                               "result": "reached", "attempted_at": at(2)}),
        ("meeting.arranged", {"referral_id": referral_id, "council": council, "language": "en"}),
    ]
    if took_place:
        facts += [("meeting.took_place", {"referral_id": referral_id, "council": council, "held_at": at(9),
                                          "before_deadline": rng.random() < 0.9}),
                  ("active_offer.completed", {"referral_id": referral_id, "council": council,
                                              "outcome": rng.choice(("take_up", "declined", "reflecting",
                                                                     "other_support")),
                                              "decline_reason": None, "completed_at": at(9)})]
    else:
        facts.append(("meeting.not_held", {"referral_id": referral_id, "council": council,
                                           "reason_not_held": "ill"}))
    facts.append(("referral.closed", {"referral_id": referral_id, "council": council, "reason": "completed",
                                      "outcome": None, "meeting_took_place": took_place, "closed_at": at(10)}))
    return facts


def seed(data: Path) -> dict:
    """The history written straight into the reporting store: its facts and journeys, and how many of each."""
    from shared.clock import new_id
    from shared.councils import CouncilRegister
    from shared.store.sqlite import SQLiteStore

    from services.reporting import domain
    from services.reporting.store import FACTS, INDEXES, JOURNEYS

    path = data / "reporting.sqlite3"
    store = SQLiteStore(path)
    store.ensure_indexes(INDEXES)
    store.close()
    councils = CouncilRegister.load().all()
    region = [c.code for c in councils if c.region == REGION]
    others = [c.code for c in councils if c.region != REGION]
    rng = random.Random(2026)
    first = datetime(YEARS[0], 4, 1, 9, tzinfo=timezone.utc)
    span = (datetime(YEARS[-1] + 1, 3, 20, tzinfo=timezone.utc) - first).total_seconds()
    rows, journeys, now = [], 0, time.time()
    for n in range(IN_REGION + ELSEWHERE):
        council = rng.choice(region if n < IN_REGION else others)
        received = first + timedelta(seconds=rng.uniform(0, span))
        referral_id, journey = new_id(), {}
        for event_type, event_data in _journey_facts(rng, referral_id, council, received):
            kept = domain.fact(event_type, event_data, received.isoformat())
            rows.append((FACTS, new_id(), 1, json.dumps(kept, separators=(",", ":"), sort_keys=True), now))
            journey = domain.journey_after(journey, kept) or journey
        rows.append((JOURNEYS, referral_id, 1, json.dumps(journey, separators=(",", ":"), sort_keys=True), now))
        journeys += 1
    with sqlite3.connect(path) as conn:
        conn.executemany("INSERT INTO documents (collection, id, version, body, updated_at) VALUES (?, ?, ?, ?, ?)",
                         rows)
    return {"referrals": journeys, "facts": len(rows) - journeys, "store_mb": round(path.stat().st_size / 2**20, 1)}


def _timed(session: requests.Session, url: str, headers: dict) -> list[float]:
    took = []
    for _ in range(READS):
        began = time.perf_counter()
        answer = session.get(url, headers=headers, timeout=300)
        took.append(time.perf_counter() - began)
        assert answer.status_code == 200, answer.text[:300]
    return took


def main() -> dict:
    env = _environment()
    seeding = time.perf_counter()
    stored = seed(Path(env["LLAIS_DATA"]))
    stored["seeded_in_s"] = round(time.perf_counter() - seeding, 1)
    gateway_port, reporting_port = _free_port(), _free_port()
    env["LLAIS_REPORTING_URL"] = f"http://127.0.0.1:{reporting_port}"
    started = [subprocess.Popen([LLAIS, "serve", name, "--role", "api", "--port", str(port), "--processes", "1"],
                                env=env, stderr=subprocess.DEVNULL, start_new_session=True)
               for name, port in (("reporting", reporting_port), ("gateway", gateway_port))]
    try:
        for port in (reporting_port, gateway_port):
            _wait(f"http://127.0.0.1:{port}/healthz")
        _admin(env, "create-user", "--email", "m@bench.example", "--role", "manager", "--password-stdin",
               stdin="a long enough password\n")
        manager = {"Authorization": f"Bearer {_admin(env, 'create-token', '--email', 'm@bench.example')}"}
        session, base = requests.Session(), f"http://127.0.0.1:{gateway_port}/api/v1/reports"
        last = YEARS[-1]
        quarter = _timed(session, f"{base}/quarterly?year={last}&quarter=3&region={REGION}", manager)
        annual = _timed(session, f"{base}/annual?year={last}", manager)
        workbook = _timed(session, f"{base}/annual?year={last}", {
            **manager, "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    finally:
        _stop(started)
    figures = {"stored": stored,
               "region_quarter_p50_ms": round(statistics.median(quarter) * 1000, 1),
               "provider_annual_p50_ms": round(statistics.median(annual) * 1000, 1),
               "provider_annual_workbook_p50_ms": round(statistics.median(workbook) * 1000, 1)}
    print(f"reports with {stored['referrals']:,} referrals ({stored['facts']:,} facts, {stored['store_mb']} MB) "
          f"stored, {IN_REGION:,} of them in {REGION}: a quarter of the region "
          f"{figures['region_quarter_p50_ms']:,.1f} ms; the provider's year {figures['provider_annual_p50_ms']:,.1f} ms"
          f" as JSON, {figures['provider_annual_workbook_p50_ms']:,.1f} ms as a workbook (p50 of {READS})", flush=True)
    return figures


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
