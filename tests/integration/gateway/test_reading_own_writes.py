"""A call straight after a command sees that command and what it caused in other services (shared/settling): the
services name the events each command committed, answer for the ones they consume, and the gateway waits for them
before it forwards the next call. When they cannot arrive (a worker is down) the call is a 503 with Retry-After and
is not forwarded; once the worker is back, the same call answers as if there had been no gap."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest

from shared import settling
from shared.config import Settings
from shared.contracts import new_event
from shared.store import Put
from services.platform import Embedded, service_app
from services.referral import app as referral_app
from tests.examples import example_referral
from tests.integration.gateway.conftest import Platform, assert_problem

DEADLINES = {"acknowledge_by", "allocate_by", "first_contact_by", "meeting_by"}


@pytest.fixture
def referral_api(tmp_path):
    app = referral_app.create_app(replace(Settings(), data_dir=tmp_path))
    return app, app.extensions["llais.store"]


def ack_event(referral_id: str = "r1"):
    return new_event("referral.acknowledged", {
        "referral_id": referral_id, "council": "CARDIFF", "external_ref": None, "status": "received",
        "received_at": "2026-11-23T09:00:00+00:00", "acknowledged_at": "2026-11-23T09:00:01+00:00"},
        producer="test", subject=f"referral:{referral_id}")


def test_a_command_names_the_events_it_committed(referral_api):
    app, _ = referral_api
    answer = app.test_client().post("/referrals", json={**example_referral(), "council": "CARDIFF"})
    assert answer.status_code == 201, answer.get_data(as_text=True)
    [(event_id, event_type)] = settling.parse_header(answer.headers[settling.EVENTS_HEADER])
    assert event_type == "referral.received" and event_id
    read = app.test_client().get(f"/referrals/{answer.get_json()['id']}")
    assert settling.EVENTS_HEADER not in read.headers


def test_settle_answers_once_its_own_events_are_handled_with_what_they_caused(referral_api):
    app, store = referral_api
    client = app.test_client()
    handled, caused = ack_event("r1"), ack_event("r2")
    unknown_type = ["x1", "complaint.received"]  # referral consumes no such event: nothing to wait for
    answer = client.post(settling.SETTLE_PATH, json={"events": [[handled.id, "referral.received"], unknown_type],
                                                     "wait": 0.05})
    assert answer.status_code == 503 and answer.headers["Retry-After"] == str(settling.RETRY_AFTER_SECONDS)
    store.commit(Put.new("referrals", "r1", {"n": 1}), events=[caused], handled=handled.id)
    answer = client.post(settling.SETTLE_PATH, json={"events": [[handled.id, "referral.received"], unknown_type],
                                                     "wait": 0.05})
    assert answer.status_code == 200
    assert answer.get_json()["caused"] == [[caused.id, "referral.acknowledged"]]
    assert "referral.received" in answer.get_json()["consumes"]


@pytest.mark.parametrize("body", [
    None, [], {"events": "e1"}, {"events": [["e1"]]}, {"events": [["e1", 2]]}, {"events": [["", "t"]]},
    {"events": [["e" * 101, "t"]]}, {"events": [["e1", "t"]] * (settling.MAX_EVENTS + 1)},
    {"events": [], "wait": -1}, {"events": [], "wait": 31}, {"events": [], "wait": "1"}, {"events": [], "wait": True},
])
def test_settle_refuses_what_is_not_a_list_of_events(referral_api, body):
    app, store = referral_api
    answer = app.test_client().post(settling.SETTLE_PATH, json=body)
    assert answer.status_code == 422 and answer.get_json()["errors"]
    assert store.find("referrals") == []


def test_the_header_reads_back_and_ignores_what_it_did_not_write():
    events = [("01a", "referral.received"), ("01b", "meeting.arranged")]
    assert settling.parse_header(settling.header_value(events)) == events
    assert settling.parse_header(None) == [] and settling.parse_header("junk, a b c, ,") == []


@pytest.fixture
def platform(tmp_path):
    settings = replace(Settings(), data_dir=tmp_path, bus_prefix=f"test-{uuid.uuid4().hex[:8]}", strict_queries=True,
                       settle_seconds=1)
    embedded = Embedded(settings, port=0)
    embedded.start()
    yield Platform(embedded)
    embedded.stop()


def _stop_worker(platform: Platform, name: str) -> None:
    [worker] = [w for w in platform.embedded._workers if w.service == name]
    worker.stop()
    platform.embedded._workers.remove(worker)


def _start_worker(platform: Platform, name: str) -> None:
    embedded = platform.embedded
    worker = service_app(name).create_worker(embedded.settings, store=embedded._store(name))
    worker.start()
    embedded._workers.append(worker)


def test_with_a_worker_down_the_next_call_waits_then_says_when_to_try_again(platform):
    council, manager = platform.key(), platform.staff("manager")
    _stop_worker(platform, "scheduling")  # the deadlines cannot be counted
    made = platform.post("/api/v1/referrals", council, json=example_referral())
    assert made.status_code == 201
    referral_id = made.json()["id"]
    for who in (council, manager):
        answer = platform.get(f"/api/v1/referrals/{referral_id}", who)
        problem = assert_problem(answer, 503)
        assert answer.headers["Retry-After"] == str(settling.RETRY_AFTER_SECONDS), problem
    advocate = platform.staff("advocate")
    refused = platform.post(f"/api/v1/referrals/{referral_id}/close", manager, json={"reason": "duplicate"})
    assert refused.status_code == 503  # not forwarded: the referral is still open
    _start_worker(platform, "scheduling")
    seen = platform.get(f"/api/v1/referrals/{referral_id}", council)
    assert seen.status_code == 200 and set(seen.json()["deadlines"]) == DEADLINES
    assert seen.json()["status"] == "received"
    assert platform.get(f"/api/v1/referrals/{referral_id}", advocate).status_code == 200


def test_a_new_referral_reads_with_its_deadlines_in_every_list_at_once(platform):
    council = platform.key()
    ids = [platform.post("/api/v1/referrals", council, json=example_referral()).json()["id"] for _ in range(5)]
    listed = platform.get("/api/v1/referrals", council, params={"limit": 200}).json()["items"]
    assert [r["id"] for r in listed if r["id"] in ids] == ids
    assert all(set(r["deadlines"]) == DEADLINES for r in listed if r["id"] in ids)
    [kept] = platform.gateway.store.find("in_flight", {"subject": ids[0], "settled": True})
    assert platform.gateway.in_flight(by=kept.body["by"]) == []  # seen to arrive: the next call waits for nothing


def test_what_was_set_travelling_long_ago_is_no_longer_waited_for(tmp_path):
    from datetime import timedelta

    from shared.clock import now, timestamp
    from shared.store import open_store
    from services.gateway import in_flight
    from services.gateway.store import IN_FLIGHT, INDEXES, GatewayStore

    store = open_store("gateway", replace(Settings(), data_dir=tmp_path))
    store.ensure_indexes(INDEXES, strict=True)
    gateway = GatewayStore(store)
    gateway.keep_in_flight("council-key", ["r-new"], [("e-new", "referral.received")])
    gateway.keep_in_flight("council-key", ["r-old"], [("e-old", "referral.received")])
    [old] = gateway.in_flight(subject="r-old")
    store.commit(Put.update(old, {**old.body, "at": timestamp(now() - in_flight.IN_FLIGHT_FOR - timedelta(seconds=1))}))
    assert in_flight.Sweep.run(gateway, now()) == 1
    assert [d.body["subject"] for d in gateway.in_flight(by="council-key")] == ["r-new"]
    assert in_flight.Sweep.run(gateway, now()) == 0
    assert store.get(IN_FLIGHT, old.id).body["settled"] is True
