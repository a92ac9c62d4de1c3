"""When a complaint falls due for erasure, and what erasing it leaves: everything reporting recalls, nothing of who
made it or what was said."""

from __future__ import annotations

from datetime import date, datetime, timezone

from shared.retention import Policy

from services.complaints import domain, history
from tests.unit.complaints.test_history import complaint

CLOSED = "2026-12-01T09:00:00+00:00"
ANSWERED = [{"stage": 1, "outcome": "upheld", "summary": "Sorry, Osian.", "at": "2026-11-10T09:00:00+00:00",
             "by": "manager@llais.example", "other_routes_told": True}]


def test_a_complaint_falls_due_6_years_after_it_closed_and_not_while_it_is_open():
    assert domain.erase_on(complaint(), Policy()) is None
    closed = complaint(status="closed", closed_at=CLOSED)
    assert domain.erase_on(closed, Policy()) == date(2032, 12, 1)
    assert domain.erase_on(closed, Policy(complaint_years=7)) == date(2033, 12, 1)


def test_a_compliment_falls_due_from_when_it_was_recorded():
    assert domain.erase_on(complaint(kind="compliment", status="recorded"), Policy()) == date(2032, 11, 2)


def test_erasing_keeps_what_reporting_recalls_and_drops_the_person_and_their_words():
    kept = complaint(status="closed", closed_at=CLOSED, outcome="upheld", responses=ANSWERED, name="Osian Jones",
                     contact={"email": "osian@example.com"}, about="My advocate never came.", wants_reply=False,
                     review_requests=[{"stage": 1, "reason": "Nobody listened to Osian", "at": CLOSED}])
    erased = domain.anonymised(kept)
    assert "Osian" not in repr(erased) and "osian@" not in repr(erased) and "never came" not in repr(erased)
    later = datetime(2040, 1, 1, tzinfo=timezone.utc)
    before = [(e.type, e.occurred_at, e.data) for e in history.of_complaint(kept, later)]
    after = [(e.type, e.occurred_at, e.data) for e in history.of_complaint(erased, later)]
    assert before == after
