"""Deadlines in working days: the contract's time frames counted in the council's nation.

"N working days after receipt" is the end (23:59:59 Europe/London) of the Nth working day after the day of receipt,
skipping weekends and that nation's bank holidays. Pure rules: no I/O, no clock of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import Any, Iterable, Mapping

import holidays

from shared.clock import LONDON
from shared import errors
from shared.contracts.referral import (NOT_WANTED_REASONS, OTHER_REASON, OTHER_SUPPORT_TYPES, OUTCOMES, TAKE_UP,
                                       decline_reason_code)
from shared.contracts.scheduling import (ATTENTION_STATES, DUE_SOON, LEFT_WITH_CHILD, MEETING_TOPICS, NOT_HELD_REASONS,
                                         not_held_reason_code)
from shared.errors import NOT_ALLOCATED_TO_YOU, NotAllowed, Refused, Rule, StateForbids

from services.scheduling import model
from services.scheduling.model import Meeting

END_OF_DAY = time(23, 59, 59)
ACTIVE_OFFER = "active_offer"
DUE_SOON_WITHIN = timedelta(days=7)
NATIONS = {"england": "ENG", "wales": "WLS"}


class UnknownNation(ValueError):
    pass


@dataclass(frozen=True)
class Timeframes:
    """A region's contract time frames, in working days after receipt."""

    acknowledge: int = 1
    allocate: int = 2
    first_contact: int = 3
    meeting: int = 10


class TimeframesError(ValueError):
    pass


def parse_timeframes(regions: object) -> dict[str, Timeframes]:
    """Regions' time frames from configuration: {region: {acknowledge, allocate, first_contact, meeting}}."""
    if not isinstance(regions, dict):
        raise TimeframesError("time frames must be a JSON object of regions")
    parsed = {}
    for region, frames in regions.items():
        if not isinstance(frames, dict) or set(frames) - set(Timeframes.__dataclass_fields__):
            raise TimeframesError(f"{region}: give only acknowledge, allocate, first_contact and meeting")
        if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 60 for v in frames.values()):
            raise TimeframesError(f"{region}: each time frame is a whole number of working days from 1 to 60")
        parsed[region] = Timeframes(**frames)
    return parsed


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    try:
        subdivision = NATIONS[nation]
    except KeyError:
        raise UnknownNation(f"no bank holidays known for nation {nation!r}; known: {', '.join(NATIONS)}") from None
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(nation, day.year)


def working_days_after(received_at: datetime, days: int, nation: str) -> datetime:
    """The end of the `days`th working day after the day (in Europe/London) on which `received_at` falls."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must carry its offset")
    if days < 1:
        raise ValueError("a time frame is at least one working day")
    day = received_at.astimezone(LONDON).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            counted += 1
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


def deadlines(received_at: datetime, nation: str, timeframes: Timeframes,
              statutory_meeting_at: datetime | None = None, kind: str = ACTIVE_OFFER) -> dict[str, datetime]:
    """The deadlines that apply to a referral of `kind`: acknowledge, allocate and first contact for every referral;
    an Active Offer referral's meeting too (issue-based work has no Active Offer meeting).

    `meeting_by` is the statutory meeting's time (the first looked-after review or initial conference) when the
    council gave one, else the end of the contract's meeting time frame.
    """
    due = {
        "acknowledge_by": working_days_after(received_at, timeframes.acknowledge, nation),
        "allocate_by": working_days_after(received_at, timeframes.allocate, nation),
        "first_contact_by": working_days_after(received_at, timeframes.first_contact, nation),
    }
    if kind == ACTIVE_OFFER:
        due["meeting_by"] = statutory_meeting_at or working_days_after(received_at, timeframes.meeting, nation)
    return due


# the deadline clock

def previous_working_day_end(moment: datetime, nation: str) -> datetime:
    """The end of the working day before the one `moment` falls on: where a deadline becomes at risk."""
    day = moment.astimezone(LONDON).date() - timedelta(days=1)
    while not is_working_day(day, nation):
        day -= timedelta(days=1)
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


def schedule(received_at: datetime, nation: str, timeframes: Timeframes,
             statutory_meeting_at: datetime | None = None, kind: str = ACTIVE_OFFER) -> dict[str, dict]:
    """Each deadline that applies with the moment it becomes at risk (one working day before) and its state."""
    return {name: _clock(due, nation)
            for name, due in deadlines(received_at, nation, timeframes, statutory_meeting_at, kind).items()}


def case_clocks(received_at: datetime, nation: str, timeframes: Timeframes, statutory_meeting_at: datetime | None,
                kind: str, source: str | None) -> dict[str, dict]:
    """A referral's clocks as they start: those of its kind; a take-up's follow-on referral was opened by the
    advocate who had just met the child, so its first contact is made as it is received."""
    started = schedule(received_at, nation, timeframes, statutory_meeting_at, kind)
    if source == TAKE_UP:
        started = met(started, "first_contact_by", received_at.isoformat()) or started
    return started


def _clock(due: datetime, nation: str) -> dict:
    return {"due_at": due.isoformat(), "at_risk_at": previous_working_day_end(due, nation).isoformat(),
            "state": "pending"}


def complaint_clocks(received_at: datetime, nation: str, acknowledge_days: int, respond_days: int) -> dict[str, dict]:
    """A complaint's two time limits, in working days of the nation: acknowledge it, then answer it."""
    return {"acknowledge_by": _clock(working_days_after(received_at, acknowledge_days, nation), nation),
            "respond_by": _clock(working_days_after(received_at, respond_days, nation), nation)}


