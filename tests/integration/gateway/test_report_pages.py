"""The report pages as commissioners and managers use them, through the real platform: a commissioner signs in to
their reports and nothing else; the figures are those of their scope, read back to back after a change; wider scopes
are not there; the page reads in Welsh; the same figures download as CSV and as a workbook; every read is audited."""

from __future__ import annotations

import io
import re
import uuid

import pytest
from openpyxl import load_workbook

from services.gateway import handlers
from tests.examples import example_referral
from tests.integration.gateway.test_web_forms import PASSWORD, running_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "reports", strict_queries=True)


def commissioner(site, **scope) -> str:
    email = f"commissioner-{uuid.uuid4().hex[:6]}@council.example"
    handlers.create_user(site.gateway, site.councils, email, "commissioner", scope.get("council"), PASSWORD,
                         region=scope.get("region"))
    return email


def row(page_text: str, label: str) -> str:
    """The first figure of the row a label heads."""
    found = re.search(rf"<th scope=\"row\"[^>]*>{re.escape(label)}</th>\s*<td[^>]*>([^<]*)</td>", page_text)
    assert found, f"no row {label!r}"
    return found.group(1).strip()


def test_a_commissioner_signs_in_to_their_councils_report_and_sees_nothing_else(site):
    visitor = site.signed_in(commissioner(site, council="CARDIFF"))
    assert visitor.get("/").headers["Location"] == "/reports"
    before = int(row(visitor.get("/reports").text, "Active Offer referrals received"))
    site.refer("CARDIFF")
    site.refer("SWANSEA")
    page = visitor.get("/reports")
    assert page.status_code == 200 and "National Reporting Template" in page.text and "Cardiff" in page.text
    assert int(row(page.text, "Active Offer referrals received")) == before + 1, "read back to back, own scope"
    assert "Cerys" not in page.text, "counts, never names"
    for staff_page in ("/referrals", "/cases", "/complaints", "/refer"):
        assert visitor.get(staff_page).status_code in (403, 404), staff_page
    assert visitor.get("/reports?scope=council:SWANSEA").status_code == 404
    assert visitor.get("/reports?scope=region:west-glamorgan").status_code == 404
    assert any(e["what"] == "read quarterly report" and e["who"].startswith("commissioner-") for e in site.audit())


def test_a_regions_commissioner_chooses_among_its_councils_and_the_page_reads_in_welsh(site):
    visitor = site.signed_in(commissioner(site, region="cardiff-vale"))
    page = visitor.get("/reports")
    assert page.status_code == 200
    assert 'value="council:VALE_OF_GLAMORGAN"' in page.text and 'value="council:SWANSEA"' not in page.text
    assert "Cardiff and Vale" in page.text, "the region in words"
    assert not re.search(r">[^<]*cardiff-vale", page.text), "never its code"
    assert visitor.get("/reports?scope=council:VALE_OF_GLAMORGAN").status_code == 200
    visitor.get("/language/cy?next=/reports")
    welsh = visitor.get("/reports?period=annual")
    assert welsh.status_code == 200 and "Templed Adrodd Cenedlaethol" in welsh.text
    assert "Active Offer referrals received" not in welsh.text


def test_a_manager_downloads_the_figures_as_csv_and_as_a_workbook(site):
    visitor = site.signed_in(site.user("manager"))
    page = visitor.get("/reports?scope=council:CARDIFF")
    shown = int(row(page.text, "Active Offer referrals received"))
    csv = visitor.get("/reports?scope=council:CARDIFF&format=csv")
    assert csv.headers["Content-Type"].startswith("text/csv")
    assert f"The Active Offer,Active Offer referrals received,{shown}," in csv.text
    book = load_workbook(io.BytesIO(visitor.get("/reports?scope=council:CARDIFF&format=xlsx").content))
    figures = {r[0]: r[1] for r in book["The Active Offer"].iter_rows(min_row=2, values_only=True)}
    assert figures["Active Offer referrals received"] == shown
    published = visitor.get("/reports?scope=council:CARDIFF&publication=true")
    assert "withheld" in published.text


def test_the_headline_groups_are_a_section_of_the_page_in_english_and_welsh(site):
    visitor = site.signed_in(site.user("manager"))
    before = int(row(visitor.get("/reports?scope=council:CARDIFF").text, "Children placed out of county"))
    site.refer("CARDIFF", placed_out_of_county=True)
    page = visitor.get("/reports?scope=council:CARDIFF").text
    assert "Headline groups" in page and "Language and access" in page
    assert int(row(page, "Children placed out of county")) == before + 1
    assert row(page, "Meetings held, by venue type: School") == "0"
    visitor.get("/language/cy?next=/reports")
    welsh = visitor.get("/reports?scope=council:CARDIFF").text
    assert "Grwpiau allweddol" in welsh and "Cyfarfodydd a gynhaliwyd, yn ôl math o leoliad: Ysgol" in welsh
    assert "Headline groups" not in welsh


def test_response_times_over_the_quarters_weeks_are_a_table_a_line_chart_and_a_workbooks_chart(site):
    visitor = site.signed_in(site.user("manager"))
    site.refer("CARDIFF")
    page = visitor.get("/reports?scope=council:CARDIFF").text
    assert "Response times over the period" in page
    first_week = re.search(r"Week 1 \(\d+ to \d+ \w+\): Active Offer referrals received", page)
    assert first_week and row(page, first_week.group(0)).isdigit(), "each week with its dates"
    weeks = re.findall(r"Week (\d+) \([^)]*\): Active Offer referrals received", page)
    assert weeks[0] == "1" and len(weeks) in (13, 14), "every week of the quarter, the short last one too"
    chart = page.split('id="chart-response_times_over_the_period"')[1].split("</svg>")[0]
    assert chart.count("<polyline") == 3, "a line for each step"
    book = load_workbook(io.BytesIO(visitor.get("/reports?scope=council:CARDIFF&format=xlsx").content))
    sheet = book["Response times over the period"]
    laid_out = list(sheet.iter_rows(min_col=6, max_col=10, values_only=True))
    assert laid_out[0] == ("Week", "Active Offer referrals received", "median days to allocation",
                           "median days to the first contact attempt", "median days to the meeting held")
    assert re.fullmatch(r"Week 1 \(\d+ to \d+ \w+\)", laid_out[1][0])
    assert sum(received for _, received, *_ in laid_out[1:] if received) >= 1
    assert [type(chart).__name__ for chart in sheet._charts] == ["LineChart"]
    visitor.get("/language/cy?next=/reports")
    welsh = visitor.get("/reports?scope=council:CARDIFF&period=annual").text
    assert "Amseroedd ymateb dros y cyfnod" in welsh and re.search(r"Ebrill \d{4}: Atgyfeiriadau", welsh)


def test_the_annual_view_offers_years_only_and_its_charts_words_are_the_pages_text(site):
    visitor = site.signed_in(site.user("manager"))
    quarterly, annual = (visitor.get(f"/reports?scope=council:CARDIFF&period={p}").text for p in ("quarterly", "annual"))
    assert 'id="quarter"' in quarterly and 'id="year"' in quarterly
    assert 'id="quarter"' not in annual and 'id="year"' in annual, "a year has no quarter to choose"
    for page in (quarterly, annual):
        drawings = re.findall(r"<svg.*?</svg>", page, re.S)
        assert drawings and not any("<text" in drawing for drawing in drawings), \
            "a chart's words are the page's text, at the page's size, not shrunk with its drawing"
    assert re.search(r'class="govuk-body-s llais-chart__axis">\d+ days?<', quarterly)
    assert re.search(r'class="govuk-body-s llais-bar-chart__label">Active Offer referrals received<', quarterly)


def test_equality_monitoring_is_counted_answer_by_answer_in_english_and_welsh(site):
    visitor = site.signed_in(site.user("manager"))
    before = int(row(visitor.get("/reports?scope=council:CARDIFF").text, "Children by gender: Chose not to say"))
    example = example_referral()
    site.refer("CARDIFF", child={**example["child"], "given_name": f"Equality{uuid.uuid4().hex[:6]}",
                                 "equality": {"gender": "declined", "ethnic_group": "white"}})
    page = visitor.get("/reports?scope=council:CARDIFF").text
    assert int(row(page, "Children by gender: Chose not to say")) == before + 1
    assert int(row(page, "Children by ethnic group: White")) >= 1
    assert row(page, "Children by whether they consider themselves disabled: Not recorded") != "0"
    visitor.get("/language/cy?next=/reports")
    welsh = visitor.get("/reports?scope=council:CARDIFF").text
    assert "Monitro cydraddoldeb" in welsh and "Plant yn ôl rhywedd: Wedi dewis peidio â dweud" in welsh
