"""Consent decides what a council ever sees, whichever way a referral starts (a property over consent x source).

Every way a referral reaches the service is driven through the real gateway and the real services of the embedded
platform: a council's API call, a social worker's `/refer` form, a young person's `/self-referral` form (in English
or Welsh), the issue-based referral an Active Offer's take-up opens, and an opt-out. For each, what the child agreed
to decides whether the referral's council ever sees it: in its API list and read, in its social worker's web pages,
and in the webhooks and emails notify queues, acknowledgements included. What the child did agree to still flows.

The web forms run through Flask's test client on a gateway of the platform's own settings, each visitor from its
own address so the public form's per-address limits stay out of the way.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from shared.config import Settings
from shared.councils import CouncilRegister
from shared.store import find_all, open_store
from services.gateway import handlers as gateway_handlers
from services.gateway.app import create_app
from services.gateway.store import GatewayStore
from services.gateway.web import refer
from services.platform import Embedded
from tests.examples import example_referral
from tests.integration.bus.support import wait_for

COUNCIL, OTHER_COUNCIL = "GWYNEDD", "CARDIFF"
PASSWORD = "a long enough password"
SECRET = "s" * 32
ARRANGEMENTS, OUTCOME = "share_arrangements_with_referrer", "share_outcome_with_referrer"
ARRANGEMENT_FIELDS, OUTCOME_FIELDS = ("starts_at", "venue"), ("outcome", "follow_on_referral_id")
SOURCES = ("self_referral", "take_up", "council_api", "refer_form", "opt_out")
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
VENUE = {"name": "Ysgol y Wern", "address": "Heol y Wern", "accessible": True, "risk_assessed": True}


class Receiver:
    """The council's webhook endpoint: answers 204 to everything."""

    def __call__(self, environ, start_response):
        Request(environ).get_data()
        return Response(status=204)(environ, start_response)


class Browser:
    """A visitor on the gateway through Flask's test client: its own address, cookies, forms with CSRF tokens."""

    addresses = iter(range(1, 60_000))

    def __init__(self, app, language: str = "en"):
        self.client = app.test_client()
        n = next(self.addresses)
        self.client.environ_base.update(REMOTE_ADDR=f"10.9.{n // 250}.{n % 250 + 1}", HTTP_ACCEPT_LANGUAGE=language)

    def get(self, path: str):
        return self.client.get(path)

    def submit(self, path: str, data: dict, form_path: str | None = None):
        page = self.get(form_path or path)
        assert page.status_code == 200, (path, page.status_code)
        match = TOKEN.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {path}"
        return self.client.post(path, data={"csrf_token": match.group(1) or match.group(2), **data})


class Platform:
    """The embedded platform with a council that has a webhook and a signed-in social worker, a manager, and one
    referral of another council (whose 404 a hidden referral's must equal)."""

    def __init__(self, embedded: Embedded, receiver_url: str):
        self.embedded = embedded
        self.app = create_app(embedded.settings)
        self.gateway = GatewayStore(open_store("gateway", embedded.settings))
        self.councils = CouncilRegister.load()
        self._stores: dict[str, Any] = {}
        self.keys = {council: {"Authorization": "Bearer " + gateway_handlers.create_api_key(
            self.gateway, self.councils, council)} for council in (COUNCIL, OTHER_COUNCIL)}
        for key in self.keys.values():
            assert self.api("PUT", "/api/v1/webhook", key, {"url": receiver_url, "secret": SECRET})[0] == 200
        _, self.manager = self.staff("manager")
        status, answer = self.api("POST", "/api/v1/referrals", self.keys[OTHER_COUNCIL], example_referral())
        assert status == 201, answer
        self.elsewhere = answer["id"]
        email = f"referrer-{uuid.uuid4().hex[:6]}@{COUNCIL.lower()}.example"
        gateway_handlers.create_user(self.gateway, self.councils, email, "referrer", COUNCIL, PASSWORD)
        self.referrer = Browser(self.app)
        assert self.referrer.submit("/sign-in", {"email": email, "password": PASSWORD}).status_code == 302

    def store(self, service: str):
        if service not in self._stores:
            self._stores[service] = open_store(service, self.embedded.settings)
        return self._stores[service]

    def api(self, method: str, path: str, headers: dict, body: Any = None):
        answer = self.app.test_client().open(path, method=method, headers=headers, json=body)
        return answer.status_code, answer.get_json(silent=True)

    def staff(self, role: str) -> tuple[str, dict]:
        email = f"{role}-{uuid.uuid4().hex[:8]}@provider.example"
        gateway_handlers.create_user(self.gateway, self.councils, email, role, None, PASSWORD)
        return email, {"Authorization": f"Bearer {gateway_handlers.create_token(self.gateway, email)}"}


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    settings = replace(Settings(), data_dir=tmp_path_factory.mktemp("consent"),
                       bus_prefix=f"consent-{uuid.uuid4().hex[:8]}", cookie_secure=False,
                       sign_in_rate_limit="1000 per minute", public_form_rate_limit="1000 per hour",
                       strict_queries=True, webhook_allow_private=True)
    receiver = make_server("127.0.0.1", 0, Receiver(), threaded=True)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    embedded = Embedded(settings, port=0)
    embedded.start()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(refer, "MIN_SECONDS_TO_FILL", 0)  # the bot check's reading time, not under test here
            yield Platform(embedded, f"http://127.0.0.1:{receiver.server_port}/hook")
    finally:
        embedded.stop()
        receiver.shutdown()


# the ways a referral starts


def referral_body(consent: dict, language: str) -> dict:
    body = example_referral()
    body["kind"] = "active_offer" if consent["child_informed"] and consent["child_agrees"] else "issue_based"
    body["external_ref"] = f"REF-{uuid.uuid4().hex[:10]}"
    body["referrer"]["preferred_language"] = language
    body["consent"] = dict(consent)
    return body


def by_council_api(platform: Platform, consent: dict, language: str) -> list[tuple[str, dict]]:
    status, answer = platform.api("POST", "/api/v1/referrals", platform.keys[COUNCIL],
                                  referral_body(consent, language))
    assert status == 201, answer
    return [(answer["id"], consent)]


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def by_refer_form(platform: Platform, consent: dict, language: str) -> list[tuple[str, dict]]:
    """A council's social worker, signed in, answers `/refer` page by page and sends it."""
    social_worker = platform.referrer
    social_worker.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    born = datetime.now().year - 12
    kind = "active_offer" if consent["child_informed"] and consent["child_agrees"] else "issue_based"
    pages = {
        "child": {"given_name": "Cerys", "family_name": "Jones", "date_of_birth": ["2", "5", str(born)],
                  "preferred_language": language, "interpreter_needed": "no"},
        "contact": {"phone": "07700 900123"},
        "about": {"kind": kind, "basis": "looked_after", "external_ref": f"WEB-{uuid.uuid4().hex[:10]}"},
        "equality": {},
        "consent": {flag: yes_no(consent[flag]) for flag in ("child_informed", "child_agrees", ARRANGEMENTS,
                                                             OUTCOME)},
        "you": {"name": "Sian Evans", "preferred_language": language},
    }
    for slug, data in pages.items():
        answer = social_worker.submit(f"/refer/{slug}", data)
        if slug == "consent" and consent["child_agrees"] and not consent["child_informed"]:
            assert answer.headers["Location"] == "/refer/consent", "a child not told cannot have agreed: refused"
            social_worker.get("/refer/consent")  # the refusal read, as the browser would
            return []
        assert answer.status_code == 302 and answer.headers["Location"] != f"/refer/{slug}", (
            slug, answer.get_data(as_text=True)[:2000])
    sent = social_worker.submit("/refer/check", {})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/refer/sent")
    referral_id = _by_external_ref(platform, pages["about"]["external_ref"])
    return [(referral_id, consent)]


def by_self_referral(platform: Platform, consent: dict, language: str) -> list[tuple[str, dict]]:
    """A young person answers `/self-referral`; "Can we tell your social worker?" is answered from the drawn
    arrangements flag, and the rest of the consent is what the form records."""
    share = consent[ARRANGEMENTS]
    child = Browser(platform.app, language)
    name = f"Nia{uuid.uuid4().hex[:8]}"
    assert child.get("/self-referral").status_code == 200
    pages = {
        "about-you": {"given_name": name, "family_name": "Evans",
                      "date_of_birth": ["2", "5", str(datetime.now().year - 13)], "preferred_language": language},
        "where-you-live": {"council": COUNCIL, "situation": "looked_after"},
        "contact": {"phone": "07700 900123", "email": f"{name.lower()}@example.org"},
        "your-say": {"summary": "I want to see my brother more", "share": yes_no(share)},
        "more-about-you": {},
    }
    for slug, data in pages.items():
        answer = child.submit(f"/self-referral/{slug}", data)
        assert answer.status_code == 302, (slug, answer.get_data(as_text=True)[:2000])
    sent = child.submit("/self-referral/check", {})
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/self-referral/sent")
    referrals = platform.store("referral").find("referrals", {"child.given_name": name}, limit=2)
    assert len(referrals) == 1
    recorded = referrals[0].body
    assert recorded["source"] == "self"
    assert recorded["consent"] == {"child_informed": True, "child_agrees": True, ARRANGEMENTS: share,
                                   OUTCOME: share}, "the child's answer is what gates the council"
    return [(recorded["id"], recorded["consent"])]


