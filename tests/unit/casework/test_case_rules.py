import pytest

from services.casework import domain
from shared.contracts import contract_for

AT = "2026-11-23T10:00:00+00:00"
ADVOCATE = "advocate@provider.example"


def stub(**changes) -> dict:
    data = {"referral_id": "r1", "council": "CARDIFF", "region": "cardiff-vale", "nation": "wales",
            "kind": "issue_based", "basis": "looked_after", "source": "active_offer", "preferred_language": "cy"}
    return {**domain.referral_stub(data), "advocate_email": ADVOCATE, **changes}


def opened() -> dict:
    return domain.open_case(stub(), True, ADVOCATE, AT)


def test_a_case_opens_only_with_the_childs_consent_to_a_case_file():
    with pytest.raises(domain.CaseRefused) as refused:
        domain.open_case(stub(), False, ADVOCATE, AT)
    assert "consents_to_case_file" in refused.value.errors
    case = opened()
    assert case["status"] == "open" and case["advocate_email"] == ADVOCATE and case["language"] == "cy"


@pytest.mark.parametrize("changes, why", [({"kind": "active_offer"}, "issue-based"),
                                          ({"advocate_email": None}, "allocate")])
def test_a_case_opens_from_an_allocated_issue_based_referral(changes, why):
    with pytest.raises(domain.CaseStateForbids, match=why):
        domain.open_case(stub(**changes), True, ADVOCATE, AT)


def test_the_plan_is_the_one_agreed_with_the_child():
    with pytest.raises(domain.CaseRefused):
        domain.agree_plan(opened(), "Help with contact", False, ADVOCATE, AT)
    case = domain.agree_plan(opened(), "Help with contact", True, ADVOCATE, AT)
    case = domain.agree_plan(case, "Help with contact and school", True, ADVOCATE, AT)
    assert case["plan"]["version"] == 2


def test_issues_have_themes_and_one_outcome_each():
    with pytest.raises(domain.CaseRefused):
        domain.raise_issue(opened(), "i1", "weather", "It rains", ADVOCATE, AT)
    case = domain.raise_issue(opened(), "i1", "contact", "See my brother more", ADVOCATE, AT)
    case, issue = domain.conclude_issue(case, "i1", "resolved", "Monthly visits agreed", ADVOCATE, AT)
    assert issue["outcome"] == "resolved"
    with pytest.raises(domain.CaseStateForbids):
        domain.conclude_issue(case, "i1", "not_resolved", "", ADVOCATE, AT)
    with pytest.raises(domain.NoSuchPart):  # an id that is not there: 404, as API.md answers any
        domain.conclude_issue(case, "nope", "resolved", "", ADVOCATE, AT)


def test_activity_records_how_the_child_chose_to_contribute():
    with pytest.raises(domain.CaseRefused) as refused:
        domain.record_activity(opened(), "meeting", "loudly", "", None, ADVOCATE, AT)
    assert "contribution" in refused.value.errors
    case = domain.record_activity(opened(), "meeting", "jointly", "Review", None, ADVOCATE, AT)
    assert case["activities"][0]["contribution"] == "jointly"


def test_only_a_manager_records_a_disclosure_and_with_all_it_requires():
    full = {"reason": "significant_harm", "decided_by": "Team manager", "disclosed_to": "Children's services",
            "disclosed_at": AT, "child_told": False, "why_not_told": "Telling them would put them at risk"}
    with pytest.raises(domain.NotAllowed):
        domain.record_disclosure(opened(), full, "advocate", ADVOCATE, AT)
    for missing in ("reason", "decided_by", "disclosed_to", "disclosed_at", "why_not_told"):
        with pytest.raises(domain.CaseRefused) as refused:
            domain.record_disclosure(opened(), {**full, missing: ""}, "manager", "m@p.example", AT)
        assert missing in refused.value.errors
    with pytest.raises(domain.CaseRefused) as refused:
        domain.record_disclosure(opened(), {**full, "child_told": True}, "manager", "m@p.example", AT)
    assert "child_told_at" in refused.value.errors
    case = domain.record_disclosure(opened(), full, "manager", "m@p.example", AT)
    assert case["disclosures"][0]["recorded_by"] == "m@p.example"
    assert domain.child_record(case)["disclosures"] == [], "a disclosure the child was not told of stays out"


def test_a_granted_change_of_advocate_moves_the_case():
    case = domain.request_advocate_change(opened(), "q1", "I want someone else", ADVOCATE, AT)
    with pytest.raises(domain.CaseStateForbids):
        domain.request_advocate_change(case, "q2", "again", ADVOCATE, AT)
    with pytest.raises(domain.NotAllowed):
        domain.decide_advocate_change(case, "q1", "granted", "other@p.example", "", "advocate", ADVOCATE, AT)
    with pytest.raises(domain.CaseRefused):
        domain.decide_advocate_change(case, "q1", "declined", None, "", "manager", "m@p.example", AT)
    moved = domain.decide_advocate_change(case, "q1", "granted", "other@p.example", "", "manager", "m", AT)
    assert moved["advocate_email"] == "other@p.example"
    assert not domain.may_see(moved, ADVOCATE, "advocate") and domain.may_see(moved, "other@p.example", "advocate")
    assert domain.may_see(moved, "anyone@p.example", "manager")


def test_a_case_closes_once_every_issue_has_its_outcome():
    case = domain.raise_issue(opened(), "i1", "education", "School move", ADVOCATE, AT)
    with pytest.raises(domain.CaseStateForbids, match="every issue"):
        domain.close(case, "issues_resolved", 5, "", ADVOCATE, AT)
    case, _ = domain.conclude_issue(case, "i1", "partly_resolved", "", ADVOCATE, AT)
    with pytest.raises(domain.CaseRefused):
        domain.close(case, "issues_resolved", 9, "", ADVOCATE, AT)
    closed = domain.close(case, "issues_resolved", 4, "My advocate listened", ADVOCATE, AT)
    assert closed["status"] == "closed" and closed["closure"]["satisfaction"] == 4
    with pytest.raises(domain.CaseStateForbids):
        domain.raise_issue(closed, "i2", "health", "More", ADVOCATE, AT)


def test_case_events_carry_no_free_text():
    """Reporting counts from events; what the child said never travels on the bus."""
    free_text = {"description", "note", "text", "feedback", "reason_text", "decided_by", "disclosed_to",
                 "why_not_told", "summary"}
    for event_type in ("case.opened", "case.plan_agreed", "case.issue_raised", "case.issue_concluded",
                       "case.activity_recorded", "case.signposted", "case.advocate_change_requested",
                       "case.advocate_change_decided", "case.disclosure_recorded", "case.closed"):
        fields = set(contract_for(event_type, 1)().fields)
        assert not fields & free_text, (event_type, fields & free_text)


@pytest.mark.parametrize("by, role", [(ADVOCATE, "advocate"), ("m@provider.example", "manager")])
def test_the_allocated_advocate_or_a_manager_opens_the_case(by, role):
    domain.check_allocated(stub(), by, role)


@pytest.mark.parametrize("by, role", [("other@provider.example", "advocate"), (ADVOCATE, "admin")])
def test_no_one_else_opens_a_case_on_the_referral(by, role):
    with pytest.raises(domain.NotAllowed):
        domain.check_allocated(stub(), by, role)
