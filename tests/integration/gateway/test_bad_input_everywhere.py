"""Every endpoint that takes a body answers bad input with a problem that says what to fix, and changes nothing."""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Callable

import pytest
import requests

from services.gateway import handlers
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.conftest import assert_problem

ENDPOINTS = [
    ("council", "POST", "/api/v1/referrals"),
    ("council", "POST", "/api/v1/opt-outs"),
    ("council", "POST", "/api/v1/transitions"),
    ("manager", "POST", "/api/v1/transitions/{id}/renewed-offer"),
    ("council", "PUT", "/api/v1/webhook"),
    ("manager", "POST", "/api/v1/referrals/{id}/allocate"),
    ("advocate", "POST", "/api/v1/referrals/{id}/contact-attempts"),
    ("manager", "POST", "/api/v1/referrals/{id}/close"),
    ("advocate", "POST", "/api/v1/referrals/{id}/meetings"),
    ("advocate", "POST", "/api/v1/meetings/{id}/reschedule"),
    ("advocate", "POST", "/api/v1/meetings/{id}/cancel"),
    ("advocate", "POST", "/api/v1/meetings/{id}/record"),
    ("advocate", "POST", "/api/v1/messages"),
    ("advocate", "POST", "/api/v1/messages/{id}/answer"),
    ("manager", "POST", "/api/v1/messages/{id}/referral"),
]


@pytest.fixture(scope="module")
def callers(platform):
    return {"council": platform.key("CARDIFF"), "manager": platform.staff("manager"),
            "advocate": platform.staff("advocate")}


def send(platform, callers, who, method, path, **kwargs):
    url = platform.url + path.format(id=uuid.uuid4())
    return requests.request(method, url, headers={**callers[who], **kwargs.pop("headers", {})}, timeout=10,
                            **kwargs)


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_malformed_json_is_400(platform, callers, who, method, path):
    assert_problem(send(platform, callers, who, method, path, data=b'{"reason": ',
                        headers={"Content-Type": "application/json"}), 400)


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_not_json_is_415(platform, callers, who, method, path):
    assert_problem(send(platform, callers, who, method, path, data=b"reason=x",
                        headers={"Content-Type": "application/x-www-form-urlencoded"}), 415)


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_too_large_is_413(platform, callers, who, method, path):
    assert_problem(send(platform, callers, who, method, path, json={"reason": "x" * 20_000}), 413)


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_missing_and_unknown_fields_are_named(platform, callers, who, method, path):
    problem = assert_problem(send(platform, callers, who, method, path, json={"surprise": True}), 422, "surprise")
    assert len(problem["errors"]) >= 2, "the missing required fields are named too"


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_wrong_types_are_named(platform, callers, who, method, path):
    body = {"reason": 7, "took_place": "yes", "starts_at": 12, "advocate_email": ["x"], "method": 1, "url": 3,
            "basis": 4, "kind": 5}
    problem = assert_problem(send(platform, callers, who, method, path, json=body), 422)
    assert problem["errors"]


@pytest.mark.parametrize("who, method, path", ENDPOINTS)
def test_without_credentials_nothing_is_looked_at(platform, callers, who, method, path):
    answer = requests.request(method, platform.url + path.format(id="x"), json={}, timeout=10)
    assert_problem(answer, 401)


# every body endpoint, every kind of bad input: a 4xx problem naming the field, and nothing stored


VENUE = {"name": "Ysgol y Wern", "address": "Heol y Wern, Caerdydd", "accessible": True, "risk_assessed": True}
WATCHED = {"referral": ("referrals", "opt_outs", "messages", "transitions"), "scheduling": ("meetings",),
           "casework": ("cases",),
           "complaints": ("complaints",), "notify": ("webhooks",)}
"""Where each endpoint would store what it is sent. Not reporting's facts: they come only from events these services
commit with what they store, and the deadline clock's own events reach them whenever it ticks, request or none."""


