"""Erasure: each service removes or anonymises its own records once their retention period is over.

A service declares, per collection it keeps personal data in, a `Retained`: the kind of record, how its due day
follows from the record's own dates (shared/retention.py), and what erasing it leaves (an anonymised body that keeps
the ids, codes, dates and statuses the service and reporting need) or nothing (the document is removed). Every
write goes through `Stamping`, which sets the record's `erase_on` (`YYYY-MM-DD`, None while it cannot be known yet)
from that declaration, so no handler can forget it; an index on `erase_on` lets the job read only what is due, so a
run costs what it erases, not what is stored.

The job (`erase_due`, a worker's periodic task and `llais retention run`) pages through what is due on a day, skips
what a legal hold covers (`legal_holds`, by the referral a record is about), erases the rest each at the version it
was read (so two workers never erase the same record twice, and a record changed meanwhile waits for the next run),
forgets inbox entries older than the longest redelivery window, and writes one erasure record: the kinds, counts and
SHA-256 of the ids it erased, never the data.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime, time as day_time, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping, Sequence

from shared.clock import new_id, now, timestamp
from shared.contracts import Event
from shared.retention import Policy, as_text, day_of
from shared.store import AtMost, Document, Index, Put, Store, find_all
from shared.unit_of_work import UnitOfWork

log = logging.getLogger("llais.erasure")

ERASURES = "erasures"
"""Each run's erasure record: kinds, counts, hashed ids."""
LEGAL_HOLDS = "legal_holds"
"""The referrals under a legal hold, by id, as this service was told of them: their children's records wait."""
ERASE_EVERY_SECONDS = 3600.0
ERASE_FIRST_AFTER_SECONDS = 300.0
INBOX_KEPT = timedelta(days=90)
"""How long a handled event's id is kept in an inbox: longer than any redelivery (retries, a parked message
replayed) can come."""
PAGE = 200


@dataclass(frozen=True)
class Retained:
    """How one collection's records fall due and are erased."""

    collection: str
    kind: str
    """The kind of record, as the erasure record names it (shared/retention.py's KINDS, or the service's own)."""
    due: Callable[[Mapping[str, Any], Policy], date | None]
    """The day a record falls due, from its body; None while it cannot be known."""
    anonymised: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    """What erasing leaves of a body; None: the document is removed."""
    about: Callable[[Mapping[str, Any]], Iterable[str]] = lambda body: ()
    """The referrals a record is about, whose legal hold keeps it."""
    telling: Callable[[Mapping[str, Any], date], Sequence[Event]] | None = None
    """The events its erasure causes, committed with the anonymised record (the referral's `retention.expired`)."""
    along: Sequence["AboutReferral"] = ()
    """The service's other records about the one erased (by its id), erased with it: a referral's messages."""

    @property
    def index(self) -> Index:
        return Index(self.collection, ("erase_on",))


@dataclass(frozen=True)
class AboutReferral:
    """A collection whose records are about one referral, erased when the referral service says the referral's
    records expired (`retention.expired`)."""

    collection: str
    field: str | None = "referral_id"
    """The field naming the referral (found through an index on it); None: the record's id is the referral's."""
    anonymised: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None = None
    """What erasing leaves of a body; None: the document is removed."""

    @property
    def kind(self) -> str:
        return self.collection


def indexes(retained: Sequence[Retained], about: Sequence[AboutReferral] = ()) -> tuple[Index, ...]:
    """The indexes erasure reads through: one on each retained collection's due day, and one on the referral each
    record about a referral names."""
    about = [*about, *(along for r in retained for along in r.along)]
    return tuple(dict.fromkeys([*(r.index for r in retained),
                                *(Index(a.collection, (a.field,)) for a in about if a.field)]))


def stamped(body: Mapping[str, Any], retained: Retained, policy: Policy) -> dict:
    """The body with its due day set; an erased record's stays None, so it drops out of the index."""
    due = None if body.get("erased_on") else retained.due(body, policy)
    return {**body, "erase_on": as_text(due)}


