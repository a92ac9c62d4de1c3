"""No commissioner view of any scope singles out a child: reports are made for every council and every region over
varied referrals (children of each gender, ethnic group and language, referred by different people, some counts of
one, some of many), and each commissioner's JSON, page, CSV and workbook is read. No figure of a breakdown by a
child's characteristics or by source shows a count from 1 to the threshold - 1, and no breakdown leaves a single
cell withheld that its exact total would give back. A manager reads the same figures exact."""

from __future__ import annotations

import csv
import io
import random
import re
import uuid

import pytest
import requests
from openpyxl import load_workbook

from shared.clock import now
from shared.councils import CouncilRegister

from services.gateway import handlers, report_files
from services.reporting import domain
from tests.integration.gateway.test_web_forms import PASSWORD, running_site

BELOW = 5
GENDERS, GROUPS = ("girl", "boy", "non_binary", "declined"), ("asian", "black", "mixed", "white", "declined")
ROLES = ("social_worker", "iro", "carer", "professional")
COUNCILS = {"CARDIFF": 9, "VALE_OF_GLAMORGAN": 2, "SWANSEA": 6, "NEWPORT": 1}
"""How many children each council refers: a busy council, two quiet ones, and one of a single child."""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "suppression", strict_queries=True)


@pytest.fixture(scope="module")
def referred(site):
    chance = random.Random(27)
    for council, children in COUNCILS.items():
        key = handlers.create_api_key(site.gateway, site.councils, council)
        for n in range(children):
            body = _referral(chance, n)
            answer = requests.post(f"{site.url}/api/v1/referrals", json=body, timeout=10,
                                   headers={"Authorization": f"Bearer {key}"})
            assert answer.status_code == 201, answer.text
    return site


def _referral(chance: random.Random, n: int) -> dict:
    from tests.examples import example_referral

    body = example_referral()
    body["external_ref"] = f"REF-{uuid.uuid4().hex[:8]}"
    body["child"] = {**body["child"], "given_name": f"Plentyn{chr(65 + n)}{uuid.uuid4().hex[:4]}",
                     "date_of_birth": f"201{chance.randint(0, 5)}-0{chance.randint(1, 9)}-1{chance.randint(0, 9)}",
                     "preferred_language": chance.choice(("cy", "en", "en")),
                     "equality": {"gender": chance.choice(GENDERS), "ethnic_group": chance.choice(GROUPS)}}
    body["referrer"] = {**body["referrer"], "role": chance.choice(ROLES)}
    return body


def scopes() -> list[dict]:
    councils = CouncilRegister.load().all()
    return ([{"council": c.code} for c in councils]
            + [{"region": region} for region in sorted({c.region for c in councils})])


def quarter() -> dict:
    year, number = domain.quarter_of(now().isoformat()).split("Q")
    return {"year": year, "quarter": number}


def by_child(report: dict):
    """Each figure that tells of a child, with its value: a breakdown (a dict) or a count."""
    for figures in (report, report["period_before"]):
        for figure in report_files.BY_CHILD_FIGURES:
            section, _, name = figure.partition(".")
            if name in figures.get(section, {}):
                yield figure, figures[section][name]


def singles_out(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value < BELOW


def assert_nothing_singles_out_a_child(report: dict, scope: dict) -> None:
    for figure, value in by_child(report):
        cells = value if isinstance(value, dict) else {"": value}
        assert not any(singles_out(count) for count in cells.values()), (scope, figure, value)
        if isinstance(value, dict) and len(value) > 1:
            assert sum(count is None for count in value.values()) != 1, \
                (scope, figure, value, "a single withheld cell is the total less the cells shown")


def commissioner(site, scope: dict) -> str:
    email = f"commissioner-{uuid.uuid4().hex[:6]}@council.example"
    handlers.create_user(site.gateway, site.councils, email, "commissioner", scope.get("council"), PASSWORD,
                         region=scope.get("region"))
    return email


def test_no_commissioner_view_of_any_scope_singles_out_a_child(referred):
    site = referred
    withheld_somewhere = 0
    for scope in scopes():
        email = commissioner(site, scope)
        token = handlers.create_token(site.gateway, email)
        report = requests.get(f"{site.url}/api/v1/reports/quarterly", params={**quarter(), **scope}, timeout=30,
                              headers={"Authorization": f"Bearer {token}"})
        assert report.status_code == 200, (scope, report.text)
        figures = report.json()
        assert figures["suppressed"] == "by_child"
        assert_nothing_singles_out_a_child(figures, scope)
        withheld_somewhere += sum(1 for _, value in by_child(figures)
                                  for count in (value.values() if isinstance(value, dict) else [value])
                                  if count is None)
        received = figures["referrals"]["received"]
        assert received == sum(COUNCILS.get(c.code, 0) for c in CouncilRegister.load().all()
                               if c.code == scope.get("council") or c.region == scope.get("region")), \
            "totals stay exact"

        visitor = site.signed_in(email)
        where = {**quarter(), "scope": ":".join(next(iter(scope.items())))}
        page = visitor.get("/reports", params=where)
        assert page.status_code == 200, scope
        for section in ("equality", "headline_groups"):
            shown = re.search(rf'aria-labelledby="section-{section}".*?</section>', page.text, re.S).group(0)
            cells = re.findall(r'<td class="govuk-table__cell[^"]*"[^>]*>\s*([^<]*?)\s*</td>', shown)
            assert not any(cell in {"1", "2", "3", "4"} for cell in cells), (scope, section, cells)
        rows = list(csv.reader(io.StringIO(visitor.get("/reports", params={**where, "format": "csv"}).text)))
        book = load_workbook(io.BytesIO(visitor.get("/reports", params={**where, "format": "xlsx"}).content))
        kept = [(*row[4].split(".", 1), *row[2:4]) for row in rows if len(row) == 5 and "." in row[4]] + [
            (*str(row[3]).split(".", 1), *[str(v) for v in row[1:3]]) for sheet in book.worksheets[1:]
            for row in sheet.iter_rows(min_row=2, max_col=4, values_only=True) if row[3]]
        for section, figure, this_period, before in kept:
            if any(f"{section}.{figure}".startswith(name) for name in report_files.BY_CHILD_FIGURES):
                assert this_period not in {"1", "2", "3", "4"} and before not in {"1", "2", "3", "4"}, \
                    (scope, section, figure, this_period)
    assert withheld_somewhere, "the data has small cells, and some were withheld"


def test_a_manager_reads_the_same_figures_exact(referred):
    site = referred
    email = site.user("manager")
    token = handlers.create_token(site.gateway, email)
    report = requests.get(f"{site.url}/api/v1/reports/quarterly", params={**quarter(), "council": "NEWPORT"},
                          timeout=30, headers={"Authorization": f"Bearer {token}"}).json()
    assert "suppressed" not in report
    assert sum(report["equality"]["gender"].values()) == report["referrals"]["children"] == 1, \
        "the manager sees the one child exact"
