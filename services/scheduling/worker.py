"""The events scheduling consumes, and its deadline clock."""

from services.scheduling import handlers

HANDLERS = {
    "referral.received": handlers.open_case,
    "referral.acknowledged": handlers.meet_acknowledge_by,
    "referral.allocated": handlers.case_allocated,
    "contact.attempted": handlers.meet_first_contact_by,
    "meeting.took_place": handlers.meet_meeting_by,
    "referral.closed": handlers.case_closed,
    "complaint.received": handlers.start_complaint_clock,
    "complaint.acknowledged": handlers.complaint_acknowledged,
    "complaint.escalated": handlers.start_second_stage_clock,
    "complaint.responded": handlers.complaint_answered,
    "complaint.closed": handlers.complaint_closed,
}
