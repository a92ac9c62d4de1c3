"""The bus topology: one durable topic exchange, a queue per service, its retry queues and its parking queue.

Declared by code when a worker starts, and exported for operators as RabbitMQ definitions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Sequence

from kombu import Connection, Exchange, Queue

from shared.config import Settings


@dataclass(frozen=True)
class ServiceQueues:
    """The names of one service's queues."""

    settings: Settings
    service: str

    @property
    def main(self) -> str:
        return f"{self.settings.bus_prefix}.{self.service}"

    @property
    def parking(self) -> str:
        return f"{self.main}.dlq"

    def retry(self, delay: float) -> str:
        return f"{self.main}.retry.{int(round(delay * 1000))}ms"

    @property
    def retries(self) -> list[str]:
        return [self.retry(delay) for delay in self.settings.retry_delays]


def events_exchange(settings: Settings) -> Exchange:
    return Exchange(settings.exchange, type="topic", durable=True)


def _queue_arguments(settings: Settings) -> dict:
    return {"x-queue-type": "quorum"} if settings.queue_type == "quorum" else {}


def service_queue(settings: Settings, service: str, event_types: Sequence[str]) -> Queue:
    exchange = events_exchange(settings)
    from kombu import binding

    return Queue(ServiceQueues(settings, service).main, exchange=exchange,
                 bindings=[binding(exchange, routing_key=t) for t in sorted(event_types)], durable=True,
                 queue_arguments=_queue_arguments(settings))


def retry_queues(settings: Settings, service: str) -> list[Queue]:
    names = ServiceQueues(settings, service)
    return [
        Queue(names.retry(delay), durable=True, queue_arguments={
            **_queue_arguments(settings),
            "x-message-ttl": int(round(delay * 1000)),
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": names.main,
        })
        for delay in settings.retry_delays
    ]


def parking_queue(settings: Settings, service: str) -> Queue:
    return Queue(ServiceQueues(settings, service).parking, durable=True, queue_arguments=_queue_arguments(settings))


def declare_topology(settings: Settings, bindings: Mapping[str, Sequence[str]],
                     connection: Connection | None = None) -> None:
    """Declare the exchange and, for every service in `bindings`, its queue, retry queues and parking queue."""
    from shared.bus.publisher import connect

    own = connection is None
    connection = connection or connect(settings)
    try:
        channel = connection.default_channel
        events_exchange(settings)(channel).declare()
        for service, event_types in bindings.items():
            queues = [service_queue(settings, service, event_types), parking_queue(settings, service),
                      *retry_queues(settings, service)]
            for queue in queues:
                queue(channel).declare()
    finally:
        if own:
            connection.release()


def topology_definitions(settings: Settings, bindings: Mapping[str, Sequence[str]]) -> dict:
    """The same topology as RabbitMQ definitions (the shape of `rabbitmqctl export_definitions`)."""
    vhost = "/"
    queues, binds = [], []

    def add(queue: Queue) -> None:
        queues.append({"name": queue.name, "vhost": vhost, "durable": True, "auto_delete": False,
                       "arguments": dict(queue.queue_arguments or {})})

    for service, event_types in sorted(bindings.items()):
        main = service_queue(settings, service, event_types)
        add(main)
        for event_type in sorted(event_types):
            binds.append({"source": settings.exchange, "vhost": vhost, "destination": main.name,
                          "destination_type": "queue", "routing_key": event_type, "arguments": {}})
        for queue in retry_queues(settings, service):
            add(queue)
        add(parking_queue(settings, service))
    return {
        "exchanges": [{"name": settings.exchange, "vhost": vhost, "type": "topic", "durable": True,
                       "auto_delete": False, "internal": False, "arguments": {}}],
        "queues": queues,
        "bindings": binds,
        "policies": [],
    }
