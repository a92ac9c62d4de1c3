"""What notify is asked to do, as the internal API parses it from its request."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SetWebhook:
    """Where a council's system hears of its referrals, and the secret each message is signed with."""

    council: str
    url: str
    secret: str
