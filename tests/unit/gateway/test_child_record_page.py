"""The child's own record as a page of the service: in their language and their words, with nothing the advocate
wrote trusted as HTML."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from shared.config import Settings

from services.gateway.app import create_app as create_gateway
from services.gateway.web import child_record

AT = "2026-11-23T10:00:00+00:00"
ADVOCATE = "advocate@provider.example"


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    return create_gateway(replace(Settings(), data_dir=tmp_path_factory.mktemp("record"), cookie_secure=False))


RECORD = {  # as the casework service gives it, with what an old store may still hold
    "opened_at": AT, "status": "closed",
    "plan": {"text": "Plan\x00 <script>", "version": 1, "agreed_at": AT, "agreed_by": ADVOCATE},
    "issues": [{"id": "i1", "description": "School <i>", "outcome": "partly_resolved"}],
    "activities": [{"at": "9999-12-31T23:59:59-23:59", "kind": "meeting", "contribution": "jointly",
                    "note": "Cerys\ud800 \u202eJones <b>"}],
    "signposting": [{"to": "legal", "note": ""}],
    "disclosures": [{"reason": "significant_harm", "disclosed_to": "Children's services", "disclosed_at": AT,
                     "child_told": True, "child_told_at": AT}],
    "closure": {"outcome": "moved_away", "satisfaction": 4, "feedback": "Good", "closed_at": AT,
                "closed_by": ADVOCATE},
}


def page(app, language: str) -> str:
    with app.test_request_context("/"):
        return child_record.render({**RECORD, "language": language})


def test_the_record_speaks_to_the_child_in_welsh_with_the_services_header_and_styles(app):
    text = page(app, "cy")
    assert 'lang="cy"' in text and "Dy gofnod eiriolaeth" in text and "llais-header" in text
    assert "llais.css" in text and "govuk-template" in text, "styled as every page of the service"
    assert 'hreflang="en"' in text and "language%3Den" in text, "the switch shows this record in English"
    assert "Daeth dy eiriolaeth i ben ar 23 Tachwedd 2026: symudaist ti i ffwrdd." in text, \
        "how it ended, in words, not only when"
    assert "gyda dy eiriolwr" in text and "Cyngor cyfreithiol" in text and "Cest ti wybod ar" in text
    assert "Your advocacy record" not in text and "Fy " not in text, "spoken to the child with ti, not as them"


def test_the_record_speaks_to_the_child_in_english_when_asked(app):
    text = page(app, "en")
    assert "Your advocacy record" in text and "23 November 2026" in text
    assert "Your advocacy ended on 23 November 2026: you moved away." in text
    assert "together with your advocate" in text and "My " not in text


@pytest.mark.parametrize("outcome", ["issues_resolved", "partly_resolved", "child_withdrew", "moved_away", "other",
                                     "a code from before"])
def test_every_way_a_case_ends_is_said_in_words(app, outcome):
    with app.test_request_context("/"):
        text = child_record.render({**RECORD, "language": "en", "closure": {**RECORD["closure"], "outcome": outcome}})
    ended = re.search(r"Your advocacy ended on 23 November 2026: ([^.<]+)\.", text)
    assert ended and "_" not in ended.group(1) and ended.group(1) == ended.group(1).lower()


def test_what_the_advocate_wrote_is_shown_as_text_and_a_bad_stored_time_as_stored(app):
    text = page(app, "en")
    text.encode("utf-8")
    assert "Cerys\ufffd \ufffdJones &lt;b&gt;" in text and "Plan\ufffd &lt;script&gt;" in text
    assert "9999-12-31T23:59:59-23:59" in text
