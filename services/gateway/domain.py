"""Credentials and who may do what. Pure rules: no I/O.

Council API keys and staff tokens have the same shape, `<kind>_<key id>_<secret>`: the key id finds the record,
the secret is checked against its SHA-256 digest (secrets are long and random, so a fast hash is enough; passwords,
which people choose, are hashed with argon2).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

API_KEY = "llk"
STAFF_TOKEN = "llt"
ROLES = ("advocate", "manager", "admin", "commissioner", "referrer")
MIN_PASSWORD = 12
MAX_PASSWORD = 200
_CREDENTIAL = re.compile(r"^(llk|llt)_([0-9a-f]{16})_([A-Za-z0-9_-]{40,60})$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_passwords = PasswordHasher()


class CredentialError(ValueError):
    """A credential request that cannot be granted; the message says why."""


@dataclass(frozen=True)
class Credential:
    kind: str
    key_id: str
    secret: str

    @property
    def text(self) -> str:
        return f"{self.kind}_{self.key_id}_{self.secret}"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a council system (by its API key) or a member of staff (by their token)."""

    kind: str  # "council" or "staff"
    id: str  # the API key's id, or the staff member's email
    council: str | None = None
    role: str | None = None
    region: str | None = None
    """A commissioner's region, when they read a region's reports rather than one council's."""

    @property
    def is_council(self) -> bool:
        return self.kind == "council"


def new_credential(kind: str) -> Credential:
    return Credential(kind, secrets.token_hex(8), secrets.token_urlsafe(36))


def parse_credential(text: str) -> Credential | None:
    match = _CREDENTIAL.match(text.strip())
    return Credential(*match.groups()) if match else None


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, expected_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), expected_digest)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise CredentialError(f"the password must be at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise CredentialError(f"the password must be at most {MAX_PASSWORD} characters")
    return _passwords.hash(password)


def password_matches(password: str, password_hash: str) -> bool:
    try:
        return _passwords.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


BOUND = ("referrer", "commissioner")
"""The roles bound to a council (a commissioner to a council or a region): they see that scope and nothing wider."""


def check_new_user(email: str, role: str, council: str | None, known_council: bool, region: str | None = None,
                   known_region: bool = False) -> str:
    """The normalised email of a user who may be created as asked; CredentialError saying what is wrong otherwise."""
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise CredentialError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise CredentialError(f"role must be one of {', '.join(ROLES)}")
    if role == "referrer" and not council:
        raise CredentialError("a referrer works for one council: give --council CODE")
    if role == "commissioner" and bool(council) == bool(region):
        raise CredentialError("a commissioner reads one council's or one region's reports: give --council CODE or "
                              "--region CODE")
    if role not in BOUND and council:
        raise CredentialError("only a referrer or a commissioner is bound to a council; leave out --council")
    if role != "commissioner" and region:
        raise CredentialError("only a commissioner is bound to a region; leave out --region")
    if council and not known_council:
        raise CredentialError(f"no council has the code {council}")
    if region and not known_region:
        raise CredentialError(f"no region has the code {region}")
    return email


def token_expiry(now: datetime, hours: float) -> datetime:
    if not 0 < hours <= 24 * 30:
        raise CredentialError("a token lasts between a moment and 30 days (720 hours)")
    return now + timedelta(hours=hours)


CASEWORKERS = ("advocate", "manager")
JOURNEY_ROLES = {
    "allocate": ("manager",),
    "record_contact_attempt": CASEWORKERS,
    "arrange_meeting": CASEWORKERS,
    "reschedule_meeting": CASEWORKERS,
    "cancel_meeting": CASEWORKERS,
    "record_meeting": CASEWORKERS,
    "close": ("manager",),
}
"""Who may take each step of the Active Offer journey (API.md), through the API and the web forms alike."""


def may(principal: Principal, *, council: bool = False, roles: tuple[str, ...] = ()) -> bool:
    """Whether the principal may use an endpoint open to council systems (`council`) and/or to staff `roles`."""
    if principal.is_council:
        return council
    return principal.role in roles


def works_on(principal: Principal, advocate_email: str | None) -> bool:
    """Whether the principal works a referral allocated to `advocate_email`: managers every one, an advocate only
    their own. The web forms offer a referral's steps only then; the service owning each step checks it again."""
    return principal.role == "manager" or (principal.role == "advocate" and advocate_email == principal.id)


# idempotency keys

ABANDONED_AFTER = timedelta(seconds=60)
"""No request runs this long (each call to a service gives up after seconds), so a reservation this old was left by
one that died, wherever it ran."""


def reservation_abandoned(reservation: dict, at: datetime, holder_alive: bool | None) -> bool:
    """Whether a pending Idempotency-Key reservation was left by a request that died, so a repeat may take the key.

    `holder_alive` says whether the process that made it still runs: known (True or False) for a process on this
    machine, None for one elsewhere. A reservation whose process has gone is released at once; one whose process
    cannot be checked, once it is older than any request runs.
    """
    if reservation.get("state") != "pending":
        return False
    return holder_alive is False or at - datetime.fromisoformat(reservation["created_at"]) > ABANDONED_AFTER


# signing in to the web forms

MAX_FAILED_SIGN_INS = 5
LOCK_OUT = timedelta(minutes=15)
SESSION_IDLE = timedelta(minutes=30)
SESSION_LONGEST = timedelta(hours=10)
WEB_ROLES = ("advocate", "manager", "referrer")
"""The roles whose work the staff pages are for."""
SIGN_IN_ROLES = (*WEB_ROLES, "commissioner")
"""The roles that may sign in to the pages: a commissioner to read their reports and nothing else."""
"""Who may sign in to the web forms. Commissioners read reports and admins use the command line, not these pages."""


def sign_in_failed(failures: dict | None, at: datetime) -> dict:
    """The failure count after one more wrong password; a run of MAX_FAILED_SIGN_INS locks the account for LOCK_OUT.

    A count older than LOCK_OUT is forgotten, so occasional mistakes over weeks never add up to a lock-out.
    """
    recent = failures and at - datetime.fromisoformat(failures["last_at"]) < LOCK_OUT
    count = (failures["count"] if recent else 0) + 1
    locked_until = (at + LOCK_OUT).isoformat() if count >= MAX_FAILED_SIGN_INS else None
    return {"count": count, "last_at": at.isoformat(), "locked_until": locked_until}


def locked_out(failures: dict | None, at: datetime) -> bool:
    return bool(failures and failures.get("locked_until") and datetime.fromisoformat(failures["locked_until"]) > at)


def session_expired(session: dict, at: datetime) -> bool:
    """A web session ends after SESSION_IDLE without a request, and SESSION_LONGEST after sign-in whatever happens."""
    return (at - datetime.fromisoformat(session["last_seen_at"]) > SESSION_IDLE
            or at - datetime.fromisoformat(session["created_at"]) > SESSION_LONGEST)
