"""The web forms as a browser without JavaScript meets them: sign-in, sessions, CSRF, roles, bad input, public forms.

Run over plain http, so this platform's cookies are not marked Secure (test_session_cookie_is_secure checks that
they are by default).
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from html import unescape

import pytest
import requests

from shared.config import Settings
from shared.contracts.referral import llais_reference
from shared.councils import CouncilRegister
from shared.store import Put, open_store
from services.gateway import handlers
from services.gateway.app import create_app
from services.gateway.store import AUDIT, SIGN_IN_FAILURES, WEB_SESSIONS, GatewayStore
from services.gateway.web.sessions import COOKIE
from services.platform import Embedded
from tests.examples import example_referral
from tests.integration.bus.support import wait_for

PASSWORD = "a long enough password"
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


class Site:
    def __init__(self, embedded: Embedded):
        self.url = embedded.url
        self.settings = embedded.settings
        self.gateway = GatewayStore(open_store("gateway", embedded.settings))
        self.councils = CouncilRegister.load()

    def user(self, role: str, council: str | None = None) -> str:
        email = f"{role}-{uuid.uuid4().hex[:6]}@example.org"
        handlers.create_user(self.gateway, self.councils, email, role, council, PASSWORD)
        return email

    def visitor(self) -> "Visitor":
        return Visitor(self.url)

    def signed_in(self, email: str) -> "Visitor":
        visitor = self.visitor()
        answer = visitor.submit("/sign-in", {"email": email, "password": PASSWORD})
        assert answer.status_code == 302, answer.text
        return visitor

    def refer(self, council: str = "CARDIFF", **changes) -> str:
        key = handlers.create_api_key(self.gateway, self.councils, council)
        answer = requests.post(f"{self.url}/api/v1/referrals", json={**example_referral(), **changes}, timeout=10,
                               headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 201, answer.text
        return answer.json()["id"]

    def audit(self) -> list[dict]:
        return [d.body for d in self.gateway.store.find(AUDIT, limit=10_000)]

    def count(self, service: str, collection: str) -> int:
        return len(open_store(service, self.settings).find(collection, limit=10_000))


class Visitor:
    """A browser without JavaScript: a cookie jar, forms with their CSRF tokens, no redirects followed."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.http.get(f"{self.url}{path}", allow_redirects=False, timeout=10, **kwargs)

    def token(self, path: str) -> str:
        page = self.get(path)
        assert page.status_code == 200, page.text
        match = TOKEN.search(page.text)
        assert match, f"no CSRF token on {path}"
        return match.group(1) or match.group(2)

    def submit(self, path: str, data: dict, *, token: str | None = None, form_path: str | None = None,
               follow: bool = True):
        """Post a form; a page sent back to itself with its errors (redirect after POST) is read as the browser
        then shows it, unless `follow` is False (to see the redirect itself)."""
        token = token if token is not None else self.token(form_path or path)
        answer = self.http.post(f"{self.url}{path}", data={"csrf_token": token, **data}, allow_redirects=False,
                                timeout=10)
        if follow and answer.status_code in (302, 303) and answer.headers["Location"] == path:
            return self.get(path)
        return answer


def errors_on(page: requests.Response) -> list[str]:
    """The error summary's messages."""
    summary = re.search(r'class="govuk-error-summary".*?</ul>', page.text, re.S)
    return [unescape(re.sub(r"<[^>]+>", "", m)).strip()
            for m in re.findall(r"<li>(.*?)</li>", summary.group(0), re.S)] if summary else []


def running_site(tmp_path_factory, name: str, **changes):
    """The embedded platform on a data folder and bus names of its own, with pages over plain http and sign-in
    limits no test reaches, as a `Site`; stopped when the module's tests are done."""
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp(name), bus_prefix=f"{name}-{uuid.uuid4().hex[:8]}",
                       cookie_secure=False, sign_in_rate_limit="1000 per minute", **changes)
    embedded = Embedded(settings, port=0)
    embedded.start()
    yield Site(embedded)
    embedded.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "web", strict_queries=True)


# signing in, sessions and their cookies


def test_signing_in_and_out(site):
    email = site.user("manager")
    visitor = site.visitor()
    assert visitor.get("/referrals").headers["Location"].startswith("/sign-in?next=/referrals")
    signed_in = visitor.submit("/sign-in?next=/referrals", {"email": email, "password": PASSWORD},
                               form_path="/sign-in")
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/referrals"
    assert visitor.get("/referrals").status_code == 200
    out = visitor.submit("/sign-out", {}, form_path="/")
    assert out.status_code == 302 and visitor.get("/referrals").status_code == 302
    assert any(e["what"] == "sign in" and e["who"] == email and e["status"] == 200 for e in site.audit())


