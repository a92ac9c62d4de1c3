"""Messages through the public API as provider staff use it: recorded with their response clock (in or out of the
published hours), listed with those awaiting an answer, answered once, and linked to the referral they became, whose
history says so. Councils and commissioners never reach them."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest

from shared.clock import LONDON
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.conftest import assert_problem


def moment(**delta) -> str:
    return (datetime.now(timezone.utc) + timedelta(**delta)).replace(microsecond=0).isoformat()


def saturday_night() -> str:
    day = datetime.now(LONDON).date() - timedelta(days=7)
    while day.weekday() != 5:
        day += timedelta(days=1)
    return datetime(day.year, day.month, day.day, 22, 15, tzinfo=LONDON).isoformat()


MESSAGE = {"channel": "answer_phone", "language": "cy", "council": "SWANSEA", "from_whom": "carer",
           "note": "Mae Cerys eisiau siarad ag eiriolwr am ei lleoliad."}


@pytest.fixture(scope="module")
def staff(platform):
    return {"advocate": platform.staff("advocate"), "manager": platform.staff("manager")}


def test_a_message_left_out_of_hours_is_recorded_clocked_answered_and_linked(platform, staff):
    recorded = platform.post("/api/v1/messages", {**staff["advocate"], "Idempotency-Key": f"m-{uuid.uuid4()}"},
                             json={**MESSAGE, "received_at": saturday_night()})
    assert recorded.status_code == 201, recorded.text
    message = recorded.json()
    assert (message["awaiting"], message["council"], message["region"]) == (True, "SWANSEA", "west-glamorgan")
    wait_for(lambda: platform.get(f"/api/v1/messages/{message['id']}", staff["manager"]).json()["respond_by"],
             what="the message's response clock to start")
    shown = platform.get(f"/api/v1/messages/{message['id']}", staff["manager"]).json()
    assert shown["out_of_hours"] is True and shown["clock_state"] in ("pending", "at_risk", "missed")
    assert shown["note"] == MESSAGE["note"]

    awaiting = platform.get("/api/v1/messages", staff["manager"], params={"awaiting": "true", "limit": 200}).json()
    assert message["id"] in [item["id"] for item in awaiting["items"]]
    assert all("note" not in item for item in awaiting["items"])

    assert_problem(platform.post(f"/api/v1/messages/{message['id']}/answer", staff["advocate"],
                                 json={"answered_at": moment(days=-30)}), 422, "answered_at")
    answered = platform.post(f"/api/v1/messages/{message['id']}/answer", staff["advocate"],
                             json={"answered_at": moment(minutes=-1), "answered_by": "Siân Evans"})
    assert answered.status_code == 200, answered.text
    assert (answered.json()["awaiting"], answered.json()["answered_by"]) == (False, "Siân Evans")
    assert_problem(platform.post(f"/api/v1/messages/{message['id']}/answer", staff["advocate"],
                                 json={"answered_at": moment(minutes=-1)}), 409)
    answered_list = platform.get("/api/v1/messages", staff["manager"], params={"awaiting": "false"}).json()
    assert message["id"] in [item["id"] for item in answered_list["items"]]

    referral_id = platform.post("/api/v1/referrals", platform.key("SWANSEA"), json=example_referral()).json()["id"]
    linked = platform.post(f"/api/v1/messages/{message['id']}/referral", staff["manager"],
                           json={"referral_id": referral_id})
    assert linked.status_code == 200, linked.text
    assert linked.json()["referral_id"] == referral_id
    timeline = platform.get(f"/api/v1/referrals/{referral_id}", staff["manager"]).json()["timeline"]
    assert {"what": "came from message", "detail": {"message_id": message["id"]}}.items() <= timeline[-1].items() \
        or any(entry["what"] == "came from message" and entry["detail"] == {"message_id": message["id"]}
               for entry in timeline)
    assert_problem(platform.post(f"/api/v1/messages/{message['id']}/referral", staff["manager"],
                                 json={"referral_id": referral_id}), 409)


def test_a_repeat_with_the_same_idempotency_key_records_one_message(platform, staff):
    key = {**staff["advocate"], "Idempotency-Key": f"m-{uuid.uuid4()}"}
    body = {**MESSAGE, "channel": "text", "received_at": moment(hours=-1)}
    first, second = (platform.post("/api/v1/messages", key, json=body) for _ in range(2))
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]


def test_councils_and_commissioners_never_reach_messages(platform, staff):
    message_id = platform.post("/api/v1/messages", staff["advocate"],
                               json={**MESSAGE, "received_at": moment(hours=-1)}).json()["id"]
    council, commissioner = platform.key("SWANSEA"), platform.staff("commissioner", "SWANSEA")
    for caller in (council, commissioner):
        assert_problem(platform.get("/api/v1/messages", caller), 403)
        assert_problem(platform.get(f"/api/v1/messages/{message_id}", caller), 403)
        assert_problem(platform.post("/api/v1/messages", caller, json={**MESSAGE, "received_at": moment()}), 403)
        assert_problem(platform.post(f"/api/v1/messages/{message_id}/answer", caller,
                                     json={"answered_at": moment()}), 403)
