"""The events the referral service consumes."""

from services.referral import handlers, messages

HANDLERS = {
    "referral.received": handlers.acknowledge_referral,
    "deadlines.scheduled": handlers.record_deadlines,
    "meeting.arranged": handlers.follow_meeting,
    "meeting.rescheduled": handlers.follow_meeting,
    "meeting.cancelled": handlers.follow_meeting,
    "meeting.took_place": handlers.follow_meeting,
    "meeting.not_held": handlers.follow_meeting,
    "active_offer.completed": handlers.complete_active_offer,
    "case.closed": handlers.close_with_case,
    "message.response_scheduled": messages.follow_schedule,
    "message.deadline_at_risk": messages.follow_deadline("at_risk"),
    "message.deadline_missed": messages.follow_deadline("missed"),
}
