"""`llais admin`: credentials for council systems and staff, and the staff accounts themselves, acting on the gateway's
store (API.md). Every change to an account is audited as made from the command line."""

from __future__ import annotations

import sys

import click

from shared.config import ConfigError, Settings
from shared.councils import CouncilFileError, CouncilRegister
from shared.store import open_store

from services.gateway import handlers
from services.gateway.domain import ROLES, STAFF_LANGUAGES, CredentialError
from services.gateway.store import GatewayStore


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _context() -> tuple[GatewayStore, CouncilRegister]:
    settings = _settings()
    try:
        return GatewayStore(open_store("gateway", settings)), CouncilRegister.load(settings.councils_file)
    except CouncilFileError as exc:
        raise click.UsageError(str(exc)) from None


def _scope(council: str | None, region: str | None) -> tuple[str | None, str | None]:
    return (council.strip().upper() if council else None), (region.strip().lower() if region else None)


def _base_url(given: str | None) -> str:
    base = (given or _settings().public_url).rstrip("/")
    if not base.startswith(("http://", "https://")):
        click.echo("error: say where people reach the pages: give --base-url https://... or set LLAIS_PUBLIC_URL",
                   err=True)
        sys.exit(2)
    return base


def _reset_link(store: GatewayStore, email: str, base: str) -> str:
    return f"{base}/reset-password/{handlers.issue_reset_link(store, email)}"


EMAIL = click.option("--email", required=True, help="The person's email address (their account).")
LANGUAGE = click.option("--language", "languages", multiple=True, type=click.Choice(STAFF_LANGUAGES),
                        help="A language the person works in (cy, en); repeat for each.")
BASE_URL = click.option("--base-url", default=None,
                        help="Where people reach the pages, for the link (default: LLAIS_PUBLIC_URL).")


