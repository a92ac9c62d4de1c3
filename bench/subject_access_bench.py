"""How long a manager waits for a subject access export: one child with a full case (two referrals, a meeting, a
case with a disclosure, a complaint, the messages sent about them) among 100,000 referrals stored with their
meetings, cases, complaints and messages, gathered from every service and released as one archive through the
gateway's pages, beside the 2 s target.

The stores are filled straight through SQLite (the records as the services keep them, made by their own models);
the platform runs embedded in this process. Prints figures; asserts nothing.
"""

from __future__ import annotations

import io
import json
import random
import re
import sqlite3
import statistics
import tempfile
import time
import zipfile
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

STORED = 100_000
"""Referrals stored; with as many meetings and messages, and a case and a complaint for one in five."""
TARGET_S = 2.0
READS = 5
PASSWORD = "a long enough password"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def _referral(rng: random.Random, referral_id: str, given: str, family: str, born: str, at: str) -> dict:
    from services.referral import model

    return model.referral(
        id=referral_id, council="CARDIFF", region="cardiff-vale", nation="wales", kind="active_offer",
        basis="looked_after", source="social_worker", received_at=at, received_from="bench",
        external_ref=f"MOSAIC-{rng.randrange(10**9)}",
        child={"given_name": given, "family_name": family, "date_of_birth": born, "preferred_language": "cy",
               "contact": {"carer_name": "Mair Jones", "carer_phone": "07700 900456"}},
        referrer={"name": "Sian Evans", "role": "social_worker", "email": "sian@example.gov.uk"},
        consent={"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
                 "share_outcome_with_referrer": False}, risks="None known.")


def _records(rng: random.Random, given: str, family: str, born: str, at: str,
             everything: bool = False) -> dict[str, list[tuple[str, dict]]]:
    """One child's records in each service's store, by service: (collection, body); a case and a complaint for one
    in five (`everything`: for this one)."""
    from shared.clock import new_id
    from services.casework import model as casework
    from services.complaints import model as complaints
    from services.scheduling import model as scheduling

    referral_id = new_id()
    referral = _referral(rng, referral_id, given, family, born, at)
    meeting = scheduling.meeting(id=new_id(), referral_id=referral_id, council="CARDIFF", advocate_email="a@bench",
                                 starts_at=at, ends_at=at, day=at[:10], duration_minutes=60,
                                 venue={"name": "Ysgol"}, language="cy", late=False, late_reason=None,
                                 arranged_by="a@bench", arranged_at=at)
    case = casework.case(referral_id=referral_id, council="CARDIFF", region="cardiff-vale", nation="wales",
                         source="active_offer", basis="looked_after", language="cy", advocate_email="a@bench",
                         opened_by="a@bench", opened_at=at)
    case["disclosures"] = [{"reason": "significant_harm", "decided_by": "Manager", "disclosed_to": "MASH",
                            "disclosed_at": at, "child_told": True, "child_told_at": at}]
    complaint = complaints.complaint(id=new_id(), kind="complaint", made_by="child", name=f"{given} {family}",
                                     contact={}, about="Nobody came", council="CARDIFF", nation="wales",
                                     language="cy", wants_reply=False, received_at=at, by="public")
    delivery = {"id": f"{new_id()}:email", "event_id": new_id(), "type": "referral.acknowledged",
                "council": "CARDIFF", "referral_id": referral_id, "created_at": at, "channel": "email",
                "to": "sian@example.gov.uk", "basis": "consent", "status": "delivered"}
    return {"referral": [("referrals", referral)], "scheduling": [("meetings", meeting)],
            "casework": [("cases", case)] if everything or rng.random() < 0.2 else [],
            "complaints": [("complaints", complaint)] if everything or rng.random() < 0.2 else [],
            "notify": [("deliveries", delivery)]}


