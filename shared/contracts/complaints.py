"""Contracts of the events about complaints, representations and compliments about the advocacy service.

Enough to count them by kind, by who made them, by outcome and by whether each time limit was kept; never who made
them or what they said. The one contact detail is the address a complainant who asked for a reply gave, so that
notify can tell them their complaint was acknowledged and answered.
"""

from marshmallow import Schema, fields, validate

from shared.contracts.envelope import contract

KINDS = ("complaint", "representation", "compliment")
FROM = ("child", "parent", "professional", "other")
OUTCOMES = ("upheld", "partly_upheld", "not_upheld", "withdrawn")
ANSWERS = tuple(outcome for outcome in OUTCOMES if outcome != "withdrawn")
"""The outcomes an answer gives; `withdrawn` is the complainant's, ending a complaint without one."""
STATUSES = ("received", "recorded", "acknowledged", "responded", "escalated", "closed")
"""Where a complaint or representation is (a compliment is only ever recorded)."""
CLOCKS = ("acknowledge_by", "respond_by", "stage_2_respond_by")


class _ComplaintEvent(Schema):
    complaint_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))


@contract("complaint.received", 1)
class ComplaintReceivedV1(_ComplaintEvent):
    made_by = fields.String(required=True, validate=validate.OneOf(FROM))
    council = fields.String(required=True, allow_none=True)
    nation = fields.String(required=True, validate=validate.OneOf(("wales", "england")))
    received_at = fields.AwareDateTime(required=True, format="iso")
    language = fields.String(required=True)


@contract("complaint.received", 2)
class ComplaintReceivedV2(ComplaintReceivedV1):
    """Version 1 with the email address to reply to: given only when the complainant asked for a reply and gave
    one (null otherwise); notify keeps it for the acknowledgement and the answer, and no consumer counts it."""

    reply_email = fields.Email(load_default=None, allow_none=True)


@contract("complaint.deadlines_scheduled", 1)
class ComplaintDeadlinesScheduledV1(Schema):
    complaint_id = fields.String(required=True)
    acknowledge_by = fields.AwareDateTime(required=True, format="iso")
    respond_by = fields.AwareDateTime(required=True, format="iso")


@contract("complaint.second_stage_scheduled", 1)
class ComplaintSecondStageScheduledV1(Schema):
    """When the answer at the second stage is due, counted from the escalation."""
    complaint_id = fields.String(required=True)
    respond_by = fields.AwareDateTime(required=True, format="iso")


@contract("complaint.acknowledged", 1)
class ComplaintAcknowledgedV1(_ComplaintEvent):
    acknowledged_at = fields.AwareDateTime(required=True, format="iso")


@contract("complaint.responded", 1)
class ComplaintRespondedV1(_ComplaintEvent):
    stage = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=2))
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    responded_at = fields.AwareDateTime(required=True, format="iso")


@contract("complaint.escalated", 1)
class ComplaintEscalatedV1(_ComplaintEvent):
    stage = fields.Integer(required=True, strict=True, validate=validate.Range(min=2, max=2))
    escalated_at = fields.AwareDateTime(required=True, format="iso")


@contract("complaint.closed", 1)
class ComplaintClosedV1(_ComplaintEvent):
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    closed_at = fields.AwareDateTime(required=True, format="iso")


class _ComplaintDeadline(Schema):
    complaint_id = fields.String(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(CLOCKS))
    due_at = fields.AwareDateTime(required=True, format="iso")


@contract("complaint.deadline_at_risk", 1)
class ComplaintDeadlineAtRiskV1(_ComplaintDeadline):
    pass


@contract("complaint.deadline_missed", 1)
class ComplaintDeadlineMissedV1(_ComplaintDeadline):
    pass
