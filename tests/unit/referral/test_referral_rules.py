"""The rules of a referral: who is a child, what an Active Offer needs, and what a council may see."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from services.referral import domain
from shared.contracts.referral import STATUSES
from shared.councils import CouncilRegister

EXAMPLE = json.loads((Path(__file__).resolve().parents[3] / "examples" / "referral.json").read_text())
TODAY = date(2026, 11, 23)


def referral(**changes):
    request = copy.deepcopy(EXAMPLE)
    for path, value in changes.items():
        target = request
        *parents, leaf = path.split("__")
        for key in parents:
            target = target[key]
        target[leaf] = value
    return request


def errors_of(request, today=TODAY):
    with pytest.raises(domain.ReferralRejected) as raised:
        domain.check_referral(request, today)
    return raised.value.errors


def test_the_example_referral_keeps_every_rule():
    domain.check_referral(EXAMPLE, TODAY)


@pytest.mark.parametrize("born, allowed", [
    ("2008-11-24", True),    # 17, turns 18 tomorrow
    ("2008-11-23", False),   # 18 today
    ("2000-01-01", False),
    ("2026-11-23", True),    # born today
    ("2026-11-24", False),   # not born yet
])
def test_the_child_is_under_18_on_the_day_of_receipt(born, allowed):
    request = referral(child__date_of_birth=born)
    if allowed:
        domain.check_referral(request, TODAY)
    else:
        assert "child.date_of_birth" in errors_of(request)


def test_care_leavers_are_children_for_this_until_25():
    request = referral(kind="issue_based", basis="care_leaver", child__date_of_birth="2002-11-24")
    domain.check_referral(request, TODAY)
    assert "under 25" in errors_of(referral(kind="issue_based", basis="care_leaver",
                                            child__date_of_birth="2001-11-23"))["child.date_of_birth"][0]


def test_an_age_counts_whole_years_across_a_leap_day():
    assert domain.age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert domain.age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


@pytest.mark.parametrize("flag", ["child_informed", "child_agrees"])
def test_an_active_offer_needs_the_child_to_know_and_agree(flag):
    message = errors_of(referral(**{f"consent__{flag}": False}))[f"consent.{flag}"][0]
    assert "/api/v1/opt-outs" in message


def test_an_issue_based_referral_does_not_need_the_active_offer_consents():
    domain.check_referral(referral(kind="issue_based", basis="complaint", consent__child_informed=False), TODAY)


def test_there_must_be_a_way_to_reach_the_child_or_carer():
    assert "child.contact" in errors_of(referral(child__contact={"carer_name": "Mair Jones", "phone": "  "}))
    domain.check_referral(referral(child__contact={"address": "1 Heol y Frenhines, Caerdydd"}), TODAY)


@pytest.mark.parametrize("kind, basis", [("active_offer", "care_leaver"), ("issue_based", "boredom")])
def test_the_basis_fits_the_kind(kind, basis):
    assert "basis" in errors_of(referral(kind=kind, basis=basis))


def test_every_broken_rule_is_named_at_once():
    errors = errors_of(referral(child__date_of_birth="1990-01-01", consent__child_agrees=False,
                                child__contact={}, statutory_meeting_at="2026-11-01T10:00:00+00:00"))
    assert set(errors) == {"child.date_of_birth", "consent.child_agrees", "child.contact", "statutory_meeting_at"}


def recorded(**consent):
    request = referral(**{f"consent__{k}": v for k, v in consent.items()})
    return domain.new_referral("r1", request, CouncilRegister.load().get("CARDIFF"), "2026-11-23T09:00:00.000+00:00")


def test_a_new_referral_is_received_with_its_first_timeline_entry_and_region():
    new = recorded()
    assert (new["status"], new["region"], new["nation"]) == ("received", "cardiff-vale", "wales")
    assert new["timeline"] == [{"at": "2026-11-23T09:00:00.000+00:00", "what": "received", "by": "CARDIFF"}]


def test_acknowledging_happens_once():
    once = domain.acknowledge(recorded(), "2026-11-23T09:00:01.000+00:00")
    assert once["acknowledged_at"] and once["timeline"][-1]["what"] == "acknowledged"
    assert domain.acknowledge(once, "2026-11-23T10:00:00.000+00:00") is None


@pytest.mark.parametrize("arrangements", [True, False])
@pytest.mark.parametrize("outcome", [True, False])
def test_the_council_sees_only_what_consent_allows(arrangements, outcome):
    held = {**recorded(share_arrangements_with_referrer=arrangements, share_outcome_with_referrer=outcome),
            "meeting": {"status": "held", "starts_at": "2026-12-01T10:00:00+00:00", "venue": "Ysgol y Wern"},
            "meeting_took_place": True, "outcome": "take_up", "follow_on_referral_id": "r2"}
    view = domain.council_view(held)
    assert view["meeting_took_place"] is True, "whether the meeting took place is always shown"
    assert ("starts_at" in view["meeting"] and "venue" in view["meeting"]) is arrangements
    assert ("outcome" in view and "follow_on_referral_id" in view) is outcome
    text = json.dumps(view)
    assert "Cerys" not in text and "07700" not in text and "Sian" not in text


def test_the_received_event_carries_nothing_about_the_child_but_codes_and_dates():
    data = domain.received_event_data(recorded())
    text = json.dumps(data)
    for personal in ("Cerys", "Jones", "07700", "Mair", "Heol"):
        assert personal not in text
    assert data["referrer_email"] == "sian.evans@example.gov.uk", "the referrer's work address, for their notices"


def test_the_received_event_says_what_the_headline_groups_count_as_recorded_and_only_whether_needs_were_given():
    request = referral(placed_out_of_county=True, referrer__organisation_type="third_sector",
                       child__interpreter_needed=True, child__communication_needs="Uses Makaton signs")
    council = CouncilRegister.load().get("CARDIFF")
    data = domain.received_event_data(domain.new_referral("r1", request, council, "2026-11-23T09:00:00+00:00"))
    assert {k: data[k] for k in ("placed_out_of_county", "unaccompanied_asylum_seeking", "referrer_organisation_type",
                                 "interpreter_needed", "communication_needs_given")} == {
        "placed_out_of_county": True, "unaccompanied_asylum_seeking": None,
        "referrer_organisation_type": "third_sector", "interpreter_needed": True, "communication_needs_given": True}, "what was not said stays None, never a guess"
    assert "Makaton" not in json.dumps(data), "the child's own needs stay with the referral"
    assert (data["gender"], data["ethnic_group"], data["disability"]) == (None, None, None), "not asked"
    request["child"]["equality"] = {"gender": "declined", "disability": "yes"}
    data = domain.received_event_data(domain.new_referral("r1", request, council, "2026-11-23T09:00:00+00:00"))
    assert (data["gender"], data["ethnic_group"], data["disability"]) == ("declined", None, "yes")
    follow_on = domain.follow_on_referral(domain.new_referral("r1", request, council, "2026-11-23T09:00:00+00:00"),
                                          "r2", EXAMPLE["consent"], "2026-11-30T09:00:00+00:00")
    again = domain.received_event_data(follow_on)
    assert again["placed_out_of_county"] is True, "the same child, as recorded"
    assert again["referrer_organisation_type"] is None, "a take-up is referred by the child, not the organisation"


def test_the_next_actions_follow_the_journey():
    def referral(status: str, meeting: str = "none") -> dict:
        return {"status": status, "meeting": {"status": meeting}}

    assert domain.next_actions(referral("received")) == ["allocate", "close"]
    assert domain.next_actions(referral("allocated")) == ["allocate", "record_contact_attempt", "arrange_meeting",
                                                          "close"]
    assert domain.next_actions(referral("contacting")) == ["record_contact_attempt", "arrange_meeting", "close"]
    assert domain.next_actions(referral("meeting_arranged", "arranged")) == [
        "record_contact_attempt", "reschedule_meeting", "cancel_meeting", "record_meeting", "close"]
    assert domain.next_actions(referral("closed", "held")) == []


def test_what_the_next_actions_offer_is_what_the_rules_allow():
    for status in STATUSES:
        current = {"status": status, "meeting": {"status": "none"}, "timeline": [], "contact_attempts": []}
        offered = domain.next_actions(current)
        for action, attempt in [("allocate", lambda r: domain.allocate(r, "a@example.org", "t", "m")),
                                ("close", lambda r: domain.close(r, "withdrawn", "t", "m")),
                                ("record_contact_attempt",
                                 lambda r: domain.record_contact_attempt(r, "phone", "reached", "", "t", "a"))]:
            try:
                attempt(current)
                allowed = True
            except domain.TransitionForbidden:
                allowed = False
            assert allowed == (action in offered), (status, action)
