"""Erasure across every service, on the running platform: a child whose records have expired is erased everywhere
(every document, outbox, inbox and the bus) and nothing of another child is, the quarter's report reads the same
before and after, and a legal hold stops it until it is lifted."""

from __future__ import annotations

import json
import sqlite3
import time
from datetime import date, timedelta

import pytest
import requests
from click.testing import CliRunner

from shared.config import SERVICES
from shared.erasure import ERASURES
from services.cli import main
from services.gateway import handlers
from services.reporting import domain as reporting
from shared.clock import now
from tests.examples import example_referral

GWEN = ("Gwenllian", "Prydderch", "2012-03-09", "MOSAIC-GP1", "gwen.referrer@example.gov.uk", "07700 900777",
        "Rhiannon Prydderch")
OSIAN = ("Osian", "Pugh", "2011-08-17", "MOSAIC-OP2", "osian.referrer@example.gov.uk", "07700 900888",
         "Dafydd Pugh")


def child(said: tuple) -> dict:
    given, family, born, reference, email, phone, carer = said
    body = example_referral()
    body["child"].update(given_name=given, family_name=family, date_of_birth=born)
    body["child"]["contact"] = {"phone": phone, "carer_name": carer, "carer_phone": phone}
    body["referrer"].update(email=email)
    return {**body, "external_ref": reference}


def everything_kept(platform) -> str:
    """Every row of every table of every store and of the bus, as text."""
    kept = []
    for name in (*SERVICES, "bus"):
        with sqlite3.connect(platform.settings.data_dir / f"{name}.sqlite3") as conn:
            for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
                kept += [repr(row) for row in conn.execute(f'SELECT * FROM "{table}"')]
    return "\n".join(kept)


def audited_about(platform, referral_id: str) -> int:
    """How many of the gateway's audit entries name the referral."""
    with sqlite3.connect(platform.settings.data_dir / "gateway.sqlite3") as conn:
        [(count,)] = conn.execute("SELECT COUNT(*) FROM documents WHERE collection = 'audit' "
                                  "AND json_extract(body, '$.referral_id') = ?", (referral_id,))
    return count


def retention(platform, monkeypatch, day: date) -> None:
    monkeypatch.setenv("LLAIS_DATA", str(platform.settings.data_dir))
    monkeypatch.setenv("LLAIS_BUS_PREFIX", platform.settings.bus_prefix)
    monkeypatch.delenv("MONGO_URL", raising=False)
    result = CliRunner().invoke(main, ["retention", "run", "--as-of", day.isoformat()])
    assert result.exit_code == 0, result.output


def handled_everywhere(platform, referral_id: str) -> None:
    """Wait until scheduling, casework and notify have each handled the referral's `retention.expired`."""
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        told = [d.body for d in platform.store("notify").find(ERASURES, limit=1000)
                if d.body.get("because") == "retention.expired"]
        if told and all(platform.store(s).handled(told[-1]["event_id"]) for s in ("scheduling", "casework")):
            return
        time.sleep(0.1)
    pytest.fail("retention.expired was not handled everywhere in time")


def test_an_expired_childs_records_are_erased_everywhere_and_nothing_else_with_the_report_unchanged(
        platform, monkeypatch):
    council, manager = platform.key("CARDIFF"), platform.staff("manager")
    advocate_email = "advocate-erasure@provider.example"
    handlers.create_user(platform.gateway, platform.councils, advocate_email, "advocate", None, "a long password!")
    gwen = platform.post("/api/v1/referrals", council, json=child(GWEN)).json()["id"]
    osian = platform.post("/api/v1/referrals", council, json=child(OSIAN)).json()["id"]
    assert platform.post(f"/api/v1/referrals/{gwen}/allocate", manager,
                         json={"advocate_email": advocate_email}).status_code == 200
    assert platform.post(f"/api/v1/referrals/{gwen}/contact-attempts", manager,
                         json={"method": "phone", "result": "no_answer",
                               "note": "Rang Rhiannon Prydderch"}).status_code == 201
    closed = platform.post(f"/api/v1/referrals/{gwen}/close", manager, json={"reason": "unable_to_contact"})
    assert closed.status_code == 200, closed.text
    year, quarter = reporting.quarter_of(now().isoformat()).split("Q")
    report = f"/api/v1/reports/quarterly?year={year}&quarter={quarter}"
    before = platform.get(report, manager).json()
    kept = everything_kept(platform)
    assert all(said in kept for said in GWEN) and all(said in kept for said in OSIAN[:5])

    due = date.fromisoformat(platform.store("referral").get("referrals", gwen).body["erase_on"])
    held = f"/api/v1/referrals/{gwen}/legal-hold"
    assert platform.post(held, manager, json={"reason_code": "court_case"}).status_code == 200
    platform.get(f"/api/v1/referrals/{gwen}", manager)  # settled: every service has heard of the hold
    retention(platform, monkeypatch, due + timedelta(days=1))
    assert "Gwenllian" in json.dumps(platform.store("referral").get("referrals", gwen).body), "held: kept"
    assert audited_about(platform, gwen) > 0, "held: who looked at the child's records is kept past its 6 years"
    assert audited_about(platform, osian) == 0, "the audit of a child not held goes after its 6 years"

    assert requests.delete(f"{platform.url}{held}", headers=manager, timeout=10).status_code == 200
    platform.get(f"/api/v1/referrals/{gwen}", manager)
    retention(platform, monkeypatch, due - timedelta(days=1))
    assert "Gwenllian" in json.dumps(platform.store("referral").get("referrals", gwen).body), "not due yet"
    retention(platform, monkeypatch, due)
    handled_everywhere(platform, gwen)

    left = everything_kept(platform)
    for said in GWEN:
        assert said not in left, f"{said} is still kept"
    for said in OSIAN[:5]:
        assert said in left, f"{said} was erased with the other child"
    erased = platform.store("referral").get("referrals", gwen).body
    assert (erased["status"], erased["close_reason"], erased["erased_on"]) == ("closed", "unable_to_contact",
                                                                                due.isoformat())
    assert platform.store("referral").get("referrals", osian).body["child"]["given_name"] == "Osian"
    assert platform.get(report, manager).json() == before
    rebuilt = CliRunner().invoke(main, ["reporting", "rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert platform.get(report, manager).json() == before, "made again from the facts kept, it reads the same"
    read = platform.get(f"/api/v1/referrals/{gwen}", manager)
    assert read.status_code == 200 and read.json()["child"]["given_name"] == "" and read.json()["status"] == "closed"
