"""Every list of the public API is paginated as API.md says: `limit` (default 50, at most 200), an opaque `cursor`,
and `next` until the last page; walking the pages gives each item once, in the order of their ids."""

from __future__ import annotations

import base64

import pytest

from shared.clock import new_id
from shared.store import Put
from tests.integration.gateway.conftest import assert_problem

COMPLAINT = {"kind": "complaint", "made_by": "parent", "name": "Mair Jones", "about": "Nobody called back",
             "contact": {"phone": "07700 900123"}}
DAY = "2026-12-10"


def walk(platform, path: str, headers: dict, limit: int, **params) -> tuple[list[dict], list[int]]:
    """Every item of a list, page by page as `next` leads; and how many each page held."""
    items, sizes, cursor = [], [], None
    while True:
        answer = platform.get(path, headers, params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        page = answer.json()
        items += page["items"]
        sizes.append(len(page["items"]))
        cursor = page["next"]
        if cursor is None:
            return items, sizes


@pytest.fixture(scope="module")
def manager(platform) -> dict:
    return platform.staff("manager")


@pytest.fixture(scope="module")
def complaints(platform, manager) -> list[str]:
    made = []
    for _ in range(7):
        answer = platform.post("/api/v1/complaints", manager, json=COMPLAINT)
        assert answer.status_code == 201, answer.text
        made.append(answer.json()["id"])
    return made


def seed(platform, service: str, collection: str, bodies: list[dict]) -> list[str]:
    """Documents put straight into a service's own store, as its handlers would have kept them."""
    store, ids = platform.store(service), []
    for body in bodies:
        ids.append(body.get("id") or new_id())
        store.commit(Put.new(collection, ids[-1], {"id": ids[-1], **body}))
    return ids


def test_complaints_come_a_page_at_a_time_each_once(platform, manager, complaints):
    items, sizes = walk(platform, "/api/v1/complaints", manager, 3)
    assert [c["id"] for c in items] == sorted(complaints) and sizes == [3, 3, 1]
    whole = platform.get("/api/v1/complaints", manager).json()
    assert [c["id"] for c in whole["items"]] == sorted(complaints) and whole["next"] is None, "50 by default"
    items, sizes = walk(platform, "/api/v1/complaints", manager, 7)
    assert len(items) == 7 and sizes == [7], "no next page is promised when nothing follows"


def test_cases_come_a_page_at_a_time_each_once(platform, manager):
    case = {"referral_id": "r1", "council": "CARDIFF", "advocate_email": "a@provider.example", "status": "open",
            "opened_at": "2026-12-01T10:00:00+00:00", "updated_at": "2026-12-01T10:00:00+00:00", "issues": [],
            "advocate_changes": []}
    made = seed(platform, "casework", "cases", [dict(case) for _ in range(5)])
    items, sizes = walk(platform, "/api/v1/cases", manager, 2)
    assert [c["id"] for c in items] == made and sizes == [2, 2, 1]
    items, _ = walk(platform, "/api/v1/cases", manager, 2, advocate="someone-else@provider.example")
    assert items == []


def test_a_days_meetings_come_a_page_at_a_time_each_once(platform, manager):
    meeting = {"referral_id": "r1", "advocate_email": "a@provider.example", "starts_at": f"{DAY}T10:00:00+00:00",
               "ends_at": f"{DAY}T11:00:00+00:00", "duration_minutes": 60, "status": "arranged", "day": DAY}
    made = seed(platform, "scheduling", "meetings", [dict(meeting) for _ in range(5)])
    seed(platform, "scheduling", "meetings", [{**meeting, "day": "2026-12-11"}])
    items, sizes = walk(platform, "/api/v1/meetings", manager, 2, day=DAY)
    assert [m["id"] for m in items] == made and sizes == [2, 2, 1]


def test_deadlines_come_a_page_at_a_time_each_once_even_when_a_page_ends_inside_a_referrals(platform, manager):
    def case(closed: bool = False, state: str = "at_risk") -> dict:
        return {"council": "CARDIFF", "advocate_email": None, "closed": closed, "clocks": {
            "allocate_by": {"due_at": "2026-12-02T23:59:59+00:00", "state": "missed"},
            "first_contact_by": {"due_at": "2026-12-03T23:59:59+00:00", "state": state}}}

    referrals = [new_id() for _ in range(3)]
    seed(platform, "scheduling", "cases", [{"id": r, "referral_id": r, **case()} for r in referrals])
    quiet = new_id()
    seed(platform, "scheduling", "cases", [{"id": quiet, "referral_id": quiet, **case(closed=True)}])
    expected = [(r, deadline) for r in referrals for deadline in ("allocate_by", "first_contact_by")]
    for limit, pages in ((4, [4, 2]), (3, [3, 3]), (1, [1] * 6), (200, [6])):
        items, sizes = walk(platform, "/api/v1/deadlines", manager, limit)
        assert [(d["referral_id"], d["deadline"]) for d in items] == expected and sizes == pages, limit


@pytest.mark.parametrize("path", ["/api/v1/complaints", "/api/v1/cases", "/api/v1/deadlines",
                                  f"/api/v1/meetings?day={DAY}"])
@pytest.mark.parametrize("params, field", [
    ({"limit": "0"}, "limit"), ({"limit": "201"}, "limit"), ({"limit": "many"}, "limit"),
    ({"cursor": "not a cursor!"}, "cursor"),
    ({"cursor": base64.urlsafe_b64encode(b"x\ny").decode().rstrip("=")}, "cursor"),
])
def test_a_limit_or_cursor_this_api_would_not_give_is_refused(platform, manager, path, params, field):
    assert_problem(platform.get(path, manager, params=params), 422, field)


@pytest.mark.parametrize("path", ["/api/v1/complaints", "/api/v1/cases", "/api/v1/deadlines",
                                  f"/api/v1/meetings?day={DAY}"])
def test_the_most_a_page_may_hold_is_taken(platform, manager, path):
    answer = platform.get(path, manager, params={"limit": "200"})
    assert answer.status_code == 200 and "next" in answer.json()
