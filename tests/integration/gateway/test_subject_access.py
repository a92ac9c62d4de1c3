"""The child's data on the staff pages: a subject access export of a child with a referral, a meeting, a case, a
complaint and a disclosure holds each, in the child's language, with what was marked blacked out unless the manager
cleared it; a child Llais holds nothing about is not found; only managers may do any of it; and the audit log
answers who looked at a child's records this year, on a page and as CSV."""

from __future__ import annotations

import csv
import io
import json
import re
import uuid
import zipfile
from datetime import date, datetime, timedelta, timezone

import pytest

from shared import words
from shared.clock import LONDON, new_id
from shared.councils import CouncilRegister
from shared.contracts.referral import llais_reference
from services.gateway import handlers, subject_access
from services.gateway.store import SUBJECT_ACCESS
from services.gateway.web.people import person_ref
from services.gateway.web.subject_access import PAGE_SIZE
from tests.integration.gateway.test_manager_day import (api, bearer, case_opened_for, child, referred, text_of,
                                                          welsh)
from tests.integration.gateway.test_web_forms import errors_on, running_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "subject-access", strict_queries=True)


@pytest.fixture(scope="module")
def crew(site):
    return {"manager": site.user("manager"), "advocate": site.user("advocate")}


def a_full_case(site, crew, language: str) -> dict:
    """A child (speaking `language`) referred, met, their case opened with a disclosure, and a complaint they made:
    their name and their first referral's council reference."""
    given, family = f"Nia{uuid.uuid4().hex[:4]}", "Prydderch"
    body = child(given, family)
    body["child"]["preferred_language"] = language
    first = referred(site, body)
    case_id = case_opened_for(site, crew, first)
    manager = bearer(site, crew["manager"])
    disclosure = {"reason": "significant_harm", "decided_by": "Service manager", "disclosed_to": "Cardiff MASH",
                  "disclosed_at": (datetime.now(timezone.utc) - timedelta(minutes=5)).isoformat(),
                  "child_told": False, "why_not_told": "It would put her at risk"}
    assert api(site, "POST", f"/cases/{case_id}/disclosures", manager, json=disclosure).status_code == 201
    complaint = api(site, "POST", "/complaints", manager, json={
        "kind": "complaint", "made_by": "child", "name": f"{given} {family}", "about": "Nobody came",
        "language": language, "wants_reply": False})
    assert complaint.status_code == 201, complaint.text
    return {"given": given, "family": family, "external_ref": body["external_ref"], "referral": first,
            "case": case_id, "complaint": complaint.json()["id"]}


def found(visitor, **answers) -> str:
    """The review page's address after finding the child."""
    posted = visitor.submit("/subject-access", answers)
    assert posted.status_code == 302 and "/subject-access/" in posted.headers["Location"], errors_on(posted)
    return posted.headers["Location"]


def released(visitor, review: str) -> zipfile.ZipFile:
    answer = visitor.submit(f"{review}/release", {}, form_path=review)
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/zip", answer.text[:500]
    return zipfile.ZipFile(io.BytesIO(answer.content))


KIND_WORDS = {"en": ("Referral", "Meeting", "Advocacy case", "Disclosure without consent", "Complaint"),
              "cy": ("Atgyfeiriad", "Cyfarfod", "Achos eirioli", "Datgelu heb gydsyniad", "Cwyn")}


