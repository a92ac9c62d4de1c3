"""The composition root of the complaints service."""

from __future__ import annotations

from shared.service import ServiceDefinition

from services.complaints import api, worker
from services.complaints.store import INDEXES, RETAINED

SERVICE = ServiceDefinition(name="complaints", blueprints=(api.blueprint,), handlers=worker.HANDLERS,
                            indexes=INDEXES, retained=RETAINED, councils=True)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker

