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
from datetime import date, datetime, timedelta
from typing import Any, Callable, Iterable, Mapping

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared import validation
from shared.retention import Policy, day_of

API_KEY = "llk"
STAFF_TOKEN = "llt"
ROLES = ("advocate", "manager", "admin", "commissioner", "referrer")
MIN_PASSWORD = 12
MAX_PASSWORD = 200
_CREDENTIAL = re.compile(r"^(llk|llt)_([0-9a-f]{16})_([A-Za-z0-9_-]{40,60})$")
_passwords = PasswordHasher()


class CredentialError(ValueError):
    """A credential request that cannot be granted; the message says why (to an operator), `code` what (for a page
    to say it in its reader's words)."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.code = code


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


def password_mark(account: dict) -> str:
    """A short fingerprint of an account's password hash, kept in each session it signs in: a new password (set by
    a reset link) changes it, which ends every session signed in with the old one."""
    return digest(account.get("password_hash") or "")[:16]


def secret_matches(secret: str, expected_digest: str) -> bool:
    return hmac.compare_digest(digest(secret), expected_digest)


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise CredentialError(f"the password must be at least {MIN_PASSWORD} characters",
                              code="password_short")
    if len(password) > MAX_PASSWORD:
        raise CredentialError(f"the password must be at most {MAX_PASSWORD} characters",
                              code="password_long")
    return _passwords.hash(password)


def password_matches(password: str, password_hash: str) -> bool:
    try:
        return _passwords.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


_EMAIL_CODES = {validation.HIDDEN_IN_EMAIL: "email_hidden", validation.MIXED_ALPHABETS: "email_alphabets"}
"""The code each refusal of an address carries, for a page to say it in its reader's words."""


BOUND = ("referrer", "commissioner")
"""The roles bound to a council (a commissioner to a council or a region): they see that scope and nothing wider."""


def check_new_user(email: str, role: str, council: str | None, known_council: bool, region: str | None = None,
                   known_region: bool = False) -> str:
    """The normalised email of a user who may be created as asked; CredentialError saying what is wrong otherwise."""
    email = validation.normalised_email(email)
    problem = validation.email_problem(email)
    if problem == validation.NOT_AN_EMAIL:
        raise CredentialError(f"{email!r} is not an email address", code="email")
    if problem:
        raise CredentialError(f"{email!r}: {problem}", code=_EMAIL_CODES[problem])
    if role not in ROLES:
        raise CredentialError(f"role must be one of {', '.join(ROLES)}", code="role")
    if role == "referrer" and not council:
        raise CredentialError("a referrer works for one council: give --council CODE",
                              code="council_needed")
    if role == "commissioner" and bool(council) == bool(region):
        raise CredentialError("a commissioner reads one council's or one region's reports: give --council CODE or "
                              "--region CODE", code="scope_needed")
    if role not in BOUND and council:
        raise CredentialError("only a referrer or a commissioner is bound to a council; leave out --council",
                              code="no_council")
    if role != "commissioner" and region:
        raise CredentialError("only a commissioner is bound to a region; leave out --region", code="no_region")
    if council and not known_council:
        raise CredentialError(f"no council has the code {council}", code="unknown_council")
    if region and not known_region:
        raise CredentialError(f"no region has the code {region}", code="unknown_region")
    return email


def check_unlike(email: str, others: Iterable[str]) -> None:
    """Refuse an address that looks like another account's (the same letters in another alphabet, `rn` for `m`):
    on a page, in a list of advocates or in the audit log, the two could not be told apart."""
    likeness = validation.email_likeness(email)
    like = next((other for other in others if validation.email_likeness(other) == likeness), None)
    if like == email:
        raise CredentialError(f"a user with the email {email} exists already: change their account with rename, "
                              "set-role, set-languages or reactivate", code="exists")
    if like is not None:
        raise CredentialError(f"{email} looks like the email of an account that exists already ({like}): give an "
                              "address that cannot be mistaken for it", code="looks_alike")


def tokens_ended(account: dict) -> dict:
    """The account with every bearer token it has held ended: a token names the account's token generation when it
    is made, and counts only while the account is still at that generation. A new password or a deactivation
    ends them (a reactivation does not bring them back), as it ends the web sessions."""
    return {**account, "token_generation": token_generation(account) + 1}


def token_generation(account: dict) -> int:
    return account.get("token_generation", 0)


def token_current(token: dict, account: dict) -> bool:
    """Whether a token was made since its account last ended its tokens (`tokens_ended`)."""
    return token.get("generation", 0) == token_generation(account)


def token_expiry(now: datetime, hours: float) -> datetime:
    if not 0 < hours <= 24 * 30:
        raise CredentialError("a token lasts between a moment and 30 days (720 hours)")
    return now + timedelta(hours=hours)


