"""The rules of an advocacy case (DOMAIN.md, "Issue-based advocacy" and "Confidentiality and consent"). Pure.

A case is opened from an issue-based referral once the child consents to a case file; it holds the plan agreed with
the child, the issues and their outcomes, the activity and how the child chose to contribute, signposting, requests
to change advocate, disclosures made without consent, and its closure with the child's feedback.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from shared.contracts.casework import (ACTIVITIES, CASE_OUTCOMES, CHANGE_RESULTS, CONTRIBUTIONS, DISCLOSURE_REASONS,
                                       ISSUE_OUTCOMES, SIGNPOSTS, THEMES)
from shared.errors import NOT_ALLOCATED_TO_YOU, NotAllowed, NotFound, Reason, Refused, Rule, StateForbids
from shared.validation import CLOCK_SKEW

from services.casework import model
from services.casework.model import Case

MANAGER = "manager"


class CaseRefused(Refused):
    """A request that breaks a rule; `errors` says what to change (422)."""


class CaseStateForbids(StateForbids):
    """The case (or its referral) is not in a state that allows this now (409)."""

    code = "case.state_forbids"


class NoSuchPart(NotFound):
    """The case has no issue or request with the id in the path (404, as API.md answers any id that is not there)."""


TIME_FORMAT = Rule("case.time_format", "Give the time as RFC 3339 with its offset, e.g. 2026-12-14T10:00:00+00:00.")
CLOSED = Rule("case.closed", "the case is closed")
ISSUE_BASED_ONLY = Rule("case.issue_based_only",
                        "only an issue-based referral becomes a case (an Active Offer's take-up opens one)")
NOT_ALLOCATED_YET = Rule("case.not_allocated_yet", "allocate the referral to an advocate before opening its case")
ALREADY_OPEN = Rule("case.already_open", "this referral's case is open already")
NO_CONSENT = Rule("case.no_consent_to_case_file", "A case file is opened only when the child consents to it.")
NO_PLAN = Rule("case.plan_missing", "Write the plan.")
PLAN_NOT_AGREED = Rule("case.plan_not_agreed", "The plan is the one agreed with the child: agree it with them first.")
THEME = Rule("case.theme", f"Choose a theme: one of {', '.join(THEMES)}.")
NO_DESCRIPTION = Rule("case.issue_description", "Say what the issue is.")
NO_SUCH_ISSUE = Rule("case.no_such_issue", "This case has no such issue.")
ISSUE_CONCLUDED = Rule("case.issue_concluded", "the issue has its outcome already")
ISSUE_OUTCOME = Rule("case.issue_outcome", f"Give the outcome: one of {', '.join(ISSUE_OUTCOMES)}.")
ACTIVITY_KIND = Rule("case.activity_kind", f"Give the kind: one of {', '.join(ACTIVITIES)}.")
CONTRIBUTION = Rule("case.contribution", f"Say how the child chose to contribute: one of {', '.join(CONTRIBUTIONS)}.")
ACTIVITY_IN_THE_FUTURE = Rule("case.activity_in_the_future", "The activity cannot have happened in the future.")
ACTIVITY_BEFORE_OPENING = Rule("case.activity_before_opening",
                               "The activity cannot have happened before the case was opened ({opened_at}).")
SIGNPOST = Rule("case.signpost", f"Say where to: one of {', '.join(SIGNPOSTS)}.")
CHANGE_WAITING = Rule("case.change_waiting", "a request to change advocate is waiting for a decision")
MANAGER_DECIDES_CHANGE = Rule("case.manager_decides_change", "only a manager decides a request to change advocate")
NO_SUCH_CHANGE = Rule("case.no_such_change", "This case has no such request to change advocate.")
CHANGE_DECIDED = Rule("case.change_decided", "the request is decided already")
CHANGE_RESULT = Rule("case.change_result", "Give the result: granted or declined.")
NO_NEW_ADVOCATE = Rule("case.new_advocate_missing", "Name the new advocate.")
SAME_ADVOCATE = Rule("case.new_advocate_same", "The new advocate is the case's advocate already.")
NO_DECLINE_REASON = Rule("case.change_decline_reason", "Say why the request is declined.")
MANAGER_RECORDS_DISCLOSURE = Rule("case.manager_records_disclosure",
                                  "only a manager records a disclosure made without the child's consent")
DISCLOSURE_REASON = Rule("case.disclosure_reason", f"Give the reason: one of {', '.join(DISCLOSURE_REASONS)}.")
NO_DECIDER = Rule("case.disclosure_decided_by", "Say who decided to disclose.")
NO_RECIPIENT = Rule("case.disclosure_to", "Say to whom it was disclosed.")
NO_DISCLOSURE_TIME = Rule("case.disclosure_at", "Say when it was disclosed.")
DISCLOSED_IN_THE_FUTURE = Rule("case.disclosure_in_the_future", "The disclosure cannot have been made in the future.")
TOLD_UNSAID = Rule("case.child_told", "Say whether the child was told.")
NO_TOLD_TIME = Rule("case.child_told_at", "Say when the child was told.")
TOLD_IN_THE_FUTURE = Rule("case.told_in_the_future", "The child cannot have been told in the future.")
TOLD_BEFORE_DISCLOSURE = Rule("case.told_before_disclosure",
                              "The child cannot have been told before the disclosure was made.")
NOT_TOLD_WHY = Rule("case.why_not_told", "Say why the child was not told.")
ISSUES_OPEN = Rule("case.issues_open", "record the outcome of every issue first ({open_issues} open)")
CASE_OUTCOME = Rule("case.outcome", f"Give the outcome: one of {', '.join(CASE_OUTCOMES)}.")
SATISFACTION = Rule("case.satisfaction", "The child's satisfaction is {lowest} to {highest}, or left out if they "
                                         "gave none.")


def _refuse_unless(checks: dict[str, Reason | None]) -> None:
    errors = {field: [message] for field, message in checks.items() if message}
    if errors:
        raise CaseRefused(errors)


def _blank(value: Any) -> bool:
    return not str(value or "").strip()


def event_data(case: dict, **data: Any) -> dict:
    """What every event about a case says of it, beside `data`: ids and where, never what the child said."""
    return {"case_id": case["id"], "referral_id": case["referral_id"], "council": case["council"],
            "region": case["region"], **data}


def opened_event_data(case: dict) -> dict:
    return {"advocate_email": case["advocate_email"], "source": case["source"] or "other", "basis": case["basis"], "language": case["language"],
            "opened_at": case["opened_at"]}


def _changed(case: dict, at: str, what: str, by: str, **changes: Any) -> dict:
    return {**case, **changes, "updated_at": at, "timeline": [*case["timeline"], {"at": at, "what": what, "by": by}]}


def _time(value: Any) -> datetime | None:
    """A stored or requested RFC 3339 time, or None if it is not one."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if moment.tzinfo is not None else None


