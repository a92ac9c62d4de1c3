"""A take-up's follow-on referral end to end, every service in one process on the real RabbitMQ: it starts allocated
to the advocate who met the child, carries what the child said they want help with, has issue-based work's
deadlines and no Active Offer steps, and closes when its case closes; a closure told twice closes it once."""

from __future__ import annotations

import json
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kombu import Connection, Exchange, Queue

from shared.bus.publisher import ConfirmingPublisher, Outgoing
from tests.e2e.test_casework_and_complaints import VENUE, Team, take_up, team  # noqa: F401 (team: the platform)
from tests.integration.bus.support import wait_for

pytestmark = pytest.mark.broker
WORDS = "I want to see my brother more often"


class Tap:
    """A queue of the test's own on the platform's exchange: what was said, as the services heard it."""

    def __init__(self, team: Team, *event_types: str):
        self.settings = team.settings
        self.connection = Connection(self.settings.bus_url, connect_timeout=5)
        self.queue = Queue(f"{self.settings.bus_prefix}.tap", exchange=Exchange(self.settings.exchange, "topic"),
                           bindings=None, auto_delete=True)
        channel = self.connection.channel()
        self.queue = self.queue.bind(channel)
        self.queue.declare()
        for event_type in event_types:
            self.queue.bind_to(exchange=self.settings.exchange, routing_key=event_type)
        self.heard: list = []

    def take(self) -> list:
        while (message := self.queue.get(no_ack=True)) is not None:
            self.heard.append(message)
        return self.heard

    def about(self, event_type: str, referral_id: str) -> list:
        return [m for m in self.take() if json.loads(m.body)["type"] == event_type
                and json.loads(m.body)["data"]["referral_id"] == referral_id]

    def depth(self, queue: str) -> int:
        """Messages waiting or being handled on a service's queue."""
        declared = self.connection.channel().queue_declare(queue, passive=True)
        return declared.message_count

    def close(self) -> None:
        self.queue.delete()
        self.connection.close()


def test_the_follow_on_is_the_meeting_advocates_with_the_childs_words_and_closes_with_its_case_once(team):
    tap = Tap(team, "case.closed", "referral.closed")
    try:
        follow_on = take_up(team, wants_help_with=WORDS)
        referral = team.get(f"/api/v1/referrals/{follow_on}", team.advocate)
        assert referral.status_code == 200, "read at once, by the advocate it is allocated to"
        body = referral.json()
        assert (body["kind"], body["status"], body["advocate_email"]) == (
            "issue_based", "allocated", team.emails["advocate"]), "not back to waiting to be allocated"
        assert body["summary"] == WORDS and body["follow_on_of"]
        assert not {"arrange_meeting", "reschedule_meeting", "record_meeting"} & set(body["next_actions"])

        deadlines = wait_for(lambda: team.get(f"/api/v1/referrals/{follow_on}", team.manager).json()["deadlines"],
                             what="the follow-on's deadlines")
        assert set(deadlines) == {"acknowledge_by", "allocate_by", "first_contact_by"}, "no Active Offer meeting"
        refused = team.post(f"/api/v1/referrals/{follow_on}/meetings", team.advocate, {
            "starts_at": (datetime.now(timezone.utc) + timedelta(days=1)).isoformat(), "duration_minutes": 60,
            "venue": VENUE})
        assert refused.status_code == 409 and refused.json()["code"] == "meeting.issue_based", refused.text

        opened = wait_for(lambda: (lambda a: a if a.status_code == 201 else None)(team.post(
            "/api/v1/cases", team.advocate, {"referral_id": follow_on, "consents_to_case_file": True})),
            what="casework to hear of the follow-on, allocated already").json()
        closed = team.post(f"/api/v1/cases/{opened['id']}/close", team.advocate,
                           {"outcome": "issues_resolved", "satisfaction": 4})
        assert closed.status_code == 200, closed.text

        wait_for(lambda: team.get(f"/api/v1/referrals/{follow_on}", team.manager).json()["status"] == "closed",
                 what="the follow-on to close with its case")
        after = team.get(f"/api/v1/referrals/{follow_on}", team.manager).json()
        assert after["close_reason"] == "completed" and after["timeline"][-1]["what"] == "closed"
        (closure,) = wait_for(lambda: tap.about("case.closed", follow_on), what="the case's closure on the bus")
        assert len(wait_for(lambda: tap.about("referral.closed", follow_on), what="the referral's closure")) == 1

        told = json.loads(closure.body)
        told_anew = {**told, "id": str(uuid.uuid4())}  # the same closure said again, as a new event
        ConfirmingPublisher(team.settings).publish([
            Outgoing(json.dumps(envelope).encode(), "case.closed", team.settings.exchange, envelope["id"],
                     "case.closed", dict(closure.headers)) for envelope in (told, told_anew)])
        wait_for(lambda: tap.depth(f"{team.settings.bus_prefix}.referral") == 0, what="the referral queue to drain")
        time.sleep(1)
        again = team.get(f"/api/v1/referrals/{follow_on}", team.manager).json()
        assert again["timeline"] == after["timeline"] and again["updated_at"] == after["updated_at"]
        assert len(tap.about("referral.closed", follow_on)) == 1, "the redelivered closure is said once"
    finally:
        tap.close()
