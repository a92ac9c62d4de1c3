"""Whom a manager may allocate to: every active advocate with their open referrals and cases, most room first, and
how long the oldest referral waiting has waited."""

from __future__ import annotations

from datetime import datetime, timezone

from services.gateway import domain
from services.referral import domain as referral_domain


def test_every_advocate_is_listed_by_name_with_the_most_room_first():
    rows = domain.caseloads([("amy@p.example", "Amy"), ("bryn@p.example", "Bryn"), ("cai@p.example", "Cai")],
                            {"amy@p.example": 3, "gone@p.example": 1}, {"amy@p.example": 1, "cai@p.example": 1})
    assert [(r["name"], r["referrals"], r["cases"]) for r in rows] == [
        ("Bryn", 0, 0), ("Cai", 0, 1), ("gone@p.example", 1, 0), ("Amy", 3, 1)], \
        "one with no account now is shown by address, so no open work is hidden"


def test_the_oldest_wait_is_in_whole_days_from_receipt():
    at = datetime(2026, 12, 10, 9, tzinfo=timezone.utc)
    assert domain.days_waiting("2026-12-06T10:00:00+00:00", at) == 3
    assert domain.days_waiting(None, at) is None


def test_the_referral_service_counts_waiting_referrals_and_open_ones_by_advocate():
    referrals = [{"status": "received", "received_at": "2026-12-03T09:00:00+00:00"},
                 {"status": "received", "received_at": "2026-12-01T09:00:00+01:00"},
                 {"status": "allocated", "received_at": "2026-11-01T09:00:00+00:00", "advocate_email": "a@p.example"},
                 {"status": "meeting_arranged", "received_at": "2026-11-01T09:00:00+00:00",
                  "advocate_email": "a@p.example"}]
    assert referral_domain.capacity(referrals) == {"waiting": 2, "oldest_received_at": "2026-12-01T09:00:00+01:00",
                                                   "open_referrals": {"a@p.example": 2}}
