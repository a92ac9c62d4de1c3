"""Notify's repository: councils' webhooks and every delivery made or attempted."""

from __future__ import annotations

from datetime import datetime

from shared.contracts import Event
from shared.store import Document, Put, Store

WEBHOOKS = "webhooks"
DELIVERIES = "deliveries"
UNSENT = "unsent"


class NotifyStore:
    def __init__(self, store: Store):
        self.store = store

    def webhook(self, council: str) -> Document | None:
        return self.store.get(WEBHOOKS, council)

    def set_webhook(self, council: str, body: dict) -> None:
        current = self.webhook(council)
        self.store.commit(Put.update(current, body) if current else Put.new(WEBHOOKS, council, body))

    def add_delivery(self, delivery: dict, handled: Event) -> None:
        self.store.commit(Put.new(DELIVERIES, delivery["id"], delivery), handled=handled.id)

    def record_unsent(self, record: dict, handled: Event) -> None:
        self.store.commit(Put.new(UNSENT, record["id"], record), handled=handled.id)

    def pending(self, limit: int = 100) -> list[Document]:
        return self.store.find(DELIVERIES, {"status": "pending"}, limit=limit)

    def claim(self, document: Document, claimed_until: datetime) -> Document:
        """Take the delivery for one attempt; VersionConflict when another dispatcher has it."""
        body = {**document.body, "claimed_until": claimed_until.isoformat()}
        version = self.store.commit(Put.update(document, body))
        return Document(document.collection, document.id, version, body)

    def update(self, document: Document, body: dict) -> None:
        self.store.commit(Put.update(document, body))

    def deliveries(self, where: dict, limit: int = 200, after: str | None = None) -> list[Document]:
        return self.store.find(DELIVERIES, where, limit=limit, after=after)
