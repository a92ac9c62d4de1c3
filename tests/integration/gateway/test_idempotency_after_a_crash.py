"""An Idempotency-Key left pending by a request that died with its gateway process is released as soon as the
gateway knows the process has gone: when a gateway starts (a restart, a gunicorn worker replaced) and when the key is
used again. One held by a process that still runs (a sibling gunicorn worker) stays held."""

from __future__ import annotations

import hashlib
import json
import select
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest

from shared.store import Put
from services.gateway import api, processes
from services.gateway.app import create_app
from services.gateway.store import IDEMPOTENCY
from tests.examples import example_referral

ROOT = Path(__file__).resolve().parents[3]
GATEWAY = """
import os, signal, sys
from dataclasses import replace
from pathlib import Path

from shared.config import Settings
from services.gateway import api
from services.gateway.app import create_app

data_dir, key, authorization, how = sys.argv[1:5]


def forward(*args, **kwargs):  # the request is under way, holding its key, when its process ends
    if how == "dies":
        os.kill(os.getpid(), signal.SIGKILL)
    print("holding", flush=True)
    sys.stdin.readline()
    os._exit(0)


api.forward = forward
app = create_app(replace(Settings(), data_dir=Path(data_dir)))
app.test_client().post("/api/v1/referrals", data=sys.stdin.buffer.readline().rstrip(),
                       content_type="application/json",
                       headers={"Authorization": authorization, "Idempotency-Key": key})
"""


@pytest.fixture
def request_(platform) -> dict:
    """A council's referral, its key and the exact bytes sent (the key is bound to the body's digest)."""
    return {"key": str(uuid.uuid4()), "auth": platform.key("CARDIFF")["Authorization"],
            "body": json.dumps(example_referral()).encode()}


@pytest.fixture
def start_gateway(platform):
    """Start a gateway app on the platform's stores, as a restarted or another gunicorn worker would."""
    started = []

    def start():
        started.append(create_app(platform.settings))
        return started[-1]

    yield start
    for app in started:
        app.extensions["llais.store"].close()


def gateway_process(platform, request_: dict, how: str) -> subprocess.Popen:
    process = subprocess.Popen([sys.executable, "-c", GATEWAY, str(platform.settings.data_dir), request_["key"],
                                request_["auth"], how], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    process.stdin.write(request_["body"] + b"\n")
    process.stdin.flush()
    return process


def reservation(platform, request_: dict) -> dict:
    found = [d.body for d in platform.gateway.store.find(IDEMPOTENCY, limit=10_000) if d.id.endswith(f":/api/v1/referrals:{request_['key']}")]
    assert len(found) == 1
    return found[0]


def send(app, request_: dict):
    return app.test_client().post("/api/v1/referrals", data=request_["body"], content_type="application/json",
                                  headers={"Authorization": request_["auth"], "Idempotency-Key": request_["key"]})


def test_a_restarted_gateway_releases_the_key_its_dead_predecessor_left_pending(platform, request_, start_gateway):
    died = gateway_process(platform, request_, "dies")
    try:
        assert died.wait(timeout=60) == -9, "the gateway was killed in the middle of the request"
    finally:
        died.kill()
    assert reservation(platform, request_)["state"] == "pending"
    before = platform.referral_count()

    restarted = start_gateway()
    assert reservation(platform, request_)["state"] == "released", "released as the gateway starts"
    first = send(restarted, request_)
    assert first.status_code == 201, first.get_data(as_text=True)
    again = send(restarted, request_)
    assert again.status_code == 201 and again.json == first.json, "and idempotent from then on"
    assert platform.referral_count() == before + 1


def test_a_key_held_by_a_sibling_process_that_still_runs_stays_held_until_that_process_ends(platform, request_,
                                                                                            start_gateway):
    sibling = gateway_process(platform, request_, "holds")
    try:
        assert select.select([sibling.stdout], [], [], 60)[0], "the sibling never took the request"
        assert sibling.stdout.readline() == b"holding\n"
        held = reservation(platform, request_)
        assert held["state"] == "pending" and held["holder"]["pid"] == sibling.pid
        assert processes.alive(held["holder"]) is True
        another = start_gateway()  # another worker starting beside it
        assert reservation(platform, request_)["state"] == "pending"
        assert send(another, request_).status_code == 409, "still being processed"
    finally:
        sibling.kill()
        sibling.wait(timeout=60)
    assert processes.alive(held["holder"]) is False
    taken = send(another, request_)  # no restart needed: the key's holder is seen to have gone
    assert taken.status_code == 201, taken.get_data(as_text=True)


def test_a_request_that_fails_unexpectedly_frees_its_key(platform, request_, start_gateway, monkeypatch):
    app = start_gateway()

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(api, "forward", broken)
    assert send(app, request_).status_code == 500
    assert reservation(platform, request_)["state"] == "released"
    monkeypatch.undo()
    assert send(app, request_).status_code == 201


def test_a_holder_is_known_alive_or_gone_on_this_machine_and_unknown_elsewhere():
    me = processes.this_process()
    assert processes.alive(me) is True
    assert processes.alive({**me, "started": "0"}) is False, "the same pid, but another process than the holder"
    assert processes.alive({**me, "boot": "another-boot"}) is False
    assert processes.alive({**me, "host": "elsewhere.example"}) is None
    assert processes.alive(None) is None and processes.alive({"pid": "1"}) is None


def test_a_reservation_from_another_machine_lapses_only_with_age(platform, request_, start_gateway):
    key_id = request_["auth"].split()[1].split("_", 2)[1]
    holder = {**processes.this_process(), "host": "elsewhere.example"}
    platform.gateway.store.commit(Put.new(IDEMPOTENCY, f"{key_id}:/api/v1/referrals:{request_['key']}", {
        "request_hash": hashlib.sha256(request_["body"]).hexdigest(), "state": "pending",
        "created_at": datetime.now(timezone.utc).isoformat(), "holder": holder}))
    app = start_gateway()
    assert reservation(platform, request_)["state"] == "pending"
    assert send(app, request_).status_code == 409
