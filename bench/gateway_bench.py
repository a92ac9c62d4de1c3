"""Referral POSTs per second through the gateway (gateway → referral service → store), beside a bare Flask
endpoint under the same gunicorn settings, loaded by the same client in the same run; and how a POST and a filtered
list grow with the referrals a provider keeps (1,000, 10,000 and 100,000, seeded straight into the store).

Every POST is a different child, as a council's are: one child posted hundreds of times would measure that child's
growing list of earlier referrals instead. The gateway and bare Flask are loaded in turn for `ROUNDS` rounds, and
each is given by its median round, so a slow spell of a shared machine falls on both. Prints figures; asserts
nothing. Talks to 127.0.0.1 only and stops by itself.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import signal
import sqlite3
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.figures import beside  # noqa: E402
LLAIS = str(Path(sys.executable).with_name("llais"))
REFERRAL = json.loads((ROOT / "examples" / "referral.json").read_text())
REFERRAL.pop("statutory_meeting_at")  # the example's date will pass; the benchmark needs none
ROUNDS = 3
GROWTH = (1_000, 10_000, 100_000)
SAMPLES = 200
LIST_PAGE = 50
"""A full page at every size (a tenth of the seeded referrals are allocated), so the curve compares finding a page
among more referrals, not pages of different lengths."""
_numbers = itertools.count()


def distinct_child() -> dict:
    """The example referral for a child no other request names: their own name, date of birth and reference."""
    rng = random.Random(next(_numbers))
    name = lambda: "".join(rng.choices(string.ascii_lowercase, k=8)).title()  # noqa: E731
    born = date(2010, 1, 1) + timedelta(days=rng.randrange(365 * 10))
    return {**REFERRAL, "external_ref": f"BENCH-{rng.getrandbits(48):012x}",
            "child": {**REFERRAL["child"], "given_name": name(), "family_name": name(),
                      "date_of_birth": born.isoformat()}}


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
    """`clients` threads POSTing referrals of distinct children for `seconds`; requests/s, latency percentiles,
    errors."""
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
            answer = session.post(url, json=distinct_child(), headers=headers, timeout=30)
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


def median_round(rounds: list[dict]) -> dict:
    """The round of median throughput, with every round's throughput beside it."""
    ordered = sorted(rounds, key=lambda r: r["per_second"])
    return {**ordered[len(ordered) // 2], "rounds_per_second": [r["per_second"] for r in rounds]}


def _start(env: dict, processes: int) -> tuple[list[subprocess.Popen], int, int]:
    gateway_port, referral_port = _free_port(), _free_port()
    env.update({"LLAIS_REFERRAL_URL": f"http://127.0.0.1:{referral_port}"})
    started = [
        subprocess.Popen([LLAIS, "serve", "referral", "--role", "api", "--port", str(referral_port),
                          "--processes", str(processes)], env=env, stderr=subprocess.DEVNULL, start_new_session=True),
        subprocess.Popen([LLAIS, "serve", "gateway", "--role", "api", "--port", str(gateway_port),
                          "--processes", str(processes)], env=env, stderr=subprocess.DEVNULL, start_new_session=True),
    ]
    for port in (referral_port, gateway_port):
        _wait(f"http://127.0.0.1:{port}/healthz")
    return started, gateway_port, referral_port


def _stop(started: list[subprocess.Popen]) -> None:
    for process in started:
        os.killpg(process.pid, signal.SIGTERM)
    for process in started:
        process.wait(30)


def _environment() -> dict:
    env = {**os.environ, "LLAIS_DATA": tempfile.mkdtemp(prefix="llais-bench-"),
           "LLAIS_INTERNAL_TOKEN": "bench-internal-token", "LLAIS_LOG_LEVEL": "WARNING"}
    env.pop("MONGO_URL", None)
    env.pop("AMQP_URL", None)
    return env


def _admin(env: dict, *args: str, stdin: str | None = None) -> str:
    return subprocess.run([LLAIS, "admin", *args], env=env, check=True, input=stdin, capture_output=True,
                          text=True).stdout.strip()


def seed(data: Path, count: int) -> None:
    """`count` referrals of distinct children written straight into the referral service's store, a tenth of
    them allocated, as years of a provider's work would leave them."""
    from shared.clock import new_id, timestamp
    from shared.councils import CouncilRegister
    from shared.store.sqlite import SQLiteStore

    from services.referral import domain
    from services.referral.store import INDEXES, REFERRALS

    store = SQLiteStore(data / "referral.sqlite3")
    store.ensure_indexes(INDEXES)
    store.close()
    councils = [council for council in CouncilRegister.load().all()]
    rows = []
    for n in range(count):
        council = councils[n % len(councils)]
        referral = domain.new_referral(new_id(), {**distinct_child(), "council": council.code}, council, timestamp())
        if n % 10 == 0:
            referral.update(status="allocated", advocate_email=f"advocate{n % 40}@bench.example")
        rows.append((REFERRALS, referral["id"], 1, json.dumps(referral, separators=(",", ":"), sort_keys=True),
                     time.time()))
    with sqlite3.connect(data / "referral.sqlite3") as conn:
        conn.executemany("INSERT INTO documents (collection, id, version, body, updated_at) VALUES (?, ?, ?, ?, ?)",
                         rows)


def growth(processes: int) -> dict:
    """POST p50 and filtered-list p50 with each of GROWTH referrals already stored."""
    curve = {}
    for count in GROWTH:
        env = _environment()
        seed(Path(env["LLAIS_DATA"]), count)
        started, gateway_port, _ = _start(env, processes)
        try:
            council = {"Authorization": f"Bearer {_admin(env, 'create-api-key', '--council', 'CARDIFF')}"}
            _admin(env, "create-user", "--email", "m@bench.example", "--role", "manager", "--password-stdin",
                   stdin="a long enough password\n")
            manager = {"Authorization": f"Bearer {_admin(env, 'create-token', '--email', 'm@bench.example')}"}
            session, base = requests.Session(), f"http://127.0.0.1:{gateway_port}/api/v1"
            posts, lists = [], []
            for _ in range(SAMPLES):
                began = time.perf_counter()
                assert session.post(f"{base}/referrals", json=distinct_child(), headers=council,
                                    timeout=30).status_code == 201
                posts.append(time.perf_counter() - began)
                began = time.perf_counter()
                listed = session.get(f"{base}/referrals", params={"status": "allocated", "limit": LIST_PAGE},
                                     headers=manager, timeout=30)
                assert listed.status_code == 200 and len(listed.json()["items"]) == LIST_PAGE, listed.text[:200]
                lists.append(time.perf_counter() - began)
            curve[count] = {"post_p50_ms": round(statistics.median(posts) * 1000, 2),
                            "filtered_list_p50_ms": round(statistics.median(lists) * 1000, 2)}
        finally:
            _stop(started)
    return curve


def main(seconds: float = 15.0, clients: int = 8, processes: int = 2) -> dict:
    env = _environment()
    bare_port = _free_port()
    started, gateway_port, _ = _start(env, processes)
    started.append(subprocess.Popen([sys.executable, "-m", "bench.bare_flask", str(bare_port), str(processes)],
                                    cwd=ROOT, env=env, stderr=subprocess.DEVNULL, start_new_session=True))
    try:
        _wait(f"http://127.0.0.1:{bare_port}/healthz")
        auth = {"Authorization": f"Bearer {_admin(env, 'create-api-key', '--council', 'CARDIFF')}"}
        load(f"http://127.0.0.1:{gateway_port}/api/v1/referrals", auth, clients=clients, seconds=1)  # warm up
        gateway_rounds, bare_rounds = [], []
        for _ in range(ROUNDS):
            gateway_rounds.append(load(f"http://127.0.0.1:{gateway_port}/api/v1/referrals", auth, clients=clients,
                                       seconds=seconds / ROUNDS))
            bare_rounds.append(load(f"http://127.0.0.1:{bare_port}/api/v1/referrals", {}, clients=clients,
                                    seconds=seconds / ROUNDS))
        through_gateway, bare = median_round(gateway_rounds), median_round(bare_rounds)
    finally:
        _stop(started)
    curve = growth(processes)
    beside("referral POSTs through the gateway", through_gateway["per_second"], "bare Flask", bare["per_second"],
           "/s", "target: ratio at least 0.30")
    first = curve[GROWTH[0]]
    for count in GROWTH[1:]:
        for figure in ("post_p50_ms", "filtered_list_p50_ms"):
            beside(f"{figure} with {count:,} stored", curve[count][figure], f"with {GROWTH[0]:,}", first[figure],
                   "ms", "target: ratio at most 1.5 at 100,000")
    return {"clients": clients, "gunicorn_processes": processes, "gateway_referral_post": through_gateway,
            "bare_flask_post": bare, "growth": curve}


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
