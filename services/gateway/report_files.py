"""A report as a commissioner takes it away (API.md, "Reports"): the same figures as the JSON, as CSV or as a
workbook with a sheet per section of the template and a chart beside each, this period against the one before.
A report meant for publication withholds every count below the provider's threshold; a commissioner's or a
council's report withholds, always, the small counts of a breakdown by a child's characteristics or by source."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any, Callable, Iterator, NamedTuple

from flask import Response
from flask_babel import gettext
from marshmallow import fields
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font

CSV = "text/csv"
WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_SECTIONS = ("scope", "period", "period_before", "suppressed_below", "suppressed")
OVER_THE_PERIOD = "response_times_over_the_period"
RESPONSE_STEPS = ("allocation", "first_contact_attempt", "meeting_held")
SHARES = ("within_time_frame", "answered_within_time_limit", "answered_in_time_share")
"""The figures that are shares of a whole (from 0 to 1 in the JSON), shown as percentages on the page and in files."""
AT_A_GLANCE = ("referrals.received", "active_offer.referrals_received", "active_offer.meetings_held",
               "active_offer.meetings_held_before_deadline", "response_times.meeting_held.within_time_frame")
"""The figures a file's first sheet repeats, this period beside the period before: how many were referred, how
many children were met, and how many of them in time."""


class Words(NamedTuple):
    """What a file calls things, in its reader's language: the page's own words (services.gateway.web.reports).
    Without them a file names each thing by its code."""
    scope: str = ""
    """Who the figures are of: a council's or a region's name, or the whole provider."""
    period: str = ""
    period_before: str = ""
    section: Callable[[str], str] = str
    """A section's title, as the page heads its table."""
    figure: Callable[[str, dict], str] = lambda figure, period: figure
    """A figure's name (its dotted name within its section) as the page names its row, given the period it is of:
    a week of a quarter says its dates."""
    part: Callable[[str, dict], str] = lambda part, period: part
    """A week of a quarter or a month of a year, with its dates."""
    step: Callable[[str], str] = str
    """A response time's step (received, allocation, ...) as the chart's key names it."""

TRUE = {str(value).lower() for value in fields.Boolean.truthy}
"""What a query string's `publication` may say for yes, as its schema reads it."""


PUBLICATION, BY_CHILD = "publication", "by_child"
"""What a report withholds (its `suppressed`): every small count (for publication), or the small counts of each
breakdown by a child's characteristics or by source (a commissioner's or a council's, always)."""
BY_CHILD_FIGURES = (
    "referrals.by_source", "referrals.by_basis", "active_offer.by_basis", "equality.gender", "equality.ethnic_group",
    "equality.disability", "headline_groups.placed_out_of_county", "headline_groups.unaccompanied_asylum_seeking",
    "headline_groups.care_leavers", "headline_groups.third_sector_referrers", "language.welsh_asked_for",
    "language.interpreters_needed", "language.communication_needs_given", "language.meetings_held_in_welsh",
    "language.interpreters_used", "messages.by_whom", "messages.in_welsh",
)
"""The figures that tell of a child's characteristics (gender, ethnic group, disability, language, the headline
groups, their basis) or of who referred them: beside the referrals a council knows it made, a count of one there
singles a child out. A breakdown (a figure of codes) is withheld cell by cell, a count on its own as it is."""


def as_read(report: dict, publication: object, below: int, *, exact: bool) -> dict:
    """The report as its reader may see it: for publication (the query's `publication` says yes) with every small
    count withheld; otherwise exact for a provider's manager (`exact`), and with the small cells of each breakdown
    by a child withheld for anyone else, a commissioner or a council."""
    if str(publication or "").lower() in TRUE:
        return suppressed(report, below)
    return report if exact else withheld_by_child(report, below)


def withheld_cells(cells: dict, below: int) -> dict:
    """A breakdown with its small cells withheld (None): each from 1 to `below` - 1, and, where that would leave
    a single cell withheld, which its total (exact) minus the cells shown would give, the next smallest cell too
    (one that is not zero when there is one). A cell already withheld counts as withheld."""
    withheld = {code for code, count in cells.items() if count is None or 0 < count < below}
    if len(withheld) == 1:
        rest = sorted((count, code) for code, count in cells.items() if code not in withheld and count is not None)
        more = [pair for pair in rest if pair[0] > 0] or rest
        withheld |= {code for _, code in more[:1]}
    return {code: None if code in withheld else count for code, count in cells.items()}


