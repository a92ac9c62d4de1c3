"""The complaints service's internal API, called by the gateway: the public form (no role) may only make a complaint;
reading and handling them is for the provider's managers."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from shared import erasure, subject_access, validation
from shared.idempotency import once_per_key
from shared.unit_of_work import UnitOfWork
from shared.web import (ACTOR_HEADER, ROLE_HEADER, Problem, caller_council, check_fields,
                        command_from_body, history_page, json_body, page_answer, page_asked, settings)

from services.complaints import domain, handlers, history, model
from services.complaints.commands import AskForReview, ChangeComplaint, ReceiveComplaint
from services.complaints.store import RETAINED, ComplaintsStore

blueprint = Blueprint("complaints", __name__)
HANDLERS_ROLE = "manager"


def uow() -> UnitOfWork:
    return UnitOfWork(current_app.extensions["llais.store"])


def complaints() -> ComplaintsStore:
    return ComplaintsStore(current_app.extensions["llais.store"])


def actor() -> str:
    return request.headers.get(ACTOR_HEADER) or "unknown"


@blueprint.before_request
def _who_may():
    if caller_council() is not None:
        raise Problem(403, "Complaints about the advocacy service are not shared with councils.")
    public = (request.method == "POST" and request.path == "/complaints") or request.path.startswith("/followed/")
    if not public and request.headers.get(ROLE_HEADER) != HANDLERS_ROLE and request.path.startswith("/complaints"):
        raise Problem(403, "Complaints are handled by the provider's managers.")


check_fields(blueprint, {"name": validation.person_name})


@blueprint.post("/complaints")
@once_per_key(lambda complaint: (complaint, 201))
def receive():
    councils = current_app.extensions["llais.councils"]
    command = command_from_body(lambda body: ReceiveComplaint(body, actor()))
    return answered(handlers.receive(command, uow(), councils=councils))


@blueprint.get("/followed/<key>")
def follow(key: str):
    """The complainant's own view, by the private key they were given when they made it."""
    return handlers.followed_progress(uow(), key)


@blueprint.post("/followed/<key>/review")
def ask_for_review(key: str):
    """The complainant asks, by their private key, for the answer to be looked at again."""
    return handlers.ask_for_review(command_from_body(lambda body: AskForReview(key, str(body["reason"])), "reason"),
                                   uow())


@blueprint.get("/complaints")
def index():
    where = {k: request.args[k] for k in ("status", "kind") if request.args.get(k)}
    limit, after = page_asked()
    items, following = complaints().complaint_page(where, limit, after)
    return page_answer([domain.summary(complaint) for complaint in items], following)


@blueprint.get("/complaints/<complaint_id>")
def read(complaint_id: str):
    document = complaints().complaint(complaint_id)
    if document is None:
        raise handlers.NotFound(complaint_id)
    return answered(document.body)


STEPS = {"acknowledge": handlers.acknowledge, "respond": handlers.respond, "escalate": handlers.escalate,
         "close": handlers.close, "withdraw": handlers.withdraw}


@blueprint.post("/complaints/<complaint_id>/<step>")
def take_step(complaint_id: str, step: str):
    if step not in STEPS:
        raise Problem(404, "No such step.")
    return answered(STEPS[step](command_from_body(lambda body: ChangeComplaint(complaint_id, body, actor())),
                                uow()))


def answered(complaint: dict) -> dict:
    """A complaint as a command's answer and a read alike give it: with the day it falls due for erasure, which the
    store sets as it writes (a closed complaint's, a compliment's), and without the digest of the complainant's name
    that only a subject access export finds it by."""
    kept = erasure.stamped(complaint, RETAINED[0], settings().retention)
    return {field: value for field, value in kept.items() if field != "name_key"}


@blueprint.get("/history")
def recall():
    """What each complaint and compliment implies happened before a moment (shared.web.history_page)."""
    return history_page({"complaints": (complaints().in_order, history.of_complaint)})


@blueprint.post("/subject-access")
def subject_access_records():
    """The complaints a child made themselves (shared/subject_access). A complaint names no referral: it is found by
    the child's name (`child`: given and family name, in the body so no name is in an address), either way round,
    and marked as matched by name for the manager to confirm it is theirs."""
    subject_access.asked_by_a_manager()
    body = json_body()
    child = body.get("child") if isinstance(body, dict) and isinstance(body.get("child"), dict) else {}
    given, family = (child.get(k) if isinstance(child.get(k), str) else "" for k in ("given_name", "family_name"))
    if not given.strip() or not family.strip():
        raise Problem(422, "Name the child.", errors={"child": ["Give the child's given and family names."]})
    keys = [key for key in {model.name_key(f"{given} {family}"), model.name_key(f"{family} {given}")} if key]
    return {"items": [subject_access.record(
        "complaints", "complaint", d.body, d.body["received_at"], matched="name",
        fields={k: v for k, v in d.body.items() if k not in ("tracking_digest", "name_key")},
        marks=[] if d.body["made_by"] == "child" else [("name", "third_party"), ("contact", "third_party")])
        for d in complaints().complaints({"name_key": keys})]}
