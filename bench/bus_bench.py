"""Events per second through the whole bus (outbox → relay → RabbitMQ → worker → handler with inbox), beside raw
kombu publishing and consuming on the same broker in the same run.

The throughputs are taken in `TRIALS` rounds, each measuring the anchor and then the bus, and each figure is the
median of its rounds: on a shared two-core machine one round can be a third slower than the next, for the anchor and
the bus alike, and a ratio of single runs says more of that than of the bus.

Prints figures; asserts nothing. Talks only to the broker at AMQP_URL (default 127.0.0.1) and stops by itself.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kombu import Connection, Exchange, Producer, Queue  # noqa: E402

from bench.figures import against, beside, percentiles  # noqa: E402

from shared.bus import ConfirmingPublisher, OutboxRelay, Outgoing, Worker, declare_topology  # noqa: E402
from shared.config import Settings  # noqa: E402
from shared.contracts import new_event  # noqa: E402
from shared.store.sqlite import SQLiteStore  # noqa: E402

URL = os.environ.get("AMQP_URL") or "amqp://guest:guest@127.0.0.1:5672//"
EVENTS = int(os.environ.get("BENCH_EVENTS", "5000"))
TRIALS = int(os.environ.get("BENCH_TRIALS", "3"))
BODY = json.dumps({"n": 1, "padding": "x" * 400}).encode()
DATA = {"referral_id": "r", "council": "CARDIFF", "external_ref": None, "status": "received",
        "received_at": "2026-11-23T09:00:00+00:00", "acknowledged_at": "2026-11-23T09:00:01+00:00"}


def rate(count: int, seconds: float) -> float:
    return round(count / seconds, 1) if seconds else 0.0


def raw_kombu(prefix: str) -> dict:
    exchange = Exchange(f"{prefix}.raw", type="direct", durable=True)
    queue = Queue(f"{prefix}.raw", exchange=exchange, routing_key="raw", durable=True)
    figures = {}
    for label, options in (("publish_confirm_each", {"confirm_publish": True}), ("publish_no_confirm", {})):
        with Connection(URL, transport_options=options) as connection:
            producer = Producer(connection.channel(), exchange=exchange)
            queue(producer.channel).declare()
            started = time.perf_counter()
            for _ in range(EVENTS):
                producer.publish(BODY, routing_key="raw", delivery_mode=2, content_type="application/json")
            figures[label] = rate(EVENTS, time.perf_counter() - started)
    received = 0
    with Connection(URL) as connection:
        channel = connection.channel()

        def on_message(message):
            nonlocal received
            received += 1
            message.ack()

        with connection.Consumer(queue, on_message=on_message, prefetch_count=100):
            started = time.perf_counter()
            while received < 2 * EVENTS:
                connection.drain_events(timeout=10)
            figures["consume_ack"] = rate(received, time.perf_counter() - started)
        queue(channel).delete()
        exchange(channel).delete()
    return figures


def windowed_publisher(prefix: str) -> dict:
    settings = replace(Settings(), amqp_url=URL, bus_prefix=prefix)
    declare_topology(settings, {"benchsink": ["referral.acknowledged"]})
    publisher = ConfirmingPublisher(settings)
    messages = [Outgoing(BODY, "referral.acknowledged", settings.exchange, str(i), "referral.acknowledged")
                for i in range(EVENTS)]
    started = time.perf_counter()
    for start in range(0, EVENTS, 100):
        publisher.publish(messages[start:start + 100])
    elapsed = time.perf_counter() - started
    publisher.close()
    return {"publish_confirm_window_100": rate(EVENTS, elapsed)}


def _relay_all(prefix: str, path: str, count: int) -> None:
    """The producing service's worker, in a process of its own as in production: relay the outbox, then stop."""
    settings = replace(Settings(), amqp_url=URL, bus_prefix=prefix, prefetch=100)
    store = SQLiteStore(path)
    worker = Worker("benchproducer", store, settings)
    worker.start()
    while store.outbox_stats()["pending"]:
        time.sleep(0.05)
    worker.stop()


def _producer_and_consumer(prefix: str, consumer_name: str):
    """Settings, a folder, the producing and the consuming service's stores, the moments the consumer's handler ran,
    and that handler (one effect per event, with its inbox entry)."""
    settings = replace(Settings(), amqp_url=URL, bus_prefix=prefix, prefetch=100)
    folder = Path(tempfile.mkdtemp(prefix="llais-bench-"))
    producer, consumer = SQLiteStore(folder / "producer.sqlite3"), SQLiteStore(folder / "consumer.sqlite3")
    handled_at: list[float] = []

    def handle(event, uow):
        uow.create("effects", event.id, {"n": 1})
        handled_at.append(time.perf_counter())

    declare_topology(settings, {consumer_name: ["referral.acknowledged"]})
    return settings, folder, producer, consumer, handled_at, handle


def _commit_events(producer: SQLiteStore) -> None:
    for _ in range(EVENTS):
        producer.commit(events=[new_event("referral.acknowledged", DATA, producer="bench", subject="r")])


def through_the_bus(prefix: str) -> dict:
    """Events a service committed to its outbox, relayed by its worker (its own process) and handled by another
    service's worker with its inbox: events/s from the first handled to the last."""
    settings, folder, producer, consumer, handled_at, handle = _producer_and_consumer(prefix, "benchconsumer")
    started = time.perf_counter()
    _commit_events(producer)
    committed = time.perf_counter() - started
    producer.close()
    worker = Worker("benchconsumer", consumer, settings, handlers={"referral.acknowledged": handle})
    worker.start()
    relaying = multiprocessing.get_context("spawn").Process(
        target=_relay_all, args=(prefix, str(folder / "producer.sqlite3"), EVENTS))
    relaying.start()
    deadline = time.monotonic() + 120
    while len(handled_at) < EVENTS and time.monotonic() < deadline:
        time.sleep(0.1)
    relaying.join(30)
    worker.stop()
    span = handled_at[-1] - handled_at[0] if len(handled_at) > 1 else 0.0
    return {"outbox_commits_per_s": rate(EVENTS, committed),
            "outbox_to_handler_events_per_s": rate(len(handled_at) - 1, span), "handled": len(handled_at)}


def consumer_alone(prefix: str) -> dict:
    """A service's worker consuming a queue the relay filled beforehand, as the raw kombu anchor consumes one: the
    handler's path (parse, inbox, span, the effect's commit, acks) without the relay's publishing beside it."""
    settings, _, producer, consumer, handled_at, handle = _producer_and_consumer(prefix, "benchalone")
    _commit_events(producer)
    relay = OutboxRelay(producer, settings)
    while relay.run_once():
        pass
    relay.close()
    worker = Worker("benchalone", consumer, settings, handlers={"referral.acknowledged": handle})
    worker.start()
    deadline = time.monotonic() + 120
    while len(handled_at) < EVENTS and time.monotonic() < deadline:
        time.sleep(0.05)
    worker.stop()
    span = handled_at[-1] - handled_at[0] if len(handled_at) > 1 else 0.0
    return {"consumer_alone_events_per_s": rate(len(handled_at) - 1, span)}


def latency(prefix: str, per_second: int = 200, seconds: float = 10.0) -> dict:
    """Commit → handler at a steady `per_second`: each event's time from its commit (in a thread of the producing
    service's process, whose relay its commit wakes) to its handler on the consumer's worker."""
    settings = replace(Settings(), amqp_url=URL, bus_prefix=prefix, prefetch=100)
    folder = Path(tempfile.mkdtemp(prefix="llais-bench-"))
    producer, consumer = SQLiteStore(folder / "producer.sqlite3"), SQLiteStore(folder / "consumer.sqlite3")
    committed_at: dict[str, float] = {}
    took: list[float] = []

    def handle(event, uow):
        uow.create("effects", event.id, {"n": 1})
        took.append(time.perf_counter() - committed_at[event.id])

    declare_topology(settings, {"benchlatency": ["referral.acknowledged"]})
    workers = [Worker("benchproducer", producer, settings),
               Worker("benchlatency", consumer, settings, handlers={"referral.acknowledged": handle})]
    for worker in workers:
        worker.start()
    time.sleep(1.0)  # connected and consuming
    total, began = int(per_second * seconds), time.perf_counter()
    for n in range(total):
        time.sleep(max(0.0, began + n / per_second - time.perf_counter()))
        event = new_event("referral.acknowledged", DATA, producer="bench", subject="r")
        committed_at[event.id] = time.perf_counter()
        producer.commit(events=[event])
    deadline = time.monotonic() + 30
    while len(took) < total and time.monotonic() < deadline:
        time.sleep(0.05)
    for worker in workers:
        worker.stop()
    return {"per_second": per_second, "handled": len(took), **percentiles(took)}


def cleanup(prefix: str) -> None:
    with Connection(URL) as connection:
        channel = connection.channel()
        for service in ("benchsink", "benchconsumer", "benchalone", "benchlatency"):
            for suffix in ("", ".dlq", ".retry.1000ms", ".retry.10000ms", ".retry.60000ms"):
                channel.queue_delete(f"{prefix}.{service}{suffix}")
        channel.exchange_delete(f"{prefix}.events")


def median_of(trials: list[dict]) -> dict:
    """Each figure of the rounds, by its median (a count, such as `handled`, by its least)."""
    return {key: (min(t[key] for t in trials) if key == "handled" else statistics.median(t[key] for t in trials))
            for key in trials[0]}


def main() -> dict:
    base, used = f"bench-{uuid.uuid4().hex[:8]}", []

    def fresh(step: str) -> str:
        """An exchange and queues of the step's own: a queue an earlier step bound would take a copy of every
        event (more work for the broker), and one left holding events would hand them to the next step's worker."""
        used.append(f"{base}-{step}-{len(used)}")
        return used[-1]

    try:
        anchors, buses = [], []
        for _ in range(TRIALS):
            anchors.append(raw_kombu(fresh("raw")))
            buses.append({**windowed_publisher(fresh("window")), **through_the_bus(fresh("through")),
                          **consumer_alone(fresh("alone"))})
        figures = {"events": EVENTS, "trials": TRIALS, "raw_kombu": median_of(anchors),
                   "llais_bus": median_of(buses), "commit_to_handler": latency(fresh("latency")),
                   "rounds": {"raw_kombu_consume_ack": [a["consume_ack"] for a in anchors],
                              "outbox_to_handler": [b["outbox_to_handler_events_per_s"] for b in buses]}}
    finally:
        for prefix in used:
            cleanup(prefix)
    print(json.dumps(figures, indent=2), flush=True)
    beside("outbox -> handler", figures["llais_bus"]["outbox_to_handler_events_per_s"], "raw kombu consume-and-ack",
           figures["raw_kombu"]["consume_ack"], "events/s", "target: ratio at least 0.50")
    beside("for the reading, a worker alone on a queue filled beforehand",
           figures["llais_bus"]["consumer_alone_events_per_s"], "raw kombu consume-and-ack",
           figures["raw_kombu"]["consume_ack"], "events/s", "the anchor's own conditions; no target")
    against("commit -> handler p99 at 200 events/s", figures["commit_to_handler"]["p99_ms"], "ms",
            "target: under 100 ms")
    return figures


if __name__ == "__main__":
    main()
