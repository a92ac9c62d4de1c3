"""`Idempotency-Key` on the creating calls (API.md): a repeat with the same key and body gets the first answer
again, with another body a 422; a key held by a request that died with its process is freed.

The gateway's record is the fast path. The key also goes, scoped to the caller and the operation, to the service
that owns the effect, which records it with the effect (shared/idempotency.py): so a repeat whose first answer died
with a process (the gateway's or the owner's) still gets the first effect, never a second one."""

from __future__ import annotations

import hashlib
from typing import Any, Callable

from flask import Response, g, request

from shared.clock import now
from shared.idempotency import KEY_HEADER, REQUEST_HASH_HEADER, different_body
from shared.store import VersionConflict
from shared.web import PROBLEM_JSON, Problem

from services.gateway import domain, processes
from services.gateway.access import gateway_store
from services.gateway.forwarding import respond
from services.gateway.store import GatewayStore

MAX_IDEMPOTENCY_KEY = 200


def abandoned(reservation: dict) -> bool:
    """Whether a pending reservation was left by a request that died (its process has gone, or it is too old)."""
    return domain.reservation_abandoned(reservation, now(), processes.alive(reservation.get("holder")))


def release_abandoned_reservations(store: GatewayStore) -> int:
    """At start-up: free the keys that requests which died with an earlier process left pending, so repeating them
    is not refused as "still being processed"."""
    return store.release_abandoned_idempotency(abandoned)


def owner_key(scope: str, key: str) -> str:
    """The key as the owning service keeps it: the caller's key, bound to the caller and the operation."""
    return hashlib.sha256(f"{scope}\n{key}".encode()).hexdigest()


def idempotent(view: Callable[[], tuple[int, Any, str]]) -> Response:
    """Run a creating request once per Idempotency-Key: a repeat with the same body gets the first answer again."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        return respond(*view())
    if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY:
        raise Problem(422, f"Idempotency-Key must be 1 to {MAX_IDEMPOTENCY_KEY} characters.",
                      errors={"Idempotency-Key": ["Invalid length."]})
    store = gateway_store()
    scope = f"{g.principal.id}:{request.path}"
    request_hash = hashlib.sha256(request.get_data()).hexdigest()
    existing = store.idempotency(scope, key)
    if existing is not None and existing.body["request_hash"] != request_hash:
        raise different_body()
    if existing is not None and existing.body["state"] == "done":
        return respond(existing.body["status"], existing.body["answer"][0], existing.body["answer"][1])
    if existing is not None and existing.body["state"] == "pending" and not abandoned(existing.body):
        raise Problem(409, "A request with this Idempotency-Key is still being processed; repeat it shortly.")
    try:
        reserved = store.reserve_idempotency(scope, key, request_hash, existing, processes.this_process())
    except VersionConflict:
        raise Problem(409, "A request with this Idempotency-Key is still being processed; repeat it shortly.") from None
    g.llais_owner_key = {KEY_HEADER: owner_key(scope, key), REQUEST_HASH_HEADER: request_hash}
    try:
        status, payload, content_type = view()
    except Problem as problem:
        store.finish_idempotency(reserved, problem.status, [problem.to_dict(), PROBLEM_JSON])
        raise
    except BaseException:
        store.release_idempotency(reserved)  # no answer to keep: a repeat runs afresh
        raise
    store.finish_idempotency(reserved, status, [payload, content_type])
    return respond(status, payload, content_type)
