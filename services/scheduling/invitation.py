"""The meeting's invitation as an iCalendar file, for the advocate's own calendar: when and where, never the
child's name."""

from __future__ import annotations

from datetime import datetime

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from shared.clock import now


def invitation(meeting: dict) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//Llais//Active Offer//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    entry = CalendarEvent()
    entry.add("uid", f"{meeting['id']}@llais")
    entry.add("dtstamp", now())
    entry.add("dtstart", datetime.fromisoformat(meeting["starts_at"]))
    entry.add("dtend", datetime.fromisoformat(meeting["ends_at"]))
    entry.add("summary", "Active Offer meeting")
    entry.add("location", ", ".join(p for p in (meeting["venue"].get("name"), meeting["venue"].get("address")) if p))
    entry.add("description", f"Referral {meeting['referral_id']}. Details are in Llais.")
    entry.add("status", "CANCELLED" if meeting["status"] == "cancelled" else "CONFIRMED")
    entry.add("attendee", f"mailto:{meeting['advocate_email']}")
    calendar.add_component(entry)
    return calendar.to_ical()
