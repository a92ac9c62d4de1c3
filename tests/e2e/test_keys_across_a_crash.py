"""Exactly one referral per Idempotency-Key across crashes: the platform is SIGKILLed at several moments of a
concurrent burst of referral POSTs, each with its own key (among them the moment between the referral service's
commit and the gateway's answer), every unanswered request is retried with its key until it is answered, and each
key has made exactly one referral, whose id every answer to it gives. In the embedded mode (one process) and in the
multi-process mode (the gateway, the referral service's API role, and both)."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import pytest
import requests

from services import SERVICES
from tests.e2e.conftest import REFERRAL, free_port_block, stop_group, wait_until_up
from tests.e2e.test_walking_skeleton import LLAIS, admin

BURST = 120
CLIENTS = 8
RETRY_FOR_SECONDS = 120

FAULTS = '''
"""Test-only fault hooks, loaded by the platform's processes through PYTHONPATH: SIGKILL the process at a chosen
moment, once (a marker file says it has happened)."""
import os
import signal
import sys

fault = os.environ.get("LLAIS_TEST_FAULT", "")


def first_time(marker):
    try:
        os.close(os.open(marker, os.O_CREAT | os.O_EXCL))
        return True
    except FileExistsError:
        return False


def killing_after(function, after, marker, before=False):
    seen = [0]

    def run(*args, **kwargs):
        seen[0] += 1
        due = seen[0] >= after and not os.path.exists(marker)
        if before and due and first_time(marker):
            os.kill(os.getpid(), signal.SIGKILL)
        result = function(*args, **kwargs)
        if not before and due and first_time(marker):
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    return run


if fault:
    where, after, marker = fault.split(":", 2)
    serving = sys.argv[sys.argv.index("serve") + 1] if "serve" in sys.argv else "everything"
    if where == "owner" and serving in ("referral", "everything"):
        import shared.idempotency
        # the effect and its key are committed; the process dies before the answer leaves it
        shared.idempotency._first = killing_after(shared.idempotency._first, int(after), marker)
    if where == "gateway" and serving in ("gateway", "everything"):
        from services.gateway.store import GatewayStore
        # the owner answered; the gateway dies before it keeps the answer or gives it
        GatewayStore.finish_idempotency = killing_after(GatewayStore.finish_idempotency, int(after), marker,
                                                        before=True)
'''


class Burst:
    """Referral POSTs from several clients at once, one key each, retried with the key until answered."""

    def __init__(self, url: str, council: dict, name: str):
        self.url, self.council = url, council
        born = date.fromisoformat(REFERRAL["child"]["date_of_birth"])
        self.bodies = {f"{name}-{uuid.uuid4().hex[:8]}-{n}": {  # a child each: no referral links to another
            **REFERRAL, "external_ref": f"{name.upper()}-{n}",
            "child": {**REFERRAL["child"], "date_of_birth": (born - timedelta(days=n)).isoformat()}}
            for n in range(BURST)}
        self.answers: dict[str, list[str]] = {key: [] for key in self.bodies}
        self.lock = threading.Lock()

    def send(self, key: str) -> bool:
        try:
            answer = requests.post(f"{self.url}/api/v1/referrals", json=self.bodies[key], timeout=15,
                                   headers={**self.council, "Idempotency-Key": key})
        except requests.RequestException:
            return False  # no answer: the process died with it, or none listens yet
        if answer.status_code in (409, 502, 503):
            return False  # still held by a request that died, or a service on its way back: later
        assert answer.status_code == 201, answer.text
        with self.lock:
            self.answers[key].append(answer.json()["id"])
        return True

    def run(self, during: Callable[[int], None] = lambda answered: None) -> None:
        """Send every key once from `CLIENTS` threads; `during(answered so far)` after each answer (a killer)."""
        keys = iter(list(self.bodies))

        def client():
            while (key := next(keys, None)) is not None:
                if self.send(key):
                    during(sum(1 for ids in self.answers.values() if ids))

        threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(120)

    def retry_until_answered(self) -> None:
        """Every key unanswered is sent again until answered; then every key once more, answered or not."""
        deadline = time.monotonic() + RETRY_FOR_SECONDS
        while (waiting := [key for key, ids in self.answers.items() if not ids]) and time.monotonic() < deadline:
            for key in waiting:
                self.send(key)
            time.sleep(0.5)
        assert not waiting, f"{len(waiting)} keys never answered"
        for key in self.bodies:
            assert self.send(key)

    def through(self, staff: dict, during: Callable[[int], None] = lambda answered: None,
                fired: Path | None = None) -> None:
        """The burst, a kill in it (by `during`, or a fault hook that leaves `fired`), the retries, the count."""
        self.run(during)
        assert fired is None or fired.exists(), "the fault hook never fired"
        self.retry_until_answered()
        self.check(staff)

    def check(self, staff: dict) -> None:
        """Each key made one referral, and every answer to it named that referral."""
        refs = Counter()
        cursor = None
        while True:
            page = requests.get(f"{self.url}/api/v1/referrals", headers=staff, timeout=15,
                                params={"limit": 200, **({"cursor": cursor} if cursor else {})})
            assert page.status_code == 200, page.text
            refs.update(r["external_ref"] for r in page.json()["items"])
            cursor = page.json().get("next")
            if not cursor:
                break
        mine = {body["external_ref"] for body in self.bodies.values()}
        made = {ref: count for ref, count in refs.items() if ref in mine}
        assert set(made) == mine, f"{len(mine - set(made))} keys made no referral"
        doubled = {ref: count for ref, count in made.items() if count > 1}
        assert not doubled, f"keys that made more than one referral: {doubled}"
        differing = {key: ids for key, ids in self.answers.items() if len(set(ids)) != 1}
        assert not differing, f"answers to one key naming different referrals: {differing}"


def faults_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "faults"
    folder.mkdir(parents=True)
    (folder / "sitecustomize.py").write_text(FAULTS)
    return folder


def with_faults(env: dict, tmp_path: Path, fault: str) -> dict:
    return {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(faults_folder(tmp_path)),
                                                               env.get("PYTHONPATH")])),
            "LLAIS_TEST_FAULT": fault}


def credentials(env: dict) -> tuple[dict, dict]:
    council = {"Authorization": f"Bearer {admin(env, 'create-api-key', '--council', 'CARDIFF')}"}
    email = f"manager-{uuid.uuid4().hex[:6]}@provider.example"
    admin(env, "create-user", "--email", email, "--role", "manager", "--password-stdin",
          stdin="a-long-password-for-the-test")
    return council, {"Authorization": f"Bearer {admin(env, 'create-token', '--email', email)}"}


def start(argv: list[str], env: dict, log: Path, ports: list[int]) -> subprocess.Popen:
    with open(log, "a") as out:
        process = subprocess.Popen(argv, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    for port in ports:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", timeout=90)
    return process


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


def test_embedded_one_referral_per_key_across_kills(tmp_path):
    port = free_port_block(1)
    env = {**os.environ, "LLAIS_DATA": str(tmp_path / "data"), "PORT": str(port), "LLAIS_LOG_LEVEL": "WARNING"}
    for name in ("AMQP_URL", "MONGO_URL"):
        env.pop(name, None)
    council, staff = credentials(env)
    url, log, runs = f"http://127.0.0.1:{port}", tmp_path / "run.log", []

    # 1. the process dies just after the referral service committed a keyed referral, before any answer leaves
    # 2. it dies just after the referral service answered, before the gateway kept or gave the answer
    # 3. it is killed from outside at whatever moment the 60th answer finds it
    for name, fault in (("owner", f"owner:40:{tmp_path / 'owner-fired'}"),
                        ("gateway", f"gateway:40:{tmp_path / 'gateway-fired'}"), ("outside", "")):
        burst = Burst(url, council, name)
        platform = start([LLAIS, "run"], with_faults(env, tmp_path / name, fault) if fault else env, log, [port])
        killed = threading.Event()

        def outside(answered: int, platform=platform, killed=killed) -> None:
            if not fault and answered >= 60 and not killed.is_set():
                killed.set()
                kill(platform)

        burst.run(outside)
        assert platform.poll() is not None, f"the {name} kill did not happen"
        platform = start([LLAIS, "run"], env, log, [port])
        try:
            burst.retry_until_answered()
            burst.check(staff)
        finally:
            stop_group(platform)
        runs.append(name)
    assert runs == ["owner", "gateway", "outside"]


@pytest.mark.broker
def test_multi_process_one_referral_per_key_across_kills(broker_settings, tmp_path):
    port = free_port_block(len(SERVICES))
    env = {**os.environ, "AMQP_URL": broker_settings.amqp_url, "LLAIS_DATA": str(tmp_path / "data"),
           "LLAIS_BUS_PREFIX": broker_settings.bus_prefix, "PORT": str(port),
           "LLAIS_INTERNAL_TOKEN": uuid.uuid4().hex, "LLAIS_RETRY_DELAYS": "0.5,1", "LLAIS_LOG_LEVEL": "WARNING"}
    env.pop("MONGO_URL", None)
    council, staff = credentials(env)
    owner_fired, gateway_fired = tmp_path / "owner-fired", tmp_path / "gateway-fired"
    # one fault each for the referral API role and the gateway; `llais up` restarts what dies
    faulty = with_faults(env, tmp_path / "owner", f"owner:30:{owner_fired}")
    platform = start([LLAIS, "up"], faulty, tmp_path / "up.log",
                     [port + offset for offset in range(len(SERVICES))])
    url = f"http://127.0.0.1:{port}"
    try:
        # 1. the referral API role dies just after committing a keyed referral; the gateway answers 503
        Burst(url, council, "owner").through(staff, fired=owner_fired)

        # 2. the gateway and the referral API role are killed together from outside, mid-burst
        killed = threading.Event()

        def both(answered: int) -> None:
            if answered >= 50 and not killed.is_set():
                killed.set()
                for role in ("gateway", "referral"):
                    subprocess.run(["pkill", "-9", "-f", f"serve {role} --role api --port "
                                                         f"{port + SERVICES.index(role)}"], check=False)

        Burst(url, council, "both").through(staff, both)
        assert killed.is_set()
    finally:
        stop_group(platform)

    # 3. the gateway dies just after the referral service answered, before it kept or gave the answer
    faulty = with_faults(env, tmp_path / "gateway", f"gateway:30:{gateway_fired}")
    platform = start([LLAIS, "up"], faulty, tmp_path / "up.log", [port + offset for offset in range(len(SERVICES))])
    try:
        Burst(url, council, "gateway").through(staff, fired=gateway_fired)
    finally:
        stop_group(platform)