def seed(data: Path) -> dict:
    """The stores filled: STORED children, and the one whose export is timed (with every kind of record)."""
    from shared.store import open_store
    from shared.config import Settings

    from services.platform import INTERNAL_SERVICES

    settings = replace(Settings(), data_dir=data)
    for name in INTERNAL_SERVICES:
        open_store(name, settings).close()  # each store's tables
    rng = random.Random(2026)
    rows: dict[str, list] = {name: [] for name in INTERNAL_SERVICES}
    first = datetime(2021, 4, 1, tzinfo=timezone.utc)
    now = time.time()

    def keep(records: dict) -> None:
        for service, kept in records.items():
            rows[service] += [(collection, body["id"], 1, json.dumps(body, separators=(",", ":")), now)
                              for collection, body in kept]

    for n in range(STORED):
        at = (first + timedelta(minutes=n * 7)).isoformat()
        born = f"{rng.randrange(2008, 2020)}-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}"
        keep(_records(rng, f"Plentyn{n}", rng.choice(("Jones", "Davies", "Evans", "Williams")), born, at))
    chosen = {"given": "Cerys", "family": "Prydderch", "born": "2013-05-02"}
    at = datetime.now(timezone.utc).isoformat()
    full = _records(random.Random(1), chosen["given"], chosen["family"], chosen["born"], at, everything=True)
    keep(full)
    for service, kept in rows.items():
        with sqlite3.connect(data / f"{service}.sqlite3") as conn:
            conn.executemany("INSERT INTO documents (collection, id, version, body, updated_at) VALUES (?, ?, ?, ?, ?)",
                             kept)
    return {"referrals": STORED + 1, "records": sum(len(kept) for kept in rows.values()),
            "child": full["referral"][0][1]["id"]}


def _token(page: requests.Response) -> str:
    found = TOKEN.search(page.text)
    assert page.status_code == 200 and found, f"{page.status_code}: {page.text[:500]}"
    return next(g for g in found.groups() if g)


def _signed_in(url: str, email: str) -> requests.Session:
    session = requests.Session()
    token = _token(session.get(f"{url}/sign-in", timeout=10))
    answer = session.post(f"{url}/sign-in", data={"csrf_token": token, "email": email, "password": PASSWORD},
                          allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    return session


def main() -> dict:
    from shared.config import Settings
    from services.gateway import handlers
    from services.gateway.store import GatewayStore
    from services.platform import Embedded
    from shared.councils import CouncilRegister
    from shared.store import open_store

    data = Path(tempfile.mkdtemp(prefix="llais-bench-sar-"))
    seeding = time.perf_counter()
    stored = seed(data)
    stored["seeded_in_s"] = round(time.perf_counter() - seeding, 1)
    settings = replace(Settings(), data_dir=data, cookie_secure=False, log_level="WARNING",
                       sign_in_rate_limit="1000 per minute")
    embedded = Embedded(settings, port=0)
    embedded.start()
    try:
        gateway = GatewayStore(open_store("gateway", embedded.settings))
        handlers.create_user(gateway, CouncilRegister.load(), "m@bench.example", "manager", None, PASSWORD)
        session = _signed_in(embedded.url, "m@bench.example")
        token = _token(session.get(f"{embedded.url}/subject-access", timeout=10))
        found = session.post(f"{embedded.url}/subject-access", allow_redirects=False, timeout=60, data={
            "csrf_token": token, "way": "referral", "referral": stored["child"]})
        review = found.headers["Location"]
        reviews, releases = [], []
        for _ in range(READS):
            began = time.perf_counter()
            page = session.get(f"{embedded.url}{review}", timeout=60)
            reviews.append(time.perf_counter() - began)
            token = _token(page)
            began = time.perf_counter()
            archive = session.post(f"{embedded.url}{review}/release", data={"csrf_token": token}, timeout=60)
            releases.append(time.perf_counter() - began)
            assert archive.status_code == 200 and archive.headers["Content-Type"] == "application/zip"
        with zipfile.ZipFile(io.BytesIO(archive.content)) as packed:
            kinds = {r["kind"] for r in json.loads(packed.read("subject-access.json"))["records"]}
        assert kinds >= {"referral", "meeting", "case", "disclosure", "complaint", "message_sent"}, kinds
        stored["kinds_exported"] = sorted(kinds)
    finally:
        embedded.stop()
    figures = {"stored": stored, "review_p50_ms": round(statistics.median(reviews) * 1000, 1),
               "release_p50_ms": round(statistics.median(releases) * 1000, 1), "target_ms": TARGET_S * 1000}
    print(f"a subject access export of one child with a full case among {stored['referrals']:,} referrals "
          f"({stored['records']:,} records) stored: gathered for review {figures['review_p50_ms']:,.1f} ms, released "
          f"as an archive {figures['release_p50_ms']:,.1f} ms (p50 of {READS}; target {TARGET_S * 1000:,.0f} ms)",
          flush=True)
    return figures


if __name__ == "__main__":
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's services, as bench/run.py does
    print(json.dumps(main(), indent=2))
