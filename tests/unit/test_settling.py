"""The gateway's side of settling (shared/settling.Settler), against services that answer as the real ones do:
it follows what each handling caused to the services that consume that, asks only those, in chunks, and gives up
within its bound when one has not handled them."""

from __future__ import annotations

import pytest

from shared import settling


class Answer:
    def __init__(self, status: int, body: dict):
        self.status_code, self._body = status, body

    def json(self) -> dict:
        return self._body


class Service:
    """Consumes `consumes`; handling event id X caused `causes[X]`; events in `stuck` are never handled."""

    def __init__(self, consumes: set[str], causes: dict[str, list[tuple[str, str]]] | None = None,
                 stuck: set[str] = frozenset()):
        self.consumes, self.causes, self.stuck = consumes, causes or {}, stuck
        self.asked: list[list[tuple[str, str]]] = []

    def request(self, method: str, path: str, *, json: dict) -> Answer:
        assert (method, path) == ("POST", settling.SETTLE_PATH)
        events = [tuple(e) for e in json["events"]]
        assert len(events) <= settling.MAX_EVENTS
        self.asked.append(events)
        mine = [e for e in events if e[1] in self.consumes]
        if any(e[0] in self.stuck for e in mine):
            return Answer(503, {"detail": "not yet"})
        return Answer(200, {"consumes": sorted(self.consumes),
                            "caused": [list(c) for e in mine for c in self.causes.get(e[0], [])]})


def test_it_follows_each_consequence_to_the_services_that_consume_it():
    received, deadlines, acknowledged = ("e1", "referral.received"), ("e2", "deadlines.scheduled"), \
        ("e3", "referral.acknowledged")
    referral = Service({"referral.received", "deadlines.scheduled"}, {"e1": [acknowledged]})
    scheduling = Service({"referral.received", "referral.acknowledged"}, {"e1": [deadlines]})
    complaints = Service({"complaint.received"})
    settler = settling.Settler({"referral": referral, "scheduling": scheduling, "complaints": complaints}, 1)
    settler.settle([received])
    assert {e for asked in referral.asked for e in asked} == {received, deadlines}  # not what it does not consume
    assert acknowledged in [e for asked in scheduling.asked for e in asked]
    complaints.asked.clear()
    settler.settle([received])  # it has learnt what each consumes: complaints is not asked again
    assert complaints.asked == []


def test_many_events_go_in_chunks_a_service_accepts():
    many = [(f"e{n}", "referral.received") for n in range(settling.MAX_EVENTS * 2 + 3)]
    referral = Service({"referral.received"})
    settling.Settler({"referral": referral}, 1).settle(many)
    assert [len(asked) for asked in referral.asked] == [settling.MAX_EVENTS, settling.MAX_EVENTS, 3]


def test_an_event_a_service_has_not_handled_is_unsettled():
    scheduling = Service({"referral.received"}, stuck={"e1"})
    with pytest.raises(settling.Unsettled):
        settling.Settler({"scheduling": scheduling}, 1).settle([("e1", "referral.received")])


def test_a_chain_that_never_ends_is_unsettled_after_a_bounded_number_of_steps():
    endless = {f"e{n}": [(f"e{n + 1}", "loop.step")] for n in range(100)}
    loop = Service({"loop.step"}, endless)
    with pytest.raises(settling.Unsettled):
        settling.Settler({"loop": loop}, 1).settle([("e0", "loop.step")])
    assert len(loop.asked) == settling.MAX_ROUNDS