@pytest.mark.parametrize("language", ["cy", "en"])
def test_the_export_holds_each_part_of_the_childs_record_in_their_language(site, crew, language):
    record = a_full_case(site, crew, language)
    manager = site.signed_in(crew["manager"])
    review = found(manager, way="reference", council="CARDIFF", external_ref=record["external_ref"])
    page = manager.get(review)
    assert page.status_code == 200
    assert "Disclosure without consent" in text_of(page) and "Cardiff MASH" in page.text

    archive = released(manager, review)
    assert sorted(archive.namelist()) == ["subject-access.html", "subject-access.json"]
    everything = json.loads(archive.read("subject-access.json"))
    kinds = {r["kind"] for r in everything["records"]}
    assert {"referral", "meeting", "case", "disclosure", "complaint", "audit_entry"} <= kinds
    looked = [r["fields"] for r in everything["records"] if r["kind"] == "audit_entry"]
    assert {(e["what"], e["record"]) for e in looked} >= {("create referral", record["referral"]),
                                                         ("record disclosure", record["case"])}, "who looked, too"
    assert everything["language"] == language
    assert {r["id"] for r in everything["records"]} >= {record["referral"], record["case"], record["complaint"]}
    document = text_of(archive.read("subject-access.html").decode())
    for said in KIND_WORDS[language]:
        assert said in document, said
    assert record["given"] in document
    assert ("Dyddiad geni" if language == "cy" else "Date of birth") in document
    assert ("Niwed sylweddol" if language == "cy" else "Significant harm").lower() in document.lower()
    assert "significant_harm" not in document and "looked_after" not in document, "codes in words"
    other = "cy" if language == "en" else "en"
    assert "Datgelu heb gydsyniad" not in document if language == "en" else "Disclosure without consent" not in document
    assert KIND_WORDS[other][2] not in document

    marked = [r for r in everything["records"] if r["kind"] == "disclosure"][0]
    blacked = "[wedi'i olygu]" if language == "cy" else "[redacted]"
    assert marked["fields"]["disclosed_to"] == blacked and marked["marks"][0]["redacted"] is True
    audit = [e for e in site.audit() if e.get("referral_id") == record["referral"]]
    assert {"subject access export requested", "subject access export read", "subject access export released"} \
        <= {e["what"] for e in audit}


EVERY_CODE = {code for kind in words.WORDS for code in words.codes(kind)} | {
    c.code for c in CouncilRegister.load().all()} | set(CouncilRegister.load().regions())
"""Every code of every vocabulary, council and region: a value still one of them in a document is a code unsaid."""


def the_childs_case_worked_on(site, crew, record: dict) -> None:
    """An issue raised and concluded, an activity and a signpost on the child's case, an opt-out under the same
    council's reference and a change in care of their referral, so the document says each."""
    council = {"Authorization": f"Bearer {handlers.create_api_key(site.gateway, site.councils, 'CARDIFF')}"}
    for path, body in (("/opt-outs", {"basis": "looked_after", "date_of_birth": "2013-05-02",
                                      "offered_at": (datetime.now(timezone.utc) - timedelta(days=30)).isoformat(),
                                      "reason_code": "not_the_right_time", "external_ref": record["external_ref"]}),
                       ("/transitions", {"kind": "placement_move", "happened_on": date.today().isoformat(),
                                         "referral_id": record["referral"]})):
        told = api(site, "POST", path, {**council, "Idempotency-Key": str(uuid.uuid4())}, json=body)
        assert told.status_code == 201, told.text
    advocate = bearer(site, crew["manager"])
    raised = api(site, "POST", f"/cases/{record['case']}/issues", advocate,
                 json={"theme": "placement", "description": "Wants to stay near school"})
    assert raised.status_code == 201, raised.text
    issue = raised.json()["issues"][-1]["id"] if "issues" in raised.json() else raised.json()["id"]
    for path, body in ((f"/issues/{issue}/conclude", {"outcome": "resolved"}),
                       ("/activities", {"kind": "meeting", "contribution": "jointly", "note": "Met at school"}),
                       ("/signposting", {"to": "legal"})):
        answer = api(site, "POST", f"/cases/{record['case']}{path}", advocate, json=body)
        assert answer.status_code in (200, 201), answer.text


def document_rows(html: str) -> list[tuple[str, str]]:
    """The document's (label, value) pairs as a reader sees them."""
    return [(text_of(dt), text_of(dd)) for dt, dd in re.findall(r"<dt>(.*?)</dt><dd[^>]*>(.*?)</dd>", html, re.S)]


