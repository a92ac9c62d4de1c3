"""Offered again: which transitions bring a renewed offer, what a transition must say, and what a council is told.
And an opt-out's reason as a code: the old words count as `other`, a code with words beside it is refused."""

from __future__ import annotations

from datetime import date

import pytest

from services.referral import domain, offers_again
from services.referral.offers_again import TransitionRefused
from shared.contracts import new_event
from shared.councils import Council

TODAY = date(2026, 11, 23)
COUNCIL = Council(code="CARDIFF", name="Cardiff", region="cardiff-vale", nation="wales", name_cy="Caerdydd")


def active_offer(referral_id="r1", status="closed", outcome=None, closed_at="2026-06-01T10:00:00+00:00",
                 close_reason="completed", share_outcome=False, **more):
    return {"id": referral_id, "council": "CARDIFF", "kind": "active_offer", "status": status, "outcome": outcome,
            "close_reason": close_reason if status == "closed" else None,
            "closed_at": closed_at if status == "closed" else None, "received_at": "2026-05-01T10:00:00+00:00",
            "consent": {"share_outcome_with_referrer": share_outcome}, "source": "social_worker", **more}


def opt_out(optout_id="o1", offered_at="2026-04-01T10:00:00+00:00"):
    return {"id": optout_id, "council": "CARDIFF", "offered_at": offered_at, "reason_code": "not_the_right_time"}


@pytest.mark.parametrize("outcome", ["declined", "reflecting"])
def test_a_child_who_declined_or_was_reflecting_is_offered_again(outcome):
    assert offers_again.offered_again([active_offer(outcome=outcome)], []) == (True, None)


def test_a_child_who_opted_out_is_offered_again():
    assert offers_again.offered_again([], [opt_out()]) == (True, None)


def test_the_latest_ending_decides():
    took_up_later = active_offer(outcome="take_up", closed_at="2026-07-01T10:00:00+00:00")
    assert offers_again.offered_again([took_up_later], [opt_out()]) == (False, "took_up")
    opted_out_later = opt_out(offered_at="2026-08-01T10:00:00+00:00")
    assert offers_again.offered_again([took_up_later], [opted_out_later]) == (True, None)


def test_an_open_referral_means_no_renewed_offer():
    assert offers_again.offered_again([active_offer("r2", status="allocated")], [opt_out()]) == \
        (False, "open_referral")


def test_an_offer_closed_without_a_meeting_is_another_ending():
    closed = active_offer(close_reason="unable_to_contact")
    assert offers_again.offered_again([closed], []) == (False, "other_ending")


@pytest.mark.parametrize("request_, field", [
    ({"kind": "birthday", "happened_on": "2026-11-01", "referral_id": "r1"}, "kind"),
    ({"kind": "placement_move", "happened_on": "2026-11-24", "referral_id": "r1"}, "happened_on"),
    ({"kind": "placement_move", "happened_on": "2026-11-01"}, "referral_id"),
    ({"kind": "placement_move", "happened_on": "2026-11-01", "referral_id": "r1", "external_ref": "M-1"},
     "external_ref"),
])
def test_a_transition_that_breaks_a_rule_is_refused_by_field(request_, field):
    with pytest.raises(TransitionRefused) as refused:
        offers_again.check_transition(request_, TODAY)
    assert field in refused.value.errors


def test_a_transition_before_the_child_was_first_offered_is_refused():
    with pytest.raises(TransitionRefused) as refused:
        offers_again.check_not_before("2026-04-30", [active_offer(status="allocated")])
    assert "2026-05-01" in refused.value.errors["happened_on"][0]
    offers_again.check_not_before("2026-05-01", [active_offer(status="allocated")])


def _transition(referrals, opt_outs, kind="looked_after_review"):
    request = {"kind": kind, "happened_on": "2026-11-01", "referral_id": referrals[0]["id"] if referrals else None,
               "optout_id": None if referrals else opt_outs[0]["id"]}
    return offers_again.new_transition("t1", request, COUNCIL, referrals, opt_outs, "2026-11-02T09:00:00+00:00",
                                       "sw@cardiff.example", domain.council_may_see)


