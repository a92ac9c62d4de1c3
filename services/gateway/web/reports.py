"""The National Reporting Template in the browser, for commissioners and managers: each section a table with the
period before beside it, a chart where a picture reads faster (the funnel, the outcomes, the response times), in
English and Welsh and fit to print; the same figures to download as CSV or a workbook. A commissioner sees the
council or region they are bound to and nothing else; every read is in the audit log."""

from __future__ import annotations

import math
from datetime import date, timedelta

from flask import abort, current_app, g, make_response, render_template, request, url_for
from flask_babel import (format_date, format_decimal, format_percent, gettext, lazy_gettext as _l,
                         ngettext)
from marshmallow import ValidationError

from shared.clock import now

from services.gateway import in_flight, report_files
from services.gateway.access import gateway_store
from services.gateway.reports_api import within_scope
from services.gateway.schemas import AnnualReportQuerySchema, QuarterlyReportQuerySchema
from services.gateway.web import blueprint, cases, complaints, council_name, forms, region_name
from services.gateway.web.pages import call, long_date, signed_in
from shared.web import Problem, settings

READERS = ("manager", "commissioner")
SECTIONS = {
    "active_offer": _l("The Active Offer"), "referrals": _l("Referrals"), "response_times": _l("Response times"),
    "response_times_over_the_period": _l("Response times over the period"),
    "deadlines_missed": _l("Deadlines missed"), "casework": _l("Casework"), "complaints": _l("Complaints"),
    "language": _l("Language and access"), "headline_groups": _l("Headline groups"),
    "equality": _l("Equality monitoring"), "capacity": _l("Capacity at the period's end"),
    "response_times_by_kind": _l("Response times, by kind of referral"),
    "messages": _l("Messages and the answer-phone"),
    "offers_again": _l("Offered again"),
}
MEASURES = {
    "offers": _l("Active Offers made (referrals and opt-outs)"), "opt_outs": _l("Opt-outs"),
    "opt_out_reasons": _l("Opt-outs, by reason"), "referrals_received": _l("Active Offer referrals received"),
    "by_basis": _l("By basis"), "first_contact_made": _l("First contact made"),
    "meetings_held": _l("Meetings held"), "meetings_held_before_deadline": _l("Meetings held before the deadline"),
    "meetings_not_held": _l("Meetings not held"), "not_held_reasons": _l("Meetings not held"),
    "outcomes": _l("Outcomes"), "decline_reasons": _l("Declined"),
    "meetings_by_topic": _l("Meetings held that covered each topic"),
    "meetings_by_left_with_child": _l("Meetings held that left each with the child"),
    "closed_without_meeting": _l("Closed without a meeting"),
    "issue_based_from_take_up": _l("Issue-based referrals from a take-up"), "cases_opened": _l("Cases opened"),
    "received": _l("Referrals received"), "by_kind": _l("Referrals by kind"), "by_source": _l("Referrals by source"),
    "children": _l("Children referred (one however many referrals they had)"),
    "allocation": _l("To allocation"), "first_contact_attempt": _l("To the first contact attempt"),
    "meeting_held": _l("To the meeting held"), "reached": _l("reached"), "median_days": _l("median, days"),
    "within_time_frame": _l("share within the time frame"),
    "cases_closed": _l("Cases closed"), "closed_by_outcome": _l("Cases closed, by how they ended"),
    "issues_raised_by_theme": _l("Issues raised, by theme"),
    "issues_concluded_by_outcome": _l("Issues concluded, by outcome"), "signposted_to": _l("Signposted to"),
    "advocate_changes_requested": _l("Changes of advocate asked for"),
    "advocate_changes_granted": _l("Changes of advocate granted"), "contributions": _l("How children contributed"),
    "disclosures_without_consent": _l("Disclosures without consent"), "satisfaction": _l("Satisfaction at closure"),
    "given": _l("given"), "mean": _l("mean, 1 to 5"), "by_score": _l("by score"),
    "received_by_kind": _l("Received, by kind"), "received_from": _l("Received from"), "answered": _l("Answered"),
    "answered_by_outcome": _l("Answered, by outcome"), "answered_by_stage": _l("Answered, by stage"),
    "answered_within_time_limit": _l("Share answered within the time limit"), "escalated": _l("Taken to stage 2"),
    "withdrawn": _l("Withdrawn"), "time_limits_missed": _l("Time limits missed"),
    "welsh_asked_for": _l("Children who asked for Welsh"), "meetings_held_in_welsh": _l("Meetings held in Welsh"),
    "interpreters_needed": _l("Children needing an interpreter"),
    "interpreters_used": _l("Meetings held with an interpreter"),
    "communication_needs_given": _l("Children with communication needs"),
    "meetings_held_by_venue": _l("Meetings held, by venue type"),
    "meetings_held_at_accessible_risk_assessed_venues": _l("Meetings held at accessible, risk-assessed venues"),
    "placed_out_of_county": _l("Children placed out of county"),
    "unaccompanied_asylum_seeking": _l("Unaccompanied asylum-seeking children"),
    "care_leavers": _l("Care leavers referred"),
    "third_sector_referrers": _l("Children referred by a third-sector organisation"),
    "gender": _l("Children by gender"), "ethnic_group": _l("Children by ethnic group"),
    "disability": _l("Children by whether they consider themselves disabled"),
    **{"backlog": _l("Referrals waiting to be allocated at the period's end"),
       "backlog_oldest_days": _l("Days the oldest referral waiting had waited"),
       "advocates_with_open_work": _l("Advocates with open referrals or cases at the period's end"),
       "median_caseload": _l("Median open referrals and cases per advocate")},
    # response times by kind of referral, and messages
    "acknowledgement": _l("To acknowledgement"), "active_offer": _l("Active Offer referrals"),
    "issue_based": _l("Issue-based referrals made by professionals"), "self_referral": _l("Self-referrals"),
    "messages_received": _l("Messages received"), "by_channel": _l("Messages, by how they came"),
    "by_whom": _l("Messages, by who they were from"), "in_welsh": _l("Messages in Welsh"),
    "out_of_hours": _l("Messages out of hours"), "answered_in_time": _l("Messages answered in the published time"),
    "answered_in_time_share": _l("Share of messages answered in the published time"),
    "transitions_told": _l("Reviews, placement moves and leaving-care planning told of"),
    "transitions_by_kind": _l("Told of, by kind"), "renewed_offers_made": _l("Renewed offers made"),
    "not_offered_again": _l("Not offered again, by why"), "renewed_offers_done": _l("Renewed offers done"),
    "renewed_offer_results": _l("Renewed offers done, by result"),
}
SOURCES = dict(forms.worded("source"))
CLOCKS = dict(forms.worded("deadline"))
STAGES = dict(forms.worded("complaint_stage"))
BREAKDOWNS = {
    "by_basis": dict(forms.ELIGIBILITY), "outcomes": dict(forms.OUTCOMES),
    "closed_without_meeting": dict(forms.CLOSE_REASONS),
    "opt_out_reasons": {**dict(forms.NOT_WANTED_REASONS), "not_recorded": _l("Not recorded")},
    "decline_reasons": {**dict(forms.NOT_WANTED_REASONS), "not_recorded": _l("Not recorded")},
    "not_held_reasons": {**dict(forms.NOT_HELD_REASONS), "not_recorded": _l("Not recorded")},
    "meetings_by_topic": dict(forms.MEETING_TOPICS), "meetings_by_left_with_child": dict(forms.LEFT_WITH_CHILD),
    "transitions_by_kind": dict(forms.TRANSITION_KINDS), "not_offered_again": dict(forms.NOT_OFFERED_AGAIN),
    "renewed_offer_results": dict(forms.RENEWED_OFFER_RESULTS),
    "by_kind": dict(forms.worded("referral_kind")),
    "by_source": SOURCES, "deadlines_missed": CLOCKS, "closed_by_outcome": dict(cases.CASE_OUTCOMES),
    "issues_raised_by_theme": dict(cases.THEMES), "issues_concluded_by_outcome": dict(cases.ISSUE_OUTCOMES),
    "signposted_to": dict(cases.SIGNPOSTS), "contributions": dict(cases.CONTRIBUTIONS),
    "received_by_kind": dict(complaints.KINDS), "received_from": dict(complaints.MADE_BY),
    "answered_by_outcome": dict(complaints.OUTCOMES), "answered_by_stage": STAGES, "time_limits_missed": CLOCKS,
    "meetings_held_by_venue": dict(forms.VENUE_TYPES),
    **{question: {**dict(answers), "not_recorded": _l("Not recorded")} for question, answers in forms.EQUALITY.items()},
    "by_channel": dict(forms.MESSAGE_CHANNELS), "by_whom": dict(forms.MESSAGE_FROM),
}
"""The words for the codes of each breakdown, the forms' own where the forms ask for them."""
CHARTS = {
    "active_offer": ("offers", "referrals_received", "first_contact_made", "meetings_held",
                     "meetings_held_before_deadline"),
    "response_times": ("allocation.median_days", "first_contact_attempt.median_days", "meeting_held.median_days"),
}
"""The figures charted beside a section's table, where a picture reads faster: the funnel, the days to each step;
and each section's breakdowns named in CHARTED_BREAKDOWNS."""
CHARTED_BREAKDOWNS = ("outcomes", "closed_by_outcome", "issues_raised_by_theme", "answered_by_outcome")


OVER_THE_PERIOD = report_files.OVER_THE_PERIOD
STEPS = {"received": _l("Active Offer referrals received"), "allocation": _l("median days to allocation"),
         "first_contact_attempt": _l("median days to the first contact attempt"),
         "meeting_held": _l("median days to the meeting held")}
"""The figures of each week (or month) the response times are followed over; the lines of its chart."""
LINES = {"allocation": "#1d70b8", "first_contact_attempt": "#f47738", "meeting_held": "#00703c"}
"""Each step's line and its colour (GOV.UK's blue, orange and green, told apart by their key as well)."""


def part_name(part: str, period: dict | None = None) -> str:
    """A week of a quarter (`week_3`) or a month of a year (`month_1` is April) in the page's language; with the
    period it is of, its dates too: "Week 3 (15 to 21 April)", "January 2027" (a week is seven days from the
    quarter's first, the last as short as the quarter leaves it)."""
    kind, _, number = part.partition("_")
    if kind == "month":
        month = (int(number) + 2) % 12 + 1
        if period is None:
            return format_date(date(2000, month, 1), "LLLL")
        return format_date(date(int(period["from"][:4]) + (month < 4), month, 1), "LLLL y")
    if period is None:
        return gettext("Week %(number)s", number=number)
    first = date.fromisoformat(period["from"]) + timedelta(weeks=int(number) - 1)
    last = min(first + timedelta(days=6), date.fromisoformat(period["to"]))
    if first > last:  # a week the period does not have (the period before's fourteenth)
        return gettext("Week %(number)s", number=number)
    if first == last:
        return gettext("Week %(number)s (%(day)s)", number=number, day=format_date(first, "d MMMM"))
    return gettext("Week %(number)s (%(first)s to %(last)s)", number=number, last=format_date(last, "d MMMM"),
                   first=format_date(first, "d" if first.month == last.month else "d MMMM"))


def label(figure: str, period: dict | None = None) -> str:
    """A figure's name in the page's language: its measure, then its code or its part (with its dates, given the
    period it is of)."""
    parts = figure.split(".")
    if parts[0].startswith(("week_", "month_")):
        return f"{part_name(parts[0], period)}: {STEPS[parts[1]]}"
    if parts[0] in CLOCKS and len(parts) == 1:  # a section of deadlines (`deadlines_missed`), by their codes
        return str(CLOCKS[parts[0]])
    words = [str(MEASURES.get(parts[0], parts[0].replace("_", " ")))]
    for previous, part in zip(parts, parts[1:]):
        words.append(str(BREAKDOWNS.get(previous, MEASURES).get(part) or MEASURES.get(part) or part))
    return ": ".join(words)


def shown(figure: str, value, withheld: bool) -> str:
    """A figure as the page writes it in its language: a count, a share as a percentage, days to one place."""
    if value is None:
        return gettext("withheld") if withheld else "–"
    if figure.split(".")[-1] in report_files.SHARES:
        return format_percent(value)
    if isinstance(value, float):
        return format_decimal(value, format="#,##0.#")
    return format_decimal(value)


def rows_of(report: dict) -> list[dict]:
    """Each section with its rows (label, this period, the period before) and the bars of its chart, if any."""
    shown_ = []
    for name, rows in report_files.sections(report):
        table = []
        for figure, value, earlier in rows:
            withheld = report_files.may_be_withheld(report, name, figure)
            table.append({"figure": figure, "label": label(figure, report["period"]), "value": value, "before": earlier,
                          "shown": shown(figure, value, withheld), "shown_before": shown(figure, earlier, withheld)})
        charted = [row for row in table if row["figure"] in CHARTS.get(name, ())
                   or row["figure"].split(".")[0] in CHARTED_BREAKDOWNS]
        top = max([row[key] or 0 for row in charted for key in ("value", "before")] or [0]) or 1
        shown_.append({"name": name, "title": SECTIONS.get(name, name), "rows": table,
                       "chart": [{**row, "share": (row["value"] or 0) / top,
                                  "before_share": (row["before"] or 0) / top} for row in charted],
                       "lines": lines_of(report[name], report["period"]) if name == OVER_THE_PERIOD else None})
    return shown_


def lines_of(over: dict, period: dict | None = None) -> dict:
    """The response times over the period as a line chart's points: a line per step, across the weeks (or months),
    scaled to a 300 by 150 box whose top is the next whole day above the longest median, a gap where no referral of
    a week had reached the step. Its words (the top's days, the first and last week with their dates) are the
    page's text beside the drawing, so they read at the page's size on any screen."""
    parts = list(over)
    top = math.ceil(max([over[part][step] or 0 for part in parts for step in LINES] or [0])) or 1
    step_x = 280 / max(len(parts) - 1, 1)
    lines = []
    for step, colour in LINES.items():
        points = [(round(10 + i * step_x, 1), round(140 - 130 * over[part][step] / top, 1))
                  for i, part in enumerate(parts) if over[part][step] is not None]
        lines.append({"step": step, "label": STEPS[step], "colour": colour,
                      "points": " ".join(f"{x},{y}" for x, y in points), "dots": points})
    return {"lines": lines, "top": ngettext("%(num)d day", "%(num)d days", top),
            "first": part_name(parts[0], period), "last": part_name(parts[-1], period)}


def _query() -> tuple[str, dict]:
    """The period and scope asked for, as the API's query; this quarter when none is asked for."""
    annual = request.args.get("period") == "annual"
    current_year, current_quarter = _this_quarter()
    query = {"year": request.args.get("year") or str(current_year)}
    if not annual:
        query["quarter"] = request.args.get("quarter") or str(current_quarter)
    kind, _, code = request.args.get("scope", "").partition(":")
    if kind in ("council", "region") and code:
        query[kind] = code
    try:
        (AnnualReportQuerySchema() if annual else QuarterlyReportQuerySchema()).load(query)
    except ValidationError as exc:
        _cannot_show(" ".join(dict.fromkeys(str(CHOOSE[field]) for field in CHOOSE if field in exc.messages)))
    try:
        return ("annual" if annual else "quarterly"), within_scope(g.principal, query)
    except Problem:
        abort(404)


CHOOSE = {"year": _l("Choose the financial year from the list."), "quarter": _l("Choose the quarter from the list."),
          "council": _l("Choose who the report is for from the list."),
          "region": _l("Choose who the report is for from the list.")}
