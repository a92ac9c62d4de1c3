"""A quarter of the Active Offer as commissioners monitor it, driven through the public API of the real services in
two councils of two regions: every opt-out and decline reason, every reason a meeting was not held, every topic a
meeting covers and everything left with a child, every kind of transition and renewed offer's result, every channel a
message comes by, an issue-based referral, a referral left waiting, and children referred twice and described.

Each figure is checked against what was done, per council and per region, read exactly (as the provider's manager
reads it); and every commissioner's and council's view of the same scope is that report with its small cells
withheld: no count of one to four of a child's characteristics or source, no withheld cell recoverable from its
total, the totals exact."""

from __future__ import annotations

import itertools
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone

from shared.clock import LONDON, now
from shared.contracts.messages import CHANNELS, FROM
from shared.contracts.referral import NOT_OFFERED_AGAIN, NOT_WANTED_REASONS, RENEWED_OFFER_RESULTS, TRANSITION_KINDS
from shared.contracts.scheduling import LEFT_WITH_CHILD, MEETING_TOPICS, NOT_HELD_REASONS

from services.gateway import report_files
from services.reporting import domain
from services.scheduling import message_clocks
from tests.e2e.test_quarterly_report import Provider, provider  # noqa: F401 (the platform, for this module)
from tests.integration.bus.support import wait_for
from tests.examples import example_referral

VENUE = {"name": "Ysgol y Wern", "accessible": True, "risk_assessed": True}
COUNCILS = ("CARDIFF", "SWANSEA")
NOT_HELD = {"CARDIFF": NOT_HELD_REASONS[:4], "SWANSEA": NOT_HELD_REASONS[4:]}
DECLINED = {"CARDIFF": NOT_WANTED_REASONS[:4], "SWANSEA": NOT_WANTED_REASONS[4:]}
OTHER_SUPPORT = {"CARDIFF": ("formal",), "SWANSEA": ("informal", "peer")}
OPT_OUTS = {"CARDIFF": (*NOT_WANTED_REASONS[:3], None), "SWANSEA": NOT_WANTED_REASONS[3:]}
"""Each council's opt-outs by reason code; None is an older client's reason in words, which counts as `other`."""
MESSAGES = {"CARDIFF": CHANNELS[:4], "SWANSEA": CHANNELS[4:]}
DESCRIBED = {"gender": "girl", "ethnic_group": "white", "disability": "no"}
"""How the child who takes up advocacy in Cardiff describes themselves; one other Cardiff child says only a gender."""
LINKED = 0
"""Which of Cardiff's messages became its issue-based referral."""


def a_child(referral: dict, **changes) -> dict:
    """The example referral for a child of their own (a name and a council reference no other referral has), in
    English unless said."""
    child = {**referral["child"], "given_name": f"Plentyn{uuid.uuid4().hex[:6]}", "preferred_language": "en",
             **changes}
    return {**referral, "child": child, "external_ref": f"MOSAIC-{uuid.uuid4().hex[:8]}"}


