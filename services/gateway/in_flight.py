"""What a caller's commands set travelling between services, and waiting for it before the calls that follow.

The gateway's half of shared/settling: after a command, the events its service named are kept for the command's
subject (and any referral its answer created or linked) and for the caller; before a read, or a command on a
subject, they are settled with the services that consume them, or the call is refused with 503 and Retry-After.
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from shared import settling
from shared.clock import now
from shared.web import Problem

from services.gateway import domain
from services.gateway.store import GatewayStore

log = logging.getLogger("llais.gateway")

RESOURCES = ("referrals", "meetings", "cases", "complaints")
"""The first segment of an internal path whose second names the call's subject (`/referrals/{id}/allocate`)."""
LINKS = ("id", "referral_id", "follow_on_referral_id")
"""The fields of a command's answer that name what else it touched: what it created, or a referral it opened."""
IN_FLIGHT_FOR = timedelta(minutes=10)
"""How long a command's events are waited for. Past this they are taken to have arrived (a call that waited that
long is not back to back), so a parked event cannot keep a referral unreadable."""
SWEEP_SECONDS = 60.0


def subject_of(path: str, body: Any) -> str | None:
    """The referral, meeting, case or complaint a call is about, if it names one."""
    parts = path.strip("/").split("/")
    if len(parts) >= 2 and parts[0] in RESOURCES:
        return parts[1]
    if isinstance(body, dict) and isinstance(body.get("referral_id"), str):
        return body["referral_id"]
    return None


def keep(store: GatewayStore, caller: domain.Principal, subject: str | None, answer: Any,
         events_header: str | None) -> None:
    """After a command: keep the events its service named, for the calls that follow."""
    events = settling.parse_header(events_header)
    if not events:
        return
    linked = [answer.get(name) for name in LINKS if isinstance(answer, dict) and isinstance(answer.get(name), str)]
    store.keep_in_flight(caller.id, [s for s in (subject, *linked) if s], events)


def wait_for(store: GatewayStore, settler: settling.Settler, subject: str | None, caller: domain.Principal) -> None:
    """Before a call: wait for what is travelling towards it, on its subject and from the caller's own commands.
    The public forms' caller is everyone, so they wait on their subject alone."""
    sweep.if_due(store)
    found = store.in_flight(subject=subject) if subject is not None else []
    if caller.kind != "public":
        found += store.in_flight(by=caller.id)
    _settle(store, settler, list({document.id: document for document in found}.values()))  # each record once


def wait_for_everything(store: GatewayStore, settler: settling.Settler) -> None:
    """Before a read of figures counted from every caller's commands (a report): wait for all that is travelling."""
    sweep.if_due(store)
    _settle(store, settler, store.all_in_flight())


def _settle(store: GatewayStore, settler: settling.Settler, waiting: list) -> None:
    if not waiting:
        return
    recent = now() - IN_FLIGHT_FOR
    events = [tuple(e) for d in waiting if datetime.fromisoformat(d.body["at"]) > recent for e in d.body["events"]]
    try:
        settler.settle(events)
    except settling.Unsettled as exc:
        log.warning("events still travelling; the call is refused for now", extra={"llais_reason": str(exc)})
        raise Problem(503, "Llais is still passing on an earlier change; try again in a moment.",
                      headers={"Retry-After": str(settling.RETRY_AFTER_SECONDS)}) from None
    store.settled(waiting)


class Sweep:
    """Stops waiting for what commands set travelling more than IN_FLIGHT_FOR ago, so a caller who made many
    commands and read none of them back is not made to wait for them all at once. Run by the request that finds it
    due, at most once every SWEEP_SECONDS in each process."""

    def __init__(self) -> None:
        self._at = 0.0
        self._running = threading.Lock()

    def if_due(self, store: GatewayStore) -> None:
        if time.monotonic() - self._at < SWEEP_SECONDS or not self._running.acquire(blocking=False):
            return
        try:
            self._at = time.monotonic()
            self.run(store, now())
        finally:
            self._running.release()

    @staticmethod
    def run(store: GatewayStore, moment: datetime) -> int:
        """How many it stopped waiting for."""
        return sum(1 for _ in store.in_flight_since(moment - IN_FLIGHT_FOR))


sweep = Sweep()
