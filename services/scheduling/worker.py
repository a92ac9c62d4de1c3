"""The events scheduling consumes: each referral's deadline clocks, complaints' time limits, and messages'
response clocks."""

from shared import erasure

from services.scheduling import complaint_clocks, deadlines, message_clocks
from services.scheduling.store import ABOUT_REFERRAL

HANDLERS = {
    "referral.received": deadlines.open_case,
    "referral.acknowledged": deadlines.meet_acknowledge_by,
    "referral.allocated": deadlines.case_allocated,
    "contact.attempted": deadlines.meet_first_contact_by,
    "meeting.took_place": deadlines.meet_meeting_by,
    "referral.closed": deadlines.case_closed,
    "complaint.received": complaint_clocks.start_complaint_clock,
    "complaint.acknowledged": complaint_clocks.complaint_acknowledged,
    "complaint.escalated": complaint_clocks.start_second_stage_clock,
    "complaint.responded": complaint_clocks.complaint_answered,
    "complaint.closed": complaint_clocks.complaint_closed,
    "message.received": message_clocks.start_message_clock,
    "message.answered": message_clocks.message_answered,
    "retention.expired": erasure.erasing_referral(ABOUT_REFERRAL),
    **erasure.HOLDING,
}
