"""The gateway's commands: issuing and checking credentials."""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from shared.clock import now, timestamp
from shared.councils import CouncilRegister

from services.gateway import domain
from services.gateway.domain import API_KEY, STAFF_TOKEN, CredentialError, Principal
from services.gateway.store import API_CLIENTS, TOKENS, GatewayStore, expired


def create_api_key(store: GatewayStore, councils: CouncilRegister, council: str, name: str = "") -> str:
    if council not in councils:
        raise CredentialError(f"no council has the code {council!r}")
    credential = domain.new_credential(API_KEY)
    store.add_api_client(credential.key_id, council, name or f"{council} integration", domain.digest(credential.secret))
    return credential.text


@dataclass(frozen=True)
class Actor:
    """Who changes a staff account, as the audit log names them: a signed-in admin (or permitted manager) by their
    email, or the command line; and whether the provider lets managers run staff accounts."""

    who: str
    role: str | None
    why: str
    managers_may: bool = False


COMMAND_LINE = Actor("command line", domain.ADMIN, "command line")


def _audit(store: GatewayStore, by: Actor, what: str, email: str, **more: Any) -> None:
    store.audit({"who": by.who, "kind": "staff", "role": by.role, "what": what, "subject": email, "status": 200,
                 "why": by.why, **more})


def _checked(councils: CouncilRegister, email: str, role: str, council: str | None, region: str | None) -> str:
    """The normalised email, if an account with this role, council and region may exist (domain.check_new_user)."""
    return domain.check_new_user(email, role, council, council in councils if council else False, region,
                                 any(c.region == region for c in councils.all()))


def create_user(store: GatewayStore, councils: CouncilRegister, email: str, role: str, council: str | None,
                password: str | None, *, region: str | None = None, name: str | None = None,
                languages: tuple[str, ...] | list[str] = (), by: Actor = COMMAND_LINE) -> str:
    """Create a staff account; with no `password`, one nobody knows (a reset link lets the person choose theirs)."""
    domain.check_staff_change(by.role, by.managers_may, None, role)
    email = _checked(councils, email, role, council, region)
    domain.check_unlike(email, (user.id for user in store.users()))
    name, languages = domain.check_name(name, email), domain.check_languages(languages)
    password_hash = domain.hash_password(password if password is not None else secrets.token_urlsafe(48))
    if not store.add_user(email, role, council, password_hash, region=region, name=name, languages=languages,
                          password_set=password is not None):
        raise CredentialError(f"a user with the email {email} exists already: change their account with "
                              "rename, set-role, set-languages or reactivate", code="exists")
    _audit(store, by, "create staff account", email, changed={"role": role, "council": council, "region": region,
                                                              "name": name, "languages": languages})
    return email


def create_token(store: GatewayStore, email: str, hours: float = 12) -> str:
    user = store.user(email)
    if user is None or user.body.get("disabled"):
        raise CredentialError(f"no active user has the email {email.strip().lower()}")
    credential = domain.new_credential(STAFF_TOKEN)
    store.add_token(credential.key_id, user.id, domain.digest(credential.secret), domain.token_expiry(now(), hours),
                    domain.token_generation(user.body))
    return credential.text


class SignInRefused(Exception):
    """A sign-in that did not succeed: `reason` is "wrong" (email or password), "locked" or "role"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_NO_SUCH_USER = domain.hash_password("a password no one has, to take the time a real check takes")


def sign_in(store: GatewayStore, email: str, password: str):
    """The user whose email and password these are, if they may use the web forms; SignInRefused otherwise.

    Failures count per email address whether or not it has an account, and an unknown address costs the same
    argon2 check as a known one, so neither the answer nor its timing tells which addresses exist.
    """
    account_key = failures_key(email)
    failures = store.sign_in_failures(account_key)
    moment = now()
    if domain.locked_out(failures.body if failures else None, moment):
        raise SignInRefused("locked")
    user = store.user(email)
    usable = user is not None and not user.body.get("disabled")
    if not domain.password_matches(password, user.body["password_hash"] if usable else _NO_SUCH_USER) \
            or not usable:
        counted = domain.sign_in_failed(failures.body if failures else None, moment)
        store.record_sign_in_failures(failures, account_key, counted)
        raise SignInRefused("locked" if domain.locked_out(counted, moment) else "wrong")
    store.record_sign_in_failures(failures, account_key, None)
    if user.body["role"] not in domain.SIGN_IN_ROLES:
        raise SignInRefused("role")
    return user


def principal_of(store: GatewayStore, email: str, mark: str | None) -> Principal | None:
    """The signed-in user as a principal, as their account stands now: None when it is disabled or gone, or its
    password has changed since the session signed in (`mark`, domain.password_mark then)."""
    user = store.user(email)
    if user is None or user.body.get("disabled") or user.body["role"] not in domain.SIGN_IN_ROLES:
        return None
    if not mark or not hmac.compare_digest(mark, domain.password_mark(user.body)):
        return None
    return _staff(user)


def _staff(user) -> Principal:
    body = user.body
    return Principal("staff", user.id, council=body.get("council"), role=body["role"], region=body.get("region"))


def _key_id(text_or_id: str) -> str:
    parsed = domain.parse_credential(text_or_id)
    return parsed.key_id if parsed else text_or_id.strip()


def revoke(store: GatewayStore, text_or_id: str, by: Actor = COMMAND_LINE) -> bool:
    """Revoke an API key or a staff token, given whole or by its key id: it stops at once. Whether there was one."""
    key_id = _key_id(text_or_id)
    if revoke_api_key(store, key_id, by):
        return True
    if store.revoke(TOKENS, key_id):
        _audit(store, by, "revoke staff token", key_id)
        return True
    return False


def revoke_api_key(store: GatewayStore, key_id: str, by: Actor = COMMAND_LINE) -> bool:
    """Revoke a council's API key: it stops at once, in an overlap after a rotation too. Whether there was one."""
    client = store.api_client(key_id)
    if client is None or not store.revoke(API_CLIENTS, key_id):
        return False
    _audit(store, by, "revoke API key", key_id, council=client.body["council"])
    return True


def rotate_api_key(store: GatewayStore, text_or_id: str, overlap_hours: float = domain.OVERLAP / timedelta(hours=1),
                   by: Actor = COMMAND_LINE) -> tuple[str, str]:
    """A new key for the same council and name, and when the old one stops: it keeps working for `overlap_hours`,
    so the council's system can move to the new key with no call refused. The new key is shown once (only its
    digest is kept); CredentialError for a key that is unknown, no longer works or was rotated already."""
    key_id = _key_id(text_or_id)
    credential = domain.new_credential(API_KEY)
    made = False
    try:
        for _ in range(5):
            client = store.api_client(key_id)
            if client is None:
                raise CredentialError("no API key has that id", code="no_key")
            moment = now()
            ends = domain.overlap_end(moment, overlap_hours)
            domain.check_rotatable(client.body, moment)
            if not made:
                store.add_api_client(credential.key_id, client.body["council"], client.body["name"],
                                     domain.digest(credential.secret), rotated_from=client.id)
                made = True
            if store.replace_api_client(client, credential.key_id, ends) is not None:
                _audit(store, by, "rotate API key", client.id, council=client.body["council"],
                       replaced_by=credential.key_id, expires_at=timestamp(ends))
                return credential.text, timestamp(ends)
        raise CredentialError("the key was being changed by someone else at the same moment: try again", code="busy")
    except CredentialError:
        if made:  # the new key was never shown to anyone: it never works
            store.revoke(API_CLIENTS, credential.key_id)
        raise


def api_keys(store: GatewayStore) -> list[dict]:
    """Every council API key as the pages and `list-api-keys` show it (never its digest), by council, newest first."""
    moment = now()
    listed = [{"id": client.id, "state": domain.key_state(client.body, moment),
               **{field: client.body.get(field) for field in ("council", "name", "created_at", "last_used_at",
                                                              "expires_at", "revoked_at", "rotated_from",
                                                              "replaced_by")}}
              for client in store.api_clients()]
    listed.sort(key=lambda key: key["created_at"], reverse=True)
    return sorted(listed, key=lambda key: key["council"])


