"""Scheduling's repository: each referral's case (its clocks), meetings, and each advocate's diary."""

from __future__ import annotations

from typing import Any, Callable, Iterator, Sequence

from shared.erasure import AboutReferral
from shared.store import AtMost, Document, Index, Position, Store, find_all, find_page

from services.scheduling import domain

CASES = "cases"
COMPLAINT_CLOCKS = "complaint_clocks"
MESSAGE_CLOCKS = "message_clocks"
MEETINGS = "meetings"
DIARIES = "diaries"

INDEXES = (
    Index(CASES, ("clock_open", "next_due_at")),  # the deadline clock: cases with a clock due by now
    Index(COMPLAINT_CLOCKS, ("clock_open", "next_due_at")),  # and complaints' time limits
    Index(MESSAGE_CLOCKS, ("clock_open", "next_due_at")),  # and messages' response clocks
    Index(CASES, ("closed",)),  # deadlines needing attention on open referrals: everyone's,
    Index(CASES, ("closed", "advocate_email")),  # or one advocate's
    Index(MEETINGS, ("referral_id",)),  # a referral's meetings (its one live meeting)
    Index(MEETINGS, ("day",)),  # the day's diary: everyone's,
    Index(MEETINGS, ("day", "advocate_email")),  # or one advocate's
)
"""The ways scheduling finds its documents (shared/store: Index)."""

ABOUT_REFERRAL = (AboutReferral(MEETINGS, anonymised=domain.meeting_anonymised),)
"""What scheduling erases of a referral whose records expired (shared/erasure.py); its clocks hold codes and dates."""


class SchedulingStore:
    def __init__(self, store: Store):
        self.store = store

    def case(self, referral_id: str) -> Document | None:
        return self.store.get(CASES, referral_id)

    def meeting(self, meeting_id: str) -> Document | None:
        return self.store.get(MEETINGS, meeting_id)

    def diary(self, advocate_email: str) -> Document | None:
        return self.store.get(DIARIES, advocate_email)

    def due(self, moment: str, collection: str = CASES, page_size: int = 200) -> Iterator[Document]:
        """The cases (or complaints' clocks) with a clock that changes by `moment` (domain.comparable), page by
        page; then any written before they said when (no `next_due_at`), which their first tick dates."""
        for where in ({"clock_open": True, "next_due_at": AtMost(moment)}, {"clock_open": True, "next_due_at": None}):
            after = None
            while page := self.store.find(collection, where, limit=page_size, after=after):
                yield from page
                after = page[-1].id

    def in_order(self, collection: str, limit: int, after: str | None) -> list[Document]:
        """A page of every referral's case (or every meeting) ever kept, in the order of their ids: their history."""
        return self.store.find(collection, None, limit=limit, after=after)

    def case_page(self, where: dict, limit: int, after: Position | None,
                  items: Callable[[Document], Sequence[Any]]) -> tuple[list[Any], Position | None]:
        """A page of what `items` makes of each case matching `where`, in the order of their ids."""
        return find_page(self.store, CASES, where, limit=limit, after=after, items=items)

    def meeting_page(self, where: dict, limit: int, after: Position | None) -> tuple[list[dict], Position | None]:
        return find_page(self.store, MEETINGS, where, limit=limit, after=after)

    def all_meetings(self, where: dict) -> list[Document]:
        return find_all(self.store, MEETINGS, where)

    def meetings_of(self, referral_id: str) -> list[dict]:
        return [document.body for document in self.all_meetings({"referral_id": referral_id})]
