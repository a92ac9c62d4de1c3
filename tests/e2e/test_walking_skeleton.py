"""One referral through the whole platform: the gateway, the referral service, the bus, notify and the council's
webhook, with one trace id from the POST to the webhook. Run in embedded mode and as separate processes."""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from services import SERVICES
from tests.e2e.conftest import REFERRAL, free_port_block, stop_group, verify_standard_webhook, wait_until_up

LLAIS = str(Path(sys.executable).with_name("llais"))


def admin(env: dict, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run([LLAIS, "admin", *args], env=env, input=stdin, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def post_uninstrumented(url: str, body: dict, headers: dict) -> tuple[int, str]:
    """POST as an outside system would: with urllib, which no tracing in this test process touches, so the
    traceparent sent is the one the platform receives."""
    request = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                     headers={**headers, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def walk(gateway: str, env: dict, receiver, notify_url: str, internal_token: str) -> None:
    cardiff = {"Authorization": f"Bearer {admin(env, 'create-api-key', '--council', 'CARDIFF')}"}
    newport = {"Authorization": f"Bearer {admin(env, 'create-api-key', '--council', 'NEWPORT')}"}
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()

    answer = requests.put(f"{gateway}/api/v1/webhook", json={"url": receiver.url, "secret": secret},
                          headers=cardiff, timeout=10)
    assert answer.status_code == 200, answer.text
    assert secret not in answer.text

    trace_id = secrets.token_hex(16)
    traceparent = f"00-{trace_id}-{secrets.token_hex(8)}-01"
    status, text = post_uninstrumented(f"{gateway}/api/v1/referrals", REFERRAL,
                                       {**cardiff, "traceparent": traceparent, "Idempotency-Key": "first-referral"})
    assert status == 201, text
    referral = json.loads(text)
    assert referral["status"] == "received"
    assert referral["external_ref"] == "MOSAIC-12345"
    assert "Cerys" not in text and "07700" not in text

    delivery = receiver.wait_for("referral.acknowledged")
    verify_standard_webhook(secret, delivery)
    assert delivery.json["data"]["referral_id"] == referral["id"]
    assert delivery.headers["Webhook-Id"] == delivery.json["id"]
    assert "Cerys" not in delivery.body.decode() and "Jones" not in delivery.body.decode()
    assert delivery.headers["Traceparent"].split("-")[1] == trace_id, "the webhook is not in the POST's trace"

    again = requests.post(f"{gateway}/api/v1/referrals", json=REFERRAL, timeout=10,
                          headers={**cardiff, "Idempotency-Key": "first-referral"})
    assert (again.status_code, again.json()["id"]) == (201, referral["id"])

    read = requests.get(f"{gateway}/api/v1/referrals/{referral['id']}", headers=cardiff, timeout=10)
    assert read.status_code == 200 and read.json()["id"] == referral["id"]
    hidden = requests.get(f"{gateway}/api/v1/referrals/{referral['id']}", headers=newport, timeout=10)
    assert hidden.status_code == 404
    assert hidden.headers["Content-Type"].startswith("application/problem+json")

    sent = requests.get(f"{notify_url}/deliveries", params={"council": "CARDIFF"}, timeout=10,
                        headers={"X-Llais-Internal-Token": internal_token}).json()
    acknowledged = [d for d in sent["items"] if d["event_id"] == delivery.json["id"] and d["channel"] == "webhook"]
    assert len(acknowledged) == 1 and acknowledged[0]["status"] == "delivered"
    assert acknowledged[0]["basis"] == "duty"
    assert secret not in str(sent)
    assert len([d for d in receiver.deliveries if d.json["type"] == "referral.acknowledged"]) == 1


def test_embedded_mode_takes_a_referral_to_the_webhook(settings, tmp_path, webhook_receiver, monkeypatch):
    from services.platform import Embedded

    platform = Embedded(replace(settings, retry_delays=(0.2, 0.5), webhook_allow_private=True), port=0)
    gateway = platform.start()
    try:
        wait_until_up(f"{gateway}/healthz")
        env = {**os.environ, "LLAIS_DATA": str(settings.data_dir)}
        env.pop("MONGO_URL", None)
        walk(gateway, env, webhook_receiver, platform.settings.service_urls["notify"],
             platform.settings.internal_token)
    finally:
        platform.stop()


@pytest.fixture
def processes(broker_settings, tmp_path):
    port = free_port_block(len(SERVICES))
    token = secrets.token_hex(16)
    env = {**os.environ, "AMQP_URL": broker_settings.amqp_url, "LLAIS_DATA": str(tmp_path / "data"),
           "LLAIS_BUS_PREFIX": broker_settings.bus_prefix, "PORT": str(port), "LLAIS_INTERNAL_TOKEN": token,
           "LLAIS_RETRY_DELAYS": "0.5,1", "LLAIS_WEBHOOK_ALLOW_PRIVATE": "true"}
    env.pop("MONGO_URL", None)
    log = open(tmp_path / "up.log", "w")
    platform = subprocess.Popen([LLAIS, "up"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        for offset in range(len(SERVICES)):
            wait_until_up(f"http://127.0.0.1:{port + offset}/healthz", timeout=90)
        yield f"http://127.0.0.1:{port}", env, f"http://127.0.0.1:{port + SERVICES.index('notify')}", token
    finally:
        stop_group(platform)
        log.close()


def test_multi_process_mode_takes_a_referral_to_the_webhook(processes, webhook_receiver):
    gateway, env, notify_url, token = processes
    walk(gateway, env, webhook_receiver, notify_url, token)
