"""Notify's second check agrees with the referral service's rule, for every source and consent, and a message made
under a consent stays unsent once that consent is withdrawn."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from services.notify import domain
from services.referral.domain import council_may_see

SOURCES = ("social_worker", "iro", "carer", "professional", "parent", "other", "self", "active_offer")
consents = st.fixed_dictionaries({"child_informed": st.booleans(), "child_agrees": st.booleans(),
                                  domain.ARRANGEMENTS: st.booleans(), domain.OUTCOME: st.booleans()})


def knows(source: str, consent: dict) -> bool:
    try:
        domain.council_may_know(source, consent)
    except domain.Withheld as withheld:
        assert withheld.reason
        return False
    return True


@settings(max_examples=300)
@given(source=st.sampled_from(SOURCES), consent=consents)
def test_notify_checks_again_exactly_what_the_referral_service_decided(source, consent):
    assert knows(source, consent) is council_may_see({"source": source, "consent": consent})


@settings(max_examples=200)
@given(source=st.sampled_from(SOURCES), consent=consents,
       basis=st.sampled_from([domain.DUTY, domain.ARRANGEMENTS, domain.OUTCOME]))
def test_a_message_leaves_only_while_its_consent_still_stands(source, consent, basis):
    try:
        domain.still_allowed(basis, source, consent)
        allowed = True
    except domain.Withheld:
        allowed = False
    assert allowed is (knows(source, consent) and (basis == domain.DUTY or consent[basis]))


def test_a_childs_no_withholds_even_the_acknowledgement():
    no = {"child_informed": True, "child_agrees": True, domain.ARRANGEMENTS: False, domain.OUTCOME: False}
    with pytest.raises(domain.Withheld, match="referred themselves"):
        domain.council_may_know("self", no)
    with pytest.raises(domain.Withheld, match="take-up"):
        domain.council_may_know("active_offer", no)
    domain.council_may_know("social_worker", no)


@given(known=consents, given_=st.one_of(st.none(), consents))
def test_an_event_is_governed_by_the_consent_it_carries_else_by_the_latest_notify_knows(known, given_):
    applying = domain.consent_applying(known, given_)
    assert applying == (given_ if given_ else known)
    applying["child_agrees"] = not applying["child_agrees"]
    assert (given_ or known)["child_agrees"] != applying["child_agrees"], "a copy: the kept consent is not changed"
