"""How a service is put together: its API role and its worker role, built from one description.

A service's `app.py` describes itself with a `ServiceDefinition` (its blueprints, the events it handles and its
periodic tasks) and exposes `create_app` and `create_worker`. Settings and the store enter here, once.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from flask import Blueprint, Flask

from shared.config import Settings
from shared.store import Index, Store, open_store


@dataclass(frozen=True)
class ServiceDefinition:
    name: str
    blueprints: Sequence[Blueprint] = ()
    handlers: Mapping[str, Callable] = field(default_factory=dict)
    periodic: Callable[[Store, Settings], Sequence[Any]] | None = None
    """Builds the worker's periodic tasks from the store and settings (the bus's `Periodic`)."""
    configure: Callable[[Mapping[str, Callable], Settings], Mapping[str, Callable]] | None = None
    """Binds the handlers to settings they need (a region's time frames, say); the event types stay the same."""
    indexes: Sequence[Index] = ()
    """The combinations of fields the service finds its documents by (its store.py's INDEXES): the store makes an
    index for each when the API or the worker starts."""
    retained: Sequence[Any] = ()
    """How its records with personal data fall due and are erased (shared/erasure.py's `Retained`): their due day
    is stamped on every write, indexed, and the worker's erasure job erases what is due."""
    about_referral: Sequence[Any] = ()
    """What it erases of a referral whose records expired (shared/erasure.py's `AboutReferral`), found through an
    index on the referral each record names."""
    councils: bool = False
    """Whether the API reads the council register (`app.extensions["llais.councils"]`): the councils, their
    regions and nations, loaded once from the settings' file."""

    def create_app(self, settings: Settings | None = None, *, store: Store | None = None,
                   readiness: Sequence[Callable[[], None]] = (),
                   health: Callable[[], Mapping[str, Any]] | None = None) -> Flask:
        """The API role; `readiness` and `health` add what the rest of its process says of itself (the embedded
        mode's worker of the same service) to its `/readyz` and `/healthz`."""
        from shared import settling
        from shared.bus import broker_check
        from shared.web import create_service_app

        settings = settings or Settings.from_env()
        store = self.open(settings, store)

        def broker_reachable() -> None:
            broker_check(settings)

        app = create_service_app(self.name, settings, store, readiness=(broker_reachable, *readiness), health=health)
        settling.install(app, store, self.handlers)
        for blueprint in self.blueprints:
            app.register_blueprint(blueprint)
        if self.councils:
            from shared.councils import CouncilRegister

            app.extensions["llais.councils"] = CouncilRegister.load(settings.councils_file)
        return app

    def open(self, settings: Settings, store: Store | None = None) -> Store:
        """The service's store as its roles use it: its indexes made, and its records' due days stamped."""
        from shared import erasure

        store = erasure.stamping(store or open_store(self.name, settings), self.retained, settings.retention)
        store.ensure_indexes((*self.indexes, *erasure.indexes(self.retained, self.about_referral)),
                             strict=settings.strict_queries)
        return store

    def create_worker(self, settings: Settings | None = None, *, store: Store | None = None):
        from shared.bus import Worker

        settings = settings or Settings.from_env()
        store = self.open(settings, store)
        periodic = [*(self.periodic(store, settings) if self.periodic else ()), forgetting_keys(store),
                    erasing(store, self.retained, settings, self.name)]
        handlers = self.configure(self.handlers, settings) if self.configure else self.handlers
        return Worker(self.name, store, settings, handlers=handlers, periodic=periodic)


def forgetting_keys(store: Store):
    """The worker's task that forgets the Idempotency-Keys kept past their time (shared/idempotency.py)."""
    from shared.bus import Periodic
    from shared.idempotency import FORGET_EVERY_SECONDS

    return Periodic("forget-keys", FORGET_EVERY_SECONDS, lambda: store.forget_keys(time.time()))


def erasing(store: Store, retained: Sequence[Any], settings: Settings, service: str):
    """The worker's task that erases what is due today and forgets inbox entries and parked messages past
    redelivery (shared/erasure.py)."""
    from shared import erasure
    from shared.bus import Periodic, forget_parked

    started, last = time.monotonic(), [None]

    def run() -> None:
        """Hourly, the first a few minutes after the worker starts (a worker starting is busy enough, and the
        parking queue is not drained while an operator may be reading it after a restart)."""
        at = time.monotonic()
        if at - started < erasure.ERASE_FIRST_AFTER_SECONDS or (
                last[0] is not None and at - last[0] < erasure.ERASE_EVERY_SECONDS):
            return
        last[0] = at
        erasure.erase_due(store, retained, erasure.today(),
                          parked=lambda forget: forget_parked(settings, service, forget))

    return Periodic("erase", erasure.ERASE_FIRST_AFTER_SECONDS, run)
