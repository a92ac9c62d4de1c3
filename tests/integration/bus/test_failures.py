"""What cannot be handled is retried the configured number of times, then parked with its error, never lost;
what cannot be read is parked at once; parked messages can be listed and replayed."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import replace

import pika

from shared.bus import ServiceQueues, list_parked, replay_parked
from tests.integration.bus.support import DRILL, drill, effects, record_effect, wait_for


def pika_parameters(url: str) -> pika.URLParameters:
    """pika reads the vhost from the URL's path, percent-encoded: kombu's `//` (vhost "/") is pika's `/%2F`."""
    return pika.URLParameters(url[:-2] + "/%2F" if url.endswith("//") else url)


class Flaky:
    """A handler that fails until told to succeed, counting its tries per event."""

    def __init__(self):
        self.tries: dict[str, int] = {}
        self.healthy = False

    def __call__(self, event, uow):
        self.tries[event.id] = self.tries.get(event.id, 0) + 1
        if not self.healthy:
            raise ValueError("the council's record system is down")
        record_effect(event, uow)


def _publish_raw(settings, body: bytes, message_type: str = DRILL) -> None:
    connection = pika.BlockingConnection(pika_parameters(settings.amqp_url))
    channel = connection.channel()
    channel.confirm_delivery()
    channel.basic_publish(settings.exchange, message_type, body,
                          pika.BasicProperties(delivery_mode=2, content_type="application/json"))
    connection.close()


def _commit_and_relay(store, settings, *events):
    from shared.bus import OutboxRelay

    store.commit(events=list(events))
    relay = OutboxRelay(store, settings)
    relay.run_once()
    relay.close()


def test_a_handler_that_always_fails_is_tried_as_configured_then_parked_and_replay_brings_it_back(
        drill_bus, producer_store, consumer_store, start_worker):
    settings = drill_bus
    flaky = Flaky()
    start_worker(consumer_store, settings, {DRILL: flaky})
    event = drill(7)
    _commit_and_relay(producer_store, settings, event)

    parked = wait_for(lambda: list_parked(settings, "drill"), what="the event to be parked")
    assert flaky.tries[event.id] == 1 + len(settings.retry_delays)
    assert len(parked) == 1
    assert parked[0].event_id == event.id and parked[0].type == DRILL and parked[0].version == 1
    assert parked[0].attempts == 1 + len(settings.retry_delays)
    assert "ValueError: the council's record system is down" in parked[0].error
    assert parked[0].parked_at
    time.sleep(1.0)
    assert flaky.tries[event.id] == 1 + len(settings.retry_delays), "a parked message is never retried by itself"
    assert len(list_parked(settings, "drill")) == 1, "listing leaves the message parked"
    assert effects(consumer_store) == []

    flaky.healthy = True
    assert replay_parked(settings, "drill", "not-an-id") == 0
    assert replay_parked(settings, "drill", event.id) == 1
    wait_for(lambda: effects(consumer_store), what="the replayed event's effect")
    assert [e["id"] for e in effects(consumer_store)] == [event.id]
    assert list_parked(settings, "drill") == []


def test_unreadable_messages_are_parked_at_once_and_the_worker_carries_on(
        drill_topology, producer_store, consumer_store, start_worker):
    settings = drill_topology
    flaky = Flaky()
    flaky.healthy = True
    start_worker(consumer_store, settings, {DRILL: flaky})

    good = drill(1).envelope()
    _publish_raw(settings, b"this is not json")
    _publish_raw(settings, json.dumps({**good, "data": {"n": "one"}}).encode())
    _publish_raw(settings, json.dumps({**good, "id": "v9", "version": 9}).encode())
    after = drill(2)
    _commit_and_relay(producer_store, settings, after)

    wait_for(lambda: effects(consumer_store), what="the good event after the bad ones")
    parked = wait_for(lambda: len(list_parked(settings, "drill")) == 3 and list_parked(settings, "drill"),
                      what="three parked messages")
    errors = sorted(p.error for p in parked)
    assert any("not JSON" in e for e in errors)
    assert any("fails its contract" in e and "n" in e for e in errors)
    assert any("unknown event type or version: drill.happened v9" in e for e in errors)
    assert all(p.attempts == 1 for p in parked)
    assert flaky.tries == {after.id: 1}, "no bad message may reach the handler"


def test_pika_sees_persistent_json_envelopes_with_the_trace_on_the_wire(drill_topology, producer_store):
    from opentelemetry.sdk.trace import TracerProvider

    settings = drill_topology
    connection = pika.BlockingConnection(pika_parameters(settings.amqp_url))
    channel = connection.channel()
    tap = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(tap, settings.exchange, routing_key=DRILL)

    with TracerProvider().get_tracer("test").start_as_current_span("a referral arrives") as span:
        event = drill(3)
    trace_id = f"{span.get_span_context().trace_id:032x}"
    _commit_and_relay(producer_store, settings, event)

    deadline = time.monotonic() + 30
    method = None
    while method is None and time.monotonic() < deadline:
        method, properties, body = channel.basic_get(tap, auto_ack=True)
        time.sleep(0.05)
    connection.close()
    assert method is not None, "nothing reached the tap queue"
    assert properties.delivery_mode == 2
    assert properties.content_type == "application/json"
    assert properties.message_id == event.id and properties.type == DRILL
    envelope = json.loads(body)
    assert set(envelope) == {"id", "type", "version", "occurred_at", "producer", "correlation_id", "causation_id",
                             "subject", "data"}
    assert envelope["id"] == event.id and envelope["data"] == {"n": 3, "pause": 0.0}
    version, carried_trace, parent, flags = properties.headers["traceparent"].split("-")
    assert (version, carried_trace) == ("00", trace_id)
    assert int(flags, 16) & 1, "the trace is sampled"
    assert len(parent) == 16


def test_the_exported_definitions_are_what_the_worker_declares(drill_topology):
    from shared.bus import topology_definitions
    from kombu import Connection

    settings = drill_topology
    definitions = topology_definitions(settings, {"drill": [DRILL]})
    names = ServiceQueues(settings, "drill")
    assert {q["name"] for q in definitions["queues"]} == {names.main, names.parking, *names.retries}
    with Connection(settings.amqp_url) as connection:
        channel = connection.channel()
        for queue in definitions["queues"]:
            channel.queue_declare(queue["name"], passive=True)  # raises if the broker lacks it
            # declaring again with the exported arguments succeeds only if they are the broker's
            channel.queue_declare(queue["name"], durable=True, auto_delete=False, arguments=queue["arguments"])
    retry = next(q for q in definitions["queues"] if q["name"] == names.retries[0])
    assert retry["arguments"]["x-dead-letter-routing-key"] == names.main
    assert retry["arguments"]["x-message-ttl"] == int(settings.retry_delays[0] * 1000)
    assert definitions["bindings"] == [{"source": settings.exchange, "vhost": "/", "destination": names.main,
                                        "destination_type": "queue", "routing_key": DRILL, "arguments": {}}]


def test_quorum_queues_deliver_retry_and_park_too(drill_topology, producer_store, consumer_store, start_worker):
    from shared.bus import declare_topology

    quorum = replace(drill_topology, bus_prefix=f"{drill_topology.bus_prefix}q", queue_type="quorum")
    declare_topology(quorum, {"drill": [DRILL]})
    flaky = Flaky()
    flaky.healthy = True
    start_worker(consumer_store, quorum, {DRILL: flaky})
    good = drill(1)
    _commit_and_relay(producer_store, quorum, good)
    wait_for(lambda: effects(consumer_store), what="delivery through a quorum queue")
    flaky.healthy = False
    bad = drill(2)
    _commit_and_relay(producer_store, quorum, bad)
    parked = wait_for(lambda: list_parked(quorum, "drill"), what="parking through quorum retry queues")
    assert parked[0].event_id == bad.id and flaky.tries[bad.id] == 1 + len(quorum.retry_delays)
    listed = subprocess.run(["rabbitmqctl", "-q", "--no-table-headers", "list_queues", "name", "type"],
                            capture_output=True, text=True, timeout=60).stdout
    types = dict(line.split() for line in listed.splitlines() if line.startswith(quorum.bus_prefix + "."))
    assert set(types.values()) == {"quorum"} and len(types) == 2 + len(quorum.retry_delays)
    from kombu import Connection

    with Connection(quorum.amqp_url) as connection:
        channel = connection.channel()
        for name in [ServiceQueues(quorum, "drill").main, *ServiceQueues(quorum, "drill").retries,
                     ServiceQueues(quorum, "drill").parking]:
            channel.queue_delete(name)
        channel.exchange_delete(quorum.exchange)