def authenticate(store: GatewayStore, authorization: str | None) -> Principal | None:
    """The principal a bearer credential belongs to, or None if it is missing, unknown, revoked or expired."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    credential = domain.parse_credential(authorization[len("Bearer "):])
    if credential is None:
        return None
    if credential.kind == API_KEY:
        client = store.api_client(credential.key_id)
        moment = now()
        if client is None or not domain.key_works(client.body, moment) \
                or not domain.secret_matches(credential.secret, client.body["digest"]):
            return None
        if domain.use_worth_recording(client.body.get("last_used_at"), moment):
            store.record_api_client_use(client, moment)
        return Principal("council", client.id, council=client.body["council"])
    token = store.token(credential.key_id)
    if (token is None or token.body["revoked_at"] or expired(token)
            or not domain.secret_matches(credential.secret, token.body["digest"])):
        return None
    user = store.user(token.body["email"])
    if user is None or user.body.get("disabled") or not domain.token_current(token.body, user.body):
        return None
    return _staff(user)


# running staff accounts

CHANGEABLE = ("name", "role", "council", "region", "languages")


def _account(store: GatewayStore, email: str):
    user = store.user(email)
    if user is None:
        raise CredentialError(f"no user has the email {email.strip().lower()}", code="no_user")
    return user


def _active_admins(store: GatewayStore) -> set[str]:
    return {user.id for user in store.users_with(domain.ADMIN)}


def _change(store: GatewayStore, email: str, by: Actor, what: str, decide: Callable[[dict], dict]) -> dict:
    """Read the account, let `decide` make its new body (raising CredentialError to refuse), write it, audit it;
    from the top again when another change got there first."""
    for _ in range(5):
        user = _account(store, email)
        body = decide(dict(user.body))
        role_after = body["role"]
        domain.check_staff_change(by.role, by.managers_may, user.body["role"], role_after)
        domain.check_keeps_an_admin(_active_admins(store), user.id, role_after, not body.get("disabled"))
        saved = store.save_user(user, body)
        if saved is not None:
            _undo_if_no_admin_is_left(store, user, saved)
            changed = {key: body.get(key) for key in (*CHANGEABLE, "disabled") if body.get(key) != user.body.get(key)}
            _audit(store, by, what, user.id, changed=changed)
            return body
    raise CredentialError("the account was being changed by someone else at the same moment: try again",
                          code="busy")


def _undo_if_no_admin_is_left(store: GatewayStore, before, saved) -> None:
    """Two admins demoting or deactivating each other at the same moment would each see the other still there: after
    a change that took an admin away, look again, and put the account back if no active admin is left."""
    was_admin = before.body["role"] == domain.ADMIN and not before.body.get("disabled")
    if not was_admin or (saved.body["role"] == domain.ADMIN and not saved.body.get("disabled")):
        return
    if not _active_admins(store):
        store.save_user(saved, {**saved.body, "role": domain.ADMIN, "disabled": False})
        domain.check_keeps_an_admin({before.id}, before.id, saved.body["role"], not saved.body.get("disabled"))


def update_user(store: GatewayStore, councils: CouncilRegister, email: str, by: Actor = COMMAND_LINE,
                **changes: Any) -> dict:
    """Change a person's name, role (with its council or region) or languages; the account as it now stands.

    A role is given with its council and region (None where the role has none), and checked as a new account's is."""
    unknown = set(changes) - set(CHANGEABLE)
    if unknown:
        raise TypeError(f"not a field of an account: {', '.join(sorted(unknown))}")

    def decide(body: dict) -> dict:
        if "role" in changes:
            role, council, region = changes["role"], changes.get("council"), changes.get("region")
            _checked(councils, body["email"], role, council, region)
            body.update(role=role, council=council, region=region)
        if "name" in changes:
            body["name"] = domain.check_name(changes["name"], body["email"])
        if "languages" in changes:
            body["languages"] = domain.check_languages(changes["languages"])
        return body

    return _change(store, email, by, "change staff account", decide)


def set_active(store: GatewayStore, email: str, active: bool, by: Actor = COMMAND_LINE) -> dict:
    """Deactivate an account (its sign-in, sessions and tokens stop working at once, the tokens for good) or
    reactivate it."""
    def decide(body: dict) -> dict:
        return {**body, "disabled": False} if active else domain.tokens_ended({**body, "disabled": True})

    return _change(store, email, by, "reactivate staff account" if active else "deactivate staff account", decide)


def failures_key(email: str) -> str:
    """How sign-in failures are counted: per SHA-256 of the email, so the count names no one."""
    return domain.digest(email.strip().lower())


def locked(store: GatewayStore, email: str) -> bool:
    failures = store.sign_in_failures(failures_key(email))
    return domain.locked_out(failures.body if failures else None, now())


def unlock(store: GatewayStore, email: str, by: Actor = COMMAND_LINE) -> bool:
    """End the account's lock-out after too many wrong passwords (and forget the failures); whether it was locked."""
    user = _account(store, email)
    domain.check_staff_change(by.role, by.managers_may, user.body["role"], user.body["role"])
    was_locked = locked(store, user.id)
    failures = store.sign_in_failures(failures_key(user.id))
    store.record_sign_in_failures(failures, failures_key(user.id), None)
    _audit(store, by, "unlock staff account", user.id, was_locked=was_locked)
    return was_locked


def issue_reset_link(store: GatewayStore, email: str, by: Actor = COMMAND_LINE) -> str:
    """A one-time secret for a password reset link, lasting domain.RESET_LINK_LASTS; it replaces any earlier link.
    Only its digest is kept: the secret is shown once, to pass on. The account's bearer tokens end at once: a reset
    says the password may be known to someone else, and a token is as good as it."""
    secret = secrets.token_urlsafe(32)
    reset_id = domain.digest(secret)
    user = _account(store, email)
    if user.body.get("disabled"):
        raise CredentialError(f"{user.id} is deactivated: reactivate the account first",
                              code="deactivated")
    domain.check_staff_change(by.role, by.managers_may, user.body["role"], user.body["role"])
    store.add_password_reset(reset_id, user.id, now() + domain.RESET_LINK_LASTS, by.who)
    _change(store, user.id, by, "issue password reset link",
            lambda body: domain.tokens_ended({**body, "reset_id": reset_id}))
    return secret


class ResetRefused(Exception):
    """A reset link that cannot be used: `reason` is "used", "expired" or "unknown"."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


MAX_RESET_SECRET = 100


def reset_link(store: GatewayStore, secret: str):
    """The reset record and account a link's secret belongs to, if it can be used now; ResetRefused otherwise."""
    reset = store.password_reset(domain.digest(secret)) if 0 < len(secret) <= MAX_RESET_SECRET else None
    user = store.user(reset.body["email"]) if reset else None
    reason = domain.reset_link_usable(reset.body if reset else None, user.body if user else None, now())
    if reason:
        raise ResetRefused(reason)
    return reset, user


def reset_password(store: GatewayStore, secret: str, password: str) -> str:
    """Set the password a reset link's holder chose, using the link up and ending any lock-out; the account's
    email. CredentialError for a password the rules refuse (the link stays usable), ResetRefused for the link."""
    reset, user = reset_link(store, secret)
    password_hash = domain.hash_password(password)
    if not store.use_password_reset(reset):
        raise ResetRefused("used")
    for _ in range(5):
        body = domain.tokens_ended({**user.body, "password_hash": password_hash, "reset_id": None,
                                    "password_set": True})
        if store.save_user(user, body) is not None:
            break
        user = _account(store, user.id)
    failures = store.sign_in_failures(failures_key(user.id))
    store.record_sign_in_failures(failures, failures_key(user.id), None)
    store.audit({"who": user.id, "kind": "staff", "role": user.body["role"], "what": "set password by reset link",
                 "subject": user.id, "status": 200, "why": "reset link"})
    return user.id


def staff(store: GatewayStore) -> list[dict]:
    """Every account as the staff list shows it (never a password's hash), by name."""
    listed = []
    for user in store.users():
        body = user.body
        listed.append({"email": user.id, "name": domain.display_name(body, user.id), "role": body["role"],
                       "council": body.get("council"), "region": body.get("region"),
                       "languages": list(body.get("languages") or ()), "active": not body.get("disabled"),
                       "invited": body.get("password_set") is False, "locked": locked(store, user.id),
                       "updated_at": body.get("updated_at") or body["created_at"]})
    return sorted(listed, key=lambda person: (person["name"].casefold(), person["email"]))