def withheld_by_child(report: dict, below: int) -> dict:
    """The report with each figure of BY_CHILD_FIGURES withheld where small, this period's and the period
    before's; totals (referrals received, children referred) stay exact."""
    def hide(figures: dict) -> dict:
        hidden = {name: dict(section) if isinstance(section, dict) else section for name, section in figures.items()}
        for figure in BY_CHILD_FIGURES:
            section, _, name = figure.partition(".")
            if name not in hidden.get(section, {}):
                continue
            value = hidden[section][name]
            hidden[section][name] = (withheld_cells(value, below) if isinstance(value, dict)
                                     else None if _small(value, below) else value)
        return hidden

    shown = hide(report)
    if "period_before" in report:
        shown["period_before"] = hide(report["period_before"])
    return {**shown, "suppressed_below": below, "suppressed": BY_CHILD}


def may_be_withheld(report: dict, section: str, figure: str) -> bool:
    """Whether a figure the report gives as None may be a count withheld, rather than none to give (a median of
    nothing): any figure of a report for publication, only a child's characteristics or source otherwise."""
    if report.get("suppressed") == PUBLICATION:
        return True
    return report.get("suppressed") == BY_CHILD and f"{section}.{figure.split('.')[0]}" in BY_CHILD_FIGURES


def _small(value: Any, below: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < below


def download(report: dict, period: str, media_type: str, *, words: Words = Words()) -> Response:
    """The report as a file to keep, CSV or a workbook, named by its period and scope, each section and figure in
    the words the page uses (`words`, in the reader's language), its code beside them for computer systems."""
    name = f"llais-{period}-{report['period']['from']}-{report['scope']['code'] or 'provider'}"
    body, extension = ((as_csv(report, words), "csv") if media_type == CSV
                       else (as_workbook(report, words), "xlsx"))
    return Response(body, mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


def suppressed(report: dict, below: int) -> dict:
    """The report for publication: each count from 1 to `below` - 1 is None (zero says nothing of a child), and
    each breakdown by a child keeps no single withheld cell its total would give."""
    def hide(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: hide(inner) if key not in ("period", "scope") else inner for key, inner in value.items()}
        if _small(value, below):
            return None
        return value

    return {**withheld_by_child(hide(report), below), "suppressed": PUBLICATION}


def figures(section: dict, path: tuple[str, ...] = ()) -> Iterator[tuple[str, Any]]:
    """A section's figures as (dotted name, value), breakdowns and nested figures one row each, in their order."""
    for name, value in section.items():
        if isinstance(value, dict):
            yield from figures(value, (*path, name))
        else:
            yield ".".join((*path, name)), value


def sections(report: dict) -> Iterator[tuple[str, list[tuple[str, Any, Any]]]]:
    """Each section of the template: its figures with this period's value and the period before's, a row for each
    figure of either period. A breakdown names only the codes it counted, so a code one period counted and the other
    did not is 0 in the other; a figure the other period has no place for (the fourteenth week of a quarter of
    thirteen) is None, as is a median of nothing: no figure."""
    before = report.get("period_before", {})
    for name, section in report.items():
        if name in NOT_SECTIONS or not isinstance(section, dict):
            continue
        earlier_section = before.get(name, {})
        now_, earlier = dict(figures(section)), dict(figures(earlier_section))
        names = [*now_, *(figure for figure in earlier if figure not in now_)]
        yield name, [(figure, _value(figure, now_, section), _value(figure, earlier, earlier_section))
                     for figure in names]


def _value(figure: str, flat: dict, section: dict) -> Any:
    """A figure's value in one period: its own, 0 for a code its breakdown did not count, None where it has none."""
    if figure in flat:
        return flat[figure]
    *path, _ = figure.split(".")
    breakdown: Any = section
    for part in path:
        breakdown = breakdown.get(part) if isinstance(breakdown, dict) else None
    return 0 if path and isinstance(breakdown, dict) else None


def withheld_rule(report: dict) -> str:
    """What a file says it withholds, in the words of the page's note, and what a count withheld is."""
    most = report["suppressed_below"] - 1
    if report.get("suppressed") == BY_CHILD:
        rule = gettext("In a breakdown by a child's characteristics or by who referred them, counts from 1 to "
                       "%(most)s are left out and shown as “withheld”, and so is the next smallest count of the same "
                       "breakdown where one alone would be left out. Totals are exact.", most=most)
    else:
        rule = gettext("Counts from 1 to %(most)s are left out and shown as “withheld”.", most=most)
    return " ".join((rule, gettext("A count withheld is not zero: it is left out so that no child can be told "
                                   "from it.")))


def _is_share(figure: str) -> bool:
    return figure.split(".")[-1] in SHARES


def _written(value: Any, report: dict, section: str, figure: str) -> Any:
    """A figure as a file holds it: a count or days as a number, a share as a percentage, a count withheld in the
    word the page uses, and nothing (an empty cell) where there is no figure."""
    if value is None:
        return gettext("withheld") if may_be_withheld(report, section, figure) else None
    return value


def _csv_value(value: Any, figure: str) -> Any:
    """A CSV cell as a spreadsheet reads it right: a share as "45.5%" (a percentage there, not 0.455)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and _is_share(figure):
        return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"
    return "" if value is None else value


def about(report: dict) -> list[tuple[str, str]]:
    """What a file says of how to read it, as (what, says), the same in the CSV and on the workbook's first
    sheet: its columns, what "withheld" and a blank mean, and how shares and days are given."""
    said = [
        (gettext("Figure"), gettext("What the figure counts, as the report's page names it.")),
        (gettext("This period"), gettext("The figure for the period of the report.")),
        (gettext("The period before"), gettext("The same figure for the period just before, to compare with; for a "
                                               "week or a month, the same week or month of the period before.")),
        (gettext("Code"), gettext("The figure's name in the reports API, for computer systems.")),
        (gettext("withheld"), withheld_rule(report) if "suppressed_below" in report
         else gettext("Nothing is withheld: every figure is exact.")),
        (gettext("A blank cell"), gettext("No figure exists there: a median of no referrals, or a week the period before "
                                     "did not have. A 0 is a count of none.")),
        (gettext("Shares and days"), gettext("A share is a percentage of those counted; days are the median days "
                                             "from receipt, to one decimal place.")),
    ]
    return said


def as_csv(report: dict, words: Words = Words()) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    period, before = report["period"], report["period_before"]["period"]
    writer.writerow([gettext("National Reporting Template")])
    writer.writerow([gettext("For"), words.scope or report["scope"]["code"] or report["scope"]["kind"]])
    writer.writerow([gettext("This period"), words.period, period["from"], period["to"]])
    writer.writerow([gettext("The period before"), words.period_before, before["from"], before["to"]])
    for what, says in about(report):
        writer.writerow([what, says])
    writer.writerow([])
    writer.writerow([gettext("Section"), gettext("Figure"), gettext("This period"), gettext("The period before"),
                     gettext("Code")])
    for name, rows in sections(report):
        for figure, value, earlier in rows:
            writer.writerow([
                str(words.section(name)), str(_figure_words(words, figure, report)),
                _csv_value(_written(value, report, name, figure), figure),
                _csv_value(_written(earlier, report, name, figure), figure), f"{name}.{figure}"])
    return out.getvalue()


def _figure_words(words: Words, figure: str, report: dict) -> str:
    return str(words.figure(figure, report["period"]))


DATE_FORMAT, SHARE_FORMAT, DAYS_FORMAT, COUNT_FORMAT = "d mmmm yyyy", "0%", "0.0", "#,##0"
BOLD = Font(bold=True)


def _number_format(value: Any, figure: str) -> str:
    if _is_share(figure):
        return SHARE_FORMAT
    return DAYS_FORMAT if isinstance(value, float) else COUNT_FORMAT


def sheet_name(title: str, taken: set[str]) -> str:
    """A section's title as a sheet's name Excel accepts: none of []:*?/\\, no apostrophe at either end, at most 31
    characters (cut at a word, with an ellipsis), and unlike every name already taken."""
    name = " ".join(re.sub(r"[\[\]:*?/\\]", " ", str(title)).split()).strip(" '") or "Sheet"
    if len(name) > 31:
        name = name[:30].rsplit(" ", 1)[0].rstrip(" ,;") + "…"
    unique, number = name, 2
    while unique.lower() in {t.lower() for t in taken}:
        suffix = f" ({number})"
        unique, number = name[:31 - len(suffix)] + suffix, number + 1
    taken.add(unique)
    return unique


def as_workbook(report: dict, words: Words = Words()) -> bytes:
    book = Workbook()
    taken: set[str] = set()
    _about_sheet(book.active, report, words, taken)
    for name, rows in sections(report):
        sheet = book.create_sheet(sheet_name(words.section(name), taken))
        sheet.append([gettext("Figure"), gettext("This period"), gettext("The period before"), gettext("Code")])
        for cell in sheet[1]:
            cell.font = BOLD
        for figure, value, earlier in rows:
            _figure_row(sheet, report, words, name, figure, value, earlier)
        sheet.column_dimensions["A"].width, sheet.column_dimensions["D"].width = 60, 40
        sheet.column_dimensions["B"].width = sheet.column_dimensions["C"].width = 16
        sheet.freeze_panes = "B2"
        if name == OVER_THE_PERIOD:
            _over_the_period(sheet, report, words)
        elif rows:
            chart = BarChart()
            chart.type, chart.title = "bar", str(words.section(name))
            chart.height, chart.width = max(7.5, 0.5 * len(rows)), 16
            chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=len(rows) + 1),
                           titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(rows) + 1))
            sheet.add_chart(chart, "F2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _figure_row(sheet, report: dict, words: Words, section: str, figure: str, value: Any, earlier: Any) -> None:
    """A figure's row: its words, this period's and the period before's as numbers formatted as the page shows
    them (a share as a percentage), and its code."""
    sheet.append([_figure_words(words, figure, report), _written(value, report, section, figure),
                  _written(earlier, report, section, figure), f"{section}.{figure}"])
    for cell in sheet[sheet.max_row][1:3]:
        if isinstance(cell.value, (int, float)):
            cell.number_format = _number_format(cell.value, figure)
        else:
            cell.alignment = Alignment(horizontal="right")


def _about_sheet(about_sheet, report: dict, words: Words, taken: set[str]) -> None:
    """The first sheet: who and when the figures are of (real dates), how to read the others, and the figures that
    answer first questions (how many children were met in time) this period beside the period before."""
    about_sheet.title = sheet_name(gettext("About this report"), taken)
    period, before = report["period"], report["period_before"]["period"]
    about_sheet.append([gettext("National Reporting Template")])
    about_sheet["A1"].font = Font(bold=True, size=14)
    about_sheet.append([gettext("For"), words.scope or report["scope"]["code"] or report["scope"]["kind"]])
    about_sheet.append([None, None, gettext("First day"), gettext("Last day")])
    for cell in about_sheet[about_sheet.max_row]:
        cell.font = BOLD
    for what, said, of in ((gettext("This period"), words.period, period),
                           (gettext("The period before"), words.period_before, before)):
        about_sheet.append([what, said, date.fromisoformat(of["from"]), date.fromisoformat(of["to"])])
        for cell in about_sheet[about_sheet.max_row][2:4]:
            cell.number_format = DATE_FORMAT
    about_sheet.append([])
    about_sheet.append([gettext("How to read this report")])
    about_sheet[about_sheet.max_row][0].font = BOLD
    for what, says in about(report):
        about_sheet.append([what, says])
        about_sheet[about_sheet.max_row][1].alignment = Alignment(wrap_text=True, vertical="top")
    about_sheet.append([])
    about_sheet.append([gettext("At a glance"), gettext("This period"), gettext("The period before"),
                        gettext("Code")])
    for cell in about_sheet[about_sheet.max_row]:
        cell.font = BOLD
    rows = {f"{name}.{figure}": (name, figure, value, earlier)
            for name, section in sections(report) for figure, value, earlier in section}
    for dotted in AT_A_GLANCE:
        if dotted in rows:
            name, figure, value, earlier = rows[dotted]
            _figure_row(about_sheet, report, words, name, figure, value, earlier)
            about_sheet.cell(row=about_sheet.max_row, column=1).value = (
                f"{words.section(name)}: {_figure_words(words, figure, report)}")
    about_sheet.column_dimensions["A"].width, about_sheet.column_dimensions["B"].width = 48, 80
    about_sheet.column_dimensions["C"].width = about_sheet.column_dimensions["D"].width = 18


def _over_the_period(sheet, report: dict, words: Words) -> None:
    """The response times over the period laid out a row per week (or month, with its dates) beside the figures,
    and a line chart of the median days to each step across them."""
    over, steps = report[OVER_THE_PERIOD], ["received", *RESPONSE_STEPS]
    monthly = next(iter(over), "").startswith("month_")
    sheet.cell(row=1, column=6, value=gettext("Month") if monthly else gettext("Week")).font = BOLD
    for column, step in enumerate(steps, start=7):
        sheet.cell(row=1, column=column, value=str(words.step(step))).font = BOLD
        sheet.column_dimensions[sheet.cell(row=1, column=column).column_letter].width = 24
    sheet.column_dimensions["F"].width = 32
    for row, (part, figures_) in enumerate(over.items(), start=2):
        sheet.cell(row=row, column=6, value=str(words.part(part, report["period"])))
        for column, step in enumerate(steps, start=7):
            cell = sheet.cell(row=row, column=column,
                              value=_written(figures_[step], report, OVER_THE_PERIOD, f"{part}.{step}"))
            if isinstance(cell.value, (int, float)):
                cell.number_format = _number_format(cell.value, step)
    chart = LineChart()
    chart.title, chart.y_axis.title = gettext("Median days from receipt"), gettext("days")
    chart.height, chart.width = 9, 18
    chart.add_data(Reference(sheet, min_col=8, max_col=7 + len(RESPONSE_STEPS), min_row=1, max_row=len(over) + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=6, min_row=2, max_row=len(over) + 1))
    sheet.add_chart(chart, "L2")