def test_signing_in_starts_a_new_session_and_signing_out_ends_it_on_the_server(site):
    email = site.user("advocate")
    visitor = site.visitor()
    visitor.get("/sign-in")
    before = visitor.http.cookies.get(COOKIE)
    visitor.submit("/sign-in", {"email": email, "password": PASSWORD})
    during = visitor.http.cookies.get(COOKIE)
    assert before and during and before != during, "the session id changes at sign-in"
    visitor.submit("/sign-out", {}, form_path="/")
    thief = site.visitor()
    thief.http.cookies.set(COOKIE, during)
    assert thief.get("/referrals").status_code == 302, "a copied cookie is worthless after sign-out"


def test_an_idle_session_expires(site):
    email = site.user("advocate")
    visitor = site.signed_in(email)
    assert visitor.get("/").status_code == 200
    store = site.gateway.store
    for session in store.find(WEB_SESSIONS, limit=10_000):
        if session.body["data"].get("signed_in_as") == email:
            idle = (datetime.now(timezone.utc) - timedelta(minutes=31)).isoformat()
            store.commit(Put.update(session, {**session.body, "last_seen_at": idle}))
    assert visitor.get("/referrals").status_code == 302


def test_wrong_passwords_are_refused_alike_and_five_lock_the_account(site):
    email = site.user("advocate")
    for attempt in range(5):
        page = site.visitor().submit("/sign-in", {"email": email, "password": "not the password at all"})
        assert page.status_code == 200
        expected = "Enter a correct email address and password" if attempt < 4 else "Too many failed attempts"
        assert errors_on(page)[0].startswith(expected), errors_on(page)
        assert f'value="{email}"' in page.text and "not the password at all" not in page.text, \
            "shown again with the email as typed, never the password"
    locked = site.visitor().submit("/sign-in", {"email": email, "password": PASSWORD})
    assert locked.status_code == 200 and errors_on(locked)[0].startswith("Too many failed attempts")
    unknown = site.visitor().submit("/sign-in", {"email": "nobody@example.org", "password": PASSWORD})
    assert errors_on(unknown) == ["Enter a correct email address and password"], "no hint that an account exists"
    failures = site.gateway.store.find(SIGN_IN_FAILURES, limit=10_000)
    assert all(email not in str(f.body) for f in failures), "failures are kept by digest, not by address"


def test_the_lock_lifts_after_its_time(site):
    email = site.user("advocate")
    for _ in range(5):
        site.visitor().submit("/sign-in", {"email": email, "password": "not the password at all"})
    store = site.gateway.store
    for failures in store.find(SIGN_IN_FAILURES, limit=10_000):
        if failures.body.get("locked_until"):
            past = (datetime.now(timezone.utc) - timedelta(seconds=1)).isoformat()
            store.commit(Put.update(failures, {**failures.body, "locked_until": past}))
    assert site.visitor().submit("/sign-in", {"email": email, "password": PASSWORD}).status_code == 302


def test_admins_sign_in_to_the_staff_pages_only(site):
    admin = site.signed_in(site.user("admin"))
    assert admin.get("/").headers["Location"] == "/staff"
    assert admin.get("/referrals").status_code == 403


def test_sign_in_only_returns_to_pages_of_this_site(site):
    email = site.user("manager")
    visitor = site.visitor()
    answer = visitor.submit("/sign-in?next=//evil.example/x", {"email": email, "password": PASSWORD},
                            form_path="/sign-in")
    assert answer.headers["Location"] == "/"


@pytest.mark.parametrize("token", ["", "made-up"])
def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(site, token):
    email = site.user("manager")
    page = site.visitor().submit("/sign-in", {"email": email, "password": PASSWORD}, token=token)
    assert page.status_code == 400 and "Your form could not be sent" in page.text
    assert not any(e["what"] == "sign in" and e["who"] == email for e in site.audit())

    manager = site.signed_in(email)
    referral_id = site.refer()
    wait_for(lambda: manager.get(f"/referrals/{referral_id}").status_code == 200, what="the referral")
    forged = manager.submit(f"/referrals/{referral_id}/close", {"reason": "withdrawn"}, token=token)
    assert forged.status_code == 400
    assert "Received" in manager.get(f"/referrals/{referral_id}").text


