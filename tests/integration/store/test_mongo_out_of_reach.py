"""A MongoDB out of reach is `StoreUnavailable`, as a locked or damaged SQLite file is: callers answer 503 with
Retry-After and consumers give the event back untried, rather than park it as a handler's fault. Tried against a
real client whose server does not answer (nothing listens on the port)."""

from __future__ import annotations

import socket

import pytest

from shared.store import Put, StoreUnavailable
from shared.store.mongo import MongoStore


@pytest.fixture
def out_of_reach():
    with socket.socket() as probe:  # a port nothing listens on: bound, never listened to
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        store = MongoStore.connect(f"mongodb://127.0.0.1:{port}/?directConnection=true", database="llais_test",
                                   timeout_ms=200)
        yield store
        store.close()


@pytest.mark.parametrize("call", [
    lambda store: store.get("referrals", "r1"),
    lambda store: store.find("referrals"),
    lambda store: store.commit(Put.new("referrals", "r1", {"n": 1})),
    lambda store: store.handled("e1"),
    lambda store: store.key_record("k1"),
    lambda store: store.claim_outbox("relay"),
    lambda store: store.outbox_stats(),
    lambda store: store.ping(),
], ids=["get", "find", "commit", "handled", "key_record", "claim_outbox", "outbox_stats", "ping"])
def test_every_call_on_a_database_out_of_reach_is_store_unavailable(out_of_reach, call):
    with pytest.raises(StoreUnavailable, match="llais_test"):
        call(out_of_reach)
