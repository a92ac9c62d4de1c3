import pytest

from services.complaints import domain

AT = "2026-11-23T10:00:00+00:00"


def complaint(**changes) -> dict:
    request = {"kind": "complaint", "made_by": "child", "about": "My advocate did not call back",
               "contact": {"phone": "07700 900123"}, "wants_reply": True, **changes}
    domain.check(request)
    return domain.new_complaint("c1", request, "wales", AT, "public")


@pytest.mark.parametrize("changes, field", [({"kind": "grumble"}, "kind"), ({"made_by": "cat"}, "made_by"),
                                            ({"about": " "}, "about"), ({"contact": {}}, "contact")])
def test_a_complaint_needs_its_kind_who_it_is_from_what_about_and_a_way_to_reply(changes, field):
    with pytest.raises(domain.ComplaintRefused) as refused:
        complaint(**changes)
    assert field in refused.value.errors


def test_acknowledged_answered_with_the_other_routes_then_closed():
    acknowledged = domain.acknowledge(complaint(), "m", AT)
    assert acknowledged["status"] == "acknowledged" and domain.acknowledge(acknowledged, "m", AT) is None
    answered = domain.respond(acknowledged, "partly_upheld", "We are sorry; calls are now logged", "m", AT)
    assert answered["responses"][0]["other_routes_told"] == ["council", "childrens_commissioner_for_wales"]
    closed = domain.close(answered, "m", AT)
    assert closed["status"] == "closed" and closed["outcome"] == "partly_upheld"


def test_the_other_routes_are_those_of_the_complaints_nation():
    request = {"kind": "complaint", "made_by": "parent", "about": "Nobody called back", "contact": {"phone": "1"}}
    english = domain.new_complaint("c2", request, "england", AT, "public")
    answered = domain.respond(english, "not_upheld", "Calls were made", "m", AT)
    assert answered["responses"][0]["other_routes_told"] == ["council", "childrens_commissioner_for_england"]
    assert domain.progress(answered)["other_routes"] == ["council", "childrens_commissioner_for_england"]
    assert domain.progress(complaint())["other_routes"] == ["council", "childrens_commissioner_for_wales"]


def test_an_answer_needs_an_outcome_and_what_was_said():
    with pytest.raises(domain.ComplaintRefused) as refused:
        domain.respond(complaint(), "withdrawn", "", "m", AT)
    assert set(refused.value.errors) == {"outcome", "summary"}


def test_answering_first_acknowledges_too_and_a_second_stage_is_the_last():
    answered = domain.respond(complaint(), "not_upheld", "Calls were made", "m", AT)
    assert answered["acknowledged_at"] == AT
    second = domain.escalate(answered, "m", AT)
    assert second["stage"] == 2 and second["status"] == "escalated"
    final = domain.respond(second, "upheld", "On review, we agree", "m", AT)
    with pytest.raises(domain.ComplaintStateForbids, match="last stage"):
        domain.escalate(final, "m", AT)


def test_withdrawn_at_any_stage_before_closing():
    withdrawn = domain.withdraw(complaint(), "m", AT)
    assert withdrawn["outcome"] == "withdrawn" and withdrawn["status"] == "closed"
    with pytest.raises(domain.ComplaintStateForbids):
        domain.withdraw(withdrawn, "m", AT)


def test_a_compliment_is_recorded_and_has_no_steps():
    compliment = complaint(kind="compliment", wants_reply=False, contact={})
    assert compliment["status"] == "recorded"
    with pytest.raises(domain.ComplaintStateForbids, match="compliment"):
        domain.acknowledge(compliment, "m", AT)
