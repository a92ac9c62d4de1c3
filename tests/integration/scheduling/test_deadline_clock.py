"""The deadline clock says each at-risk and missed deadline once, however many workers tick it at once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import datetime, timedelta, timezone

from shared.contracts import new_event
from shared.store.sqlite import SQLiteStore
from shared.unit_of_work import UnitOfWork, handle
from services.scheduling import complaint_clocks, deadlines, domain


def received(referral_id: str, days_ago: int):
    at = datetime.now(timezone.utc) - timedelta(days=days_ago)
    return new_event("referral.received", {
        "referral_id": referral_id, "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": "active_offer", "basis": "looked_after", "external_ref": None, "received_at": at.isoformat(),
        "statutory_meeting_at": None, "preferred_language": "cy",
        "consent": {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
                    "share_outcome_with_referrer": True}}, producer="referral", subject=f"referral:{referral_id}")


def said(store) -> Counter:
    """The deadline events published since the last look."""
    entries = store.claim_outbox("test", limit=1000)
    store.mark_sent([e.id for e in entries])
    return Counter((e.envelope["type"], e.envelope["data"].get("deadline")) for e in entries
                   if e.envelope["type"].startswith("deadline."))


def test_two_workers_ticking_at_once_say_each_deadline_once(tmp_path):
    path = tmp_path / "scheduling.sqlite3"
    store = SQLiteStore(path)
    for n in range(20):
        handle(deadlines.open_case, received(f"r{n}", days_ago=40), store)
    barrier = threading.Barrier(2)

    def tick():
        worker_store = SQLiteStore(path)
        barrier.wait()
        deadlines.run_clock(UnitOfWork(worker_store))

    threads = [threading.Thread(target=tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    deadlines.run_clock(UnitOfWork(store))
    counted = said(store)
    assert set(counted.values()) == {20}, "each referral's each deadline said once"
    assert len(counted) == 8  # at risk and missed, for four deadlines


def test_met_deadlines_and_closed_referrals_stay_quiet(tmp_path):
    store = SQLiteStore(tmp_path / "scheduling.sqlite3")
    handle(deadlines.open_case, received("r1", days_ago=40), store)
    acknowledged = new_event("referral.acknowledged", {
        "referral_id": "r1", "council": "CARDIFF", "external_ref": None, "status": "received",
        "received_at": "2026-10-01T09:00:00+00:00", "acknowledged_at": "2026-10-01T09:00:01+00:00"},
        producer="referral", subject="referral:r1")
    handle(deadlines.meet_acknowledge_by, acknowledged, store)
    handle(deadlines.meet_acknowledge_by, acknowledged, store)  # redelivered: changes nothing
    deadlines.run_clock(UnitOfWork(store))
    counted = said(store)
    assert ("deadline.missed", "acknowledge_by") not in counted
    assert counted[("deadline.missed", "allocate_by")] == 1

    handle(deadlines.open_case, received("r2", days_ago=0), store)
    closed = new_event("referral.closed", {
        "referral_id": "r2", "council": "CARDIFF", "external_ref": None, "reason": "withdrawn", "outcome": None,
        "follow_on_referral_id": None, "meeting_took_place": None, "closed_at": "2026-11-23T10:00:00+00:00",
        "consent": {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
                    "share_outcome_with_referrer": True}}, producer="referral", subject="referral:r2")
    handle(deadlines.case_closed, closed, store)
    deadlines.run_clock(UnitOfWork(store), at=datetime.now(timezone.utc) + timedelta(days=60))
    assert not [k for k in said(store)], "a closed referral's clocks are stopped"
    assert store.get("cases", "r2").body["closed"] is True


def test_a_regions_own_time_frames_set_its_deadlines(tmp_path):
    import json as json_module
    from dataclasses import replace

    import pytest

    from shared.config import ConfigError, Settings
    from services.scheduling.app import SERVICE, region_timeframes

    frames = tmp_path / "timeframes.json"
    frames.write_text(json_module.dumps({"cardiff-vale": {"acknowledge": 2, "meeting": 15}}))
    settings = replace(Settings(), data_dir=tmp_path, timeframes_file=frames)
    worker = SERVICE.create_worker(settings)
    store = worker.store
    event = received("r1", days_ago=0)
    handle(worker.handlers["referral.received"], event, store)
    clocks = store.get("cases", "r1").body["clocks"]
    received_at = datetime.fromisoformat(event.data["received_at"])
    from services.scheduling.domain import working_days_after

    assert clocks["acknowledge_by"]["due_at"] == working_days_after(received_at, 2, "wales").isoformat()
    assert clocks["allocate_by"]["due_at"] == working_days_after(received_at, 2, "wales").isoformat()
    assert clocks["meeting_by"]["due_at"] == working_days_after(received_at, 15, "wales").isoformat()

    for bad, says in (({"gwent": {"acknowledge": 0}}, "1 to 60"), ({"gwent": {"reply": 2}}, "give only"),
                      (["gwent"], "JSON object")):
        frames.write_text(json_module.dumps(bad))
        with pytest.raises(ConfigError, match=says):
            region_timeframes(settings)


def complaint_event(event_type: str, complaint_id: str, **data):
    return new_event(event_type, {"complaint_id": complaint_id, "kind": "complaint", **data}, producer="complaints",
                     subject=f"complaint:{complaint_id}")


def test_a_second_stage_starts_its_own_clock_once_and_its_answer_meets_it(tmp_path):
    store = SQLiteStore(tmp_path / "scheduling.sqlite3")
    handle(complaint_clocks.start_complaint_clock, complaint_event(
        "complaint.received", "c1", made_by="child", council="CARDIFF", nation="wales",
        received_at="2026-12-01T10:00:00+00:00", language="cy"), store)
    handle(complaint_clocks.complaint_answered, complaint_event("complaint.responded", "c1", stage=1, outcome="not_upheld",
                                                responded_at="2026-12-03T10:00:00+00:00"), store)
    answered_again = complaint_event("complaint.responded", "c1", stage=2, outcome="upheld",
                                     responded_at="2026-12-10T10:00:00+00:00")
    try:
        handle(complaint_clocks.complaint_answered, answered_again, store)
        raise AssertionError("a second-stage answer before its escalation must wait for it")
    except domain.NotFound:
        pass
    escalated = complaint_event("complaint.escalated", "c1", stage=2, escalated_at="2026-12-04T10:00:00+00:00")
    handle(complaint_clocks.start_second_stage_clock, escalated, store)
    handle(complaint_clocks.start_second_stage_clock, escalated, store)  # redelivered: nothing more
    entries = store.claim_outbox("test", limit=100)
    scheduled = [e.envelope["data"] for e in entries if e.envelope["type"] == "complaint.second_stage_scheduled"]
    assert scheduled == [{"complaint_id": "c1", "respond_by": "2026-12-18T23:59:59+00:00"}]
    handle(complaint_clocks.complaint_answered, answered_again, store)
    clocks = store.get("complaint_clocks", "c1").body["clocks"]
    assert {name: clock["state"] for name, clock in clocks.items()} == {
        "acknowledge_by": "pending", "respond_by": "met", "stage_2_respond_by": "met"}
