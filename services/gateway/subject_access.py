"""A subject access export: everything Llais holds about one child, gathered from every service, for a manager to
review and release (DOMAIN.md: the child's right of access).

The referral service finds the child's referrals (by one of them, by the child's name and date of birth, or by a
council's reference); each service then gives what it holds about them (shared/subject_access), the complaints
service the complaints the child made by their name. The gateway keeps only who asked for which referral ids and
which redaction marks the manager cleared: the export is gathered again each time it is read or released, so the
gateway holds no child's data.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any, Callable, Iterable

from shared import words
from shared.subject_access import redacted
from shared.web import Problem

from services.gateway import forwarding

ASKED_BY_REFERRAL = ("referral", "scheduling", "casework", "notify")
"""The services asked for what they hold about the child's referrals (the complaints service by the child's name)."""
KINDS = tuple(words.codes("record_kind"))
"""The export's records by kind, in the order the document shows them."""
CODES = {
    "referral": {"status": "referral_status", "kind": "referral_kind", "basis": "basis", "source": "source",
                 "close_reason": "close_reason", "outcome": "outcome", "decline_reason_code": "not_wanted_reason"},
    "opt_out": {"basis": "basis", "reason_code": "not_wanted_reason"},
    "transition": {"kind": "transition_kind", "renewed_offer_result": "renewed_offer_result"},
    "service_message": {"channel": "message_channel", "from_whom": "message_from", "language": "language"},
    "meeting": {"status": "meeting_status", "outcome": "outcome", "language": "language"},
    "case": {"status": "case_status", "basis": "basis", "language": "language"},
    "disclosure": {"reason": "disclosure_reason"},
    "complaint": {"kind": "complaint_kind", "made_by": "complaint_from", "status": "complaint_status",
                  "outcome": "complaint_outcome", "language": "language"},
}
"""The fields of each kind of record that hold a code, and the kind of words (shared/words) that says it."""
EVERYWHERE = {"language": "language", "preferred_language": "language", "nation": "nation"}
"""Fields that hold the same kind of code in every record."""


class ChildNotFound(LookupError):
    """No referral is of the child named: an export would be empty, so none is made."""


def find_child(how: dict[str, Any]) -> list[str]:
    """The ids of the child's referrals (`how`: referral_id, child, or council and external_ref); ChildNotFound
    when there are none."""
    status, payload, _ = forwarding.forward("referral", "POST", "/subject-access/child", body=how)
    if status == 404:
        raise ChildNotFound()
    if status != 200:
        raise Problem(status, "The child's referrals could not be found.", errors=payload.get("errors") or {})
    return payload["referral_ids"]


def gather(referral_ids: list[str]) -> list[dict[str, Any]]:
    """Every record each service holds about the child's referrals, in the document's order (by kind, then time),
    each mark with its `key` (mark_key); ChildNotFound when no referral is there any more."""
    items = [item for service in ASKED_BY_REFERRAL
             for item in _asked(service, "GET", params={"referral_id": referral_ids})]
    child = the_child(items)
    if child is None:
        raise ChildNotFound()
    items += _asked("complaints", "POST", body={"child": {k: child.get(k) for k in ("given_name", "family_name")}})
    for item in items:
        item["marks"] = [{**mark, "key": mark_key(item, mark["path"])} for mark in item["marks"]]
    return sorted(items, key=lambda i: (KINDS.index(i["kind"]) if i["kind"] in KINDS else len(KINDS),
                                        i.get("when") or "", i["id"]))


def _asked(service: str, method: str, **call: Any) -> list[dict[str, Any]]:
    status, payload, _ = forwarding.forward(service, method, "/subject-access", **call)
    if status != 200:
        raise Problem(502, f"The {service} service could not give its part of the export; try again shortly.")
    return payload["items"]


def the_child(items: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The child as their latest referral names them (None when there is none)."""
    referrals = [item for item in items if item["kind"] == "referral"]
    return max(referrals, key=lambda i: i.get("when") or "")["fields"]["child"] if referrals else None


def language_of(items: list[dict[str, Any]]) -> str:
    """The child's language: Welsh when their latest referral says they prefer it, English otherwise."""
    return words.language_of((the_child(items) or {}).get("preferred_language"))


def mark_key(item: dict[str, Any], path: str) -> str:
    """What a redaction mark is known by on the review page and in the store: the same for the same place in the
    same record however often the export is gathered again."""
    return hashlib.sha256(f"{item['service']}:{item['kind']}:{item['id']}:{path}".encode()).hexdigest()[:16]


def as_released(items: list[dict[str, Any]], cleared: Iterable[str], blacked_out: str) -> list[dict[str, Any]]:
    """The records as released: what each mark the manager did not clear marks replaced by `blacked_out`, and each
    mark saying whether it was (`redacted`)."""
    kept = set(cleared)
    released = []
    for item in items:
        fields = item["fields"]
        for mark in item["marks"]:
            if mark["key"] not in kept:
                fields = redacted(fields, mark["path"], blacked_out)
        released.append({**item, "fields": fields,
                         "marks": [{**mark, "redacted": mark["key"] not in kept} for mark in item["marks"]]})
    return released


def code_words(item: dict[str, Any], field: str, value: Any, language: str) -> Any:
    """A field's value as the document shows it: a code in its words (shared/words), anything else as it is."""
    kind = CODES.get(item["kind"], {}).get(field) or EVERYWHERE.get(field)
    if not isinstance(value, str) or not value or not (kind or field in ("council", "region")):
        return value
    try:
        if field == "council":
            return words.council(value, language)
        if field == "region":
            return words.region(value, language)
        return words.of(kind, value, language)
    except words.UnknownCode:
        return value


def rows(fields: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A record's fields as (dotted path, value) rows, nested fields and lists flattened, empty ones left out."""
    if isinstance(fields, dict):
        return [row for key, value in fields.items() for row in rows(value, f"{prefix}{key}.")]
    if isinstance(fields, list) and any(isinstance(value, (dict, list)) for value in fields):
        return [row for n, value in enumerate(fields) for row in rows(value, f"{prefix}{n}.")]
    if fields in (None, "", [], {}):
        return []
    return [(prefix.rstrip("."), ", ".join(map(str, fields)) if isinstance(fields, list) else fields)]


def archive(export_id: str, made_at: str, referral_ids: list[str], released: list[dict[str, Any]], language: str,
            document: Callable[[], str]) -> bytes:
    """The zip a manager releases: `subject-access.json` (every record as released, with its redaction marks) and
    `subject-access.html` (the readable `document`, in the child's language)."""
    everything = {"export_id": export_id, "made_at": made_at, "language": language, "referral_ids": referral_ids,
                  "records": released}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as packed:
        packed.writestr("subject-access.json", json.dumps(everything, ensure_ascii=False, indent=2))
        packed.writestr("subject-access.html", document())
    return buffer.getvalue()
