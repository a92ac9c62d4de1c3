"""The Active Offer, end to end, as separate processes on the real RabbitMQ: for every outcome and every
combination of the two sharing consents, what the council reads, which webhooks and emails went out, and which
were withheld."""

from __future__ import annotations

import base64
import itertools
import json
import os
import secrets
import subprocess
import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from services import SERVICES
from tests.conftest import delete_by_prefix
from tests.e2e.conftest import free_port_block, stop_group, verify_standard_webhook, wait_until_up
from tests.e2e.test_walking_skeleton import LLAIS, admin
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.notify.test_dispatch import Inbox

VENUE = {"name": "Canolfan Ieuenctid", "address": "Stryd y Castell", "accessible": True, "risk_assessed": True}
SECRET = "whsec_" + base64.b64encode(b"journey-secret-of-32-bytes-long!").decode()


@pytest.fixture(scope="module")
def platform(broker_url, tmp_path_factory):
    from aiosmtpd.controller import Controller
    from werkzeug.serving import make_server
    from werkzeug.wrappers import Request, Response

    import threading

    port = free_port_block(len(SERVICES) + 1)  # the services, then the mail server
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port + len(SERVICES))
    smtp.start()
    hooks = []

    @Request.application
    def receive(request):
        hooks.append((dict(request.headers), request.get_data()))
        return Response(status=204)

    receiver = make_server("127.0.0.1", 0, receive, threaded=True)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()

    prefix = f"test-{uuid.uuid4().hex[:10]}"
    data = tmp_path_factory.mktemp("journey")
    env = {**os.environ, "AMQP_URL": broker_url, "LLAIS_DATA": str(data), "LLAIS_BUS_PREFIX": prefix,
           "PORT": str(port), "LLAIS_INTERNAL_TOKEN": secrets.token_hex(16), "LLAIS_RETRY_DELAYS": "0.5,1",
           "LLAIS_SMTP_URL": f"smtp://127.0.0.1:{port + len(SERVICES)}", "LLAIS_WEBHOOK_ALLOW_PRIVATE": "true"}
    env.pop("MONGO_URL", None)
    log = open(data / "up.log", "w")
    process = subprocess.Popen([LLAIS, "up"], env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        for offset in range(len(SERVICES)):
            wait_until_up(f"http://127.0.0.1:{port + offset}/healthz", timeout=90)
        gateway = f"http://127.0.0.1:{port}"
        manager, advocate = f"manager-{prefix}@provider.example", f"advocate-{prefix}@provider.example"
        for email, role in ((manager, "manager"), (advocate, "advocate")):
            admin(env, "create-user", "--email", email, "--role", role, "--password-stdin",
                  stdin="a long enough password\n")
        council = {"Authorization": f"Bearer {admin(env, 'create-api-key', '--council', 'CARDIFF')}"}
        answer = requests.put(f"{gateway}/api/v1/webhook", headers=council, timeout=10,
                              json={"url": f"http://127.0.0.1:{receiver.server_port}/hook", "secret": SECRET})
        assert answer.status_code == 200
        yield {
            "gateway": gateway, "council": council, "hooks": hooks, "inbox": inbox, "advocate_email": advocate,
            "notify": f"http://127.0.0.1:{port + SERVICES.index('notify')}",
            "internal": {"X-Llais-Internal-Token": env["LLAIS_INTERNAL_TOKEN"]},
            "manager": {"Authorization": f"Bearer {admin(env, 'create-token', '--email', manager)}"},
            "advocate": {"Authorization": f"Bearer {admin(env, 'create-token', '--email', advocate)}"},
        }
    finally:
        stop_group(process)
        log.close()
        receiver.shutdown()
        smtp.stop()
        delete_by_prefix(broker_url, prefix)


def post(p, path, who, body):
    return requests.post(f"{p['gateway']}{path}", json=body, headers=p[who], timeout=15)


def council_view(p, referral_id):
    return requests.get(f"{p['gateway']}/api/v1/referrals/{referral_id}", headers=p["council"], timeout=10).json()


def hooks_for(p, referral_id):
    found = {}
    for headers, body in list(p["hooks"]):
        message = json.loads(body)
        if message["data"].get("referral_id") == referral_id:
            found[message["type"]] = (headers, body, message)
    return found


def walk(p, arrangements: bool, outcome_consent: bool, outcome: str | None) -> tuple[str, dict]:
    """One referral from the council's POST to the recorded meeting; returns its id and the meeting record."""
    body = example_referral()
    body["external_ref"] = f"MOSAIC-{uuid.uuid4().hex[:8]}"
    body["referrer"]["email"] = f"sw-{uuid.uuid4().hex[:8]}@cardiff.example"
    body["consent"].update(share_arrangements_with_referrer=arrangements, share_outcome_with_referrer=outcome_consent)
    referral_id = post(p, "/api/v1/referrals", "council", body).json()["id"]
    wait_for(lambda: council_view(p, referral_id)["deadlines"], what="deadlines")
    assert post(p, f"/api/v1/referrals/{referral_id}/allocate", "manager",
                {"advocate_email": p["advocate_email"]}).status_code == 200
    assert post(p, f"/api/v1/referrals/{referral_id}/contact-attempts", "advocate",
                {"method": "phone", "result": "reached"}).status_code == 201
    def arrange():
        starts = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=3)
        answer = post(p, f"/api/v1/referrals/{referral_id}/meetings", "advocate",
                      {"starts_at": starts.isoformat(), "duration_minutes": 15, "venue": VENUE, "language": "cy"})
        return answer if answer.status_code != 409 else None  # until scheduling has heard of the allocation

    meeting = wait_for(arrange, what="the meeting to be arranged").json()
    assert meeting["status"] == "arranged", meeting
    wait_for(lambda: council_view(p, referral_id)["status"] == "meeting_arranged", what="meeting_arranged")
    starts = datetime.fromisoformat(meeting["starts_at"])
    time.sleep(max(0.0, (starts - datetime.now(timezone.utc)).total_seconds()) + 0.1)
    record = {"took_place": True, "outcome": outcome, "topics_covered": ["advocate_role"]} if outcome else {
        "took_place": False, "reason_not_held_code": "child_unavailable", "reason_not_held_note": "The child was ill"}
    if outcome in ("declined", "reflecting"):
        record["contact_details_given"] = True
    if outcome == "declined":
        record.update(decline_reason_code="support_elsewhere", decline_reason_note="Happy with the support they have")
    if outcome == "other_support":
        record["other_support_type"] = "informal"
    recorded = post(p, f"/api/v1/meetings/{meeting['id']}/record", "advocate", record)
    assert recorded.status_code == 200, recorded.text
    return referral_id, {**recorded.json(), "referrer_email": body["referrer"]["email"]}


CASES = [(a, o, outcome) for a, o in itertools.product([True, False], repeat=2)
         for outcome in ("take_up", "declined", "reflecting", "other_support")]


@pytest.mark.parametrize("arrangements, outcome_consent, outcome", CASES)
def test_the_active_offer_for_every_outcome_and_consent(platform, arrangements, outcome_consent, outcome):
    p = platform
    referral_id, meeting = walk(p, arrangements, outcome_consent, outcome)
    view = wait_for(lambda: (v := council_view(p, referral_id))["status"] == "closed" and v, what="closed")

    # what the council reads
    assert view["meeting_took_place"] is True and view["meeting"]["status"] == "held"
    assert ("starts_at" in view["meeting"] and "venue" in view["meeting"]) is arrangements
    assert ("outcome" in view) is outcome_consent
    assert ("named_advocate" in view and "support_type" in view) is outcome_consent
    if outcome_consent:
        assert view["outcome"] == outcome
        assert ("follow_on_referral_id" in view) is (outcome == "take_up")
        assert view["support_type"] == {"take_up": "issue_based_advocacy", "other_support": "informal"}.get(
            outcome, "none")

    if outcome == "take_up":
        follow_on = meeting["follow_on_referral_id"]
        seen = requests.get(f"{p['gateway']}/api/v1/referrals/{follow_on}", headers=p["council"], timeout=10)
        assert seen.status_code == (200 if outcome_consent else 404), "a take-up's follow-on tells the outcome"
        listed = requests.get(f"{p['gateway']}/api/v1/referrals", headers=p["council"], params={"limit": 200},
                              timeout=10).json()["items"]
        assert (follow_on in [r["id"] for r in listed]) is outcome_consent or len(listed) == 200

    # which webhooks went out, and what they said
    expected = {"referral.acknowledged", "meeting.took_place", "referral.closed"}
    expected |= {"meeting.arranged"} if arrangements else set()
    expected |= {"active_offer.completed"} if outcome_consent else set()
    hooks = wait_for(lambda: (h := hooks_for(p, referral_id)) and expected <= set(h) and h, what=f"{expected}")
    time.sleep(1.0)
    hooks = hooks_for(p, referral_id)
    assert set(hooks) == expected
    for headers, body, message in hooks.values():
        verify_standard_webhook(SECRET, type("Received", (), {"headers": headers, "body": body})())
        text = json.dumps(message)
        assert "Cerys" not in text and "07700" not in text
        if not arrangements:
            assert "Canolfan" not in text
        if not outcome_consent:
            assert outcome not in text and "named_advocate" not in text and "support_type" not in text
    if outcome_consent:
        told = hooks["active_offer.completed"][2]["data"]
        # the webhook names the advocate by work email; these accounts have no name, so the API does the same
        assert (told["named_advocate"], told["support_type"]) == (view["named_advocate"], view["support_type"])
    closed = hooks["referral.closed"][2]["data"]
    assert closed["meeting_took_place"] is True and ("outcome" in closed) is outcome_consent

    # which emails the referrer got, in their language
    subjects = wait_for(lambda: [m for to, m in p["inbox"].messages if meeting["referrer_email"] in to]
                        and len([m for to, m in p["inbox"].messages if meeting["referrer_email"] in to])
                        >= len(expected) and [m for to, m in p["inbox"].messages if meeting["referrer_email"] in to],
                        what="the referrer's emails")
    follow_on_told = outcome == "take_up" and outcome_consent  # its own acknowledgement, with consent only
    time.sleep(0.5)
    subjects = [m for to, m in p["inbox"].messages if meeting["referrer_email"] in to]
    assert len(subjects) == len(expected) + follow_on_told
    assert any("Referral closed" in m for m in subjects)
    assert any("Canolfan" in m for m in subjects) is arrangements

    # and what was withheld, with why
    withheld = requests.get(f"{p['notify']}/withheld", params={"referral_id": referral_id}, headers=p["internal"],
                            timeout=10).json()["items"]
    withheld_types = {w["type"] for w in withheld if w["basis"] == "withheld"}
    assert withheld_types == ({"meeting.arranged"} if not arrangements else set()) | (
        {"active_offer.completed"} if not outcome_consent else set())


def test_a_meeting_not_held_is_confirmed_and_the_referral_stays_open(platform):
    p = platform
    referral_id, meeting = walk(p, True, True, None)
    assert meeting["status"] == "not_held"
    view = wait_for(lambda: (v := council_view(p, referral_id))["meeting"]["status"] == "not_held" and v,
                    what="not held")
    assert view["meeting_took_place"] is False and view["status"] == "contacting"
    hooks = wait_for(lambda: (h := hooks_for(p, referral_id)) and "meeting.not_held" in h and h, what="not_held")
    data = hooks["meeting.not_held"][2]["data"]
    assert data["meeting_took_place"] is False and "ill" not in json.dumps(data)