def test_session_cookie_is_secure_http_only_and_same_site(tmp_path):
    settings = replace(Settings(), data_dir=tmp_path)
    app = create_app(settings)
    handlers.create_user(app.extensions["llais.gateway_store"], CouncilRegister.load(), "m@example.org",
                         "manager", None, PASSWORD)
    client = app.test_client()
    page = client.get("/sign-in")
    cookie = page.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires" not in cookie, "the cookie lasts the browser session; the server ends it sooner"


def test_pages_carry_security_headers_and_a_content_security_policy(site):
    page = site.visitor().get("/sign-in")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    assert f'nonce="{nonce}"' in page.text, "the page's one inline script carries the nonce"
    assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin" and page.headers["Cache-Control"] == "no-store"


def test_sign_in_attempts_are_rate_limited(tmp_path):
    settings = replace(Settings(), data_dir=tmp_path, cookie_secure=False)
    client = create_app(settings).test_client()
    token = TOKEN.search(client.get("/sign-in").text).group(1)
    answers = [client.post("/sign-in", data={"csrf_token": token, "email": f"x{n}@example.org",
                                             "password": "a wrong password"}).status_code for n in range(31)]
    assert answers[:30] == [302] * 30 and answers[30] == 429, "each refused, shown again at /sign-in, then limited"


@pytest.mark.parametrize("trusted_proxies, separate", [(0, False), (1, True)])
def test_sign_in_limits_count_the_address_a_trusted_proxy_gives(tmp_path, trusted_proxies, separate):
    settings = replace(Settings(), data_dir=tmp_path, cookie_secure=False, sign_in_rate_limit="2 per minute",
                       trusted_proxies=trusted_proxies)
    client = create_app(settings).test_client()
    token = TOKEN.search(client.get("/sign-in").text).group(1)

    def attempt(address: str) -> int:
        return client.post("/sign-in", headers={"X-Forwarded-For": address},
                           data={"csrf_token": token, "email": "x@example.org", "password": "a wrong password"}
                           ).status_code

    assert [attempt("192.0.2.1"), attempt("192.0.2.1"), attempt("192.0.2.1")] == [302, 302, 429]
    assert attempt("198.51.100.7") == (302 if separate else 429)


def test_a_form_abandoned_half_way_does_not_keep_the_childs_details(tmp_path):
    app = create_app(replace(Settings(), data_dir=tmp_path, cookie_secure=False))
    store = app.extensions["llais.gateway_store"].store

    def start_a_self_referral(given_name: str):
        client = app.test_client()
        client.get("/self-referral")
        token = TOKEN.search(client.get("/self-referral/about-you").text).group(1)
        answer = client.post("/self-referral/about-you", data={
            "csrf_token": token, "given_name": given_name, "family_name": "Evans",
            "date_of_birth": ["2", "5", "2013"],
            "preferred_language": "cy"})
        assert answer.status_code == 302, answer.text
        return client

    def session_holding(given_name: str):
        found = [s for s in store.find(WEB_SESSIONS, limit=10_000) if given_name in str(s.body)]
        assert len(found) == 1
        return found[0]

    start_a_self_referral("Gwen")
    still_typing = start_a_self_referral("Heledd")
    abandoned = session_holding("Gwen")
    idle = (datetime.now(timezone.utc) - timedelta(minutes=31)).isoformat()
    store.commit(Put.update(abandoned, {**abandoned.body, "last_seen_at": idle}))

    app.session_interface.swept_at = None  # as if the last sweep were long ago
    app.test_client().get("/self-referral")
    swept = store.get(WEB_SESSIONS, abandoned.id)
    assert swept.body["data"] == {} and swept.body["ended_at"], "the abandoned answers are cleared"
    assert not [s for s in store.find(WEB_SESSIONS, limit=10_000) if "Gwen" in str(s.body)]
    assert still_typing.get("/self-referral/where-you-live").status_code == 200
    assert session_holding("Heledd").body["ended_at"] is None, "a session in use is left alone"


# roles and councils


def test_a_referrer_sees_only_their_own_councils_referrals(site):
    cardiff = site.refer("CARDIFF", external_ref="CDF-1")
    newport = site.refer("NEWPORT", external_ref="NWP-1")
    referrer = site.signed_in(site.user("referrer", "NEWPORT"))
    wait_for(lambda: referrer.get(f"/referrals/{newport}").status_code == 200, what="Newport's referral")
    own = referrer.get(f"/referrals/{newport}")
    assert "NWP-1" in own.text and "Cerys" not in own.text, "the council view, without the child's details"
    assert referrer.get(f"/referrals/{cardiff}").status_code == 404
    home = referrer.get("/").text
    assert "NWP-1" in home and "CDF-1" not in home
    assert referrer.get("/referrals").status_code == 403
    assert referrer.get(f"/referrals/{newport}/close").status_code == 403


