"""What scheduling is asked to do about meetings, each as the internal API parses it from its request."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts.scheduling import VENUE_TYPES


@dataclass(frozen=True)
class ArrangeMeeting:
    referral_id: str
    request: dict
    """starts_at, duration_minutes, venue, language and late_reason, as API.md describes them."""
    by: str
    role: str | None

    @classmethod
    def parse(cls, referral_id: str, body: dict, by: str, role: str | None) -> "ArrangeMeeting":
        minutes = body["duration_minutes"]
        if isinstance(minutes, bool) or not isinstance(minutes, int):
            raise TypeError("duration_minutes must be a whole number of minutes")
        checked_venue(body["venue"])
        return cls(referral_id, body, by, role)


def checked_venue(venue: object) -> dict:
    """A venue as a meeting is arranged or moved to: an object, of a known type if it says one."""
    if not isinstance(venue, dict):
        raise TypeError("venue must be an object")
    if venue.get("type") not in (None, *VENUE_TYPES):
        raise ValueError(f"venue.type must be one of {', '.join(VENUE_TYPES)}")
    return venue


@dataclass(frozen=True)
class RescheduleMeeting:
    meeting_id: str
    starts_at: str
    reason: str
    by: str
    role: str | None
    late_reason: str | None = None
    """Why the meeting is now after the referral's meeting deadline, as when it is arranged late."""
    venue: dict | None = None
    """Where the meeting moves to, as when it is arranged; None: it stays where it was."""


@dataclass(frozen=True)
class CancelMeeting:
    meeting_id: str
    reason: str
    by: str
    role: str | None


@dataclass(frozen=True)
class RecordMeeting:
    meeting_id: str
    record: dict
    """took_place, and the outcome (with decline_reason_code and its note, consent, interpreter_used, topics_covered,
    left_with_child, contact_details_given, other_support_type) or reason_not_held_code and its note; an old
    client's reason_not_held or decline_reason in words alone (domain.coded_reasons)."""
    by: str
    role: str | None

    @classmethod
    def parse(cls, meeting_id: str, body: dict, by: str, role: str | None) -> "RecordMeeting":
        for flag in ("took_place", "interpreter_used", "contact_details_given"):
            if not isinstance(body.get(flag, False), (bool, type(None))):
                raise TypeError(f"{flag} must be true or false")
        for codes in ("topics_covered", "left_with_child"):
            given = body.get(codes)
            if given is not None and not (isinstance(given, list) and all(isinstance(c, str) for c in given)):
                raise TypeError(f"{codes} must be a list of codes")
        for text in ("reason_not_held", "reason_not_held_code", "reason_not_held_note", "decline_reason",
                     "decline_reason_code", "decline_reason_note", "other_support_type", "outcome",
                     "wants_help_with"):
            if not isinstance(body.get(text), (str, type(None))):
                raise TypeError(f"{text} must be text")
        return cls(meeting_id, body, by, role)
