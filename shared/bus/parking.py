"""Parked messages: listed without taking them off the parking queue, replayed onto the service's own queue, and
forgotten once erasure says so (older than the longest redelivery window, or about a referral erased).

Replay goes to the service's queue through the default exchange, not to the topic exchange, so the other services
that already handled the event do not get it again.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterator

from shared.bus.publisher import ConfirmingPublisher, Outgoing, connect
from shared.bus.topology import ServiceQueues, parking_queue
from shared.bus.worker import ATTEMPT, ERROR, PARKED_AT
from shared.config import Settings


@dataclass(frozen=True)
class ParkedMessage:
    event_id: str
    type: str
    version: int | None
    error: str
    attempts: int
    parked_at: str
    body: Any


def _read(message) -> ParkedMessage:
    headers = dict(message.headers or {})
    raw = message.body
    try:
        body: Any = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    envelope = body if isinstance(body, dict) else {}
    properties = message.properties or {}
    return ParkedMessage(
        event_id=str(envelope.get("id") or properties.get("message_id") or ""),
        type=str(envelope.get("type") or properties.get("type") or ""),
        version=envelope.get("version") if isinstance(envelope.get("version"), int) else None,
        error=str(headers.get(ERROR, "")),
        attempts=int(headers.get(ATTEMPT, 1) or 1),
        parked_at=str(headers.get(PARKED_AT, "")),
        body=body,
    )


def _drain(settings: Settings, service: str) -> tuple[list, object]:
    """Every parked message, taken unacked on one channel: (messages, the channel's connection).

    The caller acks what it moved and requeues the rest explicitly rather than leaving it to the channel's close.
    """
    connection = connect(settings)
    channel = connection.channel()
    queue = parking_queue(settings, service)(channel)
    queue.declare()
    messages = []
    while True:
        message = queue.get(no_ack=False)
        if message is None:
            break
        messages.append(message)
    return messages, connection


@contextmanager
def _taking(settings: Settings, service: str) -> Iterator[tuple[list, list]]:
    """The parked messages, and a list of those taken off for good (acked) meanwhile; every other one is put back
    explicitly at the end, rather than left to the channel's close."""
    messages, connection = _drain(settings, service)
    taken: list = []
    try:
        yield messages, taken
    finally:
        for message in messages:
            if message not in taken:
                message.requeue()
        connection.release()


def list_parked(settings: Settings, service: str) -> list[ParkedMessage]:
    """What is parked for `service`; every message stays parked."""
    with _taking(settings, service) as (messages, _):
        return [_read(message) for message in messages]


def replay_parked(settings: Settings, service: str, event_id: str | None = None) -> int:
    """Put the parked messages (or only `event_id`) back on the service's queue with their attempts reset."""
    publisher = ConfirmingPublisher(settings)
    target = ServiceQueues(settings, service).main
    try:
        with _taking(settings, service) as (messages, moved):
            for message in messages:
                parked = _read(message)
                if event_id is not None and parked.event_id != event_id:
                    continue
                headers = {k: v for k, v in dict(message.headers or {}).items()
                           if k not in (ATTEMPT, ERROR, PARKED_AT, "x-death")}
                body = message.body if isinstance(message.body, bytes) else str(message.body).encode()
                publisher.publish([Outgoing(body, target, "", parked.event_id, parked.type, headers)])
                message.ack()
                moved.append(message)
    finally:
        publisher.close()
    return len(moved)


def forget_parked(settings: Settings, service: str, forget: Callable[[ParkedMessage], bool]) -> int:
    """Take off the parking queue, for good, every parked message `forget` says to (shared/erasure.py); the rest
    stay parked. How many were forgotten."""
    with _taking(settings, service) as (messages, forgotten):
        for message in messages:
            if forget(_read(message)):
                message.ack()
                forgotten.append(message)
    return len(forgotten)
