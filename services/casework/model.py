"""What an advocacy case is, as the casework service records it: its fields (`Case`) and the one way one is made
(`case`), from the issue-based referral it is opened for. The rules of the work on it are in domain.py."""

from __future__ import annotations

from typing import Any, Optional, TypedDict


class Case(TypedDict, total=False):
    """A case as stored; the rules take one and give back the next, never changing it in place."""

    id: str
    """The referral's id: a referral has one case at most."""
    referral_id: str
    council: str
    region: str
    nation: str
    source: Optional[str]
    basis: str
    language: str
    advocate_email: str
    status: str
    """open or closed."""
    opened_at: str
    opened_by: str
    plan: Optional[dict[str, Any]]
    issues: list[dict[str, Any]]
    activities: list[dict[str, Any]]
    signposting: list[dict[str, Any]]
    advocate_changes: list[dict[str, Any]]
    change_waiting: bool
    disclosures: list[dict[str, Any]]
    closure: Optional[dict[str, Any]]
    timeline: list[dict[str, Any]]
    updated_at: str


def case(*, referral_id: str, council: str, region: str, nation: str, source: str | None, basis: str, language: str,
         advocate_email: str, opened_by: str, opened_at: str) -> Case:
    """A case as first opened: no plan, issues or work yet, with the first entry of its timeline."""
    return Case(id=referral_id, referral_id=referral_id, council=council, region=region, nation=nation, source=source,
                basis=basis, language=language, advocate_email=advocate_email, status="open", opened_at=opened_at,
                opened_by=opened_by, plan=None, issues=[], activities=[], signposting=[], advocate_changes=[],
                change_waiting=False, disclosures=[], closure=None, updated_at=opened_at,
                timeline=[{"at": opened_at, "what": "case opened", "by": opened_by}])
