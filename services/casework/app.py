"""The composition root of the casework service."""

from __future__ import annotations

from shared.service import ServiceDefinition
from services.casework import api, worker
from services.casework.store import ABOUT_REFERRAL, INDEXES

SERVICE = ServiceDefinition(name="casework", blueprints=(api.blueprint,), handlers=worker.HANDLERS,
                            indexes=INDEXES, about_referral=ABOUT_REFERRAL)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker
