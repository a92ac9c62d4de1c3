"""The one-question-per-page engine (web/flow.py) on flows of its own, apart from the pages that use it: the order
of the pages, what the session keeps of their answers, and the page each error of the API's schema or of the service
is shown on, in the reader's language."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from flask import session
from flask_wtf import FlaskForm
from jinja2 import ChoiceLoader, DictLoader
from marshmallow import Schema, fields, validate
from wtforms import SelectField

from shared.config import Settings

from services.gateway.app import create_app as create_gateway
from services.gateway.web import forms
from services.gateway.web.flow import Flow, Page, check_view, page_view, summary

ONE_LINE = "Must be on one line: no tabs or line breaks."
IN_THE_FUTURE = "The date is in the future."
NOT_REAL = "Not a real date."
"""Messages the services give, which the catalogue has in Welsh."""


class PersonForm(FlaskForm):
    name = forms.text("Name", "Enter the name")
    born = forms.day("Date of birth", "Enter the date of birth")
    submit = forms.submit("Continue")


class ColourForm(FlaskForm):
    colour = forms.choice("Colour", [("red", "Red"), ("blue", "Blue")], "Choose a colour")
    submit = forms.submit("Continue")


class PlaceForm(FlaskForm):
    place = SelectField("Place", [forms.chosen("Choose a place")], choices=[])
    submit = forms.submit("Continue")


def places(form: FlaskForm) -> None:
    if isinstance(form, PlaceForm):
        form.place.choices = [("CDF", "Cardiff"), ("SWA", "Swansea")]


class PersonSchema(Schema):
    name = fields.String(required=True, validate=validate.Regexp(r"^[^\t\n]*$", error=ONE_LINE))
    born = fields.Date(required=True)


class OrderSchema(Schema):
    person = fields.Nested(PersonSchema, required=True)
    colour = fields.String(required=True, validate=validate.OneOf(("red", "blue")))
    place = fields.String(required=True)


class ColourSchema(Schema):
    colour = fields.String(required=True)


def order(answers: dict) -> dict:
    person = answers["person"]
    return {"person": {"name": person["name"], "born": person["born"]}, "colour": answers["colour"]["colour"],
            "place": answers["place"]["place"]}


ORDER = Flow("order", [Page("person", PersonForm, "About the person"), Page("colour", ColourForm, "The colour"),
                       Page("place", PlaceForm, "The place")], order,
             {"person.name": ("person", "name"), "person.born": ("person", "born"), "colour": ("colour", "colour"),
              "place": ("place", "place")}, OrderSchema, "The order could not be sent.", prepare=places)
GUARDED = Flow("guarded", [Page("colour", ColourForm, "The colour")], lambda answers: answers["colour"], {},
               ColourSchema, "It could not be sent.", honeypot=True)
TEMPLATES = {
    "question.html": '{% set typed = [] %}{% for f in form if f.type not in ["CSRFTokenField", "SubmitField"] %}'
                     '{% set _ = typed.append(f._value() if f._value is defined else f.data) %}{% endfor %}'
                     '{{ {"slug": page.slug, "position": position, "honeypot": honeypot is not none,'
                     ' "errors": errors | map(attribute="text") | map("string") | list, "back": back,'
                     ' "typed": typed} | tojson }}',
    "answers.html": '{{ {"errors": errors, "rows": rows, "back": back} | tojson }}',
}
"""Pages that show what the engine gives them, to read back."""

REPLIES: list[tuple[int, dict]] = []
SENT: list[dict] = []


def send(body: dict) -> tuple[int, dict]:
    SENT.append(body)
    return REPLIES.pop(0)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    app = create_gateway(replace(Settings(), data_dir=tmp_path_factory.mktemp("flow"), cookie_secure=False))
    app.config["WTF_CSRF_ENABLED"] = False
    app.jinja_loader = ChoiceLoader([DictLoader(TEMPLATES), app.jinja_loader])
    for flow in (ORDER, GUARDED):
        serve(app, flow)
    return app


def serve(app, flow: Flow) -> None:
    """The flow's pages at /<name>/..., under the endpoints the engine links to."""

    def question(slug: str):
        return page_view(flow, slug, "question.html")

    def answers():
        return check_view(flow, "answers.html", send)

    app.add_url_rule(f"/{flow.name}/<slug>", f"web.{flow.name}_page", question, methods=["GET", "POST"])
    app.add_url_rule(f"/{flow.name}/check", f"web.{flow.name}_check", answers, methods=["GET", "POST"])
    app.add_url_rule(f"/{flow.name}/sent", f"web.{flow.name}_sent", lambda: "sent")


@pytest.fixture()
def visitor(app):
    REPLIES.clear()
    SENT.clear()
    return app.test_client()


PERSON = {"name": "Cerys Jones", "born": ["2", "5", "2013"]}


def answered(visitor, name: str = "Cerys Jones") -> None:
    """All three pages answered, in order, each sending the reader on to the next and the last to the check."""
    assert visitor.post("/order/person", data={**PERSON, "name": name}).location == "/order/colour"
    assert visitor.post("/order/colour", data={"colour": "blue"}).location == "/order/place"
    assert visitor.post("/order/place", data={"place": "SWA"}).location == "/order/check"


def shown(answer) -> dict:
    return json.loads(answer.get_data(as_text=True))


# the pages, in order

def test_the_next_page_is_the_first_unanswered_in_the_flows_order(app):
    with app.test_request_context("/"):
        assert ORDER.next_slug() == "person"
        session["flow.order"] = {"colour": {"colour": "red"}}
        assert ORDER.next_slug() == "person", "earlier pages first, whatever was answered later"
        session["flow.order"] = {"person": {}, "colour": {}}
        assert ORDER.next_slug() == "place"
        session["flow.order"] = {"person": {}, "colour": {}, "place": {}}
        assert ORDER.next_slug() is None


def test_a_page_is_found_by_its_slug_and_an_unknown_one_is_not_found(app, visitor):
    with app.test_request_context("/"):
        assert ORDER.page("colour").form is ColourForm
    page = visitor.get("/order/colour")
    assert page.status_code == 200 and shown(page)["position"] == 2
    assert visitor.get("/order/nowhere").status_code == 404


def test_the_check_waits_until_every_page_is_answered(visitor):
    assert visitor.get("/order/check").location == "/order/person"
    visitor.post("/order/person", data=PERSON)
    assert visitor.get("/order/check").location == "/order/colour"


# what the session keeps

def test_answers_are_kept_page_by_page_dates_as_days_and_forgotten_whole(app):
    with app.test_request_context("/order/person"):
        ORDER.keep("person", PersonForm(data={"name": "not a date", "born": date(2013, 5, 2)}, meta={"csrf": False}))
        ORDER.keep("colour", ColourForm(data={"colour": "red"}, meta={"csrf": False}))
        assert ORDER.answers() == {"person": {"name": "not a date", "born": "2013-05-02"}, "colour": {"colour": "red"}}
        assert json.loads(json.dumps(dict(session)))["flow.order"] == ORDER.answers(), "only what JSON holds"
        restored = ORDER.form_for(ORDER.page("person"))
        assert restored.born.data == date(2013, 5, 2) and restored.name.data == "not a date"
        ORDER.keep("colour", ColourForm(data={"colour": "blue"}, meta={"csrf": False}))
        assert ORDER.answers()["colour"] == {"colour": "blue"} and "person" in ORDER.answers()
        ORDER.forget()
        assert ORDER.answers() == {} and ORDER.next_slug() == "person"


def test_a_posted_page_is_read_as_posted_not_as_kept(app):
    with app.test_request_context("/order/colour", method="POST", data={"colour": "blue"}):
        ORDER.keep("colour", ColourForm(data={"colour": "red"}, meta={"csrf": False}))
        assert ORDER.form_for(ORDER.page("colour")).colour.data == "blue"


def test_each_form_is_prepared_before_it_is_read_or_summed_up(app):
    with app.test_request_context("/order/place"):
        assert ORDER.form_for(ORDER.page("place")).place.choices == [("CDF", "Cardiff"), ("SWA", "Swansea")]
        session["flow.order"] = {"person": {"name": "Cerys", "born": "2013-05-02"}, "colour": {"colour": "blue"},
                                 "place": {"place": "SWA"}}
        rows = {row["key"]["text"]: row["value"]["text"] for row in summary(ORDER)}
        assert rows == {"Name": "Cerys", "Date of birth": "2 May 2013", "Colour": "Blue", "Place": "Swansea"}
        links = [row["actions"]["items"][0]["href"] for row in summary(ORDER)]
        assert links == ["/order/person?check=1", "/order/person?check=1", "/order/colour?check=1",
                         "/order/place?check=1"]


