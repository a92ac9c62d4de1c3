"""The composition root of notify."""

from __future__ import annotations

import requests

from shared.bus import Periodic
from shared.config import Settings
from shared.service import ServiceDefinition
from shared.store import Store
from shared.unit_of_work import UnitOfWork

from services.notify import api, handlers, worker
from services.notify.delivery import smtp_mailer
from services.notify.store import INDEXES


def periodic(store: Store, settings: Settings) -> list[Periodic]:
    session, mailer = requests.Session(), smtp_mailer(settings)
    return [Periodic("dispatch", 0.5, lambda: handlers.dispatch(UnitOfWork(store), session, mailer),
                     woken_by_events=True)]  # a handler that queued a delivery wakes it


SERVICE = ServiceDefinition(name="notify", blueprints=(api.blueprint,), handlers=worker.HANDLERS, periodic=periodic,
                            indexes=INDEXES)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker
