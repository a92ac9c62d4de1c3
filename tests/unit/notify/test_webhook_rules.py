"""Standard Webhooks signing and the delivery schedule: retried for at least 24 hours, then parked."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta, timezone

import pytest

from services.notify import domain

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_the_signature_matches_the_specification_computed_independently():
    body = b'{"id":"msg_1","type":"referral.acknowledged"}'
    key = base64.b64decode("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    expected = base64.b64encode(hmac.new(key, b"msg_1.1614265330." + body, hashlib.sha256).digest()).decode()
    assert domain.signature(SECRET, "msg_1", 1614265330, body) == f"v1,{expected}"


def test_a_secret_without_the_prefix_signs_with_its_bytes():
    expected = hmac.new(b"plain-secret-of-enough-length", b"m.1.{}", hashlib.sha256).digest()
    assert domain.signature("plain-secret-of-enough-length", "m", 1, b"{}") == \
        "v1," + base64.b64encode(expected).decode()


def test_a_broken_whsec_secret_is_refused():
    with pytest.raises(domain.InvalidSecret):
        domain.signing_key("whsec_not base64!!")


def test_headers_and_payload_are_what_councils_verify():
    envelope = {"id": "e1", "type": "referral.acknowledged", "occurred_at": "2026-11-23T09:00:00+00:00",
                "producer": "referral", "correlation_id": "c", "causation_id": None, "subject": "s",
                "data": {"referral_id": "r1"}, "version": 1}
    body = domain.webhook_payload(envelope)
    assert json.loads(body) == {"id": "e1", "type": "referral.acknowledged",
                                "occurred_at": "2026-11-23T09:00:00+00:00", "data": {"referral_id": "r1"}}
    headers = domain.webhook_headers([SECRET], "e1", 1700000000, body)
    assert headers["webhook-id"] == "e1" and headers["webhook-timestamp"] == "1700000000"
    assert headers["webhook-signature"] == domain.signature(SECRET, "e1", 1700000000, body)


def test_failed_deliveries_back_off_and_park_only_after_24_hours():
    first = datetime(2026, 11, 23, 9, tzinfo=timezone.utc)
    moment, attempts, waits = first, 0, []
    while True:
        attempts += 1
        following = domain.next_attempt(first, attempts, moment)
        if following is None:
            break
        waits.append(following - moment)
        moment = following
    assert waits[:3] == [timedelta(seconds=5), timedelta(seconds=30), timedelta(minutes=2)]
    assert waits == sorted(waits), "the waits only grow"
    assert moment - first >= timedelta(hours=24), "tried for at least 24 hours"
    assert moment - first <= timedelta(hours=24) + domain.STEADY


@pytest.mark.parametrize("code, ok", [(200, True), (204, True), (299, True), (301, False), (410, False), (500, False)])
def test_only_2xx_counts_as_delivered(code, ok):
    assert domain.delivered(code) is ok


# a new secret with an overlap

NEW = "whsec_" + base64.b64encode(b"n" * 32).decode()
AT = datetime(2026, 12, 6, 12, tzinfo=timezone.utc)


def test_a_new_secret_with_an_overlap_signs_beside_the_old_one_until_it_ends():
    first = domain.webhook_set(None, "https://council.example/hook", SECRET, 24, AT)
    assert domain.signing_secrets(first, AT) == [SECRET], "a first secret has nothing to overlap"
    rotated = domain.webhook_set(first, "https://council.example/hook", NEW, 24, AT)
    assert rotated["previous_secret_expires_at"] == (AT + timedelta(hours=24)).isoformat()
    assert domain.signing_secrets(rotated, AT + timedelta(hours=23, minutes=59)) == [NEW, SECRET]
    assert domain.signing_secrets(rotated, AT + timedelta(hours=24)) == [NEW]
    headers = domain.webhook_headers(domain.signing_secrets(rotated, AT), "e1", 1700000000, b"{}")
    assert headers["webhook-signature"] == (f'{domain.signature(NEW, "e1", 1700000000, b"{}")} '
                                            f'{domain.signature(SECRET, "e1", 1700000000, b"{}")}')


def test_a_new_secret_without_an_overlap_replaces_the_old_one_at_once():
    first = domain.webhook_set(None, "https://council.example/hook", SECRET, 0, AT)
    rotated = domain.webhook_set(first, "https://council.example/hook", NEW, 0, AT)
    assert domain.signing_secrets(rotated, AT) == [NEW] and rotated["previous_secret"] is None


def test_setting_the_same_secret_again_keeps_an_overlap_as_it_stands_and_a_further_one_drops_the_oldest():
    rotated = domain.webhook_set(domain.webhook_set(None, "https://a.example/", SECRET, 0, AT), "https://a.example/",
                                 NEW, 24, AT)
    moved = domain.webhook_set(rotated, "https://b.example/", NEW, 0, AT + timedelta(hours=1))
    assert moved["url"] == "https://b.example/" and domain.signing_secrets(moved, AT + timedelta(hours=1)) == [
        NEW, SECRET]
    third = "t" * 32
    again = domain.webhook_set(moved, "https://b.example/", third, 2, AT + timedelta(hours=2))
    assert domain.signing_secrets(again, AT + timedelta(hours=2)) == [third, NEW]


@pytest.mark.parametrize("hours", [-1, 721])
def test_an_overlap_beyond_thirty_days_is_refused(hours):
    with pytest.raises(domain.Refused) as refused:
        domain.webhook_set(None, "https://council.example/hook", SECRET, hours, AT)
    assert list(refused.value.errors) == ["previous_secret_expires_in_hours"]
