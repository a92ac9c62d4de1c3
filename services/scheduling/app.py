"""The composition root of the scheduling service."""

from __future__ import annotations

import functools
import json
from typing import Mapping

from shared.bus import Periodic
from shared.clock import now
from shared.config import ConfigError, Settings
from shared.service import ServiceDefinition
from shared.store import Store
from shared.unit_of_work import UnitOfWork

from services.scheduling import api, complaint_clocks, deadlines, domain, message_clocks, worker
from services.scheduling.store import ABOUT_REFERRAL, INDEXES

CLOCK_SECONDS = 5.0


def region_timeframes(settings: Settings) -> dict[str, domain.Timeframes]:
    if settings.timeframes_file is None:
        return {}
    try:
        return domain.parse_timeframes(json.loads(settings.timeframes_file.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"LLAIS_TIMEFRAMES_FILE {settings.timeframes_file}: {exc}") from None


def configure(bound: Mapping, settings: Settings) -> Mapping:
    days = settings.complaint_days
    return {**bound, "referral.received": functools.partial(deadlines.open_case, regions=region_timeframes(settings)),
            "complaint.received": functools.partial(complaint_clocks.start_complaint_clock, days=days),
            "complaint.escalated": functools.partial(complaint_clocks.start_second_stage_clock, days=days),
            "message.received": functools.partial(message_clocks.start_message_clock, hours=settings.working_hours,
                                                  response_hours=settings.message_response_hours)}


def periodic(store: Store, settings: Settings) -> list[Periodic]:
    return [Periodic("deadline-clock", CLOCK_SECONDS, lambda: deadlines.run_clock(UnitOfWork(store))),
            Periodic("message-clock", CLOCK_SECONDS, lambda: message_clocks.tick(UnitOfWork(store), now()))]


SERVICE = ServiceDefinition(name="scheduling", blueprints=(api.blueprint,), handlers=worker.HANDLERS,
                            periodic=periodic, configure=configure, indexes=INDEXES, about_referral=ABOUT_REFERRAL)
NAME = SERVICE.name
create_app = SERVICE.create_app
create_worker = SERVICE.create_worker
