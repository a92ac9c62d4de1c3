"""The reporting service's repository: the facts it counts and the referrals' journeys, both found by council and
quarter, and the complaints' time limits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterator, Sequence

from shared.store import Document, Index, Store, find_all
from shared.unit_of_work import UnitOfWork

FACTS = "facts"
JOURNEYS = "journeys"
COMPLAINTS = "complaints"
"""Each complaint's council and the answer due at each stage, read by its id alone."""
CASES = "cases"
"""Each case's council, when it opened and closed and its advocate (as a key) from each moment: caseloads."""
MESSAGES = "messages"
"""Each message's council, when it came and when its answer was due, read by its id alone."""

INDEXES = (
    Index(FACTS, ("quarter", "type")),  # the whole provider's period, the kinds counted
    Index(FACTS, ("council", "quarter", "type")),  # a council's, or a region's councils' (any of them)
    Index(JOURNEYS, ("quarter",)),
    Index(JOURNEYS, ("council", "quarter")),
    Index(FACTS, ("referral_id",)),  # a backfill's look for what was heard already of a referral
    Index(FACTS, ("optout_id",)),  # or of an opt-out
    Index(FACTS, ("complaint_id",)),  # or of a complaint
    Index(CASES, ("council",)),  # a council's or a region's cases, for caseloads at a period's end
    Index(FACTS, ("message_id",)),  # or of a message
    Index(FACTS, ("transition_id",)),  # or of a transition told
)
"""The ways the service finds what it counts (shared/store: Index); a rebuild reads the facts by quarter too."""


READ_PAGE = 5000
"""A report reads every fact of its period: in pages this long, since each page's query finds its place in id
order again (a few long pages rather than hundreds of short ones)."""
SUBJECTS = ("referral_id", "optout_id", "complaint_id", "message_id", "transition_id")
"""What a fact is about, by which one recalled from history is matched with one heard live."""
SAME_MOMENT = timedelta(seconds=2)


class ReportingStore:
    def __init__(self, store: Store | UnitOfWork):
        self.store = store

    def facts(self, quarters: Sequence[str], councils: Sequence[str] | None, types: Sequence[str]) -> list[dict]:
        """The facts of `types` that happened in `quarters`, of `councils` (None: every council)."""
        return [d.body for d in find_all(self.store, FACTS, {**_where(quarters, councils), "type": list(types)},
                                         page_size=READ_PAGE)]

    def journeys(self, quarters: Sequence[str], councils: Sequence[str] | None) -> list[dict]:
        """The journeys of the referrals received in `quarters`, of `councils` (None: every council)."""
        return [d.body for d in find_all(self.store, JOURNEYS, _where(quarters, councils), page_size=READ_PAGE)]

    def cases(self, councils: Sequence[str] | None) -> list[dict]:
        """Every case followed for caseloads, of `councils` (None: every council)."""
        where = None if councils is None else {"council": list(councils)}
        return [d.body for d in find_all(self.store, CASES, where, page_size=READ_PAGE)]

    def heard(self, fact: dict) -> bool:
        """Whether a fact of the same kind about the same referral, opt-out or complaint, at the same moment, is
        kept already: the same happening, heard as it happened and recalled from history. The moment an event
        recalls may be its owner's record of it, a few milliseconds from when the event said it happened."""
        key = next((name for name in SUBJECTS if fact.get(name)), None)
        if key is None:
            return False
        at = datetime.fromisoformat(fact["at"])
        return any(d.body["type"] == fact["type"] and abs(datetime.fromisoformat(d.body["at"]) - at) <= SAME_MOMENT
                   for d in find_all(self.store, FACTS, {key: fact[key]}))

    def every_fact(self) -> Iterator[Document]:
        """Every fact kept, page by page in the order of their ids, for a rebuild."""
        after = None
        while page := self.store.find(FACTS, None, limit=500, after=after):
            yield from page
            after = page[-1].id


def _where(quarters: Sequence[str], councils: Sequence[str] | None) -> dict:
    where: dict = {"quarter": list(quarters)}
    if councils is not None:
        where["council"] = list(councils)
    return where
