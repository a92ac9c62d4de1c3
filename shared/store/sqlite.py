"""The SQLite adapter: one file per service, WAL mode, safe for several processes of that service.

Each thread gets its own connection. Every write runs in a `BEGIN IMMEDIATE` transaction, so writers queue on the
database lock (with a busy timeout) instead of failing, and readers never block.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any, Sequence

from shared.contracts import Event
from shared.store import (AlreadyHandled, Document, Filter, OutboxEntry, Put, StoreUnavailable,
                          VersionConflict, check_field)

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
    handled_at REAL NOT NULL
) WITHOUT ROWID;
"""


class SQLiteStore:
    def __init__(self, path: Path | str, *, busy_timeout_ms: int = 15000):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._busy_timeout_ms = busy_timeout_ms
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        conn = self._conn()
        conn.executescript(_SCHEMA)

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=self._busy_timeout_ms / 1000,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={self._busy_timeout_ms}")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    # reads

    def get(self, collection: str, id: str) -> Document | None:
        row = self._conn().execute(
            "SELECT version, body FROM documents WHERE collection = ? AND id = ?", (collection, id)
        ).fetchone()
        return Document(collection, id, row[0], json.loads(row[1])) if row else None

    def find(self, collection: str, where: Filter | None = None, *, limit: int = 50,
             after: str | None = None) -> list[Document]:
        clauses, params = ["collection = ?"], [collection]
        for name, value in (where or {}).items():
            check_field(name)
            path = f"json_extract(body, '$.{name}')"
            if value is None:
                clauses.append(f"{path} IS NULL")
            elif isinstance(value, (list, tuple, set, frozenset)):
                values = [_sql_value(v) for v in value]
                if not values:
                    return []
                clauses.append(f"{path} IN ({', '.join('?' * len(values))})")
                params.extend(values)
            else:
                clauses.append(f"{path} = ?")
                params.append(_sql_value(value))
        if after is not None:
            clauses.append("id > ?")
            params.append(after)
        params.append(int(limit))
        rows = self._conn().execute(
            f"SELECT id, version, body FROM documents WHERE {' AND '.join(clauses)} ORDER BY id LIMIT ?", params
        ).fetchall()
        return [Document(collection, r[0], r[1], json.loads(r[2])) for r in rows]

    def handled(self, event_id: str) -> bool:
        return self._conn().execute("SELECT 1 FROM inbox WHERE event_id = ?", (event_id,)).fetchone() is not None

    # the one write

    def commit(self, put: Put | None = None, *, events: Sequence[Event] = (), handled: str | None = None) -> int:
        conn = self._conn()
        now = time.time()
        version = 0
        conn.execute("BEGIN IMMEDIATE")
        try:
            if handled is not None:
                try:
                    conn.execute("INSERT INTO inbox (event_id, handled_at) VALUES (?, ?)", (handled, now))
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
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return version

    # the outbox

    def claim_outbox(self, owner: str, *, limit: int = 100, lease_seconds: float = 30.0) -> list[OutboxEntry]:
        conn = self._conn()
        now = time.time()
        conn.execute("BEGIN IMMEDIATE")
        try:
            rows = conn.execute(
                "SELECT seq, id, envelope, headers FROM outbox "
                "WHERE claimed_until IS NULL OR claimed_until < ? OR claimed_by = ? ORDER BY seq LIMIT ?",
                (now, owner, int(limit)),
            ).fetchall()
            if rows:
                conn.executemany(
                    "UPDATE outbox SET claimed_by = ?, claimed_until = ? WHERE seq = ?",
                    [(owner, now + lease_seconds, r[0]) for r in rows],
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        return [OutboxEntry(r[1], json.loads(r[2]), json.loads(r[3])) for r in rows]

    def mark_sent(self, entry_ids: Sequence[str]) -> None:
        if not entry_ids:
            return
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("DELETE FROM outbox WHERE id = ?", [(i,) for i in entry_ids])
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def outbox_stats(self) -> dict:
        count, oldest = self._conn().execute("SELECT COUNT(*), MIN(created_at) FROM outbox").fetchone()
        return {"pending": count, "oldest_age_seconds": round(time.time() - oldest, 3) if oldest else 0.0}

    def ping(self) -> None:
        try:
            self._conn().execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise StoreUnavailable(f"SQLite store {self.path.name}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            self._all.clear()
        self._local = threading.local()


def _sql_value(value: Any) -> Any:
    if isinstance(value, bool):
        return 1 if value else 0
    if isinstance(value, (str, int, float)):
        return value
    raise ValueError(f"cannot filter on a value of type {type(value).__name__}")
