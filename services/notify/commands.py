"""What notify is asked to do, as the internal API parses it from its request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SetWebhook:
    """Where a council's system hears of its referrals, and the secret each message is signed with; a new secret
    with `previous_secret_hours` keeps the old one signing beside it for that long."""

    council: str
    url: str
    secret: str
    previous_secret_hours: float = 0
