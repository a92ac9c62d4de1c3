"""The store: one small interface over each service's own database.

A service keeps documents (JSON objects with an id and an optimistic version) in named collections. One `commit`
writes one document, the events that change causes (the outbox) and the id of the event being handled (the inbox)
atomically: all of it or none of it. The relay claims outbox entries with a lease, publishes them and marks them
sent. That is the whole interface; it is deliberately not a query language.

A service finds documents by equality on a few fields (and a job picking due work by a moment a field has reached),
and says which beforehand: it declares each combination it finds by as an `Index`, plain data passed to
`ensure_indexes` at start-up. The store keeps an index for each and answers every such find from it, in id order,
however many documents the collection holds. In strict mode (the tests', LLAIS_STRICT_QUERIES) a find no declared
index answers is refused, so a new query cannot quietly read a whole collection.

Adapters: `SQLiteStore` (embedded default, one file per service) and `MongoStore` (production, one database per
service). `open_store` picks one from the settings.
"""

from __future__ import annotations

import json
import logging
import re
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Callable, Iterable, Iterator, Mapping, Protocol, Sequence

from shared.contracts import Event
from shared.wakeup import Wakeup

log = logging.getLogger("llais.store")


class StoreError(Exception):
    """Base of the store's named errors."""


class VersionConflict(StoreError):
    """The document changed (or came to exist) since it was read: reload and decide again."""


class AlreadyHandled(StoreError):
    """The inbox already holds this event id: its effects were committed before."""


class StoreUnavailable(StoreError):
    """The database cannot be reached."""


class KeyUsed(StoreError):
    """The Idempotency-Key is recorded already, with the effect an earlier request made: nothing was written."""


class UndeclaredFind(StoreError):
    """A strict store was asked to find by fields no declared index answers: declare the `Index` (in the service's
    store.py) or find by fields already declared."""


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
    """An event waiting to be published: its envelope as the JSON that goes on the wire, and its headers."""

    id: str
    type: str
    body: bytes
    headers: dict

    @property
    def envelope(self) -> dict:
        """The envelope read back, for a reader of its fields (the relay publishes `body` as it is)."""
        return json.loads(self.body)


_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)*$")
_COLLECTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def check_field(name: str) -> None:
    """Refuse anything but a plain (dotted) field name, so a filter can never smuggle in query syntax."""
    if not isinstance(name, str) or not _FIELD.match(name):
        raise ValueError(f"not a field name: {name!r}")


@dataclass(frozen=True)
class AtMost:
    """A filter value: the field's value is at most this one. For jobs that pick due work by a moment stored as
    UTC RFC 3339 text (`2026-11-23T09:00:00.123+00:00`), which sorts as the moments do."""

    value: str | int | float

    def __post_init__(self) -> None:
        if isinstance(self.value, bool) or not isinstance(self.value, (str, int, float)):
            raise ValueError(f"AtMost takes text or a number, not {type(self.value).__name__}")


Filter = Mapping[str, Any]
"""Equality on (dotted) fields; a list or tuple value means 'any of these'; an `AtMost` value bounds the field."""


@dataclass(frozen=True)
class Index:
    """One combination of fields a service finds a collection's documents by.

    A find whose filter names exactly these fields (in any order) is answered from the index, in id order: equality
    or any-of on each, and the last field may instead be bounded with `AtMost` (so put a due time last). The order
    of `fields` is the index's; the id follows them, so equal values come out already in id order.
    """

    collection: str
    fields: tuple[str, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.collection, str) or not _COLLECTION.match(self.collection):
            raise ValueError(f"not a collection name: {self.collection!r}")
        if isinstance(self.fields, str) or not self.fields or len(set(self.fields)) != len(self.fields):
            raise ValueError(f"an index needs one or more distinct fields, not {self.fields!r}")
        for name in self.fields:
            check_field(name)

    @property
    def name(self) -> str:
        """Its name in the database: says what it is for, and differs whenever the fields do."""
        return f"find:{self.collection}:{','.join(self.fields)}"

    def answers(self, collection: str, where: Filter) -> bool:
        """Whether a find of `collection` by `where` is answered from this index."""
        return (collection == self.collection and set(where) == set(self.fields)
                and not any(isinstance(where[name], AtMost) for name in self.fields[:-1]))


def every_combination(collection: str, fields: Sequence[str]) -> tuple[Index, ...]:
    """An index for each combination of `fields`, for a listing whose filters are each optional: a find by any of
    them together is then answered in id order, however few of the documents match."""
    return tuple(Index(collection, chosen) for size in range(1, len(fields) + 1)
                 for chosen in combinations(fields, size))