def test_the_answers_walk_the_pages_and_a_change_goes_back_to_the_check(visitor):
    answered(visitor)
    page = visitor.get("/order/person")
    assert page.status_code == 200 and shown(page)["slug"] == "person"
    assert visitor.post("/order/colour?check=1", data={"colour": "red"}).location == "/order/check"
    rows = {row["key"]["text"]: row["value"]["text"] for row in shown(visitor.get("/order/check"))["rows"]}
    assert rows["Colour"] == "Red" and rows["Date of birth"] == "2 May 2013" and rows["Place"] == "Swansea"


def test_a_page_that_is_not_answered_stays_with_its_errors(visitor):
    page = visitor.post("/order/person", data={"name": "Cerys"}, follow_redirects=True)
    assert page.status_code == 200 and shown(page)["errors"] == ["Enter the date of birth"]


def test_a_page_posted_with_errors_is_redirected_to_itself_which_shows_them_and_the_answers_as_typed(visitor):
    posted = visitor.post("/order/person?check=1", data={"name": "Cerys", "born": ["31", "2", "2013"]})
    assert posted.status_code == 302 and posted.location == "/order/person?check=1", "redirect after POST"
    page = shown(visitor.get("/order/person?check=1"))
    assert page["errors"] == ["Enter a real date, like 27 3 2013"] and page["typed"] == ["Cerys", "31 2 2013"]
    again = shown(visitor.get("/order/person?check=1"))
    assert again["errors"] == [] and again["typed"] == ["", ""], "read again, the page sends nothing, keeps nothing"
    assert visitor.post("/order/person", data=PERSON).location == "/order/colour"
    assert shown(visitor.get("/order/person"))["errors"] == [], "answered, its errors are forgotten"
    assert shown(visitor.get("/order/person"))["typed"] == ["Cerys Jones", "02 05 2013"]


def test_a_page_shows_every_error_at_once_its_forms_and_the_schemas(visitor):
    page = shown(visitor.post("/order/person", data={"name": "Cerys\tJones", "born": ["", "", ""]},
                              follow_redirects=True))
    assert page["errors"] == [ONE_LINE, "Enter the date of birth"]


def test_every_question_page_links_back_to_the_one_before_and_the_first_to_where_the_journey_started(visitor):
    assert shown(visitor.get("/order/person"))["back"] == "/"
    assert shown(visitor.get("/order/colour"))["back"] == "/order/person"
    assert shown(visitor.get("/order/place"))["back"] == "/order/colour"
    assert shown(visitor.get("/order/place?check=1"))["back"] == "/order/check", "changing an answer: to the check"
    answered(visitor)
    assert shown(visitor.get("/order/check"))["back"] == "/order/place"


# sending, and where each problem is shown

def test_the_answers_are_sent_as_the_flow_makes_them_and_then_forgotten(app, visitor):
    answered(visitor)
    REPLIES.append((201, {"id": "r-1"}))
    assert visitor.post("/order/check").location == "/order/sent"
    assert SENT == [{"person": {"name": "Cerys Jones", "born": "2013-05-02"}, "colour": "blue", "place": "SWA"}]
    assert visitor.get("/order/check").location == "/order/person", "nothing of the answers is kept once sent"


def test_each_page_checks_the_schemas_rules_for_its_own_fields_before_moving_on(visitor):
    page = shown(visitor.post("/order/person", data={**PERSON, "name": "Cerys\tJones"},
                              headers={"Accept-Language": "cy"}, follow_redirects=True))
    assert page["slug"] == "person"
    assert page["errors"] == ["Rhaid iddo fod ar un llinell: dim tabiau na thoriadau llinell."]
    assert visitor.post("/order/person", data=PERSON).location == "/order/colour", \
        "the pages not yet answered are no error of this one"


