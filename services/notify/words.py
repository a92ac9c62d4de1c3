"""Moments in words, as a reader in Wales or England reads them: the day, date and time in Europe/London time, in
English or Welsh ("Tuesday 8 December 2026 at 2:30pm", "Dydd Mawrth 8 Rhagfyr 2026 am 2:30pm"). Pure."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date

LONDON = ZoneInfo("Europe/London")
LOCALES = {"en": "en_GB", "cy": "cy"}
AT = {"en": "at", "cy": "am"}
MIDDAY = {"en": "midday", "cy": "canol dydd"}
MIDNIGHT = {"en": "midnight", "cy": "hanner nos"}


def language_of(language: str | None) -> str:
    """Welsh for a reader who chose it, English otherwise."""
    return "cy" if language == "cy" else "en"


def london(moment: str | datetime) -> datetime:
    """An aware moment (or its RFC 3339 text) as the clocks in London show it."""
    parsed = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
    return parsed.astimezone(LONDON)


def day(value: date, language: str) -> str:
    """"Tuesday 8 December 2026" / "Dydd Mawrth 8 Rhagfyr 2026"."""
    return format_date(value, "EEEE d MMMM y", locale=LOCALES[language_of(language)])


def clock(moment: datetime, language: str) -> str:
    """"2:30pm", "10am", "midday", "midnight" (Welsh writing keeps am and pm)."""
    language = language_of(language)
    if (moment.hour, moment.minute) == (12, 0):
        return MIDDAY[language]
    if (moment.hour, moment.minute) == (0, 0):
        return MIDNIGHT[language]
    hour = moment.hour % 12 or 12
    minutes = f":{moment.minute:02d}" if moment.minute else ""
    return f"{hour}{minutes}{'am' if moment.hour < 12 else 'pm'}"


def when(moment: str | datetime | None, language: str) -> str:
    """The moment in words in London time; empty for none."""
    if not moment:
        return ""
    local = london(moment)
    return f"{day(local.date(), language)} {AT[language_of(language)]} {clock(local, language)}"


def on_day(moment: str | datetime | None, language: str) -> str:
    """`when`, as it reads after "on" / "ar": Welsh softens "Dydd" to "ddydd" there ("ar ddydd Mawrth")."""
    said = when(moment, language)
    return "ddydd" + said[len("Dydd"):] if language_of(language) == "cy" and said.startswith("Dydd") else said
