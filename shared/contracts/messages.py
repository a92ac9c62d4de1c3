"""Contracts of the events about messages: each contact from a child or on their behalf that is not (yet) a referral
(an answer-phone message, a call, a text, an email, a web message, someone walking in), and its response clock.

Enough to count messages by channel and council, out of hours or not, and answered in time or not; never who it was
from by name nor what they said (the note stays in the referral service).
"""

from marshmallow import Schema, fields, validate

from shared.contracts.envelope import contract
from shared.contracts.referral import LANGUAGES

CHANNELS = ("answer_phone", "phone", "text", "email", "web", "walk_in")
"""How a message came: left on the bilingual answer-phone, a call answered, a text, an email, the web, in person."""
FROM = ("child", "carer", "professional", "other")
"""Who a message was from: the child themselves, a carer, a professional, someone else."""
RESPOND_BY = "respond_by"
"""The one clock a message has: the answer is due within the working hours the provider publishes."""
NATIONS = ("wales", "england")


@contract("message.received", 1)
class MessageReceivedV1(Schema):
    message_id = fields.String(required=True)
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    from_whom = fields.String(required=True, validate=validate.OneOf(FROM))
    language = fields.String(required=True, validate=validate.OneOf(LANGUAGES))
    council = fields.String(required=True, allow_none=True)
    region = fields.String(required=True, allow_none=True)
    nation = fields.String(required=True, validate=validate.OneOf(NATIONS))
    received_at = fields.AwareDateTime(required=True, format="iso")


@contract("message.response_scheduled", 1)
class MessageResponseScheduledV1(Schema):
    """When the answer is due, and whether the message came outside the service's published working hours."""
    message_id = fields.String(required=True)
    out_of_hours = fields.Boolean(required=True)
    respond_by = fields.AwareDateTime(required=True, format="iso")


@contract("message.answered", 1)
class MessageAnsweredV1(Schema):
    message_id = fields.String(required=True)
    council = fields.String(required=True, allow_none=True)
    answered_at = fields.AwareDateTime(required=True, format="iso")


@contract("message.became_referral", 1)
class MessageBecameReferralV1(Schema):
    message_id = fields.String(required=True)
    referral_id = fields.String(required=True)


class _MessageDeadline(Schema):
    message_id = fields.String(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf((RESPOND_BY,)))
    due_at = fields.AwareDateTime(required=True, format="iso")


@contract("message.deadline_at_risk", 1)
class MessageDeadlineAtRiskV1(_MessageDeadline):
    pass


@contract("message.deadline_missed", 1)
class MessageDeadlineMissedV1(_MessageDeadline):
    pass
