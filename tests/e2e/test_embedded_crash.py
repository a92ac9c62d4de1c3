"""The embedded mode loses nothing in a crash: the platform is killed (SIGKILL) in the middle of a burst of referrals,
and again while it catches up, and every referral it stored still reaches each of its consequences exactly once."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import subprocess
import threading
import time
from collections import Counter

import requests

from services import INTERNAL_SERVICES
from shared.bus import list_parked
from shared.config import Settings
from tests.e2e.conftest import REFERRAL, free_port_block, wait_until_up
from tests.e2e.test_walking_skeleton import LLAIS, admin

BURST = 200
KILL_AFTER = 70


class Platform:
    """`llais run` as a newcomer starts it, on one data folder, that can be killed and started again."""

    def __init__(self, env: dict, port: int, log_path):
        self.env, self.port, self.log_path = env, port, log_path
        self.process: subprocess.Popen | None = None
        self.url = f"http://127.0.0.1:{port}"

    def start(self) -> None:
        log = open(self.log_path, "a")
        self.process = subprocess.Popen([LLAIS, "run"], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        log.close()
        wait_until_up(f"{self.url}/healthz", timeout=90)

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


def _burst(platform: Platform, council: dict, sent: list, refused: list, stop_after: int,
           killed: threading.Event) -> None:
    """POST referrals from four clients at once; kill the platform as soon as `stop_after` have been stored."""
    lock = threading.Lock()
    numbers = iter(range(BURST))

    def client():
        while not killed.is_set():
            with lock:
                number = next(numbers, None)
            if number is None:
                return
            body = {**REFERRAL, "external_ref": f"CRASH-{number}"}
            try:
                answer = requests.post(f"{platform.url}/api/v1/referrals", json=body, timeout=10,
                                       headers={**council, "Idempotency-Key": f"crash-{number}"})
            except requests.RequestException as exc:
                with lock:
                    if not killed.is_set():
                        refused.append(f"{number}: {exc.__class__.__name__}")
                return
            with lock:
                if answer.status_code == 201:
                    sent.append(answer.json()["id"])
                elif not killed.is_set():
                    refused.append(f"{number}: {answer.status_code} {answer.text[:200]}")
                if len(sent) >= stop_after and not killed.is_set():
                    killed.set()
                    platform.kill()

    threads = [threading.Thread(target=client) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)


def _all_referrals(platform: Platform, staff: dict) -> list[dict]:
    found, cursor = [], None
    while True:
        answer = requests.get(f"{platform.url}/api/v1/referrals", headers=staff, timeout=10,
                              params={"limit": 100, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        found.extend(page["items"])
        cursor = page.get("next")
        if not cursor:
            return found


def _whole(platform: Platform, staff: dict, referral_id: str) -> dict:
    answer = requests.get(f"{platform.url}/api/v1/referrals/{referral_id}", headers=staff, timeout=10)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_sigkill_mid_burst_and_mid_catch_up_loses_no_consequence_and_doubles_none(tmp_path, webhook_receiver):
    env = {**os.environ, "LLAIS_DATA": str(tmp_path / "data"), "PORT": str(free_port_block(1)),
           "LLAIS_LOG_LEVEL": "WARNING", "LLAIS_WEBHOOK_ALLOW_PRIVATE": "true"}
    for name in ("AMQP_URL", "MONGO_URL"):
        env.pop(name, None)
    platform = Platform(env, int(env["PORT"]), tmp_path / "run.log")
    council = {"Authorization": f"Bearer {admin(env, 'create-api-key', '--council', 'CARDIFF')}"}
    admin(env, "create-user", "--email", "manager@provider.example", "--role", "manager", "--password-stdin",
          stdin="a-long-password-for-the-test")
    staff = {"Authorization": f"Bearer {admin(env, 'create-token', '--email', 'manager@provider.example')}"}
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    platform.start()
    try:
        answer = requests.put(f"{platform.url}/api/v1/webhook", json={"url": webhook_receiver.url, "secret": secret},
                              headers=council, timeout=10)
        assert answer.status_code == 200, answer.text

        sent: list[str] = []
        refused: list[str] = []
        killed = threading.Event()
        _burst(platform, council, sent, refused, KILL_AFTER, killed)
        assert refused == [], "requests before the kill must all be stored"
        assert killed.is_set() and len(sent) >= KILL_AFTER

        platform.start()  # the same data folder: stores, outboxes, inboxes and the bus file
        time.sleep(1.0)   # consequences of the burst are on their way between services
        platform.kill()   # ... and the platform dies again in the middle of catching up
        platform.start()

        deadline = time.monotonic() + 120
        while True:
            stored = _all_referrals(platform, staff)
            acknowledged = {d.json["data"]["referral_id"] for d in list(webhook_receiver.deliveries)
                            if d.json["type"] == "referral.acknowledged"}
            waiting = [r["id"] for r in stored if not r.get("deadlines") or r["id"] not in acknowledged]
            if not waiting or time.monotonic() > deadline:
                break
            time.sleep(1.0)
        missing = {r["id"]: [what for what, reached in (("deadlines", r.get("deadlines")),
                                                        ("acknowledgement webhook", r["id"] in acknowledged))
                             if not reached] for r in stored if r["id"] in waiting}
        parked = {service: [(m.type, m.error) for m in list_parked(Settings.from_env(env), service)]
                  for service in INTERNAL_SERVICES}
        assert not waiting, f"{len(waiting)} of {len(stored)} never reached: {missing}; parked: {parked}"
        assert set(sent) <= {r["id"] for r in stored}, "a referral answered 201 was lost"
        assert len({r["external_ref"] for r in stored}) == len(stored), "a referral was stored twice"

        time.sleep(2.0)  # room for any late duplicate to show itself
        for referral in stored:
            whole = _whole(platform, staff, referral["id"])
            assert set(whole["deadlines"]) >= {"acknowledge_by", "allocate_by", "first_contact_by", "meeting_by"}
            steps = Counter(entry["what"] for entry in whole["timeline"])
            assert steps["acknowledged"] == 1, whole["timeline"]
        webhook_ids = {}
        for delivery in webhook_receiver.deliveries:
            if delivery.json["type"] == "referral.acknowledged":
                webhook_ids.setdefault(delivery.json["data"]["referral_id"], set()).add(delivery.json["id"])
        assert set(webhook_ids) == {r["id"] for r in stored}
        assert all(len(ids) == 1 for ids in webhook_ids.values()), "a referral was acknowledged twice"
    finally:
        platform.stop()
