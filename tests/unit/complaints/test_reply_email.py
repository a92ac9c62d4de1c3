"""What `complaint.received` says of the complainant: the address to reply to, only where they asked for a reply and
gave one; the event as built passes its contract."""

from __future__ import annotations

from shared.contracts import new_event
from services.complaints import domain

AT = "2026-11-23T10:00:00+00:00"


def received(**changes) -> dict:
    request = {"kind": "complaint", "made_by": "parent", "about": "No one called back", "language": "cy",
               "contact": {"email": " rhiant@example.org "}, "wants_reply": True, **changes}
    data = domain.received_event_data(domain.new_complaint("c1", request, "wales", AT, "public"))
    new_event("complaint.received", domain.event_data({"id": "c1", "kind": "complaint"}, **data),
              producer="complaints", subject="complaint:c1")  # refused if it breaks the contract
    return data


def test_a_complainant_who_asked_for_a_reply_by_email_is_given_their_address_and_language():
    assert received()["reply_email"] == "rhiant@example.org" and received()["language"] == "cy"


def test_no_address_leaves_without_a_reply_asked_for_or_an_email_given():
    assert received(wants_reply=False)["reply_email"] is None
    assert received(contact={"phone": "07700 900123"})["reply_email"] is None


def test_an_address_that_is_not_an_email_is_not_passed_on():
    assert received(contact={"email": "call me on Tuesday"})["reply_email"] is None
