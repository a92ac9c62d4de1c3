"""What a referral is, as the referral service records it: its fields (`Referral`) and the one way one is made
(`referral`), whether a council refers the child or the child's take-up at an Active Offer meeting opens it."""

from __future__ import annotations

import hashlib
import unicodedata
from typing import Any, Optional, Sequence, TypedDict

from shared.contracts.referral import llais_reference


class TimelineEntry(TypedDict, total=False):
    at: str
    what: str
    by: str
    detail: dict[str, Any]


class Referral(TypedDict, total=False):
    """A referral as stored. The rules in domain.py take one and give back the next, never changing it in place."""

    id: str
    council: str
    region: str
    nation: str
    kind: str
    """active_offer or issue_based (shared/contracts/referral.KINDS)."""
    basis: str
    source: str
    """Who referred: social_worker (or another role of the referrer), self, or active_offer for a take-up."""
    external_ref: Optional[str]
    child: dict[str, Any]
    child_key: str
    name_keys: dict[str, str]
    """What staff search the child's name by (`name_keys`): digests of the name as typed, folded, either way
    round."""
    name_starts: dict[str, str]
    """What staff search the start of a name by: digests of the given and family names' first letters (STARTS)."""
    external_ref_key: Optional[str]
    """The council's reference as a search compares it: case folded, so "mosaic-1" finds "MOSAIC-1"."""
    reference: str
    """The reference people quote (shared/contracts/referral.llais_reference), which a search finds it by."""
    referrer: dict[str, Any]
    statutory_meeting_at: Optional[str]
    placed_out_of_county: Optional[bool]
    unaccompanied_asylum_seeking: Optional[bool]
    """The circumstances the template's headline groups count, as the referrer said them; None: not said."""
    consent: dict[str, bool]
    risks: str
    summary: str
    status: str
    received_at: str
    acknowledged_at: Optional[str]
    deadlines: dict[str, Any]
    meeting: dict[str, Any]
    meeting_took_place: Optional[bool]
    outcome: Optional[str]
    decline_reason: Optional[str]
    """Why the child declined, in words, as an Active Offer completed before the codes said it."""
    decline_reason_code: Optional[str]
    other_support_type: Optional[str]
    contact_details_given: Optional[bool]
    outcome_advocate_email: Optional[str]
    """The advocate who met the child, as the outcome named them (the referrer may be told, with consent)."""
    follow_on_referral_id: Optional[str]
    follow_on_of: Optional[str]
    advocate_email: Optional[str]
    allocated_at: Optional[str]
    first_contact_at: Optional[str]
    contact_attempts: list[dict[str, Any]]
    earlier_referral_ids: list[str]
    closed_at: Optional[str]
    close_reason: Optional[str]
    timeline: list[TimelineEntry]
    updated_at: str


def referral(*, id: str, council: str, region: str, nation: str, kind: str, basis: str, source: str,
             child: dict[str, Any], referrer: dict[str, Any], consent: dict[str, bool], received_at: str,
             received_from: str, external_ref: str | None = None, statutory_meeting_at: str | None = None,
             risks: str = "", summary: str = "", follow_on_of: str | None = None,
             earlier_referral_ids: Sequence[str] = (), detail: dict[str, Any] | None = None,
             placed_out_of_county: bool | None = None, unaccompanied_asylum_seeking: bool | None = None) -> Referral:
    """A referral as first recorded: `received`, nothing done yet, with its first timeline entry (by
    `received_from`, with `detail` when given)."""
    received: TimelineEntry = {"at": received_at, "what": "received", "by": received_from}
    if detail:
        received["detail"] = detail
    return Referral(
        id=id, council=council, region=region, nation=nation, kind=kind, basis=basis, source=source,
        external_ref=external_ref, child=child, child_key=child_key(child), name_keys=name_keys(child),
        name_starts=name_starts(child), external_ref_key=reference_key(external_ref), referrer=referrer,
        reference=llais_reference(id),
        statutory_meeting_at=statutory_meeting_at, placed_out_of_county=placed_out_of_county,
        unaccompanied_asylum_seeking=unaccompanied_asylum_seeking, consent=dict(consent), risks=risks, summary=summary,
        status="received", received_at=received_at, acknowledged_at=None, deadlines={}, meeting={"status": "none"},
        meeting_took_place=None, outcome=None, follow_on_referral_id=None, follow_on_of=follow_on_of,
        advocate_email=None, contact_attempts=[], earlier_referral_ids=list(earlier_referral_ids),
        timeline=[received], updated_at=received_at)


