"""Messages: each contact from a child or on their behalf that is not (yet) a referral, as staff record it (an
answer-phone message, a call, a text, an email, a web message, someone walking in); who answered it and when; and
the referral it became. The rules, then the handlers (load, decide, commit with the events).

The note is the provider's alone: it is never in an event, and councils never read messages."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Callable

from shared.clock import new_id, timestamp
from shared.contracts import Event, new_event
from shared.contracts.messages import CHANNELS, FROM
from shared.contracts.referral import LANGUAGES
from shared.councils import CouncilRegister
from shared.errors import NotFound, Refused, Rule, StateForbids
from shared.store import Position, find_page
from shared.unit_of_work import UnitOfWork
from shared import validation

from services.referral.store import MESSAGES, REFERRALS

NOTE_LONGEST = 1000
WHO_LONGEST = 200
NATION = "wales"
"""The nation whose bank holidays count for a message that names no council."""
CLOCK_STATES = ("pending", "at_risk", "missed", "met")
"""Where a message's response clock is: running, at risk, missed, or met by the answer."""
ATTENTION_FIRST = {"missed": 0, "at_risk": 1, "pending": 2, None: 2, "met": 3}

ONE_OF = Rule("message.one_of", "Choose one of: {choices}.")
UNKNOWN_COUNCIL = Rule("message.unknown_council", "No council has the code {council}.")
TOO_LONG = Rule("message.too_long", "At most {longest} characters.")
BEFORE_IT_CAME = Rule("message.before_it_came", "Not before the message came ({received_at}).")
NO_SUCH_REFERRAL = Rule("message.no_such_referral", "No referral has this id.")
ANSWERED = Rule("message.answered", "the message was answered at {answered_at}")
LINKED = Rule("message.linked", "the message became referral {referral_id} already")


class MessageNotFound(NotFound):
    code = "message.not_found"
    detail_format = "No such message."


class MessageRefused(Refused):
    detail_format = "The message cannot be recorded like that; see errors."


class MessageStateForbids(StateForbids):
    code = "message.state_forbids"


# the rules

def _choice(body: dict, field: str, choices: tuple[str, ...], errors: dict) -> None:
    if body.get(field) not in choices:
        errors[field] = [ONE_OF(choices=", ".join(choices))]


def _moment(body: dict, field: str, errors: dict, *, not_before: str | None = None) -> None:
    problem = validation.moment_problem(body.get(field), past=True)
    if problem:
        errors[field] = [problem]
    elif not_before is not None and datetime.fromisoformat(body[field]) < datetime.fromisoformat(not_before):
        errors[field] = [BEFORE_IT_CAME(received_at=not_before)]


def _text(body: dict, field: str, longest: int, errors: dict, *, one_line: bool = False) -> None:
    value = body.get(field)
    if value in (None, ""):
        return
    problem = "Must be text." if not isinstance(value, str) else (
        validation.line_problem(value) if one_line else validation.text_problem(value))
    if problem:
        errors[field] = [problem]
    elif len(value) > longest:
        errors[field] = [TOO_LONG(longest=longest)]


def check_message(body: dict, councils: CouncilRegister) -> None:
    """A message as staff record it: how it came, who from, in which language, when (not in the future), the council
    it concerns if known, and a short note; a MessageRefused naming every field to fix otherwise."""
    errors: dict[str, list] = {}
    _choice(body, "channel", CHANNELS, errors)
    _choice(body, "from_whom", FROM, errors)
    _choice(body, "language", LANGUAGES, errors)
    _moment(body, "received_at", errors)
    if body.get("council") not in (None, "") and councils.get(body["council"]) is None:
        errors["council"] = [UNKNOWN_COUNCIL(council=body["council"])]
    _text(body, "note", NOTE_LONGEST, errors)
    if errors:
        raise MessageRefused(errors)


def new_message(message_id: str, body: dict, council: Any, by: str, at: str) -> dict:
    return {"id": message_id, "channel": body["channel"], "from_whom": body["from_whom"],
            "language": body["language"], "received_at": body["received_at"],
            "council": council.code if council else None, "region": council.region if council else None,
            "nation": council.nation if council else NATION, "note": body.get("note") or "",
            "recorded_by": by, "recorded_at": at, "out_of_hours": None, "respond_by": None, "clock_state": None,
            "awaiting": True, "answered_by": None, "answered_at": None, "referral_id": None,
            "timeline": [{"at": at, "what": "recorded", "by": by}]}


def answer(message: dict, body: dict, by: str, at: str) -> dict:
    """Who answered the message and when: not before it came, not in the future; once."""
    if message["answered_at"]:
        raise MessageStateForbids(ANSWERED(answered_at=message["answered_at"]))
    errors: dict[str, list] = {}
    _moment(body, "answered_at", errors, not_before=message["received_at"])
    _text(body, "answered_by", WHO_LONGEST, errors, one_line=True)
    if errors:
        raise MessageRefused(errors)
    answered_by = body.get("answered_by") or by
    return {**message, "awaiting": False, "answered_by": answered_by, "answered_at": body["answered_at"],
            "clock_state": "met" if message["clock_state"] != "missed" else "missed",
            "timeline": [*message["timeline"], {"at": at, "what": "answered", "by": by}]}


def link(message: dict, referral_id: str, by: str, at: str) -> dict:
    """The referral the message became; once."""
    if message["referral_id"]:
        raise MessageStateForbids(LINKED(referral_id=message["referral_id"]))
    return {**message, "referral_id": referral_id,
            "timeline": [*message["timeline"], {"at": at, "what": "became referral", "by": by,
                                                "detail": {"referral_id": referral_id}}]}


def came_from(referral: dict, message_id: str, by: str, at: str) -> dict:
    """The referral's history says it came from the message."""
    return {**referral, "from_message_id": message_id, "updated_at": at,
            "timeline": [*referral["timeline"], {"at": at, "what": "came from message", "by": by,
                                                 "detail": {"message_id": message_id}}]}


def scheduled(message: dict, data: dict) -> dict | None:
    if message["respond_by"] is not None:
        return None
    return {**message, "out_of_hours": data["out_of_hours"], "respond_by": data["respond_by"],
            "clock_state": message["clock_state"] or "pending"}


def deadline(message: dict, state: str) -> dict | None:
    if message["clock_state"] in ("met", state) or (state == "at_risk" and message["clock_state"] == "missed"):
        return None
    return {**message, "clock_state": state}


def attention_order(message: dict) -> tuple:
    """Missed first, then at risk, then the rest, each oldest first."""
    return ATTENTION_FIRST.get(message.get("clock_state"), 2), message["received_at"]


def received_event_data(message: dict) -> dict:
    return {key: message[key] for key in ("channel", "from_whom", "language", "council", "region", "nation",
                                          "received_at")} | {"message_id": message["id"]}


# the handlers

def _event(event_type: str, data: dict, message_id: str, cause: Event | None = None) -> Event:
    if cause is not None:
        return cause.follow(event_type, data, producer="referral", subject=f"message:{message_id}")
    return new_event(event_type, data, producer="referral", subject=f"message:{message_id}")


def record(body: dict, by: str, uow: UnitOfWork, *, councils: CouncilRegister) -> dict:
    check_message(body, councils)
    message = new_message(new_id(), body, councils.get(body["council"]) if body.get("council") else None, by,
                          timestamp())
    uow.create(MESSAGES, message["id"], message, [_event("message.received", received_event_data(message),
                                                         message["id"])])
    return message


def _change(uow: UnitOfWork, message_id: str, decide: Callable[[dict], dict | None],
            events: Callable[[dict], list[Event]] = lambda m: []) -> dict | None:
    def decision(message: dict):
        changed = decide(message)
        return None if changed is None else (changed, events(changed))

    return uow.change(MESSAGES, message_id, decision, missing=lambda: MessageNotFound(message_id))


def record_answer(message_id: str, body: dict, by: str, uow: UnitOfWork) -> dict:
    return _change(uow, message_id, lambda m: answer(m, body, by, timestamp()), lambda m: [_event(
        "message.answered", {"message_id": m["id"], "council": m["council"], "answered_at": m["answered_at"]},
        m["id"])])


def became_referral(message_id: str, referral_id: str, by: str, uow: UnitOfWork) -> dict:
    """Link the message to the referral it became, and say so in the referral's history."""
    message = read(uow, message_id)
    if message["referral_id"]:
        raise MessageStateForbids(LINKED(referral_id=message["referral_id"]))
    if not isinstance(referral_id, str) or uow.get(REFERRALS, referral_id) is None:
        raise MessageRefused({"referral_id": [NO_SUCH_REFERRAL()]})
    at = timestamp()
    uow.change(REFERRALS, referral_id, lambda r: None if r.get("from_message_id") == message_id else (
        came_from(r, message_id, by, at), []), last=False)
    return _change(uow, message_id, lambda m: link(m, referral_id, by, at), lambda m: [_event(
        "message.became_referral", {"message_id": m["id"], "referral_id": referral_id}, m["id"])])


def read(store: Any, message_id: str) -> dict:
    document = store.get(MESSAGES, message_id)
    if document is None:
        raise MessageNotFound(message_id)
    return document.body


def page(store: Any, where: dict, limit: int, after: Position | None) -> tuple[list[dict], Position | None]:
    return find_page(store, MESSAGES, where, limit=limit, after=after)


def follow_schedule(event: Event, uow: UnitOfWork) -> None:
    """On `message.response_scheduled`: the message shows when its answer is due and whether it came out of hours."""
    _change(uow, event.data["message_id"], lambda m: scheduled(m, event.data))


def follow_deadline(state: str) -> Callable[[Event, UnitOfWork], None]:
    def handler(event: Event, uow: UnitOfWork) -> None:
        _change(uow, event.data["message_id"], lambda m: deadline(m, state))

    handler.__name__ = f"message_{state}"
    return handler


def summary(message: dict) -> dict:
    """A message as staff lists show it: without its note."""
    return {key: value for key, value in message.items() if key not in ("note", "timeline")}
