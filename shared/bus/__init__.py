"""The event bus: kombu over RabbitMQ, or over a SQLite file in the embedded mode (`sqlite_transport`).

Services do not publish directly: they commit events to their store's outbox, and their worker's relay publishes
them with publisher confirms. Workers consume their service's queue, record each handled event in the inbox with
its effects, retry failures with growing delays and park what cannot be handled.
"""

from __future__ import annotations

import sqlite3

from kombu import Connection

from shared.bus import sqlite_transport

from shared.bus.parking import ParkedMessage, forget_parked, list_parked, replay_parked
from shared.bus.publisher import ConfirmingPublisher, Outgoing, PublishFailed
from shared.bus.relay import OutboxRelay
from shared.bus.topology import ServiceQueues, declare_topology, topology_definitions
from shared.bus.worker import Handler, Periodic, Worker
from shared.config import Settings


class BrokerUnavailable(Exception):
    pass


def broker_check(settings: Settings) -> None:
    """Raise BrokerUnavailable unless the broker accepts a connection within a few seconds, or the embedded bus's
    file can be read and written now."""
    if not settings.broker:
        if settings.bus_url.startswith(f"{sqlite_transport.SCHEME}://"):
            path = sqlite_transport.bus_path(settings.bus_url)
            try:
                sqlite_transport.check(path, settings.settle_seconds)
            except sqlite3.Error as exc:
                raise BrokerUnavailable(f"the bus file {path} cannot be used: {exc}") from None
        return
    connection = Connection(settings.bus_url, connect_timeout=3)
    try:
        connection.ensure_connection(max_retries=1, timeout=3)
    except Exception as exc:  # any failure to connect means not ready; say which
        raise BrokerUnavailable(f"broker not reachable: {exc.__class__.__name__}") from None
    finally:
        connection.release()


__all__ = [
    "BrokerUnavailable", "ConfirmingPublisher", "Handler", "OutboxRelay", "Outgoing", "ParkedMessage", "Periodic",
    "PublishFailed", "ServiceQueues", "Worker", "broker_check", "declare_topology", "forget_parked", "list_parked",
    "replay_parked", "topology_definitions",
]