def test_only_a_manager_allocates_or_closes(site):
    referral_id = site.refer()
    advocate = site.signed_in(site.user("advocate"))
    wait_for(lambda: advocate.get(f"/referrals/{referral_id}").status_code == 200, what="the referral")
    assert advocate.get(f"/referrals/{referral_id}/allocate").status_code == 403
    assert advocate.get(f"/referrals/{referral_id}/close").status_code == 403
    page = advocate.get(f"/referrals/{referral_id}").text
    assert f"/referrals/{referral_id}/allocate" not in page and f"/referrals/{referral_id}/close" not in page


def test_once_allocated_the_page_says_to_whom_and_offers_a_change_of_advocate_not_an_allocation(site):
    manager = site.signed_in(site.user("manager"))
    first, second = site.user("advocate"), site.user("advocate")
    handlers.update_user(site.gateway, site.councils, first, name="Ceri Jones")
    referral_id = site.refer()
    wait_for(lambda: manager.get(f"/referrals/{referral_id}").status_code == 200, what="the referral")
    assert ">Allocate</a>" in manager.get(f"/referrals/{referral_id}").text
    assert manager.submit(f"/referrals/{referral_id}/allocate", {"advocate_email": first}).status_code == 302
    record = manager.get(f"/referrals/{referral_id}").text
    assert ">Change the advocate</a>" in record and ">Allocate</a>" not in record and "Ceri Jones" in record
    for language, said, button in (("en", "Allocated to Ceri Jones.", "Change the advocate"),
                                   ("cy", "Wedi'i ddyrannu i Ceri Jones.", "Newid yr eiriolwr")):
        manager.http.cookies.set("llais_language", language)
        page = unescape(manager.get(f"/referrals/{referral_id}/allocate").text)
        assert said in page and button in re.findall(r"<button[^>]*>\s*([^<]+?)\s*</button>", page), language
        assert re.search(rf"<h1[^>]*>{button}</h1>", page), language
    manager.http.cookies.set("llais_language", "en")
    assert manager.submit(f"/referrals/{referral_id}/allocate", {"advocate_email": second}).status_code == 302
    assert "Allocated to " + site.gateway.user(second).body["name"] in unescape(
        manager.get(f"/referrals/{referral_id}/allocate").text)


def test_viewing_a_childs_record_is_audited(site):
    referral_id = site.refer()
    email = site.user("advocate")
    advocate = site.signed_in(email)
    wait_for(lambda: advocate.get(f"/referrals/{referral_id}").status_code == 200, what="the referral")
    entries = [e for e in site.audit() if e.get("referral_id") == referral_id and e["who"] == email]
    assert entries and entries[-1]["what"] == "read referral" and entries[-1]["why"].startswith("web forms")
    assert "Cerys" not in str(entries), "the audit log holds no personal data"


# the journey's forms refuse bad input and change nothing


def allocated(site, advocate_email: str | None = None) -> tuple[Visitor, str]:
    manager = site.signed_in(site.user("manager"))
    advocate_email = advocate_email or site.user("advocate")
    referral_id = site.refer()
    wait_for(lambda: manager.get(f"/referrals/{referral_id}").status_code == 200, what="the referral")
    done = manager.submit(f"/referrals/{referral_id}/allocate", {"advocate_email": advocate_email})
    assert done.status_code == 302, errors_on(done)
    return site.signed_in(advocate_email), referral_id


NEXT_YEAR = str(datetime.now().year + 1)
"""A year a meeting may be arranged in: ahead, and inside the two years the services accept (shared.validation)."""


