"""The events notify consumes."""

from services.notify import domain, handlers

HANDLERS = {
    "referral.received": handlers.track_referral,
    **{event_type: handlers.notify_council for event_type in (*domain.WEBHOOK_TYPES, "meeting.rescheduled",
                                                               "meeting.cancelled")},
}
