"""The Active Offer meeting's record on the web forms: the advocate records, in English or Welsh, why a meeting was
not held or what one held covered, what was left and why a child declined, from the coded lists; the staff page says
them in words; a social worker whose child agreed to share the outcome sees the advocate who met the child, by name,
and the support they go on to, and one whose child did not sees neither."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from services.gateway import handlers
from tests.integration.bus.support import wait_for
from tests.integration.gateway.test_council_view import made_by
from tests.integration.gateway.test_manager_day import (VENUE, allocated, api, bearer, referred, section, text_of,
                                                        welsh)
from tests.integration.gateway.test_web_forms import PASSWORD, errors_on, running_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "meeting-record", strict_queries=True)


@pytest.fixture(scope="module")
def staff(site):
    advocate = "nia-advocate@example.org"
    handlers.create_user(site.gateway, site.councils, advocate, "advocate", None, PASSWORD, name="Nia Jones")
    return {"manager": site.user("manager"), "advocate": advocate}


def started_meeting(site, staff, referral_id: str) -> None:
    """The referral allocated, its meeting arranged to start in two seconds, and started."""
    allocated(site, staff["manager"], staff["advocate"], referral_id)
    starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    meeting = api(site, "POST", f"/referrals/{referral_id}/meetings", bearer(site, staff["advocate"]), json={
        "starts_at": starts.isoformat(), "duration_minutes": 60, "venue": VENUE, "late_reason": "soon"})
    assert meeting.status_code == 201, meeting.text
    time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds()) + 0.1)
    wait_for(lambda: site.signed_in(staff["advocate"]).get(f"/referrals/{referral_id}/record").status_code == 200,
             what="the referral to know its meeting")


def test_a_meeting_held_is_recorded_in_welsh_from_the_lists_and_shown_in_words(site, staff):
    social_worker = site.user("referrer", "CARDIFF")
    body = made_by(social_worker, "Gwen", "Morgan")
    body["consent"] = {**body["consent"], "share_outcome_with_referrer": True}
    referral_id = referred(site, body)
    started_meeting(site, staff, referral_id)
    advocate = welsh(site.signed_in(staff["advocate"]))
    form = advocate.get(f"/referrals/{referral_id}/record").text
    assert "Meic a Chomisiynydd Plant Cymru" in form and 'type="checkbox"' in form
    refused = advocate.submit(f"/referrals/{referral_id}/record", {"took_place": "yes", "outcome": "declined"})
    assert errors_on(refused) == ["Dewiswch beth oedd yn cael ei drafod yn y cyfarfod",
                                  "Rhowch fanylion cyswllt y gwasanaeth i'r plentyn, yna dywedwch eu bod wedi'u rhoi",
                                  "Dewiswch pam wnaeth y plentyn wrthod"]
    recorded = advocate.submit(f"/referrals/{referral_id}/record", {
        "took_place": "yes", "outcome": "declined", "topics_covered": ["advocate_role", "meic_and_commissioner"],
        "left_with_child": ["contact_card"], "contact_details_given": "yes",
        "decline_reason_code": "speaks_for_themselves", "decline_reason_note": "Mae hi'n hyderus"})
    assert recorded.status_code == 302, errors_on(recorded)
    page = wait_for(lambda: (answer := advocate.get(f"/referrals/{referral_id}").text) and
                    "Mae hi'n hyderus" in text_of(answer) and answer, what="the record on the staff page")
    said = section(page, "Cyfarfod y Cynnig Rhagweithiol")
    for words in ("Rôl yr eiriolwr", "Meic a Chomisiynydd Plant Cymru", "Cerdyn gyda manylion cyswllt y gwasanaeth",
                  "Eisiau siarad drosto'i hun"):
        assert words in said, words
    seen = site.signed_in(social_worker)
    shown = wait_for(lambda: (answer := text_of(seen.get(f"/referrals/{referral_id}"))) and
                     "Nia Jones" in answer and answer, what="the outcome on the social worker's page")
    assert "None for now: the service's contact details were given" in shown
    assert "hyderus" not in shown and "Wants to speak for themselves" not in shown, "the reason stays with us"


def test_without_consent_the_social_worker_sees_neither_the_advocate_nor_the_support(site, staff):
    social_worker = site.user("referrer", "CARDIFF")
    body = made_by(social_worker, "Huw", "Morgan", arrangements=False)
    body["consent"] = {**body["consent"], "share_outcome_with_referrer": False}
    referral_id = referred(site, body)
    started_meeting(site, staff, referral_id)
    advocate = site.signed_in(staff["advocate"])
    recorded = advocate.submit(f"/referrals/{referral_id}/record", {
        "took_place": "yes", "outcome": "other_support", "topics_covered": ["other_support"],
        "other_support_type": "peer"})
    assert recorded.status_code == 302, errors_on(recorded)
    wait_for(lambda: "Peer support" in advocate.get(f"/referrals/{referral_id}").text, what="the record")
    shown = text_of(site.signed_in(social_worker).get(f"/referrals/{referral_id}"))
    assert "Huw Morgan" in shown and "Nia Jones" not in shown and "Peer support" not in shown
    assert "Support the child goes on to" not in shown


def test_a_meeting_not_held_is_recorded_with_its_code_and_a_note_kept_by_the_service(site, staff):
    referral_id = referred(site, made_by(site.user("referrer", "CARDIFF"), "Ifan", "Morgan"))
    started_meeting(site, staff, referral_id)
    advocate = site.signed_in(staff["advocate"])
    assert errors_on(advocate.submit(f"/referrals/{referral_id}/record", {"took_place": "no"})) == [
        "Choose why the meeting did not take place"]
    recorded = advocate.submit(f"/referrals/{referral_id}/record", {
        "took_place": "no", "reason_not_held_code": "placement_moved", "reason_not_held_note": "Moved to Wrexham"})
    assert recorded.status_code == 302, errors_on(recorded)
    page = wait_for(lambda: (answer := text_of(advocate.get(f"/referrals/{referral_id}"))) and
                    "Moved to Wrexham" in answer and answer, what="the record on the staff page")
    assert "The child's placement moved" in page
