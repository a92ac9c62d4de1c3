"""A subject access export's parts as each service gives them: everything it holds about one child's referrals,
each record as {service, kind, id, when, fields} with the places in it a manager must consider for redaction before
release (a third party's details, a member of staff's own notes, another child's details).

Each service answers `GET /subject-access?referral_id=...` (the child's referral ids, as the referral service found
them) for the provider's managers only; the gateway gathers the parts (services/gateway/subject_access.py).
"""

from __future__ import annotations

from typing import Any, Iterable

from flask import request

from shared import validation
from shared.web import ROLE_HEADER, Problem, caller_council

REASONS = ("third_party", "staff_note", "other_child")
"""Why a place in a record is marked for redaction (shared/words: `redaction_reason`)."""
MOST_REFERRALS = 50
"""The most referral ids one child's export names: more is not one child."""
MANAGER = "manager"


def asked_by_a_manager() -> None:
    """403 unless one of the provider's managers asks (the gateway checked it: this is the service's own check)."""
    if request.headers.get(ROLE_HEADER) != MANAGER or caller_council() is not None:
        raise Problem(403, "A subject access export is made by the provider's managers.")


def asked_referral_ids() -> list[str]:
    """The referral ids a request for a child's records names, after checking a manager asks (403 otherwise) and
    each id is one a record could have (422 otherwise)."""
    asked_by_a_manager()
    ids = list(dict.fromkeys(request.args.getlist("referral_id")))
    if not ids or len(ids) > MOST_REFERRALS or not all(validation.ID_PATTERN.fullmatch(i) for i in ids):
        raise Problem(422, "Name the child's referrals.", errors={
            "referral_id": [f"Give 1 to {MOST_REFERRALS} referral ids."]})
    return ids


def record(service: str, kind: str, body: dict[str, Any], when: str | None, *,
           fields: dict[str, Any] | None = None, marks: Iterable[tuple[str, str]] = (),
           matched: str | None = None) -> dict[str, Any]:
    """One record of the export: `fields` (the whole body when not given), each of `marks` (path, reason) that holds
    something, and `matched` saying how a record not linked to the child was found (by their name, say)."""
    shown = dict(body if fields is None else fields)
    found = [{"path": path, "reason": reason} for path, reason in marks if _filled(value_at(shown, path))]
    return {"service": service, "kind": kind, "id": body["id"], "when": when, "fields": shown, "marks": found,
            "matched": matched}


def list_marks(body: dict[str, Any], items: str, field: str, reason: str) -> list[tuple[str, str]]:
    """A mark on `field` of each entry of the list `items` ("contact_attempts", "note"...)."""
    return [(f"{items}.{n}.{field}", reason) for n, _ in enumerate(body.get(items) or [])]


def value_at(fields: Any, path: str) -> Any:
    """The value at a dotted path ("child.contact.carer_name", "activities.0.note"), or None."""
    for part in path.split("."):
        if isinstance(fields, list) and part.isdigit() and int(part) < len(fields):
            fields = fields[int(part)]
        elif isinstance(fields, dict):
            fields = fields.get(part)
        else:
            return None
    return fields


def redacted(fields: Any, path: str, replacement: str) -> Any:
    """`fields` with the value at `path` replaced, as a copy (the rest shared)."""
    head, _, rest = path.partition(".")
    if isinstance(fields, list) and head.isdigit() and int(head) < len(fields):
        index = int(head)
        return [*fields[:index], redacted(fields[index], rest, replacement) if rest else replacement,
                *fields[index + 1:]]
    if isinstance(fields, dict) and head in fields:
        return {**fields, head: redacted(fields[head], rest, replacement) if rest else replacement}
    return fields


def _filled(value: Any) -> bool:
    return value not in (None, "", [], {})
