"""Casework's repository: what it keeps of each referral (to open a case from it) and the cases."""

from __future__ import annotations

from shared.erasure import AboutReferral
from shared.store import Document, Index, Position, Store, every_combination, find_all, find_page
from shared.unit_of_work import UnitOfWork

from services.casework import domain

REFERRALS = "referrals"
CASES = "cases"

INDEXES = (
    *every_combination(CASES, ("status", "advocate_email")),  # the case list's filters, each optional
    Index(CASES, ("change_waiting",)),  # a manager's home: the children's requests for a different advocate
)
"""The ways casework finds cases (shared/store: Index)."""

ABOUT_REFERRAL = (AboutReferral(CASES, anonymised=domain.anonymised),)
"""What casework erases of a referral whose records expired (shared/erasure.py); its copy of the referral holds
codes only."""


class CaseworkStore:
    def __init__(self, store: Store | UnitOfWork):
        self.store = store

    def referral(self, referral_id: str) -> Document | None:
        return self.store.get(REFERRALS, referral_id)

    def case(self, case_id: str) -> Document | None:
        return self.store.get(CASES, case_id)

    def in_order(self, limit: int, after: str | None) -> list[Document]:
        """A page of every case ever kept, in the order of their ids: their history."""
        return self.store.find(CASES, None, limit=limit, after=after)

    def open_cases(self) -> list[dict]:
        """Every open case (found by status), for caseloads."""
        return [d.body for d in find_all(self.store, CASES, {"status": "open"})]

    def case_page(self, where: dict, limit: int, after: Position | None) -> tuple[list[dict], Position | None]:
        return find_page(self.store, CASES, where, limit=limit, after=after)