@pytest.mark.parametrize("slug, data, expected", [
    ("contact", {"result": "reached"}, "Choose how you tried to contact the child"),
    ("contact", {"method": "pigeon", "result": "reached"}, "Choose how you tried to contact the child"),
    ("contact", {"method": "phone", "result": "reached", "note": "x" * 2001}, "2000 characters or fewer"),
    ("arrange", {"day": ["1", "13", NEXT_YEAR], "time": "10:00", "duration_minutes": "60", "venue_name": "Library",
                 "accessible": "yes", "risk_assessed": "yes", "language": "en"}, "must be a real date"),
    ("arrange", {"day": ["1", "3", NEXT_YEAR], "time": "25:00", "duration_minutes": "60", "venue_name": "Library",
                 "accessible": "yes", "risk_assessed": "yes", "language": "en"}, "24-hour clock"),
    ("arrange", {"day": ["1", "3", "2020"], "time": "10:00", "duration_minutes": "60", "venue_name": "Library",
                 "accessible": "yes", "risk_assessed": "yes", "language": "en"}, "must be today or in the future"),
    ("arrange", {"day": ["1", "3", NEXT_YEAR], "time": "10:00", "duration_minutes": "60", "venue_name": "Library",
                 "accessible": "no", "risk_assessed": "yes", "language": "en"}, "must be accessible"),
    ("arrange", {"day": ["1", "3", NEXT_YEAR], "time": "10:00", "duration_minutes": "600", "venue_name": "Library",
                 "accessible": "yes", "risk_assessed": "yes", "language": "en"}, "between 15 and 240 minutes"),
])
def test_bad_input_on_a_step_is_shown_on_the_form_and_nothing_is_stored(site, slug, data, expected):
    advocate, referral_id = allocated(site)
    before = advocate.get(f"/referrals/{referral_id}").text.count("llais-timeline")
    meetings = site.count("scheduling", "meetings")
    page = advocate.submit(f"/referrals/{referral_id}/{slug}", data)
    assert page.status_code == 200 and any(expected in e for e in errors_on(page)), errors_on(page)
    assert site.count("scheduling", "meetings") == meetings
    after = advocate.get(f"/referrals/{referral_id}")
    assert "contact attempted" not in after.text and after.text.count("llais-timeline") == before


def test_a_step_the_status_does_not_allow_is_refused_with_the_reason(site):
    advocate, referral_id = allocated(site)
    page = advocate.submit(f"/referrals/{referral_id}/record", {"took_place": "yes", "outcome": "declined"})
    assert errors_on(page) == ["This cannot be done now: the referral is Allocated."]


def test_errors_are_in_welsh_for_a_welsh_reader(site):
    advocate, referral_id = allocated(site)
    advocate.http.cookies.set("llais_language", "cy")
    page = advocate.submit(f"/referrals/{referral_id}/contact", {"result": "reached"})
    assert '<html lang="cy"' in page.text
    assert errors_on(page) and "Choose how you tried" not in errors_on(page)[0]


# the public self-referral form


def answer_every_page(visitor: Visitor, **changes: dict) -> None:
    pages = {
        "about-you": {"given_name": "Nia", "family_name": "Evans", "date_of_birth": ["2", "5", str(
            datetime.now().year - 13)], "preferred_language": "cy"},
        "where-you-live": {"council": "GWYNEDD", "situation": "looked_after"},
        "contact": {"phone": "07700 900123"},
        "your-say": {"summary": "I want to see my brother more", "share": "no"},
        "more-about-you": {"gender": "declined", "disability": "no"},
    }
    for slug, data in pages.items():
        answer = visitor.submit(f"/self-referral/{slug}", {**data, **changes.get(slug, {})})
        assert answer.status_code == 302, errors_on(answer)


def test_a_young_person_refers_themselves(site):
    visitor = site.visitor()
    assert visitor.get("/self-referral").status_code == 200
    time.sleep(3)
    answer_every_page(visitor)
    check = visitor.get("/self-referral/check")
    assert "Nia" in check.text and "Gwynedd" in check.text
    sent = visitor.submit("/self-referral/check", {})
    assert sent.status_code == 302 and sent.headers["Location"] == "/self-referral/sent"
    referrals = [d.body for d in open_store("referral", site.settings).find("referrals", limit=10_000)]
    mine = [r for r in referrals if r["child"]["given_name"] == "Nia"]
    assert len(mine) == 1 and mine[0]["source"] == "self" and mine[0]["kind"] == "issue_based"
    assert mine[0]["council"] == "GWYNEDD" and mine[0]["summary"] == "I want to see my brother more"
    assert mine[0]["consent"]["share_outcome_with_referrer"] is False
    assert mine[0]["child"]["equality"] == {"gender": "declined", "disability": "no"}, "the ethnic group not given"
    thanks = re.sub(r"<[^>]+>", " ", visitor.get("/self-referral/sent").text)
    reference = llais_reference(mine[0]["id"])
    assert re.search(rf"Your reference\s+{reference}\s", thanks), "the child has a reference to give us"
    manager = site.signed_in(site.user("manager"))
    page = wait_for(lambda: (answer := manager.get(f"/referrals/{mine[0]['id']}")).status_code == 200 and answer.text,
                    what="the referral")
    said = " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())
    assert "The child asked that their social worker is not told about this referral" in said
    assert 'class="govuk-warning-text"' in page, "said where a manager will not miss it"
    timeline = said[said.index("Timeline"):]
    assert re.search(r"Received [^,]+, [0-9:]+, the child, referring themselves", timeline), timeline
    assert "Gwynedd" not in timeline, "received from the child, not the council"
    assert visitor.get("/self-referral/check").status_code == 302, "the answers are gone once sent"


