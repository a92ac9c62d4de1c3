"""The `llais` command: run the platform, one role of it, and the operators' tools.

    llais run                                   every service in one process (embedded mode)
    llais up                                    every role as its own process, against AMQP_URL
    llais serve SERVICE --role api|worker       one role of one service
    llais admin ...                             credentials (see API.md)
    llais bus parked SERVICE | replay SERVICE [ID] | declare-topology | export-topology
    llais upgrade-records                       bring records kept by an earlier version up to date
    llais retention run [--as-of DAY] | log     erase what is due now (or on DAY); show what was erased
    llais backup DEST | backup --verify DEST    copy the embedded mode's stores while it runs; check a copy
    llais restore DEST [--data FOLDER]          bring a copy back into a stopped platform's data folder
"""

from __future__ import annotations

import functools
import json
import os
import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import click

from shared.config import ConfigError, Settings

from services import INTERNAL_SERVICES, SERVICES

BACKUP_NICENESS = 10
"""How far `llais backup` stands back from the platform for the processor: its copying and checksums wait while a
request has work to do."""


def _settings() -> Settings:
    try:
        return Settings.from_env()
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def _until_signalled() -> threading.Event:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


@click.group()
def main() -> None:
    """Llais: statutory advocacy for children, from referral to the Active Offer meeting and beyond."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address the gateway listens on.")
def run(host: str) -> None:
    """Start every service in this one process: the embedded mode."""
    from shared.store.backup import DataFolderInUse

    from services.platform import Embedded

    settings = _settings()
    platform = Embedded(settings, host=host)
    with _refused_with_status_2(DataFolderInUse):
        url = platform.start()
    bus = "RabbitMQ bus" if settings.broker else f"durable bus in {settings.data_dir}/bus.sqlite3"
    store = "MongoDB" if settings.mongo_url else f"SQLite files in {settings.data_dir}/"
    click.echo(f"""
Llais is running at {url}  ({bus}, {store})

  Web forms:         {url}/sign-in  (a young person refers themselves at {url}/self-referral)
  OpenAPI document:  {url}/api/v1/openapi.json
  Health:            {url}/healthz

Accounts (in another terminal, from this folder; then sign in with the email and password):
  echo 'a-long-password-here' | .venv/bin/llais admin create-user --email you@example.org --role manager --password-stdin
      # provider staff: a manager allocates, and can take every step of the journey (an advocate: --role advocate)
  echo 'a-long-password-here' | .venv/bin/llais admin create-user --email sw@cardiff.example --role referrer --council CARDIFF --password-stdin
      # a council social worker who refers children at {url}/refer
  .venv/bin/llais admin create-api-key --council CARDIFF         # a council system's API key
  .venv/bin/llais admin create-token --email you@example.org     # a staff bearer token for the API

Stop with Ctrl+C.
""")
    stop = _until_signalled()
    stop.wait()
    click.echo("stopping…")
    platform.stop()


@main.command()
@click.option("--workers", default=1, show_default=True, help="Worker processes per service.")
@click.option("--api-processes", default=1, show_default=True, help="gunicorn processes per service API.")
def up(workers: int, api_processes: int) -> None:
    """Start every role of every service as its own process, against the RabbitMQ at AMQP_URL."""
    from services.platform import process_roles, run_processes

    settings = _settings()
    if not settings.broker:
        raise click.UsageError(
            "multi-process mode needs a real broker: set AMQP_URL (e.g. amqp://guest:guest@localhost//)")
    from shared.bus import declare_topology
    from services.platform import bindings

    declare_topology(settings, bindings())
    roles, env = process_roles(settings, workers_per_service=workers, api_processes=api_processes)
    click.echo(f"starting {len(roles)} processes; gateway on http://localhost:{settings.port}")
    run_processes(roles, env, _until_signalled())


@main.command()
@click.argument("service", type=click.Choice(SERVICES))
@click.option("--role", type=click.Choice(["api", "worker"]), required=True)
@click.option("--host", envvar="LLAIS_HOST", default="127.0.0.1", show_default=True)
@click.option("--port", type=int, default=None, help="API port (default: PORT).")
@click.option("--processes", envvar="WEB_CONCURRENCY", type=int, default=2, show_default=True,
              help="gunicorn worker processes for the API role.")
def serve(service: str, role: str, host: str, port: int | None, processes: int) -> None:
    """Run one role of one service in this process."""
    from services.platform import serve_api, serve_worker

    settings = _settings()
    if role == "api":
        serve_api(service, settings, host, port or settings.port, processes)
    else:
        if service not in INTERNAL_SERVICES:
            raise click.UsageError(f"{service} has no worker role")
        serve_worker(service, settings, host)


@main.group()
def bus() -> None:
    """The event bus: parked messages and the topology."""


@bus.command()
@click.argument("service", type=click.Choice(INTERNAL_SERVICES))
def parked(service: str) -> None:
    """List the messages parked for SERVICE, one JSON object a line; they stay parked."""
    from shared.bus import list_parked

    messages = list_parked(_settings(), service)
    for message in messages:
        click.echo(json.dumps({"event_id": message.event_id, "type": message.type, "version": message.version,
                               "attempts": message.attempts, "parked_at": message.parked_at,
                               "error": message.error}))
    click.echo(f"{len(messages)} parked", err=True)


@bus.command()
@click.argument("service", type=click.Choice(INTERNAL_SERVICES))
@click.argument("event_id", required=False)
def replay(service: str, event_id: str | None) -> None:
    """Put SERVICE's parked messages (or only EVENT_ID) back on its queue."""
    from shared.bus import replay_parked

    count = replay_parked(_settings(), service, event_id)
    if event_id and count == 0:
        click.echo(f"no parked message with id {event_id} for {service}", err=True)
        sys.exit(1)
    click.echo(f"{count} replayed")


