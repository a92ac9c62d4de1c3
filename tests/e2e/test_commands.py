"""The commands a newcomer types: `llais run` starts the platform and tells them where it is and how to sign in."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.e2e.conftest import free_port_block, wait_until_up

LLAIS = str(Path(sys.executable).with_name("llais"))


def test_llais_run_prints_the_url_and_how_to_get_credentials(tmp_path):
    port = free_port_block(1)
    env = {**os.environ, "PORT": str(port), "LLAIS_DATA": str(tmp_path / "var")}
    for name in ("AMQP_URL", "MONGO_URL"):
        env.pop(name, None)
    process = subprocess.Popen([LLAIS, "run"], env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                               text=True, start_new_session=True)
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("Stop with" in line for line in lines):
            lines.append(process.stdout.readline())
        printed = "".join(lines)
        assert f"http://localhost:{port}" in printed
        assert "llais admin create-api-key --council" in printed
        assert "create-token" in printed
        wait_until_up(f"http://localhost:{port}/healthz")
        assert requests.get(f"http://localhost:{port}/api/v1/openapi.json", timeout=5).status_code == 200
        assert (tmp_path / "var" / "gateway.sqlite3").exists()
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(30)
    assert process.returncode == 0


def test_llais_up_refuses_the_in_memory_bus(tmp_path):
    env = {**os.environ, "LLAIS_DATA": str(tmp_path)}
    env.pop("AMQP_URL", None)
    result = subprocess.run([LLAIS, "up"], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "needs a real broker: set AMQP_URL" in result.stderr


def test_a_bad_setting_is_named(tmp_path):
    env = {**os.environ, "LLAIS_DATA": str(tmp_path), "LLAIS_RETRY_DELAYS": "soon"}
    result = subprocess.run([LLAIS, "bus", "export-topology"], env=env, capture_output=True, text=True, timeout=30)
    assert result.returncode == 2
    assert "LLAIS_RETRY_DELAYS" in result.stderr


def test_a_worker_role_answers_health_and_readiness(tmp_path):
    port = free_port_block(1)
    env = {**os.environ, "LLAIS_DATA": str(tmp_path), "LLAIS_HEALTH_PORT": str(port)}
    for name in ("AMQP_URL", "MONGO_URL"):
        env.pop(name, None)
    process = subprocess.Popen([LLAIS, "serve", "referral", "--role", "worker"], env=env,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=5).json()
        assert {"referral-relay", "referral-consumer"} <= set(health["loops"]) and all(health["loops"].values())
        assert requests.get(f"http://127.0.0.1:{port}/readyz", timeout=5).json()["status"] == "ready"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
    assert process.returncode == 0


def test_a_worker_without_its_broker_is_alive_but_not_ready(tmp_path):
    port = free_port_block(1)
    env = {**os.environ, "LLAIS_DATA": str(tmp_path), "LLAIS_HEALTH_PORT": str(port),
           "AMQP_URL": "amqp://guest:guest@127.0.0.1:9//"}
    env.pop("MONGO_URL", None)
    process = subprocess.Popen([LLAIS, "serve", "notify", "--role", "worker"], env=env,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
        assert ready.status_code == 503 and "broker" in ready.json()["checks"]
        assert set(ready.json()["checks"]) <= {"broker", "loops"}, "the store answers; only what needs the broker fails"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)
