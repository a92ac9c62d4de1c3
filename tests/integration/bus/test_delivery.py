"""The bus loses nothing and does nothing twice: outbox, relay, confirms, inbox, crashes and broker restarts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from shared.bus import OutboxRelay, ServiceQueues
from shared.bus.publisher import connect
from shared.store.sqlite import SQLiteStore
from tests.integration.bus.support import DRILL, effects, emit, wait_for

ROOT = Path(__file__).resolve().parents[3]


class RelayDyingBeforeMarkingSent(OutboxRelay):
    """A relay that publishes its batch and then dies before it can mark the batch sent."""

    def mark_sent(self, entry_ids):
        raise RuntimeError("killed between publishing and marking sent")


def test_every_outboxed_event_is_handled_once_even_when_the_relay_dies_after_publishing(
        drill_bus, producer_store, consumer_store, start_worker):
    settings = drill_bus
    ids = emit(producer_store, 200)
    dying = RelayDyingBeforeMarkingSent(producer_store, settings, batch=100, lease_seconds=0.5)
    with pytest.raises(RuntimeError):
        dying.run_once()
    dying.close()
    assert producer_store.outbox_stats()["pending"] == 200, "the published batch must still be pending"

    handled = []
    original = __import__("tests.integration.bus.support", fromlist=["record_effect"]).record_effect

    def counting(event, uow):
        handled.append(event.id)
        original(event, uow)

    start_worker(consumer_store, settings, {DRILL: counting})
    time.sleep(0.6)  # the dead relay's lease runs out
    start_worker(producer_store, settings, {}, service="drillsource")

    wait_for(lambda: len(effects(consumer_store)) == 200 and producer_store.outbox_stats()["pending"] == 0,
             what="200 effects and an empty outbox")
    time.sleep(1.0)  # let any late duplicate arrive
    assert sorted(e["id"] for e in effects(consumer_store)) == sorted(ids)
    assert len(handled) == 200, "the inbox must skip duplicates before the handler runs"
    assert all(consumer_store.handled(i) for i in ids)


def _queue_depth(settings, name: str) -> int:
    with connect(settings) as connection:
        return connection.channel().queue_declare(name, passive=True).message_count


def test_the_relay_published_the_batch_twice_and_the_duplicates_reached_the_consumer_queue(
        drill_bus, producer_store):
    settings = drill_bus
    emit(producer_store, 10)
    dying = RelayDyingBeforeMarkingSent(producer_store, settings, batch=10, lease_seconds=0.1)
    with pytest.raises(RuntimeError):
        dying.run_once()
    time.sleep(0.2)
    again = OutboxRelay(producer_store, settings)
    assert again.run_once() == 10
    again.close()
    dying.close()
    queue = ServiceQueues(settings, "drill").main
    wait_for(lambda: _queue_depth(settings, queue) == 20, what="20 messages on the drill queue")


def _unacked(name: str) -> int:
    listed = subprocess.run(["rabbitmqctl", "-q", "list_queues", "name", "messages_unacknowledged"], check=True,
                            capture_output=True, text=True, timeout=60).stdout
    return next(int(count) for queue, count in (line.split() for line in listed.splitlines() if line.strip())
                if queue == name)


def test_acks_sent_together_leave_nothing_unacked_once_the_queue_falls_quiet(
        drill_topology, producer_store, consumer_store, start_worker):
    """The consumer acks a run of messages at once; the last few, fewer than a run, are acked when no more come."""
    settings = drill_topology
    odd = settings.prefetch // 2 * 2 + 3  # two runs of acks, and three left over
    emit(producer_store, odd)
    start_worker(producer_store, settings, handlers={}, service="drillproducer")
    start_worker(consumer_store, settings)
    wait_for(lambda: len(effects(consumer_store)) == odd, what=f"{odd} effects")
    queue = ServiceQueues(settings, "drill").main
    wait_for(lambda: _unacked(queue) == 0, timeout=20, every=0.5, what="every message acked")
    assert _queue_depth(settings, queue) == 0


def drill_worker(settings, database, started, prefetch: int = 1) -> subprocess.Popen:
    """A drill worker in a process of its own; a drill event with a pause writes `started` as its handler begins."""
    env = {**os.environ, "DRILL_STARTED_FILE": str(started), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "tests.integration.bus.support", str(database),
                             settings.bus_prefix, settings.bus_url, str(prefetch)], env=env, cwd=ROOT)


def test_a_worker_killed_mid_handler_has_its_message_redelivered_and_the_effect_happens_once(
        drill_bus, producer_store, tmp_path):
    settings = drill_bus
    database = tmp_path / "killed-worker.sqlite3"
    started = tmp_path / "started"

    def spawn():
        return drill_worker(settings, database, started)

    from tests.integration.bus.support import drill

    event = drill(1, pause=30.0)
    producer_store.commit(events=[event])
    relay = OutboxRelay(producer_store, settings)
    assert relay.run_once() == 1
    relay.close()

    first = spawn()
    try:
        wait_for(started.exists, timeout=60, what="the handler to start")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    store = SQLiteStore(database)
    assert effects(store) == [], "the killed handler must not have committed"
    started.unlink()

    second = spawn()
    try:
        wait_for(started.exists, timeout=60, what="the redelivered message to reach the new worker")
        wait_for(lambda: effects(store), timeout=60, what="the effect")
    finally:
        second.terminate()
        second.wait(20)
    found = effects(store)
    assert len(found) == 1 and found[0]["id"] == event.id and found[0]["pid"] == second.pid
    assert _queue_depth(settings, ServiceQueues(settings, "drill").main) == 0


def test_a_worker_killed_mid_run_loses_the_runs_effects_with_its_acks_and_the_redelivery_does_each_once(
        drill_bus, producer_store, tmp_path):
    """On RabbitMQ the worker commits a run of handled messages in one transaction just before their acks go
    together: killed while the run is open, it has acked none of them and committed none of them. The embedded bus
    acks one at a time, each after its own commit."""
    settings = drill_bus
    runs = settings.broker
    database = tmp_path / "killed-mid-run.sqlite3"
    started = tmp_path / "started"

    def spawn():
        return drill_worker(settings, database, started, prefetch=40)

    from tests.integration.bus.support import drill

    events = [drill(n) for n in range(9)] + [drill(9, pause=30.0)]
    producer_store.commit(events=events)
    relay = OutboxRelay(producer_store, settings)
    assert relay.run_once() == 10
    relay.close()

    first = spawn()
    try:
        wait_for(started.exists, timeout=60, what="the last handler of the run to start")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        first.kill()
    store = SQLiteStore(database)
    kept = effects(store)
    if runs:
        assert kept == [], "the nine handled before it were neither committed nor acked"
    else:
        assert len(kept) == 9 and {e["pid"] for e in kept} == {first.pid}, "each committed, then acked"
    started.unlink()

    second = spawn()
    try:
        wait_for(lambda: len(effects(store)) == 10, timeout=90, what="every effect, after the redelivery")
    finally:
        second.terminate()
        second.wait(20)
    found = effects(store)
    assert sorted(e["id"] for e in found) == sorted(e.id for e in events), "each once"
    assert {e["pid"] for e in found if e["id"] not in {k["id"] for k in kept}} == {second.pid}
    assert _queue_depth(settings, ServiceQueues(settings, "drill").main) == 0


def _close_all_connections() -> None:
    subprocess.run(["rabbitmqctl", "-q", "close_all_connections", "connection drill"], check=True,
                   capture_output=True, timeout=60)


def test_publishing_and_consuming_resume_by_themselves_after_the_broker_drops_every_connection(
        drill_topology, producer_store, consumer_store, start_worker):
    settings = drill_topology
    start_worker(consumer_store, settings)
    start_worker(producer_store, settings, {}, service="drillsource")
    ids = emit(producer_store, 100)
    wait_for(lambda: len(effects(consumer_store)) >= 20, what="some effects before the drop")
    _close_all_connections()
    ids += emit(producer_store, 100, start=100)
    time.sleep(0.5)
    _close_all_connections()
    ids += emit(producer_store, 100, start=200)
    wait_for(lambda: len(effects(consumer_store)) == 300, timeout=90, what="all 300 effects after two drops")
    assert producer_store.outbox_stats()["pending"] == 0
    assert sorted(e["id"] for e in effects(consumer_store)) == sorted(ids)
