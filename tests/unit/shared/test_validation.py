"""What every service refuses at its door (shared.validation), and how an id reaches a service (shared.http)."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from shared import validation
from shared.http import encoded

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
TODAY = date(2026, 11, 23)


# text

@pytest.mark.parametrize("text, problem", [
    ("Cerys\ud800", "unpaired surrogate"), ("\udfffJones", "unpaired surrogate"),
    ("Cer\x00ys", "control character"), ("Cerys\x1b[31m", "control character"), ("Cerys\x7f", "control character"),
    ("Cerys\x85", "control character"), ("Cerys\u202e", "bidirectional override"),
    ("\u2066Cerys\u2069", "bidirectional override"),
])
def test_text_that_would_break_or_spoof_a_page_is_refused(text, problem):
    assert problem in validation.text_problem(text)
    assert problem in validation.line_problem(text)


@pytest.mark.parametrize("text", ["Cerys", "Siân ap Rhys", "Zoë 😀", "O'Brien-Jones", "مريم", "", "日本"])
def test_ordinary_names_in_any_script_pass(text):
    assert validation.text_problem(text) is None and validation.line_problem(text) is None


def test_free_text_keeps_tabs_and_line_breaks_a_name_does_not():
    note = "Met at school.\r\nShe wants\tmore contact."
    assert validation.text_problem(note) is None
    assert "one line" in validation.line_problem(note)
    assert "one line" in validation.line_problem("Cerys\u2028Jones")


def test_printable_shows_what_a_page_cannot_as_the_replacement_character():
    assert validation.printable("Cerys\ud800 \u202eJones\x00") == "Cerys\ufffd \ufffdJones\ufffd"
    assert validation.printable("Siân 😀\n") == "Siân 😀\n"
    "Cerys\ufffd".encode("utf-8")  # what a page can always encode


def test_the_documented_pattern_agrees_with_the_check_on_everything_but_surrogates():
    for text in ("Cerys", "Cer\x00ys", "a\u202eb", "a\tb", "Zoë 😀"):
        assert bool(validation.TEXT_PATTERN.match(text)) == (validation.text_problem(text) is None)
        assert bool(validation.LINE_PATTERN.match(text)) == (validation.line_problem(text) is None)


def test_every_unsafe_string_in_a_body_is_named_by_its_path_keys_too():
    body = {"child": {"given_name": "Cerys\ud800", "contact": {"phone": "01632 960001"}},
            "notes": ["fine", "bad\x00"], "odd\u202ekey": 1}
    errors = validation.unsafe_strings(body)
    assert set(errors) == {"child.given_name", "notes.1", "odd\ufffdkey"}


# nesting

def test_nesting_deeper_than_any_request_needs_is_named_by_its_top_level_field_without_parsing():
    deep = "[" * 5000 + "]" * 5000
    assert validation.nesting_problem('{"reason": ' + deep + "}") == "reason"
    assert validation.nesting_problem(deep) == "_schema"
    assert validation.nesting_problem('{"a": "[[[[[[[[[[[[[[[[[[[[[[", "b": {"c": [1]}}') is None, "brackets in text"
    assert validation.nesting_problem('{"a\\"b": ' + "[" * 17 + "]" * 17 + "}") == 'a"b'
    assert validation.nesting_problem('{"ok": ' + "[" * 15 + "]" * 15 + "}") is None


# dates and times

@pytest.mark.parametrize("value, problem", [
    ("20130502", "YYYY-MM-DD"), ("2013-W18-4", "YYYY-MM-DD"), ("2013-02-30", "Not a real date"), (20130502, "YYYY"),
    ("1899-12-31", "outside"), ("2030-01-01", "outside"),
])
def test_dates_are_rfc_3339_full_dates_inside_the_window(value, problem):
    assert problem in validation.day_problem(value, today=TODAY)


def test_a_date_that_has_been_cannot_be_in_the_future():
    assert validation.day_problem("2026-11-23", past=True, today=TODAY) is None
    assert "future" in validation.day_problem("2026-11-24", past=True, today=TODAY)
    assert validation.day_problem("2026-11-24", today=TODAY) is None
    assert validation.day_problem("1900-01-01", past=True, today=TODAY) is None


@pytest.mark.parametrize("value, problem", [
    ("9999-12-31T23:59:59-23:59", "14 hours"), ("9999-12-31T23:59:59+00:00", "outside"),
    ("0001-01-01T00:00:00+01:00", "outside"), ("1899-12-31T23:00:00+00:00", "outside"),
    ("2026-12-14T10:00:00", "offset"), ("2026-12-14 10:00:00+00:00", "RFC 3339"), ("20261214T100000Z", "RFC 3339"),
    ("2026-12-14T10:00+00:00", "RFC 3339"), ("2026-02-30T10:00:00Z", "Not a real"), (1765706400, "RFC 3339"),
])
def test_times_are_rfc_3339_with_a_real_offset_inside_the_window(value, problem):
    assert problem in validation.moment_problem(value, now=NOW)


def test_times_inside_the_window_pass_and_a_past_one_may_run_a_little_fast():
    for value in ("2026-12-14T10:00:00+00:00", "2026-12-14t10:00:00z", "2026-12-14T10:00:00.123456789+01:00",
                  "1900-01-01T12:00:00Z", (NOW + validation.HORIZON - timedelta(hours=1)).isoformat()):
        assert validation.moment_problem(value, now=NOW) is None, value
    assert validation.moment_problem((NOW + timedelta(minutes=2)).isoformat(), past=True, now=NOW) is None
    assert "future" in validation.moment_problem((NOW + timedelta(hours=1)).isoformat(), past=True, now=NOW)


def test_a_query_filter_may_name_any_year_but_not_any_form():
    assert validation.well_formed_moment("2100-01-01T00:00:00+00:00") is None
    assert "RFC 3339" in validation.well_formed_moment("2100-01-01")


def test_field_problems_follow_dotted_paths_and_leave_absent_fields_to_the_required_rules():
    checks = {"child.date_of_birth": validation.past_day, "child.given_name": validation.one_line,
              "statutory_meeting_at": validation.any_moment}
    body = {"child": {"date_of_birth": "20130502", "given_name": "Cerys\nJones"}}
    assert set(validation.field_problems(body, checks)) == {"child.date_of_birth", "child.given_name"}
    assert validation.field_problems({"child": "Cerys"}, checks) == {}


# ids on internal calls

@pytest.mark.parametrize("path, sent", [
    ("/referrals/abc", "/referrals/abc"),
    ("/referrals/a?b#c/allocate", "/referrals/a%3Fb%23c/allocate"),
    ("/referrals/..", "/referrals/%2E%2E"), ("/cases/./record", "/cases/%2E/record"),
    ("/cases/%41", "/cases/%2541"), ("/referrals/a b", "/referrals/a%20b"),
    ("/referrals/Siân", "/referrals/Si%C3%A2n"), ("/followed/k-_~.x", "/followed/k-_~.x"),
])
def test_every_segment_of_an_internal_path_is_encoded_once(path, sent):
    assert encoded(path) == sent


def test_a_time_that_has_happened_is_said_to_be_in_the_future_however_far_ahead_it_is():
    now = datetime(2026, 12, 31, 23, 45, tzinfo=timezone.utc)
    assert validation.moment_problem("2030-01-01T12:00:00+00:00", past=True, now=now) == "The time is in the future."
    assert validation.moment_problem("9999-12-31T10:00:00+00:00", past=True, now=now) == "The time is in the future."
    assert validation.moment_problem("2027-01-01T00:30:00+01:00", past=True, now=now) is None, "past, in London"
    assert "outside" in validation.moment_problem("2030-01-01T12:00:00+00:00", now=now), "a time to come: the window"
