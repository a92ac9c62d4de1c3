"""The gateway's own records are erased when their time is up: an Idempotency-Key's record (which keeps the answer
given, a child's name and all) on the second day, the audit log after 6 years; and `llais retention run` and
`llais retention log` do it at once and show it, never the data."""

from __future__ import annotations

import json
from datetime import timedelta

from click.testing import CliRunner

from shared import erasure
from shared.config import Settings
from shared.retention import day_of
from shared.store import Put, open_store
from services.cli import main
from services.gateway.store import AUDIT, IDEMPOTENCY
from tests.examples import example_referral


def retention(platform, monkeypatch, *args: str) -> list[dict]:
    monkeypatch.setenv("LLAIS_DATA", str(platform.settings.data_dir))
    monkeypatch.delenv("MONGO_URL", raising=False)
    result = CliRunner().invoke(main, ["retention", *args, "--service", "gateway"])
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_an_idempotency_record_goes_on_its_second_day_and_the_audit_stays_6_years(platform, monkeypatch):
    key = platform.key()
    answer = platform.post("/api/v1/referrals", {**key, "Idempotency-Key": "retained-1"}, json=example_referral())
    assert answer.status_code == 201, answer.text
    referral_id = answer.json()["id"]
    store = platform.store("gateway")
    [record] = [d for d in store.find(IDEMPOTENCY, limit=1000) if d.id.endswith(":retained-1")]
    made = day_of(record.body["created_at"])
    assert record.body["erase_on"] == (made + timedelta(days=2)).isoformat()
    assert referral_id in json.dumps(record.body["answer"])

    assert retention(platform, monkeypatch, "run", "--as-of", (made + timedelta(days=1)).isoformat())[0]["kinds"] \
        .get("idempotency_record") is None
    assert store.get(IDEMPOTENCY, record.id) is not None
    [ran] = retention(platform, monkeypatch, "run", "--as-of", (made + timedelta(days=2)).isoformat())
    assert store.get(IDEMPOTENCY, record.id) is None
    assert erasure.digest(record.id) in ran["kinds"]["idempotency_record"]["ids"]
    audited = [d for d in store.find(AUDIT, limit=1000) if d.body.get("referral_id") == referral_id]
    assert audited and all(d.body["erase_on"] == made.replace(year=made.year + 6).isoformat() for d in audited)

    logged = retention(platform, monkeypatch, "log")
    assert logged[0]["as_of"] == ran["as_of"] and logged[0]["kinds"] == ran["kinds"]
    assert "Cerys" not in json.dumps(logged) and referral_id not in json.dumps(logged)


def test_upgrading_records_gives_those_kept_before_the_day_they_fall_due(tmp_path, monkeypatch):
    monkeypatch.setenv("LLAIS_DATA", str(tmp_path))
    monkeypatch.delenv("MONGO_URL", raising=False)
    store = open_store("complaints", Settings.from_env({"LLAIS_DATA": str(tmp_path)}))
    store.commit(Put.new("complaints", "c1", {"id": "c1", "kind": "complaint", "status": "closed",
                                              "received_at": "2026-01-05T10:00:00+00:00",
                                              "closed_at": "2026-02-10T10:00:00+00:00"}))
    store.commit(Put.new("complaints", "c2", {"id": "c2", "kind": "complaint", "status": "received",
                                              "received_at": "2026-01-05T10:00:00+00:00", "closed_at": None}))
    result = CliRunner().invoke(main, ["upgrade-records"])
    assert result.exit_code == 0, result.output
    assert "complaints: 2 complaints given the day they fall due" in result.output
    assert store.get("complaints", "c1").body["erase_on"] == "2032-02-10"
    assert store.get("complaints", "c2").body["erase_on"] is None
    again = CliRunner().invoke(main, ["upgrade-records"])
    assert "complaints: 0 complaints given the day they fall due" in again.output
    monkeypatch.setenv("LLAIS_RETENTION_COMPLAINT_YEARS", "7")  # the provider keeps complaints longer from now on
    changed = CliRunner().invoke(main, ["upgrade-records"])
    assert "complaints: 1 complaints given the day they fall due" in changed.output, changed.output
    assert store.get("complaints", "c1").body["erase_on"] == "2033-02-10", "a changed period reaches kept records"
    store.close()


def test_the_sweep_a_request_runs_keeps_the_audit_of_a_held_child_and_waits_when_it_cannot_ask(tmp_path, monkeypatch):
    """The gateway hears of no holds: its sweep asks the referral service which children are held, keeps the audit
    of their records, and sweeps nothing at all while it cannot ask."""
    from shared.http import ServiceUnavailable
    from services.gateway import retention as gateway_retention

    settings = Settings.from_env({"LLAIS_DATA": str(tmp_path)})
    store = erasure.stamping(open_store("gateway", settings), gateway_retention.RETAINED, settings.retention)
    store.ensure_indexes(erasure.indexes(gateway_retention.RETAINED))
    long_ago = "2016-01-05T10:00:00.000+00:00"
    for entry_id, referral_id in (("a-held", "held-child"), ("a-free", "free-child")):
        store.commit(Put.new(AUDIT, entry_id, {"at": long_ago, "who": "someone", "what": "read referral",
                                               "referral_id": referral_id}))

    def cannot_ask():
        raise ServiceUnavailable("the referral service did not answer")

    gateway_retention.Sweep().if_due(store, cannot_ask)
    assert store.get(AUDIT, "a-held") and store.get(AUDIT, "a-free"), "nothing goes while holds are unknown"
    gateway_retention.Sweep().if_due(store, lambda: ["held-child"])
    assert store.get(AUDIT, "a-held") is not None, "the audit of a held child's records stays"
    assert store.get(AUDIT, "a-free") is None, "the audit of a child not held goes after its 6 years"
