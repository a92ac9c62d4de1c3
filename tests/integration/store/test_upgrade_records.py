"""Records kept by an earlier version are given what the services now find them by: on every store, through
`bring_up_to_date`, and by an operator's `llais upgrade-records`, after which a search by the child's name, a
manager's list of requests for a different advocate and a subject access export's search for the child's own
complaints find them."""

from __future__ import annotations

from click.testing import CliRunner

from shared.clock import new_id
from shared.config import Settings
from shared.contracts.referral import llais_reference
from shared.store import Index, Put, bring_up_to_date, open_store
from services.casework import domain as casework, model as case_model
from services.casework.store import CASES
from services.cli import main
from services.complaints import model as complaint_model
from services.complaints.store import COMPLAINTS
from services.referral import handlers as referral_handlers, model
from services.referral.store import INDEXES, REFERRALS, ReferralStore


def kept_before_name_search(given: str, family: str) -> dict:
    body = model.referral(id=new_id(), council="CARDIFF", region="cardiff", nation="wales", kind="active_offer",
                          basis="looked_after", source="social_worker",
                          child={"given_name": given, "family_name": family, "date_of_birth": "2013-05-02"},
                          referrer={}, consent={}, received_at="2026-11-02T10:00:00+00:00", received_from="CARDIFF")
    return {key: value for key, value in body.items() if key not in ("name_keys", "name_starts", "external_ref_key",
                                                                "reference")}


def case_kept_before_change_waiting(waiting: bool) -> dict:
    body = case_model.case(referral_id=new_id(), council="CARDIFF", region="cardiff", nation="wales",
                           source="social_worker", basis="looked_after", language="en", advocate_email="a@p.example",
                           opened_at="2026-11-02T10:00:00+00:00", opened_by="a@p.example")
    request = {"id": "q1", "requested_at": "2026-11-03T10:00:00+00:00", "requested_by": "a@p.example",
               "reason": "", "result": None if waiting else "declined"}
    return {**{k: v for k, v in body.items() if k != "change_waiting"}, "advocate_changes": [request]}


def test_only_what_is_out_of_date_is_rewritten_once_on_every_store(store):
    old = kept_before_name_search("Elin", "Morgan")
    current = model.referral(**{**{k: old[k] for k in ("council", "region", "nation", "kind", "basis", "source",
                                                         "child", "referrer", "consent", "received_at")},
                                "id": new_id(), "received_from": "CARDIFF"})
    for body in (old, current):
        store.commit(Put.new(REFERRALS, body["id"], body))
    assert bring_up_to_date(store, REFERRALS, model.up_to_date, page_size=1) == 1
    assert store.get(REFERRALS, old["id"]).body["name_keys"] == model.name_keys(old["child"])
    assert store.get(REFERRALS, current["id"]).version == 1, "a current record is left as it is"
    assert bring_up_to_date(store, REFERRALS, model.up_to_date) == 0, "a second run does nothing"


def test_a_case_with_a_request_waiting_is_found_by_it_after_the_upgrade(store):
    store.ensure_indexes([Index(CASES, ("change_waiting",))])
    waiting, decided = case_kept_before_change_waiting(True), case_kept_before_change_waiting(False)
    for body in (waiting, decided):
        store.commit(Put.new(CASES, body["id"], body))
    assert store.find(CASES, {"change_waiting": True}) == []
    assert bring_up_to_date(store, CASES, casework.up_to_date) == 1, "one with no request waiting needs nothing"
    assert [d.id for d in store.find(CASES, {"change_waiting": True})] == [waiting["id"]]
    assert store.get(CASES, decided["id"]).version == 1


def test_an_operator_upgrades_records_and_a_search_by_name_then_finds_them(tmp_path, monkeypatch):
    monkeypatch.setenv("LLAIS_DATA", str(tmp_path))
    referrals = open_store("referral", Settings.from_env())
    referrals.ensure_indexes(INDEXES, strict=True)
    old = kept_before_name_search("Gwenllian", "Ifans")
    referrals.commit(Put.new(REFERRALS, old["id"], old))
    assert referral_handlers.search_referrals(ReferralStore(referrals), "gwenllian", limit=10)[0] == []
    referrals.close()
    answer = CliRunner().invoke(main, ["upgrade-records"])
    assert answer.exit_code == 0, answer.output
    assert "referral: 1 referrals brought up to date" in answer.output
    assert "casework: 0 cases brought up to date" in answer.output
    referrals = open_store("referral", Settings.from_env())
    referrals.ensure_indexes(INDEXES, strict=True)
    for searched in ("gwenllian", llais_reference(old["id"])):
        found = referral_handlers.search_referrals(ReferralStore(referrals), searched, limit=10)[0]
        assert [item["id"] for item in found] == [old["id"]], searched
    assert CliRunner().invoke(main, ["upgrade-records"]).output.startswith("referral: 0 referrals")
    referrals.close()


def test_a_complaint_kept_before_its_name_key_is_found_by_the_complainants_name_after_the_upgrade(store):
    store.ensure_indexes([Index(COMPLAINTS, ("name_key",))])
    made = complaint_model.complaint(id=new_id(), kind="complaint", made_by="child", name="Siôn Prys", contact={},
                                     about="Nobody came", council="CARDIFF", nation="wales", language="cy",
                                     wants_reply=False, received_at="2026-11-02T10:00:00+00:00", by="public")
    old = {k: v for k, v in made.items() if k != "name_key"}
    store.commit(Put.new(COMPLAINTS, old["id"], old))
    key = complaint_model.name_key("sion  PRYS")
    assert store.find(COMPLAINTS, {"name_key": key}) == []
    assert bring_up_to_date(store, COMPLAINTS, complaint_model.up_to_date) == 1
    assert [d.id for d in store.find(COMPLAINTS, {"name_key": key})] == [old["id"]]
    assert bring_up_to_date(store, COMPLAINTS, complaint_model.up_to_date) == 0, "a second run does nothing"
