"""The shared errors are mapped once, by the app factory every service uses: each gives its own status, its
detail, its field errors where it has them, and a busy service says when to try again."""

from __future__ import annotations

import pickle
from dataclasses import replace

import pytest

from shared.config import Settings
from shared.errors import Busy, NotAllowed, NotFound, Refused, Rule, StateForbids
from shared.web import command_from_body, create_service_app, problem_of


@pytest.fixture
def client():
    app = create_service_app("drill", replace(Settings(), internal_token=""), store=None)
    raised = {"refused": Refused({"starts_at": ["The meeting must be in the future."]}),
              "forbids": StateForbids("the referral is closed"), "absent": NotFound("no such referral"),
              "not-allowed": NotAllowed("only a manager decides"), "busy": Busy("referral r1 kept changing")}
    for name, error in raised.items():
        app.add_url_rule(f"/{name}", name, lambda error=error: (_ for _ in ()).throw(error))

    def handler(command: dict) -> dict:
        return {"named": command["name"].upper(), "bug": command["missing"]}  # a KeyError: the handler's own bug

    app.add_url_rule("/command", "command", methods=["POST"],
                     view_func=lambda: handler(command_from_body(lambda body: {"name": body["name"].strip()}, "name")))
    return app.test_client()


@pytest.mark.parametrize("path,status", [("/refused", 422), ("/forbids", 409), ("/absent", 404),
                                         ("/not-allowed", 403), ("/busy", 503)])
def test_each_named_error_is_its_own_problem(client, path, status):
    answer = client.get(path)
    assert answer.status_code == status and answer.mimetype == "application/problem+json"
    assert answer.get_json()["status"] == status and answer.get_json()["detail"]


def test_a_refusal_names_its_fields_and_a_busy_service_says_when_to_try_again(client):
    assert client.get("/refused").get_json()["errors"] == {"starts_at": ["The meeting must be in the future."]}
    busy = client.get("/busy")
    assert busy.headers["Retry-After"] == "1" and "kept changing" in busy.get_json()["detail"]


def test_a_body_the_command_cannot_be_made_from_is_a_422_and_a_bug_in_the_handler_a_500(client):
    for body, field in (({}, "name"), ({"name": 7}, "_schema")):
        refused = client.post("/command", json=body)
        assert refused.status_code == 422 and field in refused.get_json()["errors"]
    bug = client.post("/command", json={"name": "Cerys"})
    assert bug.status_code == 500, "a programming error is never the caller's fault"
    assert "Cerys" not in bug.get_data(as_text=True) and "KeyError" not in bug.get_data(as_text=True)


def test_a_rule_names_its_message_so_a_reader_can_say_it_again_in_their_words():
    late = Rule("drill.late", "The meeting is after {meeting_by}, the deadline.")
    closed = Rule("drill.closed", "the referral is closed")
    reason = late(meeting_by="2026-12-14T17:00:00+00:00")
    assert reason == "The meeting is after 2026-12-14T17:00:00+00:00, the deadline."
    assert (reason.code, reason.params) == ("drill.late", {"meeting_by": "2026-12-14T17:00:00+00:00"})
    assert pickle.loads(pickle.dumps(reason)).params == reason.params

    problem = problem_of(Refused({"starts_at": [reason], "venue": ["Give the venue."]})).to_dict()
    assert problem["errors"] == {"starts_at": [str(reason)], "venue": ["Give the venue."]}
    assert problem["reasons"] == {"starts_at": [{"code": "drill.late", "meeting_by": "2026-12-14T17:00:00+00:00"}]}
    forbids = problem_of(StateForbids(closed())).to_dict()
    assert (forbids["code"], forbids["detail"]) == ("drill.closed", "Not now: the referral is closed.")
    with pytest.raises(ValueError):
        Rule("drill.closed", "some other wording")
    with pytest.raises(ValueError):
        Rule("drill.status", "the meeting is {status}")  # it would stand for the problem's own status
