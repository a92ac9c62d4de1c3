"""What each service does when the referral service says a referral's records expired, and with legal holds:
erases what it holds about that referral (and nothing else) once, and keeps the referrals a hold covers."""

from __future__ import annotations

import json

from shared import erasure
from shared.contracts import new_event
from shared.erasure import LEGAL_HOLDS

from services.casework.store import CASES
from services.casework.worker import HANDLERS as CASEWORK
from services.notify.store import DELIVERIES, REFERRALS as NOTIFY_REFERRALS, UNSENT
from services.notify.worker import HANDLERS as NOTIFY
from services.scheduling.store import MEETINGS
from services.scheduling.worker import HANDLERS as SCHEDULING
from tests.unit.fakes import FakeUnitOfWork, run


def expired(referral_id: str = "r1"):
    return new_event("retention.expired", {"referral_id": referral_id, "kind": "child_record",
                                           "erased_on": "2038-05-02"}, producer="referral", subject="referral:r1")


def test_casework_anonymises_the_referrals_cases_and_leaves_others():
    uow = FakeUnitOfWork()
    case = {"id": "c1", "referral_id": "r1", "status": "closed", "plan": {"text": "Cerys wants to see her brother",
            "version": 1}, "issues": [{"id": "i1", "theme": "contact", "description": "Seeing Dylan",
                                       "outcome": "resolved", "outcome_note": "Visits agreed"}],
            "activities": [{"at": "2027-01-01", "kind": "call", "note": "Called Cerys"}], "signposting": [],
            "advocate_changes": [], "disclosures": [], "closure": {"outcome": "issues_resolved", "feedback": "Ta"},
            "timeline": [{"at": "2027-01-01", "what": "opened", "by": "a@x", "detail": {"said": "Cerys"}}]}
    uow.given(CASES, "c1", case)
    uow.given(CASES, "c2", {**case, "id": "c2", "referral_id": "r2"})
    event = expired()
    run(CASEWORK["retention.expired"], event, uow.handling_of(event))
    erased = uow.body(CASES, "c1")
    for said in ("Cerys", "Dylan", "Visits agreed", "Ta\""):
        assert said not in json.dumps(erased)
    assert (erased["issues"][0]["theme"], erased["issues"][0]["outcome"]) == ("contact", "resolved")
    assert erased["erased_on"] == "2038-05-02"
    assert uow.body(CASES, "c2") == {**case, "id": "c2", "referral_id": "r2"}
    [record] = [d.body for (c, _), d in uow.documents.items() if c == erasure.ERASURES]
    assert record["kinds"] == {CASES: {"count": 1, "ids": [erasure.digest("c1")]}}
    assert event.id in uow.handled

    writes = uow.writes
    again = expired()
    run(CASEWORK["retention.expired"], again, uow.handling_of(again))  # erased already: nothing more
    assert uow.writes == writes + 1  # the inbox entry alone


def test_scheduling_keeps_a_meetings_codes_and_drops_the_venue_and_notes():
    uow = FakeUnitOfWork()
    uow.given(MEETINGS, "m1", {"id": "m1", "referral_id": "r1", "venue": {"name": "Ysgol Glan Taf", "type": "school"},
                               "late_reason": "Cerys was ill", "status": "held", "language": "cy"})
    event = expired()
    run(SCHEDULING["retention.expired"], event, uow.handling_of(event))
    assert uow.body(MEETINGS, "m1")["venue"] == {"name": "", "type": "school"}
    assert uow.body(MEETINGS, "m1")["late_reason"] is None


def test_notify_removes_what_it_kept_and_made_about_the_referral():
    uow = FakeUnitOfWork()
    uow.given(NOTIFY_REFERRALS, "r1", {"referrer_email": "sian@example.gov.uk"})
    uow.given(DELIVERIES, "e1:email", {"referral_id": "r1", "body": "Cerys ..."})
    uow.given(UNSENT, "e2:webhook", {"referral_id": "r1"})
    uow.given(DELIVERIES, "e3:email", {"referral_id": "r2", "body": "Osian ..."})
    event = expired()
    run(NOTIFY["retention.expired"], event, uow.handling_of(event))
    assert [key for key in uow.documents if key[0] != erasure.ERASURES] == [(DELIVERIES, "e3:email")]


def test_a_legal_hold_is_kept_for_every_referral_it_covers_until_it_is_lifted():
    uow = FakeUnitOfWork()
    placed = new_event("legal_hold.placed", {"referral_id": "r1", "referral_ids": ["r1", "r0"],
                                             "reason_code": "court_case", "placed_at": "2027-01-01T10:00:00+00:00"},
                       producer="referral", subject="referral:r1")
    run(NOTIFY["legal_hold.placed"], placed, uow.handling_of(placed))
    assert {uow.body(LEGAL_HOLDS, r)["held"] for r in ("r0", "r1")} == {True}
    lifted = new_event("legal_hold.lifted", {"referral_id": "r1", "referral_ids": ["r1", "r0"],
                                             "lifted_at": "2027-03-01T10:00:00+00:00"},
                       producer="referral", subject="referral:r1")
    run(NOTIFY["legal_hold.lifted"], lifted, uow.handling_of(lifted))
    assert {uow.body(LEGAL_HOLDS, r)["held"] for r in ("r0", "r1")} == {False}