def _not_after(value: Any, latest: datetime, future: Rule) -> Reason | None:
    """`future` if the time `value` is after `latest` (allowing for a caller's clock running a little fast)."""
    moment = _time(value)
    if moment is None:
        return TIME_FORMAT()
    return future() if moment > latest + CLOCK_SKEW else None


def _open(case: dict) -> None:
    if case["status"] != "open":
        raise CaseStateForbids(CLOSED())


# the referral a case comes from


def referral_stub(data: dict) -> dict:
    """What casework keeps of every referral (codes and ids, from `referral.received`) to open a case from it later."""
    return {"referral_id": data["referral_id"], "council": data["council"], "region": data["region"],
            "nation": data["nation"], "kind": data["kind"], "basis": data["basis"], "source": data.get("source"),
            "language": data["preferred_language"], "advocate_email": None}


def open_case(stub: dict, consents_to_case_file: bool, by: str, at: str) -> Case:
    """The case of an issue-based referral, opened with the child's consent to a case file, for its advocate."""
    if stub["kind"] != "issue_based":
        raise CaseStateForbids(ISSUE_BASED_ONLY())
    if not stub["advocate_email"]:
        raise CaseStateForbids(NOT_ALLOCATED_YET())
    _refuse_unless({"consents_to_case_file": None if consents_to_case_file is True else
                    NO_CONSENT()})
    return model.case(referral_id=stub["referral_id"], council=stub["council"], region=stub["region"],
                      nation=stub["nation"], source=stub["source"], basis=stub["basis"], language=stub["language"],
                      advocate_email=stub["advocate_email"], opened_by=by, opened_at=at)


# the work


def agree_plan(case: dict, text: str, agreed_with_child: bool, by: str, at: str) -> dict:
    _open(case)
    _refuse_unless({"text": NO_PLAN() if _blank(text) else None,
                    "agreed_with_child": None if agreed_with_child is True else PLAN_NOT_AGREED()})
    version = (case["plan"] or {}).get("version", 0) + 1
    plan = {"text": text.strip(), "version": version, "agreed_at": at, "agreed_by": by}
    return _changed(case, at, "plan agreed", by, plan=plan)


def raise_issue(case: dict, issue_id: str, theme: str, description: str, by: str, at: str) -> dict:
    _open(case)
    _refuse_unless({"theme": None if theme in THEMES else THEME(),
                    "description": NO_DESCRIPTION() if _blank(description) else None})
    issue = {"id": issue_id, "theme": theme, "description": description.strip(), "raised_at": at, "raised_by": by,
             "outcome": None, "outcome_note": None, "concluded_at": None}
    return _changed(case, at, "issue raised", by, issues=[*case["issues"], issue])


def conclude_issue(case: dict, issue_id: str, outcome: str, note: str, by: str, at: str) -> tuple[dict, dict]:
    """The case with the issue's outcome recorded, and the issue."""
    _open(case)
    issue = next((i for i in case["issues"] if i["id"] == issue_id), None)
    if issue is None:
        raise NoSuchPart(NO_SUCH_ISSUE())
    if issue["outcome"]:
        raise CaseStateForbids(ISSUE_CONCLUDED())
    _refuse_unless({"outcome": None if outcome in ISSUE_OUTCOMES else ISSUE_OUTCOME()})
    concluded = {**issue, "outcome": outcome, "outcome_note": (note or "").strip(), "concluded_at": at}
    issues = [concluded if i["id"] == issue_id else i for i in case["issues"]]
    return _changed(case, at, "issue concluded", by, issues=issues), concluded


def record_activity(case: dict, kind: str, contribution: str, note: str, happened_at: str | None, by: str,
                    at: str) -> dict:
    """The case with an activity, at the moment it happened (`happened_at`, else now): never in the future, nor
    before the case was opened, so yesterday's call is recorded truthfully and nothing is dated before the case."""
    _open(case)
    _refuse_unless({"kind": None if kind in ACTIVITIES else ACTIVITY_KIND(),
                    "contribution": None if contribution in CONTRIBUTIONS else CONTRIBUTION(),
                    "happened_at": _when_it_happened(case, happened_at, at) if happened_at else None})
    activity = {"at": happened_at or at, "kind": kind, "contribution": contribution, "note": (note or "").strip(),
                "by": by}
    return _changed(case, at, "activity recorded", by, activities=[*case["activities"], activity])


def _when_it_happened(case: dict, happened_at: str, at: str) -> Reason | None:
    """What is wrong with the moment an activity happened, if anything: in the future, or before the case."""
    late = _not_after(happened_at, _time(at), ACTIVITY_IN_THE_FUTURE)
    if late is not None:
        return late
    opened, moment = _time(case["opened_at"]), _time(happened_at)
    # a form gives minutes: an activity in the minute the case was opened is not before it
    if opened is not None and moment is not None and moment < opened.replace(second=0, microsecond=0):
        return ACTIVITY_BEFORE_OPENING(opened_at=case["opened_at"])
    return None


def signpost(case: dict, to: str, note: str, by: str, at: str) -> dict:
    _open(case)
    _refuse_unless({"to": None if to in SIGNPOSTS else SIGNPOST()})
    entry = {"at": at, "to": to, "note": (note or "").strip(), "by": by}
    return _changed(case, at, "signposted", by, signposting=[*case["signposting"], entry])


# the child's right to change advocate


