"""Fixtures every layer of the suite shares.

Broker tests run against the real RabbitMQ at AMQP_URL (default amqp://guest:guest@127.0.0.1:5672//). Where no broker
answers they skip and say so, unless LLAIS_REQUIRE_BROKER=1 (CI sets it), in which case they fail: in CI a broker
test never skips.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import uuid
from dataclasses import replace
from urllib.parse import urlparse

import pytest

from shared.config import Settings

DEFAULT_AMQP_URL = "amqp://guest:guest@127.0.0.1:5672//"
os.environ.setdefault("LLAIS_STRICT_QUERIES", "true")  # the platform processes tests start refuse undeclared finds


def amqp_url() -> str:
    url = os.environ.get("AMQP_URL", "")
    return url if url.startswith("amqp") else DEFAULT_AMQP_URL


def _broker_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def broker_url() -> str:
    """The real RabbitMQ's URL; skips (or fails, where LLAIS_REQUIRE_BROKER=1) when none answers."""
    url = amqp_url()
    if not _broker_answers(url):
        reason = f"no RabbitMQ answers at {urlparse(url).hostname}:{urlparse(url).port or 5672}"
        if os.environ.get("LLAIS_REQUIRE_BROKER") == "1":
            pytest.fail(f"{reason}, and LLAIS_REQUIRE_BROKER=1 makes broker tests required")
        pytest.skip(f"{reason}; start one (rabbitmq-server -detached) to run the broker tests")
    return url


@pytest.fixture
def bus_prefix() -> str:
    """A prefix of exchange and queue names no other test uses, so tests on one broker never meet."""
    return f"test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def settings(tmp_path, bus_prefix) -> Settings:
    """Embedded-mode settings with their own data folder and bus names: in-memory transport, SQLite stores."""
    return replace(Settings(), data_dir=tmp_path / "data", bus_prefix=bus_prefix, retry_delays=(0.2, 0.5),
                   prefetch=10, strict_queries=True)


@pytest.fixture
def broker_settings(settings, broker_url) -> Settings:
    """The same settings on the real RabbitMQ; the queues and exchanges under its prefix are deleted afterwards."""
    yield replace(settings, amqp_url=broker_url)
    delete_by_prefix(broker_url, settings.bus_prefix)


def delete_by_prefix(url: str, prefix: str) -> None:
    """Delete the broker's queues and exchanges named `prefix.*` (listed with rabbitmqctl, deleted over AMQP)."""
    if not shutil.which("rabbitmqctl"):
        return
    names = {}
    for kind in ("queues", "exchanges"):
        listed = subprocess.run(["rabbitmqctl", "-q", "--no-table-headers", f"list_{kind}", "name"],
                                capture_output=True, text=True, timeout=60)
        names[kind] = [n.strip() for n in listed.stdout.splitlines() if n.strip().startswith(f"{prefix}.")]
    if not names["queues"] and not names["exchanges"]:
        return
    from kombu import Connection

    with Connection(url, connect_timeout=5) as connection:
        channel = connection.channel()
        for queue in names["queues"]:
            channel.queue_delete(queue)
        for exchange in names["exchanges"]:
            channel.exchange_delete(exchange)
