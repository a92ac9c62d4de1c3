"""Notify's repository (its reads, from the store or within a unit of work): councils' webhooks, what it knows of each referral's consent and referrer, and every
message made, attempted or withheld; and for the mail it sends of its own accord, the meetings to remind advocates
of, the deadlines waiting for the managers' digest, each morning's digest as claimed, and the complainants to
reply to."""

from __future__ import annotations

from datetime import datetime, timezone

from shared.erasure import AboutReferral, Retained
from shared.store import AtMost, Document, Index, Store, every_combination, find_all
from shared.unit_of_work import UnitOfWork

from services.notify import domain

WEBHOOKS = "webhooks"
REFERRALS = "referrals"
DELIVERIES = "deliveries"
UNSENT = "unsent"
MEETINGS = "meetings"
ALERTS = "deadline_alerts"
DIGESTS = "digests"
COMPLAINTS = "complaints"

WAITING = "waiting"
"""A meeting whose day's email, or a deadline whose place in a digest, is still to come."""

NARROW = ("event_id", "referral_id")
"""Filters that leave a handful of messages (one event's, one referral's): a listing by one of them reads those
through its own index and applies the rest of its filters to them."""

INDEXES = (
    Index(DELIVERIES, ("status", "next_attempt_at")),  # the dispatcher: pending deliveries due by now
    *every_combination(DELIVERIES, ("council", "status", "channel")),  # the operators' listing
    *(Index(collection, (field,)) for collection in (DELIVERIES, UNSENT) for field in NARROW),
    Index(UNSENT, ("council",)),
    Index(MEETINGS, ("reminder", "remind_at")),  # the meeting-day job: reminders due by now
    Index(ALERTS, ("digest",)),  # the morning digest: deadlines not yet in one
)
"""The ways notify finds messages (shared/store: Index)."""

RETAINED = tuple(Retained(collection, "delivery", domain.delivery_erase_on,
                          about=lambda record: [record["referral_id"]] if record.get("referral_id") else [])
                 for collection in (DELIVERIES, UNSENT))
"""How delivery records fall due and are removed (shared/erasure.py)."""

ABOUT_REFERRAL = (AboutReferral(REFERRALS, field=None), AboutReferral(DELIVERIES), AboutReferral(UNSENT))
"""What notify removes of a referral whose records expired: the referrer's address and the consent it kept, and
every message made about it."""


class NotifyStore:
    def __init__(self, store: Store | UnitOfWork):
        self.store = store

    def webhook(self, council: str) -> Document | None:
        return self.store.get(WEBHOOKS, council)

    def referral(self, referral_id: str) -> Document | None:
        return self.store.get(REFERRALS, referral_id)

    def meeting(self, meeting_id: str) -> Document | None:
        return self.store.get(MEETINGS, meeting_id)

    def complaint(self, complaint_id: str) -> Document | None:
        return self.store.get(COMPLAINTS, complaint_id)

    def reminders_due(self, moment: datetime, limit: int = 100, after: str | None = None) -> list[Document]:
        """Meetings whose day's email is due by `moment` and not yet made (remind_at is UTC RFC 3339 text)."""
        by = moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
        return self.store.find(MEETINGS, {"reminder": WAITING, "remind_at": AtMost(by)}, limit=limit, after=after)

    def alerts_waiting(self) -> list[Document]:
        """Deadlines at risk or missed that no digest has told of yet."""
        return find_all(self.store, ALERTS, {"digest": WAITING})

    def digest(self, day: str) -> Document | None:
        return self.store.get(DIGESTS, day)

    def pending(self, limit: int = 100, after: str | None = None) -> list[Document]:
        return self.store.find(DELIVERIES, {"status": "pending"}, limit=limit, after=after)

    def due(self, moment: datetime, limit: int = 100, after: str | None = None) -> list[Document]:
        """Pending deliveries whose next attempt is due by `moment` (next_attempt_at is UTC RFC 3339 text, which
        sorts as the moments do), oldest first; those waiting out a back-off are not read at all."""
        by = moment.astimezone(timezone.utc).isoformat(timespec="microseconds")
        return self.store.find(DELIVERIES, {"status": "pending", "next_attempt_at": AtMost(by)}, limit=limit,
                               after=after)

    def deliveries(self, where: dict, limit: int = 200, after: str | None = None) -> list[Document]:
        return self._listed(DELIVERIES, where, limit, after)

    def unsent(self, where: dict, limit: int = 200) -> list[Document]:
        return self._listed(UNSENT, where, limit, None)

    def _listed(self, collection: str, where: dict, limit: int, after: str | None) -> list[Document]:
        """Messages matching `where` in id order: by one event or referral through its own index (the other
        filters applied to its few messages), else through the index of exactly these filters."""
        for field in NARROW:
            if field in where:
                rest = {k: v for k, v in where.items() if k != field}
                found = [d for d in find_all(self.store, collection, {field: where[field]})
                         if (after is None or d.id > after) and all(d.body.get(k) == v for k, v in rest.items())]
                return found[:limit]
        return self.store.find(collection, where, limit=limit, after=after)
