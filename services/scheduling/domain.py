"""Deadlines in working days: the contract's time frames counted in the council's nation.

"N working days after receipt" is the end (23:59:59 Europe/London) of the Nth working day after the day of receipt,
skipping weekends and that nation's bank holidays. Pure rules: no I/O, no clock of their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
END_OF_DAY = time(23, 59, 59)
NATIONS = {"england": "ENG", "wales": "WLS"}


class UnknownNation(ValueError):
    pass


@dataclass(frozen=True)
class Timeframes:
    """A region's contract time frames, in working days after receipt."""

    acknowledge: int = 1
    allocate: int = 2
    first_contact: int = 3
    meeting: int = 10


@lru_cache(maxsize=64)
def _bank_holidays(nation: str, year: int) -> frozenset[date]:
    try:
        subdivision = NATIONS[nation]
    except KeyError:
        raise UnknownNation(f"no bank holidays known for nation {nation!r}; known: {', '.join(NATIONS)}") from None
    return frozenset(holidays.country_holidays("GB", subdiv=subdivision, years=year))


def is_working_day(day: date, nation: str) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(nation, day.year)


def working_days_after(received_at: datetime, days: int, nation: str) -> datetime:
    """The end of the `days`th working day after the day (in Europe/London) on which `received_at` falls."""
    if received_at.tzinfo is None:
        raise ValueError("received_at must carry its offset")
    if days < 1:
        raise ValueError("a time frame is at least one working day")
    day = received_at.astimezone(LONDON).date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day, nation):
            counted += 1
    return datetime.combine(day, END_OF_DAY, tzinfo=LONDON)


def deadlines(received_at: datetime, nation: str, timeframes: Timeframes,
              statutory_meeting_at: datetime | None = None) -> dict[str, datetime]:
    """The four deadlines of an Active Offer referral.

    `meeting_by` is the statutory meeting's time (the first looked-after review or initial conference) when the
    council gave one, else the end of the contract's meeting time frame.
    """
    return {
        "acknowledge_by": working_days_after(received_at, timeframes.acknowledge, nation),
        "allocate_by": working_days_after(received_at, timeframes.allocate, nation),
        "first_contact_by": working_days_after(received_at, timeframes.first_contact, nation),
        "meeting_by": statutory_meeting_at or working_days_after(received_at, timeframes.meeting, nation),
    }
