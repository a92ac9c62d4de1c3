"""The Active Offer meeting: arranged in the allocated advocate's diary (one live meeting per referral, no two
bookings at once), moved, cancelled, and recorded as held (with the outcome) or not; and the diary's reads."""

from __future__ import annotations

from datetime import datetime

from shared.clock import new_id, now, timestamp
from shared.store import Position
from shared.unit_of_work import UnitOfWork

from services.scheduling import clocks, deadlines, domain, invitation
from services.scheduling.commands import ArrangeMeeting, CancelMeeting, RecordMeeting, RescheduleMeeting
from services.scheduling.store import CASES, DIARIES, MEETINGS, SchedulingStore


def arrange(command: ArrangeMeeting, uow: UnitOfWork) -> dict:
    """Arrange the referral's Active Offer meeting: its one live meeting, in the allocated advocate's diary."""
    request, referral_id = command.request, command.referral_id
    starts = datetime.fromisoformat(request["starts_at"])
    meeting_id = new_id()
    case, late = _claim_the_meeting(uow, command, meeting_id, starts)
    try:
        finishes = domain.ends_at(starts, request["duration_minutes"])
        _book(uow, case["advocate_email"], meeting_id, referral_id, starts, finishes)
        meeting = domain.new_meeting(meeting_id, case, starts, request, late, command.by, timestamp())
        arranged = clocks.event("meeting.arranged", domain.arranged_event_data(meeting), f"referral:{referral_id}")
        uow.create(MEETINGS, meeting_id, meeting, [arranged])
    except BaseException:
        _release_the_claim(uow, referral_id, meeting_id)
        raise
    deadlines.late_meeting(uow, referral_id, late)
    return meeting


def _claim_the_meeting(uow: UnitOfWork, command: ArrangeMeeting, meeting_id: str,
                       starts: datetime) -> tuple[dict, bool]:
    """Decide on the referral's case and claim the meeting there, under the case's version: of two arranged at once
    only one claim is written, and the other decides again and finds the first standing. Returns the case as claimed
    and whether the meeting is late."""
    request, late = command.request, False

    def decide(case: dict):
        nonlocal late
        domain.check_arrangeable(case)
        domain.check_allocated(case["advocate_email"], command.by, command.role)
        domain.check_one_live_meeting(SchedulingStore(uow).meetings_of(command.referral_id),
                                      case.get("meeting_claim"), now())
        late = domain.check_meeting(case, starts, request["duration_minutes"], request["venue"],
                                    request.get("late_reason"), now())
        return {**case, "meeting_claim": {"meeting_id": meeting_id, "at": timestamp()}}, []

    claimed = uow.change(CASES, command.referral_id, decide, missing=lambda: domain.NotFound(command.referral_id))
    return claimed, late


def _release_the_claim(uow: UnitOfWork, referral_id: str, meeting_id: str) -> None:
    """Free the referral for another meeting when this one could not be arranged (if this fails too, the claim
    lapses after domain.UNCONFIRMED)."""
    uow.change(CASES, referral_id, lambda case: None
               if (case.get("meeting_claim") or {}).get("meeting_id") != meeting_id
               else ({**case, "meeting_claim": None}, []))


def _book(uow: UnitOfWork, advocate: str, meeting_id: str, referral_id: str, starts: datetime,
          finishes: datetime) -> None:
    """Hold the slot in the advocate's diary; DoubleBooked if it overlaps another live booking."""
    def decide(diary: dict):
        bookings = _live_bookings(uow, diary["bookings"])
        clash = domain.clash(bookings, starts, finishes, ignore=meeting_id)
        if clash is not None:
            raise domain.DoubleBooked(clash)
        bookings[meeting_id] = {"starts_at": starts.isoformat(), "ends_at": finishes.isoformat(),
                                "referral_id": referral_id, "booked_at": timestamp()}
        return {"advocate_email": advocate, "bookings": bookings}, []

    uow.change(DIARIES, advocate, decide, initial={"advocate_email": advocate, "bookings": {}})


def _live_bookings(uow: UnitOfWork, bookings: dict) -> dict:
    """Bookings whose meeting is arranged, or so new that its meeting may still be being written."""
    live, scheduling = {}, SchedulingStore(uow)
    for meeting_id, booking in bookings.items():
        meeting = scheduling.meeting(meeting_id)
        fresh = now() - datetime.fromisoformat(booking["booked_at"]) < domain.UNCONFIRMED
        if (meeting is not None and meeting.body["status"] == "arranged") or (meeting is None and fresh):
            live[meeting_id] = booking
    return live


def _unbook(uow: UnitOfWork, advocate: str, meeting_id: str) -> None:
    if uow.get(DIARIES, advocate) is None:
        return
    uow.change(DIARIES, advocate, lambda diary: None if meeting_id not in diary["bookings"] else (
        {**diary, "bookings": {k: v for k, v in diary["bookings"].items() if k != meeting_id}}, []))


