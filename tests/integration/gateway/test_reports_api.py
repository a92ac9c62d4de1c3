"""The reports API through the real platform (API.md, "Reports"): a referral made through the API is counted in its
quarter's template at once, read back to back; a council's key reads its own council alone, a wider scope is 404;
managers read every scope; other staff are refused; every read is audited; bad queries are 422 naming the field."""

from __future__ import annotations

import pytest

from shared.clock import now
from shared.councils import CouncilRegister

from services.reporting import domain
from tests.examples import example_referral
from tests.integration.gateway.conftest import assert_problem


def this_quarter() -> str:
    year, quarter = domain.quarter_of(now().isoformat()).split("Q")
    return f"year={year}&quarter={quarter}"


def this_year() -> str:
    return domain.quarter_of(now().isoformat()).split("Q")[0]


def test_a_referral_is_counted_at_once_and_a_council_reads_only_its_own(platform):
    cardiff, other = platform.key("CARDIFF"), platform.key("SWANSEA")
    manager = platform.staff("manager")
    before = platform.get(f"/api/v1/reports/quarterly?{this_quarter()}", cardiff).json()["active_offer"]
    made = platform.post("/api/v1/referrals", cardiff, json=example_referral())
    assert made.status_code == 201, made.text
    after = platform.get(f"/api/v1/reports/quarterly?{this_quarter()}", cardiff)  # back to back: no waiting
    assert after.status_code == 200, after.text
    assert after.json()["scope"] == {"kind": "council", "code": "CARDIFF"}
    assert after.json()["active_offer"]["referrals_received"] == before["referrals_received"] + 1
    assert platform.get(f"/api/v1/reports/quarterly?{this_quarter()}", other).json()["active_offer"][
        "referrals_received"] == 0, "another council's figures are never in a council's report"
    for wider in ("council=SWANSEA", f"region={CouncilRegister.load().get('CARDIFF').region}"):
        assert_problem(platform.get(f"/api/v1/reports/quarterly?{this_quarter()}&{wider}", cardiff), 404)
    whole = platform.get(f"/api/v1/reports/annual?year={this_year()}", manager)
    assert whole.status_code == 200 and whole.json()["scope"]["kind"] == "provider"
    assert "Cerys" not in whole.text and "Cerys" not in after.text, "counts, never names"


@pytest.mark.parametrize("role, council", [("advocate", None), ("admin", None), ("referrer", "CARDIFF")])
def test_staff_other_than_managers_cannot_read_reports(platform, role, council):
    assert_problem(platform.get(f"/api/v1/reports/quarterly?{this_quarter()}", platform.staff(role, council)), 403)


@pytest.mark.parametrize("query", ["year=2026", "quarter=2", "year=26&quarter=1", "year=2026&quarter=5",
                                   "year=2026&quarter=1&council=cardiff", "year=2026&quarter=1&colour=red"])
def test_a_report_query_out_of_shape_is_422(platform, query):
    assert_problem(platform.get(f"/api/v1/reports/quarterly?{query}", platform.staff("manager")), 422)


def test_every_report_read_is_audited(platform):
    from services.gateway.store import AUDIT

    platform.get(f"/api/v1/reports/quarterly?{this_quarter()}", platform.key("CARDIFF"))
    entries = [d.body for d in platform.gateway.store.find(AUDIT, None, limit=1000)]
    assert any(e["what"] == "read quarterly report" and e["council"] == "CARDIFF" for e in entries)


def commissioner(platform, *, council: str | None = None, region: str | None = None) -> dict:
    from services.gateway import handlers

    email = f"commissioner-{council or region}-{now().timestamp()}@council.example".lower()
    handlers.create_user(platform.gateway, platform.councils, email, "commissioner", council, "a long enough password",
                         region=region)
    return {"Authorization": f"Bearer {handlers.create_token(platform.gateway, email)}"}