def test_every_label_and_every_code_of_the_document_is_in_words_of_the_childs_language(site, crew):
    documents = {}
    for language in ("cy", "en"):
        record = a_full_case(site, crew, language)
        the_childs_case_worked_on(site, crew, record)
        manager = site.signed_in(crew["manager"])
        archive = released(manager, found(manager, way="referral", referral=record["referral"]))
        everything = json.loads(archive.read("subject-access.json"))
        assert {"referral", "opt_out", "transition", "meeting", "deadlines", "case", "disclosure", "complaint",
                "message_sent", "message_withheld", "audit_entry"} <= {r["kind"] for r in everything["records"]}
        for item in everything["records"]:
            for path, value in subject_access.rows(item["fields"]):
                assert subject_access.field_words(path, language), path  # strict: UnknownCode when not in words
                said = subject_access.code_words(item, path, value, language)
                unsaid = [one for one in (value if isinstance(value, list) else [value]) if one in EVERY_CODE]
                assert not unsaid or said != value, f"{item['kind']} {path} shows the code {value!r}"
                assert not (isinstance(said, str) and re.fullmatch(r"[a-z]+(_[a-z]+)+", said)), (path, said)
        documents[language] = document_rows(archive.read("subject-access.html").decode())
        sent = [r for r in everything["records"] if r["kind"] == "message_sent"]
        blacked = "[wedi'i olygu]" if language == "cy" else "[redacted]"
        assert sent and all(a["to"] == blacked for r in sent for a in r["fields"].get("attempts") or []), \
            "where each message went is someone else's details"
        withheld = [r["fields"] for r in everything["records"] if r["kind"] == "message_withheld"]
        assert withheld and all(w.get("reason_code") and "reason" not in w for w in withheld), "why not, by a code"

    for language, shown in documents.items():
        named = {said for english, welsh in words.WORDS["record_field"].values()
                 for said in [welsh if language == "cy" else english]}
        for label, value in shown:
            assert all(part.isdigit() or part in named for part in label.split(" › ")), (language, label)
            assert value not in EVERY_CODE, (language, label, value)
        assert "Llinell amser" in {label.split(" › ")[0] for label, _ in shown} if language == "cy" else True
    welsh_labels, english_labels = ({label for label, _ in documents[lang]} for lang in ("cy", "en"))
    assert welsh_labels and english_labels and not welsh_labels & english_labels, welsh_labels & english_labels
    welsh_values = {value for _, value in documents["cy"]}
    assert {"Caerdydd", "Cymru", "Y gwasanaeth eiriolaeth", "Daeth i law", "Dim un eto", "Lle rydw i'n byw",
            "Cyngor cyfreithiol"} <= welsh_values, "codes in Welsh words"


def test_a_mark_the_manager_clears_is_released_as_it_is(site, crew):
    record = a_full_case(site, crew, "en")
    manager = site.signed_in(crew["manager"])
    review = found(manager, way="referral", referral=record["referral"])
    page = manager.get(review)
    marks = dict((key, None) for key in re.findall(r'name="redact" type="checkbox" value="([0-9a-f]+)"',
                                                                  page.text))
    disclosure_mark = re.search(r'id="redact-([0-9a-f]+)"[^>]*>\s*<label[^>]*>Disclosed to:',
                                              page.text).group(1)
    kept = [key for key in marks if key != disclosure_mark]
    saved = manager.http.post(f"{site.url}{review}", data={"csrf_token": manager.token(review), "redact": kept},
                              allow_redirects=False, timeout=10)
    assert saved.status_code == 302
    everything = json.loads(released(manager, review).read("subject-access.json"))
    disclosure = [r for r in everything["records"] if r["kind"] == "disclosure"][0]
    assert disclosure["fields"]["disclosed_to"] == "Cardiff MASH" and disclosure["marks"][0]["redacted"] is False
    referral = [r for r in everything["records"] if r["kind"] == "referral"][0]
    assert referral["fields"]["referrer"] == "[redacted]", "the marks not cleared stay blacked out"


def test_the_child_is_found_by_name_and_date_of_birth(site, crew):
    body = child(f"Osian{uuid.uuid4().hex[:4]}", "Gwyn")
    referral_id = referred(site, body)
    born = datetime.fromisoformat(body["child"]["date_of_birth"])
    manager = site.signed_in(crew["manager"])
    review = found(manager, way="name", given_name=body["child"]["given_name"].lower(),
                   family_name="GWYN ", date_of_birth=[str(born.day), str(born.month), str(born.year)])
    assert referral_id in site.gateway.subject_access(review.rsplit("/", 1)[1]).body["referral_ids"]