def _refuse(exc: CredentialError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(2)


@click.group()
def admin() -> None:
    """Credentials: council API keys, staff users and staff tokens."""


@admin.command("create-api-key")
@click.option("--council", required=True, help="The council's code, e.g. CARDIFF.")
@click.option("--name", default="", help="What the key is for, e.g. 'Mosaic production'.")
def create_api_key(council: str, name: str) -> None:
    """Print a new API key for a council's system (shown once; only its hash is kept)."""
    store, councils = _context()
    try:
        click.echo(handlers.create_api_key(store, councils, council.strip().upper(), name))
    except CredentialError as exc:
        _refuse(exc)


COUNCIL = click.option("--council", default=None, help="For a referrer, the council they work for; for a "
                                                        "commissioner, the council they read reports of.")
REGION = click.option("--region", default=None, help="For a commissioner, the region whose reports they read.")


@admin.command("create-user")
@EMAIL
@click.option("--role", required=True, type=click.Choice(ROLES))
@COUNCIL
@REGION
@click.option("--name", default=None, help="The name the pages show them by (default: their email).")
@LANGUAGE
@click.option("--password-stdin", is_flag=True,
              help="Read the password from standard input; without it, print a link for the person to choose one.")
@BASE_URL
def create_user(email: str, role: str, council: str | None, region: str | None, name: str | None,
                languages: tuple[str, ...], password_stdin: bool, base_url: str | None) -> None:
    """Create a staff account, with a password read from standard input or a link printed for the person to set
    their own."""
    store, councils = _context()
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    base = None if password_stdin else _base_url(base_url)
    council, region = _scope(council, region)
    try:
        created = handlers.create_user(store, councils, email, role, council, password, region=region, name=name,
                                       languages=languages)
        if base:
            click.echo(_reset_link(store, created, base))
    except CredentialError as exc:
        _refuse(exc)
    click.echo(f"created {role} {created}", err=True)


@admin.command("rename")
@EMAIL
@click.option("--name", required=True, help="The name the pages show them by.")
def rename(email: str, name: str) -> None:
    """Change the name a person is shown by."""
    _update(email, name=name)


@admin.command("set-role")
@EMAIL
@click.option("--role", required=True, type=click.Choice(ROLES))
@COUNCIL
@REGION
def set_role(email: str, role: str, council: str | None, region: str | None) -> None:
    """Change a person's role, with the council or region it is bound to (if any)."""
    council, region = _scope(council, region)
    _update(email, role=role, council=council, region=region)


@admin.command("set-languages")
@EMAIL
@LANGUAGE
def set_languages(email: str, languages: tuple[str, ...]) -> None:
    """Say which languages a person works in (none given: none recorded)."""
    _update(email, languages=languages)


def _update(email: str, **changes) -> None:
    store, councils = _context()
    try:
        body = handlers.update_user(store, councils, email, **changes)
    except CredentialError as exc:
        _refuse(exc)
    click.echo(f"changed {body['email']}", err=True)


@admin.command("deactivate")
@EMAIL
def deactivate(email: str) -> None:
    """Stop an account: its sign-in, sessions and tokens no longer work (never the last active admin)."""
    _set_active(email, False)


@admin.command("reactivate")
@EMAIL
def reactivate(email: str) -> None:
    """Let a deactivated account sign in again."""
    _set_active(email, True)


def _set_active(email: str, active: bool) -> None:
    store, _ = _context()
    try:
        body = handlers.set_active(store, email, active)
    except CredentialError as exc:
        _refuse(exc)
    click.echo(f"{'reactivated' if active else 'deactivated'} {body['email']}", err=True)


@admin.command("reset-password")
@EMAIL
@BASE_URL
def reset_password(email: str, base_url: str | None) -> None:
    """Print a link that lets the person choose a new password: it works once, for 24 hours, and replaces any
    earlier link. Pass it on to them yourself."""
    base = _base_url(base_url)
    store, _ = _context()
    try:
        click.echo(_reset_link(store, email, base))
    except CredentialError as exc:
        _refuse(exc)


@admin.command("unlock")
@EMAIL
def unlock(email: str) -> None:
    """End the lock after too many wrong passwords, so the person can sign in again now."""
    store, _ = _context()
    try:
        was_locked = handlers.unlock(store, email)
    except CredentialError as exc:
        _refuse(exc)
    click.echo(f"unlocked {email.strip().lower()}" if was_locked else f"{email.strip().lower()} was not locked",
               err=True)


@admin.command("list-users")
def list_users() -> None:
    """The staff accounts: email, name, role, council or region, languages, active or deactivated, locked."""
    store, _ = _context()
    for person in handlers.staff(store):
        click.echo("\t".join([person["email"], person["name"], person["role"],
                              person["council"] or person["region"] or "-", ",".join(person["languages"]) or "-",
                              "active" if person["active"] else "deactivated",
                              "locked" if person["locked"] else "-"]))


@admin.command("create-token")
@click.option("--email", required=True)
@click.option("--hours", default=12.0, show_default=True, help="How long the token lasts.")
def create_token(email: str, hours: float) -> None:
    """Print a bearer token for a staff user."""
    store, _ = _context()
    try:
        click.echo(handlers.create_token(store, email, hours))
    except CredentialError as exc:
        _refuse(exc)


@admin.command("revoke")
@click.argument("key")
def revoke(key: str) -> None:
    """Revoke an API key or token, given whole or by its key id: it stops at once (in a rotation's overlap too)."""
    store, _ = _context()
    if not handlers.revoke(store, key):
        click.echo("error: no API key or token has that id", err=True)
        sys.exit(2)
    click.echo("revoked", err=True)


@admin.command("rotate-api-key")
@click.argument("key")
@click.option("--overlap", default=24.0, show_default=True,
              help="Hours the old key keeps working beside the new one (0 to 720).")
def rotate_api_key(key: str, overlap: float) -> None:
    """Print a new API key for the same council and name (shown once), given the old key whole or by its key id;
    the old one works until the overlap ends, then stops."""
    store, _ = _context()
    try:
        new_key, ends = handlers.rotate_api_key(store, key, overlap)
    except CredentialError as exc:
        _refuse(exc)
    click.echo(new_key)
    click.echo(f"the old key works until {ends}", err=True)


@admin.command("list-api-keys")
def list_api_keys() -> None:
    """The API keys: id, council, name, created, last used, and whether each works (never a secret)."""
    store, _ = _context()
    for key in handlers.api_keys(store):
        state = key["state"]
        stands = {"active": "active", "expiring": f"expires {key['expires_at']}",
                  "expired": f"expired {key['expires_at']}", "revoked": f"revoked {key['revoked_at']}"}[state]
        click.echo(f"{key['id']}\t{key['council']}\t{key['name']}\t{key['created_at']}\t"
                   f"{key['last_used_at'] or 'never used'}\t{stands}")
