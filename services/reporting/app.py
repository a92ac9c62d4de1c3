"""The composition root of the reporting service."""

from __future__ import annotations

from shared.service import ServiceDefinition

from services.reporting import api, worker
from services.reporting.store import INDEXES

SERVICE = ServiceDefinition(name="reporting", blueprints=(api.blueprint,), handlers=worker.HANDLERS,
                            indexes=INDEXES, councils=True)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker

