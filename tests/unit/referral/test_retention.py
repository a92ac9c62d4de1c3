"""When a child's records held by the referral service fall due, and what erasing them leaves: everything
reporting counts, nothing that names or reaches the child."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from shared.retention import Policy

from services.referral import history, retention
from services.reporting.domain import KEPT
from tests.unit.referral.test_referral_rules import recorded

CLOSED = "2027-02-10T15:00:00+00:00"
LATER = datetime(2045, 1, 1, tzinfo=timezone.utc)


def closed(**changes) -> dict:
    made = recorded()
    return {**made, "status": "closed", "closed_at": CLOSED, "close_reason": "completed", "outcome": "take_up",
            "meeting_took_place": True, "first_contact_at": "2026-11-25T10:00:00+00:00",
            "contact_attempts": [{"at": "2026-11-25T10:00:00+00:00", "method": "phone", "result": "reached",
                                  "note": "Spoke to Mair Jones, Cerys's carer"}],
            "meeting": {"status": "held", "id": "m1", "venue": "Ysgol Glan Taf, Cardiff"}, **changes}


def test_an_open_referral_is_not_due():
    assert retention.referral_erase_on(recorded(), Policy()) is None


def test_a_referral_that_went_ahead_is_kept_until_the_child_is_25_or_6_years_after_if_later():
    assert retention.referral_erase_on(closed(), Policy()) == date(2038, 5, 2)  # Cerys, born 2013-05-02, at 25
    older = closed(child={**closed()["child"], "date_of_birth": "2009-03-01"})
    assert retention.referral_erase_on(older, Policy()) == date(2034, 3, 1)
    assert retention.referral_erase_on(older, Policy(child_until_age=18)) == date(2033, 2, 10)  # 6 years on


def test_a_referral_that_never_went_ahead_is_due_2_years_after_it_closed():
    never = closed(meeting_took_place=None, first_contact_at=None, close_reason="withdrawn", outcome=None)
    assert retention.referral_erase_on(never, Policy()) == date(2029, 2, 10)
    assert [e.data["kind"] for e in retention.expired(never, date(2029, 2, 10))] == ["not_proceeded"]
    assert [e.data for e in retention.expired(closed(), date(2038, 5, 2))] == [
        {"referral_id": "r1", "kind": "child_record", "erased_on": "2038-05-02"}]


def counted(referral: dict) -> list[tuple]:
    """What reporting keeps of the referral's history: each fact's type, moment and counted fields."""
    return [(e.type, e.occurred_at, {k: e.data.get(k) for k in KEPT[e.type]})
            for e in history.of_referral(referral, LATER)]


def test_erasing_a_referral_keeps_what_reporting_counts_and_nothing_of_the_child():
    kept = closed()
    erased = retention.referral_anonymised(kept)
    said = json.dumps(erased)
    for personal in ("Cerys", "Jones", "2013-05-02", "07700", "MOSAIC-12345", "Sian Evans", "sian.evans",
                     "Ysgol Glan Taf", "None known."):
        assert personal not in said, personal
    assert counted(erased) == counted(kept)
    assert (erased["id"], erased["status"], erased["consent"]) == (kept["id"], "closed", kept["consent"])


def test_erasing_an_opt_out_keeps_the_childs_age_and_the_reasons_code():
    opt_out = {"id": "o1", "council": "CARDIFF", "region": "cardiff-vale", "basis": "looked_after",
               "date_of_birth": "2012-06-01", "reason_code": "other", "reason_note": "Cerys would rather not",
               "reason": None, "offered_at": "2026-11-20T10:00:00+00:00", "external_ref": "MOSAIC-9",
               "recorded_at": "2026-11-21T10:00:00+00:00"}
    erased = retention.opt_out_anonymised(opt_out)
    assert "2012-06-01" not in json.dumps(erased) and "Cerys" not in json.dumps(erased)
    assert [e.data for e in history.of_opt_out(erased, LATER)] == [e.data for e in history.of_opt_out(opt_out, LATER)]
    assert retention.opt_out_erase_on(opt_out, Policy()) == date(2027, 7, 1)  # its reporting year published


def test_a_change_in_care_falls_due_once_its_year_is_published_and_its_renewed_offer_done():
    told = {"id": "t1", "council": "CARDIFF", "region": "cardiff-vale", "kind": "placement_move",
            "happened_on": "2026-11-18", "referral_id": None, "optout_id": None, "external_ref": "MOSAIC-9",
            "earlier_referral_ids": ["r1"], "earlier_optout_ids": [], "offered_again": True,
            "not_offered_because": None, "renewed_offer_status": "to_do", "renewed_offer_result": None,
            "recorded_at": "2026-11-21T10:00:00+00:00"}
    assert retention.transition_erase_on(told, Policy()) is None, "its renewed offer is still to do"
    done = {**told, "renewed_offer_status": "done", "renewed_offer_result": "referred_again"}
    assert retention.transition_erase_on(done, Policy()) == date(2027, 7, 1)
    erased = retention.transition_anonymised(done)
    assert "MOSAIC-9" not in json.dumps(erased)
    assert {k: v for k, v in erased.items() if k != "external_ref"} == {k: v for k, v in done.items()
                                                                        if k != "external_ref"}
    assert retention.transition_about(done) == ["r1"], "a hold on the child's earlier referral keeps it"


def test_a_hold_on_any_linked_referral_keeps_this_one():
    linked = closed(earlier_referral_ids=["r0"], follow_on_referral_id="r2")
    assert retention.linked(linked) == ["r1", "r0", "r2"]


def test_only_a_manager_places_a_hold_with_a_reason_and_it_covers_the_linked_referrals():
    import pytest

    from shared.errors import NotAllowed, Refused
    from services.referral import handlers
    from services.referral.commands import LiftHold, PlaceHold
    from services.referral.store import REFERRALS
    from tests.unit.fakes import FakeUnitOfWork

    uow = FakeUnitOfWork()
    uow.given(REFERRALS, "r1", closed(earlier_referral_ids=["r0"]))
    with pytest.raises(NotAllowed):
        handlers.place_hold(PlaceHold("r1", "court_case", "advocate@x", "advocate"), uow)
    with pytest.raises(Refused):
        handlers.place_hold(PlaceHold("r1", "because", "manager@x", "manager"), uow)
    assert uow.events == []

    held = handlers.place_hold(PlaceHold("r1", "court_case", "manager@x", "manager"), uow)
    assert (held["held"], held["referral_ids"], held["reason_code"]) == (True, ["r1", "r0"], "court_case")
    assert [(e.type, e.data["referral_ids"]) for e in uow.events] == [("legal_hold.placed", ["r1", "r0"])]
    handlers.place_hold(PlaceHold("r1", "other", "manager@x", "manager"), uow)  # in place already: it stands
    assert len(uow.events) == 1

    lifted = handlers.lift_hold(LiftHold("r1", "manager@x", "manager"), uow)
    assert not lifted["held"] and lifted["lifted_by"] == "manager@x"
    assert [e.type for e in uow.events] == ["legal_hold.placed", "legal_hold.lifted"]
