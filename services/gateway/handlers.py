"""The gateway's commands: issuing and checking credentials."""

from __future__ import annotations

from shared.clock import now
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


def create_user(store: GatewayStore, councils: CouncilRegister, email: str, role: str, council: str | None,
                password: str, *, region: str | None = None) -> str:
    email = domain.check_new_user(email, role, council, council in councils if council else False, region,
                                  any(c.region == region for c in councils.all()))
    if not store.add_user(email, role, council, domain.hash_password(password), region=region):
        raise CredentialError(f"a user with the email {email} exists already")
    return email


def create_token(store: GatewayStore, email: str, hours: float = 12) -> str:
    user = store.user(email)
    if user is None or user.body.get("disabled"):
        raise CredentialError(f"no active user has the email {email.strip().lower()}")
    credential = domain.new_credential(STAFF_TOKEN)
    store.add_token(credential.key_id, user.id, domain.digest(credential.secret), domain.token_expiry(now(), hours))
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
    account_key = domain.digest(email.strip().lower())
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


def principal_of(store: GatewayStore, email: str) -> Principal | None:
    """The signed-in user as a principal, as their account stands now (disabled or gone: None)."""
    user = store.user(email)
    if user is None or user.body.get("disabled") or user.body["role"] not in domain.SIGN_IN_ROLES:
        return None
    return _staff(user)


def _staff(user) -> Principal:
    body = user.body
    return Principal("staff", user.id, council=body.get("council"), role=body["role"], region=body.get("region"))


def revoke(store: GatewayStore, text_or_id: str) -> bool:
    parsed = domain.parse_credential(text_or_id)
    key_id = parsed.key_id if parsed else text_or_id
    return store.revoke(API_CLIENTS, key_id) or store.revoke(TOKENS, key_id)


def authenticate(store: GatewayStore, authorization: str | None) -> Principal | None:
    """The principal a bearer credential belongs to, or None if it is missing, unknown, revoked or expired."""
    if not authorization or not authorization.startswith("Bearer "):
        return None
    credential = domain.parse_credential(authorization[len("Bearer "):])
    if credential is None:
        return None
    if credential.kind == API_KEY:
        client = store.api_client(credential.key_id)
        if client is None or client.body["revoked_at"] or not domain.secret_matches(credential.secret,
                                                                                     client.body["digest"]):
            return None
        return Principal("council", client.id, council=client.body["council"])
    token = store.token(credential.key_id)
    if (token is None or token.body["revoked_at"] or expired(token)
            or not domain.secret_matches(credential.secret, token.body["digest"])):
        return None
    user = store.user(token.body["email"])
    if user is None or user.body.get("disabled"):
        return None
    return _staff(user)
