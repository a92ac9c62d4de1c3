"""Faults that stop nothing for good, on the embedded platform: a store or the bus file held by another writer past
every timeout, and a store file that is damaged. While a file cannot be used the gateway answers 503 with
Retry-After (never 500, never waiting past LLAIS_SETTLE_SECONDS for a lock), /readyz says what cannot be used and
/healthz which loop fails since when; once it is let go, every role works again with nothing lost."""

from __future__ import annotations

import sqlite3
import time
import uuid
from dataclasses import replace
from html import unescape

import pytest
import requests

from shared.config import Settings
from services import SERVICES
from services.platform import Embedded
from tests.examples import example_referral
from tests.integration.bus.support import wait_for
from tests.integration.bus.test_locked_bus import held
from tests.integration.gateway.conftest import Platform, assert_problem
from tests.integration.gateway.test_reading_own_writes import DEADLINES
from tests.integration.gateway.test_reports_api import this_quarter
from tests.integration.gateway.test_web_forms import running_site

SETTLE_SECONDS = 1
"""LLAIS_SETTLE_SECONDS here, and so every SQLite file's busy timeout: a lock of a few seconds outlasts both."""
LOCK_SECONDS = 4 * SETTLE_SECONDS
ANSWER_WITHIN = 10 * SETTLE_SECONDS
"""The client's own timeout: a call still unanswered by then hangs, which the gateway must never do."""


def faulty_settings(data_dir) -> Settings:
    return replace(Settings(), data_dir=data_dir, bus_prefix=f"test-{uuid.uuid4().hex[:8]}", strict_queries=True,
                   settle_seconds=SETTLE_SECONDS)


@pytest.fixture
def platform(tmp_path):
    embedded = Embedded(faulty_settings(tmp_path / "data"), port=0)
    embedded.start()
    yield Platform(embedded)
    embedded.stop()


def get(platform: Platform, path: str, headers: dict | None = None) -> requests.Response:
    return requests.get(f"{platform.url}{path}", headers=headers or {}, timeout=ANSWER_WITHIN)


def refer(platform: Platform, council: dict, **headers: str) -> requests.Response:
    return requests.post(f"{platform.url}/api/v1/referrals", json=example_referral(),
                         headers={**council, **headers}, timeout=ANSWER_WITHIN)


def read_back(platform: Platform, council: dict, referral_id: str) -> dict:
    """The referral once it reads with its deadlines (a 503 meanwhile says when to try again)."""
    def seen():
        answer = get(platform, f"/api/v1/referrals/{referral_id}", council)
        if answer.status_code == 503:
            assert answer.headers["Retry-After"], answer.text
            return None
        assert answer.status_code == 200, answer.text
        return answer.json() if set(answer.json()["deadlines"]) == DEADLINES else None
    return wait_for(seen, timeout=60, every=0.5, what=f"referral {referral_id} with its deadlines")


def unavailable(answer: requests.Response) -> dict:
    problem = assert_problem(answer, 503)
    assert int(answer.headers["Retry-After"]) > 0, problem
    return problem


def test_a_locked_gateway_store_is_a_503_with_retry_after_and_after_it_every_call_works(platform):
    council = platform.key()
    with held(platform.settings.data_dir / "gateway.sqlite3"):
        problem = unavailable(refer(platform, council, **{"Idempotency-Key": "locked-gateway"}))
        assert problem["code"] == "store_unavailable"
        not_ready = get(platform, "/readyz")
        assert not_ready.status_code == 503 and "gateway.sqlite3" in not_ready.json()["checks"]["stores_reachable"]
        time.sleep(LOCK_SECONDS)
    made = refer(platform, council, **{"Idempotency-Key": "locked-gateway"})
    assert made.status_code == 201, made.text
    assert read_back(platform, council, made.json()["id"])["status"] == "received"
    assert get(platform, "/readyz").status_code == 200


@pytest.fixture
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "faults", settle_seconds=SETTLE_SECONDS, strict_queries=True)


def test_a_locked_gateway_store_is_a_page_in_the_readers_words_in_english_and_welsh(site):
    english, welsh = site.signed_in(site.user("manager")), site.signed_in(site.user("manager"))
    assert welsh.get("/language/cy").status_code == 302
    with held(site.settings.data_dir / "gateway.sqlite3"):
        for visitor, words in ((english, "Sorry, there is a problem with the service"),
                               (welsh, "Mae'n ddrwg gennym, mae problem gyda'r gwasanaeth")):
            page = visitor.get("/referrals")
            assert page.status_code == 503 and page.headers["Content-Type"].startswith("text/html")
            assert words in unescape(page.text), page.text
    assert english.get("/referrals").status_code == 200 and welsh.get("/referrals").status_code == 200


