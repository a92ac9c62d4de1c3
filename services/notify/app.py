"""The composition root of notify."""

from __future__ import annotations

from shared.bus import Periodic
from shared.config import Settings
from shared.service import ServiceDefinition
from shared.store import Store

from services.notify import api, handlers, worker
from services.notify.store import NotifyStore


def periodic(store: Store, settings: Settings) -> list[Periodic]:
    import requests

    session = requests.Session()
    return [Periodic("dispatch-webhooks", 0.5, lambda: handlers.dispatch_webhooks(NotifyStore(store), session))]


SERVICE = ServiceDefinition(name="notify", blueprints=(api.blueprint,), handlers=worker.HANDLERS, periodic=periodic)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker
