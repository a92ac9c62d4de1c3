"""The whole Active Offer through the public API, every call straight after the one before: no sleep, no retry.

    python examples/back_to_back.py http://localhost:8080

with LLAIS_COUNCIL_KEY (a council's API key), LLAIS_MANAGER_TOKEN and LLAIS_ADVOCATE_TOKEN (staff bearer tokens)
and LLAIS_ADVOCATE_EMAIL set. Each answer is checked against what the call before it did: a read shows the write
before it and what that write caused. The one pause is the meeting's own time: a meeting is recorded only once it
has begun, and it is arranged a few seconds ahead. Prints each step; exits 1 at the first answer that is wrong.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests

EXAMPLE = Path(__file__).resolve().with_name("referral.json")
VENUE = {"name": "Canolfan Ieuenctid", "address": "Stryd y Castell", "accessible": True, "risk_assessed": True}
DEADLINES = {"acknowledge_by", "allocate_by", "first_contact_by", "meeting_by"}


class Wrong(Exception):
    pass


class Caller:
    def __init__(self, base: str, token: str):
        self.base = base.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"

    def call(self, method: str, path: str, expect: int, body: dict | None = None) -> dict:
        answer = self.session.request(method, f"{self.base}/api/v1{path}", json=body, timeout=30)
        if answer.status_code != expect:
            raise Wrong(f"{method} {path}: {answer.status_code}, expected {expect}: {answer.text[:300]}")
        return answer.json()


def check(condition: bool, what: str, seen: object) -> None:
    if not condition:
        raise Wrong(f"{what}; saw {json.dumps(seen)[:400]}")


def referral_body() -> dict:
    body = json.loads(EXAMPLE.read_text())
    body["statutory_meeting_at"] = (datetime.now(timezone.utc).replace(hour=10, minute=0, second=0, microsecond=0)
                                    + timedelta(days=21)).isoformat()
    body["external_ref"] = f"B2B-{uuid.uuid4().hex[:10]}"
    body["child"]["given_name"] = f"Cerys{uuid.uuid4().hex[:6]}"
    body["consent"].update(share_arrangements_with_referrer=True, share_outcome_with_referrer=True)
    return body


def soon(seconds: float) -> str:
    return (datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=seconds)).isoformat()


def until(moment: str) -> None:
    """The meeting's own time: the only wait in the journey, and not one for Llais."""
    time.sleep(max(0.0, (datetime.fromisoformat(moment) - datetime.now(timezone.utc)).total_seconds()) + 0.05)


def active_offer(base: str, council_key: str, manager_token: str, advocate_token: str, advocate_email: str,
                 say=print) -> dict:
    """Every step of the Active Offer, each checked at once; the ids it made."""
    council, manager, advocate = Caller(base, council_key), Caller(base, manager_token), Caller(base, advocate_token)

    made = council.call("POST", "/referrals", 201, referral_body())
    referral = made["id"]
    seen = council.call("GET", f"/referrals/{referral}", 200)
    check(set(seen.get("deadlines", {})) == DEADLINES, "a new referral reads with its four deadlines", seen)
    listed = council.call("GET", "/referrals?limit=200", 200)
    mine = [r for r in listed["items"] if r["id"] == referral]
    check(bool(mine) and set(mine[0]["deadlines"]) == DEADLINES, "the council's list shows it with deadlines", listed)
    say(f"referred {referral}: deadlines {sorted(seen['deadlines'])}")

    manager.call("POST", f"/referrals/{referral}/allocate", 200, {"advocate_email": advocate_email})
    seen = advocate.call("GET", f"/referrals/{referral}", 200)
    check(seen["status"] == "allocated", "allocated at once", seen)
    advocate.call("POST", f"/referrals/{referral}/contact-attempts", 201, {"method": "phone", "result": "reached"})
    say("allocated, child reached")

    first = advocate.call("POST", f"/referrals/{referral}/meetings", 201,
                          {"starts_at": soon(30), "duration_minutes": 30, "venue": VENUE, "language": "cy"})
    seen = council.call("GET", f"/referrals/{referral}", 200)
    check(seen["status"] == "meeting_arranged" and seen["meeting"]["status"] == "arranged"
          and seen["meeting"].get("starts_at") == first["starts_at"], "the council sees the meeting arranged", seen)
    moved = advocate.call("POST", f"/meetings/{first['id']}/reschedule", 200,
                          {"starts_at": soon(60), "reason": "The child has a school trip"})
    seen = council.call("GET", f"/referrals/{referral}", 200)
    check(seen["meeting"].get("starts_at") == moved["starts_at"], "the council sees the new time", seen)
    advocate.call("POST", f"/meetings/{first['id']}/cancel", 200, {"reason": "The carer asked to change the venue"})
    seen = council.call("GET", f"/referrals/{referral}", 200)
    check(seen["meeting"]["status"] == "none" or seen["status"] != "meeting_arranged",
          "the council sees the meeting cancelled", seen)
    say("arranged, moved and cancelled a meeting")

    meeting = advocate.call("POST", f"/referrals/{referral}/meetings", 201,
                            {"starts_at": soon(3), "duration_minutes": 30, "venue": VENUE, "language": "cy"})
    seen = council.call("GET", f"/referrals/{referral}", 200)
    check(seen["meeting"]["status"] == "arranged", "the council sees the second meeting", seen)
    until(meeting["starts_at"])
    recorded = advocate.call("POST", f"/meetings/{meeting['id']}/record", 200,
                             {"took_place": True, "outcome": "take_up"})
    follow_on = recorded["follow_on_referral_id"]
    seen = council.call("GET", f"/referrals/{referral}", 200)
    check(seen["status"] == "closed" and seen["meeting"]["status"] == "held" and seen.get("outcome") == "take_up"
          and seen.get("follow_on_referral_id") == follow_on, "the council sees the outcome at once", seen)
    say(f"meeting held, take-up: follow-on referral {follow_on}")

    seen = manager.call("GET", f"/referrals/{follow_on}", 200)
    check(seen["kind"] == "issue_based" and set(seen["deadlines"]) >= {"acknowledge_by"},
          "the follow-on reads at once, with its deadlines", seen)
    council.call("GET", f"/referrals/{follow_on}", 200)
    manager.call("POST", f"/referrals/{follow_on}/allocate", 200, {"advocate_email": advocate_email})
    case = advocate.call("POST", "/cases", 201, {"referral_id": follow_on, "consents_to_case_file": True})
    seen = advocate.call("GET", f"/cases/{case['id']}", 200)
    check(seen["id"] == case["id"], "the case reads at once", seen)
    say(f"case {case['id']} opened from the follow-on")

    closing = council.call("POST", "/referrals", 201, referral_body())["id"]
    manager.call("POST", f"/referrals/{closing}/close", 200, {"reason": "duplicate"})
    seen = council.call("GET", f"/referrals/{closing}", 200)
    check(seen["status"] == "closed" and set(seen["deadlines"]) == DEADLINES, "closed at once", seen)
    say(f"a duplicate referral {closing} closed")
    return {"referral": referral, "follow_on": follow_on, "case": case["id"], "closed": closing}


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        active_offer(sys.argv[1], os.environ["LLAIS_COUNCIL_KEY"], os.environ["LLAIS_MANAGER_TOKEN"],
                     os.environ["LLAIS_ADVOCATE_TOKEN"], os.environ["LLAIS_ADVOCATE_EMAIL"])
    except Wrong as wrong:
        print(f"wrong: {wrong}", file=sys.stderr)
        return 1
    print("the whole Active Offer, back to back: every answer as expected")
    return 0


if __name__ == "__main__":
    sys.exit(main())