class Quarter:
    """What was done, to count: per council, a Counter of what each figure counts."""

    def __init__(self, provider: Provider):
        self.provider = provider
        self.done = {council: Counter() for council in COUNCILS}
        self.topics = itertools.cycle(MEETING_TOPICS)
        self.left = itertools.cycle(LEFT_WITH_CHILD)
        self.referrals: dict[tuple[str, str], str] = {}

    def refer(self, council: str, body: dict) -> str:
        referral = self.provider.call("POST", "/api/v1/referrals", self.provider.key(council), body, 201)
        self.done[council]["received"] += 1
        return referral["id"]

    def allocated(self, council: str, referral_id: str) -> dict:
        advocate = self.provider.staff("advocate")
        self.provider.call("POST", f"/api/v1/referrals/{referral_id}/allocate", self.provider.manager,
                           {"advocate_email": advocate["email"]})
        self.provider.call("POST", f"/api/v1/referrals/{referral_id}/contact-attempts", advocate,
                           {"method": "phone", "result": "reached"}, 201)
        return advocate

    def offer(self, council: str, ending: str, code: str | None, **child) -> tuple:
        """An Active Offer referral met at a meeting about to start; what is to be recorded of it."""
        referral_id = self.refer(council, a_child(example_referral(), **child))
        advocate = self.allocated(council, referral_id)
        starts = now().astimezone(timezone.utc).replace(microsecond=0) + timedelta(seconds=3)
        meeting = self.provider.call("POST", f"/api/v1/referrals/{referral_id}/meetings", advocate, {
            "starts_at": starts.isoformat(), "duration_minutes": 15, "venue": VENUE,
            "language": child.get("preferred_language", "en")}, 201)
        self.referrals[(council, f"{ending}:{code}")] = referral_id
        return council, ending, code, meeting, advocate

    def record(self, council: str, ending: str, code: str | None, meeting: dict, advocate: dict) -> None:
        done = self.done[council]
        if ending == "not_held":
            body = {"took_place": False, "reason_not_held_code": code, "reason_not_held_note": "Roedd hi'n sâl"}
            done[f"not_held:{code}"] += 1
        else:
            topics, left = [next(self.topics), next(self.topics)], [next(self.left)]
            body = {"took_place": True, "outcome": ending, "topics_covered": topics, "left_with_child": left}
            if ending == "declined":
                body.update(decline_reason_code=code, decline_reason_note="Mae ganddi gymorth", contact_details_given=True)
                done[f"declined:{code}"] += 1
            if ending == "reflecting":
                body["contact_details_given"] = True
            if ending == "other_support":
                body["other_support_type"] = code
            done["held"] += 1
            done[f"outcome:{ending}"] += 1
            done.update(f"topic:{topic}" for topic in topics)
            done.update(f"left:{item}" for item in left)
        self.provider.call("POST", f"/api/v1/meetings/{meeting['id']}/record", advocate, body)

    def opt_out(self, council: str, code: str | None) -> str:
        body = {"basis": "looked_after", "date_of_birth": "2014-05-01",
                "offered_at": (now() - timedelta(hours=1)).isoformat(),
                **({"reason_code": code} if code else {"reason": "Mae ganddi rywun yn barod"})}
        recorded = self.provider.call("POST", "/api/v1/opt-outs", self.provider.key(council), body, 201)
        self.done[council][f"opt_out:{code or 'other'}"] += 1
        return recorded["id"]

    def tell(self, council: str, kind: str, **reference) -> dict:
        told = self.provider.call("POST", "/api/v1/transitions", self.provider.key(council),
                                  {"kind": kind, "happened_on": now().astimezone(LONDON).date().isoformat(),
                                   **reference}, 201)
        self.done[council][f"transition:{kind}"] += 1
        if not told["offered_again"]:  # why, as the provider knows it (the council is told only what it may know)
            told = self.provider.call("GET", f"/api/v1/transitions/{told['id']}", self.provider.manager)
        self.done[council]["renewed" if told["offered_again"] else f"not_offered:{told['not_offered_because']}"] += 1
        return told

    def renewed_offer_done(self, council: str, transition: dict, result: str) -> None:
        self.provider.call("POST", f"/api/v1/transitions/{transition['id']}/renewed-offer", self.provider.manager,
                           {"result": result})
        self.done[council][f"renewed:{result}"] += 1

    def message(self, council: str, channel: str, received: datetime, answered: bool) -> dict:
        staff = self.provider.manager
        message = self.provider.call("POST", "/api/v1/messages", staff, {
            "channel": channel, "received_at": received.isoformat(), "language": "cy" if channel == "text" else "en",
            "council": council, "from_whom": FROM[len(self.done[council]) % len(FROM)],
            "note": "Galwch fi nôl os gwelwch yn dda"}, 201)
        done = self.done[council]
        done[f"channel:{channel}"] += 1
        done["messages_in_welsh"] += channel == "text"
        done["out_of_hours"] += not message_clocks.in_hours(received, "wales")
        if answered:
            self.provider.call("POST", f"/api/v1/messages/{message['id']}/answer", staff,
                               {"answered_at": (received + timedelta(minutes=1)).isoformat()})
            done["answered"] += 1
        return message


