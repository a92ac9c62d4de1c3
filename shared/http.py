"""The one HTTP client for calls between services (the gateway to a service's internal API).

Requests carry the internal token and the trace context, each in a client span of its own. Built on urllib3's
connection pool directly: a call between services is the gateway's most frequent act, and requests' sessions spent
more of a referral POST than the call itself.
"""

from __future__ import annotations

import json as jsonlib
from dataclasses import dataclass
from typing import Any, Mapping
from urllib.parse import quote, urlencode, urlsplit

import urllib3
from opentelemetry import propagate
from opentelemetry.trace import SpanKind, Status, StatusCode

from shared import telemetry
from shared.web import INTERNAL_TOKEN_HEADER

POOL_SIZE = 16
"""Connections kept open to each service: one for each of a server's request threads, with a few to spare."""


def encoded(path: str) -> str:
    """A path's segments percent-encoded (RFC 3986), `/` kept as the separator. A segment of dots is encoded too
    (`%2E`), so nothing on the way resolves `/referrals/../allocate` to `/allocate`: the service's route reads the
    segment as the id `..` it is."""
    return "/".join(quote(segment, safe="") if segment.strip(".") else segment.replace(".", "%2E")
                    for segment in path.split("/"))


class ServiceUnavailable(Exception):
    """The service could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Answer:
    """A service's answer: its status, headers (case-insensitive) and body."""

    status_code: int
    headers: Mapping[str, str]
    content: bytes

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return jsonlib.loads(self.content)


class ServiceClient:
    def __init__(self, service: str, base_url: str, *, internal_token: str = "", timeout: float = 10.0):
        self.service = service
        self.base_url = base_url.rstrip("/")
        where = urlsplit(self.base_url)
        self._prefix = where.path
        self._pool = urllib3.connection_from_url(
            self.base_url, maxsize=POOL_SIZE, block=False, timeout=urllib3.Timeout(connect=timeout, read=timeout),
            retries=urllib3.Retry(0, read=False, redirect=False))
        self._headers = {INTERNAL_TOKEN_HEADER: internal_token} if internal_token else {}
        self._address = where.hostname or ""

    def request(self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None) -> Answer:
        """`path` as the callers write it, ids and all (`/referrals/{id}`): it is encoded here, once for every call,
        so an id holding `?`, `#`, `%` or `..` reaches the service as that id and nothing else."""
        target = f"{self._prefix}{encoded(path)}"
        if params:
            target += "?" + urlencode({k: v for k, v in params.items() if v is not None}, doseq=True)
        sent = {**self._headers, **(headers or {})}
        body = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            sent["Content-Type"] = "application/json"
        with telemetry.tracer().start_as_current_span(
                method, kind=SpanKind.CLIENT,
                attributes={"http.request.method": method, "server.address": self._address,
                            "llais.service": self.service, "url.path": path}) as span:
            propagate.inject(sent)
            try:
                answer = self._pool.urlopen(method, target, body=body, headers=sent, assert_same_host=False,
                                            preload_content=True)
            except urllib3.exceptions.HTTPError as exc:
                span.set_status(Status(StatusCode.ERROR))
                raise ServiceUnavailable(f"{self.service} did not answer: {exc.__class__.__name__}") from exc
            span.set_attribute("http.response.status_code", answer.status)
            if answer.status >= 500:
                span.set_status(Status(StatusCode.ERROR))
        return Answer(answer.status, answer.headers, answer.data)

    def close(self) -> None:
        self._pool.close()
