"""Capacity from the owning services' internal APIs: the referral service says how many referrals wait and when the
oldest was received, and each advocate's open referrals; casework each advocate's open cases. Only managers read
them: an advocate or a council is refused."""

from __future__ import annotations

from dataclasses import replace

import pytest

from shared.config import Settings
from tests.examples import example_referral
from tests.integration.test_every_find_is_declared import ADVOCATE, COUNCIL, MANAGER, started


@pytest.fixture
def settings(tmp_path) -> Settings:
    return replace(Settings(), data_dir=tmp_path, internal_token="internal", strict_queries=True)


def test_the_referral_service_counts_what_waits_and_each_advocates_open_referrals(settings):
    client, _ = started("referral", settings)
    made = []
    for n in range(3):
        body = {**example_referral(), "council": "CARDIFF"}
        body["child"] = {**body["child"], "given_name": f"Plentyn{n}"}
        answer = client.post("/referrals", json=body, headers=MANAGER)
        assert answer.status_code == 201, answer.get_json()
        made.append(answer.get_json())
    for referral in made[:2]:
        allocated = client.post(f"/referrals/{referral['id']}/allocate",
                                json={"advocate_email": "amy@provider.example"}, headers=MANAGER)
        assert allocated.status_code == 200, allocated.get_json()
    closed = client.post(f"/referrals/{made[1]['id']}/close", json={"reason": "withdrawn"}, headers=MANAGER)
    assert closed.status_code == 200, closed.get_json()
    capacity = client.get("/capacity", headers=MANAGER).get_json()
    assert capacity == {"waiting": 1, "oldest_received_at": made[2]["received_at"],
                        "open_referrals": {"amy@provider.example": 1}}, "a closed referral is no one's work"
    for refused in (ADVOCATE, COUNCIL):
        assert client.get("/capacity", headers=refused).status_code == 403


def test_casework_counts_no_open_case_for_a_new_provider_and_only_managers_read_it(settings):
    client, _ = started("casework", settings)
    assert client.get("/caseloads", headers=MANAGER).get_json() == {"open_cases": {}}
    assert client.get("/caseloads", headers=ADVOCATE).status_code == 403
