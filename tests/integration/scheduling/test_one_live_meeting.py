"""One live meeting per referral, on the real SQLite store: of many arranges at once, from threads that each have
their own connection (as the API's threads and processes do), exactly one is written, booked and announced."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest

from shared.contracts import new_event
from shared.store.sqlite import SQLiteStore
from shared.unit_of_work import UnitOfWork, handle
from services.scheduling import deadlines, domain, meetings
from services.scheduling.commands import ArrangeMeeting, CancelMeeting
from services.scheduling.store import SchedulingStore
from tests.integration.scheduling.test_deadline_clock import received

ADVOCATE = "advocate@provider.example"
VENUE = {"name": "Ysgol", "accessible": True, "risk_assessed": True}


def allocated(store, referral_id: str) -> None:
    handle(deadlines.open_case, received(referral_id, days_ago=0), store)
    handle(deadlines.case_allocated, new_event("referral.allocated", {
        "referral_id": referral_id, "council": "CARDIFF", "advocate_email": ADVOCATE,
        "allocated_at": datetime.now(timezone.utc).isoformat()}, producer="referral",
        subject=f"referral:{referral_id}"), store)


@pytest.fixture
def path(tmp_path):
    path = tmp_path / "scheduling.sqlite3"
    store = SQLiteStore(path)
    allocated(store, "r1")
    store.close()
    return path


def request(hours: int) -> dict:
    starts = datetime.now(timezone.utc).replace(minute=0, second=0, microsecond=0) + timedelta(days=2, hours=hours)
    return {"starts_at": starts.isoformat(), "duration_minutes": 60, "venue": VENUE}


def arranged(path) -> list[tuple[str, str]]:
    return [(d.id, d.body["status"]) for d in SQLiteStore(path).find("meetings", limit=100)]


def test_of_eight_arranges_at_once_one_is_written_and_the_rest_name_it(path):
    barrier = threading.Barrier(8)

    def one(hours: int):
        uow = UnitOfWork(SQLiteStore(path))
        barrier.wait()
        try:
            return meetings.arrange(ArrangeMeeting("r1", request(hours), ADVOCATE, "advocate"), uow)
        except domain.MeetingStands as stands:
            return stands

    with ThreadPoolExecutor(8) as pool:
        outcomes = list(pool.map(one, range(0, 16, 2)))
    won = [o for o in outcomes if isinstance(o, dict)]
    assert len(won) == 1, outcomes
    assert {o.meeting_id for o in outcomes if not isinstance(o, dict)} == {won[0]["id"]}
    assert arranged(path) == [(won[0]["id"], "arranged")]
    store = SQLiteStore(path)
    assert list(store.get("diaries", ADVOCATE).body["bookings"]) == [won[0]["id"]]
    announced = [e.envelope["data"]["meeting_id"] for e in store.claim_outbox("test", limit=100)
                 if e.envelope["type"] == "meeting.arranged"]
    assert announced == [won[0]["id"]]


def test_a_meeting_that_could_not_be_booked_leaves_the_referral_free(path):
    store = SQLiteStore(path)
    uow, scheduling = UnitOfWork(store), SchedulingStore(store)
    allocated(store, "r2")
    meetings.arrange(ArrangeMeeting("r2", request(0), ADVOCATE, "advocate"), uow)
    with pytest.raises(domain.DoubleBooked):
        meetings.arrange(ArrangeMeeting("r1", request(0), ADVOCATE, "advocate"), uow)
    assert scheduling.case("r1").body["meeting_claim"] is None, "the refused meeting's claim is released"
    first = meetings.arrange(ArrangeMeeting("r1", request(2), ADVOCATE, "advocate"), uow)
    meetings.cancel(CancelMeeting(first["id"], "The child moved placement", ADVOCATE, "advocate"), uow)
    again = meetings.arrange(ArrangeMeeting("r1", request(4), ADVOCATE, "advocate"), uow)
    assert again["id"] != first["id"] and again["status"] == "arranged"
