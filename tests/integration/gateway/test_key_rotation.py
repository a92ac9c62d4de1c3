"""A council's API key rotated through the public API's front door: the old and new keys both work through the
overlap, the old stops when it ends, a revoked key stops at once, and a council system moving from one to the other
mid-stream has no call refused."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from shared.store import Put
from services.gateway import handlers
from services.gateway.domain import parse_credential
from services.gateway.store import AUDIT, API_CLIENTS


def _status(platform, key: str) -> int:
    return platform.get("/api/v1/referrals", {"Authorization": f"Bearer {key}"}).status_code


def _key(platform, council: str = "CARDIFF") -> str:
    return handlers.create_api_key(platform.gateway, platform.councils, council, "Mosaic production")


def _overlap_over(platform, key: str) -> None:
    """Move the key's overlap end into the past, as the clock will."""
    client = platform.gateway.api_client(parse_credential(key).key_id)
    past = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()
    platform.gateway.store.commit(Put.update(client, {**client.body, "expires_at": past}))


def _audited(platform, what: str, key: str) -> list[dict]:
    key_id = parse_credential(key).key_id
    return [d.body for d in platform.gateway.store.find(AUDIT, limit=10_000)
            if d.body["what"] == what and d.body.get("subject") == key_id]


def test_both_keys_work_through_the_overlap_then_the_old_one_stops(platform):
    old = _key(platform)
    new, ends = handlers.rotate_api_key(platform.gateway, old, 24)
    assert parse_credential(new).key_id != parse_credential(old).key_id
    assert timedelta(hours=23) < datetime.fromisoformat(ends) - datetime.now(timezone.utc) <= timedelta(hours=24)
    assert (_status(platform, old), _status(platform, new)) == (200, 200)
    listed = {key["id"]: key for key in handlers.api_keys(platform.gateway)}
    before, after = listed[parse_credential(old).key_id], listed[parse_credential(new).key_id]
    assert (before["state"], before["expires_at"], before["replaced_by"]) == ("expiring", ends, after["id"])
    assert (after["state"], after["council"], after["name"], after["rotated_from"]) == (
        "active", "CARDIFF", "Mosaic production", before["id"])
    _overlap_over(platform, old)
    assert (_status(platform, old), _status(platform, new)) == (401, 200)
    states = {key["id"]: key["state"] for key in handlers.api_keys(platform.gateway)}
    assert (states[before["id"]], states[after["id"]]) == ("expired", "active")
    entry, = _audited(platform, "rotate API key", old)
    assert (entry["who"], entry["council"], entry["replaced_by"]) == ("command line", "CARDIFF", after["id"])


def test_a_revoked_key_stops_at_once_in_its_overlap_too(platform):
    old = _key(platform)
    new, _ = handlers.rotate_api_key(platform.gateway, old)
    assert handlers.revoke(platform.gateway, parse_credential(old).key_id)
    assert (_status(platform, old), _status(platform, new)) == (401, 200)
    assert handlers.revoke(platform.gateway, new)
    assert _status(platform, new) == 401
    assert _audited(platform, "revoke API key", old)[0]["council"] == "CARDIFF"


def test_a_key_is_rotated_once_and_a_stopped_key_not_at_all(platform):
    old = _key(platform)
    new, _ = handlers.rotate_api_key(platform.gateway, old)
    keys_before = len(platform.gateway.api_clients())
    for key, code in ((old, "key_rotated"), ("0123456789abcdef", "no_key")):
        try:
            handlers.rotate_api_key(platform.gateway, key)
        except handlers.CredentialError as refused:
            assert refused.code == code
        else:
            raise AssertionError("rotated twice")
    handlers.revoke(platform.gateway, new)
    try:
        handlers.rotate_api_key(platform.gateway, new)
    except handlers.CredentialError as refused:
        assert refused.code == "key_stopped"
    else:
        raise AssertionError("a revoked key was rotated")
    assert len(platform.gateway.api_clients()) == keys_before, "a refused rotation leaves no new key behind"


def test_a_keys_last_use_is_written_at_most_once_a_minute(platform):
    key = _key(platform)
    key_id = parse_credential(key).key_id
    assert platform.gateway.api_client(key_id).body["last_used_at"] is None
    assert _status(platform, key) == 200
    first = platform.gateway.api_client(key_id)
    assert datetime.now(timezone.utc) - datetime.fromisoformat(first.body["last_used_at"]) < timedelta(seconds=10)
    assert _status(platform, key) == 200 and _status(platform, key) == 200
    assert platform.gateway.api_client(key_id).version == first.version, "no write for each call"
    a_minute_ago = (datetime.now(timezone.utc) - timedelta(minutes=1)).isoformat()
    platform.gateway.store.commit(Put.update(first, {**first.body, "last_used_at": a_minute_ago}))
    assert _status(platform, key) == 200
    assert platform.gateway.api_client(key_id).body["last_used_at"] > a_minute_ago


def test_a_council_system_moving_to_its_new_key_mid_stream_has_no_call_refused(platform):
    """Calls go out back to back, first with the old key; the key is rotated while they run, and the system picks
    up the new key part way through, as one reading its configuration again would. Every call is answered 200."""
    old = _key(platform)
    holding, answers, stop = [old], [], threading.Event()

    def council_system():
        while not stop.is_set():
            key = holding[0]
            answers.append((key, _status(platform, key)))

    caller = threading.Thread(target=council_system)
    caller.start()
    try:
        while len(answers) < 5:
            stop.wait(0.01)
        new, _ = handlers.rotate_api_key(platform.gateway, old)
        rotated_at = len(answers)
        while len(answers) < rotated_at + 5:
            stop.wait(0.01)
        holding[0] = new
        moved_at = len(answers)
        while len(answers) < moved_at + 5:
            stop.wait(0.01)
        _overlap_over(platform, old)
        ended_at = len(answers)
        while len(answers) < ended_at + 5:
            stop.wait(0.01)
    finally:
        stop.set()
        caller.join(timeout=30)
    assert {key for key, _ in answers} == {old, new}
    assert [status for _, status in answers if status != 200] == []
    assert _status(platform, old) == 401 and _status(platform, new) == 200
    assert platform.gateway.store.get(API_CLIENTS, parse_credential(new).key_id).body["last_used_at"]
