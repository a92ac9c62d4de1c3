"""A backup taken while referrals flow, restored into a fresh folder, carries on: what was travelling at the moment of
the backup arrives, nothing handled before it happens twice, the clocks keep the moments they counted from, and a
webhook sent again carries the `webhook-id` it carried the first time."""

from __future__ import annotations

import base64
import os
import secrets
import subprocess
import threading
import time
from collections import Counter, defaultdict

import requests

from tests.e2e.conftest import REFERRAL, free_port_block, verify_standard_webhook
from tests.e2e.test_embedded_crash import Platform, _all_referrals, _whole
from tests.e2e.test_walking_skeleton import LLAIS, admin

ACKNOWLEDGED = "referral.acknowledged"


def _environment(tmp_path, name: str) -> dict:
    env = {**os.environ, "LLAIS_DATA": str(tmp_path / name), "PORT": str(free_port_block(1)),
           "LLAIS_LOG_LEVEL": "WARNING", "LLAIS_WEBHOOK_ALLOW_PRIVATE": "true"}
    for variable in ("AMQP_URL", "MONGO_URL"):
        env.pop(variable, None)
    return env


def _llais(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([LLAIS, *args], env=env, capture_output=True, text=True, timeout=300)


def _flow(platform: Platform, council: dict, stored: list, refused: list, stop: threading.Event) -> list:
    """Two council systems POSTing referrals until `stop`; their threads."""
    numbers = iter(range(100_000))
    lock = threading.Lock()

    def client():
        session = requests.Session()
        while not stop.is_set():
            with lock:
                number = next(numbers)
            answer = session.post(f"{platform.url}/api/v1/referrals", json={**REFERRAL, "external_ref": f"FLOW-{number}"},
                                  headers={**council, "Idempotency-Key": f"flow-{number}"}, timeout=30)
            with lock:
                (stored if answer.status_code == 201 else refused).append(
                    answer.json()["id"] if answer.status_code == 201 else f"{answer.status_code} {answer.text[:200]}")

    threads = [threading.Thread(target=client) for _ in range(2)]
    for thread in threads:
        thread.start()
    return threads


def _poll(what: str, done, timeout: float = 180.0):
    deadline = time.monotonic() + timeout
    while True:
        outcome = done()
        if outcome:
            return outcome
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        time.sleep(0.5)


def _acknowledgements(deliveries) -> dict[str, set[str]]:
    """The webhook ids each referral's acknowledgement came with."""
    ids = defaultdict(set)
    for delivery in deliveries:
        if delivery.json["type"] == ACKNOWLEDGED:
            assert delivery.headers["Webhook-Id"] == delivery.json["id"]
            ids[delivery.json["data"]["referral_id"]].add(delivery.headers["Webhook-Id"])
    return ids


def _settled(platform: Platform, staff: dict, receiver) -> dict[str, dict] | None:
    """Every referral the platform holds, once each has its deadlines and its acknowledgement webhook."""
    referrals = _all_referrals(platform, staff)
    acknowledged = _acknowledgements(list(receiver.deliveries))
    if all(r.get("deadlines") and r["id"] in acknowledged for r in referrals):
        return {r["id"]: r for r in referrals}
    return None


def test_a_backup_taken_mid_flow_restored_into_a_fresh_folder_carries_on_and_does_nothing_twice(
        tmp_path, webhook_receiver):
    env = _environment(tmp_path, "data")
    council = {"Authorization": f"Bearer {admin(env, 'create-api-key', '--council', 'CARDIFF')}"}
    admin(env, "create-user", "--email", "manager@provider.example", "--role", "manager", "--password-stdin",
          stdin="a-long-password-for-the-test")
    staff = {"Authorization": f"Bearer {admin(env, 'create-token', '--email', 'manager@provider.example')}"}
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    first = Platform(env, int(env["PORT"]), tmp_path / "first.log")
    first.start()
    try:
        answer = requests.put(f"{first.url}/api/v1/webhook", json={"url": webhook_receiver.url, "secret": secret},
                              headers=council, timeout=10)
        assert answer.status_code == 200, answer.text
        stored, refused, stop = [], [], threading.Event()
        clients = _flow(first, council, stored, refused, stop)
        try:
            _poll("a first run of referrals", lambda: len(_acknowledgements(webhook_receiver.deliveries)) >= 10)
            # the council's end fails for a while: acknowledgements are owed, not delivered, when the backup is taken
            webhook_receiver.status = 503
            before_failing = len(webhook_receiver.deliveries)
            _poll("an acknowledgement refused", lambda: len(webhook_receiver.deliveries) > before_failing + 1)
            delivered_before = set().union(*_acknowledgements(webhook_receiver.deliveries[:before_failing]).values())
            stored_before = set(stored)
            taken = _llais(env, "backup", str(tmp_path / "backup"))
            assert taken.returncode == 0, taken.stderr
            refused_under_a_running_platform = _llais(env, "restore", str(tmp_path / "backup"), "--force")
        finally:
            stop.set()
            for client in clients:
                client.join(60)
        assert refused == []
        assert refused_under_a_running_platform.returncode == 2
        assert "in use by a running Llais" in refused_under_a_running_platform.stderr
        checked = _llais(env, "backup", "--verify", str(tmp_path / "backup"))
        assert checked.returncode == 0, checked.stderr

        webhook_receiver.status = 204
        held_first = _poll("the first platform catching up", lambda: _settled(first, staff, webhook_receiver))
        sent_first = _acknowledgements(webhook_receiver.deliveries)
        deadlines_first = {id: _whole(first, staff, id)["deadlines"] for id in held_first}
    finally:
        first.stop()

    fresh = _environment(tmp_path, "fresh")
    restored = _llais(fresh, "restore", str(tmp_path / "backup"))
    assert restored.returncode == 0, restored.stderr
    after_restore = len(webhook_receiver.deliveries)
    second = Platform(fresh, int(fresh["PORT"]), tmp_path / "second.log")
    second.start()
    try:
        held = _poll("the restored platform catching up", lambda: _settled(second, staff, webhook_receiver))
        assert stored_before <= set(held), "what was stored before the backup began is restored"
        assert set(held) <= set(held_first), "the restored folder holds nothing the first platform did not"
        for referral_id in held:
            whole = _whole(second, staff, referral_id)
            assert whole["deadlines"] == deadlines_first[referral_id], "the clocks count from the same moments"
            assert Counter(entry["what"] for entry in whole["timeline"])["acknowledged"] == 1, whole["timeline"]

        time.sleep(2.0)  # room for any late duplicate to show itself
        sent_again = [d for d in webhook_receiver.deliveries[after_restore:] if d.json["type"] == ACKNOWLEDGED]
        assert sent_again, "acknowledgements owed at the moment of the backup are sent by the restored platform"
        for delivery in sent_again:
            verify_standard_webhook(secret, delivery)
            referral_id = delivery.json["data"]["referral_id"]
            assert {delivery.headers["Webhook-Id"]} == sent_first[referral_id], "sent again under the same id"
            assert delivery.headers["Webhook-Id"] not in delivered_before, "delivered before the backup: not again"
        assert all(len(ids) == 1 for ids in _acknowledgements(webhook_receiver.deliveries).values())

        answer = requests.post(f"{second.url}/api/v1/referrals", json={**REFERRAL, "external_ref": "AFTER-RESTORE"},
                               headers={**council, "Idempotency-Key": "after-restore"}, timeout=30)
        assert answer.status_code == 201, answer.text
        webhook_receiver.wait_for(ACKNOWLEDGED)
        _poll("the new referral's acknowledgement", lambda: answer.json()["id"] in
              _acknowledgements(webhook_receiver.deliveries))
    finally:
        second.stop()