def test_a_self_referral_missing_a_way_to_reach_the_child_is_refused_on_that_question(site):
    visitor = site.visitor()
    visitor.get("/self-referral")
    for slug, data in (("about-you", {"given_name": "Nia", "family_name": "Evans", "preferred_language": "en",
                                      "date_of_birth": ["2", "5", str(datetime.now().year - 13)]}),
                       ("where-you-live", {"council": "GWYNEDD", "situation": "looked_after"})):
        assert visitor.submit(f"/self-referral/{slug}", data).status_code == 302
    before = site.count("referral", "referrals")
    page = visitor.submit("/self-referral/contact", {"carer_name": "Mam"}, follow=True)
    assert page.status_code == 200
    assert errors_on(page) == ["Give us at least one way to reach you: your phone number, your email address, or "
                               "the phone number of an adult you trust."], "spoken to the child, about their fields"
    assert visitor.get("/self-referral/your-say").status_code == 200
    assert visitor.get("/self-referral/check").status_code == 302, "not on until it is put right"
    assert site.count("referral", "referrals") == before


def test_a_date_posted_without_its_day_month_and_year_boxes_is_asked_for_again(site):
    visitor = site.visitor()
    visitor.get("/self-referral")
    for date in ({}, {"date_of_birth": ["2", "5"]}, {"date_of_birth": ["2", "5", "2013", "1"]}):
        answer = visitor.submit("/self-referral/about-you", {"given_name": "Nia", "family_name": "Evans",
                                                             "preferred_language": "cy", **date}, follow=True)
        assert answer.status_code == 200 and any("date" in e for e in errors_on(answer)), errors_on(answer)
    not_a_day = visitor.submit("/self-referral/about-you", {"given_name": "Nia", "family_name": "Evans",
                                                            "preferred_language": "cy",
                                                            "date_of_birth": ["31", "2", "2013"]}, follow=True)
    assert errors_on(not_a_day) == ["Your date of birth must be a real date, like 2 5 2011"]


def test_bots_are_turned_away_without_a_captcha(site):
    before = site.count("referral", "referrals")
    honeypot = site.visitor()
    honeypot.get("/self-referral")
    answer = honeypot.submit("/self-referral/about-you", {"given_name": "Bot", "family_name": "Bot",
                                                          "date_of_birth": ["1", "1", "2012"],
                                                          "preferred_language": "en", "hp-website": "http://spam"})
    assert answer.status_code == 400
    hasty = site.visitor()
    hasty.get("/self-referral")
    answer_every_page(hasty)
    kept = hasty.submit("/self-referral/check", {}, follow=True)
    assert kept.status_code == 200, "faster than a person can read: not sent, but nothing is lost"
    assert errors_on(kept) == ["We have kept your answers. Check them, then send them again when you are ready."]
    assert "Nia" in kept.text and site.count("referral", "referrals") == before
    time.sleep(3)
    assert hasty.submit("/self-referral/check", {}).headers["Location"] == "/self-referral/sent"


