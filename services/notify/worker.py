"""The events notify consumes, and its dispatcher."""

from services.notify import handlers

HANDLERS = {event_type: handlers.queue_webhook for event_type in ("referral.acknowledged",)}
"""Each webhook type of API.md is added here as its event comes to exist: `domain.WEBHOOK_TYPES` lists them all."""


