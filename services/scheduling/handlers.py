"""Scheduling's commands and event handlers: the deadline clock, and meetings in the advocates' diaries."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from shared.clock import new_id, now, timestamp
from shared.contracts import Event, new_event
from shared.store import Put, Store, VersionConflict

from services.scheduling import domain
from services.scheduling.store import CASES, COMPLAINT_CLOCKS, DIARIES, MEETINGS, SchedulingStore

NAME = "scheduling"
RETRIES = 5
SECOND_STAGE = "stage_2_respond_by"
UNCONFIRMED_BOOKING = domain.UNCONFIRMED


class NotFound(LookupError):
    pass


def _event(event_type: str, data: dict, subject: str, cause: Event | None = None) -> Event:
    if cause is not None:
        return cause.follow(event_type, data, producer=NAME, subject=subject)
    return new_event(event_type, data, producer=NAME, subject=subject)


# the cases and their clocks, from the referral service's events


def open_case(event: Event, store: Store, regions: dict[str, domain.Timeframes] | None = None) -> None:
    """On `referral.received`: start the referral's deadline clocks, by its region's time frames, and say when
    they fall due."""
    data = event.data
    timeframes = (regions or {}).get(data["region"], domain.Timeframes())
    meeting = datetime.fromisoformat(data["statutory_meeting_at"]) if data.get("statutory_meeting_at") else None
    clocks = domain.schedule(datetime.fromisoformat(data["received_at"]), data["nation"], timeframes, meeting)
    case = {"referral_id": data["referral_id"], "council": data["council"], "nation": data["nation"],
            "region": data["region"], "kind": data["kind"], "received_at": data["received_at"],
            "consent": data["consent"], "advocate_email": None, "closed": False, "clocks": clocks,
            **domain.due_fields(clocks)}
    scheduled = _event("deadlines.scheduled", {
        "referral_id": data["referral_id"], "council": data["council"],
        "deadlines": {name: clock["due_at"] for name, clock in clocks.items()}}, f"referral:{data['referral_id']}",
        event)
    try:
        store.commit(Put.new(CASES, data["referral_id"], case), events=[scheduled], handled=event.id)
    except VersionConflict:
        store.commit(handled=event.id)  # the case exists already: a redelivery that beat the inbox check


def _nothing_to_do(event: Event, store: Store) -> None:
    """Record the event as handled when it changes nothing here (so a redelivery is recognised)."""
    if not store.handled(event.id):
        store.commit(handled=event.id)


def _update_case(event: Event, store: Store, decide: Callable[[dict], dict | None], collection: str = CASES,
                 key: str = "referral_id") -> None:
    for _ in range(RETRIES):
        document = store.get(collection, event.data[key])
        if document is None:
            raise NotFound(f"no clock for {key} {event.data[key]} yet")
        changed = decide(document.body)
        if changed is None:
            _nothing_to_do(event, store)
            return
        changed.update(domain.due_fields(changed["clocks"], closed=bool(changed.get("closed"))))
        try:
            store.commit(Put.update(document, changed), handled=event.id)
            return
        except VersionConflict:
            continue
    raise VersionConflict(f"the clock of {event.data[key]} kept changing")


def _meet(name: str, at_field: str) -> Callable[[Event, Store], None]:
    def handler(event: Event, store: Store) -> None:
        def decide(case: dict) -> dict | None:
            clocks = domain.met(case["clocks"], name, event.data[at_field])
            return None if clocks is None else {**case, "clocks": clocks}

        _update_case(event, store, decide)

    handler.__name__ = f"meet_{name}"
    return handler


meet_acknowledge_by = _meet("acknowledge_by", "acknowledged_at")
meet_first_contact_by = _meet("first_contact_by", "attempted_at")
meet_meeting_by = _meet("meeting_by", "held_at")


def case_allocated(event: Event, store: Store) -> None:
    def decide(case: dict) -> dict:
        clocks = domain.met(case["clocks"], "allocate_by", event.data["allocated_at"]) or case["clocks"]
        return {**case, "advocate_email": event.data["advocate_email"], "clocks": clocks}

    _update_case(event, store, decide)


def case_closed(event: Event, store: Store) -> None:
    _update_case(event, store, lambda case: None if case["closed"] else
                 {**case, "closed": True, "consent": event.data["consent"], "clocks": domain.stop(case["clocks"])})


def run_clock(store: Store, at: datetime | None = None) -> int:
    """Say which deadlines have become at risk or been missed; each is said once, however many workers tick."""
    moment = at or now()
    return (_tick(store, CASES, moment, _referral_deadline_event)
            + _tick(store, COMPLAINT_CLOCKS, moment, _complaint_deadline_event))


def _referral_deadline_event(case: dict, kind: str, name: str, due: str) -> Event:
    return new_event(kind, {"referral_id": case["referral_id"], "council": case["council"], "deadline": name,
                            "due_at": due}, producer=NAME, subject=f"referral:{case['referral_id']}")


def _complaint_deadline_event(clock: dict, kind: str, name: str, due: str) -> Event:
    return new_event(kind.replace("deadline.", "complaint.deadline_"), {
        "complaint_id": clock["complaint_id"], "deadline": name, "due_at": due}, producer=NAME,
        subject=f"complaint:{clock['complaint_id']}")


def _tick(store: Store, collection: str, moment: datetime, event_for: Callable[[dict, str, str, str], Event]) -> int:
    """Tick the clocks due by `moment` (found by their `next_due_at`), and date any that were not dated yet."""
    said = 0
    for document in SchedulingStore(store).due(domain.comparable(moment), collection):
        clocks, changes = domain.tick(document.body["clocks"], moment)
        due = domain.due_fields(clocks, closed=bool(document.body.get("closed")))
        if not changes and all(document.body.get(field) == value for field, value in due.items()):
            continue
        events = [event_for(document.body, kind, name, at) for kind, name, at in changes]
        try:
            store.commit(Put.update(document, {**document.body, "clocks": clocks, **due}), events=events)
            said += len(events)
        except VersionConflict:
            continue  # another worker ticked this one first; it said what was due
    return said


# complaints' time limits


def start_complaint_clock(event: Event, store: Store, days: tuple[int, int] = (2, 10)) -> None:
    """On `complaint.received`: count its time limits (acknowledge, answer) in working days, and say when they fall.
    A compliment has none."""
    data = event.data
    if data["kind"] == "compliment":
        _nothing_to_do(event, store)
        return
    clocks = domain.complaint_clocks(datetime.fromisoformat(data["received_at"]), data["nation"], *days)
    scheduled = _event("complaint.deadlines_scheduled", {
        "complaint_id": data["complaint_id"], **{name: clock["due_at"] for name, clock in clocks.items()}},
        f"complaint:{data['complaint_id']}", event)
    clock = {"complaint_id": data["complaint_id"], "nation": data["nation"], "clocks": clocks,
             **domain.due_fields(clocks)}
    try:
        store.commit(Put.new(COMPLAINT_CLOCKS, data["complaint_id"], clock), events=[scheduled], handled=event.id)
    except VersionConflict:
        store.commit(handled=event.id)


def start_second_stage_clock(event: Event, store: Store, days: tuple[int, int] = (2, 10)) -> None:
    """On `complaint.escalated`: the answer at the second stage is due within the same working days as the first,
    counted from the escalation; say when it falls."""
    complaint_id = event.data["complaint_id"]
    for _ in range(RETRIES):
        document = store.get(COMPLAINT_CLOCKS, complaint_id)
        if document is None:
            raise NotFound(f"no clock for complaint {complaint_id} yet")
        if SECOND_STAGE in document.body["clocks"]:
            _nothing_to_do(event, store)
            return
        clock = domain.second_stage_clock(datetime.fromisoformat(event.data["escalated_at"]),
                                          document.body["nation"], days[1])
        scheduled = _event("complaint.second_stage_scheduled", {"complaint_id": complaint_id,
                                                                "respond_by": clock["due_at"]},
                           f"complaint:{complaint_id}", event)
        clocks = {**document.body["clocks"], SECOND_STAGE: clock}
        try:
            store.commit(Put.update(document, {**document.body, "clocks": clocks, **domain.due_fields(clocks)}),
                         events=[scheduled], handled=event.id)
            return
        except VersionConflict:
            continue
    raise VersionConflict(f"the clock of complaint {complaint_id} kept changing")


def _complaint_met(at_field: str, clock_of: Callable[[dict], str]) -> Callable[[Event, Store], None]:
    def handler(event: Event, store: Store) -> None:
        if event.data["kind"] == "compliment":
            _nothing_to_do(event, store)
            return
        name = clock_of(event.data)

        def decide(clock: dict) -> dict | None:
            if name not in clock["clocks"]:  # its escalation is still on its way: try again after it
                raise NotFound(f"no {name} clock for complaint {event.data['complaint_id']} yet")
            clocks = domain.met(clock["clocks"], name, event.data[at_field])
            return None if clocks is None else {**clock, "clocks": clocks}

        _update_case(event, store, decide, collection=COMPLAINT_CLOCKS, key="complaint_id")

    handler.__name__ = f"complaint_{at_field}"
    return handler


complaint_acknowledged = _complaint_met("acknowledged_at", lambda data: "acknowledge_by")
complaint_answered = _complaint_met("responded_at", lambda data: "respond_by" if data["stage"] == 1 else SECOND_STAGE)


def complaint_closed(event: Event, store: Store) -> None:
    if event.data["kind"] == "compliment":
        _nothing_to_do(event, store)
        return
    _update_case(event, store, lambda clock: None if not domain.open_clocks(clock["clocks"]) else
                 {**clock, "clocks": domain.stop(clock["clocks"])}, collection=COMPLAINT_CLOCKS, key="complaint_id")


# meetings


def _case(scheduling: SchedulingStore, referral_id: str) -> dict:
    document = scheduling.case(referral_id)
    if document is None:
        raise NotFound(referral_id)
    return document.body


def _book(scheduling: SchedulingStore, advocate: str, meeting_id: str, referral_id: str, starts: datetime,
          finishes: datetime) -> None:
    """Hold the slot in the advocate's diary; DoubleBooked if it overlaps another live booking."""
    for _ in range(RETRIES):
        diary = scheduling.diary(advocate)
        bookings = _live_bookings(scheduling, diary.body["bookings"] if diary else {})
        if domain.clashes(bookings, starts, finishes, ignore=meeting_id):
            raise domain.DoubleBooked(f"{advocate} is already booked between {starts.isoformat()} and "
                                      f"{finishes.isoformat()}")
        bookings[meeting_id] = {"starts_at": starts.isoformat(), "ends_at": finishes.isoformat(),
                                "referral_id": referral_id, "booked_at": timestamp()}
        body = {"advocate_email": advocate, "bookings": bookings}
        try:
            scheduling.store.commit(Put.update(diary, body) if diary else Put.new(DIARIES, advocate, body))
            return
        except VersionConflict:
            continue
    raise VersionConflict(f"{advocate}'s diary kept changing; try again")


def _live_bookings(scheduling: SchedulingStore, bookings: dict) -> dict:
    """Bookings whose meeting is arranged, or so new that its meeting may still be being written."""
    live = {}
    for meeting_id, booking in bookings.items():
        meeting = scheduling.meeting(meeting_id)
        fresh = now() - datetime.fromisoformat(booking["booked_at"]) < UNCONFIRMED_BOOKING
        if (meeting is not None and meeting.body["status"] == "arranged") or (meeting is None and fresh):
            live[meeting_id] = booking
    return live


def _unbook(scheduling: SchedulingStore, advocate: str, meeting_id: str) -> None:
    for _ in range(RETRIES):
        diary = scheduling.diary(advocate)
        if diary is None or meeting_id not in diary.body["bookings"]:
            return
        bookings = {k: v for k, v in diary.body["bookings"].items() if k != meeting_id}
        try:
            scheduling.store.commit(Put.update(diary, {**diary.body, "bookings": bookings}))
            return
        except VersionConflict:
            continue


def arrange(scheduling: SchedulingStore, referral_id: str, request: dict, by: str, role: str | None) -> dict:
    """Arrange the referral's Active Offer meeting: its one live meeting, in the allocated advocate's diary."""
    starts = datetime.fromisoformat(request["starts_at"])
    meeting_id = new_id()
    case, late = _claim_the_meeting(scheduling, referral_id, meeting_id, starts, request, by, role)
    try:
        finishes = domain.ends_at(starts, request["duration_minutes"])
        _book(scheduling, case["advocate_email"], meeting_id, referral_id, starts, finishes)
        at = timestamp()
        meeting = {"id": meeting_id, "referral_id": referral_id, "council": case["council"],
                   "advocate_email": case["advocate_email"], "starts_at": starts.isoformat(),
                   "ends_at": finishes.isoformat(), "day": domain.diary_day(starts),
                   "duration_minutes": request["duration_minutes"],
                   "venue": request["venue"], "language": request.get("language") or "en", "late": late,
                   "late_reason": request.get("late_reason"), "status": "arranged", "arranged_by": by,
                   "history": [{"at": at, "what": "arranged", "by": by}]}
        event = _event("meeting.arranged", {
            "meeting_id": meeting_id, "referral_id": referral_id, "council": case["council"],
            "advocate_email": case["advocate_email"], "starts_at": meeting["starts_at"],
            "duration_minutes": meeting["duration_minutes"], "venue": request["venue"]["name"],
            "language": meeting["language"], "late": late}, f"referral:{referral_id}")
        scheduling.store.commit(Put.new(MEETINGS, meeting_id, meeting), events=[event])
    except BaseException:
        _release_the_claim(scheduling, referral_id, meeting_id)
        raise
    return meeting


def _claim_the_meeting(scheduling: SchedulingStore, referral_id: str, meeting_id: str, starts: datetime,
                       request: dict, by: str, role: str | None) -> tuple[dict, bool]:
    """Decide on the referral's case and claim the meeting there, under the case's version: of two arranged at once
    only one claim is written, and the other decides again and finds the first standing. Returns the case as claimed
    and whether the meeting is late."""
    for _ in range(RETRIES):
        document = scheduling.case(referral_id)
        if document is None:
            raise NotFound(referral_id)
        case = document.body
        domain.check_arrangeable(case)
        domain.check_allocated(case["advocate_email"], by, role)
        domain.check_one_live_meeting(scheduling.meetings_of(referral_id), case.get("meeting_claim"), now())
        late = domain.check_meeting(case, starts, request["duration_minutes"], request["venue"],
                                    request.get("late_reason"), now())
        claimed = {**case, "meeting_claim": {"meeting_id": meeting_id, "at": timestamp()}}
        try:
            scheduling.store.commit(Put.update(document, claimed))
            return claimed, late
        except VersionConflict:
            continue
    raise VersionConflict(f"the case of {referral_id} kept changing; try again")


def _release_the_claim(scheduling: SchedulingStore, referral_id: str, meeting_id: str) -> None:
    """Free the referral for another meeting when this one could not be arranged (if this fails too, the claim
    lapses after domain.UNCONFIRMED)."""
    for _ in range(RETRIES):
        document = scheduling.case(referral_id)
        if document is None or (document.body.get("meeting_claim") or {}).get("meeting_id") != meeting_id:
            return
        try:
            scheduling.store.commit(Put.update(document, {**document.body, "meeting_claim": None}))
            return
        except VersionConflict:
            continue


def meetings_on(scheduling: SchedulingStore, day: str, advocate: str | None = None) -> list[dict]:
    """The day's meetings (of one advocate, or everyone's), earliest first."""
    where = {"day": day, **({"advocate_email": advocate} if advocate else {})}
    found = [document.body for document in scheduling.all_meetings(where)]
    return sorted(found, key=lambda meeting: meeting["starts_at"])


def deadlines_needing_attention(scheduling: SchedulingStore, states: tuple[str, ...],
                                advocate: str | None = None) -> list[dict]:
    """Deadlines at risk or missed on referrals still open (closed ones' clocks have stopped), soonest first."""
    where = {"closed": False, **({"advocate_email": advocate} if advocate else {})}
    found = [item for document in scheduling.all_cases(where)
             for item in domain.needing_attention(document.body, states)]
    return sorted(found, key=lambda item: item["due_at"])


def _meeting(scheduling: SchedulingStore, meeting_id: str):
    document = scheduling.meeting(meeting_id)
    if document is None:
        raise NotFound(meeting_id)
    return document


def _standing(scheduling: SchedulingStore, meeting_id: str, by: str, role: str | None):
    """The meeting, if it still stands (409 otherwise) and the caller may act on it (403 otherwise)."""
    document = _meeting(scheduling, meeting_id)
    domain.check_arranged(document.body)
    domain.check_allocated(document.body["advocate_email"], by, role)
    return document


def reschedule(scheduling: SchedulingStore, meeting_id: str, request: dict, by: str, role: str | None) -> dict:
    document = _standing(scheduling, meeting_id, by, role)
    meeting = document.body
    case = _case(scheduling, meeting["referral_id"])
    starts = datetime.fromisoformat(request["starts_at"])
    late = domain.check_meeting(case, starts, meeting["duration_minutes"], meeting["venue"], request.get("reason"),
                                now())
    finishes = domain.ends_at(starts, meeting["duration_minutes"])
    _book(scheduling, meeting["advocate_email"], meeting_id, meeting["referral_id"], starts, finishes)
    at = timestamp()
    changed = {**meeting, "starts_at": starts.isoformat(), "ends_at": finishes.isoformat(),
               "day": domain.diary_day(starts), "late": late,
               "late_reason": request.get("reason") if late else meeting.get("late_reason"),
               "history": [*meeting["history"], {"at": at, "what": "rescheduled", "by": by,
                                                 "from": meeting["starts_at"], "reason": request["reason"]}]}
    event = _event("meeting.rescheduled", {
        "meeting_id": meeting_id, "referral_id": meeting["referral_id"], "council": meeting["council"],
        "starts_at": changed["starts_at"], "previous_starts_at": meeting["starts_at"],
        "venue": meeting["venue"]["name"]}, f"referral:{meeting['referral_id']}")
    scheduling.store.commit(Put.update(document, changed), events=[event])
    return changed


def cancel(scheduling: SchedulingStore, meeting_id: str, reason: str, by: str, role: str | None) -> dict:
    document = _standing(scheduling, meeting_id, by, role)
    meeting = document.body
    changed = {**meeting, "status": "cancelled",
               "history": [*meeting["history"], {"at": timestamp(), "what": "cancelled", "by": by, "reason": reason}]}
    event = _event("meeting.cancelled", {"meeting_id": meeting_id, "referral_id": meeting["referral_id"],
                                         "council": meeting["council"], "reason": reason},
                   f"referral:{meeting['referral_id']}")
    scheduling.store.commit(Put.update(document, changed), events=[event])
    _unbook(scheduling, meeting["advocate_email"], meeting_id)
    return changed


def record(scheduling: SchedulingStore, meeting_id: str, request: dict, by: str, role: str | None) -> dict:
    """Record whether the meeting took place and, if it did, the Active Offer's outcome."""
    document = _standing(scheduling, meeting_id, by, role)
    meeting = document.body
    domain.check_record(meeting, request, now())
    case = _case(scheduling, meeting["referral_id"])
    at, subject = timestamp(), f"referral:{meeting['referral_id']}"
    base = {"meeting_id": meeting_id, "referral_id": meeting["referral_id"], "council": meeting["council"]}
    if not request["took_place"]:
        changed = {**meeting, "status": "not_held", "reason_not_held": request["reason_not_held"],
                   "history": [*meeting["history"], {"at": at, "what": "not held", "by": by}]}
        events = [_event("meeting.not_held", {**base, "reason_not_held": request["reason_not_held"]}, subject)]
    else:
        meeting_by = case["clocks"].get("meeting_by", {}).get("due_at")
        before = meeting_by is None or datetime.fromisoformat(meeting["starts_at"]) <= datetime.fromisoformat(
            meeting_by)
        follow_on = new_id() if request["outcome"] == "take_up" else None
        consent = {**case["consent"], **(request.get("consent") or {})}
        changed = {**meeting, "status": "held", "outcome": request["outcome"],
                   "decline_reason": request.get("decline_reason"), "follow_on_referral_id": follow_on,
                   "history": [*meeting["history"], {"at": at, "what": "held", "by": by}]}
        events = [
            _event("meeting.took_place", {**base, "held_at": meeting["starts_at"], "before_deadline": before},
                   subject),
            _event("active_offer.completed", {
                "referral_id": meeting["referral_id"], "council": meeting["council"], "meeting_id": meeting_id,
                "outcome": request["outcome"], "decline_reason": request.get("decline_reason"),
                "follow_on_referral_id": follow_on, "consent": consent, "completed_at": at}, subject),
        ]
    scheduling.store.commit(Put.update(document, changed), events=events)
    _unbook(scheduling, meeting["advocate_email"], meeting_id)
    return changed


def invitation_for(scheduling: SchedulingStore, meeting_id: str, by: str, role: str | None) -> bytes:
    """The meeting's invitation, for its advocate or a manager."""
    meeting = _meeting(scheduling, meeting_id).body
    domain.check_allocated(meeting["advocate_email"], by, role)
    return invitation(meeting)


def invitation(meeting: dict) -> bytes:
    """An iCalendar invitation for the advocate: when and where, and no child's name."""
    from icalendar import Calendar
    from icalendar import Event as CalendarEvent

    calendar = Calendar()
    calendar.add("prodid", "-//Llais//Active Offer//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    entry = CalendarEvent()
    entry.add("uid", f"{meeting['id']}@llais")
    entry.add("dtstamp", now())
    entry.add("dtstart", datetime.fromisoformat(meeting["starts_at"]))
    entry.add("dtend", datetime.fromisoformat(meeting["ends_at"]))
    entry.add("summary", "Active Offer meeting")
    entry.add("location", ", ".join(p for p in (meeting["venue"].get("name"), meeting["venue"].get("address")) if p))
    entry.add("description", f"Referral {meeting['referral_id']}. Details are in Llais.")
    entry.add("status", "CANCELLED" if meeting["status"] == "cancelled" else "CONFIRMED")
    entry.add("attendee", f"mailto:{meeting['advocate_email']}")
    calendar.add_component(entry)
    return calendar.to_ical()