class Stamping:
    """A service's store as its handlers write to it: every commit of a retained record carries its `erase_on`.
    Everything else is the store's own."""

    def __init__(self, store: Store, retained: Sequence[Retained], policy: Policy):
        self.inner = store
        self.retained = {r.collection: r for r in retained}
        self.policy = policy

    def commit(self, put: Put | None = None, **kwargs: Any) -> int:
        retained = self.retained.get(put.collection) if put is not None else None
        if retained is not None:
            put = Put(put.collection, put.id, stamped(put.body, retained, self.policy), put.expected_version)
        return self.inner.commit(put, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def stamping(store: Store, retained: Sequence[Retained], policy: Policy) -> Store:
    """`store` with `retained`'s due days stamped on every write (the store itself when nothing is retained)."""
    if not retained or isinstance(store, Stamping):
        return store
    return Stamping(store, retained, policy)  # type: ignore[return-value]


def digest(id: str) -> str:
    """An erased record's id as the erasure record keeps it."""
    return hashlib.sha256(id.encode()).hexdigest()


def held_referrals(store: Store) -> set[str]:
    """The referrals under a legal hold here (few: read whole): each held, and those its hold covers."""
    return {referral_id for document in find_all(store, LEGAL_HOLDS) if document.body.get("held")
            for referral_id in (document.id, *document.body.get("referral_ids", ()))}


def erase_due(store: Store, retained: Sequence[Retained], on: date, *, page: int = PAGE,
              parked: Callable[[Callable[[Any], bool]], int] | None = None,
              held_elsewhere: Iterable[str] = ()) -> dict | None:
    """Erase every record due on or before `on` that no legal hold covers (those this service keeps, and
    `held_elsewhere`: the referrals held as the referral service answers, for a service that hears of no holds),
    forget inbox entries older than INBOX_KEPT (and, through `parked`, the service's parked messages that
    `parked_to_forget` names), and keep an erasure record of it; the record, or None when nothing was erased or
    forgotten."""
    uow, held = UnitOfWork(store), held_referrals(store) | set(held_elsewhere)
    kinds: dict[str, dict] = {}
    referrals: set[str] = set()
    for declaration in retained:
        after = None
        while found := store.find(declaration.collection, {"erase_on": AtMost(on.isoformat())}, limit=page,
                                  after=after):
            after = found[-1].id
            for document in found:
                if held.intersection(declaration.about(document.body)) or _put_off(uow, store, declaration,
                                                                                     document, on):
                    continue
                if _erase(uow, declaration, document, on):
                    _count(kinds, declaration.kind, document.id)
                    _erase_about(uow, declaration.along, document.id, on, kinds)
                    referrals.update(declaration.about(document.body))
    forgotten = store.forget_handled((datetime.combine(on, day_time(), timezone.utc) - INBOX_KEPT).timestamp())
    parked_forgotten = parked(parked_to_forget(on, referrals)) if parked is not None else 0
    if not kinds and not forgotten and not parked_forgotten:
        return None
    record = {"id": new_id(), "at": timestamp(), "as_of": on.isoformat(), "kinds": kinds,
              "inbox_forgotten": forgotten, "parked_forgotten": parked_forgotten}
    uow.create(ERASURES, record["id"], record)
    log.info("records erased", extra={"llais_erased": {kind: kept["count"] for kind, kept in kinds.items()},
                                      "llais_inbox_forgotten": forgotten})
    return record


def _put_off(uow: UnitOfWork, store: Store, declaration: Retained, document: Document, on: date) -> bool:
    """Whether the period in force now has the record fall due later than its stamp says (a provider lengthened
    it since the record was written): then it is written again as it is, which stamps the later day, and is not
    erased. A period shortened since is applied by `llais upgrade-records`, which stamps every record again."""
    if not isinstance(store, Stamping):
        return False
    due = declaration.due(document.body, store.policy)
    if due is None or due <= on:
        return False
    uow.update(document, document.body)  # another writer's change meanwhile stamps it as well
    return True


def _erase(uow: UnitOfWork, declaration: Retained | AboutReferral, document: Document, on: date, *,
           last: bool = True) -> bool:
    """Erase one record as it was read: False when another writer (another worker's run) got there first."""
    if declaration.anonymised is None:
        return uow.remove(document)
    body = {**declaration.anonymised(document.body), "erase_on": None, "erased_on": on.isoformat()}
    telling = getattr(declaration, "telling", None)
    return uow.update(document, body, telling(document.body, on) if telling else (), last=last) is not None


def erasing_referral(about: Sequence[AboutReferral]) -> Callable[[Event, UnitOfWork], None]:
    """The handler of `retention.expired`: erase every record in `about` of the referral, and keep an erasure
    record of it. A redelivery finds them erased already and erases nothing."""
    def handle(event: Event, uow: UnitOfWork) -> None:
        referral_id, on = event.data["referral_id"], date.fromisoformat(event.data["erased_on"])
        kinds: dict[str, dict] = {}
        _erase_about(uow, about, referral_id, on, kinds)
        if kinds:
            record = {"id": new_id(), "at": timestamp(), "as_of": on.isoformat(), "kinds": kinds,
                      "inbox_forgotten": 0, "because": "retention.expired", "event_id": event.id,
                      "referral": digest(referral_id)}
            uow.create(ERASURES, record["id"], record)
    return handle


def keep_hold(uow: UnitOfWork, referral_ids: Iterable[str], held: bool, *, last: bool = False) -> None:
    """Keep (or, lifted, release) the referrals a legal hold covers, as this service's erasure reads them."""
    for referral_id in referral_ids:
        uow.change(LEGAL_HOLDS, referral_id, lambda body: None if bool(body.get("held")) == held else (
            {**body, "held": held}, []), initial={}, last=last)


def _erase_about(uow: UnitOfWork, about: Sequence[AboutReferral], referral_id: str, on: date,
                 kinds: dict[str, dict]) -> None:
    """Erase every record in `about` of the referral, counting each in `kinds`."""
    for declaration in about:
        if declaration.field is None:
            found = [d for d in [uow.get(declaration.collection, referral_id)] if d is not None]
        else:
            found = find_all(uow, declaration.collection, {declaration.field: referral_id})  # type: ignore[arg-type]
        for document in found:
            if not document.body.get("erased_on") and _erase(uow, declaration, document, on, last=False):
                _count(kinds, declaration.kind, document.id)


def _count(kinds: dict[str, dict], kind: str, id: str) -> None:
    erased = kinds.setdefault(kind, {"count": 0, "ids": []})
    erased["count"] += 1
    erased["ids"].append(digest(id))


def hold_placed(event: Event, uow: UnitOfWork) -> None:
    """`legal_hold.placed`: keep every referral it covers out of erasure until it is lifted."""
    keep_hold(uow, event.data["referral_ids"], True)


def hold_lifted(event: Event, uow: UnitOfWork) -> None:
    """`legal_hold.lifted`: what the hold covered may be erased again when due."""
    keep_hold(uow, event.data["referral_ids"], False)


HOLDING = {"legal_hold.placed": hold_placed, "legal_hold.lifted": hold_lifted}
"""The handlers of a service that erases a child's records: it keeps the held referrals and skips them."""


def parked_to_forget(on: date, referral_ids: Iterable[str] = ()) -> Callable[[Any], bool]:
    """Which parked messages (shared/bus/parking.py's `ParkedMessage`) go: those parked longer than INBOX_KEPT
    before `on`, and those whose event names one of `referral_ids` (erased)."""
    erased, before = set(referral_ids), (datetime.combine(on, day_time(), timezone.utc) - INBOX_KEPT).isoformat()

    def forget(parked: Any) -> bool:
        data = parked.body.get("data") if isinstance(parked.body, dict) else None
        named = isinstance(data, dict) and data.get("referral_id") in erased
        return named or bool(parked.parked_at and parked.parked_at < before)
    return forget


def erasure_log(store: Store, limit: int = 50) -> list[dict]:
    """The latest erasure records, newest first."""
    return [document.body for document in reversed(find_all(store, ERASURES))][:limit]


def today() -> date:
    """The London day now: what is due on it is erased."""
    return day_of(timestamp(now()))  # type: ignore[return-value]


__all__ = ["AboutReferral", "ERASE_EVERY_SECONDS", "ERASE_FIRST_AFTER_SECONDS", "ERASURES", "HOLDING", "INBOX_KEPT",
           "LEGAL_HOLDS", "Retained", "Stamping", "digest", "erase_due", "erasing_referral", "erasure_log",
           "held_referrals", "hold_lifted", "hold_placed", "indexes", "keep_hold", "parked_to_forget", "stamped",
           "stamping", "today"]
