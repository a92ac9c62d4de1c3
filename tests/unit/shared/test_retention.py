"""The retention policy: when each kind of record falls due, on its boundary days, and the settings refused."""

from __future__ import annotations

from datetime import date

import pytest

from shared.config import ConfigError, Settings
from shared.retention import KINDS, Policy, add_years, day_of, published_after

POLICY = Policy()


def test_the_defaults_are_those_a_dpo_would_recognise():
    assert Settings.from_env({}).retention == POLICY
    assert {kind.code: POLICY.period(kind) for kind in KINDS} == {
        "child_record": 25, "child_record_contact": 6, "not_proceeded": 2, "complaint": 6, "audit": 6,
        "delivery": 90}


def test_a_childs_records_are_kept_until_25_or_6_years_after_the_last_contact_whichever_is_later():
    born, contact = date(2010, 5, 14), date(2026, 1, 20)
    assert POLICY.child_record_due(born, contact) == date(2035, 5, 14)  # 25 comes after contact + 6 (2032)
    late_contact = date(2031, 9, 2)  # at 21: six years on is later than 25
    assert POLICY.child_record_due(born, late_contact) == date(2037, 9, 2)
    assert POLICY.child_record_due(None, contact) == date(2032, 1, 20)  # no date of birth known: the contact's


def test_a_complaint_is_due_6_years_after_it_closed():
    assert POLICY.complaint_due(date(2026, 6, 30)) == date(2032, 6, 30)


def test_the_29th_of_february_is_kept_to_the_1st_of_march():
    assert add_years(date(2028, 2, 29), 1) == date(2029, 3, 1)
    assert POLICY.child_record_due(date(2008, 2, 29), date(2020, 1, 1)) == date(2033, 3, 1)


@pytest.mark.parametrize("day, published", [
    (date(2026, 4, 1), date(2027, 7, 1)),  # the first day of a reporting year
    (date(2027, 3, 31), date(2027, 7, 1)),  # its last
    (date(2027, 4, 1), date(2028, 7, 1)),  # the next year's first
])
def test_a_reporting_year_runs_april_to_march_and_is_needed_until_published(day, published):
    assert published_after(day) == published


def test_a_counted_record_outlives_its_reporting_years_publication_however_short_the_period():
    short = Policy(not_proceeded_years=2)
    assert short.not_proceeded_due(date(2026, 4, 1)) == date(2028, 4, 1)
    assert Policy(child_years=2, child_until_age=18).child_record_due(date(2010, 1, 1), date(2026, 4, 1)) \
        == date(2028, 4, 1)
    assert POLICY.delivery_due(date(2026, 1, 1)) == date(2026, 4, 1)  # not counted: 90 days
    assert POLICY.audit_due(date(2026, 1, 1)) == date(2032, 1, 1)


def test_moments_are_read_as_the_london_day():
    assert day_of("2026-06-30T23:30:00+00:00") == date(2026, 7, 1)  # 00:30 in London, summer time
    assert day_of("2026-12-31T23:30:00+00:00") == date(2026, 12, 31)
    assert day_of("2026-01-02") == date(2026, 1, 2)
    assert day_of(None) is None


def test_a_provider_sets_each_period():
    settings = Settings.from_env({"LLAIS_RETENTION_COMPLAINT_YEARS": "7", "LLAIS_RETENTION_DELIVERY_DAYS": "30",
                                  "LLAIS_RETENTION_AUDIT_YEARS": ""})
    assert (settings.retention.complaint_years, settings.retention.delivery_days) == (7, 30)
    assert settings.retention.audit_years == 6


@pytest.mark.parametrize("env, named", [
    ({"LLAIS_RETENTION_COMPLAINT_YEARS": "1"}, "LLAIS_RETENTION_COMPLAINT_YEARS"),
    ({"LLAIS_RETENTION_NOT_PROCEEDED_YEARS": "0"}, "LLAIS_RETENTION_NOT_PROCEEDED_YEARS"),
    ({"LLAIS_RETENTION_CHILD_YEARS": "1"}, "LLAIS_RETENTION_CHILD_YEARS"),
    ({"LLAIS_RETENTION_CHILD_UNTIL_AGE": "17"}, "LLAIS_RETENTION_CHILD_UNTIL_AGE"),
    ({"LLAIS_RETENTION_DELIVERY_DAYS": "0"}, "LLAIS_RETENTION_DELIVERY_DAYS"),
    ({"LLAIS_RETENTION_AUDIT_YEARS": "six"}, "LLAIS_RETENTION_AUDIT_YEARS"),
])
def test_a_period_that_would_erase_too_soon_is_refused_at_start_up_naming_its_setting(env, named):
    with pytest.raises(ConfigError, match=named):
        Settings.from_env(env)


def test_the_shortest_periods_allowed_are_accepted():
    settings = Settings.from_env({"LLAIS_RETENTION_COMPLAINT_YEARS": "2", "LLAIS_RETENTION_CHILD_UNTIL_AGE": "18",
                                  "LLAIS_RETENTION_AUDIT_YEARS": "1", "LLAIS_RETENTION_DELIVERY_DAYS": "1"})
    assert settings.retention.child_until_age == 18
