"""Catching up on history: the facts of what happened before the reporting service began to hear events.

A producer publishes an event once; a service that did not exist then never hears it, and producers do not keep
what they sent. So the owners recall their history from what they keep (`GET /history` on their internal APIs:
the events each record implies, as they said them then, codes and dates only, up to a moment), and the backfill
takes each recalled event in through the same handler as a live one. A recalled event has an id derived from what
it is about, so a second backfill changes nothing; one that was heard live too (it happened just as the service
began to listen) is recognised by its referral or opt-out, kind and moment, and skipped.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Mapping

from shared.contracts import parse_event
from shared.store import Store
from shared.unit_of_work import handle

from services.reporting import domain, handlers
from services.reporting.store import ReportingStore

HISTORIES = {"referral": ("referrals", "opt-outs")}
"""Each owner's histories, in the order they are taken in."""

Recall = Callable[[str, str, "str | None"], Mapping]
"""`recall(service, history, after)`: one page of an owner's history, `{"events": [...], "after": ...}`."""


def backfill(store: Store, recall: Recall) -> Counter:
    """Take in every owner's history; how many events were taken in (`recalled`), known already (`heard`), or of
    a kind the template does not count (`not_counted`)."""
    reporting, counts = ReportingStore(store), Counter()
    for service, histories in HISTORIES.items():
        for history in histories:
            after = None
            while True:
                page = recall(service, history, after)
                for envelope in page["events"]:
                    event = parse_event(envelope)
                    if event.type not in domain.KEPT:
                        counts["not_counted"] += 1
                    elif reporting.heard(domain.fact(event.type, event.data, event.occurred_at)):
                        counts["heard"] += 1
                    else:
                        handle(handlers.record, event, store)
                        counts["recalled"] += 1
                after = page["after"]
                if after is None:
                    break
    return counts
