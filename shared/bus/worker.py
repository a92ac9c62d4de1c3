"""The worker role of a service: its event consumer, its outbox relay and its periodic tasks.

Each message is acked only after the handler's effects are committed. An event already in the inbox is acked
without handling. On RabbitMQ the acks of a run of messages go as one (`multiple`), when half the prefetch window
is done or the queue pauses; on a store that can (SQLite) the run's effects are committed together just before, in
one transaction, so a crash before the acks loses the effects with them and the redelivery does the work again. A handler that
raises is tried again after each of the configured delays (TTL retry queues that dead-letter back to the service's
queue), then parked with its error in the service's parking queue. A message that cannot be read, or whose type or
version no contract knows, is parked at once. Connections that drop are re-opened with back-off; nothing is acked
that was not done. A store that cannot be used (locked, unreadable) is no fault of the handler's: the message is
not counted as a try but given back, and the consumer starts again after a growing wait (shared/bus/loops), as
every loop of the worker does after any failure.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from kombu import Consumer
from kombu.mixins import ConsumerMixin
from kombu.transport import virtual
from opentelemetry.trace import SpanKind, Status, StatusCode

from shared import telemetry
from shared.bus.loops import LoopState
from shared.bus.publisher import ConfirmingPublisher, Outgoing, PublishFailed, connect
from shared.bus.relay import OutboxRelay
from shared.bus.topology import ServiceQueues, declare_topology, parking_queue, retry_queues, service_queue
from shared.clock import timestamp
from shared.config import Settings
from shared.contracts import ContractError, parse_event
from shared.store import Store, StoreUnavailable
from shared.unit_of_work import EventHandler, handle
from shared.wakeup import Wakeup

log = logging.getLogger("llais.bus.worker")

Handler = EventHandler

ATTEMPT = "x-llais-attempt"
ERROR = "x-llais-error"
PARKED_AT = "x-llais-parked-at"
MAX_ERROR_CHARS = 1000
ACK_PAUSE_SECONDS = 0.002
"""How long the consumer waits for the next message before it sends the acks of those it has done."""
RELAY_POLL_SECONDS = 1.0
"""How soon the relay looks again when no commit in this process announced work. A service's API role relays what
its own requests commit; this catches what a process that died before relaying left behind."""


@dataclass(frozen=True)
class Periodic:
    """A task a worker runs every `interval` seconds (a dispatcher, a clock); one `woken_by_events` runs again as soon
    as the worker has handled an event, since a handler's commit may have given it work (a webhook to send)."""

    name: str
    interval: float
    run: Callable[[], None]
    woken_by_events: bool = False


def describe(exc: BaseException) -> str:
    return f"{exc.__class__.__name__}: {exc}"[:MAX_ERROR_CHARS]


