"""What the bus tests share: a drill event contract, a handler whose effects can be counted, a worker process."""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from marshmallow import Schema, fields

from shared.config import Settings
from shared.contracts import Event, contract, known_contracts, new_event
from shared.store import Store
from shared.unit_of_work import UnitOfWork
from shared.store.sqlite import SQLiteStore

DRILL = "drill.happened"

if (DRILL, 1) not in known_contracts():
    @contract(DRILL, 1)
    class DrillHappenedV1(Schema):
        n = fields.Integer(required=True, strict=True)
        pause = fields.Float(load_default=0.0)


def drill(n: int, pause: float = 0.0) -> Event:
    return new_event(DRILL, {"n": n, "pause": pause}, producer="drill", subject=f"drill:{n}")


def emit(store: Store, count: int, start: int = 0) -> list[str]:
    """Commit `count` drill events to the store's outbox, one commit each, as a service would."""
    ids = []
    for n in range(start, start + count):
        event = drill(n)
        store.commit(events=[event])
        ids.append(event.id)
    return ids


def record_effect(event: Event, uow: UnitOfWork) -> None:
    """The effect of a drill event: one document per event, committed with the inbox entry."""
    if event.data.get("pause"):
        marker = os.environ.get("DRILL_STARTED_FILE")
        if marker:
            Path(marker).write_text(event.id)
        time.sleep(event.data["pause"])
    uow.create("effects", event.id, {"n": event.data["n"], "pid": os.getpid()})


def effects(store: Store) -> list[dict]:
    found, after = [], None
    while True:
        page = store.find("effects", limit=500, after=after)
        if not page:
            return found
        found.extend(doc.body | {"id": doc.id} for doc in page)
        after = page[-1].id


def wait_for(predicate, timeout: float = 60.0, every: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what} not reached within {timeout} s")


def worker_main() -> None:
    """A drill worker process: `python -m tests.integration.bus.support DB PREFIX AMQP_URL [PREFETCH]`."""
    from shared.bus import Worker

    database, prefix, url = sys.argv[1:4]
    prefetch = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    settings = replace(Settings(), amqp_url=url, bus_prefix=prefix, retry_delays=(0.2, 0.5), prefetch=prefetch)
    stop = threading.Event()
    Worker("drill", SQLiteStore(database), settings, handlers={DRILL: record_effect}).run(stop)


if __name__ == "__main__":
    worker_main()
