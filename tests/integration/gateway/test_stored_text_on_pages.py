"""Records stored before the services refused bad text and dates (an unpaired surrogate in a name, a bidirectional
override, a NUL, a time in year 9999 at -23:59) break no page: each page that shows them shows them safely, in
English and in Welsh; and a page that fails anyway shows the service's own error page, not a bare 500."""

from __future__ import annotations


import pytest
import requests

from shared.store import Put, open_store
from services.gateway import handlers
from tests.integration.gateway.test_web_forms import Site, running_site

SURROGATE = "Cerys\ud800"
OVERRIDE = "\u202eJones"
CONTROL = "Risks\x00 \x1b[2J"
OVERFLOW = "9999-12-31T23:59:59-23:59"
YEAR_ONE = "0001-01-01T00:00:00+01:00"
SHOWN = "Cerys\ufffd"
"""How a page shows the planted name: the surrogate as the replacement character."""
REFERENCE = "MOSAIC-\udc00"
REFERENCE_SHOWN = "MOSAIC-\ufffd"
"""The council's own reference, which is what its social workers' pages show of a referral."""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "stored")


def plant(settings, service: str, collection: str, id: str, change) -> None:
    """Change a stored document directly, as if written before the services refused what it now holds."""
    store = open_store(service, settings)
    document = store.get(collection, id)
    store.commit(Put.update(document, change(dict(document.body))))


def with_bad_child(body: dict) -> dict:
    return {**body, "child": {**body["child"], "given_name": SURROGATE, "family_name": OVERRIDE},
            "risks": CONTROL, "referrer": {**body["referrer"], "name": "Sian\ud83d"},
            "statutory_meeting_at": OVERFLOW, "external_ref": REFERENCE, "received_at": OVERFLOW}


class Planted:
    """A received referral, an allocated issue-based one with its case, and a complaint, each holding bad text and
    impossible times; and the people who see them."""

    def __init__(self, site: Site):
        self.site = site
        self.manager_email, self.advocate_email = site.user("manager"), site.user("advocate")
        self.referrer_email = site.user("referrer", "CARDIFF")
        gateway = site.gateway
        self.api = {role: {"Authorization": f"Bearer {handlers.create_token(gateway, email)}"}
                    for role, email in (("manager", self.manager_email), ("advocate", self.advocate_email))}
        self.received = site.refer()
        self.case = site.refer(kind="issue_based")
        self.post(f"/api/v1/referrals/{self.case}/allocate", "manager", {"advocate_email": self.advocate_email}, 200)
        self.post("/api/v1/cases", "advocate", {"referral_id": self.case, "consents_to_case_file": True}, 201)
        self.post(f"/api/v1/cases/{self.case}/plan", "advocate", {"text": "Plan", "agreed_with_child": True}, 200)
        self.post(f"/api/v1/cases/{self.case}/issues", "advocate", {"theme": "contact", "description": "See"}, 201)
        self.post(f"/api/v1/cases/{self.case}/activities", "advocate",
                  {"kind": "meeting", "contribution": "jointly", "note": "Review"}, 201)
        complaint = self.post("/api/v1/complaints", "manager", {
            "kind": "complaint", "made_by": "parent", "name": "Mair", "about": "Nobody called back",
            "contact": {"phone": "07700 900123"}}, 201)
        self.complaint, self.tracking_key = complaint["id"], complaint["tracking_key"]
        for path in (f"/referrals/{self.received}", f"/referrals/{self.case}", f"/complaints/{self.complaint}"):
            self.get(f"/api/v1{path}", "manager")  # a read waits for what is travelling: planted changes then stay
        self.plant_everything()

    def get(self, path: str, who: str) -> dict:
        answer = requests.get(f"{self.site.url}{path}", headers=self.api[who], timeout=10)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def post(self, path: str, who: str, body: dict, status: int) -> dict:
        answer = requests.post(f"{self.site.url}{path}", json=body, headers=self.api[who], timeout=10)
        assert answer.status_code == status, answer.text
        return answer.json()

    def plant_everything(self) -> None:
        settings = self.site.settings
        for referral_id in (self.received, self.case):
            plant(settings, "referral", "referrals", referral_id, with_bad_child)

        def bad_case(case: dict) -> dict:
            case["plan"] = {**case["plan"], "text": f"{SURROGATE} {OVERRIDE}"}
            case["issues"] = [{**case["issues"][0], "description": CONTROL}]
            case["activities"] = [{**case["activities"][0], "at": OVERFLOW, "note": SURROGATE}]
            case["disclosures"] = [{"reason": "significant_harm", "decided_by": OVERRIDE, "disclosed_to": SURROGATE,
                                    "disclosed_at": YEAR_ONE, "child_told": True, "child_told_at": OVERFLOW,
                                    "why_not_told": None, "recorded_at": OVERFLOW, "recorded_by": "m"}]
            case["timeline"] = [*case["timeline"], {"at": OVERFLOW, "what": "disclosure recorded", "by": OVERRIDE}]
            case["opened_at"] = OVERFLOW
            return case

        plant(settings, "casework", "cases", self.case, bad_case)
        plant(settings, "complaints", "complaints", self.complaint,
              lambda c: {**c, "name": SURROGATE, "about": f"{CONTROL} {OVERRIDE}", "received_at": OVERFLOW})


