"""The referral service's council reads: a referral the council may not know of is absent from its lists, pages and
reads, exactly as another council's is."""

from __future__ import annotations

import copy

import pytest

from shared.store.sqlite import SQLiteStore
from shared.web import ACTOR_HEADER, COUNCIL_HEADER, ROLE_HEADER
from services.referral.app import create_app
from tests.examples import example_referral

COUNCIL = {ACTOR_HEADER: "key-1", COUNCIL_HEADER: "GWYNEDD"}
PUBLIC = {ACTOR_HEADER: "public"}
MANAGER = {ACTOR_HEADER: "manager@provider.example", ROLE_HEADER: "manager"}


@pytest.fixture
def client(settings, tmp_path):
    return create_app(settings, store=SQLiteStore(tmp_path / "referral.sqlite3")).test_client()


def refer(client, *, by: dict, role: str = "social_worker", share: bool = True, council: str = "GWYNEDD") -> str:
    body = copy.deepcopy(example_referral())
    body.update(kind="issue_based", council=council)
    body["referrer"]["role"] = role
    body["consent"].update(share_arrangements_with_referrer=share, share_outcome_with_referrer=share)
    answer = client.post("/referrals", json=body, headers=by)
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def every_page(client, limit: int) -> tuple[list[str], int]:
    """Every id the council is shown, following `next`; and how many pages that took."""
    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        answer = client.get("/referrals", query_string=query, headers=COUNCIL)
        assert answer.status_code == 200
        pages += 1
        assert answer.json["items"] or pages == 1, "a promised next page is never empty"
        seen += [item["id"] for item in answer.json["items"]]
        cursor = answer.json["next"]
        if cursor is None:
            return seen, pages


def test_a_self_referral_the_child_did_not_agree_to_share_is_as_absent_as_another_councils(client):
    said_no = refer(client, by=PUBLIC, role="self", share=False)
    said_yes = refer(client, by=PUBLIC, role="self", share=True)
    own = refer(client, by=COUNCIL, share=False)
    elsewhere = refer(client, by={**COUNCIL, COUNCIL_HEADER: "CARDIFF"}, council="CARDIFF")
    hidden = client.get(f"/referrals/{said_no}", headers=COUNCIL)
    foreign = client.get(f"/referrals/{elsewhere}", headers=COUNCIL)
    assert hidden.status_code == foreign.status_code == 404
    assert hidden.json == foreign.json and hidden.mimetype == foreign.mimetype
    assert client.get(f"/referrals/{said_yes}", headers=COUNCIL).status_code == 200
    assert client.get(f"/referrals/{own}", headers=COUNCIL).status_code == 200, "the council's own, whatever it shares"
    assert client.get(f"/referrals/{said_no}", headers=MANAGER).status_code == 200, "staff see every referral"
    listed = [r["id"] for r in client.get("/referrals", headers=COUNCIL).json["items"]]
    assert said_no not in listed and {said_yes, own} <= set(listed)


@pytest.mark.parametrize("limit", [1, 2, 3])
def test_paging_never_betrays_a_hidden_referral(client, limit):
    made = [refer(client, by=PUBLIC, role="self", share=i % 3 == 0) for i in range(8)]
    shown = [referral_id for i, referral_id in enumerate(made) if i % 3 == 0]
    seen, pages = every_page(client, limit)
    assert seen == shown
    assert pages == max(1, -(-len(shown) // limit)), "no trailing empty page after the last one the council may see"