def request_advocate_change(case: dict, request_id: str, reason: str, by: str, at: str) -> dict:
    _open(case)
    if any(r["result"] is None for r in case["advocate_changes"]):
        raise CaseStateForbids(CHANGE_WAITING())
    request = {"id": request_id, "requested_at": at, "requested_by": by, "reason": (reason or "").strip(),
               "result": None, "decided_at": None, "decided_by": None, "decision_reason": None}
    return _changed(case, at, "change of advocate requested", by, change_waiting=True,
                    advocate_changes=[*case["advocate_changes"], request])


def decide_advocate_change(case: dict, request_id: str, result: str, new_advocate: str | None, reason: str,
                           role: str | None, by: str, at: str) -> dict:
    """A manager grants (the case moves to the new advocate) or declines (saying why) the child's request."""
    if role != MANAGER:
        raise NotAllowed(MANAGER_DECIDES_CHANGE())
    _open(case)
    request = next((r for r in case["advocate_changes"] if r["id"] == request_id), None)
    if request is None:
        raise NoSuchPart(NO_SUCH_CHANGE())
    if request["result"] is not None:
        raise CaseStateForbids(CHANGE_DECIDED())
    _refuse_unless({
        "result": None if result in CHANGE_RESULTS else CHANGE_RESULT(),
        "new_advocate_email": (NO_NEW_ADVOCATE() if result == "granted" and _blank(new_advocate) else
                               SAME_ADVOCATE() if result == "granted" and new_advocate == case["advocate_email"]
                               else None),
        "reason": NO_DECLINE_REASON() if result == "declined" and _blank(reason) else None,
    })
    decided = {**request, "result": result, "decided_at": at, "decided_by": by,
               "decision_reason": (reason or "").strip(), "new_advocate_email": new_advocate if result == "granted"
               else None}
    changes = [decided if r["id"] == request_id else r for r in case["advocate_changes"]]
    advocate = new_advocate if result == "granted" else case["advocate_email"]
    return _changed(case, at, f"change of advocate {result}", by, advocate_changes=changes, advocate_email=advocate,
                    change_waiting=False)


# disclosure without consent


def record_disclosure(case: dict, request: dict, role: str | None, by: str, at: str) -> dict:
    """A disclosure made without the child's consent, in writing: the reason (significant harm or a court order), who
    decided, to whom it went and when, and whether and when the child was told (or why not). Managers only."""
    if role != MANAGER:
        raise NotAllowed(MANAGER_RECORDS_DISCLOSURE())
    told = request.get("child_told")
    now = _time(at)
    _refuse_unless({
        "reason": None if request.get("reason") in DISCLOSURE_REASONS else DISCLOSURE_REASON(),
        "decided_by": NO_DECIDER() if _blank(request.get("decided_by")) else None,
        "disclosed_to": NO_RECIPIENT() if _blank(request.get("disclosed_to")) else None,
        "disclosed_at": NO_DISCLOSURE_TIME() if _blank(request.get("disclosed_at")) else
        _not_after(request["disclosed_at"], now, DISCLOSED_IN_THE_FUTURE),
        "child_told": None if isinstance(told, bool) else TOLD_UNSAID(),
        "child_told_at": _told_at_problem(request, now),
        "why_not_told": NOT_TOLD_WHY() if told is False and _blank(request.get("why_not_told")) else None,
    })
    disclosure = {k: request.get(k) for k in ("reason", "decided_by", "disclosed_to", "disclosed_at", "child_told",
                                              "child_told_at", "why_not_told")}
    disclosure.update(recorded_at=at, recorded_by=by)
    return _changed(case, at, "disclosure recorded", by, disclosures=[*case["disclosures"], disclosure])


def _told_at_problem(request: dict, now: datetime) -> Reason | None:
    """When the child was told: needed if they were, and neither in the future nor before the disclosure itself."""
    if _blank(request.get("child_told_at")):
        return NO_TOLD_TIME() if request.get("child_told") is True else None
    future = _not_after(request["child_told_at"], now, TOLD_IN_THE_FUTURE)
    if future:
        return future
    disclosed_at = _time(request.get("disclosed_at"))
    if disclosed_at is not None and _time(request["child_told_at"]) < disclosed_at:
        return TOLD_BEFORE_DISCLOSURE()
    return None


# closure


