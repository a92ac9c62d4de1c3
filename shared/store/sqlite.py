"""The SQLite adapter: one file per service, WAL mode, safe for several processes of that service.

Connections come from a small pool: an operation borrows one and gives it back, so however many threads come and
go (a server's request threads, the worker's loops) the store never holds more than `pool_size` connections, and
their file handles, and `close()` can close every one. Every write runs in a `BEGIN IMMEDIATE` transaction, so
writers queue on the database lock (with a busy timeout) instead of failing, and readers never block.

Each declared `Index` is an expression index over `json_extract(body, '$.field')`, partial to its collection, with
the id last. `find` writes the very same expressions, names the index (`INDEXED BY`, so the planner cannot prefer
the primary key and walk the whole collection in id order) and the collection as a literal (so the partial index's
condition is seen to hold). `query_plan` shows how SQLite answers a find.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from shared.contracts import Event
from shared.store import (AlreadyHandled, AtMost, Declared, Document, EventRef, Filter, Index, KeyRecord, KeyUsed,
                          OutboxEntry, Put, StoreUnavailable, VersionConflict, caused_with, check_field, key_to_record,
                          note_committed, note_key_recorded)
from shared.wakeup import Wakeup

log = logging.getLogger("llais.store")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (collection, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    envelope TEXT NOT NULL,
    headers TEXT NOT NULL,
    created_at REAL NOT NULL,
    claimed_by TEXT,
    claimed_until REAL
);
CREATE TABLE IF NOT EXISTS inbox (
    event_id TEXT PRIMARY KEY,
    handled_at REAL NOT NULL,
    caused TEXT NOT NULL DEFAULT '[]'
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS idempotency (
    key TEXT PRIMARY KEY,
    request_hash TEXT NOT NULL,
    collection TEXT NOT NULL,
    id TEXT NOT NULL,
    answer TEXT,
    expires_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS idempotency_expiry ON idempotency (expires_at);
CREATE INDEX IF NOT EXISTS inbox_handled ON inbox (handled_at);
"""
_INBOX_CAUSED = "ALTER TABLE inbox ADD COLUMN caused TEXT NOT NULL DEFAULT '[]'"
"""For a file made before the inbox recorded what each handling caused."""


FILE_FAULTS = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_CANTOPEN",
               "SQLITE_FULL", "SQLITE_READONLY", "SQLITE_PROTOCOL", "SQLITE_PERM", "SQLITE_AUTH")
"""SQLite's result codes (and the extended codes under them) that say the file cannot be used now, not that a
statement was wrong."""

CHECKPOINT_SECONDS = 0.5
"""How soon after a commit its pages move from the WAL into the store's file (`Checkpointer`)."""
POOL_SIZE = 8
"""Connections one store may hold at once: enough for a service's request threads and its worker's loops to work
side by side, few enough that a busy process stays far inside an ordinary open-files limit."""


