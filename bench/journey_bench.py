"""The Active Offer journey through the API in multi-process mode on RabbitMQ: how long each step's call takes,
and how long the platform takes to carry its consequences (webhooks, the council's view) through the bus.

Prints figures; asserts nothing. Talks to 127.0.0.1 only and stops by itself.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.figures import against, percentiles  # noqa: E402
from bench.gateway_bench import distinct_child  # noqa: E402
LLAIS = str(Path(sys.executable).with_name("llais"))
JOURNEYS = int(os.environ.get("BENCH_JOURNEYS", "30"))
VENUE = {"name": "Canolfan", "address": "Stryd y Castell", "accessible": True, "risk_assessed": True}


def _ports(count: int) -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            start = probe.getsockname()[1]
        try:
            for port in range(start, start + count):
                with socket.socket() as s:
                    s.bind(("127.0.0.1", port))
            return start
        except OSError:
            continue


def _wait(predicate, timeout: float = 60.0, what: str = "the platform"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise SystemExit(f"{what}: not within {timeout} s")


def main() -> dict:
    port = _ports(6)
    data = tempfile.mkdtemp(prefix="llais-journey-")
    env = {**os.environ, "AMQP_URL": os.environ.get("AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672//",
           "LLAIS_DATA": data, "LLAIS_BUS_PREFIX": f"bench-{uuid.uuid4().hex[:8]}", "PORT": str(port),
           "LLAIS_INTERNAL_TOKEN": uuid.uuid4().hex, "LLAIS_LOG_LEVEL": "WARNING",
           "LLAIS_WEBHOOK_ALLOW_PRIVATE": "true"}  # the council's receiver is on loopback
    env.pop("MONGO_URL", None)
    hooks: dict[str, float] = {}

    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    @Request.application
    def receive(request):
        message = json.loads(request.get_data())
        hooks[f"{message['type']}:{message['data']['referral_id']}"] = time.perf_counter()
        return Response(status=204)

    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    receiver = make_server("127.0.0.1", 0, receive, threaded=True)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    log = open(Path(data) / "platform.log", "w")
    platform = subprocess.Popen([LLAIS, "up"], env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        for offset in range(6):
            _wait(lambda: _up(f"http://127.0.0.1:{port + offset}/healthz"), timeout=90)
        gateway = f"http://127.0.0.1:{port}"

        def admin(*args, stdin=None):
            return subprocess.run([LLAIS, "admin", *args], env=env, input=stdin, capture_output=True, text=True,
                                  check=True).stdout.strip()

        admin("create-user", "--email", "m@bench.example", "--role", "manager", "--password-stdin",
              stdin="a long enough password\n")
        council = {"Authorization": f"Bearer {admin('create-api-key', '--council', 'CARDIFF')}"}
        manager = {"Authorization": f"Bearer {admin('create-token', '--email', 'm@bench.example')}"}
        requests.put(f"{gateway}/api/v1/webhook", headers=council, timeout=10,
                     json={"url": f"http://127.0.0.1:{receiver.server_port}/h", "secret": "s" * 32})
        session = requests.Session()
        steps: dict[str, list[float]] = {}
        carried: dict[str, list[float]] = {"post_to_acknowledged_webhook": [], "record_to_closed_webhook": []}

        def timed(name, method, path, who, body):
            started = time.perf_counter()
            answer = session.request(method, f"{gateway}{path}", json=body, headers=who, timeout=30)
            steps.setdefault(name, []).append(time.perf_counter() - started)
            if answer.status_code >= 400:
                raise SystemExit(f"{name}: {answer.status_code} {answer.text}")
            return answer.json(), started

        meetings = []
        began = time.perf_counter()
        for n in range(JOURNEYS):
            advocate = f"a{n}@bench.example"
            admin("create-user", "--email", advocate, "--role", "advocate", "--password-stdin",
                  stdin="a long enough password\n")
            referral, posted = timed("post_referral", "POST", "/api/v1/referrals", council, distinct_child())
            rid = referral["id"]
            _wait(lambda: f"referral.acknowledged:{rid}" in hooks, what="acknowledged webhook")
            carried["post_to_acknowledged_webhook"].append(hooks[f"referral.acknowledged:{rid}"] - posted)
            timed("allocate", "POST", f"/api/v1/referrals/{rid}/allocate", manager, {"advocate_email": advocate})
            timed("contact_attempt", "POST", f"/api/v1/referrals/{rid}/contact-attempts", manager,
                  {"method": "phone", "result": "reached"})
            starts = (datetime.now(timezone.utc) + timedelta(seconds=3)).isoformat()
            meeting, _ = timed("arrange_meeting", "POST", f"/api/v1/referrals/{rid}/meetings", manager,
                               {"starts_at": starts, "duration_minutes": 15, "venue": VENUE})
            meetings.append((rid, meeting["id"], starts))
        time.sleep(3.1)
        for rid, meeting_id, _ in meetings:
            _, recorded = timed("record_meeting", "POST", f"/api/v1/meetings/{meeting_id}/record", manager,
                                {"took_place": True, "outcome": "declined", "decline_reason": "Not now"})
            _wait(lambda: f"referral.closed:{rid}" in hooks, what="closed webhook")
            carried["record_to_closed_webhook"].append(hooks[f"referral.closed:{rid}"] - recorded)
        elapsed = time.perf_counter() - began
    finally:
        os.killpg(platform.pid, signal.SIGTERM)
        platform.wait(30)
        receiver.shutdown()
    result = {"journeys": JOURNEYS, "seconds_for_all_including_3s_meeting_wait": round(elapsed, 1),
              "api_calls": {name: percentiles(values) for name, values in steps.items()},
              "through_the_bus": {name: percentiles(values) for name, values in carried.items()}}
    print(json.dumps(result, indent=2), flush=True)
    against("referral POST -> its referral.acknowledged webhook p50, multi-process",
            result["through_the_bus"]["post_to_acknowledged_webhook"]["p50_ms"], "ms", "target: under 150 ms")
    return result


def _up(url: str) -> bool:
    try:
        return requests.get(url, timeout=1).ok
    except requests.RequestException:
        return False


if __name__ == "__main__":
    main()
