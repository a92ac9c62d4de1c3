"""The complaints service's handlers in memory: a complaint is kept with its event and a private key kept only as
its digest; each step commits with the events that say so; the time limits scheduling counted are kept once."""

from __future__ import annotations

import pytest

from shared.contracts import new_event
from shared.councils import CouncilRegister
from services.complaints import domain, handlers
from services.complaints.commands import ChangeComplaint, ReceiveComplaint
from services.complaints.store import COMPLAINTS, ComplaintsStore
from tests.unit.fakes import FakeUnitOfWork, run

MANAGER = "manager@provider.example"
COMPLAINT = {"kind": "complaint", "made_by": "child", "about": "My advocate did not come", "language": "cy"}


def received(uow: FakeUnitOfWork, **changes) -> dict:
    return handlers.receive(ReceiveComplaint({**COMPLAINT, **changes}, "public"), uow, councils=CouncilRegister.load())


def test_a_complaint_is_kept_with_its_event_and_followed_by_its_key_alone():
    uow = FakeUnitOfWork()
    complaint = received(uow)
    assert uow.types() == ["complaint.received"]
    stored = uow.body(COMPLAINTS, complaint["id"])
    assert complaint["tracking_key"] not in str(stored), "only the key's digest is kept"
    assert handlers.followed(ComplaintsStore(uow), complaint["tracking_key"])["id"] == complaint["id"]
    with pytest.raises(handlers.NotFound):
        handlers.followed(ComplaintsStore(uow), "a-key-nobody-was-given-000")


def test_a_refused_complaint_or_an_unknown_council_writes_nothing():
    uow = FakeUnitOfWork()
    with pytest.raises(domain.ComplaintRefused):
        received(uow, about=" ")
    with pytest.raises(domain.ComplaintRefused):
        received(uow, council="NOWHERE")
    assert uow.writes == 0


def test_an_answer_to_a_complaint_not_yet_acknowledged_acknowledges_it_too():
    uow = FakeUnitOfWork()
    complaint = received(uow)
    handlers.respond(ChangeComplaint(complaint["id"], {"outcome": "upheld", "summary": "We are sorry"}, MANAGER), uow)
    assert uow.types() == ["complaint.received", "complaint.acknowledged", "complaint.responded"]
    handlers.acknowledge(ChangeComplaint(complaint["id"], {}, MANAGER), uow)
    assert len(uow.events) == 3, "acknowledged once"
    with pytest.raises(handlers.NotFound):
        handlers.close(ChangeComplaint("no-such-complaint", {}, MANAGER), uow)


def test_the_time_limits_scheduling_counted_are_kept_once():
    uow = FakeUnitOfWork()
    complaint = received(uow)
    scheduled = new_event("complaint.deadlines_scheduled", {
        "complaint_id": complaint["id"], "acknowledge_by": "2026-12-03T23:59:59+00:00",
        "respond_by": "2026-12-15T23:59:59+00:00"}, producer="scheduling", subject=f"complaint:{complaint['id']}")
    run(handlers.record_deadlines, scheduled, uow.handling_of(scheduled))
    writes = uow.writes
    uow.handled.clear()
    run(handlers.record_deadlines, scheduled, uow.handling_of(scheduled))
    assert uow.body(COMPLAINTS, complaint["id"])["deadlines"]["respond_by"] == "2026-12-15T23:59:59+00:00"
    assert uow.writes == writes + 1, "the second changes nothing but its inbox entry"
