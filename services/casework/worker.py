"""The events casework consumes: every referral (to open a case from an issue-based one) and its allocation."""

from shared import erasure

from services.casework import handlers
from services.casework.store import ABOUT_REFERRAL

HANDLERS = {
    "referral.received": handlers.remember_referral,
    "referral.allocated": handlers.referral_allocated,
    "retention.expired": erasure.erasing_referral(ABOUT_REFERRAL),
    **erasure.HOLDING,
}
