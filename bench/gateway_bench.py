"""Referral POSTs per second through the gateway (gateway → referral service → store), beside a bare Flask
endpoint under the same gunicorn settings, loaded by the same client in the same run.

Prints figures; asserts nothing. Talks to 127.0.0.1 only and stops by itself.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
LLAIS = str(Path(sys.executable).with_name("llais"))
REFERRAL = json.loads((ROOT / "examples" / "referral.json").read_text())
REFERRAL.pop("statutory_meeting_at")  # the example's date will pass; the benchmark needs none


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not come up")


def load(url: str, headers: dict, *, clients: int, seconds: float) -> dict:
    """`clients` threads POSTing the example referral for `seconds`; requests/s, latency percentiles, errors."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        nonlocal errors
        session = requests.Session()
        mine, bad = [], 0
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            answer = session.post(url, json=REFERRAL, headers=headers, timeout=30)
            mine.append(time.perf_counter() - start)
            bad += answer.status_code != 201
        with lock:
            latencies.extend(mine)
            errors += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
        "errors": errors,
    }


def main(seconds: float = 10.0, clients: int = 8, processes: int = 2) -> dict:
    data = tempfile.mkdtemp(prefix="llais-bench-")
    gateway_port, referral_port, bare_port = _free_port(), _free_port(), _free_port()
    env = {**os.environ, "LLAIS_DATA": data, "LLAIS_REFERRAL_URL": f"http://127.0.0.1:{referral_port}",
           "LLAIS_INTERNAL_TOKEN": "bench-internal-token", "LLAIS_LOG_LEVEL": "WARNING"}
    env.pop("MONGO_URL", None)
    env.pop("AMQP_URL", None)
    started = [
        subprocess.Popen([LLAIS, "serve", "referral", "--role", "api", "--port", str(referral_port),
                          "--processes", str(processes)], env=env, stderr=subprocess.DEVNULL, start_new_session=True),
        subprocess.Popen([LLAIS, "serve", "gateway", "--role", "api", "--port", str(gateway_port),
                          "--processes", str(processes)], env=env, stderr=subprocess.DEVNULL, start_new_session=True),
        subprocess.Popen([sys.executable, "-m", "bench.bare_flask", str(bare_port), str(processes)], cwd=ROOT,
                         env=env, stderr=subprocess.DEVNULL, start_new_session=True),
    ]
    try:
        for port in (referral_port, gateway_port, bare_port):
            _wait(f"http://127.0.0.1:{port}/healthz")
        key = subprocess.run([LLAIS, "admin", "create-api-key", "--council", "CARDIFF"], env=env, check=True,
                             capture_output=True, text=True).stdout.strip()
        auth = {"Authorization": f"Bearer {key}"}
        load(f"http://127.0.0.1:{gateway_port}/api/v1/referrals", auth, clients=clients, seconds=1)  # warm up
        through_gateway = load(f"http://127.0.0.1:{gateway_port}/api/v1/referrals", auth, clients=clients,
                               seconds=seconds)
        bare = load(f"http://127.0.0.1:{bare_port}/api/v1/referrals", {}, clients=clients, seconds=seconds)
    finally:
        for process in started:
            os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            process.wait(30)
    return {"clients": clients, "gunicorn_processes": processes, "gateway_referral_post": through_gateway,
            "bare_flask_post": bare}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
