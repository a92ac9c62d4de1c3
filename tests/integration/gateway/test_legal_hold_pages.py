"""The referral's staff page: a manager places a legal hold with its reason (in English or Welsh) and lifts it;
a form without a reason is shown again saying so, and anyone else is refused, audited."""

from __future__ import annotations

from html import unescape

import pytest

from shared.erasure import LEGAL_HOLDS
from shared.store import Put, open_store
from services.referral import retention
from tests.integration.gateway.test_web_forms import errors_on, running_site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from running_site(tmp_path_factory, "holds", strict_queries=True)


def test_a_manager_places_and_lifts_a_legal_hold_from_the_referral_page(site):
    referral_id = site.refer()
    manager = site.signed_in(site.user("manager"))
    page = manager.get(f"/referrals/{referral_id}").text
    assert "No legal hold" in page and f"/referrals/{referral_id}/legal-hold" in page

    path = f"/referrals/{referral_id}/legal-hold"
    refused = manager.submit(path, {})
    assert errors_on(refused) == ["Choose why the records must be kept"]
    placed = manager.submit(path, {"reason_code": "court_case"})
    assert placed.status_code == 302 and placed.headers["Location"] == f"/referrals/{referral_id}"
    page = unescape(manager.get(f"/referrals/{referral_id}").text)
    assert "The child's records are held: A court case" in page
    assert open_store("referral", site.settings).get(LEGAL_HOLDS, referral_id).body["held"] is True

    lifted = manager.submit(f"{path}/lift", {}, form_path=f"/referrals/{referral_id}")
    assert lifted.status_code == 302
    assert "No legal hold" in manager.get(f"/referrals/{referral_id}").text
    assert open_store("referral", site.settings).get(LEGAL_HOLDS, referral_id).body["held"] is False


def test_the_hold_reads_in_welsh_for_a_welsh_reader(site):
    referral_id = site.refer()
    manager = site.signed_in(site.user("manager"))
    page = unescape(manager.get(f"/referrals/{referral_id}/legal-hold", headers={"Accept-Language": "cy"}).text)
    assert "Pam mae'n rhaid cadw cofnodion y plentyn?" in page and "Achos llys" in page


def test_anyone_but_a_manager_is_refused_the_hold_and_the_refusal_audited(site):
    referral_id = site.refer()
    advocate = site.signed_in(site.user("advocate"))
    assert "legal-hold" not in advocate.get(f"/referrals/{referral_id}").text
    assert advocate.get(f"/referrals/{referral_id}/legal-hold").status_code == 403
    assert [e["status"] for e in site.audit() if e.get("referral_id") == referral_id
            and e["what"] == "place legal hold"] == [403]


def test_an_erased_referrals_page_still_reads_with_nothing_of_the_child(site):
    referral_id = site.refer()
    manager = site.signed_in(site.user("manager"))
    assert "Cerys" in manager.get(f"/referrals/{referral_id}").text
    store = open_store("referral", site.settings)
    kept = store.get("referrals", referral_id)
    store.commit(Put.update(kept, {**retention.referral_anonymised(kept.body), "erased_on": "2040-01-01"}))
    page = manager.get(f"/referrals/{referral_id}")
    assert page.status_code == 200 and "Cerys" not in page.text and "07700 900123" not in page.text
