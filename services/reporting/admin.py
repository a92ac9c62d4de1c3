"""Operators' commands of the reporting service (`llais reporting ...`)."""

from __future__ import annotations

import click

from shared import validation
from shared.config import ConfigError, Settings
from shared.http import ServiceClient, ServiceUnavailable
from shared.store import open_store
from shared.unit_of_work import UnitOfWork

from services.reporting import backfill as history
from services.reporting import handlers
from services.reporting.store import INDEXES


@click.group()
def reporting() -> None:
    """The National Reporting Template's figures."""


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


@reporting.command()
@click.option("--before", required=True, metavar="TIME",
              help="When this service began to hear events (RFC 3339 with an offset): its first start.")
def backfill(before: str) -> None:
    """Take in what happened before this service began to hear events, recalled by each service that owns it
    (LLAIS_<SERVICE>_URL). Run it once, after the service has started; a second run changes nothing."""
    try:
        validation.parse_moment(before)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--before") from None
    settings = _settings()
    missing = [name for name in history.HISTORIES if name not in settings.service_urls]
    if missing:
        raise click.UsageError(f"Set LLAIS_{missing[0].upper()}_URL: the backfill asks that service its history.")
    clients = {name: ServiceClient(name, settings.service_urls[name], internal_token=settings.internal_token,
                                   timeout=60) for name in history.HISTORIES}

    def recall(service: str, of: str, after: str | None) -> dict:
        params = {"of": of, "before": before, "limit": 200, **({"after": after} if after else {})}
        try:
            answer = clients[service].request("GET", "/history", params=params)
        except ServiceUnavailable as exc:
            raise click.ClickException(f"{exc}; nothing is lost: run the backfill again") from None
        if answer.status_code != 200:
            raise click.ClickException(f"the {service} service refused its history ({answer.status_code}): "
                                       f"{answer.json().get('detail', '')}")
        return answer.json()

    store = open_store("reporting", settings)
    store.ensure_indexes(INDEXES)
    counts = history.backfill(store, recall)
    click.echo(f"{counts['recalled']} events of history taken in, {counts['heard']} heard already, "
               f"{counts['not_counted']} not counted")


@reporting.command()
def rebuild() -> None:
    """Make every referral's journey again from the facts kept, so every figure is counted afresh. Safe while the
    service runs: a fact arriving meanwhile is taken in by its handler as usual."""
    store = open_store("reporting", _settings())
    store.ensure_indexes(INDEXES)
    read = handlers.rebuild(UnitOfWork(store))
    click.echo(f"{read} facts read; every journey made again from them")