def test_a_renewed_offer_is_linked_to_the_earlier_offers_and_done_once():
    transition = _transition([active_offer(outcome="declined")], [opt_out()])
    assert transition["earlier_referral_ids"] == ["r1"] and transition["earlier_optout_ids"] == ["o1"]
    assert transition["renewed_offer_status"] == "to_do"
    done = offers_again.renewed_offer_done(transition, "referred_again", "2026-11-03T09:00:00+00:00", "m@p")
    assert offers_again.staff_view(done)["renewed_offer"]["result"] == "referred_again"
    with pytest.raises(offers_again.RenewedOfferForbids):
        offers_again.renewed_offer_done(done, "opted_out_again", "2026-11-04T09:00:00+00:00", "m@p")
    with pytest.raises(TransitionRefused):
        offers_again.renewed_offer_done(transition, "moved_away", "2026-11-03T09:00:00+00:00", "m@p")


def test_a_transition_without_a_renewed_offer_has_none_to_mark_done():
    transition = _transition([active_offer(outcome="take_up")], [])
    with pytest.raises(offers_again.RenewedOfferForbids):
        offers_again.renewed_offer_done(transition, "referred_again", "2026-11-03T09:00:00+00:00", "m@p")


def test_a_council_is_told_of_a_take_up_only_with_the_childs_agreement_to_share_the_outcome():
    untold = offers_again.council_view(_transition([active_offer(outcome="take_up")], []))
    assert untold["offered_again"] is False and "not_offered_because" not in untold
    told = offers_again.council_view(_transition([active_offer(outcome="take_up", share_outcome=True)], []))
    assert told["not_offered_because"] == "took_up"
    assert "earlier_referral_ids" not in told


def test_a_council_is_not_told_of_an_open_self_referral():
    hidden = active_offer("r2", status="received", source="self", kind="issue_based")
    view = offers_again.council_view(_transition([active_offer(outcome="declined"), hidden], []))
    assert view["offered_again"] is False and "not_offered_because" not in view


def test_the_transitions_event_carries_codes_and_ids_only():
    transition = _transition([active_offer(outcome="declined", external_ref="MOSAIC-1")], [])
    data = offers_again.recorded_event_data(transition)
    assert set(data) == {"transition_id", "council", "region", "kind", "happened_on", "offered_again",
                         "not_offered_because", "recorded_at"}
    new_event("transition.recorded", data, producer="referral", subject="x:1")  # passes its contract


# an opt-out's reason

OPT_OUT = {"basis": "looked_after", "date_of_birth": "2013-05-02", "offered_at": "2026-11-20T10:00:00+00:00"}


def test_an_opt_outs_old_words_are_the_code_other_with_the_words_as_its_note():
    assert domain.opt_out_reason({**OPT_OUT, "reason": " Has an advocate "}) == {
        "reason_code": "other", "reason_note": "Has an advocate", "reason": "Has an advocate"}
    assert domain.opt_out_reason({**OPT_OUT, "reason_code": "has_an_advocate", "reason_note": "Via school"}) == {
        "reason_code": "has_an_advocate", "reason_note": "Via school", "reason": None}


@pytest.mark.parametrize("changes, field", [
    ({"reason_code": "bored"}, "reason_code"),
    ({"reason_code": "other", "reason": "words"}, "reason"),
    ({"reason_code": "other", "reason_note": "x" * 1001}, "reason_note"),
    ({"reason_note": "words without a code"}, "reason_code"),
])
def test_an_opt_outs_reason_that_breaks_a_rule_is_refused_by_field(changes, field):
    with pytest.raises(domain.ReferralRejected) as refused:
        domain.check_opt_out({**OPT_OUT, **changes}, TODAY)
    assert field in refused.value.errors


def test_the_opt_out_event_carries_the_code_never_the_words():
    kept = {**OPT_OUT, "id": "o1", "council": "CARDIFF", "region": "cardiff-vale",
            **domain.opt_out_reason({**OPT_OUT, "reason_code": "other", "reason_note": "Lives with Nain"})}
    data = domain.opt_out_event_data(kept)
    assert data["reason_code"] == "other" and "Nain" not in str(data) and "reason" not in data
    assert new_event("optout.recorded", data, producer="referral", subject="x:1").version == 2
    before_codes = {**kept, "reason_code": None, "reason_note": "", "reason": "Lives with Nain"}
    assert domain.opt_out_event_data(before_codes)["reason_code"] == "other"
    assert domain.opt_out_event_data({**before_codes, "reason": None})["reason_code"] is None
