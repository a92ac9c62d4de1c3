"""The headline groups and the language-and-access measures, counted from events of both versions as the worker
hands them to reporting: only what was recorded counts, a version 1 event (or a v2 one that does not say) counts
nowhere, and a meeting held counts at the kind of venue it was arranged at."""

from __future__ import annotations

from shared.contracts import new_event
from shared.contracts.scheduling import VENUE_TYPES

from services.reporting import domain, handlers
from services.reporting.store import FACTS, JOURNEYS
from tests.unit.fakes import FakeUnitOfWork, run

AT = "2026-10-05T09:00:00+00:00"
CONSENT = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
           "share_outcome_with_referrer": True}


def received(referral_id: str, version: int = 2, basis: str = "looked_after", **recorded):
    return new_event("referral.received", {
        "referral_id": referral_id, "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": "issue_based" if basis == "care_leaver" else "active_offer", "basis": basis, "external_ref": None,
        "received_at": AT, "statutory_meeting_at": None, "preferred_language": "en", "consent": CONSENT,
        "source": "social_worker", **recorded}, producer="referral", subject=f"referral:{referral_id}",
        version=version)


def arranged(referral_id: str, version: int = 2, **recorded):
    return new_event("meeting.arranged", {
        "meeting_id": f"m-{referral_id}", "referral_id": referral_id, "council": "CARDIFF",
        "advocate_email": "a@p.example", "starts_at": "2026-10-12T09:00:00+00:00", "duration_minutes": 60,
        "venue": "Ysgol y Wern", "language": "en", "late": False, **recorded}, producer="scheduling",
        subject=f"referral:{referral_id}", version=version)


def held(referral_id: str, version: int = 2, **recorded):
    return new_event("meeting.took_place", {
        "meeting_id": f"m-{referral_id}", "referral_id": referral_id, "council": "CARDIFF",
        "held_at": "2026-10-12T09:00:00+00:00", "before_deadline": True, **recorded}, producer="scheduling",
        subject=f"referral:{referral_id}", version=version)


def figures(*events) -> dict:
    uow = FakeUnitOfWork()
    for event in events:
        run(handlers.record, event, uow.handling_of(event))
    facts = [d.body for (collection, _), d in uow.documents.items() if collection == FACTS]
    journeys = [d.body for (collection, _), d in uow.documents.items() if collection == JOURNEYS]
    return domain.template(facts, journeys, domain.Period(2026, 3))


def test_the_headline_groups_count_only_what_the_referral_recorded():
    counted = figures(
        received("r1", placed_out_of_county=True, unaccompanied_asylum_seeking=True,
                 referrer_organisation_type="third_sector"),
        received("r2", basis="care_leaver", placed_out_of_county=False, referrer_organisation_type="council"),
        received("r3", placed_out_of_county=None, unaccompanied_asylum_seeking=None),
        received("r4", version=1),
    )
    assert counted["headline_groups"] == {"placed_out_of_county": 1, "unaccompanied_asylum_seeking": 1,
                                          "care_leavers": 1, "third_sector_referrers": 1}


def test_equality_monitoring_counts_each_answer_the_child_gave_apart_from_a_choice_not_to_say_and_from_not_asked():
    counted = figures(
        received("r1", gender="girl", ethnic_group="mixed", disability="no"),
        received("r2", gender="declined", ethnic_group="declined", disability="declined"),
        received("r3", gender="non_binary"),
        received("r4", version=1),
    )["equality"]
    assert counted["gender"] == {"girl": 1, "boy": 0, "non_binary": 1, "another_way": 0, "declined": 1,
                                 "not_recorded": 1}
    assert counted["ethnic_group"] == {"asian": 0, "black": 0, "mixed": 1, "white": 0, "other": 0, "declined": 1,
                                       "not_recorded": 2}
    assert counted["disability"] == {"yes": 0, "no": 1, "declined": 1, "not_recorded": 2}


def test_interpreters_and_communication_needs_count_referrals_and_meetings_held_that_said_so():
    counted = figures(
        received("r1", interpreter_needed=True, communication_needs_given=True),
        received("r2", interpreter_needed=True, communication_needs_given=False),
        received("r3", interpreter_needed=False),
        received("r4", version=1),
        arranged("r1", venue_type="school"), held("r1", interpreter_used=True),
        arranged("r2", venue_type="home"), held("r2", interpreter_used=False),
        arranged("r3"), held("r3"),
        arranged("r4", version=1), held("r4", version=1),
    )["language"]
    assert (counted["interpreters_needed"], counted["communication_needs_given"]) == (2, 1)
    assert (counted["meetings_held"], counted["interpreters_used"]) == (4, 1)
    assert counted["meetings_held_by_venue"] == {**dict.fromkeys(VENUE_TYPES, 0), "school": 1, "home": 1}, \
        "a meeting whose venue's type was not said is in no venue's count"


def test_a_meeting_arranged_at_a_school_but_not_yet_held_is_no_venue_used():
    counted = figures(received("r1"), arranged("r1", venue_type="school"))["language"]
    assert counted["meetings_held_by_venue"]["school"] == 0


def test_the_facts_kept_are_codes_and_flags_never_the_childs_communication_needs():
    uow = FakeUnitOfWork()
    event = received("r1", interpreter_needed=True, communication_needs_given=True,
                     referrer_organisation_type="health")
    run(handlers.record, event, uow.handling_of(event))
    kept = uow.body(FACTS, event.id)
    assert kept["communication_needs_given"] is True and kept["referrer_organisation_type"] == "health"
    assert all(value is None or isinstance(value, (bool, str, int)) for value in kept.values())
