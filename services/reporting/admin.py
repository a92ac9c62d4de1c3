"""Operators' commands of the reporting service (`llais reporting ...`)."""

from __future__ import annotations

import click

from shared.config import ConfigError, Settings
from shared.store import open_store
from shared.unit_of_work import UnitOfWork

from services.reporting import handlers
from services.reporting.store import INDEXES


@click.group()
def reporting() -> None:
    """The National Reporting Template's figures."""


@reporting.command()
def rebuild() -> None:
    """Make every referral's journey again from the facts kept, so every figure is counted afresh. Safe while the
    service runs: a fact arriving meanwhile is taken in by its handler as usual."""
    try:
        settings = Settings.from_env()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None
    store = open_store("reporting", settings)
    store.ensure_indexes(INDEXES)
    read = handlers.rebuild(UnitOfWork(store))
    click.echo(f"{read} facts read; every journey made again from them")
