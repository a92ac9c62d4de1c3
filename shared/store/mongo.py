"""The MongoDB adapter: one database per service.

MongoDB without a replica set has no multi-document transactions, so a commit stays inside one document: the
document carries its own pending outbox (`_outbox`) and the ids of the events whose handling wrote it (`_inbox`,
under a unique index so no two documents of a collection can both claim one event), with what each handling
caused (`_caused`, one entry per handled event). A commit without a document
writes a small marker document that carries them instead. An Idempotency-Key is kept the same way, in the document
its command wrote (`_keys`, unique across the collection; forgotten through an index on each key's expiry). The relay leases whole documents' outboxes (`_lease`),
so two relays never publish the same entries at once, and one document's events go out in order.

Each declared `Index` is a compound index on `body.<field>`s and `_id`, made at start-up (or, if the database does
not answer then, when the collection is first used); a find it answers names it (`hint`).
"""

from __future__ import annotations

import functools
import json
import logging
import time
from typing import Any, Callable, Iterable, Sequence, TypeVar

from pymongo import ASCENDING, MongoClient, ReturnDocument
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError

from shared.clock import new_id
from shared.contracts import Event
from shared.store import (AlreadyHandled, AtMost, Declared, Document, EventRef, Filter, Index, KeyRecord, KeyUsed,
                          KeyedRequest, OutboxEntry, Put, StoreUnavailable, VersionConflict, caused_with, check_field,
                          key_to_record, note_committed, note_key_recorded)
from shared.wakeup import Wakeup

MARKERS = "_markers"
T = TypeVar("T", bound=Callable[..., Any])


def reachable(method: T) -> T:
    """The database out of reach (no server selected, a connection lost or timed out) as StoreUnavailable, as
    SQLite's file faults are: callers wait it out or answer 503, and a consumer gives the event back untried."""
    @functools.wraps(method)
    def run(self: "MongoStore", *args: Any, **kwargs: Any) -> Any:
        try:
            return method(self, *args, **kwargs)
        except ConnectionFailure as exc:
            raise StoreUnavailable(f"MongoDB database {self.db.name}: {exc.__class__.__name__}") from exc
    return run  # type: ignore[return-value]
LIST_EVERY_SECONDS = 5.0
log = logging.getLogger("llais.store")


class MongoStore:
    def __init__(self, database: Database):
        self.db = database
        self._indexed: set[str] = set()
        self._listed_at = 0.0
        self._known: set[str] = set()
        self._declared = Declared()
        self.changes = Wakeup()
        self.new_events = Wakeup()

    @classmethod
    def connect(cls, url: str, *, database: str, timeout_ms: int = 3000) -> "MongoStore":
        client = MongoClient(url, serverSelectionTimeoutMS=timeout_ms, connectTimeoutMS=timeout_ms)
        return cls(client[database])

    def _collection(self, name: str):
        collection = self.db[name]
        if name not in self._indexed:
            collection.create_index([("_inbox", ASCENDING)], unique=True, name="inbox",
                                    partialFilterExpression={"_inbox": {"$exists": True}})
            collection.create_index([("_pending", ASCENDING), ("_lease", ASCENDING)], name="outbox")
            collection.create_index([("_keys.key", ASCENDING)], unique=True, name="keys",
                                    partialFilterExpression={"_keys": {"$exists": True}})
            collection.create_index([("_keys.expires_at", ASCENDING)], name="key_expiry",
                                    partialFilterExpression={"_keys": {"$exists": True}})
            collection.create_index([("_caused.at", ASCENDING)], name="handled_at",
                                    partialFilterExpression={"_caused": {"$exists": True}})
            for index in self._declared.indexes:
                if index.collection == name:
                    collection.create_index([*((f"body.{field}", ASCENDING) for field in index.fields),
                                             ("_id", ASCENDING)], name=index.name)
            self._indexed.add(name)
            self._known.add(name)
        return collection

    def ensure_indexes(self, indexes: Iterable[Index], *, strict: bool = False) -> None:
        added = self._declared.add(indexes, strict)
        for name in sorted({index.collection for index in added}):
            self._indexed.discard(name)
            try:
                self._collection(name)
            except PyMongoError as exc:  # made when the collection is first used, once the database answers
                log.warning("indexes not made at start-up", extra={"llais_collection": name,
                                                                    "llais_error": exc.__class__.__name__})

    @property
    def indexes(self) -> tuple[Index, ...]:
        """The indexes declared to this store."""
        return self._declared.indexes

    def _collections(self) -> list[str]:
        if time.monotonic() - self._listed_at > LIST_EVERY_SECONDS:
            self._known |= {n for n in self.db.list_collection_names() if not n.startswith("system.")}
            self._listed_at = time.monotonic()
        return sorted(self._known)

    # reads

    @reachable
    def get(self, collection: str, id: str) -> Document | None:
        raw = self.db[collection].find_one({"_id": id})
        return _document(collection, raw) if raw else None

    @reachable
    def find(self, collection: str, where: Filter | None = None, *, limit: int = 50,
             after: str | None = None) -> list[Document]:
        where = where or {}
        for name in where:
            check_field(name)
        index = self._declared.answering(collection, where)
        query: dict[str, Any] = {}
        for name, value in where.items():
            if isinstance(value, AtMost):
                query[f"body.{name}"] = {"$lte": value.value}
            elif isinstance(value, (list, tuple, set, frozenset)):
                query[f"body.{name}"] = {"$in": list(value)}
            else:
                query[f"body.{name}"] = value
        if after is not None:
            query["_id"] = {"$gt": after}
        if index is None:
            cursor = self.db[collection].find(query)
        else:
            cursor = self._collection(collection).find(query).hint(index.name)
        return [_document(collection, raw) for raw in cursor.sort("_id", ASCENDING).limit(int(limit))]

    @reachable
    def handled(self, event_id: str) -> bool:
        return any(self.db[name].find_one({"_inbox": event_id}, {"_id": 1}) for name in self._collections())

    @reachable
    def forget_handled(self, before: float) -> int:
        forgotten = 0
        for name in self._collections():
            old = {"_caused.at": {"$lt": before}}
            for raw in self._collection(name).find(old, {"_caused": 1}).hint("handled_at"):
                ids = [entry["of"] for entry in raw["_caused"] if entry.get("at", before) < before]
                forgotten += len(ids)
                self.db[name].update_one({"_id": raw["_id"]}, {"$pull": {"_inbox": {"$in": ids},
                                                                         "_caused": {"of": {"$in": ids}}}})
                if name == MARKERS:  # a marker kept nothing else: gone once its events are sent too
                    self.db[name].delete_one({"_id": raw["_id"], "_inbox": {"$size": 0}, "_pending": False})
        return forgotten

    @reachable
    def consequences(self, event_ids: Sequence[str]) -> dict[str, list[EventRef]]:
        wanted, found = set(event_ids), {}
        if not wanted:
            return {}
        for name in self._collections():
            for raw in self.db[name].find({"_inbox": {"$in": list(wanted)}}, {"_inbox": 1, "_caused": 1}):
                caused = {entry["of"]: entry["events"] for entry in raw.get("_caused", [])}
                for event_id in wanted.intersection(raw["_inbox"]):
                    found[event_id] = [tuple(ref) for ref in caused.get(event_id, [])]
        return found

    # idempotency keys

    @reachable
    def key_record(self, key: str) -> KeyRecord | None:
        for name in self._collections():
            raw = self._collection(name).find_one({"_keys.key": key}, {"_keys": 1})
            if raw:
                kept = next(kept for kept in raw["_keys"] if kept["key"] == key)
                return KeyRecord(key, kept["request_hash"], name, raw["_id"], kept.get("answer"), kept["expires_at"])
        return None

    @reachable
    def keep_answer(self, key: str, answer: dict) -> None:
        for name in self._collections():
            if self._collection(name).update_one({"_keys.key": key},
                                                 {"$set": {"_keys.$.answer": answer}}).matched_count:
                return

    @reachable
    def forget_keys(self, before: float) -> int:
        forgotten = 0
        for name in self._collections():
            expired = {"_keys.expires_at": {"$lt": before}}
            for raw in self._collection(name).find(expired, {"_keys": 1}).hint("key_expiry"):
                forgotten += sum(1 for kept in raw["_keys"] if kept["expires_at"] < before)
                self.db[name].update_one({"_id": raw["_id"]},
                                         {"$pull": {"_keys": {"expires_at": {"$lt": before}}}})
        return forgotten

    # the one write

    @reachable
    def remove(self, collection: str, id: str, expected_version: int) -> None:
        removed = self._collection(collection).delete_one({"_id": id, "_v": expected_version,
                                                           "_pending": {"$ne": True}})
        if removed.deleted_count != 1:
            raise VersionConflict(f"{collection}/{id} is not at version {expected_version} with its events sent")
        self.changes.notify()

    @reachable
    def commit(self, put: Put | None = None, *, events: Sequence[Event] = (), handled: str | None = None) -> int:
        key = key_to_record(put)
        version = self._write(put, events, handled, key)
        note_committed(events, handled)
        if key is not None and put is not None:
            note_key_recorded(key, put)
        self.changes.notify()
        if events:
            self.new_events.notify()
        return version

    def _write(self, put: Put | None, events: Sequence[Event], handled: str | None,
               key: KeyedRequest | None) -> int:
        if handled is not None and self.handled(handled):
            raise AlreadyHandled(handled)
        now = time.time()
        outbox = [{"id": e.id, "envelope": e.envelope(), "headers": dict(e.headers), "created_at": now}
                  for e in events]
        if put is None:
            if not outbox and handled is None:
                return 0
            self._insert(MARKERS, {"_id": new_id(), "_v": 1, "body": {}}, outbox, handled, events)
            return 0
        version = put.expected_version + 1
        kept = None if key is None else {"key": key.key, "request_hash": key.request_hash,
                                         "expires_at": key.expires_at}
        if kept is not None and self.key_record(kept["key"]) is not None:
            raise KeyUsed(kept["key"])  # the unique index is the guard against a race; this says so sooner
        if put.expected_version == 0:
            document = {"_id": put.id, "_v": version, "body": dict(put.body)}
            if kept is not None:
                document["_keys"] = [kept]
            try:
                self._insert(put.collection, document, outbox, handled, events)
            except DuplicateKeyError:
                raise self._duplicate(put, handled, key) from None
            return version
        update: dict[str, Any] = {"$set": {"_v": version, "body": dict(put.body)}}
        if kept is not None:
            update["$push"] = {"_keys": kept}
        if outbox:
            update.setdefault("$push", {})["_outbox"] = {"$each": outbox}
            update["$set"]["_pending"] = True
        if handled is not None:
            update["$addToSet"] = {"_inbox": handled}
            update.setdefault("$push", {})["_caused"] = self._caused(handled, events)
        try:
            result = self._collection(put.collection).update_one({"_id": put.id, "_v": put.expected_version}, update)
        except DuplicateKeyError:
            raise self._duplicate(put, handled, key) from None
        if result.matched_count != 1:
            raise VersionConflict(f"{put.collection}/{put.id} is not at version {put.expected_version}")
        return version

    def _insert(self, collection: str, document: dict, outbox: list, handled: str | None,
                events: Sequence[Event]) -> None:
        document.update({"_outbox": outbox, "_pending": bool(outbox), "_lease": 0.0})
        if handled is not None:
            document["_inbox"] = [handled]  # absent, not empty, when none: the unique index skips the absent
            document["_caused"] = [self._caused(handled, events)]
        self._collection(collection).insert_one(document)

    @staticmethod
    def _caused(handled: str, events: Sequence[Event]) -> dict:
        return {"of": handled, "events": [list(ref) for ref in caused_with(events)], "at": time.time()}

    def _duplicate(self, put: Put, handled: str | None, key: KeyedRequest | None) -> Exception:
        """What a unique index refused: the event's handling recorded already, the key used already, or (neither)
        the document made by another writer first."""
        if handled is not None and self.handled(handled):
            return AlreadyHandled(handled)
        if key is not None and self.key_record(key.key) is not None:
            return KeyUsed(key.key)
        return VersionConflict(f"{put.collection}/{put.id} already exists")

    # the outbox

    @reachable
    def claim_outbox(self, owner: str, *, limit: int = 100, lease_seconds: float = 30.0) -> list[OutboxEntry]:
        now = time.time()
        entries: list[tuple[float, OutboxEntry]] = []
        for name in self._collections():
            collection, taken = self.db[name], []
            while len(entries) < limit:
                raw = collection.find_one_and_update(
                    {"_pending": True, "_id": {"$nin": taken},
                     "$or": [{"_lease": {"$lt": now}}, {"_owner": owner}]},
                    {"$set": {"_lease": now + lease_seconds, "_owner": owner}},
                    sort=[("_id", ASCENDING)], return_document=ReturnDocument.AFTER)
                if raw is None:
                    break
                taken.append(raw["_id"])
                for item in raw.get("_outbox", []):
                    envelope = item["envelope"]
                    entry = OutboxEntry(item["id"], envelope["type"], _wire(envelope), item["headers"])
                    entries.append((item["created_at"], entry))
        entries.sort(key=lambda pair: pair[0])  # stable: one document's events keep their order
        return [entry for _, entry in entries[:limit]]

    @reachable
    def mark_sent(self, entry_ids: Sequence[str]) -> None:
        ids = list(entry_ids)
        if not ids:
            return
        for name in self._collections():
            collection = self.db[name]
            touched = [raw["_id"] for raw in collection.find({"_outbox.id": {"$in": ids}}, {"_id": 1})]
            if not touched:
                continue
            collection.update_many({"_id": {"$in": touched}}, {"$pull": {"_outbox": {"id": {"$in": ids}}}})
            collection.update_many({"_id": {"$in": touched}, "_outbox": {"$size": 0}},
                                   {"$set": {"_pending": False, "_lease": 0.0}})

    @reachable
    def outbox_stats(self) -> dict:
        pending, oldest = 0, None
        for name in self._collections():
            for raw in self.db[name].find({"_pending": True}, {"_outbox": 1}):
                for item in raw.get("_outbox", []):
                    pending += 1
                    oldest = item["created_at"] if oldest is None else min(oldest, item["created_at"])
        return {"pending": pending, "oldest_age_seconds": round(time.time() - oldest, 3) if oldest else 0.0}

    def ping(self) -> None:
        try:
            self.db.command("ping")
        except PyMongoError as exc:
            raise StoreUnavailable(f"MongoDB database {self.db.name}: {exc.__class__.__name__}") from exc

    def close(self) -> None:
        self.db.client.close()


def _document(collection: str, raw: dict) -> Document:
    return Document(collection, raw["_id"], raw["_v"], raw.get("body", {}))


def _wire(envelope: dict) -> bytes:
    """An event's envelope as the JSON published, as SQLite's outbox keeps it."""
    return json.dumps(envelope, separators=(",", ":")).encode()
