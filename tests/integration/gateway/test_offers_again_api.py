"""Opt-out reasons as codes, and offers made again at the key points of a child's care, through the API: a council
tells of a review, a placement move or leaving-care planning; a child who opted out, declined or was reflecting is
offered again, the manager marks it done, and the report counts it all."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.gateway.conftest import assert_problem
from tests.integration.gateway.test_meetings_api import (allocated_referral, arrange, soon, team,  # noqa: F401
                                                         wait_until_started)
from tests.integration.gateway.test_reports_api import this_quarter

OFFERED = "2026-11-20T10:00:00+00:00"


def yesterday() -> str:
    return (date.today() - timedelta(days=1)).isoformat()


def opt_out(platform, council, **changes) -> dict:
    body = {"basis": "looked_after", "date_of_birth": "2012-03-04", "offered_at": OFFERED,
            "reason_code": "not_the_right_time", "external_ref": f"MOSAIC-{uuid.uuid4().hex[:6]}", **changes}
    answer = platform.post("/api/v1/opt-outs", {**council, "Idempotency-Key": str(uuid.uuid4())},
                           json={k: v for k, v in body.items() if v is not None})
    assert answer.status_code == 201, answer.text
    return answer.json()


def tell(platform, council, **body):
    return platform.post("/api/v1/transitions", {**council, "Idempotency-Key": str(uuid.uuid4())},
                         json={"kind": "looked_after_review", "happened_on": date.today().isoformat(), **body})


def test_an_opt_outs_reason_is_a_code_and_its_note_stays_with_the_provider(platform):
    council = platform.key("CARDIFF")
    recorded = opt_out(platform, council, reason_code="has_an_advocate", reason_note="Sees the school's advocate")
    assert (recorded["reason_code"], recorded["reason_note"]) == ("has_an_advocate", "Sees the school's advocate")
    old_style = opt_out(platform, council, reason_code=None, reason="Does not want one now")
    assert (old_style["reason_code"], old_style["reason_note"]) == ("other", "Does not want one now")
    kept = platform.store("referral").get("opt_outs", recorded["id"]).body
    assert kept["reason_note"] == "Sees the school's advocate"


@pytest.mark.parametrize("changes, field", [
    ({"reason_code": "other", "reason": "Her words"}, "reason"),
    ({"reason_code": "bored"}, "reason_code"),
    ({"reason_code": "other", "reason_note": "x" * 1001}, "reason_note"),
    ({"reason_code": 3}, "reason_code"),
])
def test_a_bad_opt_out_reason_is_refused_and_nothing_stored(platform, changes, field):
    body = {"basis": "looked_after", "date_of_birth": "2012-03-04", "offered_at": OFFERED, **changes}
    before = len(platform.store("referral").find("opt_outs", limit=1000))
    assert_problem(platform.post("/api/v1/opt-outs", platform.key("CARDIFF"), json=body), 422, field)
    assert len(platform.store("referral").find("opt_outs", limit=1000)) == before


def test_a_child_who_opted_out_is_offered_again_and_the_manager_marks_it_done(platform):
    council, manager = platform.key("CARDIFF"), platform.staff("manager")
    earlier = opt_out(platform, council)
    told = tell(platform, council, optout_id=earlier["id"], kind="placement_move")
    assert told.status_code == 201, told.text
    transition = told.json()
    assert transition["offered_again"] is True and "earlier_optout_ids" not in transition
    assert platform.get(f"/api/v1/transitions/{transition['id']}", council).json() == transition

    to_do = platform.get("/api/v1/transitions?renewed_offer=to_do&limit=200", manager).json()["items"]
    mine = next(t for t in to_do if t["id"] == transition["id"])
    assert mine["earlier_optout_ids"] == [earlier["id"]] and mine["renewed_offer"]["status"] == "to_do"
    assert_problem(platform.post(f"/api/v1/transitions/{transition['id']}/renewed-offer", council,
                                 json={"result": "referred_again"}), 403)
    assert_problem(platform.post(f"/api/v1/transitions/{transition['id']}/renewed-offer", manager,
                                 json={"result": "moved_away"}), 422, "result")
    done = platform.post(f"/api/v1/transitions/{transition['id']}/renewed-offer", manager,
                         json={"result": "opted_out_again"})
    assert done.status_code == 200 and done.json()["renewed_offer"]["result"] == "opted_out_again"
    assert_problem(platform.post(f"/api/v1/transitions/{transition['id']}/renewed-offer", manager,
                                 json={"result": "referred_again"}), 409)
    assert transition["id"] not in {t["id"] for t in platform.get(
        "/api/v1/transitions?renewed_offer=to_do&limit=200", manager).json()["items"]}


def test_a_child_named_by_the_councils_own_reference_with_an_open_referral_is_not_offered_again(platform):
    council = platform.key("CARDIFF")
    ref = f"MOSAIC-{uuid.uuid4().hex[:6]}"
    opt_out(platform, council, external_ref=ref)
    child = {**example_referral()["child"], "given_name": f"Gwen{uuid.uuid4().hex[:4]}"}
    referral = platform.post("/api/v1/referrals", council,
                             json={**example_referral(), "child": child, "external_ref": ref}).json()
    told = tell(platform, council, external_ref=ref, kind="leaving_care_planning")
    assert told.status_code == 201, told.text
    assert (told.json()["offered_again"], told.json()["not_offered_because"]) == (False, "open_referral")
    by_referral = tell(platform, council, referral_id=referral["id"]).json()
    assert by_referral["offered_again"] is False


def test_a_child_who_declined_at_the_meeting_is_offered_again(platform, team):  # noqa: F811
    referral_id = allocated_referral(platform, team)
    meeting = arrange(platform, team, referral_id, starts_at=soon(2.0)).json()
    wait_until_started(meeting)
    assert platform.post(f"/api/v1/meetings/{meeting['id']}/record", team["advocate"],
                         json={"took_place": True, "outcome": "declined", "decline_reason": "No need now",
                               "contact_details_given": True}).status_code == 200
    wait_for(lambda: platform.get(f"/api/v1/referrals/{referral_id}", team["council"]).json()["status"] == "closed",
             what="the Active Offer to close")
    told = tell(platform, team["council"], referral_id=referral_id)
    assert told.status_code == 201 and told.json()["offered_again"] is True


@pytest.mark.parametrize("changes, field", [
    ({"kind": "birthday"}, "kind"),
    ({"happened_on": (date.today() + timedelta(days=1)).isoformat()}, "happened_on"),
    ({"happened_on": "2026-11-19"}, "happened_on"),  # the day before the opt-out it names
    ({"happened_on": "2026-11-1"}, "happened_on"),
    ({"external_ref": "MOSAIC-1"}, None),  # two references
    ({"optout_id": None}, "referral_id"),  # none
    ({"surprise": 1}, "surprise"),
])
def test_a_bad_transition_is_refused_and_nothing_stored(platform, changes, field):
    council = platform.key("CARDIFF")
    earlier = opt_out(platform, council)
    body = {"kind": "looked_after_review", "happened_on": yesterday(), "optout_id": earlier["id"], **changes}
    body = {k: v for k, v in body.items() if v is not None}
    before = len(platform.store("referral").find("transitions", limit=10_000))
    answer = platform.post("/api/v1/transitions", council, json=body)
    problem = assert_problem(answer, 422, *([field] if field else []))
    assert problem["errors"]
    assert len(platform.store("referral").find("transitions", limit=10_000)) == before


def test_another_councils_child_is_as_if_absent(platform):
    cardiff, newport = platform.key("CARDIFF"), platform.key("NEWPORT")
    earlier = opt_out(platform, cardiff)
    assert_problem(tell(platform, newport, optout_id=earlier["id"]), 404)
    assert_problem(tell(platform, newport, external_ref=earlier["external_ref"]), 404)
    transition = tell(platform, cardiff, optout_id=earlier["id"]).json()
    assert_problem(platform.get(f"/api/v1/transitions/{transition['id']}", newport), 404)
    assert transition["id"] not in {t["id"] for t in platform.get("/api/v1/transitions?limit=200", newport).json()[
        "items"]}


def test_the_report_counts_opt_outs_by_code_and_the_offers_made_again(platform):
    council, manager = platform.key("CONWY"), platform.staff("manager")
    first = opt_out(platform, council, reason_code="has_an_advocate")
    opt_out(platform, council, reason_code=None, reason="Her own words")
    opt_out(platform, council, reason_code=None)
    transition = tell(platform, council, optout_id=first["id"], kind="placement_move").json()
    platform.post(f"/api/v1/transitions/{transition['id']}/renewed-offer", manager, json={"result": "referred_again"})

    def report():
        figures = platform.get(f"/api/v1/reports/quarterly?{this_quarter()}&council=CONWY", manager).json()
        return figures if figures["offers_again"]["renewed_offers_done"] == 1 else None

    figures = wait_for(report, what="reporting to count the renewed offer")
    assert figures["active_offer"]["opt_out_reasons"] == {
        "has_an_advocate": 1, "support_elsewhere": 0, "speaks_for_themselves": 0, "not_the_right_time": 0,
        "did_not_say": 0, "other": 1, "not_recorded": 1}
    assert figures["offers_again"]["transitions_by_kind"] == {"looked_after_review": 0, "placement_move": 1,
                                                              "leaving_care_planning": 0}
    assert figures["offers_again"]["renewed_offers_made"] == 1
    assert figures["offers_again"]["renewed_offer_results"]["referred_again"] == 1