class SQLiteStore:
    def __init__(self, path: Path | str, *, busy_timeout_ms: int = 15000, pool_size: int = POOL_SIZE):
        if pool_size < 1:
            raise ValueError("a store needs at least one connection")
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._busy_timeout_ms = busy_timeout_ms
        self.pool_size = pool_size
        self._idle: list[sqlite3.Connection] = []
        self._open = 0
        self._generation = 0
        self._changed = threading.Condition()
        self._declared = Declared()
        self._local = threading.local()  # this thread's open Batch, if it has one
        self.changes = Wakeup()
        self.new_events = Wakeup()
        with self._connection() as conn:
            conn.executescript(_SCHEMA)
            if "caused" not in {row[1] for row in conn.execute("PRAGMA table_info(inbox)")}:
                try:
                    conn.execute(_INBOX_CAUSED)
                except sqlite3.OperationalError as exc:  # another process added it first
                    if "duplicate column" not in str(exc):
                        raise

    def ensure_indexes(self, indexes: Iterable[Index], *, strict: bool = False) -> None:
        added = self._declared.add(indexes, strict)
        if not added:
            return
        with self._transaction() as conn:
            for index in added:
                keys = ", ".join([*(_path(name) for name in index.fields), "id"])
                conn.execute(f'CREATE INDEX IF NOT EXISTS "{index.name}" ON documents ({keys}) '
                             f"WHERE collection = '{index.collection}'")

    @property
    def indexes(self) -> tuple[Index, ...]:
        """The indexes declared to this store."""
        return self._declared.indexes

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, isolation_level=None, timeout=self._busy_timeout_ms / 1000,
                               check_same_thread=False)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
            conn.execute("PRAGMA wal_autocheckpoint=0")  # the checkpointer's work, never a commit's
        except BaseException:
            conn.close()
            raise
        return conn

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        """Borrow a connection for one operation (this thread's batch's, while it has one)."""
        batch = getattr(self._local, "batch", None)
        if batch is not None:
            with self._usable():
                yield batch.conn
            return
        with self._usable():
            conn, generation = self._borrow()
            try:
                yield conn
            finally:
                self._give_back(conn, generation)

    @contextmanager
    def _usable(self) -> Iterator[None]:
        """SQLite's errors about the file itself (locked past the busy timeout, unreadable, not a database) as
        StoreUnavailable: the file cannot be used just now, which callers wait out or answer 503 to. A refused write
        (IntegrityError) or a mistake in the SQL stays what it is."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            if not (getattr(exc, "sqlite_errorname", None) or "").startswith(FILE_FAULTS):
                raise
            raise StoreUnavailable(f"SQLite store {self.path}: {exc}") from exc

    def _borrow(self) -> tuple[sqlite3.Connection, int]:
        """An idle connection, a new one while fewer than `pool_size` are open, or the next one given back (waiting
        as long as a write would wait for the database lock)."""
        deadline = time.monotonic() + self._busy_timeout_ms / 1000
        with self._changed:
            while not self._idle and self._open >= self.pool_size:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise StoreUnavailable(f"SQLite store {self.path.name}: all {self.pool_size} connections busy")
                self._changed.wait(remaining)
            generation = self._generation
            conn = self._idle.pop() if self._idle else None
            if conn is None:
                self._open += 1
        if conn is None:
            try:
                conn = self._connect()
            except BaseException:
                self._discard(None)
                raise
        return conn, generation

    def _give_back(self, conn: sqlite3.Connection, generation: int) -> None:
        """Keep a healthy connection for the next operation; close one left in a transaction (its ROLLBACK failed)
        or borrowed before `close()`."""
        with self._changed:
            if generation == self._generation and not conn.in_transaction:
                self._idle.append(conn)
                self._changed.notify()
                return
        self._discard(conn)

    def _discard(self, conn: sqlite3.Connection | None) -> None:
        if conn is not None:
            try:
                conn.close()
            except sqlite3.Error:
                pass
        with self._changed:
            self._open -= 1
            self._changed.notify()

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self._connection() as conn:
            return conn.execute(sql, params).fetchall()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """A `BEGIN IMMEDIATE` transaction on a borrowed connection: committed when the block ends, rolled back
        when it raises. Inside this thread's batch, a savepoint of the batch's transaction instead."""
        batch = getattr(self._local, "batch", None)
        if batch is not None:
            batch.conn.execute("SAVEPOINT one_commit")
            try:
                yield batch.conn
                batch.conn.execute("RELEASE one_commit")
            except BaseException:
                batch.conn.execute("ROLLBACK TO one_commit")
                batch.conn.execute("RELEASE one_commit")
                raise
            return
        with self._connection() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    # reads

    def get(self, collection: str, id: str) -> Document | None:
        rows = self._rows("SELECT version, body FROM documents WHERE collection = ? AND id = ?", (collection, id))
        return Document(collection, id, rows[0][0], json.loads(rows[0][1])) if rows else None

    def find(self, collection: str, where: Filter | None = None, *, limit: int = 50,
             after: str | None = None) -> list[Document]:
        query = self._select(collection, where, limit, after)
        if query is None:
            return []
        rows = self._rows(*query)
        return [Document(collection, r[0], r[1], json.loads(r[2])) for r in rows]

    def query_plan(self, collection: str, where: Filter | None = None, *, limit: int = 50,
                   after: str | None = None) -> list[str]:
        """How SQLite answers this find (EXPLAIN QUERY PLAN's lines): a `SEARCH ... USING INDEX` of the declared
        index, never a SCAN."""
        query = self._select(collection, where, limit, after)
        if query is None:
            return []
        return [row[3] for row in self._rows(f"EXPLAIN QUERY PLAN {query[0]}", query[1])]

    def _select(self, collection: str, where: Filter | None, limit: int,
                after: str | None) -> tuple[str, list[Any]] | None:
        """The find's SQL and parameters; None when it cannot match anything (an empty any-of)."""
        where = where or {}
        for name in where:
            check_field(name)
        index = self._declared.answering(collection, where)
        if index is None:
            source, clauses, params = "documents", ["collection = ?"], [collection]
        else:
            source, clauses, params = f'documents INDEXED BY "{index.name}"', [f"collection = '{index.collection}'"], []
        for name, value in where.items():
            path = _path(name)
            if value is None:
                clauses.append(f"{path} IS NULL")
            elif isinstance(value, AtMost):
                clauses.append(f"{path} <= ?")
                params.append(_sql_value(value.value))
            elif isinstance(value, (list, tuple, set, frozenset)):
                values = [_sql_value(v) for v in value]
                if not values:
                    return None
                clauses.append(f"{path} IN ({', '.join('?' * len(values))})")
                params.extend(values)
            else:
                clauses.append(f"{path} = ?")
                params.append(_sql_value(value))
        if after is not None:
            clauses.append("id > ?")
            params.append(after)
        params.append(int(limit))
        return f"SELECT id, version, body FROM {source} WHERE {' AND '.join(clauses)} ORDER BY id LIMIT ?", params

    def handled(self, event_id: str) -> bool:
        return bool(self._rows("SELECT 1 FROM inbox WHERE event_id = ?", (event_id,)))

    def forget_handled(self, before: float) -> int:
        return self._delete_in_pages("DELETE FROM inbox WHERE event_id IN (SELECT event_id FROM inbox "
                                     "WHERE handled_at < ? LIMIT 500)", before)

    def _delete_in_pages(self, sql: str, before: float) -> int:
        """Run a DELETE of at most 500 rows until one deletes fewer, each in a transaction of its own, so a long
        sweep never holds the write lock for long."""
        deleted = 0
        while True:
            with self._transaction() as conn:
                count = conn.execute(sql, (before,)).rowcount
            deleted += count
            if count < 500:
                return deleted

    def consequences(self, event_ids: Sequence[str]) -> dict[str, list[EventRef]]:
        ids = list(dict.fromkeys(event_ids))
        if not ids:
            return {}
        rows = self._rows(f"SELECT event_id, caused FROM inbox WHERE event_id IN ({', '.join('?' * len(ids))})", ids)
        return {event_id: [tuple(ref) for ref in json.loads(caused)] for event_id, caused in rows}

    # idempotency keys

    def key_record(self, key: str) -> KeyRecord | None:
        rows = self._rows("SELECT request_hash, collection, id, answer, expires_at FROM idempotency WHERE key = ?",
                          (key,))
        if not rows:
            return None
        request_hash, collection, id, answer, expires_at = rows[0]
        return KeyRecord(key, request_hash, collection, id, json.loads(answer) if answer else None, expires_at)

    def keep_answer(self, key: str, answer: dict) -> None:
        with self._transaction() as conn:
            conn.execute("UPDATE idempotency SET answer = ? WHERE key = ?",
                         (json.dumps(answer, separators=(",", ":")), key))

    def forget_keys(self, before: float) -> int:
        return self._delete_in_pages("DELETE FROM idempotency WHERE key IN (SELECT key FROM idempotency "
                                     "WHERE expires_at < ? LIMIT 500)", before)

    # the one write

    def commit(self, put: Put | None = None, *, events: Sequence[Event] = (), handled: str | None = None) -> int:
        now = time.time()
        version = 0
        key = key_to_record(put)
        with self._transaction() as conn:
            if key is not None and put is not None:
                try:
                    conn.execute("INSERT INTO idempotency (key, request_hash, collection, id, expires_at) "
                                 "VALUES (?, ?, ?, ?, ?)",
                                 (key.key, key.request_hash, put.collection, put.id, key.expires_at))
                except sqlite3.IntegrityError:
                    raise KeyUsed(key.key) from None
            if handled is not None:
                try:
                    conn.execute("INSERT INTO inbox (event_id, handled_at, caused) VALUES (?, ?, ?)",
                                 (handled, now, json.dumps(caused_with(events), separators=(",", ":"))))
                except sqlite3.IntegrityError:
                    raise AlreadyHandled(handled) from None
            if put is not None:
                version = put.expected_version + 1
                body = json.dumps(dict(put.body), separators=(",", ":"), sort_keys=True)
                if put.expected_version == 0:
                    try:
                        conn.execute(
                            "INSERT INTO documents (collection, id, version, body, updated_at) VALUES (?, ?, ?, ?, ?)",
                            (put.collection, put.id, version, body, now),
                        )
                    except sqlite3.IntegrityError:
                        raise VersionConflict(f"{put.collection}/{put.id} already exists") from None
                else:
                    cursor = conn.execute(
                        "UPDATE documents SET version = ?, body = ?, updated_at = ? "
                        "WHERE collection = ? AND id = ? AND version = ?",
                        (version, body, now, put.collection, put.id, put.expected_version),
                    )
                    if cursor.rowcount != 1:
                        raise VersionConflict(f"{put.collection}/{put.id} is not at version {put.expected_version}")
            for event in events:
                conn.execute(
                    "INSERT INTO outbox (id, envelope, headers, created_at) VALUES (?, ?, ?, ?)",
                    (event.id, json.dumps(event.envelope(), separators=(",", ":")),
                     json.dumps(event.headers, separators=(",", ":")), now),
                )
        note_committed(events, handled)
        if key is not None and put is not None:
            note_key_recorded(key, put)
        batch = getattr(self._local, "batch", None)
        if batch is not None:
            batch.new_events = batch.new_events or bool(events)
        else:
            self._committed(bool(events))
        return version

    def remove(self, collection: str, id: str, expected_version: int) -> None:
        with self._transaction() as conn:
            cursor = conn.execute("DELETE FROM documents WHERE collection = ? AND id = ? AND version = ?",
                                  (collection, id, expected_version))
            if cursor.rowcount != 1:
                raise VersionConflict(f"{collection}/{id} is not at version {expected_version}")
        batch = getattr(self._local, "batch", None)
        if batch is None:
            self._committed(False)

    def _committed(self, new_events: bool) -> None:
        checkpointer.due(self)
        self.changes.notify()
        if new_events:
            self.new_events.notify()

    def begin(self) -> "Batch":
        """Hold this thread's commits in one transaction until `Batch.commit`: for a consumer that handles a run of
        events and acks them together, so the run costs one write to disk rather than one each. Each commit inside
        is a savepoint (refused whole, as ever); until the batch commits, nothing of it is seen by other threads or
        processes, and a crash loses all of it together, as it loses the acks that were waiting for it."""
        if getattr(self._local, "batch", None) is not None:
            raise RuntimeError("this thread has a batch open already")
        conn, generation = self._borrow()
        try:
            with self._usable():
                conn.execute("BEGIN IMMEDIATE")
        except BaseException:
            self._give_back(conn, generation)
            raise
        batch = Batch(self, conn, generation)
        self._local.batch = batch
        return batch

    @contextmanager
    def together(self) -> Iterator[None]:
        """The commits of one event's handling as one transaction: all of them or none, whatever the handler does
        between them (a take-up's two referrals; notify's copy of the child's consent and the messages made under
        it). Inside this thread's batch, a savepoint of the batch; otherwise a batch of its own, committed when the
        block ends. A handling that raises leaves nothing behind, and is tried again whole."""
        batch = getattr(self._local, "batch", None)
        if batch is not None:
            batch.conn.execute("SAVEPOINT one_handling")
            try:
                yield
            except BaseException:
                batch.conn.execute("ROLLBACK TO one_handling")
                batch.conn.execute("RELEASE one_handling")
                raise
            batch.conn.execute("RELEASE one_handling")
            return
        own = self.begin()
        try:
            yield
        except BaseException:
            own.rollback()
            raise
        own.commit()

    def _end(self, batch: "Batch", sql: str) -> None:
        self._local.batch = None
        try:
            if batch.conn.in_transaction:
                batch.conn.execute(sql)
        finally:
            self._give_back(batch.conn, batch.generation)

    # the outbox

    def claim_outbox(self, owner: str, *, limit: int = 100, lease_seconds: float = 30.0) -> list[OutboxEntry]:
        now = time.time()
        claimable = "WHERE claimed_until IS NULL OR claimed_until < ? OR claimed_by = ?"
        if not self._rows(f"SELECT 1 FROM outbox {claimable} LIMIT 1", (now, owner)):
            return []  # a look that takes no lock: a relay with nothing to do never holds up a writer
        with self._transaction() as conn:
            rows = conn.execute(
                f"SELECT seq, id, json_extract(envelope, '$.type'), envelope, headers FROM outbox {claimable} "
                "ORDER BY seq LIMIT ?",
                (now, owner, int(limit)),
            ).fetchall()
            if rows:
                conn.executemany(
                    "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE seq = ?",
                    [(owner, now + lease_seconds, r[0]) for r in rows],
                )
        return [OutboxEntry(r[1], r[2], r[3].encode(), json.loads(r[4])) for r in rows]

    def mark_sent(self, entry_ids: Sequence[str]) -> None:
        if not entry_ids:
            return
        with self._transaction() as conn:
            conn.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in entry_ids])

    def outbox_stats(self) -> dict:
        [(count, oldest)] = self._rows("SELECT COUNT(*), MIN(created_at) FROM outbox")
        return {"pending": count, "oldest_age_seconds": round(time.time() - oldest, 3) if oldest else 0.0}

    def ping(self) -> None:
        """Raise StoreUnavailable unless the file reads as a database and takes a write now: WAL lets readers past
        a writer that holds the file, so only taking the write lock shows that writes would wait."""
        with self._transaction() as conn:
            conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()

    def checkpoint(self) -> None:
        """Move what commits wrote to the WAL into the file, as far as no reader still needs it (PASSIVE: no writer
        waits for it). On a connection of its own, closed at once, so a store closed meanwhile keeps none open."""
        with self._usable():
            conn = self._connect()
            try:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            finally:
                conn.close()

    def close(self) -> None:
        """Close every connection: the idle ones now, any lent out as soon as it is given back. A later call opens
        new ones, so a straggling thread at shutdown gets an answer rather than a closed handle."""
        checkpointer.forget(self)
        with self._changed:
            idle, self._idle = self._idle, []
            self._generation += 1
        for conn in idle:
            self._discard(conn)