@bus.command("declare-topology")
def declare() -> None:
    """Declare the exchange and every service's queues on the broker at AMQP_URL (idempotent)."""
    from shared.bus import declare_topology

    from services.platform import bindings

    declare_topology(_settings(), bindings())
    click.echo("topology declared", err=True)


@bus.command("export-topology")
@click.option("--queue-type", type=click.Choice(["classic", "quorum"]), default=None,
              help="Export for this queue type instead of LLAIS_QUEUE_TYPE's.")
def export_topology(queue_type: str | None) -> None:
    """Print the RabbitMQ definitions of the topology the services declare (infra/rabbitmq/definitions.json)."""
    from dataclasses import replace

    from shared.bus import topology_definitions

    from services.platform import bindings

    settings = _settings()
    if queue_type:
        settings = replace(settings, queue_type=queue_type)
    click.echo(json.dumps(topology_definitions(settings, bindings()), indent=2, sort_keys=True))


@main.command("upgrade-records")
def upgrade_records() -> None:
    """Give records kept by an earlier version what the services now find them by (a referral's keys for searching
    by the child's name, a case's waiting request for a different advocate, the digest of a complainant's name).
    Safe while the services run, and to run again: a record already up to date is left as it is."""
    from shared.store import bring_up_to_date, open_store

    from services.casework import domain as casework
    from services.casework.store import CASES
    from services.complaints import model as complaints
    from services.complaints.store import COMPLAINTS
    from services.platform import retained
    from services.referral import model as referral
    from services.referral.store import REFERRALS

    settings = _settings()
    for service, collection, up_to_date in (("referral", REFERRALS, referral.up_to_date),
                                            ("casework", CASES, casework.up_to_date),
                                            ("complaints", COMPLAINTS, complaints.up_to_date)):
        store = open_store(service, settings)
        try:
            click.echo(f"{service}: {bring_up_to_date(store, collection, up_to_date)} {collection} brought up to date")
        finally:
            store.close()
    for service in SERVICES:  # records kept before each carried the day it falls due on
        store = open_store(service, settings)
        try:
            for kept in retained(service):
                stamp = functools.partial(_due_day_missing, kept=kept, policy=settings.retention)
                made = bring_up_to_date(store, kept.collection, stamp)
                click.echo(f"{service}: {made} {kept.collection} given the day they fall due now")
        finally:
            store.close()


def _due_day_missing(body: dict, *, kept, policy) -> dict | None:
    """The record stamped with the day it falls due under the periods in force now; None when it carries that day
    already (so a changed period reaches the records written before the change)."""
    from shared.erasure import stamped

    now_due = stamped(body, kept, policy)
    return None if "erase_on" in body and body["erase_on"] == now_due["erase_on"] else now_due


@main.group()
def retention() -> None:
    """Erasure of records whose retention period is over (README: Retention and erasure)."""


