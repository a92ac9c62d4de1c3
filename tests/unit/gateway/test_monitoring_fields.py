"""The facts the template's headline groups and language-and-access measures count, as the public API takes them:
optional (left out, nothing is recorded), true or false only, codes from their contract's vocabulary, and a clear
message naming the field when they are not."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from marshmallow import ValidationError

from services.gateway.schemas import MeetingRequestSchema, RecordSchema, ReferralRequestSchema
from tests.examples import example_referral

VENUE = {"name": "Ysgol y Wern", "accessible": True, "risk_assessed": True}
MEETING = {"starts_at": (datetime.now(timezone.utc) + timedelta(days=7)).isoformat(), "venue": VENUE}


def errors_of(schema, body) -> dict:
    with pytest.raises(ValidationError) as refused:
        schema.load(body)
    return refused.value.messages


def test_a_referral_takes_the_new_facts_or_leaves_them_unrecorded():
    body = example_referral()
    body.update(placed_out_of_county=True, unaccompanied_asylum_seeking=False)
    body["referrer"]["organisation_type"] = "third_sector"
    loaded = ReferralRequestSchema().load(body)
    assert (loaded["placed_out_of_county"], loaded["unaccompanied_asylum_seeking"]) == (True, False)
    assert loaded["referrer"]["organisation_type"] == "third_sector"
    plain = ReferralRequestSchema().load(example_referral())
    assert "placed_out_of_county" not in plain and "unaccompanied_asylum_seeking" not in plain
    assert "organisation_type" not in plain["referrer"], "left out is not recorded, never guessed"


@pytest.mark.parametrize("field", ["placed_out_of_county", "unaccompanied_asylum_seeking"])
@pytest.mark.parametrize("value, said", [("yes", "Not a valid boolean."), (1, "Not a valid boolean."),
                                         ("true", "Not a valid boolean."), (None, "Field may not be null.")])
def test_a_circumstance_is_true_or_false_only(field, value, said):
    assert errors_of(ReferralRequestSchema(), {**example_referral(), field: value})[field] == [said]


def test_an_unknown_organisation_type_is_refused_naming_the_codes():
    body = example_referral()
    body["referrer"]["organisation_type"] = "charity"
    said = errors_of(ReferralRequestSchema(), body)["referrer"]["organisation_type"]
    assert said == ["Give the organisation's type as one of: council, health, education, police, third_sector, "
                    "other."]


def test_a_meeting_takes_its_venues_type_or_leaves_it_unrecorded_and_refuses_an_unknown_one():
    assert MeetingRequestSchema().load({**MEETING, "venue": {**VENUE, "type": "school"}})["venue"]["type"] == "school"
    assert "type" not in MeetingRequestSchema().load(MEETING)["venue"]
    said = errors_of(MeetingRequestSchema(), {**MEETING, "venue": {**VENUE, "type": "cafe"}})["venue"]["type"]
    assert said == ["Give the venue's type as one of: school, home, placement, advocacy_office, community, other."]
    assert errors_of(MeetingRequestSchema(), {**MEETING, "venue": {**VENUE, "type": 3}})["venue"]["type"] == [
        "Not a valid string."]


def test_a_meetings_record_says_whether_an_interpreter_was_used_as_true_or_false_only():
    record = {"took_place": True, "outcome": "reflecting"}
    assert RecordSchema().load({**record, "interpreter_used": True})["interpreter_used"] is True
    assert "interpreter_used" not in RecordSchema().load(record)
    assert errors_of(RecordSchema(), {**record, "interpreter_used": "yes"}) == {
        "interpreter_used": ["Not a valid boolean."]}


def test_equality_monitoring_is_optional_answer_by_answer_and_takes_declined():
    body = example_referral()
    body["child"]["equality"] = {"gender": "declined", "disability": "no"}
    assert ReferralRequestSchema().load(body)["child"]["equality"] == {"gender": "declined", "disability": "no"}
    assert "equality" not in ReferralRequestSchema().load(example_referral())["child"], "not asked: not recorded"
    body["child"]["equality"] = {"gender": "female", "religion": "none", "ethnic_group": 3}
    said = errors_of(ReferralRequestSchema(), body)["child"]["equality"]
    assert said["gender"] == ["Give gender as one of: girl, boy, non_binary, another_way, declined."]
    assert said["religion"] == ["Unknown field."] and said["ethnic_group"] == ["Not a valid string."]
