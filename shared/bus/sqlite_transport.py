"""The embedded mode's bus: a kombu transport that keeps its queues in one SQLite file, so a crash loses nothing.

It keeps the promises of RabbitMQ that the outbox, the inbox and the retries rely on, on one machine and without a
broker:
- a published message is committed to the file before `publish` returns (the relay marks its events sent only then);
- a delivered message stays in the file, leased to its consumer, until it is acked; a rejected one is released;
- leases held by a process that is gone (a SIGKILL included), or by a channel of this process that closed without
  releasing them (the file was locked as it closed), are released when any channel next opens, and periodically
  after, so those messages are delivered again and the consumers' inboxes absorb the repeats;
- a queue declared with `x-message-ttl` and `x-dead-letter-routing-key` (the retry queues) holds a message for its
  TTL and then lets it appear on the dead-letter queue, as RabbitMQ's TTL and dead-lettering do;
- exchanges and bindings are kept in the file too, so every connection and every process routes alike.

URL: `sqlite:////absolute/path/bus.sqlite3`, or `sqlite:///relative/path` (kombu puts the path in virtual_host).
Consumers in this process are woken by each publish; other processes' publishes are seen within a polling interval.
A file held by another writer (a backup tool, an operator's sqlite3) is waited for `busy_timeout_seconds` (a
transport option), then the operation raises sqlite3.OperationalError for its caller to wait out and try again.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from queue import Empty

from kombu.transport import TRANSPORT_ALIASES, virtual

from shared.wakeup import Wakeup

SCHEME = "sqlite"
LEASE_SECONDS = 600.0
SWEEP_EVERY_SECONDS = 10.0
BUSY_TIMEOUT_SECONDS = 15.0
_open_channels: set[str] = set()
"""The lease owners (pid:channel) of this process's open channels."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    queue TEXT NOT NULL,
    tag TEXT NOT NULL UNIQUE,
    payload TEXT NOT NULL,
    visible_at REAL NOT NULL,
    leased_by TEXT,
    leased_until REAL
);
CREATE INDEX IF NOT EXISTS messages_ready ON messages (queue, leased_by, seq);
CREATE INDEX IF NOT EXISTS messages_leased ON messages (leased_by) WHERE leased_by IS NOT NULL;
CREATE TABLE IF NOT EXISTS queues (
    name TEXT PRIMARY KEY,
    ttl_ms INTEGER,
    dead_letter_to TEXT
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS exchanges (
    name TEXT PRIMARY KEY,
    type TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS bindings (
    exchange TEXT NOT NULL,
    routing_key TEXT NOT NULL,
    pattern TEXT NOT NULL,
    queue TEXT NOT NULL,
    PRIMARY KEY (exchange, routing_key, queue)
) WITHOUT ROWID;
"""


def bus_path(url: str) -> Path:
    """The file a `sqlite://` bus URL names."""
    prefix = f"{SCHEME}://"
    if not url.startswith(prefix) or len(url) <= len(prefix) + 1:
        raise ValueError(f"a SQLite bus URL looks like {SCHEME}:////path/to/bus.sqlite3, not {url!r}")
    return Path(url[len(prefix) + 1:])


_wakeups: dict[str, Wakeup] = {}
_wakeups_lock = threading.Lock()


def _wakeup(path: Path) -> Wakeup:
    key = str(path.resolve())
    with _wakeups_lock:
        return _wakeups.setdefault(key, Wakeup())


def _alive(owner: str) -> bool:
    """Whether the channel that took a lease is still open (leases name their process and channel as pid:channel)."""
    if owner in _open_channels:
        return True
    pid_text, _, _ = owner.partition(":")
    try:
        pid = int(pid_text)
    except ValueError:
        return False
    if pid == os.getpid():
        return False  # a channel of ours that closed, or an earlier life of this pid
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class Channel(virtual.Channel):
    do_restore = False  # unacked messages are still in the file; closing releases their leases instead
    supports_fanout = True  # so that queue_bind reaches _queue_bind, which keeps the binding in the file
    deadletter_queue = None  # like RabbitMQ, a message no binding routes is dropped

    def __init__(self, connection, **kwargs):
        super().__init__(connection, **kwargs)
        self._path: Path = connection.path
        self._lock = threading.RLock()
        self._owner = f"{os.getpid()}:{uuid.uuid4().hex}"
        busy = float(connection.client.transport_options.get("busy_timeout_seconds", BUSY_TIMEOUT_SECONDS))
        self._db = sqlite3.connect(self._path, isolation_level=None, timeout=busy, check_same_thread=False)
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(f"PRAGMA busy_timeout={int(busy * 1000)}")
            self._db.executescript(_SCHEMA)
            self._last_sweep = 0.0
            self._sweep()
        except BaseException:
            self._db.close()
            raise
        _open_channels.add(self._owner)

    def _write(self, sql: str, params: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    def _read(self, sql: str, params: tuple = ()) -> list:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def _sweep(self) -> None:
        """Release the leases of processes that are gone, and any lease past its time."""
        self._last_sweep = time.monotonic()
        owners = [row[0] for row in self._read("SELECT DISTINCT leased_by FROM messages WHERE leased_by IS NOT NULL")]
        gone = [owner for owner in owners if not _alive(owner)]
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.executemany("UPDATE messages SET leased_by = NULL, leased_until = NULL WHERE leased_by = ?",
                                     [(owner,) for owner in gone])
                self._db.execute("UPDATE messages SET leased_by = NULL, leased_until = NULL "
                                 "WHERE leased_by IS NOT NULL AND leased_until < ?", (time.time(),))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    # exchanges and bindings, kept in the file

    def exchange_declare(self, exchange=None, type="direct", durable=False, auto_delete=False, arguments=None,
                         nowait=False, passive=False):
        super().exchange_declare(exchange, type, durable, auto_delete, arguments, nowait, passive)
        if not passive and exchange:
            self._write("INSERT INTO exchanges (name, type) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
                        (exchange, type or "direct"))

    def typeof(self, exchange, default="direct"):
        if exchange and exchange not in self.state.exchanges:
            rows = self._read("SELECT type FROM exchanges WHERE name = ?", (exchange,))
            if rows:
                return self.exchange_types[rows[0][0]]
        return super().typeof(exchange, default)

    def _queue_bind(self, exchange, routing_key, pattern, queue):
        self._write("INSERT INTO bindings (exchange, routing_key, pattern, queue) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT DO NOTHING", (exchange, routing_key, pattern or "", queue))

    def queue_unbind(self, queue, exchange=None, routing_key="", arguments=None, **kwargs):
        self.state.binding_delete(queue, exchange, routing_key)
        self._write("DELETE FROM bindings WHERE exchange = ? AND routing_key = ? AND queue = ?",
                    (exchange, routing_key, queue))

    def get_table(self, exchange):
        return [tuple(row) for row in self._read(
            "SELECT routing_key, pattern, queue FROM bindings WHERE exchange = ?", (exchange,))]

    # queues

    def _new_queue(self, queue, **kwargs):
        arguments = kwargs.get("arguments") or {}
        ttl = arguments.get("x-message-ttl")
        dead_letter_to = arguments.get("x-dead-letter-routing-key") if ttl is not None else None
        self._write("INSERT INTO queues (name, ttl_ms, dead_letter_to) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE "
                    "SET ttl_ms = excluded.ttl_ms, dead_letter_to = excluded.dead_letter_to",
                    (queue, ttl, dead_letter_to))

    def _has_queue(self, queue, **kwargs):
        return bool(self._read("SELECT 1 FROM queues WHERE name = ?", (queue,)))

    def _put(self, queue, message, **kwargs):
        rows = self._read("SELECT ttl_ms, dead_letter_to FROM queues WHERE name = ?", (queue,))
        delay, target = 0.0, queue
        if rows and rows[0][0] is not None and rows[0][1]:
            delay, target = rows[0][0] / 1000.0, rows[0][1]
        tag = uuid.uuid4().hex
        payload = {**message, "properties": {**message["properties"], "delivery_tag": tag}}
        self._write("INSERT INTO messages (queue, tag, payload, visible_at) VALUES (?, ?, ?, ?)",
                    (target, tag, json.dumps(payload, separators=(",", ":")), time.time() + delay))
        _wakeup(self._path).notify()

    def basic_publish(self, message, exchange="", routing_key="", **kwargs):
        """One transaction for the message and every queue it is routed to: all of them get it, or none."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                published = super().basic_publish(message, exchange, routing_key, **kwargs)
                self._db.execute("COMMIT")
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
        _wakeup(self._path).notify()  # again, now that what a waiting consumer looks for is committed
        return published

    def _put_fanout(self, exchange, message, routing_key=None, **kwargs):
        for queue in self._lookup(exchange, routing_key):
            self._put(queue, message)

    def _get(self, queue, timeout=None):
        if time.monotonic() - self._last_sweep > SWEEP_EVERY_SECONDS:
            self._sweep()
        now = time.time()
        ready = ("FROM messages WHERE queue = ? AND leased_by IS NULL AND visible_at <= ? ORDER BY seq LIMIT 1")
        if not self._read(f"SELECT 1 {ready}", (queue, now)):
            raise Empty()
        rows = self._write(
            f"UPDATE messages SET leased_by = ?, leased_until = ? WHERE seq = (SELECT seq {ready}) "
            "RETURNING payload", (self._owner, now + LEASE_SECONDS, queue, now)).fetchall()
        if not rows:
            raise Empty()
        return json.loads(rows[0][0])

    def _size(self, queue):
        return self._read("SELECT COUNT(*) FROM messages WHERE queue = ? AND leased_by IS NULL", (queue,))[0][0]

    def _purge(self, queue):
        return self._write("DELETE FROM messages WHERE queue = ? AND leased_by IS NULL", (queue,)).rowcount

    def _delete(self, queue, *args, **kwargs):
        with self._lock:
            for table, column in (("messages", "queue"), ("bindings", "queue"), ("queues", "name")):
                self._db.execute(f"DELETE FROM {table} WHERE {column} = ?", (queue,))

    # acknowledgement: the file, not memory, says what is done

    def basic_ack(self, delivery_tag, multiple=False):
        self._write("DELETE FROM messages WHERE tag = ?", (delivery_tag,))
        super().basic_ack(delivery_tag, multiple)

    def basic_reject(self, delivery_tag, requeue=False):
        if requeue:
            self._release([delivery_tag])
        else:
            self._write("DELETE FROM messages WHERE tag = ?", (delivery_tag,))
        super().basic_reject(delivery_tag, requeue=False)

    def _restore(self, message):
        self._release([message.delivery_tag])

    def _release(self, tags) -> None:
        with self._lock:
            self._db.executemany("UPDATE messages SET leased_by = NULL, leased_until = NULL WHERE tag = ?",
                                 [(tag,) for tag in tags])
        _wakeup(self._path).notify()

    def close(self):
        """Release this channel's leases and close its file; if the file is locked, the leases are let go by the
        next channel's sweep instead, since this channel is no longer open."""
        try:
            if not self.closed and self._qos is not None:
                self._qos._flush()
                unacked = list(self._qos._delivered)
                if unacked:
                    self._release(unacked)
        finally:
            _open_channels.discard(self._owner)
            super().close()
            with self._lock:
                self._db.close()


class Transport(virtual.Transport):
    """kombu's virtual transport over the SQLite file the connection URL names."""

    Channel = Channel
    polling_interval = 0.1
    driver_type = driver_name = SCHEME

    def __init__(self, client, **kwargs):
        self.path = bus_path(f"{SCHEME}:///{client.virtual_host or ''}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        super().__init__(client, **kwargs)

    def drain_events(self, connection, timeout=None):
        """Deliver one message; between empty polls, wait for a publish in this process or the polling interval."""
        wakeup = _wakeup(self.path)
        started = time.monotonic()
        while True:
            seen = wakeup.generation
            try:
                self.cycle.get(self._deliver, timeout=timeout)
                return
            except Empty:
                waited = time.monotonic() - started
                if timeout is not None and waited >= timeout:
                    raise socket.timeout()
                pause = self.polling_interval if timeout is None else min(self.polling_interval, timeout - waited)
                wakeup.wait(seen, pause)

    def driver_version(self):
        return sqlite3.sqlite_version

    @property
    def default_connection_params(self):
        return {"port": None, "hostname": None}  # a file has no host: nothing for kombu to default or warn about


def check(path: Path, busy_timeout_seconds: float) -> None:
    """Raise sqlite3.Error unless the bus file reads as a database and takes a write now (readiness)."""
    db = sqlite3.connect(path, isolation_level=None, timeout=busy_timeout_seconds)
    try:
        db.execute("BEGIN IMMEDIATE")
        db.execute("SELECT COUNT(*) FROM sqlite_master").fetchall()
        db.execute("ROLLBACK")
    finally:
        db.close()


TRANSPORT_ALIASES.setdefault(SCHEME, f"{__name__}:Transport")
