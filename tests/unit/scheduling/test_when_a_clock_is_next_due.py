"""When the deadline clock must next look at a case: the moment `tick` would next change one of its clocks, as text
that sorts as the moments do, so the store can find the cases due by now without reading the rest."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from services.scheduling import domain

RECEIVED = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)  # a Monday
SUMMER = datetime(2026, 6, 22, 9, tzinfo=timezone.utc)  # British Summer Time: London is UTC+1


def test_a_new_case_is_next_due_when_its_first_deadline_falls_at_risk():
    clocks = domain.schedule(RECEIVED, "wales", domain.Timeframes())
    earliest = min(datetime.fromisoformat(c["at_risk_at"]) for c in clocks.values())
    assert domain.due_fields(clocks) == {"clock_open": True, "next_due_at": domain.comparable(earliest)}
    assert domain.due_fields(clocks)["next_due_at"].endswith("+00:00")


def test_an_at_risk_clock_is_next_due_when_it_would_be_missed():
    clocks = {"a": {"due_at": "2026-11-30T23:59:59+00:00", "at_risk_at": "2026-11-27T23:59:59+00:00",
                    "state": "at_risk"},
              "b": {"due_at": "2026-12-10T23:59:59+00:00", "at_risk_at": "2026-12-09T23:59:59+00:00",
                    "state": "pending"},
              "c": {"due_at": "2026-11-25T23:59:59+00:00", "at_risk_at": "2026-11-24T23:59:59+00:00",
                    "state": "met"}}
    assert domain.due_fields(clocks)["next_due_at"] == "2026-11-30T23:59:59.000000+00:00"


def test_ticking_to_the_moment_a_case_is_due_changes_it_and_not_a_moment_before():
    clocks = domain.schedule(SUMMER, "wales", domain.Timeframes())
    due = datetime.fromisoformat(domain.due_fields(clocks)["next_due_at"])
    assert domain.tick(clocks, due - timedelta(microseconds=1))[1] == []
    moved, said = domain.tick(clocks, due)
    assert said and domain.due_fields(moved)["next_due_at"] > domain.comparable(due)


def test_stopped_met_or_closed_clocks_are_never_due():
    clocks = domain.schedule(RECEIVED, "wales", domain.Timeframes())
    assert domain.due_fields(domain.stop(clocks)) == {"clock_open": False, "next_due_at": None}
    assert domain.due_fields(clocks, closed=True) == {"clock_open": False, "next_due_at": None}
    for name in list(clocks):
        clocks = domain.met(clocks, name, RECEIVED.isoformat())
    assert domain.due_fields(clocks) == {"clock_open": False, "next_due_at": None}


def test_comparable_text_sorts_as_the_moments_do_whatever_their_offset():
    london = datetime(2026, 6, 22, 10, 30, tzinfo=timezone(timedelta(hours=1)))  # 09:30 UTC
    moments = [london, datetime(2026, 6, 22, 9, 0, 0, 500, tzinfo=timezone.utc),
               datetime(2026, 6, 22, 9, 45, tzinfo=timezone.utc), datetime(2026, 6, 22, 9, tzinfo=timezone.utc)]
    assert sorted(moments) == sorted(moments, key=domain.comparable)
    assert domain.comparable(london) == "2026-06-22T09:30:00.000000+00:00"
