"""When notify's delivery records fall due for removal: 90 days after they were delivered, parked or withheld, or
after a note of one not sent was made; never while one is still being tried."""

from __future__ import annotations

from datetime import date

from shared.retention import Policy

from services.notify import domain
from services.notify.store import RETAINED

PENDING = {"status": "pending", "created_at": "2026-01-05T09:00:00+00:00", "referral_id": "r1"}


def test_a_delivery_falls_due_90_days_after_it_ended_and_not_while_it_is_pending():
    assert domain.delivery_erase_on(PENDING, Policy()) is None
    delivered = {**PENDING, "status": "delivered", "delivered_at": "2026-01-06T10:00:00+00:00"}
    assert domain.delivery_erase_on(delivered, Policy()) == date(2026, 4, 6)
    parked = {**PENDING, "status": "parked", "parked_at": "2026-01-07T10:00:00+00:00"}
    assert domain.delivery_erase_on(parked, Policy(delivery_days=30)) == date(2026, 2, 6)


def test_a_note_of_a_message_not_sent_falls_due_from_when_it_was_made():
    unsent = {"created_at": "2026-01-05T09:00:00+00:00", "reason": "the council has no webhook", "referral_id": "r1"}
    assert domain.delivery_erase_on(unsent, Policy()) == date(2026, 4, 5)


def test_deliveries_about_a_held_referral_are_kept_by_its_hold():
    assert {retained.kind for retained in RETAINED} == {"delivery"}
    assert all(retained.anonymised is None for retained in RETAINED)  # removed: nothing of them is counted
    assert [list(retained.about(PENDING)) for retained in RETAINED] == [["r1"], ["r1"]]
    assert [list(retained.about({**PENDING, "referral_id": None})) for retained in RETAINED] == [[], []]
