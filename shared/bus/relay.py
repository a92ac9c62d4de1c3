"""The outbox relay: publishes what services committed to their outbox, and only then marks it sent.

A crash between publishing and marking sent publishes those events again later; consumers' inboxes absorb the
duplicates. A broker that is down leaves the events in the outbox until it is back.
"""

from __future__ import annotations

import os
import socket
import threading

from shared import telemetry
from shared.bus.loops import LoopState
from shared.bus.publisher import ConfirmingPublisher, Outgoing, PublishFailed
from shared.clock import new_id
from shared.config import Settings
from shared.store import Store
from shared.wakeup import Wakeup


class OutboxRelay:
    def __init__(self, store: Store, settings: Settings, *, service: str = "", owner: str | None = None,
                 batch: int = 100, lease_seconds: float = 30.0, publisher: ConfirmingPublisher | None = None):
        self.service = service
        self.store = store
        self.settings = settings
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{new_id()[-8:]}"
        self.batch = batch
        self.lease_seconds = lease_seconds
        self.publisher = publisher or ConfirmingPublisher(settings)

    def run_once(self) -> int:
        """Publish one batch of pending events; return how many were sent (0 when none were pending)."""
        entries = self.store.claim_outbox(self.owner, limit=self.batch, lease_seconds=self.lease_seconds)
        if not entries:
            return 0
        messages = []
        for entry in entries:
            carried = telemetry.publish_span(
                f"{entry.type} publish", entry.headers,
                attributes={"messaging.system": "rabbitmq", "messaging.operation.type": "publish",
                            "messaging.destination.name": self.settings.exchange,
                            "messaging.message.id": entry.id, "llais.event_type": entry.type})
            messages.append(Outgoing(entry.body, entry.type, self.settings.exchange, entry.id, entry.type,
                                     {**entry.headers, **carried}))
        self.publisher.publish(messages)
        self.mark_sent([entry.id for entry in entries])
        return len(entries)

    def run(self, stop: threading.Event, wake: Wakeup, poll_seconds: float, state: LoopState | None = None) -> None:
        """Publish until `stop` is set: straight away whenever `wake` says a commit gave it work, and every
        `poll_seconds` for work no signal announces (another process's commits, a lease that ran out). A broker or
        bus that is down, or a store that cannot be used, leaves the events in the outbox: `state` says so, and the
        relay tries again after a growing wait."""
        state = state or LoopState("relay", self.service)
        while not stop.is_set():
            seen = wake.generation
            try:
                sent = self.run_once()
            except Exception as exc:  # the store or the bus cannot be used now; the events stay in the outbox
                stop.wait(state.failed(exc))
                continue
            state.worked()
            if sent < self.batch:
                wake.wait(seen, poll_seconds)

    def mark_sent(self, entry_ids: list[str]) -> None:
        self.store.mark_sent(entry_ids)

    def close(self) -> None:
        self.publisher.close()


__all__ = ["OutboxRelay", "PublishFailed"]
