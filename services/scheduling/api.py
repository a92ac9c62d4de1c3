"""Scheduling's internal API: meetings (through the gateway, for advocates and managers) and deadlines."""

from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, Response, current_app, request

from shared import validation
from shared.web import ACTOR_HEADER, ROLE_HEADER, Problem, check_fields, problem_response, with_json_body

from shared.unit_of_work import UnitOfWork

from services.scheduling import deadlines, domain, meetings
from services.scheduling.clocks import NotFound
from services.scheduling.commands import ArrangeMeeting, CancelMeeting, RecordMeeting, RescheduleMeeting
from services.scheduling.store import SchedulingStore

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


@blueprint.errorhandler(NotFound)
def _not_found(exc):
    return problem_response(Problem(404, "No such referral or meeting here."))


@blueprint.errorhandler(domain.MeetingRefused)
def _refused(exc: domain.MeetingRefused):
    return problem_response(Problem(422, "The meeting cannot be arranged like that; see errors.", errors=exc.errors))


@blueprint.errorhandler(domain.DoubleBooked)
def _double_booked(exc):
    return problem_response(Problem(409, f"{exc}. Choose another time.", title="Advocate already booked"))


@blueprint.errorhandler(domain.MeetingStateForbids)
def _state(exc):
    return problem_response(Problem(409, f"Not now: {exc}."))


@blueprint.errorhandler(domain.MeetingStands)
def _stands(exc: domain.MeetingStands):
    return problem_response(Problem(409, f"Not now: {exc}.", title="Meeting already arranged",
                                    meeting_id=exc.meeting_id))


@blueprint.errorhandler(domain.NotAllocated)
def _not_allocated(exc):
    return problem_response(Problem(403, f"Not allowed: {exc}."))


def _with_body(command: Callable[[dict], Any], *required: str) -> Any:
    return with_json_body(command, *required, domain_errors=(
        domain.MeetingRefused, domain.DoubleBooked, domain.MeetingStateForbids, domain.NotAllocated,
        NotFound))


def meeting_view(meeting: dict) -> dict:
    return {k: meeting.get(k) for k in ("id", "referral_id", "advocate_email", "starts_at", "ends_at",
                                        "duration_minutes", "venue", "language", "late", "late_reason", "status",
                                        "outcome", "decline_reason", "reason_not_held", "follow_on_referral_id",
                                        "history")}


@blueprint.post("/referrals/<referral_id>/meetings")
def arrange(referral_id: str):
    meeting = _with_body(lambda b: meetings.arrange(ArrangeMeeting(referral_id, b, actor(), role()), uow()),
                         "starts_at", "duration_minutes", "venue")
    return meeting_view(meeting), 201


@blueprint.post("/meetings/<meeting_id>/reschedule")
def reschedule(meeting_id: str):
    return meeting_view(_with_body(lambda b: meetings.reschedule(
        RescheduleMeeting(meeting_id, b["starts_at"], b["reason"], actor(), role()), uow()),
                                   "starts_at", "reason"))


@blueprint.post("/meetings/<meeting_id>/cancel")
def cancel(meeting_id: str):
    return meeting_view(_with_body(lambda b: meetings.cancel(CancelMeeting(meeting_id, b["reason"], actor(), role()),
                                                             uow()),
                                   "reason"))


@blueprint.post("/meetings/<meeting_id>/record")
def record(meeting_id: str):
    return meeting_view(_with_body(lambda b: meetings.record(RecordMeeting(meeting_id, b, actor(), role()), uow()),
                                   "took_place"))


@blueprint.get("/meetings/<meeting_id>")
def read(meeting_id: str):
    return meeting_view(meetings.meeting_for(scheduling(), meeting_id))


@blueprint.get("/meetings/<meeting_id>/invitation.ics")
def invitation(meeting_id: str):
    return Response(meetings.invitation_for(scheduling(), meeting_id, actor(), role()), mimetype="text/calendar",
                    headers={"Content-Disposition": f'attachment; filename="active-offer-{meeting_id}.ics"'})


@blueprint.get("/meetings")
def day_meetings():
    """The meetings of a day (`day`, YYYY-MM-DD in Europe/London), of one `advocate` or everyone's."""
    day = request.args.get("day", "")
    try:
        validation.parse_day(day)
    except ValueError:
        raise Problem(422, "Give the day as YYYY-MM-DD.", errors={"day": ["Not a date."]}) from None
    return {"items": [meeting_view(m) for m in meetings.meetings_on(scheduling(), day,
                                                                     request.args.get("advocate"))]}


@blueprint.get("/deadlines")
def deadlines_needing_attention():
    """Deadlines at risk or missed (`state`, comma-separated; both by default), of one `advocate` or everyone's."""
    states = tuple(s for s in request.args.get("state", ",".join(domain.ATTENTION)).split(",") if s)
    if not states or any(s not in domain.ATTENTION for s in states):
        raise Problem(422, "state is at_risk, missed, or both comma-separated.", errors={"state": ["Unknown state."]})
    return {"items": deadlines.deadlines_needing_attention(scheduling(), states, request.args.get("advocate"))}


@blueprint.get("/referrals/<referral_id>/deadlines")
def referral_deadlines(referral_id: str):
    case = scheduling().case(referral_id)
    if case is None:
        raise Problem(404, "No deadlines for that referral (yet).")
    return {"referral_id": referral_id, "deadlines": case.body["clocks"]}
