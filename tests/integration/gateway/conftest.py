"""The platform in embedded mode, for testing the public API as a council system and operators meet it."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
import requests

from shared.config import Settings
from shared.councils import CouncilRegister
from shared.store import open_store
from services.gateway import handlers
from services.gateway.store import GatewayStore
from services.platform import Embedded


class Platform:
    def __init__(self, embedded: Embedded):
        self.embedded = embedded
        self.url = embedded.url
        self.settings = embedded.settings
        self.gateway = GatewayStore(open_store("gateway", self.settings))
        self.councils = CouncilRegister.load()

    def key(self, council: str = "CARDIFF") -> dict:
        return {"Authorization": f"Bearer {handlers.create_api_key(self.gateway, self.councils, council)}"}

    def staff(self, role: str, council: str | None = None) -> dict:
        email = f"{role}-{uuid.uuid4().hex[:6]}@provider.example"
        handlers.create_user(self.gateway, self.councils, email, role, council, "a long enough password")
        return {"Authorization": f"Bearer {handlers.create_token(self.gateway, email)}"}

    def store(self, service: str):
        return open_store(service, self.settings)

    def referral_count(self) -> int:
        return len(self.store("referral").find("referrals", limit=10_000))

    def post(self, path: str, headers: dict, **kwargs) -> requests.Response:
        return requests.post(f"{self.url}{path}", headers=headers, timeout=10, **kwargs)

    def get(self, path: str, headers: dict, **kwargs) -> requests.Response:
        return requests.get(f"{self.url}{path}", headers=headers, timeout=10, **kwargs)


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("platform"),
                       bus_prefix=f"test-{uuid.uuid4().hex[:8]}", max_body_bytes=16 * 1024, strict_queries=True)
    embedded = Embedded(settings, port=0)
    embedded.start()
    yield Platform(embedded)
    embedded.stop()


def assert_problem(answer: requests.Response, status: int, *fields: str) -> dict:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == status and problem["title"] and problem["detail"]
    for field in fields:
        assert field in problem.get("errors", {}), f"{field} not in {problem.get('errors')}"
    return problem