class Checkpointer:
    """Moves committed pages from each store's WAL into its file, in one thread of the process, a moment after
    commits: SQLite's own automatic checkpoint runs inside whichever commit crosses its threshold, and after a long
    read (a backup's) has held the WAL, that commit would copy all that piled up meanwhile, holding up its request."""

    def __init__(self, every: float = CHECKPOINT_SECONDS):
        self.every = every
        self._due: set[SQLiteStore] = set()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def due(self, store: "SQLiteStore") -> None:
        with self._lock:
            self._due.add(store)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="sqlite-checkpointer", daemon=True)
                self._thread.start()

    def forget(self, store: "SQLiteStore") -> None:
        with self._lock:
            self._due.discard(store)

    def _run(self) -> None:
        while True:
            time.sleep(self.every)
            with self._lock:
                due, self._due = self._due, set()
            for store in due:
                try:
                    store.checkpoint()
                except (sqlite3.Error, StoreUnavailable) as exc:  # busy or locked now: the next commit asks again
                    log.debug("checkpoint put off", extra={"llais_store": store.path.name,
                                                           "llais_error": exc.__class__.__name__})


checkpointer = Checkpointer()


class Batch:
    """A run of commits on one thread, written together (SQLiteStore.begin)."""

    def __init__(self, store: SQLiteStore, conn: sqlite3.Connection, generation: int):
        self.store, self.conn, self.generation = store, conn, generation
        self.new_events = False

    def commit(self) -> None:
        self.store._end(self, "COMMIT")
        self.store._committed(self.new_events)

    def rollback(self) -> None:
        self.store._end(self, "ROLLBACK")


def _path(name: str) -> str:
    """A field's value in the document: one spelling for the index and the find, since SQLite uses an expression
    index only for the very same expression."""
    check_field(name)
    return f"json_extract(body, '$.{name}')"


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (str, int, float)):
        return value
    raise ValueError(f"cannot filter on a value of type {type(value).__name__}")
