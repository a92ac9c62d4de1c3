"""The referral service's commands and event handlers: load, let the domain decide, save with the events."""

from __future__ import annotations

import base64
from datetime import datetime
from zoneinfo import ZoneInfo

from shared.clock import new_id, now, timestamp
from shared.contracts import Event, new_event
from shared.councils import CouncilRegister
from shared.store import Store, VersionConflict

from services.referral import domain
from services.referral.store import ReferralStore

NAME = "referral"
LONDON = ZoneInfo("Europe/London")
CONFLICT_RETRIES = 5


class UnknownCouncil(ValueError):
    pass


def receive_referral(referrals: ReferralStore, councils: CouncilRegister, request: dict) -> dict:
    """Record a council's referral and, in the same write, the `referral.received` event."""
    council = councils.get(request["council"])
    if council is None:
        raise UnknownCouncil(request["council"])
    received = now()
    domain.check_referral(request, received.astimezone(LONDON).date())
    referral = domain.new_referral(new_id(), request, council, timestamp(received))
    event = new_event("referral.received", domain.received_event_data(referral), producer=NAME,
                      subject=f"referral:{referral['id']}")
    referrals.add(referral, [event])
    return referral


def acknowledge_referral(event: Event, store: Store) -> None:
    """On `referral.received`: acknowledge the referral and say so (`referral.acknowledged`), once."""
    referrals = ReferralStore(store)
    for _ in range(CONFLICT_RETRIES):
        document = referrals.get(event.data["referral_id"])
        if document is None:
            raise LookupError(f"referral {event.data['referral_id']} is not in this service's store")
        acknowledged = domain.acknowledge(document.body, timestamp())
        if acknowledged is None:
            return
        follow = event.follow("referral.acknowledged", domain.acknowledged_event_data(acknowledged), producer=NAME)
        try:
            referrals.save(document, acknowledged, [follow], handled=event.id)
            return
        except VersionConflict:
            continue
    raise VersionConflict(f"referral {event.data['referral_id']} kept changing while being acknowledged")


def visible_referral(referrals: ReferralStore, referral_id: str, council: str | None) -> dict | None:
    """The referral if the caller may see it: a council sees only its own (another's is as if absent)."""
    document = referrals.get(referral_id)
    if document is None or (council is not None and document.body["council"] != council):
        return None
    return document.body


def _cursor(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode().rstrip("=")


def _after(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (ValueError, UnicodeDecodeError):
        raise ValueError("cursor") from None


def list_referrals(referrals: ReferralStore, council: str | None, *, status: str | None = None,
                   updated_since: datetime | None = None, limit: int = 50,
                   cursor: str | None = None) -> tuple[list[dict], str | None]:
    """A page of referrals, oldest first, and the cursor of the next page (None at the end)."""
    where = {k: v for k, v in (("council", council), ("status", status)) if v is not None}
    after, items = _after(cursor), []
    while len(items) < limit:
        page = referrals.page(where, limit=limit, after=after)
        if not page:
            return items, None
        for document in page:
            after = document.id
            if updated_since and datetime.fromisoformat(document.body["updated_at"]) < updated_since:
                continue
            items.append(document.body)
            if len(items) == limit:
                break
    more = referrals.page(where, limit=1, after=after)
    return items, _cursor(after) if more else None
