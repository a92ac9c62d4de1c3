"""A report as a commissioner takes it away (API.md, "Reports"): the same figures as the JSON, as CSV or as a
workbook with a sheet per section of the template and a chart beside each, this period against the one before.
A report meant for publication withholds every count below the provider's threshold; a commissioner's or a
council's report withholds, always, the small counts of a breakdown by a child's characteristics or by source."""

from __future__ import annotations

import csv
import io
from typing import Any, Callable, Iterator

from flask import Response
from marshmallow import fields
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font

CSV = "text/csv"
WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_SECTIONS = ("scope", "period", "period_before", "suppressed_below", "suppressed")
WITHHELD = "withheld"
OVER_THE_PERIOD = "response_times_over_the_period"
RESPONSE_STEPS = ("allocation", "first_contact_attempt", "meeting_held")


Labeller = Callable[[str], str]
"""A figure's dotted name to the words that say what it counts."""

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


def download(report: dict, period: str, media_type: str, *, label: Labeller = str) -> Response:
    """The report as a file to keep, CSV or a workbook, named by its period and scope, each figure with the words
    that say what it counts (`label`, in the reader's language)."""
    name = f"llais-{period}-{report['period']['from']}-{report['scope']['code'] or 'provider'}"
    body, extension = ((as_csv(report, label), "csv") if media_type == CSV
                       else (as_workbook(report, label), "xlsx"))
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
    """Each section of the template: its figures with this period's value and the period before's."""
    before = report.get("period_before", {})
    for name, section in report.items():
        if name in NOT_SECTIONS or not isinstance(section, dict):
            continue
        earlier = dict(figures(before.get(name, {})))
        yield name, [(figure, value, earlier.get(figure)) for figure, value in figures(section)]


def withheld_rule(report: dict) -> str:
    """What a file says it withholds, in the words of its first line."""
    most = report["suppressed_below"] - 1
    if report.get("suppressed") == BY_CHILD:
        return (f"counts from 1 to {most} of a breakdown by a child's characteristics or by source, and the next "
                f"smallest count of the same breakdown where one alone would be withheld; totals are exact")
    return (f"counts from 1 to {most}, and the next smallest count of a breakdown by a child where one alone would be "
            f"withheld")


def _shown(value: Any, report: dict, section: str, figure: str) -> Any:
    return WITHHELD if value is None and may_be_withheld(report, section, figure) else value


def as_csv(report: dict, label: Labeller = str) -> str:
    withheld = "suppressed_below" in report
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    scope, period, before = report["scope"], report["period"], report["period_before"]["period"]
    writer.writerow(["scope", scope["kind"], scope["code"] or ""])
    writer.writerow(["period", period["from"], period["to"]])
    writer.writerow(["period before", before["from"], before["to"]])
    if withheld:
        writer.writerow(["withheld", withheld_rule(report)])
    writer.writerow([])
    writer.writerow(["section", "figure", "this period", "period before", "what it counts"])
    for name, rows in sections(report):
        for figure, value, earlier in rows:
            writer.writerow([name, figure, _shown(value, report, name, figure), _shown(earlier, report, name, figure),
                             str(label(figure))])
    return out.getvalue()


def as_workbook(report: dict, label: Labeller = str) -> bytes:
    withheld = "suppressed_below" in report
    book = Workbook()
    about = book.active
    about.title = "About"
    scope, period, before = report["scope"], report["period"], report["period_before"]["period"]
    about.append(["National Reporting Template"])
    about["A1"].font = Font(bold=True, size=14)
    about.append(["Scope", scope["kind"], scope["code"] or ""])
    about.append(["Period", period["from"], period["to"]])
    about.append(["Period before", before["from"], before["to"]])
    if withheld:
        about.append(["Withheld", withheld_rule(report)])
    for name, rows in sections(report):
        sheet = book.create_sheet(name[:31])
        sheet.append(["figure", "this period", "period before", "what it counts"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for figure, value, earlier in rows:
            sheet.append([figure, _shown(value, report, name, figure), _shown(earlier, report, name, figure),
                          str(label(figure))])
        sheet.column_dimensions["A"].width = sheet.column_dimensions["D"].width = 48
        if name == OVER_THE_PERIOD:
            _over_the_period(sheet, report)
        elif rows:
            chart = BarChart()
            chart.type, chart.title = "bar", name.replace("_", " ").capitalize()
            chart.height, chart.width = max(7.5, 0.5 * len(rows)), 16
            chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=len(rows) + 1),
                           titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=4, min_row=2, max_row=len(rows) + 1))
            sheet.add_chart(chart, "E2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _over_the_period(sheet, report: dict) -> None:
    """The response times over the period laid out a row per week (or month) beside the figures, and a line chart
    of the median days to each step across them."""
    over, steps = report[OVER_THE_PERIOD], ["received", *RESPONSE_STEPS]
    sheet.cell(row=1, column=5, value="part").font = Font(bold=True)
    for column, step in enumerate(steps, start=6):
        sheet.cell(row=1, column=column, value=step).font = Font(bold=True)
    for row, (part, figures_) in enumerate(over.items(), start=2):
        sheet.cell(row=row, column=5, value=part)
        for column, step in enumerate(steps, start=6):
            sheet.cell(row=row, column=column, value=_shown(figures_[step], report, OVER_THE_PERIOD, f"{part}.{step}"))
    chart = LineChart()
    chart.title, chart.y_axis.title = "Median days from receipt", "days"
    chart.height, chart.width = 9, 18
    chart.add_data(Reference(sheet, min_col=7, max_col=6 + len(RESPONSE_STEPS), min_row=1, max_row=len(over) + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=5, min_row=2, max_row=len(over) + 1))
    sheet.add_chart(chart, "L2")
