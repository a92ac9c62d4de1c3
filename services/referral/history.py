"""The events the referral service published before a consumer existed, recalled from what it keeps, so a service
that came later (reporting) can catch up on history: each referral's receipt, allocation, contact attempts and
closure, and each opt-out, as the events said them then (codes, dates and ids, no names), and only those that
happened before the moment the consumer began to hear them.

Pure: it reads a referral or an opt-out and gives the events; the API pages through the store."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterator

from shared.contracts import Event, recalled_event

from services.referral import domain

NAME = "referral"


def _before(moment: str | None, cut: datetime) -> bool:
    return moment is not None and datetime.fromisoformat(moment) < cut


def of_referral(referral: dict[str, Any], before: datetime) -> Iterator[Event]:
    """The events of one referral that happened before `before`, in the order they happened."""
    subject = f"referral:{referral['id']}"

    def recalled(event_type: str, data: dict, at: str, key: str = "") -> Event:
        return recalled_event(event_type, data, producer=NAME, subject=subject, occurred_at=at, key=key)

    if not _before(referral["received_at"], before):
        return
    yield recalled("referral.received", domain.received_event_data(referral), referral["received_at"])
    if _before(referral.get("allocated_at"), before):
        yield recalled("referral.allocated", domain.allocated_event_data(referral, referral["advocate_email"],
                                                                         referral["allocated_at"]),
                       referral["allocated_at"])
    for number, attempt in enumerate(referral.get("contact_attempts", [])):
        if _before(attempt["at"], before):
            yield recalled("contact.attempted", domain.contact_attempt_event_data(referral, attempt), attempt["at"],
                           key=str(number))
    if referral.get("status") == "closed" and _before(referral.get("closed_at"), before):
        yield recalled("referral.closed", domain.closed_event_data(referral), referral["closed_at"])


def of_opt_out(opt_out: dict[str, Any], before: datetime) -> Iterator[Event]:
    """An opt-out's `optout.recorded`, if it was recorded before `before`."""
    if _before(opt_out["recorded_at"], before):
        yield recalled_event("optout.recorded", domain.opt_out_event_data(opt_out), producer=NAME,
                             subject=f"optout:{opt_out['id']}", occurred_at=opt_out["recorded_at"])