@retention.command("run")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Erase what is due on this day (YYYY-MM-DD) rather than today.")
@click.option("--service", "only", type=click.Choice(SERVICES), default=None, help="This service's records only.")
def retention_run(as_of, only: str | None) -> None:
    """Erase, in every service (or one), what is due today or on --as-of, as each worker does hourly; print each
    service's erasure record (kinds, counts, hashed ids), one JSON object a line."""
    from shared import erasure
    from shared.bus import forget_parked
    from shared.store import open_store

    from services.platform import retained

    settings = _settings()
    day = as_of.date() if as_of else erasure.today()
    referral = open_store("referral", settings)
    try:  # the gateway hears of no legal holds: it keeps the audit of the referrals the referral service holds
        held = erasure.held_referrals(referral)
    finally:
        referral.close()
    for service in [only] if only else SERVICES:
        kept = retained(service)
        store = erasure.stamping(open_store(service, settings), kept, settings.retention)
        try:
            store.ensure_indexes(erasure.indexes(kept))
            parked = None if service == "gateway" else functools.partial(forget_parked, settings, service)
            record = erasure.erase_due(store, kept, day, parked=parked,
                                       held_elsewhere=held if service == "gateway" else ())
            click.echo(json.dumps({"service": service, **(record or {"as_of": day.isoformat(), "kinds": {}})}))
        finally:
            store.close()


@retention.command("log")
@click.option("--service", "only", type=click.Choice(SERVICES), default=None, help="This service's records only.")
@click.option("--limit", default=20, show_default=True, help="The latest this many of each service.")
def retention_log(only: str | None, limit: int) -> None:
    """The erasure records each service kept, newest first, one JSON object a line: never the data erased."""
    from shared import erasure
    from shared.store import open_store

    settings = _settings()
    for service in [only] if only else SERVICES:
        store = open_store(service, settings)
        try:
            for record in erasure.erasure_log(store, limit):
                click.echo(json.dumps({"service": service, **record}))
        finally:
            store.close()


@main.command()
@click.argument("dest", type=click.Path(path_type=Path))
@click.option("--verify", "verify_only", is_flag=True, help="Check the backup in DEST instead of taking one.")
def backup(dest: Path, verify_only: bool) -> None:
    """Copy every store of LLAIS_DATA, the bus's included, into the new folder DEST while the platform runs, with a
    manifest of their sizes and checksums; or, with --verify, check that the backup in DEST is whole."""
    from shared.store import backup as backups

    with _refused_with_status_2(backups.BackupRefused):
        if verify_only:
            manifest = backups.verify(dest)
            click.echo(f"{dest}: {len(manifest['files'])} files whole, taken at {manifest['taken_at']} by Llais "
                       f"{manifest['llais_version']}")
            return
        settings = _settings()
        if settings.mongo_url:
            raise backups.BackupRefused("the stores are in MongoDB (MONGO_URL): back them up with mongodump "
                                        "--oplog, as the README's \"Backup and restore\" says")
        os.nice(BACKUP_NICENESS)  # the platform's requests come first on a machine it shares with the backup
        manifest = backups.take(settings.data_dir, dest)
    click.echo(f"{len(manifest['files'])} files of {settings.data_dir} backed up into {dest}")
    if settings.broker:
        click.echo("the bus is RabbitMQ (AMQP_URL): its queues are not in this backup", err=True)


@main.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--data", type=click.Path(path_type=Path), default=None,
              help="The data folder to restore into (default: LLAIS_DATA).")
@click.option("--force", is_flag=True, help="Replace the stores the data folder holds already.")
def restore(source: Path, data: Path | None, force: bool) -> None:
    """Bring the backup in SOURCE back into a data folder no platform is using; start Llais on it after."""
    from shared.store import backup as backups

    data_dir = data or _settings().data_dir
    with _refused_with_status_2(backups.BackupRefused):
        manifest = backups.restore(source, data_dir, force=force)
    click.echo(f"{len(manifest['files'])} files restored into {data_dir} from the backup taken at "
               f"{manifest['taken_at']}")


@contextmanager
def _refused_with_status_2(refusal: type[Exception]) -> Iterator[None]:
    """A backup or a restore that cannot go ahead says why on stderr and ends with status 2, as a usage error
    does."""
    try:
        yield
    except refusal as exc:
        click.echo(f"llais: {exc}", err=True)
        sys.exit(2)


def _attach_admin() -> None:
    from services.gateway.admin import admin
    from services.reporting.admin import reporting

    main.add_command(admin)
    main.add_command(reporting)


_attach_admin()

if __name__ == "__main__":
    main()
