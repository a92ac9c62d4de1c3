"""Casework's internal API, called by the gateway (which checked the caller and the body's shape; the caller's
identity and role come in the X-Llais-* headers). Cases are for provider staff only: a council's call is refused."""

from __future__ import annotations

from typing import Callable

from flask import Blueprint, current_app, request

from shared import subject_access, validation
from shared.idempotency import once_per_key
from shared.contracts.casework import CASE_STATUSES
from shared.contracts.referral import LANGUAGES
from shared.unit_of_work import UnitOfWork
from shared.web import (ACTOR_HEADER, ROLE_HEADER, Problem, caller_council, check_fields,
                        command_from_body, history_page, page_answer, page_asked)

from services.casework import domain, handlers, history
from services.casework.commands import ChangeCase, OpenCase
from services.casework.store import CaseworkStore

blueprint = Blueprint("casework", __name__)


def uow() -> UnitOfWork:
    return UnitOfWork(current_app.extensions["llais.store"])


def casework() -> CaseworkStore:
    return CaseworkStore(current_app.extensions["llais.store"])


def actor() -> str:
    return request.headers.get(ACTOR_HEADER) or "unknown"


def role() -> str | None:
    return request.headers.get(ROLE_HEADER)


@blueprint.before_request
def _staff_only():
    if request.path.startswith("/cases") and (caller_council() is not None or role() not in ("advocate", "manager")):
        raise Problem(403, "Cases are for the provider's advocates and managers only.")


check_fields(blueprint, {"happened_at": validation.past_moment, "disclosed_at": validation.past_moment,
                         "child_told_at": validation.past_moment, "decided_by": validation.one_line,
                         "disclosed_to": validation.one_line})


def _change(case_id: str, handler: Callable[[ChangeCase, UnitOfWork], dict], *required: str,
            part_id: str | None = None):
    return handler(command_from_body(lambda body: ChangeCase(case_id, body, actor(), role(), part_id), *required), uow())


def created(case: dict) -> tuple[dict, int]:
    return case, 201


@blueprint.post("/cases")
@once_per_key(created)
def open_case():
    command = command_from_body(lambda body: OpenCase(body["referral_id"], body.get("consents_to_case_file"), actor(),
                                                      role()), "referral_id")
    return handlers.open_case(command, uow())


@blueprint.get("/cases")
def cases():
    where = {"status": request.args["status"]} if request.args.get("status") in CASE_STATUSES else {}
    if role() == domain.MANAGER and request.args.get("change") == "waiting":
        where = {"change_waiting": True}  # the children's requests for a different advocate, for a decision
    elif role() != domain.MANAGER:
        where["advocate_email"] = actor()
    elif request.args.get("advocate"):
        where["advocate_email"] = request.args["advocate"]
    limit, after = page_asked()
    items, following = casework().case_page(where, limit, after)
    return page_answer([domain.summary(case) for case in items], following)


@blueprint.get("/caseloads")
def caseloads():
    """Each advocate's open cases, for a manager allocating."""
    if role() != domain.MANAGER:
        raise Problem(403, "Caseloads are read by the provider's managers.")
    return {"open_cases": domain.caseloads(casework().open_cases())}


@blueprint.get("/cases/<case_id>")
def read(case_id: str):
    return handlers.visible_case(casework(), case_id, actor(), role())


@blueprint.get("/cases/<case_id>/record")
def child_record(case_id: str):
    """What the child's own record shows them, and the language to show it in: theirs, or `language`."""
    case = handlers.visible_case(casework(), case_id, actor(), role())
    language = request.args.get("language") if request.args.get("language") in LANGUAGES else case["language"]
    return {**domain.child_record(case), "language": language}


@blueprint.post("/cases/<case_id>/plan")
def plan(case_id: str):
    return _change(case_id, handlers.agree_plan, "text")


@blueprint.post("/cases/<case_id>/issues")
@once_per_key(created)
def issues(case_id: str):
    return _change(case_id, handlers.raise_issue, "theme", "description")


@blueprint.post("/cases/<case_id>/issues/<issue_id>/conclude")
def conclude(case_id: str, issue_id: str):
    return _change(case_id, handlers.conclude_issue, "outcome", part_id=issue_id)


@blueprint.post("/cases/<case_id>/activities")
@once_per_key(created)
def activities(case_id: str):
    return _change(case_id, handlers.record_activity, "kind", "contribution")


@blueprint.post("/cases/<case_id>/signposting")
@once_per_key(created)
def signposting(case_id: str):
    return _change(case_id, handlers.signpost, "to")


@blueprint.post("/cases/<case_id>/advocate-change-requests")
def change_request(case_id: str):
    return _change(case_id, handlers.request_advocate_change), 201


@blueprint.post("/cases/<case_id>/advocate-change-requests/<request_id>/decide")
def decide(case_id: str, request_id: str):
    return _change(case_id, handlers.decide_advocate_change, "result", part_id=request_id)


@blueprint.post("/cases/<case_id>/disclosures")
def disclosures(case_id: str):
    return _change(case_id, handlers.record_disclosure), 201


@blueprint.post("/cases/<case_id>/close")
def close(case_id: str):
    return _change(case_id, handlers.close, "outcome")


@blueprint.get("/history")
def recall():
    """What each case implies happened before a moment (shared.web.history_page)."""
    return history_page({"cases": (casework().in_order, history.of_case)})


@blueprint.get("/subject-access")
def subject_access_records():
    """What casework holds about the child's referrals (shared/subject_access): the case opened for one of them,
    and each disclosure made without the child's consent as a record of its own."""
    found = []
    for document in filter(None, map(casework().case, subject_access.asked_referral_ids())):
        case = document.body
        found.append(subject_access.record(
            "casework", "case", case, case["opened_at"], fields={k: v for k, v in case.items() if k != "disclosures"},
            marks=[*subject_access.list_marks(case, "activities", "note", "staff_note"),
                   *subject_access.list_marks(case, "signposting", "note", "staff_note")]))
        found += [subject_access.record("casework", "disclosure", {**disclosure, "id": f"{case['id']}-disclosure-{n}"},
                                        disclosure.get("disclosed_at"), marks=[("disclosed_to", "third_party")])
                  for n, disclosure in enumerate(case.get("disclosures") or [], start=1)]
    return {"items": found}
