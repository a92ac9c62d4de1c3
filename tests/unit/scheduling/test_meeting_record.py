"""What a meeting's record says in codes: why it was not held or the child declined (an older client's words read
as `other`, the note kept here only), what it covered and what was left, and what the referrer may be told."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from services.scheduling import domain, meetings
from services.scheduling.commands import RecordMeeting
from services.scheduling.store import MEETINGS
from tests.unit.fakes import FakeUnitOfWork
from tests.unit.scheduling.test_handlers import ADVOCATE, allocated, arrange

NOW = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
MEETING = {"status": "arranged", "starts_at": (NOW - timedelta(hours=1)).isoformat()}
HELD = {"took_place": True, "outcome": "take_up", "topics_covered": ["advocate_role", "rights"]}


def refused(record: dict) -> dict:
    with pytest.raises(domain.MeetingRefused) as refusal:
        domain.check_record(MEETING, record, NOW)
    return refusal.value.errors


def test_an_older_clients_words_alone_are_code_other_with_the_words_as_the_note():
    kept = domain.check_record(MEETING, {"took_place": False, "reason_not_held": " Unwell "}, NOW)
    assert (kept["reason_not_held_code"], kept["reason_not_held_note"]) == ("other", "Unwell")
    assert "reason_not_held" not in kept
    kept = domain.check_record(MEETING, {"took_place": True, "outcome": "declined", "decline_reason": "Busy",
                                         "contact_details_given": True}, NOW)
    assert (kept["decline_reason_code"], kept["decline_reason_note"]) == ("other", "Busy")


def test_words_beside_a_code_are_refused_saying_to_put_them_in_the_note():
    errors = refused({"took_place": False, "reason_not_held_code": "placement_moved", "reason_not_held": "Moved"})
    assert "reason_not_held_note" in errors["reason_not_held"][0]
    errors = refused({"took_place": True, "outcome": "declined", "decline_reason_code": "did_not_say",
                      "decline_reason": "x", "contact_details_given": True})
    assert "decline_reason_note" in errors["decline_reason"][0]


@pytest.mark.parametrize("record, field", [
    ({"took_place": False, "reason_not_held_code": "weather"}, "reason_not_held_code"),
    ({"took_place": False, "reason_not_held_code": "other", "reason_not_held_note": "x" * 1001},
     "reason_not_held_note"),
    ({"took_place": True, "outcome": "declined", "decline_reason_code": "bored", "contact_details_given": True},
     "decline_reason_code"),
    ({**HELD, "decline_reason_code": "did_not_say"}, "decline_reason_code"),
    ({**HELD, "topics_covered": []}, "topics_covered"),
    ({**HELD, "topics_covered": ["rights", "rights"]}, "topics_covered"),
    ({**HELD, "topics_covered": ["gossip"]}, "topics_covered"),
    ({**HELD, "left_with_child": ["nothing", "leaflet"]}, "left_with_child"),
    ({**HELD, "left_with_child": ["leaflet", "leaflet"]}, "left_with_child"),
    ({**HELD, "left_with_child": ["sweets"]}, "left_with_child"),
    ({"took_place": True, "outcome": "declined", "decline_reason_code": "did_not_say"}, "contact_details_given"),
    ({"took_place": True, "outcome": "reflecting", "contact_details_given": False}, "contact_details_given"),
    ({"took_place": True, "outcome": "other_support"}, "other_support_type"),
    ({"took_place": True, "outcome": "other_support", "other_support_type": "magic"}, "other_support_type"),
    ({**HELD, "other_support_type": "peer"}, "other_support_type"),
    ({"took_place": False, "reason_not_held_code": "other", "topics_covered": ["rights"]}, "topics_covered"),
    ({**HELD, "reason_not_held_code": "other"}, "reason_not_held_code"),
])
def test_each_part_of_the_record_is_refused_when_bad_naming_it(record, field):
    assert field in refused(record)


def test_a_record_in_codes_is_kept_and_said_without_its_notes():
    uow = FakeUnitOfWork()
    allocated(uow)
    meeting = arrange(uow)
    meetings.record(RecordMeeting(meeting["id"], {"took_place": False, "reason_not_held_code": "venue_problem",
                                                  "reason_not_held_note": "Roof leak at the school"},
                                  ADVOCATE, "advocate"), uow)
    kept = uow.body(MEETINGS, meeting["id"])
    assert (kept["reason_not_held_code"], kept["reason_not_held_note"]) == ("venue_problem", "Roof leak at the school")
    said = uow.events[-1]
    assert (said.type, said.version, said.data["reason_not_held_code"]) == ("meeting.not_held", 3, "venue_problem")
    assert "Roof" not in str(said.data)


def held(uow: FakeUnitOfWork, record: dict, referral_id: str = "r1") -> list:
    allocated(uow, referral_id)
    meeting = arrange(uow, referral_id=referral_id)
    past = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    uow.written_by_another(MEETINGS, meeting["id"], {**uow.body(MEETINGS, meeting["id"]), "starts_at": past})
    meetings.record(RecordMeeting(meeting["id"], record, ADVOCATE, "advocate"), uow)
    return uow.events[-2:]


def test_a_meeting_held_says_what_it_covered_and_a_declines_code_never_its_note():
    uow = FakeUnitOfWork()
    took_place, completed = held(uow, {
        "took_place": True, "outcome": "declined", "decline_reason_code": "support_elsewhere",
        "decline_reason_note": "Her aunt helps", "contact_details_given": True,
        "topics_covered": ["advocate_role", "how_to_complain"], "left_with_child": ["leaflet", "contact_card"]})
    assert (took_place.version, took_place.data["topics_covered"], took_place.data["left_with_child"]) == (
        4, ["advocate_role", "how_to_complain"], ["leaflet", "contact_card"])
    assert (completed.version, completed.data["decline_reason_code"], completed.data["contact_details_given"]) == (
        4, "support_elsewhere", True)
    assert completed.data["advocate_email"] == ADVOCATE, "the referrer may be told who met the child"
    assert "aunt" not in str(completed.data) and "decline_reason" not in completed.data


def test_other_support_says_which():
    uow = FakeUnitOfWork()
    _, completed = held(uow, {"took_place": True, "outcome": "other_support", "other_support_type": "peer"})
    assert completed.data["other_support_type"] == "peer"


def test_a_meeting_recorded_before_the_codes_is_recalled_as_other():
    old = {"id": "m1", "referral_id": "r1", "council": "CARDIFF", "reason_not_held": "Unwell"}
    assert domain.not_held_event_data(old)["reason_not_held_code"] == "other"
