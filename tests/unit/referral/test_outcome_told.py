"""What the referrer is told with the Active Offer's outcome: the advocate who met the child and the type of
support, only when the child agreed to share the outcome; the decline's code kept, never shown to the council."""

from __future__ import annotations

import json

import pytest

from services.referral import domain
from tests.unit.referral.test_referral_rules import recorded

AT = "2026-12-01T11:00:00+00:00"
ADVOCATE = "nia@provider.example"


def completed(outcome: str, share: bool, **data) -> dict:
    referral = {**recorded(share_outcome_with_referrer=share), "advocate_email": ADVOCATE}
    consent = {**referral["consent"], "share_outcome_with_referrer": share}
    return domain.complete(referral, {"outcome": outcome, "consent": consent, "advocate_email": ADVOCATE, **data}, AT)


@pytest.mark.parametrize("outcome, data, support", [
    ("take_up", {}, "issue_based_advocacy"),
    ("other_support", {"other_support_type": "peer"}, "peer"),
    ("declined", {"decline_reason_code": "support_elsewhere", "contact_details_given": True}, "none"),
    ("reflecting", {"contact_details_given": True}, "none"),
])
def test_with_consent_the_council_is_told_the_advocate_and_the_type_of_support(outcome, data, support):
    view = domain.council_view(completed(outcome, True, **data))
    assert (view["named_advocate"], view["support_type"]) == (ADVOCATE, support)
    assert "decline_reason_code" not in view and "support_elsewhere" not in json.dumps(view)


@pytest.mark.parametrize("outcome", ["take_up", "declined", "reflecting"])
def test_without_consent_neither_the_advocate_nor_the_support_is_shown_to_the_council_or_the_referrer(outcome):
    referral = completed(outcome, False, contact_details_given=True)
    for view in (domain.council_view(referral), domain.referrer_view(referral, "someone@council.example")):
        assert not {"named_advocate", "support_type", "contact_details_given", "outcome"} & set(view)


def test_an_older_decline_in_words_is_kept_as_other():
    referral = completed("declined", True, decline_reason="Has a mentor")
    assert referral["decline_reason_code"] == "other"
