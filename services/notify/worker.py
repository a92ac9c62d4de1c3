"""The events notify consumes."""

from shared import erasure

from services.notify import domain, handlers
from services.notify.store import ABOUT_REFERRAL

MEETING_CHANGES = ("meeting.arranged", "meeting.rescheduled", "meeting.cancelled")
"""Told to the referrer and the council, and kept for the advocate's email on the meeting's day."""

HANDLERS = {
    "referral.received": handlers.track_referral,
    **{event_type: handlers.notify_council for event_type in (*domain.WEBHOOK_TYPES, "meeting.rescheduled",
                                                               "meeting.cancelled")},
    **{event_type: handlers.meeting_changed for event_type in MEETING_CHANGES},
    "referral.allocated": handlers.notify_advocate,
    **{event_type: handlers.note_deadline for event_type in ("deadline.at_risk", "deadline.missed",
                                                              "complaint.deadline_at_risk",
                                                              "complaint.deadline_missed")},
    "complaint.received": handlers.track_complaint,
    "complaint.acknowledged": handlers.tell_complainant,
    "complaint.responded": handlers.tell_complainant,
    "retention.expired": erasure.erasing_referral(ABOUT_REFERRAL),
    **erasure.HOLDING,
}
