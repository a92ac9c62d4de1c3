"""A report's CSV and workbook read on their own, in the reader's language: each section and figure in the page's
words (the code only beside them, for computer systems), sheets named in words, real dates, shares as percentages,
a 0 where none were counted and a blank only where no figure exists, and a first sheet that says who and when the
figures are of and how to read them. A commissioner answers "how many children were met in time this quarter, and
how does that compare with last?" from the workbook alone."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import datetime

import pytest
from openpyxl import load_workbook

from shared.config import Settings

from services.gateway import report_files
from services.gateway.app import create_app as create_gateway
from services.gateway.web import reports

BELOW = 5
CODE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b|\b[A-Z]{2,}(_[A-Z]+)*\b")
FORBIDDEN_IN_SHEET_NAMES = re.compile(r"[\[\]:*?/\\]")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_gateway(replace(Settings(), data_dir=tmp_path_factory.mktemp("files"), cookie_secure=False))


def weeks(count: int, received: int, meeting_held: float | None) -> dict:
    return {f"week_{n}": {"received": received, "allocation": None, "first_contact_attempt": None,
                          "meeting_held": meeting_held} for n in range(1, count + 1)}


def report() -> dict:
    """A council's quarter (July to September, fourteen weeks' parts, the last a day) and the quarter before
    (thirteen): seven children met in time against four, a share of them, a source only this quarter counted."""
    this = {"period": {"year": 2026, "quarter": 2, "from": "2026-07-01", "to": "2026-09-30"},
            "active_offer": {"referrals_received": 9, "meetings_held": 8, "meetings_held_before_deadline": 7,
                             "outcomes": {"take_up": 6, "declined": 0}},
            "referrals": {"received": 12, "by_source": {"social_worker": 12, "carer": 6}},
            "response_times": {"meeting_held": {"reached": 8, "median_days": 6.5, "within_time_frame": 0.875}},
            "response_times_over_the_period": weeks(14, 1, 2.5)}
    before = {"period": {"year": 2026, "quarter": 1, "from": "2026-04-01", "to": "2026-06-30"},
              "active_offer": {"referrals_received": 6, "meetings_held": 5, "meetings_held_before_deadline": 4,
                               "outcomes": {"take_up": 0, "declined": 5}},
              "referrals": {"received": 8, "by_source": {"social_worker": 8}},
              "response_times": {"meeting_held": {"reached": 0, "median_days": None, "within_time_frame": None}},
              "response_times_over_the_period": weeks(13, 0, None)}
    return report_files.as_read({"scope": {"kind": "council", "code": "CARDIFF"}, **this, "period_before": before},
                                None, BELOW, exact=False)


def files(app, language: str) -> tuple[list[list[str]], object]:
    with app.test_request_context("/", headers={"Accept-Language": language}):
        words = reports.file_words(report())
        return (list(csv.reader(io.StringIO(report_files.as_csv(report(), words)))),
                load_workbook(io.BytesIO(report_files.as_workbook(report(), words))))


def answer(book, figure: str) -> tuple[object, object]:
    """What a reader finds by looking for a figure's words: this period's and the period before's, from the first
    sheet whose table names it, by its columns' headings."""
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))
        for number, row in enumerate(rows):
            if row and row[0] == figure:
                heading = next(list(r) for r in reversed(rows[:number]) if THIS_PERIOD[book.language] in r)
                return (row[heading.index(THIS_PERIOD[book.language])], row[heading.index(BEFORE[book.language])])
    raise AssertionError(f"no row reads {figure!r}")


THIS_PERIOD, BEFORE = {"en": "This period", "cy": "Y cyfnod hwn"}, {"en": "The period before", "cy": "Y cyfnod cynt"}


@pytest.mark.parametrize("language, met_in_time", [
    ("en", "Meetings held before the deadline"), ("cy", "Cyfarfodydd a gynhaliwyd cyn y terfyn amser")])
def test_a_commissioner_finds_how_many_children_were_met_in_time_against_last_quarter_in_the_workbook_alone(
        app, language, met_in_time):
    _, book = files(app, language)
    book.language = language
    assert answer(book, met_in_time) == (7, 4)
    about = [[cell for cell in row if cell is not None] for row in book.worksheets[0].iter_rows(values_only=True)]
    said = " ".join(str(cell) for row in about for cell in row)
    assert ("Cardiff" if language == "en" else "Caerdydd") in said and "CARDIFF" not in said, "the council's name"
    assert ("Quarter 2: 1 July 2026 to 30 September 2026" if language == "en"
            else "Chwarter 2: 1 Gorffennaf 2026 i 30 Medi 2026") in said
    dates = [cell for cell in book.worksheets[0]["C"] + book.worksheets[0]["D"] if isinstance(cell.value, datetime)]
    assert [cell.value.date().isoformat() for cell in dates] == ["2026-07-01", "2026-04-01", "2026-09-30",
                                                                 "2026-06-30"], "real dates, this period's and before"
    assert all("yy" in cell.number_format for cell in dates)
    assert ("left out so that no child can be told" if language == "en" else "fel na ellir adnabod") in said, \
        "what withheld means"


