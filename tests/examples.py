"""The README's example referral, dated for today: its statutory meeting is always three weeks ahead."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

EXAMPLE_FILE = Path(__file__).resolve().parents[1] / "examples" / "referral.json"


def example_referral(meeting_in_days: int = 21) -> dict:
    body = json.loads(EXAMPLE_FILE.read_text())
    meeting = datetime.now(timezone.utc).replace(hour=10, minute=0, second=0, microsecond=0)
    body["statutory_meeting_at"] = (meeting + timedelta(days=meeting_in_days)).isoformat()
    return body
