"""The web forms refuse what the API refuses (control characters, bidirectional overrides, a line break in a name,
a date outside the window), on the field, in the page's language, and store nothing."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.integration.gateway.test_web_forms import allocated, errors_on, running_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "webtext")


NEXT_YEAR = str(datetime.now().year + 1)
MEETING = {"day": ["3", "3", NEXT_YEAR], "time": "10:00", "duration_minutes": "60", "venue_name": "Library",
           "accessible": "yes", "risk_assessed": "yes", "language": "en", "late_reason": "The child chose the date"}


@pytest.mark.parametrize("language, slug, data, expected", [
    ("en", "contact", {"method": "phone", "result": "reached", "note": "Spoke to her\u202e"},
     "Contains a bidirectional override character"),
    ("cy", "contact", {"method": "phone", "result": "reached", "note": "Spoke to her\x1b[2J"},
     "Mae'n cynnwys nod rheoli"),
    ("en", "arrange", {**MEETING, "venue_name": "Library\tRoom 2"}, "Must be on one line"),
    ("cy", "arrange", {**MEETING, "day": ["3", "3", "9999"]}, "Gwiriwch eich ateb i “Dyddiad y cyfarfod”"),
])
def test_bad_text_on_a_form_is_shown_on_its_field_and_nothing_is_stored(site, language, slug, data, expected):
    advocate, referral_id = allocated(site)
    advocate.http.cookies.set("llais_language", language)
    before = advocate.get(f"/referrals/{referral_id}").text.count("llais-timeline")
    meetings = site.count("scheduling", "meetings")
    page = advocate.submit(f"/referrals/{referral_id}/{slug}", data)
    assert page.status_code == 200 and any(expected in e for e in errors_on(page)), errors_on(page)
    assert site.count("scheduling", "meetings") == meetings
    after = advocate.get(f"/referrals/{referral_id}").text
    assert "contact attempted" not in after and after.count("llais-timeline") == before
