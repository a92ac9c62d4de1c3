"""`llais bus parked` and `llais bus replay`, as an operator on call runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pika

from shared.bus import ServiceQueues, declare_topology
from shared.bus.worker import ATTEMPT, ERROR, PARKED_AT
from tests.integration.bus.support import drill
from tests.integration.bus.test_failures import pika_parameters

LLAIS = str(Path(sys.executable).with_name("llais"))


def llais(settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AMQP_URL": settings.amqp_url, "LLAIS_BUS_PREFIX": settings.bus_prefix}
    return subprocess.run([LLAIS, "bus", *args], env=env, capture_output=True, text=True, timeout=60)


def test_an_operator_lists_parked_messages_and_replays_one(broker_settings):
    settings = broker_settings
    declare_topology(settings, {"notify": ["referral.acknowledged"]})
    names = ServiceQueues(settings, "notify")
    connection = pika.BlockingConnection(pika_parameters(settings.amqp_url))
    channel = connection.channel()
    events = [drill(1), drill(2)]
    for event in events:
        channel.basic_publish("", names.parking, json.dumps(event.envelope()).encode(), pika.BasicProperties(
            delivery_mode=2, content_type="application/json", message_id=event.id,
            headers={ATTEMPT: 4, ERROR: "ConnectionError: council system down", PARKED_AT: "2026-11-23T09:00:00Z"}))

    listed = llais(settings, "parked", "notify")
    assert listed.returncode == 0, listed.stderr
    lines = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [line["event_id"] for line in lines] == [e.id for e in events]
    assert lines[0]["attempts"] == 4 and "council system down" in lines[0]["error"]
    assert "2 parked" in listed.stderr

    replayed = llais(settings, "replay", "notify", events[1].id)
    assert replayed.returncode == 0 and "1 replayed" in replayed.stdout
    method, properties, body = channel.basic_get(names.main, auto_ack=True)
    assert json.loads(body)["id"] == events[1].id
    assert ATTEMPT not in (properties.headers or {}) and ERROR not in (properties.headers or {})
    assert channel.queue_declare(names.parking, passive=True).method.message_count == 1

    missing = llais(settings, "replay", "notify", "no-such-event")
    assert missing.returncode == 1 and "no parked message with id no-such-event" in missing.stderr
    assert llais(settings, "parked", "gateway").returncode == 2, "the gateway has no queue to park in"
    connection.close()
