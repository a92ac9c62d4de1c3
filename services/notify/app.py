"""The composition root of notify."""

from __future__ import annotations

import functools
from typing import Mapping

from shared.bus import Periodic
from shared.config import Settings
from shared.councils import CouncilRegister
from shared.service import ServiceDefinition
from shared.store import Store
from shared.unit_of_work import UnitOfWork

from services.notify import api, handlers, worker
from services.notify.delivery import Webhooks, mailer as configured_mailer
from services.notify.store import ABOUT_REFERRAL, INDEXES, RETAINED

MORNING_CHECK_SECONDS = 60.0
"""How often the morning's jobs look whether their time has come (each reads nothing until it has)."""


def periodic(store: Store, settings: Settings) -> list[Periodic]:
    webhooks = Webhooks(allow_private=settings.webhook_allow_private)
    mailer = configured_mailer(settings)
    councils = CouncilRegister.load(settings.councils_file)
    return [
        Periodic("dispatch", 0.5, lambda: handlers.dispatch(UnitOfWork(store), webhooks, mailer),
                 woken_by_events=True),  # a handler that queued a delivery wakes it
        Periodic("meeting-day", MORNING_CHECK_SECONDS,
                 lambda: handlers.remind_meetings(UnitOfWork(store), public_url=settings.public_url)),
        Periodic("managers-digest", MORNING_CHECK_SECONDS,
                 lambda: handlers.send_digest(UnitOfWork(store), managers=settings.manager_emails,
                                              morning=settings.morning_mail_at, public_url=settings.public_url,
                                              councils=councils)),
    ]


def configure(bound: Mapping, settings: Settings) -> Mapping:
    return {**bound,
            "referral.allocated": functools.partial(handlers.notify_advocate, public_url=settings.public_url),
            **{event_type: functools.partial(handlers.meeting_changed, morning=settings.morning_mail_at)
               for event_type in worker.MEETING_CHANGES}}


SERVICE = ServiceDefinition(name="notify", blueprints=(api.blueprint,), handlers=worker.HANDLERS, periodic=periodic,
                            configure=configure, indexes=INDEXES, about_referral=ABOUT_REFERRAL, retained=RETAINED)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker
