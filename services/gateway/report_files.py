"""A report as a commissioner takes it away (API.md, "Reports"): the same figures as the JSON, as CSV or as a
workbook with a sheet per section of the template and a chart beside each, this period against the one before.
A report meant for publication withholds every count below the provider's threshold."""

from __future__ import annotations

import csv
import io
from typing import Any, Iterator

from flask import Response
from marshmallow import fields
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font

CSV = "text/csv"
WORKBOOK = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_SECTIONS = ("scope", "period", "period_before", "suppressed_below")
WITHHELD = "withheld"
OVER_THE_PERIOD = "response_times_over_the_period"
RESPONSE_STEPS = ("allocation", "first_contact_attempt", "meeting_held")


TRUE = {str(value).lower() for value in fields.Boolean.truthy}
"""What a query string's `publication` may say for yes, as its schema reads it."""


def as_published(report: dict, publication: object, below: int) -> dict:
    """The report as asked for: for publication (the query's `publication` says yes) with small counts withheld."""
    return suppressed(report, below) if str(publication or "").lower() in TRUE else report


def download(report: dict, period: str, media_type: str) -> Response:
    """The report as a file to keep, CSV or a workbook, named by its period and scope."""
    name = f"llais-{period}-{report['period']['from']}-{report['scope']['code'] or 'provider'}"
    body, extension = (as_csv(report), "csv") if media_type == CSV else (as_workbook(report), "xlsx")
    return Response(body, mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'})


def suppressed(report: dict, below: int) -> dict:
    """The report for publication: each count from 1 to `below` - 1 is None (zero says nothing of a child)."""
    def hide(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: hide(inner) if key not in ("period", "scope") else inner for key, inner in value.items()}
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < below:
            return None
        return value

    return {**hide(report), "suppressed_below": below}


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


def _shown(value: Any, withheld: bool) -> Any:
    return WITHHELD if value is None and withheld else value


def as_csv(report: dict) -> str:
    withheld = "suppressed_below" in report
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    scope, period, before = report["scope"], report["period"], report["period_before"]["period"]
    writer.writerow(["scope", scope["kind"], scope["code"] or ""])
    writer.writerow(["period", period["from"], period["to"]])
    writer.writerow(["period before", before["from"], before["to"]])
    if withheld:
        writer.writerow(["withheld", f"counts from 1 to {report['suppressed_below'] - 1}"])
    writer.writerow([])
    writer.writerow(["section", "figure", "this period", "period before"])
    for name, rows in sections(report):
        for figure, value, earlier in rows:
            writer.writerow([name, figure, _shown(value, withheld), _shown(earlier, withheld)])
    return out.getvalue()


def as_workbook(report: dict) -> bytes:
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
        about.append(["Withheld", f"counts from 1 to {report['suppressed_below'] - 1}"])
    for name, rows in sections(report):
        sheet = book.create_sheet(name[:31])
        sheet.append(["figure", "this period", "period before"])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for figure, value, earlier in rows:
            sheet.append([figure, _shown(value, withheld), _shown(earlier, withheld)])
        sheet.column_dimensions["A"].width = 48
        if name == OVER_THE_PERIOD:
            _over_the_period(sheet, report[name], withheld)
        elif rows:
            chart = BarChart()
            chart.type, chart.title = "bar", name.replace("_", " ").capitalize()
            chart.height, chart.width = max(7.5, 0.5 * len(rows)), 16
            chart.add_data(Reference(sheet, min_col=2, max_col=3, min_row=1, max_row=len(rows) + 1),
                           titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=len(rows) + 1))
            sheet.add_chart(chart, "E2")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _over_the_period(sheet, over: dict, withheld: bool) -> None:
    """The response times over the period laid out a row per week (or month) beside the figures, and a line chart
    of the median days to each step across them."""
    steps = ["received", *RESPONSE_STEPS]
    sheet.cell(row=1, column=5, value="part").font = Font(bold=True)
    for column, step in enumerate(steps, start=6):
        sheet.cell(row=1, column=column, value=step).font = Font(bold=True)
    for row, (part, figures_) in enumerate(over.items(), start=2):
        sheet.cell(row=row, column=5, value=part)
        for column, step in enumerate(steps, start=6):
            sheet.cell(row=row, column=column, value=_shown(figures_[step], withheld))
    chart = LineChart()
    chart.title, chart.y_axis.title = "Median days from receipt", "days"
    chart.height, chart.width = 9, 18
    chart.add_data(Reference(sheet, min_col=7, max_col=6 + len(RESPONSE_STEPS), min_row=1, max_row=len(over) + 1),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet, min_col=5, min_row=2, max_row=len(over) + 1))
    sheet.add_chart(chart, "L2")
