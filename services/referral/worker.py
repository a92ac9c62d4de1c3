"""The events the referral service consumes."""

from services.referral import handlers

HANDLERS = {
    "referral.received": handlers.acknowledge_referral,
}