def close(case: dict, outcome: str, satisfaction: int | None, feedback: str, by: str, at: str) -> dict:
    _open(case)
    open_issues = [i["id"] for i in case["issues"] if not i["outcome"]]
    if open_issues:
        raise CaseStateForbids(ISSUES_OPEN(open_issues=len(open_issues)))
    _refuse_unless({
        "outcome": None if outcome in CASE_OUTCOMES else CASE_OUTCOME(),
        "satisfaction": None if satisfaction is None or (isinstance(satisfaction, int) and 1 <= satisfaction <= 5)
        else SATISFACTION(lowest=1, highest=5),
    })
    closure = {"outcome": outcome, "satisfaction": satisfaction, "feedback": (feedback or "").strip(),
               "closed_at": at, "closed_by": by}
    return _changed(case, at, "case closed", by, status="closed", closure=closure)


# who sees a case


def may_see(case: dict, actor: str, role: str | None) -> bool:
    """Managers see every case; an advocate sees the cases that are theirs now."""
    return role == MANAGER or (role == "advocate" and case["advocate_email"] == actor)


def check_allocated(referral: dict, by: str, role: str | None) -> None:
    """An advocate opens the case of a referral allocated to them; a manager any (403 otherwise)."""
    if not may_see(referral, by, role):
        raise NotAllowed(NOT_ALLOCATED_TO_YOU())


def summary(case: dict) -> dict:
    """A case in a list: no content."""
    return {k: case[k] for k in ("id", "referral_id", "council", "advocate_email", "status", "opened_at",
                                 "updated_at")} | {"open_issues": sum(1 for i in case["issues"] if not i["outcome"]),
                                                   "change_requested_at": next((r["requested_at"] for r in
                                                                                case["advocate_changes"]
                                                                                if r["result"] is None), None)}


def child_record(case: dict) -> dict:
    """What the child's own record shows them: the plan, their issues and outcomes, what was done and how they took
    part, where they were pointed, and any disclosure they were told of (one they were not told of, to keep them or
    someone else safe, stays out)."""
    return {
        "language": case["language"], "opened_at": case["opened_at"], "status": case["status"],
        "plan": case["plan"], "issues": case["issues"], "activities": case["activities"],
        "signposting": case["signposting"], "disclosures": [d for d in case["disclosures"] if d["child_told"]],
        "closure": case["closure"],
    }


def up_to_date(case: dict) -> dict | None:
    """A case kept by an earlier version with `change_waiting` (whether a child's request for a different advocate
    awaits a decision, which a manager's home finds cases by), or None when it has it."""
    waiting = any(r["result"] is None for r in case.get("advocate_changes", []))
    return None if case.get("change_waiting", False) == waiting else {**case, "change_waiting": waiting}


def caseloads(open_cases: list[dict[str, Any]]) -> dict[str, int]:
    """Each advocate's open cases, by their address: what a manager allocating weighs beside open referrals."""
    counted: dict[str, int] = {}
    for case in open_cases:
        counted[case["advocate_email"]] = counted.get(case["advocate_email"], 0) + 1
    return dict(sorted(counted.items()))


def anonymised(case: Mapping[str, Any]) -> dict:
    """A case erased with its child's records: its codes, dates, themes, outcomes and who worked it stay (reporting
    counts them); the plan, what each issue was, every note, reason and piece of feedback in words go."""
    def blank(entries: list, *fields: str) -> list:
        return [{**entry, **{f: "" for f in fields if entry.get(f)}} for entry in entries]

    plan = case.get("plan")
    return {**case, "plan": {**plan, "text": ""} if plan else plan,
            "issues": blank(case.get("issues", []), "description", "outcome_note"),
            "activities": blank(case.get("activities", []), "note"),
            "signposting": blank(case.get("signposting", []), "note"),
            "advocate_changes": blank(case.get("advocate_changes", []), "reason", "decision_reason"),
            "disclosures": blank(case.get("disclosures", []), "disclosed_to", "summary", "note"),
            "closure": {**case["closure"], "feedback": ""} if case.get("closure") else case.get("closure"),
            "timeline": [{k: entry[k] for k in ("at", "what", "by") if k in entry}
                         for entry in case.get("timeline", [])]}