def test_the_child_is_found_by_the_reference_people_quote_however_it_is_typed(site, crew):
    referral_id = referred(site, child(f"Gethin{uuid.uuid4().hex[:4]}", "Rowlands"))
    manager = site.signed_in(crew["manager"])
    typed = llais_reference(referral_id).replace("-", " ").lower()
    review = found(manager, way="referral", referral=typed)
    assert site.gateway.subject_access(review.rsplit("/", 1)[1]).body["referral_ids"] == [referral_id]
    welsh(manager)
    assert "Data plentyn" in text_of(manager.get("/subject-access"))
    page = text_of(manager.get(review))
    assert "Adolygu'r allforio" in page and "Atgyfeiriwr: manylion rhywun arall" in page


def test_a_child_llais_holds_nothing_about_is_not_found_and_no_export_is_made(site, crew):
    manager = site.signed_in(crew["manager"])
    before = site.count("gateway", SUBJECT_ACCESS)
    for answers in ({"way": "referral", "referral": str(uuid.uuid4())},
                    {"way": "reference", "council": "CARDIFF", "external_ref": "NOBODY-HERE"}):
        page = manager.submit("/subject-access", answers)
        assert page.status_code == 200 and any("No child was found" in e for e in errors_on(page)), page.text[:300]
    assert site.count("gateway", SUBJECT_ACCESS) == before
    assert manager.get(f"/subject-access/{uuid.uuid4()}").status_code == 404
    assert any(e["what"] == "subject access: no such child" and e["status"] == 404 for e in site.audit())


@pytest.mark.parametrize("role", ["advocate", "commissioner", "admin"])
def test_only_a_manager_may_and_a_refusal_is_audited(site, crew, role):
    email = site.user(role, "CARDIFF" if role == "commissioner" else None)
    visitor = site.signed_in(email)
    for path in ("/subject-access", "/who-looked"):
        assert visitor.get(path).status_code == 403
    assert visitor.http.post(f"{site.url}/subject-access", data={"way": "referral"}, allow_redirects=False,
                             timeout=10).status_code in (400, 403)
    refused = [e for e in site.audit() if e["who"] == email and e["status"] == 403]
    assert {"subject access refused", "who looked refused"} <= {e["what"] for e in refused}


def test_who_looked_at_this_childs_record_this_year_on_a_page_and_as_csv(site, crew):
    record = a_full_case(site, crew, "en")
    advocate = site.signed_in(crew["advocate"])
    assert advocate.get(f"/cases/{record['case']}").status_code == 200  # the advocate reads the child's case
    key = handlers.create_api_key(site.gateway, site.councils, "CARDIFF")
    assert api(site, "GET", f"/referrals/{record['referral']}", {"Authorization": f"Bearer {key}"}).status_code == 200
    manager = site.signed_in(crew["manager"])
    review = found(manager, way="referral", referral=record["referral"])
    this_year = f"{datetime.now(LONDON).year}-01-01"
    page = manager.get(f"{review}/who-looked", params={"from": this_year})
    assert page.status_code == 200
    shown = text_of(page)
    assert crew["advocate"] in shown or "advocate" in shown.lower()
    assert llais_reference(record["case"]) in shown and "web pages" in shown, "each record by the reference people quote"
    assert "Cardiff council's system" in shown and "the API" in shown, "a council system's read, by its council"

    listed = manager.get(f"{review}/who-looked", params={"from": this_year, "format": "csv"})
    assert listed.status_code == 200 and listed.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(listed.content.decode("utf-8-sig"))))
    assert rows and set(rows[0]) >= {"When", "Who", "What", "Record", "From where"}
    assert any(r["Record"] == record["case"] and r["Who"] and r["From where"] == "web pages" for r in rows)
    key_id = key.split("_")[1]
    assert any(r["Record"] == record["referral"] and r["Key"] == key_id and r["From where"] == "the API"
               and r["Council"] == "Cardiff" for r in rows), "a council system's read, by its key"

    none_yet = manager.get(f"{review}/who-looked", params={"to": "2000-01-01"})
    assert "Nobody looked in that time." in text_of(none_yet)
    assert manager.get(f"{review}/who-looked", params={"from": "last year"}).status_code == 422
    for not_a_day in ("2026-1-5", "2026-02-30", "9999-12-31", "1066-10-14"):  # the window every service keeps
        assert manager.get(f"{review}/who-looked", params={"to": not_a_day}).status_code == 422, not_a_day
    assert any(e["what"] == "who looked read" and e["who"] == crew["manager"] for e in site.audit())


