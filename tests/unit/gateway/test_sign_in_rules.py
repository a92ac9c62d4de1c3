from datetime import datetime, timedelta, timezone

from services.gateway import domain

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=timezone.utc)


def fail(times: int, start: datetime = NOW, every: timedelta = timedelta(seconds=10)) -> dict | None:
    failures = None
    for n in range(times):
        failures = domain.sign_in_failed(failures, start + n * every)
    return failures


def test_five_wrong_passwords_in_a_row_lock_the_account_for_fifteen_minutes():
    assert not domain.locked_out(fail(4), NOW + timedelta(minutes=1))
    locked = fail(5)
    assert domain.locked_out(locked, NOW + timedelta(minutes=15))
    assert not domain.locked_out(locked, NOW + timedelta(seconds=40) + domain.LOCK_OUT + timedelta(seconds=1))


def test_mistakes_spread_over_time_never_add_up_to_a_lock():
    spread = fail(10, every=domain.LOCK_OUT + timedelta(seconds=1))
    assert spread["count"] == 1 and not domain.locked_out(spread, NOW + timedelta(days=1))


def test_no_failures_is_no_lock():
    assert not domain.locked_out(None, NOW)


def test_a_session_ends_when_idle_or_too_old():
    fresh = {"created_at": NOW.isoformat(), "last_seen_at": NOW.isoformat()}
    assert not domain.session_expired(fresh, NOW + timedelta(minutes=29))
    assert domain.session_expired(fresh, NOW + domain.SESSION_IDLE + timedelta(seconds=1))
    busy = {"created_at": NOW.isoformat(), "last_seen_at": (NOW + timedelta(hours=10)).isoformat()}
    assert domain.session_expired(busy, NOW + domain.SESSION_LONGEST + timedelta(seconds=1))


def test_every_step_of_the_journey_names_who_may_take_it():
    assert domain.JOURNEY_ROLES["allocate"] == ("manager",) and domain.JOURNEY_ROLES["close"] == ("manager",)
    assert all(set(roles) <= {"advocate", "manager"} for roles in domain.JOURNEY_ROLES.values())
