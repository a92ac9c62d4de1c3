"""The unit of work: how every handler of every service reads and writes its store.

A handler takes `(message, uow)`: the command or event it handles and the unit of work of that handling. It reads
through `uow.get` and `uow.find` (the store's own read interface, so a service's repository reads either) and
writes only through the unit of work:

- `uow.change(collection, id, decide)`: load the document, let `decide(body)` return the new body with the events
  the change causes (or None: nothing to change), and commit all of it atomically; if another writer got in
  between, load and decide again from the top, and say `Busy` if that keeps happening.
- `uow.create(collection, id, body, events)`: create once. A document that exists already was made by an earlier
  delivery of the same event (or a request that got there first); the answer is then False and nothing is written.
- `uow.update(document, body, events)`: write over a document as it was read, or not at all (for a job that picks
  due work another worker may pick too); `uow.remove(document)` deletes one so (erasure, shared/erasure.py).

While it handles an event, its id goes into the inbox with the write that ends the handling: every write does so
unless told it is a step before others (`last=False`), and `done()` records it alone when the handling wrote
nothing. So an event's effects, its events and its inbox entry are committed together or not at all, and a
redelivery is recognised. `handle` is how the worker (and a test) runs an event handler; where the store can hold
several commits in one transaction (SQLite's `together`), a handling that writes more than once commits once.
"""

from __future__ import annotations

from contextlib import nullcontext
from typing import Callable, Mapping, Sequence, Tuple

from shared.contracts import Event
from shared.errors import Busy, NotFound
from shared.store import AlreadyHandled, Document, Filter, Put, Store, VersionConflict, collecting_events

CONFLICT_RETRIES = 5

Decision = Tuple[Mapping, Sequence[Event]]
"""What a decision returns: the document's new body and the events the change causes."""
Decide = Callable[[dict], "Decision | None"]


class UnitOfWork:
    """One command's or one event's work on a service's store."""

    def __init__(self, store: Store, handling: Event | None = None, *, retries: int = CONFLICT_RETRIES):
        self.store = store
        self.handling = handling.id if handling is not None else None
        self.retries = retries
        self._recorded = False

    # reads: the store's own interface

    def get(self, collection: str, id: str) -> Document | None:
        return self.store.get(collection, id)

    def find(self, collection: str, where: Filter | None = None, *, limit: int = 50,
             after: str | None = None) -> list[Document]:
        return self.store.find(collection, where, limit=limit, after=after)

    # writes

    def change(self, collection: str, id: str, decide: Decide, *, missing: Callable[[], Exception] | None = None,
               initial: Mapping | None = None, last: bool = True) -> dict:
        """Load, decide and commit, from the top again on a version conflict. Returns the new body, or the body as
        it stands when `decide` changed nothing. A document that is not there is decided on from `initial` and
        created when one is given; otherwise it raises `missing()` (NotFound by default)."""
        for _ in range(self.retries):
            document = self.get(collection, id)
            if document is None and initial is None:
                raise missing() if missing else NotFound(f"no {collection} {id}")
            current = dict(initial) if document is None else document.body  # type: ignore[arg-type]
            decision = decide(current)
            if decision is None:
                return current
            body, events = decision
            try:
                self._commit(Put.update(document, body) if document else Put.new(collection, id, body), events, last)
            except VersionConflict:
                continue
            return dict(body)
        raise Busy(f"{collection} {id} kept changing; try again")

    def update(self, document: Document, body: Mapping, events: Sequence[Event] = (), *,
               last: bool = True) -> Document | None:
        """Write `body` over `document` as it was read, once: the document as written, or None (and nothing
        written) if another writer changed it first. For a job that picks work another worker may pick too; a
        decision that should be made again on what the other wrote uses `change`."""
        try:
            version = self._commit(Put.update(document, body), events, last)
        except VersionConflict:
            return None
        return Document(document.collection, document.id, version, dict(body))

    def create(self, collection: str, id: str, body: Mapping, events: Sequence[Event] = (), *,
               last: bool = True) -> bool:
        """Write a new document with its events, once: False (and nothing written) if it exists already."""
        try:
            self._commit(Put.new(collection, id, body), events, last)
        except VersionConflict:
            return False
        return True

    def remove(self, document: Document) -> bool:
        """Delete `document` as it was read, once (erasure): False, and nothing removed, if another writer changed
        it first. It records no handled event: a job's step, not an event's handling."""
        try:
            self._remove(document)
        except VersionConflict:
            return False
        return True

    def done(self) -> None:
        """Record the event being handled as handled, if no write has yet."""
        if self.handling is not None and not self._recorded:
            self._commit(None, (), True)

    def _commit(self, put: Put | None, events: Sequence[Event], last: bool) -> int:
        handled = self.handling if last and not self._recorded else None
        version = self._write(put, events, handled)
        if handled is not None:
            self._recorded = True
        return version

    def _write(self, put: Put | None, events: Sequence[Event], handled: str | None) -> int:
        """The one place a unit of work writes: one atomic commit of the store; the document's new version."""
        return self.store.commit(put, events=events, handled=handled)

    def _remove(self, document: Document) -> None:
        """The one place a unit of work removes."""
        self.store.remove(document.collection, document.id, document.version)


EventHandler = Callable[[Event, UnitOfWork], None]


def handle(handler: EventHandler, event: Event, store: Store) -> None:
    """Handle `event` once: its effects, the events they cause and its inbox entry, which records everything the
    handling committed (however many writes that took). An event already handled changes nothing: the write that
    would record it again is refused whole.

    On SQLite the handling's writes are one transaction (`together`), so a crash or a failure between two of them
    leaves none. On MongoDB each write is one document; there a handling that writes more than once writes its steps
    so that each is done once (`create`) or decided again (`change`) when the event comes again, its inbox entry
    with the last."""
    together = getattr(store, "together", None)
    with together() if together is not None else nullcontext():
        handle_in(handler, event, UnitOfWork(store, event))


def handle_in(handler: EventHandler, event: Event, uow: UnitOfWork) -> None:
    """`handle`, in a unit of work of the caller's (a test's in-memory one)."""
    try:
        with collecting_events():
            handler(event, uow)
            uow.done()
    except AlreadyHandled:
        pass  # another delivery of it got there first


__all__ = ["CONFLICT_RETRIES", "Decide", "Decision", "EventHandler", "UnitOfWork", "handle", "handle_in"]
