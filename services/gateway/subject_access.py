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
from shared.subject_access import record, redacted
from shared.web import Problem

from services.gateway import forwarding
from services.gateway.access import gateway_store

ASKED_BY_REFERRAL = ("referral", "scheduling", "casework", "notify")
"""The services asked for what they hold about the child's referrals (the complaints service by the child's name)."""
KINDS = tuple(words.codes("record_kind"))
"""The export's records by kind, in the order the document shows them."""
CODES = {
    "referral": {"status": "referral_status", "kind": "referral_kind", "basis": "basis", "source": "source",
                 "close_reason": "close_reason", "outcome": "outcome", "decline_reason_code": "not_wanted_reason",
                 "other_support_type": "support_type", "meeting.status": "referral_meeting",
                 "contact_attempts.method": "contact_method", "contact_attempts.result": "contact_result",
                 "eligibility": "eligibility", "gender": "gender", "ethnic_group": "ethnic_group",
                 "disability": "disability", "organisation_type": "organisation_type",
                 "referrer_organisation_type": "organisation_type", "timeline.detail.outcome": "outcome",
                 "timeline.detail.reason": "close_reason", "timeline.detail.method": "contact_method",
                 "timeline.detail.result": "contact_result", "timeline.detail.case_outcome": "case_outcome",
                 "timeline.detail.reason_not_held_code": "not_held_reason", "referrer.role": "source"},
    "opt_out": {"basis": "basis", "reason_code": "not_wanted_reason"},
    "transition": {"kind": "transition_kind", "renewed_offer_result": "renewed_offer_result",
                   "renewed_offer_status": "renewed_offer_status", "not_offered_because": "not_offered_again"},
    "service_message": {"channel": "message_channel", "from_whom": "message_from",
                        "clock_state": "message_clock_state"},
    "meeting": {"status": "meeting_status", "outcome": "outcome", "venue.type": "venue_type",
                "venue_type": "venue_type", "reason_not_held_code": "not_held_reason",
                "decline_reason_code": "not_wanted_reason", "other_support_type": "support_type",
                "topics_covered": "meeting_topic", "left_with_child": "left_with_child"},
    "deadlines": {"kind": "referral_kind", "state": "clock_state"},
    "case": {"status": "case_status", "basis": "basis", "source": "source", "issues.theme": "theme",
             "issues.outcome": "issue_outcome", "activities.kind": "activity",
             "activities.contribution": "contribution", "signposting.to": "signpost", "closure.outcome": "case_outcome",
             "advocate_changes.result": "change_result"},
    "disclosure": {"reason": "disclosure_reason"},
    "complaint": {"kind": "complaint_kind", "made_by": "complaint_from", "status": "complaint_status",
                  "outcome": "complaint_outcome", "responses.outcome": "complaint_outcome", "stage": "complaint_stage",
                  "responses.other_routes_told": "other_route"},
    "message_sent": {"type": "message_type", "channel": "message_route", "audience": "message_audience",
                     "basis": "message_basis", "status": "message_status", "reason_code": "withheld_reason"},
    "message_withheld": {"type": "message_type", "channel": "message_route", "audience": "message_audience",
                         "basis": "message_basis", "status": "message_status", "reason_code": "withheld_reason"},
    "audit_entry": {"what": "audit_what", "why": "audit_why", "role": "staff_role", "via": "audit_via"},
}
"""The fields of each kind of record that hold a code (by their path, a list's places left out, or by their own
name), and the kind of words (shared/words) that says it."""
EVERYWHERE = {"language": "language", "preferred_language": "language", "referrer_language": "language",
              "nation": "nation", "timeline.what": "timeline_entry", "history.what": "timeline_entry"}
"""Fields that hold the same kind of code in every record."""
WHO = ("by", "received_from", "opened_by", "recorded_by", "raised_by", "agreed_by", "closed_by", "requested_by",
       "answered_by", "arranged_by", "renewed_offer_done_by")
"""Fields that say who did a thing: a member of staff by their email, a council by its code, or a part of the
service (shared/words `actor`)."""


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
    items += audit_entries(record_ids(referral_ids, items))
    for item in items:
        item["marks"] = [{**mark, "key": mark_key(item, mark["path"])} for mark in item["marks"]]
    return sorted(items, key=lambda i: (KINDS.index(i["kind"]) if i["kind"] in KINDS else len(KINDS),
                                        i.get("when") or "", i["id"]))


