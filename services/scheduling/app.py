"""The composition root of the scheduling service."""

from __future__ import annotations

from shared.bus import Periodic
from shared.config import Settings
from shared.service import ServiceDefinition
from shared.store import Store

from services.scheduling import api, handlers, worker

CLOCK_SECONDS = 5.0


def periodic(store: Store, settings: Settings) -> list[Periodic]:
    return [Periodic("deadline-clock", CLOCK_SECONDS, lambda: handlers.run_clock(store))]


SERVICE = ServiceDefinition(name="scheduling", blueprints=(api.blueprint,), handlers=worker.HANDLERS,
                            periodic=periodic)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker
