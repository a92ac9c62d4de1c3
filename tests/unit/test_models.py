"""Each service's record has one shape, written once: whichever way one is made, it has the fields its type names
and no others, so a rule (or a report) never meets a referral, meeting, case or complaint missing one."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import get_type_hints

from shared.councils import CouncilRegister

from services.casework import domain as casework, model as case_model
from services.complaints import domain as complaints, model as complaint_model
from services.referral import domain as referral, model as referral_model
from services.scheduling import domain as scheduling, model as meeting_model

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
AT = "2026-12-02T10:00:00+00:00"


def fields_of(typed: type) -> set[str]:
    return set(get_type_hints(typed))


def test_a_referral_has_one_shape_whether_a_council_makes_it_or_a_take_up_opens_it():
    request = json.loads((EXAMPLES / "referral.json").read_text())
    council = CouncilRegister.load().get("CARDIFF")
    made = referral.new_referral("r1", request, council, AT)
    follow_on = referral.follow_on_referral(made, "r2", {**made["consent"], "share_outcome_with_referrer": False}, AT)
    assert set(made) == set(follow_on) and set(made) <= fields_of(referral_model.Referral)
    assert (made["status"], follow_on["status"]) == ("received", "received")
    assert (follow_on["kind"], follow_on["source"], follow_on["follow_on_of"]) == ("issue_based", "active_offer", "r1")
    assert follow_on["consent"]["share_outcome_with_referrer"] is False, "the consent given at the meeting"
    assert follow_on["summary"] == made["summary"], "the child's words go with them to the case"
    assert follow_on["timeline"] == [{"at": AT, "what": "received", "by": "active offer", "detail": {"from": "r1"}}]


def test_a_meeting_a_case_and_a_complaint_each_have_the_fields_their_type_names():
    case = {"referral_id": "r1", "council": "CARDIFF", "advocate_email": "a@provider.example", "clocks": {}}
    meeting = scheduling.new_meeting("m1", case, datetime(2026, 12, 14, 10, tzinfo=timezone.utc),
                                     {"duration_minutes": 60, "venue": {"name": "Ysgol"}}, False, "a", AT)
    assert set(meeting) <= fields_of(meeting_model.Meeting) and meeting["status"] == "arranged"
    opened = casework.open_case({**casework.referral_stub({
        "referral_id": "r1", "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales", "kind": "issue_based",
        "basis": "looked_after", "source": "self", "preferred_language": "cy"}), "advocate_email": "a"}, True, "a", AT)
    assert set(opened) == fields_of(case_model.Case) and opened["status"] == "open"
    for kind, status in (("complaint", "received"), ("compliment", "recorded")):
        made = complaints.new_complaint("c1", {"kind": kind, "made_by": "child", "about": " School "}, "wales", AT,
                                        "public")
        assert set(made) == fields_of(complaint_model.Complaint)
        assert (made["status"], made["about"], made["timeline"][0]["what"]) == (status, "School", status)
