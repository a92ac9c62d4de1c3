"""Notify's repository: councils' webhooks, what it knows of each referral's consent and referrer, and every
message made, attempted or withheld."""

from __future__ import annotations

from datetime import datetime

from shared.store import Document, Put, Store, VersionConflict

WEBHOOKS = "webhooks"
REFERRALS = "referrals"
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

    def referral(self, referral_id: str) -> Document | None:
        return self.store.get(REFERRALS, referral_id)

    def record_all(self, records: list[tuple[str, dict]], handled: str) -> None:
        """Write each (collection, record) once, the last with the inbox entry; records that exist already (an
        earlier delivery of the same event got that far) are left as they are."""
        for index, (collection, record) in enumerate(records):
            last = index == len(records) - 1
            try:
                self.store.commit(Put.new(collection, record["id"], record), handled=handled if last else None)
            except VersionConflict:
                if last:
                    self.store.commit(handled=handled)
        if not records:
            self.store.commit(handled=handled)

    def pending(self, limit: int = 100, after: str | None = None) -> list[Document]:
        return self.store.find(DELIVERIES, {"status": "pending"}, limit=limit, after=after)

    def claim(self, document: Document, claimed_until: datetime) -> Document:
        """Take the delivery for one attempt; VersionConflict when another dispatcher has it."""
        body = {**document.body, "claimed_until": claimed_until.isoformat()}
        version = self.store.commit(Put.update(document, body))
        return Document(document.collection, document.id, version, body)

    def update(self, document: Document, body: dict) -> None:
        self.store.commit(Put.update(document, body))

    def deliveries(self, where: dict, limit: int = 200, after: str | None = None) -> list[Document]:
        return self.store.find(DELIVERIES, where, limit=limit, after=after)

    def unsent(self, where: dict, limit: int = 200) -> list[Document]:
        return self.store.find(UNSENT, where, limit=limit)
