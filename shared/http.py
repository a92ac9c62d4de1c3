"""The one HTTP client for calls between services (the gateway to a service's internal API).

Requests carry the internal token and, through the OpenTelemetry requests instrumentation, the trace context.
"""

from __future__ import annotations

from typing import Any, Mapping

import requests

from shared.web import INTERNAL_TOKEN_HEADER


class ServiceUnavailable(Exception):
    """The service could not be reached or did not answer in time."""


class ServiceClient:
    def __init__(self, service: str, base_url: str, *, internal_token: str = "", timeout: float = 10.0):
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()
        if internal_token:
            self._session.headers[INTERNAL_TOKEN_HEADER] = internal_token

    def request(self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None,
                headers: Mapping[str, str] | None = None) -> requests.Response:
        try:
            return self._session.request(method, f"{self.base_url}{path}", json=json, params=params,
                                         headers=dict(headers or {}), timeout=self.timeout)
        except requests.RequestException as exc:
            raise ServiceUnavailable(f"{self.service} did not answer: {exc.__class__.__name__}") from exc

    def close(self) -> None:
        self._session.close()
