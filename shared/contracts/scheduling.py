"""Contracts of the events about deadlines and meetings."""

from marshmallow import Schema, fields, validate

from shared.contracts.envelope import contract
from shared.contracts.referral import ConsentFlags, DoneBy

DEADLINES = ("acknowledge_by", "allocate_by", "first_contact_by", "meeting_by")
ATTENTION_STATES = ("at_risk", "missed")
"""The states of a deadline that needs someone's attention, as `deadline.at_risk` and `deadline.missed` announce."""
DUE_SOON = "due_soon"
"""Not a clock's state but a view of one: a deadline still pending that falls due within the next week, which a
manager plans around before it is at risk."""
DEADLINE_VIEWS = (*ATTENTION_STATES, DUE_SOON)
"""What the staff's deadline lists can be asked for."""
MEETING_STATUSES = ("arranged", "held", "not_held", "cancelled")
"""Where a meeting is: arranged, then held, not held or cancelled."""
VENUE_TYPES = ("school", "home", "placement", "advocacy_office", "community", "other")
"""The kind of place a meeting is held in, when the advocate says (the template counts the venues of meetings held):
the child's school, their home, their placement (a foster home, a children's home), the advocacy provider's office,
a community place (a café, a youth centre) or another."""

NOT_HELD_REASONS = ("child_unavailable", "declined_on_the_day", "placement_moved", "advocate_unavailable",
                    "venue_problem", "other")
"""Why an arranged Active Offer meeting did not take place: the child was not available, declined on the day, their
placement moved, the advocate was not available, a problem with the venue, or another reason (its note, if any,
stays on the provider's side). A reason given in free text before the codes is counted as `other`."""
MEETING_TOPICS = ("advocate_role", "what_advocacy_can_do", "independence", "confidentiality", "rights",
                  "how_to_complain", "review_and_who_attends", "meic_and_commissioner", "other_support")
"""What an Active Offer meeting covered (seed 001, "The format of the meeting"; seed 002, "An active offer"): the
advocate's role; what advocacy can and cannot do; its independence; confidentiality and its limits; the child's
rights (UNCRC article 12); how to complain; the review or conference and who attends; Meic and the Children's
Commissioner for Wales; other support, formal, informal and peer."""
LEFT_WITH_CHILD = ("leaflet", "contact_card", "easy_read", "welsh_materials", "nothing")
"""What the advocate left with the child: the service's leaflet, a card with its contact details, an easy-read
guide, materials in Welsh, or nothing."""


class Deadlines(Schema):
    acknowledge_by = fields.AwareDateTime(required=True, format="iso")
    allocate_by = fields.AwareDateTime(required=True, format="iso")
    first_contact_by = fields.AwareDateTime(required=True, format="iso")
    meeting_by = fields.AwareDateTime(required=True, format="iso")


@contract("deadlines.scheduled", 1)
class DeadlinesScheduledV1(Schema):
    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    deadlines = fields.Nested(Deadlines, required=True)


class DeadlinesThatApply(Deadlines):
    meeting_by = fields.AwareDateTime(format="iso", metadata={
        "description": "The Active Offer meeting's deadline: absent for issue-based work, which has no such meeting."})


@contract("deadlines.scheduled", 2)
class DeadlinesScheduledV2(DeadlinesScheduledV1):
    """Version 1 with only the deadlines that apply to the referral's kind: an issue-based referral has no Active
    Offer meeting, so no `meeting_by`."""

    deadlines = fields.Nested(DeadlinesThatApply, required=True)


class _DeadlineEvent(Schema):
    referral_id = fields.String(required=True)
    council = fields.String(required=True)
    deadline = fields.String(required=True, validate=validate.OneOf(DEADLINES))
    due_at = fields.AwareDateTime(required=True, format="iso")


@contract("deadline.at_risk", 1)
class DeadlineAtRiskV1(_DeadlineEvent):
    pass


@contract("deadline.missed", 1)
class DeadlineMissedV1(_DeadlineEvent):
    pass


class _MeetingEvent(Schema):
    meeting_id = fields.String(required=True)
    referral_id = fields.String(required=True)
    council = fields.String(required=True)


@contract("meeting.arranged", 1)
class MeetingArrangedV1(_MeetingEvent):
    advocate_email = fields.Email(required=True)
    starts_at = fields.AwareDateTime(required=True, format="iso")
    duration_minutes = fields.Integer(required=True, strict=True)
    venue = fields.String(required=True, metadata={"description": "The venue's name: shared only with consent."})
    language = fields.String(required=True)
    late = fields.Boolean(required=True)


@contract("meeting.arranged", 2)
class MeetingArrangedV2(MeetingArrangedV1):
    """Version 1 with the kind of venue, as a code: null where the advocate did not say."""

    venue_type = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(VENUE_TYPES))


@contract("meeting.arranged", 3)
class MeetingArrangedV3(MeetingArrangedV2, DoneBy):
    """Version 2 with who arranged the meeting (`by`)."""


@contract("meeting.rescheduled", 1)
class MeetingRescheduledV1(_MeetingEvent):
    starts_at = fields.AwareDateTime(required=True, format="iso")
    previous_starts_at = fields.AwareDateTime(required=True, format="iso")
    venue = fields.String(required=True)


@contract("meeting.rescheduled", 2)
class MeetingRescheduledV2(MeetingRescheduledV1, DoneBy):
    """Version 1 with who moved the meeting (`by`)."""


@contract("meeting.cancelled", 1)
class MeetingCancelledV1(_MeetingEvent):
    reason = fields.String(required=True)


@contract("meeting.cancelled", 2)
class MeetingCancelledV2(MeetingCancelledV1, DoneBy):
    """Version 1 with who cancelled the meeting (`by`)."""


@contract("meeting.took_place", 1)
class MeetingTookPlaceV1(_MeetingEvent):
    held_at = fields.AwareDateTime(required=True, format="iso")
    before_deadline = fields.Boolean(required=True)


@contract("meeting.took_place", 2)
class MeetingTookPlaceV2(MeetingTookPlaceV1):
    """Version 1 with whether an interpreter was used at the meeting: null where the advocate did not say."""

    interpreter_used = fields.Boolean(load_default=None, allow_none=True)


@contract("meeting.took_place", 3)
class MeetingTookPlaceV3(MeetingTookPlaceV2):
    """Version 2 with what the meeting covered (MEETING_TOPICS) and what was left with the child (LEFT_WITH_CHILD),
    as codes: null where the advocate did not say (recorded before they were asked, or by an older client)."""

    topics_covered = fields.List(fields.String(validate=validate.OneOf(MEETING_TOPICS)), load_default=None,
                                 allow_none=True)
    left_with_child = fields.List(fields.String(validate=validate.OneOf(LEFT_WITH_CHILD)), load_default=None,
                                  allow_none=True)


@contract("meeting.took_place", 4)
class MeetingTookPlaceV4(MeetingTookPlaceV3, DoneBy):
    """Version 3 with who recorded that the meeting took place (`by`)."""


@contract("meeting.not_held", 1)
class MeetingNotHeldV1(_MeetingEvent):
    reason_not_held = fields.String(required=True)


@contract("meeting.not_held", 2)
class MeetingNotHeldV2(_MeetingEvent):
    """Why the meeting did not take place, as a code of NOT_HELD_REASONS only: the advocate's note stays with the
    meeting. Version 1's free text is read as `other`."""

    reason_not_held_code = fields.String(required=True, validate=validate.OneOf(NOT_HELD_REASONS))


@contract("meeting.not_held", 3)
class MeetingNotHeldV3(MeetingNotHeldV2, DoneBy):
    """Version 2 with who recorded that the meeting did not take place (`by`)."""


def not_held_reason_code(data: dict) -> str:
    """The coded reason of a `meeting.not_held` of any version: version 1's words count as `other`."""
    return data.get("reason_not_held_code") or "other"


__all__ = ["ConsentFlags", "DEADLINES"]