def test_every_sheet_is_named_in_words_excel_accepts(app):
    for language in ("en", "cy"):
        _, book = files(app, language)
        names = book.sheetnames
        assert len({name.lower() for name in names}) == len(names)
        for name in names:
            assert len(name) <= 31 and not FORBIDDEN_IN_SHEET_NAMES.search(name) and not CODE.search(name), name
    assert files(app, "en")[1].sheetnames == ["About this report", "The Active Offer", "Referrals", "Response times",
                                              "Response times over the period"]
    assert files(app, "cy")[1].sheetnames[0] == "Am yr adroddiad hwn"
    assert report_files.sheet_name("Response times, by kind of referral", set()) == "Response times, by kind of…"
    assert report_files.sheet_name("Who: [a/b]?", {"Who a b"}) == "Who a b (2)"


def test_each_row_reads_in_words_with_its_code_only_beside_them(app):
    for language in ("en", "cy"):
        rows, book = files(app, language)
        table = rows[next(i for i, row in enumerate(rows) if row and row[-1] in ("Code", "Cod")) + 1:]
        assert table and all(not CODE.search(section) and not CODE.search(figure) for section, figure, *_ in table)
        assert all(row[4].startswith(("active_offer.", "referrals.", "response_times")) for row in table)
        for sheet in book.worksheets[1:]:
            for figure, *_ in sheet.iter_rows(min_row=2, max_col=1, values_only=True):
                assert figure and not CODE.search(figure), (sheet.title, figure)
    rows, _ = files(app, "en")
    assert ["The Active Offer", "Meetings held before the deadline", "7", "4",
            "active_offer.meetings_held_before_deadline"] in rows


def test_a_share_is_a_percentage_and_a_none_counted_is_0_while_no_figure_is_blank(app):
    rows, book = files(app, "en")
    by_code = {row[4]: row for row in rows if len(row) == 5}
    assert by_code["response_times.meeting_held.within_time_frame"][2:4] == ["87.5%", ""], \
        "a share as Excel reads it; the quarter before met no one, so it has no share"
    assert by_code["referrals.by_source.carer"][2:4] == ["6", "0"], "a source counted only this quarter: 0 before"
    assert by_code["active_offer.outcomes.take_up"][2:4] == ["6", "0"]
    assert by_code["response_times_over_the_period.week_14.received"][2:4] == ["1", ""], \
        "the quarter before had no fourteenth week"
    sheet = book["Response times"]
    share = next(row for row in sheet.iter_rows(min_row=2) if row[3].value.endswith("within_time_frame"))
    assert share[1].value == 0.875 and share[1].number_format == "0%"
    counts = next(row for row in book["Referrals"].iter_rows(min_row=2) if row[3].value == "referrals.by_source.carer")
    assert counts[2].value == 0, "a 0 is a 0"


def test_a_week_says_its_dates_and_a_month_its_year(app):
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        quarter = report()["period"]
        assert reports.part_name("week_1", quarter) == "Week 1 (1 to 7 July)"
        assert reports.part_name("week_5", quarter) == "Week 5 (29 July to 4 August)"
        assert reports.part_name("week_14", quarter) == "Week 14 (30 September)", "the quarter's last, short week"
        year = {"year": 2026, "quarter": None, "from": "2026-04-01", "to": "2027-03-31"}
        assert reports.part_name("month_10", year) == "January 2027"
        assert reports.label("week_3.received", quarter) == "Week 3 (15 to 21 July): Active Offer referrals received"
    with app.test_request_context("/", headers={"Accept-Language": "cy"}):
        assert reports.part_name("week_3", report()["period"]) == "Wythnos 3 (15 i 21 Gorffennaf)"


@pytest.mark.parametrize("language, longest, said", [
    ("en", 1.0, "1 day"), ("en", 2.5, "3 days"), ("cy", 1.0, "1 diwrnod"), ("cy", 1.5, "2 ddiwrnod")])
def test_the_response_times_axis_says_its_days_in_the_right_number(app, language, longest, said):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        over = {"week_1": {"received": 1, "allocation": longest, "first_contact_attempt": None, "meeting_held": None}}
        assert reports.lines_of(over, report()["period"])["top"] == said