@pytest.mark.parametrize("service", SERVICES)
def test_a_store_locked_past_every_timeout_then_let_go_leaves_every_role_working_with_nothing_lost(platform, service):
    council = platform.key()
    before = refer(platform, council)
    assert before.status_code == 201, before.text
    with held(platform.settings.data_dir / f"{service}.sqlite3"):
        during = refer(platform, council)
        if service in ("gateway", "referral"):  # the stores a referral is written to
            unavailable(during)
        else:  # stored; what the locked service makes of it waits
            assert during.status_code == 201, during.text
        time.sleep(LOCK_SECONDS)
    after = refer(platform, council)
    assert after.status_code == 201, after.text
    made = [answer.json()["id"] for answer in (before, during, after) if answer.status_code == 201]
    for referral_id in made:
        assert read_back(platform, council, referral_id)["status"] == "received"
    report = get(platform, f"/api/v1/reports/quarterly?{this_quarter()}", council)
    assert report.status_code == 200 and report.json()["active_offer"]["referrals_received"] == len(made)
    assert platform.referral_count() == len(made), "a refused referral is not stored"
    wait_for(lambda: get(platform, "/readyz").status_code == 200, what="ready again")
    assert "failing" not in get(platform, "/healthz").json()


def failing_loops(platform, loop: str) -> dict | None:
    """The loops /healthz names failing, once `loop` is among them (others, such as a clock job's, may fail first)."""
    failing = get(platform, "/healthz").json().get("failing") or {}
    return failing if loop in failing else None


def test_a_locked_bus_file_holds_events_back_says_so_and_loses_none(platform):
    council = platform.key()
    with held(platform.settings.data_dir / "bus.sqlite3"):
        made = refer(platform, council)
        assert made.status_code == 201, made.text  # stored with its events in the referral's outbox
        unavailable(get(platform, f"/api/v1/referrals/{made.json()['id']}", council))
        failing = wait_for(lambda: failing_loops(platform, "referral-relay"), what="the referral's relay named")
        assert failing["referral-relay"]["since"] and "locked" in failing["referral-relay"]["error"]
        not_ready = get(platform, "/readyz")
        assert not_ready.status_code == 503 and {"broker_reachable", "worker_loops"} <= set(not_ready.json()["checks"])
        time.sleep(LOCK_SECONDS)
    assert set(read_back(platform, council, made.json()["id"])["deadlines"]) == DEADLINES
    wait_for(lambda: get(platform, "/readyz").status_code == 200, what="ready again")
    assert "failing" not in get(platform, "/healthz").json()


def test_a_store_damaged_while_running_is_a_503_with_retry_after_and_makes_the_platform_unready(platform):
    council = platform.key()
    assert get(platform, f"/api/v1/reports/quarterly?{this_quarter()}", council).status_code == 200
    damaged = platform.settings.data_dir / "reporting.sqlite3"
    checkpoint = sqlite3.connect(damaged, isolation_level=None)
    # a write the service's connections have not seen, so none answers from the pages it holds in memory
    checkpoint.execute("CREATE TABLE seen_by_nobody (x)")
    checkpoint.execute("DROP TABLE seen_by_nobody")
    # what is in the write-ahead log goes into the file first, whole: not while the store's own checkpointer is
    # moving it (that answers busy, leaving pages to be read from the log)
    wait_for(lambda: checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone() == (0, 0, 0), timeout=30,
             every=0.1, what="the write-ahead log emptied into the file")
    checkpoint.close()
    with damaged.open("r+b") as file:
        file.write(b"overwritten by something else " * 1000)
    unavailable(get(platform, f"/api/v1/reports/quarterly?{this_quarter()}", council))
    not_ready = get(platform, "/readyz")
    assert not_ready.status_code == 503 and str(damaged) in not_ready.json()["checks"]["stores_reachable"]
    made = refer(platform, council)
    assert made.status_code == 201, made.text


def test_a_damaged_store_leaves_its_service_unready_saying_which_file_and_the_rest_working(tmp_path):
    settings = faulty_settings(tmp_path / "data")
    damaged = settings.data_dir / "reporting.sqlite3"
    damaged.parent.mkdir(parents=True)
    damaged.write_bytes(b"not a database, whatever its name says " * 200)
    embedded = Embedded(settings, port=0)
    embedded.start()
    platform = Platform(embedded)
    try:
        council = platform.key()
        made = refer(platform, council)
        assert made.status_code == 201, made.text
        unavailable(get(platform, f"/api/v1/reports/quarterly?{this_quarter()}", council))
        not_ready = get(platform, "/readyz")
        assert not_ready.status_code == 503
        why = not_ready.json()["checks"]["stores_reachable"]
        assert str(damaged) in why and "restore it from a backup" in why
        reporting = requests.get(f"{embedded.settings.service_urls['reporting']}/readyz", timeout=ANSWER_WITHIN)
        assert reporting.status_code == 503 and str(damaged) in reporting.json()["checks"]["store_reachable"]
    finally:
        embedded.stop()

    damaged.rename(damaged.with_suffix(".damaged"))  # what the error says to do, then start again
    embedded = Embedded(settings, port=0)
    embedded.start()
    platform = Platform(embedded)
    try:
        assert get(platform, "/readyz").status_code == 200
        read_back(platform, council, made.json()["id"])
        report = wait_for(lambda: get(platform, f"/api/v1/reports/quarterly?{this_quarter()}", council),
                          what="the report")
        assert report.status_code == 200, report.text
        assert report.json()["active_offer"]["referrals_received"] == 1, "the referral waited for reporting"
    finally:
        embedded.stop()