class EventConsumer(ConsumerMixin):
    def __init__(self, service: str, handlers: Mapping[str, Handler], store: Store, settings: Settings,
                 publisher: ConfirmingPublisher, state: LoopState | None = None):
        self.service = service
        self.state = state or LoopState("consumer", service)
        self.handlers = dict(handlers)
        self.store = store
        self.settings = settings
        self.publisher = publisher
        self.names = ServiceQueues(settings, service)
        self.connection = connect(settings)
        self.connect_max_retries = None
        self._done = None  # the last message done whose ack has not gone yet (a kombu Message)
        self._done_count = 0
        self._ack_every = 1
        self._batch = None  # the store's transaction holding the effects of the messages whose acks are owed

    def get_consumers(self, _consumer, channel):
        self._drop_batch()  # its messages were not acked: the broker gives them again
        self._done, self._done_count = None, 0  # tags of an earlier channel mean nothing on this one
        # kombu's virtual transports (the embedded bus) ack one tag at a time; multiple acks are RabbitMQ's
        self._ack_every = 1 if isinstance(channel, virtual.Channel) else max(1, self.settings.prefetch // 2)
        for queue in [parking_queue(self.settings, self.service), *retry_queues(self.settings, self.service)]:
            queue(channel).declare()
        queue = service_queue(self.settings, self.service, list(self.handlers))
        return [Consumer(channel, queues=[queue], on_message=self.on_message,
                         prefetch_count=self.settings.prefetch, no_ack=False)]

    def consume(self, limit=None, timeout=None, safety_interval=1, **kwargs):
        """ConsumerMixin's loop, except that while acks are owed it waits only a moment for the next message and,
        if none comes, sends them."""
        try:
            with self.consumer_context(**kwargs) as (connection, _channel, _consumers):
                while not self.should_stop:
                    try:
                        connection.drain_events(timeout=ACK_PAUSE_SECONDS if self._done else safety_interval)
                    except socket.timeout:
                        self._ack_done()
                        connection.heartbeat_check()
                        self.state.worked()
                    except OSError:
                        if not self.should_stop:
                            raise
                    else:
                        self.state.worked()
                        yield
                self._ack_done()
        finally:
            self._drop_batch()

    def _finished(self, message) -> None:
        """The message is done with: ack it, now or with the next run."""
        self._done, self._done_count = message, self._done_count + 1
        if self._done_count >= self._ack_every:
            self._ack_done()

    def _in_batch(self) -> None:
        """Open the transaction the coming run of messages is handled in, where acks go in runs and the store can."""
        if self._batch is None and self._ack_every > 1 and hasattr(self.store, "begin"):
            self._batch = self.store.begin()

    def _drop_batch(self) -> None:
        if self._batch is not None:
            batch, self._batch = self._batch, None
            batch.rollback()

    def _ack_done(self) -> None:
        if self._batch is not None:
            batch, self._batch = self._batch, None
            try:
                batch.commit()
            except Exception as exc:  # nothing of the run was kept: reconnect, and the broker gives it all again
                log.warning("could not commit a run of handled messages; they come again",
                            extra={"llais_service": self.service, "llais_error": describe(exc)[:200]})
                self._done, self._done_count = None, 0
                raise OSError(f"the store could not commit: {describe(exc)}") from exc
        if self._done is not None:
            message, self._done, self._done_count = self._done, None, 0
            if self._ack_every == 1:
                message.ack()
            else:
                message.ack(multiple=True)

    def on_connection_error(self, exc, interval):
        self.state.noted(exc)
        log.warning("broker connection lost; reconnecting", extra={"llais_service": self.service,
                                                                   "llais_retry_in": interval,
                                                                   "llais_error": exc.__class__.__name__})

    def on_connection_revived(self):
        log.info("consumer connected", extra={"llais_service": self.service})

    def on_message(self, message) -> None:
        headers = dict(message.headers or {})
        attempt = int(headers.get(ATTEMPT, 1) or 1)
        try:
            event = parse_event(message.body, headers)
            handler = self.handlers.get(event.type)
            if handler is None:
                raise ContractError(f"the {self.service} service has no handler for {event.type}")
        except ContractError as exc:
            log.warning("unreadable message parked", extra={"llais_service": self.service,
                                                            "llais_error": describe(exc)[:200]})
            self._send_on(message, self._parked(message, exc, attempt))
            return
        self._in_batch()
        if self.store.handled(event.id):
            self._finished(message)
            return
        with telemetry.span_from_headers(
            f"{event.type} process", headers, kind=SpanKind.CONSUMER,
            attributes={"messaging.system": "rabbitmq", "messaging.operation.type": "process",
                        "messaging.destination.name": self.names.main, "messaging.message.id": event.id,
                        "llais.event_type": event.type, "llais.attempt": attempt},
        ) as span:
            try:
                handle(handler, event, self.store)
            except StoreUnavailable:
                raise  # not the handler's failure: the message comes again once the store can be used
            except Exception as exc:  # any handler failure is retried, then parked with its error
                span.record_exception(exc)
                span.set_status(Status(StatusCode.ERROR))
                delays = self.settings.retry_delays
                log.warning("handler failed", extra={"llais_service": self.service, "llais_event_type": event.type,
                                                     "llais_event_id": event.id, "llais_attempt": attempt,
                                                     "llais_error": exc.__class__.__name__})
                if attempt > len(delays):
                    self._send_on(message, self._parked(message, exc, attempt))
                else:
                    self._send_on(message, self._retry(message, attempt, delays[attempt - 1]))
                return
        self._finished(message)

    def _copy(self, message, routing_key: str, headers: dict) -> Outgoing:
        properties = message.properties or {}
        return Outgoing(message.body if isinstance(message.body, bytes) else str(message.body).encode(),
                        routing_key, "", properties.get("message_id") or "", properties.get("type") or "",
                        headers)

    def _parked(self, message, exc: BaseException, attempt: int) -> Outgoing:
        headers = {**dict(message.headers or {}), ATTEMPT: attempt, ERROR: describe(exc), PARKED_AT: timestamp()}
        return self._copy(message, self.names.parking, headers)

    def _retry(self, message, attempt: int, delay: float) -> Outgoing:
        headers = {**dict(message.headers or {}), ATTEMPT: attempt + 1}
        return self._copy(message, self.names.retry(delay), headers)

    def _send_on(self, message, outgoing: Outgoing) -> None:
        """Publish the retry or parked copy (confirmed), then ack the original; requeue it if that fails."""
        self._ack_done()  # the acks owed go first: one covering several tags must not cover this one
        try:
            self.publisher.publish([outgoing])
        except PublishFailed as exc:
            log.warning("could not move a failed message on; it goes back to the queue",
                        extra={"llais_service": self.service, "llais_error": describe(exc)[:200]})
            time.sleep(1.0)
            message.requeue()
            return
        message.ack()


class Worker:
    def __init__(self, service: str, store: Store, settings: Settings, *,
                 handlers: Mapping[str, Handler] | None = None, periodic: Sequence[Periodic] = ()):
        self.service = service
        self.store = store
        self.settings = settings
        self.handlers = dict(handlers or {})
        self.periodic = list(periodic)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.relay = OutboxRelay(store, settings, service=service)
        self._consumer: EventConsumer | None = None
        self._threads: list[threading.Thread] = []
        self._states: dict[str, LoopState] = {}
        self.work: Wakeup = store.changes
        """Signalled after every commit to the store in this process (a handler's, or in the embedded mode a request's
        too): it may have given work to the tasks woken by events."""

    def run(self, stop: threading.Event | None = None) -> None:
        """Consume, relay and run the periodic tasks until `stop` is set."""
        stop = stop or self._stop
        self._declare_own_queues()
        self._states = {name: LoopState(name, self.service)
                        for name in ["relay", *(["consumer"] if self.handlers else []),
                                     *(task.name for task in self.periodic)]}
        loops: list[tuple[str, Callable[[], None]]] = [("relay", lambda: self._relay(stop))]
        if self.handlers:
            self._consumer = EventConsumer(self.service, self.handlers, self.store, self.settings,
                                           ConfirmingPublisher(self.settings), self._states["consumer"])
            loops.append(("consumer", lambda: self._consume(stop)))
        for task in self.periodic:
            loops.append((task.name, lambda task=task: self._every(task, stop)))
        threads = [threading.Thread(target=body, name=f"{self.service}-{name}", daemon=True) for name, body in loops]
        self._threads = threads
        for thread in threads:
            thread.start()
        stop.wait()
        self.work.notify()
        self.store.new_events.notify()
        if self._consumer is not None:
            self._consumer.should_stop = True
        for thread in threads:
            thread.join(timeout=10)
        self.relay.close()

    def _declare_own_queues(self) -> None:
        """Declare this service's queues before relaying or consuming, so nothing published meanwhile is dropped.

        A broker that is down now is not fatal: the consumer declares them again whenever it (re)connects.
        """
        if not self.handlers:
            return
        try:
            declare_topology(self.settings, {self.service: list(self.handlers)})
        except Exception as exc:  # the broker may be down at start; the consumer loop will declare on connecting
            log.warning("could not declare queues yet", extra={"llais_service": self.service,
                                                               "llais_error": describe(exc)[:200]})

    def _relay(self, stop: threading.Event) -> None:
        self.relay.run(stop, self.store.new_events, RELAY_POLL_SECONDS, self._states["relay"])

    def _consume(self, stop: threading.Event) -> None:
        """kombu's consumer loop outlives a broker that drops; this outlives whatever else ends it (a store or bus
        file that cannot be used): what it had not acked comes again when it consumes again."""
        state = self._states["consumer"]
        while not stop.is_set():
            try:
                self._consumer.run()
            except Exception as exc:  # any failure: wait, then consume again, for as long as the worker runs
                stop.wait(state.failed(exc))

    def _every(self, task: Periodic, stop: threading.Event) -> None:
        state = self._states[task.name]
        while not stop.is_set():
            seen = self.work.generation
            try:
                task.run()
            except Exception as exc:  # one failing run must not end the task: run again after a growing wait
                stop.wait(state.failed(exc))
                continue
            state.worked()
            if task.woken_by_events:
                self.work.wait(seen, task.interval)
            else:
                stop.wait(task.interval)

    def loops(self) -> dict[str, bool]:
        """Each of the worker's loops (consumer, relay, periodic tasks) and whether it is running."""
        return {thread.name: thread.is_alive() for thread in self._threads}

    def failing(self) -> dict[str, dict]:
        """The loops failing now (each trying again after a growing wait): since when, and why."""
        failing = {name: state.failing() for name, state in self._states.items()}
        return {f"{self.service}-{name}": since for name, since in failing.items() if since is not None}

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self.run, args=(self._stop,), name=f"{self.service}-worker",
                                        daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
