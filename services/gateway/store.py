"""The gateway's repository: API clients, users, tokens, idempotency records, the audit log, and the events each
caller's commands left travelling between services (shared/settling). It writes through the unit of work
(shared/unit_of_work): each record is created once, or written over as it was read."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable, Iterable, Iterator, Sequence

from shared import validation
from shared.clock import new_id, now, timestamp
from shared.store import AtMost, Document, EventRef, Index, Store, VersionConflict, find_all
from shared.unit_of_work import UnitOfWork

API_CLIENTS = "api_clients"
USERS = "users"
TOKENS = "tokens"
IDEMPOTENCY = "idempotency"
AUDIT = "audit"
WEB_SESSIONS = "web_sessions"
SIGN_IN_FAILURES = "sign_in_failures"
IN_FLIGHT = "in_flight"
PASSWORD_RESETS = "password_resets"
SUBJECT_ACCESS = "subject_access"

INDEXES = (
    Index(WEB_SESSIONS, ("ended_at", "last_seen_at")),  # the sweep: sessions idle too long,
    Index(WEB_SESSIONS, ("ended_at", "created_at")),  # or begun too long ago
    Index(IDEMPOTENCY, ("state",)),  # reservations left pending by a request that died
    Index(IN_FLIGHT, ("subject", "settled")),  # what a call on a referral (case, meeting) waits for,
    Index(IN_FLIGHT, ("by", "settled")),  # and what a caller's own earlier commands left travelling;
    Index(IN_FLIGHT, ("settled", "at")),  # the sweep: what has been waited for long enough
    Index(USERS, ("role", "disabled")),  # the active admins (one must remain) and the advocates to allocate to
    Index(AUDIT, ("referral_id",)),  # who looked at a child's records (their ids; id order is time order),
    Index(AUDIT, ("who",)),  # and what one member of staff looked at
)
"""The ways the gateway finds its documents (shared/store: Index)."""


class GatewayStore:
    def __init__(self, store: Store):
        self.store = store
        self.uow = UnitOfWork(store)

    def _put(self, existing: Document | None, collection: str, id: str, body: dict) -> Document | None:
        """Write over `existing` as it was read, or create the record; None if another writer got there first."""
        if existing is not None:
            return self.uow.update(existing, body)
        return Document(collection, id, 1, body) if self.uow.create(collection, id, body) else None

    # API clients

    def add_api_client(self, key_id: str, council: str, name: str, secret_digest: str,
                       rotated_from: str | None = None) -> None:
        self.uow.create(API_CLIENTS, key_id, {
            "council": council, "name": name, "digest": secret_digest, "created_at": timestamp(), "revoked_at": None,
            "expires_at": None, "last_used_at": None, "rotated_from": rotated_from, "replaced_by": None,
        })

    def replace_api_client(self, client: Document, new_key_id: str, expires_at: datetime) -> Document | None:
        """Mark a rotated key: it names its new key and works until `expires_at`; None if it changed since read."""
        return self.uow.update(client, {**client.body, "replaced_by": new_key_id,
                                        "expires_at": timestamp(expires_at)})

    def record_api_client_use(self, client: Document, at: datetime) -> None:
        """Note when the key was last used; a concurrent write (another request's, a rotation) wins."""
        self.uow.update(client, {**client.body, "last_used_at": timestamp(at)})

    def api_client(self, key_id: str) -> Document | None:
        return self.store.get(API_CLIENTS, key_id)

    def api_clients(self) -> list[Document]:
        return find_all(self.store, API_CLIENTS)

    def revoke(self, collection: str, key_id: str) -> bool:
        document = self.store.get(collection, key_id)
        if document is None:
            return False
        if document.body.get("revoked_at"):
            return True
        self.uow.change(collection, key_id, lambda body: None if body.get("revoked_at") else (
            {**body, "revoked_at": timestamp()}, []))
        return True

    # staff

    def add_user(self, email: str, role: str, council: str | None, password_hash: str, *,
                 region: str | None = None, name: str | None = None, languages: Sequence[str] = (),
                 password_set: bool = True) -> bool:
        """False when a user with this email exists already. `password_set`: False for an account made without a
        password, whose person has yet to choose one with a reset link (the staff pages say it is invited)."""
        at = timestamp()
        return self.uow.create(USERS, email, {
            "email": email, "role": role, "council": council, "region": region, "password_hash": password_hash,
            "created_at": at, "updated_at": at, "disabled": False, "name": name or email,
            "languages": list(languages), "password_set": password_set,
        })

    def user(self, email: str) -> Document | None:
        return self.store.get(USERS, validation.normalised_email(email))

    def save_user(self, existing: Document, body: dict) -> Document | None:
        """Write the account over `existing` as it was read; None if another change got there first."""
        return self.uow.update(existing, {**body, "updated_at": timestamp()})

    def users_with(self, role: str) -> list[Document]:
        """The active accounts with this role."""
        return find_all(self.store, USERS, {"role": role, "disabled": False})

    def add_password_reset(self, reset_id: str, email: str, expires_at: datetime, by: str) -> None:
        """A reset link's record, by the digest of its secret (the link itself is never kept)."""
        self.uow.create(PASSWORD_RESETS, reset_id, {
            "id": reset_id, "email": email, "by": by, "created_at": timestamp(),
            "expires_at": expires_at.isoformat(), "used_at": None})

    def password_reset(self, reset_id: str) -> Document | None:
        return self.store.get(PASSWORD_RESETS, reset_id)

    def use_password_reset(self, reset: Document) -> bool:
        """Mark the link used, once: False when another request used it first."""
        return self.uow.update(reset, {**reset.body, "used_at": timestamp()}) is not None

    def add_token(self, key_id: str, email: str, secret_digest: str, expires_at: datetime, generation: int) -> None:
        self.uow.create(TOKENS, key_id, {
            "email": email, "digest": secret_digest, "created_at": timestamp(),
            "expires_at": expires_at.isoformat(), "revoked_at": None, "generation": generation,
        })

    def token(self, key_id: str) -> Document | None:
        return self.store.get(TOKENS, key_id)

    # web sessions: the cookie holds a random id, the store its digest and the session's contents

    def web_session(self, session_key: str) -> Document | None:
        return self.store.get(WEB_SESSIONS, session_key)

    def save_web_session(self, existing: Document | None, session_key: str, body: dict) -> None:
        """Write the session; a concurrent request's write wins (that is not an error here)."""
        self._put(existing, WEB_SESSIONS, session_key, body)

    def end_web_session(self, session_key: str) -> None:
        document = self.store.get(WEB_SESSIONS, session_key)
        if document is not None and not document.body.get("ended_at"):
            self.save_web_session(document, session_key, {**document.body, "ended_at": timestamp(), "data": {}})

    def stale_web_sessions(self, seen_by: datetime, begun_by: datetime) -> Iterator[Document]:
        """Sessions not ended that were last seen by `seen_by` or began by `begun_by`, page by page (their times
        are UTC RFC 3339 text, which sorts as the moments do); a session in use is not read."""
        for field, moment in (("last_seen_at", seen_by), ("created_at", begun_by)):
            after = None
            where = {"ended_at": None, field: AtMost(moment.astimezone(timezone.utc).isoformat())}
            while page := self.store.find(WEB_SESSIONS, where, limit=200, after=after):
                yield from page
                after = page[-1].id

    def sign_in_failures(self, account_key: str) -> Document | None:
        return self.store.get(SIGN_IN_FAILURES, account_key)

    def record_sign_in_failures(self, existing: Document | None, account_key: str, body: dict | None) -> None:
        """Keep the failure count (None clears it, after a good sign-in)."""
        if existing is None and body is None:
            return
        body = body or {"count": 0, "last_at": timestamp(), "locked_until": None}
        self._put(existing, SIGN_IN_FAILURES, account_key, body)  # a lost count in a race is harmless

    def users(self) -> list[Document]:
        return find_all(self.store, USERS)

    # idempotency

    def idempotency(self, scope: str, key: str) -> Document | None:
        return self.store.get(IDEMPOTENCY, f"{scope}:{key}")

    def reserve_idempotency(self, scope: str, key: str, request_hash: str, existing: Document | None,
                            holder: dict) -> Document:
        """Claim the key for this request, naming the process that runs it (`holder`); VersionConflict when another
        request holds it."""
        body = {"request_hash": request_hash, "state": "pending", "created_at": timestamp(), "holder": holder}
        reserved = self._put(existing, IDEMPOTENCY, f"{scope}:{key}", body)
        if reserved is None:
            raise VersionConflict(f"idempotency key {key} is held by another request")
        return reserved

    def release_idempotency(self, reserved: Document) -> bool:
        """Free a key whose request ended without an answer to keep, so a repeat runs afresh."""
        released = {**reserved.body, "state": "released", "released_at": timestamp()}
        return self.uow.update(reserved, released) is not None  # finished or taken over meanwhile: that stands

    def release_abandoned_idempotency(self, abandoned: Callable[[dict], bool]) -> int:
        """Release every pending reservation `abandoned` says was left by a request that died; how many."""
        return sum(self.release_idempotency(document)
                   for document in find_all(self.store, IDEMPOTENCY, {"state": "pending"})
                   if abandoned(document.body))

    def finish_idempotency(self, reserved: Document, status: int, answer: object) -> None:
        state = "done" if status < 500 else "failed"
        # another request that took the key over after ours was abandoned wins: its answer stands
        self.uow.update(reserved, {**reserved.body, "state": state, "status": status, "answer": answer})

    # events in flight: what a command set travelling, kept until a later call has seen it arrive

    def keep_in_flight(self, by: str, subjects: Iterable[str], events: Sequence[EventRef]) -> None:
        """One record for each subject the command touched (the one it names, and any it created or linked)."""
        body = {"by": by, "events": [list(event) for event in events], "settled": False, "at": timestamp()}
        for subject in dict.fromkeys(subjects) or [""]:
            self.uow.create(IN_FLIGHT, new_id(), {**body, "subject": subject})

    def in_flight(self, *, subject: str | None = None, by: str | None = None) -> list[Document]:
        """What is still travelling for `subject`, or from the commands of caller `by`."""
        where = {"subject": subject} if subject is not None else {"by": by}
        return find_all(self.store, IN_FLIGHT, {**where, "settled": False})

    def all_in_flight(self) -> list[Document]:
        """Everything still travelling, from every caller's commands."""
        return find_all(self.store, IN_FLIGHT, {"settled": False, "at": AtMost(timestamp())})

    def in_flight_since(self, moment: datetime) -> Iterator[Document]:
        """What is still marked travelling though it was set off by `moment`, page by page."""
        where = {"settled": False, "at": AtMost(timestamp(moment.astimezone(timezone.utc)))}
        while page := self.store.find(IN_FLIGHT, where, limit=200):
            yield from page
            self.settled(page)

    def settled(self, documents: Iterable[Document]) -> None:
        for document in documents:  # where another call saw it arrive first, that stands
            self.uow.update(document, {**document.body, "settled": True, "settled_at": timestamp()})

    # audit

    def audit(self, entry: dict) -> None:
        self.uow.create(AUDIT, new_id(), {"at": timestamp(), **entry})

    def audit_page(self, where: dict, after: str | None, before: str | None, limit: int) -> list[Document]:
        """Audit entries matching `where` (by record ids or by who) with ids after `after` and before `before` (ids
        are UUIDv7, so these are moments: shared/clock.least_id_at), oldest first, at most `limit`."""
        page = self.store.find(AUDIT, where, limit=limit, after=after)
        return [document for document in page if before is None or document.id < before]

    # subject access exports: who asked for which child's referrals (ids only; the export is made again each time)

    def add_subject_access(self, by: str, referral_ids: Sequence[str]) -> str:
        export_id = new_id()
        self.uow.create(SUBJECT_ACCESS, export_id, {"id": export_id, "by": by, "asked_at": timestamp(),
                                                    "referral_ids": list(referral_ids), "cleared": [],
                                                    "released_at": None})
        return export_id

    def subject_access(self, export_id: str) -> Document | None:
        return self.store.get(SUBJECT_ACCESS, export_id)

    def save_subject_access(self, existing: Document, body: dict) -> Document | None:
        return self.uow.update(existing, body)


def expired(document: Document) -> bool:
    return datetime.fromisoformat(document.body["expires_at"]) <= now()