def second_stage_clock(escalated_at: datetime, nation: str, respond_days: int) -> dict:
    """The answer at the second stage: due as many working days after the escalation as the first answer was after
    the complaint."""
    return _clock(working_days_after(escalated_at, respond_days, nation), nation)


def met(clocks: dict[str, dict], name: str, at: str) -> dict[str, dict] | None:
    """The clocks with `name` met at `at`; None when it was met, or its clock stopped, before. A step logged after
    a later one (a call made yesterday, recorded today after this morning's) moves the moment it was met back to
    when it happened."""
    clock = clocks.get(name)
    if clock is not None and clock["state"] == "met" and \
            datetime.fromisoformat(at) < datetime.fromisoformat(clock["met_at"]):
        return {**clocks, name: {**clock, "met_at": at}}
    if clock is None or clock["state"] in ("met", "stopped"):
        return None
    return {**clocks, name: {**clock, "state": "met", "met_at": at}}


def stop(clocks: dict[str, dict]) -> dict[str, dict]:
    """A closed referral's open clocks stop: nothing more is at risk or missed."""
    return {name: ({**c, "state": "stopped"} if c["state"] in ("pending", "at_risk") else c)
            for name, c in clocks.items()}


def tick(clocks: dict[str, dict], now: datetime) -> tuple[dict[str, dict], list[tuple[str, str, str]]]:
    """Move each open clock on to `now`: (new clocks, [(event type, deadline name, due_at)]) for what changed.

    A clock first at risk and then missed between two ticks says both, in that order, once each.
    """
    changed, said = dict(clocks), []
    for name in sorted(clocks):
        clock = clocks[name]
        if clock["state"] == "pending" and datetime.fromisoformat(clock["at_risk_at"]) <= now:
            clock = {**clock, "state": "at_risk"}
            said.append(("deadline.at_risk", name, clock["due_at"]))
        if clock["state"] == "at_risk" and datetime.fromisoformat(clock["due_at"]) < now:
            clock = {**clock, "state": "missed"}
            said.append(("deadline.missed", name, clock["due_at"]))
        changed[name] = clock
    return changed, said


def open_clocks(clocks: dict[str, dict]) -> bool:
    return any(c["state"] in ("pending", "at_risk") for c in clocks.values())


def comparable(moment: datetime) -> str:
    """A moment as UTC text to the microsecond: such texts sort as their moments do, so the store can find the
    clocks due by a moment."""
    return moment.astimezone(timezone.utc).isoformat(timespec="microseconds")


def due_fields(clocks: dict[str, dict], closed: bool = False) -> dict:
    """What the deadline clock finds a case (or a complaint's clock) by: whether any of its clocks still runs, and
    when `tick` will next change one (a pending one falls at risk, an at-risk one is missed), as `comparable` text;
    None when none runs. A tick then reads only what is due, not every open case."""
    running = open_clocks(clocks) and not closed
    changes = [datetime.fromisoformat(clock["at_risk_at"] if clock["state"] == "pending" else clock["due_at"])
               for clock in clocks.values() if clock["state"] in ("pending", "at_risk")]
    return {"clock_open": running, "next_due_at": comparable(min(changes)) if running else None}


# meetings

class NotFound(errors.NotFound):
    """No such referral (no clock for it yet) or meeting here (404; an event about it is tried again)."""

    code = "meeting.not_found"
    detail_format = "No such referral or meeting here."


class MeetingRefused(Refused):
    """A meeting that cannot be arranged as asked; `errors` says what to change (422)."""

    detail_format = "The meeting cannot be arranged like that; see errors."


class MeetingStateForbids(StateForbids):
    """The meeting or its referral's state does not allow this now (409)."""

    code = "meeting.state_forbids"


SHORTEST_MEETING, LONGEST_MEETING = 15, 240
"""A meeting's length in minutes."""

DOUBLE_BOOKED = Rule("meeting.double_booked", "the advocate is already booked between {booked_from} and {booked_until}")
STANDS = Rule("meeting.stands", "meeting {meeting_id} is arranged for this referral already: reschedule or cancel "
                                "it instead of arranging another")
NOT_LIVE = Rule("meeting.not_live", "the meeting is {meeting_status}")
REFERRAL_CLOSED = Rule("meeting.referral_closed", "the referral is closed")
ISSUE_BASED = Rule("meeting.issue_based", "an issue-based referral has no Active Offer meeting: record meetings "
                                         "with the child as its case's activity")
NOT_ALLOCATED_YET = Rule("meeting.not_allocated_yet", "allocate the referral to an advocate before arranging its meeting")
IN_THE_PAST = Rule("meeting.in_the_past", "The meeting must be in the future.")
DURATION = Rule("meeting.duration", "A meeting lasts {shortest} to {longest} minutes.")
NOT_ACCESSIBLE = Rule("meeting.venue_not_accessible", "The venue must be accessible to the child.")
NOT_RISK_ASSESSED = Rule("meeting.venue_not_risk_assessed", "The venue must be risk-assessed before the meeting.")
LATE_WITHOUT_REASON = Rule("meeting.late_reason",
                           "The meeting is after {meeting_by}, the deadline: say why in late_reason.")
NOT_STARTED = Rule("meeting.not_started", "The meeting has not started yet.")
NO_OUTCOME = Rule("meeting.outcome", f"Give the outcome: one of {', '.join(OUTCOMES)}.")
NO_DECLINE_REASON = Rule("meeting.decline_reason",
                         f"Record why the child declined: one of {', '.join(NOT_WANTED_REASONS)}.")
NO_REASON_NOT_HELD = Rule("meeting.reason_not_held",
                          f"Record why the meeting did not take place: one of {', '.join(NOT_HELD_REASONS)}.")
WORDS_WITH_A_CODE = Rule("meeting.words_with_a_code",
                         "Put the words in {note} alongside {coded}: {field} is only for clients that send no code.")
NOTE_TOO_LONG = Rule("meeting.note_too_long", "A note is at most {longest} characters.")
ONLY_WHEN_DECLINED = Rule("meeting.only_when_declined", "Give a decline reason only when the child declined.")
ONLY_WHEN_HELD = Rule("meeting.only_when_held", "Say this only for a meeting that took place.")
ONLY_WHEN_NOT_HELD = Rule("meeting.only_when_not_held", "Say why a meeting did not take place only when it did not.")
UNKNOWN_CODES = Rule("meeting.unknown_code", "Not known: {unknown}. Choose from {known}.")
NO_TOPICS = Rule("meeting.topics_covered", "Choose at least one topic the meeting covered.")
REPEATED = Rule("meeting.repeated", "Give each at most once; repeated: {repeated}.")
NOTHING_ALONE = Rule("meeting.nothing_alone", "Choose nothing on its own, or only what was left with the child.")
CONTACT_DETAILS_NEEDED = Rule("meeting.contact_details_given",
                              "The service's contact details are given to a child who declined or is reflecting: "
                              "give them, then record contact_details_given as true.")
