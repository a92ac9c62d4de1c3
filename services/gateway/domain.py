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


def check_new_user(email: str, role: str, council: str | None, known_council: bool) -> str:
    """The normalised email of a user who may be created as asked; CredentialError saying what is wrong otherwise."""
    email = email.strip().lower()
    if not _EMAIL.match(email) or len(email) > 254:
        raise CredentialError(f"{email!r} is not an email address")
    if role not in ROLES:
        raise CredentialError(f"role must be one of {', '.join(ROLES)}")
    if role == "referrer" and not council:
        raise CredentialError("a referrer works for one council: give --council CODE")
    if role != "referrer" and council:
        raise CredentialError("only a referrer is bound to a council; leave out --council")
    if council and not known_council:
        raise CredentialError(f"no council has the code {council}")
    return email


def token_expiry(now: datetime, hours: float) -> datetime:
    if not 0 < hours <= 24 * 30:
        raise CredentialError("a token lasts between a moment and 30 days (720 hours)")
    return now + timedelta(hours=hours)


def may(principal: Principal, *, council: bool = False, roles: tuple[str, ...] = ()) -> bool:
    """Whether the principal may use an endpoint open to council systems (`council`) and/or to staff `roles`."""
    if principal.is_council:
        return council
    return principal.role in roles
