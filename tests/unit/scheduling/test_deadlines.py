"""Working-day deadlines across weekends, Christmas, New Year and Easter, in England and in Wales."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from shared.clock import LONDON

from services.scheduling.domain import Timeframes, UnknownNation, deadlines, is_working_day, working_days_after


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def end_of(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T23:59:59").replace(tzinfo=LONDON)


@pytest.mark.parametrize("nation", ["england", "wales"])
@pytest.mark.parametrize("received, days, due", [
    ("2026-11-23T09:00:00+00:00", 1, "2026-11-24"),   # Monday -> Tuesday
    ("2026-11-27T16:30:00+00:00", 1, "2026-11-30"),   # Friday -> Monday
    ("2026-11-28T10:00:00+00:00", 1, "2026-11-30"),   # Saturday counts from Monday
    ("2026-11-27T09:00:00+00:00", 3, "2026-12-02"),
    ("2026-12-23T11:00:00+00:00", 1, "2026-12-24"),
    ("2026-12-24T11:00:00+00:00", 1, "2026-12-29"),   # Christmas Friday, Boxing Day observed Monday 28th
    ("2026-12-24T11:00:00+00:00", 3, "2026-12-31"),
    ("2026-12-31T11:00:00+00:00", 1, "2027-01-04"),   # New Year's Day Friday, then the weekend
    ("2026-12-22T09:00:00+00:00", 10, "2027-01-08"),
    ("2026-04-02T09:00:00+01:00", 1, "2026-04-07"),   # Good Friday and Easter Monday 2026
    ("2027-03-25T09:00:00+00:00", 2, "2027-03-31"),   # Easter 2027: 26th and 29th March
])
def test_working_days_skip_weekends_and_bank_holidays(nation, received, days, due):
    assert working_days_after(at(received), days, nation) == end_of(due)


def test_the_day_of_receipt_is_the_day_in_london():
    # 23:30 UTC on a British Summer Time evening is already the next day in London
    assert working_days_after(at("2026-06-01T23:30:00+00:00"), 1, "wales") == end_of("2026-06-03")
    assert working_days_after(at("2026-12-01T23:30:00+00:00"), 1, "wales") == end_of("2026-12-02")


def test_the_deadline_is_the_end_of_the_day_in_london_across_the_clock_change():
    due = working_days_after(at("2026-10-23T09:00:00+01:00"), 1, "england")  # clocks go back on the 25th
    assert due.astimezone(timezone.utc) == datetime(2026, 10, 26, 23, 59, 59, tzinfo=timezone.utc)
    summer = working_days_after(at("2026-07-01T09:00:00+01:00"), 1, "england")
    assert summer.astimezone(timezone.utc) == datetime(2026, 7, 2, 22, 59, 59, tzinfo=timezone.utc)


def test_bank_holidays_are_the_nations():
    assert not is_working_day(at("2026-12-28T12:00:00+00:00").date(), "wales")
    assert is_working_day(at("2026-12-29T12:00:00+00:00").date(), "england")
    with pytest.raises(UnknownNation, match="scotland"):
        is_working_day(at("2026-12-29T12:00:00+00:00").date(), "scotland")


def test_meeting_by_is_the_statutory_meeting_when_given_else_ten_working_days():
    received = at("2026-12-22T09:00:00+00:00")
    review = at("2027-01-05T10:00:00+00:00")
    given = deadlines(received, "wales", Timeframes(), review)
    assert given["meeting_by"] == review
    assert given["acknowledge_by"] == end_of("2026-12-23")
    assert given["allocate_by"] == end_of("2026-12-24")
    assert given["first_contact_by"] == end_of("2026-12-29")
    assert deadlines(received, "wales", Timeframes())["meeting_by"] == end_of("2027-01-08")


def test_a_region_can_set_its_own_time_frames():
    received = at("2026-11-23T09:00:00+00:00")
    assert deadlines(received, "england", Timeframes(acknowledge=2))["acknowledge_by"] == end_of("2026-11-25")


@pytest.mark.parametrize("received, days", [(datetime(2026, 11, 23, 9), 1), (at("2026-11-23T09:00:00+00:00"), 0)])
def test_nonsense_is_refused(received, days):
    with pytest.raises(ValueError):
        working_days_after(received, days, "wales")