def by_take_up(platform: Platform, consent: dict, language: str, later: dict) -> list[tuple[str, dict]]:
    """An Active Offer referred with `consent`, met, and taken up with the consent the child gives at the meeting
    (`later`): the Active Offer, and the issue-based referral its take-up opens."""
    first = {**consent, "child_informed": True, "child_agrees": True}
    status, answer = platform.api("POST", "/api/v1/referrals", platform.keys[COUNCIL], {
        **referral_body(first, language), "kind": "active_offer"})
    assert status == 201, answer
    active_offer = answer["id"]
    email, advocate = platform.staff("advocate")
    assert platform.api("POST", f"/api/v1/referrals/{active_offer}/allocate", platform.manager,
                        {"advocate_email": email})[0] == 200
    scheduling = platform.store("scheduling")
    wait_for(lambda: (case := scheduling.get("cases", active_offer)) and case.body.get("advocate_email") == email,
             timeout=20, what="scheduling to learn of the allocation")
    starts = datetime.now(timezone.utc) + timedelta(seconds=1)
    status, meeting = platform.api("POST", f"/api/v1/referrals/{active_offer}/meetings", advocate, {
        "starts_at": starts.isoformat(), "duration_minutes": 60, "venue": VENUE, "language": language})
    assert status == 201, meeting
    time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds()) + 0.05)
    status, recorded = platform.api("POST", f"/api/v1/meetings/{meeting['id']}/record", advocate, {
        "took_place": True, "outcome": "take_up", "consent": later})
    assert status == 200, recorded
    follow_on = recorded["follow_on_referral_id"]
    wait_for(lambda: platform.store("referral").get("referrals", follow_on), timeout=20,
             what="the take-up's referral")
    for event_type in ("meeting.arranged", "active_offer.completed", "referral.closed"):
        _wait_for_notify(platform, active_offer, event_type)
    return [(active_offer, {**first, **later}), (follow_on, {**first, **later})]


