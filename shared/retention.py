"""How long each kind of record is kept, and the day it falls due for erasure (ARCHITECTURE.md, data protection).

A provider may lengthen or shorten each period with one variable (`LLAIS_RETENTION_...`, read by
shared/config.py), checked at start-up: a record the National Reporting Template counts must outlast the
publication of its reporting year (UK reporting years run April to March; the template is published by the end of
June after), so a period that could erase one sooner is refused, naming the variable.

Pure: each service computes a record's `erase_on` (a `YYYY-MM-DD` date, or None while it cannot be known yet, an
open referral's) from the record's own dates, and its erasure job (shared/erasure.py) reads what has fallen due.
A record is erased on its `erase_on` day, not the day before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Mapping

from shared.clock import LONDON

PUBLISHED_BY_MONTH = 7
"""The reporting year ending in March is published by the end of June: its records are needed until 1 July."""
SMALLEST_AGE = 18
"""A child's records are never erased before the child is an adult."""


class RetentionSettingRefused(ValueError):
    """A retention period would erase a counted record before its reporting year is published; names the
    variable."""


@dataclass(frozen=True)
class Kind:
    """A kind of record with a period of its own: its code, the variable that sets it, the unit, and whether
    reporting counts it (its default is `Policy`'s)."""

    code: str
    attribute: str
    """Its field of `Policy`."""
    setting: str
    unit: str
    counted: bool
    rule: str
    """The rule as the README's table says it."""


KINDS = (
    Kind("child_record", "child_until_age", "LLAIS_RETENTION_CHILD_UNTIL_AGE", "age", True,
         "a child's advocacy records: until the child is this age, or `LLAIS_RETENTION_CHILD_YEARS` after the "
         "last contact if later"),
    Kind("child_record_contact", "child_years", "LLAIS_RETENTION_CHILD_YEARS", "years", True,
         "a child's advocacy records: years after the last contact"),
    Kind("not_proceeded", "not_proceeded_years", "LLAIS_RETENTION_NOT_PROCEEDED_YEARS", "years", True,
         "a referral that never went ahead (closed without an advocate's meeting): years after it closed"),
    Kind("complaint", "complaint_years", "LLAIS_RETENTION_COMPLAINT_YEARS", "years", True,
         "a complaint, representation or compliment: years after it closed (a compliment: after it was recorded)"),
    Kind("audit", "audit_years", "LLAIS_RETENTION_AUDIT_YEARS", "years", False,
         "the gateway's audit log: years after each entry"),
    Kind("delivery", "delivery_days", "LLAIS_RETENTION_DELIVERY_DAYS", "days", False,
         "webhook and email delivery records: days after delivered or parked"),
)
"""Every period a provider may set. Opt-outs have none of their own: they are anonymised once the reporting year
they are counted in is published (`published_after`)."""

BY_CODE = {kind.code: kind for kind in KINDS}


@dataclass(frozen=True)
class Policy:
    """The periods in force: the defaults, or what the variables set."""

    child_until_age: int = 25
    child_years: int = 6
    not_proceeded_years: int = 2
    complaint_years: int = 6
    audit_years: int = 6
    delivery_days: int = 90

    @classmethod
    def period(self, kind: Kind) -> int:
        return getattr(self, kind.attribute)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> "Policy":
        """The periods the variables set (unset or empty: the default), each refused, naming its variable, when it
        is not a whole number or would erase a counted record before its reporting year is published."""
        values = {}
        for kind in KINDS:
            raw = (env.get(kind.setting) or "").strip()
            if not raw:
                continue
            try:
                values[kind.attribute] = int(raw)
            except ValueError:
                raise RetentionSettingRefused(f"{kind.setting} must be a whole number of {kind.unit}, "
                                              f"not {raw!r}") from None
            _check(kind, values[kind.attribute])
        return cls(**values)

    # when a record falls due: the first day it is erased on

    def child_record_due(self, date_of_birth: date | None, last_contact: date) -> date:
        """A child's advocacy records: when the child reaches `child_until_age`, or `child_years` after the last
        contact if that is later, and never before the last contact's reporting year is published."""
        after_contact = max(add_years(last_contact, self.child_years), published_after(last_contact))
        return after_contact if date_of_birth is None else max(add_years(date_of_birth, self.child_until_age),
                                                               after_contact)

    def not_proceeded_due(self, closed: date) -> date:
        return max(add_years(closed, self.not_proceeded_years), published_after(closed))

    def complaint_due(self, closed: date) -> date:
        return max(add_years(closed, self.complaint_years), published_after(closed))

    def audit_due(self, written: date) -> date:
        return add_years(written, self.audit_years)

    def delivery_due(self, finished: date) -> date:
        return finished + timedelta(days=self.delivery_days)


def _check(kind: Kind, value: int) -> None:
    if kind.unit == "age":
        if value < SMALLEST_AGE:
            raise RetentionSettingRefused(f"{kind.setting}={value} would erase a child's records before they are "
                                          f"{SMALLEST_AGE}")
        return
    least = 1 if kind.unit == "days" else (2 if kind.counted else 1)
    if value < least:
        why = ("before the reporting year it is counted in is published (April to March, published by the end of "
               "June after: at least 2 years)") if kind.counted else "at once"
        raise RetentionSettingRefused(f"{kind.setting}={value} would erase a record {why}")


def add_years(day: date, years: int) -> date:
    """The same day `years` later; 29 February becomes 1 March (kept a day longer, never a day shorter)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def published_after(day: date) -> date:
    """The first day after the reporting year holding `day` (April to March) is published: 1 July after its end."""
    ends = day.year + 1 if day.month >= 4 else day.year
    return date(ends, PUBLISHED_BY_MONTH, 1)


def day_of(moment: str | None) -> date | None:
    """The London day of an RFC 3339 moment (or of a `YYYY-MM-DD` date), None for None."""
    if moment is None:
        return None
    if len(moment) == 10:
        return date.fromisoformat(moment)
    return datetime.fromisoformat(moment).astimezone(LONDON).date()


def as_text(day: date | None) -> str | None:
    """How a due day is kept in a record (`erase_on`): `YYYY-MM-DD`, which sorts as the days do."""
    return day.isoformat() if day is not None else None


__all__ = ["BY_CODE", "KINDS", "Kind", "Policy", "RetentionSettingRefused", "add_years", "as_text", "day_of",
           "published_after"]