OTHER_SUPPORT_TYPE_NEEDED = Rule("meeting.other_support_type",
                                 f"Say which other support: one of {', '.join(OTHER_SUPPORT_TYPES)}.")
OTHER_SUPPORT_ONLY = Rule("meeting.other_support_only",
                          "Say which other support only when the outcome is other_support.")
LONGEST_NOTE = 1000
HELP_ONLY_ON_TAKE_UP = Rule("meeting.wants_help_with",
                            "Say what the child wants help with only when they take up advocacy.")
INTERPRETER_NOT_HELD = Rule("meeting.interpreter_not_held",
                            "Say whether an interpreter was used only for a meeting that took place.")


class DoubleBooked(StateForbids):
    """The advocate is already booked then (409): `booked_from` and `booked_until` are the booking in the way."""

    title = "Advocate already booked"
    detail_format = "{message}. Choose another time."

    def __init__(self, booking: dict):
        super().__init__(DOUBLE_BOOKED(booked_from=booking["starts_at"], booked_until=booking["ends_at"]))


class MeetingStands(MeetingStateForbids):
    """The referral has a live meeting already: the advocate reschedules or cancels it instead (409)."""

    title = "Meeting already arranged"

    def __init__(self, meeting_id: str):
        super().__init__(STANDS(meeting_id=meeting_id))
        self.meeting_id = meeting_id


class NotAllocated(NotAllowed):
    """The caller is an advocate the referral is not allocated to (403)."""


MANAGER = "manager"
ADVOCATE = "advocate"
LIVE = ("arranged",)
"""A meeting that stands: not cancelled, held or not held. A referral has at most one."""
UNCONFIRMED = timedelta(seconds=60)
"""How long a slot taken for a meeting that is not written yet still counts: long enough for any request to finish
writing it, short enough that one which died mid-way frees the slot soon after."""


def check_allocated(advocate_email: str | None, by: str, role: str | None) -> None:
    """Managers act on every referral's meetings; an advocate only on those of the referrals allocated to them
    (for a meeting: the advocate whose diary it is in)."""
    if role == MANAGER or (role == ADVOCATE and advocate_email is not None and advocate_email == by):
        return
    raise NotAllocated(NOT_ALLOCATED_TO_YOU())


def standing_meeting(meetings: Iterable[dict], claim: dict | None, now: datetime) -> str | None:
    """The id of the referral's live meeting, if it has one: one of `meetings` still arranged, or the one `claim`
    says is being arranged now (claimed moments ago and not written yet; a claim older than UNCONFIRMED was left
    by a request that died)."""
    written = {}
    for meeting in meetings:
        written[meeting["id"]] = meeting
        if meeting["status"] in LIVE:
            return meeting["id"]
    if claim and claim["meeting_id"] not in written and now - datetime.fromisoformat(claim["at"]) < UNCONFIRMED:
        return claim["meeting_id"]
    return None


def check_one_live_meeting(meetings: Iterable[dict], claim: dict | None, now: datetime) -> None:
    """One live meeting per referral: arranging another while one stands is refused, naming the one to reschedule
    or cancel (a second would put two meetings in the diary and send two invitations for one Active Offer)."""
    standing = standing_meeting(meetings, claim, now)
    if standing is not None:
        raise MeetingStands(standing)


def check_arranged(meeting: dict) -> None:
    """Only a meeting that stands is moved, cancelled or recorded (409 otherwise)."""
    if meeting["status"] not in LIVE:
        raise MeetingStateForbids(NOT_LIVE(meeting_status=meeting["status"]))


def check_arrangeable(case: dict) -> None:
    """A meeting is arranged only for an open Active Offer referral that scheduling knows is allocated (409
    otherwise): issue-based work has no Active Offer meeting; its meetings are its case's activity."""
    if case.get("closed"):
        raise MeetingStateForbids(REFERRAL_CLOSED())
    if case.get("kind") == "issue_based":
        raise MeetingStateForbids(ISSUE_BASED())
    if not case.get("advocate_email"):
        raise MeetingStateForbids(NOT_ALLOCATED_YET())