def test_the_schema_refuses_before_anything_is_sent_on_the_page_that_asks_which_shows_it_again(visitor):
    answered(visitor)
    with visitor.session_transaction() as kept:
        kept["flow.order"] = {**kept["flow.order"], "person": {"name": "Cerys\tJones", "born": "2013-05-02"}}
    answer = shown(visitor.post("/order/check", headers={"Accept-Language": "cy"}, follow_redirects=True))
    assert SENT == []
    assert answer["errors"] == [{"text": "Rhaid iddo fod ar un llinell: dim tabiau na thoriadau llinell.",
                                 "href": "/order/person?check=1"}]
    again = shown(visitor.get("/order/person?check=1", headers={"Accept-Language": "cy"}))
    assert again["errors"] == ["Rhaid iddo fod ar un llinell: dim tabiau na thoriadau llinell."], \
        "the page that asks shows the problem beside its field"
    assert visitor.post("/order/person?check=1", data=PERSON).location == "/order/check"
    assert shown(visitor.get("/order/person"))["errors"] == [], "put right, it is forgotten"


def test_the_services_field_errors_go_to_their_pages_in_the_readers_language(visitor):
    answered(visitor)
    REPLIES.append((422, {"status": 422, "detail": "The referral breaks a rule.", "errors": {
        "person.born": [IN_THE_FUTURE, NOT_REAL], "place": ["Somewhere we do not go."],
        "something.else": [NOT_REAL]}}))
    answer = shown(visitor.post("/order/check", headers={"Accept-Language": "cy"}, follow_redirects=True))
    assert answer["errors"] == [
        {"text": "Mae'r dyddiad yn y dyfodol.", "href": "/order/person?check=1"},
        {"text": "Somewhere we do not go.", "href": "/order/place?check=1"},
        {"text": "Nid yw hwn yn ddyddiad go iawn.", "href": "/order/person?check=1"},
    ], "one message a field, as the service said it when the catalogue lacks it; a path no page asks for: the first"


def test_a_problem_without_field_errors_is_said_from_its_code_with_times_in_the_readers_words(visitor):
    answered(visitor)
    REPLIES.append((409, {"status": 409, "code": "meeting.double_booked", "detail": "Booked.",
                          "booked_from": "2026-12-14T10:00:00+00:00", "booked_until": "2026-12-14T11:00:00+00:00"}))
    answer = shown(visitor.post("/order/check", headers={"Accept-Language": "cy"}, follow_redirects=True))
    assert answer["errors"] == [{
        "text": "Mae gan yr eiriolwr gyfarfod yn barod o 10yb tan 11yb ddydd Llun 14 Rhagfyr 2026. "
                "Dewiswch amser arall.", "href": "/order/person?check=1"}]


def test_a_problem_without_a_code_says_its_detail_and_one_without_a_detail_the_flows_own_words(visitor):
    answered(visitor)
    REPLIES.extend([(422, {"status": 422, "detail": IN_THE_FUTURE}), (502, {"status": 502})])
    refused = visitor.post("/order/check", headers={"Accept-Language": "cy"})
    assert refused.location == "/order/check", "redirect after POST: Back and Refresh send nothing again"
    for _ in range(2):
        assert shown(visitor.get("/order/check"))["errors"] == [
            {"text": "Mae'r dyddiad yn y dyfodol.", "href": "/order/person?check=1"}]
    assert shown(visitor.post("/order/check", follow_redirects=True))["errors"] == [
        {"text": "The order could not be sent.", "href": "/order/person?check=1"}]
    assert len(SENT) == 2


def test_an_error_is_placed_on_the_page_that_asks_for_its_field_and_an_unknown_one_on_the_first(app):
    assert ORDER.page_of("colour") == "colour" and ORDER.page_of("place") == "place"
    assert ORDER.page_of("person.born") == "person"
    assert ORDER.page_of("council") == "person" and ORDER.page_of("") == "person"


# the honeypot, for flows open to anyone

def test_a_flow_open_to_anyone_carries_the_honeypot_and_refuses_a_page_that_fills_it(visitor):
    assert shown(visitor.get("/guarded/colour"))["honeypot"] is True
    assert shown(visitor.get("/order/colour"))["honeypot"] is False
    assert visitor.post("/guarded/colour", data={"colour": "red", "hp-website": "spam"}).status_code == 400
    assert visitor.post("/guarded/colour", data={"colour": "red", "hp-website": ""}).location == "/guarded/check"
    assert visitor.post("/order/colour", data={"colour": "red", "hp-website": "spam"}).status_code == 302
