"""`llais admin`: credentials for council systems and staff, acting on the gateway's store (API.md)."""

from __future__ import annotations

import sys

import click

from shared.config import ConfigError, Settings
from shared.councils import CouncilFileError, CouncilRegister
from shared.store import open_store

from services.gateway import handlers
from services.gateway.domain import ROLES, CredentialError
from services.gateway.store import GatewayStore


def _context() -> tuple[GatewayStore, CouncilRegister]:
    try:
        settings = Settings.from_env()
        return GatewayStore(open_store("gateway", settings)), CouncilRegister.load(settings.councils_file)
    except (ConfigError, CouncilFileError) as exc:
        raise click.UsageError(str(exc)) from None


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


@admin.command("create-user")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--council", default=None,
              help="For a referrer, the council they work for; for a commissioner, the council they read reports of.")
@click.option("--region", default=None, help="For a commissioner, the region whose reports they read.")
@click.option("--password-stdin", is_flag=True, required=True, help="Read the password from standard input.")
def create_user(email: str, role: str, council: str | None, region: str | None, password_stdin: bool) -> None:
    """Create a staff user (a council referrer, a commissioner) with a password read from standard input."""
    store, councils = _context()
    password = sys.stdin.readline().rstrip("\r\n")
    try:
        created = handlers.create_user(store, councils, email, role, council.strip().upper() if council else None,
                                       password, region=region.strip().lower() if region else None)
    except CredentialError as exc:
        _refuse(exc)
    click.echo(f"created {role} {created}", err=True)


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
    """Revoke an API key or token, given whole or by its key id (rotate: create a new key, then revoke the old)."""
    store, _ = _context()
    if not handlers.revoke(store, key):
        click.echo("error: no API key or token has that id", err=True)
        sys.exit(2)
    click.echo("revoked", err=True)


@admin.command("list-api-keys")
def list_api_keys() -> None:
    """The API keys: id, council, name, created and revoked (never a secret)."""
    store, _ = _context()
    for client in store.api_clients():
        body = client.body
        click.echo(f"{client.id}\t{body['council']}\t{body['name']}\t{body['created_at']}\t"
                   f"{body['revoked_at'] or 'active'}")
