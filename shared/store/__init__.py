"""The store: one small interface over each service's own database.

A service keeps documents (JSON objects with an id and an optimistic version) in named collections. One `commit`
writes one document, the events that change causes (the outbox) and the id of the event being handled (the inbox)
atomically: all of it or none of it. The relay claims outbox entries with a lease, publishes them and marks them
sent. That is the whole interface; it is deliberately not a query language.

Adapters: `SQLiteStore` (embedded default, one file per service) and `MongoStore` (production, one database per
service). `open_store` picks one from the settings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Protocol, Sequence

from shared.contracts import Event


class StoreError(Exception):
    """Base of the store's named errors."""


class VersionConflict(StoreError):
    """The document changed (or came to exist) since it was read: reload and decide again."""


class AlreadyHandled(StoreError):
    """The inbox already holds this event id: its effects were committed before."""


class StoreUnavailable(StoreError):
    """The database cannot be reached."""


@dataclass(frozen=True)
class Document:
    collection: str
    id: str
    version: int
    body: dict


@dataclass(frozen=True)
class Put:
    """Write `body` as document `id`; `expected_version` 0 means the document must not exist yet."""

    collection: str
    id: str
    body: Mapping[str, Any]
    expected_version: int

    @classmethod
    def new(cls, collection: str, id: str, body: Mapping[str, Any]) -> "Put":
        return cls(collection, id, body, 0)

    @classmethod
    def update(cls, document: Document, body: Mapping[str, Any]) -> "Put":
        return cls(document.collection, document.id, body, document.version)


@dataclass(frozen=True)
class OutboxEntry:
    id: str
    envelope: dict
    headers: dict


_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")


def check_field(name: str) -> None:
    """Refuse anything but a plain (dotted) field name, so a filter can never smuggle in query syntax."""
    if not isinstance(name, str) or not _FIELD.match(name):
        raise ValueError(f"not a field name: {name!r}")


Filter = Mapping[str, Any]
"""Equality on (dotted) fields; a list or tuple value means 'any of these'."""


class Store(Protocol):
    def get(self, collection: str, id: str) -> Document | None: ...

    def find(self, collection: str, where: Filter | None = None, *, limit: int = 50,
             after: str | None = None) -> list[Document]:
        """Documents matching `where`, in id order, at most `limit`, with ids greater than `after`."""

    def commit(self, put: Put | None = None, *, events: Sequence[Event] = (), handled: str | None = None) -> int:
        """Atomically write the document, append the events to the outbox and record `handled` in the inbox.

        Returns the document's new version (0 when there is no document). Raises VersionConflict or
        AlreadyHandled, in which case nothing was written.
        """

    def handled(self, event_id: str) -> bool: ...

    def claim_outbox(self, owner: str, *, limit: int = 100, lease_seconds: float = 30.0) -> list[OutboxEntry]:
        """Pending outbox entries, oldest first, leased to `owner` so no other relay takes them meanwhile."""

    def mark_sent(self, entry_ids: Sequence[str]) -> None: ...

    def outbox_stats(self) -> dict:
        """{'pending': n, 'oldest_age_seconds': s} for metrics and readiness."""

    def ping(self) -> None:
        """Raise StoreUnavailable unless the database answers."""

    def close(self) -> None: ...


def find_all(store: Store, collection: str, where: Filter | None = None, *, page_size: int = 200) -> list[Document]:
    """Every document matching `where`, read page by page in id order."""
    found: list[Document] = []
    while page := store.find(collection, where, limit=page_size, after=found[-1].id if found else None):
        found.extend(page)
    return found


def open_store(service: str, settings: Any) -> Store:
    """The store of one service, as the settings choose: MongoDB when MONGO_URL is set, else SQLite."""
    if settings.mongo_url:
        from shared.store.mongo import MongoStore

        return MongoStore.connect(settings.mongo_url, database=f"llais_{service}")
    from shared.store.sqlite import SQLiteStore

    return SQLiteStore(settings.data_dir / f"{service}.sqlite3")


__all__ = [
    "AlreadyHandled", "Document", "Filter", "OutboxEntry", "Put", "Store", "StoreError", "StoreUnavailable",
    "VersionConflict", "check_field", "open_store",
]