@pytest.fixture(scope="module")
def planted(site):
    return Planted(site)


def assert_shown_safely(page: requests.Response, shown: str | None) -> None:
    assert page.status_code == 200, page.text[:500]
    assert page.headers["Content-Type"].startswith("text/html")
    text = page.text
    assert "\u202e" not in text and "\x00" not in text and "\x1b" not in text
    if shown:
        assert shown in text, "the planted text is shown, its surrogate replaced"


@pytest.mark.parametrize("language", ["en", "cy"])
@pytest.mark.parametrize("who, path, shown", [
    ("manager", "/", SHOWN),
    ("manager", "/referrals", SHOWN),
    ("manager", "/referrals/{received}", SHOWN),
    ("manager", "/referrals/{received}/allocate", SHOWN),
    ("manager", "/referrals/{case}", SHOWN),
    ("manager", "/cases", OVERFLOW),
    ("manager", "/cases/{case}", SHOWN),
    ("manager", "/cases/{case}/record", SHOWN),
    ("manager", "/cases/{case}/conclude", "Risks\ufffd"),
    ("manager", "/complaints", OVERFLOW),
    ("manager", "/complaints/{complaint}", SHOWN),
    ("advocate", "/", SHOWN),
    ("advocate", "/referrals/{case}", SHOWN),
    ("advocate", "/referrals/{case}/contact", SHOWN),
    ("advocate", "/cases/{case}", SHOWN),
    ("referrer", "/", REFERENCE_SHOWN),
    ("referrer", "/referrals/{received}", REFERENCE_SHOWN),
    ("public", "/complaints/followed/{tracking_key}", None),
])
def test_every_page_that_shows_a_bad_record_shows_it_safely(site, planted, language, who, path, shown):
    visitor = site.visitor() if who == "public" else site.signed_in(getattr(planted, f"{who}_email"))
    visitor.http.cookies.set("llais_language", language)
    page = visitor.get(path.format(received=planted.received, case=planted.case, complaint=planted.complaint,
                                   tracking_key=planted.tracking_key))
    assert_shown_safely(page, shown)


def test_the_api_relays_bad_records_as_json_escapes(site, planted):
    answer = requests.get(f"{site.url}/api/v1/referrals/{planted.received}", headers=planted.api["manager"],
                          timeout=10)
    assert answer.status_code == 200 and answer.json()["child"]["given_name"] == SURROGATE
    record = requests.get(f"{site.url}/api/v1/cases/{planted.case}/record", headers=planted.api["advocate"],
                          timeout=10)
    assert record.status_code == 200 and SHOWN in record.text and OVERFLOW in record.text


@pytest.fixture(scope="module")
def broken(site, planted):
    """A referral stored in a shape no page expects (its contact attempts a number), so its page fails as it is
    drawn."""
    referral_id = site.refer(council="TORFAEN")
    planted.get(f"/api/v1/referrals/{referral_id}", "manager")
    plant(site.settings, "referral", "referrals", referral_id, lambda r: {**r, "contact_attempts": 7})
    return referral_id


@pytest.mark.parametrize("language, title", [("en", "Sorry, there is a problem with the service"),
                                             ("cy", "Mae&#39;n ddrwg gennym, mae problem gyda&#39;r gwasanaeth")])
def test_a_page_that_fails_anyway_is_the_services_error_page_in_its_language(site, planted, broken, language,
                                                                              title):
    visitor = site.signed_in(planted.manager_email)
    visitor.http.cookies.set("llais_language", language)
    page = visitor.get(f"/referrals/{broken}")
    assert page.status_code == 500
    assert page.headers["Content-Type"].startswith("text/html")
    assert title in page.text and "llais-header" in page.text, "the design's own page"
    assert "Traceback" not in page.text


def test_when_even_the_error_page_fails_a_plain_page_says_so_in_both_languages(site, planted, broken, monkeypatch):
    from services.gateway import web

    def unavailable(*args, **kwargs):
        raise RuntimeError("the templates are unreadable")

    visitor = site.signed_in(planted.manager_email)
    monkeypatch.setattr(web, "render_template", unavailable)  # what the error handlers draw with
    page = visitor.get(f"/referrals/{broken}")
    assert page.status_code == 500 and page.headers["Content-Type"].startswith("text/html")
    assert "Sorry, there is a problem with the service" in page.text and 'lang="cy"' in page.text