"""What the page asks of a query the API would refuse, by the field at fault (a link typed or edited by hand)."""


def _cannot_show(message: str = "") -> None:
    """Answer a report's query the API refuses (422) with a page saying what to choose instead."""
    abort(make_response(render_template("error.html", title=gettext("This report cannot be shown"),
                                        message=message or gettext("Choose the report from the lists.")), 422))


def _this_quarter() -> tuple[int, int]:
    today = now().date()
    year = today.year if today.month >= 4 else today.year - 1
    return year, (today.month - 4) % 12 // 3 + 1


def scopes() -> list[tuple[str, str]]:
    """The scopes the reader may choose among, as (`scope` value, name): a manager the whole provider, every region
    and council; a region's commissioner their region and its councils; a council's commissioner their council."""
    councils = current_app.extensions["llais.councils"].all()
    principal = g.principal
    if principal.role == "commissioner" and principal.council:
        return [(f"council:{c.code}", council_name(c.code)) for c in councils if c.code == principal.council]
    if principal.role == "commissioner":
        return [(f"region:{principal.region}", scope_name({"kind": "region", "code": principal.region}))] + [
            (f"council:{c.code}", council_name(c.code)) for c in councils if c.region == principal.region]
    regions = sorted({c.region for c in councils})
    return [("", str(_l("The whole provider")))] + [
        (f"region:{r}", scope_name({"kind": "region", "code": r})) for r in regions] + [
        (f"council:{c.code}", council_name(c.code)) for c in councils]


def scope_name(scope: dict) -> str:
    """Who a report's figures are of, in the page's language: the whole provider, a council or a region by its
    name."""
    if scope["kind"] == "council":
        return council_name(scope["code"])
    if scope["kind"] == "region":
        return region_name(scope["code"])
    return gettext("The whole provider")


def period_words(period: dict) -> str:
    """A report's period as its page's heading says it: a quarter and its dates, or the financial year's."""
    start, end = long_date(period["from"]), long_date(period["to"])
    if period.get("quarter") is None:
        return gettext("The financial year from %(start)s to %(end)s", start=start, end=end)
    return gettext("Quarter %(quarter)s: %(start)s to %(end)s", quarter=period["quarter"], start=start, end=end)


def file_words(report: dict) -> report_files.Words:
    """The words a report's CSV or workbook is written in: the page's, in the reader's language."""
    return report_files.Words(
        scope=scope_name(report["scope"]), period=period_words(report["period"]),
        period_before=period_words(report["period_before"]["period"]),
        section=lambda name: str(SECTIONS.get(name, name)), figure=label, part=part_name,
        step=lambda step: str(STEPS[step]))


@blueprint.get("/reports")
@signed_in(*READERS)
def reports():
    period, query = _query()
    in_flight.wait_for_everything(gateway_store(), current_app.extensions["llais.settler"])
    status, report = call("reporting", "GET", f"/reports/{period}", params=query, what=f"read {period} report")
    if status == 404:
        abort(404)
    if status == 422:
        _cannot_show()
    if status != 200:
        abort(502)
    report = report_files.as_read(report, request.args.get("publication"), settings().report_suppress_below,
                                  exact=g.principal.role == "manager")
    formats = {"csv": report_files.CSV, "xlsx": report_files.WORKBOOK}
    if request.args.get("format") in formats:
        return report_files.download(report, period, formats[request.args["format"]], words=file_words(report))
    here = {k: v for k, v in request.args.items() if k != "format"}
    return render_template("reports.html", report=report, sections=rows_of(report), period=period, query=query,
                           scope_words=scope_name(report["scope"]), period_words=period_words(report["period"]),
                           scopes=scopes(), years=range(_this_quarter()[0], _this_quarter()[0] - 6, -1),
                           csv=url_for("web.reports", **here, format="csv"),
                           xlsx=url_for("web.reports", **here, format="xlsx"))
