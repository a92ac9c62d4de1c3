"""When an Idempotency-Key left pending may be taken by a repeat, and who the web forms offer a referral's steps."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.gateway import domain

NOW = datetime(2026, 11, 23, 12, tzinfo=timezone.utc)


def reservation(seconds_ago: float, state: str = "pending") -> dict:
    return {"state": state, "created_at": (NOW - timedelta(seconds=seconds_ago)).isoformat()}


def test_a_reservation_whose_process_has_gone_is_released_at_once():
    assert domain.reservation_abandoned(reservation(0.5), NOW, holder_alive=False)


@pytest.mark.parametrize("alive", [True, None])
def test_a_reservation_whose_process_runs_or_cannot_be_checked_holds_until_no_request_could_still_run(alive):
    assert not domain.reservation_abandoned(reservation(5), NOW, holder_alive=alive)
    assert domain.reservation_abandoned(reservation(domain.ABANDONED_AFTER.total_seconds() + 1), NOW,
                                        holder_alive=alive)


@pytest.mark.parametrize("state", ["done", "failed", "released"])
def test_only_a_pending_reservation_is_ever_abandoned(state):
    assert not domain.reservation_abandoned(reservation(3600, state), NOW, holder_alive=False)


ADVOCATE = domain.Principal("staff", "a@provider.example", role="advocate")
MANAGER = domain.Principal("staff", "m@provider.example", role="manager")


def test_an_advocate_works_their_own_referrals_and_a_manager_every_one():
    assert domain.works_on(ADVOCATE, "a@provider.example")
    assert not domain.works_on(ADVOCATE, "b@provider.example") and not domain.works_on(ADVOCATE, None)
    assert domain.works_on(MANAGER, "b@provider.example") and domain.works_on(MANAGER, None)
    assert not domain.works_on(domain.Principal("staff", "a@provider.example", role="referrer"), "a@provider.example")
