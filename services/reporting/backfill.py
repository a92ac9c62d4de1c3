"""Catching up on history: the facts of what happened before the reporting service began to hear events.

A producer publishes an event once; a service that did not exist then never hears it, and producers do not keep
what they sent. So the owners recall their history from what they keep (`GET /history` on their internal APIs:
the events each record implies, as they said them then, codes and dates only, up to a moment), and the backfill
takes each recalled event in through the same handler as a live one, in the order they happened across every owner
(a complaint's answer after its receipt, a meeting held after it was arranged): gathered first in a file of its own,
then read back by moment. A recalled event has an id derived from what it is about, so a second backfill changes
nothing; one that was heard live too (it happened as the service began to listen) is recognised by its subject, kind
and moment, and skipped.
"""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections import Counter
from contextlib import closing
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterator, Mapping

from shared.contracts import Event, parse_event
from shared.store import Store
from shared.unit_of_work import handle

from services.reporting import domain, handlers
from services.reporting.store import ReportingStore

HISTORIES = {"referral": ("referrals", "opt-outs"), "scheduling": ("cases", "meetings"), "casework": ("cases",),
             "complaints": ("complaints",)}
"""Each owner's histories."""

Recall = Callable[[str, str, "str | None"], Mapping]
"""`recall(service, history, after)`: one page of an owner's history, `{"events": [...], "after": ...}`."""


def backfill(store: Store, recall: Recall) -> Counter:
    """Take in every owner's history; how many events were taken in (`recalled`), known already (`heard`), or of
    a kind the template does not count (`not_counted`)."""
    reporting, counts = ReportingStore(store), Counter()
    with tempfile.TemporaryDirectory(prefix="llais-backfill-") as folder:
        for event in _in_order(Path(folder) / "recalled.sqlite3", recall):
            if event.type not in domain.KEPT:
                counts["not_counted"] += 1
            elif reporting.heard(_kept(event)):
                counts["heard"] += 1
            else:
                handle(handlers.record, event, store)
                counts["recalled"] += 1
    return counts


def _kept(event: Event) -> dict:
    """The fact an event makes, for the look at what was heard already: a complaint's names no council after its
    receipt, and the look does not need one."""
    return domain.fact(event.type, event.data, event.occurred_at, council="")


def _in_order(path: Path, recall: Recall) -> Iterator[Event]:
    """Every owner's recalled events, each once, in the order they happened (owner by owner where two happened at
    the same moment)."""
    with closing(sqlite3.connect(path)) as gathered:
        gathered.execute("CREATE TABLE recalled (n INTEGER PRIMARY KEY, id TEXT UNIQUE, moment REAL, envelope TEXT)")
        gathered.execute("CREATE INDEX by_moment ON recalled (moment, n)")
        for service, histories in HISTORIES.items():
            for history in histories:
                after = None
                while True:
                    page = recall(service, history, after)
                    gathered.executemany(
                        "INSERT OR IGNORE INTO recalled (id, moment, envelope) VALUES (?, ?, ?)",
                        [(envelope["id"], datetime.fromisoformat(envelope["occurred_at"]).timestamp(),
                          json.dumps(envelope)) for envelope in page["events"]])
                    after = page["after"]
                    if after is None:
                        break
        for (envelope,) in gathered.execute("SELECT envelope FROM recalled ORDER BY moment, n"):
            yield parse_event(envelope)