def drive(provider: Provider) -> Quarter:
    quarter = Quarter(provider)
    meetings = []
    for council in COUNCILS:
        meetings += [quarter.offer(council, "not_held", code) for code in NOT_HELD[council]]
        meetings += [quarter.offer(council, "declined", code) for code in DECLINED[council]]
        meetings += [quarter.offer(council, "other_support", code) for code in OTHER_SUPPORT[council]]
    meetings += [quarter.offer("CARDIFF", "reflecting", None, equality={"gender": "boy"}),
                 quarter.offer("CARDIFF", "take_up", None, preferred_language="cy", equality=DESCRIBED)]
    quarter.done["CARDIFF"].update(welsh=1, girl=1, boy=1)
    opt_outs = {council: [quarter.opt_out(council, code) for code in OPT_OUTS[council]] for council in COUNCILS}

    issue_based = quarter.refer("CARDIFF", a_child({**example_referral(), "kind": "issue_based",
                                                    "basis": "care_leaver"}, date_of_birth="2004-02-02"))
    quarter.allocated("CARDIFF", issue_based)
    quarter.done["CARDIFF"].update(issue_based=1, care_leavers=1)
    quarter.refer("SWANSEA", a_child(example_referral()))  # left waiting: the backlog
    quarter.done["SWANSEA"]["waiting"] += 1

    time.sleep(max(0.0, max(datetime.fromisoformat(m[3]["starts_at"]) for m in meetings).timestamp()
                   - time.time()) + 0.3)
    for meeting in meetings:
        quarter.record(*meeting)
    quarter.done["CARDIFF"]["follow_ons"] += 1
    ended = [quarter.referrals[(c, f"{e}:{code}")] for c, e, code, _, _ in meetings if e != "not_held"]
    wait_for(lambda: all(provider.call("GET", f"/api/v1/referrals/{referral_id}", provider.manager)["status"]
                         == "closed" for referral_id in ended), what="every Active Offer met to end")

    ids = quarter.referrals
    quarter.renewed_offer_done("CARDIFF", quarter.tell("CARDIFF", "looked_after_review",
                                                       optout_id=opt_outs["CARDIFF"][0]), "referred_again")
    quarter.renewed_offer_done("CARDIFF", quarter.tell(
        "CARDIFF", "placement_move", referral_id=ids[("CARDIFF", f"declined:{DECLINED['CARDIFF'][0]}")]),
        "opted_out_again")
    quarter.renewed_offer_done("CARDIFF", quarter.tell(
        "CARDIFF", "leaving_care_planning", referral_id=ids[("CARDIFF", "reflecting:None")]),
        "could_not_be_offered")
    took_up = quarter.tell("CARDIFF", "looked_after_review", referral_id=ids[("CARDIFF", "take_up:None")])
    assert took_up["not_offered_because"] == "open_referral", "its follow-on referral is open"
    other = quarter.tell("SWANSEA", "placement_move", referral_id=ids[("SWANSEA", "other_support:peer")])
    assert other["not_offered_because"] == "other_ending"

    overnight = now().astimezone(LONDON).replace(hour=3, minute=0, second=0, microsecond=0)
    overnight -= timedelta(days=overnight > now())
    for council in COUNCILS:
        for n, channel in enumerate(MESSAGES[council]):
            received = overnight if channel == "answer_phone" else now() - timedelta(minutes=5)
            if domain.quarter_of(received.isoformat()) != domain.quarter_of(now().isoformat()):
                received = now() - timedelta(minutes=5)  # the quarter began overnight
            message = quarter.message(council, channel, received, answered=channel != "walk_in")
            if council == "CARDIFF" and n == LINKED:
                provider.call("POST", f"/api/v1/messages/{message['id']}/referral", provider.manager,
                              {"referral_id": issue_based})
                came_from = provider.call("GET", f"/api/v1/referrals/{issue_based}", provider.manager)
                assert "came from message" in [entry["what"] for entry in came_from["timeline"]]
    return quarter


def expected(quarter: Quarter, councils: tuple[str, ...]) -> dict:
    """The figures of issue 27 counted from what was done in `councils`, as the manager reads them."""
    done = sum((quarter.done[c] for c in councils), Counter())
    active_offers = done["received"] - done["issue_based"]
    opt_outs = sum(done[f"opt_out:{code}"] for code in NOT_WANTED_REASONS)
    children = done["received"]  # each referral made here is a child of their own; a follow-on is its child's
    by_code = lambda prefix, codes: {**{code: done[f"{prefix}:{code}"] for code in codes}, "not_recorded": 0}  # noqa: E731
    return {
        "active_offer": {
            "offers": active_offers + opt_outs, "opt_outs": opt_outs,
            "opt_out_reasons": by_code("opt_out", NOT_WANTED_REASONS),
            "referrals_received": active_offers,
            "meetings_held": done["held"], "meetings_not_held": sum(done[f"not_held:{c}"] for c in NOT_HELD_REASONS),
            "not_held_reasons": by_code("not_held", NOT_HELD_REASONS),
            "decline_reasons": by_code("declined", NOT_WANTED_REASONS),
            "outcomes": {o: done[f"outcome:{o}"] for o in ("take_up", "declined", "reflecting", "other_support")},
            "meetings_by_topic": {topic: done[f"topic:{topic}"] for topic in MEETING_TOPICS},
            "meetings_by_left_with_child": {item: done[f"left:{item}"] for item in LEFT_WITH_CHILD},
            "issue_based_from_take_up": done["follow_ons"],
        },
        "offers_again": {
            "transitions_told": sum(done[f"transition:{kind}"] for kind in TRANSITION_KINDS),
            "transitions_by_kind": {kind: done[f"transition:{kind}"] for kind in TRANSITION_KINDS},
            "renewed_offers_made": done["renewed"],
            "not_offered_again": {because: done[f"not_offered:{because}"] for because in NOT_OFFERED_AGAIN},
            "renewed_offers_done": sum(done[f"renewed:{result}"] for result in RENEWED_OFFER_RESULTS),
            "renewed_offer_results": {result: done[f"renewed:{result}"] for result in RENEWED_OFFER_RESULTS},
        },
        "messages": {
            "messages_received": sum(done[f"channel:{c}"] for c in CHANNELS),
            "by_channel": {channel: done[f"channel:{channel}"] for channel in CHANNELS},
            "in_welsh": done["messages_in_welsh"], "out_of_hours": done["out_of_hours"],
            "answered": done["answered"], "answered_in_time": done["answered"],
        },
        "children": children,
        "welsh_asked_for": done["welsh"], "care_leavers": done["care_leavers"],
        "gender": {"girl": done["girl"], "boy": done["boy"], "not_recorded": children - done["girl"] - done["boy"]},
        "issue_based": done["issue_based"], "backlog": done["waiting"],
        "advocates_with_open_work": sum(done[f"not_held:{c}"] for c in NOT_HELD_REASONS) + done["follow_ons"]
        + done["issue_based"],
    }


