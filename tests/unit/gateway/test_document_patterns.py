"""The patterns the OpenAPI document states say exactly what the platform takes: a value matches the pattern if and
only if the check behind it lets it through (or, for the webhook URL, every value it matches is one the URL check
takes). A pattern looser than its check lets the document promise what is refused; a stricter one refuses nothing
the document forbids."""

from __future__ import annotations

import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from marshmallow import ValidationError

from shared import validation
from services.gateway import openapi, schemas
from services.notify import domain as notify_domain

TRICKY = "\t\n\r \x0b\x0c\x1c\x1f\x85\xa0\u2028\u3000\ufeff\u202ex\x00\x7f"
text = st.text(alphabet=st.sampled_from(TRICKY) | st.characters(codec="utf-8"), max_size=12)


def matches(pattern: str, value: str) -> bool:
    return re.fullmatch(pattern, value) is not None


@settings(max_examples=400)
@given(text)
@example(" \n\t")
@example("\u3000")
@example("\ufeff")
def test_not_blank_text_is_what_the_services_call_said(value):
    said = validation.text_problem(value) is None and bool(value.strip())
    assert matches(schemas.SAID_TEXT, value) == said


@settings(max_examples=400)
@given(text)
def test_not_blank_line_is_a_one_line_answer_that_says_something(value):
    said = validation.line_problem(value) is None and bool(value.strip())
    assert matches(schemas.SAID_LINE, value) == said


def _notify_takes(secret: str) -> bool:
    try:
        notify_domain.signing_key(secret)
    except notify_domain.InvalidSecret:
        return False
    return True


secrets = st.builds(lambda prefix, rest: prefix + rest,
                    st.sampled_from(["whsec_", "whsec", "whse", "w", "x", ""]),
                    st.text(alphabet="AQz09+/=_whsec \u00e9", min_size=18, max_size=40))


@settings(max_examples=600)
@given(secrets)
@example("whsec_" + "QUJD" * 5 + "==")
@example("whsec_" + "QUJ" * 6)
def test_the_webhook_secret_pattern_is_what_notify_can_sign_with(secret):
    if len(secret) < 24 or validation.line_problem(secret):
        return
    assert matches(schemas.WEBHOOK_SECRET, secret) == _notify_takes(secret)


@pytest.mark.parametrize("url", ["https://council.example/hooks/llais", "https://ab", "https://x-1.y.zz:8443/a?b=c#d",
                                 "http://localhost:8080/hook", "http://127.0.0.1/"])
def test_every_webhook_url_the_pattern_allows_is_taken(url):
    assert matches(schemas.WEBHOOK_URL, url)
    schemas.WebhookSchema().load({"url": url, "secret": "s" * 32})


@pytest.mark.parametrize("url", ["", "http://council.example/hook", "https://a.b", "https://-a.example/",
                                 "https://council.example/hook\n", "ftp://council.example/"])
def test_a_webhook_url_the_pattern_refuses_is_refused(url):
    assert not matches(schemas.WEBHOOK_URL, url)
    with pytest.raises(ValidationError):
        schemas.WebhookSchema().load({"url": url, "secret": "s" * 32})


@pytest.mark.parametrize("value", ["2026-12-14T10:00:00+00:00", "2026-12-14t10:00:00.123456z",
                                   "2026-12-14T10:00:00.1234567Z", "2026-12-14T10:00:00+14:00",
                                   "2026-12-14T10:00:00-13:59"])
def test_a_time_the_document_allows_is_read(value):
    assert matches(openapi.MOMENT, value)
    validation.parse_moment(value)


@pytest.mark.parametrize("value", ["2026-12-14T10:00:00+14:01", "2026-12-31T23:59:60Z", "20261214T100000Z",
                                   "2026-12-14 10:00:00Z", "2026-12-14T10:00:00", "٢٠٢٦-12-14T10:00:00Z"])
def test_a_time_the_document_forbids_is_not_read(value):
    assert not matches(openapi.MOMENT, value)
    with pytest.raises(ValueError):
        validation.parse_moment(value)


def test_a_phone_number_with_a_line_break_after_it_is_refused_as_the_document_says():
    assert not matches(schemas.PHONE.regex.pattern, "07700 900123\n")
    with pytest.raises(ValidationError):
        schemas.PHONE("07700 900123\n")