def check_meeting(case: dict, starts_at: datetime, duration_minutes: int, venue: dict, late_reason: str | None,
                  now: datetime) -> bool:
    """Whether the meeting is late (after `meeting_by`); MeetingRefused or MeetingStateForbids otherwise."""
    check_arrangeable(case)
    errors: dict[str, list[str]] = {}
    if starts_at <= now:
        errors["starts_at"] = [IN_THE_PAST()]
    if not SHORTEST_MEETING <= duration_minutes <= LONGEST_MEETING:
        errors["duration_minutes"] = [DURATION(shortest=SHORTEST_MEETING, longest=LONGEST_MEETING)]
    if not venue.get("accessible"):
        errors["venue.accessible"] = [NOT_ACCESSIBLE()]
    if not venue.get("risk_assessed"):
        errors["venue.risk_assessed"] = [NOT_RISK_ASSESSED()]
    meeting_by = case.get("clocks", {}).get("meeting_by", {}).get("due_at")
    late = bool(meeting_by) and starts_at > datetime.fromisoformat(meeting_by)
    if late and not (late_reason or "").strip():
        errors["late_reason"] = [LATE_WITHOUT_REASON(meeting_by=meeting_by)]
    if errors:
        raise MeetingRefused(errors)
    return late


def diary_day(starts_at: datetime) -> str:
    """The day a meeting is in the diary: its date in Europe/London, which is what "today's meetings" means."""
    return starts_at.astimezone(LONDON).date().isoformat()


def needing_attention(case: dict, states: tuple[str, ...] = ATTENTION_STATES,
                      now: datetime | None = None) -> list[dict]:
    """The case's deadlines that are at risk or missed (of `states`), soonest due first; with `due_soon` among the
    states, also those still pending that fall due within `DUE_SOON_WITHIN` of `now`."""
    soon = now + DUE_SOON_WITHIN if now is not None and DUE_SOON in states else None

    def state_of(clock: dict) -> str | None:
        if clock["state"] in states:
            return clock["state"]
        if soon is not None and clock["state"] == "pending" and datetime.fromisoformat(clock["due_at"]) <= soon:
            return DUE_SOON
        return None

    found = [{"referral_id": case["referral_id"], "council": case["council"],
              "advocate_email": case.get("advocate_email"), "deadline": name, "state": state,
              "due_at": clock["due_at"]}
             for name, clock in case["clocks"].items() if (state := state_of(clock))]
    return sorted(found, key=lambda item: item["due_at"])


def ends_at(starts_at: datetime, duration_minutes: int) -> datetime:
    return starts_at + timedelta(minutes=duration_minutes)


def clash(bookings: dict[str, dict], starts_at: datetime, finishes_at: datetime,
          ignore: str | None = None) -> dict | None:
    """The first of the advocate's bookings (other than `ignore`) that [starts_at, finishes_at) overlaps, if any."""
    return next((b for meeting_id, b in bookings.items()
                 if meeting_id != ignore and datetime.fromisoformat(b["starts_at"]) < finishes_at
                 and starts_at < datetime.fromisoformat(b["ends_at"])), None)


RECORDABLE = ("arranged",)
CONTACT_DETAILS_OUTCOMES = ("declined", "reflecting")
"""The outcomes on which the seeds have the service's contact details left with the child."""
REASONS = {"reason_not_held": ("reason_not_held_code", "reason_not_held_note", NOT_HELD_REASONS),
           "decline_reason": ("decline_reason_code", "decline_reason_note", NOT_WANTED_REASONS)}
"""Each coded reason of a record: its old free-text field, its code, its note, and the codes it is one of."""


def coded_reasons(record: dict) -> tuple[dict, dict[str, list[str]]]:
    """The record with an old client's reason in words read as code `other` with the words as its note, and what is
    wrong with its reasons: words sent with a code (they go in the note), an unknown code, a note too long."""
    coded, errors = dict(record), {}
    for words, (code, note, known) in REASONS.items():
        said = (record.get(words) or "").strip()
        if said and record.get(code) is not None:
            errors[words] = [WORDS_WITH_A_CODE(note=note, coded=code, field=words)]
        elif said:
            coded.update({code: OTHER_REASON, note: said})
        coded.pop(words, None)
        if coded.get(code) is not None and coded[code] not in known:
            errors[code] = [UNKNOWN_CODES(unknown=coded[code], known=", ".join(known))]
        coded[note] = (coded.get(note) or "").strip() or None
        if coded[note] and len(coded[note]) > LONGEST_NOTE:
            errors[note] = [NOTE_TOO_LONG(longest=LONGEST_NOTE)]
    return coded, errors


def _codes_errors(given: list | None, known: tuple[str, ...]) -> list[str]:
    unknown = sorted({code for code in given or [] if code not in known})
    if unknown:
        return [UNKNOWN_CODES(unknown=", ".join(unknown), known=", ".join(known))]
    repeated = sorted({code for code in given or [] if given.count(code) > 1})
    return [REPEATED(repeated=", ".join(repeated))] if repeated else []


def _covered_errors(record: dict) -> dict[str, list[str]]:
    """What the meeting covered and what was left with the child: known codes, each once; at least one topic when
    topics are given; `nothing` left on its own."""
    errors = {}
    topics, left = record.get("topics_covered"), record.get("left_with_child")
    if topics is not None:
        errors["topics_covered"] = _codes_errors(topics, MEETING_TOPICS) or ([] if topics else [NO_TOPICS()])
    if left is not None:
        errors["left_with_child"] = _codes_errors(left, LEFT_WITH_CHILD) or (
            [NOTHING_ALONE()] if "nothing" in left and len(left) > 1 else [])
    return {field: said for field, said in errors.items() if said}


def check_record(meeting: dict, record: dict, now: datetime) -> dict:
    """The record as it is kept (coded_reasons), if the meeting can be recorded so; MeetingRefused saying what to
    change otherwise, MeetingStateForbids if the meeting no longer stands."""
    if meeting["status"] not in RECORDABLE:
        raise MeetingStateForbids(NOT_LIVE(meeting_status=meeting["status"]))
    record, errors = coded_reasons(record)
    outcome = record.get("outcome")
    if record["took_place"]:
        if datetime.fromisoformat(meeting["starts_at"]) > now:
            errors["took_place"] = [NOT_STARTED()]
        if outcome not in OUTCOMES:
            errors["outcome"] = [NO_OUTCOME()]
        if outcome == "declined" and record.get("decline_reason_code") is None:
            errors.setdefault("decline_reason_code", [NO_DECLINE_REASON()])
        if outcome != "declined" and (record.get("decline_reason_code") or record.get("decline_reason_note")):
            errors.setdefault("decline_reason_code", [ONLY_WHEN_DECLINED()])
        if outcome != "take_up" and (record.get("wants_help_with") or "").strip():
            errors["wants_help_with"] = [HELP_ONLY_ON_TAKE_UP()]
        if outcome in CONTACT_DETAILS_OUTCOMES and record.get("contact_details_given") is not True:
            errors["contact_details_given"] = [CONTACT_DETAILS_NEEDED()]
        if outcome == "other_support" and record.get("other_support_type") not in OTHER_SUPPORT_TYPES:
            errors["other_support_type"] = [OTHER_SUPPORT_TYPE_NEEDED()]
        if outcome != "other_support" and record.get("other_support_type") is not None:
            errors["other_support_type"] = [OTHER_SUPPORT_ONLY()]
        if record.get("reason_not_held_code") or record.get("reason_not_held_note"):
            errors.setdefault("reason_not_held_code", [ONLY_WHEN_NOT_HELD()])
        errors.update(_covered_errors(record))
    else:
        if record.get("reason_not_held_code") is None:
            errors.setdefault("reason_not_held_code", [NO_REASON_NOT_HELD()])
        if record.get("interpreter_used") is not None:
            errors["interpreter_used"] = [INTERPRETER_NOT_HELD()]
        for held_only in ("topics_covered", "left_with_child", "contact_details_given", "other_support_type"):
            if record.get(held_only) is not None:
                errors[held_only] = [ONLY_WHEN_HELD()]
    if errors:
        raise MeetingRefused(errors)
    return record


