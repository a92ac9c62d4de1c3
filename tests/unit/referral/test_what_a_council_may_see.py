"""Whether a council may know a referral exists: its own always, a child's own request or a take-up only with the
child's agreement (a property over every source and every consent)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from services.referral import domain
from shared.councils import CouncilRegister

EXAMPLE = json.loads((Path(__file__).resolve().parents[3] / "examples" / "referral.json").read_text())
COUNCIL_ROLES = ("social_worker", "iro", "carer", "professional", "parent", "other")

consents = st.fixed_dictionaries({"child_informed": st.booleans(), "child_agrees": st.booleans(),
                                  domain.ARRANGEMENTS: st.booleans(), domain.OUTCOME: st.booleans()})


def received(role: str, consent: dict) -> dict:
    request = copy.deepcopy(EXAMPLE)
    request["kind"] = "issue_based"
    request["referrer"]["role"] = role
    request["consent"] = consent
    return domain.new_referral("r1", request, CouncilRegister.load().get("CARDIFF"), "2026-11-23T09:00:00+00:00")


def taken_up(consent: dict) -> dict:
    active_offer = {**received("social_worker", consent), "kind": "active_offer"}
    return domain.follow_on_referral(active_offer, "r2", consent, "2026-12-01T11:00:00+00:00")


@settings(max_examples=200)
@given(role=st.sampled_from(COUNCIL_ROLES), consent=consents)
def test_a_council_knows_of_the_referrals_it_made_whatever_they_share(role, consent):
    assert domain.council_may_see(received(role, consent))


@settings(max_examples=100)
@given(consent=consents)
def test_a_self_referral_is_known_to_the_council_only_if_the_child_agreed_to_share(consent):
    shared = consent[domain.ARRANGEMENTS] or consent[domain.OUTCOME]
    assert domain.council_may_see(received("self", consent)) is shared


@settings(max_examples=100)
@given(consent=consents)
def test_a_take_ups_referral_is_known_to_the_council_only_with_the_outcome_shared(consent):
    assert domain.council_may_see(taken_up(consent)) is consent[domain.OUTCOME]


def test_a_child_who_says_no_to_telling_their_social_worker_is_not_seen():
    said_no = {"child_informed": True, "child_agrees": True, domain.ARRANGEMENTS: False, domain.OUTCOME: False}
    assert not domain.council_may_see(received("self", said_no))
    assert domain.council_may_see(received("self", {**said_no, domain.ARRANGEMENTS: True, domain.OUTCOME: True}))


def test_a_self_referrer_gets_no_professional_notices_and_their_address_stays_out_of_events():
    consent = {"child_informed": True, "child_agrees": True, domain.ARRANGEMENTS: True, domain.OUTCOME: True}
    child = received("self", consent)
    child["referrer"]["email"] = "nia@example.org"
    data = domain.received_event_data(child)
    assert data["referrer_email"] is None and "nia@example.org" not in json.dumps(data)
    assert domain.received_event_data(received("social_worker", consent))["referrer_email"] == \
        "sian.evans@example.gov.uk"
    assert domain.received_event_data(taken_up(consent))["referrer_email"] == "sian.evans@example.gov.uk", \
        "the Active Offer's referrer hears of the take-up's referral when the outcome is shared"
