"""The child's own case record as a page of the service they can read, print or be given, in their language
(DOMAIN.md: the child may read their record, and what it says must be something they agree with).

The casework service says what the record holds and in which language to show it; the page is the gateway's, with
the service's header, the same templates and the same translations as every other page, speaking to the child
("you"; in Welsh the familiar "ti"), and saying how their advocacy ended as well as when.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import force_locale, lazy_gettext as _l

from shared.contracts import casework

from services.gateway.web import LANGUAGES, cases
from services.gateway.web.forms import labelled

STATUSES = dict(labelled(casework.CASE_STATUSES, {"open": _l("Open"), "closed": _l("Closed")}))
# in words spoken to the child, for each code of shared.contracts.casework the record holds
OUTCOMES = dict(labelled(casework.ISSUE_OUTCOMES, {
    "resolved": _l("sorted out"), "partly_resolved": _l("partly sorted out"), "not_resolved": _l("not sorted out"),
    "withdrawn": _l("you stopped it")}))
ENDINGS = dict(labelled(casework.CASE_OUTCOMES, {
    "issues_resolved": _l("what you wanted help with was sorted out"),
    "partly_resolved": _l("some of what you wanted help with was sorted out"),
    "child_withdrew": _l("you decided to stop"),
    "moved_away": _l("you moved away"), "other": _l("it ended for another reason")}))
"""How the case ended (its closure's outcome), as the sentence "Your advocacy ended on ...: ..." says it."""
CONTRIBUTIONS = dict(labelled(casework.CONTRIBUTIONS, {
    "own": _l("on your own"), "through_advocate": _l("through your advocate"),
    "jointly": _l("together with your advocate")}))
REASONS = dict(labelled(casework.DISCLOSURE_REASONS, {
    "significant_harm": _l("a worry that someone could be seriously harmed"), "court_order": _l("a court order")}))


def render(record: dict) -> str:
    """The record as a page in the language the casework service named (English when it named neither)."""
    language = record.get("language") if record.get("language") in LANGUAGES else "en"
    other = next(code for code in LANGUAGES if code != language)
    with force_locale(language):  # the language switch shows the same record in the other language
        return render_template("child_record.html", record=record, language=language,
                               switched_to=f"{request.path}?language={other}", statuses=STATUSES,
                               outcomes=OUTCOMES, endings=ENDINGS, contributions=CONTRIBUTIONS, reasons=REASONS,
                               signposts=dict(cases.SIGNPOSTS))
