"""The gateway's own erasure: which of its records fall due when (services/gateway/domain.py), and the sweep that
erases them (shared/erasure.py). The gateway has no worker role, so a request that finds the sweep due runs it, at
most once an hour in each process, as expired web sessions are ended; `llais retention run` runs it at once."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Iterable, Mapping

from shared import erasure
from shared.erasure import Retained
from shared.http import ServiceClient, ServiceUnavailable
from shared.store import Store, StoreUnavailable

from services.gateway import domain
from services.gateway.store import AUDIT, IDEMPOTENCY, IN_FLIGHT, PASSWORD_RESETS, WEB_SESSIONS

log = logging.getLogger("llais.gateway")

RETAINED = (
    Retained(AUDIT, "audit", domain.audit_erase_on,
             about=lambda entry: [entry["referral_id"]] if entry.get("referral_id") else []),
    Retained(IDEMPOTENCY, "idempotency_record", domain.key_record_erase_on),
    Retained(WEB_SESSIONS, "web_session", domain.session_erase_on),
    Retained(IN_FLIGHT, "in_flight", domain.in_flight_erase_on),
    Retained(PASSWORD_RESETS, "password_reset", domain.reset_erase_on),
)
"""How the gateway's records fall due and are removed."""


class Sweep:
    """Runs the gateway's erasure when a request finds it due. The audit of a child's records under a legal hold is
    kept until the hold is lifted: `held` answers the referrals the holds cover (the referral service keeps them),
    and when it cannot be asked nothing is swept, since nothing may go that a hold keeps."""

    def __init__(self, every: float = erasure.ERASE_EVERY_SECONDS):
        self.every = every
        self._at: float | None = None
        self._running = threading.Lock()

    def if_due(self, store: Store, held: Callable[[], Iterable[str]]) -> None:
        if (self._at is not None and time.monotonic() - self._at < self.every) \
                or not self._running.acquire(blocking=False):
            return
        try:
            self._at = time.monotonic()
            erasure.erase_due(store, RETAINED, erasure.today(), held_elsewhere=held())
        except StoreUnavailable as exc:  # the next sweep due erases what this one could not
            log.warning("records due not erased; the store cannot be used now", extra={"llais_error": str(exc)})
        except ServiceUnavailable:
            log.warning("records due not erased; the referral service did not say which children are held")
        finally:
            self._running.release()


def held_referrals(clients: Mapping[str, ServiceClient]) -> list[str]:
    """The referrals under a legal hold, as the referral service answers; ServiceUnavailable when it cannot."""
    if "referral" not in clients:
        raise ServiceUnavailable("the referral service is not configured")
    answer = clients["referral"].request("GET", "/legal-holds")
    if answer.status_code != 200:
        raise ServiceUnavailable(f"the referral service answered {answer.status_code}")
    return answer.json()["referral_ids"]


sweep = Sweep()
