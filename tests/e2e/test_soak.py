"""The embedded default under an ordinary open-files limit: thousands of requests through `llais run`, every one
answered, and the process's open files and memory flat once it is warm. Counts, not timings.

The mix is what a council's system and the staff send all day (referrals posted with an API key, lists and reads
that reach every internal service) and a few web pages, from a few client threads at once so the servers' thread
pools and the stores' connection pools are really shared.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import requests

from tests.e2e.conftest import free_port_block, wait_until_up
from tests.e2e.test_walking_skeleton import LLAIS, admin
from tests.examples import example_referral

OPEN_FILES_LIMIT = 1024
"""The usual soft limit of a Linux login shell, set here as the hard limit too: the platform must live within it."""
CLIENTS = 4
POSTS = (0, 3, 6)
"""Which of every ten requests post a referral."""
WARM_UP = 400
"""Requests before the first measure: by then the server threads, lazy imports and most pooled connections are in
use."""
SOAK = 2400
"""Requests after it, in four rounds: ten times what ran the old embedded mode out of file handles."""
FD_SLACK = 24
"""Open files may still rise a little after warm-up, and then stop: the stores' pools open their last few
connections (two handles each, eight connections a store at most) the first time the traffic needs that many at
once, and a keep-alive connection may be open or not at a count. Measured: +6 to +11. A leak of one handle a
request would add thousands; the old embedded mode reached the limit of 1024 after about 250 requests."""
RSS_SLACK_KB = 48 * 1024
"""Memory may grow a little after warm-up: Python's own allocations stay flat (tracemalloc: about 300 KB traced,
not growing), but SQLite's page caches (2 MB a connection at most, and a bounded number of connections) fill as the
files grow. Measured: +12 to +15 MB over this run. The old leak of a thread's connections was about 300 KB a
request, some 700 MB over this run."""

GIVEN_NAMES = ("Cerys", "Dylan", "Elin", "Gethin", "Lowri", "Osian", "Seren", "Tomos")


def referral_of_child(n: int) -> dict:
    """The README's example referral, for the `n`th child: a different child each time, as in a day's work (a child
    referred again carries the ids of every earlier referral, which is not what this test is about)."""
    body = example_referral()
    born = date(2010, 1, 1) + timedelta(days=n % 2900)
    body["child"] = {**body["child"], "given_name": GIVEN_NAMES[n % len(GIVEN_NAMES)],
                     "date_of_birth": born.isoformat()}
    body["external_ref"] = f"SOAK-{n}"
    return body


UNDER_LIMIT = ("import os, resource, sys; limit = int(sys.argv[1]); "
               "resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit)); os.execv(sys.argv[2], sys.argv[2:])")
"""Lower the open-files limit, then become the command (same process id): like `ulimit -n` in a shell, and without
running Python between fork and exec in this threaded test process."""


def open_files_limit() -> int:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    return OPEN_FILES_LIMIT if hard == resource.RLIM_INFINITY else min(OPEN_FILES_LIMIT, hard)


def under_open_files_limit(*argv: str) -> list[str]:
    return [sys.executable, "-c", UNDER_LIMIT, str(open_files_limit()), *argv]


def open_files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def resident_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS in /proc status")


class Traffic:
    """Client threads sending the mix in turn, counting every answer by kind and status."""

    def __init__(self, url: str, council: dict, manager: dict):
        self.url = url
        self.council = council
        self.manager = manager
        self.statuses: Counter[tuple[str, int]] = Counter()
        self.failures: list[str] = []
        self.stored: list[str] = []
        self.sent = 0
        self._lock = threading.Lock()

    def _one(self, http: requests.Session, turn: int) -> tuple[str, requests.Response]:
        kind = turn % 10
        if kind in POSTS:
            answer = http.post(f"{self.url}/api/v1/referrals", json=referral_of_child(turn), headers=self.council,
                               timeout=30)
            if answer.status_code == 201:
                with self._lock:
                    self.stored.append(answer.json()["id"])
            return "post referral", answer
        with self._lock:
            referral_id = self.stored[turn % len(self.stored)] if self.stored else None
        if kind in (2, 7) and referral_id:
            return "read referral", http.get(f"{self.url}/api/v1/referrals/{referral_id}", headers=self.council,
                                             timeout=30)
        if kind in (1, 2, 7):
            return "list referrals", http.get(f"{self.url}/api/v1/referrals", params={"limit": 20},
                                              headers=self.council, timeout=30)
        if kind == 4:
            return "deadlines", http.get(f"{self.url}/api/v1/deadlines", headers=self.manager, timeout=30)
        if kind == 5:
            staff_lists = ("/api/v1/cases", "/api/v1/complaints", f"/api/v1/meetings?day={date.today()}")
            return "staff list", http.get(f"{self.url}{staff_lists[turn // 10 % 3]}", headers=self.manager,
                                          timeout=30)
        if kind == 8:
            return "openapi", http.get(f"{self.url}/api/v1/openapi.json", timeout=30)
        pages = ("/sign-in", "/", "/language/cy?next=/sign-in", "/healthz")
        return "web page", http.get(f"{self.url}{pages[turn // 10 % 4]}", allow_redirects=False, timeout=30)

    def send(self, count: int) -> None:
        """`count` requests in all, shared between the client threads."""
        stop_at = self.sent + count

        def next_turn() -> int | None:
            with self._lock:
                if self.sent >= stop_at:
                    return None
                self.sent += 1
                return self.sent - 1

        def client() -> None:
            with requests.Session() as http:
                while (turn := next_turn()) is not None:
                    try:
                        kind, answer = self._one(http, turn)
                    except requests.RequestException as exc:
                        with self._lock:
                            self.failures.append(f"{exc.__class__.__name__}: {exc}"[:300])
                        continue
                    with self._lock:
                        self.statuses[(kind, answer.status_code)] += 1
                        if answer.status_code >= 500:
                            self.failures.append(f"{kind} {answer.status_code}: {answer.text[:200]}")

        threads = [threading.Thread(target=client, name=f"soak-client-{n}") for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    @property
    def total(self) -> int:
        return sum(self.statuses.values()) + len(self.failures)


def test_thousands_of_requests_leave_open_files_and_memory_flat(tmp_path):
    port = free_port_block(1)
    env = {**os.environ, "PORT": str(port), "LLAIS_DATA": str(tmp_path / "data"), "LLAIS_LOG_LEVEL": "WARNING"}
    for name in ("AMQP_URL", "MONGO_URL", "LLAIS_INTERNAL_TOKEN"):
        env.pop(name, None)
    log = open(tmp_path / "run.log", "w")
    platform = subprocess.Popen(under_open_files_limit(LLAIS, "run"), env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/healthz")
        limits = Path(f"/proc/{platform.pid}/limits").read_text()
        assert any(line.startswith("Max open files") and line.split()[3:5] == [str(open_files_limit())] * 2
                   for line in limits.splitlines()), limits
        council = {"Authorization": f"Bearer {admin(env, 'create-api-key', '--council', 'CARDIFF')}"}
        admin(env, "create-user", "--email", "soak-manager@provider.example", "--role", "manager",
              "--password-stdin", stdin="a long enough password\n")
        manager = {"Authorization": "Bearer "
                   + admin(env, "create-token", "--email", "soak-manager@provider.example")}

        traffic = Traffic(url, council, manager)
        traffic.send(WARM_UP)
        warm = (open_files(platform.pid), resident_kb(platform.pid))
        samples = []
        for _ in range(4):
            traffic.send(SOAK // 4)
            samples.append((open_files(platform.pid), resident_kb(platform.pid)))

        assert not traffic.failures, f"{len(traffic.failures)} failed: {traffic.failures[:5]}"
        assert traffic.total == WARM_UP + SOAK
        assert {status for (kind, status) in traffic.statuses if kind != "web page"} == {200, 201}, \
            traffic.statuses
        posts = sum(1 for turn in range(WARM_UP + SOAK) if turn % 10 in POSTS)
        assert traffic.statuses[("post referral", 201)] == len(set(traffic.stored)) == posts
        assert {status for (kind, status) in traffic.statuses if kind == "web page"} <= {200, 302}
        peak_files = max(files for files, _ in samples)
        assert peak_files <= warm[0] + FD_SLACK, f"open files after warm-up {warm[0]}, then {samples}"
        assert samples[-1][1] - warm[1] <= RSS_SLACK_KB, f"resident KB after warm-up {warm[1]}, then {samples}"
        print(f"\nsoak: {traffic.total} requests {dict(traffic.statuses)}; open files {warm[0]} -> "
              f"{[f for f, _ in samples]}; VmRSS KB {warm[1]} -> {[r for _, r in samples]}")
    finally:
        os.killpg(platform.pid, signal.SIGINT)
        try:
            platform.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(platform.pid, signal.SIGKILL)
            platform.wait(10)
        log.close()
    assert platform.returncode == 0, (tmp_path / "run.log").read_text()[-2000:]