def by_opt_out(platform: Platform, consent: dict, language: str) -> list[tuple[str, dict]]:
    """A stage-1 offer the child opted out of: recorded for monitoring, never a referral the council is told of."""
    status, answer = platform.api("POST", "/api/v1/opt-outs", platform.keys[COUNCIL], {
        "basis": "looked_after", "date_of_birth": f"{datetime.now().year - 12}-05-02", "reason": "Not now",
        "offered_at": (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat(),
        "external_ref": f"OPT-{uuid.uuid4().hex[:10]}"})
    assert status == 201, answer
    return [(answer["id"], {})]


# what the council is shown


def _by_external_ref(platform: Platform, external_ref: str) -> str:
    (document,) = platform.store("referral").find("referrals", {"external_ref": external_ref}, limit=2)
    return document.id


def _wait_for_notify(platform: Platform, referral_id: str, event_type: str) -> None:
    """Until notify has made (or refused) its messages for the referral's event."""
    notify = platform.store("notify")
    where = {"referral_id": referral_id, "type": event_type}
    wait_for(lambda: notify.find("deliveries", where, limit=1) or notify.find("unsent", where, limit=1),
             timeout=20, what=f"notify to handle {event_type}")


def expected_visible(source: str, recorded: dict, follow_on: bool) -> bool:
    """The rule, as the issue states it: the council's own referrals it always knows of; a child's own request
    only if they agreed to share with it; a take-up's referral only if the outcome may be shared."""
    if source == "self_referral":
        return recorded[ARRANGEMENTS] or recorded[OUTCOME]
    if follow_on:
        return recorded[OUTCOME]
    return True


def council_list(platform: Platform) -> set[str]:
    seen, cursor = set(), None
    while True:
        query = f"?limit=200{'&cursor=' + cursor if cursor else ''}"
        status, page = platform.api("GET", f"/api/v1/referrals{query}", platform.keys[COUNCIL])
        assert status == 200, page
        seen |= {item["id"] for item in page["items"]}
        if not (cursor := page["next"]):
            return seen


def messages_about(platform: Platform, referral_id: str) -> list[dict]:
    """The messages about a referral that leave for the council's side (its system, its referrer); the provider's
    own staff are told of their work by email too, with no more than the reference and a link."""
    every = [d.body for d in find_all(platform.store("notify"), "deliveries", {"referral_id": referral_id})]
    for staff in (m for m in every if m.get("audience", "referrer") != "referrer"):
        assert "Cerys" not in staff["body"] and "Nia" not in staff["body"], "no child's name in a staff email"
    return [m for m in every if m.get("audience", "referrer") == "referrer"]


def revealed(message: dict) -> set[str]:
    """The consent-governed fields a queued message carries."""
    data = json.loads(message["payload"])["data"] if message["channel"] == "webhook" else {}
    fields = {f for f in (*ARRANGEMENT_FIELDS, *OUTCOME_FIELDS) if data.get(f) is not None}
    if message["channel"] == "email" and VENUE["name"] in message["body"]:
        fields.add("venue")
    return fields


consents = st.fixed_dictionaries({"child_informed": st.booleans(), "child_agrees": st.booleans(),
                                  ARRANGEMENTS: st.booleans(), OUTCOME: st.booleans()})
later_consents = st.fixed_dictionaries({ARRANGEMENTS: st.booleans(), OUTCOME: st.booleans()})
NO = {"child_informed": True, "child_agrees": True, ARRANGEMENTS: False, OUTCOME: False}
YES = {**NO, ARRANGEMENTS: True, OUTCOME: True}


# Every source meets the child's plain no (in Welsh, the issue's own case) and plain yes, then 4 drawn consents of
# its own, the same on every run (derandomize): a take-up costs about two seconds, the rest well under one.
@pytest.mark.parametrize("source", SOURCES)
@settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(consent=consents, later=later_consents, language=st.sampled_from(["en", "cy"]))
@example(consent=NO, later={ARRANGEMENTS: False, OUTCOME: False}, language="cy")
@example(consent=YES, later={ARRANGEMENTS: True, OUTCOME: True}, language="en")
@example(consent={**YES, "child_agrees": False}, later={ARRANGEMENTS: True, OUTCOME: False}, language="cy")
def test_a_council_sees_exactly_what_the_child_agreed_to_whichever_way_the_referral_started(
        platform, source, consent, later, language):
    listed_before = council_list(platform)
    if source == "take_up":
        made = by_take_up(platform, consent, language, later)
    else:
        made = {"council_api": by_council_api, "refer_form": by_refer_form, "self_referral": by_self_referral,
                "opt_out": by_opt_out}[source](platform, consent, language)
    for referral_id, _ in made:
        if source != "opt_out":
            _wait_for_notify(platform, referral_id, "referral.acknowledged")

    listed = council_list(platform)
    home = platform.referrer.get("/").get_data(as_text=True)
    _, foreign = platform.api("GET", f"/api/v1/referrals/{platform.elsewhere}", platform.keys[COUNCIL])
    for referral_id, recorded in made:
        if source == "opt_out":
            assert listed == listed_before and referral_id not in listed, "an opt-out is no referral"
            assert messages_about(platform, referral_id) == []
            continue
        follow_on = source == "take_up" and referral_id == made[-1][0]
        visible = expected_visible(source, recorded, follow_on)
        status, view = platform.api("GET", f"/api/v1/referrals/{referral_id}", platform.keys[COUNCIL])
        page = platform.referrer.get(f"/referrals/{referral_id}")
        messages = messages_about(platform, referral_id)
        if not visible:
            assert referral_id not in listed, "never in the council's list"
            assert (status, view) == (404, foreign), "read as absent as another council's"
            assert page.status_code == 404 and f"/referrals/{referral_id}" not in home, "nor on its web pages"
            assert messages == [], "no webhook and no email is even queued, not even an acknowledgement"
            refusals = find_all(platform.store("notify"), "unsent", {"referral_id": referral_id})
            assert refusals and all(r["basis"] == "withheld" for r in (d.body for d in refusals)), \
                "what was withheld, and why, is recorded"
            continue
        assert referral_id in listed and status == 200 and page.status_code == 200
        assert f"/referrals/{referral_id}" in home
        shown = {*(f for f in OUTCOME_FIELDS if f in view), *(f for f in ARRANGEMENT_FIELDS if f in view["meeting"])}
        acknowledgements = [m for m in messages if m["type"] == "referral.acknowledged"]
        assert any(m["channel"] == "webhook" for m in acknowledgements), "what the child agreed to still flows"
        emailed = [m for m in acknowledgements if m["channel"] == "email"]
        assert bool(emailed) is (source != "self_referral"), "the professional who referred hears; a child is " \
                                                             "not sent professionals' notices"
        if not recorded[OUTCOME]:
            assert not shown & set(OUTCOME_FIELDS)
            assert all(not revealed(m) & set(OUTCOME_FIELDS) for m in messages)
            assert not any(m["type"] == "active_offer.completed" for m in messages)
        if not recorded[ARRANGEMENTS]:
            assert not shown & set(ARRANGEMENT_FIELDS)
        if source == "take_up" and not follow_on:
            arranged = [m for m in messages if m["type"] == "meeting.arranged"]
            assert bool(arranged) is consent[ARRANGEMENTS], "arrangements flow exactly as agreed when made"
            completed = [m for m in messages if m["type"] == "active_offer.completed"]
            assert bool(completed) is later[OUTCOME]
            assert ("follow_on_referral_id" in view) is later[OUTCOME]

