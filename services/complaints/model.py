"""What a complaint, representation or compliment is, as the complaints service records it: its fields
(`Complaint`) and the one way one is made (`complaint`). The rules that answer and close it are in domain.py."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any, Optional, TypedDict


class Complaint(TypedDict, total=False):
    """A complaint as stored; the rules take one and give back the next, never changing it in place."""

    id: str
    tracking_digest: Optional[str]
    """The digest of the private key the complainant follows it with (the key itself is never kept)."""
    kind: str
    made_by: str
    name: str
    name_key: Optional[str]
    """What a subject access export finds the complaint of a child by (`name_key`): a digest of the complainant's
    name, so the index holds no name. Complaints name no referral or child; a child's own complaint names them."""
    contact: dict[str, Any]
    about: str
    council: Optional[str]
    nation: str
    language: str
    wants_reply: bool
    status: str
    """received, acknowledged, responded, escalated or closed; a compliment is recorded."""
    stage: int
    received_at: str
    deadlines: dict[str, Any]
    acknowledged_at: Optional[str]
    responses: list[dict[str, Any]]
    outcome: Optional[str]
    closed_at: Optional[str]
    timeline: list[dict[str, Any]]
    updated_at: str


def complaint(*, id: str, kind: str, made_by: str, name: str, contact: dict[str, Any], about: str,
              council: str | None, nation: str, language: str, wants_reply: bool, received_at: str, by: str,
              tracking_digest: str | None = None) -> Complaint:
    """A complaint or representation as received (at stage 1, its clock about to start); a compliment as recorded."""
    first = "recorded" if kind == "compliment" else "received"
    return Complaint(tracking_digest=tracking_digest, id=id, kind=kind, made_by=made_by, name=name,
                     name_key=name_key(name), contact=contact,
                     about=about, council=council, nation=nation, language=language, wants_reply=wants_reply,
                     status=first, stage=1, received_at=received_at, deadlines={}, acknowledged_at=None,
                     responses=[], outcome=None, closed_at=None, updated_at=received_at,
                     timeline=[{"at": received_at, "what": first, "by": by}])


def name_key(name: str) -> str | None:
    """A digest of a name as a search compares it (accents dropped, case folded, spaces and hyphens single
    spaces), or None for no name."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", name or "") if not unicodedata.combining(c))
    folded = " ".join(plain.casefold().replace("-", " ").split())
    return hashlib.sha256(folded.encode("utf-8", "surrogatepass")).hexdigest()[:32] if folded else None


def up_to_date(complaint: dict[str, Any]) -> dict[str, Any] | None:
    """A complaint kept by an earlier version with the digest of its complainant's name (`name_key`, which a subject
    access export finds a child's own complaints by), or None when it has it."""
    key = name_key(complaint.get("name") or "")
    return None if "name_key" in complaint and complaint["name_key"] == key else {**complaint, "name_key": key}