def child_key(child: dict[str, Any]) -> str:
    """What a child's earlier referrals are found by: their date of birth and name, as `same_child` compares them
    (a digest, so the index holds no name). Text kept before the services refused what cannot be encoded (a lone
    surrogate) is digested as it is."""
    said = "|".join((child["date_of_birth"], child["given_name"].strip().lower(), child["family_name"].strip().lower()))
    return hashlib.sha256(said.encode("utf-8", "surrogatepass")).hexdigest()[:32]


NAME_PARTS = ("full", "given", "family", "reversed")
"""The ways a child's name is searched whole: the whole name either way round ("Jones Ceri"), or either part."""
NAME_STARTS = ("given", "family", "given_last", "family_last")
"""The words of a child's name a search finds by their start: the first and the last of the given and the family
name ("Daf" finds Môrwen ap Dafydd, "Rhe" Ceri Hopkin-Rees)."""
STARTS = 3
"""How many letters of a given or family name a search by its start finds it by ("Cer" finds "Ceri"); a search of
fewer letters finds only a name that short."""


def folded(text: str) -> str:
    """A name as a search compares it: accents dropped, case folded, spaces and hyphens made single spaces."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("-", " ").replace("’", "'").split())


def name_key(text: str) -> str:
    """A digest of a folded name, so the search index holds no name."""
    return hashlib.sha256(folded(text).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def name_keys(child: dict[str, Any]) -> dict[str, str]:
    """The digests a search by the child's whole name (or a whole part of it) finds the referral by."""
    given, family = child.get("given_name") or "", child.get("family_name") or ""
    return {"full": name_key(f"{given} {family}"), "given": name_key(given), "family": name_key(family),
            "reversed": name_key(f"{family} {given}")}


def name_starts(child: dict[str, Any]) -> dict[str, str]:
    """The digests a search by the start of a word of the child's name finds the referral by (NAME_STARTS)."""
    starts = {}
    for part in ("given", "family"):
        words = folded(child.get(f"{part}_name") or "").split() or [""]
        starts.update({part: name_key(words[0][:STARTS]), f"{part}_last": name_key(words[-1][:STARTS])})
    return starts


def reference_key(external_ref: str | None) -> str | None:
    """The council's reference as a search compares it (None without one)."""
    return external_ref.strip().casefold() if external_ref and external_ref.strip() else None


def name_matches(child: dict[str, Any], searching: str) -> bool:
    """Whether each word searched starts a different word of the child's name, in any order: "Cer" and "Jones Ceri"
    find Ceri Jones, "Cer Jon" too; "Ceri Ceri" does not."""
    words = [*folded(child.get("given_name") or "").split(), *folded(child.get("family_name") or "").split()]
    for wanted in sorted(folded(searching).split(), key=len, reverse=True):
        found = next((i for i, word in enumerate(words) if word.startswith(wanted)), None)
        if found is None:
            return False
        del words[found]
    return True


def up_to_date(referral: dict[str, Any]) -> dict[str, Any] | None:
    """A referral kept by an earlier version with the keys it is now found by (its child's, the digests of the
    child's name and its start a search uses, its council's reference folded, and the reference people quote), or
    None when it has them (or was erased: shared/erasure.py)."""
    if referral.get("erased_on"):
        return None
    keys = {"child_key": child_key(referral["child"]), "name_keys": name_keys(referral["child"]),
            "name_starts": name_starts(referral["child"]),
            "external_ref_key": reference_key(referral.get("external_ref")),
            "reference": llais_reference(referral["id"])}
    if all(referral.get(field) == value for field, value in keys.items()):
        return None
    return {**referral, **keys}
