"""Counting children, not referrals (one child however many referrals they had in the period), and capacity at a
period's end: the backlog and the median caseload, from the facts as the worker hands them to reporting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from shared.clock import LONDON
from shared.contracts import new_event

from services.reporting import domain, handlers
from services.reporting.store import CASES, FACTS, JOURNEYS
from tests.unit.fakes import FakeUnitOfWork, run

CONSENT = {"child_informed": True, "child_agrees": True, "share_arrangements_with_referrer": True,
           "share_outcome_with_referrer": True}
QUARTER = domain.Period(2026, 3)  # October to December 2026
AMY, BEN = "amy@provider.example", "ben@provider.example"


def received(referral_id: str, at: str = "2026-10-05T09:00:00+00:00", earlier: tuple[str, ...] = (), **recorded):
    return new_event("referral.received", {
        "referral_id": referral_id, "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
        "kind": recorded.pop("kind", "active_offer"), "basis": recorded.pop("basis", "looked_after"),
        "external_ref": None, "received_at": at, "statutory_meeting_at": None,
        "preferred_language": recorded.pop("preferred_language", "en"), "consent": CONSENT,
        "source": recorded.pop("source", "social_worker"), "earlier_referral_ids": list(earlier), **recorded},
        producer="referral", subject=f"referral:{referral_id}", version=2)


def allocated(referral_id: str, advocate: str, at: str):
    return new_event("referral.allocated", {"referral_id": referral_id, "council": "CARDIFF",
                                            "advocate_email": advocate, "allocated_at": at},
                     producer="referral", subject=f"referral:{referral_id}")


def closed(referral_id: str, at: str):
    return new_event("referral.closed", {"referral_id": referral_id, "council": "CARDIFF", "reason": "withdrawn",
                                         "consent": CONSENT, "closed_at": at},
                     producer="referral", subject=f"referral:{referral_id}")


def case(kind: str, case_id: str, at: str, **data):
    moment = {"case.opened": "opened_at", "case.closed": "closed_at"}.get(kind)
    body = {"case_id": case_id, "referral_id": f"ref-{case_id}", "council": "CARDIFF", "region": "cardiff-vale",
            **({moment: at} if moment else {}), **data}
    if kind == "case.opened":
        body = {"source": "active_offer", "basis": "looked_after", "language": "en", **body}
    if kind == "case.closed":
        body = {"outcome": "issues_resolved", "satisfaction": None, **body}
    return replace(new_event(kind, body, producer="casework", subject=f"case:{case_id}"), occurred_at=at)


def kept(*events) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    for event in events:
        run(handlers.record, event, uow.handling_of(event))
    return uow


def of(uow: FakeUnitOfWork, collection: str) -> list[dict]:
    return [d.body for (name, _), d in uow.documents.items() if name == collection]


def figures(*events) -> dict:
    uow = kept(*events)
    return domain.template(of(uow, FACTS), of(uow, JOURNEYS), QUARTER)


def test_a_child_referred_twice_and_their_take_ups_follow_on_are_one_child():
    counted = figures(
        received("r1", gender="boy", preferred_language="cy", placed_out_of_county=True),
        received("r2", at="2026-11-02T09:00:00+00:00", earlier=("r1",), gender="boy", preferred_language="cy"),
        received("r3", at="2026-11-20T09:00:00+00:00", earlier=("r1", "r2"), kind="issue_based",
                 source="active_offer", gender="boy", preferred_language="cy"),
        received("r4", gender="girl"),
    )
    assert counted["referrals"]["received"] == 3 + 1, "referrals are still counted as referrals"
    assert counted["referrals"]["children"] == 2
    assert counted["equality"]["gender"]["boy"] == 1, "a boy who took up the offer is one boy, not three"
    assert counted["equality"]["gender"]["girl"] == 1
    assert sum(counted["equality"]["gender"].values()) == 2, "each breakdown adds up to the children referred"
    assert counted["language"]["welsh_asked_for"] == 1
    assert counted["headline_groups"]["placed_out_of_county"] == 1


def test_each_referral_of_a_chain_names_the_same_child():
    assert domain.child_of("r3", ["r1", "r2"]) == domain.child_of("r2", ["r1"]) == domain.child_of("r1") == "r1"
    assert domain.child_of("r9") == "r9", "a first referral is its own child's key"


def test_a_childs_answers_are_the_latest_recorded_and_a_care_leaver_once_any_referral_says_so():
    counted = figures(
        received("r1", gender="declined", disability="yes", basis="care_leaver", kind="issue_based"),
        received("r2", at="2026-11-02T09:00:00+00:00", earlier=("r1",), gender="non_binary"),
    )
    assert counted["equality"]["gender"]["non_binary"] == 1 and counted["equality"]["gender"]["declined"] == 0
    assert counted["equality"]["disability"]["yes"] == 1, "a later referral that does not say keeps the earlier answer"
    assert counted["headline_groups"]["care_leavers"] == 1


def test_reporting_keeps_an_advocates_key_never_their_address():
    uow = kept(received("r1"), allocated("r1", AMY, "2026-10-06T09:00:00+00:00"))
    assert AMY not in str(uow.documents) and "amy" not in str(of(uow, FACTS))
    assert of(uow, JOURNEYS)[0]["allocations"] == [["2026-10-06T09:00:00+00:00", domain.advocate_key(AMY)]]
    assert domain.advocate_key(AMY) == domain.advocate_key(" Amy@Provider.example") != domain.advocate_key(BEN)


def capacity(uow: FakeUnitOfWork, last_day: date = QUARTER.last_day) -> dict:
    return domain.capacity(of(uow, JOURNEYS), of(uow, CASES), domain.end_of(last_day))


def test_the_backlog_is_what_was_received_and_neither_allocated_nor_closed_by_the_last_day():
    uow = kept(
        received("r1", at="2026-12-20T09:00:00+00:00"),  # waiting 11 days at 31 December
        received("r2", at="2026-12-28T09:00:00+00:00"),  # waiting 3 days
        received("r3", at="2026-12-01T09:00:00+00:00"), allocated("r3", AMY, "2027-01-04T09:00:00+00:00"),
        received("r4", at="2026-12-01T09:00:00+00:00"), allocated("r4", AMY, "2026-12-02T09:00:00+00:00"),
        received("r5", at="2026-11-01T09:00:00+00:00"), closed("r5", "2026-11-03T09:00:00+00:00"),
        received("r6", at="2027-01-02T09:00:00+00:00"),  # after the quarter
    )
    figures_ = capacity(uow)
    assert figures_["backlog"] == 3, "r1, r2, and r3 allocated only after the quarter's end"
    assert figures_["backlog_oldest_days"] == 30, "r3, received on 1 December"
    assert capacity(uow, date(2026, 11, 30))["backlog"] == 0, "nothing received in November was left waiting"
    so_far = domain.capacity(of(uow, JOURNEYS), of(uow, CASES), datetime(2026, 12, 29, 12, tzinfo=LONDON))
    assert (so_far["backlog"], so_far["backlog_oldest_days"]) == (3, 28), "a quarter not yet over: waited until now"


def test_the_median_caseload_counts_open_referrals_and_cases_by_whose_they_were_at_the_end():
    uow = kept(
        received("r1"), allocated("r1", AMY, "2026-10-06T09:00:00+00:00"),
        received("r2"), allocated("r2", AMY, "2026-10-06T09:00:00+00:00"),
        allocated("r2", BEN, "2026-10-07T09:00:00+00:00"),  # re-allocated: Ben's
        received("r3"), allocated("r3", BEN, "2026-10-06T09:00:00+00:00"), closed("r3", "2026-10-20T09:00:00+00:00"),
        case("case.opened", "c1", "2026-10-10T09:00:00+00:00", advocate_email=AMY),
        case("case.opened", "c2", "2026-10-10T09:00:00+00:00", advocate_email=AMY),
        case("case.advocate_change_decided", "c2", "2026-10-11T09:00:00+00:00", request_id="q1", result="granted",
             advocate_email="cai@provider.example"),
        case("case.opened", "c3", "2026-10-10T09:00:00+00:00", advocate_email=AMY),
        case("case.closed", "c3", "2026-10-12T09:00:00+00:00"),
    )
    figures_ = capacity(uow)
    # Amy: r1 and c1 (2); Ben: r2 (1); Cai: c2 (1)
    assert figures_["advocates_with_open_work"] == 3
    assert figures_["median_caseload"] == 1
    earlier = capacity(uow, date(2026, 10, 10))  # Amy: r1, c1, c2, c3 (4); Ben: r2, r3 (2)
    assert (earlier["advocates_with_open_work"], earlier["median_caseload"]) == (2, 3)
