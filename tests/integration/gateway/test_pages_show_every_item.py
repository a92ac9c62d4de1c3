"""The staff pages that show a whole list still show every item when the list is longer than a page of the API:
they ask for every page."""

from __future__ import annotations

import pytest

from shared.clock import new_id
from shared.store import Put, open_store
from tests.integration.gateway.test_web_forms import running_site

MORE_THAN_A_PAGE = 205


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "every-item", strict_queries=True)


def test_the_complaints_page_and_the_managers_home_show_every_complaint(site):
    manager = site.user("manager")
    store = open_store("complaints", site.settings)
    template = {"kind": "complaint", "made_by": "parent", "name": "", "status": "received", "stage": 1,
                "received_at": "2026-12-01T10:00:00+00:00", "acknowledged_at": None,
                "deadlines": {"acknowledge_by": "2026-12-03T23:59:59+00:00"}, "outcome": None,
                "updated_at": "2026-12-01T10:00:00+00:00", "timeline": [], "responses": []}
    made = [new_id() for _ in range(MORE_THAN_A_PAGE)]
    for complaint_id in made:
        store.commit(Put.new("complaints", complaint_id, {**template, "id": complaint_id}))
    signed_in = site.signed_in(manager)
    listed = signed_in.get("/complaints")
    assert listed.status_code == 200
    assert all(f"/complaints/{complaint_id}" in listed.text for complaint_id in made)
    home = signed_in.get("/")
    assert all(f"/complaints/{complaint_id}" in home.text for complaint_id in made), "each waiting complaint"
