"""The child's own case record as a page of the service they can read, print or be given, in their language
(DOMAIN.md: the child may read their record, and what it says must be something they agree with).

The casework service says what the record holds and in which language to show it; the page is the gateway's, with
the service's header, the same templates and the same translations as every other page, speaking to the child
("you"; in Welsh the familiar "ti"), and saying how their advocacy ended as well as when.
"""

from __future__ import annotations

from flask import render_template, request
from flask_babel import force_locale

from shared.contracts import casework

from services.gateway.web import LANGUAGES, cases
from services.gateway.web.forms import worded

STATUSES = dict(worded("case_status", casework.CASE_STATUSES))
# in words spoken to the child, for each code of shared.contracts.casework the record holds
OUTCOMES = dict(worded("issue_outcome_to_child", casework.ISSUE_OUTCOMES))
ENDINGS = dict(worded("case_outcome_to_child", casework.CASE_OUTCOMES))
"""How the case ended (its closure's outcome), as the sentence "Your advocacy ended on ...: ..." says it."""
CONTRIBUTIONS = dict(worded("contribution_to_child", casework.CONTRIBUTIONS))
REASONS = dict(worded("disclosure_reason_to_child", casework.DISCLOSURE_REASONS))


def render(record: dict) -> str:
    """The record as a page in the language the casework service named (English when it named neither)."""
    language = record.get("language") if record.get("language") in LANGUAGES else "en"
    other = next(code for code in LANGUAGES if code != language)
    with force_locale(language):  # the language switch shows the same record in the other language
        return render_template("child_record.html", record=record, language=language,
                               switched_to=f"{request.path}?language={other}", statuses=STATUSES,
                               outcomes=OUTCOMES, endings=ENDINGS, contributions=CONTRIBUTIONS, reasons=REASONS,
                               signposts=dict(cases.SIGNPOSTS))
