"""The composition root of the referral service."""

from __future__ import annotations

from flask import Flask

from shared.config import Settings
from shared.councils import CouncilRegister
from shared.service import ServiceDefinition
from shared.store import Store

from services.referral import api, worker
from services.referral.store import INDEXES

SERVICE = ServiceDefinition(name="referral", blueprints=(api.blueprint,), handlers=worker.HANDLERS,
                            indexes=INDEXES)
NAME = SERVICE.name
create_worker = SERVICE.create_worker


def create_app(settings: Settings | None = None, *, store: Store | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = SERVICE.create_app(settings, store=store)
    app.extensions["llais.councils"] = CouncilRegister.load(settings.councils_file)
    return app
