"""A complaint's history as the complaints service recalls it for a service that came later: its receipt, answers,
escalation and closing, and the time limits it heard from scheduling's clock: when they were set, and each missed
as the clock said it then (met late, or never met while the complaint stayed open past it)."""

from __future__ import annotations

from datetime import datetime, timezone

from services.complaints import history

RECEIVED = "2026-11-02T10:00:00+00:00"
DEADLINES = {"acknowledge_by": "2026-11-04T17:00:00+00:00", "respond_by": "2026-11-16T17:00:00+00:00"}
LATER = datetime(2027, 1, 1, tzinfo=timezone.utc)


def complaint(**changes) -> dict:
    return {"id": "c1", "kind": "complaint", "made_by": "child", "council": "CARDIFF", "nation": "wales",
            "language": "cy", "status": "received", "stage": 1, "received_at": RECEIVED, "deadlines": DEADLINES,
            "acknowledged_at": None, "responses": [], "outcome": None, "closed_at": None,
            "timeline": [{"at": RECEIVED, "what": "received", "by": "public web form"}], **changes}


def recalled(before: datetime = LATER, **changes) -> list[tuple[str, str, dict]]:
    return [(event.type, event.occurred_at, event.data) for event in history.of_complaint(complaint(**changes), before)]


def test_time_limits_are_recalled_as_set_on_receipt_after_the_receipt_itself():
    events = recalled(acknowledged_at="2026-11-03T09:00:00+00:00",
                      responses=[{"stage": 1, "outcome": "upheld", "at": "2026-11-10T09:00:00+00:00"}])
    assert [(kind, at) for kind, at, _ in events] == [
        ("complaint.received", RECEIVED), ("complaint.deadlines_scheduled", RECEIVED),
        ("complaint.responded", "2026-11-10T09:00:00+00:00")], "acknowledged and answered in time: none missed"
    assert events[1][2] == {"complaint_id": "c1", **DEADLINES}


def test_a_limit_met_late_or_left_open_past_it_is_missed_and_one_stopped_by_closing_is_not():
    late = recalled(acknowledged_at="2026-11-05T09:00:00+00:00",
                    responses=[{"stage": 1, "outcome": "upheld", "at": "2026-11-10T09:00:00+00:00"}])
    assert [data["deadline"] for kind, _, data in late if kind == "complaint.deadline_missed"] == ["acknowledge_by"]
    open_past = recalled()
    assert [(data["deadline"], at) for kind, at, data in open_past if kind == "complaint.deadline_missed"] == [
        ("acknowledge_by", DEADLINES["acknowledge_by"]), ("respond_by", DEADLINES["respond_by"])]
    assert not [kind for kind, _, _ in recalled(datetime(2026, 11, 4, tzinfo=timezone.utc))
                if kind == "complaint.deadline_missed"], "not yet due when the consumer began to listen"
    withdrawn = recalled(closed_at="2026-11-03T09:00:00+00:00", outcome="withdrawn", status="closed")
    assert not [kind for kind, _, _ in withdrawn if kind == "complaint.deadline_missed"], "its clock stopped"


def test_the_second_stage_limit_is_recalled_as_set_on_the_escalation():
    escalated = "2026-11-20T09:00:00+00:00"
    events = recalled(deadlines={**DEADLINES, "stage_2_respond_by": "2026-12-04T17:00:00+00:00"},
                      acknowledged_at="2026-11-03T09:00:00+00:00", stage=2, status="escalated",
                      responses=[{"stage": 1, "outcome": "not_upheld", "at": "2026-11-10T09:00:00+00:00"},
                                 {"stage": 2, "outcome": "upheld", "at": "2026-12-01T09:00:00+00:00"}],
                      timeline=[{"at": RECEIVED, "what": "received", "by": "x"},
                                {"at": escalated, "what": "escalated", "by": "x"}])
    assert ("complaint.second_stage_scheduled", escalated,
            {"complaint_id": "c1", "respond_by": "2026-12-04T17:00:00+00:00"}) in events
    assert not [kind for kind, _, _ in events if kind == "complaint.deadline_missed"]


def test_a_compliment_has_no_time_limits_to_recall():
    assert [kind for kind, _, _ in recalled(kind="compliment", deadlines={}, status="recorded")] == [
        "complaint.received"]