class Declared:
    """The indexes one store was told of, and what to do with a find none answers: refuse it (strict) or answer
    it without an index, saying so in the log once for each collection and combination of fields."""

    def __init__(self) -> None:
        self.indexes: tuple[Index, ...] = ()
        self.strict = False
        self._warned: set[tuple[str, frozenset[str]]] = set()

    def add(self, indexes: Iterable[Index], strict: bool) -> tuple[Index, ...]:
        """Remember `indexes`; return those not known before."""
        added = tuple(dict.fromkeys(i for i in indexes if i not in self.indexes))
        self.indexes = self.indexes + added
        self.strict = self.strict or strict
        return added

    def answering(self, collection: str, where: Filter) -> Index | None:
        """The index that answers this find; None for a find by no fields (the id's order answers it) and for an
        undeclared one a lenient store answers without an index."""
        if not where:
            return None
        for index in self.indexes:
            if index.answers(collection, where):
                return index
        shape = (collection, frozenset(where))
        if self.strict:
            raise UndeclaredFind(f"no declared index answers a find of {collection} by {', '.join(sorted(where))}")
        if self.indexes and shape not in self._warned:
            self._warned.add(shape)
            log.warning("a find no declared index answers reads the whole collection",
                        extra={"llais_collection": collection, "llais_fields": sorted(where)})
        return None


EventRef = tuple[str, str]
"""An event as the services that wait for it name it: (id, type)."""

@dataclass
class Committed:
    """What the commits of one context wrote: its events in order, and the events it recorded as handled."""

    events: list[EventRef]
    handled: set[str]


_committed: ContextVar[Committed | None] = ContextVar("llais_committed", default=None)


@contextmanager
def collecting_events() -> Iterator[Committed]:
    """Gather what every commit in this context wrote: a request's events, so the gateway knows what is still
    travelling when it answers; a handled event's, so the inbox records everything its handling caused, however
    many commits that took."""
    token = _committed.set(Committed([], set()))
    try:
        yield _committed.get()  # type: ignore[misc]
    finally:
        _committed.reset(token)


def caused_with(events: Sequence[Event]) -> list[EventRef]:
    """What a commit's inbox entry records: the events committed earlier in this context, then its own."""
    earlier = _committed.get()
    return [*(earlier.events if earlier else ()), *((event.id, event.type) for event in events)]


def note_committed(events: Sequence[Event], handled: str | None) -> None:
    """Called by an adapter once a commit holding `events` (and recording `handled`) has succeeded."""
    gathered = _committed.get()
    if gathered is not None:
        gathered.events.extend((event.id, event.type) for event in events)
        if handled is not None:
            gathered.handled.add(handled)


@dataclass
class KeyedRequest:
    """A command sent under an Idempotency-Key (`key`: scoped to the caller and the operation by whoever sent it),
    as its owner records it in the same write as the effect it makes: the first commit with a document (of
    `collection`, when the command writes others first) in the context `keyed` opens records the key beside that
    document, so the effect and its key are kept together or not at all, and no second effect can be recorded under
    the key."""

    key: str
    request_hash: str
    expires_at: float
    collection: str | None = None
    recorded_with: tuple[str, str] | None = None
    """(collection, id) of the document the key was recorded with, once it is."""


@dataclass(frozen=True)
class KeyRecord:
    """What a store keeps of a key: the request's hash, the document its effect made or changed, and the answer
    given (None until it is kept, or where the process died between the effect and its answer)."""

    key: str
    request_hash: str
    collection: str
    id: str
    answer: dict | None
    expires_at: float


_keyed: ContextVar[KeyedRequest | None] = ContextVar("llais_keyed", default=None)


@contextmanager
def keyed(request: KeyedRequest) -> Iterator[KeyedRequest]:
    """Record `request`'s key with the first document a commit in this context writes."""
    token = _keyed.set(request)
    try:
        yield request
    finally:
        _keyed.reset(token)


def key_to_record(put: Put | None) -> KeyedRequest | None:
    """The key an adapter records with this commit: the context's, if this is its first commit of a document."""
    request = _keyed.get()
    if put is None or request is None or request.recorded_with is not None:
        return None
    return request if request.collection in (None, put.collection) else None


def note_key_recorded(request: KeyedRequest, put: Put) -> None:
    """Called by an adapter once the commit that recorded `request`'s key with `put` has succeeded."""
    request.recorded_with = (put.collection, put.id)


class Store(Protocol):
    changes: Wakeup
    """Signalled after every commit, for what in this process waits for work a commit may give (a dispatcher, a
    call waiting for an event to be handled)."""
    new_events: Wakeup
    """Signalled after a commit that added events to the outbox: the relay's signal."""

    def get(self, collection: str, id: str) -> Document | None: ...

    def find(self, collection: str, where: Filter | None = None, *, limit: int = 50,
             after: str | None = None) -> list[Document]:
        """Documents matching `where`, in id order, at most `limit`, with ids greater than `after`.

        Answered from the declared index whose fields are exactly those of `where`; in strict mode, UndeclaredFind
        when there is none.
        """

    def ensure_indexes(self, indexes: Iterable[Index], *, strict: bool = False) -> None:
        """Create the indexes the service finds by (those that exist stay as they are); `strict` refuses, from now
        on, any find with a filter none of the declared indexes answers."""

    def commit(self, put: Put | None = None, *, events: Sequence[Event] = (), handled: str | None = None) -> int:
        """Atomically write the document, append the events to the outbox and record `handled` in the inbox.

        With a document, in a `keyed` context whose key is not yet recorded, the key is recorded with it.

        Returns the document's new version (0 when there is no document). Raises VersionConflict, AlreadyHandled or
        KeyUsed, in which case nothing was written.
        """

    def remove(self, collection: str, id: str, expected_version: int) -> None:
        """Delete the document as it was read (for erasure, when a record's time is up); VersionConflict when it
        changed or went meanwhile, or (MongoDB) still carries events not yet published: nothing is removed then."""

    def handled(self, event_id: str) -> bool: ...

    def forget_handled(self, before: float) -> int:
        """Forget the inbox entries of events handled before `before` (a time.time()), through an index on when
        they were handled; how many. Only once no redelivery of them can come (the longest redelivery window)."""

    def key_record(self, key: str) -> KeyRecord | None:
        """What was recorded under an Idempotency-Key (`KeyedRequest.key`), if it is kept still."""

    def keep_answer(self, key: str, answer: dict) -> None:
        """Keep the answer given to the request that recorded `key`, for a repeat to be given again."""

    def forget_keys(self, before: float) -> int:
        """Forget the keys that expire before `before` (a time.time()), through their index; how many."""

    def consequences(self, event_ids: Sequence[str]) -> dict[str, list[EventRef]]:
        """For each of `event_ids` already handled here, the events its handling committed (often none)."""

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


Position = tuple[str, int]
"""Where a listing stopped: the id of the last document it read, and how many of that document's items it gave (0
when it gave them all)."""


def find_page(store: Store, collection: str, where: Filter | None, *, limit: int, after: Position | None = None,
              items: Callable[[Document], Sequence[Any]] = lambda d: [d.body]) -> tuple[list[Any], Position | None]:
    """A page of a listing: at most `limit` of the items that `items` makes of each document matching `where` (its
    body, or none or several things it holds), in the documents' id order, and where the next page starts (None
    when nothing follows). Documents are read a page at a time from the index, from `after` on, and only until
    the page is full; a next page is promised only when an item follows, so an empty page is never promised."""

    def positioned(document: Document, start: int = 0) -> list[tuple[Position, Any]]:
        made = items(document)
        return [((document.id, 0 if n == len(made) else n), item) for n, item in enumerate(made[start:], start + 1)]

    given: list[tuple[Position, Any]] = []
    last = after[0] if after else None
    if after and after[1]:  # the page before stopped inside this document's items
        resumed = store.get(collection, after[0])
        given += positioned(resumed, after[1]) if resumed else []
    while len(given) <= limit:
        page = store.find(collection, where, limit=limit + 1, after=last)
        for document in page:
            last = document.id
            given += positioned(document)
            if len(given) > limit:
                break
        if len(page) <= limit:
            break  # the store has no more
    if len(given) > limit:
        return [item for _, item in given[:limit]], given[limit - 1][0]
    return [item for _, item in given], None


def bring_up_to_date(store: Store, collection: str, up_to_date: Callable[[dict], dict | None], *,
                     page_size: int = 500) -> int:
    """Rewrite each document of `collection` that `up_to_date` changes (it returns the new body, or None when the
    body is current), page by page in id order; how many were rewritten. For records kept by an earlier version that
    lack a field the service now finds by. A document changed meanwhile is read again; running it twice does no
    more."""
    rewritten, after = 0, None
    while page := store.find(collection, None, limit=page_size, after=after):
        for document in page:
            for _ in range(5):
                body = up_to_date(document.body) if document is not None else None
                if body is None:
                    break
                try:
                    store.commit(Put.update(document, body))
                except VersionConflict:
                    document = store.get(collection, document.id)
                    continue
                rewritten += 1
                break
        after = page[-1].id
    return rewritten


def open_store(service: str, settings: Any) -> Store:
    """The store of one service, as the settings choose: MongoDB when MONGO_URL is set, else SQLite, whose writers
    wait for a file another holds no longer than a call waits for events (LLAIS_SETTLE_SECONDS), so a locked file
    is answered 503 rather than left hanging."""
    if settings.mongo_url:
        from shared.store.mongo import MongoStore

        return MongoStore.connect(settings.mongo_url, database=f"llais_{service}")
    from shared.store.sqlite import SQLiteStore

    return SQLiteStore(settings.data_dir / f"{service}.sqlite3", busy_timeout_ms=settings.settle_seconds * 1000)


__all__ = [
    "AlreadyHandled", "AtMost", "Committed", "Document", "EventRef", "Filter", "Index", "KeyRecord", "KeyUsed",
    "KeyedRequest", "OutboxEntry", "Put", "Store", "StoreError", "StoreUnavailable", "UndeclaredFind", "VersionConflict",
    "bring_up_to_date", "caused_with", "check_field", "collecting_events", "every_combination", "find_all",
    "key_to_record", "keyed", "note_committed", "note_key_recorded", "open_store",
]
