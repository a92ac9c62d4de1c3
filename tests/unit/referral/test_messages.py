"""Messages as staff record them: every field checked with nothing stored when one is wrong, answered once and not
before it came, linked once to a referral whose history then says so, and the clock's news followed."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from shared.councils import CouncilRegister
from shared.contracts import new_event
from services.referral import messages
from services.referral.store import REFERRALS
from tests.unit.fakes import FakeUnitOfWork, run

COUNCILS = CouncilRegister.load(None)
STAFF = "advocate@provider.example"


def ago(**delta) -> str:
    return (datetime.now(timezone.utc) - timedelta(**delta)).isoformat()


def body(**changes) -> dict:
    return {"channel": "answer_phone", "from_whom": "child", "language": "cy", "council": "CARDIFF",
            "received_at": ago(hours=2), "note": "Wants to talk about contact with her brother.", **changes}


def test_a_message_is_recorded_with_an_event_that_carries_no_note():
    uow = FakeUnitOfWork()
    message = messages.record(body(), STAFF, uow, councils=COUNCILS)
    assert message["awaiting"] is True and message["region"] == "cardiff-vale" and message["nation"] == "wales"
    assert uow.types() == ["message.received"]
    data = uow.events[0].data
    assert "note" not in data and data["channel"] == "answer_phone" and data["council"] == "CARDIFF"


def test_a_message_without_a_council_counts_the_nations_days_of_wales():
    uow = FakeUnitOfWork()
    message = messages.record(body(council=None), STAFF, uow, councils=COUNCILS)
    assert (message["council"], message["nation"]) == (None, "wales")


@pytest.mark.parametrize("field, value", [
    ("channel", "pigeon"), ("channel", None), ("from_whom", "neighbour"), ("language", "fr"),
    ("council", "ATLANTIS"), ("received_at", "yesterday"), ("note", "x" * 1001), ("note", 12),
])
def test_each_bad_field_is_refused_by_name_and_nothing_is_stored(field, value):
    uow = FakeUnitOfWork()
    with pytest.raises(messages.MessageRefused) as refused:
        messages.record(body(**{field: value}), STAFF, uow, councils=COUNCILS)
    assert field in refused.value.errors
    assert uow.events == [] and uow.writes == 0


def test_a_message_from_the_future_is_refused():
    with pytest.raises(messages.MessageRefused) as refused:
        messages.record(body(received_at=(datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()), STAFF,
                        FakeUnitOfWork(), councils=COUNCILS)
    assert refused.value.errors["received_at"] == ["The time is in the future."]


def test_an_answer_is_recorded_once_not_before_the_message_and_not_in_the_future():
    uow = FakeUnitOfWork()
    message = messages.record(body(received_at=ago(hours=3)), STAFF, uow, councils=COUNCILS)
    for when in (ago(hours=4), (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat(), "soon"):
        with pytest.raises(messages.MessageRefused):
            messages.record_answer(message["id"], {"answered_at": when}, STAFF, uow)
    answered = messages.record_answer(message["id"], {"answered_at": ago(hours=1)}, STAFF, uow)
    assert (answered["awaiting"], answered["answered_by"]) == (False, STAFF)
    assert uow.types() == ["message.received", "message.answered"]
    with pytest.raises(messages.MessageStateForbids):
        messages.record_answer(message["id"], {"answered_at": ago(hours=1)}, STAFF, uow)


def test_a_message_becomes_a_referral_once_and_the_referral_says_it_came_from_it():
    uow = FakeUnitOfWork()
    message = messages.record(body(), STAFF, uow, councils=COUNCILS)
    with pytest.raises(messages.MessageRefused):
        messages.became_referral(message["id"], "no-such-referral", STAFF, uow)
    uow.given(REFERRALS, "r1", {"id": "r1", "timeline": []})
    linked = messages.became_referral(message["id"], "r1", STAFF, uow)
    assert linked["referral_id"] == "r1"
    referral = uow.body(REFERRALS, "r1")
    assert referral["from_message_id"] == message["id"]
    assert referral["timeline"][-1]["what"] == "came from message"
    with pytest.raises(messages.MessageStateForbids):
        messages.became_referral(message["id"], "r1", STAFF, uow)


def test_the_clocks_news_shows_on_the_message_and_missed_ones_come_first():
    uow = FakeUnitOfWork()
    message = messages.record(body(), STAFF, uow, councils=COUNCILS)
    scheduled = new_event("message.response_scheduled", {"message_id": message["id"], "out_of_hours": True,
                                                         "respond_by": ago(hours=-5)}, producer="scheduling",
                          subject=f"message:{message['id']}")
    run(messages.follow_schedule, scheduled, uow.handling_of(scheduled))
    for kind in ("missed", "at_risk"):  # a late at-risk after missed changes nothing
        said = new_event(f"message.deadline_{kind}", {"message_id": message["id"], "deadline": "respond_by",
                                                      "due_at": ago(hours=-5)}, producer="scheduling",
                         subject=f"message:{message['id']}")
        run(messages.follow_deadline(kind), said, uow.handling_of(said))
    shown = uow.body(messages.MESSAGES, message["id"])
    assert (shown["out_of_hours"], shown["clock_state"]) == (True, "missed")
    others = [{"clock_state": "pending", "received_at": "2026-01-01"}, shown,
              {"clock_state": "at_risk", "received_at": "2026-01-02"}]
    assert [m["clock_state"] for m in sorted(others, key=messages.attention_order)] == ["missed", "at_risk",
                                                                                          "pending"]
