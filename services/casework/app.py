"""The composition root of the casework service."""

from __future__ import annotations

from shared.service import ServiceDefinition
from services.casework import api, worker
from services.casework.store import INDEXES

SERVICE = ServiceDefinition(name="casework", blueprints=(api.blueprint,), handlers=worker.HANDLERS,
                            indexes=INDEXES)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker
