"""A unit of work held in memory, for testing handlers without a store or a broker (cosmicpython's style).

It keeps documents, the events committed and the events recorded as handled, and commits exactly as the store
does: one document at a time with its events, refused whole on a version conflict or an event handled before.
`another_writer` lets a test change a document between a handler's read and its write, as a concurrent request
would.
"""

from __future__ import annotations

from typing import Callable, Sequence

from shared.contracts import Event
from shared.store import AlreadyHandled, AtMost, Document, Filter, Put, VersionConflict
from shared.unit_of_work import UnitOfWork, handle_in


def _value(body: dict, field: str):
    for part in field.split("."):
        body = body.get(part) if isinstance(body, dict) else None
    return body


def _matches(body: dict, where: Filter) -> bool:
    for field, wanted in where.items():
        value = _value(body, field)
        if isinstance(wanted, AtMost):
            if value is None or value > wanted.value:
                return False
        elif isinstance(wanted, (list, tuple)):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


class FakeUnitOfWork(UnitOfWork):
    def __init__(self, handling: Event | None = None):
        super().__init__(store=None, handling=handling)  # type: ignore[arg-type]
        self.documents: dict[tuple[str, str], Document] = {}
        self.events: list[Event] = []
        self.handled: list[str] = []
        self.written: list[Put | None] = []
        self._before_write: list[Callable[["FakeUnitOfWork"], None]] = []

    def handling_of(self, event: Event) -> "FakeUnitOfWork":
        """The unit of work of handling `event` next, over the same documents, events and inbox."""
        following = FakeUnitOfWork(event)
        following.documents, following.events, following.handled = self.documents, self.events, self.handled
        following.written = self.written
        return following

    @property
    def writes(self) -> int:
        """How many commits were made (in this unit of work and those handling_of made)."""
        return len(self.written)

    # what a test arranges

    def given(self, collection: str, id: str, body: dict) -> None:
        """A document that is there before the handler runs."""
        self.documents[(collection, id)] = Document(collection, id, 1, dict(body))

    def another_writer(self, change: Callable[["FakeUnitOfWork"], None]) -> None:
        """Run `change` just before the next write, as a concurrent writer would."""
        self._before_write.append(change)

    def written_by_another(self, collection: str, id: str, body: dict) -> None:
        """Another writer's commit of the document: its version moves on."""
        current = self.documents.get((collection, id))
        self.documents[(collection, id)] = Document(collection, id, (current.version if current else 0) + 1,
                                                    dict(body))

    def body(self, collection: str, id: str) -> dict | None:
        document = self.documents.get((collection, id))
        return document.body if document else None

    def types(self) -> list[str]:
        return [event.type for event in self.events]

    # the unit of work's reads and its one write

    def get(self, collection: str, id: str) -> Document | None:
        return self.documents.get((collection, id))

    def find(self, collection: str, where: Filter | None = None, *, limit: int = 50,
             after: str | None = None) -> list[Document]:
        found = sorted((d for (c, _), d in self.documents.items()
                        if c == collection and (after is None or d.id > after) and _matches(d.body, where or {})),
                       key=lambda d: d.id)
        return found[:limit]

    def _write(self, put: Put | None, events: Sequence[Event], handled: str | None) -> int:
        waiting, self._before_write = self._before_write, []
        for change in waiting:
            change(self)
        if handled is not None and handled in self.handled:
            raise AlreadyHandled(handled)
        version = 0
        if put is not None:
            current = self.documents.get((put.collection, put.id))
            if (current.version if current else 0) != put.expected_version:
                raise VersionConflict(f"{put.collection}/{put.id} is not at version {put.expected_version}")
            version = put.expected_version + 1
            self.documents[(put.collection, put.id)] = Document(put.collection, put.id, version, dict(put.body))
        self.events.extend(events)
        if handled is not None:
            self.handled.append(handled)
        self.written.append(put)
        return version

    def _remove(self, document: Document) -> None:
        current = self.documents.get((document.collection, document.id))
        if current is None or current.version != document.version:
            raise VersionConflict(f"{document.collection}/{document.id} is not at version {document.version}")
        del self.documents[(document.collection, document.id)]
        self.written.append(None)


run = handle_in
"""Handle an event as the worker does (shared.unit_of_work.handle), in memory: `run(handler, event, fake)`."""
