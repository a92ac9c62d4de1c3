"""The events the complaints service consumes: its time limits, counted by scheduling."""

from services.complaints import handlers

HANDLERS = {
    "complaint.deadlines_scheduled": handlers.record_deadlines,
    "complaint.second_stage_scheduled": handlers.record_deadlines,
}
