"""The Active Offer meetings' records in the template: reasons by code (older words as `other`, none as
`not_recorded`), the meetings held by topic covered and what was left with the child."""

from __future__ import annotations

from services.reporting import domain
from shared.contracts.referral import NOT_WANTED_REASONS
from shared.contracts.scheduling import MEETING_TOPICS, NOT_HELD_REASONS

AT = "2026-11-02T10:00:00+00:00"
CONSENT = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
           "share_outcome_with_referrer": True}
PERIOD = domain.Period(2026, 3)


def not_held(n: int, **data) -> dict:
    return domain.fact("meeting.not_held", {"referral_id": f"r{n}", "council": "CARDIFF", "meeting_id": f"m{n}",
                                            **data}, AT)


def completed(n: int, outcome: str = "declined", **data) -> dict:
    return domain.fact("active_offer.completed", {"referral_id": f"r{n}", "council": "CARDIFF", "meeting_id": f"m{n}",
                                                  "outcome": outcome, "consent": CONSENT, "completed_at": AT, **data},
                       AT)


def held(n: int, **data) -> dict:
    return domain.fact("meeting.took_place", {"referral_id": f"r{n}", "council": "CARDIFF", "meeting_id": f"m{n}",
                                              "held_at": AT, "before_deadline": True, **data}, AT)


def test_reasons_are_counted_by_code_with_older_words_as_other_and_none_as_not_recorded():
    facts = [not_held(1, reason_not_held_code="placement_moved"), not_held(2, reason_not_held="She was unwell"),
             not_held(3, reason_not_held_code="placement_moved"),
             completed(4, decline_reason_code="speaks_for_themselves"), completed(5, decline_reason="Has a mentor"),
             completed(6), completed(7, outcome="take_up")]
    figures = domain.template(facts, [], PERIOD)["active_offer"]
    assert list(figures["not_held_reasons"]) == [*NOT_HELD_REASONS, "not_recorded"], "every code shown"
    assert {k: v for k, v in figures["not_held_reasons"].items() if v} == {"placement_moved": 2, "other": 1}
    assert list(figures["decline_reasons"]) == [*NOT_WANTED_REASONS, "not_recorded"]
    assert {k: v for k, v in figures["decline_reasons"].items() if v} == {
        "speaks_for_themselves": 1, "other": 1, "not_recorded": 1}
    assert "unwell" not in str(facts) and "mentor" not in str(facts), "the words are never kept"


def test_meetings_held_are_counted_by_each_topic_covered_and_what_was_left():
    facts = [held(1, topics_covered=["advocate_role", "rights"], left_with_child=["leaflet", "contact_card"]),
             held(2, topics_covered=["rights"], left_with_child=["nothing"]), held(3)]
    figures = domain.template(facts, [], PERIOD)["active_offer"]
    assert list(figures["meetings_by_topic"]) == list(MEETING_TOPICS)
    assert {k: v for k, v in figures["meetings_by_topic"].items() if v} == {"advocate_role": 1, "rights": 2}
    assert {k: v for k, v in figures["meetings_by_left_with_child"].items() if v} == {
        "leaflet": 1, "contact_card": 1, "nothing": 1}
