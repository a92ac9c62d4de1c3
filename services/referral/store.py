"""The referral service's repository: how it reads referrals, from the store or within a unit of work."""

from __future__ import annotations

from shared.erasure import AboutReferral, Retained
from shared.store import Document, Index, Store, every_combination, find_all
from shared.unit_of_work import UnitOfWork

from services.referral import retention
from services.referral.domain import OPEN_WORK
from services.referral.model import NAME_PARTS, NAME_STARTS

REFERRALS = "referrals"
OPT_OUTS = "opt_outs"
TRANSITIONS = "transitions"
MESSAGES = "messages"

LISTED_BY = ("council", "status", "advocate_email")
"""The filters of the referral list, each optional."""

INDEXES = (
    Index(REFERRALS, ("child.date_of_birth", "child_key")),  # earlier referrals of the same child: by name and date
    # of birth (and, for a referral kept before it had a child_key, its date of birth alone),
    Index(REFERRALS, ("council", "external_ref")),  # or by the council's own reference
    *every_combination(REFERRALS, LISTED_BY),
    *(Index(REFERRALS, (f"name_keys.{part}",)) for part in NAME_PARTS),  # staff searching by the child's name,
    *(Index(REFERRALS, (f"name_starts.{part}",)) for part in NAME_STARTS),  # by the start of a name,
    Index(REFERRALS, ("external_ref",)),  # or by a council's reference, as given
    Index(REFERRALS, ("external_ref_key",)),  # or in any case
    Index(REFERRALS, ("reference",)),  # or by the reference people quote
    Index(REFERRALS, ("id",)),  # several referrals read at once, for a list that names each child
    Index(OPT_OUTS, ("council", "external_ref")),  # a child's opt-outs, by the council's own reference
    *every_combination(TRANSITIONS, ("council", "renewed_offer_status")),  # transitions, and offers to make again
    Index(TRANSITIONS, ("council", "external_ref")),  # a child's transitions, by the council's own reference
    Index(TRANSITIONS, ("referral_id",)),  # or by the referral the council named
    *every_combination(MESSAGES, ("awaiting", "council")),  # messages awaiting an answer (or not), a council's
    Index(MESSAGES, ("referral_id",)),  # and a referral's
)
"""The ways the service finds referrals (shared/store: Index)."""

RETAINED = (
    Retained(REFERRALS, "child_record", retention.referral_erase_on, anonymised=retention.referral_anonymised,
             about=retention.linked, telling=retention.expired,
             along=(AboutReferral(MESSAGES, anonymised=retention.message_anonymised),)),
    Retained(OPT_OUTS, "opt_out", retention.opt_out_erase_on, anonymised=retention.opt_out_anonymised),
    Retained(TRANSITIONS, "transition", retention.transition_erase_on, anonymised=retention.transition_anonymised,
             about=retention.transition_about),
)
"""How a child's referrals, opt-outs and the changes in their care councils told of fall due and are erased
(services/referral/retention.py)."""


class ReferralStore:
    def __init__(self, store: Store | UnitOfWork):
        self.store = store

    def get(self, referral_id: str) -> Document | None:
        return self.store.get(REFERRALS, referral_id)

    def page(self, where: dict, limit: int, after: str | None) -> list[Document]:
        return self.store.find(REFERRALS, where, limit=limit, after=after)

    def by_id_from(self, prefix: str, limit: int) -> list[Document]:
        """Referrals whose id starts with `prefix` (a reference as the pages show it), read in the ids' order."""
        exact = self.store.get(REFERRALS, prefix)
        found = self.store.find(REFERRALS, None, limit=limit, after=prefix)
        return [*([exact] if exact else []), *(document for document in found if document.id.startswith(prefix))]

    def in_order(self, collection: str, limit: int, after: str | None) -> list[Document]:
        """A page of every referral (or opt-out) ever kept, in the order of their ids: their history."""
        return self.store.find(collection, None, limit=limit, after=after)

    def open_work(self) -> list[dict]:
        """Every referral not yet closed: waiting, or in an advocate's caseload (found by status)."""
        return [d.body for d in find_all(self.store, REFERRALS, {"status": list(OPEN_WORK)})]

    def everything(self, where: dict, collection: str = REFERRALS) -> list[Document]:
        return find_all(self.store, collection, where)
