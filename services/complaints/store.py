"""The complaints service's repository."""

from __future__ import annotations

from shared.erasure import Retained
from shared.store import Document, Index, Position, Store, every_combination, find_all, find_page
from shared.unit_of_work import UnitOfWork

from services.complaints import domain

COMPLAINTS = "complaints"

INDEXES = (
    Index(COMPLAINTS, ("tracking_digest",)),  # a complainant following their complaint by its tracking key
    *every_combination(COMPLAINTS, ("status", "kind")),  # the list's filters, each optional
    Index(COMPLAINTS, ("name_key",)),  # a child's own complaints, by their name (a subject access export)
)
"""The ways the service finds complaints (shared/store: Index)."""

RETAINED = (Retained(COMPLAINTS, "complaint", domain.erase_on, anonymised=domain.anonymised),)
"""How complaints fall due and are erased (shared/erasure.py)."""


class ComplaintsStore:
    def __init__(self, store: Store | UnitOfWork):
        self.store = store

    def complaint(self, complaint_id: str) -> Document | None:
        return self.store.get(COMPLAINTS, complaint_id) if len(complaint_id) <= 64 else None

    def in_order(self, limit: int, after: str | None) -> list[Document]:
        """A page of every complaint and compliment ever kept, in the order of their ids: their history."""
        return self.store.find(COMPLAINTS, None, limit=limit, after=after)

    def complaints(self, where: dict) -> list[Document]:
        return find_all(self.store, COMPLAINTS, where)

    def complaint_page(self, where: dict, limit: int, after: Position | None) -> tuple[list[dict], Position | None]:
        return find_page(self.store, COMPLAINTS, where, limit=limit, after=after)
