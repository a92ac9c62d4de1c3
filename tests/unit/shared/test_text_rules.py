"""The text rules shared.validation adds for people: names with nothing invisible, private or unassignable in
them, email addresses that cannot pass for one another, and forms and queries that must decode as UTF-8."""

from __future__ import annotations

import json

import pytest
from flask import Flask

from shared import validation
from shared.web import Problem, json_body


@pytest.mark.parametrize("name, problem", [
    ("Cerys\u200bJones", "invisible"), ("Cerys\u200c", "invisible"), ("Cerys\u200d", "invisible"),
    ("\ufeffCerys", "invisible"), ("Cerys\u2060", "invisible"), ("Cer\u00adys", "invisible"),
    ("Cerys\ufe0f", "invisible"), ("Cerys\U000e0063", "invisible"), ("\u3164", "invisible"),
    ("Cerys\ue000", "private-use"), ("Cerys\U000f0001", "private-use"), ("Cerys\U0010fffd", "private-use"),
    ("Cerys\ufdd0", "non-character"), ("Cerys\uffff", "non-character"), ("Cerys\U0001fffe", "non-character"),
    ("Cerys\U000dffff", "non-character"), ("Cerys\nJones", "one line"), ("Cerys\u202e", "bidirectional"),
])
def test_a_name_refuses_what_shows_nothing_or_means_nothing(name, problem):
    assert problem in validation.name_problem(name)
    assert not validation.NAME_PATTERN.match(name), "the documented pattern says the same"


@pytest.mark.parametrize("name", ["Cerys", "Siân ap Rhys", "O'Brien-Jones", "Zoë 😀", "مريم", "日本", "Ŵyn"])
def test_names_in_any_script_pass(name):
    assert validation.name_problem(name) is None and validation.NAME_PATTERN.match(name)


def test_free_text_may_still_hold_what_a_name_may_not():
    assert validation.text_problem("Notes\u200b with a zero-width space pasted in") is None


@pytest.mark.parametrize("given, kept", [
    ("Owen.Jones@Provider.EXAMPLE", "owen.jones@provider.example"),
    ("ｏｗｅｎ@ｐｒｏｖｉｄｅｒ.ｅｘａｍｐｌｅ", "owen@provider.example"),
    ("\u212aate@provider.example", "kate@provider.example"), ("  owen@provider.example ", "owen@provider.example"),
])
def test_an_address_is_kept_in_its_plain_lower_case_form(given, kept):
    assert validation.normalised_email(given) == kept and validation.email_problem(kept) is None


@pytest.mark.parametrize("address, problem", [
    ("owen@provider.example\u200b", validation.HIDDEN_IN_EMAIL),
    ("ow\u00aden@provider.example", validation.HIDDEN_IN_EMAIL), ("ow en@provider.example", validation.HIDDEN_IN_EMAIL),
    ("\u043ewen@provider.example", validation.MIXED_ALPHABETS),
    ("\u03bfwen@provider.example", validation.MIXED_ALPHABETS), ("owen", validation.NOT_AN_EMAIL),
])
def test_an_address_that_could_pass_for_another_is_refused(address, problem):
    assert validation.email_problem(validation.normalised_email(address)) == problem


def test_addresses_in_one_alphabet_pass():
    assert validation.email_problem("олег@приклад.укр") is None


@pytest.mark.parametrize("address", ["0wen@provider.example", "owen@provider.exarnple", "OWEN@provider.example",
                                     "ｏｗｅｎ@provider.example", "\u043ew\u0435n@provider.example"])
def test_look_alikes_share_a_likeness_and_different_addresses_do_not(address):
    assert validation.email_likeness(address) == validation.email_likeness("owen@provider.example")
    assert validation.email_likeness("owain@provider.example") != validation.email_likeness("owen@provider.example")


@pytest.mark.parametrize("form, decodes", [
    (b"name=Self%FF%FE", False), (b"reason=a%ED%A0%80b", False), (b"name=%C0%AF", False), (b"name=\xff", False),
    (b"name=Si%C3%A2n+ap+Rhys", True), (b"year=%202026", True), (b"", True),
])
def test_a_form_or_query_decodes_as_utf_8_escapes_and_all(form, decodes):
    assert validation.decodes(form) is decodes


@pytest.mark.parametrize("text", ['{"name": "a", "name": "b"}', '{"child": {"given_name": "a", "given_name": "a"}}',
                                  '[{"x": 1, "x": 1}]'])
def test_a_json_field_given_twice_is_a_400(text):
    app = Flask("t")
    with app.test_request_context(data=text, content_type="application/json"):
        with pytest.raises(Problem) as refused:
            json_body()
    assert refused.value.status == 400 and "twice" in refused.value.detail
    assert json.loads(text), "the standard library would have taken it"


@pytest.mark.parametrize("value, well_formed", [("0190c3a2-7b1e-7c3d-8e4f-0123456789ab", True), ("x" * 64, True),
                                                ("x" * 65, False), ("a\u202eb", False), ("a b", False), ("", False)])
def test_an_id_in_a_path_is_one_our_services_could_have_made(value, well_formed):
    assert bool(validation.ID_PATTERN.fullmatch(value)) is well_formed
