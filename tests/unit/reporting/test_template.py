"""The template's rules: financial-year quarters by London's date, what a fact keeps, a referral's journey whatever
order and however often its facts come, and each figure counted from facts made here for the purpose."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.contracts.scheduling import VENUE_TYPES

from services.reporting import domain

THIRD_QUARTER = domain.Period(2026, 3)


@pytest.mark.parametrize("moment, quarter", [
    ("2026-04-01T00:00:00+01:00", "2026Q1"),  # April's first minute in London is still March in UTC
    ("2026-03-31T23:30:00+00:00", "2026Q1"),  # ... and this is April in London (BST)
    ("2026-03-31T22:59:00+00:00", "2025Q4"),
    ("2026-06-30T12:00:00+00:00", "2026Q1"),
    ("2026-07-01T00:00:00+01:00", "2026Q2"),
    ("2026-12-31T23:59:59+00:00", "2026Q3"),
    ("2027-01-01T00:00:00+00:00", "2026Q4"),
    ("2027-03-31T23:59:59+01:00", "2026Q4"),
])
def test_a_moment_falls_in_the_financial_quarter_of_its_london_date(moment, quarter):
    assert domain.quarter_of(moment) == quarter


def test_a_period_spans_its_quarters_days_and_knows_the_one_before():
    third = domain.period("2026", "3")
    assert (third.quarters, third.first_day.isoformat(), third.last_day.isoformat()) == (
        ("2026Q3",), "2026-10-01", "2026-12-31")
    fourth = domain.period(2026, 4)
    assert (fourth.first_day.isoformat(), fourth.last_day.isoformat()) == ("2027-01-01", "2027-03-31")
    year = domain.period("2026", annual=True)
    assert year.quarters == ("2026Q1", "2026Q2", "2026Q3", "2026Q4")
    assert (year.first_day.isoformat(), year.last_day.isoformat()) == ("2026-04-01", "2027-03-31")
    assert domain.period(2026, 1).before() == domain.Period(2025, 4) and year.before() == domain.Period(2025)


@pytest.mark.parametrize("year, quarter, wrong", [
    ("26", "1", {"year"}), ("1999", "1", {"year"}), ("2026", "5", {"quarter"}), ("2026", "0", {"quarter"}),
    ("２０２６", "1", {"year"}), ("2026", None, {"quarter"}), (None, "x", {"year", "quarter"}), (True, 1, {"year"}),
    ("-2026", "1", {"year"}), ("2026", "1.0", {"quarter"}),
])
def test_a_period_out_of_range_or_not_a_number_is_refused_by_name(year, quarter, wrong):
    with pytest.raises(domain.PeriodRefused) as refused:
        domain.period(year, quarter)
    assert set(refused.value.errors) == wrong


RECEIVED = {"referral_id": "r1", "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
            "kind": "active_offer", "basis": "looked_after", "source": "social_worker",
            "external_ref": "CARDIFF-123", "received_at": "2026-10-05T09:00:00+00:00", "statutory_meeting_at": None,
            "preferred_language": "cy", "referrer_email": "sian@cardiff.example", "earlier_referral_ids": [],
            "consent": {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
                        "share_outcome_with_referrer": True}}


def test_a_fact_keeps_codes_and_dates_never_a_contact_or_a_reference():
    kept = domain.fact("referral.received", RECEIVED, "2026-10-05T09:00:01+00:00")
    assert kept == {"type": "referral.received", "council": "CARDIFF", "referral_id": "r1",
                    "at": "2026-10-05T09:00:00+00:00", "quarter": "2026Q3", "kind": "active_offer",
                    "basis": "looked_after", "source": "social_worker", "preferred_language": "cy",
                    "statutory_meeting_at": None, "placed_out_of_county": None, "unaccompanied_asylum_seeking": None,
                    "referrer_organisation_type": None, "interpreter_needed": None,
                    "communication_needs_given": None, "gender": None, "ethnic_group": None,
                    "disability": None, "child": "r1"}, "a version 1 event says nothing of them: not recorded"
    assert "sian" not in str(kept) and "CARDIFF-123" not in str(kept)


def facts_of_one_referral() -> list[dict]:
    return [
        domain.fact("referral.received", RECEIVED, "2026-10-05T09:00:00+00:00"),
        domain.fact("deadlines.scheduled", {"referral_id": "r1", "council": "CARDIFF", "deadlines": {
            "acknowledge_by": "2026-10-06T17:00:00+00:00", "allocate_by": "2026-10-07T17:00:00+00:00",
            "first_contact_by": "2026-10-08T17:00:00+00:00", "meeting_by": "2026-10-20T17:00:00+00:00"}},
            "2026-10-05T09:00:01+00:00"),
        domain.fact("referral.allocated", {"referral_id": "r1", "council": "CARDIFF", "advocate_email": "a@p.example",
                                           "allocated_at": "2026-10-06T09:00:00+00:00"}, "2026-10-06T09:00:00+00:00"),
        domain.fact("contact.attempted", {"referral_id": "r1", "council": "CARDIFF", "method": "phone",
                                          "result": "no_answer", "attempted_at": "2026-10-09T09:00:00+00:00"},
                    "2026-10-09T09:00:00+00:00"),
        domain.fact("contact.attempted", {"referral_id": "r1", "council": "CARDIFF", "method": "phone",
                                          "result": "reached", "attempted_at": "2026-10-10T09:00:00+00:00"},
                    "2026-10-10T09:00:00+00:00"),
        domain.fact("meeting.took_place", {"referral_id": "r1", "council": "CARDIFF", "meeting_id": "m1",
                                           "held_at": "2026-10-15T09:00:00+00:00", "before_deadline": True},
                    "2026-10-15T10:00:00+00:00"),
    ]


def journey_of(facts: list[dict]) -> dict:
    journey: dict = {}
    for kept in facts:
        journey = domain.journey_after(journey, kept) or journey
    return journey


@settings(max_examples=100)
@given(order=st.permutations(range(6)), again=st.lists(st.integers(0, 5), max_size=6))
def test_a_journey_is_the_same_whatever_order_its_facts_come_in_and_however_often(order, again):
    facts = facts_of_one_referral()
    expected = journey_of(facts)
    assert journey_of([facts[i] for i in [*order, *again]]) == expected
    assert expected["first_contact_at"] == "2026-10-09T09:00:00+00:00", "the first attempt, reached or not"
    assert domain.journey_after(expected, facts[0]) is None, "a fact already in changes nothing"


def test_response_times_are_medians_in_days_with_the_share_within_each_time_frame():
    late = {**journey_of(facts_of_one_referral()), "referral_id": "r2", "allocated_at": "2026-10-09T09:00:00+00:00"}
    figures = domain.response_times([journey_of(facts_of_one_referral()), late,
                                     {"referral_id": "r3", "kind": "active_offer",
                                      "received_at": "2026-10-05T09:00:00+00:00"}])
    assert figures["allocation"] == {"reached": 2, "median_days": 2.5, "within_time_frame": 0.5}
    assert figures["first_contact_attempt"] == {"reached": 2, "median_days": 4.0, "within_time_frame": 0.0}
    assert figures["meeting_held"] == {"reached": 2, "median_days": 10.0, "within_time_frame": 1.0}
    assert domain.response_times([])["allocation"] == {"reached": 0, "median_days": None, "within_time_frame": None}


def test_a_quarters_response_times_are_followed_week_by_week_and_a_years_month_by_month():
    first = journey_of(facts_of_one_referral())  # received Monday 5 October, the quarter's week 1 began 1 October
    later = {**first, "referral_id": "r2", "received_at": "2026-12-31T23:30:00+00:00", "allocated_at": None,
             "first_contact_at": None, "held_at": None}
    weekly = domain.response_times_over([first, later, {"referral_id": "r3", "kind": "issue_based",
                                                        "received_at": "2026-10-05T09:00:00+00:00"}],
                                        THIRD_QUARTER)
    assert list(weekly) == [f"week_{n}" for n in range(1, 15)], "1 October to 31 December: 13 weeks and a day"
    assert weekly["week_1"] == {"received": 1, "allocation": 1.0, "first_contact_attempt": 4.0, "meeting_held": 10.0}
    assert weekly["week_2"] == {"received": 0, "allocation": None, "first_contact_attempt": None,
                                "meeting_held": None}
    assert weekly["week_14"]["received"] == 1 and weekly["week_14"]["allocation"] is None, "not yet reached"
    monthly = domain.response_times_over([first], domain.Period(2026))
    assert [name for name, _ in domain.parts_of(domain.Period(2026))][::11] == ["month_1", "month_12"]
    assert [first_day.isoformat() for _, first_day in domain.parts_of(domain.Period(2026))][8:10] == [
        "2026-12-01", "2027-01-01"]
    assert monthly["month_7"]["received"] == 1 and sum(part["received"] for part in monthly.values()) == 1


def test_the_active_offer_funnel_counts_each_fact_in_the_period_it_happened():
    at = "2026-11-01T10:00:00+00:00"
    issue_based = {**RECEIVED, "referral_id": "r9", "kind": "issue_based", "basis": "looked_after",
                   "source": "active_offer", "preferred_language": "en"}
    facts = [
        *facts_of_one_referral(),
        domain.fact("referral.received", issue_based, at),
        domain.fact("optout.recorded", {"optout_id": "o1", "council": "CARDIFF", "region": "cardiff-vale",
                                        "basis": "looked_after", "age": 14, "reason": "has_an_advocate",
                                        "offered_at": at}, at),
        domain.fact("meeting.not_held", {"referral_id": "r5", "council": "CARDIFF", "meeting_id": "m5",
                                         "reason_not_held": "child_unwell"}, at),
        domain.fact("active_offer.completed", {"referral_id": "r1", "council": "CARDIFF", "meeting_id": "m1",
                                               "outcome": "declined", "decline_reason": "has support",
                                               "completed_at": at, "consent": RECEIVED["consent"]}, at),
        domain.fact("referral.closed", {"referral_id": "r6", "council": "CARDIFF", "reason": "unable_to_contact",
                                        "meeting_took_place": None, "closed_at": at,
                                        "consent": RECEIVED["consent"]}, at),
        domain.fact("referral.closed", {"referral_id": "r1", "council": "CARDIFF", "reason": "completed",
                                        "outcome": "declined", "meeting_took_place": True, "closed_at": at,
                                        "consent": RECEIVED["consent"]}, at),
        domain.fact("deadline.missed", {"referral_id": "r6", "council": "CARDIFF", "deadline": "first_contact_by",
                                        "due_at": at}, at),
        domain.fact("case.opened", {"case_id": "r9", "referral_id": "r9", "council": "CARDIFF",
                                    "region": "cardiff-vale", "advocate_email": "a@p.example",
                                    "source": "active_offer", "basis": "looked_after", "language": "en",
                                    "opened_at": at}, at),
    ]
    figures = domain.template(facts, [journey_of(facts_of_one_referral())], THIRD_QUARTER)
    funnel = figures["active_offer"]
    assert funnel["offers"] == 2 and funnel["opt_outs"] == 1
    assert funnel["opt_out_reasons"] == {"has_an_advocate": 0, "support_elsewhere": 0, "speaks_for_themselves": 0,
                                         "not_the_right_time": 0, "did_not_say": 0, "other": 1,
                                         "not_recorded": 0}, "a reason told in words counts as other, never its words"
    assert funnel["referrals_received"] == 1
    assert funnel["by_basis"] == {"looked_after": 1, "child_protection": 0, "care_and_support": 0}
    assert funnel["first_contact_made"] == 1
    assert (funnel["meetings_held"], funnel["meetings_held_before_deadline"], funnel["meetings_not_held"]) == (1, 1, 1)
    assert funnel["not_held_reasons"]["other"] == 1, "words given before the codes count as other, never the words"
    assert sum(funnel["not_held_reasons"].values()) == 1
    assert funnel["outcomes"] == {"take_up": 0, "declined": 1, "reflecting": 0, "other_support": 0}
    assert funnel["decline_reasons"]["other"] == 1 and sum(funnel["decline_reasons"].values()) == 1
    assert "has support" not in str(facts) and "child_unwell" not in str(facts), "free text is never kept"
    assert funnel["closed_without_meeting"] == {"unable_to_contact": 1, "declined_meeting": 0, "withdrawn": 0,
                                                "duplicate": 0}
    assert (funnel["issue_based_from_take_up"], funnel["cases_opened"]) == (1, 1)
    assert figures["referrals"] == {"received": 2, "children": 2, "by_kind": {"active_offer": 1, "issue_based": 1},
                                    "by_source": {"active_offer": 1, "social_worker": 1},
                                    "by_basis": {"looked_after": 2}}
    assert figures["deadlines_missed"] == {"acknowledge_by": 0, "allocate_by": 0, "first_contact_by": 1,
                                           "meeting_by": 0}
    assert figures["language"] == {"welsh_asked_for": 1, "meetings_held": 1, "meetings_held_in_welsh": 0,
                                   "interpreters_needed": 0, "interpreters_used": 0, "communication_needs_given": 0,
                                   "meetings_held_by_venue": dict.fromkeys(VENUE_TYPES, 0),
                                   "meetings_held_at_accessible_risk_assessed_venues": 1}, "none recorded"
    assert figures["headline_groups"] == {"placed_out_of_county": 0, "unaccompanied_asylum_seeking": 0,
                                          "care_leavers": 0, "third_sector_referrers": 0}
    assert figures["equality"]["gender"] == {"girl": 0, "boy": 0, "non_binary": 0, "another_way": 0, "declined": 0,
                                             "not_recorded": 2}, "referrals that were not asked are not recorded"
    assert "sian@" not in str(figures) and "a@p.example" not in str(figures), "counts, never names"


def case_fact(event_type: str, at: str = "2026-11-02T10:00:00+00:00", **data) -> dict:
    return domain.fact(event_type, {"case_id": "r9", "referral_id": "r9", "council": "CARDIFF",
                                    "region": "cardiff-vale", **data}, at)


def test_casework_counts_cases_issues_and_how_they_were_worked_and_a_disclosure_by_its_count_alone():
    facts = [
        case_fact("case.opened", advocate_email="a@p.example", source="active_offer", basis="looked_after",
                  language="cy", opened_at="2026-11-01T10:00:00+00:00"),
        case_fact("case.issue_raised", issue_id="i1", theme="contact"),
        case_fact("case.issue_raised", issue_id="i2", theme="education"),
        case_fact("case.issue_concluded", issue_id="i1", theme="contact", outcome="resolved"),
        case_fact("case.activity_recorded", kind="meeting", contribution="jointly"),
        case_fact("case.activity_recorded", kind="call", contribution="own"),
        case_fact("case.signposted", to="legal"),
        case_fact("case.advocate_change_requested", request_id="c1"),
        case_fact("case.advocate_change_decided", request_id="c1", result="granted", advocate_email="b@p.example"),
        case_fact("case.disclosure_recorded", reason="significant_harm", child_told=True),
        case_fact("case.closed", outcome="issues_resolved", satisfaction=4, closed_at="2026-12-01T10:00:00+00:00"),
        domain.fact("case.closed", {"case_id": "r8", "referral_id": "r8", "council": "CARDIFF",
                                    "region": "cardiff-vale", "outcome": "moved_away", "satisfaction": None,
                                    "closed_at": "2026-12-01T10:00:00+00:00"}, "2026-12-01T10:00:00+00:00"),
    ]
    figures = domain.template(facts, [], THIRD_QUARTER)["casework"]
    assert (figures["cases_opened"], figures["cases_closed"]) == (1, 2)
    assert figures["closed_by_outcome"]["issues_resolved"] == 1 and figures["closed_by_outcome"]["moved_away"] == 1
    assert figures["issues_raised_by_theme"]["contact"] == 1 and figures["issues_raised_by_theme"]["education"] == 1
    assert figures["issues_concluded_by_outcome"]["resolved"] == 1
    assert figures["signposted_to"]["legal"] == 1 and figures["signposted_to"]["specialist"] == 0
    assert (figures["advocate_changes_requested"], figures["advocate_changes_granted"]) == (1, 1)
    assert figures["contributions"] == {"own": 1, "through_advocate": 0, "jointly": 1}
    assert figures["disclosures_without_consent"] == 1
    assert figures["satisfaction"] == {"given": 1, "mean": 4, "by_score": {"1": 0, "2": 0, "3": 0, "4": 1, "5": 0}}
    assert "significant_harm" not in str(figures) and "b@p.example" not in str(figures)


def complaint_fact(event_type: str, council: str | None = "CARDIFF", **data) -> dict:
    return domain.fact(event_type, {"complaint_id": "c1", **data}, "2026-11-05T10:00:00+00:00", council=council)


def test_a_complaint_is_answered_within_its_stages_time_limit_or_not_and_each_stage_counts():
    complaint: dict = {}
    for kept in (complaint_fact("complaint.received", kind="complaint", made_by="child", council="CARDIFF",
                                nation="wales", language="cy", received_at="2026-11-01T10:00:00+00:00"),
                 complaint_fact("complaint.deadlines_scheduled", acknowledge_by="2026-11-03T17:00:00+00:00",
                                respond_by="2026-11-20T17:00:00+00:00"),
                 complaint_fact("complaint.second_stage_scheduled", respond_by="2026-12-10T17:00:00+00:00")):
        complaint = domain.complaint_after(complaint, kept) or complaint
    assert complaint == {"complaint_id": "c1", "council": "CARDIFF",
                         "respond_by": {"1": "2026-11-20T17:00:00+00:00", "2": "2026-12-10T17:00:00+00:00"}}
    first = complaint_fact("complaint.responded", kind="complaint", stage=1, outcome="not_upheld",
                           responded_at="2026-11-19T10:00:00+00:00")
    second = complaint_fact("complaint.responded", kind="complaint", stage=2, outcome="partly_upheld",
                            responded_at="2026-12-11T10:00:00+00:00")
    assert domain.within_time_limit(complaint, first) is True
    assert domain.within_time_limit(complaint, second) is False
    assert domain.within_time_limit({"complaint_id": "c1", "council": None}, first) is None, "not known yet"
    first["within_time_limit"], second["within_time_limit"] = True, False
    figures = domain.template([
        complaint_fact("complaint.received", kind="compliment", made_by="parent", council="CARDIFF", nation="wales",
                       language="en", received_at="2026-11-01T10:00:00+00:00"),
        first, second, complaint_fact("complaint.escalated", kind="complaint", stage=2,
                                      escalated_at="2026-11-25T10:00:00+00:00"),
        complaint_fact("complaint.deadline_missed", deadline="stage_2_respond_by", due_at="2026-12-10T17:00:00+00:00"),
    ], [], THIRD_QUARTER)["complaints"]
    assert figures["received_by_kind"] == {"complaint": 0, "representation": 0, "compliment": 1}
    assert figures["received_from"]["parent"] == 1
    assert (figures["answered"], figures["answered_within_time_limit"], figures["escalated"]) == (2, 0.5, 1)
    assert figures["answered_by_outcome"] == {"upheld": 0, "partly_upheld": 1, "not_upheld": 1}
    assert figures["answered_by_stage"] == {"1": 1, "2": 1}
    assert figures["time_limits_missed"] == {"acknowledge_by": 0, "respond_by": 0, "stage_2_respond_by": 1}


def _opt_out(optout_id: str, **reason) -> dict:
    at = "2026-11-01T10:00:00+00:00"
    return domain.fact("optout.recorded", {"optout_id": optout_id, "council": "CARDIFF", "region": "cardiff-vale",
                                           "basis": "looked_after", "age": 14, "offered_at": at, **reason}, at)


def test_opt_outs_are_counted_by_their_reasons_code():
    facts = [_opt_out("o1", reason_code="has_an_advocate"), _opt_out("o2", reason_code="has_an_advocate"),
             _opt_out("o3", reason_code="did_not_say"), _opt_out("o4", reason="Lives with her nain"),
             _opt_out("o5", reason_code=None), _opt_out("o6")]
    reasons = domain.template(facts, [], THIRD_QUARTER)["active_offer"]["opt_out_reasons"]
    assert reasons == {"has_an_advocate": 2, "support_elsewhere": 0, "speaks_for_themselves": 0,
                       "not_the_right_time": 0, "did_not_say": 1, "other": 1, "not_recorded": 2}
    assert "nain" not in str(facts)
    kept_before_the_codes = {**facts[3], "reason_code": None}
    kept_before_the_codes.pop("reason_code")
    assert domain.opt_out_reasons([kept_before_the_codes])["other"] == 1


def test_transitions_and_renewed_offers_are_counted_in_the_period_they_happened():
    at = "2026-11-02T10:00:00+00:00"

    def told(transition_id, kind, again, because=None):
        return domain.fact("transition.recorded", {
            "transition_id": transition_id, "council": "CARDIFF", "region": "cardiff-vale", "kind": kind,
            "happened_on": "2026-11-01", "offered_again": again, "not_offered_because": because,
            "recorded_at": at}, at)

    facts = [told("t1", "looked_after_review", True), told("t2", "placement_move", True),
             told("t3", "leaving_care_planning", False, "took_up"), told("t4", "placement_move", False,
                                                                          "open_referral"),
             domain.fact("renewed_offer.done", {"transition_id": "t1", "council": "CARDIFF",
                                                "result": "opted_out_again", "done_at": at}, at)]
    figures = domain.template(facts, [], THIRD_QUARTER)["offers_again"]
    assert figures == {
        "transitions_told": 4,
        "transitions_by_kind": {"looked_after_review": 1, "placement_move": 2, "leaving_care_planning": 1},
        "renewed_offers_made": 2,
        "not_offered_again": {"open_referral": 1, "took_up": 1, "other_ending": 0},
        "renewed_offers_done": 1,
        "renewed_offer_results": {"referred_again": 0, "opted_out_again": 1, "could_not_be_offered": 0},
    }
    assert {f["quarter"] for f in facts} == {domain.quarter_of(at)}
