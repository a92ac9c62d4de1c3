"""Reading what a service announced, as its relay would: the events its commits put in its outbox."""

from __future__ import annotations


def announced(store) -> list[str]:
    """The types of the events the store committed to its outbox since the last look, in order."""
    entries = store.claim_outbox("test", limit=1000)
    store.mark_sent([entry.id for entry in entries])
    return [entry.envelope["type"] for entry in entries]