def meeting_for(scheduling: SchedulingStore, meeting_id: str) -> dict:
    document = scheduling.meeting(meeting_id)
    if document is None:
        raise domain.NotFound(meeting_id)
    return document.body


def _case(scheduling: SchedulingStore, referral_id: str) -> dict:
    document = scheduling.case(referral_id)
    if document is None:
        raise domain.NotFound(referral_id)
    return document.body


def _change(uow: UnitOfWork, meeting_id: str, by: str, role: str | None, decide) -> dict:
    """Change the meeting while it stands (409 otherwise), if the caller may act on it (its advocate or a manager;
    403 otherwise)."""
    def decision(meeting: dict):
        domain.check_arranged(meeting)
        domain.check_allocated(meeting["advocate_email"], by, role)
        return decide(meeting)

    return uow.change(MEETINGS, meeting_id, decision, missing=lambda: domain.NotFound(meeting_id))


def reschedule(command: RescheduleMeeting, uow: UnitOfWork) -> dict:
    scheduling, starts = SchedulingStore(uow), datetime.fromisoformat(command.starts_at)
    meeting = meeting_for(scheduling, command.meeting_id)
    domain.check_arranged(meeting)
    domain.check_allocated(meeting["advocate_email"], command.by, command.role)
    case = _case(scheduling, meeting["referral_id"])
    late_reason = domain.late_reason_standing(meeting, command.late_reason)
    venue = command.venue or meeting["venue"]
    late = domain.check_meeting(case, starts, meeting["duration_minutes"], venue, late_reason, now())
    _book(uow, meeting["advocate_email"], command.meeting_id, meeting["referral_id"], starts,
          domain.ends_at(starts, meeting["duration_minutes"]))

    def decide(current: dict):
        changed = domain.rescheduled(current, starts, late, command.reason, command.by, timestamp(), late_reason,
                                     command.venue)
        return changed, [clocks.event("meeting.rescheduled", {
            "meeting_id": command.meeting_id, "referral_id": current["referral_id"], "council": current["council"],
            "starts_at": changed["starts_at"], "previous_starts_at": current["starts_at"],
            "venue": changed["venue"]["name"], "by": command.by}, f"referral:{current['referral_id']}")]

    changed = _change(uow, command.meeting_id, command.by, command.role, decide)
    deadlines.late_meeting(uow, changed["referral_id"], late)
    return changed


def cancel(command: CancelMeeting, uow: UnitOfWork) -> dict:
    def decide(meeting: dict):
        changed = domain.cancelled(meeting, command.reason, command.by, timestamp())
        return changed, [clocks.event("meeting.cancelled", {
            "meeting_id": command.meeting_id, "referral_id": meeting["referral_id"], "council": meeting["council"],
            "reason": command.reason, "by": command.by}, f"referral:{meeting['referral_id']}")]

    changed = _change(uow, command.meeting_id, command.by, command.role, decide)
    _unbook(uow, changed["advocate_email"], command.meeting_id)
    return changed


def record(command: RecordMeeting, uow: UnitOfWork) -> dict:
    """Record whether the meeting took place and, if it did, the Active Offer's outcome."""
    scheduling, record_ = SchedulingStore(uow), command.record

    def decide(meeting: dict):
        kept = domain.check_record(meeting, record_, now())
        case = _case(scheduling, meeting["referral_id"])
        at, subject = timestamp(), f"referral:{meeting['referral_id']}"
        if not kept["took_place"]:
            changed = domain.recorded(meeting, kept, None, command.by, at)
            return changed, [clocks.event("meeting.not_held", domain.not_held_event_data(changed), subject)]
        follow_on = new_id() if kept["outcome"] == "take_up" else None
        changed = domain.recorded(meeting, kept, follow_on, command.by, at)
        return changed, [
            clocks.event("meeting.took_place", domain.took_place_event_data(changed, case), subject),
            clocks.event("active_offer.completed",
                         domain.completed_event_data(changed, case, record_.get("consent"), at,
                                                     record_.get("wants_help_with")), subject),
        ]

    changed = _change(uow, command.meeting_id, command.by, command.role, decide)
    _unbook(uow, changed["advocate_email"], command.meeting_id)
    return changed


# reads


def invitation_for(scheduling: SchedulingStore, meeting_id: str, by: str, role: str | None) -> bytes:
    """The meeting's invitation, for its advocate or a manager."""
    meeting = meeting_for(scheduling, meeting_id)
    domain.check_allocated(meeting["advocate_email"], by, role)
    return invitation.invitation(meeting)


def meetings_on(scheduling: SchedulingStore, day: str, advocate: str | None = None, *, limit: int,
                after: Position | None = None) -> tuple[list[dict], Position | None]:
    """A page of the day's meetings (of one advocate, or everyone's), in the order of their ids."""
    return scheduling.meeting_page({"day": day, **({"advocate_email": advocate} if advocate else {})}, limit, after)
