"""Contracts of the events about referrals.

Events carry the least personal data their consumers need: ids, codes, dates and consent flags, never names or
contact details.
"""

from marshmallow import Schema, fields, validate

from shared.contracts.envelope import contract

KINDS = ("active_offer", "issue_based")


class ConsentFlags(Schema):
    child_informed = fields.Boolean(required=True)
    child_agrees = fields.Boolean(required=True)
    share_arrangements_with_referrer = fields.Boolean(required=True)
    share_outcome_with_referrer = fields.Boolean(required=True)


@contract("referral.received", 1)
class ReferralReceivedV1(Schema):
    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    region = fields.String(required=True)
    nation = fields.String(required=True, validate=validate.OneOf(["england", "wales"]))
    kind = fields.String(required=True, validate=validate.OneOf(KINDS))
    basis = fields.String(required=True)
    external_ref = fields.String(load_default=None, allow_none=True)
    received_at = fields.AwareDateTime(required=True, format="iso")
    statutory_meeting_at = fields.AwareDateTime(load_default=None, allow_none=True, format="iso")
    preferred_language = fields.String(required=True, validate=validate.Length(equal=2))
    consent = fields.Nested(ConsentFlags, required=True)


@contract("referral.acknowledged", 1)
class ReferralAcknowledgedV1(Schema):
    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    external_ref = fields.String(load_default=None, allow_none=True)
    status = fields.String(required=True)
    received_at = fields.AwareDateTime(required=True, format="iso")
    acknowledged_at = fields.AwareDateTime(required=True, format="iso")
