"""Notify's handlers in memory: what it keeps of a referral, the messages consent allows (made once), the refusal
recorded where consent does not, and the child's latest consent kept in the same handling."""

from __future__ import annotations

import base64

import pytest

from shared.contracts import new_event
from shared.contracts.referral import llais_reference
from services.notify import handlers
from services.notify.domain import InvalidSecret
from services.notify.commands import SetWebhook
from services.notify.store import DELIVERIES, REFERRALS, UNSENT, WEBHOOKS
from tests.unit.fakes import FakeUnitOfWork, run

SECRET = "whsec_" + base64.b64encode(b"k" * 32).decode()
CONSENT = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
           "share_outcome_with_referrer": True}


def known(uow: FakeUnitOfWork, consent: dict = CONSENT, email: str | None = "sian@cardiff.example") -> None:
    received = new_event("referral.received", {
        "referral_id": "r1", "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": "active_offer", "basis": "looked_after", "external_ref": "MOSAIC-1",
        "received_at": "2026-11-23T09:00:00+00:00", "statutory_meeting_at": None, "preferred_language": "cy",
        "consent": consent, "source": "social_worker", "referrer_email": email, "referrer_language": "en"},
        producer="referral", subject="referral:r1")
    run(handlers.track_referral, received, uow.handling_of(received))


def closed(consent: dict):
    return new_event("referral.closed", {
        "referral_id": "r1", "council": "CARDIFF", "external_ref": "MOSAIC-1", "reason": "completed",
        "outcome": "declined", "follow_on_referral_id": None, "meeting_took_place": True,
        "closed_at": "2026-11-23T10:00:00+00:00", "consent": consent}, producer="referral", subject="referral:r1")


def test_a_message_consent_allows_is_made_once_for_each_channel():
    uow = FakeUnitOfWork()
    known(uow)
    handlers.set_webhook(SetWebhook("CARDIFF", "https://council.example/hook", SECRET), uow)
    event = closed(CONSENT)
    for _ in range(2):
        uow.handled.clear()  # delivered again before the inbox saw it
        run(handlers.notify_council, event, uow.handling_of(event))
    made = sorted(key for key in uow.documents if key[0] == DELIVERIES)
    assert made == [(DELIVERIES, f"{event.id}:email"), (DELIVERIES, f"{event.id}:webhook")]
    assert {uow.body(*key)["basis"] for key in made} == {"duty"}, "a closing is told under the duty to say so"


def test_where_consent_withholds_the_message_the_refusal_is_recorded_and_the_latest_consent_kept():
    uow = FakeUnitOfWork()
    known(uow)
    withdrawn = {**CONSENT, "share_outcome_with_referrer": False}
    event = closed(withdrawn)
    run(handlers.notify_council, event, uow.handling_of(event))
    assert uow.body(REFERRALS, "r1")["consent"] == withdrawn, "kept for the messages still waiting"
    assert not [key for key in uow.documents if key[0] == DELIVERIES and "outcome" in uow.body(*key).get("payload", "")]
    assert event.id in uow.handled


def test_an_event_about_a_referral_notify_has_not_heard_of_fails_so_the_bus_tries_again():
    uow = FakeUnitOfWork()
    event = closed(CONSENT)
    with pytest.raises(handlers.UnknownReferral):
        run(handlers.notify_council, event, uow.handling_of(event))
    assert uow.handled == [] and uow.writes == 0


def test_a_council_without_a_webhook_is_recorded_as_unsent_and_a_bad_secret_is_refused():
    uow = FakeUnitOfWork()
    known(uow, email=None)
    event = closed(CONSENT)
    run(handlers.notify_council, event, uow.handling_of(event))
    assert uow.body(UNSENT, f"{event.id}:webhook")["reason"] == "the council has no webhook"
    with pytest.raises(InvalidSecret):
        handlers.set_webhook(SetWebhook("CARDIFF", "https://council.example/hook", "whsec_not base64 at all!!"), uow)
    assert uow.body(WEBHOOKS, "CARDIFF") is None


def test_the_referrers_email_names_the_referral_by_the_reference_the_pages_show_with_the_councils_beside_it():
    """The email said only the council's reference (or the whole id), the sent page the start of the id: one
    reference now, the Llais reference, with the council's own beside it."""
    uow = FakeUnitOfWork()
    referral_id = "01a24a8f-1b2c-7def-8000-000000000001"
    received = new_event("referral.received", {
        "referral_id": referral_id, "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": "active_offer", "basis": "looked_after", "external_ref": "MOSAIC-1",
        "received_at": "2026-11-23T09:00:00+00:00", "statutory_meeting_at": None, "preferred_language": "cy",
        "consent": CONSENT, "source": "social_worker", "referrer_email": "sian@cardiff.example",
        "referrer_language": "en"}, producer="referral", subject=f"referral:{referral_id}")
    run(handlers.track_referral, received, uow.handling_of(received))
    event = new_event("referral.closed", {
        "referral_id": referral_id, "council": "CARDIFF", "external_ref": "MOSAIC-1", "reason": "completed",
        "outcome": "declined", "follow_on_referral_id": None, "meeting_took_place": True,
        "closed_at": "2026-11-23T10:00:00+00:00", "consent": CONSENT}, producer="referral",
        subject=f"referral:{referral_id}")
    run(handlers.notify_council, event, uow.handling_of(event))
    email = uow.body(DELIVERIES, f"{event.id}:email")
    assert email["subject"] == "Referral closed: 0000-0001 (your reference MOSAIC-1)" == \
        f"Referral closed: {llais_reference(referral_id)} (your reference MOSAIC-1)"
    assert referral_id not in email["body"] and "0000-0001 (your reference MOSAIC-1)" in email["body"]
