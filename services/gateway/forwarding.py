"""Forwarding a public API call to the service that owns it: the services' clients, what earlier commands left
travelling waited for (shared/settling), the service's answer relayed as it came, and a 503 with `Retry-After` when
it cannot answer now."""

from __future__ import annotations

import json
from typing import Any

from flask import Response, current_app, g, request
from marshmallow import ValidationError

from shared import settling
from shared.http import ServiceClient, ServiceUnavailable
from shared.web import PROBLEM_JSON, Problem, flatten_errors

from services.gateway import in_flight
from services.gateway.access import gateway_store, identity_headers


def service(name: str) -> ServiceClient:
    clients = current_app.extensions["llais.clients"]
    if name not in clients:
        raise Problem(503, f"The {name} service is not configured (LLAIS_{name.upper()}_URL).")
    return clients[name]


def forward(service_name: str, method: str, path: str, *, body: Any = None,
            params: dict | None = None) -> tuple[int, Any, str]:
    """Call the owning service; (status, JSON answer, content type). 503 problem when it does not answer.

    Before the call, what earlier commands left travelling towards it has arrived (shared/settling); after a
    command, what it set travelling is kept for the calls that follow. A command goes only where the gateway's own
    store takes writes now, so one it could not audit or follow (that store locked) is a 503 that changed nothing.
    """
    subject = in_flight.subject_of(path, body)
    if method == "GET" or subject is not None:
        in_flight.wait_for(gateway_store(), current_app.extensions["llais.settler"], subject, g.principal)
    if method != "GET":
        gateway_store().store.ping()
    try:
        answer = service(service_name).request(method, path, json=body, params=params,
                                               headers={**identity_headers(), **g.get("llais_owner_key", {})})
    except ServiceUnavailable:
        raise Problem(503, f"The {service_name} service did not answer; try again shortly.") from None
    try:
        payload = answer.json()
    except ValueError:
        raise Problem(502, f"The {service_name} service gave an answer that is not JSON.") from None
    if answer.status_code == 503:  # busy (others changing the same thing at once): a moment later will do
        raise Problem(503, f"The {service_name} service is busy with this; try again shortly.",
                      headers={"Retry-After": answer.headers.get("Retry-After") or "1"})
    if answer.status_code >= 500:
        raise Problem(502, f"The {service_name} service could not complete the request; try again shortly.")
    in_flight.keep(gateway_store(), g.principal, subject, payload, answer.headers.get(settling.EVENTS_HEADER))
    return answer.status_code, payload, answer.headers.get("Content-Type", "application/json")


def respond(status: int, payload: Any, content_type: str = "application/json") -> Response:
    mimetype = PROBLEM_JSON if content_type.startswith(PROBLEM_JSON) else "application/json"
    return Response(json.dumps(payload), status=status, mimetype=mimetype)


def checked_query(schema) -> dict[str, str]:
    """The query string checked by `schema` (as given, plus its defaults), or a 422 problem naming what is wrong."""
    given = request.args.to_dict()
    try:
        query = schema.load(given)
    except ValidationError as exc:
        raise Problem(422, "Some query parameters are invalid; see errors.",
                      errors=flatten_errors(exc.messages)) from None
    return {k: given.get(k, str(v)) for k, v in query.items()}
