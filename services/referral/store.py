"""The referral service's repository: how it reads referrals, from the store or within a unit of work."""

from __future__ import annotations

from shared.store import Document, Index, Store, every_combination, find_all
from shared.unit_of_work import UnitOfWork

REFERRALS = "referrals"
OPT_OUTS = "opt_outs"

LISTED_BY = ("council", "status", "advocate_email")
"""The filters of the referral list, each optional."""

INDEXES = (
    Index(REFERRALS, ("child.date_of_birth", "child_key")),  # earlier referrals of the same child: by name and date
    # of birth (and, for a referral kept before it had a child_key, its date of birth alone),
    Index(REFERRALS, ("council", "external_ref")),  # or by the council's own reference
    *every_combination(REFERRALS, LISTED_BY),
)
"""The ways the service finds referrals (shared/store: Index)."""


class ReferralStore:
    def __init__(self, store: Store | UnitOfWork):
        self.store = store

    def get(self, referral_id: str) -> Document | None:
        return self.store.get(REFERRALS, referral_id)

    def page(self, where: dict, limit: int, after: str | None) -> list[Document]:
        return self.store.find(REFERRALS, where, limit=limit, after=after)

    def in_order(self, collection: str, limit: int, after: str | None) -> list[Document]:
        """A page of every referral (or opt-out) ever kept, in the order of their ids: their history."""
        return self.store.find(collection, None, limit=limit, after=after)

    def everything(self, where: dict) -> list[Document]:
        return find_all(self.store, REFERRALS, where)
