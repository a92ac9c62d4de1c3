"""When things happened in a case: nothing recorded as done in the future, and a child never told of a disclosure
before it was made (DOMAIN.md, "Confidentiality and consent")."""

import pytest

from services.casework import domain

AT = "2026-11-23T10:00:00+00:00"
MANAGER = "manager@provider.example"
ADVOCATE = "advocate@provider.example"
DISCLOSURE = {"reason": "significant_harm", "decided_by": "Team manager", "disclosed_to": "Children's services",
              "disclosed_at": "2026-11-23T08:00:00+00:00", "child_told": True,
              "child_told_at": "2026-11-23T09:00:00+00:00"}


def opened() -> dict:
    stub = {**domain.referral_stub({"referral_id": "r1", "council": "CARDIFF", "region": "cardiff-vale",
                                    "nation": "wales", "kind": "issue_based", "basis": "looked_after",
                                    "source": "active_offer", "preferred_language": "en"}),
            "advocate_email": ADVOCATE}
    return domain.open_case(stub, True, ADVOCATE, AT)


def refused(changes: dict) -> dict:
    with pytest.raises(domain.CaseRefused) as raised:
        domain.record_disclosure(opened(), {**DISCLOSURE, **changes}, "manager", MANAGER, AT)
    return raised.value.errors


def test_a_disclosure_told_to_the_child_after_it_was_made_is_recorded():
    case = domain.record_disclosure(opened(), DISCLOSURE, "manager", MANAGER, AT)
    assert case["disclosures"][0]["child_told_at"] == DISCLOSURE["child_told_at"]


def test_a_disclosure_cannot_have_been_made_in_the_future():
    assert "future" in refused({"disclosed_at": "2026-11-24T10:00:00+00:00"})["disclosed_at"][0]


def test_the_child_cannot_have_been_told_before_the_disclosure_or_in_the_future():
    assert "before the disclosure" in refused({"child_told_at": "2026-11-23T07:59:00+00:00"})["child_told_at"][0]
    assert "future" in refused({"child_told_at": "2026-11-23T12:00:00+00:00"})["child_told_at"][0]


def test_the_same_instant_at_another_offset_is_not_before_it():
    case = domain.record_disclosure(opened(), {**DISCLOSURE, "child_told_at": "2026-11-23T09:00:00+01:00"},
                                    "manager", MANAGER, AT)
    assert len(case["disclosures"]) == 1


def test_a_time_that_is_not_one_is_refused_by_name():
    assert "RFC 3339" in refused({"disclosed_at": "yesterday"})["disclosed_at"][0]


def test_activity_cannot_have_happened_in_the_future_but_a_fast_clock_is_forgiven():
    with pytest.raises(domain.CaseRefused) as raised:
        domain.record_activity(opened(), "meeting", "jointly", "", "2026-11-24T10:00:00+00:00", ADVOCATE, AT)
    assert "future" in raised.value.errors["happened_at"][0]
    case = domain.record_activity(opened(), "meeting", "jointly", "", "2026-11-23T10:02:00+00:00", ADVOCATE, AT)
    assert case["activities"][0]["at"] == "2026-11-23T10:02:00+00:00"


def test_an_activity_cannot_have_happened_before_the_case_was_opened():
    with pytest.raises(domain.CaseRefused) as raised:
        domain.record_activity(opened(), "call", "own", "", "2026-11-23T09:59:00+00:00", ADVOCATE,
                               "2026-11-24T09:00:00+00:00")
    assert raised.value.reasons["happened_at"] == [{"code": "case.activity_before_opening", "opened_at": AT}]
    assert "before the case was opened" in raised.value.errors["happened_at"][0]
    case = domain.record_activity(opened(), "call", "own", "", "2026-11-23T11:00:00+01:00", ADVOCATE,
                                  "2026-11-24T09:00:00+00:00")
    assert case["activities"][0]["at"] == "2026-11-23T11:00:00+01:00", "the moment it opened, at another offset"


def test_yesterdays_call_recorded_today_is_dated_yesterday_and_one_not_dated_is_dated_now():
    case = domain.record_activity(opened(), "call", "own", "", "2026-11-23T16:00:00+00:00", ADVOCATE,
                                  "2026-11-24T09:00:00+00:00")
    assert case["activities"][0]["at"] == "2026-11-23T16:00:00+00:00"
    assert case["timeline"][-1]["at"] == "2026-11-24T09:00:00+00:00", "the timeline says when it was recorded"
    undated = domain.record_activity(opened(), "call", "own", "", None, ADVOCATE, "2026-11-24T09:00:00+00:00")
    assert undated["activities"][0]["at"] == "2026-11-24T09:00:00+00:00"
