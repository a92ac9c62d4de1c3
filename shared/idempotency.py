"""An `Idempotency-Key` kept by the service that owns the effect (ARCHITECTURE.md), so a repeat after any crash
returns the first effect whether or not the gateway still remembers the key.

The gateway sends a creating command's key, scoped to the caller and the operation, and the hash of the request's
body in two headers. The owning service records the key in the same atomic write as the effect
(`shared.store.keyed`): a unique index refuses a second effect under it, on SQLite and on MongoDB. It then keeps the
answer it gave beside the key (in the same transaction on SQLite; just after, on MongoDB). A repeat is given that
answer again, or, where the process died between the effect and keeping its answer, the answer made afresh from the
document the effect wrote: the same status and the same id. Another body under the same key is a 422. Keys are kept
`KEEP_SECONDS` and then forgotten by each worker through an index on their expiry.
"""

from __future__ import annotations

import re
import time
from contextlib import nullcontext
from functools import wraps
from typing import Any, Callable

from flask import current_app, g, request

from shared.settling import EVENTS_HEADER, header_value
from shared.store import KeyRecord, KeyUsed, KeyedRequest, Store, keyed
from shared.web import Problem

KEY_HEADER = "X-Llais-Idempotency-Key"
REQUEST_HASH_HEADER = "X-Llais-Request-Hash"
KEEP_SECONDS = 24 * 3600
"""How long a key is kept at least: a council system retrying within a day gets the first effect."""
FORGET_EVERY_SECONDS = 600.0
_DIGEST = re.compile(r"^[0-9a-f]{64}$")

Answer = tuple[Any, int]
Render = Callable[[dict], Answer]

DIFFERENT_BODY = "This Idempotency-Key was used with a different body; use a new key for a new request."


def different_body() -> Problem:
    """The 422 API.md names for a key repeated with another body, said alike by the gateway and the owner."""
    return Problem(422, DIFFERENT_BODY, errors={"Idempotency-Key": ["Already used with a different body."]})


def once_per_key(render: Render, *, collection: str | None = None
                 ) -> Callable[[Callable[..., dict]], Callable[..., Answer]]:
    """A creating route run once per key: the route returns the document its command wrote (of `collection`, where
    it writes others first), and `render` makes the answer from it (the answer's body and status)."""
    def decorate(route: Callable[..., dict]) -> Callable[..., Answer]:
        @wraps(route)
        def run(*args: Any, **kwargs: Any):
            sent = _sent_key()
            if sent is None:
                return render(route(*args, **kwargs))
            key, request_hash = sent
            store: Store = current_app.extensions["llais.store"]
            earlier = store.key_record(key)
            if earlier is None:
                try:
                    return _first(store, KeyedRequest(key, request_hash, time.time() + KEEP_SECONDS, collection),
                                  lambda: render(route(*args, **kwargs)))
                except KeyUsed:  # another request under the key got there first: its effect stands
                    earlier = store.key_record(key)
            if earlier is None:
                raise Problem(409, "A request with this Idempotency-Key is still being processed; repeat it shortly.")
            return _again(store, earlier, request_hash, render)
        return run
    return decorate


def _sent_key() -> tuple[str, str] | None:
    key, request_hash = request.headers.get(KEY_HEADER), request.headers.get(REQUEST_HASH_HEADER)
    if key is None and request_hash is None:
        return None
    if not (_DIGEST.match(key or "") and _DIGEST.match(request_hash or "")):
        raise Problem(400, f"{KEY_HEADER} and {REQUEST_HASH_HEADER} are each a SHA-256 digest in hex.")
    return key, request_hash  # type: ignore[return-value]


def _first(store: Store, keyed_request: KeyedRequest, answer: Callable[[], Answer]) -> Answer:
    """Make the effect with its key, and keep the answer; on SQLite all in one transaction."""
    committed = g.get("llais_committed")
    noted = len(committed.events) if committed else 0
    together = getattr(store, "together", None)
    try:
        with keyed(keyed_request), (together() if together is not None else nullcontext()):
            body, status = answer()
            if keyed_request.recorded_with is not None:
                events = [list(event) for event in committed.events] if committed else []
                store.keep_answer(keyed_request.key, {"status": status, "body": body, "events": events})
    except KeyUsed:
        if committed:
            del committed.events[noted:]  # rolled back with the rest: nothing of it is travelling
        raise
    return body, status


def _again(store: Store, earlier: KeyRecord, request_hash: str, render: Render):
    """The answer the key's first request was given, or one made afresh from what its effect wrote."""
    if earlier.request_hash != request_hash:
        raise different_body()
    if earlier.answer is not None:
        headers = {EVENTS_HEADER: header_value([tuple(e) for e in earlier.answer["events"]])} \
            if earlier.answer.get("events") else {}
        return earlier.answer["body"], earlier.answer["status"], headers
    document = store.get(earlier.collection, earlier.id)
    if document is None:
        raise Problem(404, "What this Idempotency-Key made is no longer kept.")
    return render(document.body)


__all__ = ["DIFFERENT_BODY", "FORGET_EVERY_SECONDS", "KEEP_SECONDS", "KEY_HEADER", "REQUEST_HASH_HEADER",
           "different_body", "once_per_key"]
