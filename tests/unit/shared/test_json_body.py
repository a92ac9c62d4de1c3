"""A request's JSON body is read and checked once, however many steps of the request ask for it, and never
carried over to another request."""

from __future__ import annotations

from flask import Flask

from shared import validation
from shared.web import json_body


def test_the_body_is_checked_once_a_request_and_each_request_reads_its_own(monkeypatch):
    app = Flask("t")
    checked = []
    real = validation.unsafe_strings
    monkeypatch.setattr(validation, "unsafe_strings", lambda payload: checked.append(payload) or real(payload))
    with app.app_context():  # one app context around several requests, as tests and the embedded mode may hold
        with app.test_request_context(json={"child": {"given_name": "Ffion"}}):
            first, again = json_body(), json_body()
            assert first == again == {"child": {"given_name": "Ffion"}}
        with app.test_request_context(json={"child": {"given_name": "Osian"}}):
            assert json_body() == {"child": {"given_name": "Osian"}}
    assert len(checked) == 2