def record_ids(referral_ids: list[str], items: Iterable[dict[str, Any]]) -> list[str]:
    """The ids of every record of the child's: their referrals and what each service holds about them, which is
    what the audit log names when someone reads or changes one."""
    return list(dict.fromkeys([*referral_ids, *(item["id"] for item in items)]))


AUDIT_SHOWN = {"at": "at", "who": "who", "role": "role", "council": "council", "via": "via", "key_id": "key_id",
               "what": "what", "record": "referral_id", "answer": "status", "why": "why"}
"""What the export shows of an audit entry (its field: the entry's): who read or changed which record, when, from
where, what they were answered and why."""
MOST_AUDIT_ENTRIES = 10_000
"""The most audit entries one export holds (the oldest first): who looked, for the child's right to know it."""


def audit_entries(ids: list[str]) -> list[dict[str, Any]]:
    """The gateway's part: what the audit log says about the child's records, read through its index on the record
    each entry names. A member of staff's name is marked for the manager to consider, as someone else's details."""
    found: list = []
    while len(found) < MOST_AUDIT_ENTRIES and (page := gateway_store().audit_page(
            {"referral_id": ids}, found[-1].id if found else None, None, 500)):
        found += page
    return [record("gateway", "audit_entry", {"id": entry.id, **entry.body}, entry.body.get("at"),
                   fields={shown: entry.body[kept] for shown, kept in AUDIT_SHOWN.items()
                           if entry.body.get(kept) is not None},
                   marks=[("who", "third_party")] if entry.body.get("kind") == "staff" else [])
            for entry in found[:MOST_AUDIT_ENTRIES]]


def _asked(service: str, method: str, **call: Any) -> list[dict[str, Any]]:
    status, payload, _ = forwarding.forward(service, method, "/subject-access", **call)
    if status != 200:
        raise Problem(502, f"The {service} service could not give its part of the export; try again shortly.")
    return payload["items"]


def the_child(items: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The child as their latest referral still naming them gives them (None when there is none): an erased
    referral names nobody."""
    every = [item for item in items if item["kind"] == "referral"]
    referrals = [item for item in every if not item["fields"].get("erased_on")] or every
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


def field_words(path: str, language: str, *, strict: bool = True) -> str:
    """A field's dotted path as the document names it, each part in words ("Contact attempts › 1 › Note"). A part
    without words (shared/words `record_field`) is UnknownCode when `strict` (the tests), else said by its name,
    so that a field added to a record never keeps a child's archive from being released."""
    def said(part: str) -> str:
        if part.isdigit():
            return str(int(part) + 1)
        try:
            return words.of("record_field", part, language)
        except words.UnknownCode:
            if strict:
                raise
            return part.replace("_", " ")
    return " › ".join(map(said, path.split(".")))


def code_words(item: dict[str, Any], path: str, value: Any, language: str, *, strict: bool = True) -> Any:
    """A field's value as the document shows it: a code in its words (shared/words), who did a thing by their name
    or email, anything else as it is. A code without words is UnknownCode when `strict`, else shown as it is."""
    try:
        return _said(item, path, value, language)
    except words.UnknownCode:
        if strict:
            raise
        return ", ".join(map(str, value)) if isinstance(value, list) else value


def _said(item: dict[str, Any], path: str, value: Any, language: str) -> Any:
    parts = [part for part in path.split(".") if not part.isdigit()]
    field, where = parts[-1] if parts else "", ".".join(parts)
    if isinstance(value, list):
        return ", ".join(str(_said(item, path, one, language)) for one in value)
    if isinstance(value, int) and not isinstance(value, bool) and field == "stage":
        value = str(value)  # a complaint's stage, said "Stage 1"
    if not isinstance(value, str) or not value:
        return value
    if field == "council" or (field in WHO and value.isupper()):
        return words.council(value, language)
    if field == "region":
        return words.region(value, language)
    if field in WHO:
        return words.of("actor", value, language) if value in words.codes("actor") else value
    codes = CODES.get(item["kind"], {})
    kind = codes.get(where) or EVERYWHERE.get(where) or codes.get(field) or EVERYWHERE.get(field)
    return words.of(kind, value, language) if kind else value


def rows(fields: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """A record's fields as (dotted path, value) rows, nested fields and lists of them flattened, empty ones left
    out."""
    if isinstance(fields, dict):
        return [row for key, value in fields.items() for row in rows(value, f"{prefix}{key}.")]
    if isinstance(fields, list) and any(isinstance(value, (dict, list)) for value in fields):
        return [row for n, value in enumerate(fields) for row in rows(value, f"{prefix}{n}.")]
    if fields in (None, "", [], {}):
        return []
    return [(prefix.rstrip("."), fields)]


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