def test_a_commissioner_reads_the_council_or_region_they_are_bound_to_and_nothing_wider(platform):
    home = CouncilRegister.load().get("CARDIFF").region
    neighbour = next(c.code for c in CouncilRegister.load().all() if c.region == home and c.code != "CARDIFF")
    outside = next(c for c in CouncilRegister.load().all() if c.region != home)
    of_cardiff, of_region = commissioner(platform, council="CARDIFF"), commissioner(platform, region=home)
    answer = platform.get(f"/api/v1/reports/quarterly?{this_quarter()}", of_cardiff)
    assert answer.status_code == 200 and answer.json()["scope"] == {"kind": "council", "code": "CARDIFF"}
    answer = platform.get(f"/api/v1/reports/annual?year={this_year()}", of_region)
    assert answer.status_code == 200 and answer.json()["scope"] == {"kind": "region", "code": home}
    answer = platform.get(f"/api/v1/reports/quarterly?{this_quarter()}&council={neighbour}", of_region)
    assert answer.status_code == 200 and answer.json()["scope"] == {"kind": "council", "code": neighbour}
    for who, wider in ((of_cardiff, f"council={neighbour}"), (of_cardiff, f"region={home}"),
                       (of_region, f"council={outside.code}"), (of_region, f"region={outside.region}")):
        assert_problem(platform.get(f"/api/v1/reports/quarterly?{this_quarter()}&{wider}", who), 404)
    for staff_only in ("/api/v1/referrals", "/api/v1/cases", "/api/v1/complaints"):
        assert_problem(platform.get(staff_only, of_region), 403)


def test_the_same_figures_come_as_csv_and_as_a_workbook_with_a_chart_per_section(platform):
    import csv
    import io

    from openpyxl import load_workbook

    cardiff = platform.key("CARDIFF")
    platform.post("/api/v1/referrals", cardiff, json=example_referral())
    report = platform.get(f"/api/v1/reports/quarterly?{this_quarter()}", cardiff).json()
    answer = platform.get(f"/api/v1/reports/quarterly?{this_quarter()}", {**cardiff, "Accept": "text/csv"})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    assert answer.headers["Content-Disposition"].endswith('-CARDIFF.csv"')
    rows = list(csv.reader(io.StringIO(answer.text)))
    assert rows[:2] == [["National Reporting Template"], ["For", "Cardiff"]], "who the figures are of, in words"
    heading = ["Section", "Figure", "This period", "The period before", "Code"]
    table = {row[4]: row for row in rows[rows.index(heading) + 1:]}
    assert table["active_offer.referrals_received"][:3] == [
        "The Active Offer", "Active Offer referrals received", str(report["active_offer"]["referrals_received"])]
    assert table["language.welsh_asked_for"][:2] == ["Language and access", "Children who asked for Welsh"], \
        "each says what it counts"
    assert table["referrals.received"][1] == "Referrals received"
    assert table["active_offer.outcomes.take_up"][2] == str(report["active_offer"]["outcomes"]["take_up"])
    welsh = platform.get(f"/api/v1/reports/quarterly?{this_quarter()}",
                         {**cardiff, "Accept": "text/csv", "Accept-Language": "cy"})
    assert ["Ar gyfer", "Caerdydd"] in list(csv.reader(io.StringIO(welsh.text))), "in the language asked for"
    workbook = platform.get(f"/api/v1/reports/quarterly?{this_quarter()}",
                            {**cardiff, "Accept": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    assert workbook.status_code == 200
    book = load_workbook(io.BytesIO(workbook.content))
    assert book.sheetnames[0] == "About this report" and {
        "The Active Offer", "Referrals", "Casework", "Complaints"} <= set(book.sheetnames)
    found = {row[0]: row[1] for row in book["The Active Offer"].iter_rows(min_row=2, values_only=True)}
    assert found["Active Offer referrals received"] == report["active_offer"]["referrals_received"]
    assert all(book[name]._charts for name in book.sheetnames[1:]), "a chart beside each section's table"


def test_a_report_for_publication_withholds_small_counts_in_every_format(platform):
    import csv
    import io

    council = platform.key("NEWPORT")
    for _ in range(2):
        assert platform.post("/api/v1/referrals", council, json=example_referral()).status_code == 201
    query = f"/api/v1/reports/quarterly?{this_quarter()}"
    assert platform.get(query, council).json()["active_offer"]["referrals_received"] == 2
    published = platform.get(f"{query}&publication=true", council).json()
    assert published["active_offer"]["referrals_received"] is None and published["suppressed_below"] == 5
    assert published["active_offer"]["meetings_held"] == 0, "a zero tells of no child and stays"
    rows = list(csv.reader(io.StringIO(platform.get(f"{query}&publication=true",
                                                    {**council, "Accept": "text/csv"}).text)))
    assert ["The Active Offer", "Active Offer referrals received", "withheld", "0",
            "active_offer.referrals_received"] in rows
