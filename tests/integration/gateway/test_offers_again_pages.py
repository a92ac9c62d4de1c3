"""Opt-outs and offers made again on the web forms: a social worker whose child does not agree is led from /refer to
record the opt-out, with their answers carried over; each /refer question page checks the child's age where it is
asked; a review told of brings a renewed offer the manager sees on their home and marks done."""

from __future__ import annotations

from datetime import date

from tests.integration.gateway.test_web_forms import errors_on, site  # noqa: F401

THIS_YEAR = date.today().year
CHILD = {"given_name": "Cerys", "family_name": "Jones", "preferred_language": "cy", "interpreter_needed": "no"}


def born(years_ago: int) -> list[str]:
    return ["2", "5", str(THIS_YEAR - years_ago)]


def test_the_childs_age_is_checked_on_the_page_that_asks_it(site):  # noqa: F811
    social_worker = site.signed_in(site.user("referrer", "CARDIFF"))
    too_old = social_worker.submit("/refer/child", {**CHILD, "date_of_birth": born(30)}, follow=True)
    assert too_old.status_code == 200 and any("25" in error for error in errors_on(too_old))
    assert social_worker.submit("/refer/child", {**CHILD, "date_of_birth": born(20)}).status_code == 302
    assert social_worker.submit("/refer/contact", {"phone": "07700 900123"}).status_code == 302
    not_a_care_leaver = social_worker.submit("/refer/about", {"kind": "issue_based", "basis": "looked_after"},
                                             follow=True)
    assert not_a_care_leaver.status_code == 200 and any("18" in error for error in errors_on(not_a_care_leaver))
    assert social_worker.submit("/refer/about", {"kind": "issue_based", "basis": "care_leaver"}).status_code == 302


def test_a_child_who_does_not_agree_leads_to_the_opt_out_with_the_answers_carried_over(site):  # noqa: F811
    social_worker = site.signed_in(site.user("referrer", "CARDIFF"))
    for slug, answers in {"child": {**CHILD, "date_of_birth": born(12)}, "contact": {"phone": "07700 900123"},
                          "about": {"kind": "active_offer", "basis": "child_protection", "external_ref": "WCCIS-42"},
                          "equality": {}}.items():
        assert social_worker.submit(f"/refer/{slug}", answers).status_code == 302, slug
    led = social_worker.submit("/refer/consent", {"child_informed": "yes", "child_agrees": "no",
                                                  "share_arrangements_with_referrer": "no",
                                                  "share_outcome_with_referrer": "no"})
    assert led.status_code == 302 and led.headers["Location"] == "/opt-outs/new?from=refer"
    page = social_worker.get("/opt-outs/new?from=refer")
    assert 'value="WCCIS-42"' in page.text and f'value="{THIS_YEAR - 12}"' in page.text
    before = site.count("referral", "opt_outs")
    refused = social_worker.submit("/opt-outs/new?from=refer", {
        "basis": "child_protection", "date_of_birth": born(12), "offered_on": ["1", "12", str(THIS_YEAR)],
        "external_ref": "WCCIS-42", "reason_note": "x" * 1001})
    assert refused.status_code == 200 and len(errors_on(refused)) == 2, errors_on(refused)  # no reason, long note
    assert site.count("referral", "opt_outs") == before
    recorded = social_worker.submit("/opt-outs/new?from=refer", {
        "basis": "child_protection", "date_of_birth": born(12), "offered_on": ["1", "12", str(THIS_YEAR)],
        "external_ref": "WCCIS-42", "reason_code": "speaks_for_themselves", "reason_note": "Wants to go alone"})
    assert recorded.status_code == 302, errors_on(recorded)
    assert site.count("referral", "opt_outs") == before + 1
    assert social_worker.get("/refer/check").headers["Location"] == "/refer/child", "the referral's answers are gone"

    told = social_worker.submit("/transitions/new", {"kind": "looked_after_review",
                                                     "happened_on": ["2", "12", str(THIS_YEAR)],
                                                     "reference_kind": "external_ref", "reference": "WCCIS-42"})
    assert told.status_code == 302, errors_on(told)
    assert "offered advocacy again" in social_worker.get(told.headers["Location"]).text

    manager = site.signed_in(site.user("manager"))
    assert "to offer advocacy again" in manager.get("/").text
    listed = manager.get("/offers-again")
    assert "A looked-after review" in listed.text
    transition_id = told.headers["Location"].rsplit("/", 1)[1]
    done = manager.submit(f"/offers-again/{transition_id}", {"result": "referred_again"})
    assert done.status_code == 302
    assert transition_id not in manager.get("/offers-again").text


def test_a_reference_of_another_council_is_as_if_absent(site):  # noqa: F811
    social_worker = site.signed_in(site.user("referrer", "NEWPORT"))
    refused = social_worker.submit("/transitions/new", {"kind": "placement_move",
                                                        "happened_on": ["2", "12", str(THIS_YEAR)],
                                                        "reference_kind": "external_ref", "reference": "WCCIS-42"})
    assert refused.status_code == 200 and errors_on(refused)