SECTIONS = ("active_offer", "offers_again", "messages")


def as_read(report: dict, want: dict) -> dict:
    """The figures `want` names, as the report holds them."""
    picked = {section: {name: report[section][name] for name in want[section]} for section in SECTIONS}
    return {**picked, "children": report["referrals"]["children"],
            "welsh_asked_for": report["language"]["welsh_asked_for"],
            "care_leavers": report["headline_groups"]["care_leavers"],
            "gender": {answer: report["equality"]["gender"][answer] for answer in want["gender"]},
            "issue_based": report["response_times_by_kind"]["issue_based"]["received"],
            "backlog": report["capacity"]["backlog"],
            "advocates_with_open_work": report["capacity"]["advocates_with_open_work"]}


def singles_out(report: dict, below: int) -> list[str]:
    """The cells of a child's characteristics or source that a reader could single a child out by: a count from 1
    to `below` - 1, or a breakdown with exactly one cell withheld (recoverable from its total)."""
    found = []
    for period in (report, report.get("period_before", {})):
        for figure in report_files.BY_CHILD_FIGURES:
            section, _, name = figure.partition(".")
            value = period.get(section, {}).get(name)
            cells = value.values() if isinstance(value, dict) else [value]
            found += [figure for cell in cells if isinstance(cell, int) and 0 < cell < below]
            if isinstance(value, dict) and sum(cell is None for cell in value.values()) == 1:
                found.append(f"{figure} (one cell withheld)")
    return found


def test_each_figure_of_the_active_offer_as_commissioners_monitor_it_in_every_scope(provider):
    quarter = drive(provider)
    year, number = domain.quarter_of(now().isoformat()).split("Q")
    query = f"/api/v1/reports/quarterly?year={year}&quarter={number}"
    below = provider.settings.report_suppress_below
    regions = {c: provider.councils.get(c).region for c in COUNCILS}
    assert regions["CARDIFF"] != regions["SWANSEA"], "two councils of two regions"

    for council in COUNCILS:
        want = expected(quarter, (council,))
        for scope in (f"council={council}", f"region={regions[council]}"):
            exact = provider.call("GET", f"{query}&{scope}", provider.manager)
            assert as_read(exact, want) == want, scope
            assert exact["messages"]["answered_in_time_share"] == 1.0
            assert exact["response_times_by_kind"]["issue_based"]["allocation"]["reached"] == want["issue_based"]
            assert exact["capacity"]["median_caseload"] == 1

            readers = {"commissioner": provider.staff("commissioner", **dict([scope.split("=")]))}
            if scope.startswith("council"):
                readers["council"] = provider.key(council)
            for reader, who in readers.items():
                seen = provider.call("GET", query, who)
                assert seen == report_files.as_read(exact, None, below, exact=False), (scope, reader)
                assert seen["suppressed"] == "by_child" and not singles_out(seen, below), (scope, reader)
                assert seen["referrals"]["received"] == exact["referrals"]["received"], "totals stay exact"
                assert seen["referrals"]["children"] == want["children"]

    cardiff = provider.call("GET", query, provider.staff("commissioner", council="CARDIFF"))
    assert cardiff["equality"]["gender"]["girl"] is None and cardiff["equality"]["gender"]["boy"] is None, \
        "a girl and a boy alone in their cells are withheld from the council's commissioner"
    assert cardiff["language"]["welsh_asked_for"] is None, "one child asked for Welsh"
    whole = str(provider.call("GET", query, provider.manager))
    for words in ("Roedd hi'n sâl", "Mae ganddi", "Galwch fi", "Plentyn"):
        assert words not in whole, "counts, never anyone's words or names"
