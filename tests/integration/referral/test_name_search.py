"""Staff find a referral by part of the child's name, the name either way round, or the council's reference in any
case, each by an indexed read of a strict store that holds no name in its indexes."""

from __future__ import annotations

import pytest

from shared.clock import new_id
from shared.store import Put
from shared.store.sqlite import SQLiteStore
from services.referral import handlers, model
from services.referral.store import INDEXES, REFERRALS, ReferralStore


def kept(store: SQLiteStore, given: str, family: str, external_ref: str | None = None) -> str:
    body = model.referral(id=new_id(), council="CARDIFF", region="cardiff-vale", nation="wales", kind="active_offer",
                          basis="looked_after", source="social_worker", external_ref=external_ref,
                          child={"given_name": given, "family_name": family, "date_of_birth": "2013-05-02"},
                          referrer={}, consent={}, received_at="2026-11-02T10:00:00+00:00", received_from="CARDIFF")
    store.commit(Put.new(REFERRALS, body["id"], body))
    return body["id"]


@pytest.fixture
def referrals(tmp_path):
    store = SQLiteStore(tmp_path / "referral.sqlite3")
    store.ensure_indexes(INDEXES, strict=True)  # a find no declared index answers is refused
    yield store
    store.close()


def found(store: SQLiteStore, searching: str, **page) -> list[str]:
    return [r["id"] for r in handlers.search_referrals(ReferralStore(store), searching, **page)[0]]


def test_part_of_a_name_a_name_either_way_round_and_a_reference_in_any_case_find_the_child(referrals):
    ceri = kept(referrals, "Ceri", "Jones", "MOSAIC-77")
    cerian = kept(referrals, "Cerian", "Ap Rhys")
    jonah = kept(referrals, "Jonah", "Cerys-Evans")
    kept(referrals, "Elin", "Morgan")
    assert found(referrals, "Cer") == sorted([ceri, cerian, jonah]), "the start of a given or family name"
    assert found(referrals, "Jones Ceri") == [ceri], "the name the other way round"
    assert found(referrals, "Ceri Jo") == [ceri], "a whole word and the start of another"
    assert found(referrals, "rhys cerian") == [cerian]
    assert found(referrals, "Rhy") == [cerian] and found(referrals, "evan") == [jonah], "a family name's last word"
    assert found(referrals, "mosaic-77") == [ceri] and found(referrals, " Mosaic-77 ") == [ceri], "any case"
    assert found(referrals, "Ceri Ceri") == [], "each word searched starts a different word of the name"
    assert found(referrals, "Ce") == [], "fewer letters than a name's start is no search by its start"
    assert found(referrals, "Morgan Elin Extra") == []


def test_a_search_by_a_names_start_comes_a_page_at_a_time_in_id_order(referrals):
    ids = sorted(kept(referrals, f"Ceri{letter}", "Jones") for letter in "abcde")
    for _ in range(3):
        kept(referrals, "Cerwyn", "Price")  # read by the same start, and left out by the whole search
    first, following = handlers.search_referrals(ReferralStore(referrals), "Ceri Jon", limit=2)
    second, last = handlers.search_referrals(ReferralStore(referrals), "Ceri Jon", limit=2, cursor=following)
    third, none = handlers.search_referrals(ReferralStore(referrals), "Ceri Jon", limit=2, cursor=last)
    assert [r["id"] for r in first + second + third] == ids and none is None


def test_every_search_is_answered_from_a_declared_index_that_holds_no_name(referrals):
    kept(referrals, "Ceri", "Jones", "MOSAIC-77")
    stored = referrals.get(REFERRALS, referrals.find(REFERRALS, None)[0].id).body
    assert "ceri" not in str(stored["name_keys"]).lower() and "cer" not in str(stored["name_starts"])
    for where in ({"name_starts.given": model.name_key("cer")}, {"name_keys.reversed": model.name_key("jones ceri")},
                  {"external_ref_key": "mosaic-77"}):
        plan = " ".join(referrals.query_plan(REFERRALS, where))
        assert "USING INDEX" in plan and "SCAN" not in plan, (where, plan)