def test_a_meeting_is_arranged_moved_and_cancelled_through_the_forms(site):
    advocate, referral_id = allocated(site)
    assert advocate.submit(f"/referrals/{referral_id}/contact", {"method": "phone", "result": "reached"}
                           ).status_code == 302
    first, second = (datetime.now(timezone.utc) + timedelta(days=days) for days in (7, 8))
    arranged = wait_for(lambda: (answer := advocate.submit(f"/referrals/{referral_id}/arrange", {
        "day": [str(first.day), str(first.month), str(first.year)], "time": "10:00", "duration_minutes": "60", "venue_name": "Library",
        "accessible": "yes", "risk_assessed": "yes", "language": "cy"})).status_code == 302 and answer,
        what="the meeting to be arranged")
    assert arranged.headers["Location"] == f"/referrals/{referral_id}"
    # the referral hears of it by an event, and the form waits for that before showing the referral's page
    assert "Reschedule the meeting" in advocate.get(f"/referrals/{referral_id}").text
    asked = advocate.get(f"/referrals/{referral_id}/reschedule").text
    now_said = re.search(r'id="meeting-now".*?</dl>', asked, re.S).group(0)
    assert f"{first.day} {first.strftime('%B %Y')}, 10:00" in now_said and "Library" in now_said
    for field, value in (("day-day", first.day), ("day-month", first.month), ("day-year", first.year),
                         ("time", "10:00"), ("venue_name", "Library")):
        assert re.search(rf'id="{field}"[^>]*value="{value}"', asked), (field, "filled in as it stands")
    token = advocate.token(f"/referrals/{referral_id}/reschedule")
    reads = len([e for e in site.audit() if e.get("referral_id") == referral_id and e["what"] == "read referral"])
    moved = advocate.submit(f"/referrals/{referral_id}/reschedule", {
        "day": [str(second.day), str(second.month), str(second.year)], "time": "11:30", "venue_name": "Youth centre",
        "venue_address": "1 Heol y Frenhines", "accessible": "yes", "risk_assessed": "yes",
        "reason": "The child has a dentist"}, token=token)
    assert moved.status_code == 302, errors_on(moved)
    assert len([e for e in site.audit() if e.get("referral_id") == referral_id and e["what"] == "read referral"]
               ) == reads + 1, "waiting for the referral to hear of it is not a view of the child's record"
    shown = f"{second.day} {second.strftime('%B %Y')}, 11:30"
    assert shown in advocate.get(f"/referrals/{referral_id}").text
    assert wait_for(lambda: "Youth centre" in advocate.get(f"/referrals/{referral_id}").text,
                    what="the referral to name the new venue")
    cancelled = advocate.submit(f"/referrals/{referral_id}/cancel", {"reason": "The child moved placement"})
    assert cancelled.status_code == 302, errors_on(cancelled)
    assert "Contacting" in advocate.get(f"/referrals/{referral_id}").text


def test_a_clash_in_the_diary_names_the_booking_in_the_way_in_the_readers_words(site):
    advocate_email = site.user("advocate")
    advocate, first = allocated(site, advocate_email)
    _, second = allocated(site, advocate_email)
    day = datetime.now(timezone.utc) + timedelta(days=7)
    meeting = {"day": [str(day.day), str(day.month), str(day.year)], "duration_minutes": "60",
               "venue_name": "Library", "accessible": "yes", "risk_assessed": "yes", "language": "cy"}
    booked = wait_for(lambda: (answer := advocate.submit(f"/referrals/{first}/arrange", {**meeting, "time": "10:00"})
                               ).status_code == 302 and answer, what="the first meeting to be arranged")
    assert booked.status_code == 302
    advocate.http.cookies.set("llais_language", "cy")
    clash = advocate.submit(f"/referrals/{second}/arrange", {**meeting, "time": "10:30"})
    (said,) = errors_on(clash)
    assert said.startswith("Mae gan yr eiriolwr gyfarfod yn barod o ") and "Dewiswch amser arall" in said
    assert "o 10yb tan 11yb ddydd " in said, "the booking in the way, not the time asked for"
    assert "+00:00" not in said and "T10" not in said, "times as people read them"


def test_the_public_complaint_form_refuses_bad_input_and_bots_and_takes_a_complaint(site):
    before = site.count("complaints", "complaints")
    visitor = site.visitor()
    token = visitor.token("/complaints/new")
    time.sleep(3)
    empty = visitor.submit("/complaints/new", {}, token=token, follow=True)
    assert empty.status_code == 200 and "Tell us what happened" in errors_on(empty)
    no_way_back = visitor.submit("/complaints/new", {"kind": "complaint", "made_by": "parent", "about": "No call",
                                                     "wants_reply": "yes", "language": "en"}, token=token,
                                 follow=True)
    assert any("email address or a phone number" in e for e in errors_on(no_way_back)), errors_on(no_way_back)
    bot = visitor.submit("/complaints/new", {"kind": "compliment", "made_by": "other", "about": "x",
                                             "wants_reply": "no", "language": "en", "hp-website": "spam"}, token=token)
    assert bot.status_code == 400
    assert site.count("complaints", "complaints") == before
    hasty = site.visitor()
    answer = hasty.submit("/complaints/new", {"kind": "compliment", "made_by": "other", "about": "Thanks",
                                              "wants_reply": "no", "language": "en"}, follow=True)
    assert answer.status_code == 200, "sent faster than a person reads the page: not sent, but kept"
    assert errors_on(answer) == ["Your answers are kept. Check them, then send them again."]
    assert ">Thanks</textarea>" in answer.text and site.count("complaints", "complaints") == before
    made = visitor.submit("/complaints/new", {"kind": "complaint", "made_by": "parent", "about": "No call back",
                                              "phone": "07700 900123", "wants_reply": "yes", "language": "cy",
                                              "council": "CARDIFF"}, token=token)
    assert made.status_code == 302 and made.headers["Location"] == "/complaints/sent"
    assert site.count("complaints", "complaints") == before + 1
    link = re.search(r'href="(/complaints/followed/[^"]+)"', visitor.get("/complaints/sent").text).group(1)
    progress = site.visitor().get(link)
    assert progress.status_code == 200 and "Your complaint" in progress.text and "No call back" not in progress.text
    assert "0808 801 1000" in progress.text and "0800 528 0731" not in progress.text, "Cardiff is in Wales"
    assert site.visitor().get("/complaints/followed/" + "x" * 32).status_code == 404


