"""Scheduling's internal API: meetings (through the gateway, for advocates and managers) and deadlines."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, request

from shared import subject_access, validation
from shared.idempotency import once_per_key
from shared.contracts.scheduling import ATTENTION_STATES, DEADLINE_VIEWS
from shared.unit_of_work import UnitOfWork
from shared.web import (ACTOR_HEADER, ROLE_HEADER, Problem, check_fields, command_from_body, history_page,
                        page_answer, page_asked)

from services.scheduling import deadlines, history, meetings
from services.scheduling.commands import (ArrangeMeeting, CancelMeeting, RecordMeeting, RescheduleMeeting,
                                          checked_venue)
from services.scheduling.store import CASES, MEETINGS, SchedulingStore

blueprint = Blueprint("scheduling", __name__)
check_fields(blueprint, {"starts_at": validation.any_moment, "venue.name": validation.one_line})


def uow() -> UnitOfWork:
    return UnitOfWork(current_app.extensions["llais.store"])


def scheduling() -> SchedulingStore:
    return SchedulingStore(current_app.extensions["llais.store"])


def actor() -> str:
    return request.headers.get(ACTOR_HEADER) or "unknown"


def role() -> str | None:
    return request.headers.get(ROLE_HEADER)


def meeting_view(meeting: dict) -> dict:
    return {k: meeting.get(k) for k in ("id", "referral_id", "advocate_email", "starts_at", "ends_at",
                                        "duration_minutes", "venue", "language", "late", "late_reason", "status",
                                        "outcome", "decline_reason", "reason_not_held", "follow_on_referral_id",
                                        "interpreter_used", "decline_reason_code", "decline_reason_note",
                                        "reason_not_held_code", "reason_not_held_note", "topics_covered",
                                        "left_with_child", "contact_details_given", "other_support_type",
                                        "history")}


@blueprint.post("/referrals/<referral_id>/meetings")
@once_per_key(lambda meeting: (meeting_view(meeting), 201), collection=MEETINGS)
def arrange(referral_id: str):
    command = command_from_body(lambda body: ArrangeMeeting.parse(referral_id, body, actor(), role()),
                                "starts_at", "duration_minutes", "venue")
    return meetings.arrange(command, uow())


@blueprint.post("/meetings/<meeting_id>/reschedule")
def reschedule(meeting_id: str):
    command = command_from_body(lambda body: RescheduleMeeting(
        meeting_id, body["starts_at"], body["reason"], actor(), role(), body.get("late_reason"),
        checked_venue(body["venue"]) if body.get("venue") is not None else None), "starts_at", "reason")
    return meeting_view(meetings.reschedule(command, uow()))


@blueprint.post("/meetings/<meeting_id>/cancel")
def cancel(meeting_id: str):
    command = command_from_body(lambda body: CancelMeeting(meeting_id, body["reason"], actor(), role()), "reason")
    return meeting_view(meetings.cancel(command, uow()))


@blueprint.post("/meetings/<meeting_id>/record")
def record(meeting_id: str):
    command = command_from_body(lambda body: RecordMeeting.parse(meeting_id, body, actor(), role()), "took_place")
    return meeting_view(meetings.record(command, uow()))


@blueprint.get("/meetings/<meeting_id>")
def read(meeting_id: str):
    return meeting_view(meetings.meeting_for(scheduling(), meeting_id))


@blueprint.get("/meetings/<meeting_id>/invitation.ics")
def invitation(meeting_id: str):
    return Response(meetings.invitation_for(scheduling(), meeting_id, actor(), role()), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="active-offer-{meeting_id}.ics"'})


@blueprint.get("/meetings")
def day_meetings():
    """A page of the meetings of a day (`day`, YYYY-MM-DD in Europe/London), of one `advocate` or everyone's."""
    day = request.args.get("day", "")
    try:
        validation.parse_day(day)
    except ValueError:
        raise Problem(422, "Give the day as YYYY-MM-DD.", errors={"day": ["Not a date."]}) from None
    limit, after = page_asked()
    items, following = meetings.meetings_on(scheduling(), day, request.args.get("advocate"), limit=limit,
                                            after=after)
    return page_answer([meeting_view(m) for m in items], following)


@blueprint.get("/deadlines")
def deadlines_needing_attention():
    """A page of the deadlines at risk, missed or due within the week (`state`, comma-separated; at risk and missed
    by default), of one `advocate` or everyone's."""
    states = tuple(s for s in request.args.get("state", ",".join(ATTENTION_STATES)).split(",") if s)
    if not states or any(s not in DEADLINE_VIEWS for s in states):
        raise Problem(422, "state is at_risk, missed, due_soon, or several comma-separated.",
                      errors={"state": ["Unknown state."]})
    limit, after = page_asked()
    return page_answer(*deadlines.deadlines_needing_attention(scheduling(), states, request.args.get("advocate"),
                                                              limit=limit, after=after))


@blueprint.get("/referrals/<referral_id>/deadlines")
def referral_deadlines(referral_id: str):
    case = scheduling().case(referral_id)
    if case is None:
        raise Problem(404, "No deadlines for that referral (yet).")
    return {"referral_id": referral_id, "deadlines": case.body["clocks"]}


@blueprint.get("/history")
def recall():
    """What each referral's deadlines and each meeting imply happened before a moment (shared.web.history_page)."""
    store = scheduling()

    def case_of(referral_id: str) -> dict | None:
        case = store.case(referral_id)
        return case.body if case else None

    return history_page({
        "cases": (lambda limit, after: store.in_order(CASES, limit, after), history.of_case),
        "meetings": (lambda limit, after: store.in_order(MEETINGS, limit, after),
                     lambda meeting, before: history.of_meeting(meeting, before, case_of)),
    })


@blueprint.get("/subject-access")
def subject_access_records():
    """What scheduling holds about the child's referrals (shared/subject_access): their meetings, and each
    referral's deadlines."""
    referral_ids = subject_access.asked_referral_ids()
    found = [subject_access.record("scheduling", "meeting", m, m["history"][0]["at"] if m.get("history") else None,
                                   fields=meeting_view(m), marks=[("late_reason", "staff_note")])
             for m in (d.body for d in scheduling().all_meetings({"referral_id": referral_ids}))]
    cases = (scheduling().case(referral_id) for referral_id in referral_ids)
    return {"items": found + [subject_access.record("scheduling", "deadlines", {**d.body, "id": d.id},
                                                    d.body.get("received_at"))
                              for d in cases if d is not None]}
