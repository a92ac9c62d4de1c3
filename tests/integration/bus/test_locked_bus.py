"""A bus or store file held by another writer (a backup tool, an operator's sqlite3) stops nothing for good: every
loop of a worker waits, says it is failing, and once the file is let go every event flows, none lost, none parked."""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest
import requests

from shared.bus import BrokerUnavailable, Periodic, Worker, broker_check, declare_topology, list_parked
from shared.bus.sqlite_transport import bus_path
from shared.store.sqlite import SQLiteStore
from services.platform import worker_health
from tests.e2e.conftest import free_port_block
from tests.integration.bus.support import DRILL, effects, emit, record_effect, wait_for

BUSY_SECONDS = 1
"""The stores' and the bus's busy timeout here (LLAIS_SETTLE_SECONDS), so a lock of a few seconds outlasts it."""


@contextmanager
def held(path: Path):
    """The file locked by another connection, as `sqlite3 file 'BEGIN EXCLUSIVE'` would hold it."""
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def failing(worker, loop: str) -> dict | None:
    return worker.failing().get(f"{worker.service}-{loop}")


@pytest.fixture
def quick(settings):
    """Embedded-bus settings whose files are waited for one second."""
    settings = replace(settings, settle_seconds=BUSY_SECONDS)
    declare_topology(settings, {"drill": [DRILL]})
    return settings


def test_a_locked_bus_file_holds_events_back_until_it_is_let_go_and_loses_none(quick, tmp_path, start_worker):
    producer = SQLiteStore(tmp_path / "producer.sqlite3", busy_timeout_ms=BUSY_SECONDS * 1000)
    consumer = SQLiteStore(tmp_path / "consumer.sqlite3", busy_timeout_ms=BUSY_SECONDS * 1000)
    source = start_worker(producer, quick, {}, service="drillsource")
    first = emit(producer, 10)
    wait_for(lambda: producer.outbox_stats()["pending"] == 0, what="the first events on the bus")

    with held(bus_path(quick.bus_url)):
        drill = start_worker(consumer, quick)  # its channel cannot even sweep the file's leases
        later = emit(producer, 10, start=10)
        wait_for(lambda: failing(drill, "consumer") and failing(source, "relay"), what="both loops failing")
        assert "locked" in failing(drill, "consumer")["error"] and failing(source, "relay")["since"]
        with pytest.raises(BrokerUnavailable, match="bus.sqlite3"):
            broker_check(quick)
        port = free_port_block(1)
        health = worker_health("drill", drill, replace(quick, health_port=port), "127.0.0.1")
        try:  # what a worker role's orchestrator asks it
            alive = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
            assert alive.status_code == 200 and "drill-consumer" in alive.json()["failing"]
            ready = requests.get(f"http://127.0.0.1:{port}/readyz", timeout=10)
            assert ready.status_code == 503 and {"broker", "loops"} <= set(ready.json()["checks"])
        finally:
            health.stop()
        time.sleep(3 * BUSY_SECONDS)  # the lock outlasts every wait: the loops fail, wait and fail again
        assert producer.outbox_stats()["pending"] == 10 and effects(consumer) == []

    wait_for(lambda: len(effects(consumer)) == 20, timeout=30, what="every event handled after the lock")
    assert sorted(effect["id"] for effect in effects(consumer)) == sorted(first + later)
    assert producer.outbox_stats()["pending"] == 0
    wait_for(lambda: drill.failing() == {} and source.failing() == {}, what="the loops working again")
    broker_check(quick)
    assert list_parked(quick, "drill") == []
    producer.close()
    consumer.close()


def test_a_locked_store_is_no_handler_failure_and_every_loop_carries_on_after_it(drill_bus, tmp_path,
                                                                                    start_worker):
    settings = replace(drill_bus, settle_seconds=BUSY_SECONDS)
    producer = SQLiteStore(tmp_path / "producer.sqlite3", busy_timeout_ms=BUSY_SECONDS * 1000)
    consumer = SQLiteStore(tmp_path / "consumer.sqlite3", busy_timeout_ms=BUSY_SECONDS * 1000)
    ticks = []

    def tick() -> None:
        consumer.commit(events=[])  # a write, as a clock's or a dispatcher's run makes
        ticks.append(time.monotonic())

    start_worker(producer, settings, {}, service="drillsource")
    drill = Worker("drill", consumer, settings, handlers={DRILL: record_effect},
                   periodic=[Periodic("clock", 0.1, tick)])
    drill.start()
    try:
        wait_for(lambda: ticks, what="the clock ticking")
        with held(consumer.path):
            ids = emit(producer, 20)
            wait_for(lambda: failing(drill, "consumer") and failing(drill, "clock"), what="consumer and clock failing")
            assert "locked" in failing(drill, "clock")["error"]
            time.sleep(3 * BUSY_SECONDS)  # longer than the retry delays (0.2 s, 0.5 s) and the busy timeout
            ticked = len(ticks)
        wait_for(lambda: len(effects(consumer)) == 20, timeout=30, what="every event handled after the lock")
        assert sorted(effect["id"] for effect in effects(consumer)) == sorted(ids)
        wait_for(lambda: len(ticks) > ticked and drill.failing() == {}, what="the clock ticking again")
        assert list_parked(settings, "drill") == [], "a locked store is not the handler's failure"
    finally:
        drill.stop()
        producer.close()
        consumer.close()
