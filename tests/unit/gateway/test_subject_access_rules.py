"""The pure parts of a subject access export: where a redaction mark points, what the released records hold, the
same mark known by the same key however often the export is gathered, and the audit log read between two moments
through its ids."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import pytest

from shared import subject_access as parts, words
from shared.clock import least_id_at, new_id
from shared.councils import CouncilRegister
from services.casework import domain as casework
from services.complaints import domain as complaints
from services.gateway import subject_access
from services.gateway.web.pages import PUBLIC
from services.referral import domain as referral_rules, handlers as referral_handlers, messages
from services.scheduling import domain as scheduling
from tests.examples import example_referral


def a_case() -> dict:
    return {"id": "c1", "activities": [{"note": "rang the school"}, {"note": ""}],
            "child": {"contact": {"carer_name": "Mair", "phone": "0770"}}}


def test_a_mark_is_kept_only_where_the_record_holds_something():
    case = a_case()
    record = parts.record("casework", "case", case, "2026-01-01T10:00:00+00:00", marks=[
        *parts.list_marks(case, "activities", "note", "staff_note"), ("child.contact.carer_name", "third_party"),
        ("child.contact.carer_email", "third_party")])
    assert [m["path"] for m in record["marks"]] == ["activities.0.note", "child.contact.carer_name"]
    assert parts.value_at(case, "activities.0.note") == "rang the school"
    assert parts.value_at(case, "activities.7.note") is None and parts.value_at(case, "id.x") is None


def test_what_is_still_marked_is_blacked_out_and_a_cleared_mark_is_released_as_it_is():
    record = parts.record("casework", "case", a_case(), None, marks=[("activities.0.note", "staff_note"),
                                                                     ("child.contact.carer_name", "third_party")])
    record["marks"] = [{**m, "key": subject_access.mark_key(record, m["path"])} for m in record["marks"]]
    cleared = record["marks"][1]["key"]
    released = subject_access.as_released([record], [cleared], "[redacted]")[0]
    assert released["fields"]["activities"][0]["note"] == "[redacted]"
    assert released["fields"]["child"]["contact"] == {"carer_name": "Mair", "phone": "0770"}
    assert [m["redacted"] for m in released["marks"]] == [True, False]
    assert record["fields"]["activities"][0]["note"] == "rang the school", "the gathered record is left as it was"


def test_a_mark_is_known_by_the_same_key_each_time_and_by_no_other_marks():
    record = {"service": "referral", "kind": "referral", "id": "r1"}
    assert subject_access.mark_key(record, "referrer") == subject_access.mark_key(dict(record), "referrer")
    assert subject_access.mark_key(record, "referrer") != subject_access.mark_key(record, "risks")
    assert subject_access.mark_key(record, "risks") != subject_access.mark_key({**record, "id": "r2"}, "risks")


def test_rows_flatten_a_record_and_leave_out_what_is_empty():
    assert subject_access.rows({"a": {"b": 1, "c": ""}, "d": [{"e": "x"}], "f": ["cy", "en"], "g": None}) == [
        ("a.b", 1), ("d.0.e", "x"), ("f", ["cy", "en"])]


def test_codes_are_said_in_the_childs_language():
    disclosure = {"kind": "disclosure"}
    assert subject_access.code_words(disclosure, "reason", "court_order", "cy") == "Gorchymyn llys"
    assert subject_access.code_words(disclosure, "council", "CARDIFF", "cy") == "Caerdydd"
    assert subject_access.code_words(disclosure, "disclosed_to", "MASH", "cy") == "MASH"
    referral = {"kind": "referral"}
    assert subject_access.code_words(referral, "timeline.0.by", "CARDIFF", "cy") == "Caerdydd"
    assert subject_access.code_words(referral, "timeline.1.by", "provider", "cy") == "Y gwasanaeth eiriolaeth"
    assert subject_access.code_words(referral, "timeline.1.what", "acknowledged", "cy") == "Cydnabuwyd"
    assert subject_access.code_words(referral, "meeting.status", "none", "en") == "None yet"
    assert subject_access.code_words(referral, "eligibility", ["looked_after", "young_carer"], "en") == \
        "Looked after, Young carer"


def test_a_field_or_code_without_words_is_refused_in_strict_mode_and_said_by_its_name_otherwise():
    assert subject_access.field_words("child.contact.carer_name", "cy") == "Plentyn › Cyswllt › Enw'r gofalwr"
    assert subject_access.field_words("erase_on", "en") == "To be erased on"
    with pytest.raises(words.UnknownCode):
        subject_access.field_words("child.shoe_size", "en")
    assert subject_access.field_words("child.shoe_size", "en", strict=False) == "Child › shoe size"
    with pytest.raises(words.UnknownCode):
        subject_access.code_words({"kind": "meeting"}, "status", "postponed", "en")
    assert subject_access.code_words({"kind": "meeting"}, "status", "postponed", "en", strict=False) == "postponed"


def test_ids_made_between_two_moments_lie_between_the_ids_at_those_moments():
    before = least_id_at(datetime.now(timezone.utc) - timedelta(milliseconds=5))
    made = new_id()
    time.sleep(0.01)
    after = least_id_at(datetime.now(timezone.utc))
    assert before < made < after
    new_year, next_day = datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 2, tzinfo=timezone.utc)
    assert least_id_at(new_year) < least_id_at(next_day)


def test_a_service_message_that_became_a_referral_is_said_wholly_in_words():
    council = CouncilRegister.load().get("CARDIFF")
    body = {"channel": "answer_phone", "from_whom": "carer", "language": "cy", "note": "Ffoniodd Mair",
            "received_at": "2026-12-01T09:00:00+00:00"}
    message = messages.new_message("m1", body, council, "manager@example.org", "2026-12-01T09:05:00+00:00")
    message = messages.answer({**message, "clock_state": "pending"}, {"answered_at": "2026-12-01T10:00:00+00:00"},
                              "manager@example.org", "2026-12-01T10:00:00+00:00")
    message = messages.link(message, "r1", "manager@example.org", "2026-12-01T10:05:00+00:00")
    item = parts.record("referral", "service_message", message, message["received_at"])
    for language in ("cy", "en"):
        for path, value in subject_access.rows(item["fields"]):
            assert subject_access.field_words(path, language)
            said = subject_access.code_words(item, path, value, language)
            assert not isinstance(said, str) or said not in ("answer_phone", "carer", "met", "recorded", "CARDIFF")
    assert subject_access.code_words(item, "timeline.1.what", "became referral", "cy") == "Daeth yn atgyfeiriad"
    assert subject_access.code_words(item, "clock_state", "met", "cy") == "Atebwyd mewn pryd"


def test_a_referral_as_the_referral_service_keeps_it_is_said_wholly_in_words_once_its_marks_are_cleared():
    request = example_referral()
    request["child"] = {**request["child"], "eligibility": ["looked_after", "young_carer"], "communication_needs":
                        "Makaton", "equality": {"gender": "girl", "ethnic_group": "white", "disability": "no"}}
    referral = referral_rules.new_referral("r1", request, CouncilRegister.load().get("CARDIFF"),
                                           "2026-11-23T09:00:00.000+00:00")
    referral = referral_rules.allocate(referral, "advocate@example.org", "2026-11-23T10:00:00+00:00", "provider")
    referral = referral_rules.record_contact_attempt(referral, "phone", "no_answer", "Rang twice",
                                                     "2026-11-24T10:00:00+00:00", "advocate@example.org")
    referral = referral_rules.close(referral, "unable_to_contact", "2026-11-30T10:00:00+00:00", "advocate@example.org")
    item = parts.record("referral", "referral", referral, referral["received_at"],
                        fields={k: v for k, v in referral.items() if k not in referral_handlers.SEARCH_KEYS})
    english = {}
    for language in ("en", "cy"):
        for path, value in subject_access.rows(item["fields"]):
            label = subject_access.field_words(path, language)
            said = subject_access.code_words(item, path, value, language)
            assert not isinstance(said, str) or not re.fullmatch(r"[a-z]+(_[a-z]+)+|[A-Z_]+", said), (path, said)
            english.setdefault(path, label)
            assert language == "en" or english[path] != label, (path, label)
    assert subject_access.code_words(item, "referrer.role", "social_worker", "cy") == "Gweithiwr cymdeithasol"
    assert subject_access.code_words(item, "child.equality.gender", "girl", "cy") == "Merch"
    assert subject_access.field_words("child.equality.gender", "cy") == "Plentyn › Cydraddoldeb › Rhywedd"


def test_a_case_as_casework_keeps_it_is_said_wholly_in_words():
    stub = {**casework.referral_stub({"referral_id": "r2", "council": "CARDIFF", "region": "cardiff-vale",
                                      "nation": "wales", "kind": "issue_based", "basis": "looked_after",
                                      "source": "active_offer", "preferred_language": "cy"}),
            "advocate_email": "advocate@example.org"}
    by, at = "advocate@example.org", "2026-11-24T10:00:00+00:00"
    case = casework.open_case(stub, True, by, "2026-11-23T10:00:00+00:00")
    case = casework.agree_plan(case, "Talk to the school", True, by, at)
    case = casework.raise_issue(case, "i1", "education", "Wants a laptop", by, at)
    case, _ = casework.conclude_issue(case, "i1", "partly_resolved", "", by, at)
    case = casework.signpost(case, "housing", "", by, at)
    case = casework.request_advocate_change(case, "c1", "Would like someone else", by, at)
    case = casework.decide_advocate_change(case, "c1", "declined", None, "Nobody free", "manager", "m@example.org", at)
    case = casework.close(case, "moved_away", 4, "Diolch", by, "2026-11-25T10:00:00+00:00")
    item = parts.record("casework", "case", case, case["opened_at"],
                        fields={k: v for k, v in case.items() if k != "disclosures"})
    for path, value in subject_access.rows(item["fields"]):
        assert subject_access.field_words(path, "cy")
        said = subject_access.code_words(item, path, value, "cy")
        assert not isinstance(said, str) or not re.fullmatch(r"[a-z]+(_[a-z]+)+|[A-Z_]+|[a-z ]+", said), (path, said)


def test_a_complaint_as_the_complaints_service_keeps_it_is_said_wholly_in_words():
    request = {"kind": "complaint", "made_by": "child", "name": "Nia Prydderch", "about": "Nobody came",
               "contact": {"email": "nia@example.org"}, "council": "CARDIFF", "language": "cy", "wants_reply": True}
    at = "2026-11-24T10:00:00+00:00"
    complaint = complaints.new_complaint("01a24d3c-d9ca-700e-aea6-ad987ec7e687", request, "wales",
                                         "2026-11-23T10:00:00+00:00", PUBLIC.id)
    complaint = complaints.acknowledge(complaint, "m@example.org", at)
    complaint = complaints.respond(complaint, "not_upheld", "We came on the Tuesday", "m@example.org", at)
    complaint = complaints.ask_for_review(complaint, "Still nobody came", at)
    complaint = complaints.respond(complaint, "partly_upheld", "We were late", "m@example.org", at)
    complaint = complaints.close(complaint, "m@example.org", "2026-11-26T10:00:00+00:00")
    item = parts.record("complaints", "complaint", complaint, complaint["received_at"],
                        fields={k: v for k, v in complaint.items() if k not in ("tracking_digest", "name_key")})
    for path, value in subject_access.rows(item["fields"]):
        assert subject_access.field_words(path, "cy")
        said = subject_access.code_words(item, path, value, "cy")
        assert not isinstance(said, str) or not re.fullmatch(r"[a-z]+(_[a-z]+)+|[A-Z_]+|[a-z0-9 ]+", said), \
            (path, said)


def test_a_meeting_as_scheduling_keeps_it_is_said_wholly_in_words():
    case = {"referral_id": "01a24d3c-d1e5-7080-8128-016c01827f3d", "council": "CARDIFF",
            "advocate_email": "advocate@example.org"}
    venue = {"name": "Ysgol y Wern", "address": "Heol y Wern", "accessible": True, "risk_assessed": True,
             "type": "school"}
    starts = datetime(2026, 12, 8, 14, 30, tzinfo=timezone.utc)
    by, at = "advocate@example.org", "2026-12-01T10:00:00+00:00"
    meeting = scheduling.new_meeting("01a24d3c-d2c2-7012-bea9-81a956c9eb58", case, starts,
                                     {"duration_minutes": 60, "venue": venue, "language": "cy"}, False, by, at)
    meeting = scheduling.rescheduled(meeting, starts + timedelta(days=1), True, "The child was ill", by, at,
                                     late_reason="The child was ill")
    meeting = scheduling.recorded(meeting, {"took_place": True, "outcome": "declined", "interpreter_used": False,
                                            "decline_reason_code": "support_elsewhere",
                                            "topics_covered": ["advocate_role", "rights"],
                                            "left_with_child": ["leaflet", "welsh_materials"],
                                            "contact_details_given": True, "other_support_type": "informal"},
                                  None, by, at)
    item = parts.record("scheduling", "meeting", meeting, at)  # the whole of it, more than the export shows
    for path, value in subject_access.rows(item["fields"]):
        assert subject_access.field_words(path, "cy")
        said = subject_access.code_words(item, path, value, "cy")
        assert not isinstance(said, str) or not re.fullmatch(r"[a-z]+(_[a-z, ]+)+|[A-Z_]+|[a-z0-9 ]+", said), \
            (path, said)
    assert subject_access.code_words(item, "topics_covered", ["advocate_role", "rights"], "en") == \
        "The advocate's role, The child's rights (UNCRC article 12)"


def test_the_child_is_named_by_the_latest_referral_that_still_names_them():
    named = {"kind": "referral", "when": "2026-01-05T10:00:00+00:00",
             "fields": {"child": {"given_name": "Cerys", "preferred_language": "cy"}}}
    erased = {"kind": "referral", "when": "2026-06-05T10:00:00+00:00",
              "fields": {"child": {"given_name": ""}, "erased_on": "2028-06-05"}}
    assert subject_access.the_child([named, erased])["given_name"] == "Cerys"
    assert subject_access.the_child([erased]) == {"given_name": ""}, "only erased: as it is"
    assert subject_access.the_child([]) is None


def test_an_erased_referral_reads_in_words_too():
    """What erasure leaves of a referral (codes, dates, the day it was erased) is named and worded as the rest."""
    from services.referral.retention import referral_anonymised

    referral = referral_rules.new_referral(new_id(), example_referral(), CouncilRegister.load().get("CARDIFF"),
                                           "2026-01-05T10:00:00.000+00:00")
    erased = {**referral_anonymised(referral), "erase_on": None, "erased_on": "2040-01-01"}
    item = parts.record("referral", "referral", erased, erased["received_at"])
    for path, value in subject_access.rows(item["fields"]):
        for language in ("en", "cy"):
            assert subject_access.field_words(path, language), path
            subject_access.code_words(item, path, value, language)  # strict: an unworded code raises
    assert subject_access.field_words("erased_on", "cy") == "Dilëwyd ar"
