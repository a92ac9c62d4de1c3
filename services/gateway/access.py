"""Who is calling the public API, and what they may do: their credential checked, their role against the
route's, the identity the services are told, and the audit of every access to a child's record."""

from __future__ import annotations

import functools
from typing import Any, Callable

from flask import current_app, g, request

from shared import validation
from shared.web import ACTOR_HEADER, COUNCIL_HEADER, ROLE_HEADER, Problem

from services.gateway import domain, handlers
from services.gateway.store import GatewayStore


def gateway_store() -> GatewayStore:
    return current_app.extensions["llais.gateway_store"]


def requires(*, council: bool = False, roles: tuple[str, ...] = ()) -> Callable:
    """Let through council systems (`council`) and/or staff with one of `roles`; 401 or 403 problems otherwise."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def guarded(*args: Any, **kwargs: Any):
            principal = handlers.authenticate(gateway_store(), request.headers.get("Authorization"))
            if principal is None:
                raise Problem(401, "Send a valid API key or staff token as 'Authorization: Bearer <token>'.")
            if not domain.may(principal, council=council, roles=roles):
                raise Problem(403, "Your credentials do not allow this request.")
            g.principal = principal
            return view(*args, **kwargs)

        return guarded

    return decorate


def refuse_malformed_ids(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """A path's id (`referral_id`, `case_id`...) that no record of ours can have is not found, before any route
    forwards it or writes it in the audit log (where a bidirectional override or ten kilobytes of it would stay)."""
    for name, value in (values or {}).items():
        if name.endswith("_id") and not validation.ID_PATTERN.fullmatch(str(value)):
            raise Problem(404, "Not found.")


def identity_headers() -> dict[str, str]:
    principal: domain.Principal = g.principal
    headers = {ACTOR_HEADER: principal.id}
    if principal.council:
        headers[COUNCIL_HEADER] = principal.council
    if principal.role:
        headers[ROLE_HEADER] = principal.role
    return headers


def audit(what: str, referral_id: str | None, status: int, why: str) -> None:
    """Record an access: who (and their council and role), what, to which record (`referral_id`: the referral,
    case, meeting, complaint or message's id), with what answer and why, and from where (`via`)."""
    principal: domain.Principal = g.principal
    gateway_store().audit({"who": principal.id, "kind": principal.kind, "council": principal.council,
                           "role": principal.role, "what": what, "referral_id": referral_id, "status": status,
                           "why": why, **from_where()})


def from_where() -> dict[str, str | None]:
    """Where a request came from, for the audit log: the web pages, or the API with the credential's key id (a
    council's API key, or a member of staff's token), never its secret."""
    if not request.path.startswith("/api/"):
        return {"via": "web", "key_id": None}
    credential = domain.parse_credential((request.headers.get("Authorization") or "").removeprefix("Bearer "))
    return {"via": "api", "key_id": credential.key_id if credential else None}


def purpose() -> str:
    return "council integration" if g.principal.is_council else f"provider staff ({g.principal.role})"