def test_case_and_complaint_pages_are_for_staff_and_complaints_for_managers(site):
    advocate = site.signed_in(site.user("advocate"))
    assert advocate.get("/cases").status_code == 200
    assert advocate.get("/complaints").status_code == 403
    referrer = site.signed_in(site.user("referrer", "CARDIFF"))
    assert referrer.get("/cases").status_code == 403 and referrer.get("/complaints").status_code == 403
    assert site.visitor().get("/cases").status_code == 302


def refer_osian(referrer: Visitor, *, about: dict | None = None, you: dict | None = None) -> None:
    """Answer every page of /refer for Osian, 12, who prefers Welsh, up to the check page (`about` and `you` add to
    or change those pages' answers)."""
    born = ["2", "5", str(datetime.now().year - 12)]
    pages = {
        "child": {"given_name": "Osian", "family_name": "Hughes", "date_of_birth": born, "preferred_language": "cy",
                  "interpreter_needed": "no"},
        "contact": {"phone": "07700 900123"},
        "about": {"kind": "issue_based", "basis": "care_and_support", **(about or {})},
        "equality": {},
        "consent": {flag: "yes" for flag in ("child_informed", "child_agrees", "share_arrangements_with_referrer",
                                             "share_outcome_with_referrer")},
        "you": {"name": "Sian Evans", "preferred_language": "en", **(you or {})},
    }
    for slug, data in pages.items():
        answer = referrer.submit(f"/refer/{slug}", data)
        assert answer.status_code == 302, errors_on(answer)


def test_a_social_worker_records_the_headline_groups_facts_or_leaves_them_unanswered(site):
    referrer = site.signed_in(site.user("referrer", "CARDIFF"))
    refer_osian(referrer, about={"placed_out_of_county": "yes"}, you={"organisation_type": "third_sector"})
    check = referrer.get("/refer/check").text
    assert "Third-sector organisation" in check and "Not given" in check, "the question left unanswered"
    assert referrer.submit("/refer/check", {}).headers["Location"] == "/refer/sent"
    referrals = [d.body for d in open_store("referral", site.settings).find("referrals", limit=10_000)]
    (sent,) = [r for r in referrals if r["child"]["given_name"] == "Osian"]
    assert (sent["placed_out_of_county"], sent["unaccompanied_asylum_seeking"]) == (True, None)
    assert "equality" not in sent["child"], "equality monitoring not asked is not recorded"
    assert sent["referrer"]["organisation_type"] == "third_sector"


def test_the_meeting_forms_take_the_venues_type_and_refuse_an_interpreter_at_a_meeting_not_held(site):
    advocate, referral_id = allocated(site)
    assert advocate.submit(f"/referrals/{referral_id}/contact", {"method": "phone", "result": "reached"}
                           ).status_code == 302
    day = datetime.now(timezone.utc) + timedelta(days=9)
    arranged = wait_for(lambda: (answer := advocate.submit(f"/referrals/{referral_id}/arrange", {
        "day": [str(day.day), str(day.month), str(day.year)], "time": "11:00", "duration_minutes": "60",
        "venue_name": "Ysgol y Wern", "accessible": "yes", "risk_assessed": "yes", "language": "en",
        "venue_type": "school"})).status_code == 302 and answer, what="the meeting to be arranged")
    assert arranged.status_code == 302
    meetings = [d.body for d in open_store("scheduling", site.settings).find("meetings", limit=10_000)]
    (meeting,) = [m for m in meetings if m["referral_id"] == referral_id]
    assert meeting["venue"]["type"] == "school"
    advocate.http.cookies.set("llais_language", "cy")
    page = wait_for(lambda: (answer := advocate.submit(f"/referrals/{referral_id}/record", {
        "took_place": "no", "reason_not_held_code": "child_unavailable", "reason_not_held_note": "Roedd y plentyn yn sâl",
        "interpreter_used": "yes"})
        ).status_code == 200 and answer, what="the record form to answer")
    assert errors_on(page) == ["Dywedwch a ddefnyddiwyd cyfieithydd dim ond os cynhaliwyd y cyfarfod."]
