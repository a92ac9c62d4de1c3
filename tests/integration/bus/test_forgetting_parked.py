"""Erasure forgets parked messages on each bus the platform runs on: those parked longer than the longest
redelivery window, and those whose event names a referral that was erased; every other stays parked."""

from __future__ import annotations

import json
from datetime import date

from shared.bus import ConfirmingPublisher, Outgoing, ServiceQueues, declare_topology, forget_parked, list_parked
from shared.bus.worker import PARKED_AT
from shared.erasure import parked_to_forget

SERVICE = "notify"


def park(settings, event_id: str, referral_id: str, parked_at: str) -> None:
    body = json.dumps({"id": event_id, "type": "referral.closed", "version": 1,
                       "data": {"referral_id": referral_id}}).encode()
    publisher = ConfirmingPublisher(settings)
    try:
        publisher.publish([Outgoing(body, ServiceQueues(settings, SERVICE).parking, "", event_id, "referral.closed",
                                    {PARKED_AT: parked_at})])
    finally:
        publisher.close()


def test_old_parked_messages_and_those_about_an_erased_referral_are_forgotten(drill_bus):
    settings = drill_bus
    declare_topology(settings, {SERVICE: ["referral.closed"]})
    park(settings, "old", "r-kept", "2026-01-02T10:00:00.000+00:00")
    park(settings, "erased", "r-erased", "2026-11-30T10:00:00.000+00:00")
    park(settings, "recent", "r-kept", "2026-11-30T10:00:00.000+00:00")
    assert sorted(p.event_id for p in list_parked(settings, SERVICE)) == ["erased", "old", "recent"]

    forgotten = forget_parked(settings, SERVICE, parked_to_forget(date(2026, 12, 6), ["r-erased"]))
    assert forgotten == 2
    assert [p.event_id for p in list_parked(settings, SERVICE)] == ["recent"]
    assert forget_parked(settings, SERVICE, parked_to_forget(date(2026, 12, 6), ["r-erased"])) == 0
