"""The events casework consumes: every referral (to open a case from an issue-based one) and its allocation."""

from services.casework import handlers

HANDLERS = {
    "referral.received": handlers.remember_referral,
    "referral.allocated": handlers.referral_allocated,
}
