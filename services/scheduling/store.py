"""Scheduling's repository: each referral's case (its clocks), meetings, and each advocate's diary."""

from __future__ import annotations

from shared.store import Document, Store, find_all

CASES = "cases"
COMPLAINT_CLOCKS = "complaint_clocks"
MEETINGS = "meetings"
DIARIES = "diaries"


class SchedulingStore:
    def __init__(self, store: Store):
        self.store = store

    def case(self, referral_id: str) -> Document | None:
        return self.store.get(CASES, referral_id)

    def meeting(self, meeting_id: str) -> Document | None:
        return self.store.get(MEETINGS, meeting_id)

    def diary(self, advocate_email: str) -> Document | None:
        return self.store.get(DIARIES, advocate_email)

    def open_cases(self, after: str | None, limit: int = 200, collection: str = CASES) -> list[Document]:
        return self.store.find(collection, {"clock_open": True}, limit=limit, after=after)

    def cases(self, where: dict, after: str | None, limit: int = 200) -> list[Document]:
        return self.store.find(CASES, where, limit=limit, after=after)

    def all_cases(self, where: dict) -> list[Document]:
        return find_all(self.store, CASES, where)

    def all_meetings(self, where: dict) -> list[Document]:
        return find_all(self.store, MEETINGS, where)

    def meetings_of(self, referral_id: str) -> list[dict]:
        return [document.body for document in self.all_meetings({"referral_id": referral_id})]
