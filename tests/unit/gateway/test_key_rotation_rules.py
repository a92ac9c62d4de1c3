"""Council API keys rotated with an overlap: where a key stands, when it stops, when its use is written."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.gateway import domain

AT = datetime(2026, 12, 6, 12, 0, tzinfo=timezone.utc)


def key(**changes) -> dict:
    return {"revoked_at": None, "expires_at": None, "replaced_by": None, "last_used_at": None, **changes}


def test_a_rotated_key_works_until_its_overlap_ends_and_not_a_moment_after():
    rotated = key(expires_at=(AT + timedelta(hours=24)).isoformat(), replaced_by="0123456789abcdef")
    assert domain.key_state(rotated, AT) == "expiring" and domain.key_works(rotated, AT)
    assert domain.key_works(rotated, AT + timedelta(hours=23, minutes=59))
    assert domain.key_state(rotated, AT + timedelta(hours=24)) == "expired"
    assert not domain.key_works(rotated, AT + timedelta(hours=24))


def test_a_revoked_key_stops_at_once_even_within_its_overlap():
    revoked = key(expires_at=(AT + timedelta(hours=24)).isoformat(), revoked_at=AT.isoformat())
    assert domain.key_state(revoked, AT) == "revoked" and not domain.key_works(revoked, AT)


@pytest.mark.parametrize("hours, ends", [(24, AT + timedelta(hours=24)), (0, AT), (720, AT + timedelta(days=30)),
                                         (1.5, AT + timedelta(minutes=90))])
def test_the_overlap_is_from_none_to_thirty_days(hours, ends):
    assert domain.overlap_end(AT, hours) == ends


@pytest.mark.parametrize("hours", [-1, 720.5, 10_000])
def test_a_longer_or_negative_overlap_is_refused(hours):
    with pytest.raises(domain.CredentialError, match="between 0 and 720 hours") as refused:
        domain.overlap_end(AT, hours)
    assert refused.value.code == "overlap"


@pytest.mark.parametrize("client, code", [
    (key(revoked_at=AT.isoformat()), "key_stopped"),
    (key(expires_at=AT.isoformat(), replaced_by="0123456789abcdef"), "key_stopped"),
    (key(expires_at=(AT + timedelta(hours=1)).isoformat(), replaced_by="0123456789abcdef"), "key_rotated"),
])
def test_only_a_working_key_not_yet_rotated_is_rotated(client, code):
    with pytest.raises(domain.CredentialError) as refused:
        domain.check_rotatable(client, AT)
    assert refused.value.code == code
    domain.check_rotatable(key(), AT)


def test_a_keys_use_is_written_at_most_once_a_minute():
    assert domain.use_worth_recording(None, AT)
    assert not domain.use_worth_recording((AT - timedelta(seconds=59)).isoformat(), AT)
    assert domain.use_worth_recording((AT - timedelta(minutes=1)).isoformat(), AT)
