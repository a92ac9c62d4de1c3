"""How a worker's loops (consumer, relays, periodic tasks) live through a store or bus they cannot use for a while.

A loop that fails logs why, waits a growing while (0.5 s doubling to 10 s) and tries again, for as long as it takes:
a file held by a backup tool for a minute, a broker restarting. Meanwhile its `LoopState` says it is failing, since
when and why, which the role's `/healthz` and `/readyz` report; its next success says it works again. No loop ends
for good while its role runs.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from datetime import datetime, timezone

from shared.clock import timestamp
from shared.store import StoreError

log = logging.getLogger("llais.bus.loops")

MAX_SHOWN_CHARS = 300


class Backoff:
    """Growing waits after failures (0.5 s doubling to 10 s), back to the first after a success."""

    def __init__(self, first: float = 0.5, cap: float = 10.0):
        self.first, self.cap, self.current = first, cap, first

    def next(self) -> float:
        wait, self.current = self.current, min(self.current * 2, self.cap)
        return wait

    def reset(self) -> None:
        self.current = self.first


def shown(exc: BaseException) -> str:
    """What a loop's failure says in its health and its log line: the store's or the bus's own words (which file,
    locked or unreadable), and only the kind of any other error, whose message might carry what a handler was given
    (the log keeps its traceback, as for any error nobody expected)."""
    if isinstance(exc, (StoreError, sqlite3.Error, OSError)):
        return f"{exc.__class__.__name__}: {exc}"[:MAX_SHOWN_CHARS]
    return exc.__class__.__name__


class LoopState:
    """Whether one loop works: failing since when and why, or not failing."""

    def __init__(self, name: str, service: str = ""):
        self.name, self.service = name, service
        self.backoff = Backoff()
        self._lock = threading.Lock()
        self._since: float | None = None
        self._error = ""

    def worked(self) -> None:
        """The loop did its work (or found none to do): it is not failing, and its next failure waits the least."""
        if self._since is not None:
            with self._lock:
                since, self._since, self._error = self._since, None, ""
            if since is not None:
                log.info("loop works again", extra={"llais_service": self.service, "llais_loop": self.name,
                                                    "llais_failed_for": round(time.time() - since, 1)})
        self.backoff.reset()

    def noted(self, exc: BaseException) -> str:
        """Note the failure, for a loop that waits and logs by itself (kombu's reconnecting); what it showed."""
        error = shown(exc)
        with self._lock:
            if self._since is None:
                self._since = time.time()
            self._error = error
        return error

    def failed(self, exc: BaseException) -> float:
        """Note the failure and log it; how long to wait before trying again."""
        wait = self.backoff.next()
        error = self.noted(exc)
        expected = isinstance(exc, (StoreError, sqlite3.Error, OSError))
        log.warning("loop failed; trying again", exc_info=None if expected else exc,
                    extra={"llais_service": self.service, "llais_loop": self.name, "llais_retry_in": wait,
                           "llais_error": error})
        return wait

    def failing(self) -> dict | None:
        """Since when (RFC 3339) and why the loop has been failing; None while it works."""
        with self._lock:
            if self._since is None:
                return None
            return {"since": timestamp(datetime.fromtimestamp(self._since, timezone.utc)), "error": self._error}