# council API keys: rotated with an overlap, revoked at once

OVERLAP = timedelta(hours=24)
LONGEST_OVERLAP = timedelta(days=30)
USE_RECORDED_EVERY = timedelta(minutes=1)
"""A key's last use is written at most this often, so a busy council system costs no write per request."""


def overlap_end(at: datetime, hours: float) -> datetime:
    """When a rotated key stops: `hours` after `at`, from no overlap (0: at once) to LONGEST_OVERLAP."""
    if not 0 <= hours <= LONGEST_OVERLAP / timedelta(hours=1):
        raise CredentialError("the overlap is between 0 and 720 hours (30 days)", code="overlap")
    return at + timedelta(hours=hours)


def key_state(client: dict, at: datetime) -> str:
    """Where a key stands: "revoked" (at once, for good), "expired" (its overlap after a rotation is over),
    "expiring" (rotated: it works until its expires_at) or "active"."""
    if client.get("revoked_at"):
        return "revoked"
    if client.get("expires_at"):
        return "expired" if datetime.fromisoformat(client["expires_at"]) <= at else "expiring"
    return "active"


WORKING_KEYS = ("active", "expiring")
"""The states of a key that still works (key_state)."""


def key_works(client: dict, at: datetime) -> bool:
    return key_state(client, at) in WORKING_KEYS


def check_rotatable(client: dict, at: datetime) -> None:
    """CredentialError unless the key may be rotated: it works, and has not been rotated already (a second rotation
    would hand out a second new key; rotate the new one instead)."""
    if not key_works(client, at):
        raise CredentialError("the key no longer works: create a new one with create-api-key", code="key_stopped")
    if client.get("replaced_by"):
        raise CredentialError(f"the key was rotated already: rotate its new key {client['replaced_by']}",
                              code="key_rotated")


def use_worth_recording(last_used_at: str | None, at: datetime) -> bool:
    """Whether a call at `at` should be written as the key's last use (the one written is older than
    USE_RECORDED_EVERY, or there is none)."""
    return last_used_at is None or at - datetime.fromisoformat(last_used_at) >= USE_RECORDED_EVERY


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
SIGN_IN_ROLES = (*WEB_ROLES, "commissioner", "admin")
"""The roles that may sign in to the pages: a commissioner to read their reports and nothing else, an admin to run
the staff accounts and nothing else."""


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


# administering staff accounts

ADMIN = "admin"
KEY_MANAGERS = ("manager", ADMIN)
"""Who runs the council API keys on the pages: managers and admins."""
STAFF_LANGUAGES = ("cy", "en")
"""The languages a member of staff may be recorded as working in: Welsh and English (the service's two)."""
MAX_NAME = 100
RESET_LINK_LASTS = timedelta(hours=24)
"""A password reset link works once, within this time of being made."""


def may_administer(role: str | None, managers_may: bool) -> bool:
    """Whether someone with `role` may run staff accounts: an admin always, a manager where the provider allows."""
    return role == ADMIN or (role == "manager" and managers_may)


def check_staff_change(actor_role: str | None, managers_may: bool, role_before: str | None,
                       role_after: str | None) -> None:
    """CredentialError unless the actor may make this change to an account whose role is `role_before` (None: a new
    account) and will be `role_after`. A manager may not touch an admin's account nor make anyone an admin (their
    reset link or password would be a way in to every account)."""
    if not may_administer(actor_role, managers_may):
        raise CredentialError("only an admin may run staff accounts", code="not_admin")
    if actor_role != ADMIN and ADMIN in (role_before, role_after):
        raise CredentialError("only an admin may create, change or promote an admin", code="admin_only")


def check_keeps_an_admin(active_admins: set[str], email: str, role_after: str, active_after: bool) -> None:
    """CredentialError when the change would leave no active admin (`active_admins`: those there are now), so
    nobody could run the staff accounts any more; the last admin cannot demote or deactivate themselves either."""
    stays = role_after == ADMIN and active_after
    if email in active_admins and not stays and not active_admins - {email}:
        raise CredentialError(f"{email} is the last active admin: make another admin first",
                              code="last_admin")


def check_name(name: str | None, email: str) -> str:
    """A display name as kept: trimmed, one line, at most MAX_NAME characters; the email when none is given."""
    name = (name or "").strip()
    if validation.name_problem(name):
        raise CredentialError("a name is one line of ordinary characters", code="name")
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        raise CredentialError(f"a name is at most {MAX_NAME} characters", code="name_long")
    return name or email


def check_languages(codes) -> list[str]:
    """The languages a person works in, in the service's order; CredentialError naming an unknown code."""
    chosen = {code.strip().lower() for code in codes if code and code.strip()}
    unknown = sorted(chosen - set(STAFF_LANGUAGES))
    if unknown:
        raise CredentialError(f"a language is one of {', '.join(STAFF_LANGUAGES)}, not {', '.join(unknown)}",
                              code="language")
    return [code for code in STAFF_LANGUAGES if code in chosen]


def display_name(body: dict | None, email: str) -> str:
    """How a person is shown: their name, or their email (accounts made before names were kept have none)."""
    return (body or {}).get("name") or email


def advocates_named(payload: Any, name_of: Callable[[str], str]) -> Any:
    """A referral (or a page of them) as the referral service answered, with the advocate the council is told of
    (`named_advocate`, which the referral service gives as their work email) named as staff accounts hold them."""
    if not isinstance(payload, dict):
        return payload
    if isinstance(payload.get("items"), list):
        return {**payload, "items": [advocates_named(item, name_of) for item in payload["items"]]}
    if isinstance(payload.get("named_advocate"), str):
        return {**payload, "named_advocate": name_of(payload["named_advocate"])}
    return payload


def reset_link_usable(reset: dict | None, user: dict | None, at: datetime) -> str | None:
    """Why a password reset link cannot be used now ("used", "expired" or "unknown"), or None when it can.

    A link is the account's latest (a newer one replaces it: then it counts as used), unused, within its time, for
    an active account."""
    if reset is None or user is None or user.get("disabled"):
        return "unknown"
    if reset.get("used_at") or user.get("reset_id") != reset["id"]:
        return "used"
    if datetime.fromisoformat(reset["expires_at"]) <= at:
        return "expired"
    return None


def speaks_welsh(body: dict | None) -> bool:
    return "cy" in ((body or {}).get("languages") or ())


def advocate_choices(advocates: list[tuple[str, dict]], locked: set[str], current: str | None,
                     welsh_wanted: bool) -> list[tuple[str, dict, bool]]:
    """Whom a referral or case may go to: active advocates, not locked out, not its current advocate; by name, and
    when the child asked for Welsh, those who work in Welsh first. Each as (email, account, works in Welsh)."""
    offered = [(email, body, speaks_welsh(body)) for email, body in advocates
               if not body.get("disabled") and email not in locked and email != current]
    return sorted(offered, key=lambda choice: (welsh_wanted and not choice[2],
                                              display_name(choice[1], choice[0]).casefold(), choice[0]))


# capacity: whom a manager may allocate to

def caseloads(advocates: Iterable[tuple[str, str]], open_referrals: dict[str, int],
              open_cases: dict[str, int]) -> list[dict]:
    """Each advocate's open referrals and open cases, by their name as their account holds it, those with the most
    room first: every active advocate (with none open too), and anyone else with open work (as their address when
    they have no account now)."""
    names = dict(advocates)
    everyone = {**names, **{email: names.get(email, email) for email in (*open_referrals, *open_cases)}}
    rows = [{"email": email, "name": name, "referrals": open_referrals.get(email, 0), "cases": open_cases.get(email, 0)}
            for email, name in everyone.items()]
    return sorted(rows, key=lambda row: (row["referrals"] + row["cases"], row["name"].lower()))


def days_waiting(received_at: str | None, at: datetime) -> int | None:
    """How many whole days the oldest referral waiting has waited, from when it was received."""
    return None if received_at is None else max((at - datetime.fromisoformat(received_at)).days, 0)


# retention: when the gateway's own records fall due (shared/erasure.py)

KEY_RECORD_DAYS = 2
"""An Idempotency-Key's record is removed on the second day after it was made: kept at least 24 hours (API.md),
and no longer, since it holds the answer given, children's names and all."""
SPENT_DAYS = 1
"""An ended web session, a settled record of events in flight and a used or expired reset link are removed the day
after: nothing reads them again, and a session kept what its person typed."""


def audit_erase_on(entry: Mapping[str, Any], policy: Policy) -> date:
    return policy.audit_due(day_of(entry["at"]))  # type: ignore[arg-type]


def key_record_erase_on(record: Mapping[str, Any], policy: Policy) -> date:
    return day_of(record["created_at"]) + timedelta(days=KEY_RECORD_DAYS)  # type: ignore[operator]


def _day_after(moment: str | None) -> date | None:
    return day_of(moment) + timedelta(days=SPENT_DAYS) if moment else None  # type: ignore[operator]


def session_erase_on(session: Mapping[str, Any], policy: Policy) -> date | None:
    return _day_after(session.get("ended_at"))


def in_flight_erase_on(record: Mapping[str, Any], policy: Policy) -> date | None:
    return _day_after(record.get("settled_at")) if record.get("settled") else None


def reset_erase_on(reset: Mapping[str, Any], policy: Policy) -> date | None:
    return _day_after(reset.get("used_at") or reset.get("expires_at"))
