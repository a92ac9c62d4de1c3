"""The complaints service's repository."""

from __future__ import annotations

from shared.store import Document, Store, find_all

COMPLAINTS = "complaints"


class ComplaintsStore:
    def __init__(self, store: Store):
        self.store = store

    def complaint(self, complaint_id: str) -> Document | None:
        return self.store.get(COMPLAINTS, complaint_id) if len(complaint_id) <= 64 else None

    def complaints(self, where: dict) -> list[Document]:
        return find_all(self.store, COMPLAINTS, where)
