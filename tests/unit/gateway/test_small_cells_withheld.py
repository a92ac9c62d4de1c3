"""What a report's reader may see of small counts: a commissioner or a council never a breakdown's cell that singles
out a child (from 1 to the threshold - 1), nor a single withheld cell its exact total would give back; a manager
the exact figures unless they ask for publication."""

from __future__ import annotations

import random

import pytest

from services.gateway import report_files

BELOW = 5


def report(**sections) -> dict:
    base = {"scope": {"kind": "council", "code": "CARDIFF"}, "period": {"from": "2026-10-01", "to": "2026-12-31"},
            "referrals": {"received": 12, "children": 10, "by_source": {"social_worker": 9, "self": 1, "iro": 2},
                          "by_kind": {"active_offer": 11, "issue_based": 1}},
            "equality": {"gender": {"girl": 6, "boy": 3, "non_binary": 0, "declined": 0, "not_recorded": 1}},
            "language": {"welsh_asked_for": 1, "meetings_held": 2},
            "active_offer": {"meetings_held": 2}, **sections}
    return {**base, "period_before": {k: v for k, v in base.items() if k != "scope"}}


def test_a_commissioner_sees_no_small_cell_of_a_breakdown_by_a_child_and_totals_stay_exact():
    seen = report_files.as_read(report(), None, BELOW, exact=False)
    assert seen["referrals"]["by_source"] == {"social_worker": 9, "self": None, "iro": None}, \
        "the child who referred themselves, and the next smallest cell: 12 - 9 gives only their sum"
    assert seen["equality"]["gender"] == {"girl": 6, "boy": None, "non_binary": 0, "declined": 0,
                                          "not_recorded": None}
    assert seen["language"]["welsh_asked_for"] is None
    assert (seen["referrals"]["received"], seen["referrals"]["children"]) == (12, 10), "totals stay exact"
    assert seen["active_offer"]["meetings_held"] == 2 and seen["referrals"]["by_kind"]["issue_based"] == 1, \
        "a figure that tells nothing of a child's characteristics or source is exact"
    assert seen["period_before"]["referrals"]["by_source"]["self"] is None, "the period before alike"
    assert seen["suppressed"] == report_files.BY_CHILD and seen["suppressed_below"] == BELOW


def test_a_manager_sees_exact_figures_unless_they_ask_for_publication():
    assert report_files.as_read(report(), None, BELOW, exact=True) == report()
    published = report_files.as_read(report(), "true", BELOW, exact=True)
    assert published["active_offer"]["meetings_held"] is None and published["suppressed"] == "publication"
    assert published["referrals"]["by_source"]["iro"] is None


def test_a_lone_small_cell_beside_zeros_takes_a_zero_with_it():
    assert report_files.withheld_cells({"a": 2, "b": 0, "c": 0}, BELOW) == {"a": None, "b": None, "c": 0}


@pytest.mark.parametrize("seed", range(200))
def test_no_breakdown_shows_a_small_cell_or_gives_one_back_by_subtraction(seed):
    chance = random.Random(seed)
    cells = {f"code_{n}": chance.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 20]) for n in range(chance.randint(1, 7))}
    shown = report_files.withheld_cells(cells, BELOW)
    withheld = [code for code, count in shown.items() if count is None]
    assert not any(count is not None and 0 < count < BELOW for count in shown.values())
    assert len(withheld) != 1 or len(cells) == 1, "one withheld cell alone is the total less the cells shown"
    assert all(shown[code] == cells[code] for code in cells if code not in withheld)


def test_only_a_figure_that_may_have_been_withheld_is_said_to_be_withheld():
    """A commissioner's report withholds only a child's characteristics and source, so a median of nothing there is
    no figure ("–" on the page, empty in a file), never "withheld"; a report for publication may withhold any."""
    times = {"response_times": {"allocation": {"reached": 0, "median_days": None}}}
    seen = report_files.as_read(report(**times), None, BELOW, exact=False)
    assert report_files.may_be_withheld(seen, "referrals", "by_source.self")
    assert report_files.may_be_withheld(seen, "language", "welsh_asked_for")
    assert not report_files.may_be_withheld(seen, "response_times", "allocation.median_days")
    rows = report_files.as_csv({**seen, "period_before": {**seen["period_before"], "period": seen["period"]}})
    assert "response_times,allocation.median_days,,," in rows and "referrals,by_source.self,withheld" in rows
    published = report_files.as_read(report(**times), "true", BELOW, exact=True)
    assert report_files.may_be_withheld(published, "response_times", "allocation.median_days")
    assert not report_files.may_be_withheld(report(**times), "referrals", "by_source.self"), "a manager's: exact"
