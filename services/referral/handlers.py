"""The referral service's commands and event handlers, each `(command or event, uow)`: load, let the domain decide,
commit with the events (shared/unit_of_work)."""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any, Callable

from shared.clock import LONDON, new_id, now, timestamp
from shared.contracts import Event, new_event
from shared.contracts.referral import searched_reference
from shared import errors, subject_access
from shared.councils import CouncilRegister
from shared.store import Document
from shared.unit_of_work import UnitOfWork

from shared.erasure import LEGAL_HOLDS

from services.referral import domain, model, offers_again, retention
from services.referral.commands import (Allocate, Close, LiftHold, PlaceHold, ReceiveReferral, RecordContactAttempt,
                                        RecordOptOut, RecordTransition, RenewedOfferDone)
from services.referral.store import MESSAGES, OPT_OUTS, REFERRALS, TRANSITIONS, ReferralStore

NAME = "referral"


class UnknownCouncil(errors.Refused):
    detail_format = "No council has that code."

    def __init__(self, council: str):
        super().__init__({"council": [domain.UNKNOWN_COUNCIL(council=council)]})


class NotFound(errors.NotFound):
    code = "referral.not_found"
    detail_format = "No such referral."


def _today():
    return now().astimezone(LONDON).date()


def receive_referral(command: ReceiveReferral, uow: UnitOfWork, *, councils: CouncilRegister) -> dict:
    """Record a council's referral, linked to the child's earlier referrals, with `referral.received`."""
    request = command.request
    council = councils.get(request["council"])
    if council is None:
        raise UnknownCouncil(request["council"])
    received = now()
    domain.check_referral(request, received.astimezone(LONDON).date())
    referral = domain.new_referral(new_id(), request, council, timestamp(received))
    referral["earlier_referral_ids"] = [r["id"] for r in earlier_referrals(ReferralStore(uow), request, council.code)]
    uow.create(REFERRALS, referral["id"], referral, [_event("referral.received", domain.received_event_data(referral),
                                                            referral)])
    return referral


def earlier_referrals(referrals: ReferralStore, request: dict, council: str) -> list[dict]:
    born = request["child"]["date_of_birth"]
    candidates = {d.id: d.body for key in (domain.child_key(request["child"]), None)
                  for d in referrals.everything({"child.date_of_birth": born, "child_key": key})}
    if request.get("external_ref"):
        candidates.update({d.id: d.body for d in referrals.everything(
            {"council": council, "external_ref": request["external_ref"]})})
    return [body for _, body in sorted(candidates.items()) if domain.same_child(body, request, council)]


def _change(uow: UnitOfWork, referral_id: str, decide: Callable[[dict], dict | None],
            events: Callable[[dict], list[Event]]) -> dict | None:
    """The referral as `decide` changes it, committed with the `events` of the change."""
    def decision(referral: dict):
        changed = decide(referral)
        return None if changed is None else (changed, events(changed))

    return uow.change(REFERRALS, referral_id, decision, missing=lambda: NotFound(referral_id))


def _event(event_type: str, data: dict, referral: dict, cause: Event | None = None) -> Event:
    if cause is not None:
        return cause.follow(event_type, data, producer=NAME, subject=f"referral:{referral['id']}")
    return new_event(event_type, data, producer=NAME, subject=f"referral:{referral['id']}")


# commands from the gateway


def allocate(command: Allocate, uow: UnitOfWork) -> dict:
    at = timestamp()
    return _change(uow, command.referral_id, lambda r: domain.allocate(r, command.advocate_email, at, command.by),
                   lambda r: [_event("referral.allocated",
                                     domain.allocated_event_data(r, command.advocate_email, at), r)])


def _allocated(by: str, role: str | None, step: Callable[[dict], dict]) -> Callable[[dict], dict]:
    """The step, taken only by the advocate the referral is allocated to or a manager (after its status rules)."""
    def decide(referral: dict) -> dict:
        changed = step(referral)
        domain.check_allocated(referral, by, role)
        return changed

    return decide


def record_contact_attempt(command: RecordContactAttempt, uow: UnitOfWork) -> dict:
    at = timestamp()
    return _change(
        uow, command.referral_id,
        _allocated(command.by, command.role, lambda r: domain.record_contact_attempt(
            r, command.method, command.result, command.note, at, command.by, command.attempted_at)),
        lambda r: [_event("contact.attempted", domain.contact_attempt_event_data(r, r["contact_attempts"][-1]), r)])


