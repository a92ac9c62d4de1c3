"""Erasure costs what it erases, not what is stored: the complaints service's job over 1,000 and over 100,000 stored
complaints, of which the same few hundred are due, read through the index on their due day (shared/erasure.py)."""

from __future__ import annotations

import tempfile
import time
from datetime import date
from pathlib import Path

from shared import erasure
from shared.retention import Policy
from shared.store import AtMost, Put, find_all
from shared.store.sqlite import SQLiteStore

from bench.figures import against, beside
from services.complaints.store import COMPLAINTS, INDEXES, RETAINED

DUE = 300
LONG_CLOSED, LATELY_CLOSED = "2020-01-15T10:00:00+00:00", "2026-01-15T10:00:00+00:00"
RUN_ON = date(2027, 1, 1)
"""The day the job runs: the complaints closed in 2020 are due (6 years on), those closed in 2026 are not."""


def complaint(n: int, closed_at: str) -> dict:
    return {"id": f"c{n:07d}", "kind": "complaint", "made_by": "child", "name": f"Child {n}",
            "contact": {"email": f"child{n}@example.com"}, "about": "What happened, in the child's words.",
            "council": "CARDIFF", "nation": "wales", "language": "en", "status": "closed", "stage": 1,
            "received_at": closed_at, "closed_at": closed_at, "outcome": "upheld", "deadlines": {},
            "responses": [], "timeline": []}


def stored(folder: Path, total: int):
    """A complaints store holding `total` complaints, DUE of them due on RUN_ON."""
    plain = SQLiteStore(folder / f"complaints-{total}.sqlite3")
    plain.ensure_indexes((*INDEXES, *erasure.indexes(RETAINED)))
    store = erasure.stamping(plain, RETAINED, Policy())
    step, batch = total // DUE, plain.begin()
    for n in range(total):
        due = n % step == 0 and n // step < DUE
        store.commit(Put.new(COMPLAINTS, f"c{n:07d}", complaint(n, LONG_CLOSED if due else LATELY_CLOSED)))
    batch.commit()
    return plain, store


def run(folder: Path, total: int) -> dict:
    """How long the job takes, how SQLite reads what is due, and (for the anchor) how long reading every
    complaint would take."""
    plain, store = stored(folder, total)
    try:
        plan = plain.query_plan(COMPLAINTS, {"erase_on": AtMost(RUN_ON.isoformat())})
        started = time.perf_counter()
        every = len(find_all(plain, COMPLAINTS, page_size=1000))
        reading_all = time.perf_counter() - started
        started = time.perf_counter()
        record = erasure.erase_due(store, RETAINED, RUN_ON)
        took = time.perf_counter() - started
        erased = record["kinds"]["complaint"]["count"] if record else 0
        assert erased == DUE and every == total, f"{erased} erased of {DUE} due"
        return {"erasing_ms": round(took * 1000, 1), "reading_every_one_ms": round(reading_all * 1000, 1),
                "plan": plan}
    finally:
        plain.close()


def main() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        small, large = run(Path(folder), 1_000), run(Path(folder), 100_000)
    line = beside(f"erasing {DUE} due among 100,000 stored", large["erasing_ms"], "among 1,000 stored",
                  small["erasing_ms"], "ms", "target: near 1, a run costs what it erases, not what is stored")
    against("reading every one of the 100,000 instead", large["reading_every_one_ms"], "ms",
            "what a run without the index on erase_on would cost at least")
    return {"due": DUE, "among_1000": small, "among_100000": large, "line": line}


if __name__ == "__main__":
    main()