def test_what_one_member_of_staff_looked_at(site, crew):
    record = a_full_case(site, crew, "en")
    advocate = site.signed_in(crew["advocate"])
    assert advocate.get(f"/cases/{record['case']}").status_code == 200
    manager = site.signed_in(crew["manager"])
    link = f"/who-looked/staff/{person_ref(crew['advocate'])}"
    assert link in manager.get("/who-looked").text, "each member of staff is listed"
    page = manager.get(link)
    assert page.status_code == 200 and llais_reference(record["case"]) in text_of(page)


def test_who_looked_pages_fifty_at_a_time_oldest_first(site, crew):
    reader = site.user("advocate")
    for n in range(PAGE_SIZE + 10):  # written as the audit writes them, faster than reading 60 pages
        site.gateway.audit({"who": reader, "kind": "staff", "role": "advocate", "what": f"read referral {n}",
                            "referral_id": new_id(), "status": 200, "why": "web forms (advocate)", "via": "web"})
    manager = site.signed_in(crew["manager"])
    first = manager.get(f"/who-looked/staff/{person_ref(reader)}")
    assert first.text.count("read referral ") == PAGE_SIZE and "read referral 0 " in text_of(first) + " "
    following = re.search(r'href="([^"]*after=[^"]+)"', first.text)
    assert following, "a link to the next page"
    second = manager.get(following.group(1).replace("&amp;", "&"))
    assert second.text.count("read referral ") == 10 and f"read referral {PAGE_SIZE + 9}" in second.text
    assert not re.search(r'href="([^"]*after=[^"]+)"', second.text), "no page after the last"
    listed = manager.get(f"/who-looked/staff/{person_ref(reader)}", params={"format": "csv"})
    assert len(list(csv.DictReader(io.StringIO(listed.content.decode("utf-8-sig"))))) == PAGE_SIZE + 10


def test_who_looked_says_what_was_done_and_why_in_the_readers_words(site, crew):
    record = a_full_case(site, crew, "cy")
    advocate = site.signed_in(crew["advocate"])
    assert advocate.get(f"/cases/{record['case']}").status_code == 200
    site.gateway.audit({"who": crew["advocate"], "kind": "staff", "role": "advocate", "what": "peek at referral",
                        "referral_id": record["referral"], "status": 200, "why": "web forms (old)", "via": "web"})
    manager = site.signed_in(crew["manager"])
    review = found(manager, way="referral", referral=record["referral"])
    this_year = {"from": f"{datetime.now(LONDON).year}-01-01"}
    english = text_of(manager.get(f"{review}/who-looked", params=this_year))
    assert "Create a referral" in english and "The council's case system" in english
    assert "peek at referral" in english and "web forms (old)" in english, "an older version's phrase as stored"

    welsh(manager)
    page = manager.get(f"{review}/who-looked", params=this_year)
    assert page.status_code == 200
    shown = text_of(page)
    for said in ("Creu atgyfeiriad", "System achosion y cyngor", "Darllen achos", "Tudalennau gwe (eiriolwr)",
                 "Cofnodi datgeliad", "Staff y darparwr (rheolwr)", "Gofyn am allforio mynediad at ddata",
                 "Tudalennau gwe (mynediad at ddata)"):
        assert said in shown, said
    for stored in ("create referral", "council integration", "read case", "record disclosure", "web forms (advocate)",
                   "provider staff", "subject access export"):
        assert stored not in shown, stored
    assert "peek at referral" in shown and "web forms (old)" in shown, "never an error"
    rows = list(csv.DictReader(io.StringIO(manager.get(f"{review}/who-looked", params={
        **this_year, "format": "csv"}).content.decode("utf-8-sig"))))
    assert any(row["Beth"] == "Creu atgyfeiriad" and row["Pam"] == "System achosion y cyngor" for row in rows), rows[0]
