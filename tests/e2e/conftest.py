"""Fixtures for tests of the whole platform: a council's webhook receiver, free ports, credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass, field

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.examples import example_referral


@dataclass
class Received:
    headers: dict
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class WebhookReceiver:
    """A council's webhook endpoint on loopback, recording every delivery it gets."""

    url: str = ""
    deliveries: list[Received] = field(default_factory=list)
    status: int = 204

    def wait_for(self, event_type: str, timeout: float = 60.0) -> Received:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for delivery in list(self.deliveries):
                if delivery.json.get("type") == event_type:
                    return delivery
            time.sleep(0.1)
        raise AssertionError(f"no {event_type} webhook within {timeout} s; got {[d.json for d in self.deliveries]}")


def verify_standard_webhook(secret: str, received: Received, tolerance: int = 300) -> None:
    """The Standard Webhooks check a council would run, written here independently of the sender."""
    key = base64.b64decode(secret[len("whsec_"):]) if secret.startswith("whsec_") else secret.encode()
    msg_id = received.headers["Webhook-Id"]
    stamp = received.headers["Webhook-Timestamp"]
    assert abs(time.time() - int(stamp)) < tolerance, "webhook timestamp too far from now"
    expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + received.body,
                                         hashlib.sha256).digest()).decode()
    offered = [part.split(",", 1)[1] for part in received.headers["Webhook-Signature"].split() if part.startswith("v1,")]
    assert any(hmac.compare_digest(expected, sig) for sig in offered), "webhook signature does not verify"


@pytest.fixture
def webhook_receiver():
    receiver = WebhookReceiver()

    @Request.application
    def app(request: Request) -> Response:
        receiver.deliveries.append(Received(dict(request.headers), request.get_data()))
        return Response(status=receiver.status)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    receiver.url = f"http://127.0.0.1:{server.server_port}/llais-events"
    yield receiver
    server.shutdown()


def free_port_block(count: int) -> int:
    """The first of `count` consecutive free loopback ports."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            start = probe.getsockname()[1]
        if start + count > 65000:
            continue
        ok = True
        for port in range(start, start + count):
            with socket.socket() as s:
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return start
    raise RuntimeError("no block of free ports")


def wait_until_up(url: str, timeout: float = 60.0) -> None:
    import requests

    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException as exc:
            last = exc
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up within {timeout} s: {last}")


REFERRAL = example_referral()
"""The example referral of the README, as a council system would send it."""


def stop_group(process: subprocess.Popen, timeout: float = 30) -> None:
    """End a platform started in a session of its own (`start_new_session`): SIGTERM to every process of it, then
    SIGKILL to whatever has not stopped within `timeout`."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