def _noted(meeting: dict, at: str, what: str, by: str, **changes) -> dict:
    return {**meeting, **changes, "history": [*meeting["history"], {"at": at, "what": what, "by": by}]}


def new_meeting(meeting_id: str, case: dict, starts_at: datetime, request: dict, late: bool, by: str,
                at: str) -> Meeting:
    """The referral's Active Offer meeting as arranged, in the allocated advocate's diary."""
    return model.meeting(id=meeting_id, referral_id=case["referral_id"], council=case["council"],
                         advocate_email=case["advocate_email"], starts_at=starts_at.isoformat(),
                         ends_at=ends_at(starts_at, request["duration_minutes"]).isoformat(), day=diary_day(starts_at),
                         duration_minutes=request["duration_minutes"], venue=request["venue"],
                         language=request.get("language") or "en", late=late, late_reason=request.get("late_reason"),
                         arranged_by=by, arranged_at=at)


def late_reason_standing(meeting: dict, given: str | None) -> str | None:
    """Why a moved meeting is late: the reason given now, else the one it was late for already (a meeting late and
    moved again stays late for the reason said)."""
    if (given or "").strip():
        return given.strip()
    return meeting.get("late_reason") if meeting.get("late") else None


def rescheduled(meeting: dict, starts_at: datetime, late: bool, reason: str, by: str, at: str,
                late_reason: str | None = None, venue: dict | None = None) -> dict:
    """The meeting moved to `starts_at` for `reason`, and to `venue` when one is given (else it stays where it
    was); while it is late, with why (`late_reason`)."""
    check_arranged(meeting)
    changed = _noted(meeting, at, "rescheduled", by, starts_at=starts_at.isoformat(),
                     ends_at=ends_at(starts_at, meeting["duration_minutes"]).isoformat(),
                     day=diary_day(starts_at), late=late, late_reason=late_reason if late else None,
                     venue=venue or meeting["venue"])
    changed["history"][-1].update({"from": meeting["starts_at"], "reason": reason})
    if late:
        changed["history"][-1]["late_reason"] = late_reason
    return changed


def at_risk_for_a_late_meeting(case: dict, late: bool) -> tuple[dict, list[tuple[str, str, str]]] | None:
    """A meeting arranged or moved after `meeting_by` puts that deadline at risk at once, rather than a working
    day before it falls: (the case with its clock at risk, [(event type, deadline, due_at)]); None when the meeting
    is not late or the clock is at risk, missed, met or stopped already."""
    clock = case.get("clocks", {}).get("meeting_by")
    if not late or clock is None or clock["state"] != "pending":
        return None
    clocks = {**case["clocks"], "meeting_by": {**clock, "state": "at_risk"}}
    return {**case, "clocks": clocks}, [("deadline.at_risk", "meeting_by", clock["due_at"])]


def cancelled(meeting: dict, reason: str, by: str, at: str) -> dict:
    check_arranged(meeting)
    changed = _noted(meeting, at, "cancelled", by, status="cancelled")
    changed["history"][-1]["reason"] = reason
    return changed


def recorded(meeting: dict, record: dict, follow_on_referral_id: str | None, by: str, at: str) -> dict:
    """The meeting as held, with the Active Offer's outcome, or as not held, with why."""
    if not record["took_place"]:
        return _noted(meeting, at, "not held", by, status="not_held",
                      reason_not_held_code=record["reason_not_held_code"],
                      reason_not_held_note=record.get("reason_not_held_note"))
    return _noted(meeting, at, "held", by, status="held", outcome=record["outcome"],
                  decline_reason_code=record.get("decline_reason_code"),
                  decline_reason_note=record.get("decline_reason_note"), follow_on_referral_id=follow_on_referral_id,
                  interpreter_used=record.get("interpreter_used"), topics_covered=record.get("topics_covered"),
                  left_with_child=record.get("left_with_child"),
                  contact_details_given=record.get("contact_details_given"),
                  other_support_type=record.get("other_support_type"))


