"""The README's promise to council integrators: the whole Active Offer's calls made back to back, with no sleep and
no retry, give the answers they give when made a minute apart. Run as the script an integrator would run
(examples/back_to_back.py), against `llais run` (embedded, its durable file bus) and `llais up` (every role its own
process, on the real RabbitMQ)."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from services import SERVICES
from tests.conftest import delete_by_prefix
from tests.e2e.conftest import free_port_block, stop_group, wait_until_up
from tests.e2e.test_walking_skeleton import LLAIS, admin

SCRIPT = Path(__file__).resolve().parents[2] / "examples" / "back_to_back.py"


def _accounts(env: dict) -> dict:
    prefix = uuid.uuid4().hex[:8]
    manager, advocate = f"manager-{prefix}@provider.example", f"advocate-{prefix}@provider.example"
    for email, role in ((manager, "manager"), (advocate, "advocate")):
        admin(env, "create-user", "--email", email, "--role", role, "--password-stdin", stdin="a long enough password\n")
    return {"LLAIS_COUNCIL_KEY": admin(env, "create-api-key", "--council", "CARDIFF"),
            "LLAIS_MANAGER_TOKEN": admin(env, "create-token", "--email", manager),
            "LLAIS_ADVOCATE_TOKEN": admin(env, "create-token", "--email", advocate),
            "LLAIS_ADVOCATE_EMAIL": advocate}


def _run_script(env: dict, gateway: str, rounds: int) -> None:
    for _ in range(rounds):
        result = subprocess.run([sys.executable, str(SCRIPT), gateway], env={**env, **_accounts(env)},
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stdout + result.stderr
        assert "every answer as expected" in result.stdout


def _platform(command: str, env: dict, data: Path):
    log = open(data / f"{command}.log", "w")
    process = subprocess.Popen([LLAIS, command], env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    return process, log


def _stop(process, log) -> None:
    stop_group(process)
    log.close()


@pytest.mark.parametrize("mode", ["embedded", "multi-process"])
def test_the_active_offer_back_to_back(mode, tmp_path, broker_url):
    port = free_port_block(len(SERVICES))
    prefix = f"test-{uuid.uuid4().hex[:10]}"
    env = {**os.environ, "LLAIS_DATA": str(tmp_path), "PORT": str(port), "LLAIS_BUS_PREFIX": prefix,
           "LLAIS_INTERNAL_TOKEN": secrets.token_hex(16), "LLAIS_STRICT_QUERIES": "true"}
    env.pop("MONGO_URL", None)
    env.pop("AMQP_URL", None)
    if mode == "multi-process":
        env["AMQP_URL"] = broker_url
    process, log = _platform("run" if mode == "embedded" else "up", env, tmp_path)
    try:
        for offset in range(1 if mode == "embedded" else len(SERVICES)):
            wait_until_up(f"http://127.0.0.1:{port + offset}/healthz", timeout=90)
        _run_script(env, f"http://127.0.0.1:{port}", rounds=2)
    finally:
        _stop(process, log)
        if mode == "multi-process":
            delete_by_prefix(broker_url, prefix)
