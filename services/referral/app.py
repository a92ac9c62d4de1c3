"""The composition root of the referral service."""

from __future__ import annotations

from shared.service import ServiceDefinition

from services.referral import api, messages_api, worker
from services.referral.store import INDEXES, RETAINED

SERVICE = ServiceDefinition(name="referral", blueprints=(api.blueprint, messages_api.blueprint),
                            handlers=worker.HANDLERS, indexes=INDEXES, retained=RETAINED,
                            councils=True)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker

