"""Contracts of the events about retention and erasure (README: Retention and erasure).

The referral service decides when a child's records are due for erasure and owns the legal holds that stop it. It
tells the others with ids and codes only: `retention.expired` when it has erased a referral, so each service erases
what it holds about that referral; `legal_hold.placed` and `legal_hold.lifted` naming every referral a hold covers
(the one it was placed on and those linked to it), so each service skips, and then again erases, what it holds.
"""

from marshmallow import Schema, fields, validate

from shared.contracts.envelope import contract

EXPIRED_KINDS = ("child_record", "not_proceeded")
"""Why a referral's records expired: a child's advocacy records, or a referral that never went ahead."""
HOLD_REASONS = ("court_case", "complaint_open", "police_investigation", "other")


@contract("retention.expired", 1)
class RetentionExpiredV1(Schema):
    referral_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(EXPIRED_KINDS))
    erased_on = fields.Date(required=True, format="iso")


class _HoldEvent(Schema):
    referral_id = fields.String(required=True, metadata={"description": "The referral the hold was placed on."})
    referral_ids = fields.List(fields.String(), required=True,
                               metadata={"description": "Every referral the hold covers: that one and those linked."})


@contract("legal_hold.placed", 1)
class LegalHoldPlacedV1(_HoldEvent):
    reason_code = fields.String(required=True, validate=validate.OneOf(HOLD_REASONS))
    placed_at = fields.AwareDateTime(required=True, format="iso")


@contract("legal_hold.lifted", 1)
class LegalHoldLiftedV1(_HoldEvent):
    lifted_at = fields.AwareDateTime(required=True, format="iso")
