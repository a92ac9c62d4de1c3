"""The periodic jobs pick their work through an indexed due time: the deadline clock reads only cases with a clock
due by now, the webhook dispatcher only deliveries whose next attempt is due, the session sweep only sessions idle
or begun long enough ago to have expired. However many open cases, deliveries backing off or sessions in use there
are beside them, none of those is read."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from shared.clock import now
from shared.contracts import new_event
from shared.store import Put, Store
from shared.store.sqlite import SQLiteStore

BESIDE = 30
"""Documents that are not due, beside the one or two that are."""
WEDNESDAY = datetime(2026, 11, 25, 10, 0, tzinfo=timezone.utc)
"""The clock's "now": a working day, so a referral received that moment has nothing at risk yet (on a weekend its
acknowledgement would be at risk from the start, the working day before it falls due having passed)."""


class Counting:
    """The store, counting the documents its finds return."""

    def __init__(self, store: Store):
        self.store = store
        self.read = 0

    def find(self, *args, **kwargs):
        found = self.store.find(*args, **kwargs)
        self.read += len(found)
        return found

    def __getattr__(self, name: str):
        return getattr(self.store, name)


def declared(tmp_path, indexes) -> Counting:
    store = SQLiteStore(tmp_path / "service.sqlite3")
    store.ensure_indexes(indexes, strict=True)
    return Counting(store)


def received(referral_id: str, days_ago: int):
    return new_event("referral.received", {
        "referral_id": referral_id, "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": "active_offer", "basis": "looked_after", "external_ref": None,
        "received_at": (WEDNESDAY - timedelta(days=days_ago)).isoformat(), "statutory_meeting_at": None,
        "preferred_language": "cy",
        "consent": {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
                    "share_outcome_with_referrer": True}}, producer="referral", subject=f"referral:{referral_id}")


def test_the_deadline_clock_reads_only_cases_with_a_clock_due(tmp_path):
    from shared.unit_of_work import UnitOfWork, handle
    from services.scheduling import deadlines
    from services.scheduling.store import INDEXES

    store = declared(tmp_path, INDEXES)
    for n in range(BESIDE):
        handle(deadlines.open_case, received(f"today-{n:02d}", days_ago=0), store)
    handle(deadlines.open_case, received("late", days_ago=40), store)
    store.read = 0
    assert deadlines.run_clock(UnitOfWork(store), at=WEDNESDAY) == 8, \
        "the late referral's four deadlines, each at risk then missed"
    assert store.read == 1, "only the late referral's case is read"

    store.read = 0
    assert deadlines.run_clock(UnitOfWork(store), at=WEDNESDAY) == 0 and store.read == 0, \
        "nothing more is due: nothing is read"

    store.read = 0
    assert deadlines.run_clock(UnitOfWork(store), at=WEDNESDAY + timedelta(days=60)) == BESIDE * 8
    assert store.read == BESIDE, "in sixty days every other case is due"


def test_a_case_kept_before_cases_said_when_they_fall_due_is_dated_by_the_first_tick(tmp_path):
    from shared.unit_of_work import UnitOfWork, handle
    from services.scheduling import deadlines
    from services.scheduling.store import INDEXES

    store = declared(tmp_path, INDEXES)
    handle(deadlines.open_case, received("older", days_ago=0), store)
    kept = store.get("cases", "older")
    store.commit(Put.update(kept, {k: v for k, v in kept.body.items() if k != "next_due_at"}))
    store.read = 0
    assert deadlines.run_clock(UnitOfWork(store), at=WEDNESDAY) == 0 and store.read == 1
    dated = store.get("cases", "older").body["next_due_at"]
    assert dated == kept.body["next_due_at"]
    store.read = 0
    assert deadlines.run_clock(UnitOfWork(store), at=WEDNESDAY) == 0 and store.read == 0


def delivery(n: int, next_attempt_at: datetime) -> dict:
    return {"id": f"e{n:02d}:email", "event_id": f"e{n:02d}", "type": "referral.acknowledged", "channel": "email",
            "council": "CARDIFF", "referral_id": None, "to": "sian@cardiff.example", "subject": "s", "body": "b",
            "basis": "duty", "status": "pending", "trace": {}, "created_at": now().isoformat(),
            "next_attempt_at": next_attempt_at.isoformat(), "first_attempt_at": None, "claimed_until": None,
            "attempts": []}


def test_the_dispatcher_reads_only_deliveries_whose_next_attempt_is_due(tmp_path):
    from services.notify import handlers
    from shared.unit_of_work import UnitOfWork
    from services.notify.store import DELIVERIES, INDEXES

    store = declared(tmp_path, INDEXES)
    for n in range(BESIDE):  # backing off after failures
        body = delivery(n, now() + timedelta(minutes=10 + n))
        store.commit(Put.new(DELIVERIES, body["id"], body))
    due = delivery(99, now() - timedelta(seconds=1))
    store.commit(Put.new(DELIVERIES, due["id"], due))
    store.read = 0
    assert handlers.dispatch(UnitOfWork(store)) == 1
    assert store.read == 1, "only the due delivery is read"
    assert store.get(DELIVERIES, due["id"]).body["status"] == "parked"  # no mail server configured here
    store.read = 0
    assert handlers.dispatch(UnitOfWork(store)) == 0 and store.read == 0


def test_the_session_sweep_reads_only_sessions_that_may_have_expired(tmp_path):
    from services.gateway.store import INDEXES, GatewayStore
    from services.gateway.web.sessions import StoreSessionInterface

    store = declared(tmp_path, INDEXES)
    gateway = GatewayStore(store)
    moment = datetime.now(timezone.utc)

    def session(key: str, created: datetime, seen: datetime) -> None:
        gateway.save_web_session(None, key, {"data": {"answers": key}, "created_at": created.isoformat(),
                                             "last_seen_at": seen.isoformat(), "ended_at": None})

    for n in range(BESIDE):
        session(f"in-use-{n:02d}", moment - timedelta(minutes=n), moment - timedelta(seconds=n))
    session("idle", moment - timedelta(hours=1), moment - timedelta(minutes=31))
    session("too-long", moment - timedelta(hours=11), moment - timedelta(seconds=5))
    session("nearly-idle", moment - timedelta(hours=1), moment - timedelta(minutes=29))
    store.read = 0
    assert StoreSessionInterface(gateway).sweep(moment) == 2
    assert store.read == 2, "only the idle and the too-long session are read"
    for key in ("idle", "too-long"):
        assert gateway.web_session(key).body["data"] == {} and gateway.web_session(key).body["ended_at"]
    assert gateway.web_session("nearly-idle").body["ended_at"] is None
    store.read = 0
    assert StoreSessionInterface(gateway).sweep(moment) == 0 and store.read == 0