def close(command: Close, uow: UnitOfWork) -> dict:
    at = timestamp()
    return _change(uow, command.referral_id,
                   _allocated(command.by, command.role, lambda r: domain.close(r, command.reason, at, command.by)),
                   lambda r: [_event("referral.closed", domain.closed_event_data(r), r)])


def record_opt_out(command: RecordOptOut, uow: UnitOfWork, *, councils: CouncilRegister) -> dict:
    request = command.request
    council = councils.get(request["council"])
    if council is None:
        raise UnknownCouncil(request["council"])
    domain.check_opt_out(request, _today())
    opt_out = {"id": new_id(), "council": council.code, "region": council.region, "basis": request["basis"],
               "date_of_birth": request["date_of_birth"], **domain.opt_out_reason(request),
               "offered_at": request["offered_at"], "external_ref": request.get("external_ref"),
               "recorded_at": timestamp()}
    event = new_event("optout.recorded", domain.opt_out_event_data(opt_out), producer=NAME,
                      subject=f"optout:{opt_out['id']}")
    uow.create(OPT_OUTS, opt_out["id"], opt_out, [event])
    return opt_out


# events


def acknowledge_referral(event: Event, uow: UnitOfWork) -> None:
    """On `referral.received`: acknowledge the referral and say so (`referral.acknowledged`), once."""
    at = timestamp()
    _change(uow, event.data["referral_id"], lambda r: domain.acknowledge(r, at),
            lambda r: [_event("referral.acknowledged", domain.acknowledged_event_data(r), r, event)])


def record_deadlines(event: Event, uow: UnitOfWork) -> None:
    deadlines = event.data["deadlines"]
    _change(uow, event.data["referral_id"],
            lambda r: None if r.get("deadlines") == deadlines else {**r, "deadlines": deadlines}, lambda r: [])


_MEETING_RULES: dict[str, Callable[[dict, dict, str], dict | None]] = {
    "meeting.arranged": domain.meeting_arranged,
    "meeting.rescheduled": domain.meeting_rescheduled,
    "meeting.cancelled": domain.meeting_cancelled,
    "meeting.took_place": domain.meeting_held,
    "meeting.not_held": domain.meeting_not_held,
}


def follow_meeting(event: Event, uow: UnitOfWork) -> None:
    """Keep the referral's view of its meeting as scheduling reports it."""
    rule, at = _MEETING_RULES[event.type], timestamp()
    _change(uow, event.data["referral_id"], lambda r: rule(r, event.data, at), lambda r: [])


def complete_active_offer(event: Event, uow: UnitOfWork) -> None:
    """On the meeting's outcome: close the Active Offer referral; on take-up, open the issue-based one first (once,
    however often the event comes)."""
    referrals, at = ReferralStore(uow), timestamp()
    follow_on_id = event.data.get("follow_on_referral_id")
    if event.data["outcome"] == "take_up" and follow_on_id and referrals.get(follow_on_id) is None:
        current = referrals.get(event.data["referral_id"])
        if current is None:
            raise NotFound(event.data["referral_id"])
        follow_on = domain.follow_on_referral(current.body, follow_on_id, domain.consent_after_meeting(event.data),
                                              at, advocate_email=event.data.get("advocate_email"),
                                              wants_help_with=event.data.get("wants_help_with"))
        said = [_event("referral.received", domain.received_event_data(follow_on), follow_on, event)]
        if follow_on.get("advocate_email"):
            said.append(_event("referral.allocated",
                               domain.allocated_event_data(follow_on, follow_on["advocate_email"], at), follow_on,
                               event))
        uow.create(REFERRALS, follow_on_id, follow_on, said, last=False)
    _change(uow, event.data["referral_id"], lambda r: domain.complete(r, event.data, at),
            lambda r: [_event("referral.closed", domain.closed_event_data(r), r, event)])


def close_with_case(event: Event, uow: UnitOfWork) -> None:
    """On `case.closed`: the issue-based referral the case was opened from closes with it (once, however often the
    event comes), and says so (`referral.closed`)."""
    _change(uow, event.data["referral_id"], lambda r: domain.case_closed(r, event.data, event.data["closed_at"]),
            lambda r: [_event("referral.closed", domain.closed_event_data(r), r, event)])


# reads


def visible_referral(referrals: ReferralStore, referral_id: str, council: str | None) -> dict | None:
    """The referral if the caller may see it: a council sees only its own (another's is as if absent)."""
    document = referrals.get(referral_id)
    if document is None:
        return None
    if council is not None and (document.body["council"] != council or not domain.council_may_see(document.body)):
        return None
    return document.body


def _cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def _after(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise ValueError("cursor") from None


def search_referrals(referrals: ReferralStore, searching: str, *, limit: int = 50,
                     cursor: str | None = None) -> tuple[list[dict], str | None]:
    """Staff searching by a child's name or a reference: the referrals whose child's whole name (either way round),
    given name or family name is `searching` (folded: model.folded), whose names each word searched starts
    (model.name_matches: "Cer", "Jones Ceri"), whose council's reference it is in any case, whose reference it is
    as people quote it (however they typed it), or whose id starts with it; oldest first, a page at a time. Each is an indexed read; their pages are merged in id order."""
    after, key = _after(cursor), model.name_key(searching)
    wheres = [{f"name_keys.{part}": key} for part in model.NAME_PARTS] + [{"external_ref": searching.strip()}]
    if model.reference_key(searching):
        wheres.append({"external_ref_key": model.reference_key(searching)})
    if searched_reference(searching):
        wheres.append({"reference": searched_reference(searching)})
    found = {d.id: d for where in wheres for d in referrals.page(where, limit=limit + 1, after=after)}
    found.update({d.id: d for d in _names_starting(referrals, searching, limit + 1, after)})
    prefix = searching.strip().lower()
    if domain.REFERENCE.match(prefix):
        found.update({d.id: d for d in referrals.by_id_from(max(prefix, after or ""), limit + 1)
                      if d.id.startswith(prefix) and d.id > (after or "")})
    items = [found[i].body for i in sorted(found)][:limit + 1]
    if len(items) > limit:
        return items[:limit], _cursor(items[limit - 1]["id"])
    return items, None


def _names_starting(referrals: ReferralStore, searching: str, wanted: int, after: str | None) -> list[Document]:
    """The first `wanted` referrals after `after` whose child's name each word searched starts: found by the start
    of the longest word (model.name_starts, indexed) and kept when the whole search matches (model.name_matches)."""
    words = sorted(model.folded(searching).split(), key=len, reverse=True)
    if not words or len(words[0]) < model.STARTS:
        return []
    start = model.name_key(words[0][:model.STARTS])
    found: dict[str, Document] = {}
    for part in model.NAME_STARTS:
        kept: list[Document] = []
        following = after
        while len(kept) < wanted:
            page = referrals.page({f"name_starts.{part}": start}, limit=wanted, after=following)
            kept += [d for d in page if model.name_matches(d.body["child"], searching)]
            if len(page) < wanted:
                break
            following = page[-1].id
        found.update({d.id: d for d in kept[:wanted]})
    return [found[i] for i in sorted(found)][:wanted]


def read_several(referrals: ReferralStore, referral_ids: list[str]) -> list[dict]:
    """Several referrals at once (a list naming each child), in one indexed read."""
    return [d.body for d in referrals.page({"id": list(dict.fromkeys(referral_ids))}, limit=len(referral_ids),
                                           after=None)] if referral_ids else []


def list_referrals(referrals: ReferralStore, where: dict[str, Any], *, updated_since: datetime | None = None,
                   limit: int = 50, cursor: str | None = None,
                   for_council: bool = False) -> tuple[list[dict], str | None]:
    """A page of referrals matching `where`, oldest first, and the cursor of the next page (None at the end).

    For a council, referrals it may not see are skipped as if absent: a next page is promised only when a referral
    it may see follows, so neither `next` nor an empty page betrays one it may not.
    """
    after, items = _after(cursor), []
    while len(items) <= limit:
        page: list[Document] = referrals.page(where, limit=limit + 1, after=after)
        if not page:
            break
        for document in page:
            after = document.id
            if updated_since and datetime.fromisoformat(document.body["updated_at"]) < updated_since:
                continue
            if for_council and not domain.council_may_see(document.body):
                continue
            items.append(document.body)
            if len(items) > limit:
                break
        if len(page) <= limit:
            break  # the store has no more
    if len(items) > limit:
        return items[:limit], _cursor(items[limit - 1]["id"])
    return items, None


# offered again at the key points of a child's care (offers_again.py)


class TransitionNotFound(errors.NotFound):
    code = "transition.not_found"
    detail_format = "No such transition."


class ChildNotFound(errors.NotFound):
    code = "transition.child_not_found"
    detail_format = "No referral or opt-out of yours has that reference."


def _child_records(referrals: ReferralStore, council: str, name: str, value: str) -> tuple[list, list, list]:
    """The referrals and opt-outs of the child a council names (by one of its referrals, one of its opt-outs, or
    its own reference): the ones named, then every referral and opt-out of the same child. A reference that is not
    the council's own finds nothing, as if absent."""
    if name == "referral_id":
        named = [d.body for d in [referrals.get(value)] if d is not None and d.body["council"] == council
                 and domain.council_may_see(d.body)]
    elif name == "optout_id":
        named = [d.body for d in [referrals.store.get(OPT_OUTS, value)] if d is not None
                 and d.body["council"] == council]
    else:
        named = [d.body for collection in (REFERRALS, OPT_OUTS)
                 for d in referrals.everything({"council": council, "external_ref": value}, collection)]
    if not named:
        raise ChildNotFound(value)
    found: dict[str, dict] = {}
    for record in named:
        found[record["id"]] = record
        if record.get("child"):
            for earlier in earlier_referrals(referrals, record, council):
                found[earlier["id"]] = earlier
        if record.get("external_ref"):
            for collection in (REFERRALS, OPT_OUTS):
                found.update({d.id: d.body for d in referrals.everything(
                    {"council": council, "external_ref": record["external_ref"]}, collection)})
    records = [found[i] for i in sorted(found) if found[i]["council"] == council]  # another council's is not its
    return named, [r for r in records if "child" in r], [r for r in records if "child" not in r]


def record_transition(command: RecordTransition, uow: UnitOfWork, *, councils: CouncilRegister) -> dict:
    """A council tells of a review, a placement move or leaving-care planning: recorded with `transition.recorded`,
    bringing a renewed offer when the child's latest Active Offer ended opted out, declined or reflecting."""
    request = command.request
    council = councils.get(request["council"])
    if council is None:
        raise UnknownCouncil(request["council"])
    offers_again.check_transition(request, _today())
    named, referrals, opt_outs = _child_records(ReferralStore(uow), council.code, *offers_again.reference(request))
    offers_again.check_not_before(request["happened_on"], named)
    transition = offers_again.new_transition(new_id(), request, council, referrals, opt_outs, timestamp(),
                                             command.by, domain.council_may_see)
    uow.create(TRANSITIONS, transition["id"], transition, [new_event(
        "transition.recorded", offers_again.recorded_event_data(transition), producer=NAME,
        subject=f"transition:{transition['id']}")])
    return transition


def renewed_offer_done(command: RenewedOfferDone, uow: UnitOfWork) -> dict:
    """The manager marks a renewed offer done with what came of it (`renewed_offer.done`)."""
    at = timestamp()

    def decide(transition: dict):
        done = offers_again.renewed_offer_done(transition, command.result, at, command.by)
        return done, [new_event("renewed_offer.done", offers_again.done_event_data(done), producer=NAME,
                                subject=f"transition:{done['id']}")]

    return uow.change(TRANSITIONS, command.transition_id, decide,
                      missing=lambda: TransitionNotFound(command.transition_id))


def visible_transition(referrals: ReferralStore, transition_id: str, council: str | None) -> dict | None:
    """The transition if the caller may see it: a council only its own."""
    document = referrals.store.get(TRANSITIONS, transition_id)
    if document is None or (council is not None and document.body["council"] != council):
        return None
    return document.body


def list_transitions(referrals: ReferralStore, where: dict[str, Any], *, limit: int = 50,
                     cursor: str | None = None) -> tuple[list[dict], str | None]:
    """A page of transitions matching `where` (a council's, or those whose renewed offer is to do), oldest first."""
    page = referrals.store.find(TRANSITIONS, where or None, limit=limit + 1, after=_after(cursor))
    items = [d.body for d in page]
    if len(items) > limit:
        return items[:limit], _cursor(items[limit - 1]["id"])
    return items, None


# subject access: everything held about one child (shared/subject_access)


class ChildUnknown(errors.NotFound):
    code = "subject_access.child_not_found"
    detail_format = "No referral is of that child."


SEARCH_KEYS = ("child_key", "name_keys", "name_starts", "external_ref_key")
"""What a referral is found by (digests of what it says): no part of what it holds about the child."""
REFERRAL_MARKS = (("referrer", "third_party"), ("child.contact.carer_name", "third_party"),
                  ("child.contact.carer_phone", "third_party"), ("child.contact.carer_email", "third_party"),
                  ("risks", "third_party"))
"""What of a referral a manager considers for redaction: the referrer's and the carer's details, and the risks the
referrer told of (about others as often as the child)."""


def childs_referrals(referrals: ReferralStore, *, referral_id: str | None = None, child: dict | None = None,
                     council: str | None = None, external_ref: str | None = None) -> list[str]:
    """The ids of every referral of the child named by one of their referrals (its id, or the reference people
    quote however it was typed), by their name and date of birth, or by a council's reference: those named, the
    same child's earlier and later ones (model.child_key, or the council's reference), and those linked to them (a
    take-up's follow-on and what it followed). ChildUnknown when none is."""
    if referral_id is not None:
        quoted = searched_reference(referral_id)
        named = [d.body for d in [referrals.get(referral_id.lower())] if d is not None] or (
            [d.body for d in referrals.everything({"reference": quoted})] if quoted else [])
    elif child is not None:
        named = [d.body for d in referrals.everything({"child.date_of_birth": child["date_of_birth"],
                                                       "child_key": domain.child_key(child)})]
    else:
        named = [d.body for d in referrals.everything({"council": council, "external_ref": external_ref})]
    if not named:
        raise ChildUnknown(referral_id or external_ref or "")
    found: dict[str, dict] = {}
    waiting = list(named)
    while waiting and len(found) < subject_access.MOST_REFERRALS:
        referral = waiting.pop()
        if referral["id"] in found:
            continue
        found[referral["id"]] = referral
        if not referral.get("erased_on"):  # an erased referral names nobody to look for: its links still hold
            waiting += earlier_referrals(referrals, referral, referral["council"])
        linked = [referral.get("follow_on_referral_id"), referral.get("follow_on_of"),
                  *referral.get("earlier_referral_ids", [])]
        waiting += [d.body for i in linked if i and i not in found for d in [referrals.get(i)] if d is not None]
    return sorted(found)


def subject_access_records(referrals: ReferralStore, referral_ids: list[str]) -> list[dict]:
    """What the service holds about the child's referrals: each referral, the opt-outs and transitions of the same
    council's reference (or naming the referral), and the service messages that became one of them."""
    bodies = read_several(referrals, referral_ids)
    items = [subject_access.record(
        NAME, "referral", r, r["received_at"], fields={k: v for k, v in r.items() if k not in SEARCH_KEYS},
        marks=(*REFERRAL_MARKS, *subject_access.list_marks(r, "contact_attempts", "note", "staff_note")))
        for r in bodies]
    references = [{"council": r["council"], "external_ref": r["external_ref"]} for r in bodies if r.get("external_ref")]
    opt_outs = {d.id: d.body for where in references for d in referrals.everything(where, OPT_OUTS)}
    items += [subject_access.record(NAME, "opt_out", o, o.get("recorded_at"),
                                    marks=[("reason_note", "staff_note")]) for _, o in sorted(opt_outs.items())]
    transitions = {d.id: d.body for where in [*references, {"referral_id": referral_ids}]
                   for d in referrals.everything(where, TRANSITIONS)}
    items += [subject_access.record(NAME, "transition", t, t.get("recorded_at"))
              for _, t in sorted(transitions.items())]
    items += [subject_access.record(NAME, "service_message", d.body, d.body.get("received_at"),
                                    marks=[("note", "staff_note")])
              for d in referrals.everything({"referral_id": referral_ids}, MESSAGES)]
    return items


# legal holds (services/referral/retention.py)

def place_hold(command: PlaceHold, uow: UnitOfWork) -> dict:
    """Hold the referral and those linked to it out of erasure, telling the other services; a hold in place
    already stands as it is."""
    referral = _read(uow, command.referral_id)
    at = timestamp()
    return _hold(uow, command.referral_id,
                 lambda hold: retention.place_hold(hold, referral, command.reason_code, command.by, command.role, at))


def lift_hold(command: LiftHold, uow: UnitOfWork) -> dict:
    _read(uow, command.referral_id)
    at = timestamp()
    return _hold(uow, command.referral_id, lambda hold: retention.lift_hold(hold, command.by, command.role, at))


def legal_hold(referrals: ReferralStore, referral_id: str) -> dict:
    """The referral's hold as staff read it (NotFound for no such referral)."""
    _read(referrals.store, referral_id)  # type: ignore[arg-type]
    hold = referrals.store.get(LEGAL_HOLDS, referral_id)
    return retention.hold_view(hold.body if hold else {}, referral_id)


def _read(reader, referral_id: str) -> dict:
    document = reader.get(REFERRALS, referral_id)
    if document is None:
        raise NotFound(referral_id)
    return document.body


def _hold(uow: UnitOfWork, referral_id: str, decide: Callable[[dict], dict | None]) -> dict:
    def decision(hold: dict):
        changed = decide(hold)
        if changed is None:
            return None
        kind = "legal_hold.placed" if changed["held"] else "legal_hold.lifted"
        return changed, [new_event(kind, retention.hold_event_data(changed), producer=NAME,
                                   subject=f"referral:{referral_id}")]

    return retention.hold_view(uow.change(LEGAL_HOLDS, referral_id, decision, initial={}), referral_id)
