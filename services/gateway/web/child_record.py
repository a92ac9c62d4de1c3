"""The child's own case record as a page of the service they can read, print or be given, in their language
(DOMAIN.md: the child may read their record, and what it says must be something they agree with).

The casework service says what the record holds and in which language to show it; the page is the gateway's, with
the service's header, the same templates and the same translations as every other page, in the child's words.
"""

from __future__ import annotations

from flask import render_template
from flask_babel import force_locale, lazy_gettext as _l

from shared.contracts import casework

from services.gateway.web import LANGUAGES, cases
from services.gateway.web.forms import labelled

STATUSES = dict(labelled(casework.CASE_STATUSES, {"open": _l("Open"), "closed": _l("Closed")}))
# in the child's words, for each code of shared.contracts.casework the record holds
OUTCOMES = dict(labelled(tuple(dict.fromkeys(casework.ISSUE_OUTCOMES + casework.CASE_OUTCOMES)), {
    "resolved": _l("sorted out"), "partly_resolved": _l("partly sorted out"), "not_resolved": _l("not sorted out"),
    "withdrawn": _l("I stopped it"), "issues_resolved": _l("what I wanted help with was sorted out"),
    "child_withdrew": _l("I decided to stop"), "moved_away": _l("I moved away"), "other": _l("for another reason"),
}))
CONTRIBUTIONS = dict(labelled(casework.CONTRIBUTIONS, {
    "own": _l("on my own"), "through_advocate": _l("through my advocate"), "jointly": _l("together with my advocate")}))
REASONS = dict(labelled(casework.DISCLOSURE_REASONS, {
    "significant_harm": _l("a worry that someone could be seriously harmed"), "court_order": _l("a court order")}))


def render(record: dict) -> str:
    """The record as a page in the language the casework service named (English when it named neither)."""
    language = record.get("language") if record.get("language") in LANGUAGES else "en"
    with force_locale(language):
        return render_template("child_record.html", record=record, language=language, statuses=STATUSES,
                               outcomes=OUTCOMES, contributions=CONTRIBUTIONS, reasons=REASONS,
                               signposts=dict(cases.SIGNPOSTS))
