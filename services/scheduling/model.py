"""What an Active Offer meeting is, as the scheduling service records it: its fields (`Meeting`) and the one way one
is made (`meeting`). The rules that move it on (rescheduled, cancelled, recorded) are in domain.py."""

from __future__ import annotations

from typing import Any, Optional, TypedDict


class Meeting(TypedDict, total=False):
    """A meeting as stored; the rules take one and give back the next, never changing it in place."""

    id: str
    referral_id: str
    council: str
    advocate_email: str
    starts_at: str
    ends_at: str
    day: str
    """The diary day it falls on (Europe/London), which the advocate's diary is found by."""
    duration_minutes: int
    venue: dict[str, Any]
    language: str
    late: bool
    """Whether it is after the referral's meeting deadline; `late_reason` says why."""
    late_reason: Optional[str]
    status: str
    """arranged, then cancelled, held or not_held."""
    arranged_by: str
    outcome: Optional[str]
    decline_reason: Optional[str]
    """Why the child declined, in words, as recorded before the codes: read as `decline_reason_code` other."""
    decline_reason_code: Optional[str]
    decline_reason_note: Optional[str]
    """The advocate's words beside the code: kept here, never in an event or a council's view."""
    reason_not_held: Optional[str]
    """Why it was not held, in words, as recorded before the codes: read as `reason_not_held_code` other."""
    reason_not_held_code: Optional[str]
    reason_not_held_note: Optional[str]
    topics_covered: Optional[list[str]]
    """What the meeting held covered (MEETING_TOPICS); None: not said."""
    left_with_child: Optional[list[str]]
    """What was left with the child (LEFT_WITH_CHILD); None: not said."""
    contact_details_given: Optional[bool]
    other_support_type: Optional[str]
    """On other_support: formal, informal or peer."""
    follow_on_referral_id: Optional[str]
    interpreter_used: Optional[bool]
    """Whether an interpreter was used at the meeting held, as the advocate recorded it; None: not said."""
    history: list[dict[str, Any]]


def meeting(*, id: str, referral_id: str, council: str, advocate_email: str, starts_at: str, ends_at: str, day: str,
            duration_minutes: int, venue: dict[str, Any], language: str, late: bool, late_reason: str | None,
            arranged_by: str, arranged_at: str) -> Meeting:
    """A meeting as first arranged, with the first entry of its history."""
    return Meeting(id=id, referral_id=referral_id, council=council, advocate_email=advocate_email,
                   starts_at=starts_at, ends_at=ends_at, day=day, duration_minutes=duration_minutes, venue=venue,
                   language=language, late=late, late_reason=late_reason, status="arranged", arranged_by=arranged_by,
                   history=[{"at": arranged_at, "what": "arranged", "by": arranged_by}])