def arranged_event_data(meeting: dict) -> dict:
    return {"meeting_id": meeting["id"], "referral_id": meeting["referral_id"], "council": meeting["council"],
            "advocate_email": meeting["advocate_email"], "starts_at": meeting["starts_at"],
            "duration_minutes": meeting["duration_minutes"], "venue": meeting["venue"]["name"],
            "language": meeting["language"], "late": meeting["late"], "venue_type": meeting["venue"].get("type"),
            "by": meeting.get("arranged_by")}


def _meeting_event_data(meeting: dict) -> dict:
    return {"meeting_id": meeting["id"], "referral_id": meeting["referral_id"], "council": meeting["council"]}


def done_by(meeting: dict, *steps: str) -> str | None:
    """Who took the meeting's latest step of `steps` (its history says), for the events that say who did it."""
    return next((step.get("by") for step in reversed(meeting.get("history") or []) if step["what"] in steps), None)


def not_held_event_data(meeting: dict) -> dict:
    """Why it was not held, as a code only: a meeting recorded before the codes (its words kept as
    `reason_not_held`) is said as `other`; the note never leaves the meeting. With who recorded it."""
    return {**_meeting_event_data(meeting), "reason_not_held_code": not_held_reason_code(meeting),
            "by": done_by(meeting, "not held")}


def took_place_event_data(meeting: dict, case: dict) -> dict:
    return {**_meeting_event_data(meeting), "held_at": meeting["starts_at"], "by": done_by(meeting, "held"),
            "before_deadline": held_before_deadline(meeting, case), "interpreter_used": meeting.get("interpreter_used"),
            "topics_covered": meeting.get("topics_covered"), "left_with_child": meeting.get("left_with_child")}


def completed_event_data(meeting: dict, case: dict, consent_given: dict | None, at: str,
                         wants_help_with: str | None = None) -> dict:
    """What `active_offer.completed` says: the outcome, and the child's consent as it stands after the meeting; on
    take-up, what the follow-on referral starts from: the advocate who met the child and, for the referral to keep,
    what the child said they want help with (the meeting does not keep the words itself). The advocate who met the
    child (whom the referrer may be told of), why they declined as a code (a meeting recorded before the codes, with
    words only, as `other`), which other support they chose, whether the contact details were left, and who
    recorded it: never a note."""
    taken_up = meeting["outcome"] == "take_up"
    return {"referral_id": meeting["referral_id"], "council": meeting["council"], "meeting_id": meeting["id"],
            "outcome": meeting["outcome"], "decline_reason_code": decline_reason_code(meeting),
            "follow_on_referral_id": meeting.get("follow_on_referral_id"),
            "consent": consent_after(case, consent_given), "completed_at": at,
            "advocate_email": meeting["advocate_email"],
            "wants_help_with": (wants_help_with or "").strip() or None if taken_up else None,
            "other_support_type": meeting.get("other_support_type"),
            "contact_details_given": meeting.get("contact_details_given"), "by": done_by(meeting, "held")}


def held_before_deadline(meeting: dict, case: dict) -> bool:
    """Whether the meeting was held by the statutory meeting deadline (true when the referral has none)."""
    meeting_by = case["clocks"].get("meeting_by", {}).get("due_at")
    return meeting_by is None or datetime.fromisoformat(meeting["starts_at"]) <= datetime.fromisoformat(meeting_by)


def consent_after(case: dict, given: dict | None) -> dict:
    """The child's consent after the meeting: what they agreed on referral, as changed by what they said there."""
    return {**case["consent"], **(given or {})}


def meeting_anonymised(meeting: Mapping[str, Any]) -> dict:
    """A meeting erased with its child's records: when, how long, in what language, the kind of venue and the
    outcome's codes stay (reporting counts them); the venue's name and every note in words go."""
    venue = meeting.get("venue") or {}
    return {**meeting, "venue": {"name": "", "type": venue.get("type")},
            **{k: None for k in ("late_reason", "decline_reason", "decline_reason_note", "reason_not_held",
                                 "reason_not_held_note") if meeting.get(k) is not None}}
