"""Legal holds through the public API: a manager places and lifts one, covering the referrals linked to it; anyone
else is refused 403 and the refusal is audited; a reason that is not one of the codes is a problem that changes
nothing."""

from __future__ import annotations

import requests

from shared.erasure import LEGAL_HOLDS
from services.gateway.store import AUDIT
from tests.examples import example_referral
from tests.integration.gateway.conftest import assert_problem


def delete(platform, path: str, headers: dict) -> requests.Response:
    return requests.delete(f"{platform.url}{path}", headers=headers, timeout=10)


def test_a_manager_holds_a_childs_records_and_lifts_the_hold(platform):
    made = platform.post("/api/v1/referrals", platform.key(), json=example_referral())
    referral_id = made.json()["id"]
    path = f"/api/v1/referrals/{referral_id}/legal-hold"
    manager = platform.staff("manager")
    assert platform.get(path, manager).json()["held"] is False

    held = platform.post(path, manager, json={"reason_code": "court_case"})
    assert held.status_code == 200, held.text
    assert (held.json()["held"], held.json()["reason_code"], held.json()["referral_ids"]) == (
        True, "court_case", [referral_id])
    assert platform.store("referral").get(LEGAL_HOLDS, referral_id).body["held"] is True

    lifted = delete(platform, path, manager)
    assert lifted.status_code == 200 and lifted.json()["held"] is False
    assert platform.store("referral").get(LEGAL_HOLDS, referral_id).body["held"] is False


def test_anyone_but_a_manager_is_refused_and_the_refusal_audited(platform):
    council = platform.key()
    referral_id = platform.post("/api/v1/referrals", council, json=example_referral()).json()["id"]
    path = f"/api/v1/referrals/{referral_id}/legal-hold"
    for caller in (council, platform.staff("advocate")):
        assert_problem(platform.post(path, caller, json={"reason_code": "court_case"}), 403)
        assert_problem(delete(platform, path, caller), 403)
    refused = [d.body for d in platform.store("gateway").find(AUDIT, limit=10_000)
               if d.body.get("referral_id") == referral_id and d.body["status"] == 403]
    assert sorted(entry["what"] for entry in refused) == ["lift legal hold", "lift legal hold",
                                                          "place legal hold", "place legal hold"]
    assert platform.get(path, platform.staff("manager")).json()["held"] is False


def test_a_reason_that_is_not_a_code_is_refused_naming_it_and_nothing_is_held(platform):
    referral_id = platform.post("/api/v1/referrals", platform.key(), json=example_referral()).json()["id"]
    path = f"/api/v1/referrals/{referral_id}/legal-hold"
    manager = platform.staff("manager")
    assert_problem(platform.post(path, manager, json={"reason_code": "because"}), 422, "reason_code")
    assert_problem(platform.post(path, manager, json={}), 422, "reason_code")
    assert platform.get(path, manager).json()["held"] is False
    assert_problem(platform.post("/api/v1/referrals/no-such/legal-hold", manager,
                                 json={"reason_code": "other"}), 404)
