"""No message or API answer ever carries what the child's consent withholds (a property over every combination)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from shared.contracts import referral as referral_contracts

from services.notify import domain, templates
from services.referral.domain import council_view

EVENT_DATA = {
    "referral_id": "r1", "council": "CARDIFF", "meeting_id": "m1", "external_ref": "MOSAIC-1",
    "starts_at": "2026-12-01T10:00:00+00:00", "previous_starts_at": "2026-11-30T10:00:00+00:00",
    "venue": "Ysgol y Wern", "outcome": "take_up", "follow_on_referral_id": "r2", "reason": "completed",
    "closed_at": "2026-12-01T11:00:00+00:00", "meeting_took_place": True, "held_at": "2026-12-01T10:00:00+00:00",
    "reason_not_held": "The child was unwell", "decline_reason": "No need now",
    "advocate_email": "nia@provider.example", "contact_details_given": True, "by": "rhys@provider.example",
}
TYPES = (*domain.WEBHOOK_TYPES, "meeting.rescheduled", "meeting.cancelled")
ARRANGEMENT_FIELDS = ("starts_at", "previous_starts_at", "venue", "held_at")
OUTCOME_FIELDS = ("outcome", "follow_on_referral_id", "decline_reason", "named_advocate", "support_type",
                  "contact_details_given")

consents = st.fixed_dictionaries({"child_informed": st.just(True), "child_agrees": st.just(True),
                                  domain.ARRANGEMENTS: st.booleans(), domain.OUTCOME: st.booleans()})


@settings(max_examples=300)
@given(event_type=st.sampled_from(TYPES), consent=consents, language=st.sampled_from(["en", "cy"]))
def test_a_message_never_carries_what_consent_withholds(event_type, consent, language):
    try:
        data, basis = domain.disclose(event_type, dict(EVENT_DATA), consent)
    except domain.Withheld as withheld:
        assert withheld.reason
        assert event_type in ("meeting.arranged", "meeting.rescheduled", "meeting.cancelled",
                              "active_offer.completed")
        return
    subject, body = templates.render(event_type, data, language, "MOSAIC-1")
    sent = json.dumps(data) + subject + body
    if not consent[domain.ARRANGEMENTS]:
        assert not any(field in data for field in ARRANGEMENT_FIELDS)
        assert "Ysgol y Wern" not in sent and "2026-12-01T10:00" not in sent
    if not consent[domain.OUTCOME]:
        assert not any(field in data for field in OUTCOME_FIELDS)
        assert "take_up" not in sent and "nia@provider.example" not in sent
    assert "reason_not_held" not in data and "unwell" not in sent, "why a meeting failed is never sent"
    assert "by" not in data and "rhys@provider.example" not in sent, "who took a step stays with the provider"
    assert basis in (domain.DUTY, domain.ARRANGEMENTS, domain.OUTCOME)
    if basis != domain.DUTY:
        assert consent[basis], "a message sent under a consent is sent only when that consent is given"


@settings(max_examples=200)
@given(consent=consents, status=st.sampled_from(["none", "arranged", "held", "not_held"]),
       took_place=st.sampled_from([None, True, False]), outcome=st.sampled_from([None, *referral_contracts.OUTCOMES]))
def test_the_councils_view_never_carries_what_consent_withholds(consent, status, took_place, outcome):
    referral = {"id": "r1", "kind": "active_offer", "basis": "looked_after", "external_ref": "M-1",
                "status": "closed", "received_at": "x", "updated_at": "y", "consent": consent,
                "deadlines": {}, "meeting": {"status": status, "starts_at": "2026-12-01T10:00:00+00:00",
                                              "venue": "Ysgol y Wern"},
                "meeting_took_place": took_place, "outcome": outcome, "follow_on_referral_id": "r2" if outcome else None,
                "child": {"given_name": "Cerys"}, "advocate_email": "nia@provider.example"}
    view = council_view(referral)
    assert ("named_advocate" in view) is bool(consent[domain.OUTCOME] and outcome)
    assert "support_type" not in view or consent[domain.OUTCOME]
    assert ("starts_at" in view["meeting"]) is bool(consent[domain.ARRANGEMENTS])
    assert ("outcome" in view) is bool(consent[domain.OUTCOME] and outcome)
    assert ("meeting_took_place" in view) is (took_place is not None), "always shown once known"
    assert "Cerys" not in json.dumps(view)


def test_every_email_has_english_and_welsh_words():
    for event_type in TYPES:
        english = templates.render(event_type, EVENT_DATA, "en", "REF-1")
        welsh = templates.render(event_type, EVENT_DATA, "cy", "REF-1")
        assert english != welsh and all("REF-1" in part or part for part in welsh)
        assert "{" not in "".join(english + welsh), "no placeholder left unfilled"


def test_with_consent_the_outcome_names_the_advocate_and_the_support_in_both_languages():
    data, basis = domain.disclose("active_offer.completed", {**EVENT_DATA, "outcome": "other_support",
                                                             "other_support_type": "peer"},
                                  {domain.ARRANGEMENTS: False, domain.OUTCOME: True})
    assert (basis, data["named_advocate"], data["support_type"]) == (domain.OUTCOME, "nia@provider.example", "peer")
    assert "peer support" in templates.render("active_offer.completed", data, "en", "REF-1")[1]
    assert "cymorth gan gymheiriaid" in templates.render("active_offer.completed", data, "cy", "REF-1")[1]
    declined, _ = domain.disclose("active_offer.completed", {**EVENT_DATA, "outcome": "declined"},
                                  {domain.OUTCOME: True})
    assert (declined["support_type"], declined["contact_details_given"]) == ("none", True)
