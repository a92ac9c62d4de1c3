"""Capacity on a manager's pages, through the real platform: the home page and the allocation page say how many
referrals wait and how long the oldest has (in words, in English and Welsh), and each advocate's open referrals and
cases by their name, so a manager allocates to whom has room; the reads are the owning services' and audited, and
only a manager may make them."""

from __future__ import annotations

import re
import uuid
from html import unescape

import pytest
import requests

from services.gateway import handlers
from tests.examples import example_referral
from tests.integration.gateway.test_web_forms import PASSWORD, running_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "capacity", strict_queries=True)


def bearer(site, email: str) -> dict:
    return {"Authorization": f"Bearer {handlers.create_token(site.gateway, email)}"}


def text(page) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", page.text)))


def caseload(page, name: str) -> tuple[int, int]:
    found = re.search(rf"<th scope=\"row\"[^>]*>{re.escape(name)}</th>\s*<td[^>]*>(\d+)</td>\s*<td[^>]*>(\d+)</td>",
                      page.text)
    assert found, f"no caseload row for {name}"
    return int(found.group(1)), int(found.group(2))


def test_a_manager_sees_what_waits_and_each_advocates_caseload_by_name(site):
    manager = f"manager-{uuid.uuid4().hex[:6]}@provider.example"
    handlers.create_user(site.gateway, site.councils, manager, "manager", None, PASSWORD, name="Megan Manager")
    amy = f"amy-{uuid.uuid4().hex[:6]}@provider.example"
    handlers.create_user(site.gateway, site.councils, amy, "advocate", None, PASSWORD, name="Amy Pritchard")
    bryn = f"bryn-{uuid.uuid4().hex[:6]}@provider.example"
    handlers.create_user(site.gateway, site.councils, bryn, "advocate", None, PASSWORD, name="Bryn Hughes")
    key = {"Authorization": f"Bearer {handlers.create_api_key(site.gateway, site.councils, 'CARDIFF')}"}
    made = []
    for n in range(3):
        body = example_referral()
        body["child"] = {**body["child"], "given_name": f"Child{n}{uuid.uuid4().hex[:4]}"}
        answer = requests.post(f"{site.url}/api/v1/referrals", json=body, headers=key, timeout=10)
        assert answer.status_code == 201, answer.text
        made.append(answer.json()["id"])
    allocated = requests.post(f"{site.url}/api/v1/referrals/{made[0]}/allocate", json={"advocate_email": amy},
                              headers=bearer(site, manager), timeout=10)
    assert allocated.status_code == 200, allocated.text

    visitor = site.signed_in(manager)
    home = visitor.get("/")
    assert home.status_code == 200
    assert "2 referrals waiting, the oldest for 0 days" in text(home)
    assert caseload(home, "Amy Pritchard") == (1, 0) and caseload(home, "Bryn Hughes") == (0, 0)
    assert home.text.index("Bryn Hughes") < home.text.index("Amy Pritchard"), "the one with most room first"
    assert amy not in home.text, "named as their account holds it"

    allocating = visitor.get(f"/referrals/{made[1]}/allocate")
    assert allocating.status_code == 200 and caseload(allocating, "Amy Pritchard") == (1, 0)
    assert "2 referrals waiting" in text(allocating)

    visitor.get("/language/cy?next=/")
    welsh = visitor.get("/")
    assert "2 atgyfeiriad yn aros, yr hynaf ers 0 diwrnod" in text(welsh)
    assert "Yn aros a llwythi achosion" in welsh.text
    assert any(e["what"] == "read capacity" for e in site.audit())


def test_an_advocate_sees_no_capacity_and_cannot_read_it(site):
    advocate = site.user("advocate")
    visitor = site.signed_in(advocate)
    home = visitor.get("/")
    assert home.status_code == 200 and 'id="caseloads"' not in home.text
