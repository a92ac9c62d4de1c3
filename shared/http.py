"""The one HTTP client for calls between services (the gateway to a service's internal API).

Requests carry the internal token and, through the OpenTelemetry requests instrumentation, the trace context.
"""

from __future__ import annotations

from typing import Any, Mapping
from urllib.parse import quote

import requests

from shared.web import INTERNAL_TOKEN_HEADER


def encoded(path: str) -> str:
    """A path's segments percent-encoded (RFC 3986), `/` kept as the separator. A segment of dots is encoded too:
    urllib3 would otherwise resolve `/referrals/../allocate` to `/allocate` (requests sends `%2E` back as `.`, after
    that resolving, so `..` reaches its route as the id it is)."""
    return "/".join(quote(segment, safe="") if segment.strip(".") else segment.replace(".", "%2E")
                    for segment in path.split("/"))


class ServiceUnavailable(Exception):
    """The service could not be reached or did not answer in time."""


class ServiceClient:
    def __init__(self, service: str, base_url: str, *, internal_token: str = "", timeout: float = 10.0):
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()
        self._session.trust_env = False  # calls between services never go through a proxy: no look at the environment
        if internal_token:
            self._session.headers[INTERNAL_TOKEN_HEADER] = internal_token

    def request(self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None) -> requests.Response:
        """`path` as the callers write it, ids and all (`/referrals/{id}`): it is encoded here, once for every call,
        so an id holding `?`, `#`, `%` or `..` reaches the service as that id and nothing else."""
        try:
            return self._session.request(method, f"{self.base_url}{encoded(path)}", json=json, params=params,
                                         headers=dict(headers or {}), timeout=self.timeout)
        except requests.RequestException as exc:
            raise ServiceUnavailable(f"{self.service} did not answer: {exc.__class__.__name__}") from exc

    def close(self) -> None:
        self._session.close()