def moment(**delta) -> str:
    return (datetime.now(timezone.utc) + timedelta(**delta)).replace(microsecond=0).isoformat()


def in_days(days: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(hour=10, minute=0, second=0,
                                                                        microsecond=0).isoformat()


class World:
    """Real things to act on (a referral with a meeting, an allocated one without, an open case with an issue and a
    request to change advocate, a complaint), so that every body below would be stored but for what is wrong."""

    def __init__(self, platform):
        self.platform = platform
        self.email = f"advocate-{uuid.uuid4().hex[:6]}@provider.example"
        handlers.create_user(platform.gateway, platform.councils, self.email, "advocate", None,
                             "a long enough password")
        self.callers = {"council": platform.key("CARDIFF"), "manager": platform.staff("manager"),
                        "advocate": {"Authorization": f"Bearer {handlers.create_token(platform.gateway, self.email)}"}}
        self.stores = {service: platform.store(service) for service in WATCHED}
        self.with_meeting = self.allocated(example_referral())
        self.meeting = self.call("advocate", "POST", f"/api/v1/referrals/{self.with_meeting}/meetings",
                                 {"starts_at": in_days(3), "duration_minutes": 60, "venue": VENUE}, 201)["id"]
        self.without_meeting = self.allocated(example_referral())
        self.case = self.allocated({**example_referral(), "kind": "issue_based"})
        wait_for(lambda: (stub := self.stores["casework"].get("referrals", self.case)) and
                 stub.body["advocate_email"] == self.email, what="casework to hear of the allocation")
        self.call("advocate", "POST", "/api/v1/cases", {"referral_id": self.case, "consents_to_case_file": True}, 201)
        self.issue = self.call("advocate", "POST", f"/api/v1/cases/{self.case}/issues",
                               {"theme": "contact", "description": "See my brother"}, 201)["issues"][0]["id"]
        self.change = self.call("advocate", "POST", f"/api/v1/cases/{self.case}/advocate-change-requests",
                                {"reason": "She would like someone else"}, 201)["advocate_changes"][0]["id"]
        self.complaint = self.call("manager", "POST", "/api/v1/complaints", COMPLAINT, 201)["id"]
        self.message = self.call("advocate", "POST", "/api/v1/messages", message(), 201)["id"]
        self.call("council", "POST", "/api/v1/opt-outs", {**OPT_OUT, "external_ref": CHILD_REF}, 201)
        wait_for(self.settled, what="the platform to settle")

    def call(self, who: str, method: str, path: str, body: dict, status: int) -> dict:
        answer = requests.request(method, self.platform.url + path, json=body, headers=self.callers[who], timeout=10)
        assert answer.status_code == status, answer.text
        return answer.json()

    def allocated(self, body: dict) -> str:
        referral_id = self.call("council", "POST", "/api/v1/referrals", body, 201)["id"]
        self.call("manager", "POST", f"/api/v1/referrals/{referral_id}/allocate", {"advocate_email": self.email}, 200)
        wait_for(lambda: (case := self.stores["scheduling"].get("cases", referral_id)) and
                 case.body.get("advocate_email") == self.email, what="scheduling to learn of the allocation")
        return referral_id

    def settled(self) -> bool:
        """Whether the events the setting-up set off have all had their effects (nothing changes for a moment)."""
        before = self.stored()
        time.sleep(0.5)
        return self.stored() == before

    def stored(self) -> dict:
        return {(service, collection): sorted((d.id, kept(collection, d))
                                              for d in store.find(collection, limit=10_000))
                for service, store in self.stores.items() for collection in WATCHED[service]}

    def path(self, template: str) -> str:
        return template.format(with_meeting=self.with_meeting, without_meeting=self.without_meeting,
                               meeting=self.meeting, case=self.case, issue=self.issue, change=self.change,
                               complaint=self.complaint, message=self.message)


CLOCKED = {"messages": ("out_of_hours", "respond_by", "clock_state"), "complaints": ("deadlines",)}
"""What a collection's documents take from a clock's events whenever they arrive, request or none: a message follows
its response clock (scheduled, at risk, missed), and a complaint learns when its answers are due once scheduling
has counted them."""


def kept(collection: str, document) -> object:
    """What a request could have changed of a document: its version, or its body less what its clock moves."""
    if collection not in CLOCKED:
        return document.version
    return sorted((field, repr(value)) for field, value in document.body.items() if field not in CLOCKED[collection])


def message(**changes) -> dict:
    return {"channel": "answer_phone", "received_at": moment(hours=-3), "language": "cy", "council": "CARDIFF",
            "from_whom": "child", "note": "Ffoniwch fi nôl", **changes}


CHILD_REF = "BAD-INPUT-CHILD"
"""The council's reference for a child it recorded an opt-out for, which a transition names."""
OPT_OUT = {"basis": "looked_after", "date_of_birth": "2013-05-02", "offered_at": "2026-01-05T10:00:00+00:00",
           "reason_code": "other", "reason_note": "Has an advocate already"}
COMPLAINT = {"kind": "complaint", "made_by": "parent", "name": "Mair Jones", "about": "Nobody called back",
             "contact": {"phone": "07700 900123"}}


@dataclass(frozen=True)
class Endpoint:
    who: str
    method: str
    path: str
    body: Callable[[], dict]
    text: str
    """A text field the endpoint stores (dotted path), to carry the bad characters."""
    dates: tuple[tuple[str, Callable[[], str]], ...] = ()
    """Dates and times the endpoint stores, each with a value outside what it may hold."""
    lines: tuple[str, ...] = ()
    """Names and one-line answers, where a line break is refused."""

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


OUTSIDE = {"overflow": lambda: "9999-12-31T23:59:59-23:59", "year_9999": lambda: "9999-12-31T10:00:00+00:00",
           "year_1": lambda: "0001-01-01T00:00:00+01:00", "basic_format": lambda: "20261214T100000Z",
           "no_offset": lambda: "2026-12-14T10:00:00"}
PAST_ONLY = {"future": lambda: moment(days=1)}
DAYS = {"basic_format": lambda: "20130502", "future": lambda: (date.today() + timedelta(days=30)).isoformat(),
        "before_1900": lambda: "1899-12-31", "not_a_day": lambda: "2013-02-30"}

EVERY_BODY_ENDPOINT = [
    Endpoint("council", "POST", "/api/v1/referrals", example_referral, "child.given_name",
             dates=(*(("child.date_of_birth", v) for v in DAYS.values()),
                    *(("statutory_meeting_at", v) for v in OUTSIDE.values())),
             lines=("child.given_name", "child.family_name", "referrer.name", "child.contact.carer_name")),
    Endpoint("council", "POST", "/api/v1/opt-outs",
             lambda: {"basis": "looked_after", "date_of_birth": "2013-05-02", "offered_at": moment(days=-1),
                      "reason": "Has an advocate already"}, "reason",
             dates=(*(("date_of_birth", v) for v in DAYS.values()),
                    *(("offered_at", v) for v in {**OUTSIDE, **PAST_ONLY}.values())),
             lines=("external_ref",)),
    Endpoint("council", "POST", "/api/v1/opt-outs",
             lambda: {**OPT_OUT, "offered_at": moment(days=-1)}, "reason_note", lines=("external_ref",)),
    Endpoint("council", "POST", "/api/v1/transitions",
             lambda: {"kind": "placement_move", "happened_on": date.today().isoformat(), "external_ref": CHILD_REF},
             "external_ref", dates=tuple(("happened_on", v) for v in DAYS.values()), lines=("external_ref",)),
    Endpoint("council", "PUT", "/api/v1/webhook",
             lambda: {"url": "https://council.example/hooks", "secret": "s" * 32}, "secret", lines=("secret",)),
    Endpoint("manager", "POST", "/api/v1/referrals/{without_meeting}/allocate",
             lambda: {"advocate_email": "someone@provider.example"}, "advocate_email"),
    Endpoint("advocate", "POST", "/api/v1/referrals/{without_meeting}/contact-attempts",
             lambda: {"method": "phone", "result": "no_answer", "note": "Left no message"}, "note"),
    Endpoint("manager", "POST", "/api/v1/referrals/{without_meeting}/close", lambda: {"reason": "withdrawn"},
             "reason"),
    Endpoint("advocate", "POST", "/api/v1/referrals/{without_meeting}/meetings",
             lambda: {"starts_at": in_days(4), "duration_minutes": 60, "venue": VENUE}, "venue.name",
             dates=tuple(("starts_at", v) for v in OUTSIDE.values()), lines=("venue.name",)),
    Endpoint("advocate", "POST", "/api/v1/meetings/{meeting}/reschedule",
             lambda: {"starts_at": in_days(5), "reason": "The child is ill"}, "reason",
             dates=tuple(("starts_at", v) for v in OUTSIDE.values())),
    Endpoint("advocate", "POST", "/api/v1/meetings/{meeting}/cancel", lambda: {"reason": "Moved placement"},
             "reason"),
    Endpoint("advocate", "POST", "/api/v1/meetings/{meeting}/record",
             lambda: {"took_place": False, "reason_not_held": "Nobody came"}, "reason_not_held"),
    Endpoint("advocate", "POST", "/api/v1/meetings/{meeting}/record",
             lambda: {"took_place": False, "reason_not_held_code": "venue_problem",
                      "reason_not_held_note": "The room was locked"}, "reason_not_held_note"),
    Endpoint("advocate", "POST", "/api/v1/meetings/{meeting}/record",
             lambda: {"took_place": True, "outcome": "declined", "decline_reason_code": "did_not_say",
                      "decline_reason_note": "Quiet", "contact_details_given": True}, "decline_reason_note"),
    Endpoint("advocate", "POST", "/api/v1/cases", lambda: {"referral_id": "x", "consents_to_case_file": True},
             "referral_id"),
    Endpoint("advocate", "POST", "/api/v1/cases/{case}/plan",
             lambda: {"text": "See my brother monthly", "agreed_with_child": True}, "text"),
    Endpoint("advocate", "POST", "/api/v1/cases/{case}/issues",
             lambda: {"theme": "education", "description": "A new school"}, "description"),
    Endpoint("advocate", "POST", "/api/v1/cases/{case}/issues/{issue}/conclude",
             lambda: {"outcome": "resolved", "note": "Agreed"}, "note"),
    Endpoint("advocate", "POST", "/api/v1/cases/{case}/activities",
             lambda: {"kind": "meeting", "contribution": "jointly", "note": "Review", "happened_at": moment()},
             "note", dates=tuple(("happened_at", v) for v in {**OUTSIDE, **PAST_ONLY}.values())),
    Endpoint("advocate", "POST", "/api/v1/cases/{case}/signposting", lambda: {"to": "legal", "note": "Solicitor"},
             "note"),
    Endpoint("advocate", "POST", "/api/v1/cases/{case}/advocate-change-requests", lambda: {"reason": "Wants another"},
             "reason"),
    Endpoint("manager", "POST", "/api/v1/cases/{case}/advocate-change-requests/{change}/decide",
             lambda: {"result": "declined", "reason": "No other Welsh speaker"}, "reason"),
    Endpoint("manager", "POST", "/api/v1/cases/{case}/disclosures",
             lambda: {"reason": "significant_harm", "decided_by": "Service manager", "disclosed_to": "Cardiff MASH",
                      "disclosed_at": moment(hours=-2), "child_told": True, "child_told_at": moment(hours=-1)},
             "decided_by",
             dates=(*(("disclosed_at", v) for v in {**OUTSIDE, **PAST_ONLY}.values()),
                    *(("child_told_at", v) for v in {**OUTSIDE, **PAST_ONLY}.values()),
                    ("child_told_at", lambda: moment(hours=-3))),
             lines=("decided_by", "disclosed_to")),
    Endpoint("advocate", "POST", "/api/v1/cases/{case}/close",
             lambda: {"outcome": "other", "satisfaction": 4, "feedback": "Good"}, "feedback"),
    Endpoint("manager", "POST", "/api/v1/complaints", lambda: dict(COMPLAINT), "about", lines=("name",)),
    Endpoint("manager", "POST", "/api/v1/complaints/{complaint}/acknowledge", dict, "note"),
    Endpoint("manager", "POST", "/api/v1/complaints/{complaint}/respond",
             lambda: {"outcome": "upheld", "summary": "We are sorry"}, "summary"),
    Endpoint("manager", "POST", "/api/v1/complaints/{complaint}/escalate", dict, "note"),
    Endpoint("manager", "POST", "/api/v1/complaints/{complaint}/close", dict, "note"),
    Endpoint("manager", "POST", "/api/v1/complaints/{complaint}/withdraw", dict, "note"),
    Endpoint("advocate", "POST", "/api/v1/messages", message, "note",
             dates=tuple(("received_at", v) for v in {**OUTSIDE, **PAST_ONLY}.values())),
    Endpoint("advocate", "POST", "/api/v1/messages/{message}/answer", lambda: {"answered_at": moment(minutes=-5),
                                                                               "answered_by": "Siân"}, "answered_by",
             dates=(*(("answered_at", v) for v in {**OUTSIDE, **PAST_ONLY}.values()),
                    ("answered_at", lambda: moment(days=-1))), lines=("answered_by",)),
    Endpoint("manager", "POST", "/api/v1/messages/{message}/referral", lambda: {"referral_id": "no-such-referral"},
             "referral_id"),
]
BAD_TEXT = {"unpaired_surrogate": "Cerys\ud800", "nul": "Cer\x00ys", "escape": "Cerys\x1b[2J",
            "bidi_override": "Cerys\u202egnp.exe", "bell": "Cerys\x07"}


def with_value(body: dict, path: str, value) -> dict:
    """`body` with the field at dotted `path` set to `value` (a copy)."""
    changed = json.loads(json.dumps(body))
    *parents, name = path.split(".")
    inner = changed
    for part in parents:
        inner = inner.setdefault(part, {})
    inner[name] = value
    return changed


@pytest.fixture(scope="module")
def world(platform):
    return World(platform)


def refused(world: World, endpoint: Endpoint, *, status: int = 422, field: str | None = None,
            body: dict | None = None, data: bytes | None = None, content_type: str = "application/json") -> dict:
    """Send the bad request; it is refused with a problem naming `field`, and nothing is stored."""
    before = world.stored()
    raw = data if data is not None else json.dumps(body).encode()  # json.dumps escapes a lone surrogate, as JSON may
    answer = requests.request(endpoint.method, world.platform.url + world.path(endpoint.path), data=raw, timeout=10,
                              headers={**world.callers[endpoint.who], "Content-Type": content_type})
    assert answer.status_code == status, answer.text
    problem = assert_problem(answer, status, *([field] if field else []))
    assert world.stored() == before, "nothing is stored when a request is refused"
    return problem


@pytest.mark.parametrize("endpoint", EVERY_BODY_ENDPOINT, ids=str)
@pytest.mark.parametrize("kind", BAD_TEXT)
def test_text_that_would_break_or_spoof_a_page_is_refused_by_name(world, endpoint, kind):
    refused(world, endpoint, field=endpoint.text, body=with_value(endpoint.body(), endpoint.text, BAD_TEXT[kind]))


@pytest.mark.parametrize("endpoint", EVERY_BODY_ENDPOINT, ids=str)
def test_json_nested_five_thousand_deep_is_refused_by_name(world, endpoint):
    top = endpoint.text.split(".")[0]
    data = json.dumps({**endpoint.body(), top: "DEEP"}).replace('"DEEP"', "[" * 5000 + "]" * 5000)
    refused(world, endpoint, field=top, data=data.encode())


@pytest.mark.parametrize("endpoint", EVERY_BODY_ENDPOINT, ids=str)
@pytest.mark.parametrize("encoding, status", [("utf-16", 400), ("utf-32", 400), ("bom", 400), ("charset", 415)])
def test_bodies_not_in_plain_utf_8_are_refused(world, endpoint, encoding, status):
    text = json.dumps(endpoint.body(), ensure_ascii=False)
    data = {"utf-16": text.encode("utf-16"), "utf-32": text.encode("utf-32"),
            "bom": b"\xef\xbb\xbf" + text.encode(), "charset": text.encode("utf-16-le")}[encoding]
    content_type = "application/json; charset=utf-16" if encoding == "charset" else "application/json"
    refused(world, endpoint, status=status, data=data, content_type=content_type)


DATED = [(endpoint, field, value) for endpoint in EVERY_BODY_ENDPOINT for field, value in endpoint.dates]


@pytest.mark.parametrize("endpoint, field, value", DATED,
                         ids=[f"{e}-{f}-{v()}" for e, f, v in DATED])
def test_dates_outside_what_a_record_may_hold_are_refused_by_name(world, endpoint, field, value):
    refused(world, endpoint, field=field, body=with_value(endpoint.body(), field, value()))


LINES = [(endpoint, field) for endpoint in EVERY_BODY_ENDPOINT for field in endpoint.lines]


@pytest.mark.parametrize("endpoint, field", LINES, ids=[f"{e}-{f}" for e, f in LINES])
@pytest.mark.parametrize("value", ["Cerys\nJones", "Cerys\tJones", "Cerys\r\n"])
def test_a_name_is_on_one_line(world, endpoint, field, value):
    refused(world, endpoint, field=field, body=with_value(endpoint.body(), field, value))


@pytest.mark.parametrize("path", ["/api/v1/referrals", "/api/v1/opt-outs", "/api/v1/referrals/{without_meeting}/"
                                  "contact-attempts", "/api/v1/cases/{case}/activities", "/api/v1/complaints",
                                  "/api/v1/messages", "/api/v1/transitions"])
def test_the_bodies_above_are_stored_when_nothing_is_wrong_with_them(world, path):
    """The control: what the tests above spoil would have been stored, so their refusals are the checks' doing."""
    endpoint = next(e for e in EVERY_BODY_ENDPOINT if e.path == path)
    before = world.stored()
    answer = requests.request(endpoint.method, world.platform.url + world.path(path), json=endpoint.body(),
                              headers=world.callers[endpoint.who], timeout=10)
    assert answer.status_code == 201, answer.text
    assert world.stored() != before


NAMES = [("/api/v1/referrals", field) for field in ("child.given_name", "child.family_name", "referrer.name",
                                                     "child.contact.carer_name")] + [("/api/v1/complaints", "name")]
BAD_NAMES = {"zero_width_space": "Cerys\u200bJones", "zero_width_joiner": "Cerys\u200d", "bom": "\ufeffCerys",
             "tag": "Cerys\U000e0063\U000e0079", "private_use": "Cerys\ue000", "supplementary_private_use":
             "Cerys\U000f0000", "non_character": "Cerys\uffff", "plane_non_character": "Cerys\U0001fffe"}


@pytest.mark.parametrize("path, field", NAMES, ids=[f"{p}-{f}" for p, f in NAMES])
@pytest.mark.parametrize("kind", BAD_NAMES)
def test_a_persons_name_holds_nothing_invisible_private_or_unassignable(world, path, field, kind):
    endpoint = next(e for e in EVERY_BODY_ENDPOINT if e.path == path)
    refused(world, endpoint, field=field, body=with_value(endpoint.body(), field, BAD_NAMES[kind]))


@pytest.mark.parametrize("endpoint", EVERY_BODY_ENDPOINT, ids=str)
def test_a_field_given_twice_is_refused_even_with_the_same_value(world, endpoint):
    body = endpoint.body()
    top = endpoint.text.split(".")[0] if endpoint.text.split(".")[0] in body else next(iter(body), "note")
    body.setdefault(top, "Said once")
    data = json.dumps(body)[:-1] + f", {json.dumps(top)}: {json.dumps(body[top])}}}"
    problem = refused(world, endpoint, status=400, data=data.encode())
    assert "twice" in problem["detail"]


@pytest.mark.parametrize("field, value", [("channel", "pigeon"), ("from_whom", "neighbour"), ("language", "fr"),
                                          ("council", "ATLANTIS"), ("council", "not a code"), ("note", "x" * 1001),
                                          ("note", 12), ("received_at", 1700000000)])
def test_a_message_with_an_unknown_code_a_long_note_or_a_wrong_type_is_refused_by_name(world, field, value):
    endpoint = next(e for e in EVERY_BODY_ENDPOINT if e.path == "/api/v1/messages")
    refused(world, endpoint, field=field, body=message(**{field: value}))


def test_a_message_links_only_to_a_referral_that_exists(world):
    endpoint = next(e for e in EVERY_BODY_ENDPOINT if e.path.endswith("/referral"))
    refused(world, endpoint, field="referral_id", body={"referral_id": "no-such-referral"})


HELD = {"took_place": True, "outcome": "take_up", "topics_covered": ["advocate_role"]}
BAD_RECORDS = {
    "unknown_not_held_code": ({"took_place": False, "reason_not_held_code": "weather"}, "reason_not_held_code"),
    "not_held_note_too_long": ({"took_place": False, "reason_not_held_code": "other",
                                "reason_not_held_note": "x" * 1001}, "reason_not_held_note"),
    "words_beside_a_code": ({"took_place": False, "reason_not_held_code": "other", "reason_not_held": "Moved"},
                            "reason_not_held"),
    "code_as_a_number": ({"took_place": False, "reason_not_held_code": 3}, "reason_not_held_code"),
    "unknown_decline_code": ({"took_place": True, "outcome": "declined", "decline_reason_code": "bored",
                              "contact_details_given": True}, "decline_reason_code"),
    "decline_note_too_long": ({"took_place": True, "outcome": "declined", "decline_reason_code": "other",
                               "decline_reason_note": "x" * 1001, "contact_details_given": True},
                              "decline_reason_note"),
    "repeated_topic": ({**HELD, "topics_covered": ["rights", "rights"]}, "topics_covered"),
    "no_topic": ({**HELD, "topics_covered": []}, "topics_covered"),
    "unknown_topic": ({**HELD, "topics_covered": ["gossip"]}, "topics_covered.0"),
    "topics_as_text": ({**HELD, "topics_covered": "rights"}, "topics_covered"),
    "nothing_and_more": ({**HELD, "left_with_child": ["nothing", "leaflet"]}, "left_with_child"),
    "repeated_left": ({**HELD, "left_with_child": ["leaflet", "leaflet"]}, "left_with_child"),
    "contact_details_as_text": ({"took_place": True, "outcome": "reflecting", "contact_details_given": "yes"},
                                "contact_details_given"),
    "contact_details_not_given": ({"took_place": True, "outcome": "reflecting", "contact_details_given": False},
                                  "contact_details_given"),
    "unknown_other_support": ({"took_place": True, "outcome": "other_support", "other_support_type": "magic"},
                              "other_support_type"),
}


@pytest.mark.parametrize("kind", BAD_RECORDS)
def test_a_meetings_record_with_a_bad_code_list_or_note_is_refused_by_name(world, kind):
    endpoint = next(e for e in EVERY_BODY_ENDPOINT if e.path.endswith("/record"))
    body, field = BAD_RECORDS[kind]
    refused(world, endpoint, field=field, body=body)
